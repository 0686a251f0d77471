// Test sets as a user sees them: the packaged extension in a real VS Code (code-server), one fake
// OpenAI-compatible provider serving three models with scripted answers, driven through Chromium:
// "Run Test Set…" → the grid fills in live, the totals, the leaderboard; the panel at 280 px.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FrameLocator } from 'playwright-core';
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
import { startFakeProvider, type FakeServer, type RecordedRequest } from '../fakes/server.ts';
import { EVAL_SET, scriptedAnswer } from '../unit/evalWorld.ts';

const KEY = 'sk-ui-eval-0123456789';
// Three models of one provider stand for the three protocols' plans (10/10, 7/10, 3/10 checks).
const PLAN: Record<string, 'openai' | 'anthropic' | 'gemini'> = { 'gpt-4o-mini': 'openai', 'gpt-4o': 'anthropic', 'o3-mini': 'gemini' };
const MODELS = Object.keys(PLAN).map((m) => `openai/${m}`);

let ui: UiSession;
let fake: FakeServer;
let settingsFile: string | null = null;
let savedSettings: string | null = null;
const shot = screenshotOnFailure(() => ui.page);
/** Answers send their first words, then nothing more (a run to stop), while set. */
let slow = false;
/** Called when such an answer is asked for (its first words go out at once). */
let onSlowAnswer: (() => void) | null = null;

before(async () => {
  fake = await startFakeProvider('openai', { apiKey: KEY });
  fake.setDefault((req: RecordedRequest) => {
    if (slow) onSlowAnswer?.();
    return { ...scriptedAnswer(PLAN[String(req.body?.model)] ?? 'gemini', req), chunks: 4, ...(slow ? { stallAfterChunks: 1 } : { delayBetweenChunksMs: 40 }) };
  });
  const settings = {
    'switchboard.providers': [{ id: 'openai', baseUrl: fake.baseUrl }],
    'switchboard.pricing': {
      'openai/gpt-4o-mini': { input: 1, output: 2 },
      'openai/gpt-4o': { input: 3, output: 15 },
      'openai/o3-mini': { input: 0.5, output: 1 },
    },
    'workbench.colorTheme': 'Default Dark Modern',
  };
  const shared = process.env[UI_SERVER_ENV];
  if (shared) {
    settingsFile = join((JSON.parse(shared) as { userDataDir: string }).userDataDir, 'User', 'settings.json');
    savedSettings = readFileSync(settingsFile, 'utf8');
    writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(savedSettings || '{}'), ...settings }, null, 2) + '\n');
  }
  ui = await openUiSession({ files: { '.switchboard/evals/capitals.json': JSON.stringify({ ...EVAL_SET, models: MODELS }, null, 2) }, settings });
});

after(async () => {
  await ui?.close();
  if (settingsFile && savedSettings !== null) writeFileSync(settingsFile, savedSettings);
  await fake?.close();
});

const evalPanel = (timeoutMs = 30_000): Promise<FrameLocator> => findWebview(ui.page, 'table.grid', { timeoutMs, what: 'test-set panel' });

test(
  'Run Test Set…: the grid fills in, the totals and the leaderboard show the scripted outcome',
  shot('ui-eval-run', async () => {
    const { page } = ui;
    await runCommand(page, 'Switchboard: Set API Key', { timeoutMs: 60_000 });
    assert.ok(await pickQuickInputItem(page, 'OpenAI', { timeoutMs: 15_000 }), `no OpenAI item; saw ${JSON.stringify(await quickInputItems(page))}`);
    await page.locator('.quick-input-widget .quick-input-box input[type=password]').waitFor({ timeout: 10_000 });
    await page.locator('.quick-input-widget .quick-input-box input').fill(KEY);
    await page.keyboard.press('Enter');
    await page
      .locator('.notification-toast, .notifications-center .notification-list-item')
      .filter({ hasText: /OpenAI key saved/ })
      .first()
      .waitFor({ timeout: 20_000 });

    await runCommand(page, 'Switchboard: Run Test Set…');
    assert.ok(await pickQuickInputItem(page, 'capitals', { timeoutMs: 15_000 }), `no set; saw ${JSON.stringify(await quickInputItems(page))}`);
    const panel = await evalPanel();
    await panel.locator('.totals-section').waitFor({ timeout: 60_000 });
    assert.deepEqual(await panel.locator('table.grid thead th').allInnerTexts(), ['Prompt', ...MODELS]);
    const verdicts = await panel
      .locator('table.grid tbody tr')
      .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td .verdict')].map((v) => (v.textContent ?? '').trim())));
    assert.deepEqual(verdicts, [
      ['2/2', '2/2', '2/2'],
      ['2/2', '2/2', '1/2'],
      ['2/2', '2/2', '0/2'],
      ['2/2', '1/2', '0/2'],
      ['2/2', '0/2', '0/2'],
    ]);
    const totals = await panel.locator('table.totals tbody tr').allInnerTexts();
    assert.match(totals[0]!, /openai\/gpt-4o-mini\s+100%\s+10\/10\s+5\/5\s+\$0\.0007\b/);
    assert.match(totals[1]!, /openai\/gpt-4o\s+70\.0%\s+7\/10\s+3\/5\s+\$0\.003\b/);
    assert.match(totals[2]!, /openai\/o3-mini\s+30\.0%\s+3\/10\s+1\/5\s+\$0\.00035\b/);
    const board = await panel.locator('table.board-table tbody tr').allInnerTexts();
    assert.match(board[0]!, /^1\s+openai\/gpt-4o-mini\s+\d+\s+\d+–\d+\s+6-0-4/);
    assert.match(board[2]!, /^3\s+openai\/o3-mini\s+\d+\s+\d+–\d+\s+0-7-3/);
    await screenshot(page, 'ui-eval-grid');

    // A failed cell explains itself.
    const failed = panel.locator('table.grid tbody tr').nth(4).locator('td').nth(2);
    await failed.locator('details.answer > summary').click();
    assert.match(await failed.locator('.reasons').innerText(), /does not contain "cairo"/);
    await screenshot(page, 'ui-eval-failed-cell');
  }),
);

