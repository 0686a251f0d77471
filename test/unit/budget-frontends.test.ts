/**
 * A budget test per front end (issue 15, item 4): the session cap and its alerts through the
 * built CLI (chat, compare, serve), each door of the gateway (Chat Completions, Messages,
 * Responses; streamed and not) and a compare. Each answer costs exactly $0.20 (100 output tokens
 * at $2000 per 1M, the prompt free) and asks for at most 100 tokens, so its hold is its cost.
 * VS Code's chat, compare and agent mode are tested in the real VS Code (test/integration/budget.test.ts).
 */
import { describe, test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeProvider } from '../fakes/server.ts';
import { createClient } from '../../src/core/client.ts';
import { MemoryUsageStore } from '../../src/core/router/ledger.ts';
import { SqliteUsageStore } from '../../src/core/router/sqliteLedger.ts';
import type { BudgetAlert } from '../../src/core/types.ts';
import { privateCliCopy } from './builtCli.ts';
import { KEY } from './helpers.ts';
import { startWorld, TOKEN, type World } from './gatewayWorld.ts';

const MODEL = 'openai/gpt-4o-mini';
const PRICE = { input: 0, output: 2000 };
const ANSWER = { text: 'an answer', usage: { input: 5, output: 100 } };

let root: string;
let CLI: string;
before(async () => {
  root = mkdtempSync(join(tmpdir(), 'sb-budget-fe-'));
  CLI = await privateCliCopy(root);
});
after(() => rmSync(root, { recursive: true, force: true }));

let seq = 0;
async function cliWorld(t: TestContext, budget: Record<string, unknown>) {
  const dir = join(root, `c${++seq}`);
  mkdirSync(join(dir, 'data'), { recursive: true });
  const fake = await startFakeProvider('openai', { apiKey: KEY });
  t.after(() => fake.close());
  fake.setDefault(ANSWER);
  const models = ['openai/gpt-4o-mini', 'openai/gpt-4o', 'openai/gpt-4.1-mini'];
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      providers: [{ id: 'openai', baseUrl: fake.baseUrl }],
      retries: { maxRetries: 0 },
      pricing: Object.fromEntries(models.map((m) => [m, PRICE])),
      budget,
    }),
  );
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    XDG_DATA_HOME: join(dir, 'data'),
    XDG_CACHE_HOME: join(dir, 'cache'),
    OPENAI_API_KEY: KEY,
    SWITCHBOARD_GATEWAY_TOKEN: TOKEN,
    TZ: 'UTC',
    NODE_COMPILE_CACHE: join(root, 'v8'),
  };
  const run = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args, '--config', config], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  return { fake, dir, env, config, run, models, ledgerPath: join(dir, 'data', 'switchboard', 'usage.sqlite') };
}

