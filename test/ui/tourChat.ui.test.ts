// The chat half of the UI tour (issue 16), as a new user walks it in the real VS Code (code-server) with the
// chat in a 280 px sidebar: the view says it is loading (never "no model") until the host answers; with no
// model yet a sent question is kept and goes once a key is set and a model picked in the header; one model
// control, one New Chat, one Stop; the header's dropdown (type + Enter, the current model marked, prices in
// full); a table and a wide code block scroll inside themselves; a rate-limited request shows its wait; Retry
// with… keeps both answers as alternatives (‹ 1/2 ›); a reload mid-answer keeps the question and the partial
// answer and does not put the sent prompt back. Screenshots in dark, light and both high-contrast themes.
//
// It runs in its own code-server (a fresh profile): the first steps need a VS Code where no model was ever
// picked, which a server shared with the other UI files is not.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FrameLocator, Page } from 'playwright-core';
import {
  closeQuickInput,
  findWebview,
  openUiSession,
  pickQuickInputItem,
  quickInputItems,
  repoRoot,
  runCommand,
  screenshot,
  screenshotOnFailure,
  typeModelId,
  UI_SERVER_ENV,
  waitForWorkbench,
  type UiSession,
} from '../../scripts/vscode/harness.mjs';
import { startFakeProvider, type FakeServer, type RecordedRequest, type Scenario } from '../fakes/server.ts';

const KEY = 'sk-ui-tour-chat-0123456789';
const QUESTION = 'Compare three models in a table, and show the call';
const TABLE_ANSWER = [
  'Here they are:',
  '',
  '| Model | Context | Input | Output | Cached input | Speed | Region | Notes |',
  '|---|---|---|---|---|---|---|---|',
  '| openai/gpt-4o-mini | 128K | $0.15 | $0.60 | $0.075 | fast | us-east-1 | the cheapest of the three |',
  '| openai/gpt-4o | 128K | $2.50 | $10.00 | $1.25 | medium | us-east-1 | the strongest generalist |',
  '| openai/o3-mini | 200K | $1.10 | $4.40 | $0.55 | slow | us-east-1 | thinks before it answers |',
  '',
  '```ts',
  'export const comparison = await switchboard.compare({ models: ["openai/gpt-4o-mini", "openai/gpt-4o", "openai/o3-mini"], prompt });',
  '```',
  '',
  'TABLE-END',
].join('\n');
const SLOW = Array.from({ length: 80 }, (_, i) => `word${i}`).join(' ');

let ui: UiSession;
let fake: FakeServer;
/** What each model answers next (then its default answer). */
const next: Record<string, Scenario[]> = { 'gpt-4o-mini': [], 'gpt-4o': [] };

const chatRequests = (): RecordedRequest[] => fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/chat/completions');
const contents = (r: RecordedRequest): string[] =>
  (r.body.messages as { role: string; content: string }[]).filter((m) => m.role !== 'system').map((m) => m.content);

function scenario(req: RecordedRequest): Scenario {
  const model = String(req.body?.model ?? '');
  return next[model]?.shift() ?? { text: `Default answer from ${model}.`, usage: { input: 40, output: 8 } };
}

const chatFrame = (page: Page, timeoutMs = 60_000): Promise<FrameLocator> => findWebview(page, 'textarea.prompt', { timeoutMs, what: 'chat webview' });

/** A snapshot of the chat as the host sends it (what the view needs; no model, nothing said). */
function emptyState(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: null,
    imageInput: false,
    modelDetail: null,
    models: [],
    conversationId: 'c1',
    title: 'New chat',
    entries: [],
    streamingId: null,
    totals: { inputTokens: 0, outputTokens: 0, costUsd: 0, unpriced: 0 },
    history: [],
    chips: [],
    ...extra,
  };
}

