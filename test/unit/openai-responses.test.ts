// `openai-responses` as an upstream wire protocol: chosen per model and request for the `openai`
// provider (same id, keys, ledger), against a strict Responses fake.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, type SwitchboardClient } from '../../src/core/client.ts';
import { resolveProvider } from '../../src/core/config.ts';
import { chooseOpenAIWire } from '../../src/core/providers/openai-responses/responsesModel.ts';
import { MemoryUsageStore } from '../../src/core/router/ledger.ts';
import { startResponsesFake, type ResponsesFake } from '../fakes/responses.ts';

const KEY = 'sk-resp-abcdef1234567890';

describe('openai-responses upstream', () => {
  let fake: ResponsesFake;
  let client: SwitchboardClient;
  const ledger = new MemoryUsageStore();
  before(async () => {
    fake = await startResponsesFake(KEY);
    client = createClient(
      { retries: { maxRetries: 0 }, providers: [{ id: 'openai', baseUrl: fake.baseUrl }], wireProtocols: { 'openai/gpt-4.1': 'openai-responses' } },
      { env: { OPENAI_API_KEY: KEY }, ledger, catalogCacheFile: null },
    );
  });
  after(async () => {
    await client.close();
    await fake.close();
  });

  test('a Responses-only model (codex family) streams over /v1/responses, stateless; the id and the ledger stay openai/…', async () => {
    fake.enqueue({ text: 'Hello there', usage: { input: 12, output: 3, cached: 4 } });
    const r = await client.complete({
      model: 'openai/gpt-5-codex',
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: 'hi' },
      ],
      maxTokens: 100,
    });
    assert.equal(r.error, null, String(r.error));
    assert.equal(r.text, 'Hello there');
    assert.equal(r.answeredBy, 'openai/gpt-5-codex');
    assert.deepEqual([r.usage.inputTokens, r.usage.outputTokens, r.usage.cachedInputTokens], [12, 3, 4]);
    const body = fake.requests.at(-1)!.body;
    assert.equal(fake.requests.at(-1)!.path, '/v1/responses');
    assert.equal(body.store, false);
    assert.equal(body.max_output_tokens, 100);
    assert.deepEqual(body.input, [
      { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'sys' }] },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] },
    ]);
    const row = (await ledger.readAll()).at(-1);
    assert.equal(row?.answeredBy, 'openai/gpt-5-codex');
    assert.equal(row?.inputTokens, 12);
  });

  test('a tool loop with reasoning: the call streams back as a tool call, its output and the encrypted reasoning go back paired', async () => {
    const tools = [{ name: 'exec_command', description: 'run', parameters: { type: 'object', properties: { cmd: { type: 'string' } } } }];
    fake.enqueue({ reasoning: 'Run ls.', encrypted: 'gAAAA-opaque', toolCall: { callId: 'call_7', name: 'exec_command', arguments: '{"cmd":"ls"}' } });
    const first = await client.complete({
      model: 'openai/gpt-5-codex',
      messages: [{ role: 'user', content: 'list files' }],
      tools,
      reasoning: { effort: 'high' },
    });
    assert.equal(first.error, null, String(first.error));
    assert.equal(first.finishReason, 'tool_calls');
    assert.deepEqual(first.toolCalls, [{ index: 0, id: 'call_7', name: 'exec_command', arguments: '{"cmd":"ls"}' }]);
    assert.equal(first.reasoning, 'Run ls.');
    const sent = fake.requests.at(-1)!.body;
    assert.deepEqual(sent.reasoning, { effort: 'high', summary: 'auto' });
    assert.deepEqual(sent.include, ['reasoning.encrypted_content']);
    assert.deepEqual(sent.tools, [{ type: 'function', name: 'exec_command', description: 'run', parameters: tools[0]!.parameters, strict: false }]);

    fake.enqueue({ text: 'a.txt' });
    const second = await client.complete({
      model: 'openai/gpt-5-codex',
      tools,
      reasoning: { effort: 'high' },
      messages: [
        { role: 'user', content: 'list files' },
        { role: 'assistant', content: first.content },
        { role: 'tool', content: [{ type: 'tool-result', callId: 'call_7', content: 'a.txt' }] },
      ],
    });
    assert.equal(second.error, null, String(second.error));
    assert.equal(second.text, 'a.txt');
    const input = fake.requests.at(-1)!.body.input as Record<string, unknown>[];
    assert.deepEqual(
      input.slice(1).map((i) => i.type),
      ['reasoning', 'function_call', 'function_call_output'],
    );
    assert.equal(input[1]!.encrypted_content, 'gAAAA-opaque');
  });

  test('a tool result marked isError says so in its function output (no error field there); one that already says so is not marked twice', async () => {
    fake.enqueue({ text: 'noted' });
    const r = await client.complete({
      model: 'openai/gpt-5-codex',
      tools: [{ name: 'exec_command', description: 'run', parameters: { type: 'object', properties: { cmd: { type: 'string' } } } }],
      messages: [
        { role: 'user', content: 'read two files' },
        {
          role: 'assistant',
          content: [
            { type: 'tool-call', id: 'call_a', name: 'exec_command', arguments: '{"cmd":"cat a"}' },
            { type: 'tool-call', id: 'call_b', name: 'exec_command', arguments: '{"cmd":"cat b"}' },
          ],
        },
        {
          role: 'tool',
          content: [
            { type: 'tool-result', callId: 'call_a', content: 'File does not exist.', isError: true },
            { type: 'tool-result', callId: 'call_b', content: [{ type: 'text', text: 'error: no b' }], isError: true },
          ],
        },
      ],
    });
    assert.equal(r.error, null, String(r.error));
    const outputs = (fake.requests.at(-1)!.body.input as Record<string, unknown>[]).filter((i) => i.type === 'function_call_output');
    assert.deepEqual(
      outputs.map((o) => [o.call_id, o.output]),
      [
        ['call_a', 'Error: File does not exist.'],
        ['call_b', 'error: no b'],
      ],
    );
  });

  test('the config overrides the choice per model; a stop sequence is refused by name before anything is sent', async () => {
    fake.enqueue({ text: 'via responses' });
    const r = await client.complete({ model: 'openai/gpt-4.1', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(r.text, 'via responses');
    const n = fake.requests.length;
    const bad = await client.complete({ model: 'openai/gpt-5-codex', messages: [{ role: 'user', content: 'x' }], stop: ['END'] });
    assert.equal(bad.error?.kind, 'bad_request');
    assert.match(bad.error!.message, /stop/);
    assert.equal(fake.requests.length, n);
  });

  test('the fake: with none enqueued, the default scenario answers (set by setDefault); enqueued ones go first', async () => {
    const ask = async (): Promise<string> => (await client.complete({ model: 'openai/gpt-5-codex', messages: [{ role: 'user', content: 'x' }] })).text;
    assert.equal(await ask(), 'ok');
    fake.setDefault({ text: 'the default answer' });
    try {
      fake.enqueue({ text: 'queued' });
      assert.deepEqual([await ask(), await ask(), await ask()], ['queued', 'the default answer', 'the default answer']);
    } finally {
      fake.setDefault({ text: 'ok' });
    }
  });

  test('a stream that ends with response.failed carrying usage: that usage is ledgered as counted, not estimated', async () => {
    // Text streamed, then the failure: the partial answer is kept, its cost is the provider's count.
    fake.enqueue({ text: 'Hello there, this is long', failAfterEvents: 6, failedUsage: { input: 1000, output: 700 } });
    const before = (await ledger.readAll()).length;
    const r = await client.complete({ model: 'openai/gpt-4.1', messages: [{ role: 'user', content: 'hi' }] });
    assert.ok(r.error, 'the failure is reported');
    assert.ok(r.text.length > 0, 'the partial answer is kept');
    assert.deepEqual([r.usage.inputTokens, r.usage.outputTokens], [1000, 700]);
    assert.notEqual(r.costEstimated, true);
    const rows = (await ledger.readAll()).slice(before);
    assert.equal(rows.length, 1);
    assert.deepEqual([rows[0]!.inputTokens, rows[0]!.outputTokens, rows[0]!.costEstimated, rows[0]!.ok], [1000, 700, false, false]);
    assert.ok(typeof rows[0]!.costUsd === 'number' && rows[0]!.costUsd > 0);
  });

  test('response.failed before any output, with usage: the billed attempt is ledgered (not ok), nothing shown', async () => {
    fake.enqueue({ text: 'never seen', failAfterEvents: 1, failedUsage: { input: 5000, output: 0 } });
    const before = (await ledger.readAll()).length;
    const r = await client.complete({ model: 'openai/gpt-4.1', messages: [{ role: 'user', content: 'hi' }] });
    assert.ok(r.error);
    assert.equal(r.text, '');
    const rows = (await ledger.readAll()).slice(before);
    assert.equal(rows.length, 1, 'the billed failure is in the ledger');
    assert.deepEqual([rows[0]!.answeredBy, rows[0]!.inputTokens, rows[0]!.outputTokens, rows[0]!.ok], ['openai/gpt-4.1', 5000, 0, false]);
    assert.ok(typeof rows[0]!.costUsd === 'number' && rows[0]!.costUsd > 0);
    // A failure without usage is not ledgered (nothing counted, nothing billed).
    fake.enqueue({ text: 'never seen', failAfterEvents: 1 });
    await client.complete({ model: 'openai/gpt-4.1', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal((await ledger.readAll()).length, before + 1);
  });

  test('max_output_tokens reached → finish "length"', async () => {
    fake.enqueue({ text: 'cut', incomplete: 'max_output_tokens' });
    const r = await client.complete({ model: 'openai/gpt-5-codex', messages: [{ role: 'user', content: 'x' }], maxTokens: 1 });
    assert.equal(r.finishReason, 'length');
    assert.equal(r.text, 'cut');
  });

  test('the choice: catalog patterns, tools + effort on models whose Chat Completions refuses it, compatible servers stay on chat', () => {
    const openai = resolveProvider({ id: 'openai' });
    const groq = resolveProvider({ id: 'groq' });
    const plain = { messages: [] };
    const toolsEffort = { messages: [], tools: [{ name: 'f', parameters: {} }], reasoning: { effort: 'high' as const } };
    assert.equal(chooseOpenAIWire(openai, 'gpt-5-codex', plain, null), 'openai-responses');
    assert.equal(chooseOpenAIWire(openai, 'o3-pro', plain, null), 'openai-responses');
    assert.equal(chooseOpenAIWire(openai, 'gpt-5.2', plain, null), 'openai');
    assert.equal(chooseOpenAIWire(openai, 'gpt-5.2', toolsEffort, null), 'openai-responses');
    assert.equal(chooseOpenAIWire(openai, 'gpt-4o-mini', toolsEffort, null), 'openai');
    assert.equal(chooseOpenAIWire(openai, 'gpt-5-codex', plain, 'openai'), 'openai');
    assert.equal(chooseOpenAIWire(groq, 'some-codex-model', plain, null), 'openai');
  });
});
