/**
 * The chat: its conversation, the requests it makes through the core client, and the webview view
 * that shows it. The host owns the state and pushes whole snapshots (plus text deltas while an
 * answer streams); the webview only renders and sends intents. Conversations are saved per
 * workspace (store.ts): a question before it is sent, an answer at its first words, every second
 * while it streams, and when it ends (failed or stopped too).
 */
import * as vscode from 'vscode';
import type { ChatStream } from '../../core/index.ts';
import type { ChatMessage, UserContent } from '../../core/index.ts';
import {
  CHAT_IMAGE_TYPES,
  ChatToHostSchema,
  MAX_CHAT_IMAGE_BYTES,
  MAX_CHAT_IMAGES,
  type ApplyMode,
  type ChatEntry,
  type ChatImage,
  type ChatState,
  type Chip,
  type HostToChat,
  type ModelOption,
} from '../../shared/protocol/chat.ts';
import { parseOrDrop } from '../../shared/protocol/issues.ts';
import { CachedMemento } from '../common/memento.ts';
import type { ApplyTarget } from '../apply.ts';
import type { FeatureHost } from '../featureHost.ts';
import { selectionLabel, selectionMessage, SYSTEM_PROMPT, type CodeSelection } from '../common/prompts.ts';
import { openHttpLink, webviewHtml, webviewOptions } from '../webviewHtml.ts';
import { codeBlocks } from '../common/chat/codeBlocks.ts';
import { findPreset, isBudgetAlertMessage, tokensPerSecond } from '../../core/index.ts';
import { attemptView, chatError } from '../common/chat/errorView.ts';
import { pickModelOnce } from './pickModel.ts';
import {
  addAlternative,
  allEntries,
  alternativePosition,
  alternativesOf,
  ConversationStore,
  newConversation,
  replaceShown,
  showAlternative,
  titleFrom,
  totalsOf,
  type Conversation,
  type StoredTurn,
} from '../common/chat/store.ts';
import { retryNoticeFrom } from '../../shared/protocol/retry.ts';
import { snippetOf } from '../snippet.ts';
import { inBackground } from '../common/background.ts';

/** What the chat uses (main.ts wires it to the services). */
export type ChatHost = Pick<
  FeatureHost,
  | 'applier'
  | 'client'
  | 'context'
  | 'currentModel'
  | 'log'
  | 'markUsed'
  | 'modelDetail'
  | 'modelPickItems'
  | 'notify'
  | 'pickModelInteractively'
  | 'recordResult'
  | 'setCurrentModel'
>;

export const CHAT_VIEW_ID = 'switchboard.chat';

/** Saves while an answer streams, so a reload mid-answer keeps the partial text. */
const STREAM_SAVE_MS = 1000;

/** A question with the editor selection it is about. */
export interface AskOptions {
  question: string;
  selection?: { code: CodeSelection; target: ApplyTarget };
  /** Override the current model. */
  model?: string;
  /** Images sent with the question (refused before sending when the model takes none). */
  images?: ChatImage[];
  /** Ask in a new conversation (the open one stays in the history): Explain / Review / Ask About Selection. */
  newConversation?: boolean;
}

interface PendingChip extends Chip {
  code: CodeSelection;
  /** A selection's range (where Replace goes); a whole file has none. */
  target: ApplyTarget | null;
}

function blankEntry(id: string, role: 'user' | 'assistant', at: number): ChatEntry {
  return {
    id,
    role,
    text: '',
    reasoning: '',
    reasoningTokens: null,
    images: [],
    contextLabels: [],
    status: 'done',
    model: null,
    answeredBy: null,
    inputTokens: null,
    outputTokens: null,
    costUsd: null,
    ttftMs: null,
    tokensPerSecond: null,
    totalMs: null,
    attempts: [],
    error: null,
    canApply: false,
    at,
  };
}

