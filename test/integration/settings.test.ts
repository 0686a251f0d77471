/// <reference types="mocha" />
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
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

  it('clears the problems once the settings are fixed', async () => {
    const s = await services();
    await setSetting('timeouts', { connectMs: 'soon' });
    await waitFor('a problem', () => s.settingsProblems().some((p) => p.startsWith('switchboard.timeouts.connectMs')));
    await setSetting('timeouts', { connectMs: 5000 });
    await waitFor('no problems', () => s.settingsProblems().length === 0);
  });
});
