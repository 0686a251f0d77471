/**
 * Tool-call streaming: the official openai SDK and Switchboard's OpenAI facade consume the same
 * 20,000-chunk tool-call stream from the same fixture server, interleaved, in one run. Each run must
 * reassemble the call's id, name and exact arguments and end with finish_reason "tool_calls".
 */
import OpenAI from 'openai';
import { createClient } from '../src/core/client.ts';
import { startSseServer } from './sse-server.ts';
import { summarize, type Summary } from './stats.ts';
import { buildToolFixture, type ToolFixture } from './tool-fixture.ts';

const KEY = 'sk-bench-0123456789abcdef';
const MESSAGES = [{ role: 'user' as const, content: 'Edit the files.' }];
const TOOLS = [{ type: 'function' as const, function: { name: 'apply_edits', parameters: { type: 'object', properties: {} } } }];

export interface ToolBench {
  fixture: ToolFixture;
  sdk: Summary;
  facade: Summary;
  /** facade / SDK, of medians and of minima. */
  ratio: number;
  ratioOfMinima: number;
}

interface Collected {
  id: string;
  name: string;
  args: string;
  finish: string | null;
}

type Delta = { tool_calls?: { index: number; id?: string; function?: { name?: string; arguments?: string } }[] | undefined };

function fold(c: Collected, delta: Delta | undefined, finish: string | null | undefined): void {
  for (const t of delta?.tool_calls ?? []) {
    if (t.id) c.id = t.id;
    if (t.function?.name) c.name = t.function.name;
    if (t.function?.arguments) c.args += t.function.arguments;
  }
  if (finish) c.finish = finish;
}

export async function benchToolCalls(opts: { events: number; runs: number; warmup: number; gc?: () => void }): Promise<ToolBench> {
  const fixture = buildToolFixture(opts.events);
  const server = await startSseServer(fixture.body);
  const openai = new OpenAI({ baseURL: server.baseUrl, apiKey: KEY, maxRetries: 0 });
  const client = createClient(
    { retries: { maxRetries: 0 }, providers: [{ id: 'bench', kind: 'openai', baseUrl: server.baseUrl, apiKeyEnv: 'BENCH_KEY' }] },
    { env: { BENCH_KEY: KEY } },
  );
  const paths = {
    sdk: async (): Promise<Collected> => {
      const c: Collected = { id: '', name: '', args: '', finish: null };
      const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, tools: TOOLS, stream: true });
      for await (const chunk of stream) fold(c, chunk.choices[0]?.delta, chunk.choices[0]?.finish_reason);
      return c;
    },
    facade: async (): Promise<Collected> => {
      const c: Collected = { id: '', name: '', args: '', finish: null };
      const stream = await client.chat.completions.create({ model: 'bench/gpt-4o-mini', messages: MESSAGES, tools: TOOLS, stream: true });
      for await (const chunk of stream) fold(c, chunk.choices[0]?.delta, chunk.choices[0]?.finish_reason);
      return c;
    },
  };
  const samples: Record<'sdk' | 'facade', number[]> = { sdk: [], facade: [] };
  try {
    for (let round = 0; round < opts.warmup + opts.runs; round++) {
      const order = round % 2 === 0 ? (['sdk', 'facade'] as const) : (['facade', 'sdk'] as const);
      for (const id of order) {
        opts.gc?.();
        const t0 = performance.now();
        const c = await paths[id]();
        const elapsed = performance.now() - t0;
        if (c.args !== fixture.arguments || c.id !== fixture.callId || c.name !== fixture.name || c.finish !== 'tool_calls') {
          throw new Error(
            `tool bench: ${id} reassembled the wrong call (id ${c.id}, name ${c.name}, ${c.args.length}/${fixture.arguments.length} argument chars, finish ${c.finish})`,
          );
        }
        if (round >= opts.warmup) samples[id].push(elapsed);
      }
    }
  } finally {
    await client.close();
    await server.close();
  }
  const sdk = summarize(samples.sdk);
  const facade = summarize(samples.facade);
  return { fixture, sdk, facade, ratio: facade.median / sdk.median, ratioOfMinima: facade.min / sdk.min };
}
