/**
 * The comparison panel (a working placeholder; the full comparison UI is a later issue): one
 * editor webview per comparison, one column per model, streamed through `client.compare`.
 */
import * as vscode from 'vscode';
import type { CompareResult, CompareRun } from '../../core/router/compare.ts';
import type { ChatMessage } from '../../core/types.ts';
import { CompareToHostSchema, type ColumnResult, type CompareState, type HostToCompare } from '../../protocol/compare.ts';
import type { ApplyTarget } from '../apply.ts';
import type { App } from '../app.ts';
import { selectionLabel, selectionMessage, SYSTEM_PROMPT, type CodeSelection } from '../prompts.ts';
import { webviewHtml, webviewOptions } from '../webviewHtml.ts';

export const COMPARE_VIEW_TYPE = 'switchboard.compare';

export interface CompareOptions {
  question: string;
  models: string[];
  selection?: { code: CodeSelection; target: ApplyTarget };
}

function columnResult(r: CompareResult): ColumnResult {
  return {
    answeredBy: r.answeredBy,
    status: r.error ? (r.error.kind === 'aborted' ? 'cancelled' : 'error') : 'done',
    error: r.error && r.error.kind !== 'aborted' ? r.error.message : null,
    ttftMs: r.timing.ttftMs,
    totalMs: r.timing.totalMs,
    inputTokens: r.usage.inputTokens,
    outputTokens: r.usage.outputTokens,
    tokensPerSecond: r.tokensPerSecond,
    costUsd: r.costUsd,
  };
}

export class ComparePanel implements vscode.Disposable {
  private readonly app: App;
  private readonly panel: vscode.WebviewPanel;
  private readonly state: CompareState;
  private readonly target: ApplyTarget | null;
  private run: CompareRun | null = null;
  private ready = false;
  private readonly subs: vscode.Disposable[] = [];
  /** Resolves with every model's result once all are done. */
  readonly results: Promise<CompareResult[]>;
  private resolveResults!: (r: CompareResult[]) => void;

  private constructor(app: App, opts: CompareOptions) {
    this.app = app;
    this.target = opts.selection?.target ?? null;
    this.state = {
      prompt: opts.question,
      contextLabel: opts.selection ? selectionLabel(opts.selection.code) : null,
      columns: opts.models.map((model) => ({ model, text: '', result: null })),
      canApply: true,
    };
    this.results = new Promise((r) => (this.resolveResults = r));
    const ext = app.context.extensionUri;
    this.panel = vscode.window.createWebviewPanel(COMPARE_VIEW_TYPE, `Compare: ${opts.question.slice(0, 40)}`, vscode.ViewColumn.Active, { ...webviewOptions(ext), retainContextWhenHidden: true });
    this.panel.iconPath = new vscode.ThemeIcon('split-horizontal');
    this.panel.webview.html = webviewHtml(this.panel.webview, ext, { script: 'compare.js', styles: ['webview.css', 'compare.css'], title: 'Switchboard Compare' });
    this.subs.push(
      this.panel.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m)),
      this.panel.onDidDispose(() => this.dispose()),
    );
  }

  /** Open a panel and start the comparison right away (columns fill in once the view is ready). */
  static open(app: App, opts: CompareOptions): ComparePanel {
    const panel = new ComparePanel(app, opts);
    panel.start(opts);
    return panel;
  }

  private start(opts: CompareOptions): void {
    const content = opts.selection ? selectionMessage(opts.question, opts.selection.code) : opts.question;
    const messages: ChatMessage[] = [
      { role: 'system', content: SYSTEM_PROMPT },
      { role: 'user', content },
    ];
    this.run = this.app.client().compare({ messages }, opts.models, {
      onPart: (index, _model, part) => {
        if (part.type !== 'text-delta') return;
        const col = this.state.columns[index];
        if (col) col.text += part.text;
        this.post({ type: 'delta', index, text: part.text });
      },
    });
    this.run.entries.forEach((entry) => {
      void entry.result.then((r) => {
        const col = this.state.columns[entry.index];
        if (col) {
          col.result = columnResult(r);
          col.text = r.text || col.text;
        }
        this.app.recordResult(`compare ${entry.index + 1}/${opts.models.length}`, r, entry.index === 0 ? messages : undefined);
        this.post({ type: 'result', index: entry.index, result: columnResult(r) });
      });
    });
    void this.run.results.then((all) => this.resolveResults(all));
  }

  private post(m: HostToCompare): void {
    if (this.ready) void this.panel.webview.postMessage(m);
  }

  private onMessage(raw: unknown): void {
    const parsed = CompareToHostSchema.safeParse(raw);
    if (!parsed.success) {
      this.app.log.warn('Compare view sent a malformed message');
      return;
    }
    const m = parsed.data;
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.post({ type: 'state', state: this.state });
        return;
      case 'cancel':
        if (m.index === null) this.run?.cancelAll();
        else this.run?.entries[m.index]?.cancel();
        return;
      case 'apply': {
        const col = this.state.columns[m.index];
        if (col?.result?.status === 'done') void this.app.applier.apply(col.text, this.target, m.mode);
        return;
      }
      default: {
        const never: never = m;
        throw new Error(`unhandled compare message ${JSON.stringify(never)}`);
      }
    }
  }

  dispose(): void {
    this.run?.cancelAll();
    for (const s of this.subs.splice(0)) s.dispose();
    this.panel.dispose();
  }
}
