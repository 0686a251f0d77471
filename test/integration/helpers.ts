/** Shared helpers of the integration tests (not a test file itself). */
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { SwitchboardApi } from '../../src/host/activate.ts';
import type { SwitchboardServices } from '../../src/host/main.ts';

export const EXTENSION_ID = 'switchboard.switchboard';

export async function api(): Promise<SwitchboardApi> {
  const ext = vscode.extensions.getExtension<SwitchboardApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not installed`);
  return ext.activate();
}

export async function services(): Promise<SwitchboardServices> {
  return (await api()).services();
}

/**
 * The notifications shown from now on (earlier tests' notices may say the same thing). Marked by
 * the last notice object, not a count: the notifier keeps only its latest 100.
 */
export function noticesFromNow(s: SwitchboardServices): () => ReturnType<SwitchboardServices['notices']> {
  const mark = s.notices().at(-1);
  return () => {
    const all = s.notices();
    return all.slice(mark ? all.lastIndexOf(mark) + 1 : 0);
  };
}

/** Polls `check` until it returns a truthy value (returned), or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Sets `switchboard.<key>` in the user settings (undefined removes it) and waits for the extension to see it. */
export async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('switchboard').update(key, value, vscode.ConfigurationTarget.Global);
  await new Promise((r) => setTimeout(r, 50));
}

export async function resetSettings(): Promise<void> {
  for (const k of ['providers', 'defaultModel', 'routes', 'budget', 'timeouts', 'retries', 'pricing', 'capabilities', 'verboseLogging']) {
    if (vscode.workspace.getConfiguration('switchboard').inspect(k)?.globalValue !== undefined) await setSetting(k, undefined);
  }
}

const EXTENSIONS: Record<string, string> = { javascript: 'js', typescript: 'ts', python: 'py', markdown: 'md' };
let fileCounter = 0;

/**
 * Opens a new file of the test workspace with `content` (a real file: untitled documents get their
 * names reused, and a reused name can briefly show the old text).
 */
export async function openFile(content: string, language: string): Promise<vscode.TextEditor> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!folder) throw new Error('the integration tests need a workspace folder');
  const uri = vscode.Uri.joinPath(folder, `sb-test-${process.pid}-${++fileCounter}.${EXTENSIONS[language] ?? 'txt'}`);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(content));
  const doc = await vscode.workspace.openTextDocument(uri);
  if (doc.languageId !== language) await vscode.languages.setTextDocumentLanguage(doc, language);
  return vscode.window.showTextDocument(doc);
}

/** Opens a new file and selects lines [from, to] (1-based, inclusive). */
export async function editorWithSelection(content: string, language: string, from: number, to: number): Promise<vscode.TextEditor> {
  const editor = await openFile(content, language);
  const end = editor.document.lineAt(to - 1).range.end;
  editor.selection = new vscode.Selection(new vscode.Position(from - 1, 0), end);
  return editor;
}

/** Closes every editor without saving (changed documents are reverted first, so no dialog asks). */
export async function closeAllEditors(): Promise<void> {
  for (const doc of vscode.workspace.textDocuments) {
    if (doc.isDirty && (doc.isUntitled || doc.uri.scheme === 'file')) {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** Every file named like the Switchboard output channel's log under the harness's user-data dir. */
export function switchboardLogs(): string[] {
  // The harness sets XDG_DATA_HOME=<root>/xdg-data and --user-data-dir <root>/user-data.
  const data = process.env.XDG_DATA_HOME;
  if (!data) return [];
  const roots = [join(dirname(data), 'user-data', 'logs')];
  const out: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > 8) return;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(dir, n);
      let st;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(p, depth + 1);
      else if (/switchboard/i.test(p) && n.endsWith('.log')) out.push(p);
    }
  };
  for (const r of roots) walk(r, 0);
  return out;
}
