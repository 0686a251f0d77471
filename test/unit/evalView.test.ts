/** The test-set panel's view model (host/common/evalView.ts): run events → the snapshot the webview gets, which its schema accepts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EvalView } from '../../src/host/common/evalView.ts';
import { EvalStateSchema, EvalToHostSchema } from '../../src/shared/protocol/eval.ts';
import { parseTestSet, type EvalCell, type EvalResults } from '../../src/core/index.ts';
import { EVAL_SET } from './evalWorld.ts';

const cell = (promptId: string, model: string, pass: boolean, extra: Partial<EvalCell> = {}): EvalCell => ({
  promptId,
  model,
  status: 'ok',
  answeredBy: model,
  text: 'x'.repeat(5000),
  checks: [{ type: 'contains', label: 'contains "a"', pass, reason: pass ? 'contains "a"' : 'does not contain "a"' }],
  pass,
  costUsd: 0.001,
  judgeCostUsd: 0,
  latencyMs: 10,
  ttftMs: 5,
  inputTokens: 10,
  outputTokens: 2,
  error: null,
  ...extra,
});

test('events fill the grid live; the end adds totals and the code-run winner; the snapshot parses', () => {
  const set = parseTestSet(JSON.stringify({ ...EVAL_SET, prompts: EVAL_SET.prompts.slice(0, 2) }), 's.json');
  const v = new EvalView('run', '/ws/.switchboard/leaderboard.json', true);
  v.start('capitals', set, ['a/x', 'b/y']);
  assert.equal(v.state.status, 'running');
  assert.deepEqual(
    v.state.cells.map((r) => r.map((c) => c.status)),
    [
      ['waiting', 'waiting'],
      ['waiting', 'waiting'],
    ],
  );
  v.onEvent({ type: 'estimate', estimate: { totalUsd: 0.01, perModel: {}, judgeUsd: 0, unpriced: [], requests: 4 } });
  v.onEvent({ type: 'cell-start', promptId: 'q2', model: 'b/y' });
  assert.equal(v.state.cells[1]![1]!.status, 'running');
  const done = cell('q2', 'b/y', false);
  v.onEvent({ type: 'cell-done', cell: done, done: 1, total: 4 });
  assert.equal(v.state.cells[1]![1]!.pass, false);
  assert.ok(v.state.cells[1]![1]!.text.length <= 4001, 'answers are shortened for the view');
  assert.deepEqual(v.state.progress, { done: 1, total: 4 });
  const results: EvalResults = {
    set: 'capitals',
    models: ['a/x', 'b/y'],
    prompts: [
      { id: 'q1', tags: [], checks: [] },
      { id: 'q2', tags: [], checks: [] },
    ],
    cells: [
      [cell('q1', 'a/x', true), cell('q1', 'b/y', true)],
      [cell('q2', 'a/x', true), done],
    ],
    totals: [],
    estimate: { totalUsd: 0.01, perModel: {}, judgeUsd: 0, unpriced: [], requests: 4 },
    startedAt: new Date(0).toISOString(),
    durationMs: 5,
    cancelled: false,
  };
  v.finish(results);
  assert.equal(v.state.status, 'done');
  assert.deepEqual(v.state.winners, [null, null], 'no codeRun prompts, no winners');
  v.setBoard({ version: 1, comparisons: [{ a: 'a/x', b: 'b/y', outcome: 'a', source: 'checks', tags: ['geo'], at: '' }], costs: {} }, 'geo');
  assert.deepEqual(
    v.state.board.rows.map((r) => r.model),
    ['a/x', 'b/y'],
  );
  assert.equal(v.state.board.tag, 'geo');
  v.setBoard({ version: 1, comparisons: [], costs: {} }, 'gone');
  assert.equal(v.state.board.tag, null, 'a tag no longer on the board falls back to all');
  assert.equal(EvalStateSchema.safeParse(JSON.parse(JSON.stringify(v.state))).success, true);
  assert.equal(EvalToHostSchema.safeParse({ type: 'apply', prompt: -1 }).success, false);
  assert.equal(EvalToHostSchema.safeParse({ type: 'run', path: '/etc/passwd' }).success, false);
});
