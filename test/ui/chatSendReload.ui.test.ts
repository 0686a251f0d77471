// A reload right after Send, in the real VS Code (code-server) with the packaged extension: the sent turn is
// never lost. The question is sent and the window reloaded at once (no wait for any answer or save); after the
// reload the chat shows the question (its answer interrupted), the first time and again in a conversation that
// already has turns.
import assert from 'node:assert/strict';
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
  mergeSharedUserSettings,
  waitForNotification,
  waitForWorkbench,
  type UiSession,
} from '../../scripts/vscode/harness.mjs';
import { startFakeProvider, type FakeServer, type RecordedRequest } from '../fakes/server.ts';

const KEY = 'sk-ui-send-reload-0123456789';

let ui: UiSession;
let fake: FakeServer;
/** Puts the shared server's user settings back (see mergeSharedUserSettings). */
let restoreSettings: (() => void) | undefined;

const chatRequests = (): RecordedRequest[] => fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/chat/completions');
const chatFrame = (page: Page, timeoutMs = 60_000): Promise<FrameLocator> => findWebview(page, 'textarea.prompt', { timeoutMs, what: 'chat webview' });
const shot = screenshotOnFailure(() => ui.page);

/** Send `text` and reload the window at once: the reload is requested before the answer (or any save) can be waited for. */
async function sendAndReload(page: Page, chat: FrameLocator, text: string): Promise<FrameLocator> {
  const prompt = chat.locator('textarea.prompt');
  await prompt.fill(text);
  await closeQuickInput(page);
  await prompt.press('Enter');
  // Straight to the reload: F1, the command, Enter (by keyboard: a click would wait for the navigation).
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget .quick-input-box input').fill('>Developer: Reload Window');
  // Once run it is listed as "recently used" (another aria-label): match its label.
  await page
    .locator('.quick-input-widget .monaco-list-row.focused')
    .filter({ hasText: /^\s*Developer: Reload Window/ })
    .first()
    .waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  await page.waitForEvent('framenavigated', { timeout: 30_000 }).catch(() => {});
  await waitForWorkbench(page, 120_000);
  await runCommand(page, 'Switchboard: Open Chat', { timeoutMs: 90_000 });
  return chatFrame(page, 90_000);
}

before(async () => {
  fake = await startFakeProvider('openai', { apiKey: KEY });
  // Every answer takes long to start: a reload lands while the request is still waiting.
  fake.setDefault({ text: 'A late answer.', delayBeforeHeadersMs: 20_000, usage: { input: 5, output: 3 } });
  const settings = {
    'switchboard.providers': [{ id: 'openai', baseUrl: fake.baseUrl }],
    'switchboard.defaultModel': 'openai/gpt-4o-mini',
    'workbench.colorTheme': 'Default Dark Modern',
  };
  restoreSettings = mergeSharedUserSettings(settings);
  ui = await openUiSession({ settings });
});

after(async () => {
  await ui?.close();
  restoreSettings?.();
  await fake?.close();
});

test(
  'a question sent and the window reloaded at once is in the chat after the reload, the first one and a later one',
  shot('ui-chat-send-reload', async () => {
    const { page } = ui;
    await enterApiKey(page, 'OpenAI', KEY);
    await waitForNotification(page, /OpenAI key saved/);
    await runCommand(page, 'Switchboard: Open Chat', { timeoutMs: 60_000 });
    let chat = await chatFrame(page);
    // The view has its model (a question sent before that waits in the composer for one).
    await chat.locator('vscode-single-select.model-picker[title^="openai/gpt-4o-mini"]').waitFor({ timeout: 30_000 });

    chat = await sendAndReload(page, chat, 'First question, reloaded at once');
    await chat.locator('.entry.user', { hasText: 'First question, reloaded at once' }).waitFor({ timeout: 30_000 });
    await chat.locator('.entry.assistant.status-interrupted').waitFor({ timeout: 10_000 });
    assert.equal(await chat.locator('textarea.prompt').inputValue(), '', 'the sent question is in the transcript, not back in the composer');
    await screenshot(page, 'ui-chat-send-reload-first');

    chat = await sendAndReload(page, chat, 'Second question, reloaded at once');
    await chat.locator('.entry.user', { hasText: 'Second question, reloaded at once' }).waitFor({ timeout: 30_000 });
    assert.equal(await chat.locator('.entry.user', { hasText: 'First question, reloaded at once' }).count(), 1, 'the first question is still there');
    await screenshot(page, 'ui-chat-send-reload-second');
    assert.equal(await chat.locator('.entry.assistant.status-error').count(), 0, 'no answer failed: the reloads cut them off while they waited');
    assert.ok(chatRequests().length >= 1, 'the questions were sent');
  }),
);
