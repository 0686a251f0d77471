/**
 * One LanguageModel for every wire protocol: what differs between OpenAI-compatible,
 * Anthropic and Gemini endpoints (URL, headers, body, event decoding) is a WireProtocol
 * value, so the HTTP, key and error handling live here once.
 */
import type { ResolvedProvider } from '../config.ts';
import { postJsonStream } from '../http/request.ts';
import { sseEventBatches, sseEvents, type SseEvent } from '../http/sse.ts';
import type { LanguageModel, ModelCapabilities, ModelRequest, ModelStreamPart, PassthroughRequest, ProtocolId } from '../types.ts';
import { answerTooLarge, maxJsonAnswerBytes } from '../answerCap.ts';
import { SwitchboardError } from '../errors.ts';
import { authHeaders, invalidResponse, providerOptionsLeftOut, requireKey, type EventDecoder, type ProviderContext } from './shared.ts';

/** What a protocol's body builder knows besides the request, and how it reports back. */
export interface BodyContext {
  /** The model's capabilities (catalog + config), null when the caller gave none. */
  capabilities: ModelCapabilities | null;
  /** A hint the protocol could not honour, or an adjustment it made (shown as a `warning` part). */
  warn(message: string): void;
  /** Set by the body builder for the decoder (e.g. a tool that carries a structured answer). */
  decode: DecodeOptions;
}

export interface DecodeOptions {
  /** Anthropic: the forced tool whose input is the JSON answer; its input streams as text. */
  jsonToolName?: string;
  /** OpenAI-compatible: the request's stop sequences; the one an answer says it matched (vLLM, SGLang) is reported. */
  stop?: readonly string[];
}

export interface WireProtocol {
  /** The protocol's id: what its models get of a request's providerOptions. */
  readonly protocol: ProtocolId;
  /** The streaming endpoint for this model. */
  url(provider: ResolvedProvider, wireModel: string): string;
  /** Protocol headers (before the provider's own headers and the auth header). */
  headers?(provider: ResolvedProvider): Record<string, string>;
  /** Throws SwitchboardError (bad_request) for an option the target cannot honour, before anything is sent. */
  body(provider: ResolvedProvider, wireModel: string, req: ModelRequest, ctx: BodyContext): Record<string, unknown>;
  decode(events: AsyncIterable<SseEvent>, provider: string, model: string, opts: DecodeOptions): AsyncGenerator<ModelStreamPart>;
  /** Optional: the same decoding over batches of events, yielding batches of parts (see LanguageModel.streamBatches). */
  decodeBatches?(batches: AsyncIterable<SseEvent[]>, provider: string, model: string, opts: DecodeOptions): AsyncGenerator<ModelStreamPart[]>;
  /** Optional: forwarding a body already in this protocol (the gateway's same-protocol doors). */
  passthrough?: PassthroughWire;
}

/** How a protocol forwards a caller's body as it is (see PassthroughRequest). */
export interface PassthroughWire {
  readonly protocol: ProtocolId;
  /**
   * The body to send: the caller's, with the model id replaced and what the ledger needs set (usage
   * in the stream, no provider-side storage). `keep`, when given, says whether the caller sees an
   * event, from the parts decoded from it (a usage event the caller did not ask for is not shown).
   */
  body(
    callerBody: Record<string, unknown>,
    wireModel: string,
  ): { body: Record<string, unknown>; keep?: (parts: readonly ModelStreamPart[]) => boolean; warnings?: string[] };
  decoder(provider: string, model: string): EventDecoder;
  /**
   * The event's data with the answer's model name replaced by `model` (see PassthroughRequest.model);
   * undefined: the event names none. `parsed`: the event's JSON when the decoder parsed it already.
   */
  renameModel?(ev: SseEvent, model: string, parsed?: Record<string, unknown>): string | undefined;
  /**
   * A non-streamed answer (the caller's body does not ask for a stream): its parts, from the whole
   * JSON answer, as the stream decoder would give them. Without it such a body is translated.
   */
  decodeWhole?(answer: Record<string, unknown>, provider: string, model: string): ModelStreamPart[];
}

/**
 * A non-streamed answer's text with its top-level `model` replaced, every other byte as received
 * (see spliceModel); written again from the parse only when the text does not allow that.
 * Unchanged when the answer names no model.
 */
export function renameTopLevelModel(text: string, answer: Record<string, unknown>, model: string): string {
  if (typeof answer.model !== 'string') return text;
  return spliceModel(text, answer.model, 1, model) ?? JSON.stringify({ ...answer, model });
}

