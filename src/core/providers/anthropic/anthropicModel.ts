/** The Anthropic Messages API (streaming), for Anthropic and Anthropic-shaped gateways. */
import { classifyHttpError } from '../../errors.ts';
import type { ModelStreamPart, Usage } from '../../types.ts';
import { onlyNestedKey, spliceModel, type DecodeOptions, type WireProtocol } from '../httpModel.ts';
import { decodeEventBatches, decodeEvents, invalidResponse, num, obj, parseEventJson, type EventDecoder } from '../shared.ts';
import { anthropicBody } from './requestBody.ts';
import { fitClaudeBody } from './claudeForms.ts';
import { FragmentTemplate } from '../openai/fragmentTemplate.ts';
import { anthropicErrorStatus, anthropicStopWarning, mapAnthropicStop } from './mapFinish.ts';

export const ANTHROPIC_VERSION = '2023-06-01';

export const anthropicProtocol: WireProtocol = {
  protocol: 'anthropic',
  url: (provider) => `${provider.baseUrl}/messages`,
  headers: (provider) => ({ 'anthropic-version': provider.anthropicVersion ?? ANTHROPIC_VERSION }),
  body: anthropicBody,
  decode: (events, provider, model, opts) => decodeAnthropicStream(events, provider, model, opts),
  decodeBatches: (batches, provider, model, opts) => decodeEventBatches(new AnthropicStreamDecoder(provider, model, opts), batches),
  passthrough: {
    protocol: 'anthropic',
    // Anthropic streams usage in every answer and stores nothing: the model id changes, and the
    // thinking form and system messages when the caller's are ones the model refuses (a name that hid the model from it).
    body: (caller, wireModel) => fitClaudeBody({ ...caller, model: wireModel }, wireModel),
    decoder: (provider, model) => new AnthropicStreamDecoder(provider, model),
    // Once per answer: the message_start event (a small object) is parsed and written again.
    renameModel(ev, model, parsed) {
      if (ev.event !== 'message_start' && !ev.data.startsWith('{"type":"message_start"')) return undefined;
      const msg = (parsed ?? JSON.parse(ev.data)) as { message?: { model?: unknown } };
      if (!msg.message || typeof msg.message !== 'object') return undefined;
      // The model's value replaced in the text as received; written again only if it cannot be.
      const old = msg.message.model;
      const spliced = typeof old === 'string' && onlyNestedKey(msg, 'message') ? spliceModel(ev.data, old, 2, model) : undefined;
      if (spliced !== undefined) return spliced;
      return JSON.stringify({ ...msg, message: { ...msg.message, model } });
    },
    decodeWhole: (m, provider, model) => decodeAnthropicMessage(m, provider, model),
  },
};

/** A non-streamed Messages answer → the parts its stream would have given (the fast path's non-streamed answers). */
export function decodeAnthropicMessage(m: Record<string, unknown>, provider: string, model: string): ModelStreamPart[] {
  if (m.type === 'error') {
    const e = obj(m.error);
    const etype = e && typeof e.type === 'string' ? e.type : 'api_error';
    throw classifyHttpError({ status: anthropicErrorStatus(etype), body: m, headers: {}, provider, model });
  }
  if (!Array.isArray(m.content)) throw invalidResponse(provider, model, 'the answer has no content list');
  const out: ModelStreamPart[] = [
    { type: 'response-meta', ...(typeof m.id === 'string' ? { id: m.id } : {}), ...(typeof m.model === 'string' ? { model: m.model } : {}) },
  ];
  let slot = 0;
  for (const raw of m.content as unknown[]) {
    const block = obj(raw);
    if (block?.type === 'text' && typeof block.text === 'string') {
      if (block.text.length > 0) out.push({ type: 'text-delta', text: block.text });
    } else if (block?.type === 'thinking') {
      if (typeof block.thinking === 'string' && block.thinking.length > 0) out.push({ type: 'reasoning-delta', text: block.thinking });
      if (typeof block.signature === 'string') out.push({ type: 'reasoning-signature', signature: block.signature });
    } else if (block?.type === 'redacted_thinking' && typeof block.data === 'string') {
      out.push({ type: 'reasoning-redacted', data: block.data });
    } else if (block?.type === 'tool_use') {
      out.push({
        type: 'tool-call-delta',
        index: slot++,
        ...(typeof block.id === 'string' ? { id: block.id } : {}),
        ...(typeof block.name === 'string' ? { name: block.name } : {}),
        argumentsDelta: JSON.stringify(block.input ?? {}),
      });
    }
  }
  const u = obj(m.usage);
  if (u) out.push({ type: 'usage', usage: anthropicUsage(u) });
  if (typeof m.stop_reason === 'string') {
    const finish: ModelStreamPart = { type: 'finish', finishReason: mapAnthropicStop(m.stop_reason), rawFinishReason: m.stop_reason };
    if (m.stop_reason === 'stop_sequence' && typeof m.stop_sequence === 'string') finish.stopSequence = m.stop_sequence;
    const warning = anthropicStopWarning(m.stop_reason, provider, model);
    if (warning) out.push(warning);
    out.push(finish);
  }
  return out;
}