/** The chat's sidebar dragged by its sash to 280 px (the webview's own width). */
async function sidebarAt280(page: Page, chat: FrameLocator): Promise<void> {
  const width = (): Promise<number> => chat.locator('body').evaluate(() => document.documentElement.clientWidth);
  const tried: string[] = [];
  for (let i = 0; i < 4; i++) {
    const before = await width();
    if (Math.abs(before - 280) <= 2) return;
    const side = (await page.locator('.part.sidebar').first().boundingBox())!;
    const edge = side.x + side.width;
    const sashes = await page
      .locator('.monaco-sash.vertical')
      .evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => ({ x: r.x + r.width / 2, top: r.y, height: r.height })));
    const sash = sashes.filter((s) => Math.abs(s.x - edge) <= 4 && s.height > 100)[0];
    assert.ok(sash, `no sash at the sidebar's edge (${edge}): ${JSON.stringify(sashes)}`);
    const y = sash.top + sash.height / 2;
    await page.mouse.move(sash.x, y);
    await page.mouse.down();
    await page.mouse.move(sash.x + (280 - before) / 2, y, { steps: 4 });
    await page.mouse.move(sash.x + (280 - before), y, { steps: 4 });
    await page.mouse.up();
    tried.push(`${before} px, sash at ${sash.x}`);
    // The view's next resize (or none, when the drag did not take: at most 5 s).
    await chat.locator('body').evaluate(
      (_b, was) =>
        new Promise<void>((resolve) => {
          if (document.documentElement.clientWidth !== was) return resolve();
          window.addEventListener('resize', () => resolve(), { once: true });
          setTimeout(resolve, 5000);
        }),
      before,
    );
  }
  const w = await width();
  assert.ok(Math.abs(w - 280) <= 2, `the chat is ${w} px wide, not 280 (${tried.join('; ')})`);
}

/** What a user would notice at 280 px: the view or the transcript scrolling sideways, a table or code block wider than the column. */
async function overflow(chat: FrameLocator) {
  return chat.locator('body').evaluate(() => {
    const t = document.querySelector('.transcript') as HTMLElement;
    const table = document.querySelector('.entry .markdown table') as HTMLElement | null;
    const pre = document.querySelector('.entry .code-block pre') as HTMLElement | null;
    const box = (el: HTMLElement | null) =>
      el ? { client: el.clientWidth, scroll: el.scrollWidth, right: Math.round(el.getBoundingClientRect().right) } : null;
    return {
      view: { client: document.documentElement.clientWidth, scroll: document.documentElement.scrollWidth },
      transcript: { client: t.clientWidth, scroll: t.scrollWidth, right: Math.round(t.getBoundingClientRect().right) },
      table: box(table),
      pre: box(pre),
    };
  });
}

function assertNoSidewaysScroll(o: Awaited<ReturnType<typeof overflow>>, what: string): void {
  assert.ok(o.view.scroll <= o.view.client, `${what}: the view scrolls sideways ${JSON.stringify(o)}`);
  assert.ok(o.transcript.scroll <= o.transcript.client, `${what}: the transcript scrolls sideways ${JSON.stringify(o)}`);
  for (const el of [o.table, o.pre]) if (el) assert.ok(el.right <= o.transcript.right, `${what}: something sticks out of the column ${JSON.stringify(o)}`);
}

/** Visible buttons of the chat view with this accessible label. */
const visibleButtons = (chat: FrameLocator, label: string): Promise<number> =>
  chat
    .locator(`button[aria-label="${label}"]`)
    .evaluateAll((bs) => bs.filter((b) => (b as HTMLElement).offsetParent !== null && getComputedStyle(b).visibility !== 'hidden').length);

async function ask(chat: FrameLocator, text: string): Promise<void> {
  const prompt = chat.locator('textarea.prompt');
  await prompt.fill(text);
  await prompt.press('Enter');
}

async function setTheme(page: Page, chat: FrameLocator, theme: string, cls: string, bodyCls: string): Promise<void> {
  await runCommand(page, 'Preferences: Color Theme');
  await page.locator('.quick-input-widget .quick-input-box input').fill(theme);
  assert.ok(await pickQuickInputItem(page, theme, { timeoutMs: 10_000 }), `no theme ${theme}: ${JSON.stringify(await quickInputItems(page))}`);
  await page.locator(`.monaco-workbench.${cls}`).waitFor({ timeout: 15_000 });
  await chat.locator(`body.${bodyCls}`).waitFor({ state: 'attached', timeout: 15_000 });
}

const shot = screenshotOnFailure(() => ui.page);

before(async () => {
  fake = await startFakeProvider('openai', { apiKey: KEY });
  fake.setDefault(scenario);
  // A fresh profile of its own (see the top): no model was ever picked in it.
  delete process.env[UI_SERVER_ENV];
  ui = await openUiSession({
    files: { 'notes.md': '# notes\n' },
    settings: { 'switchboard.providers': [{ id: 'openai', baseUrl: fake.baseUrl }], 'workbench.colorTheme': 'Default Dark Modern' },
  });
  await ui.page.setViewportSize({ width: 1100, height: 900 });
});

