/**
 * The comparison's dropdowns: @vscode-elements single selects, the control the chat's model picker
 * uses, so both views look and behave the same in every theme.
 */
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';

/** The members of `vscode-single-select` this view uses. */
export interface SingleSelect extends HTMLElement {
  value: string;
  combobox: boolean;
  filter: string;
  disabled: boolean;
  open: boolean;
}

export interface OptionSpec {
  value: string;
  label: string;
  /** Shown under the list while the option is active (the model's group, context and prices). */
  description?: string;
}

export function singleSelect(cls: string, ariaLabel: string, opts: { combobox?: boolean; placeholder?: string } = {}): SingleSelect {
  const s = document.createElement('vscode-single-select') as SingleSelect;
  s.className = cls;
  s.setAttribute('aria-label', ariaLabel);
  (s as SingleSelect & { label: string }).label = ariaLabel;
  if (opts.combobox) {
    s.combobox = true;
    s.filter = 'contains';
    if (opts.placeholder) setPlaceholder(s, opts.placeholder);
    // Typed text leaves no option active, and Enter would then pick "nothing" and blank the box:
    // make Enter take the first option the filter shows.
    s.addEventListener(
      'keydown',
      (e) => {
        if (e.key !== 'Enter' || !s.open) return;
        const root = s.shadowRoot;
        if (!root || root.querySelector('li.option.active')) return;
        if (root.querySelector('li.option:not(.placeholder):not(.disabled)'))
          s.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true, composed: true }));
      },
      { capture: true },
    );
  }
  return s;
}

/**
 * The combobox's empty box says what it is for. The element has no placeholder of its own; its input is
 * rendered once (Lit leaves attributes it does not bind alone), so setting it after the first render holds.
 */
export function setPlaceholder(s: SingleSelect, text: string): void {
  const el = s as SingleSelect & { updateComplete?: Promise<unknown> };
  (el.updateComplete ?? Promise.resolve()).then(
    () => s.shadowRoot?.querySelector('input.combobox-input')?.setAttribute('placeholder', text),
    (e: unknown) => console.warn('Switchboard: the model picker did not render', e),
  );
}

/** Replaces the options; `selected` (a value) is picked, or none. */
export function setOptions(s: SingleSelect, options: readonly OptionSpec[], selected: string | null): void {
  s.replaceChildren(
    ...options.map((o) => {
      const el = document.createElement('vscode-option');
      el.setAttribute('value', o.value);
      if (o.description) el.setAttribute('description', o.description);
      if (o.value === selected) el.setAttribute('selected', '');
      el.textContent = o.label;
      return el;
    }),
  );
  if (selected !== null) s.value = selected;
}

/**
 * The selected row of the open list is marked (a check and bold), so the current choice shows among
 * the others. The element has no part or slot for that: a sheet is added to its shadow root (a
 * constructed sheet, which the views' style CSP allows, as the element's own styles are).
 */
export function markSelected(s: SingleSelect): void {
  const el = s as SingleSelect & { updateComplete?: Promise<unknown> };
  (el.updateComplete ?? Promise.resolve()).then(
    () => {
      const root = s.shadowRoot;
      if (!root) return;
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(".option.selected { font-weight: 600; } .option.selected::before { content: '\\2713\\00a0'; }");
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    },
    (e: unknown) => console.warn('Switchboard: the picker did not render', e),
  );
}
