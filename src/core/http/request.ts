/**
 * The HTTP edge: every provider request goes through here. Connection pooling and
 * keep-alive come from an undici Agent; headers and idle timeouts from undici's
 * headersTimeout / bodyTimeout; every failure leaves as a classified SwitchboardError.
 */
import { Agent, request, type Dispatcher } from 'undici';
import { classifyHttpError, classifyNetworkError, SwitchboardError } from '../errors.ts';
import { redactSecrets } from '../redact.ts';

export interface Timeouts {
  connectMs: number;
  headersMs: number;
  idleMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 10_000, headersMs: 120_000, idleMs: 60_000 };

/** A shared pool; tests and the gateway inject their own dispatcher. */
export function createAgent(timeouts: Partial<Timeouts> = {}): Agent {
  return new Agent({
    connect: { timeout: timeouts.connectMs ?? DEFAULT_TIMEOUTS.connectMs },
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    connections: 64,
    pipelining: 1,
  });
}

let sharedAgent: Agent | null = null;
export function defaultDispatcher(): Agent {
  sharedAgent ??= createAgent();
  return sharedAgent;
}

export interface PostArgs {
  url: string;
  headers: Record<string, string>;
  body: unknown;
  signal?: AbortSignal;
  dispatcher?: Dispatcher;
  timeouts: Timeouts;
  provider: string;
  model: string;
  /** Names where the key comes from, for error advice (never the key). */
  keyHint?: string;
  /** Values that must never appear in an error message (the API key). */
  secrets?: string[];
}

export interface StreamingResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Body bytes; iteration errors are already classified. */
  body: AsyncIterable<Uint8Array>;
  /** Release the connection early (e.g. the consumer stopped reading). */
  close(): void;
}

const MAX_ERROR_BODY = 64 * 1024;

/** POST JSON and return the streaming body of a 2xx response; throws a classified error otherwise. */
export async function postJsonStream(args: PostArgs): Promise<StreamingResponse> {
  let res: Dispatcher.ResponseData;
  try {
    res = await request(args.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream, application/json', ...args.headers },
      body: JSON.stringify(args.body),
      signal: args.signal,
      dispatcher: args.dispatcher ?? defaultDispatcher(),
      headersTimeout: args.timeouts.headersMs,
      bodyTimeout: args.timeouts.idleMs,
    });
  } catch (e) {
    throw scrub(classifyNetworkError(e, args.provider, args.model, 'headers'), args.secrets);
  }
  if (res.statusCode < 200 || res.statusCode >= 300) {
    const text = await readLimited(res.body, MAX_ERROR_BODY).catch(() => '');
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON: classify from the text */
    }
    const err = classifyHttpError({ status: res.statusCode, body: parsed, headers: res.headers, provider: args.provider, model: args.model, ...(args.keyHint ? { keyHint: args.keyHint } : {}) });
    throw scrub(err, args.secrets);
  }
  const raw = res.body;
  const { provider, model, secrets } = args;
  async function* body(): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of raw) yield chunk as Uint8Array;
    } catch (e) {
      throw scrub(classifyNetworkError(e, provider, model, 'body'), secrets);
    } finally {
      // Consumer stopped early or an error: release the socket now, not at GC.
      if (!raw.destroyed) raw.destroy();
    }
  }
  return { status: res.statusCode, headers: res.headers, body: body(), close: () => raw.destroy() };
}

async function readLimited(body: Dispatcher.ResponseData['body'], limit: number): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > limit) {
      parts.push(b.subarray(0, b.length - (size - limit)));
      body.destroy();
      break;
    }
    parts.push(b);
  }
  return Buffer.concat(parts).toString('utf8');
}

/** Remove secrets from an error's text: a provider might echo a key back in its message. */
export function scrub(err: SwitchboardError, secrets: string[] | undefined): SwitchboardError {
  const list = secrets ?? [];
  const message = redactSecrets(err.detail, list);
  const fix = err.fix === null ? null : redactSecrets(err.fix, list);
  if (message === err.detail && fix === err.fix) return err;
  return new SwitchboardError({ ...err.toInit(), message, fix, cause: undefined });
}
