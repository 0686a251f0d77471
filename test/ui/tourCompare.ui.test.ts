// The compare half of the UI tour (issue 16), as a new user walks it in the real VS Code (code-server) at a
// narrow editor: Compare Models on Selection opens with the default prompt to edit first; a rate-limited
// model shows its wait; the summary waits for the end and never moves the columns; no column is clipped; a
// blind run gives the view nothing that identifies a model before the vote; the diff offers only answers with
// text; a reload keeps the prompt and the selection (Run still sends the code); the export asks where, offers
// to open the file and quotes the code. Screenshots in dark, light and both high-contrast themes.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import {
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

const KEY = 'sk-ui-tour-compare-0123456789';
const CODE = 'function add(a, b) {\n  return a + b;\n}\n';
const DEFAULT_PROMPT = 'Explain what this code does, step by step. Point out anything surprising.';
const ANSWERS: Record<string, string> = {
  'gpt-4o-mini': 'Mini: `add` returns the sum of `a` and `b`.',
  'gpt-4o': 'The full model: `add(a, b)` adds two numbers and returns the result; with strings it concatenates them.',
  'o3-mini': 'o3: it is a sum.',
};
/** What a provider's error body says: none of it may reach a blind run's view before the vote. */
const PROVIDER_ERROR = 'Project proj_openai_tour does not have access to model o3-mini';
const RATE_LIMIT_ERROR = 'Rate limit reached for o3-mini in organization org-tour on requests per min';
const MODELS = ['openai/gpt-4o-mini', 'openai/gpt-4o', 'openai/o3-mini'];

let ui: UiSession;
let fake: FakeServer;
let settingsFile: string | null = null;
let savedSettings: string | null = null;
/** What each model answers next (then its normal answer). */
const next: Record<string, Scenario[]> = { 'gpt-4o-mini': [], 'gpt-4o': [], 'o3-mini': [] };

const chatRequests = (): RecordedRequest[] => fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/chat/completions');
const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

function scenario(req: RecordedRequest): Scenario {
  const model = String(req.body?.model ?? '');
  const queued = next[model]?.shift();
  if (queued) return queued;
  return {
    text: ANSWERS[model] ?? 'ok',
    usage: { input: 60, output: model === 'gpt-4o' ? 30 : 12 },
    chunks: model === 'gpt-4o' ? 10 : 4,
    delayBetweenChunksMs: model === 'gpt-4o' ? 300 : 20,
  };
}

const comparePanel = (page: Page, timeoutMs = 30_000): Promise<FrameLocator> => findWebview(page, 'section.setup', { timeoutMs, what: 'comparison panel' });

function column(panel: FrameLocator, label: string): Locator {
  return panel.locator('section.column').filter({ has: panel.locator('.who', { hasText: new RegExp(`^${esc(label)}$`) }) });
}

/** Adds a model the way a user does: type (part of) its id in the picker, Enter. */
async function addModel(panel: FrameLocator, id: string, typed = id): Promise<void> {
  const input = panel.locator('vscode-single-select.model-picker input');
  assert.equal(await input.getAttribute('placeholder'), '+ Add a model…', 'the empty picker says what it is for');
  await input.click();
  await input.fill(typed);
  await input.press('Enter');
  await panel.locator('.model-chip .chip-label', { hasText: new RegExp(`^${esc(id)}$`) }).waitFor({ timeout: 10_000 });
}

/** The labels a diff picker offers, and picking one by clicking it in the dropdown. */
const offered = (panel: FrameLocator, side: 'left' | 'right'): Promise<string[]> =>
  panel.locator(`vscode-single-select.diff-${side} vscode-option`).allInnerTexts();
async function pickDiff(panel: FrameLocator, side: 'left' | 'right', label: string): Promise<void> {
  await panel.locator(`vscode-single-select.diff-${side}`).click();
  await panel.locator(`vscode-single-select.diff-${side} li.option`, { hasText: new RegExp(`^\\s*${esc(label)}\\s*$`) }).click();
}

