/**
 * The model pickers' rule for a typed model id, as plain data (no 'vscode'): an exactly typed id goes
 * first, labelled with the id, so Enter takes it rather than a route or a longer id that mentions it;
 * a typed `provider/model` that is not listed can be offered as is.
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

/**
 * The list with the exactly typed model on top, labelled with its id (VS Code ranks filtered rows by
 * label: an exact label match comes first, above a route whose name or models merely match). The
 * row's icons stay in front; the label it had moves to the description.
 */
export function exactFirst<T extends RankableItem>(base: readonly T[], exact: T): T[] {
  const icons = /^((?:\$\([\w-]+\) )*)(.*)$/.exec(exact.label)!;
  const top: T = {
    ...exact,
    label: `${icons[1] ?? ''}${exact.id ?? exact.label}`,
    description: exact.id === icons[2] ? exact.description : icons[2],
    alwaysShow: true,
  };
  return [top, ...base.filter((i) => i !== exact)];
}

export interface Ranked<T> {
  items: T[];
  /** Whether `items` is the list as it is (nothing typed that changes it). */
  plain: boolean;
  /** The row to make active (the exact id's, on top), if any. */
  top?: T;
}

/**
 * The rows to show for the text typed: the exact id's row first; else, when `custom` is given and the
 * text looks like a model id, `custom(id)` on top; else the list as it is.
 */
export function rankTyped<T extends RankableItem>(base: readonly T[], value: string, custom?: (id: string) => T): Ranked<T> {
  const typed = value.trim();
  const exact = typed ? base.find((i) => i.id === typed) : undefined;
  if (exact) {
    const items = exactFirst(base, exact);
    return { items, plain: false, top: items[0] };
  }
  if (custom && looksLikeModelId(typed)) return { items: [custom(typed), ...base], plain: false };
  return { items: [...base], plain: true };
}
