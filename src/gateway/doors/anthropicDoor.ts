/** POST /v1/messages and /v1/messages/count_tokens: Anthropic's Messages API over any upstream. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { estimateTokens } from '../../core/index.ts';
import type { ChatMessage } from '../../core/index.ts';
import { parseMessagesRequest } from './anthropicRequest.ts';
import { anthropicError, MESSAGE_STOP, MessagesEncoder, toMessage } from './anthropicResponse.ts';
import { DoorRefusal, isObject, type Door, type DoorDeps } from './door.ts';
import { StateCache, type StateLookup } from './stateCache.ts';
import { FAILED, readJson, refusalError, warningsHeader, type DoorContext } from './serve.ts';

export function anthropicDoor(deps: DoorDeps = { states: new StateCache(), unalias: (m) => m }): Door {
  const lookup = (model: string): StateLookup => ({
    call: (id) => deps.states.call(id),
    reasoning: (s) => deps.states.reasoning(s),
    fallbackOrigin: deps.unalias(model),
  });
  return {
    name: 'messages',
    protocol: 'anthropic',
    parse: (body) => parseMessagesRequest(body, lookup),
    error: anthropicError,
    complete(r, req) {
      const m = toMessage(r, req);
      deps.states.record(r.content);
      return m;
    },
    encoder: (req) => new MessagesEncoder(req, (r) => deps.states.record(r.content)),
    forwarded: (r) => deps.states.record(r.content),
    forwardedTail: (last) => (last.startsWith('event: message_stop') ? '' : MESSAGE_STOP),
  };
}

/** Text a message carries, for the estimate (images count a flat amount, as the catalog's estimator does). */
function messageText(m: ChatMessage): string {
  if (typeof m.content === 'string') return m.content;
  let s = '';
  for (const p of m.content) {
    if (p.type === 'text' || p.type === 'reasoning') s += p.text;
    else if (p.type === 'tool-call') s += p.name + p.arguments;
    else if (p.type === 'tool-result') s += typeof p.content === 'string' ? p.content : p.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
    else s += ' '.repeat(4 * 1_000);
  }
  return s;
}

/**
 * count_tokens: an estimate from the text (no upstream call: the answering model may be any
 * provider's, and most have no counting endpoint). Said so in `x-switchboard-warnings`.
 */
export async function countTokens(ctx: DoorContext, req: IncomingMessage, res: ServerResponse, _query: URLSearchParams): Promise<void> {
  const door = anthropicDoor();
  // (only its error shape is used here)
  const json = await readJson(ctx, door, req, res);
  if (json === FAILED) return;
  // count_tokens takes the same body as messages without max_tokens.
  const body = isObject(json) && json.max_tokens === undefined ? { ...json, max_tokens: 1 } : json;
  try {
    const parsed = parseMessagesRequest(body);
    let n = 0;
    for (const m of parsed.request.messages) n += 4 + estimateTokens(messageText(m));
    for (const t of parsed.request.tools ?? []) n += estimateTokens(JSON.stringify(t));
    ctx.send(req, res, {
      status: 200,
      body: { input_tokens: n },
      headers: warningsHeader(["input_tokens is an estimate (about 4 characters a token), not the upstream tokenizer's count", ...parsed.warnings], ctx.redact),
    });
  } catch (e) {
    if (e instanceof DoorRefusal) return ctx.send(req, res, door.error(refusalError(e)));
    throw e;
  }
}
