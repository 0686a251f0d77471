/**
 * The prompts of the editor actions and the code an answer carries. Pure (no 'vscode').
 */

/** A selection as the editor actions send it. */
export interface CodeSelection {
  /** Workspace-relative path (or the document's name when it has no folder). */
  fileName: string;
  languageId: string;
  text: string;
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
}

export const PRESET_PROMPTS = {
  explain: 'Explain what this code does, step by step. Point out anything surprising.',
  review:
    'Review this code. List concrete problems (bugs, edge cases, security, performance, readability) with the line they are on, and suggest a fix for each. Keep it short; say so if there is nothing worth changing.',
} as const;

export const SYSTEM_PROMPT =
  'You are a helpful coding assistant inside VS Code. When you propose code, put it in one fenced code block with the language named.';

/** "src/a.ts:3-9 (typescript)" */
export function selectionLabel(s: CodeSelection): string {
  const lines = s.startLine === s.endLine ? `${s.startLine}` : `${s.startLine}-${s.endLine}`;
  return `${s.fileName}:${lines} (${s.languageId})`;
}

/** A fence longer than any backtick run inside the code, so the block cannot be closed early. */
function fenceFor(text: string): string {
  let longest = 0;
  for (const m of text.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return '`'.repeat(Math.max(3, longest + 1));
}

/** The user message of an editor action: the question, then the file, its language and the code. */
export function selectionMessage(question: string, s: CodeSelection): string {
  const fence = fenceFor(s.text);
  return `${question.trim()}\n\nFile: ${s.fileName} (lines ${s.startLine}-${s.endLine})\nLanguage: ${s.languageId}\n\n${fence}${s.languageId}\n${s.text}\n${fence}`;
}

/**
 * The code to apply from an answer: the first fenced block's body, else the whole answer.
 * An unclosed block (a cut-off stream) counts up to the end.
 */
export function extractCode(answer: string): string {
  const open = /^[ \t]*(`{3,}|~{3,})[^\n]*\n/m.exec(answer);
  if (!open) return answer.trim();
  const fence = open[1]!;
  const start = open.index + open[0].length;
  const rest = answer.slice(start);
  const close = new RegExp(`^[ \\t]*${fence[0] === '`' ? '`' : '~'}{${fence.length},}[ \\t]*$`, 'm').exec(rest);
  const body = close ? rest.slice(0, close.index) : rest;
  return body.replace(/\n$/, '');
}
