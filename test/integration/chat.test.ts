/// <reference types="mocha" />
// The chat controller inside the extension host, against a fake provider: failover attempts and
// metrics on an answer, error actions from error kinds, code block N applied, regenerate and retry
// with another model, chips, and the conversation saved to workspace storage.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { startFakeProvider, type FakeServer, type RecordedRequest } from '../fakes/server.ts';
import { closeAllEditors, openFile, resetSettings, services, setSetting, waitFor } from './helpers.ts';

const KEY = 'sk-chat-integration';
const TWO_BLOCKS = 'First:\n\n```js\nconst one = 1;\n```\n\nSecond:\n\n```js\nconst two = 2;\n```\n';

const chatRequests = (fake: FakeServer): RecordedRequest[] => fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/chat/completions');

describe('Chat', () => {
  let fake: FakeServer;

  before(async () => {
    fake = await startFakeProvider('openai', { apiKey: KEY });
    fake.setDefault({ text: TWO_BLOCKS, usage: { input: 100, output: 40 } });
    await setSetting('providers', [{ id: 'openai', baseUrl: fake.baseUrl }]);
    await setSetting('routes', [{ id: 'fo', models: ['openai/gpt-4o', 'openai/gpt-4o-mini'], strategy: 'ordered' }]);
    await setSetting('retries', { maxRetries: 0 });
    await vscode.commands.executeCommand('switchboard.setApiKey', { provider: 'openai', key: KEY, verify: false });
    await vscode.commands.executeCommand('switchboard.switchModel', 'openai/gpt-4o-mini');
    const s = await services();
    await waitFor('the fake provider in use', () => s.providers().includes('openai'));
    (await services()).chat().clear();
  });

  after(async () => {
    await closeAllEditors();
    (await services()).chat().clear();
    await vscode.commands.executeCommand('switchboard.removeApiKey', 'openai');
    await resetSettings();
    await fake.close();
  });

  it('shows a route that failed over: who was asked, who answered, each attempt, timing and cost', async () => {
    const chat = (await services()).chat();
    fake.enqueue({ status: 404, errorMessage: 'The model `gpt-4o` does not exist' });
    const entry = await chat.ask({ question: 'Which model are you?', model: 'route/fo' }, { reveal: false });
    assert.ok(entry);
    assert.equal(entry.status, 'done', entry.error?.message);
    assert.equal(entry.model, 'route/fo');
    assert.equal(entry.answeredBy, 'openai/gpt-4o-mini');
    assert.deepEqual(
      entry.attempts.map((a) => [a.model, a.outcome, a.errorKind, a.status]),
      [
        ['openai/gpt-4o', 'error', 'not_found', 404],
        ['openai/gpt-4o-mini', 'ok', null, null],
      ],
    );
    assert.equal(entry.inputTokens, 100);
    assert.equal(entry.outputTokens, 40);
    assert.ok(entry.costUsd !== null && entry.costUsd > 0);
    assert.ok(entry.ttftMs !== null && entry.ttftMs >= 0);
    assert.ok(entry.totalMs !== null && entry.totalMs >= entry.ttftMs);
    const state = chat.state();
    assert.equal(state.totals.inputTokens, 100);
    assert.equal(state.totals.outputTokens, 40);
    assert.equal(state.title, 'Which model are you?');
  });

  it('applies the code block the view names (the second one here), and refuses a block that does not exist', async () => {
    const chat = (await services()).chat();
    const entry = await chat.ask({ question: 'Two snippets please' }, { reveal: false });
    assert.ok(entry?.canApply);
    const editor = await openFile('// top\n', 'javascript');
    editor.selection = new vscode.Selection(editor.document.lineAt(0).range.end, editor.document.lineAt(0).range.end);
    assert.equal(await chat.apply(entry.id, 'insert', 1), true);
    assert.equal(editor.document.getText(), '// topconst two = 2;\n');
    assert.equal(await chat.apply(entry.id, 'insert', 2), false);
    assert.equal(editor.document.getText(), '// topconst two = 2;\n');
    // Replace the selection with block 1.
    editor.selection = new vscode.Selection(0, 0, 0, 6);
    assert.equal(await chat.apply(entry.id, 'replace', 0), true);
    assert.equal(editor.document.getText(), 'const one = 1;const two = 2;\n');
  });

  it('regenerates an answer in place, and retries with another model without changing the current one', async () => {
    const chat = (await services()).chat();
    fake.enqueue({ text: 'first' });
    const first = await chat.ask({ question: 'Say something' }, { reveal: false });
    assert.ok(first);
    const count = chat.state().entries.length;
    const n = chatRequests(fake).length;
    fake.enqueue({ text: 'second' });
    const again = await chat.regenerate(first.id);
    assert.equal(again?.text, 'second');
    assert.equal(chat.state().entries.length, count);
    assert.equal(chat.state().entries.at(-1)!.text, 'second');
    const req = chatRequests(fake)[n]!;
    const msgs = req.body.messages as { role: string; content: string }[];
    assert.equal(msgs.at(-1)!.content, 'Say something');
    assert.ok(!msgs.some((m) => m.content === 'first'), 'the replaced answer is not sent as history');

    fake.enqueue({ text: 'from gpt-4o' });
    const other = await chat.retryWith(again!.id, 'openai/gpt-4o');
    assert.equal(other?.model, 'openai/gpt-4o');
    assert.equal(chatRequests(fake)[n + 1]!.body.model, 'gpt-4o');
    assert.equal((await services()).currentModel(), 'openai/gpt-4o-mini');
  });

  it('Retry with… keeps the earlier answer as an alternative; the conversation continues from the one shown; both persist', async () => {
    const chat = (await services()).chat();
    chat.clear();
    fake.enqueue({ text: 'mini says A', usage: { input: 10, output: 3 } });
    const first = await chat.ask({ question: 'Pick a letter' }, { reveal: false });
    assert.ok(first);
    fake.enqueue({ text: '4o says B', usage: { input: 10, output: 3 } });
    const other = await chat.retryWith(first.id, 'openai/gpt-4o');
    assert.ok(other);
    let answers = chat.state().entries.filter((e) => e.role === 'assistant');
    assert.equal(answers.length, 1, 'one turn, two alternatives');
    assert.deepEqual(answers[0]!.alternative, { index: 1, count: 2 });
    assert.equal(answers[0]!.text, '4o says B');
    // Both answers' costs count.
    assert.ok(chat.state().totals.costUsd > (first.costUsd ?? 0) + (other.costUsd ?? 0) - 1e-12);
    assert.ok((first.costUsd ?? 0) > 0 && (other.costUsd ?? 0) > 0);
    // Back to the first: the next question is asked after it.
    assert.equal(chat.showAlternative(other.id, 0), true);
    answers = chat.state().entries.filter((e) => e.role === 'assistant');
    assert.equal(answers[0]!.text, 'mini says A');
    assert.equal(answers[0]!.model, 'openai/gpt-4o-mini');
    const n = chatRequests(fake).length;
    fake.enqueue({ text: 'ok' });
    await chat.ask({ question: 'And again?' }, { reveal: false });
    const msgs = chatRequests(fake)[n]!.body.messages as { role: string; content: string }[];
    assert.deepEqual(
      msgs.filter((m) => m.role !== 'system').map((m) => m.content),
      ['Pick a letter', 'mini says A', 'And again?'],
    );
    // Saved with both alternatives.
    await chat.flush();
    const stored = chat.store.load(chat.state().conversationId)!;
    assert.deepEqual(
      stored.turns[1]!.alternatives?.map((a) => a.entry.text),
      ['mini says A', '4o says B'],
    );
    assert.equal(stored.turns[1]!.shown, 0);
  });

  it('shows the retry wait on the answer while a rate-limited request waits to try again, and saves the question before sending', async () => {
    const chat = (await services()).chat();
    chat.clear();
    await setSetting('retries', { maxRetries: 2 });
    try {
      let storedAtRequest: string[] | null = null;
      let calls = 0;
      fake.setDefault(() => {
        if (++calls > 1) return { text: 'after the wait' };
        const c = chat.store.load(chat.state().conversationId);
        storedAtRequest = c ? c.turns.map((t) => t.entry.text) : [];
        return { status: 429, headers: { 'retry-after': '2' }, errorMessage: 'Rate limit reached' };
      });
      const pending = chat.ask({ question: 'Busy?' }, { reveal: false });
      let notice: string | null = null;
      await waitFor('the retry notice on the answer', () => {
        const r = chat.state().entries.at(-1)?.retry;
        if (r) notice = `${r.kind} ${r.attempt}/${r.maxAttempts}`;
        return !!r;
      });
      assert.equal(notice, 'rate_limit 2/3');
      const done = await pending;
      assert.equal(done?.text, 'after the wait');
      assert.equal(done?.retry, null, 'the notice is gone once the answer came');
      assert.deepEqual(storedAtRequest, ['Busy?', ''], 'the question was saved before the request went out');
    } finally {
      fake.setDefault({ text: TWO_BLOCKS, usage: { input: 100, output: 40 } });
      await setSetting('retries', { maxRetries: 0 });
    }
  });

  it('turns error kinds into actions: 401 → Set API Key for that provider, 429 with retry-after → Retry at, unknown model → Retry with', async () => {
    const chat = (await services()).chat();
    fake.enqueue({ status: 401, errorMessage: 'Incorrect API key provided' });
    const auth = await chat.ask({ question: 'q1' }, { reveal: false });
    assert.equal(auth?.status, 'error');
    assert.deepEqual(auth?.error?.action, { kind: 'setKey', provider: 'openai' });
    assert.match(auth?.error?.message ?? '', /Incorrect API key/);
    assert.ok(!JSON.stringify(chat.state()).includes(KEY), 'the key is never in the view state');

    fake.enqueue({ status: 429, headers: { 'retry-after': '30' }, errorMessage: 'Rate limit reached' });
    const before = Date.now();
    const limited = await chat.ask({ question: 'q2' }, { reveal: false });
    assert.equal(limited?.error?.kind, 'rate_limit');
    const action = limited?.error?.action;
    assert.equal(action?.kind, 'retryAt');
    if (action?.kind === 'retryAt') assert.ok(action.at >= before + 29_000 && action.at <= Date.now() + 30_000, String(action.at - before));

    fake.enqueue({ status: 404, errorMessage: 'The model `gpt-4o` does not exist' });
    const unknown = await chat.ask({ question: 'q3', model: 'openai/gpt-4o' }, { reveal: false });
    assert.equal(unknown?.error?.kind, 'not_found');
    assert.deepEqual(unknown?.error?.action, { kind: 'retryWith' });

    fake.enqueue({ status: 400, errorType: 'context_length_exceeded', errorMessage: "This model's maximum context length is 128000 tokens" });
    const long = await chat.ask({ question: 'q4' }, { reveal: false });
    assert.equal(long?.error?.kind, 'context_length');
    assert.deepEqual(long?.error?.action, { kind: 'retryWith' });
    assert.ok(long?.error?.fix, 'the fix is shown with the error');
  });

  it('a model of a provider with no key and no settings entry: the fix and the action are Set API Key (the way it is done in VS Code), not an environment variable', async () => {
    const s = await services();
    const chat = s.chat();
    assert.ok(!s.keyProviders().includes('mistral') && !s.providers().includes('mistral'));
    const entry = await chat.ask({ question: 'q', model: 'mistral/mistral-large-latest' }, { reveal: false });
    assert.equal(entry?.status, 'error');
    assert.equal(entry?.error?.kind, 'config');
    assert.match(entry?.error?.message ?? '', /provider "mistral" is not configured/);
    assert.match(entry?.error?.fix ?? '', /^run "Switchboard: Set API Key" for Mistral/);
    assert.doesNotMatch(entry?.error?.fix ?? '', /MISTRAL_API_KEY/, 'the extension does not read keys from the environment');
    assert.deepEqual(entry?.error?.action, { kind: 'setKey', provider: 'mistral' });
    // What the fix says is enough: with its key stored, the preset is a provider.
    await vscode.commands.executeCommand('switchboard.setApiKey', { provider: 'mistral', key: 'mistral-test-key-000', verify: false });
    try {
      await waitFor('mistral among the providers', () => s.providers().includes('mistral'));
    } finally {
      await vscode.commands.executeCommand('switchboard.removeApiKey', 'mistral');
    }
    // A provider that is not a preset still points at the settings.
    const custom = await chat.ask({ question: 'q', model: 'mybox/llama' }, { reveal: false });
    assert.deepEqual(custom?.error?.action, { kind: 'openSettings' });
    assert.match(custom?.error?.fix ?? '', /"kind": "openai", "baseUrl"/);
    chat.clear();
  });

  it('sends attached chips with the next message and saves the conversation to workspace storage', async () => {
    const chat = (await services()).chat();
    chat.clear();
    const editor = await openFile('const answer = 42;\nconsole.log(answer);\n', 'javascript');
    editor.selection = new vscode.Selection(0, 0, 0, 18);
    assert.equal(await chat.attach('selection'), true);
    assert.equal(await chat.attach('file'), true);
    assert.equal(chat.state().chips.length, 2);
    const n = chatRequests(fake).length;
    fake.enqueue({ text: 'It logs 42.' });
    const entry = await chat.ask({ question: 'What is logged?' }, { reveal: false });
    assert.equal(entry?.text, 'It logs 42.');
    const sent = (chatRequests(fake)[n]!.body.messages as { content: string }[]).at(-1)!.content;
    assert.ok(sent.startsWith('What is logged?'), sent);
    assert.equal(sent.split('File: ').length - 1, 2, sent);
    assert.ok(sent.includes('console.log(answer);'));
    assert.deepEqual(chat.state().chips, []);
    const user = chat.state().entries.at(-2)!;
    assert.equal(user.contextLabels.length, 2);

    await chat.flush();
    const id = chat.state().conversationId;
    const saved = chat.store.load(id);
    assert.ok(saved, 'the conversation is in workspace storage');
    assert.equal(saved.turns.at(-1)!.entry.text, 'It logs 42.');
    assert.ok(saved.turns.at(-2)!.content.includes('console.log(answer);'), 'what was sent is stored, for the history of later turns');
    assert.ok(chat.store.list().some((s) => s.id === id && s.title === 'What is logged?'));
  });
});
