/** The fakes refuse what the real APIs refuse (test/fakes/strict.ts), with a 400 in the protocol's shape. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeProvider } from '../fakes/server.ts';
import type { FakeProtocol } from '../fakes/types.ts';
import { checkResponsesBody } from '../fakes/responses.ts';

async function post(protocol: FakeProtocol, body: unknown, model = 'gemini-3-pro-preview'): Promise<{ status: number; message: string }> {
  const fake = await startFakeProvider(protocol);
  try {
    const path = protocol === 'anthropic' ? '/messages' : protocol === 'gemini' ? `/models/${model}:streamGenerateContent?alt=sse` : '/chat/completions';
    const res = await fetch(fake.baseUrl + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await res.text();
    let message = '';
    try {
      message = String((JSON.parse(text) as { error?: { message?: string } }).error?.message ?? '');
    } catch {
      /* a stream */
    }
    return { status: res.status, message };
  } finally {
    await fake.close();
  }
}

const call = { id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } };

describe('strict OpenAI fake', () => {
  test('a tool message without a preceding tool_calls with its id: 400', async () => {
    const r = await post('openai', {
      model: 'gpt-4o-mini',
      stream: true,
      messages: [
        { role: 'user', content: 'q' },
        { role: 'tool', tool_call_id: 'call_1', content: 'x' },
      ],
    });
    assert.equal(r.status, 400);
    assert.match(r.message, /must be a response to a preceeding message with 'tool_calls'/);
  });
  test('tool_calls left without their tool messages: 400', async () => {
    const r = await post('openai', {
      model: 'gpt-4o-mini',
      stream: true,
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'user', content: 'and?' },
      ],
    });
    assert.equal(r.status, 400);
    assert.match(r.message, /call_1/);
  });
  test('an unknown field: 400 on OpenAI, accepted by OpenRouter', async () => {
    const body = { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'q' }], reasoning: { effort: 'low' } };
    assert.equal((await post('openai', body)).status, 400);
    assert.equal((await post('openrouter', body)).status, 200);
  });
  test('stream_options without stream: true: 400 on OpenAI', async () => {
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'q' }], stream_options: { include_usage: true } };
    const r = await post('openai', body);
    assert.equal(r.status, 400);
    assert.match(r.message, /'stream_options' parameter is only allowed when 'stream' is set to true/);
    assert.equal((await post('openai', { ...body, stream: true })).status, 200);
  });
  test('an image detail other than auto, low, high or original: 400; allowed_tools must name declared functions', async () => {
    const img = (detail: string) => ({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png', detail } }] }],
    });
    assert.equal((await post('openai', img('original'))).status, 200);
    const r = await post('openai', img('huge'));
    assert.equal(r.status, 400);
    assert.match(r.message, /Invalid value: 'huge'/);
    const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }];
    const allowed = (name: string) => ({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'q' }],
      tools,
      tool_choice: { type: 'allowed_tools', allowed_tools: { mode: 'required', tools: [{ type: 'function', function: { name } }] } },
    });
    assert.equal((await post('openai', allowed('f'))).status, 200);
    assert.equal((await post('openai', allowed('g'))).status, 400);
  });
  test('the paired loop is accepted', async () => {
    const r = await post('openai', {
      model: 'gpt-4o-mini',
      stream: true,
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: 'call_1', content: 'x' },
      ],
    });
    assert.equal(r.status, 200);
  });
});

