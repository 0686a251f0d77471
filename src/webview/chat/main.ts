/**
 * The chat view's browser code. User turns are plain text; answers are markdown, sanitized by
 * shared/markdown.ts (raw HTML in an answer is shown as text) and rendered incrementally while
 * they stream.
 */
import { HostToChatSchema, type ChatEntry, type ChatState, type ChatToHost, type HostToChat } from '../../protocol/chat.ts';
import { connect } from '../shared/rpc.ts';
import { formatMs, formatUsd, h, iconButton } from '../shared/dom.ts';
import { codeOf, interceptLinks, renderMarkdown, StreamingMarkdown } from '../shared/markdown.ts';

const app = document.getElementById('app')!;
let state: ChatState = { model: null, modelDetail: null, entries: [], busy: false, spend: '' };
const texts = new Map<string, HTMLElement>();
/** Answers being streamed, by entry id. */
const streams = new Map<string, StreamingMarkdown>();

const channel = connect<HostToChat, ChatToHost>(HostToChatSchema, (m) => {
  switch (m.type) {
    case 'state':
      state = m.state;
      render();
      return;
    case 'delta': {
      const entry = state.entries.find((e) => e.id === m.id);
      if (entry) entry.text += m.text;
      const stream = streams.get(m.id);
      if (stream) {
        texts.get(m.id)?.classList.remove('empty');
        stream.append(m.text);
      }
      return;
    }
    default:
      assertNever(m);
  }
});

function assertNever(x: never): never {
  throw new Error(`unexpected message ${JSON.stringify(x)}`);
}

// ── Layout (built once; only the transcript and the toolbar text are re-rendered) ──

const modelLabel = h('span', { class: 'model-name' });
const modelButton = h('button', { class: 'model-button', type: 'button', title: 'Switch model' }, h('span', { class: 'codicon codicon-arrow-swap' }), modelLabel, h('span', { class: 'codicon codicon-chevron-down' }));
modelButton.addEventListener('click', () => channel.post({ type: 'switchModel' }));
const spend = h('span', { class: 'spend', title: "This session's spend" });
// New Chat, Compare and the rest are in the view's title bar (package.json menus), not repeated here.
const toolbar = h('header', { class: 'toolbar' }, modelButton, spend);

const transcript = h('main', { class: 'transcript', role: 'log', ariaLabel: 'Conversation' });

const input = h('textarea', { class: 'prompt', ariaLabel: 'Message' });
input.placeholder = 'Ask Switchboard… (Enter to send, Shift+Enter for a new line)';
input.rows = 3;
const send = iconButton('send', 'Send', submit, { class: 'primary' });
const stop = iconButton('debug-stop', 'Stop', () => channel.post({ type: 'cancel' }));
const composer = h('footer', { class: 'composer' }, input, h('div', { class: 'composer-actions' }, stop, send));

input.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    submit();
  }
});

function submit(): void {
  const text = input.value.trim();
  if (!text || state.busy) return;
  channel.post({ type: 'send', text });
  input.value = '';
}

app.append(toolbar, transcript, composer);
transcript.addEventListener('scroll', () => (stickToBottom = nearBottom()), { passive: true });
interceptLinks(transcript, (url) => channel.post({ type: 'openLink', url }));

// ── Rendering ──

function nearBottom(): boolean {
  return transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 40;
}

function scrollToBottom(): void {
  transcript.scrollTop = transcript.scrollHeight;
}

function meta(e: ChatEntry): string {
  const parts: string[] = [];
  if (e.answeredBy && e.answeredBy !== e.model) parts.push(`answered by ${e.answeredBy}`);
  if (e.inputTokens !== null || e.outputTokens !== null) parts.push(`${e.inputTokens ?? '?'} → ${e.outputTokens ?? '?'} tokens`);
  if (e.status === 'done' || e.costUsd !== null) parts.push(formatUsd(e.costUsd));
  if (e.totalMs !== null) parts.push(formatMs(e.totalMs));
  if (e.status === 'cancelled') parts.push('stopped');
  return parts.join(' · ');
}

