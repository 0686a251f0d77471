// Model output is markdown, rendered in the real chat webview, and none of it can run: a fake provider
// answers with a corpus of hostile payloads (streamed in many small chunks, so payloads are split across
// chunks and go through the incremental renderer too), and the test proves that no payload executed,
// that nothing active is left in the DOM, and that ordinary markdown still renders.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FrameLocator, Page } from 'playwright-core';
import { findWebview, openUiSession, pickQuickInputItem, runCommand, screenshot, UI_SERVER_ENV, type UiSession } from '../../scripts/vscode/harness.mjs';
import { startFakeProvider, type FakeServer } from '../fakes/server.ts';

const KEY = 'sk-ui-markdown-0123456789';

let ui: UiSession;
let fake: FakeServer;
let listener: Server;
const hits: string[] = [];
let settingsFile: string | null = null;
let savedSettings: string | null = null;

/** Every payload, if it ran, would set all of these (and call the local listener). */
function corpus(hit: string): string[] {
  const js = `document.body.dataset.pwned=1;window.__pwned=1;document.title='PWNED';fetch('${hit}/js')`;
  const jsEnc = encodeURIComponent(js);
  const b64 = Buffer.from(`<script>${js}</script>`).toString('base64');
  return [
    // script tags
    `<script>${js}</script>`,
    `<SCRIPT>${js}</SCRIPT>`,
    `<script src="${hit}/script-src"></script>`,
    `<scr<script>ipt>${js}</scr</script>ipt>`,
    `<<script>script>${js}<</script>/script>`,
    `<script type="module">${js}</script>`,
    // event handlers
    `<img src=x onerror="${js}">`,
    `<img src="${hit}/img" onload="${js}">`,
    `<body onload="${js}">`,
    `<div onmouseover="${js}">hover me</div>`,
    `<a href="#" onclick="${js}">click me</a>`,
    `<details open ontoggle="${js}"><summary>x</summary></details>`,
    `<input autofocus onfocus="${js}">`,
    `<video><source onerror="${js}"></video>`,
    `<audio src=x onerror="${js}"></audio>`,
    `<marquee onstart="${js}">m</marquee>`,
    `<p/onclick="${js}">slash-separated attribute</p>`,
    `<img src=x oNeRrOr=${js.replace(/'/g, '&#39;')}>`,
    // javascript: / data: / vbscript: links
    `[click](javascript:${js})`,
    `[click](JaVaScRiPt:${js})`,
    `[click](  javascript:${js})`,
    `[click](java&#x09;script:${js})`,
    `[click](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;:${jsEnc})`,
    `[click](data:text/html;base64,${b64})`,
    `[click](data:text/html,<script>${jsEnc}</script>)`,
    `[click](vbscript:msgbox(1))`,
    `<javascript:${js}>`,
    `[ref link][evil]\n\n[evil]: javascript:${jsEnc}`,
    `<a href="javascript:${js}">raw a</a>`,
    `<a href="jav&#x0A;ascript:${js}">entity a</a>`,
    // images
    `![x](javascript:${js})`,
    `![x](${hit}/md-image)`,
    `![x](data:image/svg+xml;base64,${Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" onload="${js}"/>`).toString('base64')})`,
    `![x" onerror="${js}](x)`,
    `![x](x "title\\" onerror=\\"${js}")`,
    `[![img](${hit}/nested-image)](javascript:${js})`,
    // SVG and MathML
    `<svg onload="${js}"></svg>`,
    `<svg><script>${js}</script></svg>`,
    `<svg><a xlink:href="javascript:${js}"><text y="20">svg link</text></a></svg>`,
    `<svg><animate onbegin="${js}" attributeName="x" dur="1s"/></svg>`,
    `<svg><foreignObject><iframe srcdoc="<script>${js}</script>"></iframe></foreignObject></svg>`,
    `<math><mtext><table><mglyph><style><img src=x onerror="${js}"></style></mglyph></table></mtext></math>`,
    `<math href="javascript:${js}">CLICK</math>`,
    `<math><maction actiontype="statusline" xlink:href="javascript:${js}">x</maction></math>`,
    // iframe / object / embed / form / meta
    `<iframe src="javascript:${js}"></iframe>`,
    `<iframe srcdoc="&lt;script&gt;${js}&lt;/script&gt;"></iframe>`,
    `<object data="data:text/html;base64,${b64}"></object>`,
    `<embed src="data:text/html;base64,${b64}">`,
    `<form action="javascript:${js}"><button>submit</button></form>`,
    `<button formaction="javascript:${js}">go</button>`,
    `<meta http-equiv="refresh" content="0;url=javascript:${js}">`,
    `<meta http-equiv="refresh" content="0;url=${hit}/meta">`,
    `<base href="javascript:${js}//">`,
    `<link rel="import" href="${hit}/link">`,
    // CSS tricks
    `<style>body{background:url("${hit}/css")}</style>`,
    `<div style="background-image:url(${hit}/style-attr)">styled</div>`,
    `<div style="width:expression(${js})">expression</div>`,
    `<style>@import '${hit}/css-import';</style>`,
    // command: URIs and other schemes
    `[run](command:workbench.action.terminal.new)`,
    `[run](command:switchboard.setApiKey?${encodeURIComponent('["x"]')})`,
    `<command:workbench.action.quit>`,
    `[file](file:///etc/passwd)`,
    `[vscode](vscode://settings/whatever)`,
    // entities, nesting, obfuscation, markdown-in-HTML
    `&lt;script&gt;${js}&lt;/script&gt;`,
    `&#60;img src=x onerror=${js.replace(/'/g, '')}&#62;`,
    `<div><p><span><img src=x onerror="${js}"></span></p></div>`,
    `<noscript><p title="</noscript><img src=x onerror=${js.replace(/'/g, '')}>"></noscript>`,
    `<template><img src=x onerror="${js}"></template>`,
    `<!--><img src=x onerror="${js}">-->`,
    `<textarea><img src=x onerror="${js}"></textarea>`,
    `> <img src=x onerror="${js}">\n> [q](javascript:${js})`,
    `- <img src=x onerror="${js}">\n- [l](javascript:${js})`,
    `| a | b |\n|---|---|\n| <img src=x onerror="${js}"> | [t](javascript:${js}) |`,
    `**<img src=x onerror="${js}">** _[e](javascript:${js})_`,
    '```html\n<script>' + js + '</script>\n```',
    '```\n</code></pre><img src=x onerror="' + js + '">\n```',
    '```js" onmouseover="' + js + '\nalert(1)\n```',
    '`<img src=x onerror="' + js + '">`',
  ];
}

