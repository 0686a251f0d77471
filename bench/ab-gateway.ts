/**
 * A/B of two gateway builds on the same load: the gateway CPU time per request of checkout A and
 * checkout B (each a git worktree with node_modules), under the same saturated load from the tests'
 * strict fakes, in alternating rounds. Used to decide whether a change to the gateway's hot path
 * pays: the doors' throughput ratio moves with everything else on the machine, the CPU time per
 * request of the gateway process much less.
 *
 *   git worktree add /tmp/base HEAD~1 && ln -s "$PWD/node_modules" /tmp/base/node_modules
 *   node bench/ab-gateway.ts /tmp/base . [--door=chat|messages|responses|proxy] [--rounds=8] [--requests=1500] [--words=100]
 *
 * Each checkout's bench/doors-gateway.ts is forked twice, in the order A B B A: on this machine a
 * gateway process started later measured up to 25 % less CPU per request than one started earlier
 * with the very same code (four copies of one checkout: 529, 486, 419, 384 µs), so a plain A then B
 * would credit B with a gain it does not have. The verdict is the median over both of each
 * checkout's processes and all rounds. `--door=proxy` measures the plain proxy (one bare HTTP hop)
 * of each checkout instead. Keep --requests × (processes − 1) / (requests per second) under the
 * fakes' 5 s idle timeout, or a gateway's pooled sockets to them are closed while it waits its turn.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Pool } from 'undici';
import { startFakeProvider } from '../test/fakes/server.ts';
import { startResponsesFake } from '../test/fakes/responses.ts';
import { answerWords } from './door-upstream.ts';
import { BENCH_CLIENT_IDLE_MS, BENCH_KEY, BENCH_TOKEN } from './doors-gateway.ts';
import { median } from './stats.ts';

type Door = 'chat' | 'messages' | 'responses' | 'proxy';

const REQUEST: Record<Door, { path: string; body: unknown; headers: Record<string, string>; done: string }> = {
  chat: {
    path: '/v1/chat/completions',
    body: { model: 'openai/gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'bench' }] },
    headers: {},
    done: 'data: [DONE]',
  },
  messages: {
    path: '/v1/messages',
    body: { model: 'anthropic/claude-sonnet-4-5', stream: true, max_tokens: 1000, messages: [{ role: 'user', content: 'bench' }] },
    headers: { 'anthropic-version': '2023-06-01' },
    done: 'event: message_stop',
  },
  responses: { path: '/v1/responses', body: { model: 'responses/gpt-5-codex', stream: true, input: 'bench' }, headers: {}, done: 'event: response.completed' },
  proxy: {
    path: '/v1/chat/completions',
    body: { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'bench' }] },
    headers: {},
    done: 'data: [DONE]',
  },
};

export interface AbOptions {
  a: string;
  b: string;
  door: Door;
  rounds: number;
  requests: number;
  words: number;
  concurrency: number;
}

export interface AbReport {
  door: Door;
  /** Median gateway CPU µs per request, and each process's rounds. */
  a: { checkout: string; cpuUsPerRequest: number; processes: number[][] };
  b: { checkout: string; cpuUsPerRequest: number; processes: number[][] };
  /** b / a: below 1, B costs less. */
  ratio: number;
}

interface Side {
  checkout: 'a' | 'b';
  child: ChildProcess;
  pool: Pool;
  cpuMs(): Promise<number>;
}

