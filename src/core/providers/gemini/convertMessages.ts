import type { ChatMessage, ImagePart, ToolResultPart, UserContent } from '../../types.ts';
import { contentPath, parseArguments, partsText, textOf, unsupported } from '../shared.ts';
import { isGeneratedId } from './callIds.ts';

export type GeminiPart = Record<string, unknown>;
export interface GeminiContent {
  role: 'user' | 'model';
  parts: GeminiPart[];
}

const EXT_MIME: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
  pdf: 'application/pdf',
};

/**
 * Our messages → Gemini contents (roles user|model, consecutive turns merged) and systemInstruction.
 * Tool calls become `functionCall` parts and tool results `functionResponse` parts (in a user turn,
 * `{output}` or `{error}` as Gemini documents), named after their call. A `thoughtSignature` goes
 * back on the part it came on. Reasoning goes back only as a signed thought part; unsigned
 * reasoning is the model's scratchpad and is left out.
 */
/**
 * Google's documented stand-in signature for a function call Gemini did not make (a history from
 * another model, or whose signature was stripped as foreign): Gemini 3 refuses an unsigned call.
 */
export const SKIP_SIGNATURE = 'skip_thought_signature_validator';

export function toGeminiPrompt(
  messages: readonly ChatMessage[],
  provider: string,
  model: string,
): { systemInstruction: { parts: { text: string }[] } | null; contents: GeminiContent[] } {
  const contents: GeminiContent[] = [];
  const system: { text: string }[] = [];
  /** Call id → name, from the assistant turns so far (a tool result need not repeat the name). */
  const callNames = new Map<string, string>();
  const push = (role: 'user' | 'model', parts: GeminiPart[]): void => {
    if (parts.length === 0) return;
    const last = contents[contents.length - 1];
    if (last && last.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };
  for (const [i, m] of messages.entries()) {
    switch (m.role) {
      case 'system': {
        const t = textOf(m.content);
        if (t.length > 0) system.push({ text: t });
        break;
      }
      case 'user':
        push(
          'user',
          typeof m.content === 'string'
            ? m.content.length > 0
              ? [{ text: m.content }]
              : []
            : m.content.flatMap((p, j) => userPart(p, provider, model, contentPath(i, j))),
        );
        break;
      case 'assistant': {
        if (typeof m.content === 'string') {
          push('model', m.content.length > 0 ? [{ text: m.content }] : []);
          break;
        }
        const parts: GeminiPart[] = [];
        // Gemini signs only the first of parallel calls: a turn with a signed call needs no stand-in.
        const signedTurn = m.content.some((p) => p.type === 'tool-call' && p.state?.thoughtSignature !== undefined);
        for (const p of m.content) {
          const sig = p.state?.thoughtSignature;
          if (p.type === 'text') {
            if (p.text.length > 0 || sig !== undefined) parts.push(sig !== undefined ? { text: p.text, thoughtSignature: sig } : { text: p.text });
          } else if (p.type === 'reasoning') {
            if (sig !== undefined) parts.push({ text: p.text, thought: true, thoughtSignature: sig });
          } else {
            callNames.set(p.id, p.name);
            const fc: Record<string, unknown> = { name: p.name, args: parseArguments(p.arguments, provider, model, p.name) };
            if (!isGeneratedId(p.id)) fc.id = p.id;
            const signature = sig ?? (!signedTurn && /gemini-3/.test(model) ? SKIP_SIGNATURE : undefined);
            parts.push(signature !== undefined ? { functionCall: fc, thoughtSignature: signature } : { functionCall: fc });
          }
        }
        push('model', parts);
        break;
      }
      case 'tool':
        push(
          'user',
          m.content.map((r, j) => functionResponse(r, callNames, provider, model, i, j)),
        );
        break;
    }
  }
  return { systemInstruction: system.length > 0 ? { parts: system } : null, contents };
}

function mimeOf(url: string): string | undefined {
  const m = /\.([a-z0-9]+)(?:[?#].*)?$/i.exec(url);
  return m ? EXT_MIME[m[1]!.toLowerCase()] : undefined;
}

function imagePart(p: ImagePart, provider: string, model: string, at: string): GeminiPart {
  if (p.source.type === 'base64') return { inlineData: { mimeType: p.source.mediaType, data: p.source.data } };
  const mimeType = mimeOf(p.source.url);
  if (!mimeType)
    throw unsupported(
      provider,
      model,
      at,
      `Gemini needs the media type of an image given by URL, and ${p.source.url.slice(0, 80)} has no known extension`,
      'send the image inline (base64 with its media type) or by a URL ending in .png/.jpg/.webp/.gif',
    );
  return { fileData: { mimeType, fileUri: p.source.url } };
}

function userPart(p: UserContent, provider: string, model: string, at: string): GeminiPart[] {
  switch (p.type) {
    case 'text':
      return p.text.length > 0 ? [{ text: p.text }] : [];
    case 'image':
      return [imagePart(p, provider, model, at)];
    case 'file':
      return [{ inlineData: { mimeType: p.mediaType, data: p.data } }];
  }
}

function functionResponse(r: ToolResultPart, callNames: Map<string, string>, provider: string, model: string, message: number, part: number): GeminiPart {
  const name = r.name ?? callNames.get(r.callId);
  if (!name)
    throw unsupported(
      provider,
      model,
      `${contentPath(message, part)}.name`,
      `the result for call "${r.callId}" has no tool name and no earlier assistant turn made that call`,
      'send the assistant turn with the tool call before its result, or give the result its tool name',
    );
  let text: string;
  if (typeof r.content === 'string') text = r.content;
  else {
    const item = r.content.findIndex((c) => c.type !== 'text');
    if (item >= 0)
      throw unsupported(
        provider,
        model,
        contentPath(message, part, item),
        'images in a function response are not supported for Gemini by Switchboard',
        'describe the image in text, or send it in a user message',
      );
    text = partsText(r.content);
  }
  const fr: Record<string, unknown> = { name, response: r.isError ? { error: text } : { output: text } };
  if (!isGeneratedId(r.callId)) fr.id = r.callId;
  return { functionResponse: fr };
}