const NORMAL = [
  '## Normal section',
  'Some **bold words** and `inline code`, and [the docs](https://example.com/docs).',
  '- first item\n- second item\n- third item',
  '```js\nfunction add(a, b) {\n  return a + b;\n}\n```',
  'END-OF-CORPUS',
].join('\n\n');

function writeUserSettings(userDataDir: string, extra: Record<string, unknown>): void {
  settingsFile = join(userDataDir, 'User', 'settings.json');
  savedSettings = readFileSync(settingsFile, 'utf8');
  writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(savedSettings), ...extra }, null, 2) + '\n');
}

function chatFrame(page: Page, timeoutMs = 30_000): Promise<FrameLocator> {
  return findWebview(page, 'textarea.prompt', { timeoutMs, what: 'chat webview' });
}

let hitBase = '';

before(async () => {
  listener = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.end('');
  });
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  hitBase = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  fake = await startFakeProvider('openai', { apiKey: KEY });
  fake.setDefault({ text: 'ok', usage: { input: 10, output: 2 } });
  const settings = {
    'switchboard.providers': [{ id: 'openai', baseUrl: fake.baseUrl }],
    'switchboard.defaultModel': 'openai/gpt-4o-mini',
    'workbench.colorTheme': 'Default Dark Modern',
  };
  const shared = process.env[UI_SERVER_ENV];
  if (shared) writeUserSettings((JSON.parse(shared) as { userDataDir: string }).userDataDir, settings);
  ui = await openUiSession({ files: { 'notes.md': '# notes\n' }, settings });
});

