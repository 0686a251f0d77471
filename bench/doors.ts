/**
 * The gateway's doors side by side: the same streamed answer (a fake OpenAI upstream, 101
 * chunks) asked directly, and through each door — Chat Completions, Anthropic Messages, OpenAI
 * Responses — at 1 and at 50 concurrent streams, in one run with one HTTP client. Reports
 * throughput (and its ratio to direct: the target is ≥ 0.8×) and latency to the last byte
 * (p50/p99, and what each door adds over direct).
 *
 * `benchDoors()` is called by the main bench; `node bench/doors.ts` runs it alone.
 */
import { pathToFileURL } from 'node:url';
import { Agent, request } from 'undici';
import { startFakeProvider } from '../test/fakes/server.ts';
import { createClient } from '../src/core/client.ts';
import { startGateway } from '../src/gateway/server.ts';

const KEY = 'sk-bench-0123456789abcdef';
const TOKEN = 'bench-gateway-token-0123456789';
const TEXT = Array.from({ length: 100 }, (_, i) => `w${i}`).join(' ');

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
const round1 = (n: number): number => Math.round(n * 10) / 10;

export interface DoorRow {
  door: string;
  concurrency: number;
  rps: number;
  ratio: number | null;
  p50: number;
  p99: number;
  addedP50: number | null;
  addedP99: number | null;
}

export async function benchDoors(opts: { levels?: number[]; requestsPerLevel?: number } = {}): Promise<DoorRow[]> {
  const levels = opts.levels ?? [1, 50];
  const perLevel = opts.requestsPerLevel ?? 300;
  const fake = await startFakeProvider('openai', { apiKey: KEY });
  fake.setDefault({ text: TEXT });
  const client = createClient(
    { retries: { maxRetries: 0 }, providers: [{ id: 'openai', baseUrl: fake.baseUrl }] },
    { env: { OPENAI_API_KEY: KEY }, frontEnd: 'bench', catalogCacheFile: null },
  );
  const gateway = await startGateway({ client, token: TOKEN, maxConcurrent: 256 });
  const caller = new Agent({ connections: 128, keepAliveTimeout: 30_000 });
  const root = gateway.url.replace(/\/v1$/, '');
  const msgs = [{ role: 'user', content: 'bench' }];
  const targets: { door: string; url: string; headers: Record<string, string>; body: string; done: string }[] = [
    {
      door: 'direct upstream',
      url: `${fake.baseUrl}/chat/completions`,
      headers: { authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: msgs }),
      done: '[DONE]',
    },
    {
      door: 'chat completions door',
      url: `${gateway.url}/chat/completions`,
      headers: { authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', stream: true, messages: msgs }),
      done: '[DONE]',
    },
    {
      door: 'messages door',
      url: `${root}/v1/messages`,
      headers: { 'x-api-key': TOKEN, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', stream: true, max_tokens: 1000, messages: msgs }),
      done: 'message_stop',
    },
    {
      door: 'responses door',
      url: `${gateway.url}/responses`,
      headers: { authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', stream: true, input: 'bench' }),
      done: 'response.completed',
    },
  ];
  type Target = (typeof targets)[number];

  const one = async (t: Target): Promise<number> => {
    const t0 = performance.now();
    const res = await request(t.url, { method: 'POST', dispatcher: caller, headers: { ...t.headers, 'content-type': 'application/json' }, body: t.body });
    let all = '';
    for await (const c of res.body) all += (c as Buffer).toString('utf8');
    if (res.statusCode !== 200 || !all.includes(t.done)) throw new Error(`bench: ${t.door} failed: ${res.statusCode} ${all.slice(0, 200)}`);
    return performance.now() - t0;
  };

  /** `n` requests with `c` in flight at a time; wall ms and each latency. */
  const level = async (t: Target, c: number, n: number): Promise<{ ms: number; lat: number[] }> => {
    const lat: number[] = [];
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: c }, async () => {
        while (next < n) {
          next++;
          lat.push(await one(t));
        }
      }),
    );
    return { ms: performance.now() - t0, lat: lat.sort((a, b) => a - b) };
  };

  try {
    for (const t of targets) await level(t, 50, 200); // warm-up: JIT and pools on every path
    const rows: DoorRow[] = [];
    for (const c of levels) {
      // Interleaved in rounds so a slow moment of the shared machine hits every door alike.
      const acc = new Map<string, { ms: number; lat: number[] }>(targets.map((t) => [t.door, { ms: 0, lat: [] }]));
      for (let r = 0; r < 3; r++) {
        for (const t of targets) {
          const x = await level(t, c, Math.ceil(perLevel / 3));
          const a = acc.get(t.door)!;
          a.ms += x.ms;
          a.lat.push(...x.lat);
        }
      }
      const direct = acc.get('direct upstream')!;
      direct.lat.sort((a, b) => a - b);
      const directRps = (direct.lat.length / direct.ms) * 1000;
      for (const t of targets) {
        const a = acc.get(t.door)!;
        a.lat.sort((x, y) => x - y);
        const rps = (a.lat.length / a.ms) * 1000;
        const isDirect = t.door === 'direct upstream';
        rows.push({
          door: t.door,
          concurrency: c,
          rps: Math.round(rps),
          ratio: isDirect ? null : Math.round((rps / directRps) * 100) / 100,
          p50: round1(pct(a.lat, 50)),
          p99: round1(pct(a.lat, 99)),
          addedP50: isDirect ? null : round1(pct(a.lat, 50) - pct(direct.lat, 50)),
          addedP99: isDirect ? null : round1(pct(a.lat, 99) - pct(direct.lat, 99)),
        });
      }
    }
    return rows;
  } finally {
    await caller.close();
    await gateway.close();
    await client.close();
    await fake.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await benchDoors()) console.log(JSON.stringify(r));
}
