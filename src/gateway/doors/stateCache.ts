/**
 * Provider state the doors' wire shapes cannot carry, kept by the gateway between turns.
 * Anthropic's tool_use and Responses' function_call have no slot for Gemini's thoughtSignature,
 * and neither says which model made a thinking signature (a route or an alias hides it). The
 * gateway remembers both for what it handed out — keyed by tool-call id and by signature — and
 * puts them back when the client sends that turn again. Bounded (least recently used out).
 */
import type { AssistantContent, ProviderState } from '../../core/index.ts';

export class StateCache {
  private readonly map = new Map<string, ProviderState>();
  private readonly max: number;

  constructor(max = 20_000) {
    this.max = max;
  }

  private put(key: string, state: ProviderState): void {
    this.map.delete(key);
    this.map.set(key, state);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }

  /** Remember the state of an answer's parts the client will send back. */
  record(content: readonly AssistantContent[]): void {
    for (const p of content) {
      if (!('state' in p) || !p.state) continue;
      if (p.type === 'tool-call' && p.id) this.put(`call:${p.id}`, p.state);
      else if (p.type === 'reasoning' && (p.signature ?? p.redactedData)) this.put(`sig:${p.signature ?? p.redactedData}`, p.state);
    }
  }

  call(id: string): ProviderState | undefined {
    return this.map.get(`call:${id}`);
  }

  reasoning(signatureOrData: string): ProviderState | undefined {
    return this.map.get(`sig:${signatureOrData}`);
  }
}

/** How a door's parser finds the state of a part the client sent back. */
export interface StateLookup {
  call(id: string): ProviderState | undefined;
  reasoning(signatureOrData: string): ProviderState | undefined;
  /** The origin to assume for a signature the gateway never handed out (the client's model, unaliased). */
  fallbackOrigin: string;
}

export const noStates = (origin: string): StateLookup => ({ call: () => undefined, reasoning: () => undefined, fallbackOrigin: origin });
