/**
 * One column of the comparison: its head (label, status, badges, stop / re-run), the answer as
 * sanitized streaming markdown, live metrics, the error with its fix, and the actions on it.
 */
import type { Column, CompareToHost } from '../../shared/protocol/compare.ts';
import { formatMs, formatUsd, h, iconButton } from '../shared/dom.ts';
import { codeOf, StreamingMarkdown } from '../shared/markdown.ts';
import { errorTitle } from '../../shared/compare/view.ts';
import { sentence } from '../../shared/errorText.ts';
import { describeRetry } from '../../shared/protocol/retry.ts';

const STATUS: Record<Column['status'], { icon: string; text: string }> = {
  waiting: { icon: 'loading codicon-modifier-spin', text: 'waiting' },
  streaming: { icon: 'loading codicon-modifier-spin', text: 'streaming' },
  done: { icon: 'pass', text: 'done' },
  error: { icon: 'error', text: 'failed' },
  stopped: { icon: 'debug-stop', text: 'stopped' },
};

export function isRunning(c: Column): boolean {
  return c.status === 'waiting' || c.status === 'streaming';
}

/** Rough output tokens of streamed text (the provider's count replaces it at the end). */
function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export interface ColumnContext {
  post(m: CompareToHost): void;
  runId: string;
  /** Voting is open (nothing running, no vote yet). */
  canVote: boolean;
  winner: boolean;
  badges: string[];
}

export class ColumnView {
  readonly el: HTMLElement;
  /** The column this view shows (the same object as in the state: streamed text is appended to it). */
  readonly column: Column;
  /** What besides the column decides how the view looks (see `ColumnView.key`). */
  readonly key: string;
  private readonly index: number;
  private readonly text: HTMLElement;
  private readonly stream: StreamingMarkdown;
  private readonly metrics: HTMLElement;
  private readonly waitLine: HTMLElement;
  /** performance.now() when `column.elapsedMs` was current. */
  private readonly since: number;

  constructor(index: number, column: Column, ctx: ColumnContext) {
    this.index = index;
    this.column = column;
    this.since = performance.now();
    this.key = ColumnView.key(ctx);
    const st = column.retry && isRunning(column) ? { icon: 'watch', text: 'retrying' } : STATUS[column.status];
    const stop = iconButton('debug-stop', 'Stop', () => ctx.post({ type: 'cancel', run: ctx.runId, index }), {
      iconOnly: true,
      class: 'icon-only stop',
      title: `Stop ${column.label}`,
    });
    const rerun = iconButton('refresh', 'Run again', () => ctx.post({ type: 'rerun', run: ctx.runId, index }), {
      iconOnly: true,
      class: 'icon-only rerun',
      title: `Run ${column.label} again`,
    });
    stop.hidden = !isRunning(column);
    rerun.hidden = isRunning(column);
    const who = h('span', { class: 'who', title: column.model ?? column.label }, column.label);
    const model = column.model && column.model !== column.label ? h('span', { class: 'model-name' }, column.model) : null;
    const badges = h(
      'span',
      { class: 'badges' },
      ...ctx.badges.map((b) => h('span', { class: `badge badge-${b.split(' ')[0]}` }, b)),
      ctx.winner ? h('span', { class: 'badge badge-winner' }, h('span', { class: 'codicon codicon-star-full' }), 'your pick') : null,
    );
    const head = h(
      'div',
      { class: 'column-head' },
      h('span', { class: `status-icon codicon codicon-${st.icon}`, title: st.text }),
      h('div', { class: 'head-names' }, who, model),
      h('span', { class: `status status-${column.status}` }, st.text),
      stop,
      rerun,
    );
    this.text = h('div', { class: `entry-text markdown${column.text ? '' : ' empty'}` });
    // A failed or stopped column without text shows its error or status, not an empty answer.
    this.text.hidden = !column.text && !isRunning(column) && column.status !== 'done';
    this.stream = new StreamingMarkdown(this.text, addCopyButtons);
    this.stream.append(column.text);
    this.stream.flush();
    this.metrics = h('div', { class: 'metrics' });
    this.waitLine = h('div', { class: 'wait-line', role: 'status' });
    this.waitLine.hidden = !column.retry;
    const notes = h('div', { class: 'notes' });
    if (column.answeredBy && column.model && column.answeredBy !== column.model)
      notes.append(h('div', { class: 'answered-by' }, h('span', { class: 'codicon codicon-git-merge' }), `answered by ${column.answeredBy}`));
    for (const f of column.failover) notes.append(h('div', { class: 'failover muted' }, h('span', { class: 'codicon codicon-debug-step-over' }), `tried ${f}`));
    const error = column.error
      ? h(
          'div',
          { class: 'entry-error', role: 'alert' },
          h('span', { class: 'codicon codicon-error' }),
          h(
            'div',
            {},
            h('div', { class: 'error-title' }, errorTitle(column.error.kind)),
            // The provider's own words as they are (a model id must keep its case); the fix is ours.
            h('div', { class: 'error-message' }, column.error.message),
            column.error.fix ? h('div', { class: 'error-fix' }, `Fix: ${sentence(column.error.fix)}`) : null,
          ),
        )
      : null;
    const done = column.status === 'done';
    const actions = h(
      'div',
      { class: 'entry-actions' },
      iconButton('insert', 'Insert', () => ctx.post({ type: 'apply', run: ctx.runId, index, mode: 'insert' }), {
        title: 'Use this answer: insert its code at the cursor',
      }),
      iconButton('replace', 'Replace', () => ctx.post({ type: 'apply', run: ctx.runId, index, mode: 'replace' }), {
        title: 'Use this answer: replace the selection with its code',
      }),
      iconButton('diff', 'Diff', () => ctx.post({ type: 'apply', run: ctx.runId, index, mode: 'diff' }), {
        title: 'Use this answer: review its code as a diff of your file',
      }),
    );
    actions.setAttribute('role', 'group');
    actions.setAttribute('aria-label', 'Use this answer');
    actions.hidden = !done;
    const vote = iconButton('thumbsup', 'Best', () => ctx.post({ type: 'vote', run: ctx.runId, index }), {
      class: 'vote',
      title: `Vote ${column.label} the best answer`,
    });
    vote.hidden = !(ctx.canVote && done);
    this.el = h(
      'section',
      { class: `column status-${column.status}${ctx.winner ? ' winner' : ''}`, ariaLabel: column.label },
      head,
      badges,
      this.waitLine,
      this.text,
      error,
      this.metrics,
      notes,
      h('div', { class: 'column-foot' }, actions, vote),
    );
    this.el.dataset.index = String(index);
    this.tick();
  }

