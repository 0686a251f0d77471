/** POST /v1/messages and /v1/messages/count_tokens: Anthropic's Messages API over any upstream. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { estimateTokens, SwitchboardError } from '../../core/index.ts';
import { fromSwitchboardError } from '../errors.ts';
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
    text: (parts) => deps.states.text(parts),
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
 * count_tokens: the answering provider's own count where it has an endpoint for it (an
 * Anthropic-protocol model: its count_tokens; Gemini: countTokens), the request translated as for
 * an answer. Elsewhere (OpenAI-protocol models, routes) an estimate from the text, about 4
 * characters a token, said so in `x-switchboard-warnings`. Either way `x-switchboard-token-count`
 * says which: `upstream` or `estimate`.
 */
export async function countTokens(ctx: DoorContext, req: IncomingMessage, res: ServerResponse, _query: URLSearchParams): Promise<void> {
  const door = anthropicDoor();
  // (only its error shape is used here)
  const json = await readJson(ctx, door, req, res);
  if (json === FAILED) return;
  // count_tokens takes the same body as messages without max_tokens.
  const body = isObject(json) && json.max_tokens === undefined ? { ...json, max_tokens: 1 } : json;
  let parsed;
  try {
    parsed = parseMessagesRequest(body);
    // The count is of the translated request: what only a forwarded one can carry is refused, as today.
    if (parsed.forwardOnly) throw parsed.forwardOnly;
  } catch (e) {
    if (e instanceof DoorRefusal) return ctx.send(req, res, door.error(refusalError(e)));
    throw e;
  }
  const warnings = [...parsed.warnings];
  // The client's max_tokens (if any) does not change the count; a filler one must not fail it either.
  const { maxTokens: _m, ...request } = parsed.request;
  let why: string;
  try {
    const counted = await ctx.client.countTokens({ ...request, model: parsed.model, frontEnd: 'gateway' });
    if (counted.source === 'upstream')
      return ctx.send(req, res, {
        status: 200,
        body: { input_tokens: counted.inputTokens },
        headers: { 'x-switchboard-token-count': 'upstream', ...warningsHeader(warnings, ctx.redact) },
      });
    why = counted.reason;
  } catch (e) {
    // A model the gateway cannot reach is the messages call's error to report; a count is advisory:
    // estimated, and the reason said.
    if (!(e instanceof SwitchboardError)) throw e;
    if (e.kind === 'config') return ctx.send(req, res, door.error(fromSwitchboardError(e, ctx.redact)));
    why = `the upstream count failed (${ctx.redact(e.message)})`;
  }
  let n = 0;
  for (const m of parsed.request.messages) n += 4 + estimateTokens(messageText(m));
  for (const t of parsed.request.tools ?? []) n += estimateTokens(JSON.stringify(t));
  ctx.send(req, res, {
    status: 200,
    body: { input_tokens: n },
    headers: {
      'x-switchboard-token-count': 'estimate',
      ...warningsHeader([`input_tokens is an estimate (about 4 characters a token), not the upstream tokenizer's count: ${why}`, ...warnings], ctx.redact),
    },
  });
}
