/**
 * The HTTP edge: every provider request goes through here. Connection pooling and
 * keep-alive come from an undici Agent; headers and idle timeouts from undici's
 * headersTimeout / bodyTimeout; every failure leaves as a classified SwitchboardError.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import { Agent, EnvHttpProxyAgent, errors, request, type Dispatcher } from 'undici';
import { classifyHttpError, classifyNetworkError, scrubError, SwitchboardError } from '../errors.ts';
import { redactUrl, registerSecret } from '../redact.ts';

export interface Timeouts {
  connectMs: number;
  headersMs: number;
  idleMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 10_000, headersMs: 120_000, idleMs: 60_000 };

/**
 * An HTTP(S) proxy for provider requests, as the environment variables name it: `https` for https://
 * origins (`http` when it is not set), `http` for http:// ones; hosts in `noProxy` (comma-separated,
 * `.example.com` for a domain and its subdomains, `*` for all) go direct, and so does this machine
 * (localhost, 127.0.0.1, ::1) always: a local server is never behind the proxy.
 */
export interface ProxySettings {
  http?: string;
  https?: string;
  noProxy?: string;
  /** Where the settings come from, for an error that names it ("the HTTPS_PROXY environment variable"). */
  source?: string;
}

const LOOPBACK = ['localhost', '127.0.0.1', '::1'];

/** The proxy the standard variables name (lower case first, as curl reads them); null when none. */
export function proxyFromEnv(env: NodeJS.ProcessEnv): ProxySettings | null {
  const pick = (...names: string[]): string | undefined => names.map((n) => env[n]?.trim()).find((v) => !!v);
  const http = pick('http_proxy', 'HTTP_PROXY');
  const https = pick('https_proxy', 'HTTPS_PROXY');
  if (!http && !https) return null;
  const noProxy = pick('no_proxy', 'NO_PROXY');
  return {
    ...(http ? { http } : {}),
    ...(https ? { https } : {}),
    ...(noProxy ? { noProxy } : {}),
    source: 'the HTTP_PROXY / HTTPS_PROXY environment variables',
  };
}

/** A proxy URL as undici takes it: http(s), with a host; its password is a secret from now on. */
function proxyUrl(value: string | undefined, proxy: ProxySettings): string {
  if (!value) return '';
  let url: URL | null = null;
  try {
    url = new URL(value);
  } catch {
    /* said below */
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname)
    throw new SwitchboardError({
      kind: 'config',
      message: `the proxy ${JSON.stringify(redactUrl(value))} (${proxy.source ?? 'the proxy setting'}) is not an http:// or https:// URL`,
      fix: 'give it as http://host:port (user and password, if the proxy asks for them: http://user:password@host:port), or unset it',
    });
  if (url.password) registerSecret(decodeURIComponent(url.password));
  return url.href;
}

/** A shared pool; tests and the gateway inject their own dispatcher. Through `proxy` when one is given. */
export function createAgent(timeouts: Partial<Timeouts> = {}, proxy: ProxySettings | null = null): Dispatcher {
  const options = {
    connect: { timeout: timeouts.connectMs ?? DEFAULT_TIMEOUTS.connectMs },
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    connections: 64,
    pipelining: 1,
  };
  if (!proxy || (!proxy.http && !proxy.https)) return new Agent(options);
  // Empty strings, not undefined: undici would read the process's variables instead.
  return new EnvHttpProxyAgent({
    ...options,
    httpProxy: proxyUrl(proxy.http, proxy),
    httpsProxy: proxyUrl(proxy.https, proxy),
    noProxy: [proxy.noProxy, ...LOOPBACK].filter((h) => !!h).join(','),
  });
}

let sharedAgent: Dispatcher | null = null;
export function defaultDispatcher(): Dispatcher {
  sharedAgent ??= createAgent({}, proxyFromEnv(process.env));
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
  /**
   * Called once the request's last byte is written to the connection (not before: a request
   * abandoned while its connection is still being made never reached the provider).
   */
  onSent?: () => void;
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
  for (const k of args.secrets ?? []) registerSecret(k);
  let res: Dispatcher.ResponseData;
  try {
    res = await untilAborted(
      args.signal,
      request(args.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream, application/json', ...args.headers },
        body: JSON.stringify(args.body),
        signal: args.signal,
        dispatcher: args.onSent ? reportingSent(args.dispatcher ?? defaultDispatcher(), args.onSent) : (args.dispatcher ?? defaultDispatcher()),
        headersTimeout: args.timeouts.headersMs,
        bodyTimeout: args.timeouts.idleMs,
      }),
    );
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
    const err = classifyHttpError({
      status: res.statusCode,
      body: parsed,
      headers: res.headers,
      provider: args.provider,
      model: args.model,
      ...(args.keyHint ? { keyHint: args.keyHint } : {}),
    });
    throw scrub(err, args.secrets);
  }
  const raw = res.body;
  const { provider, model, secrets } = args;
  async function* body(): AsyncGenerator<Uint8Array> {
    try {
      // Not destroyed on return by the iterator (which makes an AbortError, stack trace and all, for
      // every answer whose decoder stops at its last event): the finally below decides.
      for await (const chunk of raw.iterator({ destroyOnReturn: false })) yield chunk as Uint8Array;
    } catch (e) {
      throw scrub(classifyNetworkError(e, provider, model, 'body'), secrets);
    } finally {
      // The consumer stopped at the answer's last event with the rest of the body already in (its
      // end received, not yet read): let it end, as a read to the end would. Stopped early
      // otherwise, or an error: release the socket now, not at GC.
      if (!raw.destroyed && !raw.readableEnded) {
        if (raw.readableLength === 0 && (raw as { _readableState?: { ended?: boolean } })._readableState?.ended === true) raw.resume();
        else raw.destroy();
      }
    }
  }
  return { status: res.statusCode, headers: res.headers, body: body(), close: () => raw.destroy() };
}

