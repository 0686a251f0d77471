/**
 * The comparison's set-up: the models (chips with remove, a picker grouped like the model
 * switcher), the prompt, the editor selection as a removable context chip, blind mode, Run.
 */
import { MAX_COMPARE_MODELS, MIN_COMPARE_MODELS, type CompareState, type CompareToHost } from '../../shared/protocol/compare.ts';
import { h, iconButton } from '../shared/dom.ts';
import { setOptions, setPlaceholder, singleSelect } from '../shared/select.ts';

interface Checkbox extends HTMLElement {
  checked: boolean;
}

export class SetupView {
  readonly el: HTMLElement;
  private readonly post: (m: CompareToHost) => void;
  private models: string[] = [];
  private catalog: CompareState['catalog'] = [];
  private unavailable: CompareState['unavailable'] = {};
  private readonly chips = h('div', { class: 'model-chips', role: 'list', ariaLabel: 'Models to compare' });
  private readonly picker = singleSelect('model-picker', 'Add a model', { combobox: true, placeholder: '+ Add a model…' });
  private readonly prompt = h('textarea', { class: 'prompt compare-prompt', ariaLabel: 'Prompt' });
  private readonly context = h('div', { class: 'context-row' });
  private readonly blind = document.createElement('vscode-checkbox') as Checkbox;
  private readonly runButton: HTMLButtonElement;
  private readonly problemEl = h('div', { class: 'problem', role: 'alert' });
  private readonly count = h('span', { class: 'model-count muted' });
  /** The host's set-up last applied (a new one replaces what is typed; the same one does not). */
  private applied = '';

  constructor(post: (m: CompareToHost) => void) {
    this.post = post;
    this.prompt.placeholder = 'Ask every model the same thing… (Ctrl+Enter to run)';
    this.prompt.rows = 3;
    this.blind.setAttribute('label', 'Blind: hide model names until I vote');
    this.blind.className = 'blind-toggle';
    this.runButton = iconButton('play', 'Run', () => this.submit(), { class: 'primary run-button', title: 'Send the prompt to every picked model' });
    this.picker.addEventListener('change', () => {
      const id = this.picker.value;
      if (id && !this.models.includes(id)) {
        this.models.push(id);
        this.renderModels();
      }
    });
    this.prompt.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        this.submit();
      }
    });
    this.problemEl.hidden = true;
    this.el = h(
      'section',
      { class: 'setup', ariaLabel: 'Comparison set-up' },
      h('div', { class: 'setup-row models-row' }, h('span', { class: 'codicon codicon-layers', title: 'Models' }), this.chips, this.picker, this.count),
      this.prompt,
      h('div', { class: 'setup-row' }, this.context, this.blind, h('span', { class: 'spacer' }), this.runButton),
      this.problemEl,
    );
  }

  private submit(): void {
    this.post({ type: 'run', models: [...this.models], prompt: this.prompt.value, blind: this.blind.checked === true });
  }

  /** A snapshot from the host. */
  update(state: CompareState): void {
    this.catalog = state.catalog;
    this.unavailable = state.unavailable;
    const key = JSON.stringify({ p: state.panelId, m: state.setup.models, t: state.setup.prompt, b: state.setup.blind });
    if (key !== this.applied) {
      this.applied = key;
      this.models = [...state.setup.models];
      this.prompt.value = state.setup.prompt;
      this.blind.checked = state.setup.blind;
    }
    this.renderModels();
    this.renderContext(state.setup.contextLabel);
  }

  /** The models to offer changed: the picker follows (what is picked and typed stays; a chip that cannot be asked now is muted). */
  setCatalog(catalog: CompareState['catalog'], unavailable: CompareState['unavailable']): void {
    this.catalog = catalog;
    this.unavailable = unavailable;
    this.renderModels();
  }

  /** The cursor in the prompt with its text selected: typing replaces the pre-filled prompt. */
  focusPrompt(): void {
    this.prompt.focus();
    this.prompt.select();
  }

  setRunning(running: boolean): void {
    this.runButton.querySelector('.btn-label')!.textContent = running ? 'Restart' : 'Run';
  }

  problem(text: string | null): void {
    this.problemEl.hidden = !text;
    this.problemEl.replaceChildren(...(text ? [h('span', { class: 'codicon codicon-warning' }), text] : []));
  }

  private renderModels(): void {
    this.chips.replaceChildren(
      ...this.models.map((id) => {
        const remove = iconButton(
          'close',
          `Remove ${id}`,
          () => {
            this.models = this.models.filter((m) => m !== id);
            this.renderModels();
          },
          { iconOnly: true, class: 'icon-only chip-remove' },
        );
        // One that cannot be asked now (its key or provider removed since): muted, with why.
        const why = Object.hasOwn(this.unavailable, id) ? this.unavailable[id] : undefined;
        return h(
          'span',
          {
            class: why === undefined ? 'chip model-chip' : 'chip model-chip unavailable',
            role: 'listitem',
            title: why === undefined ? (this.catalog.find((c) => c.id === id)?.detail ?? id) : `Not available now, a run skips it: ${why}`,
            dataset: { model: id },
          },
          ...(why === undefined ? [] : [h('span', { class: 'codicon codicon-warning', ariaLabel: 'Not available' })]),
          h('span', { class: 'chip-label' }, id),
          remove,
        );
      }),
    );
    if (!this.models.length) this.chips.append(h('span', { class: 'muted' }, `Pick ${MIN_COMPARE_MODELS}–${MAX_COMPARE_MODELS} models →`));
    const full = this.models.length >= MAX_COMPARE_MODELS;
    // The list is rebuilt after each pick: the picked model leaves it and the box is empty again.
    const seen = new Set<string>();
    const options = this.catalog
      .filter((item) => !this.models.includes(item.id) && !seen.has(item.id) && seen.add(item.id))
      .map((item) => ({
        value: item.id,
        label: item.label === item.id ? item.id : `${item.id} — ${item.label}`,
        description: [item.group, item.detail].filter(Boolean).join(' · '),
      }));
    setOptions(this.picker, options, null);
    this.picker.value = '';
    setPlaceholder(this.picker, full ? `${MAX_COMPARE_MODELS} models picked (the most)` : '+ Add a model…');
    this.picker.disabled = full;
    this.count.textContent = `${this.models.length}/${MAX_COMPARE_MODELS}`;
  }

  private renderContext(label: string | null): void {
    if (!label) {
      this.context.replaceChildren();
      return;
    }
    const remove = iconButton('close', 'Remove the context', () => this.post({ type: 'removeContext' }), { iconOnly: true, class: 'icon-only chip-remove' });
    this.context.replaceChildren(
      h(
        'span',
        { class: 'chip context-chip', title: 'The editor selection is sent with the prompt' },
        h('span', { class: 'codicon codicon-file-code' }),
        h('span', { class: 'chip-label' }, label),
        remove,
      ),
    );
  }
}