/**
 * `text` with the one `"model":<old>` at nesting `depth` (1: the top-level object's own key)
 * replaced by `model`, every other byte as it was; undefined when there is no such key, or more
 * than one (a duplicate key: the caller writes the parse again instead). A scan skips strings and
 * counts nesting up to each candidate.
 */
export function spliceModel(text: string, old: string, depth: number, model: string): string | undefined {
  const needle = `"model":${JSON.stringify(old)}`;
  let found = -1;
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
    if (depthAt(text, at) !== depth) continue;
    if (found >= 0) return undefined;
    found = at;
  }
  if (found < 0) return undefined;
  return text.slice(0, found) + `"model":${JSON.stringify(model)}` + text.slice(found + needle.length);
}

/** True when `key` is the only key of `o` whose value is an object or array (so depth 2 of its text is inside it). */
export function onlyNestedKey(o: Record<string, unknown>, key: string): boolean {
  for (const k in o) if (k !== key && typeof o[k] === 'object' && o[k] !== null) return false;
  return true;
}

/** Nesting depth of JSON text at `pos` (1: inside the top-level object), -1 inside a string. */
function depthAt(text: string, pos: number): number {
  let depth = 0;
  for (let i = 0; i < pos; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // A string: skip to its closing quote.
      for (i++; i < pos && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92) i++;
      if (i >= pos) return -1;
    } else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) depth--;
  }
  return depth;
}

/** Largest non-streamed answer forwarded (an SSE stream's events have their own limit). */
const MAX_WHOLE_ANSWER_BYTES = 64 * 1024 * 1024;
const WHOLE_ANSWER_HEADERS_MS = 10 * 60_000;

/** An event as SSE text again: the data exactly as received (comments and ids are not forwarded). */
export function sseFrame(ev: SseEvent): string {
  const data = ev.data.indexOf('\n') < 0 ? ev.data : ev.data.replaceAll('\n', '\ndata: ');
  return ev.event === undefined ? `data: ${data}\n\n` : `event: ${ev.event}\ndata: ${data}\n\n`;
}

/**
 * An upstream error whose parameter (SwitchboardError.upstreamParam) is now known to be named in
 * `protocol`'s terms, those of the caller's own body when it was `forwarded` as sent.
 */
function namedIn(e: unknown, protocol: ProtocolId, forwarded: boolean): unknown {
  if (!(e instanceof SwitchboardError) || !e.upstreamParam || e.upstreamParam.protocol !== null) return e;
  return new SwitchboardError({ ...e.toInit(), upstreamParam: { ...e.upstreamParam, protocol, forwarded } });
}

export class HttpLanguageModel implements LanguageModel {
  readonly providerId: string;
  readonly modelId: string;
  private readonly provider: ResolvedProvider;
  private readonly ctx: ProviderContext;
  private readonly wire: WireProtocol;

  constructor(provider: ResolvedProvider, modelId: string, ctx: ProviderContext, wire: WireProtocol) {
    this.provider = provider;
    this.providerId = provider.id;
    this.modelId = modelId;
    this.ctx = ctx;
    this.wire = wire;
  }

  /** The JSON body this model sends for a request (tests and the gateway inspect it). */
  buildBody(req: ModelRequest): Record<string, unknown> {
    return this.prepare(req).body;
  }

  /** Body, warnings and decoder options for a request; throws bad_request before anything is sent. */
  prepare(req: ModelRequest): { body: Record<string, unknown>; warnings: string[]; decode: DecodeOptions } {
    const warnings = providerOptionsLeftOut(req, this.wire.protocol, this.provider.reportsStopMatch === true);
    const bctx: BodyContext = {
      capabilities: this.ctx.capabilities?.(`${this.providerId}/${this.modelId}`) ?? null,
      warn: (m) => warnings.push(m),
      decode: {},
    };
    const body = this.wire.body(this.provider, this.modelId, req, bctx);
    return { body, warnings, decode: bctx.decode };
  }

  async *stream(req: ModelRequest): AsyncGenerator<ModelStreamPart> {
    for await (const batch of this.streamBatches(req)) for (const part of batch) yield part;
  }

