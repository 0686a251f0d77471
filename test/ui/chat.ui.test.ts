// The sidebar chat as a user sees it, in the real VS Code (code-server) with the packaged extension and a
// fake OpenAI-compatible provider: inline errors with their action, streaming, stop, regenerate, retry
// with another model, code blocks into an editor, context chips, persistence across a window reload, and
// the view in dark, light and high-contrast themes.
import assert from 'node:assert/strict';
import { readFileSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FrameLocator, Page } from 'playwright-core';
import {
  closeQuickInput,
  findWebview,
  openUiSession,
  runCommand,
  screenshot,
  screenshotOnFailure,
  setColorTheme,
  THEMES,
  typeModelId,
  UI_SERVER_ENV,
  waitForWorkbench,
  type UiSession,
} from '../../scripts/vscode/harness.mjs';
import { startFakeProvider, type FakeServer, type RecordedRequest } from '../fakes/server.ts';

const KEY = 'sk-ui-chat-0123456789';
const TWO_BLOCKS = 'Two ways:\n\n```js\nconst first = 1;\n```\n\nor\n\n```js\nconst second = 2;\nexport { second };\n```\n\nEither works.';
const SLOW = Array.from({ length: 80 }, (_, i) => `word${i}`).join(' ');

let ui: UiSession;
let fake: FakeServer;
let settingsFile: string | null = null;
let savedSettings: string | null = null;

const chatRequests = (): RecordedRequest[] => fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/chat/completions');
const lastUser = (r: RecordedRequest): string => (r.body.messages as { role: string; content: string }[]).at(-1)!.content;

function userSettings(extra: Record<string, unknown>): void {
  if (!settingsFile) return;
  writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(savedSettings!), ...baseSettings(), ...extra }, null, 2) + '\n');
}

function baseSettings(): Record<string, unknown> {
  return {
    'switchboard.providers': [{ id: 'openai', baseUrl: fake.baseUrl }],
    'switchboard.defaultModel': 'openai/gpt-4o-mini',
    // A route that mentions openai/gpt-4o: typed in "Retry with…", the exact id must still win the Enter.
    'switchboard.routes': [{ id: 'big-first', models: ['openai/gpt-4o', 'openai/gpt-4o-mini'] }],
    // Rate limits reach the view at once (no automatic retry), so its countdown can be seen.
    'switchboard.retries': { maxRetries: 0 },
    'workbench.colorTheme': 'Default Dark Modern',
  };
}

function chatFrame(page: Page, timeoutMs = 30_000): Promise<FrameLocator> {
  return findWebview(page, 'textarea.prompt', { timeoutMs, what: 'chat webview' });
}

async function openChat(page: Page): Promise<FrameLocator> {
  await runCommand(page, 'Switchboard: Open Chat', { timeoutMs: 60_000 });
  return chatFrame(page);
}

async function ask(chat: FrameLocator, text: string): Promise<void> {
  const prompt = chat.locator('textarea.prompt');
  await prompt.fill(text);
  await prompt.press('Enter');
}

/** Open a workspace file in an editor and put the cursor at its end. */
async function openFile(page: Page, name: string): Promise<void> {
  // The chat has its own activity bar container: bring the Explorer back first.
  await runCommand(page, 'View: Show Explorer');
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first().click();
  const editor = page.locator('.editor-instance .monaco-editor').first();
  await page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ timeout: 20_000 });
  await editor.locator('.view-lines').click();
}

const shot = screenshotOnFailure(() => ui.page);

before(async () => {
  fake = await startFakeProvider('openai', { apiKey: KEY });
  fake.setDefault({ text: 'Default answer.', usage: { input: 30, output: 6 } });
  const shared = process.env[UI_SERVER_ENV];
  if (shared) {
    settingsFile = join((JSON.parse(shared) as { userDataDir: string }).userDataDir, 'User', 'settings.json');
    savedSettings = readFileSync(settingsFile, 'utf8');
    userSettings({});
  }
  ui = await openUiSession({ files: { 'math.js': 'function add(a, b) {\n  return a + b;\n}\n', 'target.js': '// target\n' }, settings: baseSettings() });
});

after(async () => {
  await ui?.close();
  if (settingsFile && savedSettings !== null) writeFileSync(settingsFile, savedSettings);
  await fake?.close();
});

