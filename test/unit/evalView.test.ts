/** The test-set panel's view model (host/common/evalView.ts): run events → the snapshot the webview gets, which its schema accepts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EvalView } from '../../src/host/common/evalView.ts';
import { EvalStateSchema, EvalToHostSchema } from '../../src/shared/protocol/eval.ts';
import { parseTestSet, seededRandom, type Comparison, type EvalCell, type EvalResults } from '../../src/core/index.ts';
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

test('a blind vote: every answered pair once, sides shuffled, nothing that names a model until the last vote, then the reveal', () => {
  const set = parseTestSet(JSON.stringify({ ...EVAL_SET, prompts: EVAL_SET.prompts.slice(0, 2) }), 's.json');
  const models = ['a/x', 'b/y', 'c/z'];
  const v = new EvalView('run', '/ws/.switchboard/leaderboard.json', true);
  v.start('capitals', set, models);
  v.blindRun();
  const answer = (p: string, m: string): string => `answer to ${p} by ${m.replace('/', ' slash ')}`;
  const row = (p: string): EvalCell[] => models.map((m) => cell(p, m, true, { text: answer(p, m) }));
  // q2: c/z failed, so q2 has one pair (a/x, b/y); q1 has three.
  const q2 = row('q2');
  q2[2] = cell('q2', 'c/z', false, { status: 'error', text: '', error: { kind: 'rate_limit', message: 'Rate limited' } });
  v.onEvent({ type: 'cell-done', cell: q2[0]!, done: 1, total: 6 });
  const names = /a\/x|b\/y|c\/z/;
  assert.ok(!names.test(JSON.stringify(v.snapshot())), `a blind run's progress names a model: ${JSON.stringify(v.snapshot()).slice(0, 400)}`);
  assert.ok(names.test(JSON.stringify(v.state)), 'the host keeps the whole state');
  const results: EvalResults = {
    set: 'capitals',
    models,
    prompts: [
      { id: 'q1', tags: ['geo'], checks: [] },
      { id: 'q2', tags: [], checks: [] },
    ],
    cells: [row('q1'), q2],
    totals: [],
    estimate: { totalUsd: 0.01, perModel: {}, judgeUsd: 0, unpriced: [], requests: 6 },
    startedAt: new Date(0).toISOString(),
    durationMs: 5,
    cancelled: false,
  };
  v.finish(results);
  assert.equal(v.beginVoting(seededRandom(3)), true);
  const seen: string[] = [];
  const at = new Date('2026-12-02T00:00:00Z');
  const outcomes: (Comparison | null)[] = [];
  const choices = ['a', 'b', 'tie', 'skip'] as const;
  for (let i = 0; i < 4; i++) {
    const snap = v.snapshot();
    assert.equal(EvalStateSchema.safeParse(JSON.parse(JSON.stringify(snap))).success, true);
    const shown = JSON.stringify(snap);
    assert.ok(!names.test(shown), `pair ${i + 1} names a model: ${shown.slice(0, 600)}`);
    const b = snap.blind!;
    assert.equal(b.phase, 'voting');
    assert.deepEqual([b.index, b.total], [i, 4]);
    // The answers shown are two different models' answers to the prompt shown.
    const prompt = snap.prompts.find((p) => b.prompt === p.prompt)!;
    assert.ok(prompt, `the prompt shown is one of the set's: ${b.prompt}`);
    assert.ok(b.a.startsWith(`answer to ${prompt.id} by`) && b.b.startsWith(`answer to ${prompt.id} by`) && b.a !== b.b);
    seen.push(`${prompt.id}:${[b.a, b.b].sort().join('|')}`);
    outcomes.push(v.vote(choices[i]!, at));
  }
  assert.equal(new Set(seen).size, 4, 'each pair once');
  assert.equal(seen.filter((x) => x.startsWith('q2:')).length, 1, 'the failed answer is not in a pair');
  // The outcomes: the pick maps to the model shown on that side; a skip records nothing.
  const revealed = v.state.blind!.revealed;
  assert.equal(v.state.blind!.phase, 'finished');
  assert.equal(v.state.blind!.recorded, 3);
  assert.equal(outcomes[3], null);
  for (let i = 0; i < 3; i++) {
    const o = outcomes[i]!;
    assert.deepEqual([o.a, o.b, o.outcome, o.source, o.at, o.set], [revealed[i]!.a, revealed[i]!.b, choices[i], 'vote', at.toISOString(), 'capitals']);
    assert.deepEqual(o.tags, o.prompt === 'q1' ? ['geo'] : []);
  }
  assert.ok(names.test(JSON.stringify(v.snapshot())), 'after the last vote the reveal names the models');
  // Over many shuffles both sides get each model: the side carries no information.
  const sides = new Set<string>();
  for (let seed = 0; seed < 20; seed++) {
    const w = new EvalView('run', '/ws/lb.json', true);
    w.start('capitals', set, models);
    w.finish(results);
    w.beginVoting(seededRandom(seed));
    sides.add(`${w.state.blind!.a.split(' by ')[1]}`);
  }
  assert.ok(sides.size >= 3, `answer A came from ${[...sides].join(', ')}`);
  v.endBlind();
  assert.equal(v.state.blind, null);
});

test('no blind vote when no prompt has two answers; a cancelled run has none either', () => {
  const set = parseTestSet(JSON.stringify({ ...EVAL_SET, prompts: EVAL_SET.prompts.slice(0, 1) }), 's.json');
  const v = new EvalView('run', '/ws/lb.json', true);
  v.start('capitals', set, ['a/x', 'b/y']);
  const base = {
    set: 'capitals',
    models: ['a/x', 'b/y'],
    prompts: [{ id: 'q1', tags: [], checks: [] }],
    totals: [],
    estimate: { totalUsd: 0, perModel: {}, judgeUsd: 0, unpriced: [], requests: 2 },
    startedAt: '',
    durationMs: 1,
  };
  v.finish({ ...base, cancelled: false, cells: [[cell('q1', 'a/x', true), cell('q1', 'b/y', false, { status: 'error', text: '' })]] });
  assert.equal(v.beginVoting(seededRandom(1)), false);
  assert.equal(v.state.blind, null);
  v.finish({ ...base, cancelled: true, cells: [[cell('q1', 'a/x', true), cell('q1', 'b/y', true)]] });
  assert.equal(v.beginVoting(seededRandom(1)), false);
});

test('a cell the user stopped while it answered is "stopped" in the view, not an error; a real failure stays an error', () => {
  const set = parseTestSet(JSON.stringify({ ...EVAL_SET, prompts: EVAL_SET.prompts.slice(0, 1) }), 's.json');
  const v = new EvalView('run', '/ws/.switchboard/leaderboard.json', true);
  v.start('capitals', set, ['a/x', 'b/y']);
  const aborted = { kind: 'aborted', message: 'aborted: the request was cancelled' };
  // Cut off before the provider counted: the router's estimate (what the usage ledger records too).
  const estimate = { costUsd: 0.0000123, costEstimated: true };
  v.onEvent({ type: 'cell-done', cell: cell('q1', 'a/x', false, { status: 'error', pass: null, checks: [], error: aborted, ...estimate }), done: 1, total: 2 });
  v.onEvent({
    type: 'cell-done',
    cell: cell('q1', 'b/y', false, { status: 'error', pass: null, checks: [], error: { kind: 'server', message: 'HTTP 500' } }),
    done: 2,
    total: 2,
  });
  const [stopped, failed] = v.state.cells[0]!;
  assert.equal(stopped!.status, 'stopped');
  assert.equal(stopped!.byUser, true);
  assert.equal(failed!.byUser, undefined);
  assert.equal(stopped!.error, 'stopped before the answer was complete');
  assert.deepEqual([stopped!.costUsd, stopped!.costEstimated], [0.0000123, true], 'the estimate is shown, marked');
  assert.equal(failed!.costEstimated, undefined);
  assert.equal(failed!.status, 'error');
  assert.equal(failed!.error, 'HTTP 500');
  assert.equal(EvalStateSchema.safeParse(JSON.parse(JSON.stringify(v.state))).success, true);
});
