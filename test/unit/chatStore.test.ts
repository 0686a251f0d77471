// The chat's conversation store (src/host/common/chat/store.ts), its error view and code-block finder: the
// parts of the chat that need no VS Code.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SwitchboardError } from '../../src/core/errors.ts';
import { codeBlocks } from '../../src/host/common/chat/codeBlocks.ts';
import { tokensPerSecond } from '../../src/core/index.ts';
import { MIN_RATE_WINDOW_MS } from '../../src/core/router/compare.ts';
import { chatError, errorAction } from '../../src/host/common/chat/errorView.ts';
import {
  addAlternative,
  allEntries,
  alternativePosition,
  alternativesOf,
  ConversationStore,
  KEYS,
  MAX_CONVERSATIONS,
  newConversation,
  replaceShown,
  showAlternative,
  titleFrom,
  totalsOf,
  type Conversation,
  type KeyValueStore,
} from '../../src/host/common/chat/store.ts';
import type { ChatEntry } from '../../src/shared/protocol/chat.ts';

/**
 * A Memento over a Map that stores JSON round trips (as VS Code's storage does) and can be slow: like
 * VS Code's, update() takes the value at once and its promise resolves once it is persisted.
 */
class MapStore implements KeyValueStore {
  readonly data = new Map<string, string>();
  delayMs = 0;
  get<T>(key: string): T | undefined {
    const v = this.data.get(key);
    return v === undefined ? undefined : (JSON.parse(v) as T);
  }
  async update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.data.delete(key);
    else this.data.set(key, JSON.stringify(value));
    // Persisting takes a random while: promises resolve out of order, the later value still wins.
    if (this.delayMs) await new Promise((r) => setTimeout(r, Math.random() * this.delayMs));
  }
}

/**
 * VS Code's Memento while a write of its whole contents takes seconds (a conversation holding a large
 * selection): update() takes the value at once, its promise resolves only when `persist()` is called.
 * `taken` is what VS Code holds (and persists itself): what a reload can bring back.
 */
class SlowMemento implements KeyValueStore {
  readonly taken = new Map<string, string>();
  private waiting: (() => void)[] = [];
  get<T>(key: string): T | undefined {
    const v = this.taken.get(key);
    return v === undefined ? undefined : (JSON.parse(v) as T);
  }
  update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.taken.delete(key);
    else this.taken.set(key, JSON.stringify(value));
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  persist(): void {
    const w = this.waiting;
    this.waiting = [];
    for (const resolve of w) resolve();
  }
}

function entry(id: string, role: 'user' | 'assistant', extra: Partial<ChatEntry> = {}): ChatEntry {
  return {
    id,
    role,
    text: role === 'user' ? 'question' : 'answer',
    reasoning: '',
    reasoningTokens: null,
    images: [],
    contextLabels: [],
    status: 'done',
    model: role === 'assistant' ? 'openai/gpt-4o-mini' : null,
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
    at: 1,
    ...extra,
  };
}

function conversation(id: string, updatedAt: number, turns: ChatEntry[]): Conversation {
  return {
    ...newConversation(id, updatedAt, 'openai/gpt-4o-mini'),
    updatedAt,
    title: `title ${id}`,
    turns: turns.map((e) => ({ entry: e, content: e.text, images: [] })),
  };
}

test('saves, lists (newest first), loads, renames and deletes conversations', async () => {
  const kv = new MapStore();
  const store = new ConversationStore(kv);
  await store.save(conversation('a', 100, [entry('u1', 'user'), entry('a1', 'assistant')]));
  await store.save(conversation('b', 200, [entry('u2', 'user')]));
  assert.deepEqual(
    store.list().map((s) => [s.id, s.title, s.turns]),
    [
      ['b', 'title b', 1],
      ['a', 'title a', 1],
    ],
  );
  assert.equal(store.currentId(), 'b');
  // A fresh store over the same data (a window reload) sees the same.
  const again = new ConversationStore(kv);
  assert.equal(again.load('a')?.turns[1]?.entry.text, 'answer');
  assert.equal(again.currentId(), 'b');

  const renamed = await again.rename('a', '  Sorting   helpers ');
  assert.equal(renamed?.title, 'Sorting helpers');
  assert.equal(renamed?.titled, true);
  assert.equal(again.list().find((s) => s.id === 'a')?.title, 'Sorting helpers');
  assert.equal(again.load('a')?.title, 'Sorting helpers');
  assert.equal(await again.rename('a', '   '), undefined, 'an empty name is refused');
  assert.equal(await again.rename('nope', 'x'), undefined);

  await again.delete('b');
  assert.deepEqual(
    again.list().map((s) => s.id),
    ['a'],
  );
  assert.equal(again.load('b'), undefined);
  assert.equal(kv.data.has(KEYS.conversation('b')), false);
  assert.equal(again.currentId(), undefined, 'deleting the current conversation clears it');
});

