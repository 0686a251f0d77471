// The comparison view as a user sees it: the packaged extension in a real VS Code (code-server), a fake
// OpenAI-compatible provider in this process serving three models (one of which fails the first time),
// driven through Chromium. The tests build on each other (one panel, one session), in order.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import {
  closeQuickInput,
  findWebview,
  openUiSession,
  pickQuickInputItem,
  quickInputItems,
  runCommand,
  screenshot,
  screenshotOnFailure,
  UI_SERVER_ENV,
  waitForWorkbench,
  type UiSession,
} from '../../scripts/vscode/harness.mjs';
import { startFakeProvider, type FakeServer, type RecordedRequest, type Scenario } from '../fakes/server.ts';

const KEY = 'sk-ui-compare-0123456789';
const CODE = 'function add(a, b) {\n  return a + b;\n}\n';
const ANSWERS: Record<string, string> = {
  'gpt-4o-mini': 'Mini says: it adds.\n\n```js\nconst fromMini = add(1, 2);\n```',
  'gpt-4o':
    'The full model says: this function returns the sum of its two arguments, and here is a longer explanation with [a link](https://example.com/docs).',
  'o3-mini': 'o3 on the second try: a sum.',
};
const USAGE: Record<string, { input: number; output: number }> = {
  'gpt-4o-mini': { input: 50, output: 20 },
  'gpt-4o': { input: 50, output: 40 },
  'o3-mini': { input: 50, output: 10 },
};

let ui: UiSession;
let fake: FakeServer;
let settingsFile: string | null = null;
let savedSettings: string | null = null;
let o3Calls = 0;

const chatRequests = (): RecordedRequest[] => fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/chat/completions');

function writeUserSettings(extra: Record<string, unknown>): void {
  if (!settingsFile) return;
  writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(savedSettings ?? '{}'), ...extra }, null, 2) + '\n');
}

function scenario(req: RecordedRequest): Scenario {
  const model = String(req.body?.model ?? '');
  // o3-mini fails the first time (a non-retryable 400 with the provider's message), answers after.
  if (model === 'o3-mini' && ++o3Calls === 1) return { status: 400, errorMessage: 'o3-mini is not enabled for this project' };
  return {
    text: ANSWERS[model] ?? 'ok',
    usage: USAGE[model] ?? { input: 1, output: 1 },
    chunks: model === 'gpt-4o' ? 12 : 6,
    delayBetweenChunksMs: model === 'gpt-4o' ? 700 : 30, // ~8 s of streaming: room to watch it tick on a busy machine
  };
}

function comparePanel(page: Page, timeoutMs = 30_000): Promise<FrameLocator> {
  return findWebview(page, 'section.setup', { timeoutMs, what: 'comparison panel' });
}

function column(panel: FrameLocator, label: string | RegExp): Locator {
  return panel
    .locator('section.column')
    .filter({ has: panel.locator('.who', { hasText: typeof label === 'string' ? new RegExp(`^${label.replace(/[/.]/g, '\\$&')}$`) : label }) });
}

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Adds a model as a user does: type its id in the picker, Enter. */
async function addModel(panel: FrameLocator, id: string): Promise<void> {
  const input = panel.locator('vscode-single-select.model-picker input');
  await input.click();
  await input.fill(id);
  await input.press('Enter');
  await panel.locator('.model-chip .chip-label', { hasText: new RegExp(`^${esc(id)}$`) }).waitFor({ timeout: 10_000 });
}

async function pickDiff(panel: FrameLocator, side: 'left' | 'right', label: string): Promise<void> {
  await panel.locator(`vscode-single-select.diff-${side}`).click();
  await panel.locator(`vscode-single-select.diff-${side} li.option`, { hasText: new RegExp(`^\\s*${esc(label)}\\s*$`) }).click();
}

const shot = screenshotOnFailure(() => ui.page);

