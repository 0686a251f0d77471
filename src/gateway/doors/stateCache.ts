/**
 * Provider state the doors' wire shapes cannot carry, kept by the gateway between turns.
 * Anthropic's tool_use and Responses' function_call have no slot for Gemini's thoughtSignature,
 * and neither says which model made a thinking signature (a route or an alias hides it). The
 * gateway remembers both for what it handed out — keyed by tool-call id and by signature — and
 * puts them back when the client sends that turn again. Bounded (least recently used out).
 *
 * Gemini also signs text parts (the signature may sit on an empty part). No door has a slot for
 * them, and clients regroup text into their own blocks, so an answer's text is remembered as a
 * whole: the turn's text, hashed, → its text parts with their signatures; a turn sent back with
 * the same text gets its signed parts again (restoreTextState). Only while the gateway runs: after
 * a restart the text goes back unsigned, which Gemini accepts (it requires signatures on function
 * calls only, and those are kept by call id).
 */
import { createHash } from 'node:crypto';
import type { AssistantContent, ChatMessage, ProviderState, TextPart } from '../../core/index.ts';

export class StateCache {
  private readonly map = new Map<string, ProviderState | TextPart[]>();
  private readonly max: number;

  constructor(max = 20_000) {
    this.max = max;
  }

  private put(key: string, state: ProviderState | TextPart[]): void {
    this.map.delete(key);
    this.map.set(key, state);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }

  /** Remember the state of an answer's parts the client will send back. */
  record(content: readonly AssistantContent[]): void {
    const texts: TextPart[] = [];
    for (const p of content) {
      if (p.type === 'text') texts.push(p);
      if (!('state' in p) || !p.state) continue;
      if (p.type === 'tool-call' && p.id) this.put(`call:${p.id}`, p.state);
      else if (p.type === 'reasoning') {
        // A Gemini thought travels as the thinking block's signature / the reasoning item's encrypted content (see result.ts).
        const opaque = p.signature ?? p.redactedData ?? p.state.thoughtSignature;
        if (opaque) this.put(`sig:${opaque}`, p.state);
      }
    }
    if (texts.some((t) => t.state?.thoughtSignature !== undefined)) this.put(`text:${turnKey(texts)}`, texts);
  }

  call(id: string): ProviderState | undefined {
    const v = this.map.get(`call:${id}`);
    return Array.isArray(v) ? undefined : v;
  }

  reasoning(signatureOrData: string): ProviderState | undefined {
    const v = this.map.get(`sig:${signatureOrData}`);
    return Array.isArray(v) ? undefined : v;
  }

  /** The text parts (with their signatures) of an answer whose text was exactly these parts' text. */
  text(parts: readonly TextPart[]): TextPart[] | undefined {
    const v = this.map.get(`text:${turnKey(parts)}`);
    return Array.isArray(v) ? v : undefined;
  }
}

function turnKey(parts: readonly TextPart[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p.text);
  return h.digest('base64url');
}

/** How a door's parser finds the state of a part the client sent back. */
export interface StateLookup {
  call(id: string): ProviderState | undefined;
  reasoning(signatureOrData: string): ProviderState | undefined;
  /** The signed text parts of an earlier answer with this text (see StateCache). */
  text?(parts: readonly TextPart[]): TextPart[] | undefined;
  /** The origin to assume for a signature the gateway never handed out (the client's model, unaliased). */
  fallbackOrigin: string;
}

export const noStates = (origin: string): StateLookup => ({ call: () => undefined, reasoning: () => undefined, fallbackOrigin: origin });

/**
 * Assistant turns the client sent back whose text is an answer the gateway handed out with signed
 * text parts (Gemini): their text parts, contiguous, are replaced by that answer's parts. Turns with
 * text split around other parts, or text the gateway never saw, stay as they are.
 */
export function restoreTextState(messages: ChatMessage[], states: StateLookup): void {
  if (!states.text) return;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    if (m.role !== 'assistant' || typeof m.content === 'string') continue;
    const first = m.content.findIndex((p) => p.type === 'text');
    if (first < 0) continue;
    let end = first;
    while (end < m.content.length && m.content[end]!.type === 'text') end++;
    if (m.content.slice(end).some((p) => p.type === 'text')) continue;
    const found = states.text(m.content.slice(first, end) as TextPart[]);
    if (found) messages[i] = { ...m, content: [...m.content.slice(0, first), ...found, ...m.content.slice(end)] };
  }
}
