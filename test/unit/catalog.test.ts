import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { parseConfig, resolveProvider, type ConfigInput } from '../../src/core/config.ts';
import { findPreset } from '../../src/core/providers/presets.ts';
import { emptyUsage, type Usage } from '../../src/core/types.ts';
import { formatUsd } from '../../src/shared/format.ts';
import {
  Catalog,
  computeCost,
  estimateCost,
  estimateMessageTokens,
  estimateTokens,
  findSnapshot,
  openrouterSlugOf,
  parseOpenRouterModels,
  perTokenToPerMillion,
  SNAPSHOT,
  SNAPSHOT_DATE,
  type CatalogOptions,
} from '../../src/core/catalog/index.ts';

function usage(u: Partial<Usage>): Usage {
  return { ...emptyUsage(), ...u };
}

function setup(input: ConfigInput): { config: ReturnType<typeof parseConfig>; providers: ReturnType<typeof resolveProvider>[] } {
  const config = parseConfig(input);
  return { config, providers: config.providers.map(resolveProvider) };
}

function catalog(input: ConfigInput, extra: Partial<CatalogOptions> = {}): Catalog {
  return new Catalog({ ...setup(input), getApiKey: () => undefined, cacheFile: null, ...extra });
}

describe('computeCost', () => {
  const price = { input: 2, output: 8, cachedInput: 0.5 };

  test('price × tokens per 1M', () => {
    assert.equal(computeCost(usage({ inputTokens: 1000, outputTokens: 500 }), { input: 2, output: 8 }), 0.006);
  });

  test('cached input is charged at cachedInput and not again at the input price', () => {
    // 600 uncached × 2 + 400 cached × 0.5 + 500 × 8 = 5400 per 1M
    assert.equal(computeCost(usage({ inputTokens: 1000, cachedInputTokens: 400, outputTokens: 500 }), price), 0.0054);
  });

  test('cached input falls back to the input price when the cache price is unknown', () => {
    assert.equal(computeCost(usage({ inputTokens: 1000, cachedInputTokens: 400, outputTokens: 500 }), { input: 2, output: 8 }), 0.006);
  });

  test('reasoning tokens are part of output and not charged twice', () => {
    const a = computeCost(usage({ inputTokens: 1000, outputTokens: 500 }), price);
    const b = computeCost(usage({ inputTokens: 1000, outputTokens: 500, reasoningTokens: 300 }), price);
    assert.equal(a, b);
  });

  test('cached tokens above the input count are clamped', () => {
    assert.equal(computeCost(usage({ inputTokens: 100, cachedInputTokens: 500, outputTokens: 0 }), price), 0.00005);
  });

  test('the provider-reported cost wins, even without a price', () => {
    assert.equal(computeCost(usage({ inputTokens: 1000, outputTokens: 500 }), price, 0.123), 0.123);
    assert.equal(computeCost(usage({}), null, 0.5), 0.5);
    assert.equal(computeCost(usage({ inputTokens: 1000, outputTokens: 500 }), price, 0), 0);
    assert.equal(computeCost(usage({ inputTokens: 1000, outputTokens: 500 }), { input: 2, output: 8 }, null), 0.006);
    assert.equal(computeCost(usage({ inputTokens: 1000, outputTokens: 500 }), { input: 2, output: 8 }, Number.NaN), 0.006);
  });

  test('null, never 0, when the price or a token count is unknown', () => {
    assert.equal(computeCost(usage({ inputTokens: 1000, outputTokens: 500 }), null), null);
    assert.equal(computeCost(usage({ inputTokens: null, outputTokens: 500 }), price), null);
    assert.equal(computeCost(usage({ inputTokens: 1000, outputTokens: null }), price), null);
    assert.equal(computeCost(emptyUsage(), price), null);
  });

  test('a free model costs a real 0', () => {
    assert.equal(computeCost(usage({ inputTokens: 1000, outputTokens: 500 }), { input: 0, output: 0 }), 0);
  });

  test('a config.pricing override wins over the snapshot price', () => {
    const c = catalog({ providers: [{ id: 'openai' }], pricing: { 'openai/gpt-4o': { input: 1, output: 1 } } });
    assert.deepEqual(c.priceFor('openai/gpt-4o'), { input: 1, output: 1 });
    assert.equal(computeCost(usage({ inputTokens: 1_000_000, outputTokens: 1_000_000 }), c.priceFor('openai/gpt-4o')), 2);
    // without the override the snapshot price applies
    const plain = catalog({ providers: [{ id: 'openai' }] });
    assert.deepEqual(plain.priceFor('openai/gpt-4o'), { input: 2.5, output: 10, cachedInput: 1.25, webSearch: 0.01 });
  });
});

