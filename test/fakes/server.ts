// Local fake provider servers speaking each provider's real wire format, with fault injection.
// Only node:http; see /work/shared/provider-wire-formats.md for the formats.
//
// Semantics worth knowing (beyond the Scenario field comments in types.ts):
// - "content deltas" counted by stall/drop/malformed/midStreamError*AfterChunks are text, reasoning and
//   tool-call fragments (openai: also the tool-call header chunk; anthropic: also the empty first
//   input_json_delta; gemini: each content chunk). N = 0 fires after the prelude (role chunk /
//   message_start) and before the first content; N larger than the number of deltas never fires.
// - usage: `input` includes cached tokens and `output` includes reasoning tokens (OpenAI convention);
//   anthropic sends input_tokens = input - cached + cache_read_input_tokens = cached; gemini sends
//   candidatesTokenCount = output - reasoning + thoughtsTokenCount = reasoning.
// - openai sends the usage chunk only with stream_options.include_usage; openrouter always does.
// - gemini uses CRLF event separators by default (as Google does); `crlf: false` forces LF.
//   gemini `omitDone`: the last chunk comes without finishReason/final usage.
//   streamGenerateContent without alt=sse answers a JSON array.
// - anthropic always sends one `ping` after the first content_block_start (as the API does).
// - Non-streamed answers: stall/drop write half the JSON body then stall/reset; malformed truncates it.
// - `body` with status 200 (or unset) is sent as-is as a 200 JSON answer.
// - Auth failures and unknown routes are recorded but do not consume an enqueued scenario.
// - Requests are validated as strictly as the real APIs (strict.ts): tool messages/results without
//   their calls, non-alternating Anthropic roles, temperature > 1 or no max_tokens for Anthropic,
//   Gemini 3 function calls without a thoughtSignature, function responses that do not match the
//   calls, unknown OpenAI fields… get a 400 in the protocol's shape and consume no scenario.
// - Scripted models for tool loops: `setDefault(toolLoop(protocol))` (script.ts).
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { anthropicEncoder } from './anthropic.ts';
import type { Answer, Encoder, Ev } from './common.ts';
import { DEFAULT_MODELS, nextId, roundUsd, splitArgs, splitEven, splitWords, tokens } from './common.ts';
import { geminiEncoder } from './gemini.ts';
import { openaiEncoder } from './openai.ts';
import { validateRequest } from './strict.ts';
export { toolLoop, inspectToolRequest, type ToolLoopScript } from './script.ts';
import type { FakeModel, FakeProtocol, FakeServer, RecordedRequest, Scenario, StartFakeOptions } from './types.ts';

export type { FakeModel, FakeProtocol, FakeServer, FakeToolCall, FakeUsage, RecordedRequest, Scenario, StartFakeOptions } from './types.ts';

const PREFIX: Record<FakeProtocol, string> = {
  openai: '/v1',
  openrouter: '/api/v1',
  anthropic: '/v1',
  gemini: '/v1beta',
};

const ENCODERS: Record<FakeProtocol, Encoder> = {
  openai: openaiEncoder('openai'),
  openrouter: openaiEncoder('openrouter'),
  anthropic: anthropicEncoder,
  gemini: geminiEncoder,
};

const STATUS_TEXT: Record<number, string> = { 529: 'Site Overloaded' };

type Route =
  | { kind: 'chat'; model: string | undefined; stream: boolean; geminiArray?: boolean }
  | { kind: 'models' }
  | { kind: 'model'; id: string }
  /** Anthropic's POST /v1/messages/count_tokens, Gemini's models/*:countTokens. */
  | { kind: 'count' }
  | { kind: 'none' };

