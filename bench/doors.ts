/**
 * The gateway's doors side by side: the same streamed answer asked directly from a fake upstream
 * and through each door — Chat Completions, Anthropic Messages, OpenAI Responses — at 1 and 50
 * concurrent streams, with one HTTP client. Each door is measured twice: over an upstream of its
 * own protocol (the same-protocol fast path) and over another protocol (the translating path).
 *
 * Two loads: saturated (the upstream writes the whole answer at once: what is measured is the
 * gateway's CPU cost) and paced (one event every few ms, as providers stream tokens: what a user
 * sees is the added latency). Then the same answer not streamed (`stream: false`: the protocol's JSON
 * answer), saturated: forwarded as received on the fast path, decoded and written again when
 * translated. The gateway runs in its own process by default (on a machine with
 * two cores, a gateway sharing the client's and the upstream's process makes every request pay
 * for all three in one thread); `inProcess` runs it here, as earlier versions of this bench did.
 * A plain proxy (bytes in, bytes out) in the gateway's process shows what one HTTP hop costs alone.
 *
 * Reports throughput (and its ratio to direct: the target is >= 0.8x), latency to the last byte
 * (p50/p99, and what each path adds over direct) and the gateway process's CPU time per request.
 * `benchDoors()` is called by the main bench; `node bench/doors.ts` runs it alone.
 */
import { fork } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Agent, request } from 'undici';
import { answerWords, startBenchUpstream, type UpstreamProtocol } from './door-upstream.ts';
import { BENCH_CLIENT_IDLE_MS, BENCH_KEY, BENCH_TOKEN, benchModels, startBenchGatewayHere, type BenchGateway, type BenchUpstreams } from './doors-gateway.ts';

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
const round1 = (n: number): number => Math.round(n * 10) / 10;
const round2 = (n: number): number => Math.round(n * 100) / 100;

export interface DoorRow {
  /** What was asked: "direct", "proxy", or the door and the upstream protocol it reached. */
  path: string;
  door: 'chat' | 'messages' | 'responses';
  upstream: UpstreamProtocol;
  kind: 'direct' | 'proxy' | 'same-protocol' | 'translating';
  concurrency: number;
  requests: number;
  rps: number;
  /** Throughput over direct to the same upstream protocol. */
  ratio: number | null;
  p50: number;
  p99: number;
  addedP50: number | null;
  addedP99: number | null;
  /** CPU ms the gateway's process spent per request (null in-process: it is the bench's own). */
  gatewayCpuMs: number | null;
}

export interface DoorsReport {
  gatewayProcess: 'child' | 'in-process';
  words: number;
  paceMs: number;
  loadAverage1m: { start: number; end: number };
  saturated: DoorRow[];
  paced: DoorRow[];
  /** The same answer not streamed (the protocol's JSON answer), saturated. */
  nonStreamed: DoorRow[];
}

export interface Target {
  path: string;
  door: DoorRow['door'];
  upstream: UpstreamProtocol;
  kind: DoorRow['kind'];
  url: string;
  headers: Record<string, string>;
  body: string;
  /** The answer text from a response body (checked on the first request of each run). */
  text(all: string): string;
  /** What a complete answer's body contains. */
  done: string;
}

const DOOR_PATH = { chat: '/v1/chat/completions', messages: '/v1/messages', responses: '/v1/responses' } as const;
/** Which door speaks which protocol, and the model that reaches each upstream protocol. */
const DOOR_PROTOCOL: Record<DoorRow['door'], UpstreamProtocol> = { chat: 'openai', messages: 'anthropic', responses: 'openai-responses' };
const UPSTREAM_PATH: Record<UpstreamProtocol, string> = { openai: DOOR_PATH.chat, anthropic: DOOR_PATH.messages, 'openai-responses': DOOR_PATH.responses };
const DONE: Record<DoorRow['door'], string> = { chat: '[DONE]', messages: 'message_stop', responses: 'response.completed' };
/** The same, not streamed: how each protocol's JSON answer says it ended. */
const DONE_WHOLE: Record<DoorRow['door'], string> = { chat: '"finish_reason":"stop"', messages: '"stop_reason":"end_turn"', responses: '"status":"completed"' };

