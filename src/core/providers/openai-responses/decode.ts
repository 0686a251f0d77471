/**
 * OpenAI Responses streaming events → parts. Output items are keyed by `output_index`; a
 * function call's index among the calls is its tool-call index. Reasoning summaries stream as
 * reasoning; a reasoning item's encrypted content arrives on output_item.done as its signature.
 */
import { classifyHttpError } from '../../errors.ts';
import type { FinishReason, ModelStreamPart, Usage } from '../../types.ts';
import { decodeEventBatches, decodeEvents, invalidResponse, num, obj, parseEventJson } from '../shared.ts';

/**
 * A function tool of a Responses `namespace` group, as one name: `<namespace>__<tool>`. Upstreams take
 * `^[a-zA-Z0-9_-]{1,64}$` (OpenAI, Anthropic, Gemini); the gateway's Responses door flattens namespaces the
 * same way, so a call a Responses model made in a namespace and one another model made flattened match.
 */
export const NAMESPACE_SEPARATOR = '__';
export function namespacedName(name: string, namespace: unknown): string {
  return typeof namespace === 'string' && namespace ? `${namespace}${NAMESPACE_SEPARATOR}${name}` : name;
}
import { DeltaTemplate } from './deltaTemplate.ts';

/** Delta events the decoder reads only the `delta` of (see deltaTemplate.ts). */
const DELTA_EVENTS = new Set([
  'response.output_text.delta',
  'response.refusal.delta',
  'response.reasoning_summary_text.delta',
  'response.reasoning_text.delta',
  'response.function_call_arguments.delta',
]);
/** Templates learned per stream at most (each new output item relearns; a stream of ever-changing shapes stops paying). */
const MAX_LEARNS = 16;

export class ResponsesStreamDecoder {
  private readonly provider: string;
  private readonly model: string;
  /** output_index → tool-call index. */
  private readonly calls = new Map<number, number>();
  private ended = false;
  /** web_search_call items done: OpenAI bills each call. */
  private searches = 0;
  /** Learned delta templates, one per event type at most (usually text, or arguments, or reasoning). */
  private templates: DeltaTemplate[] = [];
  private learns = 0;
  /** See EventDecoder.lastParsed. */
  lastParsed: Record<string, unknown> | undefined;

  constructor(provider: string, model: string) {
    this.provider = provider;
    this.model = model;
  }

  push(data: string, out: ModelStreamPart[]): boolean {
    this.lastParsed = undefined;
    if (data.length === 0 || data === '[DONE]') return !this.ended;
    for (const t of this.templates) {
      const delta = t.match(data);
      if (delta !== undefined) {
        this.delta(t.type, t.outputIndex ?? 0, delta, out);
        return true;
      }
    }
    const ev = parseEventJson(data, this.provider, this.model);
    this.lastParsed = ev;
    const outputIndex = num(ev.output_index) ?? 0;
    if (typeof ev.type === 'string' && DELTA_EVENTS.has(ev.type)) {
      this.delta(ev.type, outputIndex, typeof ev.delta === 'string' ? ev.delta : '', out);
      if (typeof ev.delta === 'string' && this.learns < MAX_LEARNS) {
        const t = DeltaTemplate.learn(data, ev);
        if (t) {
          this.learns++;
          this.templates = [...this.templates.filter((x) => x.type !== t.type), t];
        }
      }
      return true;
    }
    switch (ev.type) {
      case 'response.created': {
        const r = obj(ev.response);
        if (r)
          out.push({ type: 'response-meta', ...(typeof r.id === 'string' ? { id: r.id } : {}), ...(typeof r.model === 'string' ? { model: r.model } : {}) });
        break;
      }
      case 'response.output_item.added': {
        const item = obj(ev.item);
        if (item?.type === 'function_call') {
          const index = this.calls.size;
          this.calls.set(outputIndex, index);
          out.push({
            type: 'tool-call-delta',
            index,
            ...(typeof item.call_id === 'string' ? { id: item.call_id } : {}),
            ...(typeof item.name === 'string' ? { name: namespacedName(item.name, item.namespace) } : {}),
            argumentsDelta: typeof item.arguments === 'string' ? item.arguments : '',
          });
        }
        break;
      }
      case 'response.output_item.done': {
        const item = obj(ev.item);
        if (item?.type === 'reasoning' && typeof item.encrypted_content === 'string')
          out.push({ type: 'reasoning-signature', signature: item.encrypted_content });
        if (item?.type === 'web_search_call') this.searches++;
        break;
      }
      case 'response.completed':
      case 'response.incomplete': {
        const r = obj(ev.response) ?? {};
        const u = usage(obj(r.usage), this.searches);
        if (u) out.push({ type: 'usage', usage: u });
        let finish: FinishReason = this.calls.size > 0 ? 'tool_calls' : 'stop';
        let raw = ev.type === 'response.completed' ? 'completed' : 'incomplete';
        if (ev.type === 'response.incomplete') {
          const reason = obj(r.incomplete_details)?.reason;
          raw = typeof reason === 'string' ? reason : raw;
          finish = reason === 'content_filter' ? 'content_filter' : 'length';
        }
        out.push({ type: 'finish', finishReason: finish, rawFinishReason: raw });
        this.ended = true;
        return false;
      }
      case 'response.failed': {
        // What the provider counted before it failed is billed: the usage goes out before the error.
        const u = usage(obj(obj(ev.response)?.usage), this.searches);
        if (u) out.push({ type: 'usage', usage: u });
        const err = obj(obj(ev.response)?.error) ?? {};
        throw classifyHttpError({
          status: err.code === 'rate_limit_exceeded' ? 429 : 500,
          body: { error: err },
          headers: {},
          provider: this.provider,
          model: this.model,
        });
      }
      case 'error':
        throw classifyHttpError({
          status: typeof ev.code === 'string' && /rate_limit/.test(ev.code) ? 429 : 500,
          body: { error: ev },
          headers: {},
          provider: this.provider,
          model: this.model,
        });
      default:
        break;
    }
    return true;
  }

