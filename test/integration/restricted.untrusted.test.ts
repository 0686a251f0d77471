/// <reference types="mocha" />
// Restricted Mode (issue 12, finding 1), in a real VS Code with workspace trust ON and this folder
// untrusted (run-integration.mjs runs *.untrusted.test.ts in that second pass). A repository's
// .vscode/settings.json tries to lift the budget, zero the prices, pick the model and routes, raise
// the retries and turn on verbose logging: none of it may count, and the user's budget must hold.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { startFakeProvider, type FakeServer } from '../fakes/server.ts';
import { closeAllEditors, editorWithSelection, resetSettings, services, setSetting, waitFor } from './helpers.ts';

const KEY = 'sk-restricted-integration';
const MODEL = 'openai/gpt-4o-mini';
const HOSTILE = {
  'switchboard.budget': { daily: 1000, perSession: 1000, onExceed: 'warn' },
  'switchboard.pricing': { [MODEL]: { input: 0, output: 0 } },
  'switchboard.defaultModel': 'openai/gpt-4o',
  'switchboard.routes': [{ id: 'repo', models: [MODEL] }],
  'switchboard.retries': { maxRetries: 9 },
  'switchboard.timeouts': { connectMs: 1 },
  'switchboard.verboseLogging': true,
  'switchboard.catalog.refreshHours': 1,
  // Would make Explain / Review / Ask send the open conversation along.
  'switchboard.selectionActionsInNewChat': false,
  'switchboard.providers': [{ id: 'openai', baseUrl: 'http://127.0.0.1:9/v1' }],
  // Not restricted: shows when VS Code has read the file.
  'editor.tabSize': 7,
};

describe('Restricted Mode: a repository cannot change money or privacy settings', function () {
  // The set-up writes five settings, a key and a settings file and waits for each to be read: on a
  // loaded 2-core machine that passed 20 s (a hang guard, not a speed check).
  this.timeout(60_000);
  let fake: FakeServer;
  let settingsUri: vscode.Uri;

  before(async () => {
    fake = await startFakeProvider('openai', { apiKey: KEY });
    fake.setDefault({ text: 'should not be asked', usage: { input: 10, output: 10 } });
    // The user's own settings: a blocking daily budget of $0.001 at $1000/1M, so any request is over it.
    await setSetting('providers', [{ id: 'openai', baseUrl: fake.baseUrl }]);
    await setSetting('pricing', { [MODEL]: { input: 1000, output: 1000 } });
    await setSetting('budget', { daily: 0.001, perSession: 0.5, onExceed: 'block' });
    await setSetting('defaultModel', MODEL);
    await vscode.commands.executeCommand('switchboard.setApiKey', { provider: 'openai', key: KEY, verify: false });
    // The repository's settings, as a clone brings them.
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    if (!folder) throw new Error('the test needs a workspace folder');
    settingsUri = vscode.Uri.joinPath(folder, '.vscode', 'settings.json');
    await vscode.workspace.fs.writeFile(settingsUri, new TextEncoder().encode(JSON.stringify(HOSTILE, null, 2)));
    await waitFor('VS Code to read the workspace settings', () => vscode.workspace.getConfiguration('editor').get('tabSize') === 7);
    const s = await services();
    await waitFor('the fake provider in use', () => s.providers().includes('openai'));
  });

  after(async () => {
    await vscode.workspace.fs.delete(settingsUri).then(undefined, () => undefined);
    await vscode.commands.executeCommand('switchboard.removeApiKey', 'openai');
    await resetSettings();
    await fake.close();
  });

  it('runs untrusted (workspace trust is on and nobody trusted this folder)', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('keeps the user’s settings: budget, prices, default model, routes, retries, timeouts, catalog, verbose logging, providers', async () => {
    const s = await services();
    const e = s.effectiveSettings();
    assert.equal(e.trusted, false);
    assert.equal(e.verbose, false);
    assert.deepEqual(e.config.budget, { daily: 0.001, perSession: 0.5, onExceed: 'block' });
    assert.deepEqual(e.config.pricing, { [MODEL]: { input: 1000, output: 1000 } });
    assert.equal(e.config.defaultModel, MODEL);
    assert.deepEqual(e.config.routes, []);
    assert.equal(e.config.retries.maxRetries, undefined);
    assert.equal(e.config.timeouts.connectMs, undefined);
    assert.equal(e.config.catalog.refreshHours, 24, 'the default, not the workspace’s 1');
    assert.deepEqual(
      e.config.providers.map((p) => [p.id, p.baseUrl]),
      [['openai', fake.baseUrl]],
    );
  });

  it('enforces the user’s blocking budget: the request is refused and never reaches the provider', async () => {
    const chat = (await services()).chat();
    const entry = await chat.ask({ question: 'spend my money', model: MODEL }, { reveal: false });
    assert.ok(entry);
    assert.equal(entry.status, 'error');
    assert.match(entry.error?.message ?? '', /daily budget \$0\.00|over budget/);
    assert.equal(fake.requests.filter((r) => r.method === 'POST').length, 0);
    chat.clear();
  });

  it('Explain Selection still starts a new conversation: the workspace cannot make it send the open one along', async () => {
    const s = await services();
    const chat = s.chat();
    chat.clear();
    // Refused by the budget, but the turn is in the open conversation all the same.
    await chat.ask({ question: 'an earlier, unrelated question', model: MODEL }, { reveal: false });
    assert.equal(s.chatState().entries.length, 2);
    await editorWithSelection('const a = 1;\n', 'javascript', 1, 1);
    try {
      await vscode.commands.executeCommand('switchboard.explainSelection');
    } finally {
      await closeAllEditors();
    }
    const entries = s.chatState().entries;
    assert.equal(entries.length, 2, `the open conversation was continued: ${entries.map((e) => e.text.slice(0, 30)).join(' | ')}`);
    assert.ok(!entries.some((e) => e.text.includes('unrelated')));
    chat.clear();
  });

  it('VS Code itself also hides the workspace values of the restricted settings (package.json restrictedConfigurations)', () => {
    const cfg = vscode.workspace.getConfiguration('switchboard');
    assert.deepEqual(cfg.get('budget'), { daily: 0.001, perSession: 0.5, onExceed: 'block' });
    assert.equal(cfg.get('verboseLogging'), false);
    assert.equal(cfg.get('selectionActionsInNewChat'), true);
    console.log(`restricted settings in Restricted Mode: inspect('budget') = ${JSON.stringify(cfg.inspect('budget'))}`);
  });
});
