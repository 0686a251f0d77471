// Billing rules against hand-computed figures, and the price database (genai-prices) as our Price.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { calcPrice } from '@pydantic/genai-prices';
import { parseConfig, type Price } from '../../src/core/config.ts';
import { audioPricedAsText, computeCost, estimateCost } from '../../src/core/catalog/cost.ts';
import { BUNDLED_PRICES_VERSION, lookupDbModel, pricesAsOfLabel, toPrice } from '../../src/core/catalog/priceDb.ts';
import { emptyUsage, type Usage } from '../../src/core/types.ts';

const u = (over: Partial<Usage>): Usage => ({ ...emptyUsage(), ...over });

/** Claude Sonnet 4.5's list prices (USD / 1M), with the >200k tier. */
const SONNET: Price = {
  input: 3,
  output: 15,
  cachedInput: 0.3,
  cacheWrite5m: 3.75,
  cacheWrite1h: 6,
  tiers: [{ above: 200_000, input: 6, output: 22.5, cachedInput: 0.6, cacheWrite5m: 7.5, cacheWrite1h: 12 }],
};

describe('billing rules', () => {
  test('plain input and output', () => {
    // 1000 × 3 + 500 × 15 = 10 500 µ$ → $0.0105
    assert.equal(computeCost(u({ inputTokens: 1000, outputTokens: 500 }), SONNET), 0.0105);
  });

  test('cache reads at the cache price', () => {
    // 10 000 prompt, 8 000 read from cache: 2000 × 3 + 8000 × 0.3 + 100 × 15 = 6000 + 2400 + 1500 = 9900 µ$
    assert.equal(computeCost(u({ inputTokens: 10_000, cachedInputTokens: 8000, outputTokens: 100 }), SONNET), 0.0099);
  });

  test('5-minute and 1-hour cache writes at their prices', () => {
    // 10 000 prompt = 1000 plain + 4000 written 5m + 5000 written 1h; 0 output
    // 1000 × 3 + 4000 × 3.75 + 5000 × 6 = 3000 + 15 000 + 30 000 = 48 000 µ$
    assert.equal(computeCost(u({ inputTokens: 10_000, cacheWrite5mTokens: 4000, cacheWrite1hTokens: 5000, outputTokens: 0 }), SONNET), 0.048);
    // Without cache-write prices they fall back to the input price (and 1h to the 5m price).
    assert.equal(computeCost(u({ inputTokens: 10_000, cacheWrite5mTokens: 4000, cacheWrite1hTokens: 5000, outputTokens: 0 }), { input: 3, output: 15 }), 0.03);
  });

  test('a prompt above 200k tokens is charged at the higher tier, every token of it', () => {
    // 250 000 prompt (50 000 cached), 1000 output: 200 000 × 6 + 50 000 × 0.6 + 1000 × 22.5 = 1 200 000 + 30 000 + 22 500 µ$
    assert.equal(computeCost(u({ inputTokens: 250_000, cachedInputTokens: 50_000, outputTokens: 1000 }), SONNET), 1.2525);
    // exactly 200 000 is still the base tier: 200 000 × 3 = 600 000 µ$
    assert.equal(computeCost(u({ inputTokens: 200_000, outputTokens: 0 }), SONNET), 0.6);
  });

  test('reasoning tokens are output (already inside outputTokens), not charged twice', () => {
    // 100 input, 1000 output of which 800 reasoning: 100 × 3 + 1000 × 15 = 15 300 µ$
    assert.equal(computeCost(u({ inputTokens: 100, outputTokens: 1000, reasoningTokens: 800 }), SONNET), 0.0153);
  });

  test('tool-use prompt tokens are input (inside inputTokens)', () => {
    // Gemini 2.5 Pro: 1000 prompt + 500 tool-use prompt = 1500 input × 1.25 + 200 × 10 = 1875 + 2000 µ$
    const pro: Price = { input: 1.25, output: 10, cachedInput: 0.125, tiers: [{ above: 200_000, input: 2.5, output: 15, cachedInput: 0.25 }] };
    assert.equal(computeCost(u({ inputTokens: 1500, toolUsePromptTokens: 500, outputTokens: 200 }), pro), 0.003875);
  });

  test('hosted web searches at the per-search price; searches without one leave the cost unknown (never a guessed 0); the database gives $10 per 1,000', () => {
    const priced = { ...SONNET, webSearch: 0.01 };
    // 1000 × 3 + 500 × 15 = $0.0105, and 3 searches at $0.01.
    assert.equal(computeCost(u({ inputTokens: 1000, outputTokens: 500, webSearches: 3 }), priced), 0.0405);
    assert.equal(computeCost(u({ inputTokens: 1000, outputTokens: 500, webSearches: 0 }), SONNET), 0.0105);
    assert.equal(computeCost(u({ inputTokens: 1000, outputTokens: 500, webSearches: 3 }), SONNET), null);
    assert.equal(lookupDbModel('anthropic', 'claude-sonnet-4-5')?.price?.webSearch, 0.01);
    assert.equal(lookupDbModel('openai', 'gpt-4.1')?.price?.webSearch, 0.01);
    assert.equal(parseConfig({ pricing: { 'a/m': { input: 1, output: 2, webSearch: 0.025 } } }).pricing['a/m']?.webSearch, 0.025);
  });

  test('audio tokens at the audio prices; a price without them charges audio as text and says so', () => {
    const audio: Price = { input: 2.5, output: 10, inputAudio: 40, outputAudio: 80 };
    // 1000 prompt (400 audio) and 300 answer (200 audio): 600 × 2.5 + 400 × 40 + 100 × 10 + 200 × 80 = 34,500 µ$
    const usage = u({ inputTokens: 1000, inputAudioTokens: 400, outputTokens: 300, outputAudioTokens: 200 });
    assert.equal(computeCost(usage, audio), 0.0345);
    assert.equal(audioPricedAsText(usage, audio), null);
    // No audio rates: every token at the text rates (1000 × 2.5 + 300 × 10), and the audio is named
    const text: Price = { input: 2.5, output: 10 };
    assert.equal(computeCost(usage, text), 0.0055);
    assert.equal(audioPricedAsText(usage, text), '400 audio prompt tokens and 200 audio answer tokens');
    assert.equal(audioPricedAsText(u({ inputTokens: 10, outputTokens: 300, outputAudioTokens: 200 }), { ...text, inputAudio: 40 }), '200 audio answer tokens');
    assert.equal(audioPricedAsText(u({ inputTokens: 1000, outputTokens: 300 }), text), null);
  });

  test('a cost the provider reports wins; an unknown price is null, never 0', () => {
    assert.equal(computeCost(u({ inputTokens: 1000, outputTokens: 500 }), SONNET, 0.042), 0.042);
    assert.equal(computeCost(u({ inputTokens: 1000, outputTokens: 500 }), null), null);
    assert.equal(computeCost(u({ inputTokens: 1000, outputTokens: null }), SONNET), null);
  });

  test('the estimate (budgets, cheapest) uses input and output prices, at the prompt’s tier', () => {
    // 1000 × 3 + 2000 × 15 = 33 000 µ$
    assert.equal(estimateCost(1000, 2000, SONNET), 0.033);
    // 300 000 × 6 + 1000 × 22.5 = 1 822 500 µ$
    assert.equal(estimateCost(300_000, 1000, SONNET), 1.8225);
  });

  test('the config accepts cache-write and tiered prices, tiers in order', () => {
    const cfg = parseConfig({ pricing: { 'x/y': SONNET } });
    assert.deepEqual(cfg.pricing['x/y'], SONNET);
    assert.throws(
      () =>
        parseConfig({
          pricing: {
            'x/y': {
              input: 1,
              output: 1,
              tiers: [
                { above: 5, input: 2, output: 2 },
                { above: 5, input: 3, output: 3 },
              ],
            },
          },
        }),
      /increasing order/,
    );
    assert.throws(() => parseConfig({ pricing: { 'x/y': { input: 1, output: 1, cacheWrite: 2 } } }), /cacheWrite/);
  });
});

