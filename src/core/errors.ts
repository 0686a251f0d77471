/**
 * One error taxonomy for every provider. Errors are classified once, at the HTTP
 * edge (see classifyHttpError / classifyNetworkError); retry and fail-over
 * decisions read `kind` / `retryable` and nothing else.
 */

import { containsSecret, redactKnown, stripControl } from './redact.ts';
import type { ProtocolId } from './request.ts';

export const ERROR_KINDS = [
  'auth',
  'permission',
  'quota',
  'rate_limit',
  'overloaded',
  'server',
  'context_length',
  'bad_request',
  'not_found',
  'network',
  'timeout',
  'aborted',
  'invalid_response',
  'config',
  'budget',
  /** A bug in Switchboard (a TypeError in an adapter…): not the provider's fault, not retried. */
  'internal',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** Where to report Switchboard's own bugs (the `internal` kind's fix says so). */
export const REPORT_BUG_URL = 'https://github.com/switchboard/switchboard/issues';

/** Kinds worth trying again (same model later, or another model now). */
const RETRYABLE: ReadonlySet<ErrorKind> = new Set(['rate_limit', 'overloaded', 'server', 'network', 'timeout']);

export interface ErrorInit {
  kind: ErrorKind;
  message: string;
  provider?: string | null;
  model?: string | null;
  status?: number | null;
  retryAfterMs?: number | null;
  /** What the user can do about it. */
  fix?: string | null;
  /** The provider's own error code/type (e.g. `insufficient_quota`). */
  providerCode?: string | null;
  /** The provider's id for the failed request (x-request-id, request-id…), for its support. */
  requestId?: string | null;
  /** The provider's own verdict (`x-should-retry`): true makes any error retryable; false: do not try this model again. */
  shouldRetry?: boolean | null;
  /** The request parameter the provider's error named (UpstreamParam). */
  upstreamParam?: UpstreamParam | null;
  cause?: unknown;
}

/**
 * The request parameter a provider's error names (OpenAI's `error.param`), in the terms of the body
 * the provider was sent: the caller's own names only when that body was the caller's, forwarded as
 * sent, or its translation kept the name (the gateway decides: fromSwitchboardError).
 */
export interface UpstreamParam {
  /** As the provider named it: no control characters, capped (MAX_PARAM), known secrets removed (scrubError). */
  name: string;
  /** The wire protocol of the body it names; null until the model that sent it says (HttpLanguageModel). */
  protocol: ProtocolId | null;
  /** That body was the caller's own, forwarded as sent (the gateway's same-protocol fast path). */
  forwarded: boolean;
}

export class SwitchboardError extends Error {
  readonly kind: ErrorKind;
  readonly retryable: boolean;
  readonly retryAfterMs: number | null;
  readonly status: number | null;
  readonly provider: string | null;
  readonly model: string | null;
  readonly fix: string | null;
  readonly providerCode: string | null;
  readonly requestId: string | null;
  readonly shouldRetry: boolean | null;
  readonly upstreamParam: UpstreamParam | null;
  /** The bare provider message, without the prefix naming provider and model. */
  readonly detail: string;

