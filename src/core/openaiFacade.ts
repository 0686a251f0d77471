/**
 * `client.chat.completions.create(...)` in the OpenAI SDK's shapes, for every provider:
 * code written against the OpenAI SDK works unchanged against Anthropic or Gemini.
 * Parameters → core request: openaiParams.ts. Here: core results → OpenAI responses and chunks.
 */
import type { ChatStream, PartIterator } from './chatStream.ts';
import { ANTHROPIC_FORMAT, GEMINI_FORMAT, OPENROUTER_SOURCE, translateParams, type ChatCompletionCreateParams } from './openaiParams.ts';
import type { AssistantContent } from './request.ts';
import type { ChatRequest } from './router/router.ts';
import type { ChatResult, FinishReason, StreamPart, Usage } from './types.ts';

export { ChatCompletionParamsSchema, InvalidParameterError, UnsupportedParameterError, type ChatCompletionCreateParams } from './openaiParams.ts';

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
  /** `openrouter`: an OpenRouter upstream's own detail, passed through as received. */
  source?: string;
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
  /** Of those, the ones that do not hold for a body forwarded as sent (TranslatedParams.resolvedByForwarding). */
  resolvedByForwarding: string[];
  stream: boolean;
  includeUsage: boolean;
}

/** Validate and translate; throws a bad_request SwitchboardError (UnsupportedParameterError, InvalidParameterError name the parameter). */
export function toChatRequest(params: ChatCompletionCreateParams, signal?: AbortSignal): FacadeRequest {
  const t = translateParams(params);
  const req: ChatRequest = t.request;
  if (signal) req.signal = signal;
  return { req, warnings: t.warnings, resolvedByForwarding: t.resolvedByForwarding, stream: t.stream, includeUsage: t.includeUsage };
}

/** Add warnings without repeating one (a rich `warning` part may also be in the result). */
export function addWarnings(into: string[], more: readonly string[] | undefined): void {
  for (const w of more ?? []) if (!into.includes(w)) into.push(w);
}

