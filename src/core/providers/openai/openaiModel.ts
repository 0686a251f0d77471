/**
 * The OpenAI chat-completions wire protocol: OpenAI itself and every compatible
 * vendor (OpenRouter, Mistral, Groq, DeepSeek, xAI, Together, Fireworks, Ollama,
 * LM Studio, vLLM, LiteLLM). Vendors differ only by preset data.
 */
import { classifyHttpError } from '../../errors.ts';
import type { ModelStreamPart, Usage } from '../../types.ts';
import type { WireProtocol } from '../httpModel.ts';
import { openaiBody } from './requestBody.ts';
import { decodeEventBatches, decodeEvents, invalidResponse, num, obj, parseEventJson } from '../shared.ts';
import { toOpenAIMessages } from './convertMessages.ts';
import { mapOpenAIFinish } from './mapFinish.ts';
import { CONTENT_KEY, FragmentTemplate, isBareFragment, isBareText } from './fragmentTemplate.ts';

/** Text templates learned per stream at most: a provider whose events all differ (random padding) stops paying for it. */
const MAX_TEXT_LEARNS = 4;

export const openaiProtocol: WireProtocol = {
  protocol: 'openai',
  url: (provider) => `${provider.baseUrl}/chat/completions`,
  body: (provider, wireModel, req, ctx) => openaiBody(provider, wireModel, req, ctx),
  decode: (events, provider, model, opts) => decodeOpenAIStream(events, provider, model, opts.stop),
  decodeBatches: (batches, provider, model, opts) => decodeOpenAIBatches(batches, provider, model, opts.stop),
  passthrough: {
    protocol: 'openai',
    body(caller, wireModel) {
      // Not streamed: the answer always has its usage. stream_options asks nothing of it, and OpenAI
      // refuses it without `stream: true`: left out, as the translating path ignores it.
      if (caller.stream !== true) {
        const { stream_options: _ignored, ...rest } = caller;
        return { body: { ...rest, model: wireModel } };
      }
      // The ledger needs the usage chunk: always asked for, shown only when the caller asked too.
      const options = obj(caller.stream_options);
      const body = { ...caller, model: wireModel, stream_options: { ...options, include_usage: true } };
      if (options?.include_usage === true) return { body };
      return { body, keep: (parts) => !parts.some((p) => p.type === 'usage') || parts.some((p) => p.type !== 'usage' && p.type !== 'response-meta') };
    },
    decoder: (provider, model) => new OpenAIStreamDecoder(provider, model),
    decodeWhole: (c, provider, model) => decodeChatCompletion(c, provider, model),
  },
};

/** A non-streamed answer (a `chat.completion` object) → the parts its stream would have given. */
export function decodeChatCompletion(c: Record<string, unknown>, provider: string, model: string): ModelStreamPart[] {
  const out: ModelStreamPart[] = [];
  const decoder = new OpenAIStreamDecoder(provider, model);
  decoder.decode(c, out);
  if (!Array.isArray(c.choices) || !obj(c.choices[0])) throw invalidResponse(provider, model, 'the answer has no choices');
  decoder.end();
  return out;
}

/**
 * Decode an OpenAI-format SSE stream into parts. Kept free of zod on purpose: it runs
 * per chunk, and the benchmark (`npm run bench`) holds it to a few µs a chunk.
 * The per-event work is synchronous (OpenAIStreamDecoder); the generators below only move
 * parts across async boundaries: per event (decodeOpenAIStream) or per network read (decodeOpenAIBatches).
 */
export class OpenAIStreamDecoder {
  private finished = false;
  private sawMeta = false;
  private done = false;
  private readonly provider: string;
  private readonly model: string;
  /** Set once a bare tool-call argument fragment was seen (see fragmentTemplate.ts). */
  private template: FragmentTemplate | null = null;
  /** The same for plain text deltas; relearned when the event shape changes, a few times at most. */
  private textTemplate: FragmentTemplate | null = null;
  private textLearns = 0;
  /** The request's stop sequences (DecodeOptions.stop): the one a "stop" says it matched is reported. */
  private readonly stops: readonly string[];

  constructor(provider: string, model: string, stops: readonly string[] = []) {
    this.provider = provider;
    this.model = model;
    this.stops = stops;
  }

