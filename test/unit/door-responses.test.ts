// POST /v1/responses: the official openai SDK's responses.create (streamed and not) against the
// gateway over upstreams of other protocols; the Responses error shape; previous_response_id;
// the translation of items, namespaces and hosted tools onto the core request model.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { parseResponsesRequest } from '../../src/gateway/doors/responsesRequest.ts';
import { ResponsesEncoder, toResponse } from '../../src/gateway/doors/responsesResponse.ts';
import { ConversationStore } from '../../src/gateway/doors/responsesDoor.ts';
import type { ChatResult, StreamPart } from '../../src/core/types.ts';
import { emptyUsage } from '../../src/core/types.ts';
import { auth, raw, startWorld, TEXT, TOKEN, type World } from './gatewayWorld.ts';

describe('door /v1/responses: openai SDK responses.create', () => {
  let w: World;
  let sdk: OpenAI;
  before(async () => {
    w = await startWorld();
    sdk = new OpenAI({ baseURL: w.gateway.url, apiKey: TOKEN, maxRetries: 0 });
  });
  after(() => w.close());

  test('non-streamed over an Anthropic upstream: a response object, output_text, usage', async () => {
    w.anthropic.enqueue({ text: TEXT, usage: { input: 30, output: 12 } });
    const r = await sdk.responses.create({ model: 'anthropic/claude-sonnet-4', instructions: 'Be brief.', input: 'Hi', max_output_tokens: 200 });
    assert.equal(r.object, 'response');
    assert.match(r.id, /^resp_/);
    assert.equal(r.status, 'completed');
    assert.equal(r.output_text, TEXT);
    assert.equal(r.output.length, 1);
    assert.equal(r.output[0]!.type, 'message');
    assert.equal(r.usage?.input_tokens, 30);
    assert.equal(r.usage?.output_tokens, 12);
    assert.equal(r.usage?.total_tokens, 42);
    const up = w.anthropic.requests.at(-1)!.body;
    assert.equal(up.max_tokens, 200);
    assert.equal(up.messages.length, 1);
    assert.equal(up.messages[0].role, 'user');
    assert.match(JSON.stringify(up.messages[0].content), /Hi/);
    assert.match(JSON.stringify(up.system), /Be brief\./);
  });

  test('streamed over an OpenAI upstream: semantic events with increasing sequence numbers, response.completed with usage', async () => {
    w.openai.enqueue({ text: TEXT, chunks: 5, usage: { input: 9, output: 8 } });
    const stream = await sdk.responses.create({
      model: 'openai/gpt-4o-mini',
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'Hi' }] }],
      stream: true,
    });
    const types: string[] = [];
    const seqs: number[] = [];
    let text = '';
    let completed: OpenAI.Responses.Response | null = null;
    for await (const e of stream) {
      types.push(e.type);
      seqs.push(e.sequence_number);
      if (e.type === 'response.output_text.delta') text += e.delta;
      if (e.type === 'response.completed') completed = e.response;
    }
    assert.equal(text, TEXT);
    assert.deepEqual(
      seqs,
      seqs.map((_, i) => i),
    );
    assert.deepEqual(types.slice(0, 4), ['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
    assert.deepEqual(types.slice(-4), ['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']);
    assert.ok(completed);
    assert.equal(completed.status, 'completed');
    assert.equal(completed.usage?.input_tokens, 9);
    assert.equal((completed.output[0] as { content: { text: string }[] }).content[0]!.text, TEXT);
  });

  test('previous_response_id continues the conversation; store:false keeps nothing; an unknown id is refused', async () => {
    w.openai.enqueue({ text: 'first answer' });
    const first = await sdk.responses.create({ model: 'openai/gpt-4o-mini', input: 'one' });
    w.openai.enqueue({ text: 'second answer' });
    await sdk.responses.create({ model: 'openai/gpt-4o-mini', input: 'two', previous_response_id: first.id });
    const msgs = w.openai.requests.at(-1)!.body.messages as { role: string; content: unknown }[];
    const text = (c: unknown): string => (typeof c === 'string' ? c : (c as { text: string }[]).map((p) => p.text).join(''));
    assert.deepEqual(
      msgs.map((m) => [m.role, text(m.content)]),
      [
        ['user', 'one'],
        ['assistant', 'first answer'],
        ['user', 'two'],
      ],
    );
    w.openai.enqueue({ text: 'x' });
    const stateless = await sdk.responses.create({ model: 'openai/gpt-4o-mini', input: 'three', store: false });
    const before = w.upstreamRequests();
    await assert.rejects(sdk.responses.create({ model: 'openai/gpt-4o-mini', input: 'four', previous_response_id: stateless.id }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.NotFoundError);
      assert.equal((e.error as { code: string }).code, 'previous_response_not_found');
      return true;
    });
    assert.equal(w.upstreamRequests(), before);
  });

  test('a tool loop with reasoning over an Anthropic upstream, streamed: the encrypted reasoning and the call go back as Anthropic needs them', async () => {
    const tools: OpenAI.Responses.Tool[] = [
      {
        type: 'function',
        name: 'exec_command',
        description: 'run',
        parameters: { type: 'object', properties: { cmd: { type: 'string' } }, required: ['cmd'] },
        strict: false,
      },
    ];
    w.anthropic.enqueue({ reasoning: 'List first.', toolCall: { id: 'toolu_9', name: 'exec_command', arguments: '{"cmd":"ls"}' }, finishReason: 'tool_use' });
    const stream = await sdk.responses.create({
      model: 'anthropic/claude-sonnet-4',
      input: 'list',
      tools,
      reasoning: { effort: 'medium' },
      include: ['reasoning.encrypted_content'],
      store: false,
      stream: true,
    });
    const done: OpenAI.Responses.ResponseOutputItem[] = [];
    let args = '';
    for await (const e of stream) {
      if (e.type === 'response.output_item.done') done.push(e.item);
      if (e.type === 'response.function_call_arguments.delta') args += e.delta;
    }
    assert.equal(args, '{"cmd":"ls"}');
    assert.deepEqual(
      done.map((i) => i.type),
      ['reasoning', 'function_call'],
    );
    const reasoning = done[0] as OpenAI.Responses.ResponseReasoningItem;
    assert.ok(reasoning.encrypted_content && reasoning.encrypted_content.length > 10);
    const call = done[1] as OpenAI.Responses.ResponseFunctionToolCall;
    assert.equal(call.call_id, 'toolu_9');
    assert.equal(w.anthropic.requests.at(-1)!.body.tools[0].name, 'exec_command');

    w.anthropic.enqueue({ text: 'a.txt' });
    const second = await sdk.responses.create({
      model: 'anthropic/claude-sonnet-4',
      tools,
      reasoning: { effort: 'medium' },
      store: false,
      input: [
        { role: 'user', content: 'list' },
        { type: 'reasoning', id: reasoning.id, summary: reasoning.summary, encrypted_content: reasoning.encrypted_content },
        { type: 'function_call', call_id: call.call_id, name: call.name, arguments: call.arguments },
        { type: 'function_call_output', call_id: call.call_id, output: 'a.txt' },
      ],
    });
    assert.equal(second.output_text, 'a.txt');
    const msgs = w.anthropic.requests.at(-1)!.body.messages;
    assert.deepEqual(
      msgs[1].content.map((b: { type: string }) => b.type),
      ['thinking', 'tool_use'],
    );
    assert.equal(msgs[1].content[0].signature, reasoning.encrypted_content);
    assert.equal(msgs[1].content[0].thinking, 'List first.');
    assert.deepEqual(msgs[2].content, [{ type: 'tool_result', tool_use_id: 'toolu_9', content: 'a.txt' }]);
  });

  test('errors in the Responses shape: wrong token 401, upstream 429, a bad parameter 400 naming it', async () => {
    const bad = new OpenAI({ baseURL: w.gateway.url, apiKey: 'wrong-token-000000000000', maxRetries: 0 });
    await assert.rejects(bad.responses.create({ model: 'openai/gpt-4o-mini', input: 'x' }), OpenAI.AuthenticationError);
    w.openai.enqueue({ status: 429 });
    await assert.rejects(sdk.responses.create({ model: 'openai/gpt-4o-mini', input: 'x' }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.RateLimitError);
      assert.equal((e.error as { code: string }).code, 'rate_limit_exceeded');
      return true;
    });
    await assert.rejects(sdk.responses.create({ model: 'openai/gpt-4o-mini', input: 'x', reasoning: { effort: 'huge' as never } }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.BadRequestError);
      assert.equal((e.error as { param: string }).param, 'reasoning.effort');
      return true;
    });
  });

  test('tool_choice naming a function that is not in tools: 400 naming tool_choice.name, nothing upstream', async () => {
    const before = w.upstreamRequests();
    await assert.rejects(
      sdk.responses.create({
        model: 'anthropic/claude-sonnet-4',
        input: 'x',
        tools: [{ type: 'function', name: 'read_file', parameters: { type: 'object', properties: {} }, strict: false }],
        tool_choice: { type: 'function', name: 'write_file' },
      }),
      (e: unknown) => {
        assert.ok(e instanceof OpenAI.BadRequestError, String(e));
        assert.equal((e.error as { param: string }).param, 'tool_choice.name');
        assert.match((e.error as { message: string }).message, /names the function "write_file", which is not in tools/);
        return true;
      },
    );
    assert.equal(w.upstreamRequests(), before);
  });

  test("an Anthropic model's full context window (model_context_window_exceeded) is incomplete max_output_tokens, the closest Responses has, and a warning says what it really was: header, or log when streamed", async () => {
    const full = /anthropic\/claude-sonnet-4 stopped because its context window is full \(model_context_window_exceeded\), not at max_tokens/;
    w.anthropic.enqueue({ text: 'The window is full', finishReason: 'model_context_window_exceeded' });
    const { data, response } = await sdk.responses.create({ model: 'anthropic/claude-sonnet-4', input: 'x' }).withResponse();
    assert.equal(data.status, 'incomplete');
    assert.equal(data.incomplete_details?.reason, 'max_output_tokens');
    assert.match(String(response.headers.get('x-switchboard-warnings')), full);
    const logged = w.logs.length;
    w.anthropic.enqueue({ text: 'The window is full', finishReason: 'model_context_window_exceeded' });
    const s = sdk.responses.stream({ model: 'anthropic/claude-sonnet-4', input: 'x' });
    const final = await s.finalResponse();
    assert.equal(final.incomplete_details?.reason, 'max_output_tokens');
    assert.ok(
      w.logs.slice(logged).some((l) => full.test(l)),
      JSON.stringify(w.logs.slice(logged)),
    );
    // A max_tokens stop is not one.
    w.anthropic.enqueue({ text: 'cut', finishReason: 'max_tokens' });
    const cut = await sdk.responses.create({ model: 'anthropic/claude-sonnet-4', input: 'x' }).withResponse();
    assert.equal(cut.data.incomplete_details?.reason, 'max_output_tokens');
    assert.doesNotMatch(String(cut.response.headers.get('x-switchboard-warnings')), /context window/);
  });

  test('background: false (the default, sent explicitly) is answered, with no warning; background: true is refused', async () => {
    w.anthropic.enqueue({ text: 'foreground' });
    const { data, response } = await sdk.responses
      .create({ model: 'anthropic/claude-sonnet-4', input: 'x', background: false, conversation: null, prompt: null })
      .withResponse();
    assert.equal(data.output_text, 'foreground');
    assert.equal(response.headers.get('x-switchboard-warnings'), null);
    const before = w.upstreamRequests();
    await assert.rejects(sdk.responses.create({ model: 'anthropic/claude-sonnet-4', input: 'x', background: true }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.BadRequestError);
      assert.equal((e.error as { param: string }).param, 'background');
      return true;
    });
    assert.equal(w.upstreamRequests(), before);
  });

  test('an error after streaming started ends the stream with response.failed', async () => {
    w.openai.enqueue({ text: TEXT, chunks: 6, midStreamErrorAfterChunks: 2 });
    const r = await raw(w.gateway.port, {
      method: 'POST',
      path: '/v1/responses',
      headers: { ...auth, host: `127.0.0.1:${w.gateway.port}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', stream: true, input: 'x' }),
    });
    assert.equal(r.status, 200);
    const frames = r.body.trim().split('\n\n');
    assert.match(frames[0]!, /^event: response.created/);
    assert.ok(frames.some((f) => f.startsWith('event: response.output_text.delta')));
    const last = JSON.parse(frames.at(-1)!.split('\n')[1]!.slice(6));
    assert.equal(last.type, 'response.failed');
    assert.equal(last.response.status, 'failed');
    assert.ok(last.response.error.message);
  });

  test("a prompt over the context window, in any upstream's words, is code context_length_exceeded (what Codex compacts on): an HTTP 400 before the answer, response.failed after it began", async () => {
    const post = (model: string): Promise<{ status: number; body: string }> =>
      raw(w.gateway.port, {
        method: 'POST',
        path: '/v1/responses',
        headers: { ...auth, host: `127.0.0.1:${w.gateway.port}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model, stream: true, input: 'x' }),
      });
    const cases = [
      {
        fake: w.anthropic,
        model: 'anthropic/claude-sonnet-4',
        words: 'input length and `max_tokens` exceed context limit: 188240 + 21333 > 200000, decrease input length or `max_tokens` and try again',
      },
      // xAI (an OpenAI-compatible API) says it so.
      { fake: w.openai, model: 'openai/gpt-4o-mini', words: "This model's maximum prompt length is 131072 but the request contains 136973 tokens." },
    ];
    for (const { fake, model, words } of cases) {
      fake.enqueue({ status: 400, errorType: 'invalid_request_error', errorMessage: words });
      const r = await post(model);
      assert.equal(r.status, 400, `${model}: ${r.body}`);
      const error = (JSON.parse(r.body) as { error: { code: string; type: string; message: string } }).error;
      assert.equal(error.code, 'context_length_exceeded', `${model}: ${r.body}`);
      assert.equal(error.type, 'invalid_request_error');
      assert.ok(error.message.includes(words), error.message);
    }
    // Said after the answer began (an OpenAI-compatible stream's error chunk): the stream's response.failed carries the code.
    const chunk = (d: Record<string, unknown>): string =>
      `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', ...d })}\n\n`;
    w.openai.enqueue({
      raw:
        chunk({ choices: [{ index: 0, delta: { role: 'assistant', content: 'Hel' }, finish_reason: null }] }) +
        chunk({ error: { message: cases[1]!.words }, choices: [{ index: 0, delta: {}, finish_reason: 'error' }] }) +
        'data: [DONE]\n\n',
    });
    const r = await post('openai/gpt-4o-mini');
    assert.equal(r.status, 200);
    const last = JSON.parse(r.body.trim().split('\n\n').at(-1)!.split('\n')[1]!.slice(6)) as { type: string; response: { error: { code: string } } };
    assert.equal(last.type, 'response.failed');
    assert.equal(last.response.error.code, 'context_length_exceeded', r.body);
  });

  test("a translation warning from the core (temperature clamped for Anthropic) reaches the streamed response's x-switchboard-warnings", async () => {
    w.anthropic.enqueue({ text: 'warm' });
    const r = await raw(w.gateway.port, {
      method: 'POST',
      path: '/v1/responses',
      headers: { ...auth, host: `127.0.0.1:${w.gateway.port}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'anthropic/claude-sonnet-4', stream: true, temperature: 1.5, input: 'x' }),
    });
    assert.equal(r.status, 200);
    const warnings = JSON.parse(String(r.headers['x-switchboard-warnings'])) as string[];
    assert.ok(
      warnings.some((x) => /temperature/.test(x)),
      JSON.stringify(warnings),
    );
    assert.equal(w.anthropic.requests.at(-1)!.body.temperature, 1);
    // Agents never show response headers: the gateway log says it too, streamed or not.
    assert.ok(
      w.logs.some((l) => /^gateway: responses: .*temperature/.test(l)),
      w.logs.join('\n'),
    );
    w.anthropic.enqueue({ text: 'warm' });
    const from = w.logs.length;
    const whole = await raw(w.gateway.port, {
      method: 'POST',
      path: '/v1/responses',
      headers: { ...auth, host: `127.0.0.1:${w.gateway.port}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'anthropic/claude-sonnet-4', stream: false, temperature: 1.5, input: 'x' }),
    });
    assert.equal(whole.status, 200);
    assert.match(String(whole.headers['x-switchboard-warnings']), /temperature/);
    assert.ok(
      w.logs.slice(from).some((l) => /^gateway: responses: .*temperature/.test(l)),
      w.logs.slice(from).join('\n'),
    );
  });

  test('the Chat Completions door logs the warnings it puts in x-switchboard-warnings too, streamed and not (clients rarely show headers)', async () => {
    for (const stream of [true, false]) {
      w.anthropic.enqueue({ text: 'warm' });
      const from = w.logs.length;
      const r = await raw(w.gateway.port, {
        method: 'POST',
        path: '/v1/chat/completions',
        headers: { ...auth, host: `127.0.0.1:${w.gateway.port}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'anthropic/claude-sonnet-4', stream, temperature: 1.5, messages: [{ role: 'user', content: 'x' }] }),
      });
      assert.equal(r.status, 200);
      assert.match(String(r.headers['x-switchboard-warnings']), /temperature/);
      assert.ok(
        w.logs.slice(from).some((l) => /^gateway: chat completions: .*temperature/.test(l)),
        `stream ${stream}: ${w.logs.slice(from).join('\n')}`,
      );
    }
  });

  test('hosted tools are left out with x-switchboard-warnings and a log line; the answer comes', async () => {
    w.openai.enqueue({ text: 'fine' });
    const { data, response } = await sdk.responses.create({ model: 'openai/gpt-4o-mini', input: 'x', tools: [{ type: 'web_search' }] }).withResponse();
    assert.equal(data.output_text, 'fine');
    assert.match(String(response.headers.get('x-switchboard-warnings')), /web_search.*left out/);
    assert.ok(w.logs.some((l) => /responses: .*web_search/.test(l)));
  });

  test('include asking for logprobs, translated for another model: x-switchboard-warnings names it (none come), the answer still comes; a non-array include is a 400', async () => {
    w.anthropic.enqueue({ text: 'fine' });
    const { data, response } = await sdk.responses
      .create({ model: 'anthropic/claude-sonnet-4', input: 'x', include: ['message.output_text.logprobs', 'reasoning.encrypted_content'] })
      .withResponse();
    assert.equal(data.output_text, 'fine');
    assert.deepEqual(JSON.parse(String(response.headers.get('x-switchboard-warnings'))), [
      'include "message.output_text.logprobs" is honoured only by a model served over the Responses API, which gets it as sent; it was left out',
    ]);
    assert.ok(w.logs.some((l) => /responses: .*message\.output_text\.logprobs/.test(l)));
    const before = w.upstreamRequests();
    await assert.rejects(
      sdk.responses.create({ model: 'anthropic/claude-sonnet-4', input: 'x', include: 'message.output_text.logprobs' as never }),
      (e: unknown) => {
        assert.ok(e instanceof OpenAI.BadRequestError);
        assert.equal(e.param, 'include');
        return true;
      },
    );
    assert.equal(w.upstreamRequests(), before);
  });

  test('hosted tools whose absence would change the answer are refused in the Responses error shape, naming the tool and the fix; client-run tool types are left out with a warning', async () => {
    const before = w.openai.requests.length;
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ tools: [{ type: 'file_search', vector_store_ids: ['vs_1'] }] }, /tools\[0\]: hosted tool "file_search".*put the documents in the input/],
      [{ tools: [{ type: 'code_interpreter', container: { type: 'auto' } }] }, /"code_interpreter".*remove the tool/],
      [
        { tools: [{ type: 'image_generation' }] },
        /"image_generation".*made inside OpenAI's API; only a model served over OpenAI's Responses API .*remove the tool/,
      ],
      [{ tools: [{ type: 'mcp', server_label: 'x', server_url: 'https://mcp.example.com' }] }, /"mcp".*configure them in the agent as function tools/],
      [{ tools: [{ type: 'computer_use_preview', display_width: 1, display_height: 1, environment: 'linux' }] }, /"computer_use_preview"/],
      [{ tools: [{ type: 'web_search' }], tool_choice: { type: 'web_search' } }, /tool_choice: forces the tool type "web_search".*use "auto"/],
    ];
    for (const [extra, message] of cases) {
      const e = await sdk.responses
        .create({ model: 'openai/gpt-4o-mini', input: 'x', ...extra } as unknown as OpenAI.Responses.ResponseCreateParamsNonStreaming)
        .catch((x: unknown) => x);
      assert.ok(e instanceof OpenAI.BadRequestError, `${JSON.stringify(extra)}: ${String(e)}`);
      const err = (e as InstanceType<typeof OpenAI.BadRequestError>).error as { message: string; param: string | null };
      assert.match(err.message, message);
      assert.ok(err.param === 'tool_choice' || err.param === 'tools[0]', String(err.param));
    }
    assert.equal(w.openai.requests.length, before, 'nothing was sent upstream');
    // A freeform (custom) tool is run by the client, not hosted: left out, said so in those words.
    w.openai.enqueue({ text: 'fine' });
    const { data, response } = await sdk.responses
      .create({
        model: 'openai/gpt-4o-mini',
        input: 'x',
        tools: [
          { type: 'custom', name: 'apply_patch', description: 'patch' },
          { type: 'function', name: 'exec_command', parameters: { type: 'object' }, strict: false },
        ],
      })
      .withResponse();
    assert.equal(data.output_text, 'fine');
    assert.match(String(response.headers.get('x-switchboard-warnings')), /tool \\"apply_patch\\" \(custom\) has no equivalent.*left out/);
    assert.deepEqual(
      (w.openai.requests.at(-1)!.body.tools as { function: { name: string } }[]).map((t) => t.function.name),
      ['exec_command'],
    );
  });
});

describe('door /v1/responses: translation onto the core request model', () => {
  test('items: developer message, function_call + reasoning join the assistant turn, outputs become one tool message', () => {
    const p = parseResponsesRequest({
      model: 'm/x',
      instructions: 'inst',
      input: [
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'dev' }] },
        { role: 'user', content: 'do it' },
        { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'plan' }], encrypted_content: 'enc' },
        { type: 'function_call', call_id: 'c1', name: 'exec_command', arguments: '{"cmd":"ls"}' },
        { type: 'function_call', call_id: 'c2', name: 'spawn', namespace: 'agents', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: 'a.txt' },
        { type: 'function_call_output', call_id: 'c2', output: 'ok' },
      ],
      tools: [
        { type: 'function', name: 'exec_command', description: 'run', parameters: { type: 'object', properties: { cmd: { type: 'string' } } }, strict: false },
        {
          type: 'namespace',
          name: 'agents',
          description: 'sub-agents',
          tools: [{ type: 'function', name: 'spawn', parameters: { type: 'object', properties: {} } }],
        },
        { type: 'web_search' },
      ],
      tool_choice: 'auto',
      text: { format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true } },
      reasoning: { effort: 'high', summary: 'auto' },
      max_output_tokens: 500,
      store: false,
      include: ['reasoning.encrypted_content'],
      parallel_tool_calls: true,
      prompt_cache_key: 'k',
    });
    assert.deepEqual(p.request.messages, [
      { role: 'system', content: 'inst' },
      { role: 'system', content: [{ type: 'text', text: 'dev' }] },
      { role: 'user', content: 'do it' },
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'plan', signature: 'enc', state: { origin: 'm/x' } },
          { type: 'tool-call', id: 'c1', name: 'exec_command', arguments: '{"cmd":"ls"}' },
          { type: 'tool-call', id: 'c2', name: 'agents__spawn', arguments: '{}' },
        ],
      },
      {
        role: 'tool',
        content: [
          { type: 'tool-result', callId: 'c1', content: 'a.txt' },
          { type: 'tool-result', callId: 'c2', content: 'ok' },
        ],
      },
    ]);
    assert.deepEqual(
      p.request.tools?.map((t) => t.name),
      ['exec_command', 'agents__spawn'],
    );
    assert.equal(p.request.tools?.[1]?.description, 'sub-agents');
    assert.deepEqual(p.warnings, ['hosted tool "web_search" runs inside OpenAI\'s API and was left out']);
    // prompt_cache_key is left out only by a model of another protocol: its adapter says so then.
    assert.deepEqual(p.request.providerOptionsWarnings, {
      'openai-responses': ['prompt_cache_key is not forwarded (providers cache by prefix); a model served over the Responses API gets it as sent'],
    });
    assert.deepEqual(p.request.responseFormat, { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true });
    assert.deepEqual(p.request.reasoning, { effort: 'high' });
    // What only a model served over the Responses API takes goes to it (merged into its body), translated request or not.
    assert.deepEqual(p.request.providerOptions, {
      'openai-responses': { prompt_cache_key: 'k', reasoning: { summary: 'auto' }, include: ['reasoning.encrypted_content'] },
    });
    assert.equal(p.request.maxTokens, 500);
    assert.equal(p.store, false);
  });

  test('reasoning summaries asked for without an effort (Codex on a model it does not know): no effort is made up; a Responses model is asked for the summaries and the encrypted reasoning', () => {
    const p = parseResponsesRequest({ model: 'm/x', input: 'q', store: false, reasoning: { summary: 'auto' }, include: ['reasoning.encrypted_content'] });
    assert.equal(p.request.reasoning, undefined);
    assert.deepEqual(p.request.providerOptions, { 'openai-responses': { reasoning: { summary: 'auto' }, include: ['reasoning.encrypted_content'] } });
    // Without the include, only the summaries; with effort none, nothing; a summary the API does not know is refused.
    const noInclude = parseResponsesRequest({ model: 'm/x', input: 'q', reasoning: { summary: 'detailed' } });
    assert.deepEqual(noInclude.request.providerOptions, { 'openai-responses': { reasoning: { summary: 'detailed' } } });
    assert.equal(parseResponsesRequest({ model: 'm/x', input: 'q', reasoning: { effort: 'none', summary: 'auto' } }).request.providerOptions, undefined);
    assert.throws(() => parseResponsesRequest({ model: 'm/x', input: 'q', reasoning: { summary: 'verbose' } }), /reasoning\.summary/);
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

  test('hosted tools: left out with a warning that forwarding resolves, or forward-only (file_search, a forced hosted tool, hosted and client-tool items in the input)', () => {
    const search = parseResponsesRequest({ model: 'm/x', input: 'q', tools: [{ type: 'web_search' }, { type: 'custom', name: 'apply_patch' }] });
    assert.equal(search.warnings.length, 2);
    assert.deepEqual(search.resolvedByForwarding, search.warnings);
    assert.equal(search.forwardOnly, undefined);
    const files = parseResponsesRequest({ model: 'm/x', input: 'q', tools: [{ type: 'file_search', vector_store_ids: ['vs_1'] }] });
    assert.match(String(files.forwardOnly?.message), /^tools\[0\]: hosted tool "file_search" .*put the documents in the input/);
    assert.equal(files.request.tools, undefined);
    const required = parseResponsesRequest({ model: 'm/x', input: 'q', tools: [{ type: 'web_search' }], tool_choice: 'required' });
    assert.match(String(required.forwardOnly?.message), /tool_choice: asks for a tool call but no function tools were given/);
    assert.throws(() => parseResponsesRequest({ model: 'm/x', input: 'q', tool_choice: 'required' }), /no function tools were given/);
    const items = parseResponsesRequest({
      model: 'm/x',
      input: [
        { role: 'user', content: 'q' },
        { type: 'custom_tool_call', call_id: 'c1', name: 'apply_patch', input: '*** Begin Patch' },
        { type: 'custom_tool_call_output', call_id: 'c1', output: 'done' },
      ],
    });
    assert.match(
      String(items.forwardOnly?.message),
      /^input\[1\]: input item type "custom_tool_call" .*only a model served over OpenAI's Responses API .*gets it, as sent/,
    );
    assert.equal(items.forwardOnly?.param, 'input[1]');
    assert.deepEqual(items.request.messages, [{ role: 'user', content: 'q' }]);
  });

  test('a namespaced call maps back to its namespace and name; max tokens reached is "incomplete"', () => {
    const p = parseResponsesRequest({ model: 'm/x', input: 'x', tools: [{ type: 'namespace', name: 'agents', tools: [{ type: 'function', name: 'spawn' }] }] });
    const r = toResponse(
      result({ content: [{ type: 'tool-call', id: 'c9', name: 'agents__spawn', arguments: '{"a":1}' }], finishReason: 'tool_calls' }),
      p,
      'resp_1',
      1,
    );
    assert.deepEqual(
      (r.output as unknown[]).map((i) => ({ ...(i as object), id: 'X' })),
      [{ type: 'function_call', id: 'X', call_id: 'c9', name: 'spawn', namespace: 'agents', arguments: '{"a":1}', status: 'completed' }],
    );
    const cut = toResponse(result({ content: [{ type: 'text', text: 'par' }], finishReason: 'length' }), p, 'resp_2', 1);
    assert.equal(cut.status, 'incomplete');
    assert.deepEqual(cut.incomplete_details, { reason: 'max_output_tokens' });
  });

  test('streamed function calls: output_item.added, arguments deltas, arguments.done with the full text, item done', () => {
    const p = parseResponsesRequest({ model: 'm/x', input: 'x', tools: [{ type: 'function', name: 'exec_command', parameters: { type: 'object' } }] });
    let done: Record<string, unknown> | null = null;
    const enc = new ResponsesEncoder(p, 'resp_t', (_r, resp) => (done = resp));
    const parts: StreamPart[] = [
      { type: 'reasoning-delta', text: 'hm' },
      { type: 'tool-call-delta', index: 0, id: 'c1', name: 'exec_command', argumentsDelta: '{"cmd":' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '"ls"}' },
    ];
    const sse = parts.map((x) => enc.part(x)).join('') + enc.finish(result({ finishReason: 'tool_calls' }));
    const events = sse
      .trim()
      .split('\n\n')
      .map((f) => JSON.parse(f.split('\n')[1]!.slice(6)) as Record<string, unknown>);
    assert.deepEqual(
      events.map((e) => e.type),
      [
        'response.created',
        'response.in_progress',
        'response.output_item.added',
        'response.reasoning_summary_part.added',
        'response.reasoning_summary_text.delta',
        'response.reasoning_summary_text.done',
        'response.reasoning_summary_part.done',
        'response.output_item.done',
        'response.output_item.added',
        'response.function_call_arguments.delta',
        'response.function_call_arguments.delta',
        'response.function_call_arguments.done',
        'response.output_item.done',
        'response.completed',
      ],
    );
    assert.deepEqual(
      events.map((e) => e.sequence_number),
      events.map((_, i) => i),
    );
    assert.equal(events[11]!.arguments, '{"cmd":"ls"}');
    const item = events[12]!.item as Record<string, unknown>;
    assert.deepEqual(
      { ...item, id: 'X' },
      { type: 'function_call', id: 'X', call_id: 'c1', name: 'exec_command', arguments: '{"cmd":"ls"}', status: 'completed' },
    );
    assert.ok(done);
    assert.equal((done as { output: unknown[] }).output.length, 2);
  });

  test('the conversation store is bounded: oldest out first', () => {
    const s = new ConversationStore({ maxEntries: 2 });
    s.set('a', [{ role: 'user', content: 'a' }]);
    s.set('b', [{ role: 'user', content: 'b' }]);
    s.get('a');
    s.set('c', [{ role: 'user', content: 'c' }]);
    assert.equal(s.size, 2);
    assert.ok(s.get('a'));
    assert.equal(s.get('b'), undefined);
    const big = new ConversationStore({ maxChars: 100 });
    big.set('x', [{ role: 'user', content: 'y'.repeat(200) }]);
    assert.equal(big.size, 0);
  });
});