  static key(ctx: ColumnContext): string {
    return JSON.stringify([ctx.runId, ctx.canVote, ctx.winner, ctx.badges]);
  }

  get runId(): string {
    return this.column.runId;
  }

  get running(): boolean {
    return isRunning(this.column);
  }

  append(text: string): void {
    this.column.text += text;
    this.text.hidden = false;
    this.text.classList.remove('empty');
    this.stream.append(text);
  }

  /** Refreshes the metrics line and the retry countdown (every few hundred ms while the column runs). */
  tick(): void {
    const c = this.column;
    if (c.retry) this.waitLine.replaceChildren(h('span', { class: 'codicon codicon-watch' }), describeRetry(c.retry, Date.now()));
    const live = isRunning(c);
    const elapsed = live ? c.elapsedMs + (performance.now() - this.since) : c.totalMs;
    const outTokens = live ? (c.text ? estimateTokens(c.text) : null) : c.outputTokens;
    let tps = c.tokensPerSecond;
    if (live && outTokens !== null && c.ttftMs !== null && elapsed !== null && elapsed - c.ttftMs > 200) tps = (outTokens / (elapsed - c.ttftMs)) * 1000;
    const cost = live ? (outTokens !== null && c.outputPrice !== null ? (outTokens * c.outputPrice) / 1e6 : null) : c.costUsd;
    const approx = live ? '~' : '';
    const item = (label: string, value: string, cls: string): HTMLElement =>
      h('span', { class: `metric ${cls}`, title: label }, h('span', { class: 'metric-label' }, label), h('span', { class: 'metric-value' }, value));
    const timing = [item('first token', formatMs(c.ttftMs), 'm-ttft'), item('total', elapsed === null ? '—' : formatMs(elapsed), 'm-total')];
    // A blind run's host withholds tokens, speed and cost (they tell models apart): say when they come.
    if (c.withheld) {
      this.metrics.replaceChildren(...timing, h('span', { class: 'metric m-withheld muted' }, 'tokens and cost after the vote'));
      return;
    }
    this.metrics.replaceChildren(
      ...timing,
      item('tok/s', tps === null ? '—' : `${approx}${tps.toFixed(1)}`, 'm-tps'),
      // Unknown counts read "—" like every other unknown figure (never a bare "?").
      item(
        'tokens',
        c.inputTokens === null && outTokens === null ? '—' : `${c.inputTokens ?? '—'} → ${outTokens === null ? '—' : `${approx}${outTokens}`}`,
        'm-tokens',
      ),
      item('cost', c.costIncluded ? 'included' : cost === null ? (live ? '—' : formatUsd(null)) : `${approx}${formatUsd(cost)}`, 'm-cost'),
    );
  }

  dispose(): void {
    this.stream.dispose();
  }

  get position(): number {
    return this.index;
  }
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
        navigator.clipboard.writeText(codeOf(block)).then(
          () => {
            block.classList.add('copied');
            setTimeout(() => block.classList.remove('copied'), 1200);
          },
          () => block.classList.add('copy-failed'), // the webview refused clipboard access: mark the block rather than drop the rejection
        );
      },
      { iconOnly: true, class: 'icon-only', title: 'Copy the code' },
    );
    head.append(h('span', { class: 'code-actions' }, copy));
  });
}