export function decodeAnthropicStream(
  events: AsyncIterable<{ event: string | undefined; data: string }>,
  provider: string,
  model: string,
  opts: DecodeOptions = {},
): AsyncGenerator<ModelStreamPart> {
  return decodeEvents(new AnthropicStreamDecoder(provider, model, opts), events);
}

/** Anthropic's event sequence → parts, one event at a time (synchronous; see EventDecoder). */
export class AnthropicStreamDecoder implements EventDecoder {
  private readonly provider: string;
  private readonly model: string;
  private readonly opts: DecodeOptions;
  /** Content block index → tool-call index, so parallel tool calls keep their own slots. */
  private readonly toolSlots = new Map<number, number>();
  /** The block that carries a structured answer (see requestBody.ts): its input is the answer's text. */
  private jsonBlock: number | null = null;
  private stopped = false;
  private finished = false;
  /**
   * Learned from a fully parsed delta that carried one string and nothing else (see
   * ../openai/fragmentTemplate.ts): later deltas of the same block are matched, not parsed. The
   * block index is part of the template, so another block's delta takes the full parse.
   */
  private textTemplate: FragmentTemplate | null = null;
  private jsonTemplate: FragmentTemplate | null = null;
  private learns = 0;
  lastParsed: Record<string, unknown> | undefined;

  constructor(provider: string, model: string, opts: DecodeOptions = {}) {
    this.provider = provider;
    this.model = model;
    this.opts = opts;
  }

  push(data: string, out: ModelStreamPart[], event?: string): boolean {
    this.lastParsed = undefined;
    if (data.length === 0) return true;
    // Most events are deltas of the open block that differ only in their string: matched without a parse.
    if (this.textTemplate !== null) {
      const text = this.textTemplate.match(data);
      if (text !== undefined) {
        if (text.length > 0) out.push({ type: 'text-delta', text });
        return true;
      }
    }
    if (this.jsonTemplate !== null) {
      const fragment = this.jsonTemplate.match(data);
      if (fragment !== undefined) {
        out.push({ type: 'tool-call-delta', index: this.jsonTemplate.index, argumentsDelta: fragment });
        return true;
      }
    }
    const { provider, model } = this;
    const msg = parseEventJson(data, provider, model);
    this.lastParsed = msg;
    const type = typeof msg.type === 'string' ? msg.type : event;
    switch (type) {
      case 'message_start': {
        const m = obj(msg.message);
        if (m) {
          out.push({ type: 'response-meta', ...(typeof m.id === 'string' ? { id: m.id } : {}), ...(typeof m.model === 'string' ? { model: m.model } : {}) });
          // The prompt's count and a placeholder output count: the final one comes with message_delta.
          const u = obj(m.usage);
          if (u) out.push({ type: 'usage', usage: anthropicUsage(u), partial: true });
        }
        break;
      }
      case 'content_block_start': {
        const block = obj(msg.content_block);
        const index = num(msg.index) ?? 0;
        if (block?.type === 'tool_use' && this.opts.jsonToolName !== undefined && block.name === this.opts.jsonToolName) {
          this.jsonBlock = index;
        } else if (block?.type === 'tool_use') {
          const slot = this.toolSlots.size;
          this.toolSlots.set(index, slot);
          out.push({
            type: 'tool-call-delta',
            index: slot,
            ...(typeof block.id === 'string' ? { id: block.id } : {}),
            ...(typeof block.name === 'string' ? { name: block.name } : {}),
            argumentsDelta: '',
          });
        } else if (block?.type === 'text' && typeof block.text === 'string' && block.text.length > 0) {
          out.push({ type: 'text-delta', text: block.text });
        } else if (block?.type === 'redacted_thinking' && typeof block.data === 'string') {
          out.push({ type: 'reasoning-redacted', data: block.data });
        } else if (block?.type === 'thinking' && typeof block.thinking === 'string' && block.thinking.length > 0) {
          out.push({ type: 'reasoning-delta', text: block.thinking });
        }
        break;
      }
      case 'content_block_delta': {
        const d = obj(msg.delta);
        if (!d) break;
        if (d.type === 'text_delta' && typeof d.text === 'string') {
          if (d.text.length > 0) {
            out.push({ type: 'text-delta', text: d.text });
            if (this.learns < MAX_LEARNS && bareDelta(data, msg, d, TEXT_KEY)) {
              this.learns++;
              this.textTemplate = FragmentTemplate.learn(data, 0, TEXT_KEY);
            }
          }
        } else if (d.type === 'thinking_delta' && typeof d.thinking === 'string') {
          if (d.thinking.length > 0) out.push({ type: 'reasoning-delta', text: d.thinking });
        } else if (d.type === 'input_json_delta' && typeof d.partial_json === 'string' && this.jsonBlock !== null && num(msg.index) === this.jsonBlock) {
          if (d.partial_json.length > 0) out.push({ type: 'text-delta', text: d.partial_json });
        } else if (d.type === 'input_json_delta' && typeof d.partial_json === 'string') {
          const slot = this.toolSlots.get(num(msg.index) ?? 0);
          if (slot !== undefined) {
            out.push({ type: 'tool-call-delta', index: slot, argumentsDelta: d.partial_json });
            if (this.learns < MAX_LEARNS && bareDelta(data, msg, d, JSON_KEY)) {
              this.learns++;
              this.jsonTemplate = FragmentTemplate.learn(data, slot, JSON_KEY);
            }
          }
        } else if (d.type === 'signature_delta' && typeof d.signature === 'string') {
          // Closes the thinking block: it must go back unchanged with the block in later turns.
          out.push({ type: 'reasoning-signature', signature: d.signature });
        }
        // citations carry nothing to show.
        break;
      }
      case 'message_delta': {
        const d = obj(msg.delta);
        const u = obj(msg.usage);
        if (u) out.push({ type: 'usage', usage: anthropicUsage(u) });
        if (d && typeof d.stop_reason === 'string' && !this.finished) {
          this.finished = true;
          // A structured answer ends with tool_use; with no other tool call it is a finished answer.
          const reason = d.stop_reason === 'tool_use' && this.jsonBlock !== null && this.toolSlots.size === 0 ? 'stop' : mapAnthropicStop(d.stop_reason);
          const finish: ModelStreamPart = { type: 'finish', finishReason: reason, rawFinishReason: d.stop_reason };
          // Which of the request's stop sequences ended the answer (Anthropic says; the doors report it).
          if (d.stop_reason === 'stop_sequence' && typeof d.stop_sequence === 'string') finish.stopSequence = d.stop_sequence;
          const warning = anthropicStopWarning(d.stop_reason, this.provider, this.model);
          if (warning) out.push(warning);
          out.push(finish);
        }
        break;
      }
      case 'message_stop':
        this.stopped = true;
        return false;
      case 'error': {
        const e = obj(msg.error);
        const etype = e && typeof e.type === 'string' ? e.type : 'api_error';
        throw classifyHttpError({ status: anthropicErrorStatus(etype), body: msg, headers: {}, provider, model });
      }
      default:
        // ping, content_block_stop and event types added later: nothing to show.
        break;
    }
    return true;
  }

