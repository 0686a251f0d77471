/**
 * The chat: its transcript, the requests it makes through the core client, and the webview view
 * that shows it. The host owns the state and pushes whole snapshots (plus text deltas while an
 * answer streams); the webview only renders and sends intents.
 */
import * as vscode from 'vscode';
import type { ChatMessage } from '../../core/types.ts';
import { ChatToHostSchema, type ApplyMode, type ChatEntry, type ChatState, type HostToChat } from '../../protocol/chat.ts';
import type { ApplyTarget } from '../apply.ts';
import type { App } from '../app.ts';
import { selectionLabel, selectionMessage, SYSTEM_PROMPT, type CodeSelection } from '../prompts.ts';
import { webviewHtml, webviewOptions } from '../webviewHtml.ts';

export const CHAT_VIEW_ID = 'switchboard.chat';

/** A question with the editor selection it is about. */
export interface AskOptions {
  question: string;
  selection?: { code: CodeSelection; target: ApplyTarget };
  /** Override the current model. */
  model?: string;
}

interface Turn {
  entry: ChatEntry;
  /** What was sent for a user turn (the question plus the code), which the view shows shorter. */
  content: string;
  target: ApplyTarget | null;
}

export class ChatController implements vscode.Disposable {
  private readonly app: App;
  private turns: Turn[] = [];
  private view: vscode.WebviewView | undefined;
  private ready = false;
  private inflight: { cancel(): void } | null = null;
  private counter = 0;
  private readonly subs: vscode.Disposable[] = [];

  constructor(app: App) {
    this.app = app;
  }

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
    const parsed = ChatToHostSchema.safeParse(raw);
    if (!parsed.success) {
      this.app.log.warn(`Chat view sent a malformed message: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
      return;
    }
    const m = parsed.data;
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.refresh();
        return;
      case 'send':
        void this.ask({ question: m.text }, { reveal: false });
        return;
      case 'cancel':
        this.cancel();
        return;
      case 'newChat':
        this.clear();
        return;
      case 'switchModel':
        void vscode.commands.executeCommand('switchboard.switchModel');
        return;
      case 'apply':
        void this.apply(m.id, m.mode);
        return;
      case 'openLink': {
        // The schema already insists on http(s); check again on the parsed URI before leaving VS Code.
        const uri = vscode.Uri.parse(m.url, true);
        if (uri.scheme === 'http' || uri.scheme === 'https') void vscode.env.openExternal(uri);
        return;
      }
      default: {
        const never: never = m;
        throw new Error(`unhandled chat message ${JSON.stringify(never)}`);
      }
    }
  }

  private post(message: HostToChat): void {
    if (this.view && this.ready) void this.view.webview.postMessage(message);
  }

  state(): ChatState {
    let detail: string | null = null;
    const model = this.app.currentModel();
    try {
      detail = this.app.modelDetail(model);
    } catch {
      detail = null;
    }
    return {
      model,
      modelDetail: detail,
      entries: this.turns.map((t) => ({ ...t.entry })),
      busy: this.inflight !== null,
      spend: this.app.session.requests ? this.app.spendText() : '',
    };
  }

  /** Push a fresh snapshot to the view. */
  refresh(): void {
    this.post({ type: 'state', state: this.state() });
  }

  async reveal(): Promise<void> {
    if (this.view?.visible) return;
    await vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`);
  }

  clear(): void {
    this.cancel();
    this.turns = [];
    this.refresh();
  }

  cancel(): void {
    this.inflight?.cancel();
  }

  /** Ask the current model; the answer streams into the view. Resolves with the finished entry. */
  async ask(opts: AskOptions, how: { reveal: boolean } = { reveal: true }): Promise<ChatEntry | undefined> {
    const model = opts.model ?? this.app.currentModel() ?? (await this.app.pickModelInteractively());
    if (!model) return undefined;
    if (this.inflight) this.cancel();
    if (how.reveal) await this.reveal();

    const content = opts.selection ? selectionMessage(opts.question, opts.selection.code) : opts.question;
    const id = (): string => `m${++this.counter}`;
    const base = { status: 'done' as const, model: null, answeredBy: null, inputTokens: null, outputTokens: null, costUsd: null, totalMs: null, error: null, canApply: false };
    const user: Turn = {
      entry: { ...base, id: id(), role: 'user', text: opts.question, contextLabel: opts.selection ? selectionLabel(opts.selection.code) : null },
      content,
      target: opts.selection?.target ?? null,
    };
    const history: ChatMessage[] = [{ role: 'system', content: SYSTEM_PROMPT }];
    for (const t of this.turns) if (t.entry.status === 'done' && t.entry.text) history.push({ role: t.entry.role, content: t.content });
    const messages: ChatMessage[] = [...history, { role: 'user', content }];
    const answer: Turn = {
      entry: { ...base, id: id(), role: 'assistant', text: '', contextLabel: null, status: 'streaming', model },
      content: '',
      target: opts.selection?.target ?? null,
    };
    this.turns.push(user, answer);

    const stream = this.app.client().stream({ model, messages });
    this.inflight = stream;
    this.refresh();
    try {
      for await (const part of stream) {
        if (part.type === 'text-delta') {
          answer.entry.text += part.text;
          this.post({ type: 'delta', id: answer.entry.id, text: part.text });
        } else if (part.type === 'warning') {
          void this.app.notify('warning', `Switchboard: ${part.message}`);
        }
      }
    } catch (e) {
      this.app.log.error(`Chat stream failed: ${(e as Error).message}`);
    }
    const r = await stream.result.catch(() => null);
    if (this.inflight === stream) this.inflight = null;
    answer.content = answer.entry.text;
    if (r) {
      answer.entry = {
        ...answer.entry,
        text: r.text || answer.entry.text,
        status: r.error ? (r.error.kind === 'aborted' ? 'cancelled' : 'error') : 'done',
        answeredBy: r.answeredBy,
        inputTokens: r.usage.inputTokens,
        outputTokens: r.usage.outputTokens,
        costUsd: r.costUsd,
        totalMs: r.timing.totalMs,
        error: r.error && r.error.kind !== 'aborted' ? r.error.message : null,
        canApply: !r.error && r.text.length > 0,
      };
      answer.content = answer.entry.text;
      this.app.recordResult('chat', r, messages);
      if (r.answeredBy) await this.app.markUsed(model);
    } else {
      answer.entry = { ...answer.entry, status: 'error', error: 'the request ended unexpectedly (see the Switchboard log)' };
    }
    this.refresh();
    return { ...answer.entry };
  }

  /** The latest assistant answer that can be applied. */
  lastAnswer(): { id: string; text: string } | undefined {
    for (let i = this.turns.length - 1; i >= 0; i--) {
      const t = this.turns[i]!;
      if (t.entry.role === 'assistant' && t.entry.canApply) return { id: t.entry.id, text: t.entry.text };
    }
    return undefined;
  }

  async apply(id: string | undefined, mode: ApplyMode): Promise<boolean> {
    const turn = id ? this.turns.find((t) => t.entry.id === id) : this.turns.findLast((t) => t.entry.role === 'assistant' && t.entry.canApply);
    if (!turn || !turn.entry.canApply) {
      void this.app.notify('warning', 'Switchboard: there is no answer to apply yet.');
      return false;
    }
    return this.app.applier.apply(turn.entry.text, turn.target, mode);
  }

  dispose(): void {
    this.cancel();
    for (const s of this.subs) s.dispose();
  }
}
