/**
 * A full tool loop per protocol through the rich client (client.stream / ChatStream) against the
 * strict fakes: the model asks for a tool → the caller runs it → the result goes back with the
 * assistant turn exactly as `result.content` gave it → the final answer. The fakes refuse what the
 * real APIs refuse (unpaired results, lost signatures, mismatched function responses), so the loop
 * only completes when every translation is right.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { toolLoop } from '../fakes/server.ts';
import type { ChatMessage, StreamPart, ToolDefinition } from '../../src/core/types.ts';
import { PROTOCOLS, setup } from './helpers.ts';

const WEATHER: ToolDefinition = {
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    properties: { city: { type: 'string' }, unit: { type: ['string', 'null'], enum: ['c', 'f', null] } },
    required: ['city'],
    additionalProperties: false,
  },
};

async function collect(stream: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const p of stream) parts.push(p);
  return parts;
}

for (const protocol of PROTOCOLS) {
  describe(`${protocol}: a full tool loop through client.stream`, () => {
    test('call → result → final answer, the assistant turn sent back as result.content gave it', async () => {
      const s = await setup(protocol);
      try {
        s.fake.setDefault(toolLoop(protocol));
        const messages: ChatMessage[] = [{ role: 'user', content: 'Weather in Paris?' }];
        const first = s.client.stream({ model: s.model, messages, tools: [WEATHER], toolChoice: 'auto' });
        const parts = await collect(first);
        const r1 = await first.result;
        assert.equal(r1.error, null);
        assert.equal(r1.finishReason, 'tool_calls');
        assert.ok(
          parts.some((p) => p.type === 'tool-call-delta'),
          'the call streams as tool-call deltas',
        );
        const call = r1.content.find((p) => p.type === 'tool-call');
        assert.ok(call && call.type === 'tool-call');
        assert.equal(call.name, 'get_weather');
        assert.deepEqual(JSON.parse(call.arguments), { city: 'Paris' });
        assert.ok(call.id.length > 0);

        messages.push(
          { role: 'assistant', content: r1.content },
          { role: 'tool', content: [{ type: 'tool-result', callId: call.id, content: '22°C and sunny' }] },
        );
        const second = s.client.stream({ model: s.model, messages, tools: [WEATHER] });
        const text = (await collect(second))
          .filter((p) => p.type === 'text-delta')
          .map((p) => (p as { text: string }).text)
          .join('');
        const r2 = await second.result;
        assert.equal(r2.error, null, r2.error?.message);
        assert.equal(text, 'The tool said: 22°C and sunny');
        assert.equal(r2.finishReason, 'stop');

        const sent = s.fake.requests.at(-1)!.body;
        if (protocol === 'anthropic') {
          assert.deepEqual(sent.messages.at(-1).content, [{ type: 'tool_result', tool_use_id: call.id, content: '22°C and sunny' }]);
          assert.equal(sent.messages.at(-2).content[0].type, 'tool_use');
        } else if (protocol === 'gemini') {
          assert.deepEqual(sent.contents.at(-1), {
            role: 'user',
            parts: [{ functionResponse: { name: 'get_weather', response: { output: '22°C and sunny' } } }],
          });
          assert.equal(sent.tools[0].functionDeclarations[0].parameters.additionalProperties, undefined);
          assert.deepEqual(sent.tools[0].functionDeclarations[0].parameters.properties.unit, { type: 'string', nullable: true, enum: ['c', 'f'] });
        } else {
          assert.deepEqual(sent.messages.at(-1), { role: 'tool', tool_call_id: call.id, content: '22°C and sunny' });
          assert.deepEqual(sent.messages.at(-2).tool_calls, [{ id: call.id, type: 'function', function: { name: 'get_weather', arguments: call.arguments } }]);
          assert.equal(sent.messages.at(-2).content, null);
        }
      } finally {
        await s.close();
      }
    });

    test('a result sent without its call is refused by the strict fake (a wrong translation cannot pass)', async () => {
      const s = await setup(protocol);
      try {
        s.fake.setDefault(toolLoop(protocol));
        const r = await s.client.complete({
          model: s.model,
          tools: [WEATHER],
          messages: [
            { role: 'user', content: 'Weather?' },
            { role: 'assistant', content: 'Let me look.' },
            { role: 'tool', content: [{ type: 'tool-result', callId: 'call_nowhere', name: 'get_weather', content: '22°C' }] },
          ],
        });
        assert.ok(r.error);
        assert.equal(r.error.kind, 'bad_request');
      } finally {
        await s.close();
      }
    });
  });
}

describe('signatures survive the loop', () => {
  test('anthropic with thinking: the signed thinking block goes back first in the assistant turn', async () => {
    const s = await setup('anthropic');
    try {
      s.fake.setDefault(toolLoop('anthropic', { reasoning: 'I should call the weather tool.' }));
      const messages: ChatMessage[] = [{ role: 'user', content: 'Weather in Paris?' }];
      const r1 = await s.client.complete({ model: s.model, messages, tools: [WEATHER], reasoning: { effort: 'low' } });
      assert.equal(r1.error, null, r1.error?.message);
      const thinking = r1.content[0];
      assert.ok(thinking && thinking.type === 'reasoning');
      assert.equal(thinking.text, 'I should call the weather tool.');
      assert.ok(thinking.signature && thinking.signature.length > 0);
      assert.equal(thinking.state?.origin, s.model);
      const call = r1.content.find((p) => p.type === 'tool-call')!;
      assert.equal(s.fake.requests.at(-1)!.body.thinking.budget_tokens, 4096);

      messages.push(
        { role: 'assistant', content: r1.content },
        { role: 'tool', content: [{ type: 'tool-result', callId: (call as { id: string }).id, content: 'sunny' }] },
      );
      const r2 = await s.client.complete({ model: s.model, messages, tools: [WEATHER], reasoning: { effort: 'low' } });
      assert.equal(r2.error, null, r2.error?.message);
      assert.equal(r2.text, 'The tool said: sunny');
      const assistant = s.fake.requests.at(-1)!.body.messages[1];
      assert.deepEqual(assistant.content[0], { type: 'thinking', thinking: 'I should call the weather tool.', signature: thinking.signature });
    } finally {
      await s.close();
    }
  });

  test('gemini 3: the thoughtSignature stays on its functionCall part and goes back; each call gets an id of its own', async () => {
    const s = await setup('gemini');
    try {
      s.fake.setDefault(toolLoop('gemini'));
      const model = 'google/gemini-3-pro-preview';
      const messages: ChatMessage[] = [{ role: 'user', content: 'Weather in Paris?' }];
      const r1 = await s.client.complete({ model, messages, tools: [WEATHER] });
      assert.equal(r1.error, null, r1.error?.message);
      const call = r1.content.find((p) => p.type === 'tool-call');
      assert.ok(call && call.type === 'tool-call');
      assert.ok(call.state?.thoughtSignature, 'the signature is kept on the call');
      assert.equal(call.state.origin, model);
      assert.match(call.id, /^gcall_0_/);
      messages.push({ role: 'assistant', content: r1.content }, { role: 'tool', content: [{ type: 'tool-result', callId: call.id, content: 'sunny' }] });
      const r2 = await s.client.complete({ model, messages, tools: [WEATHER] });
      assert.equal(r2.error, null, r2.error?.message);
      assert.equal(r2.text, 'The tool said: sunny');
      const modelTurn = s.fake.requests.at(-1)!.body.contents[1];
      assert.deepEqual(modelTurn.parts, [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: call.state.thoughtSignature }]);

      // The same call made again gets a new id: a conversation never holds one id twice (Anthropic refuses that).
      const again = await s.client.complete({ model, messages: [{ role: 'user', content: 'Weather in Paris?' }], tools: [WEATHER] });
      const againId = (again.content.find((p) => p.type === 'tool-call') as { id: string }).id;
      assert.match(againId, /^gcall_0_[0-9a-f]{16}$/);
      assert.notEqual(againId, call.id);
    } finally {
      await s.close();
    }
  });

  test("gemini 3: a call without a signature goes with Google's documented stand-in, which the strict fake accepts", async () => {
    const s = await setup('gemini');
    try {
      s.fake.setDefault(toolLoop('gemini'));
      const r = await s.client.complete({
        model: 'google/gemini-3-pro-preview',
        tools: [WEATHER],
        messages: [
          { role: 'user', content: 'Weather?' },
          // A call the model made, but whose signature was lost on the way (without a signature the API refuses it).
          {
            role: 'assistant',
            content: [{ type: 'tool-call', id: 'x', name: 'get_weather', arguments: '{}', state: { origin: 'google/gemini-3-pro-preview' } }],
          },
          { role: 'tool', content: [{ type: 'tool-result', callId: 'x', content: 'sunny' }] },
        ],
      });
      // No signature and a non-foreign state: the converter sends Google's stand-in, which the API accepts.
      assert.equal(r.error, null, r.error?.message);
      const sent = s.fake.requests.at(-1)!.body.contents[1].parts[0];
      assert.equal(sent.thoughtSignature, 'skip_thought_signature_validator');
    } finally {
      await s.close();
    }
  });
});
