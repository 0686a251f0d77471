/** Capabilities per model (catalog, live lists, config), the router's checks and skips, and foreign-state stripping. */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Catalog, parseOpenRouterModels } from '../../src/core/catalog/index.ts';
import { createClient } from '../../src/core/client.ts';
import { parseConfig, resolveProvider, type ConfigInput } from '../../src/core/config.ts';
import { stripForeignState } from '../../src/core/router/providerState.ts';
import type { ChatMessage, ToolDefinition } from '../../src/core/types.ts';
import { startFakeProvider } from '../fakes/server.ts';
import type { FakeServer } from '../fakes/types.ts';

function catalog(input: ConfigInput): Catalog {
  const config = parseConfig(input);
  return new Catalog({ config, providers: config.providers.map(resolveProvider), getApiKey: () => undefined, cacheFile: null });
}

const TOOL: ToolDefinition = { name: 'f', parameters: { type: 'object', properties: {} } };
const IMAGE: ChatMessage = {
  role: 'user',
  content: [
    { type: 'text', text: 'what is it?' },
    { type: 'image', source: { type: 'url', url: 'https://x/cat.png' } },
  ],
};

describe('Catalog.capabilities', () => {
  test('from the snapshot: limits and families', () => {
    const c = catalog({ providers: [{ id: 'anthropic' }, { id: 'deepseek' }, { id: 'openai' }] });
    assert.deepEqual(c.capabilities('anthropic/claude-sonnet-4-5-20250929'), {
      toolCalling: true,
      imageInput: true,
      pdfInput: true,
      reasoning: true,
      structuredOutput: true,
      contextWindow: 200_000,
      maxOutputTokens: 64_000,
    });
    const ds = c.capabilities('deepseek/deepseek-chat');
    assert.equal(ds.imageInput, false);
    assert.equal(ds.reasoning, false);
    assert.equal(c.capabilities('deepseek/deepseek-reasoner').reasoning, true);
    assert.equal(c.capabilities('openai/o3-mini').imageInput, false);
    assert.equal(c.capabilities('openai/gpt-4o').reasoning, false);
  });

  test('newer than the snapshot but in the price database (Claude Opus 4.7, Sonnet 5, GPT-5.5, Gemini 3.5): their family thinks and sees, as the older members', () => {
    const c = catalog({ providers: [{ id: 'anthropic' }, { id: 'openai' }, { id: 'gemini' }, { id: 'openrouter' }] });
    for (const id of ['anthropic/claude-opus-4-7', 'anthropic/claude-sonnet-5', 'openai/gpt-5.5', 'gemini/gemini-3.5-flash']) {
      const cap = c.capabilities(id);
      assert.equal(cap.reasoning, true, `${id} reasons`);
      assert.equal(cap.imageInput, true, `${id} takes images`);
      assert.equal(cap.contextWindow, 1_000_000, `${id}: the database's context window`);
    }
    // A name the database does not know stays unknown: no guess from the vendor alone.
    assert.equal(c.capabilities('anthropic/claude-fake-9').reasoning, false);
    assert.equal(c.capabilities('anthropic/claude-fake-9').imageInput, false);
    // Older families keep their answers.
    assert.equal(c.capabilities('anthropic/claude-3-5-haiku-20241022').reasoning, false);
    assert.equal(c.capabilities('openai/gpt-4.1').reasoning, false);
  });

  test('an unknown model: tools yes, images and PDFs no, limits unknown', () => {
    const c = catalog({ providers: [{ id: 'ollama' }] });
    assert.deepEqual(c.capabilities('ollama/llama3.2'), {
      toolCalling: true,
      imageInput: false,
      pdfInput: false,
      reasoning: false,
      structuredOutput: true,
      contextWindow: null,
      maxOutputTokens: null,
    });
  });

  test('the config overrides field by field (and the context window the router uses)', () => {
    const c = catalog({
      providers: [{ id: 'ollama' }, { id: 'openai' }],
      capabilities: { 'ollama/llava': { imageInput: true, contextWindow: 32_768 }, 'openai/gpt-4o': { toolCalling: false, maxOutputTokens: 1000 } },
    });
    const llava = c.capabilities('ollama/llava');
    assert.equal(llava.imageInput, true);
    assert.equal(llava.contextWindow, 32_768);
    assert.equal(c.contextLength('ollama/llava'), 32_768);
    const g = c.capabilities('openai/gpt-4o');
    assert.equal(g.toolCalling, false);
    assert.equal(g.imageInput, true);
    assert.equal(g.maxOutputTokens, 1000);
  });

  test('OpenRouter live data: supported_parameters, input modalities, max_completion_tokens', () => {
    const [m] = parseOpenRouterModels({
      data: [
        {
          id: 'x/y',
          context_length: 50_000,
          pricing: { prompt: '0', completion: '0' },
          top_provider: { context_length: 50_000, max_completion_tokens: 4000 },
          supported_parameters: ['tools', 'tool_choice', 'max_tokens'],
          architecture: { input_modalities: ['text', 'image'] },
        },
      ],
    });
    assert.deepEqual(m!.capabilities, { toolCalling: true, structuredOutput: false, reasoning: false, imageInput: true, pdfInput: false });
  });

  test('a route can do what all its members can; its context is the smallest', () => {
    const c = catalog({ providers: [{ id: 'openai' }, { id: 'deepseek' }], routes: [{ id: 'mix', models: ['openai/gpt-4o', 'deepseek/deepseek-chat'] }] });
    const r = c.capabilities('route/mix');
    assert.equal(r.toolCalling, true);
    assert.equal(r.imageInput, false);
    assert.equal(r.contextWindow, 128_000);
    assert.equal(r.maxOutputTokens, 8192);
  });

  test('the config schema refuses an override that is not a provider/model id or has unknown fields', () => {
    assert.throws(() => parseConfig({ capabilities: { llava: { imageInput: true } } }));
    assert.throws(() => parseConfig({ capabilities: { 'a/b': { vision: true } } as never }));
  });
});

