// The ledger keeps raw usage and both cost figures; an older database is migrated in place.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeProvider } from '../fakes/server.ts';
import type { FakeServer } from '../fakes/types.ts';
import { createClient } from '../../src/core/client.ts';
import { MemoryUsageStore, summarize } from '../../src/core/router/ledger.ts';
import { loadSqlite, SqliteUsageStore } from '../../src/core/router/sqliteLedger.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-ledger-costs-'));
const fakes: FakeServer[] = [];
after(async () => {
  await Promise.all(fakes.map((f) => f.close()));
  rmSync(dir, { recursive: true, force: true });
});

describe('billed versus computed', () => {
  test('a provider-reported cost is what counts; our figure is kept next to it and the report shows the difference', async () => {
    const f = await startFakeProvider('openrouter');
    fakes.push(f);
    const ledger = new MemoryUsageStore();
    // Our price for the slug: $1 in / $2 out per 1M.
    const client = createClient(
      { providers: [{ id: 'openrouter', baseUrl: f.baseUrl }], pricing: { 'openrouter/acme/m': { input: 1, output: 2 } }, retries: { maxRetries: 0 } },
      { env: { OPENROUTER_API_KEY: 'k' }, ledger },
    );
    f.enqueue({ text: 'hi', usage: { input: 1000, output: 500, cost: 0.0025 } });
    const r = await client.complete({ model: 'openrouter/acme/m', messages: [{ role: 'user', content: 'hello' }] });
    assert.equal(r.error, null);
    // billed $0.0025; ours: 1000 × 1 + 500 × 2 = 2000 µ$
    assert.equal(r.costUsd, 0.0025);
    assert.deepEqual(r.costCheck, { billedUsd: 0.0025, computedUsd: 0.002 });
    const [e] = ledger.entries;
    assert.equal(e?.billedUsd, 0.0025);
    assert.equal(e?.computedUsd, 0.002);
    const report = summarize(ledger.entries, null);
    assert.deepEqual(report.billedVsComputed, [{ model: 'openrouter/acme/m', requests: 1, billedUsd: 0.0025, computedUsd: 0.002 }]);
    await client.close();
  });

  test("OpenRouter's live price charges cache reads and writes at its own rates: ours equals what it billed", async () => {
    // A model the price database does not know, so the price is OpenRouter's live one.
    const f = await startFakeProvider('openrouter', {
      models: [{ id: 'acme/cachey', inputPrice: 2, outputPrice: 8, cacheReadPrice: 0.2, cacheWritePrice: 2.5 }],
    });
    fakes.push(f);
    const ledger = new MemoryUsageStore();
    const client = createClient(
      { providers: [{ id: 'openrouter', baseUrl: f.baseUrl }], retries: { maxRetries: 0 } },
      { env: { OPENROUTER_API_KEY: 'k' }, ledger },
    );
    await client.catalog.refresh({ force: true });
    assert.deepEqual(client.catalog.pricedBy('openrouter/acme/cachey'), {
      price: { input: 2, output: 8, cachedInput: 0.2, cacheWrite5m: 2.5 },
      source: 'openrouter',
    });
    // The fake bills as OpenRouter does: 2,000 fresh × 2 + 2,000 read × 0.2 + 6,000 written × 2.5 + 500 out × 8 = 23,400 µ$
    f.enqueue({ text: 'hi', usage: { input: 10_000, output: 500, cached: 2000, cacheWrite: 6000 } });
    const r = await client.complete({ model: 'openrouter/acme/cachey', messages: [{ role: 'user', content: 'hello' }] });
    assert.equal(r.error, null);
    assert.equal(r.usage.cacheWrite5mTokens, 6000);
    assert.equal(r.costUsd, 0.0234);
    assert.deepEqual(r.costCheck, { billedUsd: 0.0234, computedUsd: 0.0234 });
    assert.deepEqual(summarize(ledger.entries, null).billedVsComputed, [
      { model: 'openrouter/acme/cachey', requests: 1, billedUsd: 0.0234, computedUsd: 0.0234 },
    ]);
    await client.close();
  });
});

describe('a stream cut after a running count', () => {
  for (const kind of ['gemini', 'anthropic'] as const) {
    test(`${kind}: the counts sent while it streamed are not the answer's: the cost is an estimate, at no less than they say`, async () => {
      const f = await startFakeProvider(kind);
      fakes.push(f);
      const ledger = new MemoryUsageStore();
      const client = createClient(
        { providers: [{ id: 'p', kind, baseUrl: f.baseUrl, apiKeyEnv: 'K' }], pricing: { 'p/m': { input: 1000, output: 1000 } }, retries: { maxRetries: 0 } },
        { env: { K: 'k' }, ledger },
      );
      // Gemini: usageMetadata on every chunk (a running count); Anthropic: message_start's placeholder output count.
      f.enqueue({ text: 'one two three four five six seven eight', chunks: 8, usage: { input: 100, output: 400 }, dropAfterChunks: 4 });
      const r = await client.complete({ model: 'p/m', messages: [{ role: 'user', content: 'count' }], maxTokens: 1000 });
      assert.ok(r.error, 'the stream was cut');
      assert.ok(r.text.length > 0);
      assert.equal(r.costEstimated, true);
      const [e] = ledger.entries;
      assert.equal(e?.costEstimated, true);
      // At least the prompt's 100 tokens and what was streamed, at $1000/1M.
      assert.ok(e?.costUsd !== null && e!.costUsd! >= (100 + (r.usage.outputTokens ?? 0)) / 1000, `cost ${e?.costUsd}`);
      // The same answer, whole: its final count is exact.
      f.enqueue({ text: 'one two three four five six seven eight', chunks: 8, usage: { input: 100, output: 400 } });
      const whole = await client.complete({ model: 'p/m', messages: [{ role: 'user', content: 'count' }], maxTokens: 1000 });
      assert.equal(whole.error, null);
      assert.notEqual(whole.costEstimated, true);
      assert.equal(whole.costUsd, 0.5);
      await client.close();
    });
  }
});

