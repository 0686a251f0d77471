/// <reference types="mocha" />
// A trusted workspace (this pass runs with workspace trust off: every folder is trusted) whose settings
// send a preset's requests elsewhere or loosen the budget: used, but named once, per workspace.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { startFakeProvider, type FakeServer } from '../fakes/server.ts';
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

  describe("a provider of the workspace's settings that would read one of the user's environment variables", () => {
    const VAR = 'SB_TEST_CLOUD_SECRET';
    const SECRET = 'cloud-secret-value-0123456789';
    let fake: FakeServer;
    /** The modal questions asked, and the answer the next one gets (the user's click). */
    let asked: { text: string; options: unknown; actions: string[] }[] = [];
    let answer: string | undefined;
    const original = vscode.window.showWarningMessage;

    before(async () => {
      fake = await startFakeProvider('openai', { apiKey: SECRET });
      process.env[VAR] = SECRET;
      // The extension's vscode.window is this one (the tests run inside the extension's folder): the
      // modal is answered here as the user would click, and every other warning still shows.
      (vscode.window as { showWarningMessage: unknown }).showWarningMessage = (text: string, ...rest: unknown[]) => {
        const options = rest[0];
        if (typeof options === 'object' && options !== null && (options as vscode.MessageOptions).modal) {
          asked.push({ text, options, actions: rest.slice(1) as string[] });
          return Promise.resolve(answer);
        }
        return (original as (...a: unknown[]) => Thenable<unknown>)(text, ...rest);
      };
    });

    after(async () => {
      (vscode.window as { showWarningMessage: unknown }).showWarningMessage = original;
      delete process.env[VAR];
      await vscode.commands.executeCommand('switchboard.removeApiKey', 'corp');
      await fake.close();
    });

    it('is not read until the user allows it (a modal naming the provider, the variable and the URL), and the settings report says so', async function () {
      this.timeout(60_000);
      const s = await services();
      asked = [];
      await setWorkspace('providers', [{ id: 'corp', kind: 'openai', baseUrl: fake.baseUrl, apiKeyEnv: VAR }]);
      await waitFor('the workspace provider', () => s.providers().includes('corp'));
      // Don't Allow: nothing read, nothing stored, nothing sent.
      answer = "Don't Allow";
      const fresh = noticesFromNow(s);
      const refused = (await vscode.commands.executeCommand('switchboard.importKeysFromEnv')) as string[];
      assert.ok(!refused.includes('corp'), JSON.stringify(refused));
      assert.ok(!s.keyProviders().includes('corp'));
      assert.equal(asked.length, 1);
      assert.equal(asked[0]!.text, `Let this workspace's provider "corp" use your environment variable ${VAR} as its API key and send it to ${fake.baseUrl}?`);
      assert.match((asked[0]!.options as { detail: string }).detail, /\.vscode\/settings\.json/);
      assert.deepEqual(asked[0]!.actions, ['Allow', "Don't Allow"]);
      await waitFor('the import notice', () => fresh().find((n) => n.text.includes(`Not read (not allowed): ${VAR} for the workspace's provider "corp"`)));
      const entry = await s.chat().ask({ question: 'hi', model: 'corp/gpt-4o-mini' }, { reveal: false });
      assert.equal(entry?.status, 'error');
      assert.ok(!fake.requests.some((r) => JSON.stringify(r.headers).includes(SECRET)), 'the variable was sent');
      s.chat().clear();
      // The settings report names it as not used, with where it would go and how to allow it.
      const problem = await waitFor('the held variable in the settings report', () => s.settingsProblems().find((p) => p.includes(VAR)));
      assert.equal(
        problem,
        `switchboard.providers[0]: your environment variable ${VAR} is not used as the key of "corp" (it would be sent to ${fake.baseUrl}) until you allow it: run "Switchboard: Import API Keys from Environment" — in the workspace's settings (.vscode/settings.json)`,
      );
      assert.ok(!problem.includes(SECRET));

      // Allow: imported, used, and the report no longer names it.
      answer = 'Allow';
      const imported = (await vscode.commands.executeCommand('switchboard.importKeysFromEnv')) as string[];
      assert.deepEqual(imported, ['corp']);
      assert.equal(asked.length, 2);
      await waitFor('the report without it', () => !s.settingsProblems().some((p) => p.includes(VAR)));
      const ok = await s.chat().ask({ question: 'hi', model: 'corp/gpt-4o-mini' }, { reveal: false });
      assert.equal(ok?.status, 'done', ok?.error?.message);
      s.chat().clear();

      // Remembered for this workspace, provider, variable and URL: asked once.
      await vscode.commands.executeCommand('switchboard.removeApiKey', 'corp');
      assert.deepEqual(await vscode.commands.executeCommand('switchboard.importKeysFromEnv'), ['corp']);
      assert.equal(asked.length, 2, 'asked again');
      // Another URL is another question.
      await vscode.commands.executeCommand('switchboard.removeApiKey', 'corp');
      const elsewhere = fake.baseUrl.replace('127.0.0.1', 'localhost');
      await setWorkspace('providers', [{ id: 'corp', kind: 'openai', baseUrl: elsewhere, apiKeyEnv: VAR }]);
      await waitFor('the new URL held', () => s.settingsProblems().some((p) => p.includes(`sent to ${elsewhere})`)));
      answer = undefined; // the modal cancelled
      assert.deepEqual(await vscode.commands.executeCommand('switchboard.importKeysFromEnv'), []);
      assert.equal(asked.length, 3);
    });

    it("the user's own provider with the same variable is the user's choice: imported without a question", async () => {
      const s = await services();
      asked = [];
      await vscode.commands.executeCommand('switchboard.removeApiKey', 'corp');
      await setWorkspace('providers', undefined);
      await setSetting('providers', [{ id: 'corp', kind: 'openai', baseUrl: fake.baseUrl, apiKeyEnv: VAR }]);
      await waitFor('the user provider', () => s.providers().includes('corp'));
      assert.ok(!s.settingsProblems().some((p) => p.includes(VAR)));
      assert.deepEqual(await vscode.commands.executeCommand('switchboard.importKeysFromEnv'), ['corp']);
      assert.equal(asked.length, 0);
    });
  });
});
