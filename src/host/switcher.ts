/**
 * The model switcher: a quick pick of the catalog's available models grouped by provider
 * (context length and prices in each row), recently used first, routes included. Typing filters;
 * a typed `provider/model` that is not listed can be used as is.
 */
import * as vscode from 'vscode';
import { pricesAsOfLabel } from '../core/index.ts';
import type { FeatureHost } from './featureHost.ts';
import type { PickEntry } from './common/modelItems.ts';
import { inBackground } from './common/background.ts';

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

/** The switcher's entries as quick-pick rows (the one-off pick for "Retry with…" uses them too). */
export function modelQuickPickItems(entries: PickEntry[], opts: { checkCurrent: boolean }): Item[] {
  return entries.map((e): Item =>
    e.kind === 'separator'
      ? { label: e.label, kind: vscode.QuickPickItemKind.Separator }
      : {
          id: e.id,
          label: `${opts.checkCurrent && e.current ? '$(check) ' : ''}${e.route ? '$(git-merge) ' : ''}${e.label}`,
          description: e.description,
          detail: e.detail,
        },
  );
}

/**
 * The list with the exactly typed model on top, labelled with its id (VS Code ranks filtered rows by
 * label: an exact label match comes first, above a route whose name or models merely match).
 */
export function exactFirst(base: readonly Item[], exact: Item): Item[] {
  const icons = /^((?:\$\([\w-]+\) )*)(.*)$/.exec(exact.label)!;
  const top: Item = {
    ...exact,
    label: `${icons[1] ?? ''}${exact.id ?? exact.label}`,
    description: exact.id === icons[2] ? exact.description : icons[2],
    alwaysShow: true,
  };
  return [top, ...base.filter((i) => i !== exact)];
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
  const load = (): void => {
    const entries = app.modelPickItems();
    base = [...modelQuickPickItems(entries, { checkCurrent: true }), ...actionItems()];
    if (!entries.length) {
      base.unshift({ label: '$(info) No models yet: set an API key or configure a provider', alwaysShow: true, action: 'setKey' });
    }
    qp.items = base;
    const current = base.find((i) => i.id === app.currentModel());
    if (current) qp.activeItems = [current];
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

  qp.onDidChangeValue((v) => {
    const typed = v.trim();
    const exact = base.find((i) => i.id === typed && i.kind !== vscode.QuickPickItemKind.Separator);
    const looksLikeId = /^[\w.-]+\/\S+$/.test(typed);
    // An exact id goes first, above the routes that mention it, so Enter picks it. VS Code ranks the
    // filtered rows by their label, so the row's label becomes the id itself (an exact label match ranks first).
    qp.items = exact
      ? exactFirst(base, exact)
      : looksLikeId
        ? [{ label: `$(edit) Use "${typed}"`, description: 'a model id not in the catalog', id: typed, action: 'custom', alwaysShow: true }, ...base]
        : base;
    if (exact) qp.activeItems = [qp.items[0]!];
  });

  const picked = await new Promise<Item | undefined>((resolve) => {
    qp.onDidAccept(() => {
      resolve(qp.selectedItems[0]);
      qp.hide();
    });
    qp.onDidHide(() => resolve(undefined));
    qp.show();
  });
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
  const entries = app.modelPickItems();
  const items = modelQuickPickItems(entries, { checkCurrent: false });
  qp.items = items;
  const previous = new Set(app.lastCompareModels());
  if (!previous.size) {
    const current = app.currentModel();
    if (current) previous.add(current);
  }
  qp.selectedItems = items.filter((i) => i.id && previous.has(i.id));
  const picked = await new Promise<Item[] | undefined>((resolve) => {
    qp.onDidAccept(() => {
      resolve([...qp.selectedItems]);
      qp.hide();
    });
    qp.onDidHide(() => resolve(undefined));
    qp.show();
  });
  qp.dispose();
  const ids = picked?.map((i) => i.id).filter((id): id is string => !!id);
  if (!ids?.length) return undefined;
  await app.setLastCompareModels(ids);
  return ids;
}

export type { ModelEntry };
