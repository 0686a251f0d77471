/**
 * One transcript entry of the chat view: the text (answers as sanitized markdown, streamed
 * incrementally), what was asked and what answered, the metrics, failover attempts, the inline
 * error with its one-click action, and the per-answer and per-code-block actions.
 */
import type { ChatEntry, ChatToHost, ErrorAction } from '../../shared/protocol/chat.ts';
import { formatMs, formatUsd, h, iconButton, INCLUDED_LABEL } from '../shared/dom.ts';
import { codeOf, renderMarkdown, StreamingMarkdown } from '../shared/markdown.ts';
import { describeRetry, RetryNoticeSchema } from '../../shared/protocol/retry.ts';

export interface EntryContext {
  post(message: ChatToHost): void;
  /** The user's own open/closed choice for an entry's Thinking section, if they toggled it. */
  thinkingOpen(id: string): boolean | undefined;
  setThinkingOpen(id: string, open: boolean): void;
  /** Called when streamed content was added (to follow the stream). */
  onGrow(): void;
  copy(text: string, block: Element): void;
}

/** "1,234" */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** The metrics line under an answer. */
export function metricsOf(e: ChatEntry): string[] {
  const parts: string[] = [];
  if (e.ttftMs !== null) parts.push(`first token ${formatMs(e.ttftMs)}`);
  if (e.tokensPerSecond !== null) parts.push(`${e.tokensPerSecond >= 100 ? Math.round(e.tokensPerSecond) : e.tokensPerSecond.toFixed(1)} tok/s`);
  if (e.inputTokens !== null || e.outputTokens !== null) parts.push(`${e.inputTokens ?? '?'} → ${e.outputTokens ?? '?'} tokens`);
  if (e.costUsd !== null) parts.push(e.costEstimated ? `~${formatUsd(e.costUsd)} (estimate)` : formatUsd(e.costUsd));
  else if (e.costIncluded) parts.push(INCLUDED_LABEL);
  else if (e.answeredBy) parts.push('cost unknown');
  if (e.totalMs !== null) parts.push(formatMs(e.totalMs));
  return parts;
}

function actionLabel(a: ErrorAction, now: number): { icon: string; label: string; waitS: number } {
  switch (a.kind) {
    case 'setKey':
      return { icon: 'key', label: 'Set API Key', waitS: 0 };
    case 'retryAt': {
      const waitS = Math.max(0, Math.ceil((a.at - now) / 1000));
      return { icon: 'refresh', label: waitS > 0 ? `Retry in ${waitS} s` : 'Retry', waitS };
    }
    case 'retry':
      return { icon: 'refresh', label: 'Retry', waitS: 0 };
    case 'retryWith':
      return { icon: 'arrow-swap', label: 'Retry with…', waitS: 0 };
    case 'openSettings':
      return { icon: 'gear', label: 'Open Settings', waitS: 0 };
    default: {
      const never: never = a;
      return never;
    }
  }
}

/** Refresh "Retry in N s" buttons and "retrying in N s" waits; returns true while any is still counting. */
export function tickCountdowns(root: HTMLElement): boolean {
  let counting = false;
  const now = Date.now();
  root.querySelectorAll<HTMLElement>('.wait-line[data-notice]').forEach((line) => {
    const parsed = RetryNoticeSchema.safeParse(JSON.parse(line.dataset.notice ?? 'null'));
    if (!parsed.success) return;
    const text = line.querySelector('.wait-text');
    if (text) text.textContent = describeRetry(parsed.data, now);
    if (parsed.data.at > now) counting = true;
  });
  root.querySelectorAll<HTMLButtonElement>('button.error-action[data-at]').forEach((b) => {
    const at = Number(b.dataset.at);
    const { label, waitS } = actionLabel({ kind: 'retryAt', at }, now);
    const text = b.querySelector('.btn-label');
    if (text) text.textContent = label;
    b.setAttribute('aria-label', label);
    b.disabled = waitS > 0;
    if (waitS > 0) counting = true;
  });
  return counting;
}