before(async () => {
  fake = await startFakeProvider('openai', { apiKey: KEY });
  fake.setDefault(scenario);
  const settings = {
    'switchboard.providers': [{ id: 'openai', baseUrl: fake.baseUrl }],
    'switchboard.defaultModel': 'openai/gpt-4o-mini',
    // Five one-model routes: with the three models, eight columns (more than fit side by side).
    'switchboard.routes': ['r1', 'r2', 'r3', 'r4', 'r5'].map((id) => ({ id, models: ['openai/gpt-4o-mini'] })),
    'workbench.colorTheme': 'Default Dark Modern',
  };
  const shared = process.env[UI_SERVER_ENV];
  if (shared) {
    settingsFile = join((JSON.parse(shared) as { userDataDir: string }).userDataDir, 'User', 'settings.json');
    savedSettings = readFileSync(settingsFile, 'utf8');
    writeUserSettings(settings);
  }
  ui = await openUiSession({ files: { 'math.js': CODE }, settings });
});

after(async () => {
  await ui?.close();
  if (settingsFile && savedSettings !== null) writeFileSync(settingsFile, savedSettings);
  await fake?.close();
});

test(
  'compare three models where one fails: its column shows the error, the others finish with metrics, the summary ranks them',
  shot('ui-compare-three', async () => {
    const { page } = ui;
    await runCommand(page, 'Switchboard: Set API Key', { timeoutMs: 60_000 });
    assert.ok(await pickQuickInputItem(page, 'OpenAI', { timeoutMs: 60_000 }), `no OpenAI item; saw ${JSON.stringify(await quickInputItems(page))}`);
    await page.locator('.quick-input-widget .quick-input-box input[type=password]').waitFor({ timeout: 10_000 });
    await page.locator('.quick-input-widget .quick-input-box input').fill(KEY);
    await page.keyboard.press('Enter');
    await page
      .locator('.notification-toast, .notifications-center .notification-list-item')
      .filter({ hasText: /OpenAI key saved/ })
      .first()
      .waitFor({ timeout: 20_000 });

    // A selection in math.js becomes the comparison's context.
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'math.js' }).first().click();
    const editor = page.locator('.editor-instance .monaco-editor').first();
    await editor.locator('.view-lines').filter({ hasText: 'function add' }).waitFor({ timeout: 20_000 });
    await editor.locator('.view-lines').click();
    await page.keyboard.press('ControlOrMeta+A');
    await runCommand(page, 'Switchboard: Open Comparison');
    const panel = await comparePanel(page);
    await panel.locator('.context-chip', { hasText: /math\.js:1-\d+ \(javascript\)/ }).waitFor({ timeout: 10_000 });

    // Start from no models; the set-up says what is missing.
    for (let n = await panel.locator('.model-chip').count(); n > 0; n--) await panel.locator('.model-chip .chip-remove').first().click();
    await panel.locator('.run-button').click();
    await panel.locator('.problem', { hasText: 'Write a prompt first.' }).waitFor();
    await panel.locator('textarea.compare-prompt').fill('What does add do?');
    await addModel(panel, 'openai/gpt-4o-mini');
    await panel.locator('.run-button').click();
    await panel.locator('.problem', { hasText: 'Pick at least 2 models (1 picked).' }).waitFor();
    await addModel(panel, 'openai/gpt-4o');
    await addModel(panel, 'openai/o3-mini');
    assert.deepEqual(await panel.locator('.model-chip .chip-label').allInnerTexts(), ['openai/gpt-4o-mini', 'openai/gpt-4o', 'openai/o3-mini']);
    const before = chatRequests().length;
    await panel.locator('.run-button').click();

    await panel.locator('section.column').nth(2).waitFor({ timeout: 10_000 });
    assert.equal(await panel.locator('.problem').isVisible(), false);
    // Live: the slow model is seen streaming with a ticking total before it finishes.
    const slow = column(panel, 'openai/gpt-4o');
    await slow.locator('.status', { hasText: 'streaming' }).waitFor({ timeout: 20_000 });
    const total = slow.locator('.m-total .metric-value');
    const t1 = await total.innerText();
    // The total ticks on in the view between the host's messages (a rounding step is 100 ms).
    await slow.locator('.m-total .metric-value', { hasNotText: t1 }).waitFor({ timeout: 2000 });
    assert.equal(await slow.locator('.status').innerText(), 'streaming', 'still streaming: the time changed by ticking, not by finishing');
    assert.match(await slow.locator('.m-tokens').innerText(), /~\d+/, 'output tokens are estimated while streaming');
    await screenshot(page, 'ui-compare-streaming');

    const failed = column(panel, 'openai/o3-mini');
    await failed.locator('.entry-error').waitFor({ timeout: 20_000 });
    assert.match(await failed.locator('.entry-error').innerText(), /o3-mini is not enabled for this project/);
    assert.match(await failed.locator('.error-fix').innerText(), /^Fix: /);
    await panel.locator('section.column.status-done').nth(1).waitFor({ timeout: 30_000 });
    const mini = column(panel, 'openai/gpt-4o-mini');
    await mini.locator('.status', { hasText: 'done' }).waitFor({ timeout: 20_000 });
    // Other columns finishing re-render the view; the streaming answer must not be duplicated by it.
    const partial = await slow.locator('.entry-text').innerText();
    assert.ok(partial.split('The full').length <= 2, `streamed text duplicated: ${JSON.stringify(partial)}`);
    assert.equal(await failed.locator('.entry-text').isVisible(), false, 'a failed column shows its error, not an empty answer');
    assert.match(await mini.locator('.m-tokens').innerText(), /50 → 20/);
    assert.match(await mini.locator('.m-cost').innerText(), /\$0\.0000\d+/);
    assert.match(await slow.locator('.m-tokens').innerText(), /50 → 40/);
    assert.equal(await slow.locator('.entry-text a', { hasText: 'a link' }).count(), 1);
    assert.equal(await failed.locator('.status').innerText(), 'failed');

    // The summary ranks the two finished answers; badges on the cheapest and the fastest.
    const rows = panel.locator('.summary-table tbody tr');
    assert.equal(await rows.count(), 2);
    assert.deepEqual(await panel.locator('.summary-table tbody tr .who').allInnerTexts(), ['openai/gpt-4o-mini', 'openai/gpt-4o']);
    assert.match(await rows.first().innerText(), /#1[\s\S]*cheapest/);
    assert.equal(await mini.locator('.badges .badge-cheapest').count(), 1);
    assert.equal(await mini.locator('.badges .badge-fastest').count(), 1);

    const reqs = chatRequests().slice(before);
    assert.deepEqual(reqs.map((r) => r.body.model).sort(), ['gpt-4o', 'gpt-4o-mini', 'o3-mini']);
    for (const r of reqs) assert.ok(JSON.stringify(r.body.messages).includes('File: math.js'), 'the selection goes with the prompt');
    await screenshot(page, 'ui-compare-dark');
  }),
);

