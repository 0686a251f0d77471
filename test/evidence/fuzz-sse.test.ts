/**
 * SSE fuzzing: for each protocol, ≥ 10,000 random and mutated streams fed straight through
 * the decoders (sseEvents + decodeOpenAIStream / decodeAnthropicStream / decodeGeminiStream),
 * no HTTP. Seeds are real streams recorded from the fake providers; mutations flip bytes,
 * truncate, duplicate, split at random, add junk and huge lines, invalid UTF-8, random JSON
 * values. Every input must end either with parts or with a SwitchboardError (invalid_response
 * or a classified provider error) whose message names provider and model — never another
 * exception, never a hang. A seeded PRNG makes every input reproducible from (seed, protocol,
 * index): input i of protocol PROTOCOLS[p] is built from prng(SEED * 7919 + p * 1_000_003 + i), and
 * every finding in .artifacts/evidence/fuzz-sse.json carries its index (and its bytes when small).
 *
 * FUZZ_N (inputs per protocol, default 10,000), FUZZ_SEED and FUZZ_PROTOCOLS (comma-separated)
 * override the defaults.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import type { FakeProtocol, Scenario } from '../fakes/types.ts';
import { PROTOCOLS } from '../unit/helpers.ts';
import { sseEvents } from '../../src/core/http/sse.ts';
import { SwitchboardError, type ErrorKind } from '../../src/core/errors.ts';
import { decodeAnthropicStream } from '../../src/core/providers/anthropic/anthropicModel.ts';
import { decodeGeminiStream } from '../../src/core/providers/gemini/geminiModel.ts';
import { decodeOpenAIStream } from '../../src/core/providers/openai/openaiModel.ts';
import type { ModelStreamPart } from '../../src/core/types.ts';
import { captureStreams, cpuSeconds, prng, RejectionCounter, splitEvents, within, writeArtifact, type Rng } from './lib.ts';

const N = Number(process.env.FUZZ_N ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261124);
/** A stream that takes longer than this to decode counts as a hang. */
const HANG_MS = 5000;
/** A readable error: longer than this is a wall of text, not a message. */
const MAX_MESSAGE = 4096;
const PROVIDER = 'fuzz';
const MODEL: Record<FakeProtocol, string> = { openai: 'openai-model', openrouter: 'openrouter-model', anthropic: 'anthropic-model', gemini: 'gemini-model' };
/** Kinds a decoder may reject with: a broken stream, or an error event the provider sent. */
const NEVER: ReadonlySet<ErrorKind> = new Set(['network', 'aborted', 'config', 'budget']);

type Decoder = (events: AsyncIterable<{ event: string | undefined; data: string }>, provider: string, model: string) => AsyncGenerator<ModelStreamPart>;
const DECODERS: Record<FakeProtocol, Decoder> = {
  openai: decodeOpenAIStream,
  openrouter: decodeOpenAIStream,
  anthropic: decodeAnthropicStream,
  gemini: decodeGeminiStream,
};