describe('strict Anthropic fake', () => {
  const base = { model: 'claude-sonnet-4-20250514', max_tokens: 100, stream: true };
  const use = { type: 'tool_use', id: 'toolu_1', name: 'f', input: {} };
  test('missing max_tokens, temperature > 1: 400', async () => {
    assert.match((await post('anthropic', { model: base.model, messages: [{ role: 'user', content: 'q' }] })).message, /max_tokens: Field required/);
    assert.match((await post('anthropic', { ...base, temperature: 1.5, messages: [{ role: 'user', content: 'q' }] })).message, /temperature/);
  });
  test('an unknown top-level field (a translation that leaked an OpenAI name): 400', async () => {
    const r = await post('anthropic', { ...base, seed: 1, messages: [{ role: 'user', content: 'q' }] });
    assert.equal(r.status, 400);
    assert.match(r.message, /seed: Extra inputs are not permitted/);
  });
  test('server tools as documented are accepted (web_search_20250305 with its options, code_execution_20250825); malformed ones: 400', async () => {
    const messages = [{ role: 'user', content: 'q' }];
    const webSearch = {
      type: 'web_search_20250305',
      name: 'web_search',
      max_uses: 3,
      allowed_domains: ['example.com'],
      user_location: { type: 'approximate', city: 'Paris', country: 'FR', timezone: 'Europe/Paris' },
      cache_control: { type: 'ephemeral' },
    };
    const codeExecution = { type: 'code_execution_20250825', name: 'code_execution' };
    assert.equal((await post('anthropic', { ...base, messages, tools: [webSearch, codeExecution] })).status, 200);
    const cases: [unknown, RegExp][] = [
      [{ ...webSearch, name: 'search' }, /tools\.0\.web_search_20250305\.name: Input should be 'web_search'/],
      [{ ...webSearch, blocked_domains: ['x.com'] }, /Cannot specify both allowed_domains and blocked_domains/],
      [{ ...webSearch, max_uses: 0 }, /max_uses: Input should be greater than 0/],
      [{ ...webSearch, user_location: { type: 'exact' } }, /user_location\.type: Input should be 'approximate'/],
      [{ ...codeExecution, timeout: 5 }, /tools\.0\.code_execution_20250825\.timeout: Extra inputs are not permitted/],
      [{ type: 'web_search_29990101', name: 'web_search' }, /Input tag 'web_search_29990101' found using 'type' does not match/],
    ];
    for (const [tool, message] of cases) {
      const r = await post('anthropic', { ...base, messages, tools: [tool] });
      assert.equal(r.status, 400, JSON.stringify(tool));
      assert.match(r.message, message);
    }
  });
  test('non-alternating roles: 400', async () => {
    const r = await post('anthropic', {
      ...base,
      messages: [
        { role: 'user', content: 'a' },
        { role: 'user', content: 'b' },
      ],
    });
    assert.equal(r.status, 400);
    assert.match(r.message, /alternate/);
  });
  test('a tool_result without its tool_use in the previous assistant turn: 400', async () => {
    const r = await post('anthropic', {
      ...base,
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'hm' },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'x' }] },
      ],
    });
    assert.equal(r.status, 400);
    assert.match(r.message, /corresponding `tool_use` block in the previous message/);
  });
  test('with thinking on, the tool loop turn must keep its signed thinking block first', async () => {
    const msgs = (assistant: unknown[]): unknown[] => [
      { role: 'user', content: 'q' },
      { role: 'assistant', content: assistant },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'x' }] },
    ];
    const thinking = { type: 'enabled', budget_tokens: 1024 };
    const lost = await post('anthropic', { ...base, max_tokens: 2000, thinking, messages: msgs([use]) });
    assert.equal(lost.status, 400);
    assert.match(lost.message, /must start with a thinking block/);
    const unsigned = await post('anthropic', { ...base, max_tokens: 2000, thinking, messages: msgs([{ type: 'thinking', thinking: 'hm' }, use]) });
    assert.match(unsigned.message, /signature: Field required/);
    const ok = await post('anthropic', { ...base, max_tokens: 2000, thinking, messages: msgs([{ type: 'thinking', thinking: 'hm', signature: 'sig' }, use]) });
    assert.equal(ok.status, 200);
  });
});

