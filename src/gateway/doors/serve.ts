/**
 * Serving one door request: read and translate the body, run it through `client.stream()` (so
 * routes, aliases, failover, budgets and the ledger apply as for Chat Completions), answer in the
 * door's shape, streamed or not. Errors before the first streamed part get a real HTTP status in
 * the door's error shape; after it, the door's own error event ends the stream.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEFAULT_MAX_JSON_DEPTH, exceedsJsonDepth } from '../jsonDepth.ts';
import type { SwitchboardClient } from '../../core/index.ts';
import { addWarnings, SwitchboardError } from '../../core/index.ts';
import type { ChatResult, ChatStream, StreamPart } from '../../core/index.ts';
import { errorBeforeAnswer, fromSwitchboardError, gatewayError, type ClientBody, type HttpError } from '../errors.ts';
import { readBody, RequestFailure, SseWriter, type BodyLimits } from '../io.ts';
import { toRouterRequest } from './bridge.ts';
import { DoorRefusal, inDoorTerms, isObject, type Door, type DoorRequest } from './door.ts';
import { resultWarnings } from './result.ts';

export interface DoorContext {
  client: SwitchboardClient;
  limits: BodyLimits;
  log: (line: string) => void;
  redact: (s: string) => string;
  inflight: Set<AbortController>;
  /** `raw`: the body is JSON text already (a forwarded answer), sent as it is. */
  send(req: IncomingMessage, res: ServerResponse, e: { status: number; body: unknown; raw?: boolean; headers?: Record<string, string> }): void;
  /** `sent`: the client's body, whose parameter an upstream's error may name (fromSwitchboardError). */
  toHttpError(e: unknown, sent?: ClientBody): HttpError;
  onCompleted(): void;
  onClientAbort(): void;
  /** Same-protocol fast path on (GatewayOptions.fastPath). */
  fastPath: boolean;
}

const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' } as const;

/** Parts that mean the answer has begun (what the client will see): headers go out then, not before. */
const SHOWN = new Set<StreamPart['type']>(['text-delta', 'reasoning-delta', 'tool-call-delta']);

/**
 * `x-switchboard-warnings`: a JSON array of strings, ASCII only (header values must be), as the
 * Chat Completions door sends it; redacted like everything the gateway shows.
 */
export function warningsHeader(
  warnings: readonly string[],
  redact: (s: string) => string = (s) => s,
  /** Where the ones cut from a long list are (the doors: the gateway log). */
  restAt = 'see the gateway log',
): Record<string, string> {
  if (!warnings.length) return {};
  const list = [...new Set(warnings)].map(redact);
  const ascii = (l: string[]): string => JSON.stringify(l).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  // Clients cap header sizes (Node: 16 KiB in all): keep it short.
  let value = ascii(list);
  for (let n = list.length - 1; value.length > 4096 && n >= 0; n--) value = ascii([...list.slice(0, n), `${list.length - n} more warnings: ${restAt}`]);
  return { 'x-switchboard-warnings': value };
}

/**
 * A request's warnings against the path that answers it: a body forwarded as sent takes along what
 * the translation would leave out (`resolvedByForwarding`), so those warnings hold only when it is
 * translated. `allResolved`: nothing else was left out, so the body may be forwarded.
 */
export function forwardingWarnings(
  warnings: readonly string[],
  resolvedByForwarding: readonly string[] = [],
): { allResolved: boolean; holding(forwarded: boolean): readonly string[] } {
  const resolved = new Set(resolvedByForwarding);
  return {
    allResolved: warnings.every((w) => resolved.has(w)),
    // Read when asked: the caller's list may grow (the stream's own warnings).
    holding: (forwarded) => (forwarded && resolved.size ? warnings.filter((w) => !resolved.has(w)) : warnings),
  };
}

/** Parse the JSON body; a refusal in the door's shape. */
export async function readJson(ctx: DoorContext, door: Door, req: IncomingMessage, res: ServerResponse): Promise<unknown | typeof FAILED> {
  let body: Buffer;
  try {
    body = await readBody(req, res, ctx.limits);
  } catch (e) {
    if (e instanceof RequestFailure) {
      ctx.send(req, res, door.error(e.http));
      return FAILED;
    }
    throw e;
  }
  if (exceedsJsonDepth(body, DEFAULT_MAX_JSON_DEPTH)) {
    ctx.send(req, res, door.error(gatewayError(400, `the request body nests deeper than ${DEFAULT_MAX_JSON_DEPTH} levels`, 'json_too_deep')));
    return FAILED;
  }
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    ctx.send(req, res, door.error(gatewayError(400, 'the request body is not valid JSON', 'invalid_json')));
    return FAILED;
  }
}
export const FAILED = Symbol('failed');

export function refusalError(e: DoorRefusal): HttpError {
  return gatewayError(e.status, e.message, e.code, { param: e.param });
}

/**
 * The door's refusal when the router skipped every model for what only forwarding carries (`sent`, the
 * router's copy of `refusal`): as refused, or with the router's reason for a model of the door's own
 * protocol (another model's state in the conversation); any other error as the gateway maps it.
 */