  /** A delta event's parts (the same whether it was matched by a template or parsed in full). */
  private delta(type: string, outputIndex: number, delta: string, out: ModelStreamPart[]): void {
    switch (type) {
      case 'response.output_text.delta':
      case 'response.refusal.delta':
        if (delta) out.push({ type: 'text-delta', text: delta });
        return;
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta':
        if (delta) out.push({ type: 'reasoning-delta', text: delta });
        return;
      default: {
        const index = this.calls.get(outputIndex);
        if (index === undefined)
          throw invalidResponse(this.provider, this.model, `function call arguments for output ${outputIndex}, which is not a function call`);
        if (delta) out.push({ type: 'tool-call-delta', index, argumentsDelta: delta });
      }
    }
  }

  end(): void {
    if (!this.ended) throw invalidResponse(this.provider, this.model, 'the stream ended before response.completed');
  }
}

/** A non-streamed Responses answer (the response object) → the parts its stream would have given. */
export function decodeResponseObject(r: Record<string, unknown>, provider: string, model: string): ModelStreamPart[] {
  if (r.status === 'failed' || (r.status === undefined && obj(r.error))) {
    const err = obj(r.error) ?? {};
    throw classifyHttpError({ status: err.code === 'rate_limit_exceeded' ? 429 : 500, body: { error: err }, headers: {}, provider, model });
  }
  if (!Array.isArray(r.output)) throw invalidResponse(provider, model, 'the response has no output list');
  const out: ModelStreamPart[] = [
    { type: 'response-meta', ...(typeof r.id === 'string' ? { id: r.id } : {}), ...(typeof r.model === 'string' ? { model: r.model } : {}) },
  ];
  let calls = 0;
  let searches = 0;
  for (const raw of r.output as unknown[]) {
    const item = obj(raw);
    if (item?.type === 'web_search_call') searches++;
    if (item?.type === 'reasoning') {
      for (const list of [item.summary, item.content])
        for (const p of Array.isArray(list) ? (list as unknown[]) : []) {
          const t = obj(p)?.text;
          if (typeof t === 'string' && t) out.push({ type: 'reasoning-delta', text: t });
        }
      if (typeof item.encrypted_content === 'string') out.push({ type: 'reasoning-signature', signature: item.encrypted_content });
    } else if (item?.type === 'message') {
      for (const p of Array.isArray(item.content) ? (item.content as unknown[]) : []) {
        const c = obj(p);
        const t = c?.type === 'output_text' ? c.text : c?.type === 'refusal' ? c.refusal : undefined;
        if (typeof t === 'string' && t) out.push({ type: 'text-delta', text: t });
      }
    } else if (item?.type === 'function_call') {
      out.push({
        type: 'tool-call-delta',
        index: calls++,
        ...(typeof item.call_id === 'string' ? { id: item.call_id } : {}),
        ...(typeof item.name === 'string' ? { name: namespacedName(item.name, item.namespace) } : {}),
        argumentsDelta: typeof item.arguments === 'string' ? item.arguments : '',
      });
    }
  }
  const u = usage(obj(r.usage), searches);
  if (u) out.push({ type: 'usage', usage: u });
  if (r.status === 'incomplete') {
    const reason = obj(r.incomplete_details)?.reason;
    out.push({
      type: 'finish',
      finishReason: reason === 'content_filter' ? 'content_filter' : 'length',
      rawFinishReason: typeof reason === 'string' ? reason : 'incomplete',
    });
  } else out.push({ type: 'finish', finishReason: calls > 0 ? 'tool_calls' : 'stop', rawFinishReason: 'completed' });
  return out;
}

/** The response's usage, with the web searches it ran (billed per call; not in its usage); null when it has neither. */
function usage(u: Record<string, unknown> | null, searches: number): Partial<Usage> | null {
  if (!u && searches === 0) return null;
  const out: Partial<Usage> = searches > 0 ? { webSearches: searches } : {};
  if (!u) return out;
  const input = num(u.input_tokens);
  const output = num(u.output_tokens);
  if (input !== null) out.inputTokens = input;
  if (output !== null) out.outputTokens = output;
  const cached = num(obj(u.input_tokens_details)?.cached_tokens);
  if (cached !== null) out.cachedInputTokens = cached;
  const reasoning = num(obj(u.output_tokens_details)?.reasoning_tokens);
  if (reasoning !== null) out.reasoningTokens = reasoning;
  return out;
}

export function decodeResponsesBatches(
  batches: AsyncIterable<readonly { data: string }[]>,
  provider: string,
  model: string,
): AsyncGenerator<ModelStreamPart[]> {
  return decodeEventBatches(new ResponsesStreamDecoder(provider, model), batches);
}

export function decodeResponsesStream(events: AsyncIterable<{ data: string }>, provider: string, model: string): AsyncGenerator<ModelStreamPart> {
  return decodeEvents(new ResponsesStreamDecoder(provider, model), events);
}
