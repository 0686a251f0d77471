/** A document range as the prompts quote it (the chat's chips and the selection commands share it). */
import * as vscode from 'vscode';
import type { CodeSelection } from './common/prompts.ts';

/** The text of `range` with the workspace-relative file name, the language and 1-based lines. */
export function snippetOf(doc: vscode.TextDocument, range: vscode.Range): CodeSelection {
  const fileName = doc.isUntitled ? doc.fileName : vscode.workspace.asRelativePath(doc.uri, false);
  // A range ending at column 0 of a line does not include that line.
  const endLine = range.end.character === 0 && range.end.line > range.start.line ? range.end.line : range.end.line + 1;
  return { fileName, languageId: doc.languageId, text: doc.getText(range), startLine: range.start.line + 1, endLine };
}