describe('estimates and formatting', () => {
  test('estimateCost: all input at the uncached price; null only for a null price', () => {
    assert.equal(estimateCost(1000, 1000, { input: 2, output: 8, cachedInput: 0.1 }), 0.01);
    assert.equal(estimateCost(1000, 1000, null), null);
  });

  test('estimateTokens: ~4 chars per token, CJK ~1 per char, rounded up', () => {
    assert.equal(estimateTokens(''), 0);
    assert.equal(estimateTokens('abcd'), 1);
    assert.equal(estimateTokens('abcde'), 2);
    assert.equal(estimateTokens('x'.repeat(4000)), 1000);
    assert.equal(estimateTokens('你好世界'), 4);
  });

  test('estimateMessageTokens counts every message text, framing and images', () => {
    const n = estimateMessageTokens([
      { role: 'system', content: 'abcd' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'abcdefgh' },
          { type: 'image', source: { type: 'url', url: 'https://x/y.png' }, detail: 'low' },
        ],
      },
    ]);
    assert.equal(n, 4 + 1 + 4 + 2 + 85);
  });

  test('estimateMessageTokens holds an image by its detail: original is bounded by the 10,000-patch cap, not the high tile set', () => {
    const image = (detail?: 'low' | 'high' | 'auto' | 'original') =>
      estimateMessageTokens([{ role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'https://x/y.png' }, ...(detail ? { detail } : {}) }] }]) -
      4;
    assert.equal(image('low'), 85);
    assert.equal(image('high'), 765);
    assert.equal(image('auto'), 765);
    assert.equal(image(), 765);
    assert.equal(image('original'), 10_000);
  });

  test('formatUsd', () => {
    assert.equal(formatUsd(null), '—');
    assert.equal(formatUsd(0), '$0.00');
    assert.equal(formatUsd(0.0012), '$0.0012');
    assert.equal(formatUsd(0.001), '$0.001');
    assert.equal(formatUsd(0.000034), '$0.000034');
    assert.equal(formatUsd(0.0512), '$0.0512');
    assert.equal(formatUsd(0.5), '$0.50');
    assert.equal(formatUsd(12.345), '$12.35');
    assert.equal(formatUsd(1234.5), '$1,234.50');
    assert.equal(formatUsd(1e-9), '<$0.000001');
    assert.equal(formatUsd(-0.25), '-$0.25');
  });

  test('perTokenToPerMillion', () => {
    assert.equal(perTokenToPerMillion('0.0000025'), 2.5);
    assert.equal(perTokenToPerMillion('0.000000075'), 0.075);
    assert.equal(perTokenToPerMillion('0'), 0);
    assert.equal(perTokenToPerMillion('-1'), null);
    assert.equal(perTokenToPerMillion('abc'), null);
    assert.equal(perTokenToPerMillion(''), null);
    assert.equal(perTokenToPerMillion(undefined), null);
  });
});

