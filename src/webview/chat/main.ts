/**
 * The chat view's browser code: header (model picker, history), transcript, composer (context
 * chips, draft kept across hides). User turns are plain text; answers are markdown, sanitized by
 * shared/markdown.ts and rendered incrementally while they stream (entry.ts).
 */
import { HostToChatSchema, type ChatImage, type ChatState, type ChatToHost, type ConversationSummary, type HostToChat } from '../../shared/protocol/chat.ts';
import { formatSpend, h, iconButton, INCLUDED_LABEL } from '../shared/dom.ts';
import { interceptLinks, type StreamingMarkdown } from '../shared/markdown.ts';
import { assertNever, connect } from '../shared/rpc.ts';
import { formatCount, renderEntry, tickCountdowns, type ThinkingView } from './entry.ts';
import { ImageComposer } from './images.ts';
import { markSelected, setOptions, setPlaceholder, singleSelect } from '../shared/select.ts';

const app = document.getElementById('app')!;
app.removeAttribute('aria-live'); // only the transcript is a live region
let state: ChatState = {
  model: null,
  imageInput: false,
  modelDetail: null,
  models: [],
  conversationId: '',
  title: '',
  entries: [],
  streamingId: null,
  totals: { inputTokens: 0, outputTokens: 0, costUsd: 0, unpriced: 0 },
  history: [],
  chips: [],
};
/** The answer being streamed, by entry id. */
const streams = new Map<string, { stream: StreamingMarkdown; body: HTMLElement; thinking: ThinkingView | null }>();
/** Thinking sections the user opened or closed by hand (their choice survives re-renders). */
const thinkingChoice = new Map<string, boolean>();
/** The last message sent, so a `refused` answer can put it back in the composer. */
let lastSent: { text: string; images: ChatImage[] } | null = null;
/** False until the host's first snapshot: until then the view says it is loading (not "no model"). */
let loaded = false;
/** A question sent before any model existed: it stays in the composer and goes once one is picked. */
let waitingForModel = false;

const channel = connect<HostToChat, ChatToHost>(HostToChatSchema, (m) => {
  switch (m.type) {
    case 'state': {
      const first = !loaded;
      state = m.state;
      loaded = true;
      if (first) forgetSentDraft();
      render();
      // The question typed before there was a model goes now that there is one.
      if (waitingForModel && state.model && !state.streamingId) {
        waitingForModel = false;
        images.hideNotice();
        submit();
      }
      return;
    }
    case 'delta': {
      const entry = state.entries.find((e) => e.id === m.id);
      if (entry) entry.text += m.text;
      const s = streams.get(m.id);
      if (s) {
        s.body.classList.remove('empty');
        if (m.text) s.thinking?.answerStarted();
        s.stream.append(m.text);
      }
      return;
    }
    case 'reasoningDelta': {
      const entry = state.entries.find((e) => e.id === m.id);
      if (entry) entry.reasoning += m.text;
      streams.get(m.id)?.thinking?.append(m.text);
      if (stickToBottom) scrollToBottom();
      return;
    }
    case 'refused':
      // Nothing was sent: the question and its images go back in the composer, with the reason.
      if (lastSent && !input.value.trim() && !images.count) {
        input.value = lastSent.text;
        images.restore(lastSent.images);
      }
      images.showNotice(m.message);
      return;
    case 'attachedImages':
      attaching(images.addEncoded(m.images));
      return;
    case 'focus':
      input.focus();
      return;
    default:
      assertNever(m);
  }
});

const post = (m: ChatToHost): void => channel.post(m);

// ── Header: model picker, full switcher, history ──

// One model control (the picker: type to filter, Enter takes the first match), one history, one New Chat.
// The full switcher stays on the status bar and the command palette.
const picker = singleSelect('model-picker', 'Model', { combobox: true, placeholder: 'Loading…' });
markSelected(picker);
let pickerIds = '';
picker.addEventListener('change', () => {
  const id = picker.value;
  if (id && id !== state.model) post({ type: 'setModel', model: id });
  // The choice is made: the typed filter is done with (the next focus starts from the whole list).
  if (id) input.focus();
});
const historyButton = iconButton('history', 'Chat history', () => toggleHistory(), {
  iconOnly: true,
  class: 'icon-only history-button',
  title: 'Chat history',
});
historyButton.setAttribute('aria-expanded', 'false');
const newChatButton = iconButton('add', 'New chat', () => post({ type: 'newChat' }), { iconOnly: true, class: 'icon-only new-chat', title: 'New chat' });
const titleEl = h('span', { class: 'conv-title' });
const totalsEl = h('span', { class: 'totals', title: "This conversation's total" });
const header = h(
  'header',
  { class: 'toolbar' },
  h('div', { class: 'toolbar-row' }, picker, historyButton, newChatButton),
  h('div', { class: 'toolbar-row conv-bar' }, h('div', { class: 'conv-text' }, titleEl, totalsEl)),
);

