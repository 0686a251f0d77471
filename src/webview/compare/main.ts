/**
 * The comparison panel's browser code (a working placeholder; the full comparison UI comes later):
 * one column per model, text streaming in as plain text, metrics once each model is done.
 */
import { HostToCompareSchema, type ColumnResult, type CompareState, type CompareToHost, type HostToCompare } from '../../protocol/compare.ts';
import { connect } from '../shared/rpc.ts';
import { formatMs, formatUsd, h, iconButton } from '../shared/dom.ts';

const app = document.getElementById('app')!;
let state: CompareState | null = null;
const texts: HTMLElement[] = [];
const metas: HTMLElement[] = [];
const cancels: HTMLButtonElement[] = [];
const applies: HTMLElement[] = [];
const stopAll = iconButton('debug-stop', 'Stop all', () => channel.post({ type: 'cancel', index: null }));

const channel = connect<HostToCompare, CompareToHost>(HostToCompareSchema, (m) => {
  switch (m.type) {
    case 'state':
      state = m.state;
      render();
      return;
    case 'delta': {
      const col = state?.columns[m.index];
      if (!col) return;
      col.text += m.text;
      const el = texts[m.index];
      if (el) {
        el.textContent = col.text;
        el.classList.remove('empty');
      }
      return;
    }
    case 'result': {
      const col = state?.columns[m.index];
      if (!col) return;
      col.result = m.result;
      renderResult(m.index, m.result);
      return;
    }
    default:
      assertNever(m);
  }
});

function assertNever(x: never): never {
  throw new Error(`unexpected message ${JSON.stringify(x)}`);
}

function metricsText(r: ColumnResult): string {
  const parts = [
    `first token ${formatMs(r.ttftMs)}`,
    `total ${formatMs(r.totalMs)}`,
    `${r.inputTokens ?? '?'} → ${r.outputTokens ?? '?'} tokens`,
    r.tokensPerSecond === null ? null : `${r.tokensPerSecond.toFixed(1)} tok/s`,
    formatUsd(r.costUsd),
  ];
  return parts.filter(Boolean).join(' · ');
}

function renderResult(i: number, r: ColumnResult): void {
  const meta = metas[i];
  const model = state?.columns[i]?.model;
  if (meta) {
    meta.replaceChildren(h('span', {}, metricsText(r)));
    // A route (or an OpenRouter fallback) says which model actually answered.
    if (r.answeredBy && r.answeredBy !== model) meta.prepend(h('div', {}, `answered by ${r.answeredBy}`));
    if (r.error) meta.append(h('div', { class: 'entry-error', role: 'alert' }, h('span', { class: 'codicon codicon-error' }), r.error));
    meta.classList.toggle('failed', r.status === 'error');
  }
  const text = texts[i];
  if (text && !text.textContent?.trim()) text.textContent = r.status === 'cancelled' ? '(stopped)' : '';
  cancels[i]?.setAttribute('hidden', '');
  const a = applies[i];
  if (a && state?.canApply && r.status === 'done') a.hidden = false;
  if (state?.columns.every((c) => c.result)) stopAll.hidden = true;
}

function render(): void {
  if (!state) return;
  texts.length = metas.length = cancels.length = applies.length = 0;
  const header = h(
    'header',
    { class: 'compare-header' },
    h('div', { class: 'prompt-line' }, h('span', { class: 'codicon codicon-comment' }), h('span', { class: 'prompt-text' }, state.prompt)),
    state.contextLabel ? h('div', { class: 'context' }, state.contextLabel) : null,
    stopAll,
  );
  stopAll.hidden = false;
  const columns = state.columns.map((c, i) => {
    const text = h('pre', { class: `entry-text${c.text ? '' : ' empty'}` }, c.text || '…');
    texts.push(text);
    const meta = h('div', { class: 'entry-meta' }, c.result ? '' : 'waiting…');
    metas.push(meta);
    const cancel = iconButton('debug-stop', 'Stop', () => channel.post({ type: 'cancel', index: i }), { iconOnly: true, class: 'icon-only' });
    cancels.push(cancel);
    const apply = h(
      'div',
      { class: 'entry-actions' },
      iconButton('insert', 'Insert', () => channel.post({ type: 'apply', index: i, mode: 'insert' })),
      iconButton('replace', 'Replace', () => channel.post({ type: 'apply', index: i, mode: 'replace' })),
      iconButton('diff', 'Diff', () => channel.post({ type: 'apply', index: i, mode: 'diff' })),
    );
    apply.hidden = true;
    applies.push(apply);
    return h('section', { class: 'column', ariaLabel: c.model }, h('div', { class: 'column-head' }, h('span', { class: 'codicon codicon-sparkle' }), h('span', { class: 'who' }, c.model), cancel), text, meta, apply);
  });
  app.replaceChildren(header, h('div', { class: 'columns' }, ...columns));
  state.columns.forEach((c, i) => c.result && renderResult(i, c.result));
}

channel.post({ type: 'ready' });
