// Model aliases in the config: names an agent insists on → the model or route to use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, resolveProvider } from '../../src/core/config.ts';
import { ModelResolver } from '../../src/core/resolve.ts';

test('aliases resolve one step to a model or a route; an alias of an alias and a bare target are refused by the schema', () => {
  const cfg = parseConfig({
    providers: [{ id: 'openai' }],
    routes: [{ id: 'smart', models: ['openai/gpt-4.1'] }],
    aliases: { 'claude-sonnet-4-5': 'route/smart', 'gpt-5-codex': 'openai/gpt-4.1' },
  });
  const r = new ModelResolver(cfg.providers.map(resolveProvider), cfg.routes, 'the config', cfg.aliases);
  assert.equal(r.resolve('claude-sonnet-4-5').type, 'route');
  const m = r.resolve('gpt-5-codex');
  assert.ok(m.type === 'model' && m.model.id === 'openai/gpt-4.1' && m.model.wireModel === 'gpt-4.1');
  assert.throws(
    () => r.resolve('claude-opus-9'),
    (e: Error) => /claude-opus-9/.test(e.message) && /claude-sonnet-4-5, gpt-5-codex, route\/smart/.test(e.message) && /aliases/.test(e.message),
  );
  assert.throws(() => parseConfig({ aliases: { a: 'openai/x', b: 'a' } }), /aliases/);
  assert.throws(() => parseConfig({ aliases: { b: 'openai/x', c: 'b' } }), /another alias|provider\/model/);
});