test(
  'an auth error shows inline with the fix, and its Set API Key button opens the key prompt',
  shot('ui-chat-auth', async () => {
    const { page } = ui;
    const chat = await openChat(page);
    const n = chatRequests().length;
    await ask(chat, 'Hello there');
    const error = chat.locator('.entry.assistant.status-error .entry-error');
    await error.waitFor({ timeout: 30_000 });
    assert.equal(await error.getAttribute('data-kind'), 'auth');
    const text = await error.innerText();
    assert.match(text, /API key/i);
    assert.ok(!text.includes(KEY));
    const button = error.locator('button.error-action');
    assert.equal(await button.getAttribute('data-kind'), 'setKey');
    assert.equal((await button.innerText()).trim(), 'Set API Key');
    await screenshot(page, 'ui-chat-auth-error');
    await button.click();
    // The key prompt for that provider (no provider pick first), masked.
    const input = page.locator('.quick-input-widget .quick-input-box input[type=password]');
    await input.waitFor({ timeout: 15_000 });
    assert.match(await page.locator('.quick-input-widget').innerText(), /OpenAI/);
    await input.fill(KEY);
    await page.keyboard.press('Enter');
    // Once the key is stored and verified, the question is asked again and answered.
    await chat.locator('.entry.assistant.status-done', { hasText: 'Default answer.' }).waitFor({ timeout: 30_000 });
    assert.equal(await chat.locator('.entry.assistant').count(), 1, 'the failed answer is replaced');
    const authed = chatRequests()
      .slice(n)
      .filter((r) => r.headers.authorization === `Bearer ${KEY}`);
    assert.ok(authed.length >= 1);
    assert.equal(lastUser(authed.at(-1)!), 'Hello there');
  }),
);

test(
  'an answer streams in, then shows who answered, speed, tokens, cost and the running total',
  shot('ui-chat-stream', async () => {
    const { page } = ui;
    const chat = await chatFrame(page);
    fake.enqueue({ text: SLOW, chunks: 40, delayBetweenChunksMs: 60, usage: { input: 1200, output: 300 } });
    await ask(chat, 'Count words slowly');
    const streaming = chat.locator('.entry.assistant.status-streaming');
    await streaming.waitFor({ timeout: 20_000 });
    const id = await streaming.getAttribute('data-id');
    const body = chat.locator(`.entry[data-id="${id}"] .entry-text`);
    // Every change of the answer's text as the view renders it, until the answer is done (no sampling).
    const seen = await chat.locator('.transcript').evaluate(
      (transcript, { id, full }) =>
        new Promise<number[]>((resolve) => {
          const lengths: number[] = [];
          const look = (): boolean => {
            const entry = transcript.querySelector(`.entry[data-id="${id}"]`);
            const len = (entry?.querySelector('.entry-text')?.textContent ?? '').trim().length;
            if (len > 0 && len < full && len !== lengths.at(-1)) lengths.push(len);
            return !!entry?.classList.contains('status-done');
          };
          if (look()) return resolve(lengths);
          const watch = new MutationObserver(() => {
            if (look()) {
              watch.disconnect();
              resolve(lengths);
            }
          });
          watch.observe(transcript, { subtree: true, childList: true, characterData: true, attributes: true });
        }),
      { id, full: SLOW.length },
    );
    assert.ok(seen.length >= 3, `text grew over observations: ${JSON.stringify(seen)}`);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i]! > seen[i - 1]!, JSON.stringify(seen));
    await chat.locator(`.entry.status-done[data-id="${id}"]`).waitFor({ timeout: 30_000 });
    assert.equal((await body.innerText()).trim(), SLOW);
    const meta = await chat.locator('.entry.assistant .entry-meta').last().innerText();
    assert.match(meta, /answered by openai\/gpt-4o-mini/);
    assert.match(meta, /first token \d+/);
    assert.match(meta, /[\d.]+ tok\/s/);
    assert.match(meta, /1200 → 300 tokens/);
    assert.match(meta, /\$0\.000\d+/);
    // The conversation's total: both answers (30 + 1200 in, 6 + 300 out).
    assert.match(await chat.locator('.totals').innerText(), /1,230 → 306 tokens · \$0\.000\d+/);
    assert.equal(await chat.locator('.conv-title').innerText(), 'Hello there');
    await screenshot(page, 'ui-chat-streamed');
  }),
);