describe('snapshot', () => {
  test('has a dated, sane list of popular models', () => {
    assert.match(SNAPSHOT_DATE, /^\d{4}-\d{2}-\d{2}$/);
    assert.ok(SNAPSHOT.length >= 30 && SNAPSHOT.length <= 50, `${SNAPSHOT.length} entries`);
    const ids = SNAPSHOT.map((m) => m.id);
    assert.equal(new Set(ids).size, ids.length, 'unique ids');
    for (const m of SNAPSHOT) {
      const provider = m.id.slice(0, m.id.indexOf('/'));
      assert.ok(findPreset(provider), `${m.id}: provider is a preset`);
      assert.ok(m.name.length > 0, `${m.id}: name`);
      assert.ok(Number.isInteger(m.contextLength) && m.contextLength > 0, `${m.id}: context`);
      if (m.maxOutput !== undefined) assert.ok(m.maxOutput > 0 && m.maxOutput <= m.contextLength, `${m.id}: maxOutput`);
      // Prices come from the price database: every snapshot model has one there.
      const p = new Catalog({ config: parseConfig({}), providers: [], getApiKey: () => undefined, cacheFile: null }).priceFor(m.id);
      assert.ok(p && Number.isFinite(p.input) && Number.isFinite(p.output), `${m.id}: price in the database`);
      if (p.cachedInput !== undefined) assert.ok(p.cachedInput <= p.input, `${m.id}: cache price ≤ input price`);
    }
  });

  test('every alias and OpenRouter slug points at exactly one entry', () => {
    const owner = new Map<string, string>();
    for (const m of SNAPSHOT) {
      const provider = m.id.slice(0, m.id.indexOf('/'));
      const keys = new Set([m.id, ...(m.aliases ?? []).map((a) => `${provider}/${a}`), ...(openrouterSlugOf(m) ? [openrouterSlugOf(m)!] : [])]);
      for (const k of keys) {
        assert.ok(!owner.has(k) || owner.get(k) === m.id, `${k} claimed by ${owner.get(k)} and ${m.id}`);
        owner.set(k, m.id);
        assert.equal(findSnapshot(k)?.id, m.id);
      }
    }
  });

  test('covers the well-known models and resolves aliases', () => {
    for (const id of [
      'openai/gpt-4o',
      'openai/gpt-4o-mini',
      'openai/gpt-4.1',
      'openai/gpt-5',
      'openai/o3',
      'openai/o4-mini',
      'google/gemini-2.5-pro',
      'google/gemini-2.5-flash',
      'google/gemini-2.5-flash-lite',
      'google/gemini-2.0-flash',
      'mistral/mistral-large-latest',
      'mistral/codestral-latest',
      'groq/llama-3.3-70b-versatile',
      'deepseek/deepseek-chat',
      'deepseek/deepseek-reasoner',
      'xai/grok-3',
      'xai/grok-4',
    ]) {
      assert.ok(findSnapshot(id), id);
    }
    assert.equal(findSnapshot('anthropic/claude-sonnet-4')?.id, 'anthropic/claude-sonnet-4-20250514');
    assert.equal(findSnapshot('anthropic/claude-sonnet-4-0')?.id, 'anthropic/claude-sonnet-4-20250514');
    assert.equal(findSnapshot('anthropic/claude-3.5-haiku')?.id, 'anthropic/claude-3-5-haiku-20241022');
    assert.equal(findSnapshot('anthropic/claude-3-opus')?.id, 'anthropic/claude-3-opus-20240229');
    assert.equal(findSnapshot('anthropic/claude-opus-4')?.id, 'anthropic/claude-opus-4-20250514');
    assert.equal(findSnapshot('gemini/gemini-2.5-pro')?.id, 'google/gemini-2.5-pro');
    assert.equal(findSnapshot('openai/gpt-4o-2024-08-06')?.id, 'openai/gpt-4o');
    assert.equal(findSnapshot('openai/no-such-model'), undefined);
  });
});