describe('ledger schema', () => {
  test('a database from before raw usage is migrated once; old rows read with nulls, new ones round-trip', async () => {
    const path = join(dir, 'old.sqlite');
    const { DatabaseSync } = loadSqlite();
    const old = new DatabaseSync(path);
    // The first schema, as money12 shipped it.
    old.exec(`CREATE TABLE entries (id INTEGER PRIMARY KEY, ts TEXT NOT NULL, ts_ms INTEGER NOT NULL, model TEXT NOT NULL, answered_by TEXT,
      input_tokens INTEGER, output_tokens INTEGER, cached_input_tokens INTEGER, reasoning_tokens INTEGER, cost_usd REAL, cost_estimated INTEGER NOT NULL DEFAULT 0,
      front_end TEXT NOT NULL, ok INTEGER NOT NULL);
      INSERT INTO entries (ts, ts_ms, model, answered_by, input_tokens, output_tokens, cost_usd, front_end, ok) VALUES ('2026-12-01T10:00:00.000Z', ${Date.parse('2026-12-01T10:00:00.000Z')}, 'a/m', 'a/m', 10, 20, 0.5, 'cli', 1);`);
    old.close();

    const s = new SqliteUsageStore(path);
    await s.append({
      ts: '2026-12-01T11:00:00.000Z',
      model: 'b/m',
      answeredBy: 'b/m',
      inputTokens: 3000,
      outputTokens: 10,
      cachedInputTokens: 100,
      cacheWrite5mTokens: 1500,
      cacheWrite1hTokens: 500,
      toolUsePromptTokens: 0,
      webSearches: 2,
      inputAudioTokens: 1200,
      outputAudioTokens: 7,
      costUsd: 0.01,
      billedUsd: 0.01,
      computedUsd: 0.0098,
      frontEnd: 'gateway',
      ok: true,
    });
    const [a, b] = await s.readAll();
    assert.equal(a?.costUsd, 0.5);
    assert.equal(a?.cacheWrite5mTokens, null);
    assert.equal(a?.billedUsd, null);
    assert.deepEqual([b?.cacheWrite5mTokens, b?.cacheWrite1hTokens, b?.toolUsePromptTokens, b?.billedUsd, b?.computedUsd], [1500, 500, 0, 0.01, 0.0098]);
    assert.deepEqual([a?.webSearches, b?.webSearches], [null, 2], 'the web searches a cost was computed with');
    assert.deepEqual([a?.inputAudioTokens, a?.outputAudioTokens, b?.inputAudioTokens, b?.outputAudioTokens], [null, null, 1200, 7], 'the audio tokens');
    s.close();
    // Opening again does not migrate twice (an ALTER of an existing column would throw).
    const again = new SqliteUsageStore(path);
    assert.equal((await again.readAll()).length, 2);
    again.close();
  });
});

describe('audio tokens', () => {
  test('priced at the database’s audio rates when it has them; otherwise as text, the cost marked as an estimate and a warning saying so', async () => {
    const f = await startFakeProvider('openai');
    fakes.push(f);
    const ledger = new MemoryUsageStore();
    const client = createClient({ providers: [{ id: 'openai', baseUrl: f.baseUrl }], retries: { maxRetries: 0 } }, { env: { OPENAI_API_KEY: 'k' }, ledger });
    const usage = { input: 1200, output: 700, audioInput: 900, audioOutput: 600 };
    // gpt-audio has audio rates: 300 text × 2.5 + 900 audio × 32 + 100 text × 10 + 600 audio × 64 = 68,950 µ$
    f.enqueue({ text: 'heard you', usage });
    const exact = await client.complete({ model: 'openai/gpt-audio', messages: [{ role: 'user', content: 'hello' }] });
    assert.equal(exact.error, null);
    assert.equal(exact.usage.inputAudioTokens, 900);
    assert.equal(exact.usage.outputAudioTokens, 600);
    assert.equal(exact.costUsd, 0.06895);
    assert.equal(exact.costEstimated, undefined);
    assert.ok(!exact.warnings.some((w) => /audio/.test(w)), exact.warnings.join('\n'));
    // gpt-4o-audio-preview has none in the database: every token at the text rates (1200 × 2.5 + 700 × 10), said to be an estimate
    f.enqueue({ text: 'heard you', usage });
    const asText = await client.complete({ model: 'openai/gpt-4o-audio-preview', messages: [{ role: 'user', content: 'hello' }] });
    assert.equal(asText.error, null);
    assert.equal(asText.costUsd, 0.01);
    assert.equal(asText.costEstimated, true);
    assert.ok(
      asText.warnings.includes(
        'openai/gpt-4o-audio-preview: 900 audio prompt tokens and 600 audio answer tokens were priced as text (its price has no audio rate), so the cost is an estimate',
      ),
      asText.warnings.join('\n'),
    );
    const [a, b] = ledger.entries;
    assert.deepEqual([a?.costUsd, a?.costEstimated, a?.computedUsd], [0.06895, false, 0.06895]);
    assert.deepEqual([a?.inputAudioTokens, a?.outputAudioTokens], [900, 600], 'the ledger keeps the audio counts the cost was computed with');
    assert.deepEqual([b?.costUsd, b?.costEstimated, b?.computedUsd], [0.01, true, null]);
    await client.close();
  });
});