test(
  'at 280 px the panel does not overflow: the grid scrolls inside its box',
  shot('ui-eval-narrow', async () => {
    const { page } = ui;
    const panel = await evalPanel();
    await page.keyboard.press('ControlOrMeta+B');
    await page.setViewportSize({ width: 330, height: 800 });
    const widths = await panel.locator('body').evaluate(() => ({ client: document.documentElement.clientWidth, scroll: document.documentElement.scrollWidth }));
    assert.ok(widths.client <= 300, `the panel is ${widths.client} px wide`);
    assert.ok(widths.scroll <= widths.client, `the page overflows: ${JSON.stringify(widths)}`);
    await screenshot(page, 'ui-eval-280');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.keyboard.press('ControlOrMeta+B');
  }),
);

test(
  'Vote blind: pairs of answers with nothing that names a model, each vote into the leaderboard, then the reveal',
  shot('ui-eval-blind', async () => {
    const { page } = ui;
    const panel = await evalPanel();
    const boardFile = join(ui.workspace, '.switchboard', 'leaderboard.json');
    const votesInFile = (): number =>
      (JSON.parse(readFileSync(boardFile, 'utf8')) as { comparisons: { source: string }[] }).comparisons.filter((c) => c.source === 'vote').length;
    const before = votesInFile();
    await panel.locator('button.vote-blind').click();
    const card = panel.locator('section.blind-voting');
    await card.waitFor({ timeout: 10_000 });
    assert.equal(await panel.locator('table.grid').count(), 0, 'the grid is hidden while voting');
    assert.equal(await panel.locator('section.board').count(), 0, 'the leaderboard is hidden while voting');
    // 5 prompts × every two of 3 models that answered.
    assert.equal(await card.locator('.blind-progress').innerText(), 'Pair 1 of 15');
    const whole = await panel.locator('body').innerText();
    assert.ok(!/gpt-4o|o3-mini|openai/.test(whole), `the vote names a model: ${whole.slice(0, 600)}`);
    assert.equal((await card.locator('.blind-answer h3').allInnerTexts()).join(','), 'Answer A,Answer B');
    await screenshot(page, 'ui-eval-blind-vote');
    const picks = ['a', 'b', 'tie', 'skip'] as const;
    for (let i = 0; i < 15; i++) {
      await card.locator('.blind-progress', { hasText: `Pair ${i + 1} of 15` }).waitFor({ timeout: 10_000 });
      assert.ok(!/gpt-4o|o3-mini|openai/.test(await panel.locator('body').innerText()), `pair ${i + 1} names a model`);
      await card.locator(`button.vote-${picks[i % 4]!}`).click();
      // Each vote is on disk at once (a skip records nothing).
      const want = before + Math.floor((i + 1) / 4) * 3 + Math.min((i + 1) % 4, 3);
      for (const deadline = Date.now() + 10_000; votesInFile() !== want && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 100));
      assert.equal(votesInFile(), want, `after vote ${i + 1}`);
    }
    const done = panel.locator('section.blind-finished');
    await done.waitFor({ timeout: 10_000 });
    assert.equal(await done.locator('.blind-summary').innerText(), '12 of 15 votes recorded in the leaderboard.');
    const rows = await done
      .locator('table.reveal-table tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    assert.equal(rows.length, 15);
    rows.forEach(([prompt, a, b, pick], i) => {
      assert.match(prompt!, /^q[1-5]$/);
      assert.ok(MODELS.includes(a!) && MODELS.includes(b!) && a !== b, `row ${i + 1}: ${a} vs ${b}`);
      assert.equal(pick, [a, b, 'tie', 'skipped'][i % 4]);
    });
    assert.equal(new Set(rows.map(([p, a, b]) => `${p}:${[a, b].sort().join('|')}`)).size, 15, 'every pair once');
    // The leaderboard is back, with the votes in its games.
    await panel.locator('section.board table.board-table').waitFor();
    await screenshot(page, 'ui-eval-blind-revealed');
    await done.locator('button.blind-done').click();
    await panel.locator('table.grid').waitFor({ timeout: 10_000 });
  }),
);