after(async () => {
  await ui?.close();
  await fake?.close();
});

test(
  'until the host sends its state the view says it is loading (never "no model"); a draft that was sent is not put back',
  shot('tour-chat-loading', async () => {
    // The view's own script in a page with no host behind it: what it shows before the host answers
    // (after a reload that can take many seconds) is exactly this.
    const page = await ui.context.newPage();
    try {
      await page.setContent('<!doctype html><html><head><title>chat</title></head><body><div id="app"></div></body></html>');
      await page.evaluate((draft) => {
        const w = window as unknown as { posted: unknown[]; acquireVsCodeApi: () => unknown };
        w.posted = [];
        w.acquireVsCodeApi = () => ({
          postMessage: (m: unknown) => w.posted.push(m),
          // The view's saved state as a reload can bring it back: the draft from before Send cleared it.
          getState: () => ({ draft }),
          setState: () => {},
        });
      }, 'What did I ask?');
      await page.addScriptTag({ path: join(repoRoot, 'dist', 'webview', 'chat.js') });
      const loading = page.locator('.transcript > .empty-state.loading');
      await loading.waitFor({ timeout: 10_000 });
      assert.match(await loading.innerText(), /Loading the chat…/);
      assert.equal(await page.locator('.empty-state.no-model').count(), 0);
      assert.ok(!(await page.locator('body').innerText()).includes('No model yet'));
      assert.deepEqual(await page.evaluate(() => (window as unknown as { posted: unknown[] }).posted), [{ type: 'ready' }]);
      assert.equal(await page.locator('textarea.prompt').inputValue(), 'What did I ask?');
      // The host's first state: that question was sent already (it is the conversation's last one).
      const question = {
        id: 'u1',
        role: 'user',
        text: 'What did I ask?',
        contextLabels: [],
        status: 'done',
        model: null,
        answeredBy: null,
        inputTokens: null,
        outputTokens: null,
        costUsd: null,
        ttftMs: null,
        tokensPerSecond: null,
        totalMs: null,
        attempts: [],
        error: null,
        canApply: false,
        at: 1,
      };
      await page.evaluate((state) => window.postMessage({ type: 'state', state }, '*'), emptyState({ model: 'openai/gpt-4o-mini', entries: [question] }));
      await page.locator('.entry.user', { hasText: 'What did I ask?' }).waitFor({ timeout: 10_000 });
      assert.equal(await page.locator('textarea.prompt').inputValue(), '', 'the sent question is not put back in the composer');
      assert.equal(await loading.count(), 0);
      // With no model at all, now (and only now) the view says so.
      await page.evaluate((state) => window.postMessage({ type: 'state', state }, '*'), emptyState());
      await page.locator('.empty-state.no-model').waitFor({ timeout: 10_000 });
    } finally {
      await page.close();
    }
  }),
);

