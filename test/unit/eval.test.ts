/** Test sets, checks, the matrix runner, Bradley–Terry and the "best" route strategy. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '../../src/core/client.ts';
import { SwitchboardError } from '../../src/core/errors.ts';
import {
  bradleyTerry,
  leaderboard,
  parseTestSet,
  runCheck,
  runComparisons,
  runEval,
  runJavaScript,
  schemaProblems,
  validateJson,
  writeLeaderboard,
  readLeaderboard,
  importPromptfoo,
  failedThreshold,
  MemoryUsageStore,
  type EvalClient,
  type EvalEvent,
  type Comparison,
} from '../../src/core/index.ts';
import { formatEvalCost, formatUsd } from '../../src/shared/format.ts';
import { startFakeProvider } from '../fakes/server.ts';
import type { FakeServer } from '../fakes/types.ts';
import { KEY } from './helpers.ts';
import { CELL_COST, EVAL_MODELS, EVAL_PRICING, EVAL_SET, EXPECTED_CHECKS_PASSED, scriptEvalFakes } from './evalWorld.ts';

const input = { answer: 'ANSWER: Paris.', prompt: 'q', model: 'x/y' };

describe('test-set files', () => {
  test('the example set parses', () => {
    const set = parseTestSet(JSON.stringify(EVAL_SET), 'capitals.json');
    assert.equal(set.prompts.length, 5);
  });
  test('a set saved with a byte-order mark (Windows editors) parses the same: the VS Code eval panel reads files as they are', () => {
    assert.deepEqual(parseTestSet('\uFEFF' + JSON.stringify(EVAL_SET), 'capitals.json'), parseTestSet(JSON.stringify(EVAL_SET), 'capitals.json'));
  });
  test('errors name the file, the field and the fix', () => {
    const bad = { prompts: [{ id: 'a', prompt: 'x', checks: [{ type: 'contains', value: 'x', ignorecase: true }] }] };
    assert.throws(
      () => parseTestSet(JSON.stringify(bad), 'set.json'),
      (e: SwitchboardError) => /set\.json/.test(e.message) && /prompts\[0\]\.checks\[0\]/.test(e.message) && /remove "ignorecase"/.test(e.message),
    );
    assert.throws(() => parseTestSet('{', 'x.json'), /x\.json: not valid JSON/);
    // A JSON syntax error names the place and the fix, quoting none of the file (a prompt may hold a secret).
    const secret = 'zq9XkW7vPj3RmT5hN8';
    for (const [text, line, column] of [
      [`{\n  "prompts": [\n    { "id": "a", "prompt": Bearer ${secret} }\n  ]\n}`, 3, 28],
      [`{\n  "prompts": [\n    { "id": "a", "prompt": "Bearer ${secret}"x }\n  ]\n}`, 3, 55],
    ] as const)
      assert.throws(
        () => parseTestSet(text, 'broken.json'),
        (e: unknown) => {
          assert.ok(e instanceof SwitchboardError && e.kind === 'config', String(e));
          const said = `${e.message}\n${e.fix}`;
          for (let i = 0; i + 3 <= secret.length; i++) assert.ok(!said.includes(secret.slice(i, i + 3)), `quotes "${secret.slice(i, i + 3)}": ${said}`);
          assert.ok(e.detail.startsWith(`broken.json: not valid JSON: `) && e.detail.endsWith(` at line ${line}, column ${column}`), said);
          assert.ok(e.fix?.startsWith(`fix the JSON syntax in broken.json at line ${line}, column ${column}`), said);
          return true;
        },
      );
    // A promptfoo config's YAML mistake alike: the line, none of its text (a provider's key may be on it).
    for (const [yaml, line, what] of [
      [`description: x\nproviders:\n  - id: openai:gpt-4o\n    config:\n      apiKey: "sk-${secret}\\q"\n`, 5, /an escape in a double-quoted string/],
      [`description: x\napiKey: "sk-${secret}" ${secret}\n`, 2, /unexpected text after a quoted string/],
      [`description: x\nheaders: { a: b } Bearer ${secret}\n`, 2, /unexpected text after a flow collection/],
      [`description: x\nBearer ${secret}\n`, 2, /expected "key: value"/],
    ] as const)
      assert.throws(
        () => importPromptfoo(yaml, 'promptfooconfig.yaml'),
        (e: unknown) => {
          assert.ok(e instanceof SwitchboardError && e.kind === 'config', String(e));
          const said = `${e.message}\n${e.fix}`;
          for (let i = 0; i + 3 <= secret.length; i++) assert.ok(!said.includes(secret.slice(i, i + 3)), `quotes "${secret.slice(i, i + 3)}": ${said}`);
          assert.ok(e.detail.startsWith(`promptfooconfig.yaml: line ${line}: `), said);
          assert.match(e.detail, what);
          return true;
        },
      );
    // The leaderboard file alike.
    const dir = mkdtempSync(join(tmpdir(), 'sb-lb-json-'));
    try {
      const file = join(dir, 'leaderboard.json');
      writeFileSync(file, `{\n  "version": 1,\n  "comparisons": [{ "a": ${secret} }]\n}`);
      assert.throws(
        () => readLeaderboard(file),
        (e: unknown) => {
          assert.ok(e instanceof SwitchboardError && e.kind === 'config', String(e));
          const said = `${e.message}\n${e.fix}`.replaceAll(dir, '<dir>');
          for (let i = 0; i + 3 <= secret.length; i++) assert.ok(!said.includes(secret.slice(i, i + 3)), `quotes "${secret.slice(i, i + 3)}": ${said}`);
          assert.ok(e.detail.startsWith(`${file}: not valid JSON: `) && e.detail.endsWith(' at line 3, column 26'), said);
          assert.ok(e.fix?.startsWith(`fix the JSON syntax in ${file} at line 3, column 26`), said);
          return true;
        },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.throws(
      () => parseTestSet(JSON.stringify({ prompts: [{ id: 'a', prompt: 'x', checks: [{ type: 'regex', pattern: '(' }] }] }), 'r.json'),
      /does not compile/,
    );
    assert.throws(
      () => parseTestSet(JSON.stringify({ prompts: [{ id: 'a', prompt: 'x', checks: [{ type: 'rubric', rubric: 'polite' }] }] }), 'j.json'),
      /needs a judge model/,
    );
    assert.throws(
      () =>
        parseTestSet(
          JSON.stringify({ prompts: [{ id: 'a', prompt: 'x', checks: [{ type: 'json-schema', schema: { type: 'string', format: 'email' } }] }] }),
          's.json',
        ),
      /keyword "format" is not supported/,
    );
    assert.throws(
      () =>
        parseTestSet(
          JSON.stringify({
            prompts: [
              { id: 'a', prompt: 'x' },
              { id: 'a', prompt: 'y' },
            ],
          }),
          'd.json',
        ),
      /used twice/,
    );
  });
});

describe('checks', () => {
  test('contains, regex, negation', async () => {
    assert.equal((await runCheck({ type: 'contains', value: 'paris', ignoreCase: true }, input, null)).pass, true);
    assert.equal((await runCheck({ type: 'contains', value: 'paris' }, input, null)).pass, false);
    assert.equal((await runCheck({ type: 'contains', value: 'Paris', negate: true }, input, null)).pass, false);
    assert.equal((await runCheck({ type: 'regex', pattern: '^answer:', flags: 'i' }, input, null)).pass, true);
    assert.equal((await runCheck({ type: 'regex', pattern: '^Paris' }, input, null)).pass, false);
  });
  test('JSON Schema: the whole answer or a ```json block; the subset validates what it claims', async () => {
    const schema = {
      type: 'object',
      properties: { n: { type: 'integer', minimum: 1 }, tags: { type: 'array', items: { enum: ['a', 'b'] } } },
      required: ['n'],
      additionalProperties: false,
    };
    const ok = await runCheck({ type: 'json-schema', schema }, { ...input, answer: 'Here:\n```json\n{"n": 2, "tags": ["a"]}\n```' }, null);
    assert.equal(ok.pass, true, ok.reason);
    const bad = await runCheck({ type: 'json-schema', schema }, { ...input, answer: '{"n": 0.5, "tags": ["c"], "x": 1}' }, null);
    assert.equal(bad.pass, false);
    assert.match(bad.reason, /expected integer/);
    assert.match(bad.reason, /must be one of/);
    assert.match(bad.reason, /"x" is not allowed/);
    assert.equal((await runCheck({ type: 'json-schema', schema }, input, null)).pass, false);
    assert.deepEqual(validateJson({ a: [1, 1] }, { properties: { a: { uniqueItems: true } } }), ['$.a: items are not unique']);
    assert.deepEqual(validateJson(3, { oneOf: [{ type: 'number' }, { type: 'integer' }] }), ['$: matches 2 of oneOf (exactly 1 needed)']);
    assert.match(schemaProblems({ $ref: '#/x' }).join(), /"\$ref" is not supported/);
  });
  test('JavaScript: expression or body, no require/process/host objects, a timeout, numbers need a threshold', () => {
    assert.equal(runJavaScript('output.includes("Paris")', input).pass, true);
    assert.equal(runJavaScript('const n = output.length; return n > 100;', input).pass, false);
    assert.equal(runJavaScript('({ pass: model === "x/y", reason: "model seen" })', input).reason, 'model seen');
    assert.match(runJavaScript('require("fs")', input).reason, /require is not defined/);
    assert.match(runJavaScript('process.exit(1)', input).reason, /process is not defined/);
    // Inputs arrive as JSON inside the context: no host-realm object leads back to the host's Function.
    assert.match(runJavaScript('output.constructor.constructor("return process")().pid > 0', input).reason, /threw/);
    assert.equal(runJavaScript('eval("1") === 1', input).pass, false);
    assert.match(runJavaScript('while (true) {} return true;', input, 50).reason, /timed out after 50 ms/);
    assert.match(runJavaScript('output.length / 100', input).reason, /set "threshold"/);
    assert.equal(runJavaScript('output.length / 100', input, 1000, 0.1).pass, true);
    assert.match(runJavaScript('Promise.resolve(true)', input).reason, /synchronous/);
    assert.match(runJavaScript('"yes"', input).reason, /must return/);
  });
  test('rubric: the judge score against the threshold, with its cost', async () => {
    const judge = async () => ({ score: 0.4, reason: 'too short', costUsd: 0.001 });
    const r = await runCheck({ type: 'rubric', rubric: 'detailed', threshold: 0.3 }, input, judge);
    assert.deepEqual([r.pass, r.score, r.judgeCostUsd], [true, 0.4, 0.001]);
    assert.match(r.reason, /too short/);
    const failing = await runCheck({ type: 'rubric', rubric: 'detailed' }, input, async () => Promise.reject(new Error('down')));
    assert.equal(failing.pass, false);
    assert.match(failing.reason, /judge failed: down/);
  });
});

describe('Bradley–Terry', () => {
  const games = (a: string, b: string, winsA: number, winsB: number, ties = 0): Comparison[] => [
    ...Array.from({ length: winsA }, (): Comparison => ({ a, b, outcome: 'a', source: 'vote', tags: [], at: '' })),
    ...Array.from({ length: winsB }, (): Comparison => ({ a, b, outcome: 'b', source: 'vote', tags: [], at: '' })),
    ...Array.from({ length: ties }, (): Comparison => ({ a, b, outcome: 'tie', source: 'vote', tags: [], at: '' })),
  ];
  test('a hand-computed case: strengths 4:2:1 fit the records exactly', () => {
    // A beats B 2–1 (4/6), B beats C 2–1 (2/3), A beats C 4–1 (4/5): the MLE is p = (4, 2, 1).
    // On the 400-point scale centred on the geometric mean 2: A = 1000 + 400·log10(2) = 1120.41, B = 1000, C = 879.59.
    const r = bradleyTerry([...games('A', 'B', 2, 1), ...games('B', 'C', 2, 1), ...games('A', 'C', 4, 1)], { prior: 0 });
    assert.ok(Math.abs(r.get('A')! - 1120.412) < 0.01, String(r.get('A')));
    assert.ok(Math.abs(r.get('B')! - 1000) < 0.01, String(r.get('B')));
    assert.ok(Math.abs(r.get('C')! - 879.588) < 0.01, String(r.get('C')));
  });
  test('ties count half a win each; an unbeaten model stays finite with the prior', () => {
    const even = bradleyTerry(games('A', 'B', 1, 1, 2), { prior: 0 });
    assert.ok(Math.abs(even.get('A')! - even.get('B')!) < 1e-6);
    // 3 wins, 1 loss: 3:1 odds = 400·log10(3) = 190.85 points apart.
    const r = bradleyTerry(games('A', 'B', 3, 1), { prior: 0 });
    assert.ok(Math.abs(r.get('A')! - r.get('B')! - 190.849) < 0.01);
    const unbeaten = bradleyTerry(games('A', 'B', 5, 0));
    assert.ok(Number.isFinite(unbeaten.get('A')!) && unbeaten.get('A')! > unbeaten.get('B')!);
  });
  test('the leaderboard: records, seeded bootstrap intervals around the rating, per dollar', () => {
    const board = {
      version: 1 as const,
      comparisons: [...games('A', 'B', 6, 2, 2), ...games('B', 'C', 5, 3)],
      costs: { A: { usd: 0.02, answers: 10 }, B: { usd: 0.001, answers: 10 } },
    };
    const rows = leaderboard(board, { samples: 100, seed: 3 });
    assert.deepEqual(
      rows.map((r) => [r.model, r.wins, r.losses, r.ties]),
      [
        ['A', 6, 2, 2],
        ['B', 7, 9, 2],
        ['C', 3, 5, 0],
      ],
    );
    for (const r of rows) assert.ok(r.low <= r.rating + 1e-9 && r.rating <= r.high + 1e-9 && r.low < r.high, JSON.stringify(r));
    assert.deepEqual(leaderboard(board, { samples: 100, seed: 3 }), rows, 'the same seed gives the same intervals');
    assert.equal(rows[2]!.winsPerDollar, null);
    // B is cheaper per answer by 20x: more expected wins per dollar though rated lower.
    assert.ok(rows[1]!.winsPerDollar! > rows[0]!.winsPerDollar!);
  });
});

async function evalWorld() {
  const fakes = {
    openai: await startFakeProvider('openai', { apiKey: KEY }),
    anthropic: await startFakeProvider('anthropic', { apiKey: KEY }),
    gemini: await startFakeProvider('gemini', { apiKey: KEY }),
  };
  scriptEvalFakes(fakes);
  return fakes;
}

function clientFor(fakes: Record<'openai' | 'anthropic' | 'gemini', FakeServer>, extra: Record<string, unknown> = {}, opts: Record<string, unknown> = {}) {
  return createClient(
    {
      retries: { maxRetries: 0 },
      pricing: EVAL_PRICING,
      providers: [
        { id: 'openai', baseUrl: fakes.openai.baseUrl },
        { id: 'anthropic', baseUrl: fakes.anthropic.baseUrl },
        { id: 'google', baseUrl: fakes.gemini.baseUrl },
      ],
      ...extra,
    },
    { env: { OPENAI_API_KEY: KEY, ANTHROPIC_API_KEY: KEY, GEMINI_API_KEY: KEY }, ...opts },
  );
}

describe('the matrix runner', () => {
  test('5 prompts × 3 models × 2 checks: the grid, the totals, events, the concurrency limit', async (t) => {
    const fakes = await evalWorld();
    const client = clientFor(fakes);
    t.after(async () => {
      await client.close();
      await Promise.all(Object.values(fakes).map((f) => f.close()));
    });
    const events: EvalEvent[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const set = parseTestSet(JSON.stringify(EVAL_SET), 'capitals.json');
    const results = await runEval({
      client,
      set,
      name: 'capitals',
      models: [...EVAL_MODELS],
      concurrency: 2,
      readFile: () => assert.fail('no context files'),
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'cell-start') maxInFlight = Math.max(maxInFlight, ++inFlight);
        if (e.type === 'cell-done') inFlight--;
      },
    });
    assert.equal(maxInFlight, 2);
    assert.equal(events[0]!.type, 'estimate');
    assert.equal(events.filter((e) => e.type === 'cell-done').length, 15);
    assert.equal(events.at(-1)!.type, 'done');
    // The grid: pass/fail per cell per check.
    const grid = results.cells.map((row) => row.map((c) => c.checks.map((k) => (k.pass ? 1 : 0)).join('')));
    assert.deepEqual(grid, [
      ['11', '11', '11'],
      ['11', '11', '10'],
      ['11', '11', '00'],
      ['11', '10', '00'],
      ['11', '00', '00'],
    ]);
    for (const t2 of results.totals) {
      const m = t2.model as keyof typeof CELL_COST;
      assert.equal(t2.checksPassed, EXPECTED_CHECKS_PASSED[m]);
      assert.equal(t2.passRate, EXPECTED_CHECKS_PASSED[m] / 10);
      assert.equal(t2.costUsd, Number((CELL_COST[m] * 5).toPrecision(12)));
      assert.equal(t2.inputTokens, 500);
      assert.equal(t2.outputTokens, 100);
      assert.equal(t2.answered, 5);
      assert.ok(t2.meanLatencyMs !== null && t2.meanLatencyMs >= 0);
    }
    assert.deepEqual(
      failedThreshold(results, 0.7).map((f) => f.model),
      ['google/gemini-2.5-flash'],
    );
    // The estimate before the run: each prompt's estimated tokens + 50 output at each price.
    assert.equal(results.estimate.requests, 15);
    assert.ok(results.estimate.totalUsd! > 0);
    assert.deepEqual(results.estimate.unpriced, []);
    // Every request was tagged "eval" for the ledger and asked with the set's defaults.
    assert.equal(fakes.openai.requests.filter((r) => r.method === 'POST')[0]!.body.max_completion_tokens, 50);
    // Leaderboard arithmetic from checks: openai never loses, gemini never wins.
    const { comparisons, costs } = runComparisons(results, new Date(0));
    assert.equal(comparisons.length, 15);
    assert.equal(costs['openai/gpt-4o-mini']!.answers, 5);
    assert.ok(Math.abs(costs['openai/gpt-4o-mini']!.usd - 0.0007) < 1e-12);
    const rows = leaderboard({ version: 1, comparisons, costs }, { samples: 0 });
    assert.deepEqual(
      rows.map((r) => [r.model, r.wins, r.losses, r.ties]),
      [
        ['openai/gpt-4o-mini', 6, 0, 4],
        ['anthropic/claude-sonnet-4', 3, 2, 5],
        ['google/gemini-2.5-flash', 0, 7, 3],
      ],
    );
  });

  test('a blocking budget stops the run: later cells are not asked', async (t) => {
    const fakes = await evalWorld();
    const dir = mkdtempSync(join(tmpdir(), 'sb-eval-'));
    const { SqliteUsageStore } = await import('../../src/core/router/sqliteLedger.ts');
    const ledger = new SqliteUsageStore(join(dir, 'ledger.db'));
    // Each openai cell holds (tokens + 50 output) at $1/$2 per 1M ≈ $0.00013; the budget fits two.
    const client = clientFor(fakes, { budget: { daily: 0.0003, onExceed: 'block' } }, { ledger });
    t.after(async () => {
      await client.close();
      await Promise.all(Object.values(fakes).map((f) => f.close()));
      ledger.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const set = parseTestSet(JSON.stringify(EVAL_SET), 'capitals.json');
    const results = await runEval({ client, set, name: 'capitals', models: ['openai/gpt-4o-mini'], concurrency: 1, readFile: () => '' });
    const statuses = results.cells.map((r) => r[0]!.status);
    assert.deepEqual(statuses, ['ok', 'ok', 'error', 'skipped', 'skipped']);
    assert.equal(results.cells[2]![0]!.error!.kind, 'budget');
    assert.match(results.cells[3]![0]!.error!.message, /not asked/);
    assert.equal(fakes.openai.requests.filter((r) => r.method === 'POST').length, 2);
  });

  test('a cell the user stopped while it answered keeps the cost the ledger records, marked as an estimate; the totals count it so', async (t) => {
    const fake = await startFakeProvider('openai', { apiKey: KEY });
    // The first words, then nothing more: the user stops it.
    fake.setDefault({ text: 'Paris is the capital of France.', chunks: 4, stallAfterChunks: 1 });
    const ledger = new MemoryUsageStore();
    const client = createClient(
      { retries: { maxRetries: 0 }, pricing: EVAL_PRICING, providers: [{ id: 'openai', baseUrl: fake.baseUrl }] },
      { env: { OPENAI_API_KEY: KEY }, ledger },
    );
    t.after(async () => {
      await client.close();
      await fake.close();
    });
    const stop = new AbortController();
    // Stop (the panel's Stop, or Escape) once the answer's first text has arrived.
    const stopping: EvalClient = {
      catalog: client.catalog,
      stream: (req) => {
        const s = client.stream(req);
        void (async () => {
          for await (const part of s) if (part.type === 'text-delta') stop.abort();
        })();
        return s;
      },
    };
    const set = parseTestSet(JSON.stringify({ ...EVAL_SET, prompts: EVAL_SET.prompts.slice(0, 1) }), 'capitals.json');
    const results = await runEval({
      client: stopping,
      set,
      name: 'c',
      models: ['openai/gpt-4o-mini'],
      concurrency: 1,
      readFile: () => '',
      signal: stop.signal,
    });
    const cell = results.cells[0]![0]!;
    assert.equal(cell.error?.kind, 'aborted');
    const [entry] = await ledger.readAll();
    assert.equal(entry?.costEstimated, true, 'the ledger has an estimate');
    assert.ok(cell.costUsd !== null && cell.costUsd > 0);
    assert.equal(cell.costUsd, entry.costUsd, "the cell has the ledger's figure");
    assert.equal(cell.costEstimated, true);
    const [totals] = results.totals;
    assert.deepEqual([totals!.costUsd, totals!.estimatedCost, totals!.unknownCost, totals!.errors], [cell.costUsd, 1, 0, 0]);
    assert.equal(formatEvalCost(totals!), `~${formatUsd(cell.costUsd)}`);
    assert.equal(formatEvalCost({ costUsd: 0.0012, unknownCost: 2, estimatedCost: 0 }), '$0.0012 (+2 unknown)');
  });

  test('a run cap (maxCostUsd) leaves cells unasked before sending', async (t) => {
    const fakes = await evalWorld();
    const client = clientFor(fakes);
    t.after(async () => {
      await client.close();
      await Promise.all(Object.values(fakes).map((f) => f.close()));
    });
    const set = parseTestSet(JSON.stringify(EVAL_SET), 'capitals.json');
    const results = await runEval({ client, set, name: 'c', models: ['anthropic/claude-sonnet-4'], concurrency: 1, readFile: () => '', maxCostUsd: 0.002 });
    const asked = results.cells.filter((r) => r[0]!.status === 'ok').length;
    assert.ok(asked >= 1 && asked < 5, `asked ${asked}`);
    assert.equal(fakes.anthropic.requests.filter((r) => r.method === 'POST').length, asked);
    assert.match(results.cells[4]![0]!.error!.message, /run's cap of \$0.002/);
  });
});

describe('routes with strategy "best"', () => {
  test('the best-rated model first; with withinPoints the cheapest near the top; none rated: the order stands, with a warning', async (t) => {
    const fakes = await evalWorld();
    const dir = mkdtempSync(join(tmpdir(), 'sb-best-'));
    const file = join(dir, 'leaderboard.json');
    const c = (a: string, b: string, outcome: 'a' | 'b', n: number): Comparison[] =>
      Array.from({ length: n }, () => ({ a, b, outcome, source: 'judge' as const, tags: ['geo'], at: '' }));
    // gemini >> anthropic > openai on "geo"; anthropic and gemini close.
    writeLeaderboard(file, {
      version: 1,
      comparisons: [
        ...c('google/gemini-2.5-flash', 'openai/gpt-4o-mini', 'a', 8),
        ...c('anthropic/claude-sonnet-4', 'openai/gpt-4o-mini', 'a', 8),
        ...c('google/gemini-2.5-flash', 'anthropic/claude-sonnet-4', 'a', 1),
      ],
      costs: {},
    });
    const routes = [
      { id: 'geo', models: [...EVAL_MODELS], strategy: 'best', tag: 'geo' },
      {
        id: 'geo-value',
        models: ['anthropic/claude-sonnet-4', 'openai/gpt-4o-mini', 'google/gemini-2.5-flash'],
        strategy: 'best',
        tag: 'geo',
        withinPoints: 200,
      },
      { id: 'code', models: [...EVAL_MODELS], strategy: 'best', tag: 'code' },
    ];
    const client = clientFor(fakes, { routes }, { leaderboardFile: file });
    t.after(async () => {
      await client.close();
      await Promise.all(Object.values(fakes).map((f) => f.close()));
      rmSync(dir, { recursive: true, force: true });
    });
    const ask = (model: string) => client.complete({ model, messages: [{ role: 'user', content: 'Q1: name the capital' }] });
    const best = await ask('route/geo');
    assert.equal(best.answeredBy, 'google/gemini-2.5-flash');
    // gemini (best) and anthropic are within 200 points; gemini is the cheaper of the two.
    const value = await ask('route/geo-value');
    assert.equal(value.answeredBy, 'google/gemini-2.5-flash');
    const none = await ask('route/code');
    assert.equal(none.answeredBy, 'openai/gpt-4o-mini');
    assert.match(none.warnings.join('\n'), /no leaderboard ratings .* using the route's order/);
    assert.throws(() => createClient({ routes: [{ id: 'x', models: ['a/b'], strategy: 'ordered', tag: 'geo' }] }), /only apply to strategy "best"/);
  });
});
