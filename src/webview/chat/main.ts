/**
 * The chat view's browser code (a minimal working chat; the full markdown UI comes later).
 * Answers are shown as plain text in <pre>: nothing from a model is ever parsed as HTML.
 */
import { HostToChatSchema, type ChatEntry, type ChatState, type ChatToHost, type HostToChat } from '../../protocol/chat.ts';
import { connect } from '../shared/rpc.ts';
import { formatMs, formatUsd, h, iconButton } from '../shared/dom.ts';

const app = document.getElementById('app')!;
let state: ChatState = { model: null, modelDetail: null, entries: [], busy: false, spend: '' };
const texts = new Map<string, HTMLElement>();

const channel = connect<HostToChat, ChatToHost>(HostToChatSchema, (m) => {
  switch (m.type) {
    case 'state':
      state = m.state;
      render();
      return;
    case 'delta': {
      const entry = state.entries.find((e) => e.id === m.id);
      if (entry) entry.text += m.text;
      const el = texts.get(m.id);
      if (el) {
        const stick = nearBottom();
        el.textContent = entry?.text ?? (el.textContent ?? '') + m.text;
        el.classList.remove('empty');
        if (stick) scrollToBottom();
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
  const text = h('pre', { class: `entry-text${e.text ? '' : ' empty'}` }, e.text || (e.status === 'streaming' ? '…' : ''));
  texts.set(e.id, text);
  const head = h(
    'div',
    { class: 'entry-head' },
    h('span', { class: `codicon codicon-${e.role === 'user' ? 'account' : 'sparkle'}` }),
    h('span', { class: 'who' }, who),
    e.contextLabel ? h('span', { class: 'context', title: 'Code sent with this message' }, e.contextLabel) : null,
    e.status === 'streaming' ? h('span', { class: 'codicon codicon-loading codicon-modifier-spin', title: 'Answering…' }) : null,
  );
  const actions =
    e.role === 'assistant' && e.canApply && e.status !== 'streaming' && e.text
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

function render(): void {
  const stick = nearBottom() || state.busy;
  modelLabel.textContent = state.model ?? 'Pick a model';
  modelButton.title = state.model ? `${state.model}${state.modelDetail ? ` — ${state.modelDetail}` : ''}\nClick to switch model` : 'Pick a model';
  spend.textContent = state.spend;
  texts.clear();
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