test(
  'first run at 280 px: loading, then "no model"; a question sent then is kept and goes once a key is set and a model picked',
  shot('tour-chat-first-run', async () => {
    const { page } = ui;
    await runCommand(page, 'Switchboard: Open Chat', { timeoutMs: 90_000 });
    const chat = await chatFrame(page);
    await sidebarAt280(page, chat);
    await chat.locator('.empty-state.no-model').waitFor({ timeout: 30_000 });

    // One model control, one New Chat (in the view, none in its title bar), no second line repeating the picker.
    assert.equal(await chat.locator('vscode-single-select.model-picker').count(), 1);
    assert.deepEqual(await chat.locator('.toolbar .toolbar-row > button').evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label'))), [
      'Chat history',
      'New chat',
    ]);
    assert.equal(await chat.locator('.model-detail').count(), 0);
    const titleActions = await page
      .locator('.part.sidebar .title-actions .action-label')
      .evaluateAll((as) => as.map((a) => a.getAttribute('aria-label') ?? ''));
    assert.ok(!titleActions.some((l) => /New Chat|Switch Model/.test(l)), `the view's title bar repeats the header: ${JSON.stringify(titleActions)}`);
    await screenshot(page, 'tour-chat-no-model-dark');

    // Sent with no model: nothing is lost, the view says what happens, the switcher opens.
    await ask(chat, QUESTION);
    assert.equal(await chat.locator('textarea.prompt').inputValue(), QUESTION);
    assert.match(await chat.locator('.composer-notice').innerText(), /kept and sent as soon as a model is picked/);
    await page.locator('.quick-input-widget .quick-input-box input').waitFor({ state: 'visible', timeout: 15_000 });
    await closeQuickInput(page);
    assert.equal(chatRequests().length, 0);

    // The key.
    await runCommand(page, 'Switchboard: Set API Key');
    assert.ok(await pickQuickInputItem(page, 'OpenAI', { timeoutMs: 30_000 }), `no OpenAI item; saw ${JSON.stringify(await quickInputItems(page))}`);
    await page.locator('.quick-input-widget .quick-input-box input[type=password]').waitFor({ timeout: 10_000 });
    await page.locator('.quick-input-widget .quick-input-box input').fill(KEY);
    await page.keyboard.press('Enter');
    await page
      .locator('.notification-toast, .notifications-center .notification-list-item')
      .filter({ hasText: /OpenAI key saved/ })
      .first()
      .waitFor({ timeout: 20_000 });

    // The model, in the header: a part of its id, Enter takes the first match (the box is not blanked).
    next['gpt-4o-mini']!.push({ text: TABLE_ANSWER, usage: { input: 120, output: 160 }, chunks: 12, delayBetweenChunksMs: 20 });
    const face = chat.locator('.model-picker .combobox-input');
    await chat.locator('.model-picker vscode-option[value="openai/gpt-4o-mini"]').waitFor({ state: 'attached', timeout: 30_000 });
    await face.click();
    await face.fill('gpt-4o-mi');
    await face.press('Enter');
    await page.locator('.statusbar-item', { hasText: 'openai/gpt-4o-mini' }).first().waitFor({ timeout: 15_000 });
    assert.equal(await face.inputValue(), 'openai/gpt-4o-mini');
    // The kept question goes by itself.
    await chat.locator('.entry.assistant.status-done', { hasText: 'TABLE-END' }).waitFor({ timeout: 30_000 });
    assert.equal(chatRequests().length, 1);
    assert.deepEqual(contents(chatRequests()[0]!), [QUESTION]);
    assert.equal(await chat.locator('textarea.prompt').inputValue(), '', 'the draft is cleared once sent');
    assert.equal(await chat.locator('.composer-notice').isVisible(), false);
  }),
);

test(
  "the header's dropdown: the stale filter is gone, the current model is marked, its prices are shown in full",
  shot('tour-chat-picker', async () => {
    const { page } = ui;
    const chat = await chatFrame(page);
    const face = chat.locator('.model-picker .combobox-input');
    await face.click();
    const options = chat.locator('.model-picker li.option');
    await options.first().waitFor({ timeout: 10_000 });
    try {
      // The whole list, not what was typed last time.
      assert.ok((await options.count()) > 1, 'the list is still filtered by the last typed text');
      assert.equal(await face.inputValue(), 'openai/gpt-4o-mini');
      const current = chat.locator('.model-picker li.option.selected');
      assert.equal(await current.count(), 1);
      assert.equal((await current.innerText()).trim(), 'openai/gpt-4o-mini');
      assert.equal(await current.getAttribute('aria-selected'), 'true');
      assert.match(await current.evaluate((li) => getComputedStyle(li, '::before').content), /✓/);
      await face.press('ArrowDown');
      const description = chat.locator('.model-picker .description');
      await description.waitFor({ timeout: 5000 });
      const text = await description.innerText();
      assert.match(text, /\$[\d.]+ in \/ \$[\d.]+ out per 1M/);
      const cut = await description.evaluate((d) => d.scrollWidth > d.clientWidth || d.scrollHeight > d.clientHeight);
      assert.equal(cut, false, `the prices are cut off: ${text}`);
      await screenshot(page, 'tour-chat-picker-dark');
    } finally {
      await face.press('Escape');
    }
  }),
);

