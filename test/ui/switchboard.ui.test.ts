// Switchboard as a user sees it: the packaged .vsix in a real VS Code (code-server) workbench, driven
// through Chromium. A fake OpenAI-compatible provider runs in this test process; the extension is pointed
// at it through the user's settings (switchboard.providers) and gets its key the way a user gives one:
// "Switchboard: Set API Key" from the palette, into VS Code's secret storage.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FrameLocator, Page } from 'playwright-core';
import {
  closeQuickInput,
  enterApiKey,
  findWebview,
  openUiSession,
  runCommand,
  screenshot,
  screenshotOnFailure,
  UI_SERVER_ENV,
  type UiSession,
} from '../../scripts/vscode/harness.mjs';
import { startFakeProvider, type FakeServer, type RecordedRequest } from '../fakes/server.ts';

const KEY = 'sk-ui-test-0123456789';
const ANSWER = 'This function adds two numbers and returns their sum.\n\n```js\nfunction add(a, b) {\n  return a + b;\n}\n```';
const CODE = 'function add(a, b) {\n  return a + b;\n}\n\nconsole.log(add(2, 3));\n';

let ui: UiSession;
let fake: FakeServer;
let settingsFile: string | null = null;
let savedSettings: string | null = null;

const chatRequests = (): RecordedRequest[] => fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/chat/completions');

/** The user's settings.json of the shared code-server, merged with `extra` (restored in after()). */
function writeUserSettings(userDataDir: string, extra: Record<string, unknown>): void {
  settingsFile = join(userDataDir, 'User', 'settings.json');
  savedSettings = readFileSync(settingsFile, 'utf8');
  writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(savedSettings), ...extra }, null, 2) + '\n');
}

async function toastText(page: Page, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  const toast = page.locator('.notification-toast, .notifications-center .notification-list-item').filter({ hasText: pattern }).first();
  await toast.waitFor({ state: 'visible', timeout: timeoutMs });
  return (await toast.innerText()).trim();
}

/** Rows of the open quick pick: label, description and detail as one text each. */
async function quickPickRows(page: Page): Promise<string[]> {
  return page
    .locator('.quick-input-widget .quick-input-list .monaco-list-row')
    .evaluateAll((rows) => rows.map((r) => (r.textContent ?? '').replace(/\s+/g, ' ').trim()));
}

/** The content frame of the webview (chat view, panel or preview) whose text contains `text`. */
function webviewContaining(page: Page, text: string | { selector: string }, timeoutMs = 20_000): Promise<FrameLocator> {
  const probe = (frame: FrameLocator) => (typeof text === 'string' ? frame.locator('body', { hasText: text }) : frame.locator(text.selector));
  return findWebview(page, probe, { timeoutMs, what: `webview shows ${JSON.stringify(text)}` });
}

const shot = screenshotOnFailure(() => ui.page);

before(async () => {
  fake = await startFakeProvider('openai', { apiKey: KEY });
  fake.setDefault({ text: ANSWER, usage: { input: 210, output: 42 }, delayBetweenChunksMs: 20 });
  const settings = { 'switchboard.providers': [{ id: 'openai', baseUrl: fake.baseUrl }], 'workbench.colorTheme': 'Default Dark Modern' };
  const shared = process.env[UI_SERVER_ENV];
  if (shared) writeUserSettings((JSON.parse(shared) as { userDataDir: string }).userDataDir, settings);
  ui = await openUiSession({ files: { 'math.js': CODE }, settings });
});

after(async () => {
  await ui?.close();
  if (settingsFile && savedSettings !== null) writeFileSync(settingsFile, savedSettings);
  await fake?.close();
});

