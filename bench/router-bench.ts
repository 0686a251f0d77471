/**
 * Router benchmarks against the fake provider servers (test/fakes):
 * - fan-out: compare() over 8 models on 8 servers that each answer after 300 ms;
 * - failover: route/failover whose primary answers 429 at once and whose fallback's
 *   first token comes after 100 ms; time from the request to the caller's first text part.
 */
import { startFakeProvider } from '../test/fakes/server.ts';
import type { FakeServer } from '../test/fakes/types.ts';
import { createClient, type SwitchboardClient } from '../src/core/client.ts';
import { median, summarize, type Summary } from './stats.ts';

const KEY = 'sk-bench-router-0123456789';
const MESSAGES = [{ role: 'user' as const, content: 'Say something short.' }];

export interface FanOutResult {
  models: number;
  delayMs: number;
  /** Each model alone, sequentially, median of `singleRounds` requests per model (the slowest is the baseline). */
  singleMs: number[];
  singleRounds: number;
  slowestSingleMs: number;
  /** Wall time of compare() over all models, from the call to `results` resolving (warm connections). */
  compareWallMs: Summary & { samples: number[] };
  /** Slowest per-model `timing.totalMs` inside each compare run. */
  slowestInRunMs: Summary;
  /** The very first compare, on cold connections (informational). */
  coldCompareWallMs: number;
  ratio: number;
  ratioVsInRun: number;
}

export interface FailoverResult {
  primaryStatus: number;
  fallbackFirstByteDelayMs: number;
  /** Request start → the caller's first text-delta part. */
  firstTextMs: Summary & { samples: number[] };
  /** How long the 429 attempt took, as the router recorded it. */
  primaryAttemptMs: Summary;
  /** result.timing.ttftMs as the router computed it. */
  reportedTtftMs: Summary;
}

async function closeAll(fakes: FakeServer[], clients: SwitchboardClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(fakes.map((f) => f.close()));
}

export async function benchFanOut(opts: { models?: number; delayMs?: number; reps?: number; singleRounds?: number } = {}): Promise<FanOutResult> {
  const n = opts.models ?? 8;
  const delayMs = opts.delayMs ?? 300;
  const reps = opts.reps ?? 5;
  const singleRounds = opts.singleRounds ?? 3;
  const fakes = await Promise.all(Array.from({ length: n }, () => startFakeProvider('openai', { apiKey: KEY })));
  const expected = fakes.map((_, i) => `Short answer number ${i + 1}.`);
  fakes.forEach((f, i) => f.setDefault({ text: expected[i]!, delayBeforeFirstByteMs: delayMs }));
  const env: Record<string, string> = {};
  const providers = fakes.map((f, i) => {
    env[`P${i + 1}_KEY`] = KEY;
    return { id: `p${i + 1}`, kind: 'openai' as const, baseUrl: f.baseUrl, apiKeyEnv: `P${i + 1}_KEY` };
  });
  const models = fakes.map((_, i) => `p${i + 1}/model-${i + 1}`);
  const client = createClient({ retries: { maxRetries: 0 }, providers }, { env });
  try {
    const runCompare = async (): Promise<{ wall: number; slowestInRun: number }> => {
      const t0 = performance.now();
      const results = await client.compare({ messages: MESSAGES }, models).results;
      const wall = performance.now() - t0;
      results.forEach((r, i) => {
        if (r.error || r.text !== expected[i])
          throw new Error(
            `fan-out: ${models[i]} answered ${JSON.stringify(r.text)} (error: ${r.error?.message ?? 'none'}), expected ${JSON.stringify(expected[i])}`,
          );
      });
      return { wall, slowestInRun: Math.max(...results.map((r) => r.timing.totalMs)) };
    };
    const cold = await runCompare(); // also the warm-up: opens one keep-alive connection per server
    // Each model alone; a per-model median, so one descheduled request does not become the baseline.
    const perModel: number[][] = models.map(() => []);
    for (let round = 0; round < singleRounds; round++) {
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        const r = await client.complete({ model: models[i]!, messages: MESSAGES });
        perModel[i]!.push(performance.now() - t0);
        if (r.error || r.text !== expected[i]) throw new Error(`fan-out single ${models[i]}: ${r.error?.message ?? JSON.stringify(r.text)}`);
      }
    }
    const singleMs = perModel.map((t) => median(t));
    const walls: number[] = [];
    const inRun: number[] = [];
    for (let r = 0; r < reps; r++) {
      const { wall, slowestInRun } = await runCompare();
      walls.push(wall);
      inRun.push(slowestInRun);
    }
    const slowestSingleMs = Math.max(...singleMs);
    const compareWallMs = { ...summarize(walls), samples: walls };
    const slowestInRunMs = summarize(inRun);
    return {
      models: n,
      delayMs,
      singleMs,
      singleRounds,
      slowestSingleMs,
      compareWallMs,
      slowestInRunMs,
      coldCompareWallMs: cold.wall,
      ratio: compareWallMs.median / slowestSingleMs,
      ratioVsInRun: compareWallMs.median / slowestInRunMs.median,
    };
  } finally {
    await closeAll(fakes, [client]);
  }
}

