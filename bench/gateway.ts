/**
 * Gateway overhead: 200 concurrent streaming chat completions sent to a fake OpenAI upstream
 * directly, then through the gateway (gateway → core router → same upstream), with the same HTTP
 * client. Reports throughput and latency (time to the last byte) for both, the latency the gateway
 * adds under that load (p50/p99), and what it adds to a lone request on an idle machine. For
 * scale, `core_in_process_rps` is the same streams from `client.chat.completions.create()` with no
 * gateway hop: the part of the cost that is the core's (decoding, routing, chunk shaping).
 *
 * `benchGateway()` is called by the main bench; `node bench/gateway.ts` runs it alone.
 */
import { pathToFileURL } from 'node:url';
import { Agent, request } from 'undici';
import { startFakeProvider } from '../test/fakes/server.ts';
import { createClient } from '../src/core/client.ts';
import { startGateway } from '../src/gateway/server.ts';

const KEY = 'sk-bench-0123456789abcdef';
const TOKEN = 'bench-gateway-token-0123456789';
const WORDS = 100;
const TEXT = Array.from({ length: WORDS }, (_, i) => `w${i}`).join(' ');

export interface GatewayBenchOptions {
  concurrency?: number;
  rounds?: number;
  idleRequests?: number;
}

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
const round1 = (n: number): number => Math.round(n * 10) / 10;

export async function benchGateway(opts: GatewayBenchOptions = {}): Promise<Record<string, number | string>> {
  const concurrency = opts.concurrency ?? 200;
  const rounds = opts.rounds ?? 3;
  const idleRequests = opts.idleRequests ?? 100;

  const fake = await startFakeProvider('openai', { apiKey: KEY });
  fake.setDefault({ text: TEXT });
  const client = createClient(
    { retries: { maxRetries: 0 }, providers: [{ id: 'openai', baseUrl: fake.baseUrl }] },
    { env: { OPENAI_API_KEY: KEY }, frontEnd: 'bench' },
  );
  const gateway = await startGateway({ client, token: TOKEN, maxConcurrent: concurrency + 64 });
  // The caller's HTTP client: same for both paths, enough sockets for every request at once.
  const caller = new Agent({ connections: concurrency + 16, keepAliveTimeout: 30_000 });

  const direct = { url: `${fake.baseUrl}/chat/completions`, auth: `Bearer ${KEY}`, model: 'gpt-4o-mini' };
  const viaGateway = { url: `${gateway.url}/chat/completions`, auth: `Bearer ${TOKEN}`, model: 'openai/gpt-4o-mini' };
  type Target = typeof direct;

  /** One streamed request, read to the end; ms to the last byte. */
  const one = async (t: Target): Promise<number> => {
    const t0 = performance.now();
    const res = await request(t.url, {
      method: 'POST',
      dispatcher: caller,
      headers: { authorization: t.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ model: t.model, stream: true, messages: [{ role: 'user', content: 'bench' }] }),
    });
    let tail = '';
    for await (const c of res.body) tail = (tail + (c as Buffer).toString('utf8')).slice(-32);
    if (res.statusCode !== 200 || !tail.includes('[DONE]')) throw new Error(`bench request to ${t.url} failed: ${res.statusCode}`);
    return performance.now() - t0;
  };

  /** The same answer from the core in-process (no gateway HTTP hop): what the gateway builds on. */
  const inCore = async (): Promise<number> => {
    const t0 = performance.now();
    const stream = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'bench' }] });
    let bytes = 0;
    for await (const c of stream) bytes += JSON.stringify(c).length;
    if (bytes === 0) throw new Error('bench: empty answer from the core');
    return performance.now() - t0;
  };

  const burst = async (t: Target | 'core'): Promise<{ ms: number; latencies: number[] }> => {
    const t0 = performance.now();
    const latencies = await Promise.all(Array.from({ length: concurrency }, () => (t === 'core' ? inCore() : one(t))));
    return { ms: performance.now() - t0, latencies };
  };

  try {
    // Warm-up: JIT, connection pools on both hops.
    await burst(direct);
    await burst(viaGateway);
    await burst('core');

    const lat = { direct: [] as number[], gateway: [] as number[] };
    const wall = { direct: 0, gateway: 0, core: 0 };
    for (let r = 0; r < rounds; r++) {
      const d = await burst(direct);
      const g = await burst(viaGateway);
      const c = await burst('core');
      lat.direct.push(...d.latencies);
      lat.gateway.push(...g.latencies);
      wall.direct += d.ms;
      wall.gateway += g.ms;
      wall.core += c.ms;
    }
    lat.direct.sort((a, b) => a - b);
    lat.gateway.sort((a, b) => a - b);

    // A lone request at a time: the gateway's own cost without queueing.
    const idle = { direct: [] as number[], gateway: [] as number[] };
    for (let i = 0; i < idleRequests; i++) {
      idle.direct.push(await one(direct));
      idle.gateway.push(await one(viaGateway));
    }
    idle.direct.sort((a, b) => a - b);
    idle.gateway.sort((a, b) => a - b);

    const total = concurrency * rounds;
    return {
      concurrency,
      chunks_per_response: WORDS + 1,
      direct_rps: Math.round((total / wall.direct) * 1000),
      gateway_rps: Math.round((total / wall.gateway) * 1000),
      core_in_process_rps: Math.round((total / wall.core) * 1000),
      direct_p50_ms: round1(pct(lat.direct, 50)),
      direct_p99_ms: round1(pct(lat.direct, 99)),
      gateway_p50_ms: round1(pct(lat.gateway, 50)),
      gateway_p99_ms: round1(pct(lat.gateway, 99)),
      added_p50_ms: round1(pct(lat.gateway, 50) - pct(lat.direct, 50)),
      added_p99_ms: round1(pct(lat.gateway, 99) - pct(lat.direct, 99)),
      idle_added_p50_ms: round1(pct(idle.gateway, 50) - pct(idle.direct, 50)),
      idle_added_p99_ms: round1(pct(idle.gateway, 99) - pct(idle.direct, 99)),
    };
  } finally {
    await caller.close();
    await gateway.close();
    await client.close();
    await fake.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const out = await benchGateway();
  console.log(JSON.stringify(out, null, 2));
}