  async *streamBatches(req: ModelRequest): AsyncGenerator<ModelStreamPart[]> {
    const { providerId, modelId } = this;
    const prepared = this.prepare(req);
    try {
      const body = await this.post(req, prepared.body);
      if (prepared.warnings.length > 0) yield prepared.warnings.map((message) => ({ type: 'warning', message }));
      const source = { provider: providerId, model: modelId };
      if (this.wire.decodeBatches) {
        yield* this.wire.decodeBatches(sseEventBatches(body, source), providerId, modelId, prepared.decode);
        return;
      }
      for await (const part of this.wire.decode(sseEvents(body, source), providerId, modelId, prepared.decode)) yield [part];
    } catch (e) {
      throw namedIn(e, this.wire.protocol, false);
    }
  }

  /** The same-protocol fast path (LanguageModel.passthrough); null when this model speaks another protocol. */
  passthrough(req: ModelRequest, pass: PassthroughRequest): AsyncIterable<ModelStreamPart[]> | null {
    const wire = this.wire.passthrough;
    if (!wire || wire.protocol !== pass.protocol) return null;
    if (pass.body.stream !== true) return wire.decodeWhole ? this.forwardWhole(req, wire, pass) : null;
    return this.forward(req, wire, pass);
  }

  /** A non-streamed answer forwarded: its parts, then its body as received (the model name replaced). */
  private async *forwardWhole(req: ModelRequest, wire: PassthroughWire, pass: PassthroughRequest): AsyncGenerator<ModelStreamPart[]> {
    try {
      const { providerId, modelId } = this;
      const { body, warnings } = wire.body(pass.body, modelId);
      // The headers come once the whole answer is written: as long as providers let a non-streamed
      // answer take (Anthropic: 10 minutes), not the usual wait for a stream to start.
      const bytes = await this.post(req, body, pass.headers, WHOLE_ANSWER_HEADERS_MS);
      const chunks: Buffer[] = [];
      let size = 0;
      const capped = pass.maxAnswerChars !== undefined && maxJsonAnswerBytes(pass.maxAnswerChars) < MAX_WHOLE_ANSWER_BYTES;
      const limit = capped ? maxJsonAnswerBytes(pass.maxAnswerChars!) : MAX_WHOLE_ANSWER_BYTES;
      for await (const c of bytes) {
        size += c.byteLength;
        if (size > limit)
          throw capped
            ? answerTooLarge(`${providerId}/${modelId}`, pass.maxAnswerChars!)
            : invalidResponse(providerId, modelId, `the answer is larger than ${MAX_WHOLE_ANSWER_BYTES / 1024 / 1024} MB`);
        chunks.push(Buffer.from(c));
      }
      const text = Buffer.concat(chunks).toString('utf8');
      let answer: unknown;
      try {
        answer = JSON.parse(text);
      } catch (e) {
        throw invalidResponse(providerId, modelId, `the answer is not valid JSON: ${text.slice(0, 120)}`, e);
      }
      if (!answer || typeof answer !== 'object' || Array.isArray(answer)) throw invalidResponse(providerId, modelId, 'the answer is not a JSON object');
      const parts: ModelStreamPart[] = (warnings ?? []).map((message) => ({ type: 'warning', message }));
      parts.push(...wire.decodeWhole!(answer as Record<string, unknown>, providerId, modelId));
      parts.push({ type: 'raw', text: pass.model === undefined ? text : renameTopLevelModel(text, answer as Record<string, unknown>, pass.model) });
      yield parts;
    } catch (e) {
      // Its errors name parameters in the caller's own terms (namedIn).
      throw namedIn(e, wire.protocol, true);
    }
  }