describe('Catalog lookups (no network)', () => {
  test('direct providers are available; others are not without OpenRouter', () => {
    const c = catalog({ providers: [{ id: 'openai' }] });
    const gpt = c.get('openai/gpt-4o');
    assert.equal(gpt?.available, true);
    assert.equal(gpt?.via, 'direct');
    assert.equal(gpt?.source, 'snapshot');
    assert.equal(gpt?.contextLength, 128_000);
    const claude = c.get('anthropic/claude-sonnet-4-20250514');
    assert.equal(claude?.available, false);
    assert.equal(claude?.via, null);
    // The price database's Anthropic prices, cache writes included.
    assert.deepEqual(claude?.price, { input: 3, output: 15, cachedInput: 0.3, cacheWrite5m: 3.75, cacheWrite1h: 6, webSearch: 0.01 });
    assert.equal(claude?.priceSource, 'database');
    assert.equal(c.get('openai/no-such-model'), undefined);
    assert.equal(c.priceFor('openai/no-such-model'), null);
    assert.equal(c.priceFor('not-an-id'), null);
    assert.equal(c.contextLength('openai/gpt-4.1'), 1_047_576);
    assert.ok(c.list().some((m) => m.id === 'openai/gpt-4o' && m.available));
  });

  test('with OpenRouter configured, vendor models are listed under ids OpenRouter accepts', () => {
    const c = catalog({ providers: [{ id: 'openrouter' }] });
    const listed = new Map(c.list().map((m) => [m.id, m]));
    const sonnet = listed.get('anthropic/claude-sonnet-4');
    assert.ok(sonnet, 'listed under the OpenRouter slug');
    assert.equal(sonnet.available, true);
    assert.equal(sonnet.via, 'openrouter');
    assert.equal(sonnet.name, 'Claude Sonnet 4');
    assert.ok(!listed.has('anthropic/claude-sonnet-4-20250514'));
    // a dated Anthropic id is not an OpenRouter slug
    assert.equal(c.get('anthropic/claude-sonnet-4-20250514')?.available, false);
    // no OpenRouter equivalent known: not reachable
    assert.equal(listed.get('groq/llama-3.3-70b-versatile')?.available, false);
    assert.equal(c.get('openai/gpt-4o')?.via, 'openrouter');
  });

  test('configured provider models and config.pricing keys are listed with source "config"', () => {
    const c = catalog({
      providers: [{ id: 'ollama', models: ['llama3.2'] }],
      pricing: { 'acme/widget-1': { input: 1, output: 2 }, 'ollama/llama3.2': { input: 0, output: 0 } },
    });
    const listed = new Map(c.list().map((m) => [m.id, m]));
    assert.equal(listed.get('ollama/llama3.2')?.source, 'config');
    assert.equal(listed.get('ollama/llama3.2')?.available, true);
    assert.deepEqual(listed.get('ollama/llama3.2')?.price, { input: 0, output: 0 });
    assert.equal(listed.get('acme/widget-1')?.source, 'config');
    assert.equal(listed.get('acme/widget-1')?.available, false);
    assert.deepEqual(c.priceFor('acme/widget-1'), { input: 1, output: 2 });
    assert.equal(listed.get('ollama/llama3.2')?.contextLength, null);
  });

  test('a config override on the canonical id also prices its aliases', () => {
    const c = catalog({ providers: [{ id: 'anthropic' }], pricing: { 'anthropic/claude-sonnet-4-20250514': { input: 1, output: 2 } } });
    assert.deepEqual(c.priceFor('anthropic/claude-sonnet-4-0'), { input: 1, output: 2 });
  });
});

// ── refresh against a local server ────────────────────────────────────────

const OR_KEY = 'sk-or-v1-abcdef123456';
const LOCAL_KEY = 'sk-local-key-987654';
const BROKEN_KEY = 'sk-broken-secret-1234567';