test('an empty conversation becomes current but is not listed', async () => {
  const store = new ConversationStore(new MapStore());
  await store.save(newConversation('e', 1, null));
  assert.equal(store.currentId(), 'e');
  assert.deepEqual(store.list(), []);
});

test('an answer saved while streaming loads as interrupted, keeping its partial text', async () => {
  const kv = new MapStore();
  await new ConversationStore(kv).save(conversation('s', 1, [entry('u', 'user'), entry('a', 'assistant', { status: 'streaming', text: 'The first half of' })]));
  const loaded = new ConversationStore(kv).load('s')!;
  assert.equal(loaded.turns[1]!.entry.status, 'interrupted');
  assert.equal(loaded.turns[1]!.entry.text, 'The first half of');
  assert.equal(loaded.turns[1]!.entry.canApply, true);
  const done = new ConversationStore(kv);
  await done.save(conversation('d', 2, [entry('u', 'user'), entry('a', 'assistant', { status: 'done' })]));
  assert.equal(done.load('d')!.turns[1]!.entry.status, 'done');
});

test('the last save wins even when the storage persists slowly and out of order, and snapshots are taken at save time', async () => {
  const kv = new MapStore();
  kv.delayMs = 5;
  const store = new ConversationStore(kv);
  const c = conversation('x', 1, [entry('u', 'user'), entry('a', 'assistant', { status: 'streaming', text: '' })]);
  const saves: Promise<void>[] = [];
  for (let i = 1; i <= 20; i++) {
    c.turns[1]!.entry.text += `${i} `;
    c.updatedAt = i;
    saves.push(store.save(c));
  }
  c.turns[1]!.entry.text = 'changed after the last save';
  await Promise.all(saves);
  await store.flush();
  const text = store.load('x')!.turns[1]!.entry.text;
  assert.equal(text, Array.from({ length: 20 }, (_, i) => `${i + 1} `).join(''));
  assert.equal(store.list()[0]!.updatedAt, 20);
});

test('unreadable data is reported and skipped, not thrown', async () => {
  const kv = new MapStore();
  const problems: string[] = [];
  const store = new ConversationStore(kv, (m) => problems.push(m));
  kv.data.set(KEYS.index, JSON.stringify([{ id: 1 }]));
  kv.data.set(KEYS.conversation('bad'), JSON.stringify({ id: 'bad', turns: 'nope' }));
  assert.deepEqual(store.list(), []);
  assert.equal(store.load('bad'), undefined);
  assert.equal(problems.length, 2, problems.join('\n'));
  // Saving replaces the unreadable index.
  await store.save(conversation('ok', 1, [entry('u', 'user')]));
  assert.deepEqual(
    store.list().map((s) => s.id),
    ['ok'],
  );
});

test(`keeps at most ${MAX_CONVERSATIONS} conversations, dropping the least recently updated`, async () => {
  const kv = new MapStore();
  const store = new ConversationStore(kv);
  for (let i = 0; i < MAX_CONVERSATIONS + 3; i++) void store.save(conversation(`c${i}`, i, [entry('u', 'user')]));
  await store.flush();
  const ids = store.list().map((s) => s.id);
  assert.equal(ids.length, MAX_CONVERSATIONS);
  assert.equal(ids[0], `c${MAX_CONVERSATIONS + 2}`);
  assert.ok(!ids.includes('c0') && !ids.includes('c2'));
  assert.equal(kv.data.has(KEYS.conversation('c0')), false, 'dropped conversations are removed from storage');
  assert.equal(kv.data.has(KEYS.conversation('c3')), true);
});

test('titles come from the first non-empty line of the first message', () => {
  assert.equal(titleFrom('\n\n  How do I   sort\tthis?\nmore'), 'How do I sort this?');
  assert.equal(titleFrom('   '), 'New chat');
  const long = titleFrom('x'.repeat(100));
  assert.equal(long.length, 60);
  assert.ok(long.endsWith('…'));
});

