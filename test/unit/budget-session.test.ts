/**
 * Spend limits for agents (issue 15, item 4): the per-session cap, held under concurrency like
 * the day and month caps, and the 50/80/100 % alerts, each fired once per period. Every request
 * here costs exactly its worst case, $0.20 (100 output tokens at $2000/1M, the prompt free).
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeProvider } from '../fakes/server.ts';
import type { FakeServer } from '../fakes/types.ts';
import { createClient, type ClientOptions } from '../../src/core/client.ts';
import type { ConfigInput } from '../../src/core/config.ts';
import { checkBudget } from '../../src/core/router/budget.ts';
import { alertCandidates, claimAlerts } from '../../src/core/router/alerts.ts';
import { MemoryUsageStore, type SpendTotals, type UsageStore } from '../../src/core/router/ledger.ts';
import { SqliteUsageStore } from '../../src/core/router/sqliteLedger.ts';
import type { BudgetAlert, ChatResult } from '../../src/core/types.ts';
import { ManualClock } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-session-'));
let n = 0;
const freshDb = (): SqliteUsageStore => new SqliteUsageStore(join(dir, `s${n++}`, 'usage.sqlite'));
const fakes: FakeServer[] = [];
after(async () => {
  await Promise.all(fakes.map((f) => f.close()));
  rmSync(dir, { recursive: true, force: true });
});

const MODEL = 'a/m';
const PRICE = { input: 0, output: 2000 };
const ANSWER = { text: 'an answer', usage: { input: 5, output: 100 } };

async function world(budget: ConfigInput['budget'], options: ClientOptions & { ledger: UsageStore }, delayMs = 0) {
  const fake = await startFakeProvider('openai');
  fakes.push(fake);
  fake.setDefault({ ...ANSWER, delayBeforeFirstByteMs: delayMs });
  const alerts: BudgetAlert[] = [];
  const client = createClient(
    {
      providers: [{ id: 'a', kind: 'openai', baseUrl: fake.baseUrl, apiKeyEnv: 'K', models: ['m'] }],
      retries: { maxRetries: 0 },
      pricing: { [MODEL]: PRICE },
      budget,
    },
    { env: { K: 'k' }, onBudgetAlert: (a) => alerts.push(a), ...options },
  );
  const ask = (): Promise<ChatResult> => client.complete({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], maxTokens: 100 });
  return { fake, client, alerts, ask };
}

const totals = (over: Partial<SpendTotals>): SpendTotals => ({
  includedToday: 0,
  includedSession: 0,
  today: 0,
  month: 0,
  unknownCostToday: 0,
  reserved: 0,
  session: 0,
  sessionReserved: 0,
  requestsToday: 0,
  sessionRequests: 0,
  unknownCostSession: 0,
  ...over,
});

describe('the session cap', () => {
  test('checkBudget: the session spend plus the estimate over perSession is refused, naming the holds and how to go on', () => {
    const v = checkBudget({ perSession: 1, onExceed: 'block' }, totals({ session: 0.9, sessionReserved: 0.3, today: 5, reserved: 2 }), 0.2, MODEL);
    assert.equal(v.action, 'block');
    assert.ok(v.action === 'block');
    assert.deepEqual(v.over, ['perSession']);
    assert.match(v.error.message, /session budget \$1\.00: spent \$0\.60 \+ \$0\.30 held by requests in flight this session \+ estimate \$0\.20/);
    assert.match(v.error.fix ?? '', /Start New Spend Session/);
    // Another session's spend (in today, not in session) does not count toward this session's cap.
    assert.deepEqual(checkBudget({ perSession: 1, onExceed: 'block' }, totals({ session: 0.2, today: 50 }), 0.2, MODEL), { action: 'ok' });
    // An unknown price cannot be counted toward a blocking session cap either.
    assert.equal(checkBudget({ perSession: 1, onExceed: 'block' }, totals({}), null, MODEL).action, 'block');
  });

  test('the SQLite ledger keeps sessions apart: entries and holds count toward their own session, all toward the day', async () => {
    const s = freshDb();
    const now = Date.now();
    const ts = new Date(now).toISOString();
    const base = { ts, model: MODEL, answeredBy: MODEL, inputTokens: 1, outputTokens: 1, frontEnd: 'cli', ok: true };
    await s.append({ ...base, costUsd: 0.25, session: 'one' });
    await s.append({ ...base, costUsd: null, session: 'one' });
    await s.append({ ...base, costUsd: 0.5, session: 'two' });
    await s.append({ ...base, costUsd: 1 });
    const hold = await s.reserve(now, () => ({ hold: 0.1, value: null }), 'one');
    await s.reserve(now, () => ({ hold: 0.2, value: null }), 'two');
    const t = await s.totals(now, 'one');
    assert.deepEqual(
      { ...t, today: round(t.today), month: round(t.month), session: round(t.session), reserved: round(t.reserved) },
      {
        today: 2.05,
        month: 2.05,
        unknownCostToday: 1,
        reserved: 0.3,
        session: 0.35,
        sessionReserved: 0.1,
        requestsToday: 4,
        sessionRequests: 2,
        unknownCostSession: 1,
        includedToday: 0,
        includedSession: 0,
      },
    );
    await s.settle(hold.id!, { ...base, costUsd: 0.05, session: 'one' });
    const after = await s.totals(now, 'one');
    assert.equal(round(after.session), 0.3);
    assert.equal(after.sessionReserved, 0);
    assert.equal(after.sessionRequests, 3);
    assert.deepEqual(
      (await s.readAll()).map((e) => e.session),
      ['one', 'one', 'two', null, 'one'],
    );
    s.close();
  });

  test('an older ledger file is migrated in place: its entries have no session, new ones do', async () => {
    const { DatabaseSync } = await import('node:sqlite');
    const path = join(dir, 'old', 'usage.sqlite');
    mkdirSync(join(dir, 'old'), { recursive: true });
    const db = new DatabaseSync(path);
    // The first schema (before migration 1): what a Switchboard of 2026-11 wrote.
    db.exec(`CREATE TABLE entries (id INTEGER PRIMARY KEY, ts TEXT NOT NULL, ts_ms INTEGER NOT NULL, model TEXT NOT NULL, answered_by TEXT,
      input_tokens INTEGER, output_tokens INTEGER, cached_input_tokens INTEGER, reasoning_tokens INTEGER, cost_usd REAL,
      cost_estimated INTEGER NOT NULL DEFAULT 0, front_end TEXT NOT NULL, ok INTEGER NOT NULL);
      CREATE TABLE reservations (id INTEGER PRIMARY KEY, amount_usd REAL NOT NULL, created_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL);
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`);
    const now = Date.now();
    db.prepare("INSERT INTO entries (ts, ts_ms, model, answered_by, cost_usd, front_end, ok) VALUES (?, ?, 'a/m', 'a/m', 0.5, 'cli', 1)").run(
      new Date(now).toISOString(),
      now,
    );
    db.close();
    const s = new SqliteUsageStore(path);
    await s.append({
      ts: new Date(now).toISOString(),
      model: MODEL,
      answeredBy: MODEL,
      inputTokens: 1,
      outputTokens: 1,
      costUsd: 0.25,
      frontEnd: 'vscode',
      ok: true,
      session: 'w',
    });
    const t = await s.totals(now, 'w');
    assert.equal(t.today, 0.75);
    assert.equal(t.session, 0.25);
    assert.deepEqual(
      (await s.readAll()).map((e) => e.session),
      [null, 'w'],
    );
    s.close();
  });

  test('40 parallel requests in one session against a blocking $1 session cap: exactly 5 answered, $1.00 spent, the rest refused', async () => {
    for (const ledger of [freshDb(), new MemoryUsageStore()] as UsageStore[]) {
      const w = await world({ perSession: 1, onExceed: 'block' }, { ledger, session: 'agent-1' }, 30);
      const results = await Promise.all(Array.from({ length: 40 }, () => w.ask()));
      const ok = results.filter((r) => r.error === null);
      const refused = results.filter((r) => r.error !== null);
      assert.equal(ok.length, 5, `${ledger.location}: ${ok.length} answered`);
      assert.equal(w.fake.requests.length, 5, 'the refused ones never reached the provider');
      for (const r of refused) {
        assert.equal(r.error!.kind, 'budget');
        assert.match(r.error!.message, /session budget \$1\.00/);
      }
      const t = await ledger.totals(Date.now(), 'agent-1');
      assert.ok(Math.abs(t.session - 1) < 1e-9, `session spend $${t.session}`);
      assert.equal(t.sessionReserved, 0, 'no hold left behind');
      assert.equal(t.sessionRequests, 5);
      // Alerts: each threshold at most once, whatever the overlap; the 100 % one exactly once.
      const thresholds = w.alerts.map((a) => a.threshold);
      assert.equal(new Set(thresholds).size, thresholds.length, `fired ${thresholds.join(', ')}`);
      assert.equal(thresholds.filter((x) => x === 100).length, 1);
      assert.ok(w.alerts.every((a) => a.cap === 'perSession' && a.period === 'agent-1'));
      // Each alert is also a warning of exactly one request's result.
      const warned = results.flatMap((r) => r.warnings.filter((x) => x.startsWith('Budget alert')));
      assert.deepEqual(warned.sort(), w.alerts.map((a) => a.message).sort());
      assert.equal(results.flatMap((r) => r.budgetAlerts ?? []).length, w.alerts.length);
      await w.client.close();
      if (ledger instanceof SqliteUsageStore) ledger.close();
    }
  });

  test('another session on the same ledger is not stopped by this session cap, but its spend counts toward the day', async () => {
    const ledger = freshDb();
    const a = await world({ perSession: 0.4, daily: 10, onExceed: 'block' }, { ledger, session: 'window-a' });
    const b = await world({ perSession: 0.4, daily: 10, onExceed: 'block' }, { ledger, session: 'window-b' });
    assert.equal((await a.ask()).error, null);
    assert.equal((await a.ask()).error, null);
    assert.equal((await a.ask()).error?.kind, 'budget', 'window a is at its cap');
    assert.equal((await b.ask()).error, null, 'window b has its own session');
    const t = await ledger.totals(Date.now(), 'window-b');
    assert.ok(Math.abs(t.today - 0.6) < 1e-9);
    assert.ok(Math.abs(t.session - 0.2) < 1e-9);
    await a.client.close();
    await b.client.close();
    ledger.close();
  });

  test('a client without a session given has one of its own for its lifetime (a CLI run, a gateway process)', async () => {
    const ledger = new MemoryUsageStore();
    const w = await world({ perSession: 0.2, onExceed: 'block' }, { ledger, frontEnd: 'cli' });
    const w2 = await world({ perSession: 0.2, onExceed: 'block' }, { ledger, frontEnd: 'cli' });
    assert.match(w.client.session(), /^cli-[0-9a-f-]{36}$/);
    assert.notEqual(w.client.session(), w2.client.session());
    assert.equal((await w.ask()).error, null);
    assert.equal((await w.ask()).error?.kind, 'budget');
    assert.equal((await w2.ask()).error, null, 'the next run starts a new session');
    assert.deepEqual(
      ledger.entries.map((e) => e.session),
      [w.client.session(), w2.client.session()],
    );
    await w.client.close();
    await w2.client.close();
  });

  test("the config's capabilities.maxOutputTokens bounds a request's worst case (no max_tokens asked, as VS Code's agent mode sends)", async () => {
    const fake = await startFakeProvider('openai');
    fakes.push(fake);
    fake.setDefault(ANSWER);
    const client = createClient(
      {
        providers: [{ id: 'openai', baseUrl: fake.baseUrl }],
        retries: { maxRetries: 0 },
        pricing: { 'openai/gpt-4o-mini': PRICE },
        capabilities: { 'openai/gpt-4o-mini': { maxOutputTokens: 100 } },
        budget: { perSession: 0.5, onExceed: 'block' },
      },
      { env: { OPENAI_API_KEY: 'k' }, ledger: new MemoryUsageStore(), session: 's' },
    );
    // Without the override the worst case is 16,384 tokens at $2000/1M ($32): refused at once.
    const ask = () => client.complete({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    assert.deepEqual([(await ask()).error?.kind ?? 'ok', (await ask()).error?.kind ?? 'ok', (await ask()).error?.kind ?? 'ok'], ['ok', 'ok', 'budget']);
    await client.close();
  });

  test('a model whose output limit is unknown holds what its context window leaves after the prompt, not a 1,000-token guess', async () => {
    const fake = await startFakeProvider('openai');
    fakes.push(fake);
    // An answer longer than 1,000 tokens, as a coding model without max_tokens may write.
    fake.setDefault({ text: 'a long answer', usage: { input: 5, output: 5000 } });
    const ledger = new MemoryUsageStore();
    const client = createClient(
      {
        providers: [{ id: 'a', kind: 'openai', baseUrl: fake.baseUrl, apiKeyEnv: 'K', models: ['m'] }],
        retries: { maxRetries: 0 },
        pricing: { [MODEL]: { input: 0, output: 100 } },
        // A known window, no known output limit (gpt-5-codex, grok-4 and mistral-large in today's data).
        capabilities: { [MODEL]: { contextWindow: 10_000 } },
        budget: { daily: 1.4, onExceed: 'block' },
      },
      { env: { K: 'k' }, ledger },
    );
    const ask = () => client.complete({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] });
    // The worst case is ~10,000 tokens at $100/1M (~$1.00): the first fits $1.40; once it cost $0.50, the next cannot fit.
    // With a 1,000-token hold ($0.10) the second was let through and the day ended at $1.00 + whatever was in flight.
    const first = await ask();
    assert.equal(first.error, null);
    assert.equal(ledger.entries[0]!.costUsd, 0.5);
    const second = await ask();
    assert.equal(second.error?.kind, 'budget');
    assert.match(second.error!.message, /daily budget \$1\.40: spent \$0\.50 today \+ estimate \$1\.00/);
    assert.match(second.error!.fix ?? '', /else what its context window leaves/);
    assert.equal(fake.requests.length, 1);
    await client.close();
  });
});

describe('budget alerts at 50 / 80 / 100 %', () => {
  test('a warning daily cap: 50 % at $0.60, 80 % at $0.80, 100 % at $1.00, each once; a new day fires them again', async () => {
    const ledger = new MemoryUsageStore();
    const clock = new ManualClock();
    const w = await world({ daily: 1, onExceed: 'warn' }, { ledger, clock });
    const fired: string[][] = [];
    for (let i = 0; i < 7; i++) {
      const r = await w.ask();
      assert.equal(r.error, null);
      fired.push((r.budgetAlerts ?? []).map((a) => `${a.threshold}${a.blocked ? ' blocked' : ''}`));
    }
    assert.deepEqual(fired, [[], [], ['50'], ['80'], ['100'], [], []]);
    assert.match(w.alerts[0]!.message, /^Budget alert: 50% of the daily budget used \(\$0\.60 of \$1\.00\)\.$/);
    assert.match(w.alerts[2]!.message, /the daily budget of \$1\.00 is used up \(\$1\.00 spent\): requests go on with a warning/);
    // Past the cap, a warning budget still says so on every request (the existing warning), but the alert fired once.
    assert.equal(w.alerts.length, 3);
    clock.advance(24 * 60 * 60 * 1000);
    const nextDay: string[] = [];
    for (let i = 0; i < 3; i++) nextDay.push(...((await w.ask()).budgetAlerts ?? []).map((a) => `${a.threshold} ${a.period}`));
    assert.deepEqual(nextDay, ['50 2026-11-25']);
    await w.client.close();
  });

  test('a blocking session cap: 80 % said once (50 % skipped when both are reached at once), then one "blocked" alert for all refusals', async () => {
    const ledger = freshDb();
    let session = 'first';
    const w = await world({ perSession: 0.5, onExceed: 'block' }, { ledger, session: () => session });
    const seen: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await w.ask();
      seen.push(`${r.error ? 'refused' : 'ok'}:${(r.budgetAlerts ?? []).map((a) => `${a.threshold}${a.blocked ? ' blocked' : ''}`).join(',')}`);
    }
    assert.deepEqual(seen, ['ok:', 'ok:80', 'refused:100 blocked', 'refused:', 'refused:']);
    const blocked = w.alerts.find((a) => a.blocked)!;
    assert.match(
      blocked.message,
      /the session budget of \$0\.50 stops requests \(\$0\.40 spent.*refused until a new spend session starts or the cap is raised \(budget\.perSession\)/,
    );
    // A new session (VS Code's "Start New Spend Session"): requests go again, and its alerts are its own.
    session = 'second';
    const r = await w.ask();
    assert.equal(r.error, null);
    assert.equal((await w.ask()).budgetAlerts?.[0]?.period, 'second');
    await w.client.close();
    ledger.close();
  });

  test('a raised cap alerts again at its own thresholds; a listener that throws does not fail the request', async () => {
    const ledger = new MemoryUsageStore();
    const now = Date.now();
    const spent = totals({ today: 0.9 });
    const first = await claimAlerts(ledger, alertCandidates({ daily: 1, onExceed: 'warn' }, spent, now, null, 'cli'), now);
    assert.deepEqual(
      first.map((a) => a.threshold),
      [80],
    );
    assert.deepEqual(await claimAlerts(ledger, alertCandidates({ daily: 1, onExceed: 'warn' }, spent, now, null, 'cli'), now), []);
    const raised = await claimAlerts(ledger, alertCandidates({ daily: 1.5, onExceed: 'warn' }, spent, now, null, 'cli'), now);
    assert.deepEqual(
      raised.map((a) => `${a.threshold} of ${a.limitUsd}`),
      ['50 of 1.5'],
    );
    // Holds are not spend: $0.9 held alone alerts nothing.
    assert.deepEqual(alertCandidates({ daily: 1, onExceed: 'warn' }, totals({ today: 0.9, reserved: 0.9 }), now, null, 'cli'), []);
    const w = await world(
      { daily: 0.3, onExceed: 'warn' },
      {
        ledger: new MemoryUsageStore(),
        onBudgetAlert: () => {
          throw new Error('listener bug');
        },
      },
    );
    const r = await w.ask();
    assert.equal(r.error, null);
    assert.deepEqual(
      r.budgetAlerts?.map((a) => a.threshold),
      [50],
    );
    await w.client.close();
  });
});

function round(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}
