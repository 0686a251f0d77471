import type { ChatMessage } from '../../types.ts';

/** Our messages are already OpenAI-shaped; copy only the fields the API knows. */
export function toOpenAIMessages(messages: ChatMessage[]): unknown[] {
  return messages.map((m) => ({ role: m.role, content: m.content }));
}