const historyPanel = h('section', { class: 'history', ariaLabel: 'Chat history' });
historyPanel.hidden = true;
historyPanel.id = 'chat-history';
historyButton.setAttribute('aria-controls', historyPanel.id);

function toggleHistory(show = historyPanel.hidden): void {
  historyPanel.hidden = !show;
  historyButton.setAttribute('aria-expanded', String(show));
  historyButton.classList.toggle('active', show);
  if (show) {
    renderHistory();
    historyPanel.querySelector<HTMLElement>('.history-open')?.focus();
  }
}

function when(ms: number): string {
  const d = Date.now() - ms;
  if (d < 60_000) return 'just now';
  if (d < 3_600_000) return `${Math.floor(d / 60_000)} min ago`;
  if (d < 86_400_000) return `${Math.floor(d / 3_600_000)} h ago`;
  return new Date(ms).toLocaleDateString();
}

function historyItem(c: ConversationSummary): HTMLElement {
  const current = c.id === state.conversationId;
  const open = h(
    'button',
    { class: 'history-open', type: 'button', title: `Open "${c.title}"` },
    h('span', { class: 'history-title' }, c.title),
    h('span', { class: 'history-meta muted' }, [when(c.updatedAt), c.model, `${c.turns} message${c.turns === 1 ? '' : 's'}`].filter(Boolean).join(' · ')),
  );
  open.addEventListener('click', () => {
    post({ type: 'openConversation', id: c.id });
    toggleHistory(false);
    input.focus();
  });
  if (current) open.setAttribute('aria-current', 'true');
  return h(
    'li',
    { class: `history-item${current ? ' current' : ''}`, dataset: { id: c.id } },
    open,
    iconButton('edit', `Rename "${c.title}"`, () => post({ type: 'renameConversation', id: c.id }), {
      iconOnly: true,
      class: 'icon-only history-rename',
      title: 'Rename',
    }),
    iconButton('trash', `Delete "${c.title}"`, () => post({ type: 'deleteConversation', id: c.id }), {
      iconOnly: true,
      class: 'icon-only history-delete',
      title: 'Delete',
    }),
  );
}

function renderHistory(): void {
  if (historyPanel.hidden) return;
  historyPanel.replaceChildren(
    h(
      'div',
      { class: 'history-head' },
      h('span', { class: 'who' }, 'Conversations'),
      iconButton('close', 'Close history', () => toggleHistory(false), { iconOnly: true, class: 'icon-only' }),
    ),
    state.history.length ? h('ul', { class: 'history-list' }, ...state.history.map(historyItem)) : h('p', { class: 'muted' }, 'No saved conversations yet.'),
  );
}

// ── Transcript ──

const transcript = h('main', { class: 'transcript', role: 'log', ariaLabel: 'Conversation' });
transcript.setAttribute('aria-live', 'polite');
transcript.tabIndex = 0;

// ── Composer ──

const chips = h('div', { class: 'chips', ariaLabel: 'Attached context', role: 'list' });
const input = h('textarea', { class: 'prompt', ariaLabel: 'Message' });
input.placeholder = 'Ask Switchboard… (Enter to send, Shift+Enter for a new line)';
input.rows = 3;
const attachSelection = iconButton('attach', 'Attach selection', () => post({ type: 'attach', what: 'selection' }), {
  iconOnly: true,
  class: 'icon-only attach-selection',
  title: "Attach the editor's selection (or the file when nothing is selected)",
});
const attachFile = iconButton('file-add', 'Attach active file', () => post({ type: 'attach', what: 'file' }), {
  iconOnly: true,
  class: 'icon-only attach-file',
  title: 'Attach the active file',
});
const images = new ImageComposer(() => state.imageInput);
const attachImage = iconButton('file-media', 'Attach images', () => post({ type: 'pickImages' }), {
  iconOnly: true,
  class: 'icon-only attach-image',
  title: 'Attach images (or paste, or drag them here with Shift)',
});
const send = iconButton('send', 'Send', submit, { class: 'primary send' });
const stop = iconButton('debug-stop', 'Stop', stopStreaming, { class: 'stop', title: 'Stop (Escape)' });
const composer = h(
  'footer',
  { class: 'composer' },
  chips,
  images.strip,
  images.notice,
  input,
  h('div', { class: 'composer-actions' }, attachSelection, attachFile, attachImage, h('span', { class: 'spacer' }), stop, send),
);