test('running totals add tokens and known costs, and count unpriced and included answers separately', () => {
  const t = totalsOf([
    entry('u', 'user', { inputTokens: 999 }),
    entry('a', 'assistant', { inputTokens: 100, outputTokens: 20, costUsd: 0.001, answeredBy: 'openai/gpt-4o-mini' }),
    entry('b', 'assistant', { inputTokens: 50, outputTokens: 5, costUsd: null, answeredBy: 'local/llama' }),
    entry('c', 'assistant', { status: 'error', costUsd: null, answeredBy: null }),
    entry('d', 'assistant', { inputTokens: 7, outputTokens: 3, costUsd: null, costIncluded: true, answeredBy: 'vscode/copilot/gpt-4o' }),
  ]);
  assert.deepEqual(t, { inputTokens: 157, outputTokens: 28, costUsd: 0.001, unpriced: 1, included: 1 });
});

test('each error kind gets its one-click action', () => {
  const now = 1_000_000;
  const act = (kind: SwitchboardError['kind'], extra: Partial<{ provider: string; retryAfterMs: number }> = {}) =>
    errorAction(new SwitchboardError({ kind, message: 'm', provider: extra.provider ?? null, retryAfterMs: extra.retryAfterMs ?? null }), now);
  assert.deepEqual(act('auth', { provider: 'openai' }), { kind: 'setKey', provider: 'openai' });
  assert.deepEqual(act('rate_limit', { retryAfterMs: 7000 }), { kind: 'retryAt', at: now + 7000 });
  assert.deepEqual(act('rate_limit'), { kind: 'retry' });
  assert.deepEqual(act('not_found'), { kind: 'retryWith' });
  assert.deepEqual(act('context_length'), { kind: 'retryWith' });
  // A budget refusal opens the settings at the caps, a config error at Switchboard's settings.
  assert.deepEqual(act('budget'), { kind: 'openSettings', setting: 'switchboard.budget' });
  for (const k of ['network', 'server', 'timeout', 'overloaded'] as const) assert.deepEqual(act(k), { kind: 'retry' }, k);
  assert.equal(act('aborted'), null);
  const e = chatError(
    new SwitchboardError({
      kind: 'auth',
      message: 'Incorrect API key provided',
      provider: 'openai',
      model: 'gpt-4o',
      status: 401,
      fix: 'run "Switchboard: Set API Key"',
    }),
    now,
  );
  assert.deepEqual(e, {
    kind: 'auth',
    message: 'Incorrect API key provided',
    fix: 'run "Switchboard: Set API Key"',
    status: 401,
    action: { kind: 'setKey', provider: 'openai' },
  });
});

test('tokens per second count the streamed part only', () => {
  assert.equal(tokensPerSecond(100, 500, 2500), 50);
  assert.equal(tokensPerSecond(null, 500, 2500), null);
  assert.equal(tokensPerSecond(10, 1000, 1000), null);
  // Unknown first-token time: not measurable (the compare view and the chat agree on null).
  assert.equal(tokensPerSecond(100, null, 2500), null);
  // An answer that arrived in one burst after its wait: 12 tokens in 4 ms is no rate (it read 3,000 tok/s).
  assert.equal(tokensPerSecond(12, 4000, 4004), null);
  assert.equal(tokensPerSecond(12, 4000, 4000 + MIN_RATE_WINDOW_MS - 1), null);
  assert.equal(tokensPerSecond(10, 4000, 4000 + MIN_RATE_WINDOW_MS), (10 / MIN_RATE_WINDOW_MS) * 1000);
});

test('code blocks are found in render order, nested ones included', () => {
  const md = [
    'Intro',
    '```ts\nconst a = 1;\n```',
    '- item\n\n  ```py\n  print(1)\n  ```',
    '> quoted\n>\n> ```\n> q\n> ```',
    '~~~sh title=x\necho hi\n~~~',
    '````md\n```\ninner\n```\n````',
  ].join('\n\n');
  assert.deepEqual(codeBlocks(md), [
    { lang: 'ts', text: 'const a = 1;' },
    { lang: 'py', text: 'print(1)' },
    { lang: '', text: 'q' },
    { lang: 'sh', text: 'echo hi' },
    { lang: 'md', text: '```\ninner\n```' },
  ]);
  assert.deepEqual(codeBlocks('no code here'), []);
});

test('a conversation saved in the background (an answer finishing after the user moved on) does not become current', async () => {
  const store = new ConversationStore(new MapStore());
  await store.save(conversation('shown', 1, [entry('u', 'user')]));
  await store.save(conversation('background', 2, [entry('u', 'user'), entry('a', 'assistant')]), false);
  assert.equal(store.currentId(), 'shown');
  assert.deepEqual(
    store.list().map((s) => s.id),
    ['background', 'shown'],
  );
});

