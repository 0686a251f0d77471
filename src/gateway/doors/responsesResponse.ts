/**
 * Core answers → OpenAI Responses: the `response` object with its output items (reasoning,
 * message, function_call), and the streaming semantic events with sequence numbers
 * (response.created … response.completed / response.incomplete / response.failed).
 */
import type { AssistantContent } from '../../core/index.ts';
import type { ChatResult, StreamPart, Usage } from '../../core/index.ts';
import type { DoorError, StreamEncoder } from './door.ts';
import { assistantContent, randomId } from './result.ts';
import type { ResponsesParsed } from './responsesRequest.ts';

export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export function responsesUsage(u: Usage): ResponsesUsage {
  const input = u.inputTokens ?? 0;
  const output = u.outputTokens ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: u.cachedInputTokens ?? 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: u.reasoningTokens ?? 0 },
    total_tokens: input + output,
  };
}

export type OutputItem =
  | { type: 'reasoning'; id: string; summary: { type: 'summary_text'; text: string }[]; encrypted_content?: string; status?: string }
  | { type: 'message'; id: string; role: 'assistant'; status: string; content: { type: 'output_text'; text: string; annotations: []; logprobs: [] }[] }
  | { type: 'function_call'; id: string; call_id: string; name: string; namespace?: string; arguments: string; status: string };

/** The client's name for a tool the upstream saw flattened (`ns__tool` → name "tool", namespace "ns"). */
function callName(req: ResponsesParsed, flat: string): { name: string; namespace?: string } {
  const ns = req.namespaced.get(flat);
  return ns ? { name: ns[1], namespace: ns[0] } : { name: flat };
}

function functionCallItem(req: ResponsesParsed, id: string, callId: string, flat: string, args: string, status: string): OutputItem {
  return { type: 'function_call', id, call_id: callId, ...callName(req, flat), arguments: args, status };
}

export function outputItems(r: ChatResult, req: ResponsesParsed): OutputItem[] {
  const out: OutputItem[] = [];
  let msg: Extract<OutputItem, { type: 'message' }> | null = null;
  for (const p of assistantContent(r)) {
    if (p.type === 'text') {
      if (!msg) out.push((msg = { type: 'message', id: randomId('msg_'), role: 'assistant', status: 'completed', content: [] }));
      msg.content.push({ type: 'output_text', text: p.text, annotations: [], logprobs: [] });
      continue;
    }
    msg = null;
    if (p.type === 'reasoning') out.push(reasoningItem(randomId('rs_'), p));
    else out.push(functionCallItem(req, randomId('fc_'), p.id, p.name, p.arguments, 'completed'));
  }
  return out;
}

function reasoningItem(id: string, p: Extract<AssistantContent, { type: 'reasoning' }>): OutputItem {
  const item: OutputItem = { type: 'reasoning', id, summary: p.text ? [{ type: 'summary_text', text: p.text }] : [] };
  const opaque = encryptedContent(p);
  if (opaque) item.encrypted_content = opaque;
  return item;
}

/** Redacted thinking travels with this prefix in encrypted_content, a signature as itself. */
export const REDACTED_PREFIX = 'redacted:';

/** The provider's signature (or redacted thinking) as the reasoning item's opaque encrypted content. */
function encryptedContent(p: { signature?: string; redactedData?: string; state?: { thoughtSignature?: string } } | undefined): string | undefined {
  if (p?.signature) return p.signature;
  // A Gemini thought's signature (StateCache maps it back to Gemini when the item returns).
  if (p?.state?.thoughtSignature) return p.state.thoughtSignature;
  if (p?.redactedData !== undefined) return REDACTED_PREFIX + p.redactedData;
  return undefined;
}

function status(r: ChatResult): { status: 'completed' | 'incomplete'; incomplete_details: { reason: string } | null } {
  if (r.finishReason === 'length') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  if (r.finishReason === 'content_filter') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  return { status: 'completed', incomplete_details: null };
}

export function responseObject(id: string, created: number, req: ResponsesParsed, fields: Record<string, unknown>): Record<string, unknown> {
  return {
    id,
    object: 'response',
    created_at: created,
    status: 'in_progress',
    error: null,
    incomplete_details: null,
    model: req.model,
    output: [],
    usage: null,
    ...req.echo,
    ...fields,
  };
}

export function toResponse(r: ChatResult, req: ResponsesParsed, id: string, created: number, output = outputItems(r, req)): Record<string, unknown> {
  return responseObject(id, created, req, { ...status(r), output, usage: responsesUsage(r.usage) });
}

export function outputText(items: OutputItem[]): string {
  return items.map((i) => (i.type === 'message' ? i.content.map((c) => c.text).join('') : '')).join('');
}

/** Rich parts → Responses semantic events. Items open and close as the part kinds change. */
export class ResponsesEncoder implements StreamEncoder {
  private readonly req: ResponsesParsed;
  private id: string;
  private readonly created = Math.floor(Date.now() / 1000);
  private seq = 0;
  private started = false;
  private readonly items: OutputItem[] = [];
  private open: OutputItem | null = null;
  private openTool = -1;
  private readonly onDone: (r: ChatResult, response: Record<string, unknown>) => void;

  constructor(req: ResponsesParsed, id: string, onDone: (r: ChatResult, response: Record<string, unknown>) => void) {
    this.req = req;
    this.id = id;
    this.onDone = onDone;
  }

  private ev(type: string, data: Record<string, unknown>): string {
    return `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: this.seq++, ...data })}\n\n`;
  }

  private start(): string {
    if (this.started) return '';
    this.started = true;
    const response = responseObject(this.id, this.created, this.req, {});
    return this.ev('response.created', { response }) + this.ev('response.in_progress', { response });
  }

