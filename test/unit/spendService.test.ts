/**
 * The window's spend (src/host/services/spend.ts, spendStatus.ts, usageReport.ts) in plain Node:
 * the session and the day's totals read from the ledger, so they survive a window reload and can
 * never disagree with it; a new session after 8 idle hours or on request; alerts as notifications.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '../../src/core/client.ts';
import { MemoryUsageStore, summarize, type UsageStore } from '../../src/core/router/ledger.ts';
import { SqliteUsageStore } from '../../src/core/router/sqliteLedger.ts';
import type { BudgetAlert, ChatResult } from '../../src/core/types.ts';
import type { KeyValueStore } from '../../src/host/common/memento.ts';
import type { Log } from '../../src/host/services/events.ts';
import type { NoticeLevel } from '../../src/host/services/notifier.ts';
import { NEW_SESSION, OPEN_SETTINGS, SESSION_IDLE_MS, SESSION_KEY, SpendService, type SpendView } from '../../src/host/services/spend.ts';
import { spendStatus } from '../../src/host/common/spendStatus.ts';
import { usageMarkdown } from '../../src/host/common/usageReport.ts';
import { startFakeProvider } from '../fakes/server.ts';
import type { FakeServer } from '../fakes/types.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-spend-'));
const fakes: FakeServer[] = [];
after(async () => {
  await Promise.all(fakes.map((f) => f.close()));
  rmSync(dir, { recursive: true, force: true });
});

class MapStore implements KeyValueStore {
  readonly values = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return structuredClone(this.values.get(key)) as T | undefined;
  }
  async update(key: string, value: unknown): Promise<void> {
    this.values.set(key, structuredClone(value));
  }
}

const quietLog = (): Log & { lines: string[] } => {
  const lines: string[] = [];
  const add = (level: string) => (m: string) => void lines.push(`${level} ${m}`);
  return { lines, info: add('info'), warn: add('warn'), error: add('error'), debug: add('debug') };
};

function service(ledger: UsageStore, state: KeyValueStore, opts: { now?: () => number; pick?: string } = {}) {
  const notices: { level: NoticeLevel; text: string; actions: string[] }[] = [];
  let settingsOpened = 0;
  const spend = new SpendService({
    log: quietLog(),
    verbose: () => false,
    ledger,
    state,
    budget: () => ({ perSession: 1, daily: 2, onExceed: 'block' }),
    notify: async (level, text, ...actions) => {
      notices.push({ level, text, actions });
      return opts.pick;
    },
    openBudgetSettings: async () => void settingsOpened++,
    ...(opts.now ? { now: opts.now } : {}),
  });
  return { spend, notices, settingsOpened: () => settingsOpened };
}

/** A client on a fake OpenAI whose answers cost $0.20 each, counting toward `spend`'s session. */
async function clientFor(ledger: UsageStore, session: () => string) {
  const fake = await startFakeProvider('openai');
  fakes.push(fake);
  fake.setDefault({ text: 'ok', usage: { input: 0, output: 100 } });
  const client = createClient(
    {
      providers: [{ id: 'a', kind: 'openai', baseUrl: fake.baseUrl, apiKeyEnv: 'K', models: ['m'] }],
      retries: { maxRetries: 0 },
      pricing: { 'a/m': { input: 0, output: 2000 } },
    },
    { env: { K: 'k' }, ledger, session, frontEnd: 'vscode' },
  );
  const ask = (): Promise<ChatResult> => client.complete({ model: 'a/m', messages: [{ role: 'user', content: 'hi' }] });
  return { fake, client, ask };
}

