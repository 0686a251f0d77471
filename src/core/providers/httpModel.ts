/**
 * One LanguageModel for every wire protocol: what differs between OpenAI-compatible,
 * Anthropic and Gemini endpoints (URL, headers, body, event decoding) is a WireProtocol
 * value, so the HTTP, key and error handling live here once.
 */
import type { ResolvedProvider } from '../config.ts';
import { postJsonStream } from '../http/request.ts';
import { sseEvents, type SseEvent } from '../http/sse.ts';
import type { LanguageModel, ModelRequest, ModelStreamPart } from '../types.ts';
import { authHeaders, requireKey, type ProviderContext } from './shared.ts';

export interface WireProtocol {
  /** The streaming endpoint for this model. */
  url(provider: ResolvedProvider, wireModel: string): string;
  /** Protocol headers (before the provider's own headers and the auth header). */
  headers?(provider: ResolvedProvider): Record<string, string>;
  body(provider: ResolvedProvider, wireModel: string, req: ModelRequest): Record<string, unknown>;
  decode(events: AsyncIterable<SseEvent>, provider: string, model: string): AsyncGenerator<ModelStreamPart>;
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
    yield* this.wire.decode(sseEvents(res.body, { provider: providerId, model: modelId }), providerId, modelId);
  }
}
