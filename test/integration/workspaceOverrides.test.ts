/// <reference types="mocha" />
// A trusted workspace (this pass runs with workspace trust off: every folder is trusted) whose settings
// loosen the budget: used, but named once, per workspace. Whose settings send a provider's requests —
// with the user's key — elsewhere, or read one of the user's environment variables: held until the user
// allows it.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { GatewayInfo } from '../../src/host/gateway.ts';
import { startFakeProvider, type FakeServer } from '../fakes/server.ts';
import { noticesFromNow, resetSettings, services, setSetting, waitFor } from './helpers.ts';

async function setWorkspace(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('switchboard').update(key, value, vscode.ConfigurationTarget.Workspace);
}

/**
 * Answers the extension's modal warnings as the user would click: `answer` (a string, undefined for
 * Cancel, or a promise: a question still on screen). Every other warning still shows. The extension's
 * vscode.window is this one (the tests run inside the extension's folder).
 */
function answerModals(): {
  asked: { text: string; options: unknown; actions: string[] }[];
  answer: string | undefined | Promise<string | undefined>;
  restore(): void;
} {
  const original = vscode.window.showWarningMessage;
  const m: ReturnType<typeof answerModals> = {
    asked: [],
    answer: undefined,
    restore: () => {
      (vscode.window as { showWarningMessage: unknown }).showWarningMessage = original;
    },
  };
  (vscode.window as { showWarningMessage: unknown }).showWarningMessage = (text: string, ...rest: unknown[]) => {
    const options = rest[0];
    if (typeof options === 'object' && options !== null && (options as vscode.MessageOptions).modal) {
      m.asked.push({ text, options, actions: rest.slice(1) as string[] });
      return Promise.resolve(m.answer);
    }
    return (original as (...a: unknown[]) => Thenable<unknown>)(text, ...rest);
  };
  return m;
}

