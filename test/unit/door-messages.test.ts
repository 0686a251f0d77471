// POST /v1/messages: the official @anthropic-ai/sdk against the gateway, over upstreams of other
// protocols; Anthropic's error shapes; the translation onto the core request model.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { parseMessagesRequest } from '../../src/gateway/doors/anthropicRequest.ts';
import { MessagesEncoder, toMessage } from '../../src/gateway/doors/anthropicResponse.ts';
import type { ChatResult, StreamPart } from '../../src/core/types.ts';
import { emptyUsage } from '../../src/core/types.ts';
import { auth, KEY, raw, startWorld, TEXT, TOKEN, type World } from './gatewayWorld.ts';
import { startFakeProvider } from '../fakes/server.ts';
import { createClient } from '../../src/core/client.ts';
import { startGateway } from '../../src/gateway/server.ts';

/** A Messages request through the SDK, streamed or not: the final message and the x-switchboard-warnings header. */
async function askWithWarnings(
  sdk: Anthropic,
  ask: Anthropic.MessageCreateParamsNonStreaming,
  stream: boolean,
): Promise<{ m: Anthropic.Message; warnings: string | null }> {
  if (stream) {
    const s = sdk.messages.stream(ask);
    const m = await s.finalMessage();
    const { response } = await s.withResponse();
    return { m, warnings: response.headers.get('x-switchboard-warnings') };
  }
  const { data, response } = await sdk.messages.create(ask).withResponse();
  return { m: data, warnings: response.headers.get('x-switchboard-warnings') };
}