  /** Decodes one event's data, appending parts to `out`; false once `[DONE]` arrived. Throws SwitchboardError. */
  push(data: string, out: ModelStreamPart[]): boolean {
    if (data === '[DONE]') {
      this.done = true;
      return false;
    }
    if (data.length === 0) return true;
    if (this.template !== null) {
      const fragment = this.template.match(data);
      if (fragment !== undefined) {
        out.push({ type: 'tool-call-delta', index: this.template.index, argumentsDelta: fragment });
        return true;
      }
    }
    if (this.textTemplate !== null) {
      const text = this.textTemplate.match(data);
      if (text !== undefined) {
        if (text.length > 0) out.push({ type: 'text-delta', text });
        return true;
      }
    }
    this.decode(parseEventJson(data, this.provider, this.model), out, data);
    return true;
  }

  /**
   * Decodes one parsed chunk, appending parts to `out`; `data`, its text, lets the decoder learn the
   * stream's shapes. A whole non-streamed answer decodes the same way: its choice's `message` is read
   * as the delta (and its tool calls, which carry no index there, by their place).
   */
  decode(chunk: Record<string, unknown>, out: ModelStreamPart[], data?: string): void {
    // OpenRouter: errors after the stream started arrive as a chunk with a top-level error.
    const err = obj(chunk.error);
    if (err) {
      const code = num(err.code) ?? (typeof err.status === 'number' ? err.status : null);
      throw classifyHttpError({ status: code && code >= 400 && code < 600 ? code : 500, body: chunk, headers: {}, provider: this.provider, model: this.model });
    }
    if (!this.sawMeta) {
      this.sawMeta = true;
      const id = typeof chunk.id === 'string' ? chunk.id : undefined;
      const m = typeof chunk.model === 'string' ? chunk.model : undefined;
      if (id !== undefined || m !== undefined)
        out.push({ type: 'response-meta', ...(id !== undefined ? { id } : {}), ...(m !== undefined ? { model: m } : {}) });
    }
    const choices = chunk.choices;
    const choice = Array.isArray(choices) ? obj(choices[0]) : null;
    if (choice) {
      const delta = obj(choice.delta) ?? obj(choice.message);
      if (delta) {
        const reasoning = delta.reasoning_content ?? delta.reasoning;
        if (typeof reasoning === 'string' && reasoning.length > 0) out.push({ type: 'reasoning-delta', text: reasoning });
        const details = delta.reasoning_details;
        if (details !== undefined && Array.isArray(details))
          for (const d of details) if (obj(d)) out.push({ type: 'reasoning-detail', detail: d as Record<string, unknown> });
        const content = delta.content;
        if (typeof content === 'string') {
          if (content.length > 0) {
            out.push({ type: 'text-delta', text: content });
            if (data !== undefined && this.textLearns < MAX_TEXT_LEARNS && isBareText(data, chunk, choice, delta)) {
              this.textLearns++;
              this.textTemplate = FragmentTemplate.learn(data, 0, CONTENT_KEY);
            }
          }
        } else if (Array.isArray(content)) pushContentParts(content, out);
        const toolCalls = delta.tool_calls;
        if (Array.isArray(toolCalls)) {
          for (let i = 0; i < toolCalls.length; i++) {
            const t = obj(toolCalls[i]);
            if (!t) continue;
            const fn = obj(t.function);
            out.push({
              type: 'tool-call-delta',
              index: num(t.index) ?? i,
              ...(typeof t.id === 'string' ? { id: t.id } : {}),
              ...(fn && typeof fn.name === 'string' ? { name: fn.name } : {}),
              argumentsDelta: fn && typeof fn.arguments === 'string' ? fn.arguments : '',
            });
          }
          if (data !== undefined && this.sawMeta && isBareFragment(chunk, choice, delta, toolCalls))
            this.template = FragmentTemplate.learn(data, num(obj(toolCalls[0])?.index) ?? 0);
        }
      }
      const fr = choice.finish_reason;
      if (typeof fr === 'string' && fr.length > 0 && !this.finished) {
        // A repeated finish_reason (OpenRouter's usage chunk) is accounting, not a second ending.
        this.finished = true;
        if (fr === 'error') throw invalidResponse(this.provider, this.model, 'the provider ended the stream with finish_reason "error"');
        // vLLM (stop_reason) and SGLang (matched_stop) say which stop sequence ended a "stop": one of
        // the request's; a token id or null is the end of the model's turn, no stop sequence.
        const matched = fr === 'stop' ? (choice.stop_reason ?? choice.matched_stop) : undefined;
        out.push(
          typeof matched === 'string' && this.stops.includes(matched)
            ? { type: 'finish', finishReason: mapOpenAIFinish(fr), rawFinishReason: fr, stopSequence: matched }
            : { type: 'finish', finishReason: mapOpenAIFinish(fr), rawFinishReason: fr },
        );
      }
    }
    const usage = obj(chunk.usage) ?? obj(obj(chunk.x_groq)?.usage);
    if (usage) out.push(usagePart(usage));
  }