test(
  'Escape stops an answer mid-stream: the partial text stays, marked stopped, and the request is cancelled',
  shot('ui-chat-stop', async () => {
    const { page } = ui;
    const chat = await chatFrame(page);
    fake.enqueue({ text: SLOW, chunks: 80, delayBetweenChunksMs: 150, usage: { input: 10, output: 80 } });
    const n = chatRequests().length;
    await ask(chat, 'Drip slowly');
    const streaming = chat.locator('.entry.assistant.status-streaming');
    await streaming.locator('.entry-text', { hasText: 'word3' }).waitFor({ timeout: 20_000 });
    const last = chat.locator(`.entry[data-id="${await streaming.getAttribute('data-id')}"]`);
    const sockets = fake.openSockets();
    // Escape from anywhere in the view (the transcript here, not the input).
    await chat.locator('.transcript').focus();
    await page.keyboard.press('Escape');
    await chat.locator('.entry.assistant.status-cancelled').waitFor({ timeout: 10_000 });
    const partial = (await last.locator('.entry-text').innerText()).trim();
    assert.ok(partial.startsWith('word0 word1 word2 word3'), partial);
    assert.ok(partial.length < SLOW.length, 'the whole answer arrived: nothing was stopped');
    assert.equal(await last.locator('.badge').innerText(), 'stopped');
    // The fake sees that request hang up before its answer was complete (well before its 12 s drip would end).
    const stopped = chatRequests()[n]!;
    await stopped.closed;
    assert.equal(stopped.clientClosedEarly, true, `the provider request was not cancelled (${fake.openSockets()} of ${sockets} sockets open)`);
    // The stream is over in the host (Send is back in place of Stop) and the provider hung up: nothing more can come.
    await chat.locator('.composer button.send').waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await chat.locator('.composer button.stop').isVisible(), false);
    assert.equal((await last.locator('.entry-text').innerText()).trim(), partial, 'text kept arriving after Stop');
    assert.equal(chatRequests().length, n + 1);
    // Focus is back in the composer.
    assert.equal(await chat.locator('textarea.prompt:focus').count(), 1);
    await screenshot(page, 'ui-chat-stopped');
  }),
);

test(
  'Regenerate asks the same turn again, replacing the answer; Retry with… takes the exact id typed (Enter), without switching',
  shot('ui-chat-regenerate', async () => {
    const { page } = ui;
    const chat = await chatFrame(page);
    const answers = chat.locator('.entry.assistant');
    const count = await answers.count();
    fake.enqueue({ text: 'Regenerated answer.', usage: { input: 10, output: 3 } });
    const n = chatRequests().length;
    await answers.last().locator('button.regenerate').click();
    await chat.locator('.entry.assistant.status-done', { hasText: 'Regenerated answer.' }).waitFor({ timeout: 20_000 });
    assert.equal(await answers.count(), count, 'the answer was replaced, not added');
    const again = chatRequests()[n]!;
    assert.equal(lastUser(again), 'Drip slowly');
    assert.equal(again.body.model, 'gpt-4o-mini');

    fake.enqueue({ text: 'Answer from the bigger model.', usage: { input: 10, output: 5 } });
    await answers.last().locator('button.retry-with').click();
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    // The exact id typed goes first and is the active row: Enter takes it, not the route or gpt-4o-mini,
    // which mention it too and are still listed.
    await typeModelId(page, 'openai/gpt-4o');
    const listed = await page
      .locator('.quick-input-widget .quick-input-list .monaco-list-row')
      .evaluateAll((rows) => rows.map((r) => (r.textContent ?? '').replace(/\s+/g, ' ').trim()));
    assert.ok(
      listed.some((r) => r.includes('route/big-first')) && listed.some((r) => r.includes('gpt-4o-mini')),
      `the route and gpt-4o-mini are listed: ${JSON.stringify(listed)}`,
    );
    await page.keyboard.press('Enter');
    await chat.locator('.entry.assistant.status-done', { hasText: 'Answer from the bigger model.' }).waitFor({ timeout: 20_000 });
    assert.equal(await answers.count(), count);
    assert.equal(chatRequests()[n + 1]!.body.model, 'gpt-4o');
    assert.equal(lastUser(chatRequests()[n + 1]!), 'Drip slowly');
    assert.equal(await answers.last().locator('.who').innerText(), 'openai/gpt-4o');
    assert.match(await answers.last().locator('.entry-meta').innerText(), /answered by openai\/gpt-4o\b/);
    // The current model did not change.
    await page.locator('.statusbar-item', { hasText: 'openai/gpt-4o-mini' }).first().waitFor({ timeout: 5000 });
    await screenshot(page, 'ui-chat-retried-with');
  }),
);

