/// <reference types="mocha" />
// First run and the "Get started" walkthrough in the real extension host: Connect a Local Server…
// (checked, saved keyless, usable), and each walkthrough step ticking on success only — a key that
// fails its check, a server that does not answer, a comparison or a selection action that failed
// tick nothing.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import * as vscode from 'vscode';
import type { CompareResult } from '../../src/core/router/compare.ts';
import type { ConnectedServer } from '../../src/host/keysFlow.ts';
import type { WalkthroughStep } from '../../src/host/services/walkthrough.ts';
import type { ChatEntry } from '../../src/shared/protocol/chat.ts';
import { startFakeProvider, type FakeServer } from '../fakes/server.ts';
import { closeAllEditors, editorWithSelection, resetSettings, services, setSetting, waitFor } from './helpers.ts';

const KEY = 'sk-first-run-0123456789';

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

async function successes(step: WalkthroughStep): Promise<number> {
  return (await services()).walkthroughSuccesses().filter((s) => s === step).length;
}

describe('First run and the walkthrough', () => {
  let keyed: FakeServer;
  let local: FakeServer;

  before(async () => {
    keyed = await startFakeProvider('openai', { apiKey: KEY });
    keyed.setDefault({ text: 'Keyed answer.', usage: { input: 10, output: 5 } });
    local = await startFakeProvider('openai');
    local.setDefault({ text: 'Local answer.', usage: { input: 10, output: 5 } });
    await setSetting('providers', [{ id: 'openai', baseUrl: keyed.baseUrl }]);
    const s = await services();
    await waitFor('the fake provider in use', () => s.providers().includes('openai'));
  });

  after(async () => {
    await closeAllEditors();
    await vscode.commands.executeCommand('switchboard.newChat');
    await vscode.commands.executeCommand('switchboard.removeApiKey', 'openai');
    await resetSettings();
    await keyed.close();
    await local.close();
  });

  it('a key that fails its check does not tick "Add a provider key"; a verified key does', async () => {
    const before = await successes('providerReady');
    const bad = (await vscode.commands.executeCommand('switchboard.setApiKey', { provider: 'openai', key: 'sk-wrong-000000000' })) as { ok: boolean };
    assert.equal(bad.ok, false);
    assert.equal(await successes('providerReady'), before, 'a failed check ticked the step');
    const unchecked = await vscode.commands.executeCommand('switchboard.setApiKey', { provider: 'openai', key: KEY, verify: false });
    assert.equal(unchecked, undefined);
    assert.equal(await successes('providerReady'), before, 'a key saved without a check ticked the step');
    const good = (await vscode.commands.executeCommand('switchboard.setApiKey', { provider: 'openai', key: KEY })) as { ok: boolean };
    assert.equal(good.ok, true);
    assert.equal(await successes('providerReady'), before + 1);
  });

  it('Connect a Local Server… with a server that does not answer: a warning, nothing saved, nothing ticked', async () => {
    const s = await services();
    const before = await successes('providerReady');
    const providers = JSON.stringify(vscode.workspace.getConfiguration('switchboard').get('providers'));
    const r = await vscode.commands.executeCommand('switchboard.connectLocalServer', { baseUrl: `http://127.0.0.1:${await closedPort()}/v1` });
    assert.equal(r, undefined);
    const notice = await waitFor('the warning', () => s.notices().find((n) => n.level === 'warning' && /could not connect: could not reach/.test(n.text)));
    assert.match(notice.text, /Is the server running\?/);
    assert.equal(JSON.stringify(vscode.workspace.getConfiguration('switchboard').get('providers')), providers);
    assert.equal(await successes('providerReady'), before);
  });

  it('Connect a Local Server… checks the server lists models, saves it keyless, and its models answer', async () => {
    const s = await services();
    const before = await successes('providerReady');
    const origin = local.baseUrl.replace(/\/v1$/, '');
    const r = (await vscode.commands.executeCommand('switchboard.connectLocalServer', { baseUrl: origin })) as ConnectedServer;
    assert.equal(r.providerId, 'local');
    assert.equal(r.baseUrl, local.baseUrl, 'the /v1 the server answers on is what is saved');
    assert.deepEqual(r.models, ['gpt-4o-mini', 'gpt-4o', 'o3-mini']);
    const saved = vscode.workspace.getConfiguration('switchboard').get<{ id: string }[]>('providers') ?? [];
    assert.deepEqual(
      saved.find((p) => p.id === 'local'),
      { id: 'local', name: `Local server (${new URL(origin).host})`, kind: 'openai', baseUrl: local.baseUrl, auth: 'none' },
    );
    assert.ok(!saved.some((p) => p.id === 'local-2'));
    assert.equal(await successes('providerReady'), before + 1);
    await waitFor('a notice', () => s.notices().some((n) => n.level === 'info' && n.text.includes(`connected to ${local.baseUrl} (3 models)`)));
    // Connecting the same URL again reuses the entry.
    const again = (await vscode.commands.executeCommand('switchboard.connectLocalServer', { baseUrl: local.baseUrl })) as ConnectedServer;
    assert.equal(again.providerId, 'local');
    assert.equal((vscode.workspace.getConfiguration('switchboard').get<{ id: string }[]>('providers') ?? []).filter((p) => p.id.startsWith('local')).length, 1);
    // Usable at once, with no key.
    await waitFor('the local provider in use', () => s.providers().includes('local'));
    const n = local.requests.length;
    const entry = await s.chat().ask({ question: 'hello', model: 'local/gpt-4o-mini' }, { reveal: false });
    assert.equal(entry?.status, 'done', entry?.error?.message ?? '');
    assert.equal(entry?.text, 'Local answer.');
    const req = local.requests.slice(n).find((q) => q.method === 'POST');
    assert.ok(req, 'the local server got no request');
    assert.equal(req.headers.authorization, undefined, 'a key was sent to the local server');
  });

  it('choosing a model ticks "Pick a model"', async () => {
    const before = await successes('modelChosen');
    await vscode.commands.executeCommand('switchboard.switchModel', 'openai/gpt-4o-mini');
    assert.equal(await successes('modelChosen'), before + 1);
  });

  it('a comparison ticks "Compare models" only when a model answered', async () => {
    const before = await successes('compared');
    keyed.enqueue({ status: 400, errorMessage: 'no such model' }, { status: 400, errorMessage: 'no such model' });
    const failed = (await vscode.commands.executeCommand('switchboard.compareModels', {
      question: 'hi',
      models: ['openai/gpt-4o-mini', 'openai/gpt-4o'],
    })) as CompareResult[];
    assert.ok(
      failed.every((r) => r.error),
      JSON.stringify(failed.map((r) => r.error)),
    );
    assert.equal(await successes('compared'), before, 'a comparison with no answer ticked the step');
    const ok = (await vscode.commands.executeCommand('switchboard.compareModels', {
      question: 'hi',
      models: ['openai/gpt-4o-mini', 'openai/gpt-4o'],
    })) as CompareResult[];
    assert.ok(ok.some((r) => !r.error));
    assert.ok((await successes('compared')) > before);
  });

  it('a selection action ticks "Ask about a selection" only when it got an answer', async function () {
    this.timeout(90_000); // the chat view's first reveal in this window
    await vscode.commands.executeCommand('switchboard.setApiKey', { provider: 'openai', key: KEY, verify: false });
    await vscode.commands.executeCommand('switchboard.switchModel', 'openai/gpt-4o-mini');
    await editorWithSelection('const x = 1;\nconst y = x + 1;\n', 'javascript', 1, 2);
    const before = await successes('selectionAnswered');
    keyed.enqueue({ status: 400, errorMessage: 'no such model' });
    const failed = (await vscode.commands.executeCommand('switchboard.explainSelection')) as ChatEntry;
    assert.equal(failed.status, 'error');
    assert.equal(await successes('selectionAnswered'), before);
    const ok = (await vscode.commands.executeCommand('switchboard.explainSelection')) as ChatEntry;
    assert.equal(ok.status, 'done', ok.error?.message ?? '');
    assert.equal(await successes('selectionAnswered'), before + 1);
  });
});
