// Each provider's usage, as its API reports it (real response shapes), normalized; then priced.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { anthropicUsage } from '../../src/core/providers/anthropic/anthropicModel.ts';
import { geminiUsage } from '../../src/core/providers/gemini/geminiModel.ts';
import { usagePart } from '../../src/core/providers/openai/openaiModel.ts';
import { computeCost } from '../../src/core/catalog/cost.ts';
import { lookupDbModel } from '../../src/core/catalog/priceDb.ts';
import { emptyUsage, type Usage } from '../../src/core/types.ts';

const full = (p: Partial<Usage>): Usage => ({ ...emptyUsage(), ...p });

describe('usage by provider', () => {
  test('Anthropic: cache reads and 5m/1h writes are part of our input; each is priced at its rate', () => {
    // message_delta usage of a request that read 1000 cached tokens and wrote 2000 (500 for 1h)
    const u = anthropicUsage({
      input_tokens: 300,
      cache_read_input_tokens: 1000,
      cache_creation_input_tokens: 2000,
      cache_creation: { ephemeral_5m_input_tokens: 1500, ephemeral_1h_input_tokens: 500 },
      output_tokens: 400,
    });
    assert.deepEqual(u, { inputTokens: 3300, cachedInputTokens: 1000, cacheWrite5mTokens: 1500, cacheWrite1hTokens: 500, outputTokens: 400 });
    // Sonnet 4.5: 300 × 3 + 1000 × 0.3 + 1500 × 3.75 + 500 × 6 + 400 × 15 = 900 + 300 + 5625 + 3000 + 6000 = 15 825 µ$
    const sonnet = lookupDbModel('anthropic', 'claude-sonnet-4-5')!.price;
    assert.equal(computeCost(full(u), sonnet), 0.015825);
    // without the split, writes are 5-minute ones (the default TTL)
    assert.deepEqual(anthropicUsage({ input_tokens: 10, cache_creation_input_tokens: 100, output_tokens: 1 }), {
      inputTokens: 110,
      cacheWrite5mTokens: 100,
      cacheWrite1hTokens: 0,
      outputTokens: 1,
    });
  });

  test('Gemini: tool-use prompt tokens are input, thoughts are output', () => {
    const u = geminiUsage({
      promptTokenCount: 1000,
      cachedContentTokenCount: 400,
      toolUsePromptTokenCount: 250,
      candidatesTokenCount: 100,
      thoughtsTokenCount: 300,
      totalTokenCount: 1650,
    });
    assert.deepEqual(u, { inputTokens: 1250, toolUsePromptTokens: 250, outputTokens: 400, reasoningTokens: 300, cachedInputTokens: 400 });
    // Gemini 2.5 Pro: 850 × 1.25 + 400 × 0.125 + 400 × 10 = 1062.5 + 50 + 4000 µ$
    assert.equal(computeCost(full(u), lookupDbModel('google', 'gemini-2.5-pro')!.price), 0.0051125);
  });

  test('xAI: completion_tokens exclude reasoning (total says so): reasoning is added to output', () => {
    const part = usagePart({
      prompt_tokens: 100,
      completion_tokens: 50,
      total_tokens: 350,
      completion_tokens_details: { reasoning_tokens: 200 },
      prompt_tokens_details: { cached_tokens: 0 },
    });
    assert.deepEqual(part, { type: 'usage', usage: { inputTokens: 100, outputTokens: 250, cachedInputTokens: 0, reasoningTokens: 200 } });
    // OpenAI: reasoning is already inside completion_tokens (total = prompt + completion)
    const openai = usagePart({ prompt_tokens: 100, completion_tokens: 250, total_tokens: 350, completion_tokens_details: { reasoning_tokens: 200 } });
    assert.equal(openai.type === 'usage' && openai.usage.outputTokens, 250);
  });

  test('OpenAI Chat Completions: audio tokens of the prompt and the answer are kept (parts of input and output); none, nothing added', () => {
    const part = usagePart({
      prompt_tokens: 1200,
      completion_tokens: 700,
      total_tokens: 1900,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 900 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 600, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    });
    assert.deepEqual(part, {
      type: 'usage',
      usage: { inputTokens: 1200, outputTokens: 700, cachedInputTokens: 0, reasoningTokens: 0, inputAudioTokens: 900, outputAudioTokens: 600 },
    });
    // gpt-audio: 300 text × 2.5 + 900 audio × 32 + 100 text × 10 + 600 audio × 64 = 68,950 µ$
    const price = lookupDbModel('openai', 'gpt-audio')!.price!;
    assert.deepEqual([price.input, price.inputAudio, price.output, price.outputAudio], [2.5, 32, 10, 64]);
    assert.equal(part.type === 'usage' && computeCost(full(part.usage), price), 0.06895);
    const text = usagePart({
      prompt_tokens: 10,
      completion_tokens: 5,
      total_tokens: 15,
      prompt_tokens_details: { audio_tokens: 0 },
      completion_tokens_details: { audio_tokens: 0 },
    });
    assert.deepEqual(text, { type: 'usage', usage: { inputTokens: 10, outputTokens: 5 } });
  });

  test('DeepSeek cache hits and OpenRouter cache writes', () => {
    const ds = usagePart({ prompt_tokens: 1000, completion_tokens: 10, total_tokens: 1010, prompt_cache_hit_tokens: 800, prompt_cache_miss_tokens: 200 });
    assert.equal(ds.type === 'usage' && ds.usage.cachedInputTokens, 800);
    const or = usagePart({
      prompt_tokens: 1000,
      completion_tokens: 10,
      total_tokens: 1010,
      prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 900 },
      cost: 0.004,
    });
    assert.deepEqual(or, { type: 'usage', usage: { inputTokens: 1000, outputTokens: 10, cachedInputTokens: 0, cacheWrite5mTokens: 900 }, costUsd: 0.004 });
  });

  test('OpenRouter with your own key: its fee plus the upstream cost', () => {
    const byok = usagePart({
      prompt_tokens: 10,
      completion_tokens: 5,
      total_tokens: 15,
      cost: 0.0001,
      is_byok: true,
      cost_details: { upstream_inference_cost: 0.002 },
    });
    assert.equal(byok.type === 'usage' && byok.costUsd, 0.0021);
    // Not BYOK: `cost` is the whole bill (the upstream figure is inside it)
    const paid = usagePart({
      prompt_tokens: 10,
      completion_tokens: 5,
      total_tokens: 15,
      cost: 0.002,
      is_byok: false,
      cost_details: { upstream_inference_cost: 0.002 },
    });
    assert.equal(paid.type === 'usage' && paid.costUsd, 0.002);
  });
});
