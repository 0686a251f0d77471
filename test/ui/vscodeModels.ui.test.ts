// The models already in VS Code, as a new user without a key sees them: the first-run offer to start with
// one, the switcher listing them with "included in your subscription" instead of a price, and a chat answer
// from one with its metrics. A code-server of its own (VS Code's chat on, so vscode.lm has models, and the
// test extension with scripted models installed next to the packaged Switchboard).
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FrameLocator, Page } from 'playwright-core';
import {
  closeQuickInput,
  findWebview,
  launchBrowser,
  lmFixtureVsix,
  openWorkbench,
  removeAtExit,
  runCommand,
  screenshot,
  screenshotOnFailure,
  startCodeServer,
  switchboardVsix,
  type Browser,
  type CodeServer,
} from '../../scripts/vscode/harness.mjs';

let server: CodeServer;
let browser: Browser;
const page = (): Page => browser.page;
const shot = screenshotOnFailure(page);

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-ui-lm-'));
  removeAtExit(dir);
  const vsix = await switchboardVsix();
  const fixture = await lmFixtureVsix(join(dir, 'sbtest-lm-provider.vsix'));
  server = await startCodeServer({
    vsixPath: [vsix, fixture],
    // VS Code's chat on: with AI features off, vscode.lm offers no models at all.
    settings: { 'chat.disableAIFeatures': false, 'workbench.colorTheme': 'Default Dark Modern' },
  });
  browser = await (async () => {
    const b = await launchBrowser();
    await openWorkbench(b.page, server);
    return b;
  })();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Rows of the open quick pick: label, description and detail as one text each. */
async function quickPickRows(p: Page): Promise<string[]> {
  return p
    .locator('.quick-input-widget .quick-input-list .monaco-list-row')
    .evaluateAll((rows) => rows.map((r) => (r.textContent ?? '').replace(/\s+/g, ' ').trim()));
}

test(
  "with no key, Switchboard offers one of VS Code's models as the starting model, and says what it is",
  shot('ui-vscode-models-offer', async () => {
    const p = page();
    const toast = p
      .locator('.notification-toast')
      .filter({ hasText: /models already in VS Code/ })
      .first();
    await toast.waitFor({ state: 'visible', timeout: 90_000 });
    const text = (await toast.innerText()).replace(/\s+/g, ' ');
    assert.match(
      text,
      /No API key yet\? Switchboard can use the models already in VS Code \(SB Plain, SB Tools, SB No Permission, …\): no key needed, included in your subscription/,
    );
    await screenshot(p, 'ui-vscode-models-offer');
    await toast.getByRole('button', { name: 'Use SB Plain' }).click();
    await p.locator('.statusbar-item', { hasText: 'vscode/sbtest/plain' }).first().waitFor({ timeout: 20_000 });
  }),
);

test(
  'the switcher lists them under VS Code with "included in your subscription", never a price or "unknown"',
  shot('ui-vscode-models-switcher', async () => {
    const p = page();
    await runCommand(p, 'Switchboard: Switch Model', { timeoutMs: 60_000 });
    await p.locator('.quick-input-widget .quick-input-box input').fill('sbtest');
    // The models arrive with VS Code's language-model list: wait for the row, then read them all.
    await p.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'vscode/sbtest/tools' }).first().waitFor({ timeout: 20_000 });
    const rows = await quickPickRows(p);
    const plain = rows.find((r) => r.includes('vscode/sbtest/plain'));
    assert.ok(plain, rows.join('\n'));
    assert.match(plain, /vscode\/sbtest\/plain.*SB Plain.*32K context · included in your subscription/);
    assert.ok(!rows.some((r) => /sbtest.*(price unknown|\$0)/.test(r)), rows.join('\n'));
    await screenshot(p, 'ui-vscode-models-switcher');
    await closeQuickInput(p);
  }),
);

test(
  'the chat answers with it (streamed) and shows "included in your subscription" under the answer',
  shot('ui-vscode-models-chat', async () => {
    const p = page();
    await runCommand(p, 'Switchboard: Open Chat', { timeoutMs: 60_000 });
    const chat: FrameLocator = await findWebview(p, 'textarea.prompt', { what: 'chat webview' });
    await chat.locator('.empty-note', { hasText: 'vscode/sbtest/plain is one of the models already in VS Code' }).waitFor({ timeout: 20_000 });
    const prompt = chat.locator('textarea.prompt');
    await prompt.fill('hello from the UI');
    await prompt.press('Enter');
    const answer = chat.locator('.entry.assistant.status-done', { hasText: 'Echo: hello from the UI' });
    await answer.waitFor({ timeout: 60_000 });
    const text = (await answer.innerText()).replace(/\s+/g, ' ');
    assert.match(text, /included in your subscription/);
    assert.doesNotMatch(text, /cost unknown|\$0\.00/);
    await screenshot(p, 'ui-vscode-models-chat');
  }),
);
