// The chat's streaming markdown renderer in a real browser (Debian's Chromium): whatever the chunking,
// the streamed DOM ends up saying exactly what one full render of the answer says, and an open code
// fence never shows fence characters as code.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { buildAnswer, chunk } from '../../bench/render.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/vscode/harness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let browser: Browser;
let page: Page;

interface Api {
  /** Streams `chunks`, flushing the DOM after every `flushEvery` chunks (animation frames also run), then `flush()`. */
  stream(chunks: string[], flushEvery: number): Promise<{ text: string; blocks: number; active: number }>;
  full(text: string): { text: string; blocks: number };
  /** The code shown while a fence is open (no final flush). */
  openCode(chunks: string[]): Promise<string>;
}

before(async () => {
  const entry = `
    import { renderMarkdown, StreamingMarkdown } from ${JSON.stringify(path.join(root, 'src/webview/shared/markdown.ts'))};
    const norm = (s) => s.replace(/\\s+/g, ' ').trim();
    const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
    window.api = {
      async stream(chunks, flushEvery) {
        const el = document.createElement('div');
        document.body.replaceChildren(el);
        const md = new StreamingMarkdown(el);
        for (let i = 0; i < chunks.length; i++) {
          md.append(chunks[i]);
          if ((i + 1) % flushEvery === 0) await frame();
        }
        md.flush();
        const active = [...el.querySelectorAll('*')].filter((n) => ['SCRIPT', 'IMG'].includes(n.tagName) || [...n.attributes].some((a) => /^on/i.test(a.name) || /^\s*javascript:/i.test(a.value))).length;
        return { text: norm(el.textContent), blocks: el.querySelectorAll('.code-block').length, active };
      },
      full(text) {
        const el = document.createElement('div');
        el.append(renderMarkdown(text));
        return { text: norm(el.textContent), blocks: el.querySelectorAll('.code-block').length };
      },
      async openCode(chunks) {
        const el = document.createElement('div');
        document.body.replaceChildren(el);
        const md = new StreamingMarkdown(el);
        for (const c of chunks) md.append(c);
        await frame(); await frame();
        const codes = el.querySelectorAll('code');
        return codes.length ? codes[codes.length - 1].textContent : '';
      },
    };`;
  const out = await esbuild.build({
    stdin: { contents: entry, resolveDir: root, loader: 'js' },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS], headless: true });
  page = await browser.newPage();
  await page.setContent('<!DOCTYPE html><html><body></body></html>');
  await page.addScriptTag({ content: out.outputFiles[0]!.text });
});

after(async () => {
  await browser?.close();
});

const call = <K extends keyof Api>(name: K, ...args: Parameters<Api[K]>): Promise<Awaited<ReturnType<Api[K]>>> =>
  page.evaluate(([n, a]) => (window as unknown as { api: Record<string, (...x: unknown[]) => unknown> }).api[n]!(...a), [name, args] as const) as Promise<
    Awaited<ReturnType<Api[K]>>
  >;

describe('StreamingMarkdown in Chromium', () => {
  it('ends with the same text and code blocks as a full render, for many chunkings of a long answer', async () => {
    const answer = buildAnswer(12_000, 3);
    const full = await call('full', answer);
    assert.ok(full.blocks >= 3, `the fixture has code blocks (${full.blocks})`);
    for (const [n, every] of [
      [60, 1],
      [600, 7],
      [3000, 50],
      [12_000, 1000],
    ] as const) {
      const got = await call('stream', chunk(answer, n, n), every);
      assert.equal(got.text, full.text, `${n} chunks, a frame every ${every}`);
      assert.equal(got.blocks, full.blocks, `${n} chunks: code blocks`);
    }
  });

  it('renders an answer that ends with a closing fence and no line break like the full renderer', async () => {
    const answer = 'Mini says: it adds.\n\n```js\nconst fromMini = add(1, 2);\n```';
    const full = await call('full', answer);
    for (const n of [1, 3, 17]) {
      const got = await call('stream', chunk(answer, n, n), 2);
      assert.equal(got.text, full.text, `${n} chunks`);
      assert.ok(!got.text.includes('```'), got.text);
      assert.equal(got.blocks, 1);
    }
  });

  it('shows an open fence as code without the closing fence being typed', async () => {
    assert.equal(await call('openCode', ['Intro\n\n```ts\nconst a = 1;\n', '``']), 'const a = 1;\n');
    assert.equal(await call('openCode', ['```py\nprint(1)\nprint(2)']), 'print(1)\nprint(2)');
  });

  it('keeps markup in a streamed answer inert: raw HTML stays text, no script, handler or javascript: link', async () => {
    const hostile = 'Hi <img src=x onerror=alert(1)> there\n\n<script>alert(2)</script>\n\n[x](javascript:alert(3)) and **bold** words\n';
    const got = await call('stream', chunk(hostile, 40, 5), 1);
    assert.equal(got.active, 0, 'no script or img element, no on* attribute, no javascript: URL');
    assert.match(got.text, /<img src=x onerror=alert\(1\)>/);
  });
});
