/**
 * A tiny DOM builder. Text always goes in as text nodes (never HTML), so nothing a model or a
 * file says can inject markup.
 */
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { class?: string; title?: string; ariaLabel?: string; type?: string; role?: string; dataset?: Record<string, string> } = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.title) el.title = props.title;
  if (props.ariaLabel) el.setAttribute('aria-label', props.ariaLabel);
  if (props.role) el.setAttribute('role', props.role);
  if (props.type) el.setAttribute('type', props.type);
  if (props.dataset) for (const [k, v] of Object.entries(props.dataset)) el.dataset[k] = v;
  for (const c of children) if (c) el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return el;
}

/** A button with a codicon and a visible label. */
export function iconButton(
  icon: string,
  label: string,
  onClick: () => void,
  opts: { title?: string; class?: string; iconOnly?: boolean } = {},
): HTMLButtonElement {
  const b = h(
    'button',
    { class: `btn ${opts.class ?? ''}`.trim(), title: opts.title ?? label, ariaLabel: label, type: 'button' },
    h('span', { class: `codicon codicon-${icon}` }),
    opts.iconOnly ? null : h('span', { class: 'btn-label' }, label),
  );
  b.addEventListener('click', onClick);
  return b;
}

/** The formatters the host uses too (one copy, in src/shared). */
export { formatCost, formatEvalCost, formatMaybeEstimated, formatMs, formatSpend, formatUsd, INCLUDED_LABEL } from '../../shared/format.ts';
