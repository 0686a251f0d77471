/**
 * The six ways the benchmark consumes the same SSE stream. Each path is set up once (clients,
 * connection pools) and then called repeatedly; a call returns the text it collected (path a:
 * the byte count) so the runner can check every path got the whole, identical answer.
 */
import { Agent, request } from 'undici';
import OpenAI from 'openai';
import { streamText } from 'ai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { createClient, type SwitchboardClient } from '../src/core/client.ts';

export type PathId = 'a' | 'b' | 'c' | 'd' | 'e' | 'f';

export interface DecodePath {
  id: PathId;
  label: string;
  /** One full request; resolves to the collected text (path a: the number of body bytes, as a string). */
  run(): Promise<string>;
}

export interface DecodePaths {
  paths: DecodePath[];
  /** How many body chunks the last bare read (path a) received from the socket. */
  bodyChunks(): number;
  close(): Promise<void>;
}

const KEY = 'sk-bench-0123456789abcdef';
const MODEL = 'gpt-4o-mini';
const MESSAGES = [{ role: 'user' as const, content: 'Write a long answer.' }];
const REQUEST_BODY = JSON.stringify({ model: MODEL, messages: MESSAGES, stream: true, stream_options: { include_usage: true } });

/** (a)/(b): a raw undici request on a keep-alive pool. */
function post(agent: Agent, url: string) {
  return request(url, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${KEY}` },
    body: REQUEST_BODY,
  });
}

/** (b) The minimal decoder: split on blank lines, JSON.parse each data line, append delta content. */
export async function minimalDecode(body: AsyncIterable<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let buf = '';
  let text = '';
  for await (const chunk of body) {
    buf += decoder.decode(chunk, { stream: true });
    let start = 0;
    for (;;) {
      const end = buf.indexOf('\n\n', start);
      if (end === -1) break;
      const event = buf.slice(start, end);
      start = end + 2;
      if (!event.startsWith('data: ')) continue;
      const data = event.slice(6);
      if (data === '[DONE]') return text;
      const content = JSON.parse(data).choices?.[0]?.delta?.content;
      if (typeof content === 'string') text += content;
    }
    buf = buf.slice(start);
  }
  return text;
}

export function createDecodePaths(baseUrl: string): DecodePaths {
  const url = `${baseUrl}/chat/completions`;
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 8, pipelining: 1 });
  const openai = new OpenAI({ baseURL: baseUrl, apiKey: KEY, maxRetries: 0 });
  const aiProvider = createOpenAICompatible({ name: 'bench', baseURL: baseUrl, apiKey: KEY, includeUsage: true });
  const aiModel = aiProvider.chatModel(MODEL);
  const client: SwitchboardClient = createClient(
    { retries: { maxRetries: 0 }, providers: [{ id: 'bench', kind: 'openai', baseUrl, apiKeyEnv: 'BENCH_KEY' }] },
    { env: { BENCH_KEY: KEY } },
  );
  const sbModel = `bench/${MODEL}`;
  let bodyChunks = 0;

  const paths: DecodePath[] = [
    {
      id: 'a',
      label: 'bare byte read (undici request, drain body)',
      async run() {
        const res = await post(agent, url);
        let bytes = 0;
        let chunks = 0;
        for await (const chunk of res.body) {
          bytes += (chunk as Buffer).length;
          chunks++;
        }
        bodyChunks = chunks;
        return String(bytes);
      },
    },
    {
      id: 'b',
      label: 'minimal hand-written decoder (undici)',
      async run() {
        const res = await post(agent, url);
        return minimalDecode(res.body);
      },
    },
    {
      id: 'c',
      label: 'openai SDK chat.completions.create({stream:true})',
      async run() {
        const stream = await openai.chat.completions.create({ model: MODEL, messages: MESSAGES, stream: true, stream_options: { include_usage: true } });
        let text = '';
        for await (const chunk of stream) {
          const content = chunk.choices[0]?.delta?.content;
          if (content) text += content;
        }
        return text;
      },
    },
    {
      id: 'd',
      label: 'Vercel AI SDK streamText (openai-compatible), textStream',
      async run() {
        let failure: unknown = null;
        const result = streamText({ model: aiModel, messages: MESSAGES, maxRetries: 0, onError: ({ error }) => void (failure = error) });
        let text = '';
        for await (const t of result.textStream) text += t;
        if (failure) throw failure;
        return text;
      },
    },
    {
      id: 'e',
      label: 'Switchboard rich stream: client.stream(), iterate parts',
      async run() {
        const stream = client.stream({ model: sbModel, messages: MESSAGES });
        let text = '';
        for await (const part of stream) {
          if (part.type === 'text-delta') text += part.text;
          else if (part.type === 'error') throw part.error;
        }
        return text;
      },
    },
    {
      id: 'f',
      label: 'Switchboard OpenAI facade: client.chat.completions.create({stream:true})',
      async run() {
        const stream = await client.chat.completions.create({ model: sbModel, messages: MESSAGES, stream: true });
        let text = '';
        for await (const chunk of stream) {
          const content = chunk.choices[0]?.delta.content;
          if (content) text += content;
        }
        return text;
      },
    },
  ];

  return {
    paths,
    bodyChunks: () => bodyChunks,
    async close() {
      await Promise.all([agent.close(), client.close()]);
    },
  };
}
