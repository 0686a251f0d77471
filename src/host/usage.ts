/** "Show Usage and Costs": the report (usageReport.ts) as a read-only markdown document. */
import * as vscode from 'vscode';
import { SqliteUsageStore } from '../core/index.ts';
import type { FeatureHost } from './featureHost.ts';
import { usageMarkdown } from './common/usageReport.ts';

/** What the usage report uses (main.ts wires it to the services). */
export type UsageHost = Pick<FeatureHost, 'ledger' | 'settings' | 'spendView'>;

export const USAGE_SCHEME = 'switchboard-usage';

export class UsageDocument implements vscode.TextDocumentContentProvider, vscode.Disposable {
  static readonly uri = vscode.Uri.from({ scheme: USAGE_SCHEME, path: '/Switchboard Usage.md' });
  private readonly app: UsageHost;
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly reg: vscode.Disposable;
  private text = '';

  constructor(app: UsageHost) {
    this.app = app;
    this.reg = vscode.workspace.registerTextDocumentContentProvider(USAGE_SCHEME, this);
  }

  provideTextDocumentContent(): string {
    return this.text;
  }

  async show(): Promise<string> {
    const view = this.app.spendView();
    this.text = usageMarkdown({
      entries: await this.app.ledger.readAll(),
      sessionId: view.sessionId,
      sessionStartedAt: view.sessionStartedAt,
      budget: this.app.settings.config.budget,
      legacy: this.app.ledger instanceof SqliteUsageStore ? this.app.ledger.legacyImport() : null,
    });
    this.changed.fire(UsageDocument.uri);
    const doc = await vscode.workspace.openTextDocument(UsageDocument.uri);
    // Rendered by the built-in Markdown preview where there is one; the source otherwise.
    try {
      await vscode.commands.executeCommand('markdown.showPreview', doc.uri);
    } catch {
      await vscode.window.showTextDocument(doc, { preview: true });
    }
    return this.text;
  }

  dispose(): void {
    this.reg.dispose();
    this.changed.dispose();
  }
}
