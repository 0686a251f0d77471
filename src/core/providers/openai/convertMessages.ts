import type { ChatMessage, ImageDetail, ImagePart, TextPart, ToolResultPart } from '../../types.ts';
import { contentPath, errorMarked, textOf, unsupported } from '../shared.ts';

/**
 * Our messages → Chat Completions messages. Native: assistant `tool_calls`, one `role: "tool"`
 * message per tool result with its `tool_call_id`, `name` on user/assistant turns.
 * Reasoning parts are not sent: Chat Completions has no field for them (the model's own
 * reasoning is not an input there). Tool results' `isError` has no field either: an error result's
 * text says so (errorMarked).
 */
export function toOpenAIMessages(messages: readonly ChatMessage[], provider: string, model: string): unknown[] {
  const out: unknown[] = [];
  // "original" (no downscaling) is OpenAI's own detail value: other Chat Completions APIs get their highest, "high" (openaiBody says so).
  const detail = (d: ImageDetail | undefined): ImageDetail | undefined => (d === 'original' && provider !== 'openai' ? 'high' : d);
  const callId = provider === 'mistral' ? mistralCallId : (id: string): string => id;
  for (const [i, m] of messages.entries()) {
    switch (m.role) {
      case 'system':
        out.push({ role: 'system', content: textOf(m.content) });
        break;
      case 'user': {
        const msg: Record<string, unknown> = {
          role: 'user',
          content: typeof m.content === 'string' ? m.content : m.content.map((p, j) => userPart(p, provider, model, detail, contentPath(i, j))),
        };
        if (m.name !== undefined) msg.name = m.name;
        out.push(msg);
        break;
      }
      case 'assistant': {
        const msg: Record<string, unknown> = { role: 'assistant' };
        if (typeof m.content === 'string') msg.content = m.content;
        else {
          const text = textOf(m.content);
          const calls = m.content.filter((p) => p.type === 'tool-call');
          msg.content = text.length > 0 || calls.length === 0 ? text : null;
          // OpenRouter: the reasoning details of the model behind it go back as received.
          const details = provider === 'openrouter' ? m.content.flatMap((p) => (p.type === 'reasoning' ? (p.state?.openrouterReasoning ?? []) : [])) : [];
          if (details.length > 0) msg.reasoning_details = details;
          if (calls.length > 0) msg.tool_calls = calls.map((c) => ({ id: callId(c.id), type: 'function', function: { name: c.name, arguments: c.arguments } }));
        }
        if (m.name !== undefined) msg.name = m.name;
        out.push(msg);
        break;
      }
      case 'tool':
        for (const [j, r] of m.content.entries())
          out.push({ role: 'tool', tool_call_id: callId(r.callId), content: toolResultContent(r, provider, model, i, j) });
        break;
    }
  }
  return out;
}

function userPart(
  p: TextPart | ImagePart | { type: 'file'; data: string; mediaType: string; filename?: string },
  provider: string,
  model: string,
  detailFor: (d: ImageDetail | undefined) => ImageDetail | undefined,
  at: string,
): unknown {
  switch (p.type) {
    case 'text':
      return { type: 'text', text: p.text };
    case 'image': {
      const url = p.source.type === 'url' ? p.source.url : `data:${p.source.mediaType};base64,${p.source.data}`;
      const detail = detailFor(p.detail);
      return { type: 'image_url', image_url: detail !== undefined ? { url, detail } : { url } };
    }
    case 'file':
      if (p.mediaType !== 'application/pdf')
        throw unsupported(provider, model, at, `Chat Completions takes PDF files only, not ${p.mediaType}`, 'send the document as text or as a PDF');
      return { type: 'file', file: { ...(p.filename !== undefined ? { filename: p.filename } : {}), file_data: `data:${p.mediaType};base64,${p.data}` } };
  }
}

function toolResultContent(r: ToolResultPart, provider: string, model: string, message: number, part: number): string | unknown[] {
  if (typeof r.content === 'string') return errorMarked(r.content, r.isError);
  return r.content.map((c, i) => {
    if (c.type !== 'text')
      throw unsupported(
        provider,
        model,
        contentPath(message, part, i),
        'a tool message takes text only in Chat Completions',
        'describe the image in text, or send it in a user message',
      );
    return { type: 'text', text: i === 0 ? errorMarked(c.text, r.isError) : c.text };
  });
}

/**
 * Mistral takes tool call ids of exactly 9 letters and digits only. Ids made elsewhere
 * (`toolu_…`, `call_…`, `gcall_…`) are mapped to 9 such characters derived from the id, the same on
 * the call and on its result, so the pairing survives a conversation that moved to Mistral.
 */
export function mistralCallId(id: string): string {
  if (/^[A-Za-z0-9]{9}$/.test(id)) return id;
  const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let h1 = 0x811c9dc5;
  let h2 = 0x9e3779b9;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x85ebca6b) >>> 0;
  }
  let out = '';
  for (let i = 0; i < 9; i++) {
    const h = i < 5 ? h1 : h2;
    out += ALPHABET[(h >>> ((i % 5) * 6)) % 62];
  }
  return out;
}
