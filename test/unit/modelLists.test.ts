// Live model lists from every protocol: parsing recorded real-shaped responses, the catalog's
// refresh against the fakes of each protocol, and the gateway's /v1/models over all of them.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeProvider } from '../fakes/server.ts';
import type { FakeServer } from '../fakes/types.ts';
import { parseAnthropicModels, parseGeminiModels, parseOpenAIModels, parseOpenRouterModels } from '../../src/core/catalog/catalog.ts';
import { createClient } from '../../src/core/client.ts';
import { startGateway } from '../../src/gateway/server.ts';

const KEY = 'sk-test-models-0123456789';
const TOKEN = 'gw-models-token-0123456789abcdef';
const fakes: FakeServer[] = [];
after(() => Promise.all(fakes.map((f) => f.close())));

describe('model list parsing (recorded shapes)', () => {
  test('Anthropic GET /v1/models', () => {
    const body = {
      data: [
        { type: 'model', id: 'claude-sonnet-4-5-20250929', display_name: 'Claude Sonnet 4.5', created_at: '2025-09-29T00:00:00Z' },
        {
          type: 'model',
          id: 'claude-haiku-4-5-20251001',
          display_name: 'Claude Haiku 4.5',
          created_at: '2025-10-15T00:00:00Z',
          max_input_tokens: 200000,
          max_tokens: 64000,
        },
        { type: 'model', display_name: 'no id' },
      ],
      has_more: false,
      first_id: 'claude-sonnet-4-5-20250929',
      last_id: 'claude-haiku-4-5-20251001',
    };
    assert.deepEqual(parseAnthropicModels(body), [
      { model: 'claude-sonnet-4-5-20250929', name: 'Claude Sonnet 4.5', contextLength: null, maxOutput: null, price: null },
      { model: 'claude-haiku-4-5-20251001', name: 'Claude Haiku 4.5', contextLength: 200000, maxOutput: 64000, price: null },
    ]);
  });

  test('Gemini GET /v1beta/models: limits, and only generateContent models', () => {
    const body = {
      models: [
        {
          name: 'models/gemini-2.5-pro',
          version: '2.5',
          displayName: 'Gemini 2.5 Pro',
          inputTokenLimit: 1048576,
          outputTokenLimit: 65536,
          supportedGenerationMethods: ['generateContent', 'countTokens', 'createCachedContent', 'batchGenerateContent'],
          temperature: 1,
          topP: 0.95,
          topK: 64,
          maxTemperature: 2,
          thinking: true,
        },
        {
          name: 'models/gemini-embedding-001',
          version: '001',
          displayName: 'Gemini Embedding 001',
          inputTokenLimit: 2048,
          outputTokenLimit: 1,
          supportedGenerationMethods: ['embedContent', 'countTextTokens', 'countTokens', 'asyncBatchEmbedContent'],
        },
        {
          name: 'models/gemini-2.0-flash',
          displayName: 'Gemini 2.0 Flash',
          inputTokenLimit: 1048576,
          outputTokenLimit: 8192,
          supportedGenerationMethods: ['generateContent', 'countTokens'],
        },
      ],
      nextPageToken: '',
    };
    assert.deepEqual(parseGeminiModels(body), [
      { model: 'gemini-2.5-pro', name: 'Gemini 2.5 Pro', contextLength: 1048576, maxOutput: 65536, price: null, capabilities: { reasoning: true } },
      { model: 'gemini-2.0-flash', name: 'Gemini 2.0 Flash', contextLength: 1048576, maxOutput: 8192, price: null },
    ]);
    assert.throws(() => parseGeminiModels({ models: 'x' }), /models/);
  });

  test('OpenAI-compatible and OpenRouter /models', () => {
    assert.deepEqual(parseOpenAIModels({ object: 'list', data: [{ id: 'gpt-4o', object: 'model', created: 1715367049, owned_by: 'system' }] }), [
      { model: 'gpt-4o', name: null, contextLength: null, maxOutput: null, price: null },
    ]);
    const or = parseOpenRouterModels({
      data: [
        {
          id: 'anthropic/claude-sonnet-4.5',
          name: 'Anthropic: Claude Sonnet 4.5',
          context_length: 1000000,
          pricing: { prompt: '0.000003', completion: '0.000015', input_cache_read: '0.0000003', input_cache_write: '0.00000375' },
          top_provider: { context_length: 1000000, max_completion_tokens: 64000, is_moderated: true },
          supported_parameters: [
            'include_reasoning',
            'max_tokens',
            'reasoning',
            'response_format',
            'stop',
            'structured_outputs',
            'temperature',
            'tool_choice',
            'tools',
            'top_k',
            'top_p',
          ],
          architecture: { input_modalities: ['text', 'image', 'file'], output_modalities: ['text'] },
        },
      ],
    });
    assert.equal(or[0]?.price?.input, 3);
    assert.equal(or[0]?.price?.cachedInput, 0.3);
    assert.equal(or[0]?.maxOutput, 64000);
    assert.equal(or[0]?.capabilities?.toolCalling, true);
  });
});