  private async *forward(req: ModelRequest, wire: PassthroughWire, pass: PassthroughRequest): AsyncGenerator<ModelStreamPart[]> {
    try {
      const { providerId, modelId } = this;
      const { body, keep, warnings } = wire.body(pass.body, modelId);
      const bytes = await this.post(req, body, pass.headers);
      if (warnings?.length) yield warnings.map((message) => ({ type: 'warning', message }));
      const decoder = wire.decoder(providerId, modelId);
      const maxChars = pass.maxAnswerChars ?? Number.POSITIVE_INFINITY;
      /** Event data read so far: the answer's text, reasoning and tool arguments are never longer (JSON only escapes). */
      let dataChars = 0;
      const batch = new ForwardBatch();
      for await (const events of sseEventBatches(bytes, { provider: providerId, model: modelId })) {
        // Far from the answer cap (it cannot be reached within this read), a read's parts are merged
        // (its plain text one delta, its frames one string): the caller's stream is the same, at a
        // fraction of the parts. Near it, each event's parts and frame stay their own, so the cap
        // cuts exactly between them.
        for (const ev of events) dataChars += ev.data.length;
        batch.merge = dataChars < maxChars;
        let more = true;
        try {
          for (let i = 0; i < events.length && more; i++) {
            const ev = events[i]!;
            more = decoder.push(ev.data, batch.event(), ev.event);
            const parts = batch.parts;
            // After the event's parts: a cut between them (the answer cap) leaves its frame out too.
            let frame: string | undefined;
            if (keep === undefined || keep(parts)) {
              const renamed = pass.model !== undefined && wire.renameModel ? wire.renameModel(ev, pass.model, decoder.lastParsed) : undefined;
              frame = sseFrame(renamed === undefined ? ev : { event: ev.event, data: renamed });
            }
            // The end event's frame stays a part of its own: the doors hold back or check the end they write themselves.
            batch.add(frame, !more);
          }
        } catch (e) {
          // An error event is the upstream's text: not forwarded (the caller gets the gateway's scrubbed error);
          // parts decoded before it are delivered.
          batch.add(undefined, false);
          const out = batch.take();
          if (out.length > 0) yield out;
          throw e;
        }
        const out = batch.take();
        if (out.length > 0) yield out;
        if (!more) return;
      }
      decoder.end();
    } catch (e) {
      // Its errors name parameters in the caller's own terms (namedIn).
      throw namedIn(e, wire.protocol, true);
    }
  }

  private async post(
    req: ModelRequest,
    body: Record<string, unknown>,
    extraHeaders?: Record<string, string>,
    headersMs?: number,
  ): Promise<AsyncIterable<Uint8Array>> {
    const { provider, ctx, providerId, modelId } = this;
    const key = requireKey(provider, ctx, modelId);
    const res = await postJsonStream({
      url: this.wire.url(provider, modelId),
      headers: { ...this.wire.headers?.(provider), ...extraHeaders, ...provider.headers, ...authHeaders(provider, key) },
      body,
      ...(req.signal ? { signal: req.signal } : {}),
      ...(ctx.dispatcher ? { dispatcher: ctx.dispatcher } : {}),
      timeouts: headersMs === undefined ? ctx.timeouts : { ...ctx.timeouts, headersMs: Math.max(headersMs, ctx.timeouts.headersMs ?? 0) },
      provider: providerId,
      model: modelId,
      keyHint: ctx.keyHint(provider),
      secrets: key ? [key] : [],
      ...(req.onUpstream ? { onSent: () => req.onUpstream?.('sent') } : {}),
    });
    req.onUpstream?.('answered');
    return res.body;
  }
}

/**
 * The parts of one upstream read on the fast path, as the caller sees them: each event's decoded
 * parts, then its frame (`raw`). With `merge`, adjacent plain text deltas become one and the
 * frames one string, after the read's parts (an end event's frame stays a part of its own).
 */
class ForwardBatch {
  merge = false;
  /** The current event's parts, as the decoder appends them (filed by add). */
  readonly parts: ModelStreamPart[] = [];
  private out: ModelStreamPart[] = [];
  private frames = '';
  /** The merged text delta being grown (a part of its own: decoders' parts are never changed). */
  private text: { type: 'text-delta'; text: string } | null = null;

  /** The array the decoder appends the next event's parts to. */
  event(): ModelStreamPart[] {
    this.parts.length = 0;
    return this.parts;
  }

  /** Files the current event's parts and its frame (undefined: not shown to the caller). */
  add(frame: string | undefined, last: boolean): void {
    const { out, parts } = this;
    if (!this.merge) {
      this.flush();
      for (const p of parts) out.push(p);
      if (frame !== undefined) out.push({ type: 'raw', text: frame });
    } else {
      for (const p of parts) {
        if (p.type === 'text-delta' && p.thoughtSignature === undefined) {
          if (this.text !== null) this.text.text += p.text;
          else out.push((this.text = { type: 'text-delta', text: p.text }));
        } else {
          this.text = null;
          out.push(p);
        }
      }
      if (frame !== undefined && last) {
        this.flush();
        out.push({ type: 'raw', text: frame });
      } else if (frame !== undefined) this.frames += frame;
    }
    parts.length = 0;
  }

  /** The read's parts so far; the batch starts empty again. */
  take(): ModelStreamPart[] {
    this.flush();
    const out = this.out;
    this.out = [];
    this.text = null;
    return out;
  }

  private flush(): void {
    if (this.frames === '') return;
    this.out.push({ type: 'raw', text: this.frames });
    this.frames = '';
    this.text = null;
  }
}