/** The text deltas of a body in a door's protocol. */
function textOf(door: DoorRow['door'], all: string): string {
  let s = '';
  for (const line of all.split('\n')) {
    if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
    const d = JSON.parse(line.slice(6)) as Record<string, unknown> & { choices?: { delta?: { content?: string } }[]; delta?: unknown };
    if (door === 'chat') s += d.choices?.[0]?.delta?.content ?? '';
    else if (door === 'messages' && d.type === 'content_block_delta') s += (d.delta as { text?: string }).text ?? '';
    else if (door === 'responses' && d.type === 'response.output_text.delta') s += String(d.delta);
  }
  return s;
}

/** The text of a non-streamed answer in a door's protocol. */
function wholeTextOf(door: DoorRow['door'], all: string): string {
  const a = JSON.parse(all) as {
    choices?: { message?: { content?: string } }[];
    content?: { type: string; text?: string }[];
    output?: { type: string; content?: { type: string; text?: string }[] }[];
  };
  const texts = (list: { type: string; text?: string }[] | undefined, type: string): string =>
    (list ?? []).map((c) => (c.type === type ? (c.text ?? '') : '')).join('');
  if (door === 'chat') return a.choices?.[0]?.message?.content ?? '';
  if (door === 'messages') return texts(a.content, 'text');
  return (a.output ?? []).map((item) => (item.type === 'message' ? texts(item.content, 'output_text') : '')).join('');
}

/** How a door's answer is checked, streamed or not. */
function answerCheck(door: DoorRow['door'], stream: boolean): Pick<Target, 'door' | 'done' | 'text'> {
  return stream ? { door, done: DONE[door], text: (all) => textOf(door, all) } : { door, done: DONE_WHOLE[door], text: (all) => wholeTextOf(door, all) };
}

function bodyFor(door: DoorRow['door'], model: string, stream: boolean): { body: string; headers: Record<string, string> } {
  const msgs = [{ role: 'user', content: 'bench' }];
  if (door === 'chat') return { body: JSON.stringify({ model, stream, messages: msgs }), headers: {} };
  if (door === 'messages') return { body: JSON.stringify({ model, stream, max_tokens: 1000, messages: msgs }), headers: { 'anthropic-version': '2023-06-01' } };
  return { body: JSON.stringify({ model, stream, input: 'bench' }), headers: {} };
}

/** Where each protocol is asked directly: the upstream's root (no /v1) and the model named in the body. */
export type DirectUpstreams = Record<UpstreamProtocol, { root: string; model: string }>;

/**
 * The paths: each protocol direct (and through the plain proxy), then each door over its own
 * protocol and over another. `models`: the gateway's model for each upstream protocol. `stream`
 * false: every path asks for a non-streamed answer.
 */
export function doorTargets(direct: DirectUpstreams, models: Record<UpstreamProtocol, string>, g: BenchGateway, withProxy: boolean, stream = true): Target[] {
  const out: Target[] = [];
  const doors = ['chat', 'messages', 'responses'] as const;
  for (const door of doors) {
    const protocol = DOOR_PROTOCOL[door];
    const directBody = bodyFor(door, direct[protocol].model, stream);
    const common = answerCheck(door, stream);
    out.push({
      ...common,
      path: `direct ${protocol}`,
      upstream: protocol,
      kind: 'direct',
      url: direct[protocol].root + UPSTREAM_PATH[protocol],
      headers: { authorization: `Bearer ${BENCH_KEY}`, ...directBody.headers },
      body: directBody.body,
    });
    if (withProxy)
      out.push({
        ...common,
        path: `plain proxy ${protocol}`,
        upstream: protocol,
        kind: 'proxy',
        url: g.proxyRoot + UPSTREAM_PATH[protocol],
        headers: directBody.headers,
        body: directBody.body,
      });
  }
  for (const door of doors) {
    const same = DOOR_PROTOCOL[door];
    // The translating case: Chat Completions over Anthropic; the agents' doors over Chat Completions.
    const other: UpstreamProtocol = door === 'chat' ? 'anthropic' : 'openai';
    for (const [upstream, kind] of [
      [same, 'same-protocol'],
      [other, 'translating'],
    ] as const) {
      const b = bodyFor(door, models[upstream], stream);
      out.push({
        ...answerCheck(door, stream),
        path: `${door} door -> ${upstream}`,
        upstream,
        kind,
        url: g.gatewayRoot + DOOR_PATH[door],
        headers: { authorization: `Bearer ${BENCH_TOKEN}`, ...b.headers },
        body: b.body,
      });
    }
  }
  return out;
}