const openRouterModels = {
  data: [
    {
      id: 'anthropic/claude-sonnet-4',
      name: 'Anthropic: Claude Sonnet 4',
      context_length: 1_000_000,
      pricing: {
        prompt: '0.0000031',
        completion: '0.000015',
        input_cache_read: '0.0000003',
        input_cache_write: '0.00000375',
        request: '0',
        image: '0.0048',
      },
      top_provider: { context_length: 1_000_000, max_completion_tokens: 64_000 },
      architecture: { input_modalities: ['text', 'image'] },
    },
    {
      id: 'openai/gpt-4o',
      name: 'OpenAI: GPT-4o',
      context_length: 128_000,
      pricing: { prompt: '0.0000025', completion: '0.00001' },
      top_provider: { context_length: 128_000, max_completion_tokens: 16_384 },
    },
    { id: 'openrouter/auto', name: 'Auto Router', context_length: 2_000_000, pricing: { prompt: '-1', completion: '-1' } },
    { id: 'weird/garbage-price', name: 'Garbage', context_length: 'lots', pricing: { prompt: 'abc', completion: '0.000001' } },
    { id: 'meta-llama/llama-3.3-70b-instruct:free', context_length: 131_072, pricing: { prompt: '0', completion: '0' } },
    null,
    'not an object',
    { name: 'no id' },
    { id: 42, name: 'numeric id' },
    { id: '   ' },
  ],
};

const openAIModels = {
  object: 'list',
  data: [
    { id: 'llama-3-8b', object: 'model', owned_by: 'me', max_model_len: 8192 },
    { id: 'text-embedding-3-small', object: 'model' },
    { id: 7 },
    { object: 'model' },
  ],
};

interface Seen {
  path: string;
  headers: IncomingHttpHeaders;
}

