/**
 * Shared pieces of the evidence tests (fault matrix, SSE fuzzing, soak): a seeded PRNG,
 * leak probes (sockets, timers, unhandled rejections), stream capture from the fakes, and
 * the writer of `.artifacts/evidence/<name>.json`, which `scripts/evidence.mjs` turns into
 * docs/reliability.md.
 *
 * Artifact format (any extra `test/evidence/*.test.ts` may write one and it is picked up):
 *   { name, title, generatedAt, durationMs, pass, figures: [{ label, value }],
 *     table?: { columns: string[], rows: (string | number | boolean)[][] }, ...anything else }
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeProvider } from '../fakes/server.ts';
import type { FakeProtocol, Scenario } from '../fakes/types.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ARTIFACT_DIR = process.env.EVIDENCE_DIR ?? join(ROOT, '.artifacts', 'evidence');

export interface Figure {
  label: string;
  value: string | number | boolean;
}

export interface EvidenceArtifact {
  name: string;
  title: string;
  generatedAt: string;
  durationMs: number;
  pass: boolean;
  figures: Figure[];
  table?: { columns: string[]; rows: (string | number | boolean)[][] };
  [extra: string]: unknown;
}

export function writeArtifact(a: EvidenceArtifact): string {
  mkdirSync(ARTIFACT_DIR, { recursive: true });
  const path = join(ARTIFACT_DIR, `${a.name}.json`);
  writeFileSync(path, JSON.stringify(a, null, 2) + '\n');
  return path;
}

/** sfc32: small, fast, seedable; the same seed gives the same run. */
export function prng(seed: number): Rng {
  let a = 0x9e3779b9 ^ seed;
  let b = 0x243f6a88 ^ (seed * 31);
  let c = 0xb7e15162 ^ (seed * 131);
  let d = seed | 0;
  const next = (): number => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 20; i++) next();
  const rng: Rng = {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (xs) => xs[Math.floor(next() * xs.length)]!,
    chance: (p) => next() < p,
  };
  return rng;
}

export interface Rng {
  /** [0, 1) */
  next(): number;
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number;
  pick<T>(xs: readonly T[]): T;
  chance(p: number): boolean;
}

// ---------------------------------------------------------------------------------------------
// Leak probes

/** Counts unhandled promise rejections for the whole process (install once per test file). */
export class RejectionCounter {
  count = 0;
  readonly reasons: string[] = [];
  private readonly onRejection = (reason: unknown): void => {
    this.count++;
    if (this.reasons.length < 20) this.reasons.push(reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason));
  };
  install(): this {
    process.on('unhandledRejection', this.onRejection);
    return this;
  }
  uninstall(): void {
    process.off('unhandledRejection', this.onRejection);
  }
}

/** Resource kinds that would betray a leaked connection, server, DNS lookup or timer. */
const WATCHED = ['Timeout', 'TCPSocketWrap', 'TCPServerWrap', 'TLSWrap', 'GetAddrInfoReqWrap', 'TCPConnectWrap', 'Immediate'];

export type ResourceCounts = Record<string, number>;

export function resourceCounts(): ResourceCounts {
  const out: ResourceCounts = {};
  for (const k of WATCHED) out[k] = 0;
  for (const r of process.getActiveResourcesInfo()) if (r in out) out[r] = (out[r] ?? 0) + 1;
  return out;
}

/** Kinds with more live resources now than in `base` (empty when back to baseline). */
export function extraResources(base: ResourceCounts, now: ResourceCounts = resourceCounts()): string[] {
  const out: string[] = [];
  for (const k of WATCHED) {
    const d = (now[k] ?? 0) - (base[k] ?? 0);
    if (d > 0) out.push(`${k}+${d}`);
  }
  return out;
}

/** Poll until `cond` holds; false (not a throw) when it did not within `ms`. */
export async function eventually(cond: () => boolean, ms: number, stepMs = 10): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (cond()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** Await `p`, or give up after `ms` (real time); `timedOut` says which. */
export async function within<T>(p: Promise<T>, ms: number): Promise<{ timedOut: false; value: T } | { timedOut: true }> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<{ timedOut: true }>((r) => {
    timer = setTimeout(() => r({ timedOut: true }), ms);
  });
  try {
    return await Promise.race([p.then((value) => ({ timedOut: false as const, value })), t]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// Streams recorded from the fakes (seeds for the fuzzer, prefixes for the truncated-stream fault)

const CHAT_PATH: Record<FakeProtocol, string> = {
  openai: '/v1/chat/completions',
  openrouter: '/api/v1/chat/completions',
  anthropic: '/v1/messages',
  gemini: '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
};

const CHAT_BODY: Record<FakeProtocol, unknown> = {
  openai: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } },
  openrouter: { model: 'anthropic/claude-3-opus', messages: [{ role: 'user', content: 'hi' }], stream: true },
  anthropic: { model: 'claude-sonnet-4-20250514', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }], stream: true },
  gemini: { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] },
};

/** The exact bytes a fake sends for each scenario (one fake, one connection each, closed after). */
export async function captureStreams(protocol: FakeProtocol, scenarios: Scenario[]): Promise<Buffer[]> {
  const fake = await startFakeProvider(protocol);
  try {
    const out: Buffer[] = [];
    for (const sc of scenarios) {
      fake.enqueue(sc);
      out.push(await post(new URL(CHAT_PATH[protocol], fake.url), JSON.stringify(CHAT_BODY[protocol])));
    }
    return out;
  } finally {
    await fake.close();
  }
}

function post(url: URL, body: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', connection: 'close' } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve(Buffer.concat(parts)));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Split an SSE body into its events (each with its trailing blank line). */
export function splitEvents(body: string): string[] {
  const out: string[] = [];
  const re = /\r?\n\r?\n/g;
  let last = 0;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    out.push(body.slice(last, m.index + m[0].length));
    last = m.index + m[0].length;
  }
  if (last < body.length) out.push(body.slice(last));
  return out;
}

/** Does this event carry visible answer text? (per protocol wire format) */
export function isTextEvent(protocol: FakeProtocol, ev: string): boolean {
  if (protocol === 'anthropic') return ev.includes('"text_delta"');
  if (protocol === 'gemini') return /"text":"[^"]/.test(ev);
  return /"content":"[^"]/.test(ev);
}

/** CPU seconds (user + system) used since `start`, to one decimal. */
export function cpuSeconds(start: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(start);
  return Math.round((u.user + u.system) / 1e5) / 10;
}

export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function mb(bytes: number): number {
  return round(bytes / 1024 / 1024, 2);
}
