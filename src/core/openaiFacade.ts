/**
 * `client.chat.completions.create(...)` in the OpenAI SDK's shapes, for every provider:
 * code written against the OpenAI SDK works unchanged against Anthropic or Gemini.
 * Parameters → core request: openaiParams.ts. Here: core results → OpenAI responses and chunks.
 */
import type { ChatStream } from './chatStream.ts';
import { ANTHROPIC_FORMAT, GEMINI_FORMAT, translateParams, type ChatCompletionCreateParams } from './openaiParams.ts';
import type { AssistantContent } from './request.ts';
import type { ChatRequest } from './router/router.ts';
import type { ChatResult, FinishReason, Usage } from './types.ts';

export { ChatCompletionParamsSchema, UnsupportedParameterError, type ChatCompletionCreateParams } from './openaiParams.ts';


export interface CompletionUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens: number };
  completion_tokens_details?: { reasoning_tokens: number };
  cost?: number;
}

export interface ChatCompletionToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
  /** Gemini's OpenAI-compatible place for a call's thought signature. */
  extra_content?: { google: { thought_signature: string } };
}

/** One entry of `message.reasoning_details` (OpenRouter's shape, plus `origin`). */
export type ReasoningDetail = {
  type: 'reasoning.text' | 'reasoning.encrypted';
  text?: string;
  signature?: string;
  data?: string;
  format: string;
  /** The tool call a Gemini thought signature belongs to. */
  id?: string;
  /** The `provider/model` that made it; state is sent back only to that model. */
  origin: string;
};

/** Switchboard's own additions to a response: what the caller should know. */
export interface SwitchboardExtras {
  warnings: string[];
}

export interface ChatCompletionMessage {
  role: 'assistant';
  content: string | null;
  refusal: null;
  reasoning_content?: string;
  reasoning_details?: ReasoningDetail[];
  tool_calls?: ChatCompletionToolCall[];
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: { index: number; message: ChatCompletionMessage; finish_reason: FinishReason; logprobs: null }[];
  usage?: CompletionUsage;
  /** Present when there is something to say (hints not honoured, budget notices). */
  switchboard?: SwitchboardExtras;
}

export interface ChunkToolCall {
  index: number;
  id?: string;
  type?: 'function';
  function: { name?: string; arguments: string };
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: {
    index: number;
    delta: { role?: 'assistant'; content?: string; reasoning_content?: string; reasoning_details?: ReasoningDetail[]; tool_calls?: ChunkToolCall[] };
    finish_reason: FinishReason | null;
    logprobs: null;
  }[];
  usage?: CompletionUsage | null;
  /** On the finish chunk, when there are warnings. */
  switchboard?: SwitchboardExtras;
}

/** The stream object `create({stream: true})` resolves to, like the SDK's `Stream`. */
export interface ChunkStream extends AsyncIterable<ChatCompletionChunk> {
  controller: AbortController;
  /** The rich result behind the chunks (answering model, cost, attempts). */
  result: Promise<ChatResult>;
  /** Warnings so far (complete once the stream ended). */
  warnings: string[];
}

export interface FacadeRequest {
  req: ChatRequest;
  /** Warnings from the parameters; the stream's own warnings are added as they come. */
  warnings: string[];
  stream: boolean;
  includeUsage: boolean;
}

/** Validate and translate; throws a bad_request SwitchboardError (UnsupportedParameterError names the parameter). */
export function toChatRequest(params: ChatCompletionCreateParams, signal?: AbortSignal): FacadeRequest {
  const t = translateParams(params);
  const req: ChatRequest = t.request;
  if (signal) req.signal = signal;
  return { req, warnings: t.warnings, stream: t.stream, includeUsage: t.includeUsage };
}

/** Add warnings without repeating one (a rich `warning` part may also be in the result). */
export function addWarnings(into: string[], more: readonly string[] | undefined): void {
  for (const w of more ?? []) if (!into.includes(w)) into.push(w);
}

export function toCompletionUsage(u: Usage, costUsd: number | null): CompletionUsage | undefined {
  if (u.inputTokens === null && u.outputTokens === null) return undefined;
  const usage: CompletionUsage = { prompt_tokens: u.inputTokens ?? 0, completion_tokens: u.outputTokens ?? 0, total_tokens: (u.inputTokens ?? 0) + (u.outputTokens ?? 0) };
  if (u.cachedInputTokens !== null) usage.prompt_tokens_details = { cached_tokens: u.cachedInputTokens };
  if (u.reasoningTokens !== null) usage.completion_tokens_details = { reasoning_tokens: u.reasoningTokens };
  if (costUsd !== null) usage.cost = costUsd;
  return usage;
}

const newId = (): string => `chatcmpl-${crypto.randomUUID().replace(/-/g, '').slice(0, 24)}`;
const newCallId = (): string => `call_${crypto.randomUUID().replace(/-/g, '').slice(0, 24)}`;

/**
 * The reasoning state a provider needs back, in the order the model produced it: thinking with its
 * signature, redacted thinking, Gemini thought signatures (by tool call id; none for a text part).
 * Plain reasoning text is kept too, so appending the message as-is keeps the whole turn.
 */
