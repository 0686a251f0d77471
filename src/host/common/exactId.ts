/**
 * The model pickers' rule for a typed model id, as plain data (no 'vscode').
 *
 * Rows are labelled with their model id, so VS Code's own filter ranks an exactly typed id first (rows whose
 * label matches come before rows that match only by name, route or detail; among labels that start with the
 * text, the shortest first) as the keys are typed, in the window, with no round trip to the extension: Enter
 * right after typing takes the id typed, never a longer id or a route that mentions it.
 *
 * The one row the extension adds after the typing, the offer of a `provider/model` the catalog does not list,
 * goes after the listed rows (VS Code still shows it first: its label contains the text). Rows keep their
 * places in the list, because VS Code reports a pick by its place: a pick made before the new list arrived
 * still names the row that was picked.
 */

/** The part of a quick-pick row the rule reads and writes. */
export interface RankableItem {
  /** The model id the row stands for (none for separators and actions). */
  id?: string;
  label: string;
  description?: string;
  alwaysShow?: boolean;
}

/** Whether `text` has the shape of a model id (`provider/model`, `route/name`). */
export const looksLikeModelId = (text: string): boolean => /^[\w.-]+\/\S+$/.test(text);

export interface Ranked<T> {
  items: T[];
  /** Whether `items` is the list as it is (nothing typed that changes it). */
  plain: boolean;
}

/**
 * The rows to show for the text typed: when `custom` is given and the text looks like a model id that no row
 * stands for, the list followed by `custom(id)`; else the list as it is.
 */
export function rankTyped<T extends RankableItem>(base: readonly T[], value: string, custom?: (id: string) => T): Ranked<T> {
  const typed = value.trim();
  if (custom && looksLikeModelId(typed) && !base.some((i) => i.id === typed)) return { items: [...base, custom(typed)], plain: false };
  return { items: [...base], plain: true };
}

/**
 * What Enter took: the row VS Code reported; but when that is no model's row (none, or an action row, which
 * shows whatever is typed) while a model id is typed that the picker offers, the typed id's offer (Enter came
 * before the offer arrived; once there, it is the first row).
 */
export function acceptedRows<T extends RankableItem>(selected: readonly T[], value: string, custom?: (id: string) => T): T[] {
  const typed = value.trim();
  if (!custom || selected.some((r) => r.id) || !looksLikeModelId(typed)) return [...selected];
  return [custom(typed)];
}