test(
  '"Use this answer" inserts the answer’s code into the editor',
  shot('ui-compare-use', async () => {
    const { page } = ui;
    const panel = await comparePanel(page);
    await column(panel, 'openai/gpt-4o-mini').locator('.entry-actions button', { hasText: 'Insert' }).click();
    const editor = page.locator('.editor-instance .monaco-editor').first();
    await editor.locator('.view-lines', { hasText: 'const fromMini = add(1, 2);' }).waitFor({ timeout: 15_000 });
    assert.ok((await editor.locator('.view-lines').innerText()).replace(/\u00a0/g, ' ').includes('function add'), 'inserted, not replaced');
  }),
);

test(
  're-run one column: the failed model runs again and its answer replaces the error',
  shot('ui-compare-rerun', async () => {
    const { page } = ui;
    await page
      .locator('.tab', { hasText: /^Compare/ })
      .first()
      .click();
    const panel = await comparePanel(page);
    const failed = column(panel, 'openai/o3-mini');
    const before = chatRequests().length;
    await failed.locator('button.rerun').click();
    await failed.locator('.entry-text', { hasText: 'o3 on the second try' }).waitFor({ timeout: 20_000 });
    await panel.locator('section.column.status-done').nth(2).waitFor({ timeout: 20_000 });
    assert.equal(await failed.locator('.entry-error').count(), 0);
    assert.equal(chatRequests().length, before + 1, 'only that column ran again');
    assert.equal(await panel.locator('.summary-table tbody tr').count(), 3);
    // The cheapest of the three now (10 output tokens at o3-mini's price is still more than mini's 20 at $0.60).
    assert.match(await column(panel, 'openai/gpt-4o-mini').locator('.badges').innerText(), /cheapest/);
  }),
);

