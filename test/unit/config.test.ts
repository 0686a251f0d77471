/** The config contract: validation errors that point at the field, defaults, file lookup, model id resolution. */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfigPath, loadConfig, parseConfig, resolveProvider, type ConfigInput } from '../../src/core/config.ts';
import { SwitchboardError } from '../../src/core/errors.ts';
import { ModelResolver } from '../../src/core/resolve.ts';

/** The config error thrown by parseConfig for `input`. */
function configError(input: unknown, source = 'config file /tmp/x.json'): SwitchboardError {
  try {
    parseConfig(input, source);
  } catch (e) {
    assert.ok(e instanceof SwitchboardError, `expected a SwitchboardError, got ${String(e)}`);
    assert.equal(e.kind, 'config');
    return e;
  }
  assert.fail(`expected ${JSON.stringify(input)} to be rejected`);
}

describe('validation errors point at the field', () => {
  test('a provider baseUrl that is not an http(s) URL names providers[i].baseUrl', () => {
    for (const baseUrl of ['ftp://llm.example.com/v1', 'not a url']) {
      const e = configError({ providers: [{ id: 'openai' }, { id: 'work', kind: 'openai', baseUrl }] });
      assert.match(e.message, /providers\[1\]\.baseUrl: must be an http\(s\) URL/);
      assert.doesNotMatch(e.message, /providers\[0\]/);
    }
  });

  test('the source of the config is named and the fix says to fix it', () => {
    const e = configError({ providers: [{ id: 'work', kind: 'openai', baseUrl: 'nope' }] }, 'config file /home/u/sb.json');
    assert.match(e.message, /^config: config file \/home\/u\/sb\.json is invalid: /);
    assert.equal(e.fix, 'fix config file /home/u/sb.json');
  });

  test('an unknown top-level key is named', () => {
    const e = configError({ provider: [{ id: 'openai' }] });
    assert.match(e.message, /\(root\): unknown key "provider" \(did you mean "providers"\?\)/);
  });

  test('an unknown key inside a provider names the provider and the key', () => {
    const e = configError({ providers: [{ id: 'openai', apiKey: 'sk-secret' }] });
    assert.match(e.message, /providers\[0\]: unknown key "apiKey"; the keys here are "id", "kind", .*"apiKeyEnv"/);
  });

  test('an unknown key inside a route, the budget and the timeouts is named', () => {
    assert.match(
      configError({ routes: [{ id: 'r', models: ['a/b'], fallback: true }] }).message,
      /routes\[0\]: unknown key "fallback"; the keys here are "id", "models"/,
    );
    assert.match(configError({ budget: { daily: 1, weekly: 5 } }).message, /budget: unknown key "weekly"; the keys here are "daily", "monthly"/);
    assert.match(configError({ timeouts: { totalMs: 5 } }).message, /timeouts: unknown key "totalMs"; the keys here are "connectMs"/);
  });

  test('a misspelt key (another case, a typo) says what was probably meant, at any depth', () => {
    assert.match(configError({ budgets: { daily: 1 } }).message, /\(root\): unknown key "budgets" \(did you mean "budget"\?\)/);
    // Two letters swapped count as one typo.
    assert.match(configError({ budget: { dialy: 1 } }).message, /budget: unknown key "dialy" \(did you mean "daily"\?\)/);
    assert.match(
      configError({ providers: [{ id: 'x', kind: 'openai', baseURL: 'http://h/v1' }] }).message,
      /providers\[0\]: unknown key "baseURL" \(did you mean "baseUrl"\?\)/,
    );
    assert.match(
      configError({ routes: [{ id: 'r', models: ['a/b'], stratgy: 'ordered' }] }).message,
      /routes\[0\]: unknown key "stratgy" \(did you mean "strategy"\?\)/,
    );
    assert.match(configError({ timeouts: { connectMS: 5 } }).message, /timeouts: unknown key "connectMS" \(did you mean "connectMs"\?\)/);
    assert.match(
      configError({ pricing: { 'a/b': { input: 1, output: 1, cached: 1 } } }).message,
      /pricing\.a\/b: unknown key "cached"; the keys here are "input", "output", "cachedInput"/,
    );
  });

  test('duplicate provider ids point at the second one', () => {
    const e = configError({ providers: [{ id: 'openai' }, { id: 'anthropic' }, { id: 'openai', baseUrl: 'http://127.0.0.1:1/v1' }] });
    assert.match(e.message, /providers\[2\]\.id: duplicate provider id "openai"/);
  });

  test('duplicate route ids point at the second one', () => {
    const e = configError({
      routes: [
        { id: 'fast', models: ['a/b'] },
        { id: 'fast', models: ['c/d'] },
      ],
    });
    assert.match(e.message, /routes\[1\]\.id: duplicate route id "fast"/);
  });

  test('a non-preset provider without kind or baseUrl is told to set them', () => {
    const noKind = configError({ providers: [{ id: 'work', baseUrl: 'http://127.0.0.1:8000/v1' }] });
    assert.match(noKind.message, /providers\[0\]\.kind: "work" is not a known preset: set "kind" to "openai", "anthropic" or "gemini"/);
    assert.doesNotMatch(noKind.message, /baseUrl/);
    const neither = configError({ providers: [{ id: 'openai' }, { id: 'work' }] });
    assert.match(neither.message, /providers\[1\]\.kind: /);
    assert.match(neither.message, /providers\[1\]\.baseUrl: "work" is not a known preset: set "baseUrl"/);
  });

  test('a preset needs neither kind nor baseUrl; the "gemini" alias is a preset too', () => {
    const cfg = parseConfig({ providers: [{ id: 'openai' }, { id: 'anthropic' }, { id: 'gemini' }, { id: 'ollama' }] });
    assert.deepEqual(
      cfg.providers.map((p) => p.id),
      ['openai', 'anthropic', 'gemini', 'ollama'],
    );
  });

  test('route models without "/" point at the model', () => {
    const e = configError({ routes: [{ id: 'r', models: ['openai/gpt-4o-mini', 'gpt-4o'] }] });
    assert.match(e.message, /routes\[0\]\.models\[1\]: must be a "provider\/model" id/);
    assert.doesNotMatch(e.message, /models\[0\]/);
  });

  test('a route without models is rejected', () => {
    assert.match(configError({ routes: [{ id: 'r', models: [] }] }).message, /routes\[0\]\.models: a route needs at least one model/);
  });

  test('budget.onExceed must be warn or block', () => {
    const e = configError({ budget: { daily: 2, onExceed: 'stop' } });
    assert.match(e.message, /budget\.onExceed: /);
    assert.match(e.message, /"warn"\|"block"/);
  });

  test('wrong types and ranges name the field', () => {
    assert.match(configError({ budget: { daily: -1 } }).message, /budget\.daily: /);
    assert.match(configError({ retries: { maxRetries: 11 } }).message, /retries\.maxRetries: /);
    assert.match(configError({ timeouts: { headersMs: 0 } }).message, /timeouts\.headersMs: /);
    assert.match(configError({ pricing: { 'work/llama': { input: 1 } } }).message, /pricing\.work\/llama\.output: /);
    assert.match(configError({ providers: [{ id: 'my/provider', kind: 'openai', baseUrl: 'http://x.test/v1' }] }).message, /providers\[0\]\.id: .*no "\/"/);
    assert.match(configError({ providers: [{ id: 'work', kind: 'cohere', baseUrl: 'http://x.test/v1' }] }).message, /providers\[0\]\.kind: /);
    assert.match(configError({ routes: [{ id: 'r', models: ['a/b'], strategy: 'random' }] }).message, /routes\[0\]\.strategy: /);
  });

  test('every bad field is reported, not just the first', () => {
    const e = configError({ providers: [{ id: 'work', kind: 'openai', baseUrl: 'nope' }], budget: { onExceed: 'stop' } });
    assert.match(e.message, /providers\[0\]\.baseUrl: /);
    assert.match(e.message, /; budget\.onExceed: /);
  });
});