  private get index(): number {
    return this.items.length - 1;
  }

  private close(): string {
    const item = this.open;
    if (!item) return '';
    this.open = null;
    const base = { item_id: item.id, output_index: this.index };
    let s = '';
    if (item.type === 'message') {
      item.status = 'completed';
      const part = item.content[0]!;
      s += this.ev('response.output_text.done', { ...base, content_index: 0, text: part.text, logprobs: [] });
      s += this.ev('response.content_part.done', { ...base, content_index: 0, part });
    } else if (item.type === 'reasoning') {
      const part = item.summary[0]!;
      s += this.ev('response.reasoning_summary_text.done', { ...base, summary_index: 0, text: part.text });
      s += this.ev('response.reasoning_summary_part.done', { ...base, summary_index: 0, part });
    } else {
      item.status = 'completed';
      s += this.ev('response.function_call_arguments.done', { ...base, name: item.name, arguments: item.arguments });
    }
    return s + this.ev('response.output_item.done', { output_index: this.index, item });
  }

  private add(item: OutputItem): string {
    let s = this.close();
    this.items.push(item);
    this.open = item;
    s += this.ev('response.output_item.added', {
      output_index: this.index,
      item: { ...item, ...(item.type === 'message' ? { content: [] } : {}), ...(item.type === 'reasoning' ? { summary: [] } : {}) },
    });
    const base = { item_id: item.id, output_index: this.index };
    if (item.type === 'message')
      s += this.ev('response.content_part.added', { ...base, content_index: 0, part: { type: 'output_text', text: '', annotations: [], logprobs: [] } });
    if (item.type === 'reasoning')
      s += this.ev('response.reasoning_summary_part.added', { ...base, summary_index: 0, part: { type: 'summary_text', text: '' } });
    return s;
  }

  part(p: StreamPart): string {
    switch (p.type) {
      case 'text-delta': {
        if (!p.text) return '';
        let s = this.start();
        if (this.open?.type !== 'message')
          s += this.add({
            type: 'message',
            id: randomId('msg_'),
            role: 'assistant',
            status: 'in_progress',
            content: [{ type: 'output_text', text: '', annotations: [], logprobs: [] }],
          });
        const item = this.open as Extract<OutputItem, { type: 'message' }>;
        item.content[0]!.text += p.text;
        return s + this.ev('response.output_text.delta', { item_id: item.id, output_index: this.index, content_index: 0, delta: p.text, logprobs: [] });
      }
      case 'reasoning-delta': {
        if (!p.text && p.thoughtSignature === undefined) return '';
        let s = this.start();
        if (this.open?.type !== 'reasoning') s += this.add({ type: 'reasoning', id: randomId('rs_'), summary: [{ type: 'summary_text', text: '' }] });
        const item = this.open as Extract<OutputItem, { type: 'reasoning' }>;
        item.summary[0]!.text += p.text;
        if (p.text) s += this.ev('response.reasoning_summary_text.delta', { item_id: item.id, output_index: this.index, summary_index: 0, delta: p.text });
        if (p.thoughtSignature === undefined) return s;
        // Gemini signs a thought part: its signature is the item's encrypted content, and closes it.
        item.encrypted_content = p.thoughtSignature;
        return s + this.close();
      }
      case 'reasoning-signature': {
        let s = this.start();
        if (this.open?.type !== 'reasoning') s += this.add({ type: 'reasoning', id: randomId('rs_'), summary: [{ type: 'summary_text', text: '' }] });
        (this.open as Extract<OutputItem, { type: 'reasoning' }>).encrypted_content = p.signature;
        return s + this.close();
      }
      case 'reasoning-redacted': {
        // Nothing to show: the item is added and done at once.
        const s = this.start() + this.close();
        const item: OutputItem = { type: 'reasoning', id: randomId('rs_'), summary: [], encrypted_content: REDACTED_PREFIX + p.data };
        this.items.push(item);
        return (
          s +
          this.ev('response.output_item.added', { output_index: this.index, item }) +
          this.ev('response.output_item.done', { output_index: this.index, item })
        );
      }
      case 'tool-call-delta': {
        let s = this.start();
        if (this.open?.type !== 'function_call' || this.openTool !== p.index) {
          this.openTool = p.index;
          s += this.add(functionCallItem(this.req, randomId('fc_'), p.id ?? randomId('call_'), p.name ?? '', '', 'in_progress'));
        }
        const item = this.open as Extract<OutputItem, { type: 'function_call' }>;
        if (!p.argumentsDelta) return s;
        item.arguments += p.argumentsDelta;
        return s + this.ev('response.function_call_arguments.delta', { item_id: item.id, output_index: this.index, delta: p.argumentsDelta });
      }
      default:
        return '';
    }
  }

  finish(r: ChatResult): string {
    let s = this.start() + this.close();
    const response = toResponse(r, this.req, this.id, this.created, this.items);
    this.onDone(r, response);
    const st = response.status === 'incomplete' ? 'response.incomplete' : 'response.completed';
    return s + this.ev(st, { response });
  }

  adopt(responseId: string | null): void {
    this.started = true;
    if (responseId) this.id = responseId;
  }

  fail(e: DoorError): string {
    const err = (e.body as { error?: { code?: string | null; message?: string } }).error;
    const response = responseObject(this.id, this.created, this.req, {
      status: 'failed',
      error: { code: err?.code ?? 'server_error', message: err?.message ?? 'the request failed' },
      output: this.items,
    });
    return this.start() + this.ev('response.failed', { response });
  }
}
