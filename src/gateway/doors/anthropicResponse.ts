/**
 * Core answers → Anthropic Messages: the `message` object, the streaming event sequence
 * (message_start, content_block_start/delta/stop, message_delta with usage, message_stop, ping)
 * and Anthropic's error shape `{type:"error", error:{type, message}}`.
 */
import type { AssistantContent, ChatResult, FinishReason, StreamPart, Usage } from '../../core/index.ts';
import { CONTEXT_LENGTH_CODE, OVERLOADED_CODE, type HttpError } from '../errors.ts';
import { argsObject, type DoorError, type StreamEncoder } from './door.ts';
import type { MessagesParsed } from './anthropicRequest.ts';
import { assistantContent, randomId } from './result.ts';

const ERROR_TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  408: 'timeout_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  503: 'overloaded_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

/**
 * Anthropic's error shape and status. An overloaded upstream (whatever its protocol said: 503, 529)
 * is Anthropic's documented 529 overloaded_error, the status its SDK raises OverloadedError for and
 * agents (Claude Code) count to fall back; the gateway's own 503s (busy, shutting down) stay 503.
 */
export function anthropicError(h: HttpError): DoorError {
  const status = h.body.error.code === OVERLOADED_CODE ? 529 : h.status;
  const type = ERROR_TYPE_BY_STATUS[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  return { status, body: { type: 'error', error: { type, message: anthropicMessage(h) } }, headers: { ...h.headers } };
}

/**
 * Anthropic says a prompt over the context window with "prompt is too long" (or, for the output asked
 * for, "input length and `max_tokens` exceed context limit"), and agents match those words in the
 * error's message, not its type or status: Claude Code compacts the conversation and retries on them.
 * Another protocol's words for it (OpenAI's "maximum context length", Gemini's "input token count"),
 * or the gateway's own check against a known context window, get Anthropic's in front.
 */
const ANTHROPIC_CONTEXT_WORDS = /prompt is too long|input length and `max_tokens` exceed context limit/i;

function anthropicMessage(h: HttpError): string {
  const message = h.body.error.message;
  return h.body.error.code === CONTEXT_LENGTH_CODE && !ANTHROPIC_CONTEXT_WORDS.test(message) ? `prompt is too long: ${message}` : message;
}

export function stopReason(finish: FinishReason, raw: string | null): string {
  switch (finish) {
    case 'length':
      // An Anthropic model that filled its context window says so; any other cut is max_tokens.
      return raw === 'model_context_window_exceeded' ? raw : 'max_tokens';
    case 'tool_calls':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return raw === 'stop_sequence' ? 'stop_sequence' : raw === 'pause_turn' ? 'pause_turn' : 'end_turn';
  }
}

/**
 * Which stop sequence ended the answer: known when the upstream says (Anthropic; vLLM and SGLang
 * with a plain "stop" that names it). OpenAI's and Gemini's APIs end with a plain "stop" and leave
 * the matched sequence out of the text, so which one matched cannot be told exactly: null there,
 * with stop_reason end_turn (as the upstream says); the request's warning says so
 * (parseMessagesRequest).
 */
function stopSequence(r: ChatResult): string | null {
  return r.rawFinishReason === 'stop_sequence' || r.finishReason === 'stop' ? (r.stopSequence ?? null) : null;
}

/** The message's stop_reason and stop_sequence. */
function ending(r: ChatResult): { stop_reason: string; stop_sequence: string | null } {
  const stop_sequence = stopSequence(r);
  return { stop_reason: stop_sequence !== null ? 'stop_sequence' : stopReason(r.finishReason, r.rawFinishReason), stop_sequence };
}

interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  cache_creation?: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
}

/**
 * Anthropic counts cached input, read and written, apart from `input_tokens`; the core (OpenAI's
 * convention) includes both. Anthropic's usage always has both cache counts (clients add them up
 * for the context used): 0 where the upstream reported none. Cache writes, and their 5m/1h split,
 * are known only from an upstream that reports them (Anthropic, OpenRouter).
 */