/** Geometry a user would notice: the toolbar's line count and whether a column is cut off. */
async function layout(panel: FrameLocator) {
  return panel.locator('body').evaluate(() => {
    const rect = (sel: string) => document.querySelector(sel)?.getBoundingClientRect() ?? null;
    const toolbar = document.querySelector('.run-toolbar') as HTMLElement | null;
    const kids = toolbar ? [...toolbar.querySelectorAll<HTMLElement>('.run-info > *, .run-actions > *:not([hidden])')] : [];
    // Items of one line share their vertical centre (align-items: center); a wrapped item is a line lower.
    const centres = kids.filter((k) => k.offsetParent !== null).map((k) => k.getBoundingClientRect().top + k.getBoundingClientRect().height / 2);
    const cols = [...document.querySelectorAll('section.column')].map((c) => c.getBoundingClientRect());
    return {
      width: document.documentElement.clientWidth,
      scrollWidth: document.documentElement.scrollWidth,
      toolbarHeight: toolbar?.getBoundingClientRect().height ?? 0,
      toolbarRows: centres.length && Math.max(...centres) - Math.min(...centres) > 8 ? 2 : 1,
      columnsTop: rect('.columns')?.top ?? null,
      columns: cols.map((c) => ({ left: Math.round(c.left), right: Math.round(c.right), top: Math.round(c.top), width: Math.round(c.width) })),
      summaryVisible: !!document.querySelector('.summary:not([hidden])'),
      waiting: !!document.querySelector('.wait-line:not([hidden])'),
      done: document.querySelectorAll('section.column.status-done').length,
    };
  });
}

function assertNothingClipped(l: Awaited<ReturnType<typeof layout>>, what: string): void {
  assert.ok(l.scrollWidth <= l.width, `${what}: the view scrolls sideways (${l.scrollWidth} > ${l.width})`);
  for (const c of l.columns) assert.ok(c.left >= 0 && c.right <= l.width + 1 && c.width >= 200, `${what}: a column is cut off: ${JSON.stringify(l)}`);
}

/** Records every message the comparison view receives from the host, from now on. */
async function recordMessages(panel: FrameLocator): Promise<void> {
  await panel.locator('body').evaluate(() => {
    const w = window as unknown as { __received?: string[] };
    w.__received = [];
    window.addEventListener('message', (e: MessageEvent) => w.__received!.push(JSON.stringify(e.data)));
  });
}
const received = (panel: FrameLocator): Promise<string[]> =>
  panel.locator('body').evaluate(() => (window as unknown as { __received?: string[] }).__received ?? []);

async function setTheme(page: Page, theme: string, cls: string, panel: FrameLocator, bodyCls: string): Promise<void> {
  await runCommand(page, 'Preferences: Color Theme');
  await page.locator('.quick-input-widget .quick-input-box input').fill(theme);
  assert.ok(await pickQuickInputItem(page, theme, { timeoutMs: 10_000 }), `no theme ${theme}: ${JSON.stringify(await quickInputItems(page))}`);
  await page.locator(`.monaco-workbench.${cls}`).waitFor({ timeout: 15_000 });
  // The webview restyles when VS Code tells it the theme's kind (a class on its body).
  await panel.locator(`body.${bodyCls}`).waitFor({ state: 'attached', timeout: 15_000 });
}

/** Brings the comparison's tab to the front (another editor may be active). */
async function showComparison(page: Page): Promise<void> {
  const tab = page.locator('.tab', { hasText: /^Compare/ }).first();
  await tab.click();
  await page.locator('.tab.active', { hasText: /^Compare/ }).waitFor({ timeout: 10_000 });
}

/** Switchboard's output channel as written to the server's logs (to explain a failure). */
function extensionLog(): string {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/switchboard/i.test(e.name) && e.name.endsWith('.log')) found.push(readFileSync(p, 'utf8'));
    }
  };
  try {
    walk(join(ui.server.userDataDir, 'logs'));
  } catch (e) {
    return `(no logs: ${(e as Error).message})`;
  }
  return found.join('\n---\n');
}

const shot = screenshotOnFailure(() => ui.page);

before(async () => {
  fake = await startFakeProvider('openai', { apiKey: KEY });
  fake.setDefault(scenario);
  const settings = {
    'switchboard.providers': [{ id: 'openai', baseUrl: fake.baseUrl }],
    'switchboard.defaultModel': 'openai/gpt-4o-mini',
    'workbench.colorTheme': 'Default Dark Modern',
  };
  const shared = process.env[UI_SERVER_ENV];
  if (shared) {
    settingsFile = join((JSON.parse(shared) as { userDataDir: string }).userDataDir, 'User', 'settings.json');
    savedSettings = readFileSync(settingsFile, 'utf8');
    writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(savedSettings), ...settings }, null, 2) + '\n');
  }
  ui = await openUiSession({ files: { 'math.js': CODE }, settings });
  // A narrow editor: the explorer stays open beside it (about 600 px left for the comparison).
  await ui.page.setViewportSize({ width: 960, height: 900 });
});

