/**
 * A full tool loop through `client.chat.completions.create`, per upstream protocol, streamed and
 * not: the model asks for a tool → the client runs it → the result goes back → the final answer.
 * The second request's wire body is checked: the call and its result must be paired the way each
 * API demands, with the reasoning state (Anthropic signature, Gemini thought signature) sent back.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatCompletionChunk, ChatCompletionMessage, ChunkStream } from '../../src/core/openaiFacade.ts';
import type { FakeProtocol } from '../fakes/types.ts';
import { setup } from './helpers.ts';

const WEATHER = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};
const ARGS = '{"city":"Paris","unit":"c"}';
const FINISH: Record<string, string> = { openai: 'tool_calls', openrouter: 'tool_calls', anthropic: 'tool_use', gemini: 'STOP' };

function runTool(name: string, args: string): string {
  assert.equal(name, 'get_weather');
  const a = JSON.parse(args) as { city: string };
  return JSON.stringify({ city: a.city, tempC: 18 });
}

/** Folds chunks into the assistant message a client would append, checking OpenAI's chunk shapes on the way. */
function foldChunks(chunks: ChatCompletionChunk[]): { message: ChatCompletionMessage; finish: string | null } {
  const message: ChatCompletionMessage = { role: 'assistant', content: null, refusal: null };
  let finish: string | null = null;
  const seen = new Set<number>();
  for (const c of chunks) {
    const choice = c.choices[0];
    if (!choice) continue;
    const d = choice.delta;
    if (d.content) message.content = (message.content ?? '') + d.content;
    if (d.reasoning_content) message.reasoning_content = (message.reasoning_content ?? '') + d.reasoning_content;
    if (d.reasoning_details) message.reasoning_details = [...(message.reasoning_details ?? []), ...d.reasoning_details];
    for (const t of d.tool_calls ?? []) {
      if (!seen.has(t.index)) {
        // The first chunk of a call: index, id, type, name and arguments "" — exactly as OpenAI sends it.
        seen.add(t.index);
        assert.equal(typeof t.id, 'string');
        assert.ok(t.id!.length > 0);
        assert.equal(t.type, 'function');
        assert.equal(typeof t.function.name, 'string');
        assert.equal(t.function.arguments, '');
        (message.tool_calls ??= [])[t.index] = { id: t.id!, type: 'function', function: { name: t.function.name!, arguments: '' } };
      } else {
        assert.deepEqual(Object.keys(t).sort(), ['function', 'index'], 'later chunks of a call carry only index and arguments');
        assert.deepEqual(Object.keys(t.function), ['arguments']);
        message.tool_calls![t.index]!.function.arguments += t.function.arguments;
      }
    }
    if (choice.finish_reason) finish = choice.finish_reason;
  }
  return { message, finish };
}

function checkSecondRequest(protocol: FakeProtocol, body: Record<string, any>, callId: string): void {
  const result = JSON.stringify({ city: 'Paris', tempC: 18 });
  if (protocol === 'openai' || protocol === 'openrouter') {
    assert.equal(body.tools[0].function.name, 'get_weather');
    // OpenRouter's own reasoning_details go back on the assistant message exactly as received.
    if (protocol === 'openrouter')
      assert.deepEqual(body.messages[1].reasoning_details, [{ type: 'reasoning.text', text: 'I should look up the weather.', format: 'unknown', index: 0 }]);
    else assert.equal(body.messages[1].reasoning_details, undefined);
    const [user, assistant, tool] = body.messages;
    assert.equal(user.role, 'user');
    assert.equal(assistant.role, 'assistant');
    assert.deepEqual(
      assistant.tool_calls.map((t: any) => [t.id, t.function.name, t.function.arguments]),
      [[callId, 'get_weather', ARGS]],
    );
    assert.deepEqual([tool.role, tool.tool_call_id, tool.content], ['tool', callId, result]);
  } else if (protocol === 'anthropic') {
    assert.equal(body.tools[0].name, 'get_weather');
    assert.ok(body.tools[0].input_schema, 'Anthropic tools carry input_schema');
    const [user, assistant, toolTurn] = body.messages;
    assert.equal(user.role, 'user');
    assert.equal(assistant.role, 'assistant');
    const thinking = assistant.content.find((b: any) => b.type === 'thinking');
    assert.ok(thinking?.signature, 'the thinking block goes back with its signature');
    assert.ok(assistant.content.indexOf(thinking) < assistant.content.findIndex((b: any) => b.type === 'tool_use'), 'thinking precedes the tool_use');
    const use = assistant.content.find((b: any) => b.type === 'tool_use');
    assert.deepEqual([use.id, use.name, use.input], [callId, 'get_weather', JSON.parse(ARGS)]);
    assert.equal(toolTurn.role, 'user');
    const res = toolTurn.content.find((b: any) => b.type === 'tool_result');
    assert.equal(res.tool_use_id, callId);
    assert.equal(JSON.stringify(res.content).includes('tempC'), true);
  } else {
    assert.equal(body.tools[0].functionDeclarations[0].name, 'get_weather');
    const [user, model, fnTurn] = body.contents;
    assert.equal(user.role, 'user');
    assert.equal(model.role, 'model');
    const call = model.parts.find((p: any) => p.functionCall);
    assert.deepEqual([call.functionCall.name, call.functionCall.args], ['get_weather', JSON.parse(ARGS)]);
    assert.ok(call.thoughtSignature, 'the thought signature goes back on its functionCall part');
    const resp = fnTurn.parts.find((p: any) => p.functionResponse);
    assert.equal(resp.functionResponse.name, 'get_weather');
  }
}

