/** The status-bar item: the current model and this session's spend; a click opens the switcher. */
import * as vscode from 'vscode';

export interface StatusInfo {
  model: string | null;
  /** "$0.0012" */
  spend: string;
  requests: number;
  detail: string | null;
}

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor() {
    this.item = vscode.window.createStatusBarItem('switchboard.model', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'Switchboard Model';
    this.item.command = 'switchboard.switchModel';
  }

  update(s: StatusInfo): void {
    const short = s.model ? (s.model.length > 32 ? `…${s.model.slice(-31)}` : s.model) : 'Pick a model';
    this.item.text = `$(arrow-swap) ${short}${s.requests > 0 ? `  ${s.spend}` : ''}`;
    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendMarkdown('**Switchboard**\n\n');
    tip.appendText(s.model ? `Model: ${s.model}${s.detail ? ` (${s.detail})` : ''}\n` : 'No model picked yet.\n');
    tip.appendMarkdown('\n');
    tip.appendText(`This session: ${s.spend} over ${s.requests} request${s.requests === 1 ? '' : 's'}\n`);
    tip.appendMarkdown('\nClick to switch model.');
    this.item.tooltip = tip;
    this.item.accessibilityInformation = { label: `Switchboard model ${s.model ?? 'not picked'}, session spend ${s.spend}` };
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
