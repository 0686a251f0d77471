/**
 * The comparison panel's browser code (a working placeholder; the full comparison UI comes later):
 * one column per model, answers streaming in as sanitized markdown (shared/markdown.ts), metrics
 * once each model is done.
 */
import { HostToCompareSchema, type ColumnResult, type CompareState, type CompareToHost, type HostToCompare } from '../../protocol/compare.ts';
import { connect } from '../shared/rpc.ts';
import { formatMs, formatUsd, h, iconButton } from '../shared/dom.ts';
import { codeOf, interceptLinks, StreamingMarkdown } from '../shared/markdown.ts';

const app = document.getElementById('app')!;
let state: CompareState | null = null;
const texts: HTMLElement[] = [];
const streams: StreamingMarkdown[] = [];
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
      texts[m.index]?.classList.remove('empty');
      streams[m.index]?.append(m.text);
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
  streams[i]?.flush();
  if (text && !text.textContent?.trim()) {
    text.classList.remove('empty');
    text.textContent = r.status === 'cancelled' ? '(stopped)' : '';
  }
  cancels[i]?.setAttribute('hidden', '');
  const a = applies[i];
  if (a && state?.canApply && r.status === 'done') a.hidden = false;
  if (state?.columns.every((c) => c.result)) stopAll.hidden = true;
}

function render(): void {
  if (!state) return;
  for (const s of streams) s.dispose();
  texts.length = metas.length = cancels.length = applies.length = streams.length = 0;
  const header = h(
    'header',
    { class: 'compare-header' },
    h('div', { class: 'prompt-line' }, h('span', { class: 'codicon codicon-comment' }), h('span', { class: 'prompt-text' }, state.prompt)),
    state.contextLabel ? h('div', { class: 'context' }, state.contextLabel) : null,
    stopAll,
  );
  stopAll.hidden = false;
  const columns = state.columns.map((c, i) => {
    const text = h('div', { class: `entry-text markdown${c.text ? '' : ' empty'}` });
    const stream = new StreamingMarkdown(text, addCopyButtons);
    stream.append(c.text);
    texts.push(text);
    streams.push(stream);
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

/** Copy on each code block (the column's Insert / Replace / Diff apply its answer). */
function addCopyButtons(root: HTMLElement): void {
  root.querySelectorAll('.code-block').forEach((block) => {
    const head = block.querySelector('.code-head');
    if (!head || head.querySelector('.code-actions')) return;
    const copy = iconButton(
      'copy',
      'Copy',
      () => {
        void navigator.clipboard.writeText(codeOf(block)).then(() => {
          block.classList.add('copied');
          setTimeout(() => block.classList.remove('copied'), 1200);
        });
      },
      { iconOnly: true, class: 'icon-only', title: 'Copy the code' },
    );
    head.append(h('span', { class: 'code-actions' }, copy));
  });
}

// The comparison host does not open links (yet): clicks on links in answers are swallowed, never navigated.
interceptLinks(app, () => {});

channel.post({ type: 'ready' });
