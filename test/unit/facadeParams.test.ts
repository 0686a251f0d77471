/** The facade's parameter translation (OpenAI Chat Completions → the core request) and its refusals. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { translateParams, UnsupportedParameterError, type ChatCompletionCreateParams } from '../../src/core/openaiParams.ts';
import { toChatCompletion, toReasoningDetails } from '../../src/core/openaiFacade.ts';
import { SwitchboardError } from '../../src/core/errors.ts';
import { emptyUsage, type ChatResult } from '../../src/core/types.ts';
import type { AssistantContent } from '../../src/core/request.ts';

const MODEL = 'anthropic/claude-sonnet-4';
const base = (extra: Partial<ChatCompletionCreateParams> = {}): ChatCompletionCreateParams => ({
  model: MODEL,
  messages: [{ role: 'user', content: 'hi' }],
  ...extra,
});
const WEATHER = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather by city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    strict: true,
  },
};

function refusedParam(param: string | RegExp, also?: RegExp) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof UnsupportedParameterError, `expected an UnsupportedParameterError, got ${String(e)}`);
    if (typeof param === 'string') assert.equal(e.param, param);
    else assert.match(e.param, param);
    assert.equal(e.kind, 'bad_request');
    assert.match(e.message, new RegExp(MODEL.replace('/', '\\/')), 'the error names the model');
    assert.ok(e.fix && e.fix.length > 5, 'the error says how to fix it');
    if (also) assert.match(e.message, also);
    return true;
  };
}

describe('facade parameters → core request', () => {
  test('a full tool conversation: system/developer, user name, assistant tool_calls, tool results merged into one tool turn', () => {
    const t = translateParams(
      base({
        messages: [
          { role: 'developer', content: 'Be terse.' },
          { role: 'user', content: 'Weather in Paris and Rome?', name: 'ann' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
              { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
            ],
          },
          { role: 'tool', tool_call_id: 'call_1', content: '18C' },
          { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: '24C' }] },
        ],
        tools: [WEATHER],
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
        parallel_tool_calls: false,
      }),
    );
    assert.deepEqual(t.request.messages, [
      { role: 'system', content: 'Be terse.' },
      { role: 'user', content: 'Weather in Paris and Rome?', name: 'ann' },
      {
        role: 'assistant',
        content: [
          { type: 'tool-call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
          { type: 'tool-call', id: 'call_2', name: 'get_weather', arguments: '{"city":"Rome"}' },
        ],
      },
      {
        role: 'tool',
        content: [
          { type: 'tool-result', callId: 'call_1', name: 'get_weather', content: '18C' },
          { type: 'tool-result', callId: 'call_2', name: 'get_weather', content: [{ type: 'text', text: '24C' }] },
        ],
      },
    ]);
    assert.deepEqual(t.request.tools, [{ name: 'get_weather', description: 'Weather by city', parameters: WEATHER.function.parameters, strict: true }]);
    assert.deepEqual(t.request.toolChoice, { type: 'tool', name: 'get_weather' });
    assert.equal(t.request.parallelToolCalls, false);
    assert.deepEqual(t.warnings, []);
  });

  test('options: response_format json_schema, reasoning_effort, tokens, sampling, hints, stop, stream_options', () => {
    const schema = { type: 'object', properties: { a: { type: 'number' } }, required: ['a'] };
    const t = translateParams(
      base({
        response_format: { type: 'json_schema', json_schema: { name: 'answer', schema, strict: true } },
        reasoning_effort: 'high',
        max_tokens: 10,
        max_completion_tokens: 20,
        temperature: 0.5,
        top_p: 0.9,
        stop: 'END',
        seed: 7,
        frequency_penalty: 0.1,
        presence_penalty: -0.2,
        user: 'u-1',
        stream: true,
        stream_options: { include_usage: true },
        n: 1,
        logprobs: false,
      }),
    );
    const r = t.request;
    assert.deepEqual(r.responseFormat, { type: 'json_schema', name: 'answer', schema, strict: true });
    assert.deepEqual(r.reasoning, { effort: 'high' });
    assert.equal(r.maxTokens, 20, 'max_completion_tokens wins over the deprecated max_tokens');
    assert.deepEqual([r.temperature, r.topP, r.stop, r.seed, r.frequencyPenalty, r.presencePenalty, r.user], [0.5, 0.9, ['END'], 7, 0.1, -0.2, 'u-1']);
    assert.equal(t.stream, true);
    assert.equal(t.includeUsage, true);
    assert.deepEqual(t.warnings, []);
    assert.deepEqual(translateParams(base({ response_format: { type: 'json_object' } })).request.responseFormat, { type: 'json_object' });
    assert.deepEqual(translateParams(base({ reasoning: { max_tokens: 2048 } } as Partial<ChatCompletionCreateParams>)).request.reasoning, {
      budgetTokens: 2048,
    });
  });

  test('content parts: text with cache_control, images by URL and data, PDF files; cache_control on tools', () => {
    const t = translateParams(
      base({
        messages: [
          { role: 'system', content: [{ type: 'text', text: 'long system prompt', cache_control: { type: 'ephemeral' } }] },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'look' },
              { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low' } },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
              { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' } },
            ],
          },
        ],
        tools: [{ ...WEATHER, cache_control: { type: 'ephemeral', ttl: '1h' } }],
      } as Partial<ChatCompletionCreateParams>),
    );
    assert.deepEqual(t.request.messages[0], { role: 'system', content: [{ type: 'text', text: 'long system prompt', cache: { type: 'ephemeral' } }] });
    assert.deepEqual(t.request.messages[1], {
      role: 'user',
      content: [
        { type: 'text', text: 'look' },
        { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' }, detail: 'low' },
        { type: 'image', source: { type: 'base64', data: 'iVBORw0KGgo=', mediaType: 'image/png' } },
        { type: 'file', data: 'JVBERi0=', mediaType: 'application/pdf', filename: 'a.pdf' },
      ],
    });
    assert.deepEqual(t.request.tools?.[0]?.cache, { type: 'ephemeral', ttl: '1h' });
  });

  test('reasoning state comes back from reasoning_details and Gemini extra_content, bound to its origin', () => {
    const t = translateParams(
      base({
        messages: [
          { role: 'user', content: 'q' },
          {
            role: 'assistant',
            content: 'Let me check.',
            reasoning_content: 'shown thinking',
            reasoning_details: [
              { type: 'reasoning.text', text: 'I think', signature: 'sig-A', format: 'anthropic-claude-v1', origin: 'anthropic/claude-sonnet-4' },
              { type: 'reasoning.encrypted', data: 'REDACTED', format: 'anthropic-claude-v1', origin: 'anthropic/claude-sonnet-4' },
              { type: 'reasoning.encrypted', data: 'gsig-call', format: 'google-gemini-v1', id: 'call_9', origin: 'google/gemini-3-pro' },
            ],
            tool_calls: [
              { id: 'call_9', type: 'function', function: { name: 'get_weather', arguments: '{}' } },
              {
                id: 'call_10',
                type: 'function',
                function: { name: 'get_weather', arguments: '{}' },
                extra_content: { google: { thought_signature: 'gsig-2' } },
              },
            ],
          },
          { role: 'tool', tool_call_id: 'call_9', content: 'x' },
          { role: 'tool', tool_call_id: 'call_10', content: 'y' },
        ],
      } as Partial<ChatCompletionCreateParams>),
    );
    assert.deepEqual(t.request.messages[1], {
      role: 'assistant',
      content: [
        { type: 'reasoning', text: 'I think', signature: 'sig-A', state: { origin: 'anthropic/claude-sonnet-4' } },
        { type: 'reasoning', text: '', redactedData: 'REDACTED', state: { origin: 'anthropic/claude-sonnet-4' } },
        { type: 'text', text: 'Let me check.' },
        { type: 'tool-call', id: 'call_9', name: 'get_weather', arguments: '{}', state: { origin: 'google/gemini-3-pro', thoughtSignature: 'gsig-call' } },
        // No origin with Gemini's own extra_content: taken to come from the model this request names.
        { type: 'tool-call', id: 'call_10', name: 'get_weather', arguments: '{}', state: { origin: MODEL, thoughtSignature: 'gsig-2' } },
      ],
    });
    // Without reasoning_details, reasoning_content comes back as plain (unsigned) reasoning.
    const plain = translateParams(
      base({
        messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a', reasoning_content: 'hmm' } as never, { role: 'user', content: 'more' }],
      }),
    );
    assert.deepEqual(plain.request.messages[1], {
      role: 'assistant',
      content: [
        { type: 'reasoning', text: 'hmm' },
        { type: 'text', text: 'a' },
      ],
    });
  });

  test('what the facade returns round-trips: reasoning_details of a result translate back into the same content', () => {
    const content: AssistantContent[] = [
      { type: 'reasoning', text: 'think', signature: 'S1', state: { origin: 'google/gemini-3-pro' } },
      { type: 'text', text: 'ok', state: { origin: 'google/gemini-3-pro', thoughtSignature: 'T-text' } },
      { type: 'tool-call', id: 'c1', name: 'get_weather', arguments: '{"city":"Oslo"}', state: { origin: 'google/gemini-3-pro', thoughtSignature: 'T-call' } },
    ];
    const result: ChatResult & { content: AssistantContent[]; warnings: string[] } = {
      model: 'google/gemini-3-pro',
      answeredBy: 'google/gemini-3-pro',
      providerModel: null,
      responseId: 'r1',
      text: 'ok',
      reasoning: 'think',
      toolCalls: [{ index: 0, id: 'c1', name: 'get_weather', arguments: '{"city":"Oslo"}' }],
      finishReason: 'tool_calls',
      rawFinishReason: 'STOP',
      usage: emptyUsage(),
      costUsd: null,
      timing: { ttftMs: null, totalMs: 1 },
      attempts: [],
      error: null,
      content,
      warnings: ['seed: not supported by gemini'],
    };
    const completion = toChatCompletion(result, 1, []);
    const message = completion.choices[0]!.message;
    assert.equal(completion.choices[0]!.finish_reason, 'tool_calls');
    assert.deepEqual(message.tool_calls?.[0]?.extra_content, { google: { thought_signature: 'T-call' } });
    assert.deepEqual(completion.switchboard, { warnings: ['seed: not supported by gemini'] });
    assert.deepEqual(
      toReasoningDetails(content, 'x').map((d) => d.type),
      ['reasoning.text', 'reasoning.encrypted', 'reasoning.encrypted'],
    );
    const back = translateParams({
      model: 'google/gemini-3-pro',
      messages: [{ role: 'user', content: 'q' }, message as never, { role: 'tool', tool_call_id: 'c1', content: 'sunny' }],
    });
    assert.deepEqual(back.request.messages[1], { role: 'assistant', content });
  });

  test('n > 1, logprobs, legacy functions, audio, non-function tools, input_audio and file ids are refused, naming the parameter, model and fix', () => {
    assert.throws(() => translateParams(base({ n: 2 })), refusedParam('n'));
    assert.throws(() => translateParams(base({ logprobs: true })), refusedParam('logprobs'));
    assert.throws(() => translateParams(base({ top_logprobs: 3 })), refusedParam('top_logprobs'));
    assert.throws(() => translateParams(base({ functions: [{ name: 'f' }] } as Partial<ChatCompletionCreateParams>)), refusedParam('functions'));
    assert.throws(() => translateParams(base({ modalities: ['text', 'audio'] })), refusedParam('modalities'));
    assert.throws(
      () => translateParams(base({ tools: [{ type: 'custom', custom: { name: 'x' } }] } as Partial<ChatCompletionCreateParams>)),
      refusedParam('tools[0]', /custom/),
    );
    assert.throws(() => translateParams(base({ tool_choice: 'required' })), refusedParam('tool_choice', /no tools/));
    assert.throws(
      () => translateParams(base({ tools: [WEATHER], tool_choice: { type: 'function', function: { name: 'nope' } } })),
      refusedParam('tool_choice', /nope/),
    );
    assert.throws(
      () =>
        translateParams(
          base({
            messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'x', format: 'wav' } }] }],
          } as Partial<ChatCompletionCreateParams>),
        ),
      refusedParam('messages[0].content[0]', /audio/),
    );
    assert.throws(
      () =>
        translateParams(
          base({ messages: [{ role: 'user', content: [{ type: 'file', file: { file_id: 'file-1' } }] }] } as Partial<ChatCompletionCreateParams>),
        ),
      refusedParam('messages[0].content[0].file.file_id'),
    );
    assert.throws(
      () => translateParams(base({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'file:///etc/passwd' } }] }] })),
      refusedParam('messages[0].content[0].image_url.url'),
    );
    assert.throws(
      () => translateParams(base({ messages: [{ role: 'function', name: 'f', content: 'x' }] } as Partial<ChatCompletionCreateParams>)),
      refusedParam('messages[0].role'),
    );
  });

  test('hints that are not forwarded and unknown parameters or message fields become warnings, never silent', () => {
    const t = translateParams(
      base({
        store: true,
        metadata: { a: 'b' },
        logit_bias: { 1: 2 },
        frobnicate: 1,
        messages: [
          { role: 'user', content: 'x', extra_field: 1 },
          { role: 'system', content: 's', name: 'boss' },
        ],
      } as Partial<ChatCompletionCreateParams>),
    );
    assert.deepEqual(t.warnings, [
      'store: stored completions are not forwarded',
      'metadata: stored-completion metadata is not forwarded',
      'logit_bias: logit_bias is not forwarded',
      'frobnicate: unknown parameter, not forwarded',
      'messages[0].extra_field: unknown message field, not forwarded',
      'messages[1].name: names on system messages are not forwarded',
    ]);
    // null asks for nothing: what SDKs send by default raises no warning.
    assert.deepEqual(
      translateParams(
        base({ prediction: null, service_tier: null, messages: [{ role: 'user', content: 'x', audio: null }] } as Partial<ChatCompletionCreateParams>),
      ).warnings,
      [],
    );
  });

  test('malformed parameters are a bad_request naming the field', () => {
    assert.throws(
      () => translateParams({ model: MODEL, messages: [{ role: 'tool', content: 'x' }] } as unknown as ChatCompletionCreateParams),
      (e: unknown) => e instanceof SwitchboardError && e.kind === 'bad_request' && /tool_call_id/.test(e.message),
    );
    assert.throws(
      () => translateParams(base({ temperature: 3 })),
      (e: unknown) => e instanceof SwitchboardError && /temperature/.test(e.message),
    );
  });
});
