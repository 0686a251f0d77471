/// <reference types="mocha" />
// Spend limits in the real VS Code (issue 15, item 4): a tool-loop agent through VS Code's
// language-model API (what agent mode does) stops at the session cap with a clear error; the chat
// and a comparison stop there too; the alerts are notifications; the status bar shows the session
// and the day from the ledger; "Start New Spend Session" lets requests go again.
// Every answer costs $0.20: 100 output tokens at $2000/1M (the prompt free), and the config caps the
// model's output at 100 tokens, so a request's hold (its worst case) is its cost.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { startFakeProvider, type FakeServer, type RecordedRequest } from '../fakes/server.ts';
import { toolLoop } from '../fakes/script.ts';
import type { ComparePanel } from '../../src/host/compare/panel.ts';
import { closeAllEditors, resetSettings, services, setSetting, waitFor } from './helpers.ts';

const KEY = 'sk-budget-integration';
const MODELS = ['openai/gpt-4o-mini', 'openai/gpt-4o', 'openai/gpt-4.1-mini'];
const WEATHER: vscode.LanguageModelChatTool = {
  name: 'get_weather',
  description: 'The weather in a city',
  inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

const posts = (fake: FakeServer): RecordedRequest[] => fake.requests.filter((r) => r.method === 'POST');

describe('Spend limits in VS Code: the session cap and its alerts', function () {
  this.timeout(60_000);
  let fake: FakeServer;

  before(async () => {
    fake = await startFakeProvider('openai', { apiKey: KEY });
    const loop = toolLoop('openai', { finalText: (r) => `Done: ${r.join('; ')}` });
    fake.setDefault((req) => ({ ...loop(req), usage: { input: 0, output: 100 } }));
    await setSetting('providers', [{ id: 'openai', baseUrl: fake.baseUrl }]);
    await setSetting('retries', { maxRetries: 0 });
    await setSetting('pricing', Object.fromEntries(MODELS.map((m) => [m, { input: 0, output: 2000 }])));
    await setSetting('capabilities', Object.fromEntries(MODELS.map((m) => [m, { maxOutputTokens: 100 }])));
    await setSetting('budget', { perSession: 0.5, daily: 100, onExceed: 'block' });
    await vscode.commands.executeCommand('switchboard.setApiKey', { provider: 'openai', key: KEY, verify: false });
    const s = await services();
    await waitFor('the settings in use', () => s.providers().includes('openai') && s.effectiveSettings().config.budget?.perSession === 0.5);
  });

  after(async () => {
    await closeAllEditors();
    await vscode.commands.executeCommand('switchboard.removeApiKey', 'openai');
    await resetSettings();
    await fake.close();
  });

  /** A fresh session for each test: earlier spend in this window does not count. */
  beforeEach(async () => {
    await vscode.commands.executeCommand('switchboard.newSpendSession');
    const s = await services();
    assert.equal(s.spend().session.requests, 0);
  });

  it('a tool-loop agent through vscode.lm stops at the session cap with a clear error; the alerts are notifications', async () => {
    const s = await services();
    const [model] = await waitFor('the model offered to VS Code', async () => {
      const m = await vscode.lm.selectChatModels({ vendor: 'switchboard', id: 'openai/gpt-4o-mini' });
      return m.length ? m : null;
    });
    assert.ok(model);
    const before = posts(fake).length;
    const noticesBefore = s.notices().length;
    // The agent: ask, run the tool it calls, send the result back, and keep going with new tasks.
    const messages: vscode.LanguageModelChatMessage[] = [vscode.LanguageModelChatMessage.User('What is the weather in Paris?')];
    let failure: Error | null = null;
    let turns = 0;
    for (; turns < 10 && !failure; turns++) {
      try {
        const res = await model.sendRequest(messages, { tools: [WEATHER] });
        let text = '';
        const calls: vscode.LanguageModelToolCallPart[] = [];
        for await (const part of res.stream) {
          if (part instanceof vscode.LanguageModelTextPart) text += part.value;
          else if (part instanceof vscode.LanguageModelToolCallPart) calls.push(part);
        }
        if (calls.length) {
          messages.push(vscode.LanguageModelChatMessage.Assistant(calls));
          messages.push(
            vscode.LanguageModelChatMessage.User(
              calls.map((c) => new vscode.LanguageModelToolResultPart(c.callId, [new vscode.LanguageModelTextPart('sunny')])),
            ),
          );
        } else {
          messages.push(vscode.LanguageModelChatMessage.Assistant(text));
          messages.push(vscode.LanguageModelChatMessage.User('And in Rome?'));
        }
      } catch (e) {
        failure = e as Error;
      }
    }
    assert.ok(failure, 'the agent was stopped');
    assert.equal(turns, 3, 'two turns answered ($0.40), the third refused');
    assert.match(failure.message, /over budget for openai\/gpt-4o-mini: session budget \$0\.50: spent \$0\.40 this session \+ estimate \$0\.20/);
    assert.equal(posts(fake).length - before, 2, 'the refused request never reached the provider');
    const spend = await s.refreshSpend();
    assert.equal(spend.session.requests, 2);
    assert.ok(Math.abs(spend.session.usd - 0.4) < 1e-9, `session $${spend.session.usd}`);
    const notices = s.notices().slice(noticesBefore);
    assert.deepEqual(
      notices.map((n) => n.level),
      ['warning', 'error'],
      JSON.stringify(notices),
    );
    assert.match(notices[0]!.text, /^Switchboard: Budget alert: 80% of the session budget used \(\$0\.40 of \$0\.50\)\.$/);
    assert.match(notices[1]!.text, /the session budget of \$0\.50 stops requests/);
    // The status bar: the session's and the day's totals, the cap's share in the tooltip.
    const bar = await waitFor('the status bar to show the spend', () => {
      const b = s.statusBar();
      return b.text.includes('$0.40 ·') ? b : null;
    });
    assert.match(bar.text, /\$0\.40 · \$\d+\.\d\d today/);
    assert.match(bar.tooltip, /This session: \$0\.40 over 2 requests — 80% of the \$0\.50 session cap/);
  });

  it('the chat stops at the session cap with the reason in the answer', async () => {
    const chat = (await services()).chat();
    const outcomes: string[] = [];
    let last: Awaited<ReturnType<typeof chat.ask>>;
    for (let i = 0; i < 3; i++) {
      const entry = await chat.ask({ question: `question ${i}`, model: 'openai/gpt-4o-mini' }, { reveal: false });
      assert.ok(entry);
      last = entry;
      outcomes.push(entry.status === 'error' ? `error: ${entry.error?.message ?? ''}` : entry.status);
    }
    assert.deepEqual(outcomes.slice(0, 2), ['done', 'done']);
    assert.match(outcomes[2]!, /^error: over budget for openai\/gpt-4o-mini: session budget \$0\.50/);
    // Its button opens the settings at the caps.
    assert.deepEqual(last?.error?.action, { kind: 'openSettings', setting: 'switchboard.budget' });
    chat.clear();
  });

  it('a comparison of three models under a $0.50 session cap: two columns answer, one is refused by the budget', async () => {
    const p = (await vscode.commands.executeCommand('switchboard.openComparison', { models: MODELS, question: 'hi', withSelection: false })) as ComparePanel;
    assert.equal(p.start(MODELS, 'hi', false), true);
    const run = await waitFor('every column finished', () => {
      const r = p.currentRun();
      return r && r.columns.every((c) => c.status === 'done' || c.status === 'error') ? r : null;
    });
    assert.equal(run.columns.filter((c) => c.status === 'done').length, 2);
    const refused = run.columns.filter((c) => c.status === 'error');
    assert.equal(refused.length, 1);
    assert.equal(refused[0]!.error?.kind, 'budget');
    assert.match(refused[0]!.error?.message ?? '', /session budget \$0\.50/);
    p.dispose();
  });

  it('"Start New Spend Session" lets requests go again; the day keeps counting every session', async () => {
    const s = await services();
    const chat = s.chat();
    assert.equal((await chat.ask({ question: 'one', model: 'openai/gpt-4o-mini' }, { reveal: false }))?.status, 'done');
    assert.equal((await chat.ask({ question: 'two', model: 'openai/gpt-4o-mini' }, { reveal: false }))?.status, 'done');
    const dayBefore = (await s.refreshSpend()).today;
    const old = s.spend().sessionId;
    await vscode.commands.executeCommand('switchboard.newSpendSession');
    assert.notEqual(s.spend().sessionId, old);
    assert.equal((await chat.ask({ question: 'three', model: 'openai/gpt-4o-mini' }, { reveal: false }))?.status, 'done');
    const after = await s.refreshSpend();
    assert.equal(after.session.requests, 1);
    assert.equal(after.today.requests, dayBefore.requests + 1);
    chat.clear();
  });
});
