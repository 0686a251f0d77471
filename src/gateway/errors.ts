/**
 * The core's error taxonomy → OpenAI's error shape `{error:{message,type,param,code}}` and an
 * HTTP status, so OpenAI SDKs raise their own classes (RateLimitError, AuthenticationError, …).
 *
 * Choices, and why:
 * - Upstream auth (the provider refused Switchboard's key, or no key is set) → 401, code
 *   `upstream_auth`. Not 502: SDKs retry 5xx, and retrying cannot fix a key. The code tells it
 *   apart from the gateway's own 401 (`invalid_api_key`, a wrong gateway token).
 * - Upstream quota (credits exhausted) → 429 `insufficient_quota`, exactly as OpenAI sends it.
 * - Budget (Switchboard's own spend limit blocked the request; no provider was called) → 402
 *   `budget_exceeded`, as OpenRouter answers "insufficient credits": a spend limit, not a rate limit.
 * - Rate limit → 429 `rate_limit_exceeded` with `retry-after` / `retry-after-ms` when known.
 * - Provider 5xx, network failures and garbled answers → 502; overloaded → 503; timeouts → 504.
 * - A request refused before anything was sent, because the model cannot take it as asked (an
 *   option its protocol cannot honour, a capability it lacks) → 400 `unsupported_request`, not
 *   `upstream_bad_request` (which only the upstream's own 400 gets).
 * - Unknown model or route (config) and upstream 404 → 404 `model_not_found`.
 * - Every non-retryable error carries `x-should-retry: false`, which the OpenAI SDKs honour.
 */
import { PARTIAL_KEPT, SwitchboardError, type ErrorKind, type ProtocolId } from '../core/index.ts';

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export interface HttpError {
  status: number;
  body: OpenAIErrorBody;
  headers: Record<string, string>;
}

interface Mapping {
  status: number;
  type: string;
  code: string;
}

/** The code of a request refused before sending because the model it names cannot take it as asked. */
export const UNSUPPORTED_CODE = 'unsupported_request';

/** The code of a prompt too long for the model, whichever way it was found (the upstream said so, or its known context window). */
export const CONTEXT_LENGTH_CODE = 'context_length_exceeded';

/** The code of an overloaded upstream (the Messages door answers it with Anthropic's 529). */
export const OVERLOADED_CODE = 'upstream_overloaded';