function errorBox(e: ChatEntry, ctx: EntryContext): HTMLElement | null {
  const err = e.error;
  if (!err) return null;
  let button: HTMLButtonElement | null = null;
  if (err.action) {
    const { icon, label, waitS } = actionLabel(err.action, Date.now());
    button = iconButton(icon, label, () => ctx.post({ type: 'errorAction', id: e.id }), { class: 'error-action primary' });
    button.dataset.kind = err.action.kind;
    if (err.action.kind === 'retryAt') {
      button.dataset.at = String(err.action.at);
      button.disabled = waitS > 0;
    }
  }
  return h(
    'div',
    { class: 'entry-error', role: 'alert', dataset: { kind: err.kind } },
    h('span', { class: 'codicon codicon-error', ariaLabel: 'Error' }),
    h(
      'div',
      { class: 'error-body' },
      h('div', { class: 'error-message' }, `${err.status ? `HTTP ${err.status} · ` : ''}${err.kind.replace(/_/g, ' ')}: ${err.message}`),
      err.fix ? h('div', { class: 'error-fix' }, err.fix) : null,
      button ? h('div', { class: 'error-actions' }, button) : null,
    ),
  );
}

/** While the router waits to try again: "rate limited — retrying in 7 s (attempt 2 of 3)", counting down. */
function waitLine(e: ChatEntry): HTMLElement | null {
  if (!e.retry || e.status !== 'streaming') return null;
  return h(
    'div',
    { class: 'wait-line', role: 'status', dataset: { notice: JSON.stringify(e.retry) } },
    h('span', { class: 'codicon codicon-watch' }),
    h('span', { class: 'wait-text' }, describeRetry(e.retry, Date.now())),
  );
}

/** ‹ 1/2 ›: the answers of one turn (Retry with… keeps the earlier one); not while it streams. */
function alternativeSwitch(e: ChatEntry, ctx: EntryContext): HTMLElement | null {
  const alt = e.alternative;
  if (!alt || alt.count < 2) return null;
  const go = (index: number) => () => ctx.post({ type: 'showAlternative', id: e.id, index });
  const prev = iconButton('chevron-left', 'Previous answer', go(alt.index - 1), { iconOnly: true, class: 'icon-only alt-prev', title: 'Previous answer' });
  const next = iconButton('chevron-right', 'Next answer', go(alt.index + 1), { iconOnly: true, class: 'icon-only alt-next', title: 'Next answer' });
  const busy = e.status === 'streaming';
  prev.disabled = busy || alt.index === 0;
  next.disabled = busy || alt.index >= alt.count - 1;
  return h(
    'span',
    { class: 'alt-switch', role: 'group', ariaLabel: `Answer ${alt.index + 1} of ${alt.count}` },
    prev,
    h('span', { class: 'alt-count' }, `${alt.index + 1}/${alt.count}`),
    next,
  );
}

function attemptsDetail(e: ChatEntry): HTMLElement | null {
  // One attempt says nothing the metrics and the error do not; several are a failover worth showing.
  if (e.attempts.length < 2) return null;
  const failed = e.attempts.filter((a) => a.outcome !== 'ok').length;
  const summary = h('summary', {}, `${e.attempts.length} attempt${e.attempts.length === 1 ? '' : 's'}${failed && e.answeredBy ? ' (failed over)' : ''}`);
  const list = h(
    'ol',
    { class: 'attempts' },
    ...e.attempts.map((a) =>
      h(
        'li',
        { class: `attempt outcome-${a.outcome}` },
        h('span', { class: `codicon codicon-${a.outcome === 'ok' ? 'pass' : a.outcome === 'skipped' ? 'debug-step-over' : 'error'}` }),
        h('span', { class: 'attempt-model' }, a.model),
        h(
          'span',
          { class: 'muted' },
          [a.outcome === 'ok' ? 'answered' : a.outcome, a.errorKind, a.status ? `HTTP ${a.status}` : null, formatMs(a.durationMs)].filter(Boolean).join(' · '),
        ),
        a.message ? h('div', { class: 'attempt-message muted' }, a.message) : null,
      ),
    ),
  );
  return h('details', { class: 'attempts-detail' }, summary, list);
}

