/**
 * Counting a request's input tokens with the answering provider's own tokenizer, where it has an
 * endpoint for it: Anthropic's `POST /v1/messages/count_tokens` and Gemini's `models/*:countTokens`.
 * The request is translated as for an answer (the same body builder), so what is counted is what
 * would be sent. Other protocols have no counting endpoint: the caller estimates and says so.
 */
import { postJsonStream } from './http/request.ts';
import { ANTHROPIC_VERSION } from './providers/anthropic/anthropicModel.ts';
import { anthropicBody } from './providers/anthropic/requestBody.ts';
import { geminiBody } from './providers/gemini/requestBody.ts';
import type { BodyContext } from './providers/httpModel.ts';
import { authHeaders, invalidResponse, num, obj, requireKey, type ProviderContext } from './providers/shared.ts';
import type { ModelResolver } from './resolve.ts';
import type { ModelRequest } from './types.ts';

export type TokenCount =
  | { source: 'upstream'; inputTokens: number; model: string }
  /** No counting endpoint for this target; `reason` says why (for the caller's warning). */
  | { source: 'none'; reason: string };

/** The fields Anthropic's count_tokens takes (it refuses the rest, max_tokens and stream included). */
const ANTHROPIC_COUNT_FIELDS = ['model', 'messages', 'system', 'tools', 'tool_choice', 'thinking'];

export async function countInputTokens(resolver: ModelResolver, ctx: ProviderContext, model: string, req: ModelRequest): Promise<TokenCount> {
  const target = resolver.resolve(model);
  if (target.type === 'route')
    return { source: 'none', reason: `${model} is a route: its models count tokens differently, and which one answers is decided per request` };
  const { provider, wireModel, id } = target.model;
  // A host-supplied model (VS Code's own) counts with its own countTokens, not over HTTP.
  if (provider === null) return { source: 'none', reason: `${id} is supplied by the editor, which the gateway cannot ask to count tokens` };
  const warnings: string[] = [];
  const bctx: BodyContext = { capabilities: ctx.capabilities?.(id) ?? null, warn: (m) => warnings.push(m), decode: {} };
  let url: string;
  let body: Record<string, unknown>;
  let headers: Record<string, string> = {};
  if (provider.kind === 'anthropic') {
    const full = anthropicBody(provider, wireModel, req, bctx);
    body = Object.fromEntries(ANTHROPIC_COUNT_FIELDS.filter((k) => full[k] !== undefined).map((k) => [k, full[k]]));
    url = `${provider.baseUrl}/messages/count_tokens`;
    headers = { 'anthropic-version': provider.anthropicVersion ?? ANTHROPIC_VERSION };
  } else if (provider.kind === 'gemini') {
    const name = wireModel.startsWith('models/') ? wireModel.slice('models/'.length) : wireModel;
    const full = geminiBody(provider, wireModel, req, bctx);
    const inner: Record<string, unknown> = { model: `models/${name}`, contents: full.contents };
    for (const k of ['systemInstruction', 'tools', 'toolConfig']) if (full[k] !== undefined) inner[k] = full[k];
    body = { generateContentRequest: inner };
    url = `${provider.baseUrl}/models/${encodeURIComponent(name)}:countTokens`;
  } else {
    return {
      source: 'none',
      reason: `${id} speaks the ${provider.kind === 'openai' ? 'OpenAI' : provider.kind} protocol, which has no token-counting endpoint`,
    };
  }
  const key = requireKey(provider, ctx, wireModel);
  const res = await postJsonStream({
    url,
    headers: { ...headers, ...provider.headers, ...authHeaders(provider, key) },
    body,
    ...(req.signal ? { signal: req.signal } : {}),
    ...(ctx.dispatcher ? { dispatcher: ctx.dispatcher } : {}),
    timeouts: ctx.timeouts,
    provider: provider.id,
    model: wireModel,
    keyHint: ctx.keyHint(provider),
    secrets: key ? [key] : [],
  });
  let text = '';
  const decoder = new TextDecoder();
  for await (const chunk of res.body) text += decoder.decode(chunk, { stream: true });
  text += decoder.decode();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidResponse(provider.id, wireModel, `the token count is not JSON: ${text.slice(0, 120)}`);
  }
  const n = provider.kind === 'anthropic' ? num(obj(parsed)?.input_tokens) : num(obj(parsed)?.totalTokens);
  if (n === null) throw invalidResponse(provider.id, wireModel, `the token count has no ${provider.kind === 'anthropic' ? 'input_tokens' : 'totalTokens'}`);
  return { source: 'upstream', inputTokens: n, model: id };
}