function forwardOnlyError(e: unknown, sent: SwitchboardError, refusal: DoorRefusal, redact: (s: string) => string): HttpError | null {
  if (e === sent) return refusalError(refusal);
  if (e instanceof SwitchboardError && e.cause === sent)
    return refusalError(
      new DoorRefusal(redact(e.fix ? `${e.detail} — ${e.fix}` : e.detail), { status: refusal.status, param: refusal.param, code: refusal.code }),
    );
  return null;
}

/**
 * A non-streamed answer, for every door that forwards (Chat Completions too): the stream drained and
 * its result. `whole` is the upstream's JSON answer as received (the fast path: it comes as one `raw`
 * part) when the attempt that answered forwarded the caller's body, else null (translated, or failed).
 * `note.forwarded` says which; `warnings` collects the stream's warning parts as they come.
 */
export async function wholeAnswer(stream: ChatStream, note: { forwarded?: boolean }, warnings?: string[]): Promise<{ r: ChatResult; whole: string | null }> {
  let whole: string | null = null;
  let forwarded = false;
  for await (const p of stream) {
    if (p.type === 'attempt-start') {
      forwarded = note.forwarded = p.passthrough === true;
      whole = null;
    } else if (p.type === 'raw' && forwarded) whole = p.text;
    else if (p.type === 'warning' && warnings) addWarnings(warnings, [p.message]);
  }
  const r = await stream.result;
  return { r, whole: forwarded && !r.error ? whole : null };
}