function usage(u: Usage): AnthropicUsage {
  const cached = u.cachedInputTokens ?? 0;
  const hasWrites = (u.cacheWrite5mTokens ?? null) !== null || (u.cacheWrite1hTokens ?? null) !== null;
  const w5 = u.cacheWrite5mTokens ?? 0;
  const w1 = u.cacheWrite1hTokens ?? 0;
  const out: AnthropicUsage = {
    input_tokens: Math.max(0, (u.inputTokens ?? 0) - cached - w5 - w1),
    output_tokens: u.outputTokens ?? 0,
    cache_read_input_tokens: cached,
    cache_creation_input_tokens: w5 + w1,
  };
  if (hasWrites) out.cache_creation = { ephemeral_5m_input_tokens: w5, ephemeral_1h_input_tokens: w1 };
  return out;
}

type Block =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'redacted_thinking'; data: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown };

/**
 * A tool call's input. An answer cut by max_tokens may end inside the last call's arguments: Anthropic
 * answers such a turn with stop_reason max_tokens (raise max_tokens or continue), not an error, so the
 * cut call keeps no made-up input (`{}`) and `warnings` says so. Arguments that are not JSON anywhere
 * else are the upstream's broken answer (argsObject: 502).
 */
function toolInput(r: ChatResult, p: Extract<AssistantContent, { type: 'tool-call' }>, last: boolean, warnings: string[]): unknown {
  try {
    return argsObject(p.arguments, p.name);
  } catch (e) {
    if (r.finishReason !== 'length' || !last) throw e;
    warnings.push(
      `tool_use "${p.name}" (${p.id}) was cut off by max_tokens before its arguments were complete; its input is left empty: raise max_tokens and send the request again`,
    );
    return {};
  }
}

function blocks(r: ChatResult, warnings: string[], omitThinking: boolean): Block[] {
  const out: Block[] = [];
  const parts = assistantContent(r);
  for (const [i, p] of parts.entries()) {
    if (p.type === 'text') {
      // Adjacent text parts (a signed Gemini part is its own) are one block, as the stream shows them; the gateway keeps the signatures.
      const last = out[out.length - 1];
      if (last?.type === 'text') last.text += p.text;
      else if (p.text) out.push({ type: 'text', text: p.text });
    } else if (p.type === 'reasoning') {
      if (p.redactedData !== undefined) {
        out.push({ type: 'redacted_thinking', data: p.redactedData });
        continue;
      }
      // A Gemini thought's signature rides in the thinking block's (StateCache maps it back to Gemini).
      const signature = p.signature ?? p.state?.thoughtSignature ?? '';
      // display "omitted": the signature alone, as Anthropic's API gives it; reasoning with no
      // signature (a Chat Completions model's) would be a block with nothing in it: none.
      if (!omitThinking) out.push({ type: 'thinking', thinking: p.text, signature });
      else if (signature) out.push({ type: 'thinking', thinking: '', signature });
    } else out.push({ type: 'tool_use', id: p.id, name: p.name, input: toolInput(r, p, i === parts.length - 1, warnings) });
  }
  return out;
}

/** The non-streamed message; what it could not carry exactly is added to `req.warnings` (sent in x-switchboard-warnings). */
export function toMessage(r: ChatResult, req: MessagesParsed): unknown {
  const content = blocks(r, req.warnings, req.omitThinking === true);
  return {
    id: r.responseId?.startsWith('msg_') ? r.responseId : randomId('msg_'),
    type: 'message',
    role: 'assistant',
    model: req.model,
    content,
    ...ending(r),
    usage: usage(r.usage),
  };
}

const frame = (event: string, data: unknown): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/** The stream's last event. */
export const MESSAGE_STOP = frame('message_stop', { type: 'message_stop' });

/** Rich parts → Anthropic's event sequence. Blocks open and close as the part kinds change. */
export class MessagesEncoder implements StreamEncoder {
  private readonly model: string;
  private readonly id = randomId('msg_');
  private started = false;
  /** Index of the open block, its kind, and for a tool block the core's tool-call index. */
  private index = -1;
  private open: 'text' | 'thinking' | 'redacted_thinking' | 'tool_use' | null = null;
  private toolIndex = -1;
  private usageSoFar: Partial<Usage> = {};
  /** thinking.display "omitted": no thinking_delta, a thinking block opens only for its signature. */
  private readonly omitThinking: boolean;