after(async () => {
  await ui?.close();
  if (settingsFile && savedSettings !== null) writeFileSync(settingsFile, savedSettings);
  await fake?.close();
});

test(
  'Compare Models on Selection opens with the default prompt to edit; nothing is sent until Run',
  shot('tour-compare-open', async () => {
    const { page } = ui;
    // The first Switchboard command activates the extension, which can take a while on a busy machine.
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

    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'math.js' }).first().click();
    const editor = page.locator('.editor-instance .monaco-editor').first();
    await editor.locator('.view-lines').filter({ hasText: 'function add' }).waitFor({ timeout: 20_000 });
    await editor.locator('.view-lines').click();
    await page.keyboard.press('ControlOrMeta+A');
    const sent = chatRequests().length;
    await runCommand(page, 'Switchboard: Compare Models on Selection');
    const panel = await comparePanel(page);
    const prompt = panel.locator('textarea.compare-prompt');
    await panel.locator('.context-chip', { hasText: /math\.js:1-\d+ \(javascript\)/ }).waitFor({ timeout: 10_000 });
    assert.equal(await prompt.inputValue(), DEFAULT_PROMPT);
    // The cursor is in the prompt with the default selected: typing replaces it.
    await prompt.evaluate((el) => new Promise<void>((r) => (document.activeElement === el ? r() : el.addEventListener('focus', () => r(), { once: true }))));
    assert.deepEqual(await prompt.evaluate((el: HTMLTextAreaElement) => [el.selectionStart, el.selectionEnd]), [0, DEFAULT_PROMPT.length]);
    assert.equal(await panel.locator('section.column').count(), 0, 'no run yet');
    assert.equal(chatRequests().length, sent, 'nothing sent before Run');
    await screenshot(page, 'tour-compare-open-dark');
    await page.keyboard.type('What does add return for two numbers?');
    assert.equal(await prompt.inputValue(), 'What does add return for two numbers?');
  }),
);

test(
  'a rate-limited model shows its wait; the summary waits for the end and does not move the columns; nothing is clipped',
  shot('tour-compare-run', async () => {
    const { page } = ui;
    const panel = await comparePanel(page);
    assert.deepEqual(await panel.locator('.model-chip .chip-label').allInnerTexts(), ['openai/gpt-4o-mini']);
    await addModel(panel, 'openai/gpt-4o');
    await addModel(panel, 'openai/o3-mini', 'o3-mi'); // a part of the id is enough: Enter takes the first match
    assert.deepEqual(await panel.locator('.model-chip .chip-label').allInnerTexts(), MODELS);
    assert.equal(await panel.locator('vscode-single-select.model-picker vscode-option[value="openai/gpt-4o"]').count(), 0, 'a picked model leaves the list');

    next['o3-mini']!.push({ status: 429, headers: { 'retry-after': '8' }, errorMessage: RATE_LIMIT_ERROR });
    // The retried answer is slow to start, so the mid-run snapshot below finds o3-mini unfinished however long
    // the machine took to get there (the 8 s wait alone could be over by then on a loaded machine).
    next['o3-mini']!.push({ text: ANSWERS['o3-mini'], usage: { input: 60, output: 12 }, chunks: 4, delayBeforeFirstByteMs: 15_000 });
    const before = chatRequests().length;
    await panel.locator('.run-button').click();
    const o3 = column(panel, 'openai/o3-mini');
    const wait = o3.locator('.wait-line');
    await wait.filter({ hasText: /rate limited — retrying in [1-8]\s?s \(attempt 2 of 3\)/ }).waitFor({ timeout: 20_000 });
    assert.equal(await o3.locator('.status').innerText(), 'retrying');
    await screenshot(page, 'tour-compare-rate-limited');

    // Mid-run: one answer done while o3-mini has not answered yet (one snapshot of the page). No summary yet.
    await column(panel, 'openai/gpt-4o-mini').locator('.status', { hasText: 'done' }).waitFor({ timeout: 20_000 });
    const mid = await layout(panel);
    assert.ok(mid.done >= 1 && mid.done < 3, `mid-run: ${JSON.stringify(mid)}`);
    assert.equal(mid.summaryVisible, false, 'no summary while answers are still coming');
    assertNothingClipped(mid, 'mid-run');

    await panel.locator('section.column.status-done').nth(2).waitFor({ timeout: 60_000 });
    await o3.locator('.entry-text', { hasText: 'o3: it is a sum.' }).waitFor();
    assert.equal(await wait.isVisible(), false, 'the wait line goes once the answer comes');
    assert.equal(await o3.locator('.failover').innerText(), 'tried openai/o3-mini: Rate limited (HTTP 429)', 'the earlier try, in words');
    const end = await layout(panel);
    assert.equal(end.summaryVisible, true, 'the summary once every answer is in');
    assert.equal(end.columnsTop, mid.columnsTop, 'the summary does not push the columns down');
    assertNothingClipped(end, 'finished');
    // In ~600 px the third column goes onto the next row instead of being cut off.
    assert.equal(end.columns.length, 3);
    assert.ok(end.columns[2]!.top > end.columns[0]!.top, `the third column wraps: ${JSON.stringify(end.columns)}`);
    assert.equal(end.toolbarRows, 1, `the toolbar is one line: ${JSON.stringify(end)}`);
    const summary = panel.locator('.summary');
    assert.ok((await summary.boundingBox())!.y > (await panel.locator('.columns').boundingBox())!.y, 'the summary is under the columns');

    const reqs = chatRequests().slice(before);
    assert.equal(reqs.filter((r) => r.body.model === 'o3-mini').length, 2, 'o3-mini was tried again after the 429');
    for (const r of reqs) {
      const user = JSON.stringify(r.body.messages);
      assert.ok(user.includes('What does add return for two numbers?') && user.includes('File: math.js') && user.includes('return a + b;'), user);
    }
    await screenshot(page, 'tour-compare-finished-dark');
  }),
);