test('conversations saved before reasoning and images existed still load, with none of either', () => {
  const kv = new MapStore();
  const old = conversation('old', 5, [entry('u1', 'user'), entry('a1', 'assistant')]);
  // As an older version stored it: no reasoning, reasoningTokens or images anywhere.
  const stored = JSON.parse(JSON.stringify(old)) as { turns: { entry: Record<string, unknown>; images?: unknown }[] };
  for (const t of stored.turns) {
    delete t.entry.reasoning;
    delete t.entry.reasoningTokens;
    delete t.entry.images;
    delete t.images;
  }
  kv.data.set(KEYS.conversation('old'), JSON.stringify(stored));
  const loaded = new ConversationStore(kv).load('old');
  assert.ok(loaded, 'the old conversation loads');
  assert.deepEqual(
    loaded.turns.map((t) => [t.entry.reasoning, t.entry.reasoningTokens, t.entry.images, t.images]),
    [
      ['', null, [], []],
      ['', null, [], []],
    ],
  );
});

test('reasoning and images are kept in the history', async () => {
  const kv = new MapStore();
  const store = new ConversationStore(kv);
  const c = conversation('r', 5, [
    entry('u1', 'user', { images: [{ name: 'a.png', mediaType: 'image/png', thumb: '' }] }),
    entry('a1', 'assistant', { reasoning: 'Let me think.', reasoningTokens: 12 }),
  ]);
  c.turns[0]!.images = [{ name: 'a.png', mediaType: 'image/png', data: 'iVBORw0K', thumb: '' }];
  await store.save(c);
  const loaded = store.load('r')!;
  assert.equal(loaded.turns[1]!.entry.reasoning, 'Let me think.');
  assert.equal(loaded.turns[1]!.entry.reasoningTokens, 12);
  assert.deepEqual(loaded.turns[0]!.images, [{ name: 'a.png', mediaType: 'image/png', data: 'iVBORw0K', thumb: '' }]);
  assert.deepEqual(loaded.turns[0]!.entry.images, [{ name: 'a.png', mediaType: 'image/png', thumb: '' }]);
});

test('Retry with… keeps both answers of a turn as alternatives: switchable, each with its own model and cost, persisted, counted in the totals', async () => {
  const kv = new MapStore();
  const store = new ConversationStore(kv);
  const first = entry('a1', 'assistant', { text: 'from mini', model: 'openai/gpt-4o-mini', answeredBy: 'openai/gpt-4o-mini', costUsd: 0.001 });
  const c = conversation('alt', 10, [entry('u1', 'user'), first]);
  const turn = c.turns[1]!;
  assert.equal(alternativePosition(turn), null, 'one answer: no switch');
  addAlternative(turn, { entry: entry('a2', 'assistant', { text: '', status: 'streaming', model: 'openai/gpt-4o' }), content: '' });
  assert.deepEqual(alternativePosition(turn), { index: 1, count: 2 });
  assert.equal(turn.entry.id, 'a2', 'the new answer is shown');
  // It streams after it was added: what is stored is the answer as it is now.
  turn.entry = { ...turn.entry, text: 'from 4o', status: 'done', answeredBy: 'openai/gpt-4o', costUsd: 0.01 };
  turn.content = 'from 4o';
  await store.save(c);
  const loaded = store.load('alt')!;
  assert.deepEqual(
    alternativesOf(loaded.turns[1]!).map((a) => [a.entry.id, a.entry.model, a.entry.costUsd, a.content]),
    [
      ['a1', 'openai/gpt-4o-mini', 0.001, 'from mini'],
      ['a2', 'openai/gpt-4o', 0.01, 'from 4o'],
    ],
  );
  assert.equal(loaded.turns[1]!.entry.id, 'a2');
  // Both were paid for.
  assert.equal(totalsOf(allEntries(loaded.turns)).costUsd, 0.011);
  // Switching back: the shown answer (what the conversation continues from) is the first.
  assert.equal(showAlternative(loaded.turns[1]!, 0), true);
  assert.equal(loaded.turns[1]!.entry.text, 'from mini');
  assert.equal(loaded.turns[1]!.content, 'from mini');
  assert.equal(showAlternative(loaded.turns[1]!, 2), false);
  assert.equal(showAlternative(loaded.turns[0]!, 0), false, 'a turn with one answer has nothing to switch to');
  await store.save(loaded);
  assert.equal(store.load('alt')!.turns[1]!.entry.id, 'a1', 'the choice is persisted');
  // Regenerate replaces the shown answer and keeps the other.
  const again = store.load('alt')!;
  replaceShown(again.turns[1]!, { entry: entry('a3', 'assistant', { text: 'mini again' }), content: 'mini again' });
  assert.deepEqual(
    alternativesOf(again.turns[1]!).map((a) => a.entry.id),
    ['a2', 'a3'],
  );
});