describe('defaults', () => {
  test('an empty config fills every section', () => {
    const cfg = parseConfig({});
    assert.deepEqual(cfg.providers, []);
    assert.deepEqual(cfg.routes, []);
    assert.deepEqual(cfg.pricing, {});
    assert.deepEqual(cfg.timeouts, {});
    assert.deepEqual(cfg.retries, {});
    assert.deepEqual(cfg.catalog, {});
    assert.equal(cfg.budget, undefined);
    assert.equal(cfg.defaultModel, undefined);
  });

  test('null and undefined are the empty config', () => {
    assert.deepEqual(parseConfig(null), parseConfig({}));
    assert.deepEqual(parseConfig(undefined), parseConfig({}));
  });

  test('a route defaults to the ordered strategy and a budget to warn', () => {
    const cfg = parseConfig({ routes: [{ id: 'r', models: ['a/b'] }], budget: { daily: 2 } });
    assert.equal(cfg.routes[0]!.strategy, 'ordered');
    assert.equal(cfg.budget!.onExceed, 'warn');
    assert.equal(parseConfig({ budget: { onExceed: 'block' } }).budget!.onExceed, 'block');
  });

  test('a preset is resolved with its URL, key variable and auth style', () => {
    const anthropic = resolveProvider(parseConfig({ providers: [{ id: 'anthropic' }] }).providers[0]!);
    assert.equal(anthropic.kind, 'anthropic');
    assert.equal(anthropic.baseUrl, 'https://api.anthropic.com/v1');
    assert.equal(anthropic.apiKeyEnv, 'ANTHROPIC_API_KEY');
    assert.equal(anthropic.auth, 'x-api-key');
    const gemini = resolveProvider({ id: 'google' });
    assert.equal(gemini.kind, 'gemini');
    assert.equal(gemini.apiKeyEnv, 'GEMINI_API_KEY');
    assert.equal(gemini.auth, 'x-goog-api-key');
    const openrouter = resolveProvider({ id: 'openrouter' });
    assert.equal(openrouter.auth, 'bearer');
    assert.equal(openrouter.headers['X-Title'], 'Switchboard');
    const ollama = resolveProvider({ id: 'ollama' });
    assert.equal(ollama.apiKeyEnv, null);
    assert.equal(ollama.local, true);
  });

  test('overrides win over the preset; a trailing slash is dropped', () => {
    const p = resolveProvider({ id: 'openai', baseUrl: 'http://127.0.0.1:9999/v1///', apiKeyEnv: 'MY_KEY', headers: { 'x-team': 'a' } });
    assert.equal(p.baseUrl, 'http://127.0.0.1:9999/v1');
    assert.equal(p.apiKeyEnv, 'MY_KEY');
    assert.equal(p.name, 'OpenAI');
    assert.deepEqual(p.headers, { 'x-team': 'a' });
  });

  test('a custom endpoint gets <ID>_API_KEY and the auth style of its kind', () => {
    const p = resolveProvider({ id: 'my-work.llm', kind: 'anthropic', baseUrl: 'https://llm.example.com/v1' });
    assert.equal(p.apiKeyEnv, 'MY_WORK_LLM_API_KEY');
    assert.equal(p.auth, 'x-api-key');
    assert.equal(p.name, 'my-work.llm');
    assert.equal(p.local, false);
    assert.deepEqual(p.models, []);
  });
});

