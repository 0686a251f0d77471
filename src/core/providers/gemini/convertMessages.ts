import type { ChatMessage } from '../../types.ts';
import { parseDataUrl, systemText } from '../shared.ts';

type GeminiPart = { text: string } | { inlineData: { mimeType: string; data: string } } | { fileData: { fileUri: string } };

/** Our messages → Gemini contents (roles user|model, consecutive turns merged) and systemInstruction. */
export function toGeminiPrompt(messages: ChatMessage[]): { systemInstruction: { parts: { text: string }[] } | null; contents: { role: 'user' | 'model'; parts: GeminiPart[] }[] } {
  const contents: { role: 'user' | 'model'; parts: GeminiPart[] }[] = [];
  for (const m of messages) {
    if (m.role === 'system') continue;
    const role = m.role === 'assistant' ? 'model' : 'user';
    const parts: GeminiPart[] = [];
    if (typeof m.content === 'string') {
      if (m.content.length > 0) parts.push({ text: m.content });
    } else {
      for (const p of m.content) {
        if (p.type === 'text') {
          if (p.text.length > 0) parts.push({ text: p.text });
        } else {
          const data = parseDataUrl(p.image_url.url);
          parts.push(data ? { inlineData: { mimeType: data.mediaType, data: data.data } } : { fileData: { fileUri: p.image_url.url } });
        }
      }
    }
    if (parts.length === 0) continue;
    const last = contents[contents.length - 1];
    if (last && last.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  }
  const sys = systemText(messages);
  return { systemInstruction: sys ? { parts: [{ text: sys }] } : null, contents };
}