describe('strict Gemini fake', () => {
  const fc = { functionCall: { name: 'f', args: {} } };
  const fr = { functionResponse: { name: 'f', response: { output: 'x' } } };
  test('Gemini 3: a function call of the current turn without its thoughtSignature: 400; with it: 200', async () => {
    const contents = (call: unknown): unknown[] => [
      { role: 'user', parts: [{ text: 'q' }] },
      { role: 'model', parts: [call] },
      { role: 'user', parts: [fr] },
    ];
    const r = await post('gemini', { contents: contents(fc) });
    assert.equal(r.status, 400);
    assert.match(r.message, /missing a thought_signature/);
    assert.equal((await post('gemini', { contents: contents({ ...fc, thoughtSignature: 'sig' }) })).status, 200);
    // Older models do not check.
    assert.equal((await post('gemini', { contents: contents(fc) }, 'gemini-2.5-flash')).status, 200);
  });
  test('function responses that do not match the calls (number, names): 400', async () => {
    const two = await post('gemini', {
      contents: [
        { role: 'user', parts: [{ text: 'q' }] },
        { role: 'model', parts: [{ ...fc, thoughtSignature: 's' }] },
        { role: 'user', parts: [fr, fr] },
      ],
    });
    assert.match(two.message, /number of function response parts/);
    const named = await post('gemini', {
      contents: [
        { role: 'user', parts: [{ text: 'q' }] },
        { role: 'model', parts: [{ ...fc, thoughtSignature: 's' }] },
        { role: 'user', parts: [{ functionResponse: { name: 'g', response: {} } }] },
      ],
    });
    assert.equal(named.status, 400);
  });
  test('unknown fields, at the top or in generationConfig: 400', async () => {
    const contents = [{ role: 'user', parts: [{ text: 'q' }] }];
    assert.match((await post('gemini', { contents, max_tokens: 5 })).message, /Unknown name "max_tokens"/);
    assert.match(
      (await post('gemini', { contents, generationConfig: { reasoning_effort: 'low' } })).message,
      /Unknown name "reasoning_effort" at 'generation_config'/,
    );
  });
  test("thinking: a level the model has, a budget in the model's range, never both: else 400", async () => {
    const contents = [{ role: 'user', parts: [{ text: 'q' }] }];
    const think = (thinkingConfig: unknown, model: string) => post('gemini', { contents, generationConfig: { thinkingConfig } }, model);
    assert.equal((await think({ thinkingBudget: 32_768 }, 'gemini-2.5-pro')).status, 200);
    assert.match((await think({ thinkingBudget: 32_768 }, 'gemini-2.5-flash')).message, /between 1 and 24576/);
    assert.match((await think({ thinkingBudget: 0 }, 'gemini-2.5-pro')).message, /only works in thinking mode/);
    assert.equal((await think({ thinkingBudget: 0 }, 'gemini-2.5-flash-lite')).status, 200);
    assert.match((await think({ thinkingBudget: 100 }, 'gemini-2.5-flash-lite')).message, /between 512 and 24576/);
    assert.equal((await think({ thinkingLevel: 'medium' }, 'gemini-3-flash-preview')).status, 200);
    assert.match((await think({ thinkingLevel: 'medium' }, 'gemini-3-pro-preview')).message, /Thinking level "medium" is not supported/);
    assert.match((await think({ thinkingLevel: 'low', thinkingBudget: 100 }, 'gemini-3-pro-preview')).message, /only set one of/);
  });
  test("a schema keyword outside Gemini's subset: 400", async () => {
    const r = await post('gemini', {
      contents: [{ role: 'user', parts: [{ text: 'q' }] }],
      tools: [{ functionDeclarations: [{ name: 'f', parameters: { type: 'object', additionalProperties: false } }] }],
    });
    assert.equal(r.status, 400);
    assert.match(r.message, /Unknown name "additionalProperties"/);
  });
});

