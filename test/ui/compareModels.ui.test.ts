// An open comparison panel's model picker follows what can be compared, in the real VS Code (code-server)
// with the packaged extension: a model the provider lists once its key is set (the catalog refresh) is
// offered, a route added to the folder's settings is offered at once and goes when it is removed, without
// reopening the panel. Then Escape stops a running comparison, as it stops the chat's answer.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FrameLocator, Page } from 'playwright-core';
import {
  enterApiKey,
  findWebview,
  openUiSession,
  runCommand,
  screenshot,
  screenshotOnFailure,
  UI_SERVER_ENV,
  type UiSession,
} from '../../scripts/vscode/harness.mjs';
import { startFakeProvider, type FakeServer } from '../fakes/server.ts';

const KEY = 'sk-ui-compare-models-0123456789';
/** A model only the provider's own list has: it is offered once the key lets the catalog list it. */
const LISTED = 'gpt-listed-live-7';

let ui: UiSession;
let fake: FakeServer;
/** A keyless OpenAI-compatible server (a provider of the user's settings, removed during a test). */
let local: FakeServer;
let settingsFile: string | null = null;
let savedSettings: string | null = null;
/** Answers stream slowly (a run to stop) while set. */
let slow = false;

const base = (): Record<string, unknown> => ({
  'switchboard.providers': [{ id: 'openai', baseUrl: fake.baseUrl }],
  'switchboard.defaultModel': 'openai/gpt-4o-mini',
  'workbench.colorTheme': 'Default Dark Modern',
});

function writeUserSettings(extra: Record<string, unknown>): void {
  assert.ok(settingsFile, 'run through npm run test:ui (the settings are changed while the panel is open)');
  writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(savedSettings ?? '{}'), ...base(), ...extra }, null, 2) + '\n');
}

function writeWorkspaceSettings(settings: Record<string, unknown>): void {
  mkdirSync(join(ui.workspace, '.vscode'), { recursive: true });
  writeFileSync(join(ui.workspace, '.vscode', 'settings.json'), JSON.stringify(settings, null, 2) + '\n');
}

const shot = screenshotOnFailure(() => ui.page);
const comparePanel = (page: Page): Promise<FrameLocator> => findWebview(page, 'section.setup', { timeoutMs: 60_000, what: 'comparison panel' });
const offered = (panel: FrameLocator, id: string) => panel.locator(`section.setup vscode-single-select.model-picker vscode-option[value="${id}"]`);

/** `id` as a chip of the panel (picked in its picker unless it is one already). */
async function pick(panel: FrameLocator, id: string): Promise<void> {
  if ((await panel.locator('.model-chip .chip-label').allInnerTexts()).includes(id)) return;
  const input = panel.locator('vscode-single-select.model-picker input');
  await input.click();
  await input.fill(id);
  await input.press('Enter');
  await panel.locator('.model-chip .chip-label', { hasText: new RegExp(`^${id.replace(/[/.]/g, '\\$&')}$`) }).waitFor({ timeout: 10_000 });
}

before(async () => {
  fake = await startFakeProvider('openai', {
    apiKey: KEY,
    models: [{ id: 'gpt-4o-mini' }, { id: 'gpt-4o' }, { id: LISTED, contextLength: 64_000 }],
  });
  local = await startFakeProvider('openai');
  local.setDefault({ text: 'local answer', usage: { input: 1, output: 1 } });
  fake.setDefault(() =>
    slow
      ? { text: 'one two three four five six', chunks: 6, delayBetweenChunksMs: 3000, usage: { input: 5, output: 6 } }
      : { text: 'ok', usage: { input: 1, output: 1 } },
  );
  const shared = process.env[UI_SERVER_ENV];
  if (shared) {
    settingsFile = join((JSON.parse(shared) as { userDataDir: string }).userDataDir, 'User', 'settings.json');
    savedSettings = readFileSync(settingsFile, 'utf8');
    writeUserSettings({});
  }
  ui = await openUiSession({ settings: base() });
});

after(async () => {
  await ui?.close();
  if (settingsFile && savedSettings !== null) writeFileSync(settingsFile, savedSettings);
  await fake?.close();
  await local?.close();
});

test(
  'an open comparison panel offers a model the catalog lists once the key is set, a route as soon as it is added to the settings, and drops the route when it is removed',
  shot('ui-compare-models-live', async () => {
    const { page } = ui;
    await runCommand(page, 'Switchboard: Open Comparison', { timeoutMs: 60_000 });
    const panel = await comparePanel(page);
    await panel.locator('section.setup vscode-single-select.model-picker vscode-option').first().waitFor({ state: 'attached', timeout: 30_000 });
    assert.equal(await offered(panel, 'route/live-route').count(), 0, 'no such route yet');
    assert.equal(await offered(panel, `openai/${LISTED}`).count(), 0, 'not listed before the key');
    // Something typed in the prompt stays while the list changes.
    await panel.locator('textarea.compare-prompt').fill('Which is faster?');

    // The key: the catalog refresh lists the provider's models, and the panel offers the new one.
    await enterApiKey(page, 'OpenAI', KEY);
    await offered(panel, `openai/${LISTED}`).waitFor({ state: 'attached', timeout: 60_000 });

    // The folder's settings as a user edits them (VS Code sees its workspace's files change).
    writeWorkspaceSettings({ 'switchboard.routes': [{ id: 'live-route', models: ['openai/gpt-4o-mini', 'openai/gpt-4o'] }] });
    await offered(panel, 'route/live-route').waitFor({ state: 'attached', timeout: 30_000 });

    // Open the picker: the new route is there to pick, at the panel's width.
    await panel.locator('vscode-single-select.model-picker input').click();
    await panel.locator('vscode-single-select.model-picker input').fill('live');
    await screenshot(page, 'ui-compare-models-live-picker');
    await panel.locator('vscode-single-select.model-picker input').press('Escape');

    writeWorkspaceSettings({});
    await offered(panel, 'route/live-route').waitFor({ state: 'detached', timeout: 30_000 });
    assert.equal(await panel.locator('textarea.compare-prompt').inputValue(), 'Which is faster?', 'the prompt typed stays');
    assert.equal(await offered(panel, `openai/${LISTED}`).count(), 1, 'the listed model stays');
    await screenshot(page, 'ui-compare-models-after');
  }),
);

