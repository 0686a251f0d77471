/** What both doors read from a finished answer: the assistant turn in order. */
import type { AssistantContent } from '../../core/request.ts';
import type { ChatResult } from '../../core/types.ts';

/** The assistant turn as ordered parts: the core's `content` when it has one, else rebuilt from text, reasoning and tool calls. */
export function assistantContent(r: ChatResult): AssistantContent[] {
  const ordered = (r as ChatResult & { content?: AssistantContent[] }).content;
  if (Array.isArray(ordered)) return ordered;
  const out: AssistantContent[] = [];
  if (r.reasoning) out.push({ type: 'reasoning', text: r.reasoning });
  if (r.text) out.push({ type: 'text', text: r.text });
  for (const t of r.toolCalls) out.push({ type: 'tool-call', id: t.id, name: t.name, arguments: t.arguments });
  return out;
}

/** Warnings the core attached to the result (hints it could not honour). */
export function resultWarnings(r: ChatResult): string[] {
  const w = (r as ChatResult & { warnings?: string[] }).warnings;
  return Array.isArray(w) ? w : [];
}

export const randomId = (prefix: string): string => `${prefix}${crypto.randomUUID().replace(/-/g, '').slice(0, 24)}`;