describe('the catalog and the gateway list every protocol’s models', () => {
  test('a custom Anthropic endpoint and a Gemini provider list their models; /v1/models and /v1/models/{id} serve them', async () => {
    const anthropic = await startFakeProvider('anthropic', { apiKey: KEY });
    const gemini = await startFakeProvider('gemini', { apiKey: KEY });
    const openai = await startFakeProvider('openai', { apiKey: KEY });
    const openrouter = await startFakeProvider('openrouter', { apiKey: KEY });
    fakes.push(anthropic, gemini, openai, openrouter);
    const client = createClient(
      {
        providers: [
          { id: 'work', kind: 'anthropic', baseUrl: anthropic.baseUrl, apiKeyEnv: 'K' },
          { id: 'google', baseUrl: gemini.baseUrl, apiKeyEnv: 'K' },
          { id: 'openai', baseUrl: openai.baseUrl, apiKeyEnv: 'K' },
          { id: 'openrouter', baseUrl: openrouter.baseUrl, apiKeyEnv: 'K' },
        ],
      },
      { env: { K: KEY } },
    );
    const r = await client.catalog.refresh({ force: true });
    assert.deepEqual(r.errors, []);
    assert.deepEqual([...r.refreshed].sort(), ['google', 'openai', 'openrouter', 'work']);
    // Anthropic's list was asked with its version header and the key as x-api-key
    const list = anthropic.requests.find((x) => x.method === 'GET' && x.path === '/v1/models');
    assert.ok(list, 'GET /v1/models on the Anthropic endpoint');
    assert.equal(list.headers['x-api-key'], KEY);
    assert.ok(list.headers['anthropic-version']);
    assert.equal(gemini.requests.find((x) => x.method === 'GET' && x.path === '/v1beta/models')?.headers['x-goog-api-key'], KEY);

    const ids = client.catalog
      .list()
      .filter((m) => m.available)
      .map((m) => m.id);
    for (const id of [
      'work/claude-sonnet-4-20250514',
      'work/claude-3-5-haiku-20241022',
      'google/gemini-2.5-flash',
      'google/gemini-2.5-pro',
      'openai/gpt-4o-mini',
      'openrouter/meta-llama/llama-3.1-8b-instruct:free',
    ]) {
      assert.ok(ids.includes(id), `${id} missing from ${ids.join(', ')}`);
    }
    // The Gemini list's limits; a custom endpoint's price stays unknown (no guess from the model's name).
    assert.equal(client.catalog.get('google/gemini-2.5-pro')?.contextLength, 1048576);
    assert.equal(client.catalog.get('google/gemini-2.5-pro')?.priceSource, 'database');
    assert.equal(client.catalog.get('work/claude-3-5-haiku-20241022')?.price, null);

    const gw = await startGateway({ client, token: TOKEN, port: 0 });
    try {
      const res = await fetch(`${gw.url}/models`, { headers: { authorization: `Bearer ${TOKEN}` } });
      const body = (await res.json()) as { data: { id: string; owned_by: string }[] };
      const served = body.data.map((m) => m.id);
      for (const id of ['work/claude-sonnet-4-20250514', 'google/gemini-2.5-pro', 'openai/gpt-4o', 'openrouter/anthropic/claude-3.5-sonnet'])
        assert.ok(served.includes(id), `${id} not in /v1/models`);
      const one = await fetch(`${gw.url}/models/${encodeURIComponent('work/claude-sonnet-4-20250514')}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(one.status, 200);
      assert.deepEqual(((await one.json()) as { id: string; owned_by: string }).owned_by, 'work');
      const missing = await fetch(`${gw.url}/models/${encodeURIComponent('work/no-such-model')}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(missing.status, 404);
    } finally {
      await gw.close();
      await client.close();
    }
  });
});