describe('door /v1/messages: @anthropic-ai/sdk as the client', () => {
  let w: World;
  let sdk: Anthropic;
  before(async () => {
    w = await startWorld({
      config: {
        aliases: { 'claude-sonnet-4-5': 'openai/gpt-4o-mini' },
        routes: [
          { id: 'fast', models: ['openai/gpt-4o-mini', 'backup/m'] },
          { id: 'thinker', models: ['anthropic/claude-sonnet-4'] },
        ],
      },
    });
    sdk = new Anthropic({ baseURL: w.gateway.url.replace(/\/v1$/, ''), apiKey: TOKEN, maxRetries: 0 });
  });
  after(() => w.close());

  test('messages.create over an OpenAI upstream: Anthropic message shape, the upstream text, usage', async () => {
    w.openai.enqueue({ text: TEXT, usage: { input: 21, output: 17, cached: 5 } });
    const m = await sdk.messages.create({ model: 'openai/gpt-4o-mini', max_tokens: 100, system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }] });
    assert.equal(m.type, 'message');
    assert.equal(m.role, 'assistant');
    assert.match(m.id, /^msg_/);
    assert.equal(m.model, 'openai/gpt-4o-mini');
    assert.deepEqual(m.content, [{ type: 'text', text: TEXT }]);
    assert.equal(m.stop_reason, 'end_turn');
    // Anthropic counts cached input apart from input_tokens, and always says both cache counts (no writes reported: 0).
    assert.deepEqual(m.usage, { input_tokens: 16, output_tokens: 17, cache_read_input_tokens: 5, cache_creation_input_tokens: 0 });
    const up = w.openai.requests.at(-1)!.body;
    assert.deepEqual(up.messages[0], { role: 'system', content: 'Be brief.' });
    assert.equal(up.max_completion_tokens ?? up.max_tokens, 100);
  });

  test('usage as Anthropic always gives it (both cache counts, 0 where the upstream reported none), in message_start, message_delta and the final message', async () => {
    w.openai.enqueue({ text: TEXT, usage: { input: 21, output: 17 } });
    const s = sdk.messages.stream({ model: 'openai/gpt-4o-mini', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] });
    const seen: Record<string, unknown> = {};
    s.on('streamEvent', (e) => {
      if (e.type === 'message_start') seen.start = structuredClone(e.message.usage);
      if (e.type === 'message_delta') seen.delta = structuredClone(e.usage);
    });
    const m = await s.finalMessage();
    const none = { cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
    assert.deepEqual(seen, { start: { input_tokens: 0, output_tokens: 0, ...none }, delta: { input_tokens: 21, output_tokens: 17, ...none } });
    assert.deepEqual(m.usage, { input_tokens: 21, output_tokens: 17, ...none });
  });

  test('messages.stream over an Anthropic upstream: the full event sequence and the final message', async () => {
    w.anthropic.enqueue({ text: TEXT, chunks: 6 });
    const stream = sdk.messages.stream({ model: 'anthropic/claude-sonnet-4', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] });
    const types: string[] = [];
    stream.on('streamEvent', (e) => types.push(e.type));
    const final = await stream.finalMessage();
    assert.equal(final.content.length, 1);
    assert.equal(final.content[0]?.type, 'text');
    assert.equal(await stream.finalText(), TEXT);
    assert.equal(types[0], 'message_start');
    assert.equal(types[1], 'content_block_start');
    assert.equal(types.at(-2), 'message_delta');
    assert.equal(types.at(-1), 'message_stop');
    assert.ok(types.filter((t) => t === 'content_block_delta').length >= 2);
    assert.equal(final.stop_reason, 'end_turn');
  });

  test("the gateway token as Authorization: Bearer (Claude Code's ANTHROPIC_AUTH_TOKEN) and ?beta=true", async () => {
    const bearer = new Anthropic({ baseURL: w.gateway.url.replace(/\/v1$/, ''), authToken: TOKEN, apiKey: null, maxRetries: 0 });
    const m = await bearer.beta.messages.create({
      model: 'openai/gpt-4o-mini',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'Hi' }],
      betas: ['interleaved-thinking-2025-05-14'],
    });
    assert.equal(m.content[0]?.type, 'text');
    const r = w.logs.find((l) => l.includes('POST /v1/messages 200'));
    assert.ok(r, 'the request was logged');
  });

  test("a wrong token: 401 in Anthropic's shape (AuthenticationError), nothing upstream", async () => {
    const before = w.upstreamRequests();
    const bad = new Anthropic({ baseURL: w.gateway.url.replace(/\/v1$/, ''), apiKey: 'wrong-token-0000000000', maxRetries: 0 });
    await assert.rejects(bad.messages.create({ model: 'openai/gpt-4o-mini', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => {
      assert.ok(e instanceof Anthropic.AuthenticationError);
      assert.equal((e.error as { type: string; error: { type: string } }).type, 'error');
      assert.equal((e.error as { error: { type: string } }).error.type, 'authentication_error');
      return true;
    });
    assert.equal(w.upstreamRequests(), before);
  });

  test("HEAD / answers 200 (Claude Code's reachability probe), without the token", async () => {
    const r = await raw(w.gateway.port, { method: 'HEAD', path: '/', headers: { host: `127.0.0.1:${w.gateway.port}` } });
    assert.equal(r.status, 200);
  });

  test("upstream rate limit → RateLimitError with Anthropic's error body and retry-after", async () => {
    w.openai.enqueue({ status: 429, headers: { 'retry-after': '7' } });
    await assert.rejects(sdk.messages.create({ model: 'openai/gpt-4o-mini', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => {
      assert.ok(e instanceof Anthropic.RateLimitError);
      assert.equal((e.error as { error: { type: string } }).error.type, 'rate_limit_error');
      assert.equal(e.headers?.get('retry-after'), '7');
      return true;
    });
  });

  test('an empty mcp_servers list asks for nothing: another model answers, with no warning', async () => {
    w.openai.enqueue({ text: 'no servers needed' });
    const body = { model: 'openai/gpt-4o-mini', max_tokens: 20, messages: [{ role: 'user', content: 'x' }], mcp_servers: [] };
    const r = await raw(w.gateway.port, {
      method: 'POST',
      path: '/v1/messages',
      headers: { ...auth, host: `127.0.0.1:${w.gateway.port}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(r.status, 200, r.body);
    assert.equal((JSON.parse(r.body) as { content: { text: string }[] }).content[0]!.text, 'no servers needed');
    assert.equal(r.headers['x-switchboard-warnings'], undefined);
  });

  test("an overloaded upstream is Anthropic's 529 overloaded_error (OverloadedError), streamed or not, whatever the upstream's protocol", async () => {
    const cases = [
      { fake: w.anthropic, model: 'anthropic/claude-sonnet-4', status: 529 },
      { fake: w.openai, model: 'openai/gpt-4o-mini', status: 503 },
    ];
    for (const { fake, model, status } of cases)
      for (const stream of [false, true]) {
        fake.enqueue({ status, headers: { 'retry-after': '3' } });
        const ask = { model, max_tokens: 5, messages: [{ role: 'user' as const, content: 'x' }] };
        await assert.rejects(stream ? sdk.messages.stream(ask).finalMessage() : sdk.messages.create(ask), (e: unknown) => {
          assert.ok(e instanceof Anthropic.OverloadedError, `${model} ${String(stream)}: ${String(e)}`);
          assert.equal(e.status, 529);
          assert.equal((e.error as { error: { type: string } }).error.type, 'overloaded_error');
          assert.equal(e.headers?.get('retry-after'), '3');
          return true;
        });
      }
  });

  test('a prompt over the context window says "prompt is too long" as Anthropic does (Claude Code compacts on those words), whatever said it: OpenAI\'s words, Anthropic\'s own kept once', async () => {
    const cases = [
      {
        fake: w.openai,
        model: 'openai/gpt-4o-mini',
        scenario: { status: 400, errorType: 'context_length_exceeded', errorMessage: "This model's maximum context length is 128000 tokens." },
        words: "This model's maximum context length is 128000 tokens.",
      },
      {
        fake: w.anthropic,
        model: 'anthropic/claude-sonnet-4',
        scenario: { status: 400, errorType: 'invalid_request_error', errorMessage: 'prompt is too long: 208310 tokens > 200000 maximum' },
        words: 'prompt is too long: 208310 tokens > 200000 maximum',
      },
    ];
    for (const { fake, model, scenario, words } of cases)
      for (const stream of [false, true]) {
        fake.enqueue(scenario);
        const ask = { model, max_tokens: 5, messages: [{ role: 'user' as const, content: 'x' }] };
        await assert.rejects(stream ? sdk.messages.stream(ask).finalMessage() : sdk.messages.create(ask), (e: unknown) => {
          assert.ok(e instanceof Anthropic.BadRequestError, `${model} ${String(stream)}: ${String(e)}`);
          const message = (e.error as { error: { type: string; message: string } }).error.message;
          assert.equal((e.error as { error: { type: string } }).error.type, 'invalid_request_error');
          assert.ok(message.includes(words), message);
          assert.equal(message.match(/prompt is too long/gi)?.length, 1, message);
          return true;
        });
      }
  });

  test('the gateway\'s own check against a known context window says "prompt is too long" too; nothing goes upstream', async () => {
    const small = await startWorld({ config: { capabilities: { 'backup/m': { contextWindow: 20 } } } });
    try {
      const client = new Anthropic({ baseURL: small.gateway.url.replace(/\/v1$/, ''), apiKey: TOKEN, maxRetries: 0 });
      for (const stream of [false, true]) {
        const ask = { model: 'backup/m', max_tokens: 5, messages: [{ role: 'user' as const, content: 'word '.repeat(200) }] };
        await assert.rejects(stream ? client.messages.stream(ask).finalMessage() : client.messages.create(ask), (e: unknown) => {
          assert.ok(e instanceof Anthropic.BadRequestError, String(e));
          const message = (e.error as { error: { message: string } }).error.message;
          assert.match(message, /^prompt is too long: .*exceeds its context window of 20 tokens/, message);
          return true;
        });
      }
      assert.equal(small.upstreamRequests(), 0);
    } finally {
      await small.close();
    }
  });

  test('max_tokens reached inside a tool call (translated upstream): stop_reason max_tokens with the cut call, not a 502', async () => {
    // OpenAI's stream: a call whose arguments stop mid-string, then finish_reason "length".
    const chunk = (delta: unknown, finish: string | null = null): string =>
      `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const cut =
      chunk({ role: 'assistant', content: null }) +
      chunk({ tool_calls: [{ index: 0, id: 'call_cut', type: 'function', function: { name: 'write_file', arguments: '' } }] }) +
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"path":"a.txt","content":"hello wo' } }] }) +
      chunk({}, 'length') +
      `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [], usage: { prompt_tokens: 9, completion_tokens: 20, total_tokens: 29 } })}\n\ndata: [DONE]\n\n`;
    w.openai.enqueue({ raw: cut });
    const { data: m, response } = await sdk.messages
      .create({
        model: 'openai/gpt-4o-mini',
        max_tokens: 20,
        tools: [{ name: 'write_file', input_schema: { type: 'object', properties: { path: { type: 'string' }, content: { type: 'string' } } } }],
        messages: [{ role: 'user', content: 'write it' }],
      })
      .withResponse();
    assert.equal(m.stop_reason, 'max_tokens');
    assert.deepEqual(m.content, [{ type: 'tool_use', id: 'call_cut', name: 'write_file', input: {} }]);
    assert.equal(m.usage.output_tokens, 20);
    const warnings = JSON.parse(response.headers.get('x-switchboard-warnings') ?? '[]') as string[];
    assert.ok(
      warnings.some((x) => /tool_use "write_file" \(call_cut\) was cut off by max_tokens.*raise max_tokens/.test(x)),
      JSON.stringify(warnings),
    );
    // Agents never show response headers: the gateway log says it too.
    assert.ok(
      w.logs.some((l) => /gateway: messages: .*tool_use "write_file" \(call_cut\) was cut off by max_tokens/.test(l)),
      w.logs.slice(-5).join('\n'),
    );
  });

  test('tool_choice naming a tool that is not in tools: 400 naming tool_choice.name, nothing upstream, whatever the model', async () => {
    for (const model of ['openai/gpt-4o-mini', 'anthropic/claude-sonnet-4']) {
      const before = w.upstreamRequests();
      await assert.rejects(
        sdk.messages.create({
          model,
          max_tokens: 50,
          tools: [{ name: 'read_file', input_schema: { type: 'object' } }],
          tool_choice: { type: 'tool', name: 'write_file' },
          messages: [{ role: 'user', content: 'x' }],
        }),
        (e: unknown) => {
          assert.ok(e instanceof Anthropic.BadRequestError, String(e));
          assert.equal((e.error as { error: { type: string } }).error.type, 'invalid_request_error');
          assert.match((e.error as { error: { message: string } }).error.message, /^tool_choice: names the tool "write_file", which is not in tools/);
          return true;
        },
      );
      assert.equal(w.upstreamRequests(), before, model);
    }
  });

  test('a tool call whose arguments are not JSON without a cut (stop_reason tool_use) is still the upstream broken answer: 502', async () => {
    w.openai.enqueue({ toolCall: { id: 'call_bad', name: 'write_file', arguments: '{"path": nope' }, finishReason: 'tool_calls' });
    await assert.rejects(
      sdk.messages.create({
        model: 'openai/gpt-4o-mini',
        max_tokens: 50,
        tools: [{ name: 'write_file', input_schema: { type: 'object' } }],
        messages: [{ role: 'user', content: 'write it' }],
      }),
      (e: unknown) => {
        assert.ok(e instanceof Anthropic.InternalServerError);
        assert.equal(e.status, 502);
        assert.match((e.error as { error: { message: string } }).error.message, /arguments for tool "write_file" are not valid JSON/);
        return true;
      },
    );
  });

  test('an upstream error after the stream started ends it with an Anthropic error event; the text before it is kept', async () => {
    w.anthropic.enqueue({ text: TEXT, chunks: 6, midStreamErrorAfterChunks: 2 });
    const r = await raw(w.gateway.port, {
      method: 'POST',
      path: '/v1/messages',
      headers: { ...auth, host: `127.0.0.1:${w.gateway.port}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'anthropic/claude-sonnet-4', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'x' }] }),
    });
    assert.equal(r.status, 200);
    assert.match(r.body, /event: message_start/);
    assert.match(r.body, /event: content_block_delta/);
    const last = r.body.trim().split('\n\n').at(-1)!;
    assert.match(last, /^event: error\ndata: \{"type":"error","error":\{"type":"[a-z_]+_error"/);
    assert.doesNotMatch(r.body, /message_stop/);
  });

  test('bad parameters: 400 invalid_request_error naming the parameter, nothing upstream', async () => {
    const before = w.upstreamRequests();
    await assert.rejects(sdk.messages.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] } as never), (e: unknown) => {
      assert.ok(e instanceof Anthropic.BadRequestError);
      assert.match(e.message, /max_tokens/);
      assert.equal((e.error as { error: { type: string } }).error.type, 'invalid_request_error');
      return true;
    });
    const r = await raw(w.gateway.port, {
      method: 'POST',
      path: '/v1/messages',
      headers: { 'x-api-key': TOKEN, host: `127.0.0.1:${w.gateway.port}` },
      body: '{not json',
    });
    assert.equal(r.status, 400);
    assert.equal(JSON.parse(r.body).error.type, 'invalid_request_error');
    assert.equal(w.upstreamRequests(), before);
  });

  test('an alias lands on its model; an unknown name is a 404 listing the configured names', async () => {
    w.openai.enqueue({ text: 'aliased' });
    const m = await sdk.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 20, messages: [{ role: 'user', content: 'x' }] });
    assert.deepEqual(m.content, [{ type: 'text', text: 'aliased' }]);
    assert.equal(w.openai.requests.at(-1)!.body.model, 'gpt-4o-mini');
    await assert.rejects(sdk.messages.create({ model: 'claude-opus-9', max_tokens: 20, messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => {
      assert.ok(e instanceof Anthropic.NotFoundError);
      assert.match(e.message, /claude-opus-9/);
      assert.match(e.message, /claude-sonnet-4-5/);
      assert.match(e.message, /route\/fast/);
      return true;
    });
  });

  test('a tool loop with thinking through a route: tool_use streamed, the signed thinking goes back upstream unchanged', async () => {
    const tools = [
      { name: 'Write', description: 'write a file', input_schema: { type: 'object' as const, properties: { path: { type: 'string' } }, required: ['path'] } },
    ];
    w.anthropic.enqueue({
      reasoning: 'I should write it.',
      toolCall: { id: 'toolu_01', name: 'Write', arguments: '{"path":"a.txt"}' },
      finishReason: 'tool_use',
    });
    const first = await sdk.messages
      .stream({
        model: 'route/thinker',
        max_tokens: 2000,
        thinking: { type: 'enabled', budget_tokens: 1024 },
        tools,
        messages: [{ role: 'user', content: 'write a.txt' }],
      })
      .finalMessage();
    assert.equal(first.stop_reason, 'tool_use');
    const [thinking, call] = first.content;
    assert.equal(thinking?.type, 'thinking');
    assert.ok(thinking?.type === 'thinking' && thinking.signature.length > 10, 'the signature reached the client');
    assert.deepEqual(call, { type: 'tool_use', id: 'toolu_01', name: 'Write', input: { path: 'a.txt' } });
    const sent = w.anthropic.requests.at(-1)!.body;
    assert.deepEqual(
      sent.tools.map((t: { name: string }) => t.name),
      ['Write'],
    );
    assert.equal(sent.thinking.budget_tokens, 1024);

    w.anthropic.enqueue({ text: 'Written.' });
    const second = await sdk.messages.create({
      model: 'route/thinker',
      max_tokens: 2000,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      tools,
      messages: [
        { role: 'user', content: 'write a.txt' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: 'ok' }] },
      ],
    });
    assert.deepEqual(second.content, [{ type: 'text', text: 'Written.' }]);
    // The route hides which model signed the thinking: the gateway remembered it, so it was not stripped.
    const back = w.anthropic.requests.at(-1)!.body.messages[1].content;
    assert.equal(back[0].type, 'thinking');
    assert.equal(back[0].signature, (thinking as { signature: string }).signature);
    assert.equal(back[0].thinking, 'I should write it.');
    assert.equal(back[1].type, 'tool_use');
    assert.equal(w.anthropic.requests.at(-1)!.body.messages[2].content[0].type, 'tool_result');
  });

  test('thinking.display "omitted" translated for another model: thinking blocks carry their signature alone, streamed or not; unsigned reasoning makes no block; the signature goes back upstream', async () => {
    const ask = {
      max_tokens: 2000,
      thinking: { type: 'enabled' as const, budget_tokens: 1024, display: 'omitted' as const },
      messages: [{ role: 'user' as const, content: 'plan it' }],
    };
    // An Anthropic model through translation (the route): its signed thinking, without the text.
    w.anthropic.enqueue({ reasoning: 'A secret plan.', text: 'Planned.' });
    const whole = await sdk.messages.create({ model: 'route/thinker', ...ask });
    assert.equal(whole.content.length, 2);
    const [block] = whole.content;
    assert.ok(block?.type === 'thinking' && block.thinking === '' && block.signature.length > 10, JSON.stringify(block));
    assert.deepEqual(whole.content[1], { type: 'text', text: 'Planned.' });

    w.anthropic.enqueue({ reasoning: 'A secret plan.', text: 'Planned.' });
    const stream = sdk.messages.stream({ model: 'route/thinker', ...ask });
    const deltas: string[] = [];
    stream.on('streamEvent', (e) => {
      if (e.type === 'content_block_delta') deltas.push(e.delta.type);
    });
    const final = await stream.finalMessage();
    assert.ok(!deltas.includes('thinking_delta'), deltas.join());
    assert.ok(deltas.includes('signature_delta'), deltas.join());
    assert.deepEqual(final.content, whole.content);

    // The block goes back as Anthropic's own omitted blocks do: its signature, an empty text.
    w.anthropic.enqueue({ text: 'Done.' });
    await sdk.messages.create({
      model: 'route/thinker',
      ...ask,
      messages: [...ask.messages, { role: 'assistant', content: whole.content }, { role: 'user', content: 'go on' }],
    });
    const back = w.anthropic.requests.at(-1)!.body.messages[1].content[0];
    assert.deepEqual(back, { type: 'thinking', thinking: '', signature: (block as { signature: string }).signature });

    // A Chat Completions model's reasoning has no signature: a block would carry nothing, so none.
    for (const display of ['omitted', 'summarized'] as const) {
      w.openai.enqueue({ reasoning: 'Some thoughts.', text: 'Answer.' });
      const m = await sdk.messages.create({ model: 'openai/gpt-4o-mini', ...ask, thinking: { ...ask.thinking, display } });
      w.openai.enqueue({ reasoning: 'Some thoughts.', text: 'Answer.' });
      const s = await sdk.messages.stream({ model: 'openai/gpt-4o-mini', ...ask, thinking: { ...ask.thinking, display } }).finalMessage();
      const expected =
        display === 'omitted'
          ? [{ type: 'text', text: 'Answer.' }]
          : [
              { type: 'thinking', thinking: 'Some thoughts.', signature: '' },
              { type: 'text', text: 'Answer.' },
            ];
      assert.deepEqual(m.content, expected, display);
      assert.deepEqual(s.content, expected, display);
    }
  });

  test('thinking.display other than "summarized", "omitted" or "updates": 400 naming the field and the values, nothing upstream', async () => {
    const before = w.upstreamRequests();
    await assert.rejects(
      sdk.messages.create({
        model: 'openai/gpt-4o-mini',
        max_tokens: 2000,
        thinking: { type: 'adaptive', display: 'hidden' } as never,
        messages: [{ role: 'user', content: 'x' }],
      }),
      (e: unknown) => {
        assert.ok(e instanceof Anthropic.BadRequestError);
        assert.equal((e.error as { error: { message: string } }).error.message, 'thinking.display: must be "summarized", "omitted" or "updates", not "hidden"');
        return true;
      },
    );
    assert.equal(w.upstreamRequests(), before);
  });

  test('output_config.format (structured outputs) to an OpenAI model: response_format json_schema with strict, as Anthropic constrains its answers; the JSON comes back as text', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
    w.openai.enqueue({ text: '{"city":"Paris"}' });
    const m = await sdk.messages.create({
      model: 'openai/gpt-4o-mini',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Capital of France?' }],
      output_config: { format: { type: 'json_schema', schema } },
    } as never);
    assert.deepEqual(m.content, [{ type: 'text', text: '{"city":"Paris"}' }]);
    const up = w.openai.requests.at(-1)!.body as { response_format: { type: string; json_schema: { schema: unknown; strict?: boolean } } };
    assert.equal(up.response_format.type, 'json_schema');
    assert.deepEqual(up.response_format.json_schema.schema, schema);
    assert.equal(up.response_format.json_schema.strict, true);
  });

  test('count_tokens on an OpenAI-protocol model: an estimate, said so (x-switchboard-token-count: estimate and a warning)', async () => {
    const r = await raw(w.gateway.port, {
      method: 'POST',
      path: '/v1/messages/count_tokens',
      headers: { 'x-api-key': TOKEN, 'anthropic-version': '2023-06-01', host: `127.0.0.1:${w.gateway.port}` },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'a'.repeat(400) }] }),
    });
    assert.equal(r.status, 200);
    const n = JSON.parse(r.body).input_tokens;
    assert.ok(n >= 100 && n < 120, String(n));
    assert.equal(r.headers['x-switchboard-token-count'], 'estimate');
    assert.match(String(r.headers['x-switchboard-warnings']), /estimate.*no token-counting endpoint/);
  });

  test('a server-side tool (web search) is left out with x-switchboard-warnings, the answer still comes', async () => {
    w.openai.enqueue({ text: 'fine' });
    const res = await sdk.messages
      .create({
        model: 'openai/gpt-4o-mini',
        max_tokens: 20,
        messages: [{ role: 'user', content: 'x' }],
        tools: [{ type: 'web_search_20250305', name: 'web_search' }],
      })
      .withResponse();
    assert.deepEqual(res.data.content, [{ type: 'text', text: 'fine' }]);
    assert.match(String(res.response.headers.get('x-switchboard-warnings')), /web_search.*left out/);
    assert.equal(w.openai.requests.at(-1)!.body.tools, undefined);
    assert.ok(w.logs.some((l) => /messages: .*web_search/.test(l)));
  });

  test("options the gateway cannot honour are refused in Anthropic's error shape, naming the option and the fix; nothing goes upstream", async () => {
    const before = w.anthropic.requests.length + w.openai.requests.length;
    const base = { model: 'anthropic/claude-sonnet-4', max_tokens: 20, messages: [{ role: 'user' as const, content: 'x' }] };
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        { mcp_servers: [{ type: 'url', url: 'https://mcp.example.com', name: 'ex' }] },
        /^mcp_servers: cannot be translated for another model: .*only an Anthropic model .*; for another model, configure the servers in the agent$/,
      ],
      [{ container: 'container_1' }, /^container: cannot be translated for another model: .*; for another model, leave container out$/],
      [
        { tools: [{ type: 'code_execution_20250825', name: 'code_execution' }] },
        /tools\[0\]: tool "code_execution" \(code_execution_20250825\).*remove the tool/,
      ],
      [{ tools: [{ type: 'text_editor_20250728', name: 'str_replace_based_edit_tool' }] }, /tools\[0\]: .*text_editor_20250728.*declare it as a custom tool/],
      [{ tools: [{ type: 'bash_20250124', name: 'bash' }] }, /bash_20250124.*custom tool/],
      [
        { tools: [{ type: 'web_search_20250305', name: 'web_search' }], tool_choice: { type: 'tool', name: 'web_search' } },
        /tool_choice: forces "web_search".*; for another model, use \{"type": "auto"\}/,
      ],
    ];
    for (const [extra, message] of cases) {
      const e = await sdk.messages.create({ ...base, ...extra } as unknown as Anthropic.MessageCreateParamsNonStreaming).catch((x: unknown) => x);
      assert.ok(e instanceof Anthropic.BadRequestError, `${JSON.stringify(extra)}: ${String(e)}`);
      const body = e.error as { type: string; error: { type: string; message: string } };
      assert.equal(body.type, 'error');
      assert.equal(body.error.type, 'invalid_request_error');
      assert.match(body.error.message, message);
    }
    assert.equal(w.anthropic.requests.length + w.openai.requests.length, before, 'nothing was sent upstream');
  });
});

describe('door /v1/messages: translation onto the core request model', () => {
  test('tool_use / tool_result / thinking / images / cache_control map onto core parts, in order', () => {
    const { request, warnings } = parseMessagesRequest({
      model: 'm/x',
      max_tokens: 1000,
      system: [{ type: 'text', text: 'sys', cache_control: { type: 'ephemeral' } }],
      tools: [
        {
          name: 'Write',
          description: 'write a file',
          input_schema: { type: 'object', properties: { path: { type: 'string' } } },
          cache_control: { type: 'ephemeral', ttl: '1h' },
        },
      ],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      thinking: { type: 'enabled', budget_tokens: 2048 },
      stop_sequences: ['END'],
      metadata: { user_id: 'u1' },
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'look' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'hmm', signature: 'sig1' },
            { type: 'redacted_thinking', data: 'opaque' },
            { type: 'text', text: 'writing' },
            { type: 'tool_use', id: 'toolu_1', name: 'Write', input: { path: 'a.txt' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'ok' }], is_error: false },
            { type: 'text', text: 'thanks' },
          ],
        },
      ],
    });
    assert.deepEqual(warnings, []);
    assert.deepEqual(request.messages, [
      { role: 'system', content: [{ type: 'text', text: 'sys', cache: { type: 'ephemeral' } }] },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'look' },
          { type: 'image', source: { type: 'base64', data: 'iVBOR', mediaType: 'image/png' } },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'hmm', signature: 'sig1', state: { origin: 'm/x' } },
          { type: 'reasoning', text: '', redactedData: 'opaque', state: { origin: 'm/x' } },
          { type: 'text', text: 'writing' },
          { type: 'tool-call', id: 'toolu_1', name: 'Write', arguments: '{"path":"a.txt"}' },
        ],
      },
      { role: 'tool', content: [{ type: 'tool-result', callId: 'toolu_1', content: [{ type: 'text', text: 'ok' }] }] },
      { role: 'user', content: [{ type: 'text', text: 'thanks' }] },
    ]);
    assert.deepEqual(request.tools, [
      {
        name: 'Write',
        description: 'write a file',
        parameters: { type: 'object', properties: { path: { type: 'string' } } },
        cache: { type: 'ephemeral', ttl: '1h' },
      },
    ]);
    assert.equal(request.toolChoice, 'required');
    assert.equal(request.parallelToolCalls, false);
    assert.deepEqual(request.reasoning, { budgetTokens: 2048 });
    assert.deepEqual(request.stop, ['END']);
    assert.equal(request.user, 'u1');
    assert.equal(request.maxTokens, 1000);
  });

  test('refused, by name: a bad role, a temperature above 1; an unknown block type, mcp_servers and container only for an Anthropic model', () => {
    const base = { model: 'm/x', max_tokens: 10 };
    // A block type the gateway has no part for: an Anthropic model gets it as sent (it may know it); another model, this refusal.
    const unknownBlock = parseMessagesRequest({ ...base, messages: [{ role: 'user', content: [{ type: 'audio', data: 'x' }] }] });
    assert.match(String(unknownBlock.forwardOnly?.message), /^messages\[0\]\.content\[0\]: content block type "audio" in a user turn cannot be translated/);
    assert.throws(() => parseMessagesRequest({ ...base, messages: [{ role: 'tool', content: 'x' }] }), /messages\[0\]\.role/);
    assert.throws(() => parseMessagesRequest({ ...base, temperature: 1.5, messages: [{ role: 'user', content: 'x' }] }), /temperature/);
    // Anthropic's own features: forward-only (an Anthropic model gets the body as sent; another model, this refusal).
    for (const extra of [{ mcp_servers: [{ type: 'url', url: 'https://mcp.example.com', name: 'ex' }] }, { container: 'container_1' }]) {
      const k = Object.keys(extra)[0]!;
      const parsed = parseMessagesRequest({ ...base, ...extra, messages: [{ role: 'user', content: 'x' }] });
      assert.match(String(parsed.forwardOnly?.message), new RegExp(`^${k}: cannot be translated for another model: .*only an Anthropic model`));
      assert.equal(parsed.forwardOnly?.param, k);
      assert.ok(!parsed.warnings.some((w) => w.includes(k)), 'known, not an unknown parameter');
    }
  });

  test('server tools: left out with a warning that forwarding resolves, or forward-only (code execution, a forced server tool, server-tool blocks in the conversation)', () => {
    const base = { model: 'm/x', max_tokens: 10, messages: [{ role: 'user', content: 'q' }] };
    const search = parseMessagesRequest({ ...base, tools: [{ type: 'web_search_20250305', name: 'web_search' }] });
    assert.deepEqual(search.warnings, ['tool "web_search" (web_search_20250305) runs inside Anthropic\'s API and was left out']);
    assert.deepEqual(search.resolvedByForwarding, search.warnings);
    assert.equal(search.forwardOnly, undefined);
    const code = parseMessagesRequest({ ...base, tools: [{ type: 'code_execution_20250825', name: 'code_execution' }] });
    assert.match(String(code.forwardOnly?.message), /^tools\[0\]: tool "code_execution" .*remove the tool/);
    assert.equal(code.forwardOnly?.param, 'tools[0]');
    assert.equal(code.request.tools, undefined, 'nothing of it in the translated request');
    const forced = parseMessagesRequest({ ...base, tools: [{ type: 'web_search_20250305', name: 'web_search' }], tool_choice: { type: 'any' } });
    assert.match(String(forced.forwardOnly?.message), /tool_choice: names a tool use but no tools were given/);
    assert.throws(() => parseMessagesRequest({ ...base, tool_choice: { type: 'any' } }), /tool_choice: names a tool use but no tools were given/);
    const history = parseMessagesRequest({
      ...base,
      messages: [
        { role: 'user', content: 'q' },
        {
          role: 'assistant',
          content: [
            { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'q' } },
            { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] },
            { type: 'text', text: 'a' },
          ],
        },
        { role: 'user', content: 'more' },
      ],
    });
    assert.match(
      String(history.forwardOnly?.message),
      /^messages\[1\]\.content\[0\]: content block type "server_tool_use" .*only an Anthropic model \(anthropic\/…, or a route or alias that reaches one\) gets it, as sent/,
    );
    assert.deepEqual(history.request.messages[1], { role: 'assistant', content: [{ type: 'text', text: 'a' }] });
  });

  test('thinking.display: "omitted" leaves the thinking text out; "updates" too, with a warning that forwarding resolves; "summarized" is the default', () => {
    const ask = (display: unknown) =>
      parseMessagesRequest({ model: 'm/x', max_tokens: 2000, thinking: { type: 'adaptive', display }, messages: [{ role: 'user', content: 'x' }] });
    assert.equal(ask('omitted').omitThinking, true);
    assert.deepEqual(ask('omitted').warnings, []);
    assert.equal(ask('summarized').omitThinking, undefined);
    assert.equal(ask(undefined).omitThinking, undefined);
    const updates = ask('updates');
    assert.equal(updates.omitThinking, true);
    assert.equal(updates.warnings.length, 1);
    assert.match(updates.warnings[0]!, /^thinking\.display "updates"/);
    assert.deepEqual(updates.resolvedByForwarding, updates.warnings);
    assert.throws(
      () => ask(1),
      (e: Error & { param?: string }) => e.param === 'thinking.display' && /must be "summarized", "omitted" or "updates", not 1/.test(e.message),
    );
  });

  test('an unknown top-level parameter is a warning, not a silent drop', () => {
    const { warnings } = parseMessagesRequest({ model: 'm/x', max_tokens: 10, context_management: {}, messages: [{ role: 'user', content: 'x' }] });
    assert.deepEqual(warnings, ['parameter "context_management" is not understood by the gateway and was ignored']);
  });

  test('output_config: effort "xhigh" (what Claude Code sends for Opus 4.7 on) is the core\'s highest, said when translated; task_budget is left out with a warning; a wrong effort names the five values', () => {
    const ask = (output_config: unknown) =>
      parseMessagesRequest({ model: 'm/x', max_tokens: 10, thinking: { type: 'adaptive' }, output_config, messages: [{ role: 'user', content: 'x' }] });
    const x = ask({ effort: 'xhigh', task_budget: { type: 'tokens', total: 64000 } });
    assert.deepEqual(x.request.reasoning, { effort: 'xhigh' });
    assert.deepEqual(x.warnings, [
      'output_config.effort "xhigh": sent as the answering model\'s highest effort (an Anthropic model through translation gets "max")',
      "output_config.task_budget is honoured only when the answering model speaks Anthropic's protocol; left out",
    ]);
    // Forwarded to an Anthropic model, the body goes as sent: both warnings are resolved.
    assert.deepEqual(x.resolvedByForwarding, x.warnings);
    const m = ask({ effort: 'max' });
    assert.deepEqual(m.request.reasoning, { effort: 'xhigh' });
    assert.deepEqual(m.warnings, []);
    assert.throws(() => ask({ effort: 'extreme' }), /output_config\.effort: must be "low", "medium", "high", "xhigh" or "max"/);
    assert.throws(() => ask({ effort: 'toString' }), /output_config\.effort: must be/);
  });

  const result = (over: Partial<ChatResult>): ChatResult => ({
    model: 'm/x',
    answeredBy: 'm/x',
    providerModel: null,
    responseId: null,
    text: '',
    reasoning: '',
    toolCalls: [],
    finishReason: 'stop',
    rawFinishReason: null,
    usage: { ...emptyUsage(), inputTokens: 10, outputTokens: 5 },
    costUsd: null,
    timing: { ttftMs: 1, totalMs: 2 },
    attempts: [],
    error: null,
    content: [],
    warnings: [],
    ...over,
  });

  test('a tool-call answer: tool_use blocks with parsed input and stop_reason tool_use', () => {
    const req = parseMessagesRequest({ model: 'm/x', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] });
    const m = toMessage(
      result({
        content: [
          { type: 'text', text: 'ok' },
          { type: 'tool-call', id: 'call_1', name: 'Write', arguments: '{"path":"a"}' },
        ],
        finishReason: 'tool_calls',
      }),
      req,
    ) as { content: unknown[]; stop_reason: string };
    assert.deepEqual(m.content, [
      { type: 'text', text: 'ok' },
      { type: 'tool_use', id: 'call_1', name: 'Write', input: { path: 'a' } },
    ]);
    assert.equal(m.stop_reason, 'tool_use');
  });

  test('streamed: thinking, text, then two tool calls become blocks 0..3 with the right deltas', () => {
    const req = parseMessagesRequest({ model: 'm/x', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] });
    const enc = new MessagesEncoder(req);
    const parts: StreamPart[] = [
      { type: 'reasoning-delta', text: 'think' },
      { type: 'text-delta', text: 'a' },
      { type: 'text-delta', text: 'b' },
      { type: 'tool-call-delta', index: 0, id: 'c1', name: 'Write', argumentsDelta: '{"p":' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '1}' },
      { type: 'tool-call-delta', index: 1, id: 'c2', name: 'Read', argumentsDelta: '{}' },
    ];
    let sse = parts.map((p) => enc.part(p)).join('');
    sse += enc.finish(result({ finishReason: 'tool_calls' }));
    const events = sse
      .trim()
      .split('\n\n')
      .map((f) => JSON.parse(f.split('\n')[1]!.slice(6)) as Record<string, unknown>);
    const summary = events.map(
      (e) =>
        `${String(e.type)}${e.index !== undefined ? `:${String(e.index)}` : ''}${e.delta && typeof e.delta === 'object' && 'type' in e.delta ? `:${String((e.delta as { type: string }).type)}` : ''}`,
    );
    assert.deepEqual(summary, [
      'message_start',
      'ping',
      'content_block_start:0',
      'content_block_delta:0:thinking_delta',
      'content_block_stop:0',
      'content_block_start:1',
      'content_block_delta:1:text_delta',
      'content_block_delta:1:text_delta',
      'content_block_stop:1',
      'content_block_start:2',
      'content_block_delta:2:input_json_delta',
      'content_block_delta:2:input_json_delta',
      'content_block_stop:2',
      'content_block_start:3',
      'content_block_delta:3:input_json_delta',
      'content_block_stop:3',
      'message_delta',
      'message_stop',
    ]);
    assert.deepEqual(events[13]!.content_block, { type: 'tool_use', id: 'c2', name: 'Read', input: {} });
    assert.deepEqual((events.at(-2) as { delta: unknown }).delta, { stop_reason: 'tool_use', stop_sequence: null });
  });

  test('thinking.display "omitted": signed reasoning is a thinking block with its signature and no thinking_delta (a Gemini thought too); unsigned reasoning no block', () => {
    const req = parseMessagesRequest({
      model: 'm/x',
      max_tokens: 2000,
      thinking: { type: 'adaptive', display: 'omitted' },
      messages: [{ role: 'user', content: 'x' }],
    });
    const enc = new MessagesEncoder(req);
    const parts: StreamPart[] = [
      { type: 'reasoning-delta', text: 'unsigned thoughts' },
      { type: 'text-delta', text: 'a' },
      { type: 'reasoning-delta', text: 'signed ' },
      { type: 'reasoning-delta', text: 'thoughts' },
      { type: 'reasoning-signature', signature: 'sig-1' },
      { type: 'reasoning-delta', text: 'a Gemini thought', thoughtSignature: 'gem-1' },
      { type: 'text-delta', text: 'b' },
    ];
    const sse = parts.map((p) => enc.part(p)).join('') + enc.finish(result({}));
    assert.ok(!sse.includes('thoughts') && !sse.includes('Gemini thought'), sse);
    const events = sse
      .trim()
      .split('\n\n')
      .map((f) => JSON.parse(f.split('\n')[1]!.slice(6)) as { type: string; index?: number; delta?: Record<string, unknown>; content_block?: unknown });
    const blocks = events.filter((e) => e.type === 'content_block_start').map((e) => e.content_block);
    assert.deepEqual(blocks, [
      { type: 'text', text: '' },
      { type: 'thinking', thinking: '', signature: '' },
      { type: 'thinking', thinking: '', signature: '' },
      { type: 'text', text: '' },
    ]);
    assert.deepEqual(
      events.filter((e) => e.type === 'content_block_delta').map((e) => e.delta),
      [
        { type: 'text_delta', text: 'a' },
        { type: 'signature_delta', signature: 'sig-1' },
        { type: 'signature_delta', signature: 'gem-1' },
        { type: 'text_delta', text: 'b' },
      ],
    );

    const m = toMessage(
      result({
        content: [
          { type: 'reasoning', text: 'unsigned thoughts' },
          { type: 'reasoning', text: 'signed thoughts', signature: 'sig-1' },
          { type: 'reasoning', text: '', redactedData: 'opaque' },
          { type: 'text', text: 'ab' },
        ],
      }),
      req,
    ) as { content: unknown[] };
    assert.deepEqual(m.content, [
      { type: 'thinking', thinking: '', signature: 'sig-1' },
      { type: 'redacted_thinking', data: 'opaque' },
      { type: 'text', text: 'ab' },
    ]);
  });
});

describe('door /v1/messages translated over an Anthropic upstream: usage as Anthropic counts it', () => {
  // Anthropic's stream with prompt-cache reads and writes (5-minute and 1-hour), as its API sends them.
  const ev = (type: string, data: Record<string, unknown>): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const cached =
    ev('message_start', {
      message: {
        id: 'msg_up1',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: 12,
          cache_read_input_tokens: 100,
          cache_creation_input_tokens: 50,
          cache_creation: { ephemeral_5m_input_tokens: 30, ephemeral_1h_input_tokens: 20 },
          output_tokens: 1,
        },
      },
    }) +
    ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }) +
    ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Hello' } }) +
    ev('content_block_stop', { index: 0 }) +
    ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 7 } }) +
    ev('message_stop', {});
  const expected = {
    input_tokens: 12,
    output_tokens: 7,
    cache_read_input_tokens: 100,
    cache_creation_input_tokens: 50,
    cache_creation: { ephemeral_5m_input_tokens: 30, ephemeral_1h_input_tokens: 20 },
  };
  let w: World;
  let sdk: Anthropic;
  before(async () => {
    // The fast path off: the answer goes through the core and the door's encoder (as when a route or another model's state makes the gateway translate).
    w = await startWorld({ gateway: { fastPath: false } });
    sdk = new Anthropic({ baseURL: w.gateway.url.replace(/\/v1$/, ''), apiKey: TOKEN, maxRetries: 0 });
  });
  after(() => w.close());
  const ask = { model: 'anthropic/claude-sonnet-4', max_tokens: 50, messages: [{ role: 'user' as const, content: 'Hi' }] };

  test('non-streamed: cache writes are cache_creation_input_tokens (with the 5m/1h split), not part of input_tokens', async () => {
    w.anthropic.enqueue({ raw: cached });
    const m = await sdk.messages.create(ask);
    assert.equal(m.content[0]?.type === 'text' && m.content[0].text, 'Hello');
    assert.deepEqual(m.usage, expected);
  });

  test('stop_reason model_context_window_exceeded from an Anthropic model is kept, streamed and not (it is not max_tokens)', async () => {
    for (const stream of [false, true]) {
      w.anthropic.enqueue({ text: 'The window is full', finishReason: 'model_context_window_exceeded' });
      const m = stream ? await sdk.messages.stream(ask).finalMessage() : await sdk.messages.create(ask);
      assert.equal(m.stop_reason, 'model_context_window_exceeded', String(stream));
    }
    // Another protocol's length cut is max_tokens.
    w.openai.enqueue({ text: 'cut', finishReason: 'length' });
    const cut = await sdk.messages.create({ ...ask, model: 'openai/gpt-4o-mini' });
    assert.equal(cut.stop_reason, 'max_tokens');
  });

  test('streamed: message_start and the final message carry the same counts as the upstream sent', async () => {
    w.anthropic.enqueue({ raw: cached });
    const s = sdk.messages.stream(ask);
    let start: Record<string, unknown> | undefined;
    s.on('streamEvent', (e) => {
      if (e.type === 'message_start') start = structuredClone(e.message.usage) as unknown as Record<string, unknown>;
    });
    const m = await s.finalMessage();
    assert.deepEqual(start, { ...expected, output_tokens: 0 });
    assert.deepEqual(m.usage, expected);
  });
});

describe('door /v1/messages: a conversation Gemini made tool calls in, then an Anthropic model', () => {
  test('the same call made twice by Gemini (no ids of its own) gets two tool_use ids; Anthropic, which refuses a repeated id, takes the whole conversation', async () => {
    const gemini = await startFakeProvider('gemini', { apiKey: KEY });
    const anthropic = await startFakeProvider('anthropic', { apiKey: KEY });
    const client = createClient(
      {
        retries: { maxRetries: 0 },
        providers: [
          { id: 'google', baseUrl: gemini.baseUrl },
          { id: 'anthropic', baseUrl: anthropic.baseUrl },
        ],
      },
      { env: { GEMINI_API_KEY: KEY, ANTHROPIC_API_KEY: KEY }, catalogCacheFile: null },
    );
    const gw = await startGateway({ client, token: TOKEN, secrets: [KEY] });
    try {
      const sdk = new Anthropic({ baseURL: gw.url.replace(/\/v1$/, ''), apiKey: TOKEN, maxRetries: 0 });
      const tools = [{ name: 'Read', input_schema: { type: 'object' as const, properties: { path: { type: 'string' } } } }];
      const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Read a.txt, then read it again' }];
      const ids: string[] = [];
      // An agent re-reading a file: the same call (name, arguments, first in its turn) in two turns.
      for (let turn = 0; turn < 2; turn++) {
        gemini.enqueue({ toolCall: { id: '', name: 'Read', arguments: '{"path":"a.txt"}' }, finishReason: 'STOP' });
        const m = await sdk.messages.create({ model: 'google/gemini-2.5-flash', max_tokens: 100, tools, messages });
        assert.equal(m.stop_reason, 'tool_use');
        const use = m.content.find((b) => b.type === 'tool_use');
        assert.ok(use?.type === 'tool_use');
        ids.push(use.id);
        messages.push(
          { role: 'assistant', content: m.content },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: `read ${turn}` }] },
        );
      }
      assert.notEqual(ids[0], ids[1]);
      // The conversation goes on with an Anthropic model (a /model switch, a route's fallback): forwarded as sent.
      anthropic.enqueue({ text: 'Both reads agree.' });
      const last = await sdk.messages.create({ model: 'anthropic/claude-sonnet-4', max_tokens: 100, tools, messages });
      assert.deepEqual(last.content, [{ type: 'text', text: 'Both reads agree.' }]);
      const sent = anthropic.requests.at(-1)!.body as { messages: { content: unknown }[] };
      assert.equal(sent.messages.length, 5);
    } finally {
      await gw.close();
      await client.close();
      await gemini.close();
      await anthropic.close();
    }
  });
});

describe('door /v1/messages over Gemini: a malformed function call', () => {
  test('finishReason MALFORMED_FUNCTION_CALL is a 502 naming it, streamed or not, not an empty end_turn answer', async () => {
    const gemini = await startFakeProvider('gemini', { apiKey: KEY });
    const client = createClient(
      { retries: { maxRetries: 0 }, providers: [{ id: 'google', baseUrl: gemini.baseUrl }] },
      { env: { GEMINI_API_KEY: KEY }, catalogCacheFile: null },
    );
    const gw = await startGateway({ client, token: TOKEN, secrets: [KEY] });
    try {
      const sdk = new Anthropic({ baseURL: gw.url.replace(/\/v1$/, ''), apiKey: TOKEN, maxRetries: 0 });
      const malformed = `data: ${JSON.stringify({
        candidates: [{ content: { role: 'model', parts: [] }, finishReason: 'MALFORMED_FUNCTION_CALL', index: 0 }],
        usageMetadata: { promptTokenCount: 12, candidatesTokenCount: 0, totalTokenCount: 12 },
        modelVersion: 'gemini-2.5-flash',
      })}\n\n`;
      const ask = {
        model: 'google/gemini-2.5-flash',
        max_tokens: 100,
        tools: [{ name: 'Read', input_schema: { type: 'object' as const, properties: { path: { type: 'string' } } } }],
        messages: [{ role: 'user' as const, content: 'Read a.txt' }],
      };
      for (const stream of [false, true]) {
        gemini.enqueue({ raw: malformed });
        await assert.rejects(stream ? sdk.messages.stream(ask).finalMessage() : sdk.messages.create(ask), (e: unknown) => {
          assert.ok(e instanceof Anthropic.InternalServerError, `${String(stream)}: ${String(e)}`);
          assert.equal(e.status, 502);
          assert.match((e.error as { error: { message: string } }).error.message, /finishReason "MALFORMED_FUNCTION_CALL"/);
          return true;
        });
      }
    } finally {
      await gw.close();
      await client.close();
      await gemini.close();
    }
  });
});

describe("door /v1/messages/count_tokens: the upstream's own count where it has one", () => {
  test('Anthropic model: its count_tokens (the translated request, count fields only); Gemini: countTokens; a route: an estimate', async () => {
    const anthropic = await startFakeProvider('anthropic', { apiKey: KEY });
    const gemini = await startFakeProvider('gemini', { apiKey: KEY });
    const client = createClient(
      {
        providers: [
          { id: 'anthropic', baseUrl: anthropic.baseUrl },
          { id: 'gemini', baseUrl: gemini.baseUrl },
        ],
        routes: [{ id: 'both', models: ['anthropic/claude-sonnet-4-5', 'gemini/gemini-2.5-flash'] }],
      },
      { env: { ANTHROPIC_API_KEY: KEY, GEMINI_API_KEY: KEY }, catalogCacheFile: null },
    );
    const gw = await startGateway({ client, token: TOKEN, secrets: [KEY] });
    try {
      const sdk = new Anthropic({ baseURL: gw.url.replace(/\/v1$/, ''), apiKey: TOKEN, maxRetries: 0 });
      const body = {
        system: 'Be brief.',
        messages: [{ role: 'user' as const, content: 'How many tokens is this?' }],
        tools: [{ name: 'read_file', input_schema: { type: 'object' as const, properties: { path: { type: 'string' } } } }],
      };
      const a = await sdk.messages.countTokens({ model: 'anthropic/claude-sonnet-4-5', ...body }).withResponse();
      assert.equal(a.response.headers.get('x-switchboard-token-count'), 'upstream');
      const sent = anthropic.requests.at(-1)!;
      assert.equal(sent.path, '/v1/messages/count_tokens');
      assert.deepEqual(Object.keys(sent.body).sort(), ['messages', 'model', 'system', 'tools']);
      assert.equal(sent.body.model, 'claude-sonnet-4-5');
      const third = (v: unknown): number => Math.ceil(JSON.stringify(v ?? null).length / 3);
      assert.equal(a.data.input_tokens, third([sent.body.system, sent.body.messages, sent.body.tools]), "the fake's count, not an estimate");

      const g = await sdk.messages.countTokens({ model: 'gemini/gemini-2.5-flash', ...body }).withResponse();
      assert.equal(g.response.headers.get('x-switchboard-token-count'), 'upstream');
      const gs = gemini.requests.at(-1)!;
      assert.match(gs.path, /\/models\/gemini-2\.5-flash:countTokens$/);
      const inner = gs.body.generateContentRequest;
      assert.equal(inner.model, 'models/gemini-2.5-flash');
      assert.equal(g.data.input_tokens, third([inner.systemInstruction, inner.contents, inner.tools]));

      const r = await sdk.messages.countTokens({ model: 'route/both', ...body }).withResponse();
      assert.equal(r.response.headers.get('x-switchboard-token-count'), 'estimate');
      assert.match(String(r.response.headers.get('x-switchboard-warnings')), /route/);
    } finally {
      await gw.close();
      await client.close();
      await anthropic.close();
      await gemini.close();
    }
  });
});

describe('door /v1/messages: stop_sequences answered by a model of another protocol', () => {
  test("OpenAI and Gemini do not say whether a stop sequence ended the answer: stop_reason end_turn with a warning (header and log), streamed or not; an Anthropic model's stop_sequence is exact, with none", async () => {
    const openai = await startFakeProvider('openai', { apiKey: KEY });
    const gemini = await startFakeProvider('gemini', { apiKey: KEY });
    const anthropic = await startFakeProvider('anthropic', { apiKey: KEY });
    const client = createClient(
      {
        retries: { maxRetries: 0 },
        providers: [
          { id: 'openai', baseUrl: openai.baseUrl },
          { id: 'google', baseUrl: gemini.baseUrl },
          { id: 'anthropic', baseUrl: anthropic.baseUrl },
        ],
      },
      { env: { OPENAI_API_KEY: KEY, GEMINI_API_KEY: KEY, ANTHROPIC_API_KEY: KEY }, catalogCacheFile: null },
    );
    const logs: string[] = [];
    // Fast path off: the Anthropic model's answer is translated too.
    const gw = await startGateway({ client, token: TOKEN, secrets: [KEY], fastPath: false, log: (l) => logs.push(l) });
    try {
      const sdk = new Anthropic({ baseURL: gw.url.replace(/\/v1$/, ''), apiKey: TOKEN, maxRetries: 0 });
      const said = /stop_sequences: the answering model's API does not say whether a stop sequence ended the answer/;
      for (const [fake, model] of [
        [openai, 'openai/gpt-4o-mini'],
        [gemini, 'google/gemini-2.5-flash'],
      ] as const)
        for (const stream of [false, true]) {
          fake.enqueue({ text: 'one two' });
          const ask = { model, max_tokens: 100, stop_sequences: ['###'], messages: [{ role: 'user' as const, content: 'count' }] };
          const logged = logs.length;
          const { m, warnings } = await askWithWarnings(sdk, ask, stream);
          assert.equal(m.stop_reason, 'end_turn');
          assert.equal(m.stop_sequence, null);
          assert.match(String(warnings), said, `${model} ${String(stream)}`);
          assert.ok(
            logs.slice(logged).some((l) => said.test(l)),
            `${model} ${String(stream)}: ${JSON.stringify(logs.slice(logged))}`,
          );
          const sent = fake.requests.at(-1)!.body as { stop?: string[]; generationConfig?: { stopSequences?: string[] } };
          assert.deepEqual(sent.stop ?? sent.generationConfig?.stopSequences, ['###']);
        }
      for (const stream of [false, true]) {
        anthropic.enqueue({ text: 'one two', finishReason: 'stop_sequence', stopSequence: '###' });
        const ask = { model: 'anthropic/claude-sonnet-4', max_tokens: 100, stop_sequences: ['###'], messages: [{ role: 'user' as const, content: 'count' }] };
        const logged = logs.length;
        const m = stream ? await sdk.messages.stream(ask).finalMessage() : await sdk.messages.create(ask);
        assert.equal(m.stop_reason, 'stop_sequence');
        assert.equal(m.stop_sequence, '###');
        assert.ok(!logs.slice(logged).some((l) => said.test(l)), JSON.stringify(logs.slice(logged)));
      }
    } finally {
      await gw.close();
      await client.close();
      await openai.close();
      await gemini.close();
      await anthropic.close();
    }
  });
});

describe('door /v1/messages over Gemini: a tool result of several text blocks', () => {
  test('the blocks reach Gemini a blank line apart in the function response, not glued into one text (the exact body the strict fake takes)', async () => {
    const gemini = await startFakeProvider('gemini', { apiKey: KEY });
    const client = createClient(
      { retries: { maxRetries: 0 }, providers: [{ id: 'google', baseUrl: gemini.baseUrl }] },
      { env: { GEMINI_API_KEY: KEY }, catalogCacheFile: null },
    );
    const gw = await startGateway({ client, token: TOKEN, secrets: [KEY] });
    try {
      const sdk = new Anthropic({ baseURL: gw.url.replace(/\/v1$/, ''), apiKey: TOKEN, maxRetries: 0 });
      gemini.enqueue({ text: 'Two files.' });
      const m = await sdk.messages.create({
        model: 'google/gemini-2.5-flash',
        max_tokens: 100,
        tools: [{ name: 'Read', input_schema: { type: 'object' as const, properties: { path: { type: 'string' } } } }],
        messages: [
          { role: 'user', content: 'Read a.txt and b.txt' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'Read', input: { path: '*.txt' } }] },
          {
            role: 'user',
            content: [
              {
                type: 'tool_result',
                tool_use_id: 'toolu_1',
                content: [
                  { type: 'text', text: 'a.txt: alpha' },
                  { type: 'text', text: 'b.txt: beta' },
                ],
              },
            ],
          },
        ],
      });
      assert.deepEqual(m.content, [{ type: 'text', text: 'Two files.' }]);
      assert.deepEqual(gemini.requests.at(-1)!.body.contents, [
        { role: 'user', parts: [{ text: 'Read a.txt and b.txt' }] },
        { role: 'model', parts: [{ functionCall: { id: 'toolu_1', name: 'Read', args: { path: '*.txt' } } }] },
        { role: 'user', parts: [{ functionResponse: { id: 'toolu_1', name: 'Read', response: { output: 'a.txt: alpha\n\nb.txt: beta' } } }] },
      ]);
    } finally {
      await gw.close();
      await client.close();
      await gemini.close();
    }
  });
});

describe('door /v1/messages: stop_sequences answered by a vLLM or SGLang server', () => {
  test('vLLM (choices[].stop_reason) and SGLang (matched_stop) say which stop sequence matched: stop_reason "stop_sequence" with it, or "end_turn" when none did (null, a token id); no warning, streamed or not', async () => {
    const vllm = await startFakeProvider('openai', { apiKey: KEY, server: 'vllm' });
    const sglang = await startFakeProvider('openai', { apiKey: KEY, server: 'sglang' });
    const logs: string[] = [];
    let client: ReturnType<typeof createClient> | undefined;
    let gw: Awaited<ReturnType<typeof startGateway>> | undefined;
    try {
      // The presets: no kind, no other setting says what server it is.
      client = createClient(
        {
          retries: { maxRetries: 0 },
          providers: [
            { id: 'vllm', baseUrl: vllm.baseUrl },
            { id: 'sglang', baseUrl: sglang.baseUrl },
          ],
        },
        { env: { VLLM_API_KEY: KEY, SGLANG_API_KEY: KEY }, catalogCacheFile: null },
      );
      gw = await startGateway({ client, token: TOKEN, secrets: [KEY], log: (l) => logs.push(l) });
      const sdk = new Anthropic({ baseURL: gw.url.replace(/\/v1$/, ''), apiKey: TOKEN, maxRetries: 0 });
      for (const [fake, model] of [
        [vllm, 'vllm/gpt-4o-mini'],
        [sglang, 'sglang/gpt-4o-mini'],
      ] as const)
        for (const stream of [false, true])
          for (const matched of ['###', null]) {
            const at = `${model} stream ${String(stream)} matched ${String(matched)}`;
            fake.enqueue(matched === null ? { text: 'one two' } : { text: 'one two', stopSequence: matched });
            const ask = { model, max_tokens: 100, stop_sequences: ['END', '###'], messages: [{ role: 'user' as const, content: 'count' }] };
            const logged = logs.length;
            const { m, warnings } = await askWithWarnings(sdk, ask, stream);
            assert.equal(m.stop_reason, matched === null ? 'end_turn' : 'stop_sequence', at);
            assert.equal(m.stop_sequence, matched, at);
            assert.equal(warnings, null, at);
            assert.ok(!logs.slice(logged).some((l) => /stop_sequences/.test(l)), `${at}: ${JSON.stringify(logs.slice(logged))}`);
            assert.deepEqual((fake.requests.at(-1)!.body as { stop?: string[] }).stop, ['END', '###']);
          }
    } finally {
      await gw?.close();
      await client?.close();
      await vllm.close();
      await sglang.close();
    }
  });
});
