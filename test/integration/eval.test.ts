/// <reference types="mocha" />
// Test sets in a real extension host: "Run Test Set…" over three fake providers (5 prompts × 3
// models × 2 checks) — the grid, the totals, the leaderboard it records — and the code-run path on
// the sample project, ending with "apply the winner".
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { EvalPanel } from '../../src/host/eval/panel.ts';
import type { ComparePanel } from '../../src/host/compare/panel.ts';
import { startFakeProvider, type FakeServer } from '../fakes/server.ts';
import { CELL_COST, EVAL_MODELS, EVAL_PRICING, EVAL_SET, EXPECTED_CHECKS_PASSED, scriptEvalFakes } from '../unit/evalWorld.ts';
import { ANSWERS, codeSet, FIXTURE_FILES, GOOD_FILE } from '../unit/evalCodeRun.ts';
import { closeAllEditors, resetSettings, services, setSetting, waitFor } from './helpers.ts';

const KEY = 'sk-eval-integration-0123';

describe('Test sets (host)', function () {
  this.timeout(120_000);
  let fakes: { openai: FakeServer; anthropic: FakeServer; gemini: FakeServer };
  let root: string;

  before(async () => {
    fakes = {
      openai: await startFakeProvider('openai', { apiKey: KEY }),
      anthropic: await startFakeProvider('anthropic', { apiKey: KEY }),
      gemini: await startFakeProvider('gemini', { apiKey: KEY }),
    };
    scriptEvalFakes(fakes);
    await setSetting('providers', [
      { id: 'openai', baseUrl: fakes.openai.baseUrl },
      { id: 'anthropic', baseUrl: fakes.anthropic.baseUrl },
      { id: 'google', baseUrl: fakes.gemini.baseUrl },
    ]);
    await setSetting('pricing', EVAL_PRICING);
    for (const provider of ['openai', 'anthropic', 'google'])
      await vscode.commands.executeCommand('switchboard.setApiKey', { provider, key: KEY, verify: false });
    const s = await services();
    await waitFor('the fake providers in use', () => ['openai', 'anthropic', 'google'].every((p) => s.providers().includes(p)));
    root = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    mkdirSync(join(root, '.switchboard', 'evals'), { recursive: true });
    // Comparison votes of earlier suites also go to this workspace's leaderboard: start from none.
    rmSync(join(root, '.switchboard', 'leaderboard.json'), { force: true });
    writeFileSync(join(root, '.switchboard', 'evals', 'capitals.json'), JSON.stringify(EVAL_SET, null, 2));
  });

  after(async () => {
    await closeAllEditors();
    for (const provider of ['openai', 'anthropic', 'google']) await vscode.commands.executeCommand('switchboard.removeApiKey', provider);
    await resetSettings();
    await Promise.all(Object.values(fakes).map((f) => f.close()));
  });

  it('runs 5 prompts × 3 models × 2 checks: the grid, the totals, and the leaderboard it records', async () => {
    const panel = (await vscode.commands.executeCommand('switchboard.runTestSet', { set: 'capitals', models: [...EVAL_MODELS] })) as EvalPanel;
    assert.ok(panel, 'the command returns the panel');
    const results = await panel.done!;
    const s = panel.state();
    assert.equal(s.status, 'done');
    assert.deepEqual(s.progress, { done: 15, total: 15 });
    assert.deepEqual(
      s.cells.map((row) => row.map((c) => c.checks.map((k) => (k.pass ? 1 : 0)).join(''))),
      [
        ['11', '11', '11'],
        ['11', '11', '10'],
        ['11', '11', '00'],
        ['11', '10', '00'],
        ['11', '00', '00'],
      ],
    );
    for (const t of s.totals!) {
      const m = t.model as keyof typeof CELL_COST;
      assert.equal(t.checksPassed, EXPECTED_CHECKS_PASSED[m]);
      assert.ok(Math.abs(t.costUsd - CELL_COST[m] * 5) < 1e-12, `${m}: ${t.costUsd}`);
      assert.deepEqual([t.inputTokens, t.outputTokens, t.errors], [500, 100, 0]);
    }
    assert.equal(results.cells.flat().length, 15);
    // The run is in the workspace's leaderboard (file and view), by the set's tag too.
    const file = JSON.parse(readFileSync(join(root, '.switchboard', 'leaderboard.json'), 'utf8'));
    assert.equal(file.comparisons.length, 15);
    assert.deepEqual(
      s.board.rows.map((r) => [r.model, r.wins, r.losses, r.ties]),
      [
        ['openai/gpt-4o-mini', 6, 0, 4],
        ['anthropic/claude-sonnet-4', 3, 2, 5],
        ['google/gemini-2.5-flash', 0, 7, 3],
      ],
    );
    assert.deepEqual(s.board.tags, ['geo']);
    const board = (await vscode.commands.executeCommand('switchboard.showLeaderboard')) as EvalPanel;
    assert.equal(board.state().mode, 'leaderboard');
    assert.equal(board.state().board.rows[0]!.model, 'openai/gpt-4o-mini');
    board.dispose();
    panel.dispose();
  });

  it('code that is run: the passing changes win, the failing one shows its output, "apply the winner" writes it', async () => {
    for (const [name, text] of Object.entries(FIXTURE_FILES)) writeFileSync(join(root, name), text);
    // The extension host's own Node runs the sample project's tests.
    writeFileSync(join(root, '.switchboard', 'evals', 'slug.json'), JSON.stringify(codeSet(`"${process.execPath}" --test slug.test.mjs`)));
    for (const p of ['openai', 'anthropic', 'gemini'] as const) fakes[p].setDefault({ text: ANSWERS[p], usage: { input: 100, output: 20 } });
    const panel = (await vscode.commands.executeCommand('switchboard.runTestSet', { set: 'slug', models: [...EVAL_MODELS] })) as EvalPanel;
    await panel.done!;
    const s = panel.state();
    assert.deepEqual(
      s.cells[0]!.map((c) => [c.model, c.pass]),
      [
        ['openai/gpt-4o-mini', true],
        ['anthropic/claude-sonnet-4', true],
        ['google/gemini-2.5-flash', false],
      ],
    );
    assert.match(s.cells[0]![2]!.output!, /hello,-world!/);
    assert.equal(s.winners[0], 'openai/gpt-4o-mini');
    assert.equal(readFileSync(join(root, 'slug.mjs'), 'utf8'), FIXTURE_FILES['slug.mjs'], 'the run leaves the real files alone');
    assert.deepEqual(await panel.applyWinner(0), ['slug.mjs']);
    assert.equal(readFileSync(join(root, 'slug.mjs'), 'utf8'), GOOD_FILE);
    assert.equal(panel.state().applied[0], 'openai/gpt-4o-mini');
    panel.dispose();
    scriptEvalFakes(fakes);
  });

  it('a blind vote in a comparison reaches the leaderboard pairwise: the winner over each other answer', async () => {
    const file = join(root, '.switchboard', 'leaderboard.json');
    const votesBefore = (JSON.parse(readFileSync(file, 'utf8')).comparisons as { source: string }[]).filter((c) => c.source === 'vote').length;
    const p = (await vscode.commands.executeCommand('switchboard.openComparison', {
      models: [...EVAL_MODELS],
      question: 'x',
      withSelection: false,
    })) as ComparePanel;
    assert.equal(p.start([...EVAL_MODELS], 'Q1: name the capital city number 1.', true), true);
    await waitFor('all answered', () => p.currentRun()!.columns.every((c) => c.status === 'done'), 30_000);
    const winner = p.currentRun()!.columns[1]!.model!;
    assert.equal(await p.vote(1), true);
    const votes = (JSON.parse(readFileSync(file, 'utf8')).comparisons as { a: string; b: string; outcome: string; source: string }[]).filter(
      (c) => c.source === 'vote',
    );
    assert.equal(votes.length, votesBefore + 2);
    for (const v of votes.slice(-2)) assert.deepEqual([v.a, v.outcome], [winner, 'a']);
    assert.deepEqual(
      votes
        .slice(-2)
        .map((v) => v.b)
        .sort(),
      EVAL_MODELS.filter((m) => m !== winner).sort(),
    );
    p.dispose();
  });
});