describe('Trusted workspace overrides', () => {
  afterEach(async () => {
    await setWorkspace('providers', undefined);
    await setWorkspace('budget', undefined);
    await setWorkspace('pricing', undefined);
    await resetSettings();
  });

  it('warns once when the workspace lowers a price the budget counts (switchboard.pricing), naming the rates', async () => {
    const s = await services();
    const fresh = noticesFromNow(s);
    await setWorkspace('pricing', { 'openai/gpt-4o': { input: 0, output: 0 } });
    const warning = await waitFor('the pricing warning', () =>
      fresh()
        .filter((n) => n.level === 'warning')
        .find((n) => n.text.includes('switchboard.pricing')),
    );
    assert.match(warning.text, /openai\/gpt-4o input [\d.]+ → 0, output [\d.]+ → 0/);
    assert.match(warning.text, /loosens your budget/);
    // Trusted: the workspace's price is used.
    await waitFor('the price applied', () => s.effectiveSettings().config.pricing['openai/gpt-4o']?.input === 0);
  });

  it('warns once, naming the setting, when the workspace loosens the budget (a redirected baseUrl is held instead: below)', async () => {
    const s = await services();
    assert.equal(vscode.workspace.isTrusted, true);
    await setSetting('budget', { daily: 2, onExceed: 'block' });
    const warnings = (): string[] =>
      s
        .notices()
        .filter((n) => n.level === 'warning')
        .map((n) => n.text);
    const before = warnings().length;

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
    let modals: ReturnType<typeof answerModals>;

    before(async () => {
      fake = await startFakeProvider('openai', { apiKey: SECRET });
      process.env[VAR] = SECRET;
      modals = answerModals();
    });

    after(async () => {
      modals.restore();
      delete process.env[VAR];
      await vscode.commands.executeCommand('switchboard.removeApiKey', 'corp');
      await fake.close();
    });

    it('is not read until the user allows it (a modal naming the provider, the variable and the URL), and the settings report says so', async function () {
      this.timeout(60_000);
      const s = await services();
      modals.asked = [];
      await setWorkspace('providers', [{ id: 'corp', kind: 'openai', baseUrl: fake.baseUrl, apiKeyEnv: VAR }]);
      await waitFor('the workspace provider', () => s.providers().includes('corp'));
      // Don't Allow: nothing read, nothing stored, nothing sent.
      modals.answer = "Don't Allow";
      const fresh = noticesFromNow(s);
      const refused = (await vscode.commands.executeCommand('switchboard.importKeysFromEnv')) as string[];
      assert.ok(!refused.includes('corp'), JSON.stringify(refused));
      assert.ok(!s.keyProviders().includes('corp'));
      assert.equal(modals.asked.length, 1);
      assert.equal(
        modals.asked[0]!.text,
        `Let this workspace's provider "corp" use your environment variable ${VAR} as its API key and send it to ${fake.baseUrl}?`,
      );
      assert.match((modals.asked[0]!.options as { detail: string }).detail, /\.vscode\/settings\.json/);
      assert.deepEqual(modals.asked[0]!.actions, ['Allow', "Don't Allow"]);
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
      modals.answer = 'Allow';
      const imported = (await vscode.commands.executeCommand('switchboard.importKeysFromEnv')) as string[];
      assert.deepEqual(imported, ['corp']);
      assert.equal(modals.asked.length, 2);
      await waitFor('the report without it', () => !s.settingsProblems().some((p) => p.includes(VAR)));
      const ok = await s.chat().ask({ question: 'hi', model: 'corp/gpt-4o-mini' }, { reveal: false });
      assert.equal(ok?.status, 'done', ok?.error?.message);
      s.chat().clear();

      // Remembered for this workspace, provider, variable and URL: asked once.
      await vscode.commands.executeCommand('switchboard.removeApiKey', 'corp');
      assert.deepEqual(await vscode.commands.executeCommand('switchboard.importKeysFromEnv'), ['corp']);
      assert.equal(modals.asked.length, 2, 'asked again');
      // Another URL is another question.
      await vscode.commands.executeCommand('switchboard.removeApiKey', 'corp');
      const elsewhere = fake.baseUrl.replace('127.0.0.1', 'localhost');
      await setWorkspace('providers', [{ id: 'corp', kind: 'openai', baseUrl: elsewhere, apiKeyEnv: VAR }]);
      await waitFor('the new URL held', () => s.settingsProblems().some((p) => p.includes(`sent to ${elsewhere})`)));
      modals.answer = undefined; // the modal cancelled
      assert.deepEqual(await vscode.commands.executeCommand('switchboard.importKeysFromEnv'), []);
      assert.equal(modals.asked.length, 3);
    });

    it("the user's own provider with the same variable is the user's choice: imported without a question", async () => {
      const s = await services();
      modals.asked = [];
      await vscode.commands.executeCommand('switchboard.removeApiKey', 'corp');
      await setWorkspace('providers', undefined);
      await setSetting('providers', [{ id: 'corp', kind: 'openai', baseUrl: fake.baseUrl, apiKeyEnv: VAR }]);
      await waitFor('the user provider', () => s.providers().includes('corp'));
      assert.ok(!s.settingsProblems().some((p) => p.includes(VAR)));
      assert.deepEqual(await vscode.commands.executeCommand('switchboard.importKeysFromEnv'), ['corp']);
      assert.equal(modals.asked.length, 0);
    });
  });

  describe("a workspace that sends a provider's requests, with the user's stored key, to another URL", () => {
    const KEY = 'sk-redirect-test-key-8d1e5a0c3f';
    let fake: FakeServer;
    let modals: ReturnType<typeof answerModals>;
    /** Requests that reached the workspace's server with the key. */
    const withKey = (): number => fake.requests.filter((r) => JSON.stringify(r.headers).includes(KEY)).length;
    const ask = (model: string) => services().then((s) => s.chat().ask({ question: 'hi', model }, { reveal: false }));

    before(async () => {
      fake = await startFakeProvider('openai', { apiKey: KEY });
      modals = answerModals();
    });

    after(async () => {
      modals.restore();
      await vscode.commands.executeCommand('switchboard.stopGateway', { quiet: true });
      await vscode.commands.executeCommand('switchboard.removeApiKey', 'openai');
      await vscode.commands.executeCommand('switchboard.removeApiKey', 'corp');
      await fake.close();
    });

    it("sends no key there until the user allows it (a modal naming the provider and both URLs); a request fails at once, even with the question unanswered; Don't Allow holds; a new URL asks again", async function () {
      this.timeout(60_000);
      const s = await services();
      await vscode.commands.executeCommand('switchboard.setApiKey', { provider: 'openai', key: KEY, verify: false });
      await setWorkspace('providers', [{ id: 'openai', baseUrl: fake.baseUrl }]);
      await waitFor('the workspace URL in use', () => s.effectiveSettings().config.providers.some((p) => p.id === 'openai' && p.baseUrl === fake.baseUrl));

      // The gateway (a tool nobody watches in VS Code): the question stays on screen, unanswered; the
      // request does not wait for it — it fails with the problem and the fix.
      let answerLater: (a: string | undefined) => void = () => undefined;
      modals.answer = new Promise((resolve) => (answerLater = resolve));
      const info = (await vscode.commands.executeCommand('switchboard.startGateway', { port: 0, copyToken: true, quiet: true })) as GatewayInfo;
      const token = await vscode.env.clipboard.readText();
      const res = await fetch(`${info.url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
      });
      const text = await res.text();
      assert.equal(withKey(), 0, 'the key reached the workspace URL');
      assert.notEqual(res.status, 200, text);
      assert.ok(text.includes(`send \\"openai\\" requests to ${fake.baseUrl} instead of https://api.openai.com/v1`), text);
      assert.equal(modals.asked.length, 1);
      assert.equal(
        modals.asked[0]!.text,
        `Let this workspace send "openai" requests, with your API key for it, to ${fake.baseUrl} instead of https://api.openai.com/v1?`,
      );
      assert.match((modals.asked[0]!.options as { detail: string }).detail, /\.vscode\/settings\.json/);
      assert.deepEqual(modals.asked[0]!.actions, ['Allow', "Don't Allow"]);
      assert.equal(withKey(), 0, 'the key reached the workspace URL');
      // Said when the settings are read too: the invalid-settings report names it, the URLs and the fix.
      assert.equal(
        s.settingsProblems().find((p) => p.includes('"openai"')),
        `switchboard.providers[0]: your API key for "openai" is not sent to ${fake.baseUrl} instead of https://api.openai.com/v1 until you allow it: Switchboard asks at its first request, or run "Switchboard: Allow Workspace Provider URLs" — in the workspace's settings (.vscode/settings.json)`,
      );

      // Don't Allow: the chat fails with the problem and the fix; no key sent, not asked again in this window.
      modals.answer = "Don't Allow";
      answerLater("Don't Allow");
      await waitFor('the answer taken', async () => (await ask('openai/gpt-4o-mini'))?.error?.fix?.startsWith("you answered Don't Allow"));
      s.chat().clear();
      const refused = await ask('openai/gpt-4o-mini');
      assert.equal(refused?.status, 'error');
      assert.equal(
        refused?.error?.message,
        `the workspace's settings send "openai" requests to ${fake.baseUrl} instead of https://api.openai.com/v1, and your API key for it is not sent there until you allow it`,
      );
      assert.equal(
        refused?.error?.fix,
        `you answered Don't Allow: run "Switchboard: Allow Workspace Provider URLs" to allow it, or remove switchboard.providers from the workspace's settings (.vscode/settings.json) to use your own settings`,
      );
      s.chat().clear();
      assert.equal(modals.asked.length, 1, "asked again after Don't Allow");
      assert.equal(withKey(), 0, 'the key reached the workspace URL');

      // Allowed with the command: the key goes there, the report no longer names it.
      modals.answer = 'Allow';
      assert.deepEqual(await vscode.commands.executeCommand('switchboard.allowWorkspaceProviders'), ['openai']);
      assert.equal(modals.asked.length, 2);
      await waitFor('the report without it', () => !s.settingsProblems().some((p) => p.includes('"openai"')));
      const ok = await ask('openai/gpt-4o-mini');
      assert.equal(ok?.status, 'done', ok?.error?.message);
      s.chat().clear();
      assert.ok(withKey() > 0, 'the key did not reach the allowed URL');

      // Another URL is another question: asked at the first request, which fails; after Allow the next one goes.
      const elsewhere = fake.baseUrl.replace('127.0.0.1', 'localhost');
      await setWorkspace('providers', [{ id: 'openai', baseUrl: elsewhere }]);
      await waitFor('the new URL held', () => s.settingsProblems().some((p) => p.includes(`sent to ${elsewhere} instead`)));
      const sent = withKey();
      const fresh = noticesFromNow(s);
      const first = await ask('openai/gpt-4o-mini');
      assert.equal(first?.status, 'error');
      s.chat().clear();
      assert.equal(modals.asked.length, 3);
      assert.equal(
        modals.asked[2]!.text,
        `Let this workspace send "openai" requests, with your API key for it, to ${elsewhere} instead of https://api.openai.com/v1?`,
      );
      assert.equal(withKey(), sent, 'the key reached the new URL before Allow');
      await waitFor('the Allow said', () => fresh().find((n) => n.text.includes(`"openai" requests now take your API key to ${elsewhere}`)));
      const again = await ask('openai/gpt-4o-mini');
      assert.equal(again?.status, 'done', again?.error?.message);
      s.chat().clear();
      assert.ok(withKey() > sent);
    });

    it('a provider the workspace defines: its key goes to the URL the user allowed, and a new URL asks again', async function () {
      this.timeout(60_000);
      const s = await services();
      modals.asked = [];
      await setWorkspace('providers', [{ id: 'corp', kind: 'openai', baseUrl: fake.baseUrl }]);
      await waitFor('the workspace provider', () => s.providers().includes('corp'));
      // Set API Key checks a key at the provider's URL: not this one before the user allows it (stored, not checked).
      const before = withKey(); // the first test's, to the same server
      modals.answer = "Don't Allow";
      await vscode.commands.executeCommand('switchboard.setApiKey', { provider: 'corp', key: KEY });
      await waitFor('the key stored', () => s.keyProviders().includes('corp'));
      assert.equal(withKey(), before, 'Set API Key sent the key to the workspace URL');
      assert.equal(modals.asked.length, 1);
      assert.equal(modals.asked[0]!.text, `Let this workspace's provider "corp" send your API key for it to ${fake.baseUrl}?`);
      // Nor does a request take it there (the report follows the keys); answered already: not asked again.
      const first = await ask('corp/gpt-4o-mini');
      assert.equal(withKey(), before, 'the key reached the workspace URL');
      assert.equal(first?.status, 'error');
      s.chat().clear();
      await waitFor('the workspace provider held', () => s.settingsProblems().some((p) => p.includes('"corp"')));
      assert.equal(modals.asked.length, 1);
      modals.answer = 'Allow';
      assert.deepEqual(await vscode.commands.executeCommand('switchboard.allowWorkspaceProviders'), ['corp']);
      assert.equal(modals.asked.length, 2);
      const ok = await ask('corp/gpt-4o-mini');
      assert.equal(ok?.status, 'done', ok?.error?.message);
      s.chat().clear();

      // The workspace changes the URL: held again, asked again; Cancel sends nothing.
      const elsewhere = fake.baseUrl.replace('127.0.0.1', 'localhost');
      await setWorkspace('providers', [{ id: 'corp', kind: 'openai', baseUrl: elsewhere }]);
      await waitFor('the new URL held', () =>
        s.settingsProblems().some((p) => p.includes(`not sent to ${elsewhere} (a provider the workspace's settings define)`)),
      );
      const sent = withKey();
      modals.answer = undefined;
      const held = await ask('corp/gpt-4o-mini');
      assert.equal(held?.status, 'error');
      assert.match(held?.error?.message ?? '', /the workspace's settings send "corp" requests to .* \(a provider the workspace's settings define\)/);
      s.chat().clear();
      await waitFor('asked again', () => modals.asked.length === 3);
      assert.equal(modals.asked[2]!.text, `Let this workspace's provider "corp" send your API key for it to ${elsewhere}?`);
      assert.equal(withKey(), sent, 'the key reached the new URL');
    });
  });
});