// Gemini 3 (the strict fake refuses a function call sent back without its thought signature).
const CASES: { protocol: 'openai' | 'openrouter' | 'anthropic' | 'gemini'; model?: string }[] = [
  { protocol: 'openai' },
  { protocol: 'openrouter' },
  { protocol: 'anthropic' },
  { protocol: 'gemini' },
  { protocol: 'gemini', model: 'google/gemini-3-pro-preview' },
];

for (const { protocol, model } of CASES) {
  for (const streamed of [false, true]) {
    describe(`tool loop through the facade: ${model ?? protocol}, ${streamed ? 'streamed' : 'not streamed'}`, () => {
      test('tool call → run it → result back → final answer', async () => {
        const w = await setup(protocol);
        if (model) w.model = model;
        try {
          // Anthropic and Gemini answer with reasoning state that must come back in the next turn.
          const reasoning = protocol === 'openai' ? {} : { reasoning: 'I should look up the weather.' };
          w.fake.enqueue({
            ...reasoning,
            toolCall: { id: 'toolu_01A', name: 'get_weather', arguments: ARGS },
            finishReason: FINISH[protocol]!,
            usage: { input: 20, output: 9 },
          });
          w.fake.enqueue({ text: 'It is 18 °C in Paris.', usage: { input: 40, output: 8 } });
          const messages: any[] = [{ role: 'user', content: 'Weather in Paris?' }];

          let message: ChatCompletionMessage;
          let finish: string | null;
          if (streamed) {
            const s: ChunkStream = await w.client.chat.completions.create({ model: w.model, messages, tools: [WEATHER], stream: true });
            const chunks: ChatCompletionChunk[] = [];
            for await (const c of s) chunks.push(c);
            ({ message, finish } = foldChunks(chunks));
          } else {
            const c = await w.client.chat.completions.create({ model: w.model, messages, tools: [WEATHER] });
            message = c.choices[0]!.message;
            finish = c.choices[0]!.finish_reason;
          }
          assert.equal(finish, 'tool_calls');
          assert.equal(message.tool_calls?.length, 1);
          const call = message.tool_calls![0]!;
          assert.equal(call.function.name, 'get_weather');
          assert.equal(call.function.arguments, ARGS);
          if (protocol !== 'gemini') assert.equal(call.id, 'toolu_01A');
          if (protocol !== 'openai') assert.ok(message.reasoning_details?.length, 'reasoning state travels in the message');

          // The client appends the message as-is, runs the tool and sends the result.
          messages.push(message, { role: 'tool', tool_call_id: call.id, content: runTool(call.function.name, call.function.arguments) });
          const final = await w.client.chat.completions.create({ model: w.model, messages, tools: [WEATHER] });
          assert.equal(final.choices[0]!.finish_reason, 'stop');
          assert.equal(final.choices[0]!.message.content, 'It is 18 °C in Paris.');
          assert.equal(w.fake.requests.length, 2);
          checkSecondRequest(protocol, w.fake.requests[1]!.body, call.id);
        } finally {
          await w.close();
        }
      });
    });
  }
}