const BY_KIND: Record<ErrorKind, Mapping> = {
  auth: { status: 401, type: 'authentication_error', code: 'upstream_auth' },
  permission: { status: 403, type: 'permission_error', code: 'upstream_permission' },
  quota: { status: 429, type: 'insufficient_quota', code: 'insufficient_quota' },
  rate_limit: { status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded' },
  overloaded: { status: 503, type: 'server_error', code: OVERLOADED_CODE },
  server: { status: 502, type: 'server_error', code: 'upstream_error' },
  context_length: { status: 400, type: 'invalid_request_error', code: CONTEXT_LENGTH_CODE },
  bad_request: { status: 400, type: 'invalid_request_error', code: 'upstream_bad_request' },
  not_found: { status: 404, type: 'invalid_request_error', code: 'model_not_found' },
  network: { status: 502, type: 'server_error', code: 'upstream_unreachable' },
  timeout: { status: 504, type: 'server_error', code: 'upstream_timeout' },
  // Only seen when the gateway itself cancelled (shutting down); a client that hung up gets nothing.
  aborted: { status: 503, type: 'server_error', code: 'gateway_shutting_down' },
  invalid_response: { status: 502, type: 'server_error', code: 'upstream_invalid_response' },
  config: { status: 404, type: 'invalid_request_error', code: 'model_not_found' },
  budget: { status: 402, type: 'insufficient_quota', code: 'budget_exceeded' },
  // A bug in Switchboard: the gateway's fault, not the upstream's (and retrying will not help).
  internal: { status: 500, type: 'server_error', code: 'switchboard_internal_error' },
};

const NO_RETRY = new Set<ErrorKind>(['auth', 'permission', 'quota', 'context_length', 'bad_request', 'not_found', 'config', 'budget', 'internal']);

/** An error the gateway raises itself (bad token, bad JSON, body too large, …). */
export function gatewayError(
  status: number,
  message: string,
  code: string,
  extra: { type?: string; param?: string | null; headers?: Record<string, string> } = {},
): HttpError {
  const type =
    extra.type ??
    (status === 401
      ? 'authentication_error'
      : status === 403
        ? 'permission_error'
        : status === 429
          ? 'rate_limit_error'
          : status >= 500
            ? 'server_error'
            : 'invalid_request_error');
  return { status, body: { error: { message, type, param: extra.param ?? null, code } }, headers: extra.headers ?? {} };
}

/** The body a client sent to a door, in the door's protocol: what an upstream's error may name of it. */
export interface ClientBody {
  protocol: ProtocolId;
  body: Record<string, unknown>;
}

/** Parameters Chat Completions and Responses both have, under one name, which either translation sends under it. */
const SHARED_NAMES: ReadonlySet<string> = new Set(['model', 'temperature', 'top_p', 'tools', 'tool_choice', 'parallel_tool_calls']);

/**
 * The parameter an upstream's error named, when it names one the client sent: the client's own body
 * forwarded as sent, or (translated) a top-level parameter of the client's that the translation sends
 * under the same name. A path into a translated body (`messages[3].content`) or a name the translation
 * made (`max_completion_tokens` for `max_output_tokens`) would name what the client never sent: none.
 */
function clientParam(e: SwitchboardError, sent: ClientBody | undefined): string | null {
  const p = e.upstreamParam;
  if (!p || !sent || p.protocol === null) return null;
  if (p.forwarded) return p.protocol === sent.protocol ? p.name : null;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(p.name) || !Object.hasOwn(sent.body, p.name)) return null;
  return p.protocol === sent.protocol || SHARED_NAMES.has(p.name) ? p.name : null;
}

/**
 * Map a core error; `redact` scrubs anything secret-looking from the message. `sent`: the client's
 * body, whose parameter an upstream's error may name (clientParam).
 */
export function fromSwitchboardError(e: SwitchboardError, redact: (s: string) => string, sent?: ClientBody): HttpError {
  const m = BY_KIND[e.kind];
  // A bad request refused before anything was sent (no HTTP status from an upstream) is not the
  // upstream's: the caller's own (the facade, a route none of whose models can serve it) or one
  // the named model cannot take (an adapter's or the router's check before sending).
  const code = e.kind === 'bad_request' && e.status === null ? (e.provider === null ? 'invalid_request' : UNSUPPORTED_CODE) : m.code;
  const headers: Record<string, string> = {};
  if (NO_RETRY.has(e.kind)) headers['x-should-retry'] = 'false';
  if (e.retryAfterMs !== null && (e.kind === 'rate_limit' || e.kind === 'overloaded')) {
    headers['retry-after'] = String(Math.max(1, Math.ceil(e.retryAfterMs / 1000)));
    headers['retry-after-ms'] = String(Math.max(0, Math.round(e.retryAfterMs)));
  }
  // A refused or invalid parameter (the facade's UnsupportedParameterError, InvalidParameterError) is named, as OpenAI does.
  const param = 'param' in e && typeof e.param === 'string' ? e.param : clientParam(e, sent);
  const unsupported = param !== null && e.providerCode === 'unsupported_parameter';
  return {
    status: m.status,
    body: { error: { message: redact(e.message), type: m.type, param: param && redact(param), code: unsupported ? 'unsupported_parameter' : code } },
    headers,
  };
}

/**
 * An error the gateway answers with an HTTP status, before any of the answer was sent: "the partial
 * text is kept" (the core's result keeps it) is not true for this client, which gets none of it.
 */
export function errorBeforeAnswer(e: unknown): unknown {
  if (!(e instanceof SwitchboardError) || !e.detail.endsWith(PARTIAL_KEPT)) return e;
  return new SwitchboardError({ ...e.toInit(), message: `${e.detail.slice(0, -PARTIAL_KEPT.length)} (the answer was cut off before any of it was sent)` });
}

export function internalError(): HttpError {
  return gatewayError(500, 'internal gateway error (see the gateway log)', 'internal_error');
}
