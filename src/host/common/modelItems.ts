/**
 * What the model switcher lists, as plain data (no 'vscode'), so tests can check it:
 * recently used first, then routes, then the available models grouped by provider, each with
 * its context length and input/output price per 1M tokens.
 */
import type { RouteConfig } from '../../core/index.ts';
import type { ModelInfo } from '../../core/index.ts';
import { ROUTE_PREFIX } from '../../core/index.ts';
import { formatContextPhrase, formatPrice, INCLUDED_LABEL } from '../../shared/format.ts';

export type PickEntry =
  | { kind: 'separator'; label: string }
  | {
      kind: 'model';
      /** What is asked for: `provider/model` or `route/<id>`. */
      id: string;
      label: string;
      description: string;
      detail: string;
      current: boolean;
      recent: boolean;
      route: boolean;
    };

export interface ModelItemsInput {
  models: readonly ModelInfo[];
  routes: readonly RouteConfig[];
  /** Most recent first. */
  recent: readonly string[];
  current: string | null;
  /** Display names of providers, by id. */
  providerNames?: ReadonlyMap<string, string>;
  /** Only models the configured providers can serve (default true). */
  availableOnly?: boolean;
}

function modelEntry(m: ModelInfo, current: string | null, recent: boolean): PickEntry {
  return {
    kind: 'model',
    id: m.id,
    label: m.name && m.name !== m.model ? m.name : m.model,
    description: m.id,
    detail: `${formatContextPhrase(m.contextLength)} · ${m.included ? INCLUDED_LABEL : formatPrice(m.price)}${m.via === 'openrouter' ? ' · via OpenRouter' : ''}`,
    current: m.id === current,
    recent,
    route: false,
  };
}

function routeEntry(r: RouteConfig, current: string | null, recent: boolean): PickEntry {
  const id = ROUTE_PREFIX + r.id;
  return {
    kind: 'model',
    id,
    label: id,
    description: `route (${r.strategy})`,
    detail: r.models.join(' → '),
    current: id === current,
    recent,
    route: true,
  };
}

export function buildModelItems(input: ModelItemsInput): PickEntry[] {
  const availableOnly = input.availableOnly ?? true;
  const models = input.models.filter((m) => !availableOnly || m.available);
  const byId = new Map(models.map((m) => [m.id, m]));
  const routes = new Map(input.routes.map((r) => [ROUTE_PREFIX + r.id, r]));
  const out: PickEntry[] = [];

  const recentIds = input.recent.filter((id, i, all) => all.indexOf(id) === i && (byId.has(id) || routes.has(id)));
  if (recentIds.length) {
    out.push({ kind: 'separator', label: 'Recently used' });
    for (const id of recentIds) {
      const r = routes.get(id);
      out.push(r ? routeEntry(r, input.current, true) : modelEntry(byId.get(id)!, input.current, true));
    }
  }
  const shown = new Set(recentIds);

  const otherRoutes = [...routes.entries()].filter(([id]) => !shown.has(id));
  if (otherRoutes.length) {
    out.push({ kind: 'separator', label: 'Routes' });
    for (const [, r] of otherRoutes) out.push(routeEntry(r, input.current, false));
  }

  const groups = new Map<string, ModelInfo[]>();
  for (const m of models) {
    if (shown.has(m.id)) continue;
    const list = groups.get(m.providerId) ?? [];
    list.push(m);
    groups.set(m.providerId, list);
  }
  const name = (id: string): string => input.providerNames?.get(id) ?? id;
  for (const pid of [...groups.keys()].sort((a, b) => name(a).localeCompare(name(b)))) {
    out.push({ kind: 'separator', label: name(pid) });
    const list = groups.get(pid)!.sort((a, b) => a.id.localeCompare(b.id));
    for (const m of list) out.push(modelEntry(m, input.current, false));
  }
  return out;
}

/**
 * The text of an entry's quick-pick row: labelled with its id (exactId.ts says why), a check for the current
 * model and a mark for a route in front; beside it the model's name when it says more than the id, or a
 * route's strategy.
 */
export function pickRowText(e: Extract<PickEntry, { kind: 'model' }>, checkCurrent: boolean): { label: string; description?: string } {
  const label = `${checkCurrent && e.current ? '$(check) ' : ''}${e.route ? '$(git-merge) ' : ''}${e.id}`;
  if (e.route) return { label, description: e.description };
  return e.label === e.id || e.id.endsWith(`/${e.label}`) ? { label } : { label, description: e.label };
}

/** The recent list after using `id`: it moves to the front; at most `max` kept. */
export function pushRecent(recent: readonly string[], id: string, max = 6): string[] {
  return [id, ...recent.filter((r) => r !== id)].slice(0, max);
}
