import type { ChatMessage } from '../../types.ts';
import { parseDataUrl, systemText } from '../shared.ts';

/**
 * Our messages → Anthropic's: system goes to a top-level field, consecutive turns of the
 * same role are merged (the API requires alternation), images become image blocks.
 */
export function toAnthropicPrompt(messages: ChatMessage[]): { system: string | null; messages: { role: 'user' | 'assistant'; content: unknown[] }[] } {
  const out: { role: 'user' | 'assistant'; content: unknown[] }[] = [];
  for (const m of messages) {
    if (m.role === 'system') continue;
    const blocks: unknown[] = [];
    if (typeof m.content === 'string') {
      if (m.content.length > 0) blocks.push({ type: 'text', text: m.content });
    } else {
      for (const p of m.content) {
        if (p.type === 'text') {
          if (p.text.length > 0) blocks.push({ type: 'text', text: p.text });
        } else {
          const data = parseDataUrl(p.image_url.url);
          blocks.push(data ? { type: 'image', source: { type: 'base64', media_type: data.mediaType, data: data.data } } : { type: 'image', source: { type: 'url', url: p.image_url.url } });
        }
      }
    }
    if (blocks.length === 0) continue;
    const last = out[out.length - 1];
    if (last && last.role === m.role) last.content.push(...blocks);
    else out.push({ role: m.role, content: blocks });
  }
  return { system: systemText(messages), messages: out };
}
