import type { CacheHint, ChatMessage, ImagePart, ReasoningPart, ToolResultPart, UserContent } from '../../types.ts';
import { contentPath, parseArguments, unsupported } from '../shared.ts';

type Block = Record<string, unknown>;
export interface AnthropicTurn {
  role: 'user' | 'assistant';
  content: Block[];
}

/** Text with something besides whitespace in it. */
const hasText = (s: string): boolean => s.trim().length > 0;

/** Media types Anthropic takes as a `document` block. */
const DOCUMENT_TYPES = new Set(['application/pdf', 'text/plain']);

/**
 * Our messages → Anthropic's: system goes to top-level blocks; tool results become `tool_result`
 * blocks in a user turn (consecutive results and the user text after them share ONE user turn,
 * results first, as the API requires); assistant tool calls become `tool_use` blocks; thinking
 * goes back as `thinking` (with its signature) or `redacted_thinking`, unchanged. Unsigned
 * reasoning cannot go back (the API refuses thinking without a signature) and is left out:
 * it is the model's scratchpad, not part of the conversation.
 */
export function toAnthropicPrompt(
  messages: readonly ChatMessage[],
  provider: string,
  model: string,
  systemCache?: CacheHint,
): { system: string | Block[] | null; messages: AnthropicTurn[] } {
  const out: AnthropicTurn[] = [];
  const system: Block[] = [];
  const push = (role: 'user' | 'assistant', blocks: Block[]): void => {
    if (blocks.length === 0) return;
    const last = out[out.length - 1];
    if (last && last.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  };
  for (const [i, m] of messages.entries()) {
    switch (m.role) {
      case 'system':
        if (typeof m.content === 'string') {
          if (m.content.length > 0) system.push({ type: 'text', text: m.content });
        } else for (const p of m.content) if (p.text.length > 0) system.push(withCache({ type: 'text', text: p.text }, p.cache));
        break;
      case 'user':
        push(
          'user',
          typeof m.content === 'string'
            ? m.content.length > 0
              ? [{ type: 'text', text: m.content }]
              : []
            : m.content.flatMap((p, j) => userBlock(p, provider, model, contentPath(i, j))),
        );
        break;
      case 'assistant': {
        // An earlier answer's empty or whitespace-only text (a model that answered "\n" before its
        // tool calls) says nothing, and the API refuses it ("text content blocks must contain
        // non-whitespace text"): left out, as an empty one is.
        if (typeof m.content === 'string') {
          push('assistant', hasText(m.content) ? [{ type: 'text', text: m.content }] : []);
          break;
        }
        const blocks: Block[] = [];
        for (const p of m.content) {
          if (p.type === 'text') {
            if (hasText(p.text)) blocks.push(withCache({ type: 'text', text: p.text }, p.cache));
          } else if (p.type === 'reasoning') {
            const b = reasoningBlock(p);
            if (b) blocks.push(b);
          } else blocks.push({ type: 'tool_use', id: p.id, name: p.name, input: parseArguments(p.arguments, provider, model, p.name) });
        }
        push('assistant', blocks);
        break;
      }
      case 'tool':
        push('user', m.content.map(toolResultBlock));
        break;
    }
  }
  // Tool results must open their user turn: a user text merged before them moves after them.
  for (const t of out) {
    if (t.role !== 'user' || !t.content.some((b) => b.type === 'tool_result')) continue;
    t.content = [...t.content.filter((b) => b.type === 'tool_result'), ...t.content.filter((b) => b.type !== 'tool_result')];
  }
  if (systemCache && system.length > 0) system[system.length - 1] = withCache(system[system.length - 1]!, systemCache);
  // Plain text when nothing is cached (the common shape); blocks when a block carries cache_control.
  const sys = system.length === 0 ? null : system.some((b) => b.cache_control) ? system : system.map((b) => b.text as string).join('\n\n');
  return { system: sys, messages: out };
}

function reasoningBlock(p: ReasoningPart): Block | null {
  if (p.redactedData !== undefined) return { type: 'redacted_thinking', data: p.redactedData };
  if (p.signature !== undefined) return { type: 'thinking', thinking: p.text, signature: p.signature };
  return null;
}

export function withCache(block: Block, cache: CacheHint | undefined): Block {
  if (!cache) return block;
  return { ...block, cache_control: cache.ttl ? { type: 'ephemeral', ttl: cache.ttl } : { type: 'ephemeral' } };
}

function imageBlock(p: ImagePart): Block {
  return {
    type: 'image',
    source: p.source.type === 'url' ? { type: 'url', url: p.source.url } : { type: 'base64', media_type: p.source.mediaType, data: p.source.data },
  };
}

function userBlock(p: UserContent, provider: string, model: string, at: string): Block[] {
  switch (p.type) {
    case 'text':
      return p.text.length > 0 ? [withCache({ type: 'text', text: p.text }, p.cache)] : [];
    case 'image':
      return [imageBlock(p)];
    case 'file':
      if (!DOCUMENT_TYPES.has(p.mediaType))
        throw unsupported(provider, model, at, `Anthropic takes PDF and plain-text documents, not ${p.mediaType}`, 'send the document as text or as a PDF');
      return [
        { type: 'document', source: { type: 'base64', media_type: p.mediaType, data: p.data }, ...(p.filename !== undefined ? { title: p.filename } : {}) },
      ];
  }
}

function toolResultBlock(r: ToolResultPart): Block {
  const content = typeof r.content === 'string' ? r.content : r.content.map((c) => (c.type === 'text' ? { type: 'text', text: c.text } : imageBlock(c)));
  const b: Block = { type: 'tool_result', tool_use_id: r.callId, content };
  if (r.isError) b.is_error = true;
  return withCache(b, r.cache);
}