test(
  'a table and a wide code block scroll inside themselves; the transcript never scrolls sideways at 280 px',
  shot('tour-chat-table', async () => {
    const { page } = ui;
    const chat = await chatFrame(page);
    const answer = chat.locator('.entry.assistant', { hasText: 'TABLE-END' });
    await answer.locator('table').scrollIntoViewIfNeeded();
    const o = await overflow(chat);
    assertNoSidewaysScroll(o, 'table and code');
    assert.ok(o.table && o.table.scroll > o.table.client, `the table is narrower than the column, so this checks nothing: ${JSON.stringify(o)}`);
    assert.ok(o.pre && o.pre.scroll > o.pre.client, `the code line fits, so this checks nothing: ${JSON.stringify(o)}`);
    await screenshot(page, 'tour-chat-table-dark');
  }),
);

test(
  'while an answer streams there is one Stop; it stops the answer',
  shot('tour-chat-stop', async () => {
    const { page } = ui;
    const chat = await chatFrame(page);
    next['gpt-4o-mini']!.push({ text: SLOW, chunks: 80, delayBetweenChunksMs: 150, usage: { input: 10, output: 80 } });
    await ask(chat, 'Count slowly');
    await chat.locator('.entry.assistant.status-streaming .entry-text', { hasText: 'word2' }).waitFor({ timeout: 20_000 });
    assert.equal(await visibleButtons(chat, 'Stop'), 1, 'one Stop while streaming');
    assert.equal(await visibleButtons(chat, 'New chat'), 1);
    assert.equal(await chat.locator('vscode-single-select.model-picker').count(), 1);
    await screenshot(page, 'tour-chat-streaming-dark');
    await chat.locator('.composer button.stop').click();
    await chat.locator('.entry.assistant.status-cancelled .badge', { hasText: 'stopped' }).waitFor({ timeout: 10_000 });
    assert.equal(await visibleButtons(chat, 'Stop'), 0);
  }),
);

test(
  'a rate-limited request shows its wait on the answer, counting down, then the answer',
  shot('tour-chat-rate-limit', async () => {
    const { page } = ui;
    const chat = await chatFrame(page);
    next['gpt-4o-mini']!.push({ status: 429, headers: { 'retry-after': '5' }, errorMessage: 'Rate limit reached for requests' });
    next['gpt-4o-mini']!.push({ text: 'Answered after the wait.', usage: { input: 20, output: 5 } });
    await ask(chat, 'Are you busy?');
    const wait = chat.locator('.entry.assistant.status-streaming .wait-line');
    await wait.filter({ hasText: /rate limited — retrying in [1-5]\s?s \(attempt 2 of 3\)/ }).waitFor({ timeout: 20_000 });
    const first = (await wait.innerText()).trim();
    await screenshot(page, 'tour-chat-rate-limited-dark');
    // It counts down (the same notice, a smaller number).
    await wait
      .filter({ hasNotText: first })
      .filter({ hasText: /rate limited — retrying (in [0-4]\s?s|now)/ })
      .waitFor({ timeout: 10_000 });
    await chat.locator('.entry.assistant.status-done', { hasText: 'Answered after the wait.' }).waitFor({ timeout: 30_000 });
    assert.equal(await chat.locator('.wait-line').count(), 0);
  }),
);

test(
  'Retry with… keeps both answers as alternatives of the turn, each with its model and cost; the conversation continues from the one shown',
  shot('tour-chat-alternatives', async () => {
    const { page } = ui;
    const chat = await chatFrame(page);
    const last = chat.locator('.entry.assistant').last();
    next['gpt-4o']!.push({ text: 'The bigger model was not busy either.', usage: { input: 20, output: 9 } });
    await last.locator('button.retry-with').click();
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await typeModelId(page, 'openai/gpt-4o');
    await page.keyboard.press('Enter');
    await last.locator('.entry-text', { hasText: 'The bigger model was not busy either.' }).waitFor({ timeout: 20_000 });
    await chat.locator('.entry.assistant.status-done .alt-count', { hasText: '2/2' }).waitFor({ timeout: 20_000 });
    assert.equal(await last.locator('.who').innerText(), 'openai/gpt-4o');
    assert.match(await last.locator('.entry-meta').innerText(), /answered by openai\/gpt-4o\b.*\$\d/);
    await screenshot(page, 'tour-chat-alternative-2-dark');

    await last.locator('button.alt-prev').click();
    await chat.locator('.entry.assistant .alt-count', { hasText: '1/2' }).waitFor({ timeout: 10_000 });
    const shown = chat.locator('.entry.assistant').last();
    assert.match(await shown.locator('.entry-text').innerText(), /Answered after the wait\./);
    assert.equal(await shown.locator('.who').innerText(), 'openai/gpt-4o-mini');
    assert.match(await shown.locator('.entry-meta').innerText(), /answered by openai\/gpt-4o-mini.*\$\d/);
    await screenshot(page, 'tour-chat-alternative-1-dark');

    const n = chatRequests().length;
    await ask(chat, 'And now?');
    await chat.locator('.entry.user:has-text("And now?") + .entry.assistant.status-done').waitFor({ timeout: 20_000 });
    const sent = contents(chatRequests()[n]!);
    assert.deepEqual(sent.slice(-3), ['Are you busy?', 'Answered after the wait.', 'And now?'], 'continues from the alternative shown');
  }),
);

