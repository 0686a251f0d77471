// First run as a new user meets it, in the real VS Code (code-server + Chromium): no key, no local server,
// no model of VS Code's. The "Get started with Switchboard" walkthrough opens by itself; its steps tick on
// success only (a key that fails its check and a switcher opened then dismissed tick nothing); "Connect a
// Local Server" from the walkthrough reaches a working model in one step (a fake OpenAI-compatible server,
// given by its base URL); and in the switcher an exact model id typed is what Enter picks, not a route
// or a longer id that mentions it.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import {
  closeQuickInput,
  enterApiKey,
  openUiSession,
  pickQuickInputItem,
  quickInputItems,
  runCommand,
  screenshot,
  screenshotOnFailure,
  setColorTheme,
  THEMES,
  UI_SERVER_ENV,
  waitForNotification,
  type UiSession,
} from '../../scripts/vscode/harness.mjs';
import { startFakeProvider, type FakeServer } from '../fakes/server.ts';

const KEY = 'sk-first-run-ui-0123456789';
const WRONG = 'sk-wrong-key-ui-9876543210';

let ui: UiSession;
let keyed: FakeServer;
let local: FakeServer;
let settingsFile: string | null = null;
let savedSettings: string | null = null;

function writeUserSettings(userDataDir: string, extra: Record<string, unknown>): void {
  settingsFile = join(userDataDir, 'User', 'settings.json');
  savedSettings = readFileSync(settingsFile, 'utf8');
  writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(savedSettings), ...extra }, null, 2) + '\n');
}

async function toastText(page: Page, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  return (await (await waitForNotification(page, pattern, { timeoutMs })).innerText()).trim();
}

/** The walkthrough as VS Code shows it: the Welcome editor's slide of Switchboard's walkthrough. */
function walkthrough(page: Page): Locator {
  // The Welcome editor keeps both slides (start page, walkthrough) in the DOM and disables the buttons of
  // the one not shown: the walkthrough is shown when its step buttons are enabled.
  return page
    .locator('.gettingStartedSlideDetails:visible')
    .filter({ hasText: 'Get started with Switchboard', has: page.locator('button.getting-started-step:not([disabled])') })
    .first();
}

/** A step of the walkthrough (its button carries aria-checked: whether the step is done). */
function step(page: Page, stepId: string): Locator {
  return walkthrough(page).locator(`button.getting-started-step[data-step-id$="#${stepId}"]`).first();
}

async function stepDone(page: Page, stepId: string): Promise<boolean> {
  return (await step(page, stepId).getAttribute('aria-checked')) === 'true';
}

async function waitStepDone(page: Page, stepId: string): Promise<void> {
  await walkthrough(page).locator(`button.getting-started-step[data-step-id$="#${stepId}"][aria-checked=true]`).first().waitFor({ timeout: 20_000 });
}

/**
 * Brings the walkthrough to the front: its Welcome tab, and — when Escape (closing a quick input with
 * the focus on the page) went back to the Welcome page's start — the walkthrough picked from its list.
 */
async function showWalkthrough(page: Page): Promise<void> {
  const tab = page.locator('.tabs-container .tab', { hasText: /Welcome|Walkthrough: Switchboard/ }).first();
  await tab.click();
  const container = page.locator('.gettingStartedContainer:visible').first();
  await container.waitFor({ timeout: 20_000 });
  const entry = container.locator('.gettingStartedSlideCategories button:not([disabled])', { hasText: 'Get started with Switchboard' }).first();
  await Promise.race([walkthrough(page).waitFor({ timeout: 20_000 }), entry.waitFor({ timeout: 20_000 })]);
  if (!(await walkthrough(page).isVisible())) await entry.click();
  await walkthrough(page).waitFor({ timeout: 20_000 });
  // The slide has stopped moving (a trial click waits for a stable, enabled element and clicks nothing).
  await step(page, 'compare').click({ trial: true, timeout: 20_000 });
}

const STEPS = ['addKey', 'pickModel', 'askSelection', 'compare'] as const;

/**
 * The walkthrough fits its editor: no step title cut (VS Code ellipses a closed step's title that does
 * not fit), and the steps, the open step's text and its media inside the Welcome editor and the window.
 */