function route(protocol: FakeProtocol, method: string, path: string, query: Record<string, string>, body: unknown): Route {
  const prefix = PREFIX[protocol];
  if (!path.startsWith(prefix + '/')) return { kind: 'none' };
  const rest = path.slice(prefix.length);
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  if (method === 'GET' && rest === '/models') return { kind: 'models' };
  if (protocol === 'gemini') {
    if (method === 'POST' && /^\/models\/[^/:]+:countTokens$/.test(rest)) return { kind: 'count' };
    const m = /^\/models\/([^/:]+):(streamGenerateContent|generateContent)$/.exec(rest);
    if (m && method === 'POST') {
      const model = decodeURIComponent(m[1] ?? '');
      if (m[2] === 'generateContent') return { kind: 'chat', model, stream: false };
      return { kind: 'chat', model, stream: true, geminiArray: query.alt !== 'sse' };
    }
  } else {
    if (protocol === 'anthropic' && method === 'POST' && rest === '/messages/count_tokens') return { kind: 'count' };
    const chatPath = protocol === 'anthropic' ? '/messages' : '/chat/completions';
    if (method === 'POST' && rest === chatPath) return { kind: 'chat', model: typeof b.model === 'string' ? b.model : undefined, stream: b.stream === true };
  }
  if (method === 'GET' && rest.startsWith('/models/')) return { kind: 'model', id: decodeURIComponent(rest.slice(8)) };
  return { kind: 'none' };
}

/**
 * The fakes' token count: a third of the characters of what is counted (not the gateway's estimate
 * of a quarter, so a test tells which it got). As strict as the real endpoints about their fields.
 */
function countTokens(protocol: FakeProtocol, body: unknown): { body: unknown } | { error: string } {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const third = (v: unknown): number => Math.ceil(JSON.stringify(v ?? null).length / 3);
  if (protocol === 'anthropic') {
    const allowed = ['model', 'messages', 'system', 'tools', 'tool_choice', 'thinking', 'mcp_servers'];
    for (const k of Object.keys(b)) if (!allowed.includes(k)) return { error: `${k}: Extra inputs are not permitted` };
    if (typeof b.model !== 'string' || !Array.isArray(b.messages)) return { error: 'model and messages: Field required' };
    return { body: { input_tokens: third([b.system, b.messages, b.tools]) } };
  }
  const inner = (b.generateContentRequest ?? b) as Record<string, unknown>;
  if (b.generateContentRequest !== undefined && typeof inner.model !== 'string') return { error: 'generateContentRequest.model is required' };
  if (!Array.isArray(inner.contents)) return { error: 'contents is required' };
  return { body: { totalTokens: third([inner.systemInstruction, inner.contents, inner.tools]) } };
}

