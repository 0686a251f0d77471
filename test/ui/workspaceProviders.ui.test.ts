// A workspace that sends a provider's requests elsewhere, in the real VS Code (code-server) with the packaged
// extension: the user's key goes to the workspace's URL only after Allow (a modal); "Switchboard: Revoke
// Workspace Provider Permissions" lists that Allow and forgets it, and the next request asks again.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FrameLocator, Page } from 'playwright-core';
import {
  closeQuickInput,
  enterApiKey,
  findWebview,
  openUiSession,
  quickInputItems,
  runCommand,
  screenshot,
  screenshotOnFailure,
  mergeSharedUserSettings,
  waitForNotification,
  type UiSession,
} from '../../scripts/vscode/harness.mjs';
import { startFakeProvider, type FakeServer, type RecordedRequest } from '../fakes/server.ts';

const KEY = 'sk-ui-workspace-allow-0123456789';

let ui: UiSession;
let fake: FakeServer;
/** Puts the shared server's user settings back (see mergeSharedUserSettings). */
let restoreSettings: (() => void) | undefined;

/** The same fake server by another name: the URL the workspace's settings choose, not the user's. */
const workspaceUrl = (): string => fake.baseUrl.replace('127.0.0.1', 'localhost');
const chatRequests = (): RecordedRequest[] => fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/chat/completions');
const chatFrame = (page: Page): Promise<FrameLocator> => findWebview(page, 'textarea.prompt', { timeoutMs: 60_000, what: 'chat webview' });
const shot = screenshotOnFailure(() => ui.page);
const question = (page: Page) =>
  page.locator('.monaco-dialog-box', { hasText: `Let this workspace send "openai" requests, with your API key for it, to ${workspaceUrl()}` });

async function send(page: Page, chat: FrameLocator, text: string): Promise<void> {
  const prompt = chat.locator('textarea.prompt');
  await prompt.fill(text);
  await closeQuickInput(page);
  await prompt.press('Enter');
  await chat.locator('.entry.user', { hasText: text }).waitFor({ timeout: 20_000 });
}

before(async () => {
  fake = await startFakeProvider('openai', { apiKey: KEY });
  fake.setDefault({ text: 'Answered at the allowed URL.', usage: { input: 5, output: 4 } });
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
  "an Allow for a workspace's provider URL is listed by Revoke Workspace Provider Permissions; once revoked, the next request asks again",
  shot('ui-workspace-revoke', async () => {
    const { page } = ui;
    await enterApiKey(page, 'OpenAI', KEY);
    await waitForNotification(page, /OpenAI key saved/);

    // Nothing allowed yet: the command says so.
    await runCommand(page, 'Switchboard: Revoke Workspace Provider Permissions', { timeoutMs: 60_000 });
    await waitForNotification(page, /you have allowed no workspace provider's URL or environment variable/);

    // The folder's settings send "openai" elsewhere: the invalid-settings warning names it.
    mkdirSync(join(ui.workspace, '.vscode'), { recursive: true });
    writeFileSync(
      join(ui.workspace, '.vscode', 'settings.json'),
      JSON.stringify({ 'switchboard.providers': [{ id: 'openai', baseUrl: workspaceUrl() }] }, null, 2) + '\n',
    );
    await waitForNotification(page, /your API key for "openai" is not sent to http:\/\/localhost/, { timeoutMs: 30_000 });

    // The first request asks (and fails at once); Allow, and the next one is answered there.
    await runCommand(page, 'Switchboard: Open Chat', { timeoutMs: 60_000 });
    const chat = await chatFrame(page);
    await chat.locator('vscode-single-select.model-picker[title^="openai/gpt-4o-mini"]').waitFor({ timeout: 30_000 });
    await send(page, chat, 'First question');
    await question(page).waitFor({ timeout: 30_000 });
    await question(page).getByRole('button', { name: 'Allow', exact: true }).click();
    await question(page).waitFor({ state: 'hidden', timeout: 10_000 });
    assert.equal(chatRequests().length, 0, 'nothing was sent before the Allow');
    await send(page, chat, 'Second question');
    await chat.locator('.entry.assistant', { hasText: 'Answered at the allowed URL.' }).waitFor({ timeout: 30_000 });
    assert.equal(chatRequests().length, 1);

    // Revoke: the pick lists the Allow; pick it and accept.
    await runCommand(page, 'Switchboard: Revoke Workspace Provider Permissions', { timeoutMs: 60_000 });
    const label = `"openai" requests take your API key to ${workspaceUrl()}`;
    const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: label });
    await row.waitFor({ timeout: 15_000 });
    assert.deepEqual(await quickInputItems(page), [label], 'the one Allow of this workspace');
    assert.match(await row.innerText(), /in this workspace's settings/);
    await row.click();
    await page.locator('.quick-input-widget .monaco-list-row[aria-checked="true"]', { hasText: label }).waitFor({ timeout: 5000 });
    await screenshot(page, 'ui-workspace-revoke-pick');
    await page.keyboard.press('Enter');
    await waitForNotification(page, /forgot 1 Allow for this workspace \("openai" requests take your API key to http:\/\/localhost/);

    // The next request asks again and sends nothing; Don't Allow keeps it failing.
    await send(page, chat, 'Third question');
    await question(page).waitFor({ timeout: 30_000 });
    await screenshot(page, 'ui-workspace-revoke-asked-again');
    await question(page).getByRole('button', { name: "Don't Allow", exact: true }).click();
    await question(page).waitFor({ state: 'hidden', timeout: 10_000 });
    await chat.locator('.entry.assistant.status-error').last().waitFor({ timeout: 20_000 });
    assert.equal(chatRequests().length, 1, 'the key went nowhere after the revoke');

    // Nothing is remembered now.
    await runCommand(page, 'Notifications: Clear All Notifications');
    await runCommand(page, 'Switchboard: Revoke Workspace Provider Permissions', { timeoutMs: 60_000 });
    await waitForNotification(page, /you have allowed no workspace provider's URL/);
  }),
);
