/**
 * Response decoding on recorded real-shaped streams (event payloads as the APIs send them), folded
 * by the ResultBuilder into `content`: reasoning with signatures, text, tool calls with their state.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAnthropicStream } from '../../src/core/providers/anthropic/anthropicModel.ts';
import { decodeGeminiStream } from '../../src/core/providers/gemini/geminiModel.ts';
import { decodeChatCompletion, decodeOpenAIStream } from '../../src/core/providers/openai/openaiModel.ts';
import { SwitchboardError } from '../../src/core/errors.ts';
import { toOpenAIMessages } from '../../src/core/providers/openai/convertMessages.ts';
import { ResultBuilder } from '../../src/core/resultBuilder.ts';
import type { ModelStreamPart } from '../../src/core/types.ts';

async function* events(list: { event?: string; data: unknown }[]): AsyncGenerator<{ event: string | undefined; data: string }> {
  for (const e of list) yield { event: e.event, data: typeof e.data === 'string' ? e.data : JSON.stringify(e.data) };
}

async function fold(parts: AsyncIterable<ModelStreamPart>, origin: string): Promise<{ b: ResultBuilder; parts: ModelStreamPart[] }> {
  const b = new ResultBuilder(origin);
  const all: ModelStreamPart[] = [];
  for await (const p of parts) {
    all.push(p);
    b.add(p);
  }
  return { b, parts: all };
}

const A = (type: string, rest: Record<string, unknown>) => ({ event: type, data: { type, ...rest } });

// An Anthropic extended-thinking answer with a redacted block, text and two parallel tool calls.
const ANTHROPIC_THINKING_TOOLS = [
  A('message_start', {
    message: {
      id: 'msg_01X',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5-20250929',
      content: [],
      stop_reason: null,
      usage: { input_tokens: 120, cache_read_input_tokens: 0, cache_creation_input_tokens: 0, output_tokens: 1 },
    },
  }),
  A('content_block_start', { index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }),
  A('content_block_delta', { index: 0, delta: { type: 'thinking_delta', thinking: 'The user wants ' } }),
  A('content_block_delta', { index: 0, delta: { type: 'thinking_delta', thinking: 'two cities.' } }),
  A('content_block_delta', { index: 0, delta: { type: 'signature_delta', signature: 'EqQBCkgIBxABGAIiQL0sig==' } }),
  A('content_block_stop', { index: 0 }),
  A('content_block_start', { index: 1, content_block: { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix/LafPsn4a' } }),
  A('content_block_stop', { index: 1 }),
  A('content_block_start', { index: 2, content_block: { type: 'text', text: '' } }),
  A('content_block_delta', { index: 2, delta: { type: 'text_delta', text: 'Checking both.' } }),
  A('content_block_stop', { index: 2 }),
  A('content_block_start', { index: 3, content_block: { type: 'tool_use', id: 'toolu_01A', name: 'get_weather', input: {} } }),
  A('content_block_delta', { index: 3, delta: { type: 'input_json_delta', partial_json: '' } }),
  A('content_block_delta', { index: 3, delta: { type: 'input_json_delta', partial_json: '{"city": "Par' } }),
  A('content_block_delta', { index: 3, delta: { type: 'input_json_delta', partial_json: 'is"}' } }),
  A('content_block_stop', { index: 3 }),
  A('content_block_start', { index: 4, content_block: { type: 'tool_use', id: 'toolu_01B', name: 'get_weather', input: {} } }),
  A('content_block_delta', { index: 4, delta: { type: 'input_json_delta', partial_json: '{"city": "Rome"}' } }),
  A('content_block_stop', { index: 4 }),
  A('message_delta', { delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 90 } }),
  A('message_stop', {}),
];

describe('Anthropic decoding', () => {
  test('thinking with its signature, redacted thinking, text and parallel tool calls, in order', async () => {
    const { b } = await fold(decodeAnthropicStream(events(ANTHROPIC_THINKING_TOOLS), 'anthropic', 'claude'), 'anthropic/claude-sonnet-4-5');
    const origin = { origin: 'anthropic/claude-sonnet-4-5' };
    assert.deepEqual(b.content, [
      { type: 'reasoning', text: 'The user wants two cities.', signature: 'EqQBCkgIBxABGAIiQL0sig==', state: origin },
      { type: 'reasoning', text: '', redactedData: 'EmwKAhgBEgy3va3pzix/LafPsn4a', state: origin },
      { type: 'text', text: 'Checking both.' },
      { type: 'tool-call', id: 'toolu_01A', name: 'get_weather', arguments: '{"city": "Paris"}' },
      { type: 'tool-call', id: 'toolu_01B', name: 'get_weather', arguments: '{"city": "Rome"}' },
    ]);
    assert.equal(b.finishReason, 'tool_calls');
    assert.equal(b.reasoning, 'The user wants two cities.');
  });

  test('a structured answer through the forced json tool arrives as text with finish "stop"', async () => {
    const stream = [
      A('message_start', { message: { id: 'msg_1', model: 'claude', usage: { input_tokens: 10, output_tokens: 1 } } }),
      A('content_block_start', { index: 0, content_block: { type: 'tool_use', id: 'toolu_1', name: 'json_answer', input: {} } }),
      A('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: '{"a":' } }),
      A('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: '"x"}' } }),
      A('content_block_stop', { index: 0 }),
      A('message_delta', { delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 8 } }),
      A('message_stop', {}),
    ];
    const { b } = await fold(decodeAnthropicStream(events(stream), 'anthropic', 'claude', { jsonToolName: 'json_answer' }), 'anthropic/claude');
    assert.equal(b.text, '{"a":"x"}');
    assert.deepEqual(b.toolCalls, []);
    assert.equal(b.finishReason, 'stop');
  });
});

describe('Gemini decoding', () => {
  const chunk = (parts: unknown[], extra: Record<string, unknown> = {}) => ({
    data: { candidates: [{ content: { parts, role: 'model' }, index: 0, ...extra }], modelVersion: 'gemini-3-pro-preview', responseId: 'r1' },
  });

  test('thought parts, a signed text part kept as its own part, function calls with the signature on the first', async () => {
    const stream = [
      chunk([{ text: 'Planning the calls.', thought: true }]),
      chunk([{ text: 'Let me ' }]),
      chunk([{ text: 'check.', thoughtSignature: 'SIG_TEXT' }]),
      chunk(
        [
          { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'SIG_CALL' },
          { functionCall: { name: 'get_weather', args: { city: 'Rome' } } },
        ],
        { finishReason: 'STOP' },
      ),
    ];
    const { b } = await fold(decodeGeminiStream(events(stream), 'google', 'gemini-3-pro-preview'), 'google/gemini-3-pro-preview');
    const content = b.content;
    assert.equal(content.length, 5);
    assert.deepEqual(content[0], { type: 'reasoning', text: 'Planning the calls.', state: { origin: 'google/gemini-3-pro-preview' } });
    assert.deepEqual(content[1], { type: 'text', text: 'Let me ' });
    assert.deepEqual(content[2], { type: 'text', text: 'check.', state: { origin: 'google/gemini-3-pro-preview', thoughtSignature: 'SIG_TEXT' } });
    const [c1, c2] = [content[3]!, content[4]!];
    assert.ok(c1.type === 'tool-call' && c2.type === 'tool-call');
    assert.deepEqual(c1.state, { origin: 'google/gemini-3-pro-preview', thoughtSignature: 'SIG_CALL' });
    assert.equal(c2.state, undefined);
    assert.match(c1.id, /^gcall_0_[0-9a-f]{16}$/);
    assert.match(c2.id, /^gcall_1_/);
    assert.notEqual(c1.id, c2.id);
    assert.equal(b.finishReason, 'tool_calls');
    assert.equal(b.text, 'Let me check.');
  });

  test('a signature that arrives on an empty text part is kept (a part of its own)', async () => {
    const stream = [chunk([{ text: 'Done.' }]), chunk([{ text: '', thoughtSignature: 'SIG_END' }], { finishReason: 'STOP' })];
    const { b } = await fold(decodeGeminiStream(events(stream), 'google', 'g'), 'google/g');
    assert.deepEqual(b.content, [
      { type: 'text', text: 'Done.' },
      { type: 'text', text: '', state: { origin: 'google/g', thoughtSignature: 'SIG_END' } },
    ]);
  });
});

describe('OpenAI-compatible decoding', () => {
  test('Mistral magistral: content as an array of thinking/text parts → reasoning and text (not an empty answer)', async () => {
    const c = (content: unknown, finish: string | null = null) => ({
      data: {
        id: 'cmpl-1',
        object: 'chat.completion.chunk',
        model: 'magistral-medium-2509',
        choices: [{ index: 0, delta: { content }, finish_reason: finish }],
      },
    });
    const stream = [
      {
        data: {
          id: 'cmpl-1',
          object: 'chat.completion.chunk',
          model: 'magistral-medium-2509',
          choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
        },
      },
      c([{ type: 'thinking', thinking: [{ type: 'text', text: 'Okay, the user ' }] }]),
      c([{ type: 'thinking', thinking: [{ type: 'text', text: 'asks 2+2.' }] }]),
      c([{ type: 'text', text: 'The answer ' }]),
      c('is 4.'),
      c('', 'stop'),
      { data: '[DONE]' },
    ];
    const { b } = await fold(decodeOpenAIStream(events(stream), 'mistral', 'magistral-medium-latest'), 'mistral/magistral-medium-latest');
    assert.equal(b.reasoning, 'Okay, the user asks 2+2.');
    assert.equal(b.text, 'The answer is 4.');
    assert.deepEqual(
      b.content.map((p) => p.type),
      ['reasoning', 'text'],
    );
  });

  test('streamed tool calls (id and name first, arguments in fragments) become tool-call content with finish tool_calls', async () => {
    const d = (delta: unknown, finish: string | null = null) => ({ data: { id: 'c', model: 'gpt-4o', choices: [{ index: 0, delta, finish_reason: finish }] } });
    const stream = [
      d({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_A', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
      d({ tool_calls: [{ index: 0, function: { arguments: '{"ci' } }] }),
      d({ tool_calls: [{ index: 0, function: { arguments: 'ty":"Paris"}' } }] }),
      d({ tool_calls: [{ index: 1, id: 'call_B', type: 'function', function: { name: 'get_time', arguments: '{}' } }] }),
      d({}, 'tool_calls'),
      { data: '[DONE]' },
    ];
    const { b } = await fold(decodeOpenAIStream(events(stream), 'openai', 'gpt-4o'), 'openai/gpt-4o');
    assert.deepEqual(b.content, [
      { type: 'tool-call', id: 'call_A', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'tool-call', id: 'call_B', name: 'get_time', arguments: '{}' },
    ]);
    assert.equal(b.finishReason, 'tool_calls');
  });
});

describe('OpenAI non-streamed answers (the gateway forwards them as received; decoded once for the ledger)', () => {
  test('a chat.completion: reasoning, text, two tool calls by their place (a message has no index), finish and usage', () => {
    const parts = decodeChatCompletion(
      {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        model: 'gpt-4o-2024-08-06',
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: 'Checking.',
              reasoning_content: 'think',
              tool_calls: [
                { id: 'call_A', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
                { id: 'call_B', type: 'function', function: { name: 'get_time', arguments: '{}' } },
              ],
            },
            finish_reason: 'tool_calls',
          },
        ],
        usage: { prompt_tokens: 20, completion_tokens: 9, total_tokens: 29, prompt_tokens_details: { cached_tokens: 4 } },
      },
      'openai',
      'gpt-4o',
    );
    const b = new ResultBuilder('openai/gpt-4o');
    for (const p of parts) b.add(p);
    assert.equal(b.text, 'Checking.');
    assert.equal(b.reasoning, 'think');
    assert.deepEqual(
      b.content.filter((c) => c.type === 'tool-call'),
      [
        { type: 'tool-call', id: 'call_A', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'tool-call', id: 'call_B', name: 'get_time', arguments: '{}' },
      ],
    );
    assert.equal(b.finishReason, 'tool_calls');
    assert.equal(b.usage.inputTokens, 20);
    assert.equal(b.usage.cachedInputTokens, 4);
    assert.equal(b.responseId, 'chatcmpl-1');
  });

  test('an error object, no choices, or no finish_reason: an error, not an empty answer', () => {
    const err = (c: Record<string, unknown>): unknown => {
      try {
        decodeChatCompletion(c, 'openrouter', 'm');
      } catch (e) {
        return e;
      }
      return null;
    };
    const rate = err({ error: { code: 429, message: 'Rate limit exceeded' } });
    assert.ok(rate instanceof SwitchboardError && rate.kind === 'rate_limit', String(rate));
    const none = err({ id: 'x', object: 'chat.completion', choices: [] });
    assert.ok(none instanceof SwitchboardError && /no choices/.test(none.message), String(none));
    const open = err({ id: 'x', choices: [{ index: 0, message: { role: 'assistant', content: 'half' }, finish_reason: null }] });
    assert.ok(open instanceof SwitchboardError, String(open));
  });
});

describe('OpenRouter reasoning_details', () => {
  test('merged by index as they stream, kept on the reasoning part, sent back on the assistant message to OpenRouter only', async () => {
    const d = (delta: unknown, finish: string | null = null) => ({
      data: { id: 'gen-1', model: 'google/gemini-3-pro-preview', choices: [{ index: 0, delta, finish_reason: finish }] },
    });
    const stream = [
      d({
        role: 'assistant',
        content: '',
        reasoning: 'Think',
        reasoning_details: [{ type: 'reasoning.text', text: 'Think', format: 'google-gemini-v1', index: 0 }],
      }),
      d({ reasoning: 'ing.', reasoning_details: [{ type: 'reasoning.text', text: 'ing.', format: 'google-gemini-v1', index: 0 }] }),
      d({
        tool_calls: [{ index: 0, id: 'tool_get_weather_abc', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        reasoning_details: [{ type: 'reasoning.encrypted', data: 'CiQB', id: 'tool_get_weather_abc', format: 'google-gemini-v1', index: 1 }],
      }),
      d({}, 'tool_calls'),
      { data: '[DONE]' },
    ];
    const { b } = await fold(decodeOpenAIStream(events(stream), 'openrouter', 'google/gemini-3-pro-preview'), 'openrouter/google/gemini-3-pro-preview');
    const content = b.content;
    assert.equal(b.reasoning, 'Thinking.');
    const r = content[0]!;
    assert.ok(r.type === 'reasoning');
    assert.deepEqual(r.state?.openrouterReasoning, [
      { type: 'reasoning.text', text: 'Thinking.', format: 'google-gemini-v1', index: 0 },
      { type: 'reasoning.encrypted', data: 'CiQB', id: 'tool_get_weather_abc', format: 'google-gemini-v1', index: 1 },
    ]);
    const sent = toOpenAIMessages([{ role: 'assistant', content }], 'openrouter', 'google/gemini-3-pro-preview') as Record<string, unknown>[];
    assert.deepEqual(sent[0]!.reasoning_details, r.state?.openrouterReasoning);
    assert.equal((sent[0]!.tool_calls as unknown[]).length, 1);
    const direct = toOpenAIMessages([{ role: 'assistant', content }], 'openai', 'gpt-5') as Record<string, unknown>[];
    assert.equal(direct[0]!.reasoning_details, undefined);
  });
});

describe('OpenAI-compatible servers that say which stop matched (vLLM stop_reason, SGLang matched_stop)', () => {
  const finish = (extra: Record<string, unknown>) => ({
    data: { id: 'c', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'stop', ...extra }] },
  });
  const text = { data: { id: 'c', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta: { content: 'one two' }, finish_reason: null }] } };
  test("a matched string that is one of the request's stop sequences is reported; a token id, null, or a string the request did not send is not", async () => {
    const cases: [Record<string, unknown>, readonly string[] | undefined, string | null][] = [
      [{ stop_reason: '###' }, ['END', '###'], '###'],
      [{ matched_stop: 'END' }, ['END', '###'], 'END'],
      [{ stop_reason: null }, ['###'], null],
      [{ stop_reason: 128009 }, ['###'], null],
      [{ matched_stop: 151645 }, ['###'], null],
      // Not a stop sequence of the request's (another server's own word, or a request without stops): not taken for one.
      [{ stop_reason: 'eos' }, ['###'], null],
      [{ stop_reason: '###' }, undefined, null],
    ];
    for (const [extra, stops, want] of cases) {
      const { b } = await fold(decodeOpenAIStream(events([text, finish(extra), { data: '[DONE]' }]), 'vllm', 'm', stops), 'vllm/m');
      assert.equal(b.stopSequence, want, JSON.stringify({ extra, stops }));
      assert.equal(b.finishReason, 'stop');
    }
  });
});