describe('price database (genai-prices)', () => {
  test('the bundled version is the one installed (its date is shown as "prices as of")', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../node_modules/@pydantic/genai-prices/package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal(pkg.version, BUNDLED_PRICES_VERSION, 'update BUNDLED_PRICES_VERSION and BUNDLED_PRICES_DATE in priceDb.ts');
    assert.match(pricesAsOfLabel(), /^prices as of \d{4}-\d{2}-\d{2} \(genai-prices /);
  });

  test('tiers and cache writes come through; our cost equals the package’s own', () => {
    const m = lookupDbModel('anthropic', 'claude-sonnet-4-5-20250929');
    assert.deepEqual(m?.price, { ...SONNET, webSearch: 0.01 });
    const gem = lookupDbModel('google', 'gemini-2.5-pro')!.price!;
    assert.equal(gem.tiers?.[0]?.above, 200_000);
    for (const [usage, theirs] of [
      [u({ inputTokens: 250_000, cachedInputTokens: 50_000, outputTokens: 1000 }), { input_tokens: 250_000, cache_read_tokens: 50_000, output_tokens: 1000 }],
      [u({ inputTokens: 10_000, cachedInputTokens: 2000, outputTokens: 300 }), { input_tokens: 10_000, cache_read_tokens: 2000, output_tokens: 300 }],
    ] as const) {
      const ref = calcPrice(theirs, 'gemini-2.5-pro', { providerId: 'google' })!.total_price;
      assert.ok(Math.abs(computeCost(usage, gem)! - ref) < 1e-9, `${computeCost(usage, gem)} vs ${ref}`);
    }
  });

  test('audio rates come through; our cost equals the package’s own', () => {
    const audio = lookupDbModel('openai', 'gpt-audio')!.price!;
    assert.equal(typeof audio.inputAudio, 'number');
    assert.equal(typeof audio.outputAudio, 'number');
    assert.ok(audio.inputAudio! > audio.input && audio.outputAudio! > audio.output);
    const usage = u({ inputTokens: 5000, inputAudioTokens: 3000, outputTokens: 800, outputAudioTokens: 600 });
    const theirs = { input_tokens: 5000, input_audio_tokens: 3000, output_tokens: 800, output_audio_tokens: 600 };
    const ref = calcPrice(theirs, 'gpt-audio', { providerId: 'openai' })!.total_price;
    assert.ok(Math.abs(computeCost(usage, audio)! - ref) < 1e-9, `${computeCost(usage, audio)} vs ${ref}`);
  });

  test('local servers and unknown endpoints have no database price', () => {
    assert.equal(lookupDbModel('ollama', 'gpt-4o'), undefined);
    assert.equal(lookupDbModel('work', 'gpt-4o', 'https://llm.example.com/v1'), undefined);
    // a custom id on Anthropic's own endpoint is priced as Anthropic
    assert.equal(lookupDbModel('my-claude', 'claude-haiku-4-5', 'https://api.anthropic.com/v1')?.provider, 'anthropic');
  });

  test('a model without an output price is unknown, not free', () => {
    assert.equal(toPrice({ input_mtok: 1 }), null);
  });
});