const fakes: FakeServer[] = [];
after(async () => {
  await Promise.all(fakes.map((f) => f.close()));
});

async function world(config: Partial<ConfigInput>) {
  const a = await startFakeProvider('openai');
  const b = await startFakeProvider('openai');
  fakes.push(a, b);
  const client = createClient(
    {
      retries: { maxRetries: 0 },
      ...config,
      providers: [
        { id: 'a', kind: 'openai', baseUrl: a.baseUrl, apiKeyEnv: 'K' },
        { id: 'b', kind: 'openai', baseUrl: b.baseUrl, apiKeyEnv: 'K' },
      ],
    },
    { env: { K: 'k' } },
  );
  return { a, b, client };
}

describe('the router checks what a request needs', () => {
  test('a single model without tool calling: bad_request naming the parameter, the model and the fix; nothing sent', async () => {
    const w = await world({ capabilities: { 'a/m': { toolCalling: false } } });
    const r = await w.client.complete({ model: 'a/m', messages: [{ role: 'user', content: 'q' }], tools: [TOOL] });
    assert.equal(r.error?.kind, 'bad_request');
    assert.match(r.error!.message, /tools: a\/m does not call tools/);
    assert.match(r.error!.message, /^a\/m: bad_request: tools: /);
    assert.match(r.error!.fix ?? '', /capabilities\["a\/m"\]\.toolCalling/);
    // Provider and model are the error's own fields: its prefix names "a/m" once, not "a/a/m".
    assert.equal(r.error!.provider, 'a');
    assert.equal(r.error!.model, 'm');
    assert.match(r.error!.message, /^a\/m: bad_request: tools: a\/m does not call tools/);
    assert.equal(w.a.requests.length, 0);
    // toolChoice "none" needs no tool calling.
    const ok = await w.client.complete({ model: 'a/m', messages: [{ role: 'user', content: 'q' }], tools: [TOOL], toolChoice: 'none' });
    assert.equal(ok.error, null);
    await w.client.close();
  });

  test('images to a text-only model are refused before sending', async () => {
    const w = await world({});
    const r = await w.client.complete({ model: 'a/m', messages: [IMAGE] });
    assert.equal(r.error?.kind, 'bad_request');
    assert.match(r.error!.message, /image/);
    assert.equal(w.a.requests.length, 0);
    await w.client.close();
  });

  test('a route skips members that cannot serve the request and says why', async () => {
    const w = await world({ capabilities: { 'b/m': { imageInput: true } }, routes: [{ id: 'r', models: ['a/m', 'b/m'] }] });
    w.b.enqueue({ text: 'a cat' });
    const r = await w.client.complete({ model: 'route/r', messages: [IMAGE] });
    assert.equal(r.error, null);
    assert.equal(r.answeredBy, 'b/m');
    assert.deepEqual(
      r.attempts.map((x) => [x.model, x.outcome]),
      [
        ['a/m', 'skipped'],
        ['b/m', 'ok'],
      ],
    );
    assert.match(r.attempts[0]!.message!, /does not take images/);
    assert.equal(w.a.requests.length, 0);
    await w.client.close();
  });

  test('a route none of whose members can serve it: bad_request listing why', async () => {
    const w = await world({ capabilities: { 'a/m': { toolCalling: false }, 'b/m': { toolCalling: false } }, routes: [{ id: 'r', models: ['a/m', 'b/m'] }] });
    const r = await w.client.complete({ model: 'route/r', messages: [{ role: 'user', content: 'q' }], tools: [TOOL] });
    assert.equal(r.error?.kind, 'bad_request');
    assert.match(r.error!.message, /a\/m: tools: does not call tools; b\/m: tools: does not call tools/);
    await w.client.close();
  });

  test('once a tool call began streaming, a failure never switches models', async () => {
    const w = await world({ routes: [{ id: 'r', models: ['a/m', 'b/m'] }] });
    w.a.enqueue({ toolCall: { id: 'call_1', name: 'f', arguments: '{"a":"0123456789012345678901234567890"}' }, dropAfterChunks: 2 });
    const r = await w.client.complete({ model: 'route/r', messages: [{ role: 'user', content: 'q' }], tools: [TOOL] });
    assert.ok(r.error);
    assert.equal(r.answeredBy, 'a/m');
    assert.equal(w.b.requests.length, 0);
    assert.equal(r.toolCalls[0]?.name, 'f');
    await w.client.close();
  });

  test('reasoning and signatures made by another model are stripped before a request goes out', async () => {
    const w = await world({});
    w.a.enqueue({ text: 'ok' });
    const r = await w.client.complete({
      model: 'a/m',
      messages: [
        { role: 'user', content: 'q' },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'secret thoughts', signature: 'SIG', state: { origin: 'anthropic/claude' } },
            { type: 'text', text: 'visible', state: { origin: 'google/gemini-3-pro-preview', thoughtSignature: 'TS' } },
          ],
        },
        { role: 'user', content: 'more' },
      ],
    });
    assert.equal(r.error, null);
    assert.deepEqual(w.a.requests[0]!.body.messages[1], { role: 'assistant', content: 'visible' });
    await w.client.close();
  });
});