test(
  'blind mode: labels hidden until the vote, then revealed; the scoreboard records it',
  shot('ui-compare-blind', async () => {
    const { page } = ui;
    const panel = await comparePanel(page);
    await panel.locator('.context-chip .chip-remove').click();
    await panel.locator('.context-chip').waitFor({ state: 'detached' });
    await panel.locator('textarea.compare-prompt').fill('Explain addition in one line');
    await panel.locator('vscode-checkbox.blind-toggle').click();
    await panel.locator('.run-button').click();
    // The new (blind) run replaces the old one's columns.
    await panel.locator('.blind-note').waitFor({ timeout: 10_000 });
    await panel.locator('section.column.status-done').nth(2).waitFor({ timeout: 30_000 });
    assert.deepEqual(await panel.locator('section.column .who').allInnerTexts(), ['Answer A', 'Answer B', 'Answer C']);
    const runText = await panel.locator('.run').innerText();
    assert.ok(!/gpt-4o|o3-mini/.test(runText), `model names leak before the vote: ${runText}`);
    await screenshot(page, 'ui-compare-blind-before-vote');

    await column(panel, 'Answer B').locator('button.vote').click();
    await column(panel, 'Answer B').locator('.badge-winner').waitFor({ timeout: 10_000 });
    const names = await panel.locator('section.column .model-name').allInnerTexts();
    assert.deepEqual([...names].sort(), ['openai/gpt-4o', 'openai/gpt-4o-mini', 'openai/o3-mini']);
    const winner = names[1]!;
    await panel.locator('details.scoreboard > summary').click();
    const board = panel.locator('.scoreboard-table tbody tr');
    await board.first().waitFor();
    const rows = await board.allInnerTexts();
    assert.equal(rows.length, 3);
    assert.match(rows[0]!, new RegExp(`^${winner.replace(/[/.]/g, '\\$&')}\\s+1\\s+0\\s+100%`));
    for (const r of rows.slice(1)) assert.match(r, /\s0\s+1\s+0%$/);
    assert.equal((await panel.locator('button.vote').count()) - (await panel.locator('button.vote[hidden]').count()), 0, 'one vote per run');
    await screenshot(page, 'ui-compare-blind-revealed');

    // Diff two answers: VS Code's diff editor on read-only documents.
    await pickDiff(panel, 'left', 'Answer A');
    await pickDiff(panel, 'right', 'Answer C');
    await panel.locator('.diff-group button.diff-button').click();
    const diffTab = page.locator('.tab', { hasText: '↔' }).first();
    await diffTab.waitFor({ timeout: 15_000 });
    assert.match(await diffTab.innerText(), /openai\/[\w.-]+ ↔ openai\/[\w.-]+/);
    await page.locator('.monaco-diff-editor').first().waitFor({ timeout: 10_000 });
    await screenshot(page, 'ui-compare-diff');
    await diffTab.hover();
    await diffTab.locator('.tab-actions .codicon-close, .tab-actions .action-label').first().click();
    await diffTab.waitFor({ state: 'detached', timeout: 10_000 });
  }),
);