test(
  'a reload mid-answer: the question and the partial answer kept (interrupted), the sent prompt not back in the composer, the alternatives kept',
  shot('tour-chat-reload', async () => {
    const { page } = ui;
    let chat = await chatFrame(page);
    next['gpt-4o-mini']!.push({ text: SLOW, chunks: 80, delayBetweenChunksMs: 150, usage: { input: 10, output: 80 } });
    await ask(chat, 'Start a long answer');
    await chat.locator('.entry.assistant.status-streaming .entry-text', { hasText: 'word3' }).waitFor({ timeout: 20_000 });
    await closeQuickInput(page);
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget .quick-input-box input').fill('>Developer: Reload Window');
    await page.locator('.quick-input-widget .monaco-list-row[aria-label="Developer: Reload Window"]').first().waitFor({ timeout: 10_000 });
    await page.keyboard.press('Enter');
    await page.waitForEvent('framenavigated', { timeout: 30_000 }).catch(() => {});
    await waitForWorkbench(page, 120_000);
    await runCommand(page, 'Switchboard: Open Chat', { timeoutMs: 90_000 });
    chat = await chatFrame(page);
    const interrupted = chat.locator('.entry.assistant.status-interrupted');
    await interrupted.waitFor({ timeout: 30_000 });
    assert.equal(await chat.locator('.empty-state').count(), 0);
    assert.equal(await chat.locator('.entry.user', { hasText: 'Start a long answer' }).count(), 1, 'the question is kept');
    const kept = (await interrupted.locator('.entry-text').innerText()).trim();
    assert.ok(kept.startsWith('word0') && SLOW.startsWith(kept), `the partial answer: ${kept}`);
    assert.equal(await interrupted.locator('.badge').innerText(), 'interrupted');
    assert.equal(await chat.locator('textarea.prompt').inputValue(), '', 'the sent prompt is not back in the composer');
    assert.equal(await chat.locator('.entry.assistant .alt-count', { hasText: '1/2' }).count(), 1, 'the alternatives are kept');
    await sidebarAt280(page, chat);
    await screenshot(page, 'tour-chat-after-reload-dark');
  }),
);

test(
  'the chat at 280 px in light, dark and high-contrast themes: nothing scrolls sideways',
  shot('tour-chat-themes', async () => {
    const { page } = ui;
    const chat = await chatFrame(page);
    await chat.locator('.entry.assistant', { hasText: 'TABLE-END' }).locator('table').scrollIntoViewIfNeeded();
    try {
      for (const [theme, cls, bodyCls, name] of [
        ['Light Modern', 'vs', 'vscode-light', 'light'],
        ['Dark High Contrast', 'hc-black', 'vscode-high-contrast:not(.vscode-high-contrast-light)', 'hc-dark'],
        ['Light High Contrast', 'hc-light', 'vscode-high-contrast-light', 'hc-light'],
      ] as const) {
        await setTheme(page, chat, theme, cls, bodyCls);
        assertNoSidewaysScroll(await overflow(chat), name);
        await screenshot(page, `tour-chat-table-${name}`);
        await chat.locator('.entry.assistant .alt-switch').last().scrollIntoViewIfNeeded();
        await screenshot(page, `tour-chat-alternatives-${name}`);
        await chat.locator('.entry.assistant', { hasText: 'TABLE-END' }).locator('table').scrollIntoViewIfNeeded();
      }
    } finally {
      await setTheme(page, chat, 'Dark Modern', 'vs-dark', 'vscode-dark');
    }
  }),
);
