/**
 * The status-bar item: the current model, this spend session's total and today's (from the usage
 * ledger, see services/spend.ts), caps and percentages in the tooltip; a click opens the switcher.
 */
import * as vscode from 'vscode';
import type { SpendStatus } from './common/spendStatus.ts';

export interface StatusInfo {
  model: string | null;
  detail: string | null;
  /** null until the services have read the ledger. */
  spend: SpendStatus | null;
}

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  /** The tooltip as plain text (MarkdownString escapes it). */
  private plain = '';

  constructor() {
    this.item = vscode.window.createStatusBarItem('switchboard.model', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'Switchboard Model';
    this.item.command = 'switchboard.switchModel';
  }

  update(s: StatusInfo): void {
    const short = s.model ? (s.model.length > 32 ? `…${s.model.slice(-31)}` : s.model) : 'Pick a model';
    this.item.text = `$(arrow-swap) ${short}${s.spend?.text ? `  ${s.spend.text}` : ''}`;
    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendMarkdown('**Switchboard**\n\n');
    tip.appendText(s.model ? `Model: ${s.model}${s.detail ? ` (${s.detail})` : ''}\n` : 'No model picked yet.\n');
    for (const line of s.spend?.lines ?? []) {
      tip.appendMarkdown('\n');
      tip.appendText(`${line}\n`);
    }
    tip.appendMarkdown('\nClick to switch model.');
    this.item.tooltip = tip;
    this.plain = [s.model ? `Model: ${s.model}` : 'No model picked yet.', ...(s.spend?.lines ?? [])].join('\n');
    const severity = s.spend?.severity ?? 'none';
    this.item.backgroundColor = severity === 'none' ? undefined : new vscode.ThemeColor(`statusBarItem.${severity}Background`);
    this.item.accessibilityInformation = { label: `Switchboard model ${s.model ?? 'not picked'}${s.spend ? `, ${s.spend.label}` : ''}` };
    this.item.show();
  }

  /** What the item shows (the integration tests read it). */
  shown(): { text: string; tooltip: string } {
    return { text: this.item.text, tooltip: this.plain };
  }

  dispose(): void {
    this.item.dispose();
  }
}
