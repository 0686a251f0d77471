/**
 * POST /v1/responses: OpenAI's Responses API over any upstream. Stateless with `store: false`;
 * otherwise each answer's conversation is kept in memory for `previous_response_id`, for the
 * gateway's lifetime and bounded (least recently used first out), never on disk.
 */
import type { ChatMessage } from '../../core/index.ts';
import type { ChatResult } from '../../core/index.ts';
import { CONTEXT_LENGTH_CODE, type HttpError } from '../errors.ts';
import { DoorRefusal, type Door, type DoorDeps, type DoorError, type DoorRequest } from './door.ts';
import { StateCache, type StateLookup } from './stateCache.ts';
import { assistantContent, randomId } from './result.ts';
import { parseResponsesRequest, type ResponsesParsed } from './responsesRequest.ts';
import { ResponsesEncoder, toResponse } from './responsesResponse.ts';

export interface ConversationStoreOptions {
  /** Responses kept. Default 500. */
  maxEntries?: number;
  /** Characters of JSON kept in all. Default 64 MB worth. */
  maxChars?: number;
}

/** previous_response_id → the conversation up to and including that response. */
export class ConversationStore {
  private readonly map = new Map<string, { messages: ChatMessage[]; chars: number }>();
  private chars = 0;
  private readonly maxEntries: number;
  private readonly maxChars: number;

  constructor(opts: ConversationStoreOptions = {}) {
    this.maxEntries = opts.maxEntries ?? 500;
    this.maxChars = opts.maxChars ?? 64 * 1024 * 1024;
  }

  get(id: string): ChatMessage[] | undefined {
    const e = this.map.get(id);
    if (!e) return undefined;
    this.map.delete(id);
    this.map.set(id, e);
    return e.messages;
  }

  set(id: string, messages: ChatMessage[]): void {
    const chars = JSON.stringify(messages).length;
    if (chars > this.maxChars) return;
    this.map.set(id, { messages, chars });
    this.chars += chars;
    for (const [k, v] of this.map) {
      if (this.map.size <= this.maxEntries && this.chars <= this.maxChars) break;
      this.map.delete(k);
      this.chars -= v.chars;
    }
  }

  get size(): number {
    return this.map.size;
  }
}

export function responsesError(h: HttpError): DoorError {
  // A body over the gateway's limit is a conversation too long to send (an agent's screenshots add
  // up). Said with the code Codex compacts its history on, as for a context window the conversation
  // outgrew (OpenAI's status for it, 400: Codex retries any 413 five times and gives up, stuck with a
  // history it cannot send).
  if (h.status === 413 && h.body.error.code === 'request_too_large') {
    const message = `${h.body.error.message}: the conversation is too long to send through the gateway; compact it or start a new one`;
    return { status: 400, body: { error: { ...h.body.error, message, code: CONTEXT_LENGTH_CODE } }, headers: { ...h.headers } };
  }
  return { status: h.status, body: h.body, headers: { ...h.headers } };
}

export function responsesDoor(deps: DoorDeps = { states: new StateCache(), unalias: (m) => m }, store = new ConversationStore()): Door {
  const lookup = (model: string): StateLookup => ({
    call: (id) => deps.states.call(id),
    reasoning: (s) => deps.states.reasoning(s),
    text: (parts) => deps.states.text(parts),
    fallbackOrigin: deps.unalias(model),
  });
  const remember = (req: ResponsesParsed, r: ChatResult, id: string): void => {
    deps.states.record(r.content);
    if (!req.store) return;
    const content = assistantContent(r);
    store.set(id, [...req.conversation, ...(content.length ? [{ role: 'assistant' as const, content }] : [])]);
  };
  return {
    name: 'responses',
    protocol: 'openai-responses',
    parse(body): DoorRequest {
      const req = parseResponsesRequest(body, lookup);
      // A conversation the gateway keeps: the body as sent is not what the upstream must get. (Tool
      // namespaces are flattened only for a translated request: a Responses model takes them as sent.)
      if (req.previousResponseId) req.forwardable = false;
      if (req.previousResponseId) {
        const before = store.get(req.previousResponseId);
        if (!before)
          throw new DoorRefusal(
            `previous_response_id: response "${req.previousResponseId}" is not known to this gateway (it keeps responses in memory, with store not false, until it restarts)`,
            { param: 'previous_response_id', code: 'previous_response_not_found', status: 404 },
          );
        req.conversation = [...before, ...req.conversation];
        const system = req.request.messages[0]?.role === 'system' && req.instructions ? [req.request.messages[0]] : [];
        req.request = { ...req.request, messages: [...system, ...req.conversation] };
      }
      return req;
    },
    error: responsesError,
    complete(r, req) {
      const p = req as ResponsesParsed;
      const id = randomId('resp_');
      const response = toResponse(r, p, id, Math.floor(Date.now() / 1000));
      remember(p, r, id);
      return response;
    },
    encoder(req) {
      const p = req as ResponsesParsed;
      const id = randomId('resp_');
      return new ResponsesEncoder(p, id, (r) => remember(p, r, id));
    },
    // The client saw the upstream's response id: a later previous_response_id names that one.
    forwarded: (r, req) => remember(req as ResponsesParsed, r, r.responseId ?? randomId('resp_')),
    forwardedTail: () => '',
  };
}