  constructor(init: ErrorInit) {
    // Provider and model ids may come from a request (the gateway's callers): no control characters.
    init = {
      ...init,
      provider: init.provider ? stripControl(init.provider) : (init.provider ?? null),
      model: init.model ? stripControl(init.model) : (init.model ?? null),
    };
    const where = [init.provider && `${init.provider}${init.model ? `/${init.model}` : ''}`, init.status ? `HTTP ${init.status}` : null]
      .filter(Boolean)
      .join(', ');
    const text = `${where ? `${where}: ` : ''}${init.kind}: ${init.message}${init.requestId ? ` (request id ${init.requestId})` : ''}${init.fix ? ` — ${init.fix}` : ''}`;
    super(text, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'SwitchboardError';
    this.kind = init.kind;
    this.retryable = init.shouldRetry === true || RETRYABLE.has(init.kind);
    this.retryAfterMs = init.retryAfterMs ?? null;
    this.status = init.status ?? null;
    this.provider = init.provider ?? null;
    this.model = init.model ?? null;
    this.fix = init.fix ?? null;
    this.providerCode = init.providerCode ?? null;
    this.requestId = init.requestId ?? null;
    this.shouldRetry = init.shouldRetry ?? null;
    this.upstreamParam = init.upstreamParam ?? null;
    this.detail = init.message;
  }

  /** A copy with provider/model filled in (errors raised deep down may not know them). */
  withContext(provider: string, model: string): SwitchboardError {
    if (this.provider && this.model) return this;
    return new SwitchboardError({ ...this.toInit(), provider: this.provider ?? provider, model: this.model ?? model });
  }

  toInit(): ErrorInit {
    return {
      kind: this.kind,
      message: this.detail,
      provider: this.provider,
      model: this.model,
      status: this.status,
      retryAfterMs: this.retryAfterMs,
      fix: this.fix,
      providerCode: this.providerCode,
      requestId: this.requestId,
      shouldRetry: this.shouldRetry,
      upstreamParam: this.upstreamParam,
      cause: this.cause,
    };
  }

  toJSON(): {
    kind: ErrorKind;
    message: string;
    status: number | null;
    retryable: boolean;
    retryAfterMs: number | null;
    fix: string | null;
    requestId: string | null;
  } {
    return {
      kind: this.kind,
      message: this.message,
      status: this.status,
      retryable: this.retryable,
      retryAfterMs: this.retryAfterMs,
      fix: this.fix,
      requestId: this.requestId,
    };
  }
}

export function isSwitchboardError(e: unknown): e is SwitchboardError {
  return e instanceof SwitchboardError;
}

/** Default advice per kind; `keyHint` names where the key comes from (env var or command). */
export function defaultFix(kind: ErrorKind, keyHint?: string, retryAfterMs?: number | null): string | null {
  switch (kind) {
    case 'auth':
      return keyHint ? `check the API key (${keyHint})` : 'check the API key';
    case 'permission':
      return 'the key is not allowed to use this model or feature; check the account or pick another model';
    case 'quota':
      return 'the account is out of credits or quota; add credits or pick another model';
    case 'rate_limit':
      return retryAfterMs != null
        ? `rate limited: wait ${Math.ceil(retryAfterMs / 1000)} s or pick another model`
        : 'rate limited: wait a moment or pick another model';
    case 'overloaded':
      return 'the provider is overloaded: retry shortly or pick another model';
    case 'server':
      return 'the provider had a server error: retry or pick another model';
    case 'context_length':
      return 'the conversation is too long for this model: shorten it or pick a model with a larger context window';
    case 'bad_request':
      return 'the provider rejected the request: check the model id and parameters';
    case 'not_found':
      return 'the model or endpoint was not found: check the model id (`switchboard models` lists them) and the baseUrl';
    case 'network':
      return 'could not reach the provider: check the network and the baseUrl';
    case 'timeout':
      return 'the provider stopped answering: retry, raise the timeout, or pick another model';
    case 'aborted':
      return null;
    case 'invalid_response':
      return 'the provider sent something unexpected: retry or pick another model';
    case 'config':
      return 'fix the configuration';
    case 'budget':
      return 'raise the budget or set onExceed to "warn"';
    case 'internal':
      return `this is a bug in Switchboard, not a problem with the provider or your setup: please report it at ${REPORT_BUG_URL} with the log (the stack trace is there; no keys are logged)`;
  }
}

/** Longest provider message kept in an error (characters). */
const MAX_MESSAGE = 2000;

/** Longest parameter name kept from a provider's error (characters): a path into the body is far shorter. */
export const MAX_PARAM = 200;

/**
 * Classify an HTTP error response. `body` is the parsed JSON (or the raw text when not JSON).
 * Works for OpenAI-shaped `{error:{message,type,code}}`, OpenRouter `{error:{code:n,message}}`,
 * Anthropic `{type:'error',error:{type,message}}` and Gemini `{error:{code,status,message,details}}`.
 */
export function classifyHttpError(args: {
  status: number;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  provider: string;
  model: string;
  keyHint?: string;
  now?: number;
}): SwitchboardError {
  const { status, body, headers, provider, model } = args;
  const info = extractErrorInfo(body);
  const full = info.message || (typeof body === 'string' && body.trim() ? body.trim().slice(0, 500) : `HTTP ${status}`);
  // An error event inside a stream is not size-limited like an error body: keep messages readable.
  const message = full.length > MAX_MESSAGE ? `${full.slice(0, MAX_MESSAGE)}…` : full;
  const code = `${info.type ?? ''} ${info.code ?? ''} ${info.status ?? ''}`.toLowerCase();
  const lowerMsg = message.toLowerCase();
  const retryAfterMs = parseRetryAfter(headers, args.now ?? Date.now()) ?? info.retryDelayMs;

  let kind: ErrorKind;
  if (isContextLength(code, lowerMsg)) kind = 'context_length';
  else if (status === 401) kind = 'auth';
  else if (status === 402) kind = 'quota';
  else if (status === 403) kind = /quota|billing|credit/.test(code + lowerMsg) ? 'quota' : 'permission';
  else if (status === 404) kind = 'not_found';
  else if (status === 408) kind = 'timeout';
  else if (status === 413) kind = 'context_length';
  else if (status === 429) kind = isQuotaExhausted(code, lowerMsg, info) ? 'quota' : 'rate_limit';
  else if (status === 529 || status === 503 || /overloaded|unavailable/.test(code)) kind = 'overloaded';
  else if (status >= 500) kind = 'server';
  else if (status === 400 || status === 422)
    kind = /api key|api_key|unauthenticated/.test(code + lowerMsg) && /invalid|not valid|incorrect|missing/.test(lowerMsg) ? 'auth' : 'bad_request';
  else kind = 'bad_request';

  return new SwitchboardError({
    kind,
    message,
    provider,
    model,
    status,
    retryAfterMs: kind === 'quota' ? null : retryAfterMs,
    fix: defaultFix(kind, args.keyHint, retryAfterMs),
    providerCode: info.code ?? info.type ?? info.status ?? null,
    requestId: requestIdOf(headers, body),
    shouldRetry: shouldRetryOf(headers),
    upstreamParam: info.param === null ? null : { name: info.param, protocol: null, forwarded: false },
  });
}

/** Response headers that carry the provider's request id (OpenAI and most compatibles, Anthropic, Google, AWS). */
const REQUEST_ID_HEADERS = ['x-request-id', 'request-id', 'x-goog-request-id', 'x-amzn-requestid', 'x-amz-request-id'];

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** The provider's id for this request: a response header, or Anthropic's `request_id` in the error body. */
export function requestIdOf(headers: Record<string, string | string[] | undefined>, body?: unknown): string | null {
  for (const name of REQUEST_ID_HEADERS) {
    const v = header(headers, name)?.trim();
    if (v) return v.slice(0, 200);
  }
  const fromBody = body && typeof body === 'object' ? (body as Record<string, unknown>).request_id : undefined;
  return typeof fromBody === 'string' && fromBody.trim() ? fromBody.trim().slice(0, 200) : null;
}

/** `x-should-retry: true|false` (OpenAI and others): the provider overrides our guess from the status. */
export function shouldRetryOf(headers: Record<string, string | string[] | undefined>): boolean | null {
  const v = header(headers, 'x-should-retry')?.trim().toLowerCase();
  return v === 'true' ? true : v === 'false' ? false : null;
}

/**
 * A prompt too long for the model, in any provider's words. Agents act on it (Codex compacts the
 * conversation on code context_length_exceeded, Claude Code on "prompt is too long"), so a phrasing
 * missed here leaves them stuck on a plain bad request: Anthropic's "input length and `max_tokens`
 * exceed context limit", xAI's "maximum prompt length is N" among them.
 */
function isContextLength(code: string, msg: string): boolean {
  return (
    code.includes('context_length') ||
    /context[ _-]?(length|window|limit)|maximum context|maximum prompt length|too many tokens|prompt is too long|input is too long|exceeds the (maximum|context)|token limit/.test(
      msg,
    )
  );
}

function isQuotaExhausted(code: string, msg: string, info: ErrorInfo): boolean {
  // Gemini says "exceeded your current quota" for per-minute limits too; its QuotaFailure
  // details tell a per-day quota (waiting seconds won't help) from a per-minute one.
  if (info.quotaIds.length > 0) return info.quotaIds.some((q) => /perday/i.test(q));
  if (info.retryDelayMs !== null) return false;
  // OpenAI `insufficient_quota`; credits exhausted.
  return code.includes('insufficient_quota') || /insufficient[_ ]quota|exceeded your current quota|billing|credit|per day|perday/.test(msg);
}

interface ErrorInfo {
  message: string | null;
  /** OpenAI's `error.param`: the request parameter at fault (control characters removed, capped). */
  param: string | null;
  type: string | null;
  code: string | null;
  status: string | null;
  retryDelayMs: number | null;
  /** Gemini QuotaFailure violation ids, e.g. GenerateRequestsPerMinutePerProjectPerModel-FreeTier. */
  quotaIds: string[];
}

/** Pull message/type/code out of any provider's error body. */
export function extractErrorInfo(body: unknown): ErrorInfo {
  const out: ErrorInfo = { message: null, param: null, type: null, code: null, status: null, retryDelayMs: null, quotaIds: [] };
  if (!body || typeof body !== 'object') return out;
  const root = body as Record<string, unknown>;
  const err = (typeof root.error === 'object' && root.error !== null ? root.error : root) as Record<string, unknown>;
  if (typeof err.message === 'string') out.message = err.message;
  else if (typeof root.message === 'string') out.message = root.message;
  // xAI: {"code": "Client specified an invalid argument", "error": "Incorrect API key provided: …"}, the message a string.
  else if (typeof root.error === 'string' && root.error.trim()) out.message = root.error;
  if (typeof err.type === 'string') out.type = err.type;
  if (typeof err.param === 'string') {
    const param = stripControl(err.param).trim();
    if (param) out.param = param.length > MAX_PARAM ? `${param.slice(0, MAX_PARAM)}…` : param;
  }
  if (typeof err.code === 'string' || typeof err.code === 'number') out.code = String(err.code);
  if (typeof err.status === 'string') out.status = err.status;
  if (Array.isArray(err.details)) {
    for (const d of err.details) {
      if (!d || typeof d !== 'object') continue;
      const detail = d as Record<string, unknown>;
      if (typeof detail.retryDelay === 'string') out.retryDelayMs = parseDuration(detail.retryDelay);
      if (Array.isArray(detail.violations)) {
        for (const v of detail.violations) {
          const id = v && typeof v === 'object' ? (v as Record<string, unknown>).quotaId : undefined;
          if (typeof id === 'string') out.quotaIds.push(id);
        }
      }
    }
  }
  // OpenRouter puts the upstream's raw error in metadata.raw; keep the top message but note it.
  const meta = err.metadata as Record<string, unknown> | undefined;
  if (meta && typeof meta.raw === 'string' && out.message && !out.message.includes(meta.raw)) {
    out.message = `${out.message} (${meta.raw.slice(0, 300)})`;
  }
  return out;
}

/** Google's protobuf Duration as JSON: "46s", "1.5s", "500ms". */
export function parseDuration(s: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(s);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return Math.round(unit === 'ms' ? n : unit === 'm' ? n * 60_000 : n * 1000);
}

/** `retry-after-ms`, then `retry-after` (seconds or HTTP date). Null when absent or unparseable. */
export function parseRetryAfter(headers: Record<string, string | string[] | undefined>, now: number): number | null {
  const get = (name: string): string | undefined => {
    const v = headers[name] ?? headers[name.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  };
  const ms = get('retry-after-ms');
  if (ms !== undefined) {
    const n = Number(ms);
    if (Number.isFinite(n) && n >= 0) return Math.round(n);
  }
  const ra = get('retry-after');
  if (ra === undefined) return null;
  const secs = Number(ra);
  if (ra.trim() !== '' && Number.isFinite(secs)) return secs >= 0 ? Math.round(secs * 1000) : null;
  const date = Date.parse(ra);
  if (!Number.isNaN(date)) return Math.max(0, date - now);
  return null;
}

/**
 * A programming error of ours rather than a failed request: a TypeError, RangeError,
 * ReferenceError or SyntaxError that no network layer raised (undici's and Node's network errors
 * carry a `code` such as UND_ERR_SOCKET or ECONNRESET; fetch's own is TypeError "fetch failed"
 * with a cause). Node's argument checks (code ERR_INVALID_ARG_TYPE…) are bugs of ours too.
 */
export function isProgrammingError(e: unknown): e is Error {
  if (!(e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError || e instanceof SyntaxError)) return false;
  const err = e as Error & { code?: unknown; cause?: { code?: unknown } };
  if (err.message === 'fetch failed' || err.cause?.code !== undefined) return false;
  return err.code === undefined || (typeof err.code === 'string' && /^ERR_(INVALID_ARG|OUT_OF_RANGE|MISSING_ARGS)/.test(err.code));
}

/** Switchboard's own bug, reported as such: not retried, no cooldown, a fix that says how to report it. */
export function internalError(e: Error, provider: string | null, model: string | null): SwitchboardError {
  return new SwitchboardError({
    kind: 'internal',
    message: `Switchboard bug: ${e.name}: ${e.message}`,
    provider,
    model,
    fix: defaultFix('internal'),
    cause: e,
  });
}

/** Map a low-level network/undici error to the taxonomy (a bug of ours is `internal`, not `network`). */
export function classifyNetworkError(e: unknown, provider: string, model: string, phase: 'connect' | 'headers' | 'body'): SwitchboardError {
  if (e instanceof SwitchboardError) return e.withContext(provider, model);
  if (isProgrammingError(e)) return internalError(e, provider, model);
  const err = e as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = err?.code ?? err?.cause?.code ?? '';
  const msg = err?.message ?? String(e);
  // Before the abort check: undici reports a proxy's refusal of a CONNECT as an aborted request.
  const unmendable = proxyRefusal(msg) ?? tlsFailure(code, msg);
  if (unmendable) return new SwitchboardError({ kind: 'network', ...unmendable, provider, model, providerCode: code || null, shouldRetry: false, cause: e });
  if (err?.name === 'AbortError' || code === 'ABORT_ERR' || code === 'UND_ERR_ABORTED') {
    return new SwitchboardError({ kind: 'aborted', message: 'the request was cancelled', provider, model, cause: e });
  }
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new SwitchboardError({ kind: 'timeout', message: 'connecting to the provider timed out', provider, model, fix: defaultFix('timeout'), cause: e });
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    const what =
      phase === 'body' || code === 'UND_ERR_BODY_TIMEOUT' ? 'the stream stalled (no data within the idle timeout)' : 'no response headers within the timeout';
    return new SwitchboardError({ kind: 'timeout', message: what, provider, model, fix: defaultFix('timeout'), cause: e });
  }
  let detail = msg;
  // Which address refused, which name did not resolve: the user's fix is in their baseUrl or a server that is not running.
  type Where = { address?: unknown; port?: unknown; hostname?: unknown } | undefined;
  const sides = [err as Where, err?.cause as Where];
  const address = sides
    .map((o) =>
      typeof o?.address === 'string' ? `${o.address.includes(':') ? `[${o.address}]` : o.address}${typeof o.port === 'number' ? `:${o.port}` : ''}` : null,
    )
    .find(Boolean);
  const hostname = sides.map((o) => (typeof o?.hostname === 'string' ? o.hostname : null)).find(Boolean);
  if (code === 'ECONNREFUSED') detail = `connection refused${address ? ` by ${stripControl(address)} (is the server running?)` : ''}`;
  else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') detail = `the host name ${hostname ? `${stripControl(hostname)} ` : ''}could not be resolved (DNS)`;
  else if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE')
    detail = phase === 'body' ? 'the connection was reset mid-stream' : 'the connection was reset';
  else if (/CERT|SSL|TLS|SELF_SIGNED|VERIFY|SIGNATURE/i.test(code) || /certificate|tls|ssl/i.test(msg)) detail = `TLS failure (${code || msg})`;
  // Lost while the answer was coming: the provider was reached, so its address and the network are not the first suspects.
  const fix = phase === 'body' ? 'the connection dropped during the answer: retry, or pick another model if it keeps happening' : defaultFix('network');
  return new SwitchboardError({ kind: 'network', message: detail, provider, model, fix, providerCode: code || null, cause: e });
}

/** The proxy's own refusal (not the provider's), said with its fix: the same credentials would be refused again. */
function proxyRefusal(msg: string): { message: string; fix: string } | null {
  const m = /^Proxy Authentication Required \((\d{3})\)|^Proxy response \((\d{3})\) !== 200/.exec(msg);
  if (!m) return null;
  const status = Number(m[1] ?? m[2]);
  return status === 407
    ? {
        message: 'the proxy asked for credentials it did not get (HTTP 407)',
        fix: "put the proxy's user and password in its URL, http://user:password@host:port (HTTPS_PROXY / HTTP_PROXY, or VS Code's http.proxy)",
      }
    : {
        message: `the proxy refused the connection (HTTP ${status})`,
        fix: "check the proxy (HTTPS_PROXY / HTTP_PROXY, or VS Code's http.proxy) and that it lets this host through, or list the host in NO_PROXY",
      };
}

/**
 * A TLS failure that trying again cannot mend, said with its fix (another model, another provider, may
 * still answer): https:// to a server that speaks plain HTTP, or a certificate this machine does not trust
 * (self-signed, a company proxy's own authority, expired, another host's name).
 */
function tlsFailure(code: string, msg: string): { message: string; fix: string } | null {
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' || /wrong version number/i.test(msg))
    return {
      message: `the server does not speak TLS on this port (${code || 'wrong version number'})`,
      fix: 'a plain-HTTP server (a local one, say) takes http://, not https://: correct the baseUrl',
    };
  if (/CERT|SELF_SIGNED|VERIFY|ISSUER|ALTNAME/.test(code)) {
    const why = (msg.split(';')[0] ?? msg).trim();
    return {
      message: `the server's TLS certificate was not accepted (${code}: ${why})`,
      fix: "if a proxy or the server uses its own certificate authority, trust it where VS Code or the CLI starts: NODE_EXTRA_CA_CERTS=<its certificate file>, or NODE_USE_SYSTEM_CA=1 when it is in the system's store; otherwise check the baseUrl's host name",
    };
  }
  return null;
}

/**
 * The error with every known secret (see ../redact.ts) and `extra` removed from its text. The
 * cause is dropped when it holds one: a JSON.parse error's message quotes the text it choked on.
 */
export function scrubError(err: SwitchboardError, extra: readonly (string | undefined | null)[] = []): SwitchboardError {
  const message = redactKnown(err.detail, extra);
  const fix = err.fix === null ? null : redactKnown(err.fix, extra);
  const param = err.upstreamParam && redactKnown(err.upstreamParam.name, extra);
  const causeText = causeChain(err.cause);
  const dirtyCause = causeText !== '' && containsSecret(causeText, extra);
  if (message === err.detail && fix === err.fix && param === (err.upstreamParam?.name ?? null) && !dirtyCause) return err;
  const upstreamParam = err.upstreamParam && { ...err.upstreamParam, name: param! };
  return new SwitchboardError({ ...err.toInit(), message, fix, upstreamParam, cause: undefined });
}

function causeChain(cause: unknown, depth = 0): string {
  if (cause === undefined || cause === null || depth > 4) return '';
  if (cause instanceof Error) return `${cause.message}\n${cause.stack ?? ''}\n${causeChain((cause as Error & { cause?: unknown }).cause, depth + 1)}`;
  return typeof cause === 'string' ? cause : '';
}