test(
  'Escape stops a running comparison (as in the chat): every answer still going is stopped',
  shot('ui-compare-escape', async () => {
    const { page } = ui;
    const panel = await comparePanel(page);
    for (const id of ['openai/gpt-4o-mini', 'openai/gpt-4o']) await pick(panel, id);
    slow = true;
    try {
      await panel.locator('textarea.compare-prompt').fill('Stop me with Escape');
      await panel.locator('button.run-button').click();
      await panel.locator('section.column.status-streaming').first().waitFor({ timeout: 30_000 });
      await panel.locator('button.stop-all').waitFor({ state: 'visible', timeout: 10_000 });
      assert.match((await panel.locator('button.stop-all').getAttribute('title')) ?? '', /Escape/, 'the button says its key');
      await panel.locator('textarea.compare-prompt').click();
      await page.keyboard.press('Escape');
      await panel.locator('section.column.status-stopped').first().waitFor({ timeout: 20_000 });
      await panel.locator('button.stop-all').waitFor({ state: 'hidden', timeout: 20_000 });
      assert.equal(await panel.locator('section.column.status-streaming, section.column.status-waiting').count(), 0, 'nothing is still running');
      await screenshot(page, 'ui-compare-escape-stopped');
    } finally {
      slow = false;
    }
  }),
);

test(
  'a picked model whose provider is removed from the settings, or whose key is removed, stays a muted chip saying why, and a run skips it and says so',
  shot('ui-compare-unavailable', async () => {
    const { page } = ui;
    const panel = await comparePanel(page);
    const chip = (id: string) => panel.locator(`.model-chip[data-model="${id}"]`);
    // The folder's settings add a keyless provider (the same OpenAI entry as the user's: nothing held).
    writeWorkspaceSettings({
      'switchboard.providers': [
        { id: 'openai', baseUrl: fake.baseUrl },
        { id: 'local', kind: 'openai', baseUrl: local.baseUrl, auth: 'none', models: ['alpha'] },
      ],
    });
    await offered(panel, 'local/alpha').waitFor({ state: 'attached', timeout: 30_000 });
    for (const id of ['openai/gpt-4o-mini', 'openai/gpt-4o', 'local/alpha']) await pick(panel, id);
    assert.equal(await panel.locator('.model-chip.unavailable').count(), 0, 'every picked model can be asked');

    // The provider leaves the settings: its chip stays, muted, saying why.
    writeWorkspaceSettings({});
    await panel.locator('.model-chip.unavailable[data-model="local/alpha"]').waitFor({ timeout: 30_000 });
    assert.match(
      (await chip('local/alpha').getAttribute('title')) ?? '',
      /^Not available now, a run skips it: provider "local" is not configured \(needed for "local\/alpha"\)/,
    );
    assert.equal(await panel.locator('.model-chip.unavailable').count(), 1, 'the OpenAI models can still be asked');
    await screenshot(page, 'ui-compare-unavailable-chip');

    // Run: the two that can be asked answer; the notice names the one skipped and why.
    const answersBefore = local.requests.length;
    await panel.locator('textarea.compare-prompt').fill('Which is better?');
    await panel.locator('button.run-button').click();
    await panel.locator('section.column.status-done').nth(1).waitFor({ timeout: 30_000 });
    assert.equal(await panel.locator('section.column').count(), 2, 'no column for the skipped model');
    assert.match(await panel.locator('.problem').innerText(), /Skipped local\/alpha \(not available: provider "local" is not configured/);
    assert.equal(local.requests.length, answersBefore, 'nothing was sent to the removed provider');
    await screenshot(page, 'ui-compare-unavailable-run');

    // The key goes: the OpenAI chips are muted too, and a run says there is nothing left to compare.
    await runCommand(page, 'Switchboard: Remove API Key', { timeoutMs: 60_000 });
    const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'OpenAI' }).first();
    await row.waitFor({ timeout: 15_000 });
    await row.click();
    await panel.locator('.model-chip.unavailable[data-model="openai/gpt-4o"]').waitFor({ timeout: 30_000 });
    assert.match((await chip('openai/gpt-4o').getAttribute('title')) ?? '', /no API key for provider "openai": run "Switchboard: Set API Key" for OpenAI/);
    await panel.locator('button.run-button').click();
    await panel.locator('.problem', { hasText: 'Pick at least 2 models that are available (0 left)' }).waitFor({ timeout: 10_000 });
    await screenshot(page, 'ui-compare-unavailable-no-key');
  }),
);