export async function serveDoor(
  ctx: DoorContext,
  door: Door,
  req: IncomingMessage,
  res: ServerResponse,
  note: { model?: string; aborted?: boolean; forwarded?: boolean },
  query: URLSearchParams,
): Promise<void> {
  const json = await readJson(ctx, door, req, res);
  if (json === FAILED) return;
  let parsed: DoorRequest;
  try {
    parsed = door.parse(json, query);
  } catch (e) {
    if (e instanceof DoorRefusal) return ctx.send(req, res, door.error(refusalError(e)));
    if (e instanceof SwitchboardError) return ctx.send(req, res, door.error(fromSwitchboardError(e, ctx.redact)));
    throw e;
  }
  note.model = parsed.model;
  // Same protocol as the door's, nothing the door rewrote: the body can go as it is to a model of
  // that protocol (the router decides per attempt; see PassthroughRequest), streamed or not. Warnings
  // about what the translation could not carry do not hold for it: the upstream gets all of it.
  const { allResolved, holding: warningsFor } = forwardingWarnings(parsed.warnings, parsed.resolvedByForwarding);
  const forwardable = ctx.fastPath && parsed.forwardable !== false && isObject(json) && allResolved;
  // What only the door's own protocol can take (a hosted tool its API runs): refused unless it can
  // go as sent; then the router skips a model that would translate it, with this same refusal.
  if (parsed.forwardOnly && !forwardable) return ctx.send(req, res, door.error(refusalError(parsed.forwardOnly)));
  const forwardOnly = parsed.forwardOnly && new SwitchboardError({ kind: 'bad_request', message: parsed.forwardOnly.message });
  if (parsed.warnings.length && !forwardable) ctx.log(`gateway: ${door.name}: ${parsed.warnings.join('; ')}`);

  const ac = new AbortController();
  let clientGone = false;
  const onClose = (): void => {
    if (res.writableFinished) return;
    clientGone = true;
    note.aborted = true;
    ctx.onClientAbort();
    ac.abort(new Error('the client disconnected'));
  };
  res.once('close', onClose);
  ctx.inflight.add(ac);
  const sent: ClientBody | undefined = isObject(json) ? { protocol: door.protocol, body: json } : undefined;
  const fail = (e: unknown): void => {
    const h =
      (parsed.forwardOnly && forwardOnly && forwardOnlyError(e, forwardOnly, parsed.forwardOnly, ctx.redact)) ||
      ctx.toHttpError(errorBeforeAnswer(inDoorTerms(e, parsed)), sent);
    ctx.log(`gateway: ${h.status} ${h.body.error.code}: ${h.body.error.message}`);
    const d = door.error(h);
    ctx.send(req, res, { ...d, headers: { ...d.headers, ...warningsHeader(warningsFor(forwardable), ctx.redact) } });
  };
  try {
    let chatReq;
    try {
      chatReq = toRouterRequest(parsed.model, parsed.request, ac.signal);
    } catch (e) {
      return fail(e);
    }
    chatReq.frontEnd = 'gateway';
    if (forwardable) {
      // Anthropic's beta features (context management, interleaved thinking…) need the client's beta header too.
      const beta = req.headers['anthropic-beta'];
      const headers = door.protocol === 'anthropic' && typeof beta === 'string' ? { 'anthropic-beta': beta } : undefined;
      chatReq.passthrough = {
        protocol: door.protocol,
        body: json as Record<string, unknown>,
        model: parsed.model,
        ...(headers ? { headers } : {}),
        ...(forwardOnly ? { forwardOnly } : {}),
      };
    }
    const stream = ctx.client.stream(chatReq);

    if (!parsed.stream) {
      const { r, whole } = forwardable ? await wholeAnswer(stream, note) : { r: await stream.result, whole: null };
      if (clientGone) return;
      if (r.error) return fail(r.error);
      // Agents never show response headers: what the header says is in the log too.
      if (r.warnings.length) ctx.log(`gateway: ${door.name}: ${ctx.redact(r.warnings.join('; '))}`);
      if (whole !== null) {
        door.forwarded(r, parsed);
        ctx.onCompleted();
        return ctx.send(req, res, { status: 200, body: whole, raw: true, headers: warningsHeader([...warningsFor(true), ...resultWarnings(r)], ctx.redact) });
      }
      // A forwardable request that a route answered through translation after all: its warnings hold now.
      if (forwardable && parsed.warnings.length) ctx.log(`gateway: ${door.name}: ${parsed.warnings.join('; ')}`);
      let body: unknown;
      const known = parsed.warnings.length;
      try {
        body = door.complete(r, parsed);
      } catch (e) {
        return fail(e);
      }
      // What the answer could not carry exactly (a tool call cut by max_tokens): in the log too, as every door warning.
      if (parsed.warnings.length > known) ctx.log(`gateway: ${door.name}: ${ctx.redact(parsed.warnings.slice(known).join('; '))}`);
      ctx.onCompleted();
      return ctx.send(req, res, { status: 200, body, headers: warningsHeader([...parsed.warnings, ...resultWarnings(r)], ctx.redact) });
    }

    const enc = door.encoder(parsed);
    // Per attempt: frames encoded from the parts, or (fast path) the upstream's own frames as they came.
    let forwarding = false;
    let responseId: string | null = null;
    let last = '';
    const frames = (p: StreamPart): string => {
      if (p.type === 'attempt-start') {
        forwarding = p.passthrough === true;
        note.forwarded = forwarding;
        return '';
      }
      if (!forwarding) return p.type === 'raw' ? '' : enc.part(p);
      if (p.type === 'raw') return (last = p.text);
      if (p.type === 'response-meta' && p.id) responseId = p.id;
      return '';
    };
    const it = stream[Symbol.asyncIterator]();
    let done = false;
    try {
      // Hold the headers until the answer begins: a failure before that gets a real status.
      let buffered = '';
      const early: string[] = [];
      let step = await it.next();
      while (!step.done && !SHOWN.has(step.value.type)) {
        // Translation warnings (a clamped temperature, an ignored hint) come before the answer: they go in the header.
        if (step.value.type === 'warning') early.push(step.value.message);
        if (step.value.type === 'error') {
          done = true;
          if (!clientGone) fail(step.value.error);
          return;
        }
        buffered += frames(step.value);
        step = await it.next();
      }
      if (clientGone) return;
      if (step.done) {
        const r = await stream.result;
        done = true;
        if (r.error) return fail(r.error);
      }
      // A forwardable request that a route answered through translation after all: its warnings hold now.
      if (forwardable && !forwarding && parsed.warnings.length) ctx.log(`gateway: ${door.name}: ${parsed.warnings.join('; ')}`);
      // Agents never show response headers: the stream's early warnings are in the log too.
      if (early.length) ctx.log(`gateway: ${door.name}: ${ctx.redact(early.join('; '))}`);
      res.writeHead(200, { ...SSE_HEADERS, ...warningsHeader([...warningsFor(forwarding), ...early], ctx.redact) });
      const out = new SseWriter(res, ctx.limits.idleTimeoutMs);
      try {
        if (buffered && !(await out.write(buffered))) return;
        while (!step.done) {
          // What one upstream read produced leaves in one write: the parts already delivered, polled.
          let text = '';
          for (let p: StreamPart | undefined = step.value; p !== undefined; p = it.poll()) {
            if (p.type === 'error') {
              // What came before the error goes out first (the error event follows it).
              out.append(text);
              throw p.error;
            }
            // Too late for the header: the gateway log says it (neither door's stream has a slot for it).
            if (p.type === 'warning') ctx.log(`gateway: ${door.name}: ${ctx.redact(p.message)}`);
            text += frames(p);
          }
          if (text && (clientGone || !(await out.write(text)))) return;
          if (clientGone) return;
          step = await it.next();
        }
        done = true;
        const r = await stream.result;
        if (r.error) throw r.error;
        let end: string;
        if (forwarding) {
          door.forwarded(r, parsed);
          end = door.forwardedTail(last);
        } else end = enc.finish(r);
        out.end(end);
        ctx.onCompleted();
      } catch (e) {
        done = true;
        if (clientGone || res.destroyed) return;
        const h = ctx.toHttpError(e, sent);
        ctx.log(`gateway: error after streaming started: ${h.body.error.code}: ${h.body.error.message}`);
        if (forwarding) enc.adopt?.(responseId);
        out.end(enc.fail(door.error(h)));
      }
    } finally {
      if (!done) {
        stream.cancel(new Error('the client disconnected'));
        await it.return?.().catch(() => undefined);
      }
      stream.result.catch(() => undefined);
    }
  } finally {
    ctx.inflight.delete(ac);
    res.off('close', onClose);
  }
}
