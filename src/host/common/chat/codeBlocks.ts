/**
 * The code blocks of an answer, in the order the chat view renders them (the same markdown parser,
 * marked, finds them, so block N here is block N on screen). Pure (no 'vscode').
 */
import { Lexer, type Token } from 'marked';

export interface CodeBlock {
  lang: string;
  text: string;
}

function walk(tokens: readonly Token[], out: CodeBlock[]): void {
  for (const t of tokens) {
    if (t.type === 'code') {
      out.push({ lang: (t.lang ?? '').trim().split(/\s+/)[0] ?? '', text: t.text });
      continue;
    }
    const any = t as { tokens?: Token[]; items?: { tokens?: Token[] }[] };
    if (any.items) for (const item of any.items) walk(item.tokens ?? [], out);
    if (any.tokens) walk(any.tokens, out);
  }
}

export function codeBlocks(markdown: string): CodeBlock[] {
  const out: CodeBlock[] = [];
  walk(new Lexer({ gfm: true, breaks: false }).lex(markdown), out);
  return out;
}
