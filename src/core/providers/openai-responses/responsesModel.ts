/**
 * `openai-responses`: OpenAI's Responses API as an upstream wire protocol, chosen per model (and
 * per request), not per provider: the id stays `openai/<model>`, and keys, the catalog, the ledger
 * and cost stay keyed by the `openai` provider.
 */
import type { ResolvedProvider } from '../../config.ts';
import type { LanguageModel, ModelRequest, ModelStreamPart, PassthroughRequest } from '../../types.ts';
import { HttpLanguageModel, onlyNestedKey, spliceModel, type WireProtocol } from '../httpModel.ts';
import type { ProviderContext } from '../shared.ts';
import { decodeResponseObject, decodeResponsesBatches, decodeResponsesStream, ResponsesStreamDecoder } from './decode.ts';
import { obj } from '../shared.ts';
import { responsesBody } from './requestBody.ts';

/** Responses events whose `response` object names the model. */
const RESPONSE_EVENTS = new Set([
  'response.created',
  'response.in_progress',
  'response.completed',
  'response.incomplete',
  'response.failed',
  'response.queued',
]);

export const openaiResponsesProtocol: WireProtocol = {
  protocol: 'openai-responses',
  url: (provider) => `${provider.baseUrl}/responses`,
  body: (provider, wireModel, req, ctx) => responsesBody(provider, wireModel, req, ctx),
  decode: (events, provider, model) => decodeResponsesStream(events, provider, model),
  decodeBatches: (batches, provider, model) => decodeResponsesBatches(batches, provider, model),
  passthrough: {
    protocol: 'openai-responses',
    body(caller, wireModel) {
      // Stateless upstream, as the translating path: the gateway keeps conversations itself, and
      // reasoning comes back encrypted so a later turn can send it again.
      const body: Record<string, unknown> = { ...caller, model: wireModel, store: false };
      const effort = obj(caller.reasoning)?.effort;
      const include = Array.isArray(caller.include) ? (caller.include as unknown[]) : [];
      if (effort !== undefined && effort !== null && effort !== 'none' && !include.includes('reasoning.encrypted_content'))
        body.include = [...include, 'reasoning.encrypted_content'];
      return { body };
    },
    decoder: (provider, model) => new ResponsesStreamDecoder(provider, model),
    // The events that carry the response object (its start and its end): parsed, and the model's
    // value replaced in the text as received (written again from the parse only if it cannot be).
    renameModel(ev, model, parsed) {
      if (ev.event === undefined ? !ev.data.includes('"response":{') : !RESPONSE_EVENTS.has(ev.event)) return undefined;
      const e = (parsed ?? JSON.parse(ev.data)) as { type?: unknown; response?: { model?: unknown } };
      if (typeof e.type !== 'string' || !RESPONSE_EVENTS.has(e.type) || !e.response || typeof e.response !== 'object') return undefined;
      const old = e.response.model;
      const spliced = typeof old === 'string' && onlyNestedKey(e, 'response') ? spliceModel(ev.data, old, 2, model) : undefined;
      if (spliced !== undefined) return spliced;
      return JSON.stringify({ ...e, response: { ...e.response, model } });
    },
    decodeWhole: (r, provider, model) => decodeResponseObject(r, provider, model),
  },
};

/**
 * Catalog data: OpenAI models served only by the Responses API (the codex and pro families,
 * deep research, computer use), and models whose Chat Completions endpoint refuses function
 * tools together with a reasoning effort. The config's `wireProtocols` overrides both.
 */
export const RESPONSES_ONLY = [/codex/, /(^|-)pro($|-)/, /deep-research/, /^computer-use/];
export const NO_TOOLS_WITH_EFFORT_ON_CHAT = [/^gpt-5\.[1-9]/];

export type OpenAIWire = 'openai' | 'openai-responses';

/** Which wire an `openai`-protocol model uses for this request. */
export function chooseOpenAIWire(provider: ResolvedProvider, wireModel: string, req: ModelRequest, override: OpenAIWire | null | undefined): OpenAIWire {
  if (override) return override;
  // Automatic choice only for OpenAI itself: compatible servers rarely have /responses.
  if (provider.id !== 'openai') return 'openai';
  if (RESPONSES_ONLY.some((r) => r.test(wireModel))) return 'openai-responses';
  const effort = req.reasoning?.effort ?? (req.reasoning?.budgetTokens !== undefined ? 'some' : undefined);
  if (req.tools?.length && effort !== undefined && effort !== 'none' && NO_TOOLS_WITH_EFFORT_ON_CHAT.some((r) => r.test(wireModel))) return 'openai-responses';
  return 'openai';
}

/** An OpenAI-protocol model that sends each request over Chat Completions or Responses. */
export class OpenAIDualModel implements LanguageModel {
  readonly providerId: string;
  readonly modelId: string;
  private readonly chat: HttpLanguageModel;
  private readonly responses: HttpLanguageModel;
  private readonly provider: ResolvedProvider;
  private readonly override: OpenAIWire | null;

  constructor(provider: ResolvedProvider, modelId: string, ctx: ProviderContext, chatProtocol: WireProtocol) {
    this.provider = provider;
    this.providerId = provider.id;
    this.modelId = modelId;
    this.chat = new HttpLanguageModel(provider, modelId, ctx, chatProtocol);
    this.responses = new HttpLanguageModel(provider, modelId, ctx, openaiResponsesProtocol);
    this.override = ctx.wireProtocol?.(`${provider.id}/${modelId}`) ?? null;
  }

  wireFor(req: ModelRequest): OpenAIWire {
    return chooseOpenAIWire(this.provider, this.modelId, req, this.override);
  }

  private pick(req: ModelRequest): HttpLanguageModel {
    return this.wireFor(req) === 'openai-responses' ? this.responses : this.chat;
  }

  buildBody(req: ModelRequest): Record<string, unknown> {
    return this.pick(req).buildBody(req);
  }

  stream(req: ModelRequest): AsyncIterable<ModelStreamPart> {
    return this.pick(req).stream(req);
  }

  streamBatches(req: ModelRequest): AsyncIterable<ModelStreamPart[]> {
    return this.pick(req).streamBatches(req);
  }

  passthrough(req: ModelRequest, pass: PassthroughRequest): AsyncIterable<ModelStreamPart[]> | null {
    return this.pick(req).passthrough(req, pass);
  }
}