test(
  'after a window reload the panel comes back with its run: the grid, the totals, Vote blind and Run again',
  shot('ui-eval-reload', async () => {
    const { page } = ui;
    const panel = await evalPanel();
    const grid = async (p: FrameLocator) =>
      p.locator('table.grid tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td .verdict')].map((v) => (v.textContent ?? '').trim())));
    const before = await grid(panel);
    assert.equal(before.length, 5);
    const navigated = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame(), timeout: 60_000 });
    await runCommand(page, 'Developer: Reload Window');
    await navigated;
    await waitForWorkbench(page);
    // The extension host starts again and activates for the panel: slow on a busy machine.
    const again = await evalPanel(150_000);
    await again.locator('.totals-section').waitFor({ timeout: 30_000 });
    assert.deepEqual(await grid(again), before);
    assert.match((await again.locator('table.totals tbody tr').allInnerTexts())[0]!, /openai\/gpt-4o-mini\s+100%/);
    await again.locator('button.rerun').waitFor();
    // The results came back too: a blind vote can start on them.
    await again.locator('button.vote-blind').click();
    await again.locator('section.blind-voting .blind-progress', { hasText: 'Pair 1 of 15' }).waitFor({ timeout: 10_000 });
    await again.locator('button.blind-stop').click();
    await again.locator('table.grid').waitFor({ timeout: 10_000 });
    await screenshot(page, 'ui-eval-reloaded');
  }),
);

test(
  'Escape stops a running test set (as in the chat and the comparison)',
  shot('ui-eval-escape', async () => {
    const { page } = ui;
    const panel = await evalPanel();
    slow = true;
    try {
      const answering = new Promise<void>((resolve) => (onSlowAnswer = resolve));
      await panel.locator('button.rerun').click();
      const stop = panel.locator('button.stop');
      await stop.waitFor({ state: 'visible', timeout: 30_000 });
      // A cell has its first words: stopping it leaves an estimated cost (the usage ledger records it too).
      await answering;
      assert.match((await stop.getAttribute('title')) ?? '', /Escape/, 'the button says its key');
      await panel.locator('.toolbar h1').click();
      await page.keyboard.press('Escape');
      await panel.locator('.toolbar .progress', { hasText: /cancelled at \d+\/15/ }).waitFor({ timeout: 20_000 });
      assert.equal(await stop.count(), 0, 'the run is over: no Stop');
      await panel.locator('button.rerun').waitFor();
      // The cells that were answering say "stopped", not a red error.
      assert.ok((await panel.locator('td.cell-stopped .verdict-stopped').count()) > 0, 'a cell stopped while it answered');
      assert.equal(await panel.locator('td.cell .cell-error', { hasText: /aborted|cancelled/ }).count(), 0, 'no stopped or unasked cell shows as an error');
      assert.ok((await panel.locator('td.cell-skipped .cell-note', { hasText: 'the run was cancelled' }).count()) > 0, 'the cells not asked say why, muted');
      // A stopped cell's cost is the estimate, marked "~", with why; its model's total is marked too, not "unknown".
      const cost = panel.locator('td.cell-stopped .m-cost').first();
      assert.match(await cost.innerText(), /^~\$0\.\d+$/);
      assert.match((await cost.getAttribute('title')) ?? '', /^estimated: tokens streamed × the model’s prices/);
      const model =
        (await panel
          .locator('td.cell-stopped', { has: panel.locator('.m-cost') })
          .first()
          .getAttribute('data-model')) ?? '';
      const total = panel
        .locator('table.totals tbody tr', { has: panel.locator('td.who', { hasText: new RegExp(`^${model.replace(/[/.]/g, '\\$&')}$`) }) })
        .locator('td.t-cost');
      assert.match(await total.innerText(), /^~\$[\d.]+/);
      assert.match((await total.getAttribute('title')) ?? '', /^\d+ of it estimated: /);
      await screenshot(page, 'ui-eval-escape-cancelled');
    } finally {
      slow = false;
      onSlowAnswer = null;
    }
  }),
);
