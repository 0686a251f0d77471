/// <reference types="mocha" />
// The models already in VS Code as a Switchboard provider (vscode/<vendor>/<family-or-id>), against a
// test extension that registers scripted language models of its own (test/fixtures/lm-provider-extension,
// loaded next to Switchboard by run-integration.mjs): listing, streamed chat, cancellation, a tool call
// round trip, a comparison and routes with an HTTP model (the strict fake OpenAI server), the usage
// report and budgets, and each LanguageModelError kind turned into a clear message.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ComparePanel } from '../../src/host/compare/panel.ts';
import { startFakeProvider, type FakeServer } from '../fakes/server.ts';
import { closeAllEditors, resetSettings, services, setSetting, waitFor } from './helpers.ts';

const KEY = 'sk-vscode-models-integration';
const FIXTURE_ID = 'switchboard-test.sbtest-lm-provider';
const PLAIN = 'vscode/sbtest/plain';
const TOOLS = 'vscode/sbtest/tools';

interface FixtureRequest {
  model: string;
  messages: { role: string; parts: { kind: string; value?: string; callId?: string; name?: string; input?: unknown; content?: unknown[] }[] }[];
  tools: string[];
  toolMode: number | undefined;
  cancelled: boolean;
}

const words = (t: string): number => t.split(/\s+/).filter(Boolean).length;

async function fixtureRequests(): Promise<FixtureRequest[]> {
  const ext = vscode.extensions.getExtension<{ requests: FixtureRequest[] }>(FIXTURE_ID);
  assert.ok(ext, `the test extension ${FIXTURE_ID} is loaded`);
  return (await ext.activate()).requests;
}

