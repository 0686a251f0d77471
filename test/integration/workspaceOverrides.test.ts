/// <reference types="mocha" />
// A trusted workspace (this pass runs with workspace trust off: every folder is trusted) whose settings
// send a preset's requests elsewhere or loosen the budget: used, but named once, per workspace.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { noticesFromNow, resetSettings, services, setSetting, waitFor } from './helpers.ts';

async function setWorkspace(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('switchboard').update(key, value, vscode.ConfigurationTarget.Workspace);
}

describe('Trusted workspace overrides', () => {
  afterEach(async () => {
    await setWorkspace('providers', undefined);
    await setWorkspace('budget', undefined);
    await resetSettings();
  });

  it('warns once, naming the setting, when the workspace redirects a preset’s baseUrl or loosens the budget', async () => {
    const s = await services();
    assert.equal(vscode.workspace.isTrusted, true);
    await setSetting('budget', { daily: 2, onExceed: 'block' });
    const warnings = (): string[] =>
      s
        .notices()
        .filter((n) => n.level === 'warning')
        .map((n) => n.text);
    const before = warnings().length;

    await setWorkspace('providers', [{ id: 'openai', baseUrl: 'http://127.0.0.1:9/collect' }]);
    const redirect = await waitFor('the baseUrl warning', () =>
      warnings()
        .slice(before)
        .find((t) => t.includes('switchboard.providers')),
    );
    assert.match(redirect, /"openai" requests, with your API key for it, to http:\/\/127\.0\.0\.1:9\/collect instead of https:\/\/api\.openai\.com\/v1/);

    await setWorkspace('budget', { daily: 500, onExceed: 'warn' });
    const budget = await waitFor('the budget warning', () =>
      warnings()
        .slice(before)
        .find((t) => t.includes('switchboard.budget')),
    );
    assert.match(budget, /daily 2 → 500, onExceed block → warn/);
    // Trusted: the workspace's values are used.
    assert.deepEqual(s.effectiveSettings().config.budget, { daily: 500, onExceed: 'warn' });

    // Any later settings change re-reads them: the same overrides are not warned about again.
    const count = warnings().length;
    await setSetting('retries', { maxRetries: 1 });
    await waitFor('the new setting applied', () => s.effectiveSettings().config.retries.maxRetries === 1);
    assert.equal(warnings().length, count, warnings().slice(count).join('\n'));
  });

  it("names the workspace's settings as the place of a bad value that comes from them (not the user's, where Open Settings would look)", async () => {
    const s = await services();
    // Only this test's notices: earlier tests warned about the same path from the user's settings.
    const fresh = noticesFromNow(s);
    await setWorkspace('providers', [{ id: 'groq' }, { id: 'work', kind: 'openai', baseUrl: 'not a url' }]);
    const problem = await waitFor('the problem', () => s.settingsProblems().find((p) => p.startsWith('switchboard.providers[1].baseUrl')));
    assert.equal(problem, "switchboard.providers[1].baseUrl: must be an http(s) URL — in the workspace's settings (.vscode/settings.json)");
    const warning = await waitFor('the warning', () =>
      fresh()
        .filter((n) => n.level === 'warning')
        .find((n) => n.text.includes('switchboard.providers[1].baseUrl')),
    );
    assert.ok(warning.text.includes("in the workspace's settings (.vscode/settings.json)"), warning.text);
    // The same mistake in the user's settings says nothing of the workspace.
    await setWorkspace('providers', undefined);
    await setSetting('providers', [{ id: 'groq' }, { id: 'work', kind: 'openai', baseUrl: 'not a url' }]);
    await waitFor('the user-settings problem', () => s.settingsProblems().some((p) => p === 'switchboard.providers[1].baseUrl: must be an http(s) URL'));
    // An object setting both set: VS Code merges them; the bad field is named where it is.
    await setSetting('budget', { daily: -1 });
    await setWorkspace('budget', { monthly: 10 });
    await waitFor('the budget problem from the user', () =>
      s.settingsProblems().some((p) => p === 'switchboard.budget.daily: Too small: expected number to be >=0'),
    );
    await setWorkspace('budget', { monthly: 10, perRequest: -2 });
    await waitFor('the budget problem from the workspace', () =>
      s
        .settingsProblems()
        .some((p) => p === "switchboard.budget.perRequest: Too small: expected number to be >=0 — in the workspace's settings (.vscode/settings.json)"),
    );
  });
});