test(
  'blind mode: the view receives nothing that identifies a model before the vote; the vote reveals; the toolbar stays one line',
  shot('tour-compare-blind', async () => {
    const { page } = ui;
    const panel = await comparePanel(page);
    await recordMessages(panel);
    await panel.locator('textarea.compare-prompt').fill('Which is better: add(a, b) or a + b?');
    await panel.locator('vscode-checkbox.blind-toggle').click();
    next['o3-mini']!.push({ status: 403, errorMessage: PROVIDER_ERROR });
    await panel.locator('.run-button').click();
    await panel.locator('.blind-note').waitFor({ timeout: 10_000 });
    await panel.locator('section.column.status-done').nth(1).waitFor({ timeout: 40_000 });
    const failed = panel.locator('section.column.status-error');
    await failed.waitFor({ timeout: 20_000 });

    // What the user sees: labels, answers, neutral failure, no tokens or cost, no summary.
    assert.deepEqual(await panel.locator('section.column .who').allInnerTexts(), ['Answer A', 'Answer B', 'Answer C']);
    assert.equal(await failed.locator('.status').innerText(), 'failed');
    assert.equal((await failed.locator('.entry-error').innerText()).replace(/\s+/g, ' ').trim(), 'Failed This answer failed. The details come after the vote.');
    for (const m of await panel.locator('section.column .metrics').allInnerTexts()) assert.match(m, /tokens and cost after the vote/);
    const runText = await panel.locator('.run').innerText();
    assert.ok(!/gpt-4o|o3-mini|openai|\$\d|proj_/i.test(runText), `the run shows something identifying: ${runText}`);
    assert.equal((await layout(panel)).summaryVisible, false, 'no ranking by cost before the vote');

    // What the view was sent: the run's state, columns and deltas carry no model, provider, cost or error body.
    const messages = (await received(panel)).map((s) => JSON.parse(s) as { type?: string; state?: { run: unknown }; column?: unknown; text?: string });
    const runParts = messages.flatMap((m) => (m.type === 'state' ? [m.state?.run] : m.type === 'column' ? [m.column] : m.type === 'delta' ? [m.text] : []));
    assert.ok(runParts.length >= 4, `messages recorded: ${messages.map((m) => m.type).join(', ')}`);
    const seen = JSON.stringify(runParts);
    for (const leak of ['gpt-4o', 'o3-mini', 'openai', 'OpenAI', 'proj_openai_tour', 'does not have access', '"permission"'])
      assert.ok(!seen.includes(leak), `"${leak}" reached the view before the vote: ${seen.slice(0, 2000)}`);
    for (const k of ['costUsd', 'outputPrice', 'tokensPerSecond', 'inputTokens', 'outputTokens'])
      assert.ok(!new RegExp(`"${k}":\\d`).test(seen), `${k} reached the view before the vote`);
    await screenshot(page, 'tour-compare-blind-before-vote-dark');

    const toolbarBefore = await layout(panel);
    assert.equal(toolbarBefore.toolbarRows, 1);
    const winner = panel.locator('section.column.status-done').first();
    const winnerLabel = await winner.locator('.who').innerText();
    await winner.locator('button.vote').click();
    await column(panel, winnerLabel).locator('.badge-winner').waitFor({ timeout: 10_000 });
    const names = await panel.locator('section.column .model-name').allInnerTexts();
    assert.deepEqual([...names].sort(), [...MODELS].sort());
    // After the vote: the failure's own words, the figures, the summary.
    await failed.locator('.error-message', { hasText: PROVIDER_ERROR }).waitFor();
    assert.equal(await failed.locator('.error-title').innerText(), 'Not allowed for this key');
    assert.match(await failed.locator('.error-fix').innerText(), /^Fix: [A-Z]/);
    assert.match(await column(panel, winnerLabel).locator('.m-cost').innerText(), /\$0\.\d+/);
    const afterVote = await layout(panel);
    assert.equal(afterVote.summaryVisible, true);
    assert.equal(afterVote.toolbarRows, 1, `the toolbar does not wrap after the reveal: ${JSON.stringify(afterVote)}`);
    assert.equal(afterVote.toolbarHeight, toolbarBefore.toolbarHeight, 'the toolbar keeps its height');
    assertNothingClipped(afterVote, 'revealed');
    await screenshot(page, 'tour-compare-blind-revealed-dark');
  }),
);