test(
  'Set API Key from the palette stores and verifies the key',
  shot('ui-set-api-key', async () => {
    const { page } = ui;
    await enterApiKey(page, 'OpenAI', KEY, { beforeEnter: () => screenshot(page, 'ui-set-api-key-input') });
    const text = await toastText(page, /OpenAI key saved/);
    assert.match(text, /saved and verified \(3 models listed\)/);
    assert.ok(!text.includes(KEY));
    await screenshot(page, 'ui-set-api-key-verified');
    const list = fake.requests.find((r) => r.method === 'GET' && r.path === '/v1/models' && r.headers.authorization === `Bearer ${KEY}`);
    assert.ok(list, 'the key was not verified against the provider');
  }),
);

test(
  'the model switcher shows context and prices, and the pick goes to the status bar',
  shot('ui-model-switcher', async () => {
    const { page } = ui;
    const status = page.locator('.statusbar-item', { hasText: /Pick a model|gpt-|claude|route\// }).first();
    await status.waitFor({ timeout: 30_000 });
    await status.click();
    // Wait for the row itself (the catalog may fill the list a moment after it opens), not a fixed time.
    await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'openai/gpt-4o-mini' }).first().waitFor();
    const rows = await quickPickRows(page);
    const mini = rows.find((r) => r.includes('openai/gpt-4o-mini'));
    assert.ok(mini, `no gpt-4o-mini row in ${JSON.stringify(rows)}`);
    assert.match(mini, /128K context · \$0\.15 in \/ \$0\.60 out per 1M/);
    await screenshot(page, 'ui-model-switcher');
    await page.locator('.quick-input-widget .quick-input-box input').fill('gpt-4o-mini');
    // The filter has applied when every row left matches it.
    await page.waitForFunction(
      () => {
        const rows = [...document.querySelectorAll('.quick-input-widget .quick-input-list .monaco-list-row')].map((r) => r.textContent ?? '');
        return rows.length > 0 && rows.every((t) => /gpt-4o-mini|Set API Key|Configure providers|Use "/.test(t));
      },
      null,
      { timeout: 10_000 },
    );
    const filtered = await quickPickRows(page);
    assert.ok(filtered.length >= 1 && filtered.every((r) => /gpt-4o-mini|Set API Key|Configure providers|Use "/.test(r)), JSON.stringify(filtered));
    await page.keyboard.press('Enter');
    await page.locator('.statusbar-item', { hasText: 'openai/gpt-4o-mini' }).first().waitFor({ timeout: 10_000 });
  }),
);

test(
  'right-click a selection → Switchboard → Explain Selection streams the answer into the chat view',
  shot('ui-explain', async () => {
    const { page } = ui;
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'math.js' }).first().click();
    const editor = page.locator('.editor-instance .monaco-editor').first();
    await editor.locator('.view-lines').filter({ hasText: 'function add' }).waitFor({ timeout: 20_000 });
    await editor.locator('.view-lines').click();
    await page.keyboard.press('ControlOrMeta+A');
    const n = chatRequests().length;
    await editor.locator('.view-lines').click({ button: 'right', position: { x: 60, y: 10 } });
    const menu = page.locator('.context-view .monaco-menu');
    await menu.waitFor({ timeout: 10_000 });
    await menu
      .locator('.action-item', { hasText: /^Switchboard/ })
      .first()
      .hover();
    const explain = page
      .locator('.context-view .monaco-menu .action-menu-item')
      .filter({ has: page.locator('.action-label', { hasText: /^Explain Selection$/ }) });
    await explain.waitFor({ timeout: 10_000 });
    await screenshot(page, 'ui-editor-context-submenu');
    // Monaco's menus act on a focused item: hover it, then Enter (a synthetic click can land while the
    // submenu is still animating in and be ignored).
    await explain.hover();
    await explain.focus();
    await page.keyboard.press('Enter');
    await menu.waitFor({ state: 'hidden', timeout: 5000 });

    const chat = await webviewContaining(page, { selector: 'textarea.prompt' }, 30_000);
    const answer = chat.locator('.entry.assistant .entry-text');
    await answer.filter({ hasText: 'adds two numbers' }).waitFor({ timeout: 30_000 });
    await chat.locator('.entry.assistant.status-done').waitFor({ timeout: 30_000 });
    // Rendered as markdown: the prose as a paragraph, the fenced code as a labelled code block.
    const last = answer.last();
    assert.equal((await last.locator('p').first().innerText()).trim(), 'This function adds two numbers and returns their sum.');
    assert.equal(await last.locator('.code-block .code-lang').innerText(), 'js');
    assert.equal(await last.locator('.code-block pre code').textContent(), 'function add(a, b) {\n  return a + b;\n}');
    const meta = await chat.locator('.entry.assistant .entry-meta').last().innerText();
    assert.match(meta, /210 → 42 tokens/);
    assert.match(meta, /\$0\.0000\d+/);
    assert.match(await chat.locator('.entry.user .context').last().innerText(), /math\.js:1-\d+ \(javascript\)/);
    await screenshot(page, 'ui-explain-answer-in-chat');

    const req = chatRequests()[n];
    assert.ok(req, 'the provider got no request');
    const user = (req.body.messages as { role: string; content: string }[]).at(-1)!.content;
    assert.match(user, /^Explain what this code does/);
    assert.ok(user.includes('File: math.js'));
    assert.ok(user.includes('console.log(add(2, 3));'));
  }),
);

test(
  'answers are text, never HTML, in the chat view',
  shot('ui-no-html', async () => {
    const { page } = ui;
    fake.enqueue({ text: '<img src=x onerror="document.body.dataset.pwned=1"><b>bold?</b>' });
    const chat = await webviewContaining(page, { selector: 'textarea.prompt' });
    const prompt = chat.locator('textarea.prompt');
    await prompt.fill('Say something with HTML in it');
    await prompt.press('Enter');
    await chat.locator('.entry.assistant .entry-text', { hasText: '<b>bold?</b>' }).waitFor({ timeout: 20_000 });
    assert.equal(await chat.locator('.entry.assistant img, .entry.assistant b').count(), 0);
    assert.equal(await chat.locator('body').getAttribute('data-pwned'), null);
  }),
);

test(
  'commands run from the palette: Show Usage and Costs, Compare Models…',
  shot('ui-palette', async () => {
    const { page } = ui;
    await runCommand(page, 'Switchboard: Show Usage and Costs');
    // Shown in the built-in Markdown preview (a webview).
    const preview = await webviewContaining(page, 'Switchboard usage and costs');
    const text = await preview.locator('body').innerText();
    assert.match(text, /This session \(since [^)]+\): \*?\*?\$\d/);
    assert.match(text, /openai\/gpt-4o-mini/);
    await screenshot(page, 'ui-usage-and-costs');

    await runCommand(page, 'Switchboard: Compare Models…');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible' });
    await input.fill('Write a haiku about switchboards');
    await page.keyboard.press('Enter');
    // The multi-select: gpt-4o-mini is preselected (the current model); add gpt-4o.
    await page.locator('.quick-input-widget .quick-input-list .monaco-list-row').first().waitFor();
    await input.fill('openai/gpt-4o');
    const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'openai/gpt-4o' }).filter({ hasNotText: 'mini' }).first();
    await row.locator('input[type=checkbox], .monaco-checkbox, .quick-input-list-checkbox').first().click();
    await screenshot(page, 'ui-compare-pick-models');
    await input.fill('');
    await page.keyboard.press('Enter');
    await closeQuickInput(page);

    const panel = await webviewContaining(page, 'Write a haiku about switchboards');
    await panel.locator('.column').nth(1).waitFor({ timeout: 20_000 });
    await panel.locator('section.column.status-done .m-tokens', { hasText: '210 → 42' }).nth(1).waitFor({ timeout: 30_000 });
    const heads = await panel.locator('.column .who').allInnerTexts();
    assert.deepEqual([...heads].sort(), ['openai/gpt-4o', 'openai/gpt-4o-mini']);
    await screenshot(page, 'ui-compare-panel');
  }),
);