  /** At the end of the body: throws when the answer was cut off. */
  end(): void {
    if (!this.done && !this.finished)
      throw invalidResponse(this.provider, this.model, 'the stream ended before the answer was complete (no finish_reason and no [DONE])');
  }
}

/** `stops`: the request's stop sequences (DecodeOptions.stop). */
export function decodeOpenAIStream(
  events: AsyncIterable<{ data: string }>,
  provider: string,
  model: string,
  stops?: readonly string[],
): AsyncGenerator<ModelStreamPart> {
  return decodeEvents(new OpenAIStreamDecoder(provider, model, stops), events);
}

/** Batches of events in, batches of parts out; parts decoded before an error are delivered before it. */
export function decodeOpenAIBatches(
  batches: AsyncIterable<readonly { data: string }[]>,
  provider: string,
  model: string,
  stops?: readonly string[],
): AsyncGenerator<ModelStreamPart[]> {
  return decodeEventBatches(new OpenAIStreamDecoder(provider, model, stops), batches);
}

/**
 * Mistral's reasoning models (magistral) stream `content` as an array of parts:
 * `{type: "thinking", thinking: [{type: "text", text}]}` and `{type: "text", text}`.
 */
function pushContentParts(parts: unknown[], out: ModelStreamPart[]): void {
  for (const raw of parts) {
    const p = obj(raw);
    if (!p) continue;
    if (p.type === 'text' && typeof p.text === 'string') {
      if (p.text.length > 0) out.push({ type: 'text-delta', text: p.text });
    } else if (p.type === 'thinking') {
      const inner = p.thinking;
      if (typeof inner === 'string') {
        if (inner.length > 0) out.push({ type: 'reasoning-delta', text: inner });
      } else if (Array.isArray(inner)) {
        for (const t of inner) {
          const tp = obj(t);
          if (tp && typeof tp.text === 'string' && tp.text.length > 0) out.push({ type: 'reasoning-delta', text: tp.text });
        }
      }
    }
  }
}

/**
 * Chat Completions usage as ours. Vendors differ inside the same shape:
 * - reasoning tokens are inside completion_tokens (OpenAI), or not (xAI: total_tokens =
 *   prompt + completion + reasoning); ours are always inside outputTokens, billed as output;
 * - cache reads: `prompt_tokens_details.cached_tokens`, or DeepSeek's `prompt_cache_hit_tokens`;
 *   cache writes: `prompt_tokens_details.cache_write_tokens` (OpenRouter, for Anthropic models);
 * - audio: `prompt_tokens_details.audio_tokens` / `completion_tokens_details.audio_tokens` (parts of
 *   the prompt / the completion, priced apart), kept when there were some;
 * - OpenRouter's `cost` is what it charged; with your own key (`is_byok`) the upstream provider
 *   charges `cost_details.upstream_inference_cost` on top, so the answer cost both.
 */
export function usagePart(u: Record<string, unknown>): ModelStreamPart {
  const usage: Partial<Usage> = {};
  const input = num(u.prompt_tokens);
  const completion = num(u.completion_tokens);
  const reasoning = num(obj(u.completion_tokens_details)?.reasoning_tokens) ?? num(u.reasoning_tokens);
  const total = num(u.total_tokens);
  if (input !== null) usage.inputTokens = input;
  const reasoningApart =
    reasoning !== null && reasoning > 0 && input !== null && completion !== null && total !== null && total === input + completion + reasoning;
  if (completion !== null) usage.outputTokens = reasoningApart ? completion + reasoning : completion;
  const details = obj(u.prompt_tokens_details);
  const cached = num(details?.cached_tokens) ?? num(u.prompt_cache_hit_tokens);
  if (cached !== null) usage.cachedInputTokens = cached;
  const written = num(details?.cache_write_tokens);
  if (written !== null) usage.cacheWrite5mTokens = written;
  const audioIn = num(details?.audio_tokens);
  if (audioIn !== null && audioIn > 0) usage.inputAudioTokens = audioIn;
  const audioOut = num(obj(u.completion_tokens_details)?.audio_tokens);
  if (audioOut !== null && audioOut > 0) usage.outputAudioTokens = audioOut;
  if (reasoning !== null) usage.reasoningTokens = reasoning;
  const charged = num(u.cost);
  const upstream = num(obj(u.cost_details)?.upstream_inference_cost);
  const cost = charged !== null && u.is_byok === true && upstream !== null ? charged + upstream : charged;
  return cost !== null ? { type: 'usage', usage, costUsd: cost } : { type: 'usage', usage };
}