export async function benchFailover(opts: { fallbackDelayMs?: number; reps?: number; warmup?: number } = {}): Promise<FailoverResult> {
  const fallbackDelayMs = opts.fallbackDelayMs ?? 100;
  const reps = opts.reps ?? 7;
  const warmup = opts.warmup ?? 2;
  const [a, b] = await Promise.all([startFakeProvider('openai', { apiKey: KEY }), startFakeProvider('openai', { apiKey: KEY })]);
  a.setDefault({ status: 429 });
  const expected = 'Fallback answer, streamed.';
  b.setDefault({ text: expected, delayBeforeFirstByteMs: fallbackDelayMs });
  const config = {
    retries: { maxRetries: 0 },
    providers: [
      { id: 'a', kind: 'openai' as const, baseUrl: a.baseUrl, apiKeyEnv: 'A_KEY' },
      { id: 'b', kind: 'openai' as const, baseUrl: b.baseUrl, apiKeyEnv: 'B_KEY' },
    ],
    routes: [{ id: 'failover', models: ['a/m1', 'b/m2'], strategy: 'ordered' as const }],
  };
  const env = { A_KEY: KEY, B_KEY: KEY };
  const first: number[] = [];
  const primary: number[] = [];
  const ttft: number[] = [];
  const clients: SwitchboardClient[] = [];
  try {
    for (let r = 0; r < warmup + reps; r++) {
      // A fresh client per request: each starts with a closed circuit (the default cooldown would
      // otherwise take the always-429 primary out after 3 failures and skip it) and cold connections.
      const client = createClient(config, { env });
      clients.push(client);
      const t0 = performance.now();
      const stream = client.stream({ model: 'route/failover', messages: MESSAGES });
      let firstAt: number | null = null;
      let primaryMs: number | null = null;
      for await (const part of stream) {
        if (part.type === 'text-delta' && firstAt === null) firstAt = performance.now() - t0;
        else if (part.type === 'attempt-failed' && part.attempt.model === 'a/m1') primaryMs = part.attempt.durationMs;
      }
      const result = await stream.result;
      if (result.error || result.answeredBy !== 'b/m2' || result.text !== expected || firstAt === null) {
        throw new Error(
          `failover: expected b/m2 to answer ${JSON.stringify(expected)}, got ${result.answeredBy}: ${JSON.stringify(result.text)} (error: ${result.error?.message ?? 'none'})`,
        );
      }
      const failed = result.attempts[0];
      if (!failed || failed.model !== 'a/m1' || failed.status !== 429)
        throw new Error(`failover: the primary did not fail with 429 first: ${JSON.stringify(result.attempts)}`);
      if (r >= warmup) {
        first.push(firstAt);
        primary.push(primaryMs ?? Number.NaN);
        ttft.push(result.timing.ttftMs ?? Number.NaN);
      }
    }
    return {
      primaryStatus: 429,
      fallbackFirstByteDelayMs: fallbackDelayMs,
      firstTextMs: { ...summarize(first), samples: first },
      primaryAttemptMs: summarize(primary),
      reportedTtftMs: summarize(ttft),
    };
  } finally {
    await closeAll([a, b], clients);
  }
}

export { median };
