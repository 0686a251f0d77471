/**
 * A one-off model pick for "Retry with…": the switcher's entries (same catalog, prices, routes),
 * without changing the current model.
 */
import * as vscode from 'vscode';
import type { FeatureHost } from '../featureHost.ts';
import { modelQuickPickItems } from '../switcher.ts';

/** What the one-off pick uses (main.ts wires it to the services). */
export type PickHost = Pick<FeatureHost, 'modelPickItems'>;

export async function pickModelOnce(app: PickHost, title: string): Promise<string | undefined> {
  const items = modelQuickPickItems(app.modelPickItems(), { checkCurrent: false });
  const pick = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: 'Pick the model to ask this again (the current model stays as it is)',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  return pick?.id;
}
