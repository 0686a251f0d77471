/**
 * Conversations, persisted per workspace. Pure (no 'vscode'): it works on any key-value store
 * with the shape of VS Code's Memento, so the extension passes `context.workspaceState` and tests
 * pass a Map.
 *
 * Why workspaceState and not a JSON file under `context.storageUri`: storageUri is undefined when
 * no folder is open (the chat must still remember), workspaceState writes are atomic and survive a
 * window reload without us managing files, and it works the same in remote and web windows. Each
 * conversation is its own key, so saving a streaming answer rewrites one conversation, not all.
 */
import * as z from 'zod/mini';
import { ChatEntrySchema, ChatImageSchema, type ChatEntry, type ConversationSummary } from '../../../shared/protocol/chat.ts';
import type { KeyValueStore } from '../memento.ts';

export type { KeyValueStore };

/**
 * One stored turn: the entry as the view shows it, and what was actually sent (user turns: the
 * question plus attached code, and its images in full so later turns can send them again).
 */
export const AlternativeSchema = z.object({ entry: ChatEntrySchema, content: z.string() });
/** One answer of a turn that has several (Retry with… keeps the earlier one). */
export type Alternative = z.infer<typeof AlternativeSchema>;

/**
 * `alternatives`: an answered turn's answers when it has more than one, in the order they were asked;
 * `shown` is the one the transcript shows and the conversation continues from. `entry`/`content` are
 * always that one (the stored `alternatives[shown]` may lag while it streams: `alternativesOf` reads it
 * from `entry`).
 */
export const StoredTurnSchema = z.object({
  entry: ChatEntrySchema,
  content: z.string(),
  images: z._default(z.array(ChatImageSchema), []),
  alternatives: z.optional(z.array(AlternativeSchema)),
  shown: z.optional(z.number()),
});
export type StoredTurn = z.infer<typeof StoredTurnSchema>;

function shownIndex(t: StoredTurn): number {
  const n = t.alternatives?.length ?? 0;
  return Math.min(Math.max(0, Math.trunc(t.shown ?? n - 1)), Math.max(0, n - 1));
}

/** A turn's answers (one unless it has alternatives), the shown one as it is now. */
export function alternativesOf(t: StoredTurn): Alternative[] {
  const alts = t.alternatives ?? [];
  if (alts.length < 2) return [{ entry: t.entry, content: t.content }];
  const shown = shownIndex(t);
  return alts.map((a, i) => (i === shown ? { entry: t.entry, content: t.content } : a));
}

/** Which answer of how many a turn shows; null for a turn with one answer. */
export function alternativePosition(t: StoredTurn): { index: number; count: number } | null {
  const n = t.alternatives?.length ?? 0;
  return n < 2 ? null : { index: shownIndex(t), count: n };
}

function showAt(t: StoredTurn, all: Alternative[], index: number): void {
  const a = all[index]!;
  if (all.length < 2) {
    delete t.alternatives;
    delete t.shown;
  } else {
    t.alternatives = all;
    t.shown = index;
  }
  t.entry = a.entry;
  t.content = a.content;
}

/** Adds an answer to a turn as its newest alternative, and shows it (the earlier answers stay). */
export function addAlternative(t: StoredTurn, next: Alternative): void {
  const all = alternativesOf(t);
  all.push(next);
  showAt(t, all, all.length - 1);
}

/** Replaces the shown answer by `next` (Regenerate), keeping the other alternatives. */
export function replaceShown(t: StoredTurn, next: Alternative): void {
  const all = alternativesOf(t);
  const i = all.length < 2 ? 0 : shownIndex(t);
  all.splice(i, 1);
  all.push(next);
  showAt(t, all, all.length - 1);
}

/** Shows alternative `index`; false when there is no such alternative. */
export function showAlternative(t: StoredTurn, index: number): boolean {
  const all = alternativesOf(t);
  if (all.length < 2 || !Number.isInteger(index) || index < 0 || index >= all.length) return false;
  showAt(t, all, index);
  return true;
}