describe('loadConfig(path, env)', () => {
  let dir: string;
  const write = (name: string, json: unknown): string => {
    const p = join(dir, name);
    writeFileSync(p, typeof json === 'string' ? json : JSON.stringify(json));
    return p;
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-config-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('--config wins over SWITCHBOARD_CONFIG, which wins over the default file', () => {
    const xdg = join(dir, 'xdg');
    mkdirSync(join(xdg, 'switchboard'), { recursive: true });
    const def = join(xdg, 'switchboard', 'config.json');
    writeFileSync(def, JSON.stringify({ defaultModel: 'from/default' }));
    const envFile = write('env.json', { defaultModel: 'from/env' });
    const flagFile = write('flag.json', { defaultModel: 'from/flag' });
    const env = { XDG_CONFIG_HOME: xdg, SWITCHBOARD_CONFIG: envFile };

    const a = loadConfig(flagFile, env);
    assert.equal(a.config.defaultModel, 'from/flag');
    assert.equal(a.path, flagFile);

    const b = loadConfig(undefined, env);
    assert.equal(b.config.defaultModel, 'from/env');
    assert.equal(b.path, envFile);

    const c = loadConfig(undefined, { XDG_CONFIG_HOME: xdg });
    assert.equal(c.config.defaultModel, 'from/default');
    assert.equal(c.path, def);
    assert.equal(defaultConfigPath({ XDG_CONFIG_HOME: xdg }), def);
  });

  test('a missing default file is an empty config', () => {
    const r = loadConfig(undefined, { XDG_CONFIG_HOME: join(dir, 'nothing-here') });
    assert.equal(r.path, null);
    assert.deepEqual(r.config, parseConfig({}));
  });

  test('a missing explicit file is an error naming the path (flag or SWITCHBOARD_CONFIG)', () => {
    const missing = join(dir, 'missing.json');
    for (const [path, env] of [
      [missing, {}],
      [undefined, { SWITCHBOARD_CONFIG: missing }],
    ] as const) {
      assert.throws(
        () => loadConfig(path, { XDG_CONFIG_HOME: join(dir, 'nothing-here'), ...env }),
        (e: unknown) =>
          e instanceof SwitchboardError &&
          e.kind === 'config' &&
          e.message.includes(`cannot read config file ${missing}`) &&
          /--config or SWITCHBOARD_CONFIG/.test(e.fix ?? ''),
      );
    }
  });

  // Known src bug (reported): `env.SWITCHBOARD_CONFIG ?? …` takes "" as a path, so `SWITCHBOARD_CONFIG= switchboard …`
  // fails with "cannot read config file : ENOENT" instead of falling back to the default file.
  test('an empty SWITCHBOARD_CONFIG counts as unset', () => {
    const r = loadConfig(undefined, { SWITCHBOARD_CONFIG: '', XDG_CONFIG_HOME: join(dir, 'nothing-here') });
    assert.equal(r.path, null);
    assert.deepEqual(r.config, parseConfig({}));
  });

  test('invalid JSON is a config error naming the file', () => {
    const p = write('broken.json', '{"providers": [ {"id": "openai"}, ]');
    assert.throws(
      () => loadConfig(p, {}),
      (e: unknown) => e instanceof SwitchboardError && e.kind === 'config' && e.message.includes(`config file ${p} is not valid JSON`),
    );
  });

  test("a JSON syntax error quotes no part of the file (a header's credential): it names the file, the line and column, and the fix", () => {
    const secret = 'zq9XkW7vPj3RmT5hN8';
    const head = '{\n  "providers": [\n    { "id": "gw", "kind": "openai", "baseUrl": "https://gw.example.com/v1",\n      "headers": { "Authorization": ';
    for (const [name, text, line, column] of [
      // JSON.parse quotes the text around an unexpected token.
      ['unquoted', `${head}Bearer ${secret} } }\n  ]\n}`, 4, 37],
      ['a stray character', `${head}"Bearer ${secret}"x } }\n  ]\n}`, 4, 64],
      ['a missing comma', `${head}"Bearer ${secret}" "X-Org": "a" } }\n  ]\n}`, 4, 65],
      ['a line break in the string', `${head}"Bearer ${secret} } }\n  ]\n}`, 4, 67],
      ['unterminated', `${head}"Bearer ${secret} } } ] }`, 4, 71],
      ['cut short', `${head}"Bearer ${secret}"`, 4, 64],
    ] as const) {
      const p = write(`broken-${name.replace(/ /g, '-')}.json`, text);
      let e: unknown = null;
      try {
        loadConfig(p, {});
      } catch (x) {
        e = x;
      }
      assert.ok(e instanceof SwitchboardError && e.kind === 'config', `${name}: ${String(e)}`);
      const said = `${e.message}\n${e.fix}`;
      // Not even three characters of it (the temporary directory's random name aside).
      const shown = said.replaceAll(dir, '<dir>');
      for (let i = 0; i + 3 <= secret.length; i++) assert.ok(!shown.includes(secret.slice(i, i + 3)), `${name}: quotes "${secret.slice(i, i + 3)}": ${said}`);
      assert.ok(e.message.includes(`config file ${p} is not valid JSON`), `${name}: ${said}`);
      assert.ok(said.includes(`line ${line}, column ${column}`), `${name}: ${said}`);
      assert.match(e.fix ?? '', new RegExp(`fix the JSON syntax in .*broken-.*line ${line}, column ${column}`), `${name}: ${said}`);
    }
  });

  test('a bad field in the file is named together with the file', () => {
    const p = write('bad-field.json', { providers: [{ id: 'openai' }], budget: { onExceed: 'explode' } } satisfies Record<string, unknown>);
    assert.throws(
      () => loadConfig(p, {}),
      (e: unknown) => e instanceof SwitchboardError && e.kind === 'config' && e.message.includes(`config file ${p} is invalid: budget.onExceed`),
    );
  });

  test('a valid file is parsed with defaults filled in', () => {
    const input: ConfigInput = { providers: [{ id: 'anthropic' }], routes: [{ id: 'r', models: ['anthropic/claude-sonnet-4'] }] };
    const r = loadConfig(write('ok.json', input), {});
    assert.equal(r.config.providers[0]!.id, 'anthropic');
    assert.equal(r.config.routes[0]!.strategy, 'ordered');
    assert.deepEqual(r.config.pricing, {});
  });
});

describe('model id resolution', () => {
  const resolverFor = (input: ConfigInput, hint?: string): ModelResolver => {
    const cfg = parseConfig(input);
    return new ModelResolver(cfg.providers.map(resolveProvider), cfg.routes, hint);
  };
  const thrown = (fn: () => unknown): SwitchboardError => {
    try {
      fn();
    } catch (e) {
      assert.ok(e instanceof SwitchboardError);
      return e;
    }
    assert.fail('expected an error');
  };

  test('a configured provider is used directly with the rest of the id as the wire model', () => {
    const r = resolverFor({ providers: [{ id: 'anthropic' }, { id: 'openrouter' }] });
    const m = r.resolveModel('anthropic/claude-sonnet-4');
    assert.equal(m.providerId, 'anthropic');
    assert.equal(m.wireModel, 'claude-sonnet-4');
    assert.equal(m.viaOpenRouter, false);
    assert.equal(m.id, 'anthropic/claude-sonnet-4');
  });

  test('a model name with more slashes keeps them on the wire', () => {
    const r = resolverFor({ providers: [{ id: 'together' }] });
    assert.equal(r.resolveModel('together/meta-llama/Llama-3.3-70B').wireModel, 'meta-llama/Llama-3.3-70B');
  });

  test('"gemini/…" reaches the configured google preset', () => {
    const m = resolverFor({ providers: [{ id: 'google' }] }).resolveModel('gemini/gemini-2.5-flash');
    assert.equal(m.providerId, 'google');
    assert.equal(m.wireModel, 'gemini-2.5-flash');
  });

  test('an unconfigured vendor goes through openrouter with the whole id', () => {
    const m = resolverFor({ providers: [{ id: 'openai' }, { id: 'openrouter' }] }).resolveModel('anthropic/claude-3-opus');
    assert.equal(m.providerId, 'openrouter');
    assert.equal(m.wireModel, 'anthropic/claude-3-opus');
    assert.equal(m.viaOpenRouter, true);
    assert.equal(m.id, 'anthropic/claude-3-opus');
  });

  test('openrouter/auto keeps its prefix; openrouter/<vendor>/<model> drops it', () => {
    const r = resolverFor({ providers: [{ id: 'openrouter' }] });
    const auto = r.resolveModel('openrouter/auto');
    assert.equal(auto.providerId, 'openrouter');
    assert.equal(auto.wireModel, 'openrouter/auto');
    assert.equal(auto.viaOpenRouter, true);
    assert.equal(r.resolveModel('openrouter/anthropic/claude-3-opus').wireModel, 'anthropic/claude-3-opus');
  });

  test('nothing configured for a preset vendor: a config error naming the provider, its key variable and openrouter', () => {
    const e = thrown(() => resolverFor({ providers: [{ id: 'openai' }] }, 'the config file /tmp/sb.json').resolveModel('mistral/mistral-large-latest'));
    assert.equal(e.kind, 'config');
    assert.equal(e.provider, 'mistral');
    assert.match(e.message, /provider "mistral" is not configured \(needed for "mistral\/mistral-large-latest"\)/);
    assert.match(e.fix ?? '', /add \{"id": "mistral"\} to "providers" in the config file \/tmp\/sb\.json and set MISTRAL_API_KEY/);
    assert.match(e.fix ?? '', /configure "openrouter"/);
  });

  test("a front end's own fix for an unconfigured preset (VS Code: Set API Key) replaces the config-file advice; null keeps it", () => {
    const cfg = parseConfig({ providers: [{ id: 'openai' }] });
    const fix = (id: string): string | null => (id === 'mistral' ? 'run "Set API Key" for Mistral' : null);
    const r = new ModelResolver(cfg.providers.map(resolveProvider), cfg.routes, 'settings', {}, [], fix);
    const e = thrown(() => r.resolveModel('mistral/mistral-large-latest'));
    assert.match(e.fix ?? '', /^run "Set API Key" for Mistral, or configure "openrouter"/);
    assert.doesNotMatch(e.fix ?? '', /MISTRAL_API_KEY/);
    assert.match(
      thrown(() => r.resolveModel('groq/llama-3.3-70b-versatile')).fix ?? '',
      /add \{"id": "groq"\} to "providers" in settings and set GROQ_API_KEY/,
    );
    assert.match(thrown(() => r.resolveModel('acme/model-1')).fix ?? '', /"kind": "openai", "baseUrl"/);
  });

  test('nothing configured for an unknown vendor: the fix shows a custom endpoint entry', () => {
    const e = thrown(() => resolverFor({}).resolveModel('acme/model-1'));
    assert.equal(e.kind, 'config');
    assert.equal(e.provider, 'acme');
    assert.match(e.fix ?? '', /add \{"id": "acme", "kind": "openai", "baseUrl": "…"\} to "providers"/);
  });

  test('an id without a provider is a config error with an example', () => {
    for (const id of ['gpt-4o', '/gpt-4o', 'openai/']) {
      const e = thrown(() => resolverFor({ providers: [{ id: 'openai' }] }).resolveModel(id));
      assert.equal(e.kind, 'config');
      assert.match(e.message, /is not a model id/);
      assert.match(e.fix ?? '', /provider\/model/);
    }
  });

  test('route/<id> names a route; an unknown route lists the known ones', () => {
    const r = resolverFor({
      providers: [{ id: 'openai' }],
      routes: [
        { id: 'fast', models: ['openai/gpt-4o-mini'] },
        { id: 'smart', models: ['openai/gpt-4o'] },
      ],
    });
    const t = r.resolve('route/fast');
    assert.equal(t.type, 'route');
    assert.equal(t.type === 'route' && t.route.models[0], 'openai/gpt-4o-mini');
    const m = r.resolve('openai/gpt-4o');
    assert.equal(m.type === 'model' && m.model.wireModel, 'gpt-4o');
    const e = thrown(() => r.resolve('route/slow'));
    assert.equal(e.kind, 'config');
    assert.match(e.message, /unknown route "route\/slow"/);
    assert.equal(e.fix, 'known routes: route/fast, route/smart');
    const none = thrown(() => resolverFor({}, 'settings').resolve('route/x'));
    assert.equal(none.fix, 'add it to "routes" in settings');
  });
});

test('the provider kinds are one list: the settings schema in package.json offers exactly PROVIDER_KINDS', async () => {
  const { PROVIDER_KINDS } = await import('../../src/core/providers/presets.ts');
  const { readFileSync } = await import('node:fs');
  const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as {
    contributes: { configuration: { properties: Record<string, { items?: { properties?: { kind?: { enum?: string[] } } } }> } };
  };
  assert.deepEqual(pkg.contributes.configuration.properties['switchboard.providers']?.items?.properties?.kind?.enum, [...PROVIDER_KINDS]);
});