describe('stripForeignState', () => {
  const msgs: ChatMessage[] = [
    { role: 'user', content: 'q' },
    {
      role: 'assistant',
      content: [
        { type: 'reasoning', text: 'mine', signature: 'S1', state: { origin: 'x/a' } },
        { type: 'reasoning', text: '', redactedData: 'R', state: { origin: 'y/b' } },
        { type: 'reasoning', text: 'no origin', signature: 'S2' },
        { type: 'text', text: 'hello', state: { origin: 'y/b', thoughtSignature: 'T' } },
        { type: 'tool-call', id: 'c', name: 'f', arguments: '{}', state: { origin: 'y/b', thoughtSignature: 'T2' } },
      ],
    },
  ];
  test('keeps state made by the target; drops foreign or unattributed reasoning; removes foreign signatures, keeping the parts', () => {
    const out = stripForeignState(msgs, 'x/a');
    assert.deepEqual(out[1], {
      role: 'assistant',
      content: [
        { type: 'reasoning', text: 'mine', signature: 'S1', state: { origin: 'x/a' } },
        { type: 'text', text: 'hello' },
        { type: 'tool-call', id: 'c', name: 'f', arguments: '{}' },
      ],
    });
    assert.equal(out[0], msgs[0]);
  });
  test('returns the same array when nothing is foreign (no copy on the common path)', () => {
    const plain: ChatMessage[] = [
      { role: 'user', content: 'q' },
      { role: 'assistant', content: 'a' },
    ];
    assert.equal(stripForeignState(plain, 'x/a'), plain);
    const own = stripForeignState(msgs, 'y/b');
    assert.notEqual(own, msgs);
    assert.equal((own[1]!.content as unknown[]).length, 3);
  });
});