function header1(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function authOk(protocol: FakeProtocol, key: string, req: IncomingMessage, query: Record<string, string>): boolean {
  const bearer = header1(req.headers.authorization);
  const isBearer = bearer === `Bearer ${key}`;
  switch (protocol) {
    case 'openai':
    case 'openrouter':
      return isBearer;
    case 'anthropic':
      return header1(req.headers['x-api-key']) === key || isBearer;
    case 'gemini':
      return header1(req.headers['x-goog-api-key']) === key || query.key === key;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(parts.length === 1 ? (parts[0] as Buffer).toString('utf8') : Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function defaultFinish(protocol: FakeProtocol, tool: boolean): string {
  if (protocol === 'anthropic') return tool ? 'tool_use' : 'end_turn';
  if (protocol === 'gemini') return 'STOP';
  return tool ? 'tool_calls' : 'stop';
}

function hasFault(sc: Scenario): boolean {
  return (
    (sc.delayBetweenChunksMs ?? 0) > 0 ||
    (sc.splitWrites ?? 0) > 0 ||
    sc.stallAfterChunks !== undefined ||
    sc.dropAfterChunks !== undefined ||
    sc.malformedAfterChunks !== undefined ||
    sc.midStreamErrorAfterChunks !== undefined
  );
}

export async function startFakeProvider(protocol: FakeProtocol, opts: StartFakeOptions = {}): Promise<FakeServer> {
  const enc = ENCODERS[protocol];
  const models: FakeModel[] = opts.models ?? DEFAULT_MODELS[protocol];
  const requests: RecordedRequest[] = [];
  const queue: Scenario[] = [];
  let fallback: Scenario | ((req: RecordedRequest) => Scenario) = {};
  const sockets = new Set<Socket>();
  const sleepers = new Set<{ timer: NodeJS.Timeout; done: () => void }>();
  let closing = false;
  let closePromise: Promise<void> | undefined;

  function sleep(ms: number | undefined): Promise<void> {
    if (!ms || ms <= 0 || closing) return Promise.resolve();
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          sleepers.delete(entry);
          resolve();
        }, ms),
        done: resolve,
      };
      sleepers.add(entry);
    });
  }

  const server = http.createServer({ noDelay: true, requestTimeout: 0, keepAlive: true }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      } else res.destroy();
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('clientError', (_err, s: Socket) => s.destroy());

  function sendJson(res: ServerResponse, status: number, body: unknown, extra?: Record<string, string>): void {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const type = typeof body === 'string' ? (body.trimStart().startsWith('<') ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8') : 'application/json';
    res.writeHead(status, STATUS_TEXT[status] ?? http.STATUS_CODES[status] ?? 'Unknown', {
      'content-type': type,
      'content-length': String(Buffer.byteLength(text)),
      connection: 'keep-alive',
      ...baseHeaders(),
      ...extra,
    });
    res.end(text);
  }

  function baseHeaders(): Record<string, string> {
    switch (protocol) {
      case 'openai':
        return { 'x-request-id': `req_${nextId(20)}`, 'openai-processing-ms': '1' };
      case 'anthropic':
        return { 'request-id': `req_${nextId(20)}` };
      case 'gemini':
        return { server: 'scaffolding on HTTPServer2' };
      default:
        return {};
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams);
    const raw = await readBody(req);
    let body: unknown = undefined;
    let badJson = false;
    if (raw.length) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
        badJson = true;
      }
    }
    const rec: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query,
      headers: req.headers,
      body,
    };
    requests.push(rec);
    // The client hung up before the answer was complete (a cancelled request), not the fake's own reset.
    const closed = new Promise<void>((resolve) =>
      res.once('close', () => {
        if (!res.writableEnded && !resetByFake.has(res)) rec.clientClosedEarly = true;
        resolve();
      }),
    );
    Object.defineProperty(rec, 'closed', { value: closed, enumerable: false });

    if (opts.apiKey !== undefined && !authOk(protocol, opts.apiKey, req, query)) {
      const e = enc.authError();
      return sendJson(res, e.status, e.body);
    }
    const r = route(protocol, rec.method, rec.path, query, body);
    if (r.kind === 'models') return sendJson(res, 200, enc.models(models));
    if (r.kind === 'model') {
      const m = models.find((x) => x.id === r.id || `models/${x.id}` === r.id);
      return m ? sendJson(res, 200, enc.model(m)) : sendJson(res, 404, enc.errorBody(404, { model: r.id }));
    }
    if (r.kind === 'none') return sendJson(res, 404, enc.errorBody(404, { errorMessage: `Unknown route ${rec.method} ${rec.path}` }));
    if (badJson) return sendJson(res, 400, enc.errorBody(400, {}));
    if (r.kind === 'count') {
      const counted = countTokens(protocol, body);
      return 'error' in counted ? sendJson(res, 400, enc.errorBody(400, { errorMessage: counted.error })) : sendJson(res, 200, counted.body);
    }
    if (r.kind === 'chat') {
      const invalid = validateRequest(protocol, r.model, body);
      if (invalid) return sendJson(res, 400, enc.errorBody(400, { errorMessage: invalid }));
    }

    const sc = queue.length ? (queue.shift() as Scenario) : typeof fallback === 'function' ? fallback(rec) : fallback;
    await chat(res, rec, r, sc, raw);
  }

  const resetByFake = new WeakSet<ServerResponse>();
  const gone = (res: ServerResponse): boolean => closing || res.destroyed || !res.socket || res.socket.destroyed;

  function reset(res: ServerResponse): void {
    resetByFake.add(res);
    const s = res.socket;
    if (s && !s.destroyed) s.resetAndDestroy();
    else res.destroy();
  }

  function write(res: ServerResponse, data: string | Buffer): Promise<void> {
    if (gone(res)) return Promise.resolve();
    return new Promise((resolve) => {
      const onClose = (): void => resolve();
      res.once('close', onClose);
      res.write(data, () => {
        res.off('close', onClose);
        resolve();
      });
    });
  }

  async function writeChunk(res: ServerResponse, data: string, split: number | undefined): Promise<void> {
    if (!split || split <= 0) return write(res, data);
    const buf = Buffer.from(data, 'utf8');
    for (let off = 0; off < buf.length; off += split) {
      if (gone(res)) return;
      await write(res, buf.subarray(off, off + split));
      await new Promise<void>((r) => setImmediate(r));
    }
  }

  function buildAnswer(rec: RecordedRequest, model: string | undefined, sc: Scenario, rawBody: string): Answer {
    const calls = [...(sc.toolCall ? [sc.toolCall] : []), ...(sc.toolCalls ?? [])];
    const tool = calls.length > 0;
    const text = sc.text ?? (tool ? '' : `Hello from ${protocol}!`);
    const reasoning = sc.reasoning ?? '';
    const pieces = sc.chunks && sc.chunks > 0 ? splitEven(text, sc.chunks) : splitWords(text);
    const reasoningTokens = tokens(reasoning);
    const m = sc.model ?? model ?? 'fake-model';
    const u = sc.usage;
    const input = u?.input ?? Math.max(1, Math.ceil(rawBody.length / 4));
    const output = u?.output ?? Math.max(1, tokens(text) + calls.reduce((n, c) => n + tokens(c.arguments), 0) + reasoningTokens);
    const reqModel = model ?? m;
    const price = models.find((x) => x.id === reqModel) ?? models.find((x) => x.id === m);
    const cached = u?.cached ?? 0;
    const cacheWrite = u?.cacheWrite ?? 0;
    const inputPrice = price?.inputPrice ?? 1;
    const fresh = Math.max(0, input - cached - cacheWrite) * inputPrice;
    const cacheCost = cached * (price?.cacheReadPrice ?? inputPrice / 10) + cacheWrite * (price?.cacheWritePrice ?? inputPrice);
    const cost = u?.cost ?? roundUsd((fresh + cacheCost + output * (price?.outputPrice ?? 2)) / 1e6);
    const b = (rec.body && typeof rec.body === 'object' ? rec.body : {}) as Record<string, unknown>;
    const so = b.stream_options as Record<string, unknown> | undefined;
    return {
      protocol,
      id:
        protocol === 'openai'
          ? `chatcmpl-${nextId(29)}`
          : protocol === 'openrouter'
            ? `gen-${Math.floor(Date.now() / 1000)}-${nextId(20)}`
            : protocol === 'anthropic'
              ? `msg_01${nextId(22)}`
              : nextId(22),
      created: Math.floor(Date.now() / 1000),
      model: m,
      text,
      pieces,
      reasoning,
      reasoningPieces: splitWords(reasoning),
      toolCalls: calls,
      toolPieces: calls.map((c) => splitArgs(c.arguments)),
      finishReason: sc.finishReason ?? defaultFinish(protocol, tool),
      usage: {
        input,
        output,
        cached,
        cacheWrite,
        audioInput: u?.audioInput ?? 0,
        audioOutput: u?.audioOutput ?? 0,
        reasoning: u?.reasoning ?? reasoningTokens,
        cost,
      },
      includeUsage: protocol !== 'openai' || so?.include_usage === true,
      finishExtras: stopMatch(b, sc),
      sc,
    };
  }

  /** What a vLLM or SGLang server says of the stop that ended the answer (StartFakeOptions.server). */
  function stopMatch(body: Record<string, unknown>, sc: Scenario): Record<string, unknown> {
    if (protocol !== 'openai' || opts.server === undefined) return {};
    const finish = sc.finishReason ?? 'stop';
    const stops = typeof body.stop === 'string' ? [body.stop] : Array.isArray(body.stop) ? body.stop : [];
    if (sc.stopSequence !== undefined && (finish !== 'stop' || !stops.includes(sc.stopSequence)))
      throw new Error(
        `fake: the scenario's stopSequence ${JSON.stringify(sc.stopSequence)} is not one of the request's stop sequences, or the answer does not end with "stop"`,
      );
    // SGLang: the end-of-turn token's id when no stop string matched (Qwen's <|im_end|>).
    const matched = sc.stopSequence ?? (finish === 'stop' && opts.server === 'sglang' ? 151645 : null);
    return opts.server === 'vllm' ? { stop_reason: matched } : { matched_stop: matched };
  }

  async function chat(res: ServerResponse, rec: RecordedRequest, r: Extract<Route, { kind: 'chat' }>, sc: Scenario, rawBody: string): Promise<void> {
    await sleep(sc.delayBeforeHeadersMs);
    if (gone(res)) return;
    if (sc.resetBeforeResponse) return reset(res);
    const extra = sc.headers ?? {};
    if (sc.status !== undefined && sc.status !== 200) {
      const body =
        sc.body !== undefined
          ? sc.body
          : enc.errorBody(sc.status, {
              errorType: sc.errorType,
              errorMessage: sc.errorMessage,
              model: r.model,
              headers: extra,
            });
      return sendJson(res, sc.status, body, extra);
    }
    if (sc.body !== undefined && sc.raw === undefined) return sendJson(res, 200, sc.body, extra);

    // Gemini's SSE separates events with CRLF by default; `crlf: false` forces LF.
    const nl = (sc.crlf ?? protocol === 'gemini') ? '\r\n' : '\n';
    const sseHeaders = (): Record<string, string> => ({
      'content-type': enc.sseType,
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      ...baseHeaders(),
      ...extra,
    });

    if (sc.raw !== undefined) {
      return streamFrames(res, sseHeaders(), [{ kind: 'content', text: sc.raw }], sc, '', '');
    }

    const a = buildAnswer(rec, r.model, sc, rawBody);
    if (!r.stream) return sendCompletion(res, JSON.stringify(enc.completion(a)), sc, extra);

    const se = enc.streamEvents(a);
    if (r.geminiArray) {
      // streamGenerateContent without alt=sse: one JSON array, elements written as they come.
      const frames = se.events.map((e, i) => ({ kind: e.kind, text: (i === 0 ? '[' : ',\r\n') + e.data }));
      if (frames.length) (frames[frames.length - 1] as Frame).text += ']';
      else frames.push({ kind: 'tail', text: '[]' });
      const h = sseHeaders();
      h['content-type'] = 'application/json; charset=UTF-8';
      return streamFrames(res, h, frames, sc, ',\r\n' + se.malformed.data, ',\r\n' + se.error.data + ']');
    }
    const sse = (e: Ev): string => (e.event ? `event: ${e.event}${nl}data: ${e.data}${nl}${nl}` : `data: ${e.data}${nl}${nl}`);
    const frames: Frame[] = new Array<Frame>(se.events.length);
    for (let i = 0; i < se.events.length; i++) {
      const e = se.events[i] as Ev;
      frames[i] = { kind: e.kind, text: sse(e) };
    }
    let out = frames;
    if (sc.comments || sc.pings) {
      const filler = (sc.comments ? `: OPENROUTER PROCESSING${nl}${nl}` : '') + (sc.pings ? `event: ping${nl}data: {"type": "ping"}${nl}${nl}` : '');
      out = [];
      for (const f of frames) {
        out.push({ kind: 'filler', text: filler });
        out.push(f);
      }
    }
    return streamFrames(res, sseHeaders(), out, sc, sse(se.malformed), sse(se.error));
  }

  async function sendCompletion(res: ServerResponse, json: string, sc: Scenario, extra: Record<string, string>): Promise<void> {
    const broken = sc.malformedAfterChunks !== undefined;
    const text = broken ? json.slice(0, Math.floor(json.length / 2)) : json;
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
      connection: 'keep-alive',
      ...baseHeaders(),
      ...extra,
    });
    if (sc.delayBeforeFirstByteMs) {
      res.flushHeaders();
      await sleep(sc.delayBeforeFirstByteMs);
      if (gone(res)) return;
    }
    const half = text.slice(0, Math.floor(text.length / 2));
    if (sc.stallAfterChunks !== undefined) {
      await write(res, half);
      return; // stalled: content-length never reached
    }
    if (sc.dropAfterChunks !== undefined) {
      await write(res, half);
      await settle();
      return reset(res);
    }
    if (sc.splitWrites) {
      await writeChunk(res, text, sc.splitWrites);
      if (!gone(res)) res.end();
      return;
    }
    res.end(text);
  }

  async function streamFrames(
    res: ServerResponse,
    headers: Record<string, string>,
    frames: Frame[],
    sc: Scenario,
    malformed: string,
    errorFrame: string,
  ): Promise<void> {
    res.writeHead(200, headers);
    if (sc.delayBeforeFirstByteMs) {
      res.flushHeaders();
      await sleep(sc.delayBeforeFirstByteMs);
      if (gone(res)) return;
    }
    if (!hasFault(sc)) {
      // Fast path: one big write.
      let body = '';
      for (const f of frames) body += f.text;
      res.end(body);
      return;
    }
    const delay = sc.delayBetweenChunksMs ?? 0;
    let pending = '';
    let count = 0;
    let zeroChecked = false;
    let malformedSent = false;
    const flush = async (): Promise<void> => {
      if (!pending) return;
      const s = pending;
      pending = '';
      await writeChunk(res, s, sc.splitWrites);
    };
    // Returns true when the stream must stop here.
    const fault = async (): Promise<boolean> => {
      if (sc.malformedAfterChunks === count && !malformedSent) {
        malformedSent = true;
        pending += malformed;
      }
      if (sc.midStreamErrorAfterChunks === count) {
        pending += errorFrame;
        await flush();
        if (!gone(res)) res.end();
        return true;
      }
      if (sc.stallAfterChunks === count) {
        await flush();
        return true; // keep the socket open, write nothing more
      }
      if (sc.dropAfterChunks === count) {
        await flush();
        await settle();
        if (!gone(res)) reset(res);
        return true;
      }
      return false;
    };
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i] as Frame;
      if (gone(res)) return;
      if (i > 0 && delay > 0) {
        await flush();
        await sleep(delay);
        if (gone(res)) return;
      }
      if (!zeroChecked && f.kind !== 'head' && f.kind !== 'filler') {
        zeroChecked = true;
        if (await fault()) return;
      }
      pending += f.text;
      if (f.kind === 'content') {
        count++;
        if (await fault()) return;
      }
    }
    await flush();
    if (!gone(res)) res.end();
  }

  /** Give the peer a moment to read what was written before the socket is reset. */
  function settle(): Promise<void> {
    return new Promise((r) => setTimeout(r, 5));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = addr && typeof addr === 'object' ? addr.port : 0;
  const origin = `http://127.0.0.1:${port}`;

  return {
    protocol,
    url: origin,
    baseUrl: origin + PREFIX[protocol],
    requests,
    enqueue(...scenarios: Scenario[]): void {
      queue.push(...scenarios);
    },
    setDefault(s: Scenario | ((req: RecordedRequest) => Scenario)): void {
      fallback = s;
    },
    openSockets(): number {
      return sockets.size;
    },
    close(): Promise<void> {
      if (closePromise) return closePromise;
      closing = true;
      for (const s of sleepers) {
        clearTimeout(s.timer);
        s.done();
      }
      sleepers.clear();
      const socketsClosed = [...sockets].map((s) => new Promise<void>((resolve) => s.once('close', () => resolve())));
      closePromise = new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of sockets) s.destroy();
      }).then(() => Promise.all(socketsClosed).then(() => undefined));
      return closePromise;
    },
  };
}

interface Frame {
  kind: 'head' | 'content' | 'meta' | 'tail' | 'filler';
  text: string;
}