describe('the CLI', () => {
  test('chat: one invocation is one session; its alert goes to stderr, and the next run starts a new session', async (t) => {
    const w = await cliWorld(t, { perSession: 0.25, onExceed: 'block' });
    for (let i = 0; i < 2; i++) {
      const r = await w.run(['chat', '--model', MODEL, '--prompt', 'hi', '--max-tokens', '100']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'an answer\n');
      assert.match(r.stderr, /^switchboard: warning: Budget alert: 80% of the session budget used \(\$0\.20 of \$0\.25\)\.$/m);
    }
    const store = new SqliteUsageStore(w.ledgerPath);
    const entries = await store.readAll();
    store.close();
    assert.equal(entries.length, 2);
    assert.notEqual(entries[0]!.session, entries[1]!.session, 'each run is its own session');
    assert.match(entries[0]!.session ?? '', /^cli-/);
  });

  test('compare of 3 models against a $0.50 session cap: 2 answer, 1 is refused; the alerts go to stderr once', async (t) => {
    const w = await cliWorld(t, { perSession: 0.5, onExceed: 'block' });
    const r = await w.run(['compare', '--models', w.models.join(','), '--prompt', 'hi', '--max-tokens', '100', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const results = JSON.parse(r.stdout) as { error?: { kind: string } }[];
    assert.equal(results.filter((x) => !x.error).length, 2);
    assert.deepEqual(
      results.filter((x) => x.error).map((x) => x.error!.kind),
      ['budget'],
    );
    assert.equal(w.fake.requests.length, 2);
    assert.match(r.stderr, /switchboard: .*session budget \$0\.50/);
    const alerts = r.stderr.split('\n').filter((l) => l.includes('Budget alert'));
    assert.ok(alerts.length >= 1, r.stderr);
    assert.equal(new Set(alerts).size, alerts.length, 'each alert once');
    assert.ok(alerts.every((l) => l.startsWith('switchboard: warning: Budget alert: ')));
  });

  test('serve: the gateway process is one session; an alert is a log line on stderr and rides on the response that crossed it', async (t) => {
    const w = await cliWorld(t, { perSession: 0.5, onExceed: 'block' });
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--config', w.config], { env: w.env, stdio: ['ignore', 'pipe', 'pipe'] });
    t.after(() => {
      if (child.exitCode === null) child.kill('SIGTERM');
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /^(http:\/\/\S+\/v1) /m.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('close', () => reject(new Error(`serve exited: ${stderr}`)));
    });
    const ask = () =>
      fetch(`${url}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL, max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }),
      });
    const first = await ask();
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('x-switchboard-warnings'), null);
    const second = await ask();
    assert.equal(second.status, 200);
    assert.deepEqual(JSON.parse(second.headers.get('x-switchboard-warnings') ?? '[]'), ['Budget alert: 80% of the session budget used ($0.40 of $0.50).']);
    const third = await ask();
    assert.equal(third.status, 402);
    assert.equal(((await third.json()) as { error: { code: string } }).error.code, 'budget_exceeded');
    const closed = new Promise((r) => child.once('close', r));
    child.kill('SIGTERM');
    await closed;
    const lines = stderr.split('\n').filter((l) => l.startsWith('gateway: Budget alert'));
    assert.deepEqual(
      lines.map((l) => l.replace(/\(.*$/, '')),
      ['gateway: Budget alert: 80% of the session budget used ', 'gateway: Budget alert: the session budget of $0.50 stops requests '],
    );
  });
});

type Door = 'chat' | 'messages' | 'responses';
const DOOR_PATH: Record<Door, string> = { chat: '/chat/completions', messages: '/messages', responses: '/responses' };

function body(door: Door, stream: boolean): string {
  const messages = [{ role: 'user', content: 'hi' }];
  if (door === 'responses') return JSON.stringify({ model: MODEL, max_output_tokens: 100, input: 'hi', stream });
  return JSON.stringify({ model: MODEL, max_tokens: 100, messages, stream });
}

async function gatewayWorld(session: string, budget: Record<string, unknown>) {
  const ledger = new MemoryUsageStore();
  const alerts: BudgetAlert[] = [];
  const w: World = await startWorld({
    config: { pricing: { [MODEL]: PRICE }, budget: budget as never },
    client: { ledger, session, frontEnd: 'gateway', onBudgetAlert: (a) => alerts.push(a) },
  });
  w.openai.setDefault(ANSWER);
  const send = (door: Door, stream: boolean, signal?: AbortSignal) =>
    fetch(`${w.gateway.url}${DOOR_PATH[door]}`, {
      method: 'POST',
      ...(signal ? { signal } : {}),
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: body(door, stream),
    });
  return { w, ledger, alerts, send };
}

const headerWarnings = (r: Response): string[] => JSON.parse(r.headers.get('x-switchboard-warnings') ?? '[]') as string[];

describe('the gateway, every door', () => {
  for (const door of ['chat', 'messages', 'responses'] as const) {
    test(`${door}, not streamed: the session cap refuses the third $0.20 request with 402; the 80 % alert is in the header of the response that crossed it`, async (t) => {
      const g = await gatewayWorld(`gw-${door}`, { perSession: 0.5, onExceed: 'block' });
      t.after(() => g.w.close());
      const r1 = await g.send(door, false);
      assert.equal(r1.status, 200);
      assert.deepEqual(headerWarnings(r1), []);
      await r1.arrayBuffer();
      const r2 = await g.send(door, false);
      assert.equal(r2.status, 200);
      assert.deepEqual(headerWarnings(r2), ['Budget alert: 80% of the session budget used ($0.40 of $0.50).']);
      await r2.arrayBuffer();
      const r3 = await g.send(door, false);
      assert.equal(r3.status, 402);
      const err = JSON.stringify(await r3.json());
      assert.match(err, /session budget \$0\.50/);
      assert.equal(g.w.openai.requests.length, 2, 'the refused request never reached the provider');
      assert.deepEqual(
        g.alerts.map((a) => `${a.threshold}${a.blocked ? ' blocked' : ''} ${a.frontEnd}`),
        ['80 gateway', '100 blocked gateway'],
      );
    });

    test(`${door}, streamed: an alert known before the answer is in the headers; one crossed by the answer comes at its end or in the log`, async (t) => {
      const g = await gatewayWorld(`gws-${door}`, { daily: 1, onExceed: 'warn' });
      t.after(() => g.w.close());
      // Another front end spent $0.55 today: the first gateway request starts past 50 %.
      await g.ledger.append({
        ts: new Date().toISOString(),
        model: MODEL,
        answeredBy: MODEL,
        inputTokens: 1,
        outputTokens: 1,
        costUsd: 0.55,
        frontEnd: 'cli',
        ok: true,
        session: 'cli-earlier',
      });
      const r1 = await g.send(door, true);
      assert.equal(r1.status, 200);
      assert.deepEqual(headerWarnings(r1), ['Budget alert: 50% of the daily budget used ($0.55 of $1.00).']);
      await r1.text();
      // $0.75 → $0.95 crosses 80 % while the answer streams.
      const r2 = await g.send(door, true);
      assert.deepEqual(headerWarnings(r2), []);
      const text2 = await r2.text();
      const alert = 'Budget alert: 80% of the daily budget used ($0.95 of $1.00).';
      if (door === 'chat') {
        // Chat Completions: on the finish chunk (switchboard.warnings), as every late warning.
        assert.ok(text2.includes(JSON.stringify(alert).slice(1, -1)), text2);
      } else {
        assert.ok(
          g.w.logs.some((l) => l.includes(alert)),
          g.w.logs.join('\n'),
        );
      }
      assert.deepEqual(
        g.alerts.map((a) => a.threshold),
        [50, 80],
      );
    });
  }
});

describe('the gateway, every door: a failed request gives its hold back before the client hears of the failure', () => {
  // A $0.30 session cap and $0.20 holds: a hold left behind would refuse the next request.
  for (const door of ['chat', 'messages', 'responses'] as const) {
    for (const stream of [false, true]) {
      test(`${door}, ${stream ? 'streamed' : 'not streamed'}: a 429 before any answer; the retry right after it is served and nothing is in the ledger for the 429`, async (t) => {
        const g = await gatewayWorld(`fail429-${door}-${stream}`, { perSession: 0.3, onExceed: 'block' });
        t.after(() => g.w.close());
        g.w.openai.enqueue({ status: 429 });
        const r1 = await g.send(door, stream);
        assert.equal(r1.status, 429, await r1.clone().text());
        await r1.arrayBuffer();
        assert.equal(g.ledger.reservations.size, 0, 'the hold is given back before the 429 goes out');
        assert.equal(g.ledger.entries.length, 0, 'nothing was used');
        const r2 = await g.send(door, stream);
        assert.equal(r2.status, 200, await r2.clone().text());
        await r2.arrayBuffer();
        assert.equal(g.ledger.entries.length, 1);
        assert.equal(g.ledger.entries[0]!.costUsd, 0.2);
      });
    }

    test(`${door}, streamed: an upstream error mid-answer; the partial answer is in the ledger (ok: false) and the hold is gone before the error event reaches the client`, async (t) => {
      const g = await gatewayWorld(`failmid-${door}`, { perSession: 0.3, onExceed: 'block' });
      t.after(() => g.w.close());
      g.w.openai.enqueue({ ...ANSWER, text: 'a partial answer that the provider cuts', chunks: 6, midStreamErrorAfterChunks: 3 });
      const r1 = await g.send(door, true);
      assert.equal(r1.status, 200);
      const text = await r1.text();
      assert.match(text, /error/);
      assert.equal(g.ledger.reservations.size, 0, 'the hold is settled before the error event goes out');
      assert.equal(g.ledger.entries.length, 1);
      const e = g.ledger.entries[0]!;
      assert.equal(e.ok, false);
      assert.ok(e.costUsd !== null && e.costUsd > 0 && e.costUsd < 0.2, `the partial is charged at its estimate, not the hold: ${e.costUsd}`);
      const r2 = await g.send(door, true);
      assert.equal(r2.status, 200);
      await r2.text();
      assert.equal(g.ledger.entries.length, 2);
    });

    test(`${door}, streamed: the client hangs up mid-answer; the hold is settled and the partial recorded`, async (t) => {
      const g = await gatewayWorld(`failgone-${door}`, { perSession: 0.3, onExceed: 'block' });
      t.after(() => g.w.close());
      let settled!: () => void;
      const settledOnce = new Promise<void>((r) => (settled = r));
      const settle = g.ledger.settle.bind(g.ledger);
      g.ledger.settle = async (id, entry) => {
        await settle(id, entry);
        settled();
      };
      g.w.openai.enqueue({ ...ANSWER, text: 'a long answer the client stops reading', chunks: 8, stallAfterChunks: 2 });
      const ac = new AbortController();
      const r1 = await g.send(door, true, ac.signal);
      const reader = r1.body!.getReader();
      await reader.read();
      ac.abort();
      await settledOnce;
      assert.equal(g.ledger.reservations.size, 0);
      assert.equal(g.ledger.entries.length, 1);
      assert.equal(g.ledger.entries[0]!.ok, false);
      const r2 = await g.send(door, true);
      assert.equal(r2.status, 200);
      await r2.text();
    });
  }
});

describe('compare', () => {
  test('a compare of 6 models against a $0.60 session cap: 3 columns answer, 3 are refused, the session total is $0.60', async (t) => {
    const fake = await startFakeProvider('openai');
    t.after(() => fake.close());
    fake.setDefault({ ...ANSWER, delayBeforeFirstByteMs: 50 });
    const models = Array.from({ length: 6 }, (_, i) => `a/m${i}`);
    const ledger = new MemoryUsageStore();
    const alerts: BudgetAlert[] = [];
    const client = createClient(
      {
        providers: [{ id: 'a', kind: 'openai', baseUrl: fake.baseUrl, apiKeyEnv: 'K', models: models.map((m) => m.slice(2)) }],
        retries: { maxRetries: 0 },
        pricing: Object.fromEntries(models.map((m) => [m, PRICE])),
        budget: { perSession: 0.6, onExceed: 'block' },
      },
      { env: { K: 'k' }, ledger, session: 'compare-1', onBudgetAlert: (a) => alerts.push(a) },
    );
    t.after(() => client.close());
    const results = await client.compare({ messages: [{ role: 'user', content: 'hi' }], maxTokens: 100 }, models).results;
    assert.equal(results.filter((r) => r.error === null).length, 3);
    assert.deepEqual(
      results.filter((r) => r.error).map((r) => r.error!.kind),
      ['budget', 'budget', 'budget'],
    );
    const t1 = await ledger.totals(Date.now(), 'compare-1');
    assert.ok(Math.abs(t1.session - 0.6) < 1e-9);
    assert.equal(alerts.filter((a) => a.threshold === 100).length, 1);
  });
});
