/**
 * Load: 200 concurrent streaming requests through the gateway (official SDK → gateway → core →
 * fake upstream). Every answer complete and identical to what the upstream sent, no errors, and
 * the heap back near its baseline afterwards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import OpenAI from 'openai';
import { startWorld } from './gatewayWorld.ts';
import { TOKEN } from './gatewayWorld.ts';

const CONCURRENCY = 200;
const WORDS = 120;
const LONG = Array.from({ length: WORDS }, (_, i) => `word${i}${i % 10 === 9 ? '.\n' : ''}`).join(' ') + ' — fin ✓';

/** A gc() even without --expose-gc (the flag can be set at run time; the function lives in a fresh context). */
function getGc(): (() => void) | null {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return null;
  }
}

async function settledHeap(gc: () => void): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 20));
  }
  return process.memoryUsage().heapUsed;
}

test(`${CONCURRENCY} concurrent streams through the gateway: complete, identical, no errors, memory back to baseline`, async (t) => {
  const w = await startWorld({ gateway: { maxConcurrent: CONCURRENCY + 56 } });
  try {
    w.openai.setDefault({ text: LONG });
    const sdk = new OpenAI({ baseURL: w.gateway.url, apiKey: TOKEN, maxRetries: 0, timeout: 30_000 });
    const one = async (): Promise<{ text: string; chunks: number; finish: string | null; usage: boolean }> => {
      const stream = await sdk.chat.completions.create({
        model: 'openai/gpt-4o-mini',
        messages: [{ role: 'user', content: 'go' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      let chunks = 0;
      let finish: string | null = null;
      let usage = false;
      for await (const c of stream) {
        chunks++;
        text += c.choices[0]?.delta.content ?? '';
        finish = c.choices[0]?.finish_reason ?? finish;
        if (c.usage) usage = true;
      }
      return { text, chunks, finish, usage };
    };

    // Warm up (JIT, connection pools), then take the baseline.
    await Promise.all(Array.from({ length: 20 }, one));
    const gc = getGc();
    const baseline = gc ? await settledHeap(gc) : 0;
    const upstreamBefore = w.openai.requests.length;
    const statsBefore = w.gateway.stats();

    const t0 = performance.now();
    const results = await Promise.allSettled(Array.from({ length: CONCURRENCY }, one));
    const ms = performance.now() - t0;
    const peak = process.memoryUsage().heapUsed;

    const failed = results.filter((r) => r.status === 'rejected');
    assert.equal(
      failed.length,
      0,
      `errors: ${failed
        .slice(0, 3)
        .map((f) => String((f as PromiseRejectedResult).reason))
        .join('; ')}`,
    );
    for (const r of results) {
      const v = (r as PromiseFulfilledResult<Awaited<ReturnType<typeof one>>>).value;
      assert.equal(v.text, LONG);
      assert.equal(v.finish, 'stop');
      assert.ok(v.usage, 'usage chunk at the end');
    }
    const stats = w.gateway.stats();
    assert.equal(stats.completed - statsBefore.completed, CONCURRENCY, 'every stream ended with [DONE]');
    assert.equal(stats.clientAborts, 0);
    assert.equal(stats.active, 0);
    assert.equal(w.openai.requests.length - upstreamBefore, CONCURRENCY, 'one upstream request each, no retries');
    assert.ok(w.ledger.entries.every((e) => e.ok && e.frontEnd === 'gateway'));
    t.diagnostic(`${CONCURRENCY} streams of ${WORDS + 2} chunks in ${Math.round(ms)} ms (${Math.round((CONCURRENCY / ms) * 1000)} req/s)`);

    if (!gc) {
      t.diagnostic('gc() unavailable: memory assertion skipped');
      return;
    }
    const after = await settledHeap(gc);
    const mb = (n: number): string => (n / 1024 / 1024).toFixed(1);
    t.diagnostic(`heapUsed: baseline ${mb(baseline)} MB, peak ${mb(peak)} MB, after ${mb(after)} MB`);
    assert.ok(after - baseline < 8 * 1024 * 1024, `heap grew by ${mb(after - baseline)} MB and stayed`);
  } finally {
    await w.close();
  }
});
