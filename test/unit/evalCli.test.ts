/**
 * `switchboard eval` end to end: the built CLI spawned against three strict fakes with scripted
 * answers (5 prompts × 3 models × 2 checks), the leaderboard it keeps, and promptfoo round trips.
 */
import { describe, test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeProvider } from '../fakes/server.ts';
import type { FakeServer } from '../fakes/types.ts';
import { KEY } from './helpers.ts';
import { privateCliCopy } from './builtCli.ts';
import { cpSync } from 'node:fs';
import { ANSWERS, codeSet, FIXTURE, GOOD_FILE } from './evalCodeRun.ts';
import { CELL_COST, EVAL_MODELS, EVAL_PRICING, EVAL_SET, EXPECTED_CHECKS_PASSED, scriptEvalFakes } from './evalWorld.ts';

let CLI: string;
let tmpRoot: string;
before(async () => {
  tmpRoot = mkdtempSync(join(tmpdir(), 'sb-evalcli-'));
  CLI = await privateCliCopy(tmpRoot);
});
after(() => rmSync(tmpRoot, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let seq = 0;
async function world(t: TestContext) {
  const dir = join(tmpRoot, `w${++seq}`);
  for (const d of ['home', 'config', 'data', 'cache', 'ws/.switchboard/evals']) mkdirSync(join(dir, d), { recursive: true });
  const fakes = {
    openai: await startFakeProvider('openai', { apiKey: KEY }),
    anthropic: await startFakeProvider('anthropic', { apiKey: KEY }),
    gemini: await startFakeProvider('gemini', { apiKey: KEY }),
  };
  scriptEvalFakes(fakes);
  t.after(() => Promise.all(Object.values(fakes).map((f) => f.close())));
  const configPath = join(dir, 'config.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      retries: { maxRetries: 0 },
      pricing: EVAL_PRICING,
      providers: [
        { id: 'openai', baseUrl: fakes.openai.baseUrl },
        { id: 'anthropic', baseUrl: fakes.anthropic.baseUrl },
        { id: 'google', baseUrl: fakes.gemini.baseUrl },
      ],
    }),
  );
  const ws = join(dir, 'ws');
  writeFileSync(join(ws, '.switchboard', 'evals', 'capitals.json'), JSON.stringify(EVAL_SET, null, 2));
  const env = {
    HOME: join(dir, 'home'),
    XDG_CONFIG_HOME: join(dir, 'config'),
    XDG_DATA_HOME: join(dir, 'data'),
    XDG_CACHE_HOME: join(dir, 'cache'),
    TZ: 'UTC',
    NO_COLOR: '1',
    NODE_COMPILE_CACHE: join(tmpRoot, 'v8-cache'),
    OPENAI_API_KEY: KEY,
    ANTHROPIC_API_KEY: KEY,
    GEMINI_API_KEY: KEY,
  };
  const run = (args: string[], withConfig = true): Promise<Run> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...args, ...(withConfig ? ['--config', configPath] : [])], {
        cwd: ws,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  return { dir, ws, fakes, run };
}

const posts = (f: FakeServer) => f.requests.filter((r) => r.method === 'POST').length;