async function assertNothingCut(page: Page, theme: string): Promise<void> {
  const problems = await walkthrough(page).evaluate((slide) => {
    const out: string[] = [];
    const editor = slide.closest('.gettingStartedContainer')!.getBoundingClientRect();
    const inside = (r: DOMRect): boolean => r.left >= editor.left - 1 && r.right <= editor.right + 1 && r.left >= 0 && r.right <= window.innerWidth;
    const shown = (el: HTMLElement): boolean => el.offsetParent !== null;
    const what = (el: HTMLElement): string => `${el.className.split(' ')[0]} "${(el.textContent ?? '').trim().slice(0, 30)}"`;
    const boxes = '.getting-started-step, .getting-started-step.expanded .step-description, .gettingStartedDetailsContent > .getting-started-media';
    for (const el of slide.querySelectorAll<HTMLElement>(boxes))
      if (shown(el) && !inside(el.getBoundingClientRect())) out.push(`${what(el)} sticks out of the editor`);
    for (const el of slide.querySelectorAll<HTMLElement>('.step-title'))
      if (shown(el) && el.scrollWidth > el.clientWidth + 1) out.push(`${what(el)} is cut (${el.scrollWidth} > ${el.clientWidth} px)`);
    return out;
  });
  assert.deepEqual(problems, [], `${theme}: ${problems.join('; ')}`);
}

const shot = screenshotOnFailure(() => ui.page);

before(async () => {
  keyed = await startFakeProvider('openai', { apiKey: KEY });
  local = await startFakeProvider('openai');
  local.setDefault({ text: 'A local answer.', usage: { input: 12, output: 4 } });
  const settings = {
    'switchboard.walkthroughOnFirstRun': true,
    'switchboard.providers': [{ id: 'openai', baseUrl: keyed.baseUrl }],
    // A route that mentions the model typed in the switcher: it must not win the Enter.
    'switchboard.routes': [{ id: 'local-first', strategy: 'ordered', models: ['local/gpt-4o', 'local/gpt-4o-mini'] }],
    'workbench.colorTheme': 'Default Light Modern',
  };
  const shared = process.env[UI_SERVER_ENV];
  if (shared) writeUserSettings((JSON.parse(shared) as { userDataDir: string }).userDataDir, settings);
  ui = await openUiSession({ files: { 'math.js': 'export const add = (a, b) => a + b;\n' }, settings });
});

after(async () => {
  await ui?.close();
  if (settingsFile && savedSettings !== null) writeFileSync(settingsFile, savedSettings);
  await keyed?.close();
  await local?.close();
});

test(
  'on first run with nothing to start with, the "Get started" walkthrough opens by itself, nothing ticked — in light, dark and both high-contrast themes',
  shot('ui-first-run-walkthrough', async () => {
    const { page } = ui;
    await walkthrough(page).waitFor({ timeout: 60_000 });
    try {
      // Light first (the settings'), then the others: the same steps, unticked, and nothing cut off.
      for (const theme of [THEMES.light, THEMES.dark, THEMES.hcDark, THEMES.hcLight]) {
        await setColorTheme(page, theme);
        await showWalkthrough(page);
        for (const id of STEPS) {
          await step(page, id).waitFor();
          assert.equal(await stepDone(page, id), false, `${theme.name}: ${id} is ticked before anything happened`);
        }
        assert.match(await walkthrough(page).innerText(), /Add a provider key or a local server/);
        await assertNothingCut(page, theme.name);
        await screenshot(page, theme === THEMES.light ? 'ui-first-run-walkthrough' : `ui-first-run-walkthrough-${theme.name}`);
      }
    } finally {
      await setColorTheme(page, THEMES.light);
    }
  }),
);

test(
  'a key that fails its check does not tick "Add a provider key"',
  shot('ui-first-run-failed-key', async () => {
    const { page } = ui;
    await enterApiKey(page, 'OpenAI', WRONG);
    const text = await toastText(page, /check failed/);
    assert.match(text, /HTTP 401/);
    await showWalkthrough(page);
    assert.equal(await stepDone(page, 'addKey'), false, 'a failed key check ticked "Add a provider key"');
    await screenshot(page, 'ui-first-run-failed-key');
  }),
);

test(
  'opening the switcher and pressing Escape does not tick "Pick a model"',
  shot('ui-first-run-switcher-escape', async () => {
    const { page } = ui;
    await runCommand(page, 'Switchboard: Switch Model', { timeoutMs: 60_000 });
    await page.locator('.quick-input-widget .quick-input-list .monaco-list-row').first().waitFor();
    await page.keyboard.press('Escape');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    await showWalkthrough(page);
    assert.equal(await stepDone(page, 'pickModel'), false, 'dismissing the switcher ticked "Pick a model"');
  }),
);