async function startSide(checkout: 'a' | 'b', dir: string, upstreams: string, door: Door): Promise<Side> {
  const child = fork(resolve(dir, 'bench/doors-gateway.ts'), ['--child', upstreams, ''], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const root = await new Promise<string>((ok, fail) => {
    child.once('exit', (code) => fail(new Error(`ab: the gateway of ${dir} exited (${code}) before it was ready`)));
    child.on('message', (m: { type: string; gatewayRoot: string; proxyRoot: string }) => {
      if (m.type === 'ready') ok(door === 'proxy' ? m.proxyRoot : m.gatewayRoot);
    });
  });
  child.removeAllListeners('exit');
  let nextId = 0;
  const cpuMs = (): Promise<number> =>
    new Promise((ok) => {
      const id = nextId++;
      const on = (m: { type: string; id: number; ms: number }): void => {
        if (m.type !== 'cpu' || m.id !== id) return;
        child.off('message', on);
        ok(m.ms);
      };
      child.on('message', on);
      child.send({ type: 'cpu', id });
    });
  return { checkout, child, cpuMs, pool: new Pool(root, { connections: 256, keepAliveTimeout: BENCH_CLIENT_IDLE_MS }) };
}

/** `n` requests, `concurrency` at a time; every answer must be a 200 that ends as the protocol ends. */
async function load(side: Side, door: Door, n: number, concurrency: number): Promise<void> {
  const spec = REQUEST[door];
  const body = JSON.stringify(spec.body);
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${BENCH_TOKEN}`, ...spec.headers };
  let started = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started++ < n) {
        const r = await side.pool.request({ path: spec.path, method: 'POST', headers, body });
        const text = await r.body.text();
        if (r.statusCode !== 200 || !text.includes(spec.done)) throw new Error(`ab: ${door} answered ${r.statusCode}: ${text.slice(0, 300)}`);
      }
    }),
  );
}

export async function abGateway(opts: AbOptions): Promise<AbReport> {
  const text = answerWords(opts.words).join('');
  const openai = await startFakeProvider('openai', { apiKey: BENCH_KEY });
  const anthropic = await startFakeProvider('anthropic', { apiKey: BENCH_KEY });
  const responses = await startResponsesFake(BENCH_KEY);
  const fakes = [openai, anthropic, responses];
  for (const f of fakes) f.setDefault({ text });
  const upstreams = JSON.stringify({ openai: openai.baseUrl, anthropic: anthropic.baseUrl, responses: responses.baseUrl });
  const sides: Side[] = [];
  try {
    for (const c of ['a', 'b', 'b', 'a'] as const) sides.push(await startSide(c, c === 'a' ? opts.a : opts.b, upstreams, opts.door));
    // Warm-up: the JIT and the pools of every process.
    for (const s of sides) await load(s, opts.door, 4000, opts.concurrency);
    const rounds: number[][] = sides.map(() => []);
    for (let r = 0; r < opts.rounds; r++) {
      const order = r % 2 === 0 ? [0, 1, 2, 3] : [3, 2, 1, 0];
      for (const i of order) {
        const s = sides[i]!;
        const before = await s.cpuMs();
        await load(s, opts.door, opts.requests, opts.concurrency);
        rounds[i]!.push(((await s.cpuMs()) - before) * (1000 / opts.requests));
      }
    }
    const of = (c: 'a' | 'b') => {
      const processes = rounds.filter((_, i) => sides[i]!.checkout === c).map((p) => p.map((us) => Math.round(us)));
      return { checkout: c === 'a' ? opts.a : opts.b, cpuUsPerRequest: Math.round(median(processes.flat())), processes };
    };
    const a = of('a');
    const b = of('b');
    return { door: opts.door, a, b, ratio: Math.round((b.cpuUsPerRequest / a.cpuUsPerRequest) * 1000) / 1000 };
  } finally {
    for (const s of sides) {
      await new Promise<void>((ok) => {
        s.child.once('exit', () => ok());
        s.child.send({ type: 'close' });
      });
      await s.pool.close();
    }
    for (const f of fakes) await f.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [a, b] = process.argv.slice(2).filter((x) => !x.startsWith('--'));
  if (!a || !b) throw new Error('usage: node bench/ab-gateway.ts <checkout A> <checkout B> [--door=chat] [--rounds=8] [--requests=1500] [--words=100]');
  const arg = (name: string, fallback: string): string => process.argv.find((x) => x.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
  const door = arg('door', 'chat') as Door;
  if (!(door in REQUEST)) throw new Error(`--door must be one of ${Object.keys(REQUEST).join(', ')}`);
  const report = await abGateway({
    a: resolve(a),
    b: resolve(b),
    door,
    rounds: Number(arg('rounds', '8')),
    requests: Number(arg('requests', '1500')),
    words: Number(arg('words', '100')),
    concurrency: Number(arg('concurrency', '200')),
  });
  console.log(JSON.stringify(report, null, 1));
}
