/**
 * A one-off model pick for "Retry with…": the switcher's entries (same catalog, prices, routes, the
 * same ranking of a typed id: an exact id first, an id not in the catalog offered as is), without
 * changing the current model.
 */
import * as vscode from 'vscode';
import type { FeatureHost } from '../featureHost.ts';
import { accepted, modelQuickPickItems, rankExactId, useTypedId, type Item } from '../switcher.ts';

/** What the one-off pick uses (main.ts wires it to the services). */
export type PickHost = Pick<FeatureHost, 'modelPickItems'>;

/** The model picked (undefined when dismissed). */
export async function pickModelOnce(app: PickHost, title: string): Promise<string | undefined> {
  const qp = vscode.window.createQuickPick<Item>();
  qp.title = title;
  qp.placeholder = 'Pick the model to ask this again (the current model stays as it is)';
  qp.matchOnDescription = true;
  qp.matchOnDetail = true;
  const items = modelQuickPickItems(app.modelPickItems(), { checkCurrent: false });
  rankExactId(qp, () => items, useTypedId)();
  const picked = (await accepted(qp))?.[0];
  qp.dispose();
  return picked?.id;
}