  end(): void {
    if (!this.stopped && !this.finished) throw invalidResponse(this.provider, this.model, 'the stream ended before message_stop');
  }
}

/** Templates learned per stream at most (a new block relearns; a stream of ever-changing shapes stops paying). */
const MAX_LEARNS = 8;
const TEXT_KEY = '"text":';
const JSON_KEY = '"partial_json":';

/** A content_block_delta that is `{type, index, delta: {type, <key>: string}}` and nothing else, its key named once. */
function bareDelta(data: string, msg: Record<string, unknown>, delta: Record<string, unknown>, key: string): boolean {
  for (const k in msg) if (k !== 'type' && k !== 'index' && k !== 'delta') return false;
  for (const k in delta) if (k !== 'type' && `"${k}":` !== key) return false;
  return data.indexOf(key) === data.lastIndexOf(key);
}

/**
 * Anthropic counts cached prompt tokens apart from input_tokens; ours include them. Cache writes
 * are split by lifetime (`cache_creation.ephemeral_5m/1h_input_tokens`, priced differently);
 * without the split, every write is a 5-minute one (the API's default TTL).
 */
export function anthropicUsage(u: Record<string, unknown>): Partial<Usage> {
  const usage: Partial<Usage> = {};
  const input = num(u.input_tokens);
  const cacheRead = num(u.cache_read_input_tokens);
  const cacheWrite = num(u.cache_creation_input_tokens);
  if (input !== null) usage.inputTokens = input + (cacheRead ?? 0) + (cacheWrite ?? 0);
  if (cacheRead !== null) usage.cachedInputTokens = cacheRead;
  const split = obj(u.cache_creation);
  const w5 = split ? num(split.ephemeral_5m_input_tokens) : null;
  const w1 = split ? num(split.ephemeral_1h_input_tokens) : null;
  if (w5 !== null || w1 !== null) {
    usage.cacheWrite5mTokens = w5 ?? 0;
    usage.cacheWrite1hTokens = w1 ?? 0;
  } else if (cacheWrite !== null) {
    usage.cacheWrite5mTokens = cacheWrite;
    usage.cacheWrite1hTokens = 0;
  }
  const output = num(u.output_tokens);
  if (output !== null) usage.outputTokens = output;
  // The web_search server tool is billed per search.
  const searches = num(obj(u.server_tool_use)?.web_search_requests);
  if (searches !== null) usage.webSearches = searches;
  return usage;
}
