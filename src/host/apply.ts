/**
 * Putting an answer's code into an editor: insert at the cursor, replace the selection it was
 * asked about, or show the change as a diff (the original file against a read-only proposal)
 * with an "Accept" action in the diff editor's title bar.
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { ApplyMode } from '../shared/protocol/chat.ts';
import { extractCode } from './common/prompts.ts';

export const PROPOSAL_SCHEME = 'switchboard-proposal';

/** Equal but for line endings (VS Code writes the code with the document's). */
const sameText = (a: string, b: string): boolean => a.replace(/\r\n/g, '\n') === b.replace(/\r\n/g, '\n');

/** Where an answer goes: the document and selection it was asked about (null: the active editor). */
export interface ApplyTarget {
  uri: vscode.Uri;
  range: vscode.Range;
  /** The selected text when asked, to notice that the document changed since. */
  original: string;
}

interface Proposal {
  target: ApplyTarget;
  code: string;
  documentUri: vscode.Uri;
  proposalUri: vscode.Uri;
}

interface Host {
  tell(level: 'info' | 'warning' | 'error', text: string): void;
  log: vscode.LogOutputChannel;
}

export class Applier implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly host: Host;
  private readonly proposals = new Map<string, Proposal>();
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private lastEditor: vscode.TextEditor | undefined = vscode.window.activeTextEditor;
  private readonly subs: vscode.Disposable[];
  private counter = 0;

  constructor(host: Host) {
    this.host = host;
    this.subs = [
      vscode.workspace.registerTextDocumentContentProvider(PROPOSAL_SCHEME, this),
      vscode.window.onDidChangeActiveTextEditor((e) => {
        if (e && e.document.uri.scheme !== PROPOSAL_SCHEME) this.lastEditor = e;
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (d.uri.scheme === PROPOSAL_SCHEME) {
          this.proposals.delete(d.uri.toString());
          this.contents.delete(d.uri.toString());
        }
      }),
    ];
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  /** The editor an answer without a target applies to: the active one, else the last one used. */
  private fallbackEditor(): vscode.TextEditor | undefined {
    const active = vscode.window.activeTextEditor;
    if (active && active.document.uri.scheme !== PROPOSAL_SCHEME) return active;
    return this.lastEditor && !this.lastEditor.document.isClosed ? this.lastEditor : undefined;
  }

  private async editorFor(target: ApplyTarget | null): Promise<vscode.TextEditor | undefined> {
    if (!target) return this.fallbackEditor();
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === target.uri.toString());
    if (visible) return vscode.window.showTextDocument(visible.document, { viewColumn: visible.viewColumn, preserveFocus: false });
    const doc = await vscode.workspace.openTextDocument(target.uri);
    return vscode.window.showTextDocument(doc);
  }

  /**
   * The range to replace: the asked-about selection where its text still is (moved by edits above it:
   * found again when it occurs once), else the editor's selection. Undefined when the asked-about code
   * cannot be found and nothing is selected: replacing "the selection" would then insert at the cursor.
   */
  private replaceRange(editor: vscode.TextEditor, target: ApplyTarget | null): vscode.Range | undefined {
    if (!target || editor.document.uri.toString() !== target.uri.toString()) return editor.selection;
    const doc = editor.document;
    if (doc.getText(target.range) === target.original) return target.range;
    const text = doc.getText();
    const at = target.original ? text.indexOf(target.original) : -1;
    if (at >= 0 && text.indexOf(target.original, at + 1) < 0) return new vscode.Range(doc.positionAt(at), doc.positionAt(at + target.original.length));
    return editor.selection.isEmpty ? undefined : editor.selection;
  }

  /** Says why the code cannot go into `doc` (a read-only file system's) and returns false; true when it may. */
  private writable(doc: vscode.TextDocument): boolean {
    if (vscode.workspace.fs.isWritableFileSystem(doc.uri.scheme) !== false) return true;
    this.readOnly(doc);
    return false;
  }

  private readOnly(doc: vscode.TextDocument): false {
    this.host.tell(
      'warning',
      `Switchboard: ${basename(doc.uri.path) || doc.uri.toString(true)} is read-only; the code was not put in. Copy it from the answer instead.`,
    );
    return false;
  }

  private changedSince(doc: vscode.TextDocument): false {
    this.host.tell(
      'warning',
      `Switchboard: the code you asked about in ${basename(doc.uri.path) || 'the document'} changed since, and nothing is selected: select the code to replace and try again.`,
    );
    return false;
  }

  /**
   * Puts `code` over `range` of the editor's document and checks that the text changed: VS Code
   * accepts an edit of a virtual (content provider's) document and changes nothing, and refuses one
   * of a read-only editor.
   */
  private edit(editor: vscode.TextEditor, range: vscode.Range, code: string): Promise<boolean> {
    return this.checkedEdit(editor.document, range, code, () => editor.edit((b) => (range.isEmpty ? b.insert(range.start, code) : b.replace(range, code))));
  }

  /** Runs `apply` (an edit of `range` of `doc` to `code`); false, said, when it was refused or changed nothing. */
  private async checkedEdit(doc: vscode.TextDocument, range: vscode.Range, code: string, apply: () => Thenable<boolean>): Promise<boolean> {
    const before = doc.getText();
    const same = sameText(doc.getText(range), code);
    const ok = await apply();
    if (ok && (same || doc.getText() !== before)) return true;
    this.host.log.warn(`The edit of ${doc.uri.toString(true)} was ${ok ? 'accepted but changed nothing' : 'refused'}`);
    return this.readOnly(doc);
  }

  /** The editor the chat's actions use: the active one, else the last one used (attach, insert). */
  currentEditor(): vscode.TextEditor | undefined {
    return this.fallbackEditor();
  }

  /** Apply an answer's first code block (or the whole answer when it has none). */
  apply(answer: string, target: ApplyTarget | null, mode: ApplyMode): Promise<boolean> {
    return this.applyCode(extractCode(answer), target, mode);
  }

  /** Put `code` into the editor: insert at the cursor, replace the target (or the selection), or propose a diff. */
  async applyCode(code: string, target: ApplyTarget | null, mode: ApplyMode): Promise<boolean> {
    if (!code) {
      this.host.tell('warning', 'Switchboard: the answer has no code to apply.');
      return false;
    }
    const editor = await this.editorFor(target);
    if (!editor) {
      this.host.tell('warning', 'Switchboard: open an editor to put the code in.');
      return false;
    }
    if (mode !== 'diff' && !this.writable(editor.document)) return false;
    switch (mode) {
      case 'insert': {
        const at = editor.selection.active;
        return this.edit(editor, new vscode.Range(at, at), code);
      }
      case 'replace': {
        const range = this.replaceRange(editor, target);
        if (!range) return this.changedSince(editor.document);
        if (!(await this.edit(editor, range, code))) return false;
        editor.selection = new vscode.Selection(range.start, editor.document.positionAt(editor.document.offsetAt(range.start) + code.length));
        return true;
      }
      case 'diff':
        return this.showDiff(editor, target, code);
      default: {
        const never: never = mode;
        throw new Error(`unknown apply mode ${String(never)}`);
      }
    }
  }

  private async showDiff(editor: vscode.TextEditor, target: ApplyTarget | null, code: string): Promise<boolean> {
    const doc = editor.document;
    const range = this.replaceRange(editor, target);
    if (!range) return this.changedSince(doc);
    const text = doc.getText();
    const proposed = text.slice(0, doc.offsetAt(range.start)) + code + text.slice(doc.offsetAt(range.end));
    const name = basename(doc.uri.path) || 'untitled';
    const proposalUri = vscode.Uri.from({ scheme: PROPOSAL_SCHEME, path: `/${++this.counter}/${name}` });
    const key = proposalUri.toString();
    this.contents.set(key, proposed);
    this.proposals.set(key, { target: { uri: doc.uri, range, original: doc.getText(range) }, code, documentUri: doc.uri, proposalUri });
    this.changed.fire(proposalUri);
    await vscode.commands.executeCommand('vscode.diff', doc.uri, proposalUri, `${name} ↔ Switchboard proposal`, { preview: true });
    return true;
  }

  /** The proposal shown in the active diff editor (or the given one). */
  proposalFor(uri?: vscode.Uri): Proposal | undefined {
    if (uri) return this.proposals.get(uri.toString());
    const active = vscode.window.activeTextEditor?.document.uri;
    if (active?.scheme === PROPOSAL_SCHEME) return this.proposals.get(active.toString());
    const latest = [...this.proposals.values()].pop();
    return latest;
  }

  /** Accept a proposal: apply its edit to the original document and close the diff. */
  async accept(uri?: vscode.Uri): Promise<boolean> {
    const p = this.proposalFor(uri);
    if (!p) {
      this.host.tell('warning', 'Switchboard: there is no proposed change to accept.');
      return false;
    }
    const doc = await vscode.workspace.openTextDocument(p.documentUri);
    if (doc.getText(p.target.range) !== p.target.original) {
      this.host.tell('warning', `Switchboard: ${basename(doc.uri.path)} changed since the proposal was made; ask again.`);
      return false;
    }
    if (!this.writable(doc)) return false;
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, p.target.range, p.code);
    if (!(await this.checkedEdit(doc, p.target.range, p.code, () => vscode.workspace.applyEdit(edit)))) return false;
    this.proposals.delete(p.proposalUri.toString());
    const tab = vscode.window.tabGroups.all
      .flatMap((g) => g.tabs)
      .find((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.toString() === p.proposalUri.toString());
    if (tab) await vscode.window.tabGroups.close(tab);
    await vscode.window.showTextDocument(doc);
    this.host.log.info(`Applied a proposal to ${doc.uri.toString(true)}`);
    return true;
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.changed.dispose();
  }
}
