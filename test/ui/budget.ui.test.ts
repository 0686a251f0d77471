// Spend limits as a user sees them, in the real VS Code (code-server) with the packaged extension and a
// fake OpenAI-compatible provider: the status bar shows the session's and the day's spend after each
// answer, the 80 % alert and the session cap's refusal arrive as notifications, and both totals are
// still there after a window reload (the session continues: its id is in workspace storage, its
// spend in the ledger). Every answer costs $0.20 (100 output tokens at $2000/1M, output capped at 100).
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
  readNotifications,
  runCommand,
  screenshot,
  screenshotOnFailure,
  UI_SERVER_ENV,
  waitForWorkbench,
  type UiSession,
} from '../../scripts/vscode/harness.mjs';
import { startFakeProvider, type FakeServer } from '../fakes/server.ts';

const KEY = 'sk-ui-budget-0123456789';
const MODEL = 'openai/gpt-4o-mini';

let ui: UiSession;
let fake: FakeServer;
let settingsFile: string | null = null;
let savedSettings: string | null = null;

function baseSettings(): Record<string, unknown> {
  return {
    'switchboard.providers': [{ id: 'openai', baseUrl: fake.baseUrl }],
    'switchboard.defaultModel': MODEL,
    'switchboard.retries': { maxRetries: 0 },
    'switchboard.pricing': { [MODEL]: { input: 0, output: 2000 } },
    'switchboard.capabilities': { [MODEL]: { maxOutputTokens: 100 } },
    'switchboard.budget': { perSession: 0.5, daily: 10, onExceed: 'block' },
    'workbench.colorTheme': 'Default Dark Modern',
  };
}

async function openChat(page: Page): Promise<FrameLocator> {
  await runCommand(page, 'Switchboard: Open Chat', { timeoutMs: 60_000 });
  return findWebview(page, 'textarea.prompt', { timeoutMs: 30_000, what: 'chat webview' });
}

async function ask(chat: FrameLocator, text: string): Promise<void> {
  const prompt = chat.locator('textarea.prompt');
  await prompt.fill(text);
  await prompt.press('Enter');
}

/** The Switchboard status-bar item (its text starts with the model). */
const statusItem = (page: Page) => page.locator('.statusbar-item', { hasText: MODEL }).first();

const shot = screenshotOnFailure(() => ui.page);

before(async () => {
  fake = await startFakeProvider('openai', { apiKey: KEY });
  fake.setDefault({ text: 'A twenty-cent answer.', usage: { input: 0, output: 100 } });
  const shared = process.env[UI_SERVER_ENV];
  if (shared) {
    settingsFile = join((JSON.parse(shared) as { userDataDir: string }).userDataDir, 'User', 'settings.json');
    savedSettings = readFileSync(settingsFile, 'utf8');
    writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(savedSettings), ...baseSettings() }, null, 2) + '\n');
  }
  ui = await openUiSession({ settings: baseSettings() });
  // The services load on the command's first use: slow on a busy machine.
  await enterApiKey(ui.page, 'OpenAI', KEY);
  await ui.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 15_000 });
  // Other UI test files share this server's ledger: start from a session of our own.
  await runCommand(ui.page, 'Switchboard: Start New Spend Session', { timeoutMs: 60_000 });
});

after(async () => {
  await ui?.close();
  if (settingsFile && savedSettings !== null) writeFileSync(settingsFile, savedSettings);
  await fake?.close();
});

test(
  'the status bar shows the session and the day after each answer; the 80 % alert and the refusal at the cap are notifications',
  shot('ui-budget-status', async () => {
    const { page } = ui;
    const chat = await openChat(page);
    await ask(chat, 'first question');
    await chat.locator('.entry.assistant.status-done').first().waitFor({ timeout: 30_000 });
    await statusItem(page)
      .filter({ hasText: /\$0\.20 · \$\d+\.\d\d today/ })
      .waitFor({ timeout: 15_000 });
    await ask(chat, 'second question');
    await chat.locator('.entry.assistant.status-done').nth(1).waitFor({ timeout: 30_000 });
    await statusItem(page)
      .filter({ hasText: /\$0\.40 · \$\d+\.\d\d today/ })
      .waitFor({ timeout: 15_000 });
    await ask(chat, 'third question');
    const refused = chat.locator('.entry.assistant.status-error .entry-error');
    await refused.waitFor({ timeout: 30_000 });
    assert.match(await refused.innerText(), /session budget \$0\.50/);
    await screenshot(page, 'ui-budget-refused-in-chat');
    // The tooltip: the session's share of its cap.
    await statusItem(page).hover();
    const hover = page.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'This session' }).first();
    await hover.waitFor({ timeout: 10_000 });
    // The hover renders the tooltip's spaces as no-break spaces.
    assert.match((await hover.innerText()).replace(/\u00a0/g, ' '), /This session: \$0\.40 over 2 requests — 80% of the \$0\.50 session cap/);
    await screenshot(page, 'ui-budget-status-tooltip');
    await page.mouse.move(0, 0);
    const notes = await readNotifications(page, { close: false });
    await screenshot(page, 'ui-budget-notifications');
    await page.keyboard.press('Escape');
    // Each alert once (not also from the chat's own warning notices).
    assert.equal(notes.filter((n) => /Budget alert: 80% of the session budget used \(\$0\.40 of \$0\.50\)/.test(n)).length, 1, notes.join('\n'));
    assert.equal(notes.filter((n) => /the session budget of \$0\.50 stops requests/.test(n)).length, 1, notes.join('\n'));
  }),
);

test(
  'after a window reload the status bar still shows the session total and the day total',
  shot('ui-budget-reload', async () => {
    const { page } = ui;
    const before = (await statusItem(page).innerText()).trim();
    assert.match(before, /\$0\.40 · \$\d+\.\d\d today/);
    await closeQuickInput(page);
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget .quick-input-box input').fill('>Developer: Reload Window');
    await page.locator('.quick-input-widget .monaco-list-row[aria-label="Developer: Reload Window"]').first().waitFor({ timeout: 10_000 });
    await page.keyboard.press('Enter');
    await page.waitForEvent('framenavigated', { timeout: 30_000 }).catch(() => {});
    await waitForWorkbench(page, 120_000);
    // The services load after activation and read the ledger: the same figures come back.
    const spendText = before.slice(before.indexOf('$'));
    await statusItem(page).filter({ hasText: spendText }).waitFor({ timeout: 60_000 });
    await screenshot(page, 'ui-budget-after-reload');
    // And the session cap still holds: the next request is refused.
    const chat = await openChat(page);
    await ask(chat, 'after the reload');
    // The conversation came back with the reload: the earlier refusal, then this one.
    const refused = chat.locator('.entry.assistant.status-error .entry-error', { hasText: 'session budget' });
    await refused.nth(1).waitFor({ timeout: 30_000 });
    assert.equal(fake.requests.filter((r) => r.method === 'POST').length, 2, 'only the two answers before the cap reached the provider');
  }),
);
