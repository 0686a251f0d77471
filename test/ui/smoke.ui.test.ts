// UI smoke test: the packaged .vsix installed into a real VS Code (code-server) workbench, driven through
// Chromium like a person would. Run by scripts/vscode/run-ui.mjs (`npm run test:ui`), which builds and
// packages the extension and starts one code-server for all UI test files.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  EXTENSION_ID,
  extensionManifest,
  openUiSession,
  pickQuickInputItem,
  quickInputItems,
  runCommand,
  screenshot,
  type UiSession,
} from '../../scripts/vscode/harness.mjs';

let ui: UiSession;

before(async () => {
  ui = await openUiSession({ files: { 'hello.md': '# Hello from the Switchboard UI test\n' } });
});

after(async () => {
  await ui?.close();
});

test('the workbench loads with the Switchboard .vsix installed', async () => {
  const { version } = extensionManifest();
  const installed = readdirSync(ui.server.extensionsDir);
  assert.ok(installed.includes(`${EXTENSION_ID}-${version}`), `expected ${EXTENSION_ID}-${version} in the extensions folder, found: ${installed.join(', ')}`);
  assert.ok(existsSync(join(ui.server.extensionsDir, `${EXTENSION_ID}-${version}`, 'dist', 'extension.js')));
  // The workspace folder is open in the Explorer.
  await ui.page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'hello.md' }).waitFor({ timeout: 30_000 });
  await screenshot(ui.page, 'ui-smoke-workbench');
});

test('the command palette shows the Switchboard output channel once the extension has activated', async () => {
  const { page } = ui;
  // Activation is onStartupFinished, so the channel may appear a moment after the workbench: retry.
  const deadline = Date.now() + 60_000;
  let seen: string[] = [];
  for (;;) {
    await runCommand(page, 'Output: Show Output Channels...');
    if (await pickQuickInputItem(page, 'Switchboard', { timeoutMs: 3000 })) break;
    seen = await quickInputItems(page).catch(() => []);
    await page.keyboard.press('Escape');
    assert.ok(Date.now() < deadline, `no "Switchboard" output channel; channels: ${seen.join(', ')}`);
    // The next try opens the palette again: wait until this one has closed (the 3 s pick above paces the retries).
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
  }
  // The Output panel now shows the Switchboard channel, with the log the extension wrote while activating
  // (Monaco renders spaces as U+00A0, hence \s+).
  const output = page.locator('.panel .output-view, .part.panel [id="workbench.panel.output"]').first();
  await output.waitFor({ state: 'visible', timeout: 15_000 });
  const text = page.locator('.part.panel .monaco-editor .view-lines').first();
  try {
    await text.filter({ hasText: /Switchboard\s+activated/ }).waitFor({ timeout: 15_000 });
  } catch (err) {
    await screenshot(page, 'ui-smoke-output-channel-FAILED');
    throw new Error(`The Switchboard output channel does not show the activation log; it shows:\n${await text.innerText().catch(() => '?')}`, { cause: err });
  }
  const file = await screenshot(page, 'ui-smoke-output-channel');
  assert.ok(existsSync(file));
});