interface ViewState {
  draft?: string;
}
const saved = (channel.getState() ?? {}) as ViewState;
/** The draft put back after a reload, until the user edits it. */
let restoredDraft: string | null = null;
if (typeof saved.draft === 'string') input.value = restoredDraft = saved.draft;
input.addEventListener('input', () => {
  restoredDraft = null;
  channel.setState({ draft: input.value } satisfies ViewState);
});

/**
 * A reload right after Send can bring back the draft as it was before Send cleared it (the view's
 * saved state lags): a restored draft that is the conversation's last question was sent, not drafted.
 */
function forgetSentDraft(): void {
  const lastQuestion = state.entries.findLast((e) => e.role === 'user')?.text;
  if (restoredDraft !== null && restoredDraft.trim() && restoredDraft.trim() === lastQuestion?.trim() && input.value === restoredDraft) {
    input.value = '';
    channel.setState({ draft: '' } satisfies ViewState);
  }
  restoredDraft = null;
}

input.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    submit();
  }
});
// Escape stops the answer from anywhere in the view.
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && state.streamingId) {
    e.preventDefault();
    stopStreaming();
  }
});

function submit(): void {
  const text = input.value.trim();
  if (!text || state.streamingId) return;
  const attached = images.list();
  if (attached.length && !state.imageInput) {
    // Refused before sending: the question and the images stay where they are.
    images.showNotice(`${state.model ?? 'This model'} does not take images. Pick a model that does, or remove the image${attached.length === 1 ? '' : 's'}.`);
    return;
  }
  if (!loaded || !state.model) {
    // No model yet: the question stays in the composer and goes once a model is picked.
    waitingForModel = true;
    images.showNotice(
      loaded
        ? 'No model yet: pick one in the list above (or set an API key). Your question is kept and sent as soon as a model is picked.'
        : 'The chat is still loading. Your question is kept and sent as soon as it is ready.',
    );
    if (loaded) post({ type: 'switchModel' });
    return;
  }
  lastSent = { text, images: attached };
  post({ type: 'send', text, ...(attached.length ? { images: attached } : {}) });
  input.value = '';
  images.clear();
  channel.setState({ draft: '' } satisfies ViewState);
  input.focus();
}

input.addEventListener('paste', (e) => {
  const files = [...(e.clipboardData?.files ?? [])].filter((f) => f.type.startsWith('image/'));
  if (!files.length) return;
  e.preventDefault();
  attaching(images.addFiles(files));
});
composer.addEventListener('dragover', (e) => {
  if (![...(e.dataTransfer?.types ?? [])].includes('Files')) return;
  e.preventDefault();
  composer.classList.add('drop-target');
});
composer.addEventListener('dragleave', () => composer.classList.remove('drop-target'));
composer.addEventListener('drop', (e) => {
  composer.classList.remove('drop-target');
  const files = [...(e.dataTransfer?.files ?? [])];
  if (!files.length) return;
  e.preventDefault();
  attaching(images.addFiles(files));
});

/** Reading or decoding an image can fail (an unreadable file, bad base64): say so under the composer, never lose it. */
function attaching(work: Promise<void>): void {
  work.catch((e: unknown) => images.showNotice(`Could not attach the image: ${e instanceof Error ? e.message : String(e)}.`));
}

function stopStreaming(): void {
  if (state.streamingId) post({ type: 'cancel', id: state.streamingId });
  input.focus();
}

app.append(header, historyPanel, transcript, composer);
transcript.addEventListener('scroll', () => (stickToBottom = nearBottom()), { passive: true });
interceptLinks(transcript, (url) => post({ type: 'openLink', url }));

// ── Rendering ──

/** Whether the transcript follows the stream (the user has not scrolled up). */
let stickToBottom = true;

function nearBottom(): boolean {
  return transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 40;
}

