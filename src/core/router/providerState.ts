/**
 * Provider state (Anthropic thinking signatures and redacted thinking, Gemini thought signatures)
 * is bound to the model that made it (`state.origin`): another model refuses it, or worse, takes
 * it. Before a request goes to a model, state made elsewhere is stripped:
 * - reasoning parts from another model (or of unknown origin) are dropped whole — the model's
 *   scratchpad is not part of the conversation, and replaying it as text would put words in the
 *   new model's mouth; the visible answer (text, tool calls) stays;
 * - a `thoughtSignature` from another model is removed from its text or tool-call part, which stays.
 * Messages without foreign state are returned as they are (no copy).
 */
import type { AssistantContent, ChatMessage } from '../types.ts';

function foreign(part: AssistantContent, target: string): boolean {
  if (part.type === 'reasoning')
    return part.state?.origin !== target && (part.signature !== undefined || part.redactedData !== undefined || part.state !== undefined);
  return part.state !== undefined && part.state.origin !== target;
}

export function stripForeignState(messages: ChatMessage[], target: string): ChatMessage[] {
  let out: ChatMessage[] | null = null;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    if (m.role !== 'assistant' || typeof m.content === 'string' || !m.content.some((p) => foreign(p, target))) continue;
    out ??= messages.slice();
    const content: AssistantContent[] = [];
    for (const p of m.content) {
      if (!foreign(p, target)) content.push(p);
      else if (p.type !== 'reasoning') {
        const { state: _drop, ...rest } = p;
        content.push(rest);
      }
    }
    out[i] = { ...m, content };
  }
  return out ?? messages;
}

/** The models whose state `stripForeignState` would take out for `target` ("an unknown model" for state of unknown origin). */
export function foreignOrigins(messages: readonly ChatMessage[], target: string): string[] {
  const out = new Set<string>();
  for (const m of messages) {
    if (m.role !== 'assistant' || typeof m.content === 'string') continue;
    for (const p of m.content) if (foreign(p, target)) out.add(p.state?.origin ?? 'an unknown model');
  }
  return [...out];
}