describe('SpendService', () => {
  it('the session count and the day count come from the same ledger entries: requests that failed before answering count in neither', async () => {
    // Before: the session counter counted every request that reached a provider (a 429, a 500),
    // the ledger only answered ones, so the report said 4 for the session and 2 for today.
    const ledger = new MemoryUsageStore();
    const { spend } = service(ledger, new MapStore());
    const w = await clientFor(ledger, () => spend.sessionId);
    w.fake.enqueue({ text: 'a', usage: { input: 0, output: 100 } }, { status: 429 }, { text: 'b', usage: { input: 0, output: 100 } }, { status: 500 });
    for (let i = 0; i < 4; i++) await spend.record('chat', await w.ask());
    const entries = await ledger.readAll();
    const today = summarize(entries, new Date(new Date().setHours(0, 0, 0, 0)).getTime());
    assert.equal(today.requests, 2);
    assert.deepEqual(spend.session(), { usd: 0.4, requests: 2, unknownCost: 0, included: 0 });
    assert.equal(spend.snapshot().today.requests, 2);
    const md = usageMarkdown({ entries, sessionId: spend.sessionId, sessionStartedAt: Date.now(), budget: undefined, legacy: null });
    assert.match(md, /This session \(since [^)]*\): \*\*\$0\.40\*\* over 2 requests\./);
    assert.match(md, /## This session\n\n\*\*\$0\.40\*\* over 2 requests/);
    assert.match(md, /## Today \(every Switchboard front end on this machine\)\n\n\*\*\$0\.40\*\* over 2 requests/);
    await w.client.close();
  });

  it('a window reload keeps the session and its total (id in workspace storage, totals in the ledger); the day counts every session', async () => {
    const path = join(dir, 'reload', 'usage.sqlite');
    const state = new MapStore();
    let ledger = new SqliteUsageStore(path);
    const first = service(ledger, state).spend;
    const w = await clientFor(ledger, () => first.sessionId);
    await first.record('chat', await w.ask());
    await first.record('chat', await w.ask());
    const before = first.snapshot();
    assert.equal(before.session.requests, 2);
    await w.client.close();
    ledger.close();
    first.dispose();
    // The reload: a new extension host, the same workspace storage and ledger file.
    ledger = new SqliteUsageStore(path);
    const again = service(ledger, state).spend;
    assert.equal(again.sessionId, before.sessionId);
    await again.refresh();
    assert.deepEqual(again.snapshot().session, before.session);
    assert.equal(again.snapshot().sessionStartedAt, before.sessionStartedAt);
    // Another window's (or the CLI's) spend today: in the day's total, not in this session's.
    await ledger.append({
      ts: new Date().toISOString(),
      model: 'a/m',
      answeredBy: 'a/m',
      inputTokens: 1,
      outputTokens: 1,
      costUsd: 1,
      frontEnd: 'cli',
      ok: true,
      session: 'cli-x',
    });
    await again.refresh();
    assert.ok(Math.abs(again.snapshot().today.usd - 1.4) < 1e-9);
    assert.ok(Math.abs(again.snapshot().session.usd - 0.4) < 1e-9);
    ledger.close();
  });

  it('a window opened after 8 idle hours starts a new session; "Start New Spend Session" starts one at once', async () => {
    const state = new MapStore();
    const ledger = new MemoryUsageStore();
    let t = Date.parse('2026-12-02T09:00:00Z');
    const now = () => t;
    const a = service(ledger, state, { now }).spend;
    const id = a.sessionId;
    t += 60 * 60 * 1000;
    await a.touched(); // a request an hour in
    t += SESSION_IDLE_MS - 1;
    assert.equal(service(ledger, state, { now }).spend.sessionId, id, 'idle just under 8 hours: the same session');
    t += 2;
    const b = service(ledger, state, { now }).spend;
    assert.notEqual(b.sessionId, id);
    assert.match(b.sessionId, /^vscode-[0-9a-f-]{36}$/);
    assert.equal((state.get<{ id: string }>(SESSION_KEY) ?? { id: '' }).id, b.sessionId);
    const seen: string[] = [];
    b.onDidChange((v) => seen.push(v.sessionId));
    const old = b.sessionId;
    const view = await b.startNewSession();
    assert.notEqual(view.sessionId, old);
    assert.equal(b.sessionId, view.sessionId);
    assert.equal(view.session.requests, 0);
    assert.ok(seen.length > 0 && seen.every((s) => s === view.sessionId), 'announced with the new id only');
  });

  it('alerts: 50 % information, 80 % a warning, 100 % or blocked an error with Open Settings (and a new session for the session cap)', async () => {
    const alert = (over: Partial<BudgetAlert>): BudgetAlert => ({
      cap: 'daily',
      threshold: 50,
      limitUsd: 2,
      spentUsd: 1,
      blocked: false,
      onExceed: 'block',
      period: '2026-12-02',
      frontEnd: 'vscode',
      message: 'Budget alert: …',
      ...over,
    });
    const s = service(new MemoryUsageStore(), new MapStore(), { pick: OPEN_SETTINGS });
    await s.spend.alert(alert({}));
    await s.spend.alert(alert({ threshold: 80 }));
    await s.spend.alert(alert({ threshold: 100, blocked: true, cap: 'perSession' }));
    assert.deepEqual(
      s.notices.map((n) => [n.level, n.actions.join('+')]),
      [
        ['info', OPEN_SETTINGS],
        ['warning', OPEN_SETTINGS],
        ['error', `${OPEN_SETTINGS}+${NEW_SESSION}`],
      ],
    );
    assert.equal(s.settingsOpened(), 3);
    const n = service(new MemoryUsageStore(), new MapStore(), { pick: NEW_SESSION });
    const before = n.spend.sessionId;
    await n.spend.alert(alert({ threshold: 100, cap: 'perSession' }));
    assert.notEqual(n.spend.sessionId, before);
  });

  it('a ledger that cannot be read keeps the last totals and says so in the tooltip', async () => {
    const broken: UsageStore = Object.assign(new MemoryUsageStore(), {
      totals: async () => {
        throw new Error('disk I/O error');
      },
    });
    const { spend } = service(broken, new MapStore());
    await spend.refresh();
    const status = spendStatus(spend.snapshot());
    assert.match(status.lines.at(-1)!, /Totals may be out of date: the usage ledger cannot be read: disk I\/O error/);
  });
});

describe('the status bar spend', () => {
  const view = (over: Partial<SpendView>): SpendView => ({
    sessionId: 's',
    sessionStartedAt: Date.parse('2026-12-02T09:00:00'),
    session: { usd: 0, requests: 0, unknownCost: 0 },
    today: { usd: 0, requests: 0, unknownCost: 0 },
    monthUsd: 0,
    budget: undefined,
    problem: null,
    ...over,
  });
  const now = Date.parse('2026-12-02T12:00:00');

  it('nothing spent yet: no figures in the text; the tooltip says there are no caps', () => {
    const s = spendStatus(view({}), now);
    assert.equal(s.text, '');
    assert.equal(s.severity, 'none');
    assert.ok(s.lines.includes('No spending caps set (switchboard.budget).'));
  });

  it('the session and the day in the text, each cap with its share in the tooltip, the colour from the highest share', () => {
    const s = spendStatus(
      view({
        session: { usd: 0.85, requests: 12, unknownCost: 1 },
        today: { usd: 1.2, requests: 30, unknownCost: 1 },
        monthUsd: 9,
        budget: { perSession: 1, daily: 5, monthly: 100, onExceed: 'block' },
      }),
      now,
    );
    assert.equal(s.text, '$0.85 · $1.20 today');
    assert.equal(s.severity, 'warning');
    assert.deepEqual(s.lines.slice(0, 4), [
      'This session: $0.85 (+1 unpriced) over 12 requests — 85% of the $1.00 session cap',
      'Today, every Switchboard front end on this machine: $1.20 (+1 unpriced) over 30 requests — 24% of the $5.00 daily cap',
      'This month: $9.00 — 9% of the $100.00 monthly cap',
      'Over a cap, requests are refused (onExceed: block).',
    ]);
    assert.match(s.lines[4]!, /^Session started [^;]*09[^;]*; it continues across window reloads/);
    assert.equal(spendStatus(view({ today: { usd: 5, requests: 1, unknownCost: 0 }, budget: { daily: 5, onExceed: 'warn' } }), now).severity, 'error');
    assert.equal(spendStatus(view({ session: { usd: 0.7, requests: 1, unknownCost: 0 }, budget: { perSession: 1, onExceed: 'warn' } }), now).severity, 'none');
  });
});

describe('the usage report (Switchboard: Show Usage)', () => {
  it('hosted web searches get their own column by model when any were run', async () => {
    const ledger = new MemoryUsageStore();
    const base = { ts: new Date().toISOString(), inputTokens: 10, outputTokens: 5, frontEnd: 'chat' as const, ok: true, session: 's1' };
    await ledger.append({ ...base, model: 'anthropic/claude-sonnet-4-5', answeredBy: 'anthropic/claude-sonnet-4-5', costUsd: 0.05, webSearches: 3 });
    await ledger.append({ ...base, model: 'openai/gpt-4o', answeredBy: 'openai/gpt-4o', costUsd: 0.01 });
    const md = usageMarkdown({ entries: ledger.entries, sessionId: 's1', sessionStartedAt: Date.now(), budget: undefined, legacy: null });
    assert.match(md, /\| Model \| Requests \| Input tokens \| Output tokens \| Web searches \| Cost \|/);
    assert.match(md, /\| anthropic\/claude-sonnet-4-5 \| 1 \| 10 \| 5 \| 3 \| \$0\.05 \|/);
    const none = usageMarkdown({ entries: [ledger.entries[1]!], sessionId: 's1', sessionStartedAt: Date.now(), budget: undefined, legacy: null });
    assert.doesNotMatch(none, /Web searches/);
  });
});