describe('switchboard eval', { concurrency: true }, () => {
  test('run: the grid, the totals, a failed threshold exits 1; the leaderboard records the run', async (t) => {
    const w = await world(t);
    const r = await w.run(['eval', 'run', 'capitals', '--models', EVAL_MODELS.join(','), '--concurrency', '3', '--threshold', '50%', '--json']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /google\/gemini-2\.5-flash passed 30\.0% of its checks, below the threshold of 50\.0%/);
    assert.match(r.stderr, /\[15\/15\]/);
    const out = JSON.parse(r.stdout);
    assert.equal(out.cells.length, 5);
    assert.deepEqual(
      out.cells.map((row: { pass: boolean }[]) => row.map((c) => c.pass)),
      [
        [true, true, true],
        [true, true, false],
        [true, true, false],
        [true, false, false],
        [true, false, false],
      ],
    );
    for (const t2 of out.totals) {
      const m = t2.model as keyof typeof CELL_COST;
      assert.equal(t2.checksPassed, EXPECTED_CHECKS_PASSED[m]);
      assert.equal(t2.checksRun, 10);
      assert.ok(Math.abs(t2.costUsd - CELL_COST[m] * 5) < 1e-12, `${m} ${t2.costUsd}`);
      assert.equal(t2.outputTokens, 100);
    }
    assert.deepEqual(
      out.failedThreshold.map((f: { model: string }) => f.model),
      ['google/gemini-2.5-flash'],
    );
    assert.equal(out.recordedComparisons, 15);
    for (const f of Object.values(w.fakes)) assert.equal(posts(f), 5);

    // The leaderboard from the run's checks: openai 6-0-4, anthropic 3-2-5, gemini 0-7-3.
    const lb = await w.run(['eval', 'leaderboard', '--json'], false);
    assert.equal(lb.code, 0, lb.stderr);
    const rows = JSON.parse(lb.stdout).rows as {
      model: string;
      wins: number;
      losses: number;
      ties: number;
      rating: number;
      low: number;
      high: number;
      meanCostUsd: number;
    }[];
    assert.deepEqual(
      rows.map((x) => [x.model, x.wins, x.losses, x.ties]),
      [
        ['openai/gpt-4o-mini', 6, 0, 4],
        ['anthropic/claude-sonnet-4', 3, 2, 5],
        ['google/gemini-2.5-flash', 0, 7, 3],
      ],
    );
    assert.ok(Math.abs(rows[0]!.meanCostUsd - CELL_COST['openai/gpt-4o-mini']) < 1e-12);
    for (const x of rows) assert.ok(x.low <= x.rating && x.rating <= x.high);
    // The text view, per tag (the set's tag "geo"); another tag has nothing.
    const text = await w.run(['eval', 'leaderboard', '--tag', 'geo'], false);
    assert.match(text.stdout, /openai\/gpt-4o-mini\s+\d+\s+\d+–\d+\s+10\s+6-0-4/);
    const other = await w.run(['eval', 'leaderboard', '--tag', 'code'], false);
    assert.match(other.stdout, /No comparisons tagged "code" yet/);
  });

  test('run: a met threshold exits 0 with the text grid; --no-record leaves the leaderboard alone', async (t) => {
    const w = await world(t);
    const r = await w.run(['eval', 'run', '.switchboard/evals/capitals.json', '--models', EVAL_MODELS.join(','), '--threshold', '0.3', '--no-record']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /q1\s+PASS 2\/2\s+PASS 2\/2\s+PASS 2\/2/);
    assert.match(r.stdout, /q5\s+PASS 2\/2\s+FAIL 0\/2\s+FAIL 0\/2/);
    assert.match(r.stdout, /google\/gemini-2\.5-flash\s+30\.0%\s+3\/10\s+1\/5/);
    assert.match(r.stdout, /q5 × google\/gemini-2\.5-flash: contains "cairo": does not contain "cairo"/);
    assert.match(r.stderr, /15 requests, estimated at most \$/);
    assert.equal(existsSync(join(w.ws, '.switchboard', 'leaderboard.json')), false);
  });

  test('leaderboard arithmetic: a hand-computed case (strengths 4:2:1) with --prior 0', async (t) => {
    const w = await world(t);
    const c = (a: string, b: string, outcome: 'a' | 'b', n: number) =>
      Array.from({ length: n }, () => ({ a, b, outcome, source: 'vote', tags: ['x'], at: '2026-12-02T00:00:00Z' }));
    writeFileSync(
      join(w.ws, '.switchboard', 'leaderboard.json'),
      JSON.stringify({
        version: 1,
        comparisons: [
          ...c('A/a', 'B/b', 'a', 2),
          ...c('A/a', 'B/b', 'b', 1),
          ...c('B/b', 'C/c', 'a', 2),
          ...c('B/b', 'C/c', 'b', 1),
          ...c('A/a', 'C/c', 'a', 4),
          ...c('A/a', 'C/c', 'b', 1),
        ],
        costs: {},
      }),
    );
    const r = await w.run(['eval', 'leaderboard', '--prior', '0', '--samples', '0', '--json'], false);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout).rows as { model: string; rating: number }[];
    // 1000 + 400·log10(2) = 1120.41; 1000; 1000 − 400·log10(2) = 879.59.
    assert.deepEqual(
      rows.map((x) => [x.model, Math.round(x.rating * 100) / 100]),
      [
        ['A/a', 1120.41],
        ['B/b', 1000],
        ['C/c', 879.59],
      ],
    );
  });

  test('a test set saved with a byte-order mark (a Windows editor) is read', async (t) => {
    const w = await world(t);
    const file = join(w.ws, '.switchboard', 'evals', 'capitals.json');
    writeFileSync(file, '\uFEFF' + JSON.stringify(EVAL_SET, null, 2).replace(/\n/g, '\r\n'));
    const r = await w.run(['eval', 'run', 'capitals', '--models', EVAL_MODELS.join(','), '--no-record', '--json']);
    assert.doesNotMatch(r.stderr, /JSON/);
    assert.notEqual(r.code, 2, r.stderr);
    assert.ok(posts(w.fakes.openai) > 0);
  });

  test('an empty or hex number flag is refused, not read as 0 (--threshold "$T" with T unset would pass every set)', async (t) => {
    const w = await world(t);
    for (const [flag, value, message] of [
      ['--threshold', '', /--threshold must be a pass rate like 0\.8 or 80%, got ""/],
      ['--max-cost', ' ', /--max-cost must be a dollar amount, got " "/],
      ['--concurrency', '0x2', /--concurrency must be a positive integer/],
    ] as const) {
      const r = await w.run(['eval', 'run', 'capitals', '--models', EVAL_MODELS.join(','), flag, value]);
      assert.equal(r.code, 2, `${flag} ${JSON.stringify(value)}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    assert.equal(posts(w.fakes.openai) + posts(w.fakes.anthropic) + posts(w.fakes.gemini), 0);
  });

  test('bad input: a set with a misspelt field names the file, the field and the fix (exit 2, nothing asked)', async (t) => {
    const w = await world(t);
    writeFileSync(join(w.ws, 'bad.json'), JSON.stringify({ prompts: [{ id: 'a', prompt: 'x', check: [] }] }));
    const r = await w.run(['eval', 'run', 'bad.json', '--models', 'openai/gpt-4o-mini']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad\.json: invalid test set/);
    assert.match(r.stderr, /prompts\[0\]: .*remove "check"/);
    assert.equal(posts(w.fakes.openai), 0);
    const noModels = await w.run(['eval', 'run', 'capitals']);
    assert.equal(noModels.code, 2);
    assert.match(noModels.stderr, /no models: give --models/);
    const unpriced = await w.run(['eval', 'run', 'capitals', '--models', 'openai/unpriced-x', '--max-cost', '1']);
    assert.equal(unpriced.code, 2);
    assert.match(unpriced.stderr, /--max-cost cannot be enforced: the price of openai\/unpriced-x is unknown/);
    assert.equal(posts(w.fakes.openai), 0);
  });

  test('promptfoo: export then import gives the same set; what does not map is refused by name', async (t) => {
    const w = await world(t);
    const ex = await w.run(['eval', 'export', 'capitals', '--models', EVAL_MODELS.join(','), '--out', 'promptfooconfig.yaml'], false);
    assert.equal(ex.code, 0, ex.stderr);
    const yaml = readFileSync(join(w.ws, 'promptfooconfig.yaml'), 'utf8');
    assert.match(yaml, /^prompts:\n {2}- "\{\{prompt\}\}"$/m);
    assert.match(yaml, /- id: "anthropic:messages:claude-sonnet-4"/);
    assert.match(yaml, /type: "icontains"\n\s+value: "paris"/);
    assert.match(yaml, /max_tokens: 50/);
    const im = await w.run(['eval', 'import', 'promptfooconfig.yaml', '--out', 'back.json'], false);
    assert.equal(im.code, 0, im.stderr);
    const back = JSON.parse(readFileSync(join(w.ws, 'back.json'), 'utf8'));
    assert.deepEqual(back.models, [...EVAL_MODELS]);
    assert.deepEqual(back.defaults, { maxTokens: 50, temperature: 0 });
    assert.deepEqual(
      back.prompts.map((p: { id: string; prompt: string; checks: unknown[]; tags: string[] }) => [p.id, p.prompt, p.checks, p.tags]),
      EVAL_SET.prompts.map((p) => [p.id, p.prompt, p.checks, ['geo']]),
    );
    // The imported set runs like the original.
    const r = await w.run(['eval', 'run', 'back.json', '--no-record', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      JSON.parse(r.stdout).totals.map((x: { checksPassed: number }) => x.checksPassed),
      [10, 7, 3],
    );
    writeFileSync(
      join(w.ws, 'pf.yaml'),
      'prompts:\n  - "{{q}}"\nproviders:\n  - openai:gpt-4o\ntests:\n  - vars: {q: hi}\n    assert:\n      - type: levenshtein\n        value: hello\n',
    );
    const refused = await w.run(['eval', 'import', 'pf.yaml'], false);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /the assertion type "levenshtein" has no Switchboard check/);
    // Saved by a Windows editor: a UTF-8 byte-order mark before the first key.
    const plain =
      'prompts:\n  - "{{prompt}}"\nproviders:\n  - openai:gpt-4o\ntests:\n  - vars: {prompt: hi}\n    assert:\n      - type: icontains\n        value: paris\n';
    writeFileSync(join(w.ws, 'plain.yaml'), plain);
    writeFileSync(join(w.ws, 'bom.yaml'), `\uFEFF${plain}`);
    const fromPlain = await w.run(['eval', 'import', 'plain.yaml'], false);
    assert.equal(fromPlain.code, 0, fromPlain.stderr);
    const bom = await w.run(['eval', 'import', 'bom.yaml'], false);
    assert.equal(bom.code, 0, bom.stderr);
    assert.equal(bom.stdout, fromPlain.stdout.replace('plain.yaml', 'bom.yaml'));
    writeFileSync(join(w.ws, 'anchors.yaml'), 'prompts:\n  - &p "{{q}}"\n');
    const anchors = await w.run(['eval', 'import', 'anchors.yaml'], false);
    assert.match(anchors.stderr, /line 2: anchors, aliases and tags/);
    const routeSet = { ...EVAL_SET, prompts: [{ ...EVAL_SET.prompts[0], checks: [{ type: 'regex', pattern: 'x', flags: 'i' }] }] };
    writeFileSync(join(w.ws, 'flags.json'), JSON.stringify(routeSet));
    const flags = await w.run(['eval', 'export', 'flags.json', '--models', 'openai/gpt-4o'], false);
    assert.equal(flags.code, 2);
    assert.match(flags.stderr, /regex flags "i" \(promptfoo's regex takes none\)/);
  });

  test("code that is run: each model's change tried in a scratch copy; the grid shows the command's verdict; --apply-winner writes the passing, cheapest one", async (t) => {
    const w = await world(t);
    cpSync(FIXTURE, w.ws, { recursive: true });
    writeFileSync(join(w.ws, '.switchboard', 'evals', 'slug.json'), JSON.stringify(codeSet()));
    for (const p of ['openai', 'anthropic', 'gemini'] as const) w.fakes[p].setDefault({ text: ANSWERS[p], usage: { input: 100, output: 20 } });
    const r = await w.run(['eval', 'run', 'slug', '--models', EVAL_MODELS.join(','), '--apply-winner', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    const row = out.cells[0] as {
      model: string;
      pass: boolean;
      checks: { type: string; pass: boolean; reason: string }[];
      codeRun: { scratch: string; command: { output: string } };
    }[];
    assert.deepEqual(
      row.map((c) => [c.model, c.checks.map((k) => [k.type, k.pass])]),
      [
        [
          'openai/gpt-4o-mini',
          [
            ['regex', true],
            ['command', true],
          ],
        ],
        [
          'anthropic/claude-sonnet-4',
          [
            ['regex', true],
            ['command', true],
          ],
        ],
        [
          'google/gemini-2.5-flash',
          [
            ['regex', true],
            ['command', false],
          ],
        ],
      ],
    );
    assert.equal(row[0]!.codeRun.scratch, 'copy');
    assert.match(row[2]!.codeRun.command.output, /hello,-world!/);
    assert.match(row[2]!.checks[1]!.reason, /exit code 1/);
    // The context files went to the model with the prompt.
    assert.match(JSON.stringify(w.fakes.openai.requests.find((x) => x.method === 'POST')!.body), /slug\.test\.mjs/);
    // openai and anthropic passed; openai is cheaper: its file is now the real one.
    assert.match(r.stderr, /fix-slug: applied openai\/gpt-4o-mini's change to slug\.mjs/);
    assert.equal(readFileSync(join(w.ws, 'slug.mjs'), 'utf8'), GOOD_FILE);
  });
});
