/**
 * The model switcher: a quick pick of the catalog's available models grouped by provider
 * (context length and prices in each row), recently used first, routes included. Typing filters;
 * a typed `provider/model` that is not listed can be used as is.
 */
import * as vscode from 'vscode';
import { pricesAsOfLabel } from '../core/index.ts';
import type { FeatureHost } from './featureHost.ts';
import { pickRowText, type PickEntry } from './common/modelItems.ts';
import { inBackground } from './common/background.ts';
import { acceptedRows, rankTyped } from './common/exactId.ts';

/** What the switcher uses (main.ts wires it to the services). */
export type SwitcherHost = Pick<
  FeatureHost,
  'client' | 'currentModel' | 'lastCompareModels' | 'log' | 'modelPickItems' | 'setCurrentModel' | 'setLastCompareModels'
>;

type ModelEntry = Extract<PickEntry, { kind: 'model' }>;

export interface Item extends vscode.QuickPickItem {
  id?: string;
  action?: 'setKey' | 'settings' | 'custom';
}

/** The switcher's entries as quick-pick rows (the one-off pick for "Retry with…" and the comparison use them too). */
export function modelQuickPickItems(entries: PickEntry[], opts: { checkCurrent: boolean }): Item[] {
  return entries.map((e): Item =>
    e.kind === 'separator'
      ? { label: e.label, kind: vscode.QuickPickItemKind.Separator }
      : { id: e.id, ...pickRowText(e, opts.checkCurrent), detail: e.detail },
  );
}

/** The row that offers a typed model id the catalog does not list, as is. */
export function useTypedId(id: string): Item {
  return { label: `$(edit) Use "${id}"`, description: 'a model id not in the catalog', id, action: 'custom', alwaysShow: true };
}

/**
 * Offers a typed model id the list does not have (rankTyped, with `custom`) as the pick's last row, while it is
 * typed. Returns a function that sets the rows: call it to show them, and again when `base()` changed (the
 * listener goes with the pick's dispose).
 */
export function offerTypedId(qp: vscode.QuickPick<Item>, base: () => readonly Item[], custom?: (id: string) => Item): () => void {
  let plain = false;
  const rank = (force: boolean): void => {
    const ranked = rankTyped(base(), qp.value, custom);
    // Typing that leaves the list as it was leaves it alone (VS Code filters it).
    if (!force && plain && ranked.plain) return;
    plain = ranked.plain;
    qp.items = ranked.items;
  };
  qp.onDidChangeValue(() => rank(false));
  return () => rank(true);
}

/**
 * Shows the pick; resolves with its selection when accepted (then hides it), undefined when dismissed. With
 * `custom`, Enter on no model's row with a model id typed takes the typed id (acceptedRows).
 */
export function accepted(qp: vscode.QuickPick<Item>, custom?: (id: string) => Item): Promise<Item[] | undefined> {
  return new Promise((resolve) => {
    qp.onDidAccept(() => {
      resolve(acceptedRows(qp.selectedItems, qp.value, custom));
      qp.hide();
    });
    qp.onDidHide(() => resolve(undefined));
    qp.show();
  });
}

function actionItems(): Item[] {
  return [
    { label: 'More', kind: vscode.QuickPickItemKind.Separator },
    { label: '$(key) Set API Key…', description: 'add a provider', action: 'setKey', alwaysShow: true },
    { label: '$(gear) Configure providers and routes…', action: 'settings', alwaysShow: true },
  ];
}

/** Refresh the catalog in the background when it is stale; resolves true when it changed. */
async function refreshIfStale(app: SwitcherHost): Promise<boolean> {
  const catalog = app.client().catalog;
  if (!catalog.isStale()) return false;
  const r = await catalog.refresh();
  for (const e of r.errors) app.log.debug(`Catalog: could not refresh ${e.providerId}: ${e.message}`);
  return r.refreshed.length > 0;
}

/** Show the switcher; the pick becomes the current model. Resolves with it (undefined if dismissed). */
export async function showModelSwitcher(app: SwitcherHost): Promise<string | undefined> {
  const qp = vscode.window.createQuickPick<Item>();
  qp.title = `Switchboard: Switch Model (${pricesAsOfLabel()})`;
  qp.placeholder = 'Type to filter models — provider/model, name or price';
  qp.matchOnDescription = true;
  qp.matchOnDetail = true;
  let base: Item[] = [];
  const rank = offerTypedId(qp, () => base, useTypedId);
  const load = (): void => {
    const entries = app.modelPickItems();
    base = [...modelQuickPickItems(entries, { checkCurrent: true }), ...actionItems()];
    if (!entries.length) {
      base.unshift({ label: '$(info) No models yet: set an API key or configure a provider', alwaysShow: true, action: 'setKey' });
    }
    // A refresh while something is typed keeps the offer of the typed id.
    rank();
    const current = base.find((i) => i.id === app.currentModel());
    if (current && !qp.value.trim()) qp.activeItems = [current];
  };
  load();
  qp.busy = true;
  inBackground(
    refreshIfStale(app)
      .then((changed) => changed && load())
      .finally(() => (qp.busy = false)),
    app.log,
    'Refreshing the model list',
  );

  const picked = (await accepted(qp, useTypedId))?.[0];
  qp.dispose();
  if (!picked) return undefined;
  if (picked.action === 'setKey') {
    await vscode.commands.executeCommand('switchboard.setApiKey');
    return undefined;
  }
  if (picked.action === 'settings') {
    await vscode.commands.executeCommand('switchboard.openSettings');
    return undefined;
  }
  if (!picked.id) return undefined;
  await app.setCurrentModel(picked.id);
  return picked.id;
}

/** A multi-select of models for a comparison; the last selection is preselected. */
export async function pickModelsToCompare(app: SwitcherHost): Promise<string[] | undefined> {
  const qp = vscode.window.createQuickPick<Item>();
  qp.title = 'Switchboard: Compare Models';
  qp.placeholder = 'Pick two or more models to compare (Space to toggle, Enter to start)';
  qp.canSelectMany = true;
  qp.matchOnDescription = true;
  qp.matchOnDetail = true;
  const items = modelQuickPickItems(app.modelPickItems(), { checkCurrent: false });
  // No offer of a typed id here: a comparison is between listed models.
  qp.items = items;
  const previous = new Set(app.lastCompareModels());
  if (!previous.size) {
    const current = app.currentModel();
    if (current) previous.add(current);
  }
  qp.selectedItems = items.filter((i) => i.id && previous.has(i.id));
  const picked = await accepted(qp);
  qp.dispose();
  const ids = picked?.map((i) => i.id).filter((id): id is string => !!id);
  if (!ids?.length) return undefined;
  await app.setLastCompareModels(ids);
  return ids;
}

export type { ModelEntry };