test(
  "Insert on an answer's second code block puts that block into the editor",
  shot('ui-chat-code-blocks', async () => {
    const { page } = ui;
    await openFile(page, 'target.js');
    await page.keyboard.press('ControlOrMeta+End');
    const chat = await openChat(page);
    fake.enqueue({ text: TWO_BLOCKS, usage: { input: 10, output: 20 } });
    await ask(chat, 'Give me two snippets');
    const answer = chat.locator('.entry.assistant.status-done', { hasText: 'Either works.' });
    await answer.waitFor({ timeout: 20_000 });
    const blocks = answer.locator('.code-block');
    assert.equal(await blocks.count(), 2);
    for (let i = 0; i < 2; i++) {
      const labels = await blocks
        .nth(i)
        .locator('.code-actions button')
        .evaluateAll((bs) => bs.map((b) => b.getAttribute('title')));
      assert.deepEqual(labels, ['Copy', 'Insert at Cursor', 'Replace Selection', 'Open as Diff (review, then accept)'], `block ${i + 1}`);
    }
    await screenshot(page, 'ui-chat-code-blocks');
    // Written to disk: the file's change event (not a sleep), watched from before the click.
    const file = join(ui.workspace, 'target.js');
    const written = new Promise<void>((resolve) => {
      // The folder, not the file: a save may replace the file rather than write into it.
      const watcher = watch(ui.workspace, () => {
        if (readFileSync(file, 'utf8').includes('second')) {
          watcher.close();
          resolve();
        }
      });
    });
    await blocks.nth(1).locator('button[title="Insert at Cursor"]').click();
    const editor = page.locator('.editor-instance .monaco-editor').first();
    await editor.locator('.view-lines', { hasText: 'export { second }' }).waitFor({ timeout: 10_000 });
    await editor.locator('.view-lines').click();
    await page.keyboard.press('ControlOrMeta+S');
    await written;
    await page.locator('.tabs-container .tab.active:not(.dirty)', { hasText: 'target.js' }).waitFor({ timeout: 10_000 });
    assert.equal(readFileSync(file, 'utf8'), '// target\nconst second = 2;\nexport { second };');
  }),
);

test(
  'Add Selection to Chat attaches a chip that is sent with the next message, then cleared',
  shot('ui-chat-chip', async () => {
    const { page } = ui;
    await openFile(page, 'math.js');
    await page.keyboard.press('ControlOrMeta+A');
    await runCommand(page, 'Switchboard: Add Selection to Chat');
    const chat = await chatFrame(page);
    const chip = chat.locator('.composer .chip');
    await chip.waitFor({ timeout: 10_000 });
    assert.match(await chip.innerText(), /math\.js:1-[34]/);
    assert.ok(await chip.locator('button.chip-remove').getAttribute('aria-label'));
    await screenshot(page, 'ui-chat-chip');
    const n = chatRequests().length;
    await ask(chat, 'What does this do?');
    await chat.locator('.entry.user:has-text("What does this do?") + .entry.assistant.status-done').waitFor({ timeout: 20_000 });
    assert.equal(chatRequests().length, n + 1);
    const sent = lastUser(chatRequests()[n]!);
    assert.ok(sent.startsWith('What does this do?'), sent);
    assert.ok(sent.includes('File: math.js'), sent);
    assert.ok(sent.includes('return a + b;'), sent);
    assert.equal(await chat.locator('.composer .chip').count(), 0, 'the chip is consumed by the message');
    assert.match(await chat.locator('.entry.user').last().locator('.entry-context').innerText(), /math\.js:1-\d+ \(javascript\)/);
  }),
);

