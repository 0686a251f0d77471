/** What both doors read from a finished answer. */
import type { AssistantContent } from '../../core/index.ts';
import type { ChatResult } from '../../core/index.ts';

/** The assistant turn as ordered parts (reasoning with signatures, text, tool calls). */
export function assistantContent(r: ChatResult): AssistantContent[] {
  return r.content;
}

/** Warnings the core attached to the result (hints it could not honour, a clamped temperature). */
export function resultWarnings(r: ChatResult): string[] {
  return r.warnings;
}

export const randomId = (prefix: string): string => `${prefix}${crypto.randomUUID().replace(/-/g, '').slice(0, 24)}`;