export function toReasoningDetails(content: readonly AssistantContent[], answeredBy: string): ReasoningDetail[] {
  const out: ReasoningDetail[] = [];
  for (const c of content) {
    const origin = c.state?.origin ?? answeredBy;
    if (c.type === 'reasoning') {
      if (c.redactedData !== undefined) out.push({ type: 'reasoning.encrypted', data: c.redactedData, format: ANTHROPIC_FORMAT, origin });
      else out.push({ type: 'reasoning.text', text: c.text, ...(c.signature !== undefined ? { signature: c.signature } : {}), format: c.signature !== undefined ? ANTHROPIC_FORMAT : 'unknown', origin });
      if (c.state?.thoughtSignature) out.push({ type: 'reasoning.encrypted', data: c.state.thoughtSignature, format: GEMINI_FORMAT, origin });
    } else if (c.state?.thoughtSignature) {
      out.push({ type: 'reasoning.encrypted', data: c.state.thoughtSignature, format: GEMINI_FORMAT, ...(c.type === 'tool-call' ? { id: c.id } : {}), origin });
    }
  }
  return out;
}

export function toChatCompletion(r: ChatResult, created: number, warnings: string[] = []): ChatCompletion {
  const message: ChatCompletionMessage = { role: 'assistant', content: r.toolCalls.length && !r.text ? null : r.text, refusal: null };
  if (r.reasoning) message.reasoning_content = r.reasoning;
  const answeredBy = r.answeredBy ?? r.model;
  const details = r.content ? toReasoningDetails(r.content, answeredBy) : [];
  if (details.length) message.reasoning_details = details;
  if (r.toolCalls.length) {
    const sigs = new Map<string, string>();
    for (const c of r.content ?? []) if (c.type === 'tool-call' && c.state?.thoughtSignature) sigs.set(c.id, c.state.thoughtSignature);
    message.tool_calls = r.toolCalls.map((t) => {
      const call: ChatCompletionToolCall = { id: t.id || newCallId(), type: 'function', function: { name: t.name, arguments: t.arguments } };
      const sig = sigs.get(t.id);
      if (sig) call.extra_content = { google: { thought_signature: sig } };
      return call;
    });
  }
  const completion: ChatCompletion = {
    id: r.responseId ?? newId(),
    object: 'chat.completion',
    created,
    model: answeredBy,
    choices: [{ index: 0, message, finish_reason: r.finishReason, logprobs: null }],
  };
  const usage = toCompletionUsage(r.usage, r.costUsd);
  if (usage) completion.usage = usage;
  addWarnings(warnings, r.warnings);
  if (warnings.length) completion.switchboard = { warnings };
  return completion;
}

/**
 * Rich parts → OpenAI chunks. Tool calls stream as OpenAI streams them: the first chunk of a call
 * carries index, id, type, name and `arguments: ""`; then argument fragments by index. The finish
 * chunk (with reasoning state and warnings) and the usage chunk come last. `warnings` collects the
 * stream's warnings as they arrive (the gateway reads it for its header).
 */
export async function* toChunks(stream: ChatStream, requested: string, includeUsage: boolean, warnings: string[] = []): AsyncGenerator<ChatCompletionChunk, void> {
  const id = newId();
  const created = Math.floor(Date.now() / 1000);
  let model = requested;
  let sentRole = false;
  /** Call ids by index, once the call's first chunk went out. */
  const calls: string[] = [];
  const chunk = (delta: ChatCompletionChunk['choices'][number]['delta'], finish: FinishReason | null = null): ChatCompletionChunk => {
    if (!sentRole) {
      sentRole = true;
      delta = { role: 'assistant', ...delta };
    }
    return { id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] };
  };
  for await (const part of stream) {
    switch (part.type) {
      case 'attempt-start':
        model = part.model;
        break;
      case 'text-delta':
        yield chunk({ content: part.text });
        break;
      case 'reasoning-delta':
        yield chunk({ reasoning_content: part.text });
        break;
      case 'tool-call-delta': {
        if (calls[part.index] === undefined) {
          const callId = part.id || newCallId();
          calls[part.index] = callId;
          yield chunk({ tool_calls: [{ index: part.index, id: callId, type: 'function', function: { name: part.name ?? '', arguments: '' } }] });
        }
        if (part.argumentsDelta) yield chunk({ tool_calls: [{ index: part.index, function: { arguments: part.argumentsDelta } }] });
        break;
      }
      case 'warning':
        addWarnings(warnings, [part.message]);
        break;
      case 'error':
        throw part.error;
      default:
        break;
    }
  }
  const result: ChatResult = await stream.result;
  if (result.error) throw result.error;
  addWarnings(warnings, result.warnings);
  const details = result.content ? toReasoningDetails(result.content, result.answeredBy ?? model) : [];
  const last = chunk(details.length ? { reasoning_details: details } : {}, result.finishReason);
  if (warnings.length) last.switchboard = { warnings: [...warnings] };
  yield last;
  if (includeUsage) {
    yield { id, object: 'chat.completion.chunk', created, model, choices: [], usage: toCompletionUsage(result.usage, result.costUsd) ?? null };
  }
}
