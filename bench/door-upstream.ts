/**
 * The doors bench's upstream: one minimal HTTP server that answers each wire protocol's streaming
 * endpoint (Chat Completions, Anthropic Messages, OpenAI Responses) with a precomputed stream of
 * the same answer — `words` text deltas of one word each, usage at the end — in the provider's own
 * event shapes. Saturated mode writes the whole stream at once (what the bench measures is then
 * the client and the gateway, not the server); paced mode writes one event every `paceMs`, as a
 * provider streams tokens. A request whose body does not ask for a stream (`"stream":true`) gets the
 * same answer as the protocol's non-streamed JSON (upstreamAnswer), in one write whatever the pace.
 * The bodies are built once, so direct and gateway paths get the same bytes.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type UpstreamProtocol = 'openai' | 'anthropic' | 'openai-responses';

const sse = (event: string | null, data: unknown): string =>
  `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;

/** The answer's words: what every path must deliver, in order. */
export function answerWords(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${i === 0 ? '' : ' '}w${i}`);
}

/** One stream per protocol, as a list of SSE frames (one event each). */
export function upstreamFrames(protocol: UpstreamProtocol, words: string[], model: string): string[] {
  const usage = { input: 12, output: words.length };
  switch (protocol) {
    case 'openai': {
      const head = { id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1764633600, model, system_fingerprint: 'fp_bench' };
      const chunk = (delta: unknown, finish: string | null): string =>
        sse(null, { ...head, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], usage: null });
      return [
        chunk({ role: 'assistant', content: '', refusal: null }, null),
        ...words.map((w) => chunk({ content: w }, null)),
        chunk({}, 'stop'),
        sse(null, { ...head, choices: [], usage: { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output } }),
        sse(null, '[DONE]'),
      ];
    }
    case 'anthropic': {
      const message = {
        id: 'msg_bench',
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: usage.input, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 },
      };
      return [
        sse('message_start', { type: 'message_start', message }),
        sse('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
        sse('ping', { type: 'ping' }),
        ...words.map((w) => sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: w } })),
        sse('content_block_stop', { type: 'content_block_stop', index: 0 }),
        sse('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: usage.output } }),
        sse('message_stop', { type: 'message_stop' }),
      ];
    }
    case 'openai-responses': {
      let seq = 0;
      const ev = (type: string, data: Record<string, unknown>): string => sse(type, { type, sequence_number: seq++, ...data });
      const text = words.join('');
      const { base, item, completed } = responseObjects(text, model, usage);
      const at = { item_id: 'msg_bench', output_index: 0, content_index: 0 };
      return [
        ev('response.created', { response: base }),
        ev('response.in_progress', { response: base }),
        ev('response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', content: [] } }),
        ev('response.content_part.added', { ...at, part: { type: 'output_text', text: '', annotations: [], logprobs: [] } }),
        ...words.map((w) => ev('response.output_text.delta', { ...at, delta: w, logprobs: [] })),
        ev('response.output_text.done', { ...at, text, logprobs: [] }),
        ev('response.content_part.done', { ...at, part: item.content[0] }),
        ev('response.output_item.done', { output_index: 0, item }),
        ev('response.completed', { response: completed }),
      ];
    }
  }
}

/** The Responses answer's objects: the response as it starts, its message item, the response completed. */
function responseObjects(text: string, model: string, usage: { input: number; output: number }) {
  const base = { id: 'resp_bench', object: 'response', created_at: 1764633600, status: 'in_progress', model, output: [] as unknown[], usage: null };
  const item = {
    type: 'message',
    id: 'msg_bench',
    status: 'completed',
    role: 'assistant',
    content: [{ type: 'output_text', text, annotations: [], logprobs: [] }],
  };
  const completed = {
    ...base,
    status: 'completed',
    output: [item],
    usage: {
      input_tokens: usage.input,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: usage.output,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: usage.input + usage.output,
    },
  };
  return { base, item, completed };
}

/** The same answer not streamed: each protocol's JSON answer, as its API gives it. */
export function upstreamAnswer(protocol: UpstreamProtocol, words: string[], model: string): string {
  const usage = { input: 12, output: words.length };
  const text = words.join('');
  switch (protocol) {
    case 'openai':
      return JSON.stringify({
        id: 'chatcmpl-bench',
        object: 'chat.completion',
        created: 1764633600,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
        usage: {
          prompt_tokens: usage.input,
          completion_tokens: usage.output,
          total_tokens: usage.input + usage.output,
          prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
          completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
        },
        service_tier: 'default',
        system_fingerprint: 'fp_bench',
      });
    case 'anthropic':
      return JSON.stringify({
        id: 'msg_bench',
        type: 'message',
        role: 'assistant',
        model,
        content: [{ type: 'text', text }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: usage.input, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: usage.output },
      });
    case 'openai-responses':
      return JSON.stringify(responseObjects(text, model, usage).completed);
  }
}

const PATHS: Record<string, UpstreamProtocol> = { '/v1/chat/completions': 'openai', '/v1/messages': 'anthropic', '/v1/responses': 'openai-responses' };

export interface BenchUpstream {
  /** e.g. http://127.0.0.1:1234/v1 */
  baseUrl: string;
  /** Streams answered so far. */
  served(): number;
  /** TCP connections accepted so far (keep-alive check). */
  connections(): number;
  close(): Promise<void>;
}

export interface BenchUpstreamOptions {
  words: number;
  /** 0: the whole stream in one write; otherwise one event every paceMs. */
  paceMs: number;
  /** The model name the upstream reports (the bench's clients and the gateway do not check it). */
  model?: string;
}

export async function startBenchUpstream(opts: BenchUpstreamOptions): Promise<BenchUpstream> {
  const words = answerWords(opts.words);
  const frames = new Map<UpstreamProtocol, string[]>();
  const whole = new Map<UpstreamProtocol, Buffer>();
  const answers = new Map<UpstreamProtocol, Buffer>();
  for (const p of ['openai', 'anthropic', 'openai-responses'] as const) {
    const f = upstreamFrames(p, words, opts.model ?? 'bench-model');
    frames.set(p, f);
    whole.set(p, Buffer.from(f.join('')));
    answers.set(p, Buffer.from(upstreamAnswer(p, words, opts.model ?? 'bench-model')));
  }
  let served = 0;
  let connections = 0;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer({ keepAlive: true, keepAliveTimeout: 60_000, noDelay: true, requestTimeout: 0 }, (req, res) => {
    // The body is only looked at for whether it asks for a stream (every client here writes JSON without spaces).
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.once('end', () => {
      const protocol = PATHS[(req.url ?? '').split('?')[0]!];
      if (req.method !== 'POST' || !protocol) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
        return;
      }
      served++;
      if (!body.includes('"stream":true')) {
        const answer = answers.get(protocol)!;
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(answer.byteLength) }).end(answer);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
      if (opts.paceMs <= 0) {
        res.end(whole.get(protocol));
        return;
      }
      const list = frames.get(protocol)!;
      let i = 0;
      const tick = (): void => {
        timers.delete(timer);
        if (res.destroyed) return;
        if (i === list.length - 1) {
          res.end(list[i]);
          return;
        }
        res.write(list[i++]);
        timer = setTimeout(tick, opts.paceMs);
        timers.add(timer);
      };
      let timer = setTimeout(tick, 0);
      timers.add(timer);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (s: Socket) => {
    connections++;
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    served: () => served,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
