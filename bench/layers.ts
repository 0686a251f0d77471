/**
 * Where path (e)'s time goes, layer by layer, without HTTP: the benchmark's SSE body is cut into
 * the same 64 KiB pieces the socket delivers and fed from memory through growing slices of
 * Switchboard's pipeline. Differences between rows are the cost of each layer.
 *   node --expose-gc bench/layers.ts [runs=25]
 */
import { createClient } from '../src/core/client.ts';
import { sseEvents } from '../src/core/http/sse.ts';
import { decodeOpenAIStream } from '../src/core/providers/openai/openaiModel.ts';
import type { LanguageModel, ModelStreamPart } from '../src/core/types.ts';
import { createParser } from 'eventsource-parser';
import { minimalDecode } from './decode-paths.ts';
import { buildSseFixture } from './sse-fixture.ts';
import { median } from './stats.ts';

const runs = Number(process.argv[2] ?? 25);
const gc = (globalThis as { gc?: () => void }).gc;
const fixture = buildSseFixture();
const PIECE = 64 * 1024;
const pieces: Buffer[] = [];
for (let off = 0; off < fixture.body.length; off += PIECE) pieces.push(fixture.body.subarray(off, off + PIECE));
const events = fixture.totalEvents;

async function* memBody(): AsyncGenerator<Uint8Array> {
  for (const p of pieces) yield p;
}

/** Precomputed adapter output, to time the router + ChatStream alone. */
const partsArray: ModelStreamPart[] = [];
for await (const p of decodeOpenAIStream(sseEvents(memBody()), 'mem', 'm')) partsArray.push(p);

function client(stream: () => AsyncIterable<ModelStreamPart>) {
  const model: LanguageModel = {
    providerId: 'mem',
    modelId: 'm',
    async *stream() {
      yield* stream();
    },
  };
  return createClient(
    { retries: { maxRetries: 0 }, providers: [{ id: 'mem', kind: 'openai', baseUrl: 'http://127.0.0.1:9/v1', apiKeyEnv: 'MEM_KEY' }] },
    { env: { MEM_KEY: 'k' }, createModel: () => model },
  );
}
const decodingClient = client(() => decodeOpenAIStream(sseEvents(memBody()), 'mem', 'm'));
const replayClient = client(async function* () {
  for (const p of partsArray) yield p;
});
const MESSAGES = [{ role: 'user' as const, content: 'x' }];

async function* passThrough<T>(src: AsyncIterable<T>): AsyncGenerator<T> {
  for await (const x of src) yield x;
}
async function* fromArray<T>(a: T[]): AsyncGenerator<T> {
  for (const x of a) yield x;
}

const layers: { name: string; run: () => Promise<unknown> }[] = [
  {
    name: 'JSON.parse of every data line only (sync loop, no SSE)',
    run: async () => {
      let t = '';
      for (const line of dataLines) {
        if (line === '[DONE]') break;
        const c = JSON.parse(line).choices?.[0]?.delta?.content;
        if (typeof c === 'string') t += c;
      }
      return t;
    },
  },
  { name: '(b) minimal decoder, in memory', run: () => minimalDecode(memBody()) },
  {
    name: 'eventsource-parser + TextDecoder, sync callback (no generator)',
    run: async () => {
      let n = 0;
      const d = new TextDecoder();
      const p = createParser({ onEvent: () => void n++ });
      for await (const c of memBody()) p.feed(d.decode(c, { stream: true }));
      return n;
    },
  },
  {
    name: 'sseEvents (async generator, one yield per event)',
    run: async () => {
      let n = 0;
      for await (const _ of sseEvents(memBody())) n++;
      return n;
    },
  },
  {
    name: '+ decodeOpenAIStream (parse, one yield per part)',
    run: async () => {
      let t = '';
      for await (const p of decodeOpenAIStream(sseEvents(memBody()), 'mem', 'm')) if (p.type === 'text-delta') t += p.text;
      return t;
    },
  },
  {
    name: '+ 1 pass-through async generator layer',
    run: async () => {
      let t = '';
      for await (const p of passThrough(decodeOpenAIStream(sseEvents(memBody()), 'mem', 'm'))) if (p.type === 'text-delta') t += p.text;
      return t;
    },
  },
  {
    name: '(e) in memory: client.stream() over the decoder (adapter → router → ChatStream)',
    run: async () => {
      let t = '';
      for await (const p of decodingClient.stream({ model: 'mem/m', messages: MESSAGES })) if (p.type === 'text-delta') t += p.text;
      return t;
    },
  },
  {
    name: 'client.stream() over precomputed parts (router + ChatStream alone)',
    run: async () => {
      let t = '';
      for await (const p of replayClient.stream({ model: 'mem/m', messages: MESSAGES })) if (p.type === 'text-delta') t += p.text;
      return t;
    },
  },
  {
    name: 'precomputed parts through 1 async generator (baseline for the row above)',
    run: async () => {
      let t = '';
      for await (const p of fromArray(partsArray)) if (p.type === 'text-delta') t += p.text;
      return t;
    },
  },
  {
    name: 'precomputed parts through 6 nested async generators',
    run: async () => {
      let t = '';
      let src: AsyncIterable<ModelStreamPart> = fromArray(partsArray);
      for (let i = 0; i < 5; i++) src = passThrough(src);
      for await (const p of src) if (p.type === 'text-delta') t += p.text;
      return t;
    },
  },
];

const dataLines = fixture.body
  .toString('utf8')
  .split('\n\n')
  .filter((e) => e.startsWith('data: '))
  .map((e) => e.slice(6));

const times = layers.map(() => [] as number[]);
for (let r = 0; r < 5 + runs; r++) {
  for (let i = 0; i < layers.length; i++) {
    gc?.();
    const t0 = performance.now();
    const out = await layers[i]!.run();
    const dt = performance.now() - t0;
    if (typeof out === 'string' && out !== fixture.text) throw new Error(`${layers[i]!.name}: wrong text`);
    if (r >= 5) times[i]!.push(dt);
  }
}
console.log(`${events} events, ${pieces.length} pieces of 64 KiB, median of ${runs} runs (min in brackets)`);
layers.forEach((l, i) => {
  const m = median(times[i]!);
  const min = Math.min(...times[i]!);
  console.log(`${m.toFixed(1).padStart(7)} ms [${min.toFixed(1).padStart(6)}]  ${((m * 1000) / events).toFixed(2).padStart(5)} µs/event  ${l.name}`);
});
await decodingClient.close();
await replayClient.close();
