/**
 * One LanguageModel for every wire protocol: what differs between OpenAI-compatible,
 * Anthropic and Gemini endpoints (URL, headers, body, event decoding) is a WireProtocol
 * value, so the HTTP, key and error handling live here once.
 */
import type { ResolvedProvider } from '../config.ts';
import { postJsonStream } from '../http/request.ts';
import { sseEventBatches, sseEvents, type SseEvent } from '../http/sse.ts';
import type { LanguageModel, ModelCapabilities, ModelRequest, ModelStreamPart } from '../types.ts';
import { authHeaders, requireKey, type ProviderContext } from './shared.ts';

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
}

export interface WireProtocol {
  /** The streaming endpoint for this model. */
  url(provider: ResolvedProvider, wireModel: string): string;
  /** Protocol headers (before the provider's own headers and the auth header). */
  headers?(provider: ResolvedProvider): Record<string, string>;
  /** Throws SwitchboardError (bad_request) for an option the target cannot honour, before anything is sent. */
  body(provider: ResolvedProvider, wireModel: string, req: ModelRequest, ctx: BodyContext): Record<string, unknown>;
  decode(events: AsyncIterable<SseEvent>, provider: string, model: string, opts: DecodeOptions): AsyncGenerator<ModelStreamPart>;
  /** Optional: the same decoding over batches of events, yielding batches of parts (see LanguageModel.streamBatches). */
  decodeBatches?(batches: AsyncIterable<SseEvent[]>, provider: string, model: string): AsyncGenerator<ModelStreamPart[]>;
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
    const warnings: string[] = [];
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
    const body = await this.post(req, prepared.body);
    if (prepared.warnings.length > 0) yield prepared.warnings.map((message) => ({ type: 'warning', message }));
    const source = { provider: providerId, model: modelId };
    if (this.wire.decodeBatches) {
      yield* this.wire.decodeBatches(sseEventBatches(body, source), providerId, modelId);
      return;
    }
    for await (const part of this.wire.decode(sseEvents(body, source), providerId, modelId, prepared.decode)) yield [part];
  }

  private async post(req: ModelRequest, body: Record<string, unknown>): Promise<AsyncIterable<Uint8Array>> {
    const { provider, ctx, providerId, modelId } = this;
    const key = requireKey(provider, ctx, modelId);
    const res = await postJsonStream({
      url: this.wire.url(provider, modelId),
      headers: { ...this.wire.headers?.(provider), ...provider.headers, ...authHeaders(provider, key) },
      body,
      ...(req.signal ? { signal: req.signal } : {}),
      ...(ctx.dispatcher ? { dispatcher: ctx.dispatcher } : {}),
      timeouts: ctx.timeouts,
      provider: providerId,
      model: modelId,
      keyHint: ctx.keyHint(provider),
      secrets: key ? [key] : [],
    });
    return res.body;
  }
}