describe('Catalog.refresh', () => {
  let server: Server;
  let base: string;
  let closedPort: number;
  const seen: Seen[] = [];
  const agent = new Agent();
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-catalog-'));
    server = createServer((req, res) => {
      seen.push({ path: req.url ?? '', headers: req.headers });
      const send = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(typeof body === 'string' ? body : JSON.stringify(body));
      };
      if (req.url === '/api/v1/models') return send(200, openRouterModels);
      if (req.url === '/v1/models') {
        if (req.headers.authorization !== `Bearer ${LOCAL_KEY}`) return send(401, { error: { message: 'bad key', type: 'invalid_request_error' } });
        return send(200, openAIModels);
      }
      if (req.url === '/broken/v1/models') {
        // Providers sometimes echo the key back.
        return send(401, {
          error: { message: `Incorrect API key provided: ${req.headers.authorization?.slice(7)}`, type: 'invalid_request_error', code: 'invalid_api_key' },
        });
      }
      if (req.url === '/gemini/v1beta/models?pageSize=1000') {
        if (req.headers['x-goog-api-key'] !== 'g-key-0000')
          return send(400, { error: { code: 400, message: 'API key not valid.', status: 'INVALID_ARGUMENT' } });
        return send(200, {
          models: [
            {
              name: 'models/gemini-2.5-flash',
              displayName: 'Gemini 2.5 Flash',
              inputTokenLimit: 1048576,
              outputTokenLimit: 65536,
              supportedGenerationMethods: ['generateContent', 'countTokens'],
            },
          ],
        });
      }
      if (req.url === '/html/v1/models') {
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end('<html>login</html>');
      }
      send(404, { error: { message: 'not found' } });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // A port nobody listens on.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    closedPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  });

  after(async () => {
    await agent.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  function config(): ConfigInput {
    return {
      providers: [
        { id: 'openrouter', baseUrl: `${base}/api/v1` },
        { id: 'local', kind: 'openai', baseUrl: `${base}/v1` },
        { id: 'broken', kind: 'openai', baseUrl: `${base}/broken/v1` },
        { id: 'down', kind: 'openai', baseUrl: `http://127.0.0.1:${closedPort}/v1` },
        { id: 'nokey', kind: 'openai', baseUrl: `${base}/nokey/v1` },
        { id: 'html', kind: 'openai', baseUrl: `${base}/html/v1`, auth: 'none' },
        // Gemini protocol: its own list endpoint and key header.
        { id: 'google', baseUrl: `${base}/gemini/v1beta` },
      ],
    };
  }

  const keys: Record<string, string> = { openrouter: OR_KEY, broken: BROKEN_KEY, down: 'sk-down-key-000', google: 'g-key-0000' };
  const getApiKey = async (id: string): Promise<string | undefined> => (id === 'local' ? LOCAL_KEY : keys[id]);

  function make(extra: Partial<CatalogOptions> = {}, input: ConfigInput = config()): Catalog {
    return new Catalog({ ...setup(input), getApiKey, dispatcher: agent, cacheFile: null, ...extra });
  }

  test('fetches OpenRouter, OpenAI-protocol and Gemini lists; one failure does not block the others', async () => {
    seen.length = 0;
    const c = make();
    assert.equal(c.isStale(), true);
    const r = await c.refresh();
    assert.deepEqual(r.refreshed.sort(), ['google', 'local', 'openrouter']);
    const byId = new Map(r.errors.map((e) => [e.providerId, e]));
    assert.deepEqual([...byId.keys()].sort(), ['broken', 'down', 'html', 'nokey']);
    assert.equal(byId.get('broken')?.kind, 'auth');
    assert.equal(byId.get('down')?.kind, 'network');
    assert.equal(byId.get('nokey')?.kind, 'auth');
    assert.equal(byId.get('html')?.kind, 'invalid_response');
    assert.equal(c.isStale(), false);

    // auth headers and preset headers were sent; no request for the keyless provider
    const local = seen.find((s) => s.path === '/v1/models');
    assert.equal(local?.headers.authorization, `Bearer ${LOCAL_KEY}`);
    const or = seen.find((s) => s.path === '/api/v1/models');
    assert.equal(or?.headers.authorization, `Bearer ${OR_KEY}`);
    assert.equal(or?.headers['x-title'], 'Switchboard');
    assert.equal(seen.find((s) => s.path === '/html/v1/models')?.headers.authorization, undefined);
    assert.ok(!seen.some((s) => s.path.startsWith('/nokey')));
    assert.equal(seen.find((s) => s.path.startsWith('/gemini/'))?.headers['x-goog-api-key'], 'g-key-0000');
    assert.equal(c.get('google/gemini-2.5-flash')?.source, 'provider');
  });

  test('never puts an API key in an error message', async () => {
    const r = await make().refresh({ force: true });
    const broken = r.errors.find((e) => e.providerId === 'broken');
    assert.ok(broken);
    assert.match(broken.message, /broken/);
    assert.match(broken.message, /Incorrect API key provided/);
    for (const e of r.errors)
      for (const k of [BROKEN_KEY, OR_KEY, LOCAL_KEY, ...Object.values(keys)]) assert.ok(!e.message.includes(k), `${e.providerId}: ${e.message}`);
  });

  test('converts per-token prices to per-1M and skips bad entries', async () => {
    const c = make();
    await c.refresh();
    // openrouter/<slug> ids
    // cache reads and writes at OpenRouter's own rates (input_cache_read / input_cache_write)
    assert.deepEqual(c.priceFor('openrouter/anthropic/claude-sonnet-4'), { input: 3.1, output: 15, cachedInput: 0.3, cacheWrite5m: 3.75 });
    assert.deepEqual(c.priceFor('openrouter/openai/gpt-4o'), { input: 2.5, output: 10 });
    assert.deepEqual(c.priceFor('openrouter/meta-llama/llama-3.3-70b-instruct:free'), { input: 0, output: 0 });
    // variable (-1) and garbage prices are unknown, not 0; the entries stay
    assert.equal(c.get('openrouter/auto')?.price, null);
    assert.equal(c.get('openrouter/auto')?.source, 'openrouter');
    const garbage = c.get('openrouter/weird/garbage-price');
    assert.equal(garbage?.price, null);
    assert.equal(garbage?.contextLength, null);
    const info = c.get('openrouter/anthropic/claude-sonnet-4');
    assert.equal(info?.contextLength, 1_000_000);
    assert.equal(info?.maxOutput, 64_000);
    assert.equal(info?.source, 'openrouter');

    const orIds = c
      .list()
      .filter((m) => m.providerId === 'openrouter')
      .map((m) => m.id)
      .sort();
    assert.deepEqual(orIds, [
      'openrouter/anthropic/claude-sonnet-4',
      'openrouter/auto',
      'openrouter/meta-llama/llama-3.3-70b-instruct:free',
      'openrouter/openai/gpt-4o',
      'openrouter/weird/garbage-price',
    ]);
    assert.equal(parseOpenRouterModels(openRouterModels).length, 5);
  });

  test('an id that goes through OpenRouter gets OpenRouter’s price for that slug; config still wins', async () => {
    const c = make();
    await c.refresh();
    // anthropic is not configured, openrouter is: OpenRouter's live price (3.1), not the snapshot's (3)
    const sonnet = c.get('anthropic/claude-sonnet-4');
    assert.equal(sonnet?.via, 'openrouter');
    assert.equal(sonnet?.available, true);
    assert.equal(sonnet?.source, 'openrouter');
    assert.equal(sonnet?.name, 'Claude Sonnet 4');
    assert.deepEqual(sonnet?.price, { input: 3.1, output: 15, cachedInput: 0.3, cacheWrite5m: 3.75 });
    assert.equal(sonnet?.priceSource, 'openrouter');
    // Not in OpenRouter's list: not reachable; the price database's OpenRouter price still serves estimates.
    const haiku = c.get('anthropic/claude-3.5-haiku');
    assert.equal(haiku?.available, false);
    assert.deepEqual(haiku?.price, { input: 0.8, output: 4 });
    assert.equal(haiku?.priceSource, 'database');

    const cfg = config();
    cfg.pricing = { 'anthropic/claude-sonnet-4': { input: 9, output: 9 } };
    const overridden = make({}, cfg);
    await overridden.refresh();
    assert.deepEqual(overridden.priceFor('anthropic/claude-sonnet-4'), { input: 9, output: 9 });
  });

  test('OpenAI-protocol lists give ids and context; non-chat ids stay out of list()', async () => {
    const c = make();
    await c.refresh();
    const llama = c.get('local/llama-3-8b');
    assert.equal(llama?.source, 'provider');
    assert.equal(llama?.contextLength, 8192);
    assert.equal(llama?.price, null);
    assert.equal(llama?.available, true);
    const ids = c.list().map((m) => m.id);
    assert.ok(ids.includes('local/llama-3-8b'));
    assert.ok(!ids.includes('local/text-embedding-3-small'));
    assert.ok(c.get('local/text-embedding-3-small'));
    assert.equal(ids.filter((id) => id.startsWith('local/')).length, 1);
  });

  test('does nothing while fresh unless forced; concurrent calls share one fetch', async () => {
    let t = 1_000_000;
    const c = make({ now: () => t });
    await c.refresh();
    seen.length = 0;
    assert.deepEqual(await c.refresh(), { refreshed: [], errors: [] });
    assert.equal(seen.length, 0);
    t += 25 * 3_600_000;
    assert.equal(c.isStale(), true);
    const [a, b] = await Promise.all([c.refresh(), c.refresh({ force: true })]);
    assert.equal(a, b);
    assert.equal(seen.filter((s) => s.path === '/api/v1/models').length, 1);
  });

  test('an aborted refresh reports "aborted" and keeps the old data', async () => {
    const c = make();
    await c.refresh();
    const ac = new AbortController();
    ac.abort();
    const r = await c.refresh({ force: true, signal: ac.signal });
    assert.ok(r.errors.some((e) => e.providerId === 'openrouter' && e.kind === 'aborted'));
    assert.deepEqual(c.priceFor('openrouter/openai/gpt-4o'), { input: 2.5, output: 10 });
  });

  test('cache: atomic write, round-trip, staleness with an injected clock', async () => {
    const file = join(dir, 'nested', 'catalog.json');
    let t = 5_000_000;
    const first = make({ cacheFile: file, now: () => t, ttlMs: 3_600_000 });
    const r = await first.refresh();
    assert.equal(r.cacheError, undefined);
    assert.deepEqual(readdirSync(join(dir, 'nested')), ['catalog.json'], 'no temp files left behind');
    const text = readFileSync(file, 'utf8');
    assert.ok(!text.includes(OR_KEY) && !text.includes(LOCAL_KEY), 'no keys in the cache');

    t += 30 * 60_000;
    const second = make({ cacheFile: file, now: () => t, ttlMs: 3_600_000 });
    assert.equal(second.isStale(), false);
    assert.equal(second.lastRefreshedAt, 5_000_000);
    assert.deepEqual(second.priceFor('anthropic/claude-sonnet-4'), { input: 3.1, output: 15, cachedInput: 0.3, cacheWrite5m: 3.75 });
    assert.equal(second.get('local/llama-3-8b')?.contextLength, 8192);
    t += 31 * 60_000;
    assert.equal(second.isStale(), true);

    // Default TTL (24 h) and config.catalog.cacheFile
    const cfg = config();
    cfg.catalog = { cacheFile: file };
    const third = new Catalog({ ...setup(cfg), getApiKey, dispatcher: agent, now: () => 5_000_000 + 23 * 3_600_000 });
    assert.equal(third.cacheFile, file);
    assert.equal(third.isStale(), false);
  });

  test('cache: data fetched from another baseUrl is not used', async () => {
    const file = join(dir, 'moved.json');
    await make({ cacheFile: file }).refresh();
    const cfg = config();
    cfg.providers = [
      { id: 'openrouter', baseUrl: 'https://elsewhere.example/api/v1' },
      { id: 'local', kind: 'openai', baseUrl: `${base}/v1` },
    ];
    const c = new Catalog({ ...setup(cfg), getApiKey, cacheFile: file });
    assert.equal(c.get('openrouter/weird/garbage-price'), undefined);
    // the snapshot still knows the model, at the price database's OpenRouter price
    assert.equal(c.get('openrouter/anthropic/claude-sonnet-4')?.source, 'snapshot');
    assert.deepEqual(c.priceFor('openrouter/anthropic/claude-sonnet-4'), { input: 3, output: 15, cachedInput: 0.3, cacheWrite5m: 3.75 });
    assert.equal(c.get('local/llama-3-8b')?.source, 'provider');
  });

  test('cache: a corrupt or foreign file is ignored, not thrown', () => {
    for (const content of [
      '{not json',
      '[]',
      JSON.stringify({ version: 99, sources: [] }),
      JSON.stringify({ version: 1, refreshedAt: 1, sources: [{ providerId: 'openrouter' }] }),
      '',
    ]) {
      const file = join(dir, `corrupt-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(file, content);
      const c = make({ cacheFile: file });
      assert.equal(c.isStale(), true);
      assert.equal(c.loadCache(), false);
      assert.ok(c.list().length > 0);
    }
    const missing = make({ cacheFile: join(dir, 'does-not-exist.json') });
    assert.equal(missing.isStale(), true);
  });

  test('cache: a write failure is reported, the refresh still counts', async () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'x');
    const c = make({ cacheFile: join(blocker, 'catalog.json') });
    const r = await c.refresh();
    assert.ok(r.refreshed.includes('openrouter'));
    assert.match(r.cacheError ?? '', /could not write/);
    assert.equal(c.isStale(), false);
  });
});
