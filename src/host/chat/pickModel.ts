/**
 * A one-off model pick for "Retry with…": the switcher's rows (same catalog, prices and routes, labelled with
 * their ids so that an exactly typed id comes first; an id not in the catalog offered as is), without changing
 * the current model.
 */
import * as vscode from 'vscode';
import type { FeatureHost } from '../featureHost.ts';
import { accepted, modelQuickPickItems, offerTypedId, useTypedId, type Item } from '../switcher.ts';

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
  offerTypedId(qp, () => items, useTypedId)();
  const picked = (await accepted(qp, useTypedId))?.[0];
  qp.dispose();
  return picked?.id;
}
