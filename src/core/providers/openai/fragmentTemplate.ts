/**
 * Tool-call argument fragments are the bulk of an agent's stream: thousands of events that differ
 * only in one JSON string (`…"function":{"arguments":"<fragment>"}}]},…`). After one such event has
 * been parsed in full and found to be exactly one fragment and nothing else, the text around its
 * string is kept as a template; a later event that is that template with another string gets only
 * the string parsed. Anything else, or a middle that is not exactly one JSON string, takes the full
 * parse. Streams without tool calls never build a template and pay nothing.
 */
const KEY = '"arguments":';
/** The same trick for plain text answers: events that differ only in `"content":"<text>"`. */
export const CONTENT_KEY = '"content":';
const QUOTE = 34;
const BACKSLASH = 92;

export class FragmentTemplate {
  private readonly prefix: string;
  private readonly suffix: string;
  /** The tool call's index in every event matching this template. */
  readonly index: number;

  private constructor(prefix: string, suffix: string, index: number) {
    this.prefix = prefix;
    this.suffix = suffix;
    this.index = index;
  }

  /** A template from a fully parsed event that carried exactly one argument fragment; null if its text is not in the expected form. */
  static learn(data: string, index: number, key: string = KEY): FragmentTemplate | null {
    const at = data.lastIndexOf(key);
    if (at < 0) return null;
    const start = at + key.length;
    if (data.charCodeAt(start) !== QUOTE) return null;
    let end = start + 1;
    for (; end < data.length; end++) {
      const c = data.charCodeAt(end);
      if (c === BACKSLASH) end++;
      else if (c === QUOTE) break;
    }
    if (end >= data.length) return null;
    return new FragmentTemplate(data.slice(0, start), data.slice(end + 1), index);
  }

  /** The fragment when `data` is this template with another string in it; undefined otherwise. */
  match(data: string): string | undefined {
    const p = this.prefix;
    const s = this.suffix;
    // Equality of slices, not startsWith/endsWith: V8 compares two-byte strings (any non-Latin-1
    // text in the network read) several times faster this way (bench A2).
    if (data.length < p.length + s.length + 2 || data.slice(data.length - s.length) !== s || data.slice(0, p.length) !== p) return undefined;
    const from = p.length;
    const to = data.length - s.length - 1;
    if (data.charCodeAt(from) !== QUOTE || data.charCodeAt(to) !== QUOTE) return undefined;
    // Most fragments have no escapes: take the characters as they are. A raw quote or control
    // character would be malformed (the full parse reports it); escapes go through JSON.parse.
    for (let i = from + 1; i < to; i++) {
      const c = data.charCodeAt(i);
      if (c === BACKSLASH) return parseString(data.slice(from, to + 1));
      if (c === QUOTE || c < 0x20) return undefined;
    }
    return data.slice(from + 1, to);
  }
}

/** JSON.parse yields a string only when the text is exactly one string literal ("a","b" fails). */
function parseString(literal: string): string | undefined {
  let v: unknown;
  try {
    v = JSON.parse(literal);
  } catch {
    return undefined;
  }
  return typeof v === 'string' ? v : undefined;
}

/** True when a parsed chunk is one argument fragment and nothing else (the only shape worth a template). */
export function isBareFragment(chunk: Record<string, unknown>, choice: Record<string, unknown>, delta: Record<string, unknown>, toolCalls: unknown[]): boolean {
  if (toolCalls.length !== 1 || chunk.usage != null || chunk.error != null || (chunk.choices as unknown[]).length !== 1) return false;
  if (choice.finish_reason != null || delta.content != null || delta.reasoning_content != null || delta.reasoning != null) return false;
  const t = toolCalls[0];
  if (typeof t !== 'object' || t === null) return false;
  const call = t as Record<string, unknown>;
  const fn = call.function;
  if (typeof fn !== 'object' || fn === null) return false;
  const f = fn as Record<string, unknown>;
  if (typeof f.arguments !== 'string' || call.id !== undefined || f.name !== undefined) return false;
  for (const k in delta) if (k !== 'tool_calls' && k !== 'role' && delta[k] != null) return false;
  for (const k in f) if (k !== 'arguments') return false;
  for (const k in call) if (k !== 'index' && k !== 'function' && k !== 'type') return false;
  return true;
}

/**
 * True when a parsed chunk is one non-empty text delta and nothing else the decoder reads, and its
 * text names `"content":` once (so the learned string is the delta's content, not a lookalike key
 * such as logprobs' `content`).
 */
export function isBareText(data: string, chunk: Record<string, unknown>, choice: Record<string, unknown>, delta: Record<string, unknown>): boolean {
  if (typeof delta.content !== 'string' || delta.content.length === 0) return false;
  if (chunk.usage != null || chunk.error != null || chunk.x_groq != null || (chunk.choices as unknown[]).length !== 1 || choice.finish_reason != null)
    return false;
  for (const k in delta) if (k !== 'content' && k !== 'role' && delta[k] != null) return false;
  return data.indexOf(CONTENT_KEY) === data.lastIndexOf(CONTENT_KEY);
}