/** Every answer the conversation holds, hidden alternatives too (all were paid for). */
export function allEntries(turns: readonly StoredTurn[]): ChatEntry[] {
  return turns.flatMap((t) => alternativesOf(t).map((a) => a.entry));
}

export const ConversationSchema = z.object({
  id: z.string(),
  title: z.string(),
  /** True once the user renamed it (the title no longer follows the first message). */
  titled: z.boolean(),
  createdAt: z.number(),
  updatedAt: z.number(),
  model: z.nullable(z.string()),
  turns: z.array(StoredTurnSchema),
});
export type Conversation = z.infer<typeof ConversationSchema>;

const IndexSchema = z.array(z.object({ id: z.string(), title: z.string(), updatedAt: z.number(), model: z.nullable(z.string()), turns: z.number() }));

export const KEYS = {
  index: 'switchboard.chat.index',
  current: 'switchboard.chat.current',
  conversation: (id: string) => `switchboard.chat.conversation.${id}`,
} as const;

/** Most conversations kept; the least recently updated ones go first. */
export const MAX_CONVERSATIONS = 200;
const MAX_TITLE = 60;

/** A title from the first user message: its first non-empty line, whitespace collapsed, cut at 60 characters. */
export function titleFrom(text: string): string {
  const line =
    text
      .split('\n')
      .map((l) => l.replace(/\s+/g, ' ').trim())
      .find((l) => l.length > 0) ?? '';
  if (!line) return 'New chat';
  return line.length > MAX_TITLE ? `${line.slice(0, MAX_TITLE - 1).trimEnd()}…` : line;
}

export function newConversation(id: string, now: number, model: string | null): Conversation {
  return { id, title: 'New chat', titled: false, createdAt: now, updatedAt: now, model, turns: [] };
}

/**
 * A conversation as loaded after a reload or crash: an answer that was still streaming when it was
 * last saved is shown as interrupted, with the text that had arrived.
 */
export function recover(c: Conversation): Conversation {
  const interrupted = (e: ChatEntry): ChatEntry => (e.status === 'streaming' ? { ...e, status: 'interrupted', canApply: e.text.length > 0, retry: null } : e);
  return {
    ...c,
    turns: c.turns.map((t) => {
      const turn = { ...t, entry: interrupted(t.entry) };
      if (t.alternatives) turn.alternatives = alternativesOf(turn).map((a) => ({ ...a, entry: interrupted(a.entry) }));
      return turn;
    }),
  };
}

export function summarize(c: Conversation): ConversationSummary {
  return { id: c.id, title: c.title, updatedAt: c.updatedAt, model: c.model, turns: c.turns.filter((t) => t.entry.role === 'user').length };
}

/**
 * The store hands every write to the key-value store at once, the way VS Code's Memento takes it:
 * `update()` sets the value in memory (a `get()` right after sees it; CachedMemento makes sure) and
 * persists it in the background, later calls winning; its promise says when it is persisted. Writes
 * are never queued behind an earlier one still being persisted: a whole-Memento write takes seconds
 * once a conversation holds a large selection, and a reload during such a queue lost the turns
 * waiting in it — the question just sent among them.
 */
export class ConversationStore {
  private readonly kv: KeyValueStore;
  /** Writes handed to the store and not yet persisted (flush waits for them). */
  private readonly pending = new Set<Promise<void>>();
  private readonly onBadData: (message: string) => void;

  constructor(kv: KeyValueStore, onBadData: (message: string) => void = () => {}) {
    this.kv = kv;
    this.onBadData = onBadData;
  }

  /** Saved conversations, most recently updated first. */
  list(): ConversationSummary[] {
    const parsed = IndexSchema.safeParse(this.kv.get(KEYS.index) ?? []);
    if (!parsed.success) {
      this.onBadData('the chat history index was unreadable; starting a new one');
      return [];
    }
    return [...parsed.data].sort((a, b) => b.updatedAt - a.updatedAt);
  }

  /** A saved conversation (recovered: see `recover`), or undefined when missing or unreadable. */
  load(id: string): Conversation | undefined {
    const raw = this.kv.get(KEYS.conversation(id));
    if (raw === undefined) return undefined;
    const parsed = ConversationSchema.safeParse(raw);
    if (!parsed.success) {
      this.onBadData(`conversation ${id} was unreadable and is skipped`);
      return undefined;
    }
    return recover(parsed.data);
  }