test(
  'the diff pickers offer only answers with text, and Diff opens VS Code’s diff editor',
  shot('tour-compare-diff', async () => {
    const { page } = ui;
    const panel = await comparePanel(page);
    const failedLabel = await panel.locator('section.column.status-error .who').innerText();
    const done = await panel.locator('section.column.status-done .who').allInnerTexts();
    assert.deepEqual(await offered(panel, 'left'), done);
    assert.deepEqual(await offered(panel, 'right'), done);
    assert.ok(!done.includes(failedLabel));
    await pickDiff(panel, 'left', done[1]!);
    await pickDiff(panel, 'right', done[0]!);
    await screenshot(page, 'tour-compare-diff-pickers');
    await panel.locator('.diff-group button.diff-button').click();
    const diffTab = page.locator('.tab', { hasText: '↔' }).first();
    await diffTab.waitFor({ timeout: 15_000 });
    assert.match(await diffTab.innerText(), /openai\/[\w.-]+ ↔ openai\/[\w.-]+/);
    await page.locator('.monaco-diff-editor').first().waitFor({ timeout: 10_000 });
    await screenshot(page, 'tour-compare-diff');
    await diffTab.hover();
    await diffTab.locator('.tab-actions .codicon-close, .tab-actions .action-label').first().click();
    await diffTab.waitFor({ state: 'detached', timeout: 10_000 });
  }),
);

test(
  'export asks where (in the workspace), offers to open the file, and the Markdown quotes the code that was sent',
  shot('tour-compare-export', async () => {
    const { page } = ui;
    await showComparison(page);
    const panel = await comparePanel(page);
    await panel.locator('button.export').click();
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await page.waitForFunction(
      () => (document.querySelector('.quick-input-widget .quick-input-box input') as HTMLInputElement | null)?.value.includes('comparison-'),
      null,
      { timeout: 10_000 },
    );
    assert.ok((await input.inputValue()).startsWith(ui.workspace), `the dialog starts in the workspace: ${await input.inputValue()}`);
    const target = join(ui.workspace, 'tour-compare.md');
    await input.fill(target);
    await page.keyboard.press('Enter');
    const toast = page.locator('.notification-toast').filter({ hasText: /comparison exported to tour-compare\.md and tour-compare\.json/ });
    await toast.waitFor({ timeout: 20_000 });
    await screenshot(page, 'tour-compare-exported');
    await toast.locator('.monaco-button', { hasText: /^Open$/ }).click();
    const tab = page.locator('.tab', { hasText: 'tour-compare.md' }).first();
    await tab.waitFor({ timeout: 15_000 });
    const editor = page.locator('.editor-instance .monaco-editor').first();
    await editor.locator('.view-lines', { hasText: '# Switchboard comparison' }).waitFor({ timeout: 15_000 });
    const md = readFileSync(target, 'utf8');
    assert.ok(md.includes('## Context\n\n`math.js:1-3 (javascript)`, sent with the prompt:\n\n```javascript\n' + CODE.trimEnd() + '\n```\n'), md);
    assert.ok(md.includes('Which is better: add(a, b) or a + b?'));
    assert.match(md, /> \*\*Not allowed for this key\.\*\* Project proj_openai_tour does not have access to model o3-mini\n>\n> Fix: [A-Z]/);
    assert.match(md, /\| failed \|/);
    const json = JSON.parse(readFileSync(join(ui.workspace, 'tour-compare.json'), 'utf8')) as { contextCode: { language: string; text: string } };
    assert.deepEqual(json.contextCode, { language: 'javascript', text: CODE });
    await screenshot(page, 'tour-compare-export-opened');
    await tab.hover();
    await tab.locator('.tab-actions .codicon-close, .tab-actions .action-label').first().click();
    await tab.waitFor({ state: 'detached', timeout: 10_000 });
  }),
);