function newId(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

/** A stored user turn as the model gets it: its text (with attached code) and its images. */
function userMessage(t: StoredTurn): ChatMessage {
  if (!t.images.length) return { role: 'user', content: t.content };
  const parts: UserContent[] = [{ type: 'text', text: t.content }];
  for (const img of t.images) parts.push({ type: 'image', source: { type: 'base64', data: img.data, mediaType: img.mediaType } });
  return { role: 'user', content: parts };
}

export class ChatController implements vscode.Disposable {
  private readonly app: ChatHost;
  readonly store: ConversationStore;
  private conv: Conversation;
  /** Where each answer's code goes (the selection it was asked about); in memory only. */
  private readonly targets = new Map<string, ApplyTarget>();
  private chips: PendingChip[] = [];
  private view: vscode.WebviewView | undefined;
  private ready = false;
  private inflight: { id: string; stream: ChatStream } | null = null;
  /** One periodic save per streaming answer (an older answer may still be finishing while a new one starts). */
  private readonly saveTimers = new Set<ReturnType<typeof setInterval>>();
  /** Set when the window closes: an answer cut off by that is interrupted, not stopped by the user. */
  private disposed = false;
  private readonly subs: vscode.Disposable[] = [];

  constructor(app: ChatHost) {
    this.app = app;
    this.store = new ConversationStore(new CachedMemento(app.context.workspaceState), (m) => app.log.warn(`Chat history: ${m}`));
    const current = this.store.currentId();
    this.conv = (current && this.store.load(current)) || newConversation(newId('c'), Date.now(), app.currentModel());
  }

  // ── The view ──

  /** Called by the view provider (activate.ts) when VS Code shows the view. */
  resolve(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    const ext = this.app.context.extensionUri;
    view.webview.options = webviewOptions(ext);
    view.webview.html = webviewHtml(view.webview, ext, { script: 'chat.js', styles: ['webview.css', 'chat.css'], title: 'Switchboard Chat' });
    for (const s of this.subs.splice(0)) s.dispose();
    this.subs.push(
      view.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m)),
      view.onDidDispose(() => {
        if (this.view === view) {
          this.view = undefined;
          this.ready = false;
          for (const s of this.subs.splice(0)) s.dispose();
        }
      }),
    );
  }

  private onMessage(raw: unknown): void {
    const m = parseOrDrop(ChatToHostSchema, raw, (line) => this.app.log.warn(line), 'Chat view');
    if (!m) return;
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.refresh();
        return;
      case 'send':
        this.background(this.ask({ question: m.text, ...(m.images?.length ? { images: m.images } : {}) }, { reveal: false }), 'Asking the model');
        return;
      case 'pickImages':
        this.background(this.pickImages(), 'Picking images');
        return;
      case 'cancel':
        if (this.inflight?.id === m.id) this.cancel();
        return;
      case 'regenerate':
        this.background(this.regenerate(m.id), 'Regenerating the answer');
        return;
      case 'retryWith':
        this.background(this.retryWith(m.id, m.model), 'Retrying with another model');
        return;
      case 'showAlternative':
        this.showAlternative(m.id, m.index);
        return;
      case 'newChat':
        this.clear();
        return;
      case 'switchModel':
        this.background(vscode.commands.executeCommand('switchboard.switchModel'), 'Switching the model');
        return;
      case 'setModel':
        this.background(this.app.setCurrentModel(m.model), 'Setting the model');
        return;
      case 'apply':
        this.background(this.apply(m.id, m.mode, m.block), 'Applying the code');
        return;
      case 'attach':
        this.background(this.attach(m.what), 'Attaching context');
        return;
      case 'removeChip':
        this.chips = this.chips.filter((c) => c.id !== m.id);
        this.refresh();
        return;
      case 'openConversation':
        this.open(m.id);
        return;
      case 'renameConversation':
        this.background(this.rename(m.id), 'Renaming the conversation');
        return;
      case 'deleteConversation':
        this.background(this.remove(m.id), 'Deleting the conversation');
        return;
      case 'errorAction':
        this.background(this.errorAction(m.id), 'The error action');
        return;
      case 'openLink':
        openHttpLink(m.url, this.app.log);
        return;
      default: {
        const never: never = m;
        throw new Error(`unhandled chat message ${JSON.stringify(never)}`);
      }
    }
  }

  /** Nothing is posted before the view said `ready`. */
  private post(message: HostToChat): void {
    if (this.view && this.ready) this.background(this.view.webview.postMessage(message), 'Posting to the chat view');
  }

  private modelOptions(): ModelOption[] {
    try {
      const out: ModelOption[] = [];
      let group = '';
      for (const e of this.app.modelPickItems()) {
        if (e.kind === 'separator') group = e.label;
        else if (!out.some((o) => o.id === e.id)) out.push({ id: e.id, label: e.label, detail: e.route ? `route: ${e.detail}` : e.detail, group });
      }
      return out;
    } catch (e) {
      this.app.log.debug(`Chat: no model list (${(e as Error).message})`);
      return [];
    }
  }

  state(): ChatState {
    const model = this.app.currentModel();
    let detail: string | null = null;
    try {
      detail = this.app.modelDetail(model);
    } catch {
      detail = null;
    }
    const entries = this.conv.turns.map((t) => {
      const alternative = alternativePosition(t);
      return alternative ? { ...t.entry, alternative } : { ...t.entry };
    });
    return {
      model,
      imageInput: model ? this.takesImages(model) : false,
      modelDetail: detail,
      models: this.modelOptions(),
      conversationId: this.conv.id,
      title: this.conv.title,
      entries,
      streamingId: this.inflight?.id ?? null,
      // Every answer was paid for, the alternatives not shown too.
      totals: totalsOf(allEntries(this.conv.turns)),
      history: this.store.list(),
      chips: this.chips.map(({ id, label, title }) => ({ id, label, title })),
    };
  }

  /** Push a fresh snapshot to the view. */
  refresh(): void {
    this.post({ type: 'state', state: this.state() });
  }

  async reveal(): Promise<void> {
    if (!this.view?.visible) await vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`);
  }

  // ── Conversations ──

  /** Start a new conversation (the current one stays in the history). */
  clear(): void {
    this.cancel();
    this.background(this.save(), 'Saving the conversation');
    this.conv = newConversation(newId('c'), Date.now(), this.app.currentModel());
    this.targets.clear();
    this.background(this.store.save(this.conv), 'Saving the new conversation');
    this.refresh();
    this.post({ type: 'focus' });
  }

  open(id: string): boolean {
    if (id === this.conv.id) return true;
    const c = this.store.load(id);
    if (!c) {
      this.notify('warning', 'Switchboard: that conversation is no longer in the history.');
      this.refresh();
      return false;
    }
    this.cancel();
    this.background(this.save(), 'Saving the conversation');
    this.conv = c;
    this.targets.clear();
    this.background(this.store.save(c), 'Saving the opened conversation');
    this.refresh();
    return true;
  }

  async rename(id: string, title?: string): Promise<boolean> {
    const current = id === this.conv.id ? this.conv : this.store.load(id);
    if (!current) return false;
    const t =
      title ??
      (await vscode.window.showInputBox({
        title: 'Switchboard: Rename Chat',
        value: current.title,
        prompt: 'A name for this conversation',
        validateInput: (v) => (v.trim() ? undefined : 'The name is empty'),
      }));
    if (!t?.trim()) return false;
    if (id === this.conv.id) {
      this.conv.title = t.replace(/\s+/g, ' ').trim().slice(0, 200);
      this.conv.titled = true;
      await this.save();
    } else await this.store.rename(id, t);
    this.refresh();
    return true;
  }

  async remove(id: string): Promise<void> {
    await this.store.delete(id);
    if (id === this.conv.id) {
      this.cancel();
      this.conv = newConversation(newId('c'), Date.now(), this.app.currentModel());
      this.targets.clear();
    }
    this.refresh();
  }

  private save(): Promise<void> {
    return this.store.save(this.conv);
  }

  /** Resolves when every save so far has landed (tests; deactivate). */
  flush(): Promise<void> {
    return this.store.flush();
  }

  // ── Context chips ──

  /** Attach the active editor's selection (or, with none or for `file`, the whole file) to the next message. */
  async attach(what: 'selection' | 'file'): Promise<boolean> {
    const editor = this.app.applier.currentEditor();
    if (!editor) {
      this.notify('info', 'Switchboard: open a file in an editor to attach it.');
      return false;
    }
    const doc = editor.document;
    const sel = editor.selection;
    const whole = what === 'file' || sel.isEmpty;
    const range = whole ? new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)) : new vscode.Range(sel.start, sel.end);
    const code = snippetOf(doc, range);
    const { fileName, text } = code;
    const label = whole ? `${fileName}` : selectionLabel(code).replace(/ \([^)]*\)$/, '');
    const chip: PendingChip = {
      id: newId('k'),
      label,
      title: `${selectionLabel(code)} — sent with your next message`,
      code,
      target: whole ? null : { uri: doc.uri, range, original: text },
    };
    // The same range twice is one chip.
    if (!this.chips.some((c) => c.label === chip.label)) this.chips.push(chip);
    await this.reveal();
    this.refresh();
    this.post({ type: 'focus' });
    return true;
  }

  chipLabels(): string[] {
    return this.chips.map((c) => c.label);
  }

  // ── Images ──

  /** Whether a model (or every model of a route) takes images, from the catalog's capabilities. */
  takesImages(model: string): boolean {
    try {
      return this.app.client().catalog.capabilities(model).imageInput;
    } catch (e) {
      this.app.log.debug(`Chat: no capabilities for ${model} (${(e as Error).message})`);
      return false;
    }
  }

  /**
   * Why a question with `images` cannot go to `model`, or null when it can. Earlier turns' images
   * are sent again with every question, so a conversation that has some needs a model that takes them.
   */
  imageRefusal(model: string, images: readonly ChatImage[]): string | null {
    if (images.length > MAX_CHAT_IMAGES) return `At most ${MAX_CHAT_IMAGES} images per message; remove ${images.length - MAX_CHAT_IMAGES}.`;
    const earlier = this.conv.turns.some((t) => t.images.length > 0);
    if (!images.length && !earlier) return null;
    if (this.takesImages(model)) return null;
    if (images.length) return `${model} does not take images. Pick a model that does, or remove the image${images.length === 1 ? '' : 's'}.`;
    return `${model} does not take images, and this conversation has some. Pick a model that does, or start a new chat.`;
  }

  /** The file dialog for images; what was picked goes to the composer (never straight to a model). */
  async pickImages(): Promise<void> {
    const uris = await vscode.window.showOpenDialog({
      canSelectMany: true,
      openLabel: 'Attach',
      title: 'Switchboard: Attach Images',
      filters: { Images: CHAT_IMAGE_TYPES.map((t) => t.slice('image/'.length).replace('jpeg', 'jpg')).concat('jpeg') },
    });
    if (!uris?.length) return;
    const images: ChatImage[] = [];
    const problems: string[] = [];
    for (const uri of uris.slice(0, MAX_CHAT_IMAGES)) {
      const name = uri.path.split('/').pop() ?? 'image';
      const ext = name.toLowerCase().split('.').pop() ?? '';
      const mediaType = CHAT_IMAGE_TYPES.find((t) => t === `image/${ext === 'jpg' ? 'jpeg' : ext}`);
      if (!mediaType) {
        problems.push(`${name}: not a PNG, JPEG, GIF or WebP image`);
        continue;
      }
      const bytes = await vscode.workspace.fs.readFile(uri);
      if (bytes.byteLength > MAX_CHAT_IMAGE_BYTES) {
        problems.push(`${name}: ${(bytes.byteLength / 1024 / 1024).toFixed(1)} MB is over the 5 MB providers accept`);
        continue;
      }
      images.push({ name, mediaType, data: Buffer.from(bytes).toString('base64'), thumb: '' });
    }
    if (uris.length > MAX_CHAT_IMAGES) problems.push(`only the first ${MAX_CHAT_IMAGES} images were attached`);
    if (problems.length) this.notify('warning', `Switchboard: ${problems.join('; ')}.`);
    if (images.length) this.post({ type: 'attachedImages', images });
  }

  // ── Asking ──

  cancel(): void {
    this.inflight?.stream.cancel();
  }

  /** Ask the current model; the answer streams into the view. Resolves with the finished entry. */
  async ask(opts: AskOptions, how: { reveal: boolean } = { reveal: true }): Promise<ChatEntry | undefined> {
    const model = opts.model ?? this.app.currentModel() ?? (await this.app.pickModelInteractively());
    if (!model) return undefined;
    const images = opts.images ?? [];
    const refusal = this.imageRefusal(model, images);
    if (refusal) {
      // Nothing was sent: the composer keeps the question and its images, and says why.
      this.post({ type: 'refused', message: refusal });
      return undefined;
    }
    if (this.inflight) this.cancel();
    if (opts.newConversation && this.conv.turns.length) this.clear();
    if (how.reveal) await this.reveal();

    const attached: { code: CodeSelection; target: ApplyTarget | null }[] = [...(opts.selection ? [opts.selection] : []), ...this.chips];
    this.chips = [];
    const content = attached.reduce((msg, a) => selectionMessage(msg, a.code), opts.question);
    const user: StoredTurn = {
      entry: {
        ...blankEntry(newId('u'), 'user', Date.now()),
        text: opts.question,
        contextLabels: attached.map((a) => selectionLabel(a.code)),
        images: images.map(({ name, mediaType, thumb }) => ({ name, mediaType, thumb })),
      },
      content,
      images,
    };
    if (!this.conv.turns.length && !this.conv.titled) this.conv.title = titleFrom(opts.question);
    this.conv.turns.push(user);
    return this.answer(this.conv.turns.length - 1, model, attached.find((a) => a.target)?.target ?? null);
  }

  /**
   * Ask the user turn before answer `id` again (with `model`, else the model it was asked), replacing
   * the answer (its other alternatives stay) and dropping what followed.
   */
  async regenerate(id: string, model?: string): Promise<ChatEntry | undefined> {
    return this.reanswer(id, model, 'replace');
  }

  /**
   * Another model answers the same turn, picked from the switcher's list unless given; the current
   * model stays. The earlier answer is kept as an alternative (‹ 1/2 ›) unless it failed with no text.
   */
  async retryWith(id: string, model?: string): Promise<ChatEntry | undefined> {
    const m = model ?? (await pickModelOnce(this.app, 'Switchboard: Retry With…'));
    return m ? this.reanswer(id, m, 'alternative') : undefined;
  }

  private async reanswer(id: string, model: string | undefined, how: 'replace' | 'alternative'): Promise<ChatEntry | undefined> {
    const i = this.conv.turns.findIndex((t) => t.entry.id === id);
    const answer = this.conv.turns[i];
    const user = this.conv.turns[i - 1];
    if (!answer || answer.entry.role !== 'assistant' || user?.entry.role !== 'user') return undefined;
    if (this.inflight) this.cancel();
    const target = this.targets.get(id) ?? null;
    const m = model ?? answer.entry.model ?? this.app.currentModel();
    if (!m) return undefined;
    // The conversation continues from the new answer: what followed the old one goes.
    this.conv.turns.splice(i + 1);
    const paidFor = answer.entry.text.length > 0 || answer.entry.status !== 'error';
    return this.answer(i - 1, m, target, how === 'alternative' && paidFor ? 'alternative' : 'replace');
  }

  /** Show another alternative of an answer; the conversation continues from it. Not while that turn streams. */
  showAlternative(id: string, index: number): boolean {
    const turn = this.conv.turns.find((t) => t.entry.id === id);
    if (!turn || turn.entry.role !== 'assistant') return false;
    if (this.inflight && alternativesOf(turn).some((a) => a.entry.id === this.inflight?.id)) return false;
    if (!showAlternative(turn, index)) return false;
    this.conv.updatedAt = Date.now();
    this.background(this.save(), 'Saving the conversation');
    this.refresh();
    return true;
  }

  private async errorAction(id: string): Promise<void> {
    const entry = this.conv.turns.find((t) => t.entry.id === id)?.entry;
    const action = entry?.error?.action;
    if (!entry || !action) return;
    switch (action.kind) {
      case 'setKey': {
        const r = (await vscode.commands.executeCommand('switchboard.setApiKey', { provider: action.provider })) as { ok?: boolean } | undefined;
        if (r?.ok) await this.regenerate(id);
        return;
      }
      case 'retryAt':
      case 'retry':
        await this.regenerate(id);
        return;
      case 'retryWith':
        await this.retryWith(id);
        return;
      case 'openSettings':
        if (action.setting) await vscode.commands.executeCommand('workbench.action.openSettings', action.setting);
        else await vscode.commands.executeCommand('switchboard.openSettings');
        return;
      default: {
        const never: never = action;
        throw new Error(`unknown error action ${JSON.stringify(never)}`);
      }
    }
  }

  /** The messages sent for the user turn at `userIndex`: the system prompt, earlier exchanges that got an answer, the turn. */
  private history(userIndex: number): ChatMessage[] {
    const out: ChatMessage[] = [{ role: 'system', content: SYSTEM_PROMPT }];
    const turns = this.conv.turns;
    for (let i = 0; i < userIndex; i++) {
      const u = turns[i]!;
      const a = turns[i + 1];
      if (u.entry.role !== 'user' || a?.entry.role !== 'assistant') continue;
      if (!a.entry.text || a.entry.status === 'error') continue;
      out.push(userMessage(u), { role: 'assistant', content: a.entry.text });
    }
    out.push(userMessage(turns[userIndex]!));
    return out;
  }

  /** Whether the client would refuse this request before sending anything (false when that cannot be told). */
  private refusedBeforeSending(model: string, messages: ChatMessage[]): boolean {
    try {
      return this.app.client().refusal({ model, messages }) !== null;
    } catch {
      return false; // no client (invalid settings): stream() says why
    }
  }

  /**
   * Stream an answer to the user turn at `userIndex`: into a new assistant turn after it (`new`), or
   * into the assistant turn that follows it, as a new alternative or in place of the shown one.
   */
  private async answer(userIndex: number, model: string, target: ApplyTarget | null, into: 'new' | 'alternative' | 'replace' = 'new'): Promise<ChatEntry> {
    const messages = this.history(userIndex);
    const fresh = { entry: { ...blankEntry(newId('a'), 'assistant', Date.now()), status: 'streaming' as const, model }, content: '' };
    // The user may open another conversation while this one streams: keep writing to this one.
    const conv = this.conv;
    const shown = (): boolean => this.conv === conv;
    const save = (): Promise<void> => this.store.save(conv, shown());
    const existing = into === 'new' ? undefined : conv.turns[userIndex + 1];
    let turn: StoredTurn;
    if (existing?.entry.role === 'assistant') {
      turn = existing;
      if (into === 'alternative') addAlternative(turn, fresh);
      else replaceShown(turn, fresh);
    } else {
      turn = { ...fresh, images: [] };
      conv.turns.splice(userIndex + 1, conv.turns.length, turn);
    }
    conv.model = model;
    conv.updatedAt = Date.now();
    if (target) this.targets.set(turn.entry.id, target);
    const id = turn.entry.id;

    this.refresh();
    // The question is stored before it goes out: a reload from here on keeps it (and the answer so far).
    // A request refused before sending (a selection over the model's context window) goes nowhere:
    // it is stored once, with its refusal, below — a large selection's write takes seconds.
    if (!this.refusedBeforeSending(model, messages))
      await save().catch((e: unknown) => this.app.log.warn(`Chat: could not save before sending (${(e as Error).message})`));
    const stream = this.app.client().stream({ model, messages });
    this.inflight = { id, stream };
    this.refresh();
    // One streaming save at a time: a whole-Memento write can take longer than the interval (a large
    // selection in the history), and writes piled up behind it only slow the ones that matter.
    let streamSave: Promise<void> | null = null;
    const saveStreaming = (): void => {
      if (streamSave) return;
      streamSave = save().finally(() => (streamSave = null));
      this.background(streamSave, 'Saving the streaming answer');
    };
    const timer = setInterval(saveStreaming, STREAM_SAVE_MS);
    this.saveTimers.add(timer);
    let savedText = false;
    try {
      for await (const part of stream) {
        if (part.type === 'text-delta') {
          turn.entry.text += part.text;
          if (turn.entry.retry) {
            // The wait is over: the snapshot drops the notice and carries the text.
            turn.entry.retry = null;
            this.refresh();
          } else if (shown()) this.post({ type: 'delta', id, text: part.text });
          if (!savedText && part.text) {
            // The first words are saved at once (then every second).
            savedText = true;
            saveStreaming();
          }
        } else if (part.type === 'retry') {
          // "rate limited — retrying in 7 s (attempt 2 of 3)" until the next try starts.
          turn.entry.retry = retryNoticeFrom(part, Date.now());
          this.refresh();
        } else if (part.type === 'attempt-start') {
          if (turn.entry.retry) {
            turn.entry.retry = null;
            this.refresh();
          }
        } else if (part.type === 'reasoning-delta') {
          turn.entry.reasoning += part.text;
          if (shown() && part.text) this.post({ type: 'reasoningDelta', id, text: part.text });
        } else if (part.type === 'warning') {
          // Budget alerts are notified once by the spend service (services/spend.ts).
          if (!isBudgetAlertMessage(part.message)) this.notify('warning', `Switchboard: ${part.message}`);
        }
      }
    } catch (e) {
      this.app.log.error(`Chat stream failed: ${(e as Error).message}`);
    }
    const r = await stream.result.catch(() => null);
    clearInterval(timer);
    this.saveTimers.delete(timer);
    if (this.inflight?.id === id) this.inflight = null;
    if (r) {
      const stopped = r.error?.kind === 'aborted';
      const text = r.text || turn.entry.text;
      turn.entry = {
        ...turn.entry,
        text,
        reasoning: r.reasoning || turn.entry.reasoning,
        reasoningTokens: r.usage.reasoningTokens,
        status: r.error ? (stopped ? (this.disposed ? 'interrupted' : 'cancelled') : 'error') : 'done',
        answeredBy: r.answeredBy,
        inputTokens: r.usage.inputTokens,
        outputTokens: r.usage.outputTokens,
        costUsd: r.costUsd,
        ...(r.costEstimated ? { costEstimated: true } : {}),
        ...(r.costIncluded ? { costIncluded: true } : {}),
        ttftMs: r.timing.ttftMs,
        tokensPerSecond: tokensPerSecond(r.usage.outputTokens, r.timing.ttftMs, r.timing.totalMs),
        totalMs: r.timing.totalMs,
        attempts: r.attempts.map(attemptView),
        retry: null,
        error: r.error && !stopped ? chatError(r.error, Date.now(), (p) => this.keyWouldFix(p)) : null,
        canApply: text.length > 0 && (!r.error || stopped),
      };
      this.app.recordResult('chat', r, messages);
      if (r.answeredBy) await this.app.markUsed(model);
    } else {
      turn.entry = {
        ...turn.entry,
        status: 'error',
        retry: null,
        error: {
          kind: 'invalid_response',
          message: 'the request ended unexpectedly (see the Switchboard log)',
          fix: null,
          status: null,
          action: { kind: 'retry' },
        },
      };
    }
    turn.content = turn.entry.text;
    conv.updatedAt = Date.now();
    // Shown first: the write that follows takes seconds for a conversation holding a large selection
    // (VS Code sends a Memento's whole contents to the window on each write).
    this.refresh();
    await save();
    return { ...turn.entry };
  }

  // ── Applying code ──

  /** The latest assistant answer that can be applied. */
  lastAnswer(): { id: string; text: string } | undefined {
    const t = this.conv.turns.findLast((x) => x.entry.role === 'assistant' && x.entry.canApply);
    return t ? { id: t.entry.id, text: t.entry.text } : undefined;
  }

  /** Apply code block `block` of answer `id` (default: the last applicable answer, its first block). */
  async apply(id: string | undefined, mode: ApplyMode, block = 0): Promise<boolean> {
    const turn = id ? this.conv.turns.find((t) => t.entry.id === id) : this.conv.turns.findLast((t) => t.entry.role === 'assistant' && t.entry.canApply);
    if (!turn || turn.entry.role !== 'assistant' || !turn.entry.canApply) {
      this.notify('warning', 'Switchboard: there is no answer to apply yet.');
      return false;
    }
    const blocks = codeBlocks(turn.entry.text);
    const code = blocks.length ? blocks[block]?.text : block === 0 ? turn.entry.text.trim() : undefined;
    if (code === undefined) {
      this.notify('warning', `Switchboard: the answer has no code block ${block + 1}.`);
      return false;
    }
    return this.app.applier.applyCode(code.replace(/\n$/, ''), this.targets.get(turn.entry.id) ?? null, mode);
  }

  /** A preset provider the client does not have: storing its key is all it needs (Set API Key). */
  private keyWouldFix(provider: string): boolean {
    const preset = findPreset(provider);
    if (!preset?.apiKeyEnv) return false;
    try {
      return !this.app.client().resolver.provider(preset.id);
    } catch {
      return false;
    }
  }

  /** Work a message or timer starts and nobody awaits: a failure goes to the log, never lost. */
  private background(work: PromiseLike<unknown>, what: string): void {
    inBackground(work, this.app.log, what);
  }

  /** A notification nobody waits on (its buttons, if any, are not read). */
  private notify(level: 'info' | 'warning' | 'error', text: string): void {
    this.background(this.app.notify(level, text), 'Showing a notification');
  }

  dispose(): void {
    this.disposed = true;
    for (const t of this.saveTimers) clearInterval(t);
    this.saveTimers.clear();
    // A reload while streaming: the last save marks it; load() shows it as interrupted.
    this.background(this.save(), 'Saving the conversation');
    this.cancel();
    for (const s of this.subs) s.dispose();
  }
}
