/// <reference types="mocha" />
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CompareResult } from '../../src/core/router/compare.ts';
import { PRESET_PROMPTS } from '../../src/host/common/prompts.ts';
import type { ChatEntry } from '../../src/shared/protocol/chat.ts';
import type { ComparePanel } from '../../src/host/compare/panel.ts';
import { startFakeProvider, type FakeServer, type RecordedRequest } from '../fakes/server.ts';
import { closeAllEditors, editorWithSelection, openFile, resetSettings, services, setSetting, waitFor } from './helpers.ts';

const KEY = 'sk-editor-actions';
const CODE = ['function add(a, b) {', '  return a - b;', '}', '', 'console.log(add(1, 2));'].join('\n');
const ANSWER = 'The function subtracts. Fix:\n\n```js\nfunction add(a, b) {\n  return a + b;\n}\n```\n';

function chatRequests(fake: FakeServer): RecordedRequest[] {
  return fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/chat/completions');
}

function lastUserMessage(r: RecordedRequest): string {
  const msgs = r.body.messages as { role: string; content: string }[];
  return msgs.filter((m) => m.role === 'user').at(-1)!.content;
}

describe('Editor actions', () => {
  let fake: FakeServer;

  before(async () => {
    fake = await startFakeProvider('openai', { apiKey: KEY });
    fake.setDefault({ text: ANSWER, usage: { input: 120, output: 30 } });
    await setSetting('providers', [{ id: 'openai', baseUrl: fake.baseUrl }]);
    await vscode.commands.executeCommand('switchboard.setApiKey', { provider: 'openai', key: KEY, verify: false });
    await vscode.commands.executeCommand('switchboard.switchModel', 'openai/gpt-4o-mini');
    const s = await services();
    await waitFor('the fake provider in use', () => s.providers().includes('openai'));
  });

  after(async () => {
    await closeAllEditors();
    await vscode.commands.executeCommand('switchboard.newChat');
    await vscode.commands.executeCommand('switchboard.removeApiKey', 'openai');
    await resetSettings();
    await fake.close();
  });

  afterEach(async () => {
    await closeAllEditors();
  });

  it('Explain Selection sends the selection with its file name and language, and streams the answer into the chat', async () => {
    const editor = await editorWithSelection(CODE, 'javascript', 1, 3);
    const n = chatRequests(fake).length;
    const entry = (await vscode.commands.executeCommand('switchboard.explainSelection')) as ChatEntry;
    assert.equal(entry.status, 'done', entry.error?.message ?? '');
    assert.equal(entry.text, ANSWER);
    const req = chatRequests(fake)[n];
    assert.ok(req, 'no chat request reached the provider');
    assert.equal(req.body.model, 'gpt-4o-mini');
    assert.equal(req.body.stream, true);
    assert.equal(req.headers.authorization, `Bearer ${KEY}`);
    const user = lastUserMessage(req);
    assert.ok(user.startsWith(PRESET_PROMPTS.explain), user);
    const name = vscode.workspace.asRelativePath(editor.document.uri, false);
    assert.ok(!name.includes('/'), name);
    assert.ok(user.includes(`File: ${name} (lines 1-3)`), user);
    assert.ok(user.includes('Language: javascript'), user);
    assert.ok(user.includes('```javascript\nfunction add(a, b) {\n  return a - b;\n}\n```'), user);
    assert.ok(!user.includes('console.log'), 'sent more than the selection');

    const state = (await services()).chatState();
    const last = state.entries.at(-1)!;
    assert.equal(last.role, 'assistant');
    assert.equal(last.text, ANSWER);
    assert.equal(last.model, 'openai/gpt-4o-mini');
    assert.equal(last.inputTokens, 120);
    assert.equal(last.outputTokens, 30);
    assert.ok(last.costUsd !== null && last.costUsd > 0, `cost ${last.costUsd}`);
    assert.deepEqual(state.entries.at(-2)!.contextLabels, [`${name}:1-3 (javascript)`]);
  });

  it('Review Selection uses the review prompt; Ask About Selection sends the question', async () => {
    await editorWithSelection(CODE, 'javascript', 2, 2);
    const n = chatRequests(fake).length;
    await vscode.commands.executeCommand('switchboard.reviewSelection');
    assert.ok(lastUserMessage(chatRequests(fake)[n]!).startsWith(PRESET_PROMPTS.review));
    await vscode.commands.executeCommand('switchboard.askAboutSelection', 'Why is this wrong?');
    const ask = chatRequests(fake)[n + 1]!;
    assert.ok(lastUserMessage(ask).startsWith('Why is this wrong?'));
    assert.ok(lastUserMessage(ask).includes('  return a - b;'));
    // A new conversation: the review before it is not sent along (system + the new question only).
    const roles = (ask.body.messages as { role: string }[]).map((m) => m.role);
    assert.deepEqual(roles, ['system', 'user']);
  });

  it('Explain / Review / Ask start a new conversation instead of re-sending the open, unrelated one', async () => {
    const s = await services();
    await vscode.commands.executeCommand('switchboard.newChat');
    await s.chat().ask({ question: 'Unrelated: what is a monad?' }, { reveal: false });
    await s.chat().ask({ question: 'Unrelated: and a functor?' }, { reveal: false });
    const before = s.chatState();
    assert.equal(before.entries.length, 4);
    await editorWithSelection(CODE, 'javascript', 1, 3);
    for (const command of ['switchboard.explainSelection', 'switchboard.reviewSelection', 'switchboard.askAboutSelection'] as const) {
      const n = chatRequests(fake).length;
      const entry = (await vscode.commands.executeCommand(command, command === 'switchboard.askAboutSelection' ? 'Is this right?' : undefined)) as ChatEntry;
      assert.equal(entry.status, 'done', entry.error?.message ?? '');
      const messages = chatRequests(fake)[n]!.body.messages as { role: string; content: string }[];
      assert.deepEqual(
        messages.map((m) => m.role),
        ['system', 'user'],
        `${command} sent ${messages.map((m) => `${m.role}: ${m.content.slice(0, 40)}`).join(' | ')}`,
      );
      assert.ok(!JSON.stringify(messages).includes('monad'), `${command} re-sent the unrelated conversation`);
      const now = s.chatState();
      assert.equal(now.entries.length, 2, `${command}: the chat shows only the new question and its answer`);
    }
    // The earlier conversation stays in the history.
    assert.ok(
      s
        .chat()
        .store.list()
        .some((c) => c.id === before.conversationId),
      'the unrelated conversation is still in the history',
    );
  });

  it('continues the open chat when asked to: { continueChat: true } or switchboard.selectionActionsInNewChat off', async () => {
    const s = await services();
    await vscode.commands.executeCommand('switchboard.newChat');
    await s.chat().ask({ question: 'Earlier: what does add do?' }, { reveal: false });
    await editorWithSelection(CODE, 'javascript', 1, 3);
    let n = chatRequests(fake).length;
    await vscode.commands.executeCommand('switchboard.explainSelection', { continueChat: true });
    let roles = (chatRequests(fake)[n]!.body.messages as { role: string }[]).map((m) => m.role);
    assert.deepEqual(roles, ['system', 'user', 'assistant', 'user']);
    await setSetting('selectionActionsInNewChat', false);
    try {
      n = chatRequests(fake).length;
      await vscode.commands.executeCommand('switchboard.askAboutSelection', 'And now?');
      roles = (chatRequests(fake)[n]!.body.messages as { role: string }[]).map((m) => m.role);
      assert.deepEqual(roles, ['system', 'user', 'assistant', 'user', 'assistant', 'user']);
      assert.equal(s.chatState().entries.length, 6);
    } finally {
      await setSetting('selectionActionsInNewChat', undefined);
    }
  });

  it('without a selection, asks the user to select code and sends nothing', async () => {
    await openFile(CODE, 'javascript');
    const n = chatRequests(fake).length;
    const r = await vscode.commands.executeCommand('switchboard.explainSelection');
    assert.equal(r, undefined);
    assert.equal(chatRequests(fake).length, n);
    assert.ok((await services()).notices().some((x) => /select some code/.test(x.text)));
  });

  it("replaces the selection with the answer's code", async () => {
    const editor = await editorWithSelection(CODE, 'javascript', 1, 3);
    await vscode.commands.executeCommand('switchboard.explainSelection');
    await vscode.window.showTextDocument(editor.document);
    const ok = await vscode.commands.executeCommand('switchboard.replaceSelectionWithAnswer');
    assert.equal(ok, true);
    assert.equal(editor.document.getText(), ['function add(a, b) {', '  return a + b;', '}', '', 'console.log(add(1, 2));'].join('\n'));
  });

  it('replaces the asked-about code where it moved to when the file was edited above it, not at the cursor', async () => {
    const s = await services();
    const editor = await editorWithSelection(CODE, 'javascript', 1, 3);
    await vscode.commands.executeCommand('switchboard.explainSelection');
    await vscode.window.showTextDocument(editor.document);
    // While the answer was read: a comment added above, the cursor left inside it.
    await editor.edit((b) => b.insert(new vscode.Position(0, 0), '// a comment\n'));
    editor.selection = new vscode.Selection(0, 3, 0, 3);
    const n = s.notices().length;
    assert.equal(await vscode.commands.executeCommand('switchboard.replaceSelectionWithAnswer'), true);
    assert.equal(editor.document.getText(), ['// a comment', 'function add(a, b) {', '  return a + b;', '}', '', 'console.log(add(1, 2));'].join('\n'));
    assert.deepEqual(s.notices().slice(n), []);
  });

  it('refuses, saying why, when the asked-about code changed and nothing is selected (instead of inserting at the cursor)', async () => {
    const s = await services();
    const editor = await editorWithSelection(CODE, 'javascript', 1, 3);
    await vscode.commands.executeCommand('switchboard.explainSelection');
    await vscode.window.showTextDocument(editor.document);
    await editor.edit((b) => b.replace(new vscode.Range(1, 11, 1, 14), 'a * b'));
    editor.selection = new vscode.Selection(4, 0, 4, 0);
    const changed = editor.document.getText();
    const n = s.notices().length;
    assert.equal(await vscode.commands.executeCommand('switchboard.replaceSelectionWithAnswer'), false);
    assert.equal(editor.document.getText(), changed, 'nothing was inserted');
    const notice = s.notices().slice(n).at(-1);
    assert.equal(notice?.level, 'warning');
    assert.match(notice?.text ?? '', /changed since, and nothing is selected: select the code to replace and try again/);
    // With the code to replace selected, it goes there.
    editor.selection = new vscode.Selection(0, 0, 2, 1);
    assert.equal(await vscode.commands.executeCommand('switchboard.replaceSelectionWithAnswer'), true);
    assert.ok(editor.document.getText().startsWith('function add(a, b) {\n  return a + b;\n}\n'));
  });

  it('says a read-only document cannot take the code instead of reporting success and changing nothing', async () => {
    const s = await services();
    const provider = vscode.workspace.registerTextDocumentContentProvider('sb-readonly-test', { provideTextDocumentContent: () => CODE });
    try {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse('sb-readonly-test:/generated.js'));
      const editor = await vscode.window.showTextDocument(doc);
      editor.selection = new vscode.Selection(0, 0, 2, 1);
      const entry = (await vscode.commands.executeCommand('switchboard.explainSelection')) as ChatEntry;
      assert.equal(entry.status, 'done', 'asking about read-only code works');
      await vscode.window.showTextDocument(doc);
      for (const command of ['switchboard.replaceSelectionWithAnswer', 'switchboard.insertAnswer']) {
        const n = s.notices().length;
        assert.equal(await vscode.commands.executeCommand(command), false, command);
        const notice = s.notices().slice(n).at(-1);
        assert.equal(notice?.level, 'warning', command);
        assert.match(notice?.text ?? '', /generated\.js is read-only; the code was not put in/);
      }
      assert.equal(doc.getText(), CODE);
    } finally {
      provider.dispose();
    }
  });

  it("inserts the answer's code at the cursor", async () => {
    const editor = await openFile('a\nb\n', 'javascript');
    const doc = editor.document;
    editor.selection = new vscode.Selection(0, 0, 0, 1);
    await vscode.commands.executeCommand('switchboard.explainSelection');
    await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(2, 0, 2, 0);
    assert.equal(await vscode.commands.executeCommand('switchboard.insertAnswer'), true);
    assert.equal(doc.getText(), 'a\nb\nfunction add(a, b) {\n  return a + b;\n}');
  });

  it('opens the change as a diff against the selection and applies it on Accept', async () => {
    const editor = await editorWithSelection(CODE, 'javascript', 1, 3);
    await vscode.commands.executeCommand('switchboard.explainSelection');
    await vscode.window.showTextDocument(editor.document);
    assert.equal(await vscode.commands.executeCommand('switchboard.diffAnswer'), true);
    const tab = await waitFor('the diff tab', () =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .find((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === 'switchboard-proposal'),
    );
    const input = tab.input as vscode.TabInputTextDiff;
    assert.equal(input.original.toString(), editor.document.uri.toString());
    const proposal = await vscode.workspace.openTextDocument(input.modified);
    assert.ok(proposal.getText().includes('return a + b;'));
    assert.equal(editor.document.getText(), CODE, 'the diff must not change the file before Accept');
    assert.equal(await vscode.commands.executeCommand('switchboard.acceptProposal', input.modified), true);
    assert.ok(editor.document.getText().includes('return a + b;'));
    await waitFor(
      'the diff closed',
      () =>
        !vscode.window.tabGroups.all
          .flatMap((g) => g.tabs)
          .some((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === 'switchboard-proposal'),
    );
  });

  it('Compare Models on Selection sends the selection to each picked model and reports metrics', async () => {
    await editorWithSelection(CODE, 'javascript', 1, 3);
    const n = chatRequests(fake).length;
    // With the question and the models given, it runs at once (from the menu it opens the panel to edit the prompt first).
    const results = (await vscode.commands.executeCommand('switchboard.compareSelection', {
      question: 'Explain this',
      models: ['openai/gpt-4o-mini', 'openai/gpt-4o'],
    })) as CompareResult[];
    assert.equal(results.length, 2);
    for (const r of results) {
      assert.equal(r.error, null, r.error?.message);
      assert.equal(r.text, ANSWER);
      assert.equal(r.usage.outputTokens, 30);
      assert.ok(r.timing.totalMs >= 0);
    }
    const reqs = chatRequests(fake).slice(n);
    assert.deepEqual(reqs.map((r) => r.body.model).sort(), ['gpt-4o', 'gpt-4o-mini']);
    for (const r of reqs) assert.ok(lastUserMessage(r).includes('Language: javascript'));
    const tabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs);
    await waitFor(`the comparison panel among ${JSON.stringify(tabs().map((t) => [t.label, t.input]))}`, () =>
      tabs().find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('switchboard.compare')),
    );
  });

  it('Compare Models on Selection from the menu opens the panel with the default prompt to edit, and sends nothing yet', async () => {
    await editorWithSelection(CODE, 'javascript', 1, 3);
    const n = chatRequests(fake).length;
    const panel = (await vscode.commands.executeCommand('switchboard.compareSelection')) as ComparePanel;
    const st = panel.state();
    assert.equal(st.setup.prompt, PRESET_PROMPTS.explain);
    assert.match(st.setup.contextLabel ?? '', /:1-3 \(javascript\)$/);
    assert.equal(st.run, null, 'nothing runs before the user presses Run');
    assert.equal(chatRequests(fake).length, n);
    panel.dispose();
  });

  it("a 2.5 MB selection over the model's context window is refused, naming the switchboard.capabilities setting, with nothing sent", async function () {
    // Opening a 2.5 MB file and writing the conversation that holds it to workspaceState each take
    // seconds in this harness (VS Code's own work): a hang guard, not a speed check.
    this.timeout(120_000);
    const line = 'const value = computeSomething(alpha, beta, gamma) + 42; // a comment here\n';
    const editor = await openFile(line.repeat(Math.ceil(2_500_000 / line.length)), 'javascript');
    const last = editor.document.lineAt(editor.document.lineCount - 1);
    editor.selection = new vscode.Selection(new vscode.Position(0, 0), last.range.end);
    const n = fake.requests.length;
    const entry = (await vscode.commands.executeCommand('switchboard.explainSelection')) as ChatEntry;
    assert.equal(entry.status, 'error');
    assert.equal(entry.error?.kind, 'context_length');
    assert.match(entry.error?.message ?? '', /the prompt of ~\d+ tokens exceeds its context window of 128000 tokens/);
    assert.match(entry.error?.fix ?? '', /correct "contextWindow": … for "openai\/gpt-4o-mini" in the switchboard\.capabilities setting if it is wrong/);
    assert.ok(!(entry.error?.fix ?? '').includes('in the config'), entry.error?.fix ?? '');
    assert.equal(fake.requests.length, n, 'a request went upstream');
    // The conversation keeps the question, with the refusal shown.
    const s = await services();
    const shown = s.chatState().entries.at(-1);
    assert.equal(shown?.id, entry.id);
    assert.equal(shown?.error?.kind, 'context_length');
  });

  it('shows a failed request as an error in the chat, with the provider message', async () => {
    await editorWithSelection(CODE, 'javascript', 1, 1);
    fake.enqueue({ status: 400, errorMessage: 'This model does not exist' });
    const entry = (await vscode.commands.executeCommand('switchboard.explainSelection')) as ChatEntry;
    assert.equal(entry.status, 'error');
    assert.match(entry.error?.message ?? '', /This model does not exist/);
    assert.equal(entry.error?.kind, 'bad_request');
    assert.deepEqual(entry.error?.action, { kind: 'retryWith' });
  });

  it("answers VS Code's language model API through the same client", async () => {
    const models = await vscode.lm.selectChatModels({ vendor: 'switchboard', id: 'openai/gpt-4o-mini' });
    assert.equal(models.length, 1, 'VS Code offers the model (its chat is on in the integration profile)');
    const n = chatRequests(fake).length;
    const res = await models[0]!.sendRequest([vscode.LanguageModelChatMessage.User('hello')]);
    let text = '';
    for await (const t of res.text) text += t;
    assert.equal(text, ANSWER);
    assert.equal(chatRequests(fake)[n]?.body.model, 'gpt-4o-mini');
  });
});