test('an alternative still streaming at a reload is recovered as interrupted, with its text', async () => {
  const kv = new MapStore();
  const store = new ConversationStore(kv);
  const c = conversation('int', 10, [entry('u1', 'user'), entry('a1', 'assistant', { text: 'done one' })]);
  addAlternative(c.turns[1]!, { entry: entry('a2', 'assistant', { text: 'partial', status: 'streaming' }), content: '' });
  await store.save(c);
  const t = store.load('int')!.turns[1]!;
  assert.equal(t.entry.status, 'interrupted');
  assert.equal(t.entry.canApply, true);
  assert.deepEqual(
    alternativesOf(t).map((a) => a.entry.status),
    ['done', 'interrupted'],
  );
});

test("one save is one write of VS Code's Memento: its keys are updated together, not one awaited after another", async () => {
  // Like VS Code's ExtHostMemento: updates made before a flush share it (the whole contents are sent once).
  const values = new Map<string, unknown>();
  let pending: (() => void)[] = [];
  let flushes = 0;
  const kv: KeyValueStore = {
    get: <T>(key: string) => values.get(key) as T | undefined,
    update: (key: string, value: unknown) => {
      values.set(key, value);
      return new Promise<void>((resolve) => pending.push(resolve));
    },
  };
  const store = new ConversationStore(kv);
  let done = false;
  const saving = store.save(conversation('big', 100, [entry('u1', 'user'), entry('a1', 'assistant')])).then(() => (done = true));
  while (!done) {
    await new Promise((r) => setImmediate(r));
    if (!pending.length) continue;
    flushes++;
    const batch = pending;
    pending = [];
    for (const resolve of batch) resolve();
  }
  await saving;
  assert.equal(flushes, 1);
  assert.equal(store.currentId(), 'big');
  assert.deepEqual(
    store.list().map((s) => s.id),
    ['big'],
  );
});

test('a question saved while an earlier write is still being persisted reaches the storage at once: a reload right after Send keeps it', async () => {
  const kv = new SlowMemento();
  const store = new ConversationStore(kv);
  const c = conversation('slow', 1, [entry('u1', 'user', { text: 'first question' }), entry('a1', 'assistant', { status: 'streaming', text: 'so far' })]);
  // The answer's periodic save: its write of the whole Memento is still going on.
  const streaming = store.save(c);
  let persisted = false;
  const sent = (async () => {
    // The user stops that answer and sends another question: saved before the request starts.
    c.turns[1]!.entry = { ...c.turns[1]!.entry, status: 'cancelled' };
    c.turns.push({ entry: entry('u2', 'user', { text: 'the question just sent' }), content: 'the question just sent', images: [] });
    c.turns.push({ entry: entry('a2', 'assistant', { status: 'streaming', text: '' }), content: '', images: [] });
    await store.save(c);
    persisted = true;
  })();
  // Before any write has been persisted, VS Code already holds the question: a reload now keeps it.
  await new Promise((r) => setImmediate(r));
  const reloaded = new ConversationStore(kv);
  assert.equal(reloaded.currentId(), 'slow');
  assert.deepEqual(
    reloaded.load('slow')?.turns.map((t) => [t.entry.text, t.entry.status]),
    [
      ['first question', 'done'],
      ['so far', 'cancelled'],
      ['the question just sent', 'done'],
      ['', 'interrupted'],
    ],
  );
  assert.equal(reloaded.list()[0]?.turns, 2, 'the history counts it too');
  assert.equal(persisted, false, 'the save resolves only once persisted');
  kv.persist();
  await streaming;
  await sent;
  await store.flush();
  assert.equal(persisted, true);
});

test('rename and delete reach the storage at once too, and flush() waits until every write is persisted', async () => {
  const kv = new SlowMemento();
  const store = new ConversationStore(kv);
  void store.save(conversation('a', 1, [entry('u', 'user')]));
  void store.save(conversation('b', 2, [entry('u', 'user')]));
  const renaming = store.rename('a', 'Renamed');
  const deleting = store.delete('b');
  await new Promise((r) => setImmediate(r));
  const seen = new ConversationStore(kv);
  assert.deepEqual(
    seen.list().map((s) => [s.id, s.title]),
    [['a', 'Renamed']],
  );
  assert.equal(seen.load('b'), undefined);
  let flushed = false;
  const flushing = store.flush().then(() => (flushed = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(flushed, false, 'nothing is persisted yet');
  kv.persist();
  await flushing;
  assert.equal((await renaming)?.title, 'Renamed');
  await deleting;
});