const SEED_SCENARIOS: Scenario[] = [
  { text: 'Hello there, how are you today?' },
  { reasoning: 'Let me think about this.', text: 'The answer is 42.' },
  { text: '', toolCall: { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris","unit":"c"}' } },
  { text: 'Ünïcödé 世界 🎉 — ok', usage: { input: 20, output: 9, cached: 5, reasoning: 2 } },
  { text: 'with comments and pings', comments: true, pings: true },
  { text: 'one two three four', midStreamErrorAfterChunks: 2 },
  { text: 'cut short by the limit', finishReason: 'length' },
  { text: 'usage rides on the finish chunk', usageOnFinishChunk: true, repeatFinish: true },
  { text: 'lf separators', crlf: false },
  { text: 'usage chunk with null choices', usageChoicesNull: true },
  { text: '' },
];

// ---------------------------------------------------------------------------------------------
// Generators and mutations

const KEYS = [
  'id',
  'model',
  'object',
  'choices',
  'delta',
  'message',
  'content',
  'role',
  'reasoning',
  'reasoning_content',
  'tool_calls',
  'index',
  'function',
  'name',
  'arguments',
  'finish_reason',
  'usage',
  'prompt_tokens',
  'completion_tokens',
  'cost',
  'error',
  'code',
  'status',
  'type',
  'message_start',
  'content_block',
  'content_block_start',
  'content_block_delta',
  'text_delta',
  'input_json_delta',
  'partial_json',
  'thinking',
  'stop_reason',
  'message_delta',
  'message_stop',
  'input_tokens',
  'output_tokens',
  'candidates',
  'parts',
  'text',
  'thought',
  'functionCall',
  'args',
  'finishReason',
  'usageMetadata',
  'promptTokenCount',
  'candidatesTokenCount',
  'promptFeedback',
  'blockReason',
  'responseId',
  'modelVersion',
  'details',
  'retryDelay',
  'metadata',
  'raw',
  'x_groq',
];
const STRINGS = [
  '',
  'stop',
  'error',
  'STOP',
  'SAFETY',
  'end_turn',
  'tool_use',
  'text',
  'text_delta',
  'input_json_delta',
  'thinking_delta',
  'message_start',
  'message_delta',
  'message_stop',
  'content_block_start',
  'content_block_delta',
  'error',
  'overloaded_error',
  'rate_limit_error',
  'tool_use',
  '[DONE]',
  'null',
  '{',
  '\u0000',
  '\ud800',
  '🎉',
  'a'.repeat(300),
];
const NUMBERS = [0, -1, 1, 0.5, 200, 400, 401, 429, 500, 503, 529, 599, 600, 1e308, -1e308, Number.MAX_SAFE_INTEGER, 2 ** 53 + 1];

function randomJson(r: Rng, depth = 0): unknown {
  const k = r.int(0, depth > 3 ? 4 : 7);
  switch (k) {
    case 0:
      return null;
    case 1:
      return r.chance(0.5);
    case 2:
      return r.pick(NUMBERS);
    case 3:
      return r.pick(STRINGS);
    case 4:
      return r.int(-5, 1000);
    case 5: {
      const n = r.int(0, 3);
      return Array.from({ length: n }, () => randomJson(r, depth + 1));
    }
    default: {
      const o: Record<string, unknown> = {};
      const n = r.int(0, 4);
      for (let i = 0; i < n; i++) o[r.pick(KEYS)] = randomJson(r, depth + 1);
      return o;
    }
  }
}

/** Replace one value somewhere inside a parsed JSON document with a random one. */
function mutateJsonValue(r: Rng, v: unknown): unknown {
  if (v === null || typeof v !== 'object' || r.chance(0.15)) return randomJson(r);
  if (Array.isArray(v)) {
    if (v.length === 0 || r.chance(0.1)) return [...v, randomJson(r)];
    const i = r.int(0, v.length - 1);
    const copy = v.slice();
    if (r.chance(0.1)) copy.splice(i, 1);
    else copy[i] = mutateJsonValue(r, copy[i]);
    return copy;
  }
  const o = { ...(v as Record<string, unknown>) };
  const keys = Object.keys(o);
  if (keys.length === 0 || r.chance(0.1)) {
    o[r.pick(KEYS)] = randomJson(r);
    return o;
  }
  const key = r.pick(keys);
  if (r.chance(0.1)) delete o[key];
  else o[key] = mutateJsonValue(r, o[key]);
  return o;
}

const DEEP_PATH = new Set([
  'choices',
  'delta',
  'message',
  'tool_calls',
  'function',
  'candidates',
  'content',
  'parts',
  'functionCall',
  'args',
  'content_block',
  'input',
  'error',
  'usage',
  'usageMetadata',
]);
const JUNK_LINES = [
  'foo: bar',
  'retry: soon',
  'retry: 100',
  'id: 7',
  'id',
  'event: message_stop',
  'event: error',
  ': comment',
  'data:',
  'data: [DONE]',
  'data: {}',
  'data: null',
  'data: 1',
  'data: "x"',
  'data: []',
  '',
  'event',
  'HTTP/1.1 200 OK',
  '\u0000',
  'data:{"error":{}}',
  'keepalive',
];
const BAD_UTF8 = [[0xff], [0xfe, 0xff], [0xc3], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc0, 0xaf], [0xe2, 0x82], [0xef, 0xbb, 0xbf], [0x80, 0x80]];

const enc = new TextEncoder();
const dec = new TextDecoder();

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Offsets just after a line break (where a line may be inserted). */
function lineStarts(b: Uint8Array): number[] {
  const out = [0];
  for (let i = 0; i < b.length; i++) if (b[i] === 0x0a) out.push(i + 1);
  return out;
}

function dataEvents(text: string): { events: string[]; nl: string } {
  return { events: splitEvents(text), nl: text.includes('\r\n') ? '\r\n' : '\n' };
}

/** Rewrite the JSON of one `data:` line of one event. */
function mutateEventJson(r: Rng, b: Uint8Array, how: (r: Rng, v: unknown) => unknown): Uint8Array {
  const { events } = dataEvents(dec.decode(b));
  const candidates = events.map((e, i) => ({ e, i })).filter(({ e }) => /^data: ?[{[]/m.test(e));
  if (candidates.length === 0) return b;
  const { e, i } = r.pick(candidates);
  events[i] = e.replace(/^(data: ?)(.*)$/m, (_m, pre: string, json: string) => {
    try {
      return pre + JSON.stringify(how(r, JSON.parse(json)));
    } catch {
      return pre + json;
    }
  });
  return enc.encode(events.join(''));
}

type Mutation = (r: Rng, b: Uint8Array) => Uint8Array;

const MUTATIONS: Record<string, Mutation> = {
  byteFlip(r, b) {
    if (b.length === 0) return b;
    const c = b.slice();
    for (let n = r.int(1, 8); n > 0; n--) {
      const i = r.int(0, c.length - 1);
      c[i] = r.chance(0.5) ? c[i]! ^ (1 << r.int(0, 7)) : r.int(0, 255);
    }
    return c;
  },
  truncate(r, b) {
    return b.subarray(0, r.int(0, b.length));
  },
  duplicate(r, b) {
    if (b.length === 0) return b;
    const a = r.int(0, b.length - 1);
    const z = r.int(a, Math.min(b.length, a + 2000));
    const at = r.int(0, b.length);
    return concat([b.subarray(0, at), b.subarray(a, z), b.subarray(at)]);
  },
  deleteSlice(r, b) {
    if (b.length === 0) return b;
    const a = r.int(0, b.length - 1);
    const z = r.int(a, Math.min(b.length, a + 500));
    return concat([b.subarray(0, a), b.subarray(z)]);
  },
  shuffleEvents(r, b) {
    const { events } = dataEvents(dec.decode(b));
    if (events.length < 2) return b;
    const i = r.int(0, events.length - 1);
    const j = r.int(0, events.length - 1);
    [events[i], events[j]] = [events[j]!, events[i]!];
    if (r.chance(0.3)) events.splice(r.int(0, events.length - 1), 1);
    return enc.encode(events.join(''));
  },
  junkLine(r, b) {
    const starts = lineStarts(b);
    const at = r.pick(starts);
    const nl = r.pick(['\n', '\r\n', '\r']);
    const line = r.chance(0.8) ? r.pick(JUNK_LINES) : Array.from({ length: r.int(1, 40) }, () => String.fromCharCode(r.int(32, 126))).join('');
    return concat([b.subarray(0, at), enc.encode(line + nl + (r.chance(0.3) ? nl : '')), b.subarray(at)]);
  },
  hugeLine(r, b) {
    const size = r.int(64 * 1024, 256 * 1024);
    const big = 'A'.repeat(size);
    if (r.chance(0.5)) {
      // A huge string value inside an event's JSON.
      return mutateEventJson(r, b, (rr, v) => {
        const replace = (x: unknown): unknown => {
          if (typeof x === 'string') return big;
          if (x && typeof x === 'object') {
            const entries = Object.entries(x);
            if (entries.length === 0) return x;
            const [k, val] = rr.pick(entries);
            return Array.isArray(x) ? x.map((y, i) => (String(i) === k ? replace(y) : y)) : { ...x, [k]: replace(val) };
          }
          return big;
        };
        return replace(v);
      });
    }
    const at = r.pick(lineStarts(b));
    return concat([b.subarray(0, at), enc.encode(`data: ${big}\n\n`), b.subarray(at)]);
  },
  invalidUtf8(r, b) {
    const at = r.int(0, b.length);
    return concat([b.subarray(0, at), Uint8Array.from(r.pick(BAD_UTF8)), b.subarray(at)]);
  },
  randomJsonEvent(r, b) {
    return mutateEventJson(r, b, (rr) => randomJson(rr));
  },
  mutateJson(r, b) {
    return mutateEventJson(r, b, mutateJsonValue);
  },
  typeConfusion(r, b) {
    // One value anywhere in an event becomes null / a number / a string / [] / {} / a boolean.
    return mutateEventJson(r, b, (rr, v) => {
      const nodes: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
      const walk = (x: unknown): void => {
        if (Array.isArray(x)) x.forEach((y, i) => (nodes.push({ parent: x, key: i }), walk(y)));
        else if (x && typeof x === 'object') for (const [k, y] of Object.entries(x)) (nodes.push({ parent: x as Record<string, unknown>, key: k }), walk(y));
      };
      walk(v);
      if (nodes.length === 0) return v;
      const n = rr.pick(nodes);
      (n.parent as Record<string | number, unknown>)[n.key] = rr.pick([null, 0, -1, '', 'x', [], {}, true, [null], { '': null }]);
      return v;
    });
  },
  deepNesting(r, b) {
    // Valid JSON nested far deeper than any provider sends: JSON.parse copes, recursion may not.
    const d = r.int(5_000, 100_000);
    const marker = '@@DEEP@@';
    const out = mutateEventJson(r, b, (rr, v) => {
      const set = (x: unknown): unknown => {
        if (x && typeof x === 'object' && !Array.isArray(x)) {
          const entries = Object.entries(x);
          if (entries.length === 0 || rr.chance(0.2)) return { ...x, [rr.pick(KEYS)]: marker };
          // Head for where nested values live (choices, candidates, tool arguments) most of the time.
          const inward = entries.filter(([k]) => DEEP_PATH.has(k));
          const [k, val] = inward.length && rr.chance(0.7) ? rr.pick(inward) : rr.pick(entries);
          return { ...x, [k]: set(val) };
        }
        if (Array.isArray(x) && x.length) return x.map((y, i) => (i === 0 ? set(y) : y));
        return marker;
      };
      return set(v);
    });
    return enc.encode(dec.decode(out).replace(`"${marker}"`, '['.repeat(d) + ']'.repeat(d)));
  },
  lineEndings(r, b) {
    const s = dec.decode(b);
    const to = r.pick(['\n', '\r\n', '\r']);
    return enc.encode(s.replace(/\r\n|\r|\n/g, to));
  },
  bom(_r, b) {
    return concat([Uint8Array.from([0xef, 0xbb, 0xbf]), b]);
  },
};
const MUTATION_NAMES = Object.keys(MUTATIONS);
/** Rare, expensive mutations get a lower weight. */
const WEIGHTS: Record<string, number> = { hugeLine: 0.15, deepNesting: 0.1 };

function pickMutation(r: Rng): string {
  for (;;) {
    const name = r.pick(MUTATION_NAMES);
    if (r.next() < (WEIGHTS[name] ?? 1)) return name;
  }
}

/** A stream built from nothing: random SSE lines with random JSON. */
function randomStream(r: Rng, protocol: FakeProtocol): Uint8Array {
  const lines: string[] = [];
  for (let n = r.int(0, 30); n > 0; n--) {
    const roll = r.next();
    if (roll < 0.6) {
      if (protocol === 'anthropic' && r.chance(0.7))
        lines.push(`event: ${r.pick(['message_start', 'content_block_start', 'content_block_delta', 'message_delta', 'message_stop', 'error', 'ping'])}`);
      lines.push(`data: ${JSON.stringify(randomJson(r))}`, '');
    } else if (roll < 0.75) lines.push(r.pick(JUNK_LINES));
    else if (roll < 0.85) lines.push('data: [DONE]', '');
    else lines.push(Array.from({ length: r.int(0, 60) }, () => String.fromCharCode(r.int(0, 0x2fff))).join(''));
  }
  return enc.encode(lines.join(r.pick(['\n', '\r\n'])));
}

/** Random delivery: the same bytes cut into random pieces (single bytes now and then). */
function randomSplit(r: Rng, b: Uint8Array): Uint8Array[] {
  if (b.length === 0) return r.chance(0.5) ? [] : [b];
  const out: Uint8Array[] = [];
  // Byte-by-byte delivery is the slowest to decode: keep it for small inputs, now and then.
  const roll = r.next();
  const style = roll < 0.1 && b.length <= 16 * 1024 ? 1 : roll < 0.4 ? 0 : roll < 0.7 ? 2 : 3;
  for (let off = 0; off < b.length;) {
    const n = style === 0 ? b.length : style === 1 ? r.int(1, 4) : style === 2 ? r.int(1, 200) : r.int(1, 5000);
    out.push(b.subarray(off, off + n));
    off += n;
  }
  return out;
}

async function* deliver(chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const c of chunks) yield c;
}

// ---------------------------------------------------------------------------------------------

interface Finding {
  protocol: FakeProtocol;
  index: number;
  mutations: string[];
  what: string;
  inputBase64?: string;
}

interface ProtocolStats {
  protocol: FakeProtocol;
  seeds: number;
  inputs: number;
  randomInputs: number;
  bytes: number;
  accepted: number;
  rejected: number;
  rejectedByKind: Record<string, number>;
  crashes: number;
  hangs: number;
  unclear: number;
  maxMs: number;
  maxMessageLength: number;
  mutations: Record<string, number>;
  ms: number;
}

const stats: ProtocolStats[] = [];
const timeBy: Record<string, number> = {};
const edgeCases: { protocol: FakeProtocol; name: string; pass: boolean; outcome: string }[] = [];
/** Crashes, hangs and unclear rejections by category, with a few reproducible examples each. */
const findings: Record<string, { count: number; examples: Finding[] }> = {};
const seeds = new Map<FakeProtocol, Uint8Array[]>();
const rejections = new RejectionCounter();
const started = performance.now();
const cpuStart = process.cpuUsage();

before(async () => {
  rejections.install();
  // The fakes make random ids and timestamps; fix them so that a seed replays the same inputs.
  const fixed = (b: Buffer): Uint8Array =>
    enc.encode(
      b
        .toString('utf8')
        .replace(/"(id|responseId)":"[^"]*"/g, '"$1":"fixed-id"')
        .replace(/"created":\d+/g, '"created":1700000000'),
    );
  for (const p of PROTOCOLS) seeds.set(p, (await captureStreams(p, SEED_SCENARIOS)).map(fixed));
});

after(() => {
  rejections.uninstall();
  const total = (k: keyof ProtocolStats): number => stats.reduce((s, x) => s + (x[k] as number), 0);
  const pass =
    edgeCases.every((e) => e.pass) &&
    total('crashes') === 0 &&
    total('hangs') === 0 &&
    total('unclear') === 0 &&
    rejections.count === 0 &&
    stats.every((s) => s.inputs >= N);
  writeArtifact({
    name: 'fuzz-sse',
    title: 'SSE fuzzing',
    generatedAt: new Date().toISOString(),
    durationMs: Math.round(performance.now() - started),
    pass,
    seed: SEED,
    figures: [
      { label: 'inputs per protocol', value: stats.map((s) => `${s.protocol} ${s.inputs.toLocaleString('en-US')}`).join(', ') },
      { label: 'inputs in total', value: total('inputs') },
      { label: 'decoded to an answer', value: total('accepted') },
      { label: 'rejected with a SwitchboardError', value: total('rejected') },
      { label: 'crashes (any other exception)', value: total('crashes') },
      { label: 'hangs', value: total('hangs') },
      { label: 'rejections without a clear message', value: total('unclear') },
      { label: 'unhandled rejections', value: rejections.count },
      { label: 'hostile edge cases passed', value: `${edgeCases.filter((e) => e.pass).length} / ${edgeCases.length}` },
      { label: 'CPU time', value: `${cpuSeconds(cpuStart)} s` },
      { label: 'slowest input (ms)', value: Math.round(Math.max(0, ...stats.map((s) => s.maxMs))) },
      { label: 'seed', value: SEED },
    ],
    table: {
      columns: ['protocol', 'inputs', 'decoded', 'rejected', 'rejected by kind', 'crashes', 'hangs', 'MB fed', 'ms'],
      rows: stats.map((s) => [
        s.protocol,
        s.inputs,
        s.accepted,
        s.rejected,
        Object.entries(s.rejectedByKind)
          .sort((a, b) => b[1] - a[1])
          .map(([k, n]) => `${k} ${n}`)
          .join(', '),
        s.crashes,
        s.hangs,
        Math.round(s.bytes / 1024 / 1024),
        Math.round(s.ms),
      ]),
    },
    stats,
    edgeCases,
    timeBy,
    findings,
  });
});

function clearRejection(e: SwitchboardError, protocol: FakeProtocol): string | null {
  if (NEVER.has(e.kind)) return `kind ${e.kind} from a decoder`;
  if (e.provider !== PROVIDER || e.model !== MODEL[protocol]) return `names ${e.provider}/${e.model}`;
  if (!e.detail.trim()) return 'empty message';
  if (!e.message.includes(`${PROVIDER}/${MODEL[protocol]}`)) return 'message does not name provider/model';
  if (e.message.length > MAX_MESSAGE) return `a ${e.message.length}-character message`;
  return null;
}

async function decodeOne(protocol: FakeProtocol, chunks: Uint8Array[]): Promise<{ parts: number; text: string } | { error: unknown }> {
  try {
    let parts = 0;
    let text = '';
    for await (const p of DECODERS[protocol](sseEvents(deliver(chunks), { provider: PROVIDER, model: MODEL[protocol] }), PROVIDER, MODEL[protocol])) {
      parts++;
      if (p.type === 'text-delta') text += p.text;
    }
    return { parts, text };
  } catch (error) {
    return { error };
  }
}

const ONLY = process.env.FUZZ_PROTOCOLS?.split(',');
for (const protocol of PROTOCOLS.filter((p) => !ONLY || ONLY.includes(p))) {
  describe(`SSE fuzzing: ${protocol}`, () => {
    test('the recorded seeds decode cleanly (the one with an error event rejects with that error)', async () => {
      const list = seeds.get(protocol)!;
      for (let i = 0; i < list.length; i++) {
        const out = await decodeOne(protocol, [list[i]!]);
        if (SEED_SCENARIOS[i]!.midStreamErrorAfterChunks !== undefined) {
          assert.ok('error' in out && out.error instanceof SwitchboardError && out.error.kind !== 'invalid_response', `seed ${i}: ${JSON.stringify(out)}`);
        } else {
          assert.ok('parts' in out, `seed ${i} rejected: ${'error' in out ? String(out.error) : ''}`);
        }
      }
    });

    test(`${N} random and mutated streams: no crash, no hang, clear rejections`, async () => {
      const t0 = performance.now();
      const pi = PROTOCOLS.indexOf(protocol);
      const st: ProtocolStats = {
        protocol,
        seeds: seeds.get(protocol)!.length,
        inputs: 0,
        randomInputs: 0,
        bytes: 0,
        accepted: 0,
        rejected: 0,
        rejectedByKind: {},
        crashes: 0,
        hangs: 0,
        unclear: 0,
        maxMs: 0,
        maxMessageLength: 0,
        mutations: {},
        ms: 0,
      };
      stats.push(st);
      for (let i = 0; i < N; i++) {
        const r = prng(SEED * 7919 + pi * 1_000_003 + i);
        const applied: string[] = [];
        let bytes: Uint8Array;
        if (r.chance(0.1)) {
          bytes = randomStream(r, protocol);
          applied.push('random');
          st.randomInputs++;
        } else {
          bytes = r.pick(seeds.get(protocol)!);
          for (let n = r.int(1, 4); n > 0; n--) {
            const m = pickMutation(r);
            applied.push(m);
            st.mutations[m] = (st.mutations[m] ?? 0) + 1;
            bytes = MUTATIONS[m]!(r, bytes);
          }
        }
        const chunks = randomSplit(r, bytes);
        st.inputs++;
        st.bytes += bytes.length;
        const t = performance.now();
        const res = await within(decodeOne(protocol, chunks), HANG_MS);
        const ms = performance.now() - t;
        st.maxMs = Math.max(st.maxMs, ms);
        for (const m of applied) timeBy[m] = (timeBy[m] ?? 0) + ms;
        const keep = (what: string): void => {
          // One category per error shape (quoted details stripped); a few reproducible examples each.
          const category = `${protocol}: ${what.split('"')[0]!.replace(/\d+/g, 'N').slice(0, 120)}`;
          const c = (findings[category] ??= { count: 0, examples: [] });
          c.count++;
          if (c.examples.length < 3)
            c.examples.push({
              protocol,
              index: i,
              mutations: applied,
              what,
              ...(bytes.length < 4096 ? { inputBase64: Buffer.from(bytes).toString('base64') } : {}),
            });
        };
        if (res.timedOut) {
          st.hangs++;
          keep(`no end within ${HANG_MS} ms`);
          continue;
        }
        const out = res.value;
        if ('parts' in out) {
          st.accepted++;
          continue;
        }
        const e = out.error;
        if (!(e instanceof SwitchboardError)) {
          st.crashes++;
          keep(`${(e as Error)?.name ?? typeof e}: ${String((e as Error)?.message ?? e).slice(0, 200)}`);
          continue;
        }
        st.rejected++;
        st.rejectedByKind[e.kind] = (st.rejectedByKind[e.kind] ?? 0) + 1;
        st.maxMessageLength = Math.max(st.maxMessageLength, e.message.length);
        const why = clearRejection(e, protocol);
        if (why) {
          st.unclear++;
          keep(`unclear rejection (${why}): ${e.message.slice(0, 200)}`);
        }
      }
      st.ms = performance.now() - t0;
      const mine = Object.entries(findings)
        .filter(([k]) => k.startsWith(`${protocol}:`))
        .map(([k, v]) => `${v.count}× ${k.slice(protocol.length + 2)}`);
      assert.equal(st.crashes + st.hangs + st.unclear, 0, `${st.crashes} crashes, ${st.hangs} hangs, ${st.unclear} unclear: ${mine.join('; ')}`);
      assert.ok(st.inputs >= N);
    });

    test('hostile edge cases (found while fuzzing, kept as regressions)', async () => {
      const seed = seeds.get(protocol)![0]!;
      const plain = await decodeOne(protocol, [seed]);
      const text = (o: typeof plain): string => ('parts' in o ? o.text : '');
      const nl = dec.decode(seed).includes('\r\n') ? '\r\n' : '\n';
      const deep = '['.repeat(100_000) + ']'.repeat(100_000);
      const huge = 'x'.repeat(1024 * 1024);
      const errorEvent: Record<FakeProtocol, string> = {
        openai: `data: {"error":{"code":502,"message":"${huge}"}}\n\n`,
        openrouter: `data: {"error":{"code":502,"message":"${huge}"}}\n\n`,
        anthropic: `event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"${huge}"}}\n\n`,
        gemini: `data: {"error":{"code":503,"message":"${huge}","status":"UNAVAILABLE"}}\n\n`,
      };
      const deepEvent: Record<FakeProtocol, string> = {
        openai: `data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":${deep}}}]}}]}\n\n`,
        openrouter: `data: {"choices":[{"index":0,"delta":{"content":${deep}}}]}\n\n`,
        anthropic: `event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t","name":"f","input":${deep}}}\n\n`,
        gemini: `data: {"candidates":[{"content":{"parts":[{"functionCall":{"name":"f","args":${deep}}}]},"finishReason":"STOP"}]}\n\n`,
      };
      const cases: { name: string; input: string | Uint8Array; ok: (o: Awaited<ReturnType<typeof decodeOne>>) => boolean }[] = [
        {
          name: 'unknown fields, a bad retry value and bare words are ignored (SSE spec)',
          input: concat([enc.encode(`x-request-id: abc${nl}retry: soon${nl}keepalive${nl}${nl}`), seed]),
          ok: (o) => 'parts' in o && o.text === text(plain),
        },
        {
          name: 'an error event with a 1 MB message gives a readable error',
          input: errorEvent[protocol],
          ok: (o) => 'error' in o && o.error instanceof SwitchboardError && clearRejection(o.error, protocol) === null,
        },
        {
          name: 'JSON nested 100,000 deep is decoded or rejected as invalid_response',
          input: enc.encode(deepEvent[protocol]),
          ok: (o) => 'parts' in o || (o.error instanceof SwitchboardError && o.error.kind === 'invalid_response' && clearRejection(o.error, protocol) === null),
        },
        {
          name: 'an event larger than the 16 MB limit is rejected as invalid_response',
          input: `data: {"x":"${'A'.repeat(17 * 1024 * 1024)}"}\n\n`,
          ok: (o) => 'error' in o && o.error instanceof SwitchboardError && o.error.kind === 'invalid_response' && clearRejection(o.error, protocol) === null,
        },
      ];
      if (protocol === 'openai' || protocol === 'openrouter') {
        cases.push({
          name: 'choices: [null] and choices: [5] are skipped, not a TypeError',
          input: concat([enc.encode('data: {"choices":[null]}\n\ndata: {"choices":[5]}\n\n'), seed]),
          ok: (o) => 'parts' in o && o.text === text(plain),
        });
      }
      const failed: string[] = [];
      for (const c of cases) {
        const bytes = typeof c.input === 'string' ? enc.encode(c.input) : c.input;
        const out = await decodeOne(protocol, randomSplit(prng(bytes.length), bytes));
        const pass = c.ok(out);
        const e = 'error' in out ? out.error : null;
        const outcome =
          e === null
            ? 'decoded'
            : e instanceof SwitchboardError
              ? `${e.kind} (${e.message.length}-char message): ${e.detail.slice(0, 90)}`
              : `${(e as Error)?.name}: ${String((e as Error)?.message).slice(0, 120)}`;
        edgeCases.push({ protocol, name: c.name, pass, outcome });
        if (!pass) failed.push(`${c.name} → ${edgeCases.at(-1)!.outcome}`);
      }
      assert.deepEqual(failed, []);
    });
  });
}
