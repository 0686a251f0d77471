/**
 * One LanguageModel for every wire protocol: what differs between OpenAI-compatible,
 * Anthropic and Gemini endpoints (URL, headers, body, event decoding) is a WireProtocol
 * value, so the HTTP, key and error handling live here once.
 */
import type { ResolvedProvider } from '../config.ts';
import { postJsonStream } from '../http/request.ts';
import { sseEventBatches, sseEvents, type SseEvent } from '../http/sse.ts';
import type { LanguageModel, ModelRequest, ModelStreamPart } from '../types.ts';
import { authHeaders, requireKey, type ProviderContext } from './shared.ts';

export interface WireProtocol {
  /** The streaming endpoint for this model. */
  url(provider: ResolvedProvider, wireModel: string): string;
  /** Protocol headers (before the provider's own headers and the auth header). */
  headers?(provider: ResolvedProvider): Record<string, string>;
  body(provider: ResolvedProvider, wireModel: string, req: ModelRequest): Record<string, unknown>;
  decode(events: AsyncIterable<SseEvent>, provider: string, model: string): AsyncGenerator<ModelStreamPart>;
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
    return this.wire.body(this.provider, this.modelId, req);
  }

  async *stream(req: ModelRequest): AsyncGenerator<ModelStreamPart> {
    if (this.wire.decodeBatches) {
      for await (const batch of this.streamBatches(req)) for (const part of batch) yield part;
      return;
    }
    const body = await this.post(req);
    yield* this.wire.decode(sseEvents(body, { provider: this.providerId, model: this.modelId }), this.providerId, this.modelId);
  }

  async *streamBatches(req: ModelRequest): AsyncGenerator<ModelStreamPart[]> {
    const { providerId, modelId } = this;
    const body = await this.post(req);
    const source = { provider: providerId, model: modelId };
    if (this.wire.decodeBatches) {
      yield* this.wire.decodeBatches(sseEventBatches(body, source), providerId, modelId);
      return;
    }
    for await (const part of this.wire.decode(sseEvents(body, source), providerId, modelId)) yield [part];
  }

  private async post(req: ModelRequest): Promise<AsyncIterable<Uint8Array>> {
    const { provider, ctx, providerId, modelId } = this;
    const key = requireKey(provider, ctx, modelId);
    const res = await postJsonStream({
      url: this.wire.url(provider, modelId),
      headers: { ...this.wire.headers?.(provider), ...provider.headers, ...authHeaders(provider, key) },
      body: this.buildBody(req),
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
