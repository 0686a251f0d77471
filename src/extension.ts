import type * as vscode from 'vscode';
import { activateSwitchboard, type SwitchboardApi } from './host/activate.ts';

/** Entry point: everything is wired in host/activate.ts; the logic lives in host/ and core/. */
export function activate(context: vscode.ExtensionContext): SwitchboardApi {
  return activateSwitchboard(context);
}

export function deactivate(): void {}

export type { SwitchboardApi };