test(
  'a reload mid-answer keeps the partial answer (interrupted); the history lists and reopens conversations',
  shot('ui-chat-reload', async () => {
    const { page } = ui;
    let chat = await chatFrame(page);
    fake.enqueue({ text: SLOW, chunks: 80, delayBetweenChunksMs: 150, usage: { input: 10, output: 80 } });
    await ask(chat, 'Start a long answer');
    // No waiting for a periodic save: the question is saved before it is sent, the first words as they come.
    await chat.locator('.entry.assistant.status-streaming .entry-text', { hasText: 'word4' }).waitFor({ timeout: 20_000 });
    const draft = 'a draft that survives';
    await chat.locator('textarea.prompt').fill(draft);
    // Developer: Reload Window, by keyboard (a click would wait for the navigation it starts).
    await closeQuickInput(page);
    await page.keyboard.press('F1');
    const palette = page.locator('.quick-input-widget .quick-input-box input');
    await palette.fill('>Developer: Reload Window');
    await page.locator('.quick-input-widget .monaco-list-row[aria-label="Developer: Reload Window"]').first().waitFor({ timeout: 10_000 });
    await page.keyboard.press('Enter');
    await page.waitForEvent('framenavigated', { timeout: 30_000 }).catch(() => {});
    await waitForWorkbench(page, 120_000);
    // After a reload the extension host starts again: on a busy machine the view can take a while.
    await runCommand(page, 'Switchboard: Open Chat', { timeoutMs: 90_000 });
    chat = await chatFrame(page, 90_000);
    const interrupted = chat.locator('.entry.assistant.status-interrupted');
    await interrupted.waitFor({ timeout: 30_000 });
    const kept = (await interrupted.locator('.entry-text').innerText()).trim();
    assert.ok(kept.startsWith('word0') && SLOW.startsWith(kept), `the partial answer: ${kept}`);
    assert.equal(await chat.locator('.entry.user', { hasText: 'Start a long answer' }).count(), 1, 'the question is kept');
    assert.equal(await interrupted.locator('.badge').innerText(), 'interrupted');
    assert.equal(await chat.locator('.conv-title').innerText(), 'Hello there');
    await screenshot(page, 'ui-chat-after-reload');

    // A new chat, then back to the old one through the history.
    await chat.locator('.toolbar button[aria-label="New chat"]').click();
    await chat.locator('.empty-state').waitFor({ timeout: 10_000 });
    await chat.locator('button.history-button').click();
    const item = chat.locator('.history-item', { hasText: 'Hello there' });
    await item.waitFor({ timeout: 10_000 });
    assert.match(await item.innerText(), /openai\/gpt-4o-mini|messages/);
    await screenshot(page, 'ui-chat-history');
    await item.locator('.history-open').click();
    await chat.locator('.entry.assistant.status-interrupted').waitFor({ timeout: 10_000 });
    assert.ok((await chat.locator('.entry.user').count()) >= 4);

    // Rename it from the history.
    await chat.locator('button.history-button').click();
    await chat.locator('.history-item', { hasText: 'Hello there' }).locator('button.history-rename').click();
    const box = page.locator('.quick-input-widget .quick-input-box input');
    await box.waitFor({ state: 'visible', timeout: 10_000 });
    await box.fill('Renamed conversation');
    await page.keyboard.press('Enter');
    await chat.locator('.conv-title', { hasText: 'Renamed conversation' }).waitFor({ timeout: 10_000 });
    await closeQuickInput(page);
  }),
);

test(
  'the composer draft survives the view being hidden',
  shot('ui-chat-draft', async () => {
    const { page } = ui;
    let chat = await chatFrame(page);
    await chat.locator('textarea.prompt').fill('');
    await chat.locator('textarea.prompt').pressSequentially('half-typed question');
    await runCommand(page, 'View: Show Explorer');
    await page.locator('.explorer-folders-view').waitFor({ timeout: 10_000 });
    chat = await openChat(page);
    await chat.locator('textarea.prompt').waitFor();
    assert.equal(await chat.locator('textarea.prompt').inputValue(), 'half-typed question');
    await chat.locator('textarea.prompt').fill('');
  }),
);