  currentId(): string | undefined {
    const id = this.kv.get<unknown>(KEYS.current);
    return typeof id === 'string' ? id : undefined;
  }

  /**
   * Save a conversation as it is now (and make it the current one unless told not to); handed to the
   * store before this returns, persisted when the promise resolves. Empty conversations are not listed.
   */
  save(c: Conversation, makeCurrent = true): Promise<void> {
    const snapshot = structuredClone(c);
    // The shown alternative is stored as it is now (it may have streamed since it was added).
    for (const t of snapshot.turns) if (t.alternatives) t.alternatives = alternativesOf(t);
    // Every key of one save is updated at once and awaited together: VS Code writes a Memento's
    // whole contents (every conversation) per flush, so updates awaited one by one cost one full
    // write each — seconds apiece once a conversation holds a large selection.
    return this.write(() => {
      const writes: PromiseLike<void>[] = [];
      if (makeCurrent) writes.push(this.kv.update(KEYS.current, snapshot.id));
      if (snapshot.turns.length) {
        writes.push(this.kv.update(KEYS.conversation(snapshot.id), snapshot));
        const others = this.list().filter((s) => s.id !== snapshot.id);
        const index = [summarize(snapshot), ...others];
        const dropped = index.splice(MAX_CONVERSATIONS);
        writes.push(this.kv.update(KEYS.index, index));
        for (const d of dropped) writes.push(this.kv.update(KEYS.conversation(d.id), undefined));
      }
      return writes;
    });
  }

  /** Rename; resolves with the renamed conversation (undefined when it does not exist). */
  async rename(id: string, title: string): Promise<Conversation | undefined> {
    const clean = title.replace(/\s+/g, ' ').trim().slice(0, 200);
    if (!clean) return undefined;
    const c = this.load(id);
    if (!c) return undefined;
    const renamed = { ...c, title: clean, titled: true };
    await this.write(() => [
      this.kv.update(KEYS.conversation(id), renamed),
      this.kv.update(
        KEYS.index,
        this.list().map((s) => (s.id === id ? { ...s, title: clean } : s)),
      ),
    ]);
    return renamed;
  }

  delete(id: string): Promise<void> {
    return this.write(() => [
      this.kv.update(KEYS.conversation(id), undefined),
      this.kv.update(
        KEYS.index,
        this.list().filter((s) => s.id !== id),
      ),
      ...(this.currentId() === id ? [this.kv.update(KEYS.current, undefined)] : []),
    ]);
  }

  /** Resolves when every write so far has been persisted (or has failed, which is reported). */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  /** Makes the updates now; the promise says when they are persisted. A failure is also reported. */
  private write(updates: () => PromiseLike<void>[]): Promise<void> {
    let done: Promise<void>;
    try {
      done = Promise.all(updates()).then(() => undefined);
    } catch (e) {
      done = Promise.reject(e as Error);
    }
    const settled = done.catch((e: unknown) => this.onBadData(`could not save the chat: ${(e as Error).message}`));
    this.pending.add(settled);
    // eslint-disable-next-line @typescript-eslint/no-floating-promises -- `settled` never rejects (the catch above), and delete() does not throw
    settled.then(() => this.pending.delete(settled));
    return done;
  }
}

/** The running total of a conversation's answers. */
export function totalsOf(entries: readonly ChatEntry[]): { inputTokens: number; outputTokens: number; costUsd: number; unpriced: number; included: number } {
  const t = { inputTokens: 0, outputTokens: 0, costUsd: 0, unpriced: 0, included: 0 };
  for (const e of entries) {
    if (e.role !== 'assistant') continue;
    t.inputTokens += e.inputTokens ?? 0;
    t.outputTokens += e.outputTokens ?? 0;
    if (e.costUsd !== null) t.costUsd += e.costUsd;
    else if (e.costIncluded) t.included++;
    else if (e.answeredBy) t.unpriced++;
  }
  return t;
}