describe('strict Responses fake', () => {
  const base = { model: 'gpt-5', input: 'q' };
  const message = (b: Record<string, unknown>): string | null => {
    const r = checkResponsesBody(b);
    return r && (r.body as { error: { message: string } }).error.message;
  };
  test('hosted tools as documented are accepted (web_search with its options, file_search); a forced hosted tool too', () => {
    const webSearch = {
      type: 'web_search',
      search_context_size: 'high',
      user_location: { type: 'approximate', country: 'US', city: 'Boston', region: 'MA', timezone: 'America/New_York' },
      filters: { allowed_domains: ['example.com'] },
    };
    assert.equal(message({ ...base, tools: [webSearch, { type: 'file_search', vector_store_ids: ['vs_1'] }], tool_choice: { type: 'web_search' } }), null);
    assert.equal(message({ ...base, tools: [{ type: 'web_search' }] }), null);
  });
  test("malformed hosted tools: OpenAI's 400 naming the parameter", () => {
    const cases: [unknown, RegExp][] = [
      [{ type: 'web_search', search_context_size: 'huge' }, /Invalid value: 'huge'\. Supported values are: 'low', 'medium', and 'high'\./],
      [{ type: 'web_search', max_uses: 2 }, /Unknown parameter: 'tools\[0\]\.max_uses'\./],
      [{ type: 'web_search', user_location: { country: 'US' } }, /user_location\.type/],
      [{ type: 'web_search', filters: { allowed_domains: 'example.com' } }, /filters\.allowed_domains/],
      [{ type: 'file_search' }, /Missing required parameter: 'tools\[0\]\.vector_store_ids'\./],
      [{ type: 'web_search_29990101' }, /Invalid value: 'web_search_29990101'\./],
    ];
    for (const [tool, m] of cases) assert.match(String(message({ ...base, tools: [tool] })), m, JSON.stringify(tool));
    assert.match(String(message({ ...base, tools: [{ type: 'web_search' }], tool_choice: { type: 'file_search' } })), /Invalid value for 'tool_choice'/);
  });
  test('content items: a function output holds input_text, input_image and input_file; an image detail is low, high, auto or original; allowed_tools names declared tools', () => {
    const call = { type: 'function_call', call_id: 'c1', name: 'shot', arguments: '{}' };
    const out = (output: unknown[]): Record<string, unknown> => ({ ...base, input: [call, { type: 'function_call_output', call_id: 'c1', output }] });
    const image = { type: 'input_image', image_url: 'https://x/y.png', detail: 'original' };
    const file = { type: 'input_file', file_data: 'data:application/pdf;base64,JVBE', filename: 'a.pdf' };
    assert.equal(message(out([{ type: 'input_text', text: 'x' }, image, file])), null);
    assert.match(
      String(message(out([{ type: 'output_text', text: 'x' }]))),
      /Invalid value: 'output_text'\. Supported values are: 'input_text', 'input_image', 'input_file'/,
    );
    assert.match(String(message(out([{ ...image, detail: 'huge' }]))), /Invalid value: 'huge'/);
    assert.match(String(message(out([{ type: 'input_file' }]))), /Missing required parameter: 'input\[1\]\.output\[0\]\.file_data'/);
    assert.match(String(message({ ...base, input: [{ role: 'user', content: [{ ...image, detail: 'max' }] }] })), /Invalid value: 'max'/);
    const tools = [{ type: 'function', name: 'shot' }];
    assert.equal(message({ ...base, tools, tool_choice: { type: 'allowed_tools', mode: 'auto', tools: [{ type: 'function', name: 'shot' }] } }), null);
    assert.match(
      String(message({ ...base, tools, tool_choice: { type: 'allowed_tools', mode: 'auto', tools: [{ type: 'function', name: 'rm' }] } })),
      /not in 'tools'/,
    );
    assert.match(
      String(message({ ...base, tools, tool_choice: { type: 'allowed_tools', mode: 'any', tools: [{ type: 'function', name: 'shot' }] } })),
      /'any'/,
    );
  });
});