function renderEntry(e: ChatEntry): HTMLElement {
  const who = e.role === 'user' ? 'You' : (e.model ?? 'Assistant');
  const text = e.role === 'user' ? h('pre', { class: 'entry-text' }, e.text) : answerBody(e);
  texts.set(e.id, text);
  const hasCode = text.querySelector('.code-block') !== null;
  const head = h(
    'div',
    { class: 'entry-head' },
    h('span', { class: `codicon codicon-${e.role === 'user' ? 'account' : 'sparkle'}` }),
    h('span', { class: 'who' }, who),
    e.contextLabel ? h('span', { class: 'context', title: 'Code sent with this message' }, e.contextLabel) : null,
    e.status === 'streaming' ? h('span', { class: 'codicon codicon-loading codicon-modifier-spin', title: 'Answering…' }) : null,
  );
  const actions =
    // With code blocks, the first block carries these (the host applies an answer's first block).
    e.role === 'assistant' && e.canApply && e.status !== 'streaming' && e.text && !hasCode
      ? h(
          'div',
          { class: 'entry-actions' },
          iconButton('insert', 'Insert', () => channel.post({ type: 'apply', id: e.id, mode: 'insert' }), { title: 'Insert the code at the cursor' }),
          iconButton('replace', 'Replace', () => channel.post({ type: 'apply', id: e.id, mode: 'replace' }), { title: 'Replace the selection with the code' }),
          iconButton('diff', 'Diff', () => channel.post({ type: 'apply', id: e.id, mode: 'diff' }), { title: 'Review the change as a diff, then accept it' }),
        )
      : null;
  return h(
    'article',
    { class: `entry ${e.role} status-${e.status}`, dataset: { id: e.id } },
    head,
    text,
    e.role === 'assistant' ? h('div', { class: 'entry-meta' }, meta(e)) : null,
    e.error ? h('div', { class: 'entry-error', role: 'alert' }, h('span', { class: 'codicon codicon-error' }), e.error) : null,
    actions,
  );
}

/** An answer: streamed incrementally while it arrives, rendered whole once it is finished. */
function answerBody(e: ChatEntry): HTMLElement {
  const body = h('div', { class: `entry-text markdown${e.text ? '' : ' empty'}` });
  if (e.status === 'streaming') {
    const stream = new StreamingMarkdown(body, (added) => {
      decorateCode(added, e, false);
      if (stickToBottom) scrollToBottom();
    });
    streams.set(e.id, stream);
    stream.append(e.text);
  } else {
    body.append(renderMarkdown(e.text));
    decorateCode(body, e, e.canApply);
  }
  return body;
}

/** Whether the transcript follows the stream (the user has not scrolled up). */
let stickToBottom = true;

/** Copy on every code block; Insert / Replace / Diff on the first block of an applicable answer. */
function decorateCode(root: HTMLElement, e: ChatEntry, canApply: boolean): void {
  root.querySelectorAll('.code-block').forEach((block, i) => {
    const head = block.querySelector('.code-head');
    if (!head || head.querySelector('.code-actions')) return;
    const actions = h('span', { class: 'code-actions' }, iconButton('copy', 'Copy', () => void copy(codeOf(block), block), { iconOnly: true, class: 'icon-only', title: 'Copy the code' }));
    if (canApply && i === 0) {
      actions.append(
        iconButton('insert', 'Insert', () => channel.post({ type: 'apply', id: e.id, mode: 'insert' }), { iconOnly: true, class: 'icon-only', title: 'Insert at the cursor' }),
        iconButton('replace', 'Replace', () => channel.post({ type: 'apply', id: e.id, mode: 'replace' }), { iconOnly: true, class: 'icon-only', title: 'Replace the selection' }),
        iconButton('diff', 'Diff', () => channel.post({ type: 'apply', id: e.id, mode: 'diff' }), { iconOnly: true, class: 'icon-only', title: 'Review the change as a diff, then accept it' }),
      );
    }
    head.append(actions);
  });
}

async function copy(text: string, block: Element): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = h('textarea', {});
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand('copy');
    area.remove();
  }
  block.classList.add('copied');
  setTimeout(() => block.classList.remove('copied'), 1200);
}

function render(): void {
  const stick = nearBottom() || state.busy;
  modelLabel.textContent = state.model ?? 'Pick a model';
  modelButton.title = state.model ? `${state.model}${state.modelDetail ? ` — ${state.modelDetail}` : ''}\nClick to switch model` : 'Pick a model';
  spend.textContent = state.spend;
  texts.clear();
  for (const s of streams.values()) s.dispose();
  streams.clear();
  stickToBottom = stick;
  transcript.replaceChildren(
    ...(state.entries.length
      ? state.entries.map(renderEntry)
      : [
          h(
            'div',
            { class: 'empty-state' },
            h('span', { class: 'codicon codicon-comment-discussion' }),
            h('p', {}, 'Ask anything below, or select code in an editor and right-click → Switchboard.'),
            state.modelDetail ? h('p', { class: 'muted' }, `${state.model}: ${state.modelDetail}`) : null,
          ),
        ]),
  );
  send.disabled = state.busy;
  stop.hidden = !state.busy;
  send.hidden = state.busy;
  if (stick) scrollToBottom();
}

render();
channel.post({ type: 'ready' });