test(
  'the header picker lists the catalog with prices and switches the model; every control has a label',
  shot('ui-chat-picker', async () => {
    const { page } = ui;
    const chat = await chatFrame(page);
    const face = chat.locator('.model-picker .combobox-input');
    await face.click();
    await face.fill('o3');
    const option = chat.locator('.model-picker li', { hasText: 'openai/o3-mini' }).first();
    try {
      await option.waitFor({ timeout: 10_000 });
      // The row is the id; the active row's context and prices show in full under the list.
      await option.hover();
      assert.match(await chat.locator('.model-picker .description').innerText(), /200K context · \$1\.10 in \/ \$4\.40 out per 1M/);
      await screenshot(page, 'ui-chat-picker-open');
    } catch (e) {
      await face.press('Escape');
      throw e;
    }
    await option.click();
    await page.locator('.statusbar-item', { hasText: 'openai/o3-mini' }).first().waitFor({ timeout: 10_000 });
    assert.match((await chat.locator('.model-picker').getAttribute('title')) ?? '', /200K context/);
    await face.click();
    await face.fill('gpt-4o-mini');
    await chat.locator('.model-picker li', { hasText: 'openai/gpt-4o-mini' }).first().click();
    await page.locator('.statusbar-item', { hasText: 'openai/gpt-4o-mini' }).first().waitFor({ timeout: 10_000 });
    // Accessibility: every button says what it does; the transcript is a polite live region.
    const unlabeled = await chat
      .locator('button')
      .evaluateAll((bs) => bs.filter((b) => !(b.getAttribute('aria-label') ?? b.textContent ?? '').trim()).map((b) => b.outerHTML.slice(0, 80)));
    assert.deepEqual(unlabeled, []);
    assert.equal(await chat.locator('.transcript').getAttribute('aria-live'), 'polite');
    assert.equal(await chat.locator('.transcript').getAttribute('role'), 'log');
  }),
);

test(
  'a rate limit with retry-after offers "Retry in N s", counting down, then retries',
  shot('ui-chat-rate-limit', async () => {
    const { page } = ui;
    const chat = await chatFrame(page);
    fake.enqueue({ status: 429, headers: { 'retry-after': '4' }, errorMessage: 'Rate limit reached for requests' });
    await ask(chat, 'Are you busy?');
    const button = chat.locator('.entry.assistant.status-error button.error-action[data-kind="retryAt"]');
    await button.waitFor({ timeout: 20_000 });
    const first = (await button.innerText()).trim();
    assert.match(first, /^Retry in [1-4] s$/);
    assert.equal(await button.isDisabled(), true);
    await screenshot(page, 'ui-chat-rate-limit');
    await chat.locator('.entry.assistant.status-error button.error-action', { hasText: /^\s*Retry\s*$/ }).waitFor({ timeout: 10_000 });
    assert.equal(await button.isDisabled(), false);
    fake.enqueue({ text: 'Not busy any more.' });
    await button.click();
    await chat.locator('.entry.assistant.status-done', { hasText: 'Not busy any more.' }).waitFor({ timeout: 20_000 });
    assert.equal(await chat.locator('.entry.user', { hasText: 'Are you busy?' }).count(), 1);
  }),
);

test(
  'the chat in dark, light and high-contrast themes',
  shot('ui-chat-themes', async () => {
    const { page } = ui;
    const chat = await chatFrame(page);
    fake.enqueue({ status: 404, errorMessage: 'The model `gpt-4o-mini` does not exist' });
    await ask(chat, 'Show an error too');
    await chat.locator('.entry.assistant.status-error button.error-action[data-kind="retryWith"]').waitFor({ timeout: 30_000 });
    await chat.locator('textarea.prompt').fill('A draft in the composer');
    await screenshot(page, 'ui-chat-theme-dark');
    try {
      for (const theme of [THEMES.light, THEMES.hcDark, THEMES.hcLight]) {
        await setColorTheme(page, theme);
        // The webview restyles when VS Code tells it the theme's kind (a class on its body).
        await chat.locator(`body.${theme.bodyClass}`).waitFor({ state: 'attached', timeout: 15_000 });
        await screenshot(page, `ui-chat-theme-${theme.name}`);
      }
    } finally {
      await setColorTheme(page, THEMES.dark);
    }
  }),
);