/** Copy, and for finished answers Insert / Replace / Diff, on every code block; `block` is its index in the answer. */
function decorateCode(root: HTMLElement, e: ChatEntry, ctx: EntryContext, canApply: boolean): void {
  root.querySelectorAll('.code-block').forEach((block, i) => {
    const head = block.querySelector('.code-head');
    if (!head || head.querySelector('.code-actions')) return;
    const n = i + 1;
    const apply = (mode: 'insert' | 'replace' | 'diff') => () => ctx.post({ type: 'apply', id: e.id, block: i, mode });
    const actions = h(
      'span',
      { class: 'code-actions' },
      iconButton('copy', `Copy code block ${n}`, () => ctx.copy(codeOf(block), block), { iconOnly: true, class: 'icon-only', title: 'Copy' }),
    );
    if (canApply) {
      actions.append(
        iconButton('insert', `Insert code block ${n} at the cursor`, apply('insert'), { iconOnly: true, class: 'icon-only', title: 'Insert at Cursor' }),
        iconButton('replace', `Replace the selection with code block ${n}`, apply('replace'), {
          iconOnly: true,
          class: 'icon-only',
          title: 'Replace Selection',
        }),
        iconButton('diff', `Open code block ${n} as a diff`, apply('diff'), {
          iconOnly: true,
          class: 'icon-only',
          title: 'Open as Diff (review, then accept)',
        }),
      );
    }
    (block as HTMLElement).dataset.block = String(i);
    head.append(actions);
  });
}

/** "1,234 tokens" from the provider's count; "~1,234 tokens" estimated from the text (4 characters a token) when it gave none. */
export function thinkingTokens(reasoning: string, counted: number | null): string {
  if (counted !== null) return `${formatCount(counted)} token${counted === 1 ? '' : 's'}`;
  const n = Math.ceil(reasoning.length / 4);
  return `~${formatCount(n)} token${n === 1 ? '' : 's'}`;
}

/**
 * The collapsible Thinking section of an answer. Open while the model thinks; it folds itself when
 * the answer text starts (unless the user opened or closed it: their choice stays).
 */
export class ThinkingView {
  readonly el: HTMLDetailsElement;
  private readonly text: HTMLElement;
  private readonly label: HTMLElement;
  private readonly count: HTMLElement;
  private reasoning: string;
  private thinking: boolean;
  private readonly userChoice: () => boolean | undefined;

  constructor(e: ChatEntry, ctx: EntryContext) {
    this.reasoning = e.reasoning;
    this.thinking = e.status === 'streaming' && !e.text;
    this.label = h('span', { class: 'thinking-label' });
    this.count = h('span', { class: 'thinking-count muted' });
    const summary = h('summary', { class: 'thinking-summary' }, h('span', { class: 'codicon codicon-lightbulb' }), this.label, this.count);
    this.text = h('div', { class: 'thinking-text' }, e.reasoning);
    this.el = h('details', { class: 'thinking', dataset: { id: e.id } }, summary, this.text);
    this.el.hidden = !e.reasoning;
    this.userChoice = () => ctx.thinkingOpen(e.id);
    this.el.open = this.userChoice() ?? this.thinking;
    // A click (or Enter / Space) on the summary is the user's choice; the element flips after the click.
    summary.addEventListener('click', () => ctx.setThinkingOpen(e.id, !this.el.open));
    this.update(e.reasoningTokens);
  }

  private setOpen(open: boolean): void {
    this.el.open = open;
  }

  private update(counted: number | null = null): void {
    this.label.textContent = this.thinking ? 'Thinking…' : 'Thinking';
    this.count.textContent = this.reasoning ? thinkingTokens(this.reasoning, counted) : '';
  }

  append(text: string): void {
    this.reasoning += text;
    this.text.append(document.createTextNode(text));
    if (this.el.hidden) {
      this.el.hidden = false;
      this.thinking = true;
      this.setOpen(this.userChoice() ?? true);
    }
    this.update();
  }

  /** The answer text began: thinking is over, fold it away unless the user chose otherwise. */
  answerStarted(): void {
    if (!this.thinking) return;
    this.thinking = false;
    this.setOpen(this.userChoice() ?? false);
    this.update();
  }
}

function imageStrip(e: ChatEntry): HTMLElement | null {
  if (!e.images.length) return null;
  return h(
    'div',
    { class: 'entry-images', role: 'list', ariaLabel: 'Images sent' },
    ...e.images.map((img) => {
      const item = h('span', { class: 'entry-image', role: 'listitem', title: `${img.name} (${img.mediaType})` });
      if (img.thumb) {
        const pic = h('img', { class: 'thumb' });
        pic.src = img.thumb;
        pic.alt = img.name;
        item.append(pic);
      } else item.append(h('span', { class: 'codicon codicon-file-media' }), h('span', { class: 'image-name' }, img.name));
      return item;
    }),
  );
}

