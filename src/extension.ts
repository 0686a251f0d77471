import * as vscode from 'vscode';

/** Entry point: wire services and register commands; the logic lives in host/ and core/. */
export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Switchboard', { log: true });
  context.subscriptions.push(log);
  log.info(`Switchboard activated in ${(performance.now() - started).toFixed(1)} ms`);
}

export function deactivate(): void {}