/**
 * `pending`, or the signal's abort as soon as it comes. undici acts on an abort once the request has
 * a connection (it is then dropped unsent), so a request cancelled while its connection is made (a
 * host that does not answer, a slow DNS or proxy) would wait up to the connect timeout, its budget
 * hold kept all that time.
 */
function untilAborted(signal: AbortSignal | undefined, pending: Promise<Dispatcher.ResponseData>): Promise<Dispatcher.ResponseData> {
  if (!signal || signal.aborted) return pending;
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      reject(signal.reason ?? new errors.RequestAbortedError());
      // Answered after all (the abort came too late for undici to act on): let the connection go.
      pending.then(
        (r) => r.body.destroy(),
        () => undefined,
      );
    };
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (r) => {
        signal.removeEventListener('abort', onAbort);
        resolve(r);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** `dispatcher`, calling `onSent` when a request it dispatches is written whole (undici's onRequestSent). */
function reportingSent(dispatcher: Dispatcher, onSent: () => void): Dispatcher {
  return dispatcher.compose((dispatch) => (opts, handler) => dispatch(opts, new SentReporter(handler, onSent)));
}

/** The request's own handler (undici's), told of everything as before, with `onSent` called as its body is written whole. */
class SentReporter implements Dispatcher.DispatchHandler {
  private readonly h: Dispatcher.DispatchHandler;
  private readonly onSent: () => void;
  constructor(handler: Dispatcher.DispatchHandler, onSent: () => void) {
    this.h = handler;
    this.onSent = onSent;
  }
  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.h.onRequestStart?.(controller, context);
  }
  onRequestUpgrade(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders, socket: Duplex): void {
    this.h.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }
  onResponseStarted(): void {
    this.h.onResponseStarted?.();
  }
  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders, statusMessage?: string): void {
    this.h.onResponseStart?.(controller, statusCode, headers, statusMessage);
  }
  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.h.onResponseData?.(controller, chunk);
  }
  onResponseEnd(controller: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    this.h.onResponseEnd?.(controller, trailers);
  }
  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.h.onResponseError?.(controller, error);
  }
  onBodySent(chunk: Buffer): void {
    this.h.onBodySent?.(chunk);
  }
  onRequestSent(): void {
    this.onSent();
    this.h.onRequestSent?.();
  }
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
  return scrubError(err, secrets ?? []);
}

export interface GetArgs {
  url: string;
  headers: Record<string, string>;
  signal?: AbortSignal;
  dispatcher?: Dispatcher;
  timeouts: Timeouts;
  provider: string;
  /** Values that must never appear in an error message (the API key). */
  secrets?: string[];
  keyHint?: string;
  /** Largest body accepted (a model list of a big provider is a few MB). Default 32 MB. */
  maxBytes?: number;
}

export interface GetResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body as text (bounded by maxBytes). */
  text: string;
}

const MAX_GET_BODY = 32 * 1024 * 1024;

/**
 * GET a small document (a model list). Redirects are never followed: the request carries a key,
 * and a 3xx to another host would hand it over. A redirect is a clear `config` error instead.
 * HTTP errors are classified like a chat request's; the caller parses the 2xx body.
 */
export async function getText(args: GetArgs): Promise<GetResult> {
  for (const k of args.secrets ?? []) registerSecret(k);
  let res: Dispatcher.ResponseData;
  try {
    res = await request(args.url, {
      method: 'GET',
      headers: args.headers,
      signal: args.signal,
      dispatcher: args.dispatcher ?? defaultDispatcher(),
      headersTimeout: args.timeouts.headersMs,
      bodyTimeout: args.timeouts.idleMs,
    });
  } catch (e) {
    throw scrub(classifyNetworkError(e, args.provider, '', 'headers'), args.secrets);
  }
  if (res.statusCode >= 300 && res.statusCode < 400) {
    // Read and drop the (small) redirect body; destroying it mid-read would surface as an uncaught abort.
    void res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
    const loc = res.headers.location;
    const where = typeof loc === 'string' ? ` to ${redactUrl(loc).slice(0, 200)}` : '';
    throw scrub(
      new SwitchboardError({
        kind: 'config',
        message: `${redactUrl(args.url)} answered with a redirect (HTTP ${res.statusCode}${where}); Switchboard never follows a redirect with an API key attached`,
        provider: args.provider,
        status: res.statusCode,
        fix: `set the provider's baseUrl to the final address`,
      }),
      args.secrets,
    );
  }
  let text: string;
  try {
    text = await readLimited(res.body, args.maxBytes ?? MAX_GET_BODY);
  } catch (e) {
    throw scrub(classifyNetworkError(e, args.provider, '', 'body'), args.secrets);
  }
  if (res.statusCode < 200 || res.statusCode >= 300) {
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON: classify from the text */
    }
    throw scrub(
      classifyHttpError({
        status: res.statusCode,
        body: parsed,
        headers: res.headers,
        provider: args.provider,
        model: '',
        ...(args.keyHint ? { keyHint: args.keyHint } : {}),
      }),
      args.secrets,
    );
  }
  return { status: res.statusCode, headers: res.headers, text };
}
