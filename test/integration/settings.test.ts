/// <reference types="mocha" />
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { startFakeProvider } from '../fakes/server.ts';
import { resetSettings, services, setSetting, waitFor } from './helpers.ts';

describe('Settings', () => {
  afterEach(resetSettings);

  it('reports an invalid provider entry as a warning, ignores only that entry and keeps working', async () => {
    const s = await services();
    await setSetting('providers', [{ id: 'groq' }, { id: 'work', kind: 'openai', baseUrl: 'not a url' }, { id: 'mine' }]);
    const problems = await waitFor('the problems', () => (s.settingsProblems().length >= 2 ? s.settingsProblems() : null));
    assert.ok(
      problems.some((p) => p.startsWith('switchboard.providers[1].baseUrl: must be an http(s) URL')),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((p) => p.startsWith('switchboard.providers[2]') && p.includes('not a known preset')),
      problems.join('\n'),
    );
    const warning = s
      .notices()
      .filter((n) => n.level === 'warning')
      .at(-1);
    assert.ok(warning && warning.text.includes('switchboard.providers[1].baseUrl'), JSON.stringify(warning));
    // The valid entry is still used, and the extension still answers commands.
    assert.ok(s.providers().includes('groq'));
    assert.ok(!s.providers().includes('work'));
    assert.equal(await vscode.commands.executeCommand('switchboard.switchModel', 'groq/llama-3.3-70b-versatile'), 'groq/llama-3.3-70b-versatile');
    assert.equal(s.currentModel(), 'groq/llama-3.3-70b-versatile');
  });

  it('reports a bad budget and a bad route without dropping the rest', async () => {
    const s = await services();
    await setSetting('budget', { daily: -1 });
    await setSetting('routes', [
      { id: 'ok', models: ['openai/gpt-4o-mini'] },
      { id: 'bad', models: ['no-slash'] },
    ]);
    const problems = await waitFor('the problems', () => {
      const p = s.settingsProblems();
      return p.some((x) => x.startsWith('switchboard.budget.daily')) && p.some((x) => x.startsWith('switchboard.routes[1].models[0]')) ? p : null;
    });
    assert.ok(problems.length >= 2);
    assert.ok(s.modelPickItems().some((i) => i.kind === 'model' && i.id === 'route/ok'));
    assert.ok(!s.modelPickItems().some((i) => i.kind === 'model' && i.id === 'route/bad'));
  });

  it('a mistyped budget field is reported and ignored alone: the other caps still refuse requests', async () => {
    const s = await services();
    const KEY = 'sk-settings-budget-typo';
    const fake = await startFakeProvider('openai', { apiKey: KEY });
    fake.setDefault({ text: 'spent', usage: { input: 10, output: 10 } });
    try {
      await setSetting('providers', [{ id: 'openai', baseUrl: fake.baseUrl }]);
      await vscode.commands.executeCommand('switchboard.setApiKey', { provider: 'openai', key: KEY, verify: false });
      await waitFor('the fake provider in use', () => s.providers().includes('openai'));
      // "perSesion": a typo of perSession. The daily cap and the blocking must hold all the same.
      await setSetting('budget', { daily: 0.000001, onExceed: 'block', perSesion: 1 });
      const problems = await waitFor('the problem', () => (s.settingsProblems().length ? s.settingsProblems() : null));
      assert.deepEqual(problems, ['switchboard.budget: Unrecognized key: "perSesion"']);
      assert.deepEqual(s.effectiveSettings().config.budget, { daily: 0.000001, onExceed: 'block' });
      const warning = s
        .notices()
        .filter((n) => n.level === 'warning')
        .at(-1);
      assert.ok(warning?.text.includes('perSesion'), JSON.stringify(warning));
      const chat = s.chat();
      const entry = await chat.ask({ question: 'spend', model: 'openai/gpt-4o-mini' }, { reveal: false });
      assert.equal(entry?.status, 'error', 'the daily cap refuses the request');
      assert.match(entry?.error?.message ?? '', /daily budget/);
      assert.equal(fake.requests.filter((r) => r.method === 'POST').length, 0, 'nothing reached the provider');
      chat.clear();
      // "Block" for "block": read as blocking, and said.
      await setSetting('budget', { daily: 0.000001, onExceed: 'Block' });
      await waitFor('the onExceed problem', () => s.settingsProblems().some((p) => p.startsWith('switchboard.budget.onExceed')));
      assert.deepEqual(s.effectiveSettings().config.budget, { daily: 0.000001, onExceed: 'block' });
      assert.match(s.settingsProblems()[0]!, /requests over a cap are refused until it is fixed/);
    } finally {
      await vscode.commands.executeCommand('switchboard.removeApiKey', 'openai');
      await fake.close();
    }
  });

  it("a provider entry with the id of VS Code's own models is reported and ignored alone; the other providers still answer", async () => {
    const s = await services();
    const KEY = 'sk-settings-vscode-id';
    const fake = await startFakeProvider('openai', { apiKey: KEY });
    fake.setDefault({ text: 'still answering', usage: { input: 10, output: 10 } });
    try {
      await vscode.commands.executeCommand('switchboard.setApiKey', { provider: 'openai', key: KEY, verify: false });
      await setSetting('providers', [
        { id: 'openai', baseUrl: fake.baseUrl },
        { id: 'vscode', kind: 'openai', baseUrl: 'http://127.0.0.1:9/v1' },
      ]);
      const problems = await waitFor('the problem', () => (s.settingsProblems().length ? s.settingsProblems() : null));
      assert.deepEqual(problems, ['switchboard.providers[1].id: "vscode" is the provider of VS Code\'s own models (vscode/…); give this provider another id']);
      assert.deepEqual(s.providers(), ['openai']);
      const chat = s.chat();
      const entry = await chat.ask({ question: 'hi', model: 'openai/gpt-4o-mini' }, { reveal: false });
      assert.equal(entry?.status, 'done', entry?.error?.message);
      assert.equal(entry?.text, 'still answering');
      chat.clear();
    } finally {
      await vscode.commands.executeCommand('switchboard.removeApiKey', 'openai');
      await fake.close();
    }
  });

  it('warns once for a set of problems: an unrelated settings change does not repeat it, the same mistake made again does', async () => {
    const s = await services();
    const said = (): number => s.notices().filter((n) => n.level === 'warning' && n.text.includes('switchboard.timeouts.connectMs')).length;
    const before = said();
    await setSetting('timeouts', { connectMs: 'soon' });
    await waitFor('the warning', () => said() === before + 1);
    await setSetting('retries', { maxRetries: 1 });
    await waitFor('the unrelated change applied', () => s.effectiveSettings().config.retries.maxRetries === 1);
    await setSetting('verboseLogging', true);
    await waitFor('the second unrelated change applied', () => vscode.workspace.getConfiguration('switchboard').get('verboseLogging') === true);
    // A marker change after them: once it is applied, every change before it was handled too.
    await setSetting('retries', { maxRetries: 2 });
    await waitFor('the marker applied', () => s.effectiveSettings().config.retries.maxRetries === 2);
    assert.equal(said(), before + 1, 'the warning was repeated for an unrelated change');
    await setSetting('timeouts', { connectMs: 5000 });
    await waitFor('no problems', () => s.settingsProblems().length === 0);
    await setSetting('timeouts', { connectMs: 'soon' });
    await waitFor('the warning again', () => said() === before + 2);
  });

  it('clears the problems once the settings are fixed', async () => {
    const s = await services();
    await setSetting('timeouts', { connectMs: 'soon' });
    await waitFor('a problem', () => s.settingsProblems().some((p) => p.startsWith('switchboard.timeouts.connectMs')));
    await setSetting('timeouts', { connectMs: 5000 });
    await waitFor('no problems', () => s.settingsProblems().length === 0);
  });
});