test(
  'Connect a Local Server from the walkthrough: a base URL, checked, saved, a model chosen — the step ticks',
  shot('ui-first-run-connect-local', async () => {
    const { page } = ui;
    await showWalkthrough(page);
    if ((await step(page, 'addKey').getAttribute('aria-expanded')) !== 'true') await step(page, 'addKey').click();
    const connect = walkthrough(page).getByRole('button', { name: 'Connect a Local Server' });
    await connect.waitFor({ timeout: 10_000 });
    await connect.click();
    // With an Ollama or LM Studio running on this machine the servers found come first: take "Enter a base URL…".
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 20_000 });
    if ((await quickInputItems(page).catch(() => [])).some((l) => l.includes('Enter a base URL')))
      assert.ok(await pickQuickInputItem(page, 'Enter a base URL…'));
    await page.locator('.quick-input-widget', { hasText: /OpenAI-compatible server/ }).waitFor({ timeout: 10_000 });
    await input.fill(local.baseUrl.replace(/\/v1$/, ''));
    await page.keyboard.press('Enter');
    const text = await toastText(page, /connected to/);
    assert.match(text, new RegExp(`connected to ${local.baseUrl.replace(/[.]/g, '\\.')} \\(3 models\\)\\. Using local/gpt-4o-mini\\.`));
    await page.locator('.statusbar-item', { hasText: 'local/gpt-4o-mini' }).first().waitFor({ timeout: 20_000 });
    await showWalkthrough(page);
    await waitStepDone(page, 'addKey');
    await waitStepDone(page, 'pickModel');
    assert.equal(await stepDone(page, 'askSelection'), false);
    await screenshot(page, 'ui-first-run-connected');
  }),
);

test(
  'the switcher: an exact model id typed comes first, above a route and a longer id that mention it, so Enter picks it',
  shot('ui-first-run-exact-id', async () => {
    const { page } = ui;
    await closeQuickInput(page);
    await runCommand(page, 'Switchboard: Switch Model', { timeoutMs: 60_000 });
    const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    await rows.filter({ hasText: 'local/gpt-4o' }).first().waitFor({ timeout: 20_000 });
    await page.locator('.quick-input-widget .quick-input-box input').fill('local/gpt-4o');
    // The filtered list has settled when its first row is a model row that names the typed id.
    const first = rows.first();
    await page.waitForFunction(() => {
      const row = document.querySelector('.quick-input-widget .quick-input-list .monaco-list-row');
      return !!row && /local\/gpt-4o(?!-)/.test(row.textContent ?? '');
    });
    const firstText = (await first.innerText()).replace(/\s+/g, ' ');
    assert.ok(!/route\/|gpt-4o-mini|not in the catalog/.test(firstText), `first row: ${firstText}`);
    const all = await rows.evaluateAll((rs) => rs.map((r) => (r.textContent ?? '').replace(/\s+/g, ' ').trim()));
    assert.ok(
      all.some((r) => r.includes('route/local-first')),
      `the route is still listed: ${JSON.stringify(all)}`,
    );
    await screenshot(page, 'ui-first-run-exact-id');
    await page.keyboard.press('Enter');
    await page
      .locator('.statusbar-item', { hasText: /local\/gpt-4o(?!-)/ })
      .first()
      .waitFor({ timeout: 20_000 });
    const status = await page.locator('.statusbar-item', { hasText: 'local/gpt-4o' }).first().innerText();
    assert.ok(!/mini|route/.test(status), status);
  }),
);

test(
  'the switcher: Enter straight after typing takes the id typed, listed or not (no wait for the extension)',
  shot('ui-first-run-typed-enter', async () => {
    const { page } = ui;
    const input = page.locator('.quick-input-widget .quick-input-box input');
    const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    const status = (id: string) => page.locator('.statusbar-item', { hasText: new RegExp(`${id.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(?![\\w-])`) }).first();
    // Typed as fast as a paste and Enter: each id right after the other, a longer one that contains the
    // shorter among them, so a pick that took VS Code's first row before it was ranked shows.
    for (const id of ['local/gpt-4o', 'local/gpt-4o-mini', 'local/gpt-4o', 'local/gpt-4o-mini', 'local/gpt-4o', 'local/not-in-the-catalog']) {
      const listed = rows.filter({ hasText: 'local/gpt-4o-mini' }).first();
      await closeQuickInput(page);
      await runCommand(page, 'Switchboard: Switch Model', { timeoutMs: 60_000 });
      // Once in a CI run (2026-12-05) the palette took the click but did not run the command (its own
      // row stayed, hidden): the command is run once more then; a switcher that never lists fails below.
      if (
        !(await listed.waitFor({ timeout: 20_000 }).then(
          () => true,
          () => false,
        ))
      ) {
        await closeQuickInput(page);
        await runCommand(page, 'Switchboard: Switch Model', { timeoutMs: 60_000 });
        await listed.waitFor({ timeout: 20_000 });
      }
      await input.fill(id);
      await page.keyboard.press('Enter');
      await status(id).waitFor({ timeout: 20_000 });
      await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
    }
    await screenshot(page, 'ui-first-run-typed-enter');
  }),
);