export interface RenderedEntry {
  el: HTMLElement;
  stream: StreamingMarkdown | null;
  body: HTMLElement;
  thinking: ThinkingView | null;
}

export function renderEntry(e: ChatEntry, ctx: EntryContext): RenderedEntry {
  const assistant = e.role === 'assistant';
  let stream: StreamingMarkdown | null = null;
  let body: HTMLElement;
  if (!assistant) {
    body = h('pre', { class: 'entry-text' }, e.text);
  } else {
    body = h('div', { class: `entry-text markdown${e.text ? '' : ' empty'}` });
    // A failed answer with no text shows its error only.
    if (!e.text && e.status === 'error') body.hidden = true;
    if (e.status === 'streaming') {
      stream = new StreamingMarkdown(body, (added) => {
        decorateCode(added, e, ctx, false);
        ctx.onGrow();
      });
      stream.append(e.text);
    } else {
      body.append(renderMarkdown(e.text));
      decorateCode(body, e, ctx, e.canApply);
    }
  }

  const who = assistant ? (e.model ?? 'Assistant') : 'You';
  const head = h(
    'div',
    { class: 'entry-head' },
    h('span', { class: `codicon codicon-${assistant ? 'sparkle' : 'account'}` }),
    h('span', { class: 'who' }, who),
    e.status === 'streaming' ? h('span', { class: 'codicon codicon-loading codicon-modifier-spin', title: 'Answering…', ariaLabel: 'Answering' }) : null,
    e.status === 'cancelled' ? h('span', { class: 'badge', title: 'You stopped this answer; the text so far is kept' }, 'stopped') : null,
    e.status === 'interrupted'
      ? h('span', { class: 'badge warn', title: 'The window closed while this answer streamed; the text so far was saved' }, 'interrupted')
      : null,
    assistant ? alternativeSwitch(e, ctx) : null,
  );
  const contexts = e.contextLabels.length
    ? h(
        'div',
        { class: 'entry-context' },
        ...e.contextLabels.map((l) =>
          h('span', { class: 'context chip static', title: 'Code sent with this message' }, h('span', { class: 'codicon codicon-file-code' }), l),
        ),
      )
    : null;

  let meta: HTMLElement | null = null;
  let actions: HTMLElement | null = null;
  if (assistant) {
    const answered = e.answeredBy ? h('span', { class: 'answered-by' }, `answered by ${e.answeredBy}`) : null;
    const metrics = metricsOf(e);
    meta = h('div', { class: 'entry-meta' }, answered, answered && metrics.length ? ' · ' : null, metrics.join(' · '));
    // While it streams, the one Stop is the composer's (it takes the place of Send).
    if (e.status !== 'streaming') {
      // The error box already offers "Retry with…" when that is its fix: not twice.
      const errorOffersRetryWith = e.error?.action?.kind === 'retryWith';
      actions = h(
        'div',
        { class: 'entry-actions' },
        iconButton('refresh', 'Regenerate', () => ctx.post({ type: 'regenerate', id: e.id }), {
          title: `Ask ${e.model ?? 'the model'} again, replacing this answer`,
          class: 'regenerate',
        }),
        errorOffersRetryWith
          ? null
          : iconButton('arrow-swap', 'Retry with…', () => ctx.post({ type: 'retryWith', id: e.id }), {
              title: 'Ask another model; this answer stays as an alternative (the current model stays)',
              class: 'retry-with',
            }),
      );
    }
  }
  const thinking = assistant ? new ThinkingView(e, ctx) : null;
  const el = h(
    'article',
    { class: `entry ${e.role} status-${e.status}`, dataset: { id: e.id }, ariaLabel: assistant ? `Answer from ${who}` : 'Your message' },
    head,
    contexts,
    assistant ? null : imageStrip(e),
    thinking?.el,
    assistant ? waitLine(e) : null,
    body,
    meta,
    assistant ? attemptsDetail(e) : null,
    errorBox(e, ctx),
    actions,
  );
  return { el, stream, body, thinking };
}