function scrollToBottom(): void {
  transcript.scrollTop = transcript.scrollHeight;
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

const entryContext = {
  post,
  thinkingOpen: (id: string) => thinkingChoice.get(id),
  setThinkingOpen: (id: string, open: boolean) => void thinkingChoice.set(id, open),
  onGrow: () => {
    if (stickToBottom) scrollToBottom();
  },
  // eslint-disable-next-line @typescript-eslint/no-floating-promises -- copy() catches a clipboard failure and falls back to execCommand
  copy: (text: string, block: Element) => void copy(text, block),
};

/** The list's row for a model: its id (what the filter matches and the box shows); the rest, in full, under the list. */
function renderPicker(): void {
  const ids = JSON.stringify([state.models.map((m) => [m.id, m.detail]), state.model]);
  if (ids !== pickerIds) {
    pickerIds = ids;
    const options = state.models.map((m) => ({
      value: m.id,
      label: m.id,
      // Shown under the list for the active row, wrapped (never cut): the prices, the name, the group.
      description: [m.id === state.model ? 'Current model' : null, m.detail, m.label !== m.id ? m.label : null, m.group].filter(Boolean).join(' · '),
    }));
    if (state.model && !state.models.some((m) => m.id === state.model))
      options.unshift({ value: state.model, label: state.model, description: 'Current model' });
    setOptions(picker, options, state.model);
  }
  if (state.model && picker.value !== state.model) picker.value = state.model;
  picker.title = state.model ? `${state.model}${state.modelDetail ? ` — ${state.modelDetail}` : ''}` : 'Pick a model';
  setPlaceholder(picker, loaded ? 'Pick a model…' : 'Loading…');
}

function totalsText(): string {
  const t = state.totals;
  if (!t.inputTokens && !t.outputTokens && !t.costUsd && !t.unpriced && !t.included) return '';
  return `${formatCount(t.inputTokens)} → ${formatCount(t.outputTokens)} tokens · ${formatSpend(t.costUsd, t.unpriced, t.included)}`;
}

let countdown: ReturnType<typeof setInterval> | null = null;

function render(): void {
  const stick = nearBottom() || state.streamingId !== null;
  renderPicker();
  titleEl.textContent = state.entries.length ? state.title : 'New chat';
  titleEl.title = titleEl.textContent; // the whole title when the header cuts it
  totalsEl.textContent = totalsText();
  renderHistory();

  for (const s of streams.values()) s.stream.dispose();
  streams.clear();
  stickToBottom = stick;
  transcript.replaceChildren(
    ...(state.entries.length
      ? state.entries.map((e) => {
          const r = renderEntry(e, entryContext);
          if (r.stream) streams.set(e.id, { stream: r.stream, body: r.body, thinking: r.thinking });
          return r.el;
        })
      : [
          !loaded
            ? h(
                'div',
                { class: 'empty-state loading', role: 'status' },
                h('span', { class: 'codicon codicon-loading codicon-modifier-spin' }),
                h('p', {}, 'Loading the chat…'),
              )
            : !state.model
              ? h(
                  'div',
                  { class: 'empty-state no-model' },
                  h('span', { class: 'codicon codicon-key' }),
                  h('p', {}, 'No model yet: pick one above, or set an API key (Switchboard: Set API Key).'),
                  h('p', { class: 'empty-note' }, 'A question you send now is kept and sent once a model is picked.'),
                )
              : h(
                  'div',
                  { class: 'empty-state' },
                  h('span', { class: 'codicon codicon-comment-discussion' }),
                  h('p', {}, 'Ask anything below. Attach code with the paperclip, or select code in an editor and right-click → Switchboard.'),
                  // VS Code's own models (the zero-key start): say what the model is and what it costs.
                  state.model?.startsWith('vscode/')
                    ? h('p', { class: 'empty-note' }, `${state.model} is one of the models already in VS Code: no API key needed, ${INCLUDED_LABEL}.`)
                    : null,
                ),
        ]),
  );
  chips.replaceChildren(
    ...state.chips.map((c) =>
      h(
        'span',
        { class: 'chip', role: 'listitem', title: c.title, dataset: { id: c.id } },
        h('span', { class: 'codicon codicon-file-code' }),
        h('span', { class: 'chip-label' }, c.label),
        iconButton('close', `Remove ${c.label}`, () => post({ type: 'removeChip', id: c.id }), {
          iconOnly: true,
          class: 'icon-only chip-remove',
          title: 'Remove',
        }),
      ),
    ),
  );
  chips.hidden = state.chips.length === 0;
  const busy = state.streamingId !== null;
  send.disabled = busy;
  stop.hidden = !busy;
  send.hidden = busy;
  if (stick) scrollToBottom();
  if (countdown) clearInterval(countdown);
  countdown = tickCountdowns(transcript)
    ? setInterval(() => {
        if (!tickCountdowns(transcript) && countdown) clearInterval(countdown);
      }, 1000)
    : null;
}

render();
post({ type: 'ready' });
