// Which picked models can still be asked (a comparison's chips outlive the catalog they came from):
// a provider gone from the settings, a preset that lost its key, a route removed, a provider with no key.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createClient, type ResolvedProvider } from '../../src/core/index.ts';
import { unavailableModels, unavailableWhy } from '../../src/host/common/modelAvailability.ts';

const keys = (held: Record<string, string>) => (p: ResolvedProvider) => held[p.id];

describe('models that cannot be asked now', () => {
  const client = createClient(
    {
      providers: [{ id: 'openai' }, { id: 'ollama' }, { id: 'corp', kind: 'openai', baseUrl: 'https://llm.corp.example/v1', apiKeyEnv: 'CORP_KEY' }],
      routes: [{ id: 'fast', models: ['openai/gpt-4o-mini', 'corp/big'] }],
    },
    { env: {}, getApiKey: () => undefined },
  );
  after(() => client.close());

  test('a model of a configured provider with its key, a keyless local one and a route are available', () => {
    const withKeys = keys({ openai: 'sk-a', corp: 'sk-b' });
    assert.equal(unavailableWhy(client, withKeys, 'openai/gpt-4o-mini'), null);
    assert.equal(unavailableWhy(client, withKeys, 'ollama/llama3'), null);
    assert.equal(unavailableWhy(client, keys({}), 'route/fast'), null, 'a route fails over: its members say for themselves');
  });

  test('a provider that is not configured (removed, or a preset whose key was removed) or a removed route says why and what fixes it', () => {
    assert.equal(
      unavailableWhy(client, keys({}), 'anthropic/claude-sonnet-4'),
      'provider "anthropic" is not configured (needed for "anthropic/claude-sonnet-4"): add {"id": "anthropic"} to "providers" in the config file and set ANTHROPIC_API_KEY, or configure "openrouter" to reach every vendor/model through OpenRouter',
    );
    assert.match(unavailableWhy(client, keys({}), 'route/gone') ?? '', /^unknown route "route\/gone": /);
  });

  test('a configured provider with no key stored names the command that sets one', () => {
    assert.equal(unavailableWhy(client, keys({ openai: 'sk-a' }), 'corp/big'), 'no API key for provider "corp": run "Switchboard: Set API Key" for corp');
    assert.deepEqual(unavailableModels(client, keys({ corp: 'sk-b' }), ['openai/gpt-4o', 'corp/big', 'openai/gpt-4o', 'ollama/llama3']), {
      'openai/gpt-4o': 'no API key for provider "openai": run "Switchboard: Set API Key" for OpenAI',
    });
  });
});