  private readonly onDone: (r: ChatResult) => void;

  constructor(req: MessagesParsed, onDone: (r: ChatResult) => void = () => undefined) {
    this.model = req.model;
    this.omitThinking = req.omitThinking === true;
    this.onDone = onDone;
  }

  private start(): string {
    if (this.started) return '';
    this.started = true;
    const message = {
      id: this.id,
      type: 'message',
      role: 'assistant',
      model: this.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      // What is known of the input by now (an Anthropic upstream says it first), counted as Anthropic does.
      usage: { ...usage({ inputTokens: null, outputTokens: null, cachedInputTokens: null, reasoningTokens: null, ...this.usageSoFar }), output_tokens: 0 },
    };
    return frame('message_start', { type: 'message_start', message }) + frame('ping', { type: 'ping' });
  }

  private close(): string {
    if (this.open === null) return '';
    const s = frame('content_block_stop', { type: 'content_block_stop', index: this.index });
    this.open = null;
    return s;
  }

  private openBlock(kind: 'text' | 'thinking' | 'redacted_thinking' | 'tool_use', block: unknown): string {
    const s = this.close();
    this.index++;
    this.open = kind;
    return s + frame('content_block_start', { type: 'content_block_start', index: this.index, content_block: block });
  }

  private delta(delta: unknown): string {
    return frame('content_block_delta', { type: 'content_block_delta', index: this.index, delta });
  }

  part(p: StreamPart): string {
    switch (p.type) {
      case 'text-delta': {
        if (!p.text) return '';
        let s = this.start();
        if (this.open !== 'text') s += this.openBlock('text', { type: 'text', text: '' });
        return s + this.delta({ type: 'text_delta', text: p.text });
      }
      case 'reasoning-delta': {
        if (!p.text && p.thoughtSignature === undefined) return '';
        // display "omitted": the text is not shown; unsigned reasoning makes no block (as toMessage).
        if (this.omitThinking && p.thoughtSignature === undefined) return '';
        let s = this.start();
        if (this.open !== 'thinking') s += this.openBlock('thinking', { type: 'thinking', thinking: '', signature: '' });
        if (!this.omitThinking) s += this.delta({ type: 'thinking_delta', thinking: p.text });
        // Gemini signs a thought part: the signature closes the block, as Anthropic's signature_delta does.
        return p.thoughtSignature === undefined ? s : s + this.delta({ type: 'signature_delta', signature: p.thoughtSignature }) + this.close();
      }
      case 'reasoning-signature': {
        // Anthropic sends the signature as the thinking block's last delta; it closes the block.
        let s = this.start();
        if (this.open !== 'thinking') s += this.openBlock('thinking', { type: 'thinking', thinking: '', signature: '' });
        return s + this.delta({ type: 'signature_delta', signature: p.signature }) + this.close();
      }
      case 'reasoning-redacted':
        return this.start() + this.openBlock('redacted_thinking', { type: 'redacted_thinking', data: p.data }) + this.close();
      case 'tool-call-delta': {
        let s = this.start();
        if (this.open !== 'tool_use' || this.toolIndex !== p.index) {
          this.toolIndex = p.index;
          s += this.openBlock('tool_use', { type: 'tool_use', id: p.id ?? randomId('toolu_'), name: p.name ?? '', input: {} });
        }
        return p.argumentsDelta ? s + this.delta({ type: 'input_json_delta', partial_json: p.argumentsDelta }) : s;
      }
      case 'usage':
        for (const [k, v] of Object.entries(p.usage)) if (v !== null && v !== undefined) (this.usageSoFar as Record<string, number>)[k] = v;
        return '';
      default:
        return '';
    }
  }

  finish(r: ChatResult): string {
    let s = this.start() + this.close();
    this.onDone(r);
    s += frame('message_delta', {
      type: 'message_delta',
      delta: ending(r),
      usage: usage(r.usage),
    });
    return s + MESSAGE_STOP;
  }

  fail(e: DoorError): string {
    return frame('error', e.body);
  }
}
