/**
 * `client.chat.completions.create(...)` in the OpenAI SDK's shapes, for every provider:
 * code written against the OpenAI SDK works unchanged against Anthropic or Gemini.
 */
import { z } from 'zod';
import type { ChatStream } from './chatStream.ts';
import { formatIssues } from './config.ts';
import { SwitchboardError } from './errors.ts';
import type { ChatRequest } from './router/router.ts';
import { imageFromUrl, textOf } from './providers/shared.ts';
import type { ChatMessage, ChatResult, FinishReason, ImagePart, TextPart, Usage } from './types.ts';

const ContentPartSchema = z.union([
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('image_url'), image_url: z.object({ url: z.string(), detail: z.enum(['auto', 'low', 'high']).optional() }) }),
]);

export const ChatCompletionParamsSchema = z.looseObject({
  model: z.string().min(1, 'model is required ("provider/model" or "route/<id>")'),
  messages: z
    .array(
      z.looseObject({
        role: z.enum(['system', 'developer', 'user', 'assistant']),
        content: z.union([z.string(), z.array(ContentPartSchema)]).nullable(),
      }),
    )
    .min(1, 'messages must not be empty'),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  stop: z.union([z.string(), z.array(z.string())]).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
});
export type ChatCompletionCreateParams = z.input<typeof ChatCompletionParamsSchema>;

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
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: {
    index: number;
    message: { role: 'assistant'; content: string | null; refusal: null; reasoning_content?: string; tool_calls?: ChatCompletionToolCall[] };
    finish_reason: FinishReason;
    logprobs: null;
  }[];
  usage?: CompletionUsage;
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: {
    index: number;
    delta: { role?: 'assistant'; content?: string; reasoning_content?: string; tool_calls?: { index: number; id?: string; type?: 'function'; function: { name?: string; arguments: string } }[] };
    finish_reason: FinishReason | null;
    logprobs: null;
  }[];
  usage?: CompletionUsage | null;
}

/** The stream object `create({stream: true})` resolves to, like the SDK's `Stream`. */
export interface ChunkStream extends AsyncIterable<ChatCompletionChunk> {
  controller: AbortController;
  /** The rich result behind the chunks (answering model, cost, attempts). */
  result: Promise<ChatResult>;
}

type ParsedMessage = z.output<typeof ChatCompletionParamsSchema>['messages'][number];

function toMessage(m: ParsedMessage): ChatMessage {
  const content = m.content ?? '';
  if (m.role === 'system' || m.role === 'developer') return { role: 'system', content: typeof content === 'string' ? content : textOf(content.map(toPart)) };
  if (typeof content === 'string') return { role: m.role, content };
  const parts = content.map(toPart);
  if (m.role === 'user') return { role: 'user', content: parts };
  return { role: 'assistant', content: parts.filter((p) => p.type === 'text') };
}

function toPart(p: z.output<typeof ContentPartSchema>): TextPart | ImagePart {
  return p.type === 'text' ? { type: 'text', text: p.text } : imageFromUrl(p.image_url.url, p.image_url.detail);
}

export function toChatRequest(params: ChatCompletionCreateParams, signal?: AbortSignal): ChatRequest {
  const r = ChatCompletionParamsSchema.safeParse(params);
  if (!r.success) throw new SwitchboardError({ kind: 'bad_request', message: `invalid chat.completions.create parameters: ${formatIssues(r.error)}`, fix: 'fix the request parameters' });
  const p = r.data;
  const req: ChatRequest = {
    model: p.model,
    messages: p.messages.map(toMessage),
  };
  const maxTokens = p.max_completion_tokens ?? p.max_tokens;
  if (maxTokens != null) req.maxTokens = maxTokens;
  if (p.temperature != null) req.temperature = p.temperature;
  if (p.top_p != null) req.topP = p.top_p;
  if (p.stop != null) req.stop = typeof p.stop === 'string' ? [p.stop] : p.stop;
  if (signal) req.signal = signal;
  return req;
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

export function toChatCompletion(r: ChatResult, created: number): ChatCompletion {
  const message: ChatCompletion['choices'][number]['message'] = { role: 'assistant', content: r.toolCalls.length && !r.text ? null : r.text, refusal: null };
  if (r.reasoning) message.reasoning_content = r.reasoning;
  if (r.toolCalls.length) message.tool_calls = r.toolCalls.map((t) => ({ id: t.id, type: 'function', function: { name: t.name, arguments: t.arguments } }));
  const completion: ChatCompletion = {
    id: r.responseId ?? newId(),
    object: 'chat.completion',
    created,
    model: r.answeredBy ?? r.model,
    choices: [{ index: 0, message, finish_reason: r.finishReason, logprobs: null }],
  };
  const usage = toCompletionUsage(r.usage, r.costUsd);
  if (usage) completion.usage = usage;
  return completion;
}

/** Rich parts → OpenAI chunks. The finish chunk and the usage chunk come last, as OpenAI sends them. */
export async function* toChunks(stream: ChatStream, requested: string, includeUsage: boolean): AsyncGenerator<ChatCompletionChunk, void> {
  const id = newId();
  const created = Math.floor(Date.now() / 1000);
  let model = requested;
  let sentRole = false;
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
      case 'tool-call-delta':
        yield chunk({ tool_calls: [{ index: part.index, ...(part.id ? { id: part.id, type: 'function' as const } : {}), function: { ...(part.name ? { name: part.name } : {}), arguments: part.argumentsDelta } }] });
        break;
      case 'error':
        throw part.error;
      default:
        break;
    }
  }
  const result = await stream.result;
  if (result.error) throw result.error;
  yield chunk({}, result.finishReason);
  if (includeUsage) {
    yield { id, object: 'chat.completion.chunk', created, model, choices: [], usage: toCompletionUsage(result.usage, result.costUsd) ?? null };
  }
}