after(async () => {
  await ui?.close();
  if (settingsFile && savedSettings !== null) writeFileSync(settingsFile, savedSettings);
  await fake?.close();
  await new Promise((r) => listener?.close(r));
});

test('hostile markdown in an answer renders inert; normal markdown renders', async () => {
  const { page } = ui;
  try {
    // A key, the way a user gives one.
    await runCommand(page, 'Switchboard: Set API Key', { timeoutMs: 60_000 });
    assert.ok(await pickQuickInputItem(page, 'OpenAI', { timeoutMs: 15_000 }));
    await page.locator('.quick-input-widget .quick-input-box input[type=password]').waitFor({ timeout: 10_000 });
    await page.locator('.quick-input-widget .quick-input-box input').fill(KEY);
    await page.keyboard.press('Enter');
    await page
      .locator('.notification-toast, .notifications-center .notification-list-item')
      .filter({ hasText: /OpenAI key saved/ })
      .first()
      .waitFor({ timeout: 20_000 });

    const payloads = corpus(hitBase);
    assert.ok(payloads.length >= 50, `only ${payloads.length} payloads`);
    const answer = [...payloads, NORMAL].join('\n\n');
    fake.enqueue({ text: answer, chunks: 400, delayBetweenChunksMs: 3, usage: { input: 20, output: 900 } });

    await runCommand(page, 'Switchboard: Open Chat');
    const chat = await chatFrame(page);
    const prompt = chat.locator('textarea.prompt');
    await prompt.fill('Show me some tricky markdown');
    await prompt.press('Enter');
    const entry = chat.locator('.entry.assistant').last();
    await chat.locator('.entry.assistant.status-done', { hasText: 'END-OF-CORPUS' }).waitFor({ timeout: 60_000 });
    // Anything the answer could have started (a load, an error handler, a queued task) has run: the
    // document is loaded and the view has been idle since.
    await entry.evaluate(
      () =>
        new Promise<void>((resolve) => {
          const idle = (): void => void requestAnimationFrame(() => requestIdleCallback(() => resolve()));
          if (document.readyState === 'complete') idle();
          else window.addEventListener('load', idle, { once: true });
        }),
    );

    const probe = await entry.evaluate((el) => {
      const body = el.ownerDocument.body;
      const md = el.querySelector('.markdown')!;
      const all = [...md.querySelectorAll('*')];
      const w = window as unknown as { __pwned?: unknown };
      return {
        title: el.ownerDocument.title,
        pwnedWindow: w.__pwned ?? null,
        pwnedBody: body.dataset.pwned ?? null,
        forbidden: all
          .filter((n) =>
            /^(script|iframe|object|embed|svg|math|form|img|style|meta|link|base|input|textarea|template|video|audio|source|details|marquee|noscript)$/i.test(
              n.localName,
            ),
          )
          .map((n) => n.outerHTML.slice(0, 120)),
        // Buttons are the view's own (code block toolbars), never model output.
        strayButtons: all.filter((n) => n.localName === 'button' && !n.closest('.code-actions')).length,
        onAttrs: all.flatMap((n) => [...n.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${n.localName}[${a.name}]`)),
        styleOrSrc: all.flatMap((n) =>
          [...n.attributes].filter((a) => /^(style|src|srcset|action|formaction|xlink:href)$/i.test(a.name)).map((a) => `${n.localName}[${a.name}]`),
        ),
        hrefs: [...md.querySelectorAll('[href]')].map((a) => a.getAttribute('href')!),
        h2: [...md.querySelectorAll('h2')].map((n) => n.textContent),
        strong: [...md.querySelectorAll('strong')].map((n) => n.textContent),
        items: [...md.querySelectorAll('ul > li')].map((n) => n.textContent),
        codeLangs: [...md.querySelectorAll('.code-block .code-lang')].map((n) => n.textContent),
        code: [...md.querySelectorAll('.code-block pre code')].map((n) => n.textContent),
        highlighted: md.querySelectorAll('.code-block .hljs-keyword').length,
        text: (md as HTMLElement).innerText,
      };
    });
    console.log(`  ${payloads.length} payloads; hrefs kept: ${JSON.stringify(probe.hrefs)}`);
    assert.equal(probe.title, 'Switchboard Chat');
    assert.equal(probe.pwnedWindow, null);
    assert.equal(probe.pwnedBody, null);
    assert.deepEqual(probe.forbidden, []);
    assert.equal(probe.strayButtons, 0);
    assert.deepEqual(probe.onAttrs, []);
    assert.deepEqual(probe.styleOrSrc, []);
    for (const href of probe.hrefs) assert.match(href, /^(https?:|mailto:)/i, `href ${href}`);
    assert.ok(!probe.hrefs.some((h) => /javascript:|command:|data:|vbscript:|file:/i.test(h)), JSON.stringify(probe.hrefs));
    // Raw HTML is shown as text, not dropped.
    assert.ok(probe.text.includes('<script>document.body.dataset.pwned=1'), 'raw HTML should be visible as text');
    // Normal markdown renders.
    assert.ok(probe.h2.includes('Normal section'), JSON.stringify(probe.h2));
    assert.ok(probe.strong.includes('bold words'));
    assert.deepEqual(probe.items.slice(-3), ['first item', 'second item', 'third item']);
    assert.ok(probe.codeLangs.includes('js'), JSON.stringify(probe.codeLangs));
    assert.ok(probe.code.some((c) => c === 'function add(a, b) {\n  return a + b;\n}\n' || c === 'function add(a, b) {\n  return a + b;\n}'));
    assert.ok(probe.highlighted > 0, 'code is highlighted');
    assert.ok(probe.hrefs.includes('https://example.com/docs'));
    assert.deepEqual(hits, [], `the local listener was called: ${hits.join(', ')}`);

    // The https link renders at the end of the answer; look at it.
    await chat.locator('.entry.assistant a[href="https://example.com/docs"]').last().scrollIntoViewIfNeeded();
    await screenshot(page, 'ui-markdown-hostile-corpus');

    // A click on a link does not navigate the webview: the host is asked to open it (VS Code's
    // link protection asks first), and the chat stays where it is.
    await chat.locator('.entry.assistant a[href="https://example.com/docs"]').last().click();
    const dialog = page.locator('.monaco-dialog-box', { hasText: 'example.com' });
    await dialog.waitFor({ timeout: 15_000 });
    await screenshot(page, 'ui-markdown-open-link');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden', timeout: 5000 });
    assert.equal(await chat.locator('textarea.prompt').count(), 1);
    // Links the sanitizer defused are inert to clicks too.
    const dead = chat.locator('.entry.assistant a:not([href])').first();
    assert.ok(await dead.count(), 'the corpus has defused links');
    await dead.click();
    // The view's messages reach the host in order: a real link clicked after it gets the first and only
    // dialog, so the defused one asked nothing.
    await chat.locator('.entry.assistant a[href="https://example.com/docs"]').last().click();
    await dialog.waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('.monaco-dialog-box').count(), 1);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden', timeout: 5000 });
    assert.equal(await page.locator('.monaco-dialog-box').count(), 0);
    assert.equal(await chat.locator('body').getAttribute('data-pwned'), null);
    assert.deepEqual(hits, []);
  } catch (e) {
    await screenshot(page, 'ui-markdown-FAILED').catch(() => {});
    throw e;
  }
});