/** A gateway in its own process (fork of bench/doors-gateway.ts), or here. */
export async function startGatewaySide(upstreams: BenchUpstreams, inProcess: boolean, fastPath: boolean): Promise<BenchGateway> {
  if (inProcess) return startBenchGatewayHere(upstreams, { fastPath });
  const child = fork(fileURLToPath(new URL('./doors-gateway.ts', import.meta.url)), ['--child', JSON.stringify(upstreams), fastPath ? '' : '--no-fast-path'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // BENCH_GATEWAY_CPU_PROF=<dir>: a V8 CPU profile of the gateway's process (see bench/cpuprofile-summary.ts).
    execArgv: [
      ...process.execArgv.filter((a) => !a.startsWith('--cpu-prof')),
      ...(process.env.BENCH_GATEWAY_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_GATEWAY_CPU_PROF}`] : []),
    ],
  });
  const ready = await new Promise<{ gatewayRoot: string; proxyRoot: string }>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`bench: the gateway process exited (${code}) before it was ready`)));
    child.on('message', (m: { type: string; gatewayRoot: string; proxyRoot: string }) => {
      if (m.type === 'ready') resolve(m);
    });
  });
  let nextId = 0;
  const waiting = new Map<number, (ms: number) => void>();
  child.on('message', (m: { type: string; id: number; ms: number }) => {
    if (m.type === 'cpu') waiting.get(m.id)?.(m.ms);
  });
  return {
    ...ready,
    cpuMs: () =>
      new Promise<number>((resolve) => {
        const id = nextId++;
        waiting.set(id, (ms) => {
          waiting.delete(id);
          resolve(ms);
        });
        child.send({ type: 'cpu', id });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        child.removeAllListeners('exit');
        child.once('exit', () => resolve());
        child.send({ type: 'close' });
      }),
  };
}

export interface MeasureOptions {
  /** The paths; each one's ratio is over the `direct <protocol>` path of its upstream protocol. */
  list: Target[];
  g: BenchGateway;
  /** The gateway runs in the bench's process (its CPU time is then not its own). */
  inProcess: boolean;
  /** The answer text every path must deliver (checked on the first request of each run). */
  expected: string;
  /** Before the measured levels, on every path. */
  warmUp: { concurrency: number; requests: number };
  levels: { concurrency: number; requests: number }[];
  rounds: number;
  /** Called after each round (e.g. to let fakes forget the requests they recorded). */
  afterRound?: () => void;
}

/**
 * Requests per path before a saturated level is measured. The gateway process and the bench's own
 * client and fakes are compiled by V8 as they run: after 200 requests a path (the old warm-up) the
 * Chat door measured 0.61 ms of gateway CPU a request and direct 4,943 requests/s, after 4,000
 * 0.31 ms and 6,166 (2026-12-03, same machine and load); a long-running gateway lives in the second state.
 */
export const SATURATED_WARM_UP = 3000;

/** Every path at every level, interleaved in rounds: a row per path and level. */
export async function measurePaths(opts: MeasureOptions): Promise<DoorRow[]> {
  const { list, g, expected } = opts;
  const caller = new Agent({
    connections: Math.max(opts.warmUp.concurrency, ...opts.levels.map((l) => l.concurrency)) + 16,
    keepAliveTimeout: BENCH_CLIENT_IDLE_MS,
  });

  const one = async (t: Target, check: boolean): Promise<number> => {
    const t0 = performance.now();
    let status: number;
    let all = '';
    try {
      const res = await request(t.url, { method: 'POST', dispatcher: caller, headers: { ...t.headers, 'content-type': 'application/json' }, body: t.body });
      status = res.statusCode;
      for await (const c of res.body) all += (c as Buffer).toString('utf8');
    } catch (e) {
      throw new Error(`bench: ${t.path} failed after ${Math.round(performance.now() - t0)} ms`, { cause: e });
    }
    const ms = performance.now() - t0;
    if (status !== 200 || !all.includes(t.done)) throw new Error(`bench: ${t.path} failed: ${status} ${all.slice(0, 300)}`);
    if (check && t.text(all) !== expected) throw new Error(`bench: ${t.path} delivered the wrong text: ${JSON.stringify(t.text(all).slice(0, 120))}`);
    return ms;
  };

  /** `n` requests with `c` in flight at a time; wall ms and each latency. */
  const level = async (t: Target, c: number, n: number): Promise<{ ms: number; lat: number[]; cpu: number }> => {
    const lat: number[] = [];
    let next = 0;
    const cpu0 = await g.cpuMs();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: Math.min(c, n) }, async () => {
        while (next < n) {
          const check = next === 0;
          next++;
          lat.push(await one(t, check));
        }
      }),
    );
    const ms = performance.now() - t0;
    return { ms, lat, cpu: (await g.cpuMs()) - cpu0 };
  };

  try {
    // Warm-up: JIT and connection pools on every path.
    for (const t of list) await level(t, opts.warmUp.concurrency, opts.warmUp.requests);
    opts.afterRound?.();
    const rows: DoorRow[] = [];
    for (const { concurrency: c, requests } of opts.levels) {
      // Interleaved in rounds so a slow moment of the shared machine hits every path alike.
      const acc = new Map<string, { ms: number; lat: number[]; cpu: number }>(list.map((t) => [t.path, { ms: 0, lat: [], cpu: 0 }]));
      for (let r = 0; r < opts.rounds; r++) {
        for (const t of list) {
          const x = await level(t, c, Math.ceil(requests / opts.rounds));
          const a = acc.get(t.path)!;
          a.ms += x.ms;
          a.lat.push(...x.lat);
          a.cpu += x.cpu;
        }
        opts.afterRound?.();
      }
      for (const a of acc.values()) a.lat.sort((x, y) => x - y);
      for (const t of list) {
        const a = acc.get(t.path)!;
        const direct = acc.get(`direct ${t.upstream}`)!;
        const rps = (a.lat.length / a.ms) * 1000;
        const directRps = (direct.lat.length / direct.ms) * 1000;
        const isDirect = t.kind === 'direct';
        rows.push({
          path: t.path,
          door: t.door,
          upstream: t.upstream,
          kind: t.kind,
          concurrency: c,
          requests: a.lat.length,
          rps: Math.round(rps),
          ratio: isDirect ? null : round2(rps / directRps),
          p50: round1(pct(a.lat, 50)),
          p99: round1(pct(a.lat, 99)),
          addedP50: isDirect ? null : round1(pct(a.lat, 50) - pct(direct.lat, 50)),
          addedP99: isDirect ? null : round1(pct(a.lat, 99) - pct(direct.lat, 99)),
          gatewayCpuMs: opts.inProcess || isDirect ? null : round2(a.cpu / a.lat.length),
        });
      }
    }
    return rows;
  } finally {
    await caller.close();
  }
}

async function runLoad(opts: {
  inProcess: boolean;
  fastPath: boolean;
  words: number;
  paceMs: number;
  levels: { concurrency: number; requests: number }[];
  rounds: number;
  withProxy: boolean;
  /** false: the requests ask for a non-streamed answer. Default true. */
  stream?: boolean;
  only?: RegExp;
}): Promise<DoorRow[]> {
  const upstream = await startBenchUpstream({ words: opts.words, paceMs: opts.paceMs });
  try {
    const g = await startGatewaySide(upstream.baseUrl, opts.inProcess, opts.fastPath);
    try {
      const root = upstream.baseUrl.replace(/\/v1$/, '');
      const at = { root, model: 'bench-model' };
      const only = opts.only;
      // A filter keeps the direct paths (every ratio is over them).
      const list = doorTargets(
        { openai: at, anthropic: at, 'openai-responses': at },
        benchModels(upstream.baseUrl),
        g,
        opts.withProxy,
        opts.stream ?? true,
      ).filter((t) => !only || t.kind === 'direct' || only.test(t.path));
      return await measurePaths({
        list,
        g,
        inProcess: opts.inProcess,
        expected: answerWords(opts.words).join(''),
        warmUp: { concurrency: Math.min(50, opts.levels.at(-1)!.concurrency), requests: opts.paceMs > 0 ? 50 : SATURATED_WARM_UP },
        levels: opts.levels,
        rounds: opts.rounds,
      });
    } finally {
      await g.close();
    }
  } finally {
    await upstream.close();
  }
}

export interface DoorsBenchOptions {
  /** Run the gateway in the bench's process (default: its own). */
  inProcess?: boolean;
  /** false: every door request takes the translating path (to measure what the fast path saves). */
  fastPath?: boolean;
  /** Text deltas per answer. Default 100. */
  words?: number;
  /** Requests per concurrency level, saturated. Default 1,200 (fewer measure the warm-up more than the steady state). */
  requests?: number;
  /** Paced load: ms between upstream events (0: skip it). Default 10. */
  paceMs?: number;
  /** Concurrency levels of the saturated load. Default [1, 50]. */
  concurrency?: number[];
  /** Only the paths whose name matches (and the direct ones), e.g. /chat door/ when profiling. */
  only?: RegExp;
  /** false: skip the non-streamed rows. Default true. */
  nonStreamed?: boolean;
}

export async function benchDoors(opts: DoorsBenchOptions = {}): Promise<DoorsReport> {
  const loadStart = os.loadavg()[0]!;
  const inProcess = opts.inProcess ?? false;
  const fastPath = opts.fastPath ?? true;
  const words = opts.words ?? 100;
  const requests = opts.requests ?? 1200;
  const paceMs = opts.paceMs ?? 10;
  const common = { inProcess, fastPath, ...(opts.only ? { only: opts.only } : {}) };
  /** The saturated load: the upstream writes the whole answer at once (non-streamed rows use it too). */
  const saturatedLoad = { words, paceMs: 0, levels: (opts.concurrency ?? [1, 50]).map((concurrency) => ({ concurrency, requests })), rounds: 3 };
  const saturated = await runLoad({ ...common, ...saturatedLoad, withProxy: true });
  // Paced: each answer takes words × paceMs, so fewer requests (and a shorter answer) keep it short.
  const paced =
    paceMs > 0
      ? await runLoad({
          ...common,
          words: 40,
          paceMs,
          levels: [
            { concurrency: 1, requests: 8 },
            { concurrency: 50, requests: 100 },
          ],
          rounds: 2,
          // The plain proxy here too: what one bare hop costs per event at provider pace.
          withProxy: true,
        })
      : [];
  // Not streamed: saturated only (the upstream answers at once whatever the pace), no plain proxy.
  const nonStreamed = opts.nonStreamed !== false ? await runLoad({ ...common, ...saturatedLoad, withProxy: false, stream: false }) : [];
  return {
    gatewayProcess: inProcess ? 'in-process' : 'child',
    words,
    paceMs,
    loadAverage1m: { start: round1(loadStart), end: round1(os.loadavg()[0]!) },
    saturated,
    paced,
    nonStreamed,
  };
}

/** The target, per door: at least 0.8x direct throughput over its own protocol, 50 concurrent streams, saturated. */
export const DOOR_TARGET = 0.8;

export interface DoorVerdict {
  door: string;
  ratio: number | null;
  pass: boolean;
}

/** Per door: its same-protocol row at 50 concurrent against the target. */
function verdicts(rows: DoorRow[]): DoorVerdict[] {
  return (['chat', 'messages', 'responses'] as const).map((door) => {
    const row = rows.find((r) => r.door === door && r.kind === 'same-protocol' && r.concurrency === 50);
    return { door, ratio: row?.ratio ?? null, pass: (row?.ratio ?? 0) >= DOOR_TARGET };
  });
}

export const doorVerdicts = (report: DoorsReport): DoorVerdict[] => verdicts(report.saturated);
/** The same at provider pace (throughput is then the upstream's; the ratio shows whether the gateway keeps up). */
export const pacedDoorVerdicts = (report: DoorsReport): DoorVerdict[] => verdicts(report.paced);
/** The same for non-streamed answers, saturated. */
export const nonStreamedDoorVerdicts = (report: DoorsReport): DoorVerdict[] => verdicts(report.nonStreamed);

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const flag = (name: string): boolean => process.argv.includes(`--${name}`);
  const num = (name: string): number | undefined => {
    const a = process.argv.find((x) => x.startsWith(`--${name}=`));
    return a ? Number(a.slice(name.length + 3)) : undefined;
  };
  const report = await benchDoors({
    inProcess: flag('in-process'),
    fastPath: !flag('no-fast-path'),
    ...(num('requests') ? { requests: num('requests')! } : {}),
    ...(num('pace') !== undefined ? { paceMs: num('pace')! } : {}),
    ...(flag('no-non-streamed') ? { nonStreamed: false } : {}),
    ...(process.argv.some((a) => a.startsWith('--concurrency='))
      ? {
          concurrency: process.argv
            .find((a) => a.startsWith('--concurrency='))!
            .slice(14)
            .split(',')
            .map(Number),
        }
      : {}),
    ...(process.argv.some((a) => a.startsWith('--only=')) ? { only: new RegExp(process.argv.find((a) => a.startsWith('--only='))!.slice(7)) } : {}),
  });
  console.log(
    JSON.stringify(
      { ...report, verdicts: doorVerdicts(report), pacedVerdicts: pacedDoorVerdicts(report), nonStreamedVerdicts: nonStreamedDoorVerdicts(report) },
      null,
      1,
    ),
  );
}