test(
  'export writes the run as Markdown and JSON',
  shot('ui-compare-export', async () => {
    const { page } = ui;
    await page
      .locator('.tab', { hasText: /^Compare/ })
      .first()
      .click();
    const panel = await comparePanel(page);
    await panel.locator('button.export').click();
    // VS Code's own save dialog (the simple one in code-server): type the path.
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    // The dialog fills in the suggested name (comparison-<time>.md) after it opens; replace it once it is there.
    await page.waitForFunction(
      () => (document.querySelector('.quick-input-widget .quick-input-box input') as HTMLInputElement | null)?.value.includes('comparison-'),
      null,
      { timeout: 10_000 },
    );
    const target = join(ui.workspace, 'blind-run.md');
    await input.fill(target);
    assert.equal(await input.inputValue(), target);
    await page.keyboard.press('Enter');
    const jsonFile = join(ui.workspace, 'blind-run.json');
    // Both files are written before the notification says so.
    await page
      .locator('.notification-toast, .notifications-center .notification-list-item')
      .filter({ hasText: /comparison exported to blind-run\.md and blind-run\.json/ })
      .first()
      .waitFor({ timeout: 20_000 });
    assert.ok(existsSync(target) && existsSync(jsonFile));
    const md = readFileSync(target, 'utf8');
    const json = JSON.parse(readFileSync(jsonFile, 'utf8')) as {
      prompt: string;
      blind: boolean;
      models: string[];
      vote: { label: string; model: string };
      answers: { label: string; model: string; status: string; answer: string; metrics: { outputTokens: number; costUsd: number } }[];
    };
    assert.equal(json.prompt, 'Explain addition in one line');
    assert.equal(json.blind, true);
    assert.deepEqual([...json.models].sort(), ['openai/gpt-4o', 'openai/gpt-4o-mini', 'openai/o3-mini']);
    assert.equal(json.vote.label, 'Answer B');
    assert.equal(json.vote.model, json.answers[1]!.model);
    for (const a of json.answers) {
      const bare = a.model.replace('openai/', '');
      assert.equal(a.status, 'done');
      assert.equal(a.answer, ANSWERS[bare]);
      assert.equal(a.metrics.outputTokens, USAGE[bare]!.output);
      assert.ok(a.metrics.costUsd > 0);
    }
    assert.match(md, /^# Switchboard comparison/);
    assert.ok(md.includes('Explain addition in one line'));
    assert.match(md, new RegExp(`Vote: Answer B \\(${json.vote.model.replace(/[/.]/g, '\\$&')}\\)`));
    for (const a of json.answers) assert.ok(md.includes(a.answer.split('\n')[0]!));
  }),
);

test(
  'the scoreboard survives closing the panel (Show Comparison Scoreboard)',
  shot('ui-compare-scoreboard', async () => {
    const { page } = ui;
    await runCommand(page, 'View: Close All Editors');
    await page.locator('.tab', { hasText: /^Compare/ }).waitFor({ state: 'detached', timeout: 10_000 });
    await runCommand(page, 'Switchboard: Show Comparison Scoreboard');
    await page.locator('.quick-input-widget .quick-input-list .monaco-list-row').first().waitFor();
    const rows = await page
      .locator('.quick-input-widget .quick-input-list .monaco-list-row')
      .evaluateAll((els) => els.map((e) => (e.textContent ?? '').replace(/\s+/g, ' ').trim()));
    assert.equal(rows.filter((r) => /1 win · 0 losses/.test(r)).length, 1, JSON.stringify(rows));
    assert.equal(rows.filter((r) => /0 wins · 1 loss(?!es)/.test(r)).length, 2, JSON.stringify(rows));
    await screenshot(page, 'ui-compare-scoreboard-command');
    await closeQuickInput(page);
  }),
);

test(
  'the scoreboard resets from the panel',
  shot('ui-compare-scoreboard-reset', async () => {
    const { page } = ui;
    await runCommand(page, 'Switchboard: Open Comparison');
    const panel = await comparePanel(page);
    await panel.locator('details.scoreboard > summary').click();
    assert.equal(await panel.locator('.scoreboard-table tbody tr').count(), 3);
    await panel.locator('button.reset-scoreboard').click();
    await panel.locator('.scoreboard p', { hasText: 'No votes yet' }).waitFor({ timeout: 10_000 });
    assert.equal(await panel.locator('.scoreboard-table').count(), 0);
    await runCommand(page, 'View: Close All Editors');
  }),
);

test(
  'a window reload restores the panel with the last run',
  shot('ui-compare-reload', async () => {
    const { page } = ui;
    await runCommand(page, 'Switchboard: Compare Models…');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible' });
    await input.fill('Survive a reload');
    await page.keyboard.press('Enter');
    // The multi-select preselects the last comparison's models.
    await page.locator('.quick-input-widget .quick-input-list .monaco-list-row').first().waitFor();
    await page.keyboard.press('Enter');
    let panel = await comparePanel(page);
    await panel.locator('section.column.status-done').nth(2).waitFor({ timeout: 30_000 });
    assert.equal(await panel.locator('textarea.compare-prompt').inputValue(), 'Survive a reload');
    const navigated = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame(), timeout: 60_000 });
    await runCommand(page, 'Developer: Reload Window');
    await navigated;
    await waitForWorkbench(page);
    panel = await comparePanel(page, 60_000);
    await panel.locator('section.column.status-done').nth(2).waitFor({ timeout: 30_000 });
    assert.equal(await panel.locator('textarea.compare-prompt').inputValue(), 'Survive a reload');
    assert.ok((await panel.locator('section.column .entry-text').allInnerTexts()).some((t) => t.includes('Mini says: it adds.')));
    assert.match(await column(panel, 'openai/gpt-4o-mini').locator('.m-tokens').innerText(), /50 → 20/);
    await screenshot(page, 'ui-compare-restored');
  }),
);

