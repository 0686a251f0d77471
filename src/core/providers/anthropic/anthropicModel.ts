/** The Anthropic Messages API (streaming), for Anthropic and Anthropic-shaped gateways. */
import { classifyHttpError } from '../../errors.ts';
import type { ModelStreamPart, Usage } from '../../types.ts';
import type { DecodeOptions, WireProtocol } from '../httpModel.ts';
import { invalidResponse, num, obj, parseEventJson } from '../shared.ts';
import { anthropicBody } from './requestBody.ts';
import { anthropicErrorStatus, mapAnthropicStop } from './mapFinish.ts';

export const ANTHROPIC_VERSION = '2023-06-01';

export const anthropicProtocol: WireProtocol = {
  url: (provider) => `${provider.baseUrl}/messages`,
  headers: (provider) => ({ 'anthropic-version': provider.anthropicVersion ?? ANTHROPIC_VERSION }),
  body: anthropicBody,
  decode: (events, provider, model, opts) => decodeAnthropicStream(events, provider, model, opts),
};

export async function* decodeAnthropicStream(
  events: AsyncIterable<{ event: string | undefined; data: string }>,
  provider: string,
  model: string,
  opts: DecodeOptions = {},
): AsyncGenerator<ModelStreamPart> {
  // Content block index → tool-call index, so parallel tool calls keep their own slots.
  const toolSlots = new Map<number, number>();
  // The block that carries a structured answer (see requestBody.ts): its input is the answer's text.
  let jsonBlock: number | null = null;
  let stopped = false;
  let finished = false;
  for await (const ev of events) {
    if (ev.data.length === 0) continue;
    const msg = parseEventJson(ev.data, provider, model);
    const type = typeof msg.type === 'string' ? msg.type : ev.event;
    switch (type) {
      case 'message_start': {
        const m = obj(msg.message);
        if (m) {
          yield { type: 'response-meta', ...(typeof m.id === 'string' ? { id: m.id } : {}), ...(typeof m.model === 'string' ? { model: m.model } : {}) };
          const u = obj(m.usage);
          if (u) yield { type: 'usage', usage: anthropicUsage(u) };
        }
        break;
      }
      case 'content_block_start': {
        const block = obj(msg.content_block);
        const index = num(msg.index) ?? 0;
        if (block?.type === 'tool_use' && opts.jsonToolName !== undefined && block.name === opts.jsonToolName) {
          jsonBlock = index;
        } else if (block?.type === 'tool_use') {
          const slot = toolSlots.size;
          toolSlots.set(index, slot);
          yield {
            type: 'tool-call-delta',
            index: slot,
            ...(typeof block.id === 'string' ? { id: block.id } : {}),
            ...(typeof block.name === 'string' ? { name: block.name } : {}),
            argumentsDelta: '',
          };
        } else if (block?.type === 'text' && typeof block.text === 'string' && block.text.length > 0) {
          yield { type: 'text-delta', text: block.text };
        } else if (block?.type === 'redacted_thinking' && typeof block.data === 'string') {
          yield { type: 'reasoning-redacted', data: block.data };
        } else if (block?.type === 'thinking' && typeof block.thinking === 'string' && block.thinking.length > 0) {
          yield { type: 'reasoning-delta', text: block.thinking };
        }
        break;
      }
      case 'content_block_delta': {
        const d = obj(msg.delta);
        if (!d) break;
        if (d.type === 'text_delta' && typeof d.text === 'string') {
          if (d.text.length > 0) yield { type: 'text-delta', text: d.text };
        } else if (d.type === 'thinking_delta' && typeof d.thinking === 'string') {
          if (d.thinking.length > 0) yield { type: 'reasoning-delta', text: d.thinking };
        } else if (d.type === 'input_json_delta' && typeof d.partial_json === 'string' && jsonBlock !== null && num(msg.index) === jsonBlock) {
          if (d.partial_json.length > 0) yield { type: 'text-delta', text: d.partial_json };
        } else if (d.type === 'input_json_delta' && typeof d.partial_json === 'string') {
          const slot = toolSlots.get(num(msg.index) ?? 0);
          if (slot !== undefined) yield { type: 'tool-call-delta', index: slot, argumentsDelta: d.partial_json };
        } else if (d.type === 'signature_delta' && typeof d.signature === 'string') {
          // Closes the thinking block: it must go back unchanged with the block in later turns.
          yield { type: 'reasoning-signature', signature: d.signature };
        }
        // citations carry nothing to show.
        break;
      }
      case 'message_delta': {
        const d = obj(msg.delta);
        const u = obj(msg.usage);
        if (u) yield { type: 'usage', usage: anthropicUsage(u) };
        if (d && typeof d.stop_reason === 'string' && !finished) {
          finished = true;
          // A structured answer ends with tool_use; with no other tool call it is a finished answer.
          const reason = d.stop_reason === 'tool_use' && jsonBlock !== null && toolSlots.size === 0 ? 'stop' : mapAnthropicStop(d.stop_reason);
          yield { type: 'finish', finishReason: reason, rawFinishReason: d.stop_reason };
        }
        break;
      }
      case 'message_stop':
        stopped = true;
        break;
      case 'error': {
        const e = obj(msg.error);
        const etype = e && typeof e.type === 'string' ? e.type : 'api_error';
        throw classifyHttpError({ status: anthropicErrorStatus(etype), body: msg, headers: {}, provider, model });
      }
      default:
        // ping, content_block_stop and event types added later: nothing to show.
        break;
    }
    if (stopped) break;
  }
  if (!stopped && !finished) throw invalidResponse(provider, model, 'the stream ended before message_stop');
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
  return usage;
}
