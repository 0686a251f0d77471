/** The neutral request → each protocol's body: every option, exactly, or refused / warned. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ProviderConfigSchema, resolveProvider } from '../../src/core/config.ts';
import { SwitchboardError } from '../../src/core/errors.ts';
import { anthropicBody } from '../../src/core/providers/anthropic/requestBody.ts';
import { geminiBody } from '../../src/core/providers/gemini/requestBody.ts';
import { toGeminiSchema } from '../../src/core/providers/gemini/schema.ts';
import type { BodyContext } from '../../src/core/providers/httpModel.ts';
import { openaiBody } from '../../src/core/providers/openai/requestBody.ts';
import { responsesBody } from '../../src/core/providers/openai-responses/requestBody.ts';
import type { ModelCapabilities, ModelRequest, ToolDefinition } from '../../src/core/types.ts';

const provider = (id: string) => resolveProvider(ProviderConfigSchema.parse({ id }));
const CAPS: ModelCapabilities = {
  toolCalling: true,
  imageInput: true,
  pdfInput: true,
  reasoning: true,
  structuredOutput: true,
  contextWindow: 200_000,
  maxOutputTokens: 64_000,
};
function ctx(caps: ModelCapabilities | null = CAPS): BodyContext & { warnings: string[] } {
  const warnings: string[] = [];
  return { capabilities: caps, warn: (m) => warnings.push(m), decode: {}, warnings };
}
const TOOL: ToolDefinition = {
  name: 'get_weather',
  description: 'Weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: true,
};
const LOOP: ModelRequest['messages'] = [
  { role: 'system', content: 'Be brief.' },
  {
    role: 'user',
    content: [
      { type: 'text', text: 'Weather?' },
      { type: 'image', source: { type: 'base64', data: 'AAAA', mediaType: 'image/png' } },
    ],
  },
  {
    role: 'assistant',
    content: [
      { type: 'text', text: 'Checking.' },
      { type: 'tool-call', id: 'c1', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'tool-call', id: 'c2', name: 'get_weather', arguments: '{"city":"Rome"}' },
    ],
  },
  { role: 'tool', content: [{ type: 'tool-result', callId: 'c1', content: 'sunny' }] },
  { role: 'tool', content: [{ type: 'tool-result', callId: 'c2', content: [{ type: 'text', text: 'rain' }], isError: true }] },
  { role: 'user', content: 'Thanks' },
];

describe('OpenAI-compatible request', () => {
  test('messages, tools, tool choice, response format, reasoning effort and hints, natively', () => {
    const c = ctx();
    const body = openaiBody(
      provider('openai'),
      'gpt-5',
      {
        messages: LOOP,
        tools: [TOOL],
        toolChoice: { type: 'tool', name: 'get_weather' },
        parallelToolCalls: false,
        responseFormat: { type: 'json_schema', name: 'w', schema: { type: 'object' }, strict: true },
        reasoning: { effort: 'high' },
        maxTokens: 99,
        seed: 7,
        user: 'u1',
        presencePenalty: 0.5,
        providerOptions: { openai: { service_tier: 'flex' } },
      },
      c,
    );
    assert.deepEqual(body.messages, [
      { role: 'system', content: 'Be brief.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Weather?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
        ],
      },
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'c2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
      { role: 'tool', tool_call_id: 'c2', content: [{ type: 'text', text: 'Error: rain' }] },
      { role: 'user', content: 'Thanks' },
    ]);
    assert.deepEqual(body.tools, [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: TOOL.parameters, strict: true } }]);
    assert.deepEqual(body.tool_choice, { type: 'function', function: { name: 'get_weather' } });
    assert.equal(body.parallel_tool_calls, false);
    assert.deepEqual(body.response_format, { type: 'json_schema', json_schema: { name: 'w', schema: { type: 'object' }, strict: true } });
    assert.equal(body.reasoning_effort, 'high');
    assert.equal(body.max_completion_tokens, 99);
    assert.equal(body.seed, 7);
    assert.equal(body.user, 'u1');
    assert.equal(body.presence_penalty, 0.5);
    assert.equal(body.service_tier, 'flex');
    assert.deepEqual(c.warnings, []);
  });

  test('OpenRouter takes reasoning as its object; Mistral its random_seed and no user field', () => {
    assert.deepEqual(openaiBody(provider('openrouter'), 'x/y', { messages: [], reasoning: { budgetTokens: 2000 } }, ctx()).reasoning, { max_tokens: 2000 });
    const c = ctx();
    const m = openaiBody(provider('mistral'), 'mistral-small-latest', { messages: [], seed: 3, user: 'u' }, c);
    assert.equal(m.random_seed, 3);
    assert.equal(m.seed, undefined);
    assert.equal(m.user, undefined);
    assert.match(c.warnings[0]!, /user/);
  });

  test('Mistral: tool call ids from elsewhere become 9 letters/digits, the same on the call and its result', () => {
    const body = openaiBody(provider('mistral'), 'mistral-large-latest', { messages: LOOP.slice(2, 5) }, ctx());
    const [assistant, r1, r2] = body.messages as { tool_calls?: { id: string }[]; tool_call_id?: string }[];
    const ids = assistant!.tool_calls!.map((t) => t.id);
    for (const id of ids) assert.match(id, /^[A-Za-z0-9]{9}$/);
    assert.notEqual(ids[0], ids[1]);
    assert.deepEqual([r1!.tool_call_id, r2!.tool_call_id], ids);
    const own = openaiBody(
      provider('mistral'),
      'm',
      { messages: [{ role: 'assistant', content: [{ type: 'tool-call', id: 'D681PevKs', name: 'f', arguments: '{}' }] }] },
      ctx(),
    );
    assert.equal((own.messages as { tool_calls: { id: string }[] }[])[0]!.tool_calls[0]!.id, 'D681PevKs');
  });

  test('reasoning on a model that does not reason: a warning, not sent', () => {
    const c = ctx({ ...CAPS, reasoning: false });
    const body = openaiBody(provider('openai'), 'gpt-4o', { messages: [], reasoning: { effort: 'low' } }, c);
    assert.equal(body.reasoning_effort, undefined);
    assert.match(c.warnings[0]!, /reasoning: openai\/gpt-4o does not reason/);
    const none = ctx({ ...CAPS, reasoning: false });
    assert.equal(openaiBody(provider('openai'), 'gpt-4o', { messages: [], reasoning: { effort: 'none' } }, none).reasoning_effort, undefined);
    assert.equal(geminiBody(provider('google'), 'gemini-2.0-flash', { messages: [], reasoning: { effort: 'none' } }, none).generationConfig, undefined);
    assert.deepEqual(none.warnings, []);
  });
});

describe('Anthropic request', () => {
  test('tool_use/tool_result paired, consecutive results in ONE user turn, system and tools cached', () => {
    const c = ctx();
    const body = anthropicBody(
      provider('anthropic'),
      'claude-sonnet-4-5',
      {
        messages: LOOP,
        tools: [TOOL],
        toolChoice: 'required',
        parallelToolCalls: false,
        cache: { system: { type: 'ephemeral' }, tools: { type: 'ephemeral', ttl: '1h' } },
      },
      c,
    );
    assert.deepEqual(body.system, [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }]);
    assert.deepEqual(body.messages, [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Weather?' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'c1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'c2', name: 'get_weather', input: { city: 'Rome' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'c1', content: 'sunny' },
          { type: 'tool_result', tool_use_id: 'c2', content: [{ type: 'text', text: 'rain' }], is_error: true },
          { type: 'text', text: 'Thanks' },
        ],
      },
    ]);
    assert.deepEqual(body.tools, [
      { name: 'get_weather', description: 'Weather', input_schema: TOOL.parameters, cache_control: { type: 'ephemeral', ttl: '1h' } },
    ]);
    assert.deepEqual(body.tool_choice, { type: 'any', disable_parallel_tool_use: true });
    assert.match(c.warnings.join('\n'), /strict/);
  });

  test("max_tokens from the model's output limit, not 4096; capped at it with a warning", () => {
    assert.equal(anthropicBody(provider('anthropic'), 'm', { messages: [{ role: 'user', content: 'q' }] }, ctx()).max_tokens, 64_000);
    const c = ctx({ ...CAPS, maxOutputTokens: 8192 });
    assert.equal(anthropicBody(provider('anthropic'), 'm', { messages: [{ role: 'user', content: 'q' }], maxTokens: 100_000 }, c).max_tokens, 8192);
    assert.match(c.warnings[0]!, /at most 8192/);
    assert.equal(anthropicBody(provider('anthropic'), 'm', { messages: [{ role: 'user', content: 'q' }] }, ctx(null)).max_tokens, 4096);
    // A long prompt leaves less room in the 200K window than the 64K limit: max_tokens fits the room.
    const long = anthropicBody(provider('anthropic'), 'm', { messages: [{ role: 'user', content: 'x'.repeat(4 * 180_000) }] }, ctx());
    assert.ok((long.max_tokens as number) < 20_000 && (long.max_tokens as number) > 1024, String(long.max_tokens));
  });

  test('temperature above 1 is clamped with a warning; hints it has no field for are warnings', () => {
    const c = ctx();
    const body = anthropicBody(
      provider('anthropic'),
      'm',
      { messages: [{ role: 'user', content: 'q' }], temperature: 1.5, seed: 1, frequencyPenalty: 0.2, user: 'u' },
      c,
    );
    assert.equal(body.temperature, 1);
    assert.deepEqual(body.metadata, { user_id: 'u' });
    assert.equal(body.seed, undefined);
    assert.match(c.warnings[0]!, /temperature: Anthropic accepts 0–1; sent 1 instead of 1.5/);
    assert.equal(c.warnings.length, 3);
  });

  test('Claude 4.5-era models take temperature or top_p, not both: top_p dropped with a warning; older ones take both', () => {
    const c = ctx();
    const body = anthropicBody(
      provider('anthropic'),
      'claude-sonnet-4-5-20250929',
      { messages: [{ role: 'user', content: 'q' }], temperature: 0.2, topP: 0.9 },
      c,
    );
    assert.equal(body.temperature, 0.2);
    assert.equal(body.top_p, undefined);
    assert.match(c.warnings[0]!, /not both/);
    const old = anthropicBody(
      provider('anthropic'),
      'claude-sonnet-4-20250514',
      { messages: [{ role: 'user', content: 'q' }], temperature: 0.2, topP: 0.9 },
      ctx(),
    );
    assert.equal(old.top_p, 0.9);
  });

  test('thinking from an effort or a budget, below max_tokens; thinking and redacted thinking go back unchanged', () => {
    const c = ctx();
    const body = anthropicBody(
      provider('anthropic'),
      'm',
      {
        messages: [
          { role: 'user', content: 'q' },
          {
            role: 'assistant',
            content: [
              { type: 'reasoning', text: 'hm', signature: 'sig1' },
              { type: 'reasoning', text: '', redactedData: 'opaque' },
              { type: 'reasoning', text: 'unsigned, from elsewhere' },
              { type: 'text', text: 'A' },
            ],
          },
          { role: 'user', content: 'more' },
        ],
        reasoning: { effort: 'medium' },
        maxTokens: 5000,
        temperature: 0.3,
      },
      c,
    );
    assert.deepEqual(body.thinking, { type: 'enabled', budget_tokens: 4999 });
    assert.equal(body.temperature, undefined);
    assert.deepEqual((body.messages as { content: unknown[] }[])[1]!.content, [
      { type: 'thinking', thinking: 'hm', signature: 'sig1' },
      { type: 'redacted_thinking', data: 'opaque' },
      { type: 'text', text: 'A' },
    ]);
    assert.equal(c.warnings.length, 2);
    assert.deepEqual(anthropicBody(provider('anthropic'), 'm', { messages: [], reasoning: { budgetTokens: 2048 } }, ctx()).thinking, {
      type: 'enabled',
      budget_tokens: 2048,
    });
    assert.throws(
      () => anthropicBody(provider('anthropic'), 'm', { messages: [], reasoning: { budgetTokens: 2048 }, maxTokens: 500 }, ctx()),
      (e: unknown) => e instanceof SwitchboardError && e.kind === 'bad_request' && /reasoning/.test(e.message),
    );
  });

  test('structured output through a forced tool the decoder turns back into text', () => {
    const c = ctx();
    const body = anthropicBody(
      provider('anthropic'),
      'm',
      {
        messages: [{ role: 'user', content: 'q' }],
        responseFormat: { type: 'json_schema', name: 'w', schema: { type: 'object', properties: { a: { type: 'string' } } } },
      },
      c,
    );
    assert.deepEqual(body.tools, [
      { name: 'json_answer', description: 'Give the answer as this tool input.', input_schema: { type: 'object', properties: { a: { type: 'string' } } } },
    ]);
    assert.deepEqual(body.tool_choice, { type: 'tool', name: 'json_answer' });
    assert.equal(c.decode.jsonToolName, 'json_answer');
  });

  test('a document that is not a PDF or text is refused, naming the parameter and the model', () => {
    assert.throws(
      () =>
        anthropicBody(
          provider('anthropic'),
          'claude-x',
          { messages: [{ role: 'user', content: [{ type: 'file', data: 'AA', mediaType: 'application/zip' }] }] },
          ctx(),
        ),
      (e: unknown) =>
        e instanceof SwitchboardError &&
        e.kind === 'bad_request' &&
        /messages\[0\]\.content\[0\]: Anthropic takes PDF and plain-text documents, not application\/zip/.test(e.message) &&
        /anthropic\/claude-x/.test(e.message),
    );
  });
});

describe('Gemini request', () => {
  test('functionCall/functionResponse named from the call, tool config, JSON schema response, thinking config', () => {
    const c = ctx();
    const body = geminiBody(
      provider('google'),
      'gemini-2.5-flash',
      {
        messages: LOOP,
        tools: [TOOL],
        toolChoice: { type: 'tool', name: 'get_weather' },
        responseFormat: { type: 'json_schema', name: 'w', schema: { type: 'object', additionalProperties: false } },
        reasoning: { effort: 'low' },
        seed: 5,
      },
      c,
    );
    assert.deepEqual(body.systemInstruction, { parts: [{ text: 'Be brief.' }] });
    assert.deepEqual(body.contents, [
      { role: 'user', parts: [{ text: 'Weather?' }, { inlineData: { mimeType: 'image/png', data: 'AAAA' } }] },
      {
        role: 'model',
        parts: [
          { text: 'Checking.' },
          { functionCall: { id: 'c1', name: 'get_weather', args: { city: 'Paris' } } },
          { functionCall: { id: 'c2', name: 'get_weather', args: { city: 'Rome' } } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { id: 'c1', name: 'get_weather', response: { output: 'sunny' } } },
          { functionResponse: { id: 'c2', name: 'get_weather', response: { error: 'rain' } } },
          { text: 'Thanks' },
        ],
      },
    ]);
    assert.deepEqual(body.tools, [
      {
        functionDeclarations: [
          { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
        ],
      },
    ]);
    assert.deepEqual(body.toolConfig, { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } });
    const gen = body.generationConfig as Record<string, unknown>;
    assert.equal(gen.responseMimeType, 'application/json');
    assert.deepEqual(gen.responseJsonSchema, { type: 'object', additionalProperties: false });
    assert.deepEqual(gen.thinkingConfig, { thinkingBudget: 2048, includeThoughts: true });
    assert.equal(gen.seed, 5);
    assert.match(c.warnings.join(), /strict/);
  });

  test('Gemini counts thinking against maxOutputTokens: a budget at or above it is sent below it, with a warning; no room at all is refused', () => {
    const gen = (req: Omit<ModelRequest, 'messages'>, c = ctx()): Record<string, unknown> =>
      geminiBody(provider('google'), 'gemini-2.5-flash', { messages: [{ role: 'user', content: 'x' }], ...req }, c).generationConfig as Record<string, unknown>;
    // An explicit budget (Anthropic's thinking.budget_tokens through /v1/messages) above the cap.
    let c = ctx();
    assert.deepEqual(gen({ maxTokens: 1000, reasoning: { budgetTokens: 8000 } }, c), {
      maxOutputTokens: 1000,
      thinkingConfig: { thinkingBudget: 999, includeThoughts: true },
    });
    assert.equal(c.warnings.length, 1);
    assert.match(c.warnings[0]!, /counts thinking against maxOutputTokens \(1000\), which a thinking budget of 8000 would fill; sent thinkingBudget 999/);
    // An effort's budget (high: 24576) above the caller's cap; equal to it is no room either.
    c = ctx();
    assert.deepEqual((gen({ maxTokens: 4096, reasoning: { effort: 'high' } }, c).thinkingConfig as Record<string, unknown>).thinkingBudget, 4095);
    assert.deepEqual((gen({ maxTokens: 2048, reasoning: { budgetTokens: 2048 } }, c).thinkingConfig as Record<string, unknown>).thinkingBudget, 2047);
    assert.equal(c.warnings.length, 2);
    // Below the cap, or no cap sent: as asked, no warning; thinking off stays off.
    c = ctx();
    assert.deepEqual((gen({ maxTokens: 4096, reasoning: { budgetTokens: 1000 } }, c).thinkingConfig as Record<string, unknown>).thinkingBudget, 1000);
    assert.deepEqual((gen({ reasoning: { budgetTokens: 20_000 } }, c).thinkingConfig as Record<string, unknown>).thinkingBudget, 20_000);
    assert.deepEqual(gen({ maxTokens: 10, reasoning: { effort: 'none' } }, c).thinkingConfig, { thinkingBudget: 0 });
    assert.deepEqual(c.warnings, []);
    assert.throws(
      () => gen({ maxTokens: 1, reasoning: { budgetTokens: 500 } }),
      (e: unknown) => e instanceof SwitchboardError && e.kind === 'bad_request' && /no room for a thinking budget/.test(e.message),
    );
  });

  test('image detail: Gemini gets its request-wide media resolution when every image asks the same; otherwise, and always for Anthropic, a warning; "auto" is the default', () => {
    const img = (detail?: 'auto' | 'low' | 'high') =>
      ({ type: 'image', source: { type: 'base64', data: 'AAAA', mediaType: 'image/png' }, ...(detail ? { detail } : {}) }) as const;
    const req = (...parts: ModelRequest['messages'][number]['content'][]): ModelRequest => ({
      messages: parts.map((content) => ({ role: 'user', content }) as ModelRequest['messages'][number]),
    });
    const gem = (r: ModelRequest) => {
      const c = ctx();
      const gen = (geminiBody(provider('google'), 'gemini-2.5-flash', r, c).generationConfig ?? {}) as Record<string, unknown>;
      return { res: gen.mediaResolution, warnings: c.warnings };
    };
    assert.deepEqual(gem(req([img('low'), img('low')])), { res: 'MEDIA_RESOLUTION_LOW', warnings: [] });
    assert.deepEqual(gem(req([img('high')])), { res: 'MEDIA_RESOLUTION_HIGH', warnings: [] });
    assert.deepEqual(gem(req([img('auto'), img()])), { res: undefined, warnings: [] });
    const mixed = gem(req([img('high')], [img()]));
    assert.equal(mixed.res, undefined);
    assert.match(
      mixed.warnings.join(),
      /image detail: Gemini takes one media resolution for the whole request, and the images ask for different details \(high, auto\); none was sent/,
    );
    const withPdf = gem(req([img('low'), { type: 'file', data: 'JVBE', mediaType: 'application/pdf' }]));
    assert.equal(withPdf.res, undefined);
    assert.match(withPdf.warnings.join(), /a document would be resized with the images/);

    const anth = (r: ModelRequest): string[] => {
      const c = ctx();
      anthropicBody(provider('anthropic'), 'claude-sonnet-4-5', r, c);
      return c.warnings.filter((w) => w.startsWith('image detail'));
    };
    assert.deepEqual(anth(req([img('auto'), img()])), []);
    const w = anth(req([img('low'), img('high')]));
    assert.equal(w.length, 1);
    assert.match(w[0]!, /Anthropic has no image detail setting; the images asking for detail "low" and "high" were sent at Anthropic's own resolution/);
  });

  test('image detail "original" (OpenAI\'s "not downscaled"): as sent to OpenAI (Chat Completions and Responses); "high" with a warning to other Chat Completions APIs; Gemini\'s highest resolution with a warning; a warning for Anthropic', () => {
    const img = { type: 'image', source: { type: 'base64', data: 'AAAA', mediaType: 'image/png' }, detail: 'original' } as const;
    const r: ModelRequest = { messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, img] }] };
    const chatDetail = (id: string): { detail: unknown; warnings: string[] } => {
      const c = ctx();
      const body = openaiBody(provider(id), 'm', r, c);
      const content = (body.messages as { content: { image_url?: { detail?: string } }[] }[])[0]!.content;
      return { detail: content[1]!.image_url!.detail, warnings: c.warnings };
    };
    assert.deepEqual(chatDetail('openai'), { detail: 'original', warnings: [] });
    const other = chatDetail('mistral');
    assert.equal(other.detail, 'high');
    assert.match(other.warnings.join(), /image detail: "original" .* is OpenAI's own value; mistral\/m was sent "high"/);
    const resp = responsesBody(provider('openai'), 'gpt-5', r, ctx());
    assert.equal(((resp.input as { content: { detail?: string }[] }[])[0]!.content[1] as { detail?: string }).detail, 'original');
    const c = ctx();
    const gen = geminiBody(provider('google'), 'gemini-2.5-flash', r, c).generationConfig as Record<string, unknown>;
    assert.equal(gen.mediaResolution, 'MEDIA_RESOLUTION_HIGH');
    assert.match(c.warnings.join(), /Gemini has no "original" \(not downscaled\) resolution; the images were sent at its highest, MEDIA_RESOLUTION_HIGH/);
    const a = ctx();
    anthropicBody(provider('anthropic'), 'claude-sonnet-4-5', r, a);
    assert.match(a.warnings.join(), /Anthropic has no image detail setting; the images asking for detail "original" were sent at Anthropic's own resolution/);
  });

  test("Gemini 2.5 budgets are kept in each model's range (the API refuses others), and said; Gemini 3 levels are the model's own", () => {
    const sent = (model: string, reasoning: ModelRequest['reasoning'], maxTokens?: number) => {
      const c = ctx();
      const gen = geminiBody(provider('google'), model, { messages: [{ role: 'user', content: 'x' }], reasoning, ...(maxTokens ? { maxTokens } : {}) }, c)
        .generationConfig as Record<string, unknown>;
      return { thinking: gen.thinkingConfig, warnings: c.warnings };
    };
    // xhigh's budget (32768) is above Flash's 24576; Pro takes it.
    assert.deepEqual(sent('gemini-2.5-flash', { effort: 'xhigh' }), {
      thinking: { thinkingBudget: 24_576, includeThoughts: true },
      warnings: ['reasoning: google/gemini-2.5-flash takes a thinking budget of 1–24576; sent 24576 instead of 32768'],
    });
    assert.deepEqual(sent('gemini-2.5-pro', { effort: 'xhigh' }), { thinking: { thinkingBudget: 32_768, includeThoughts: true }, warnings: [] });
    // Pro cannot think less than 128 or not at all; Flash-Lite not less than 512 (0 turns it off).
    assert.deepEqual(sent('gemini-2.5-pro', { effort: 'none' }), {
      thinking: { thinkingBudget: 128, includeThoughts: true },
      warnings: ['reasoning: google/gemini-2.5-pro cannot turn thinking off; sent its smallest thinking budget, 128'],
    });
    assert.deepEqual(sent('gemini-2.5-flash-lite', { budgetTokens: 200 }).thinking, { thinkingBudget: 512, includeThoughts: true });
    assert.deepEqual(sent('gemini-2.5-flash-lite', { effort: 'none' }), { thinking: { thinkingBudget: 0 }, warnings: [] });
    // The output cap leaves less than Pro's smallest budget: refused before sending, with the fix.
    assert.throws(
      () => sent('gemini-2.5-pro', { effort: 'low' }, 100),
      (e: unknown) => e instanceof SwitchboardError && e.kind === 'bad_request' && /smallest thinking budget this model takes \(128\)/.test(e.message),
    );
    // Gemini 3: Flash takes minimal/low/medium/high, Pro low/high; the nearest level is said.
    assert.deepEqual(sent('gemini-3-flash-preview', { effort: 'medium' }), { thinking: { thinkingLevel: 'medium', includeThoughts: true }, warnings: [] });
    assert.deepEqual(sent('gemini-3-flash-preview', { effort: 'minimal' }), { thinking: { thinkingLevel: 'minimal', includeThoughts: true }, warnings: [] });
    assert.deepEqual(sent('gemini-3-pro-preview', { effort: 'medium' }), {
      thinking: { thinkingLevel: 'high', includeThoughts: true },
      warnings: ['reasoning.effort: google/gemini-3-pro-preview has no "medium" thinking level (it takes low, high); sent "high"'],
    });
    assert.deepEqual(sent('gemini-3-pro-preview', { effort: 'none' }), {
      thinking: { thinkingLevel: 'low', includeThoughts: true },
      warnings: ['reasoning.effort: google/gemini-3-pro-preview cannot turn thinking off; sent thinkingLevel "low"'],
    });
    assert.deepEqual(sent('gemini-3-pro-preview', { effort: 'xhigh' }), { thinking: { thinkingLevel: 'high', includeThoughts: true }, warnings: [] });
  });

  test('Gemini 3 takes a thinking level; an image URL needs a known media type', () => {
    assert.deepEqual(
      (
        geminiBody(provider('google'), 'gemini-3-pro-preview', { messages: [], reasoning: { effort: 'high' } }, ctx()).generationConfig as Record<
          string,
          unknown
        >
      ).thinkingConfig,
      { thinkingLevel: 'high', includeThoughts: true },
    );
    const url = (u: string): ModelRequest => ({ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'url', url: u } }] }] });
    assert.deepEqual((geminiBody(provider('google'), 'g', url('https://x/cat.jpg?v=1'), ctx()).contents as { parts: unknown[] }[])[0]!.parts, [
      { fileData: { mimeType: 'image/jpeg', fileUri: 'https://x/cat.jpg?v=1' } },
    ]);
    assert.throws(
      () => geminiBody(provider('google'), 'g', url('https://x/cat'), ctx()),
      (e: unknown) => e instanceof SwitchboardError && e.kind === 'bad_request',
    );
  });

  test('a tool schema Gemini cannot express is refused, naming the tool and the keyword', () => {
    assert.throws(
      () =>
        geminiBody(
          provider('google'),
          'g',
          { messages: [], tools: [{ name: 'f', parameters: { type: 'object', properties: { a: { allOf: [{ type: 'string' }] } } } }] },
          ctx(),
        ),
      (e: unknown) => e instanceof SwitchboardError && e.kind === 'bad_request' && /tools\["f"\]\.parameters/.test(e.message) && /allOf/.test(e.message),
    );
  });
});

describe('JSON Schema → Gemini schema', () => {
  test('converts exactly: const, nullable unions, local $refs, annotations and unknown formats dropped', () => {
    const out = toGeminiSchema({
      $schema: 'x',
      type: 'object',
      $defs: { Unit: { type: 'string', enum: ['c', 'f'] } },
      properties: {
        kind: { const: 'weather' },
        unit: { $ref: '#/$defs/Unit' },
        when: { type: 'string', format: 'date-time' },
        site: { type: 'string', format: 'uri' },
        note: { anyOf: [{ type: 'string' }, { type: 'null' }] },
        n: { type: ['integer', 'null'], minimum: 0 },
      },
      required: ['kind'],
      additionalProperties: false,
    });
    assert.deepEqual(out, {
      type: 'object',
      properties: {
        kind: { enum: ['weather'], type: 'string' },
        unit: { type: 'string', enum: ['c', 'f'] },
        when: { type: 'string', format: 'date-time' },
        site: { type: 'string' },
        note: { nullable: true, type: 'string' },
        n: { type: 'integer', nullable: true, minimum: 0 },
      },
      required: ['kind'],
    });
  });
  test('refuses what it cannot express', () => {
    for (const bad of [
      { type: 'object', additionalProperties: { type: 'string' } },
      { not: { type: 'string' } },
      { type: ['string', 'number'] },
      { enum: [1, 2] },
      { $defs: { A: { $ref: '#/$defs/A' } }, $ref: '#/$defs/A' },
      { oneOf: [{ type: 'string' }, { type: 'string', minLength: 2 }] },
    ]) {
      assert.throws(() => toGeminiSchema(bad as Record<string, unknown>), /cannot be expressed|enums take strings|recursive/, JSON.stringify(bad));
    }
  });
});