describe("VS Code's own models (vscode/…)", function () {
  this.timeout(60_000);
  let fake: FakeServer;

  before(async () => {
    fake = await startFakeProvider('openai', { apiKey: KEY });
    fake.setDefault({ text: 'from the HTTP model', usage: { input: 20, output: 5 } });
    await setSetting('providers', [{ id: 'openai', baseUrl: fake.baseUrl }]);
    await setSetting('retries', { maxRetries: 0 });
    await setSetting('pricing', { 'openai/gpt-4o-mini': { input: 1, output: 2 }, 'openai/gpt-4o': { input: 1, output: 2 } });
    await vscode.commands.executeCommand('switchboard.setApiKey', { provider: 'openai', key: KEY, verify: false });
    const s = await services();
    await waitFor('the fake provider in use', () => s.providers().includes('openai'));
    await waitFor('the test extension models listed', async () => (await s.vscodeModels()).includes(PLAIN), 30_000);
    s.chat().clear();
  });

  after(async () => {
    await closeAllEditors();
    (await services()).chat().clear();
    await vscode.commands.executeCommand('switchboard.removeApiKey', 'openai');
    await resetSettings();
    await fake.close();
  });

  it('lists every model VS Code offers under vscode/<vendor>/<family>, never its own, with "included" instead of a price', async () => {
    const s = await services();
    const ids = await s.vscodeModels();
    for (const f of ['plain', 'tools', 'noperm', 'blocked', 'notfound', 'broken']) assert.ok(ids.includes(`vscode/sbtest/${f}`), `${f} in ${ids.join(', ')}`);
    assert.ok(!ids.some((id) => id.startsWith('vscode/switchboard/')), "Switchboard's own models are not offered back to it");
    const item = s.modelPickItems().find((e) => e.kind === 'model' && e.id === PLAIN);
    assert.ok(item && item.kind === 'model');
    assert.match(item.detail, /included in your subscription/);
    assert.doesNotMatch(item.detail, /price unknown|\$0/);
    const tools = s.client().catalog.capabilities(TOOLS);
    assert.equal(tools.toolCalling, true);
    assert.equal(tools.contextWindow, 32_000);
    assert.equal(s.client().catalog.capabilities(PLAIN).toolCalling, false);
    // Switchboard's own models in VS Code's API do not include VS Code's (no loop).
    assert.ok(!s.languageModels().some((m) => m.id.startsWith('vscode/')));
  });

  it('chats with one: the answer streams, costs "included", tokens are the model\'s own counts', async () => {
    const s = await services();
    await vscode.commands.executeCommand('switchboard.switchModel', PLAIN);
    const before = (await fixtureRequests()).length;
    const session = s.session();
    const entry = await s.chat().ask({ question: 'hello there world' }, { reveal: false });
    assert.ok(entry);
    assert.equal(entry.status, 'done', entry.error?.message);
    assert.equal(entry.text, 'Echo: hello there world');
    assert.equal(entry.answeredBy, PLAIN);
    assert.equal(entry.costUsd, null);
    assert.equal(entry.costIncluded, true);
    const sent = (await fixtureRequests())[before]!;
    assert.equal(sent.model, 'sbtest-plain');
    // The system prompt goes first as a user message (VS Code's API has no system role), then the question.
    assert.equal(sent.messages.at(-1)!.parts[0]!.value, 'hello there world');
    const expectedInput = sent.messages.reduce((n, m) => n + 1 + m.parts.reduce((k, p) => k + words(p.value ?? ''), 0), 0);
    assert.equal(entry.inputTokens, expectedInput, 'input counted by the model (words), not estimated');
    assert.equal(entry.outputTokens, 4);
    assert.ok(entry.ttftMs !== null && entry.totalMs !== null);
    const after = s.session();
    assert.equal(after.unknownCost, session.unknownCost, 'not an unknown cost');
    assert.equal(after.usd, session.usd, 'no dollars');
    assert.equal((after.included ?? 0) - (session.included ?? 0), 1);
  });

  it('shows the answer while it streams and stops it on cancel, keeping the partial text', async () => {
    const s = await services();
    const chat = s.chat();
    const asked = chat.ask({ question: 'please [wait] for me', model: PLAIN }, { reveal: false });
    await waitFor('the first part shown', () => chat.state().entries.at(-1)?.text === 'Echo: ');
    chat.cancel();
    const entry = await asked;
    assert.equal(entry?.status, 'cancelled');
    assert.equal(entry?.text, 'Echo: ');
    const last = (await fixtureRequests()).at(-1)!;
    await waitFor('the model saw the cancellation', () => last.cancelled);
  });

  it('runs a tool call round trip with a model that calls tools', async () => {
    const client = (await services()).client();
    const tools = [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }];
    const question = { role: 'user' as const, content: 'Weather in Paris?' };
    const first = await client.complete({ model: TOOLS, messages: [question], tools, toolChoice: 'required' });
    assert.equal(first.error, null, first.error?.message);
    assert.equal(first.finishReason, 'tool_calls');
    assert.deepEqual(first.toolCalls, [{ index: 0, id: 'sbcall_1', name: 'get_weather', arguments: '{"city":"Paris"}' }]);
    const reqs = await fixtureRequests();
    assert.deepEqual([reqs.at(-1)!.tools, reqs.at(-1)!.toolMode], [['get_weather'], vscode.LanguageModelChatToolMode.Required]);
    const second = await client.complete({
      model: TOOLS,
      messages: [
        question,
        { role: 'assistant', content: first.content },
        { role: 'tool', content: [{ type: 'tool-result', callId: 'sbcall_1', content: 'sunny, 21 °C' }] },
      ],
      tools,
    });
    assert.equal(second.error, null, second.error?.message);
    assert.equal(second.text, 'The tool said: sunny, 21 °C');
    const sent = (await fixtureRequests()).at(-1)!;
    assert.deepEqual(
      sent.messages.map((m) => [m.role, m.parts.map((p) => p.kind)]),
      [
        ['user', ['text']],
        ['assistant', ['toolCall']],
        ['user', ['toolResult']],
      ],
    );
    assert.deepEqual(sent.messages[1]!.parts[0]!.input, { city: 'Paris' });
    assert.equal(sent.toolMode, vscode.LanguageModelChatToolMode.Auto);
    assert.equal(second.costIncluded, true);
  });

  it('compares one side by side with an HTTP-provider model', async () => {
    const panel = (await vscode.commands.executeCommand('switchboard.openComparison', {
      models: [PLAIN, 'openai/gpt-4o-mini'],
      question: 'side by side',
      withSelection: false,
    })) as ComparePanel;
    assert.equal(panel.start([PLAIN, 'openai/gpt-4o-mini'], 'side by side', false), true);
    await waitFor('both columns done', () => panel.currentRun()?.columns.every((c) => c.status === 'done'));
    const [vs, http] = panel.currentRun()!.columns;
    assert.equal(vs!.text, 'Echo: side by side');
    assert.equal(vs!.costIncluded, true);
    assert.equal(vs!.costUsd, null);
    assert.equal(vs!.outputTokens, 4);
    assert.equal(http!.text, 'from the HTTP model');
    assert.ok(http!.costUsd !== null && http!.costUsd > 0);
    assert.ok(!http!.costIncluded);
    panel.dispose();
  });

  it('fails over in a route both ways: the VS Code model fails → the HTTP model; the HTTP model fails → the VS Code model', async () => {
    await setSetting('routes', [
      { id: 'vs-first', models: ['vscode/sbtest/broken', 'openai/gpt-4o-mini'] },
      { id: 'http-first', models: ['openai/gpt-4o', PLAIN] },
    ]);
    const s = await services();
    await waitFor('the routes in use', () => s.client().resolver.routeList.length === 2);
    const one = await s.chat().ask({ question: 'first try', model: 'route/vs-first' }, { reveal: false });
    assert.equal(one?.status, 'done', one?.error?.message);
    assert.equal(one?.answeredBy, 'openai/gpt-4o-mini');
    assert.deepEqual(
      one?.attempts.map((a) => [a.model, a.outcome, a.errorKind]),
      [
        ['vscode/sbtest/broken', 'error', 'server'],
        ['openai/gpt-4o-mini', 'ok', null],
      ],
    );
    fake.enqueue({ status: 503, errorMessage: 'gpt-4o is overloaded' });
    const two = await s.chat().ask({ question: 'second try', model: 'route/http-first' }, { reveal: false });
    assert.equal(two?.status, 'done', two?.error?.message);
    assert.equal(two?.answeredBy, PLAIN);
    assert.equal(two?.text, 'Echo: second try');
    assert.equal(two?.costIncluded, true);
    assert.deepEqual(
      two?.attempts.map((a) => [a.model, a.outcome, a.errorKind]),
      [
        ['openai/gpt-4o', 'error', 'overloaded'],
        [PLAIN, 'ok', null],
      ],
    );
    await setSetting('routes', undefined);
  });

  it('budgets ignore them, and the usage report counts them apart as "included"', async () => {
    const s = await services();
    await setSetting('budget', { daily: 0.000001, onExceed: 'block' });
    await waitFor('the budget in use', () => s.effectiveSettings().config.budget?.daily === 0.000001);
    const vs = await s.chat().ask({ question: 'on budget', model: PLAIN }, { reveal: false });
    assert.equal(vs?.status, 'done', vs?.error?.message);
    const http = await s.chat().ask({ question: 'over budget', model: 'openai/gpt-4o-mini' }, { reveal: false });
    assert.equal(http?.status, 'error');
    assert.equal(http?.error?.kind, 'budget');
    await setSetting('budget', undefined);
    const report = (await vscode.commands.executeCommand('switchboard.showUsage')) as string;
    const row = report.split('\n').find((l) => l.startsWith(`| ${PLAIN} |`));
    assert.ok(row, report);
    assert.match(row, /included in your subscription \|$/);
    assert.match(report, /\d+ included in your subscription/);
    assert.doesNotMatch(row, /unpriced|\$0\.00/);
    await closeAllEditors();
  });

  it('turns each LanguageModelError kind into a clear message with the fix, and never asks again after a refusal until the model is picked again', async () => {
    const s = await services();
    const ask = async (model: string) => (await s.chat().ask({ question: 'hi', model }, { reveal: false }))!;
    let n = (await fixtureRequests()).length;
    const noperm = await ask('vscode/sbtest/noperm');
    assert.equal(noperm.status, 'error');
    assert.equal(noperm.error?.kind, 'permission');
    assert.match(noperm.error!.message, /VS Code has not allowed Switchboard to use Sbtest's models/);
    assert.match(noperm.error!.fix ?? '', /pick the model again .* choose Allow/);
    assert.equal((await fixtureRequests()).length, n + 1);
    // A second request does not reach VS Code's access check again (no loop of prompts)…
    const again = await ask('vscode/sbtest/noperm');
    assert.equal(again.error?.kind, 'permission');
    assert.equal((await fixtureRequests()).length, n + 1, 'the refused model was not asked again');
    // …until the user picks the model again.
    await vscode.commands.executeCommand('switchboard.switchModel', 'vscode/sbtest/noperm');
    await ask('vscode/sbtest/noperm');
    assert.equal((await fixtureRequests()).length, n + 2);
    n += 2;
    // VS Code's consent is per providing extension: the refusal covers the vendor's other models too…
    const sibling = await ask('vscode/sbtest/blocked');
    assert.equal(sibling.error?.kind, 'permission');
    assert.equal((await fixtureRequests()).length, n);
    // …until one of them is picked.
    await vscode.commands.executeCommand('switchboard.switchModel', 'vscode/sbtest/blocked');

    const blocked = await ask('vscode/sbtest/blocked');
    assert.equal(blocked.error?.kind, 'rate_limit');
    assert.match(blocked.error!.message, /VS Code blocked Switchboard's request to Sbtest's model \(scripted: the request quota is used up\)/);
    assert.match(blocked.error!.fix ?? '', /wait a while|pick another model/);
    const notFound = await ask('vscode/sbtest/notfound');
    assert.equal(notFound.error?.kind, 'not_found');
    assert.match(notFound.error!.message, /VS Code has no model vscode\/sbtest\/notfound: scripted: the model was withdrawn/);
    assert.match(notFound.error!.fix ?? '', /disabled|signed out|another model/);
    const broken = await ask('vscode/sbtest/broken');
    assert.equal(broken.error?.kind, 'server');
    assert.match(broken.error!.message, /scripted: the SB service is down/);
    assert.equal((await fixtureRequests()).length, n + 3);
    await vscode.commands.executeCommand('switchboard.switchModel', PLAIN);
  });
});