test(
  'after a window reload the panel keeps its prompt and its selection: Run still sends the code',
  shot('tour-compare-reload', async () => {
    const { page } = ui;
    await showComparison(page);
    let panel = await comparePanel(page);
    await panel.locator('vscode-checkbox.blind-toggle').click();
    await panel.locator('textarea.compare-prompt').fill('After a reload, is the code still sent?');
    await panel.locator('textarea.compare-prompt').blur();
    // The prompt typed in the set-up is saved when a run starts; the selection with the panel.
    await panel.locator('.run-button').click();
    await panel.locator('section.column.status-done').nth(2).waitFor({ timeout: 60_000 });
    const navigated = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame(), timeout: 60_000 });
    await runCommand(page, 'Developer: Reload Window');
    await navigated;
    await waitForWorkbench(page);
    // The extension host starts again and activates for the panel: slow on a busy machine.
    panel = await comparePanel(page, 150_000).catch((e: Error) => {
      throw new Error(`${e.message}; extension log: ${extensionLog().slice(-3000)}`);
    });
    await panel.locator('section.column.status-done').nth(2).waitFor({ timeout: 30_000 });
    assert.equal(await panel.locator('textarea.compare-prompt').inputValue(), 'After a reload, is the code still sent?');
    await panel.locator('.context-chip', { hasText: /math\.js:1-3 \(javascript\)/ }).waitFor({ timeout: 10_000 });
    const before = chatRequests().length;
    await panel.locator('.run-button').click();
    // The restored run's columns are already "done": wait for the new run's three requests, then its columns.
    for (const deadline = Date.now() + 60_000; chatRequests().length < before + 3 && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 100));
    await panel.locator('section.column:not(.status-done)').first().waitFor({ state: 'detached', timeout: 60_000 });
    await panel.locator('section.column.status-done').nth(2).waitFor({ timeout: 60_000 });
    const reqs = chatRequests().slice(before);
    assert.equal(reqs.length, 3);
    for (const r of reqs) assert.ok(JSON.stringify(r.body.messages).includes('return a + b;'), 'the code goes with the prompt after the reload');
    await screenshot(page, 'tour-compare-reloaded-dark');
  }),
);

test(
  'light and high-contrast themes: the same layout, one-line toolbar, nothing clipped',
  shot('tour-compare-themes', async () => {
    const { page } = ui;
    await showComparison(page);
    const panel = await comparePanel(page);
    for (const [theme, cls, bodyCls, name] of [
      ['Light Modern', 'vs', 'vscode-light', 'light'],
      ['Dark High Contrast', 'hc-black', 'vscode-high-contrast:not(.vscode-high-contrast-light)', 'hc-dark'],
      ['Light High Contrast', 'hc-light', 'vscode-high-contrast-light', 'hc-light'],
    ] as const) {
      await setTheme(page, theme, cls, panel, bodyCls);
      const l = await layout(panel);
      assert.equal(l.toolbarRows, 1, `${theme}: ${JSON.stringify(l)}`);
      assertNothingClipped(l, theme);
      await screenshot(page, `tour-compare-${name}`);
      await panel.locator('section.column').first().scrollIntoViewIfNeeded();
      await panel.locator('.summary').scrollIntoViewIfNeeded();
      await screenshot(page, `tour-compare-${name}-summary`);
      await panel.locator('section.setup').scrollIntoViewIfNeeded();
    }
  }),
);