export function toCompletionUsage(u: Usage, costUsd: number | null): CompletionUsage | undefined {
  if (u.inputTokens === null && u.outputTokens === null) return undefined;
  const usage: CompletionUsage = {
    prompt_tokens: u.inputTokens ?? 0,
    completion_tokens: u.outputTokens ?? 0,
    total_tokens: (u.inputTokens ?? 0) + (u.outputTokens ?? 0),
  };
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
    if (c.type === 'reasoning' && c.state?.openrouterReasoning) {
      // OpenRouter's own details, as received (they carry the reasoning text): tagged so they go back to it verbatim.
      for (const d of c.state.openrouterReasoning) out.push({ ...d, origin, source: OPENROUTER_SOURCE } as ReasoningDetail);
    } else if (c.type === 'reasoning') {
      if (c.redactedData !== undefined) out.push({ type: 'reasoning.encrypted', data: c.redactedData, format: ANTHROPIC_FORMAT, origin });
      else
        out.push({
          type: 'reasoning.text',
          text: c.text,
          ...(c.signature !== undefined ? { signature: c.signature } : {}),
          format: c.signature !== undefined ? ANTHROPIC_FORMAT : 'unknown',
          origin,
        });
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
  const details = toReasoningDetails(r.content, answeredBy);
  if (details.length) message.reasoning_details = details;
  if (r.toolCalls.length) {
    const sigs = new Map<string, string>();
    for (const c of r.content) if (c.type === 'tool-call' && c.state?.thoughtSignature) sigs.set(c.id, c.state.thoughtSignature);
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
export function toChunks(stream: ChatStream, requested: string, includeUsage: boolean, warnings: string[] = []): ChunkIterator {
  return new ChunkIterator(stream, requested, includeUsage, warnings);
}

/**
 * The same chunks, for a request sent with `passthrough` (the gateway's fast path): an attempt that
 * forwards the upstream's own frames hands them out as SSE text, as they came (its `[DONE]` left
 * to the caller, who ends every stream with one); other attempts give chunks as toChunks does.
 */
export function toChunksOrFrames(stream: ChatStream, requested: string, includeUsage: boolean, warnings: string[] = []): FrameIterator {
  // The iterator's chunk type widened to frames: it yields strings only from `raw` parts, which only passthrough requests carry.
  return new ChunkIterator(stream, requested, includeUsage, warnings, true) as unknown as FrameIterator;
}

/** toChunksOrFrames' iterator: chunks, or (forwarded) the upstream's SSE frames as text. */
export type FrameIterator = AsyncIterableIterator<ChatCompletionChunk | string, void> & {
  return(): Promise<IteratorResult<ChatCompletionChunk | string, void>>;
  poll(): ChatCompletionChunk | string | undefined;
};

/** The upstream's own end-of-stream frame, held back in a forwarded stream (see toChunksOrFrames). */
const DONE_FRAME = 'data: [DONE]\n\n';

type Delta = ChatCompletionChunk['choices'][number]['delta'];
const DONE: IteratorReturnResult<void> = { done: true, value: undefined };

/**
 * Hand-written rather than an async generator: a chunk costs one resolved-promise step, not a
 * generator's extra ticks, which shows at 20,000 tool-call fragments (bench A2). Stopping early
 * (`return`) cancels the upstream request through the rich stream's own iterator.
 */
export class ChunkIterator implements AsyncIterableIterator<ChatCompletionChunk, void> {
  private readonly parts: PartIterator;
  /** Made on the first chunk this iterator encodes (a forwarded stream never needs one). */
  private idMade: string | null = null;
  private get id(): string {
    return (this.idMade ??= newId());
  }
  private readonly created = Math.floor(Date.now() / 1000);
  private model: string;
  private sentRole = false;
  /** Call ids by index, once the call's first chunk went out. */
  private readonly calls: string[] = [];
  /** Chunks made but not handed out yet (a call's first chunk and its first fragment; the final chunks). */
  private queue: ChatCompletionChunk[] = [];
  private queued = 0;
  private closed = false;

  private readonly stream: ChatStream;
  private readonly includeUsage: boolean;
  private readonly warnings: string[];
  /** toChunksOrFrames: `raw` parts of a forwarding attempt are handed out as they are. */
  private readonly frames: boolean;
  /** The current attempt forwards the upstream's frames (fast path): nothing is encoded. */
  private forwarding = false;

  constructor(stream: ChatStream, requested: string, includeUsage: boolean, warnings: string[], frames = false) {
    this.stream = stream;
    this.includeUsage = includeUsage;
    this.warnings = warnings;
    this.frames = frames;
    this.model = requested;
    this.parts = stream[Symbol.asyncIterator]();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<ChatCompletionChunk, void>> {
    // Chunks made, and parts of a batch already delivered, are handed out without waiting (most chunks go this way).
    let c: ChatCompletionChunk | undefined;
    try {
      c = this.poll();
    } catch (e) {
      return Promise.reject(e);
    }
    if (c) return Promise.resolve({ done: false, value: c });
    return this.closed ? Promise.resolve(DONE) : this.pull();
  }

  /**
   * The next chunk if it is already made or its part already delivered, synchronously; undefined
   * when the next one needs a wait (then call next()). Throws the stream's error. Lets a writer
   * gather what one upstream read produced into one write.
   */
  poll(): ChatCompletionChunk | undefined {
    if (this.queued < this.queue.length) return this.queue[this.queued++]!;
    if (this.closed) return undefined;
    try {
      for (let part = this.parts.poll(); part !== undefined; part = this.parts.poll()) {
        const c = this.convert(part);
        if (c) return c;
      }
    } catch (e) {
      this.closed = true;
      throw e;
    }
    return undefined;
  }

  async return(_value?: unknown): Promise<IteratorResult<ChatCompletionChunk, void>> {
    if (!this.closed) {
      this.closed = true;
      this.queue = [];
      await this.parts.return?.();
    }
    return DONE;
  }

  private async pull(): Promise<IteratorResult<ChatCompletionChunk, void>> {
    this.queue = [];
    this.queued = 0;
    try {
      for (;;) {
        const step = await this.parts.next();
        if (step.done) {
          await this.finish();
          return this.next();
        }
        const c = this.convert(step.value);
        if (c) return { done: false, value: c };
      }
    } catch (e) {
      this.closed = true;
      throw e;
    }
  }

  private chunk(delta: Delta, finish: FinishReason | null = null): ChatCompletionChunk {
    if (!this.sentRole) {
      this.sentRole = true;
      delta = { role: 'assistant', ...delta };
    }
    return {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    };
  }

  /** One part → the chunk to hand out now (more may be queued), or null. Throws the stream's error. */
  private convert(part: StreamPart): ChatCompletionChunk | null {
    if (this.forwarding) return this.forward(part);
    switch (part.type) {
      case 'text-delta':
        return part.text ? this.chunk({ content: part.text }) : null;
      case 'tool-call-delta': {
        if (this.calls[part.index] !== undefined)
          return part.argumentsDelta ? this.chunk({ tool_calls: [{ index: part.index, function: { arguments: part.argumentsDelta } }] }) : null;
        const callId = part.id || newCallId();
        this.calls[part.index] = callId;
        const first = this.chunk({ tool_calls: [{ index: part.index, id: callId, type: 'function', function: { name: part.name ?? '', arguments: '' } }] });
        if (part.argumentsDelta) this.queue.push(this.chunk({ tool_calls: [{ index: part.index, function: { arguments: part.argumentsDelta } }] }));
        return first;
      }
      case 'reasoning-delta':
        return part.text ? this.chunk({ reasoning_content: part.text }) : null;
      case 'attempt-start':
        this.model = part.model;
        this.forwarding = this.frames && part.passthrough === true;
        return null;
      case 'warning':
        addWarnings(this.warnings, [part.message]);
        return null;
      case 'error':
        throw part.error;
      default:
        return null;
    }
  }

  /** A part of a forwarding attempt: its frames pass as text (typed as a chunk: see toChunksOrFrames). */
  private forward(part: StreamPart): ChatCompletionChunk | null {
    switch (part.type) {
      case 'raw':
        return part.text === DONE_FRAME ? null : (part.text as unknown as ChatCompletionChunk);
      case 'warning':
        addWarnings(this.warnings, [part.message]);
        return null;
      case 'error':
        throw part.error;
      default:
        return null;
    }
  }

  /** The source ended: queue the finish chunk (with reasoning state and warnings) and the usage chunk. */
  private async finish(): Promise<void> {
    this.closed = true;
    const result = await this.stream.result;
    if (result.error) throw result.error;
    addWarnings(this.warnings, result.warnings);
    // Forwarded: the upstream's frames carried the finish and the usage already.
    if (this.forwarding) return;
    const details = toReasoningDetails(result.content, result.answeredBy ?? this.model);
    const last = this.chunk(details.length ? { reasoning_details: details } : {}, result.finishReason);
    if (this.warnings.length) last.switchboard = { warnings: [...this.warnings] };
    this.queue.push(last);
    if (this.includeUsage)
      this.queue.push({
        id: this.id,
        object: 'chat.completion.chunk',
        created: this.created,
        model: this.model,
        choices: [],
        usage: toCompletionUsage(result.usage, result.costUsd) ?? null,
      });
  }
}