test(
  'eight columns wrap into rows (none cut off); looks right in light and high-contrast themes',
  shot('ui-compare-themes', async () => {
    const { page } = ui;
    const panel = await comparePanel(page);
    for (const r of ['r1', 'r2', 'r3', 'r4', 'r5']) await addModel(panel, `route/${r}`);
    assert.equal(await panel.locator('.model-chip').count(), 8);
    assert.equal(await panel.locator('vscode-single-select.model-picker[disabled]').count(), 1, 'no ninth model');
    await panel.locator('.run-button').click();
    await panel.locator('section.column').nth(7).waitFor({ timeout: 10_000 });
    await panel.locator('section.column.status-done').nth(7).waitFor({ timeout: 30_000 });
    const route = column(panel, 'route/r3');
    assert.match(await route.locator('.answered-by').innerText(), /answered by openai\/gpt-4o-mini/);
    const sizes = await panel.locator('.columns').evaluate((el) => ({
      scroll: el.scrollWidth,
      client: el.clientWidth,
      rows: new Set([...el.querySelectorAll('section.column')].map((c) => Math.round(c.getBoundingClientRect().top))).size,
    }));
    assert.ok(sizes.scroll <= sizes.client, `no column is cut off: ${JSON.stringify(sizes)}`);
    assert.ok(sizes.rows >= 2, `eight columns wrap into rows: ${JSON.stringify(sizes)}`);
    await screenshot(page, 'ui-compare-eight-dark');
    await panel.locator('details.scoreboard > summary').click();
    for (const [theme, name] of [
      ['Light Modern', 'light'],
      ['Dark High Contrast', 'hc-dark'],
      ['Light High Contrast', 'hc-light'],
    ] as const) {
      await runCommand(page, 'Preferences: Color Theme');
      await page.locator('.quick-input-widget .quick-input-box input').fill(theme);
      assert.ok(await pickQuickInputItem(page, theme, { timeoutMs: 10_000 }), `no theme ${theme}: ${JSON.stringify(await quickInputItems(page))}`);
      const cls = name === 'light' ? 'vs' : name === 'hc-dark' ? 'hc-black' : 'hc-light';
      await page.locator(`.monaco-workbench.${cls}`).waitFor({ timeout: 15_000 });
      // The webview restyles once VS Code tells it the theme's kind (a class on its body).
      const body = name === 'light' ? 'vscode-light' : name === 'hc-dark' ? 'vscode-high-contrast' : 'vscode-high-contrast-light';
      await panel.locator(`body.${body}${name === 'hc-dark' ? ':not(.vscode-high-contrast-light)' : ''}`).waitFor({ state: 'attached', timeout: 15_000 });
      await screenshot(page, `ui-compare-${name}`);
    }
  }),
);
