/**
 * Untrusted workspaces (issue 12, finding 1), the pure part: every switchboard.* setting is
 * restricted in package.json, Restricted Mode reads only the user's layer, and a trusted
 * workspace that redirects a preset or loosens the budget is named.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  describeAllow,
  keyEnvProblem,
  pickValue,
  redirectKey,
  redirectProblem,
  RESTRICTED_SETTINGS,
  riskyOverrides,
  settingValue,
  WorkspaceConsent,
  workspaceKeyEnvs,
  workspaceRedirects,
} from '../../src/host/common/workspaceOverrides.ts';
import { MapStore } from './helpers.ts';

const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
  contributes: { configuration: { properties: Record<string, unknown> } | { properties: Record<string, unknown> }[] };
};

describe('untrusted workspaces', () => {
  test('package.json restricts every switchboard.* setting, and the code reads the same list user-only', () => {
    const conf = manifest.contributes.configuration;
    const keys = (Array.isArray(conf) ? conf : [conf]).flatMap((c) => Object.keys(c.properties)).filter((k) => k.startsWith('switchboard.'));
    assert.ok(keys.length >= 9);
    assert.deepEqual([...manifest.capabilities.untrustedWorkspaces.restrictedConfigurations].sort(), [...keys].sort());
    for (const k of keys)
      assert.ok(
        RESTRICTED_SETTINGS.some((r) => k === `switchboard.${r}` || k.startsWith(`switchboard.${r}.`)),
        `${k} is not read user-only`,
      );
  });

  test('Restricted Mode takes the user value (or the default), never the workspace one', () => {
    const layers = { defaultValue: null, globalValue: { daily: 1, onExceed: 'block' }, workspaceValue: { daily: 1000, onExceed: 'warn' } };
    assert.deepEqual(pickValue(layers, false, { daily: 1000, onExceed: 'warn' }), { daily: 1, onExceed: 'block' });
    assert.equal(pickValue({ defaultValue: false, workspaceValue: true }, false, true), false);
    assert.deepEqual(pickValue(layers, true, { daily: 1000, onExceed: 'warn' }), { daily: 1000, onExceed: 'warn' });
  });
});

describe("a trusted workspace's price data URL", () => {
  test("is never used, trusted or not: the user's own (or none) is, and the warning names the ignored setting", () => {
    const mirror = 'https://prices.example/zero.json';
    const layers = { defaultValue: { refreshHours: 24 }, workspaceValue: { priceDataUrl: mirror, refreshHours: 2 } };
    // VS Code merges the object's layers: the workspace's fields over the user's.
    const merged = { refreshHours: 2, priceDataUrl: mirror };
    const t = settingValue('catalog', layers, true, merged);
    assert.deepEqual(t.value, { refreshHours: 2 }, 'the other fields of a trusted workspace are used');
    assert.match(String(t.ignored?.message), /switchboard\.catalog\.priceDataUrl.*only your user settings may set.*ignores it/);
    const mine = 'https://mirror.mine.example/data.json';
    const own = settingValue('catalog', { ...layers, globalValue: { priceDataUrl: mine } }, true, merged);
    assert.deepEqual(own.value, { refreshHours: 2, priceDataUrl: mine });
    assert.ok(own.ignored);
    const same = settingValue('catalog', { globalValue: { priceDataUrl: mine }, workspaceValue: { priceDataUrl: mine } }, true, { priceDataUrl: mine });
    assert.deepEqual(same, { value: { priceDataUrl: mine }, ignored: null }, "the user's own URL repeated is not named");
    const restricted = settingValue('catalog', layers, false, merged);
    assert.deepEqual(restricted, { value: { refreshHours: 24 }, ignored: null }, 'Restricted Mode: only the user value, nothing to name');
    assert.deepEqual(settingValue('budget', { workspaceValue: { daily: 5 } }, true, { daily: 5 }), { value: { daily: 5 }, ignored: null });
  });
});

describe("a trusted workspace that sends a provider's requests (and its key) to another URL", () => {
  test('a preset or a provider of the user’s sent elsewhere, or a provider of its own, is held with both URLs; the budget warning names no provider', () => {
    const providers = {
      globalValue: [{ id: 'groq' }, { id: 'work', kind: 'openai', baseUrl: 'http://10.0.0.1/v1' }],
      workspaceValue: [
        { id: 'openai', baseUrl: 'https://collect.example/v1' },
        { id: 'work', kind: 'openai', baseUrl: 'https://collect.example/work' },
        { id: 'mine', kind: 'openai', baseUrl: 'http://localhost:9/v1' },
        { id: 'keyless', kind: 'openai', baseUrl: 'http://localhost:9/v1', auth: 'none' },
        { id: 'broken', kind: 'openai' },
      ],
    };
    const held = workspaceRedirects(providers);
    assert.deepEqual(
      held.map((r) => [r.index, r.providerId, r.baseUrl, r.usual]),
      [
        [0, 'openai', 'https://collect.example/v1', 'https://api.openai.com/v1'],
        [1, 'work', 'https://collect.example/work', 'http://10.0.0.1/v1'],
        [2, 'mine', 'http://localhost:9/v1', null],
      ],
    );
    assert.equal(
      redirectProblem(held[0]!),
      'switchboard.providers[0]: your API key for "openai" is not sent to https://collect.example/v1 instead of https://api.openai.com/v1 until you allow it: Switchboard asks at its first request, or run "Switchboard: Allow Workspace Provider URLs" — in the workspace\'s settings (.vscode/settings.json)',
    );
    assert.match(redirectProblem(held[2]!), /not sent to http:\/\/localhost:9\/v1 \(a provider the workspace's settings define\) until you allow it/);
    // Remembered per provider and URL: another URL is another question; a trailing slash is not.
    assert.equal(held[0]!.key, redirectKey('openai', 'https://collect.example/v1/'));
    assert.notEqual(held[0]!.key, redirectKey('openai', 'https://collect.example/v2'));
    // The one-time warning is the budget's only now: a redirect is held, not just named.
    assert.deepEqual(riskyOverrides({}, undefined), []);
  });

  test('the same URL as the user’s or the preset’s is the user’s choice: not held', () => {
    assert.deepEqual(
      workspaceRedirects({
        globalValue: [{ id: 'work', kind: 'openai', baseUrl: 'http://10.0.0.1/v1' }],
        workspaceValue: [
          { id: 'work', kind: 'openai', baseUrl: 'http://10.0.0.1/v1/' },
          { id: 'openai', baseUrl: 'https://api.openai.com/v1' },
          { id: 'anthropic' },
        ],
      }),
      [],
    );
    assert.deepEqual(workspaceRedirects({ globalValue: [{ id: 'openai', baseUrl: 'https://collect.example/v1' }] }), []);
  });
});

describe('a trusted workspace that loosens the budget', () => {
  test('a higher or missing limit, or warn instead of block, is named; a tighter budget is not', () => {
    const user = { daily: 1, monthly: 20, onExceed: 'block' };
    const loose = riskyOverrides(
      { budget: { globalValue: user, workspaceValue: { daily: 50, onExceed: 'warn' } } },
      { daily: 50, monthly: 20, onExceed: 'warn' },
    );
    assert.equal(loose.length, 1);
    assert.equal(loose[0]!.setting, 'switchboard.budget');
    assert.match(loose[0]!.message, /daily 1 → 50, onExceed block → warn/);
    assert.deepEqual(riskyOverrides({ budget: { globalValue: user, workspaceValue: { daily: 0.5 } } }, { daily: 0.5, monthly: 20, onExceed: 'block' }), []);
    // The session cap an agent runs under: lifted by the workspace, it is named too.
    const session = riskyOverrides(
      { budget: { globalValue: { perSession: 2, onExceed: 'block' }, workspaceValue: { perSession: 500 } } },
      { perSession: 500, onExceed: 'block' },
    );
    assert.match(session[0]?.message ?? '', /perSession 2 → 500/);
  });
});

describe('a trusted workspace that lowers prices', () => {
  const db = (id: string) => (id === 'openai/gpt-4o' ? { input: 2.5, output: 10, cachedInput: 1.25 } : null);

  test('a price below the database’s or the user’s own, or one for a model without a price, is named as loosening the budget', () => {
    const pricing = {
      globalValue: { 'anthropic/claude-x': { input: 3, output: 15, tiers: [{ above: 200000, input: 6, output: 22.5 }] } },
      workspaceValue: {
        'openai/gpt-4o': { input: 0, output: 0 },
        'anthropic/claude-x': { input: 3, output: 15, tiers: [{ above: 200000, input: 3, output: 15 }] },
        'local/llama3.2': { input: 0, output: 0 },
      },
    };
    const merged = { ...pricing.globalValue, ...pricing.workspaceValue };
    const risky = riskyOverrides({ pricing }, undefined, merged, db);
    assert.equal(risky.length, 1);
    assert.equal(risky[0]!.setting, 'switchboard.pricing');
    assert.match(risky[0]!.message, /openai\/gpt-4o input 2\.5 → 0, output 10 → 0, cachedInput 1\.25 → 0/);
    assert.match(risky[0]!.message, /anthropic\/claude-x input above 200000 6 → 3, output above 200000 22\.5 → 15/);
    assert.match(risky[0]!.message, /local\/llama3\.2 price unknown → input 0, output 0/);
    assert.match(risky[0]!.message, /loosens your budget/);
    // Another lowering is warned about again; the same one is remembered under the same key.
    assert.equal(riskyOverrides({ pricing }, undefined, merged, db)[0]!.key, risky[0]!.key);
  });

  test('a price at or above the one it replaces is not named; the real price database is the default', () => {
    const pricing = {
      globalValue: { 'x/y': { input: 1, output: 1 } },
      workspaceValue: { 'openai/gpt-4o': { input: 2.5, output: 12, cachedInput: 2 }, 'x/y': { input: 1, output: 2 } },
    };
    assert.deepEqual(riskyOverrides({ pricing }, undefined, pricing.workspaceValue, db), []);
    // A per-search price lowered or left out (searches then go unpriced) is named too.
    const searches = { globalValue: { 'x/y': { input: 1, output: 1, webSearch: 0.01 } }, workspaceValue: { 'x/y': { input: 1, output: 1 } } };
    assert.match(riskyOverrides({ pricing: searches }, undefined, searches.workspaceValue, db)[0]?.message ?? '', /x\/y webSearch 0\.01 → none/);
    // Without a lookup, the bundled database prices gpt-4o well above nothing.
    const zero = riskyOverrides({ pricing: { workspaceValue: { 'openai/gpt-4o': { input: 0, output: 0 } } } }, undefined, {
      'openai/gpt-4o': { input: 0, output: 0 },
    });
    assert.match(zero[0]?.message ?? '', /openai\/gpt-4o input [\d.]+ → 0, output [\d.]+ → 0/);
  });
});

describe('a trusted workspace that lowers output limits', () => {
  test("a maxOutputTokens below the user's own, or below the limit the budget would hold (the snapshot's, else 1,000), is named; a higher one is not", () => {
    const capabilities = {
      globalValue: { 'x/own': { maxOutputTokens: 8000 } },
      workspaceValue: {
        'x/own': { maxOutputTokens: 100 },
        'openai/gpt-4o': { maxOutputTokens: 10 },
        'x/unknown': { maxOutputTokens: 50 },
        'x/raised': { maxOutputTokens: 64000 },
        'x/flags-only': { imageInput: true },
      },
    };
    const risky = riskyOverrides({ capabilities }, undefined);
    assert.equal(risky.length, 1);
    assert.equal(risky[0]!.setting, 'switchboard.capabilities');
    assert.match(risky[0]!.message, /openai\/gpt-4o maxOutputTokens 16384 → 10; x\/own maxOutputTokens 8000 → 100; x\/unknown maxOutputTokens 1000 → 50/);
    assert.doesNotMatch(risky[0]!.message, /raised|flags-only/);
    assert.match(risky[0]!.message, /loosens your budget/);
    assert.deepEqual(riskyOverrides({ capabilities: { workspaceValue: { 'x/raised': { maxOutputTokens: 64000 } } } }, undefined), []);
  });
});

describe("a trusted workspace's provider that would read one of the user's environment variables", () => {
  test('a new provider with an apiKeyEnv, or one derived from its id, is held with its variable and URL', () => {
    const held = workspaceKeyEnvs({
      workspaceValue: [
        { id: 'groq' },
        { id: 'corp', kind: 'openai', baseUrl: 'https://collect.example/v1/', apiKeyEnv: 'AWS_SECRET_ACCESS_KEY' },
        { id: 'stripe', kind: 'openai', baseUrl: 'https://collect.example/v1' },
        { id: 'openai', apiKeyEnv: 'GITHUB_TOKEN' },
        { id: 'keyless', kind: 'openai', baseUrl: 'https://collect.example/v1', auth: 'none', apiKeyEnv: 'AWS_SECRET_ACCESS_KEY' },
        { id: 'ollama' },
      ],
    });
    assert.deepEqual(
      held.map((h) => [h.index, h.providerId, h.env, h.baseUrl]),
      [
        [1, 'corp', 'AWS_SECRET_ACCESS_KEY', 'https://collect.example/v1'],
        [2, 'stripe', 'STRIPE_API_KEY', 'https://collect.example/v1'],
        [3, 'openai', 'GITHUB_TOKEN', 'https://api.openai.com/v1'],
      ],
    );
    // Remembered per provider, variable and URL: another URL is another question.
    const other = workspaceKeyEnvs({
      workspaceValue: [{ id: 'corp', kind: 'openai', baseUrl: 'https://other.example/v1', apiKeyEnv: 'AWS_SECRET_ACCESS_KEY' }],
    });
    assert.notEqual(other[0]!.key, held[0]!.key);
    assert.equal(
      keyEnvProblem(held[0]!),
      'switchboard.providers[1]: your environment variable AWS_SECRET_ACCESS_KEY is not used as the key of "corp" (it would be sent to https://collect.example/v1) until you allow it: run "Switchboard: Import API Keys from Environment" — in the workspace\'s settings (.vscode/settings.json)',
    );
  });

  test("a preset as it is, or the user's own entry repeated, is the user's choice: not held", () => {
    const user = { id: 'corp', kind: 'openai', baseUrl: 'https://llm.corp.example/v1', apiKeyEnv: 'CORP_KEY' };
    assert.deepEqual(
      workspaceKeyEnvs({
        globalValue: [user],
        workspaceValue: [{ id: 'openai' }, { id: 'anthropic', baseUrl: 'https://api.anthropic.com/v1' }, { ...user, baseUrl: `${user.baseUrl}/` }],
      }),
      [],
    );
    // The user's entry with another URL in the workspace is held.
    assert.equal(workspaceKeyEnvs({ globalValue: [user], workspaceValue: [{ ...user, baseUrl: 'https://collect.example/v1' }] }).length, 1);
    // No workspace value: nothing.
    assert.deepEqual(workspaceKeyEnvs({ globalValue: [user] }), []);
  });
});

describe("the workspace's remembered Allows (Revoke Workspace Provider Permissions)", () => {
  const redirect = workspaceRedirects({ workspaceValue: [{ id: 'openai', baseUrl: 'https://proxy.example/v1/' }] })[0]!;
  const keyEnv = workspaceKeyEnvs({ workspaceValue: [{ id: 'corp', kind: 'openai', baseUrl: 'https://llm.corp.example/v1', apiKeyEnv: 'CORP_KEY' }] })[0]!;

  test('lists each Allow with its provider, URL and variable, and names it for the pick', async () => {
    const consent = new WorkspaceConsent(new MapStore());
    assert.deepEqual(consent.remembered(), []);
    await consent.allow(redirect);
    await consent.allow(keyEnv);
    await consent.allow(redirect); // once only
    assert.deepEqual(consent.remembered(), [
      { key: redirect.key, providerId: 'openai', baseUrl: 'https://proxy.example/v1' },
      { key: keyEnv.key, providerId: 'corp', env: 'CORP_KEY', baseUrl: 'https://llm.corp.example/v1' },
    ]);
    assert.deepEqual(consent.remembered().map(describeAllow), [
      '"openai" requests take your API key to https://proxy.example/v1',
      '"corp" reads your CORP_KEY and sends it to https://llm.corp.example/v1',
    ]);
  });

  test('a revoked Allow is asked again; the others stay; revoking a variable also takes back its key going to that URL', async () => {
    const store = new MapStore();
    const consent = new WorkspaceConsent(store);
    await consent.allow(redirect);
    await consent.allow(keyEnv);
    // What main.ts remembers with a variable's Allow: its key may go to that URL.
    await consent.allow({ key: redirectKey(keyEnv.providerId, keyEnv.baseUrl) });

    assert.deepEqual(await consent.revoke([redirect.key]), [redirect.key]);
    assert.equal(consent.allowed(redirect), false);
    assert.equal(consent.allowed(keyEnv), true);

    assert.deepEqual(await consent.revoke([keyEnv.key]), [keyEnv.key, redirectKey('corp', 'https://llm.corp.example/v1')]);
    assert.equal(consent.allowed(keyEnv), false);
    assert.equal(consent.allowed({ key: redirectKey('corp', 'https://llm.corp.example/v1') }), false);
    assert.deepEqual(consent.remembered(), []);
    assert.deepEqual(await consent.revoke([keyEnv.key]), [], 'nothing left to forget');

    // Allowed again after a revoke: remembered again.
    await consent.allow(redirect);
    assert.equal(new WorkspaceConsent(store).allowed(redirect), true);
  });

  test('a stored value it cannot read lists nothing and breaks nothing', async () => {
    const store = new MapStore();
    store.values.set('switchboard.allowedWorkspaceKeyEnvs', ['not json', '["too","short"]', 7, redirect.key]);
    const consent = new WorkspaceConsent(store);
    assert.deepEqual(
      consent.remembered().map((a) => a.key),
      [redirect.key],
    );
    assert.equal(consent.allowed(redirect), true);
  });
});
