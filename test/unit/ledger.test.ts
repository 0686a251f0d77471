/**
 * The SQLite usage ledger: entries validated at write, the old JSONL ledger imported once with
 * its bad lines reported, reservations shared across processes (a dead process's hold is
 * dropped), whole entries or nothing on a full disk, and the router's use of it: cancelled
 * streams counted at an estimate, an unwritable ledger blocking a blocking budget.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { startFakeProvider } from '../fakes/server.ts';
import type { FakeServer } from '../fakes/types.ts';
import { createClient, type ClientOptions } from '../../src/core/client.ts';
import type { ConfigInput } from '../../src/core/config.ts';
import { MemoryUsageStore, summarize, type LedgerEntryInput } from '../../src/core/router/ledger.ts';
import { openLedgerAt, SqliteUsageStore } from '../../src/core/router/sqliteLedger.ts';
import { waitFor } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-ledger-'));
let n = 0;
const fresh = (): string => join(dir, `l${n++}`, 'usage.sqlite');
const entry = (cost: number | null, extra: Partial<LedgerEntryInput> = {}): LedgerEntryInput => ({
  ts: new Date().toISOString(),
  model: 'a/m',
  answeredBy: 'a/m',
  inputTokens: 1,
  outputTokens: 2,
  costUsd: cost,
  frontEnd: 'cli',
  ok: true,
  ...extra,
});

const fakes: FakeServer[] = [];
after(async () => {
  await Promise.all(fakes.map((f) => f.close()));
});

describe('the SQLite ledger', () => {
  test('round-trips entries; a string cost or a bad timestamp is rejected at write, naming the field', async () => {
    const s = new SqliteUsageStore(fresh());
    await s.append(entry(0.25));
    await s.append(entry(null, { costEstimated: false, ok: false }));
    await assert.rejects(s.append({ ...entry(0), costUsd: '0.5' as unknown as number }), /costUsd/);
    await assert.rejects(s.append(entry(0.1, { ts: 'yesterday-ish' })), /ts: must be an ISO date/);
    await assert.rejects(s.append(entry(-1)), /costUsd/);
    const all = await s.readAll();
    assert.deepEqual(
      all.map((e) => [e.costUsd, e.ok, e.costEstimated]),
      [
        [0.25, true, false],
        [null, false, false],
      ],
    );
    s.close();
  });

  test('the old JSONL ledger is imported once; torn, string-cost and bad-date lines are reported by line, not merged or shown as NaN', async () => {
    const base = join(dir, 'legacy');
    const jsonl = join(base, 'usage.jsonl');
    await import('node:fs').then((fs) => fs.mkdirSync(base, { recursive: true }));
    const line = (o: object): string => JSON.stringify(o);
    writeFileSync(
      jsonl,
      [
        line(entry(0.1, { ts: '2026-11-20T10:00:00.000Z' })),
        line({ ...entry(0), costUsd: '0.30' }),
        line(entry(0.2, { ts: 'not a date' })),
        // A write cut off by a full disk, then the next entry appended right after it.
        line(entry(0.4)).slice(0, 30) + line(entry(0.5)),
        line(entry(0.6, { ts: '2026-11-21T10:00:00.000Z' })),
        '',
      ].join('\n'),
    );
    const s = openLedgerAt(jsonl); // a .jsonl path (an old SWITCHBOARD_LEDGER) means the .sqlite next to it
    assert.equal(s.location, join(base, 'usage.sqlite'));
    const report = s.legacyImport()!;
    assert.equal(report.imported, 2);
    assert.equal(report.problemCount, 3);
    assert.match(report.problems[0]!, /^line 2: .*costUsd/);
    assert.match(report.problems[1]!, /^line 3: .*ts: must be an ISO date/);
    assert.match(report.problems[2]!, /^line 4: not valid JSON/);
    assert.deepEqual(
      (await s.readAll()).map((e) => e.costUsd),
      [0.1, 0.6],
    );
    const days = summarize(await s.readAll(), null).byDay.map((d) => d.day);
    assert.ok(
      days.every((d) => /^\d{4}-\d{2}-\d{2}$/.test(d)),
      days.join(),
    );
    s.close();
    // Opened again (another process, a later run): not imported twice.
    const again = openLedgerAt(join(base, 'usage.sqlite'));
    assert.equal((await again.readAll()).length, 2);
    assert.equal(again.legacyImport()!.imported, 2);
    again.close();
  });

  test('a reservation counts for every process until settled with the real cost or released', async () => {
    const path = fresh();
    const a = new SqliteUsageStore(path);
    const b = new SqliteUsageStore(path);
    const now = Date.now();
    const r1 = await a.reserve(now, () => ({ hold: 0.6, value: 'ok' }));
    assert.equal(r1.value, 'ok');
    assert.ok(r1.id !== null);
    let seen = -1;
    const r2 = await b.reserve(now, (spent) => {
      seen = spent.today;
      return { hold: null, value: 'refused' };
    });
    assert.equal(seen, 0.6, 'the other store sees the hold');
    assert.equal(r2.id, null);
    await a.settle(r1.id!, entry(0.15));
    assert.deepEqual(await b.totals(now), {
      today: 0.15,
      month: 0.15,
      unknownCostToday: 0,
      reserved: 0,
      session: 0,
      sessionReserved: 0,
      requestsToday: 1,
      sessionRequests: 0,
      unknownCostSession: 0,
      includedToday: 0,
      includedSession: 0,
    });
    const r3 = await b.reserve(now, () => ({ hold: 0.3, value: null }));
    await b.release(r3.id!);
    assert.equal((await a.totals(now)).reserved, 0);
    a.close();
    b.close();
  });

  test('a process that dies holding a reservation does not hold it forever', async () => {
    const path = fresh();
    const store = new SqliteUsageStore(path);
    await store.totals(Date.now()); // create the database
    const script = join(dir, 'holder.mts');
    const mod = fileURLToPath(new URL('../../src/core/router/sqliteLedger.ts', import.meta.url));
    writeFileSync(
      script,
      `import { SqliteUsageStore } from ${JSON.stringify(mod)};\n` +
        `const s = new SqliteUsageStore(process.argv[2]);\n` +
        `await s.reserve(Date.now(), () => ({ hold: 0.7, value: null }));\n` +
        `process.stdout.write('held\\n');\nsetInterval(() => {}, 1000);\n`,
    );
    const child = spawn(process.execPath, [script, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    await once(child.stdout!, 'data');
    assert.equal((await store.totals(Date.now())).reserved, 0.7, 'a live process holds');
    child.kill('SIGKILL');
    await once(child, 'exit');
    let reserved = -1;
    await store.reserve(Date.now(), (spent) => {
      reserved = spent.reserved;
      return { hold: null, value: null };
    });
    assert.equal(reserved, 0, 'the dead process’s hold is gone');
    store.close();
  });

  /** A child process that makes `path` an SQLite file in the default journal mode and holds its write lock: for good (null), or until `releaseAfterMs`, when it commits and writes the time to `<path>.released`. */
  const writeLockHolder = (path: string, releaseAfterMs: number | null) => {
    const script = join(dir, `writer${n++}.mts`);
    writeFileSync(
      script,
      `import { DatabaseSync } from 'node:sqlite';\nimport { writeFileSync, mkdirSync } from 'node:fs';\nimport { dirname } from 'node:path';\n` +
        `const path = process.argv[2];\nmkdirSync(dirname(path), { recursive: true });\nconst db = new DatabaseSync(path);\n` +
        `db.exec('CREATE TABLE other (x INTEGER); BEGIN IMMEDIATE; INSERT INTO other VALUES (1);');\nprocess.stdout.write('held\\n');\n` +
        (releaseAfterMs === null
          ? `setInterval(() => {}, 1000);\n`
          : `setTimeout(() => { db.exec('COMMIT'); writeFileSync(path + '.released', String(Date.now())); db.close(); }, ${releaseAfterMs});\n`),
    );
    return spawn(process.execPath, [script, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  };

  test('opening the ledger while another process writes to the file waits for it (WAL conversion is retried, not failed at once)', async () => {
    const path = fresh();
    const child = writeLockHolder(path, 300);
    await once(child.stdout!, 'data');
    const started = Date.now();
    const s = new SqliteUsageStore(path);
    await s.append(entry(0.3));
    await once(child, 'exit');
    const released = Number(readFileSync(`${path}.released`, 'utf8'));
    assert.ok(released >= started, 'the other process still held its write lock when the ledger was opened');
    assert.deepEqual(
      (await s.readAll()).map((e) => e.costUsd),
      [0.3],
    );
    s.close();
  });

  test('a write lock that is never released fails the open after the busy timeout, naming the file', async () => {
    const path = fresh();
    const child = writeLockHolder(path, null);
    try {
      await once(child.stdout!, 'data');
      const s = new SqliteUsageStore(path, { busyTimeoutMs: 200 });
      await assert.rejects(s.append(entry(0.3)), (e: Error) => e.message.includes(`usage ledger ${path} cannot be used: database is locked`));
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  });

  test('a hold past its time expires (another machine sharing the file cannot be checked)', async () => {
    const s = new SqliteUsageStore(fresh(), { reservationTtlMs: 1000 });
    const t = Date.now();
    await s.reserve(t, () => ({ hold: 0.5, value: null }));
    assert.equal((await s.totals(t + 999)).reserved, 0.5);
    assert.equal((await s.totals(t + 1000)).reserved, 0);
    s.close();
  });

  test('a full disk: the failed write is an error, earlier entries stay whole, and writing resumes cleanly once space returns', async () => {
    const path = fresh();
    // The schema takes 9 pages (tables and indexes); 12 leave room for a hundred-odd entries.
    const full = new SqliteUsageStore(path, { maxPageCount: 12 });
    let written = 0;
    let failure: Error | null = null;
    for (let i = 0; i < 2000 && !failure; i++) {
      try {
        await full.append(entry(0.01, { model: `m${i}` }));
        written++;
      } catch (e) {
        failure = e as Error;
      }
    }
    assert.ok(failure, 'the capped database filled up');
    assert.ok(written > 10, `${written} entries fitted before it was full`);
    assert.match(failure.message, /usage ledger .* cannot be used: database or disk is full/);
    full.close();
    const roomy = new SqliteUsageStore(path);
    await roomy.append(entry(0.02, { model: 'after' }));
    const all = await roomy.readAll();
    assert.equal(all.length, written + 1);
    assert.deepEqual(
      all.map((e) => e.model),
      [...Array.from({ length: written }, (_, i) => `m${i}`), 'after'],
    );
    roomy.close();
  });
});

/** One OpenAI fake as provider `a` with model a/m at $1000/1M in and out. */
async function world(config: Partial<ConfigInput>, options: ClientOptions) {
  const f = await startFakeProvider('openai');
  fakes.push(f);
  const client = createClient(
    {
      pricing: { 'a/m': { input: 1000, output: 1000 } },
      retries: { maxRetries: 0 },
      ...config,
      providers: [{ id: 'a', kind: 'openai', baseUrl: f.baseUrl, apiKeyEnv: 'K' }],
    },
    { env: { K: 'k' }, ...options },
  );
  return { fake: f, client };
}

describe('the router and the ledger', () => {
  test('30 streams cancelled after their first token are counted at an estimate, and a blocking budget sees them', async () => {
    const ledger = new MemoryUsageStore();
    // Each: ~7 prompt tokens + 1 streamed token at $1000/1M = $0.008; each holds 7 + 20 tokens = $0.027.
    const w = await world({ budget: { daily: 0.26, onExceed: 'block' } }, { ledger });
    w.fake.setDefault({ text: 'one two three four five six seven eight nine ten', chunks: 10, delayBetweenChunksMs: 50, usage: { input: 10, output: 10 } });
    for (let i = 0; i < 30; i++) {
      const s = w.client.stream({ model: 'a/m', messages: [{ role: 'user', content: 'hello there' }], maxTokens: 20 });
      for await (const p of s) if (p.type === 'text-delta') break; // leaving the loop cancels
      const r = await s.result;
      assert.equal(r.error?.kind, 'aborted');
      assert.equal(r.costEstimated, true);
      assert.equal(r.costUsd, 0.008);
    }
    assert.equal(ledger.entries.length, 30);
    assert.ok(ledger.entries.every((e) => e.costEstimated && e.costUsd !== null && e.costUsd > 0));
    const total = summarize(ledger.entries, null);
    assert.equal(total.unknownCostRequests, 0);
    assert.equal(total.estimatedCostRequests, 30);
    assert.ok(Math.abs(total.totalUsd - 0.24) < 1e-9, `estimated spend $${total.totalUsd}`);
    assert.equal(ledger.reservations.size, 0, 'every hold was settled');
    // $0.24 counted + $0.027 held > $0.26: the next one is refused (with unknown costs it would go through).
    const r = await w.client.complete({ model: 'a/m', messages: [{ role: 'user', content: 'hello there' }], maxTokens: 20 });
    assert.equal(r.error?.kind, 'budget');
    assert.match(r.error!.message, /spent \$0\.24 today/);
    await w.client.close();
  });

  test('a stream cancelled or timed out after its request was sent, before its first token (its headers awaited, or in), is counted at its prompt, as an estimate', async () => {
    const ledger = new MemoryUsageStore();
    const w = await world({ budget: { daily: 5, onExceed: 'block' } }, { ledger });
    // ~7 prompt tokens at $1000/1M: $0.007, the prompt's cost; the hold (7 + 20 tokens) is $0.027.
    for (const [sc, cancelled] of [
      [{ delayBeforeHeadersMs: 60_000 }, true],
      [{ delayBeforeFirstByteMs: 60_000 }, true],
      // The first-token watchdog gives up on it.
      [{ delayBeforeFirstByteMs: 60_000 }, false],
    ] as const) {
      const what = `${JSON.stringify(sc)} ${cancelled ? 'cancelled' : 'watchdog'}`;
      const entries = ledger.entries.length;
      const sent = w.fake.requests.length;
      w.fake.enqueue({ text: 'never shown', usage: { input: 10, output: 10 }, ...sc });
      const s = w.client.stream({
        model: 'a/m',
        messages: [{ role: 'user', content: 'hello there' }],
        maxTokens: 20,
        ...(cancelled ? {} : { firstTokenTimeoutMs: 200 }),
      });
      const result = s.result;
      await waitFor(() => w.fake.requests.length > sent);
      if (cancelled) s.cancel();
      const r = await result;
      assert.equal(r.error?.kind, cancelled ? 'aborted' : 'timeout', what);
      assert.equal(r.text, '', what);
      assert.equal(ledger.entries.length, entries + 1, what);
      const e = ledger.entries.at(-1)!;
      assert.equal(e.ok, false, what);
      assert.equal(e.answeredBy, 'a/m', what);
      assert.equal(e.costEstimated, true, what);
      assert.equal(e.costUsd, 0.007, what);
      assert.equal(ledger.reservations.size, 0, `${what}: the hold is given back`);
    }
    await w.client.close();
  });

  const unwritable = (): string => {
    const file = join(dir, `not-a-dir-${n++}`);
    writeFileSync(file, 'a file where the ledger folder should be');
    return join(file, 'usage.sqlite');
  };

  test('a ledger that cannot be written blocks requests under a blocking budget, with a clear error', async () => {
    const w = await world({ budget: { daily: 5, onExceed: 'block' } }, { ledger: new SqliteUsageStore(unwritable()) });
    const r = await w.client.complete({ model: 'a/m', messages: [{ role: 'user', content: 'hi' }], maxTokens: 10 });
    assert.equal(r.error?.kind, 'budget');
    assert.match(r.error!.message, /budget cannot be enforced because the usage ledger cannot be written/);
    assert.match(r.error!.fix ?? '', /onExceed to "warn"/);
    assert.equal(w.fake.requests.length, 0);
    await w.client.close();
  });

  test('under a warning budget it is a warning, and without a budget the lost entry is reported after the answer', async () => {
    for (const budget of [{ daily: 5, onExceed: 'warn' as const }, undefined]) {
      const w = await world(budget ? { budget } : {}, { ledger: new SqliteUsageStore(unwritable()) });
      w.fake.enqueue({ text: 'answer', usage: { input: 1, output: 1 } });
      const s = w.client.stream({ model: 'a/m', messages: [{ role: 'user', content: 'hi' }], maxTokens: 10 });
      const warnings: string[] = [];
      for await (const p of s) if (p.type === 'warning') warnings.push(p.message);
      assert.equal((await s.result).text, 'answer');
      if (budget) assert.match(warnings[0]!, /usage ledger cannot be written .* not counted toward the budget/);
      assert.match(warnings.at(-1)!, /this answer \(\$0\.002\) could not be recorded: the usage ledger .* cannot be used/);
      await w.client.close();
    }
  });
});
