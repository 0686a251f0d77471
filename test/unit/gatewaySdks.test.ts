/**
 * Real client libraries against the gateway's Chat Completions door, for each upstream protocol:
 * the official `openai` SDK (tool loop streamed and not, refusals, the warnings header), the Vercel
 * AI SDK (`generateText` with tools, `generateObject`) and LangChain JS (`bindTools`,
 * `withStructuredOutput`). The fakes behind the gateway speak OpenAI, Anthropic and Gemini.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { generateObject, generateText, stepCountIs, tool } from 'ai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { ChatOpenAI } from '@langchain/openai';
import { ToolMessage, HumanMessage, type BaseMessage } from '@langchain/core/messages';
import { z } from 'zod';
import { startGateway, type Gateway } from '../../src/gateway/server.ts';
import { JSON_TOOL_NAME } from '../../src/core/providers/anthropic/requestBody.ts';
import type { FakeProtocol, FakeServer, Scenario } from '../fakes/types.ts';
import { setup } from './helpers.ts';

const TOKEN = 'gw-sdk-token-0123456789abcdef';
const ARGS = '{"city":"Paris"}';
const FINISH: Record<string, string> = { openai: 'tool_calls', anthropic: 'tool_use', gemini: 'STOP' };
const WEATHER_TOOL = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};
const Weather = z.object({ city: z.string(), tempC: z.number() });
const WEATHER_JSON = '{"city":"Paris","tempC":18}';

interface Door {
  fake: FakeServer;
  gateway: Gateway;
  model: string;
  close(): Promise<void>;
}

async function door(protocol: FakeProtocol): Promise<Door> {
  const w = await setup(protocol);
  const gateway = await startGateway({ client: w.client, token: TOKEN });
  return {
    fake: w.fake,
    gateway,
    model: w.model,
    close: async () => {
      await gateway.close();
      await w.close();
    },
  };
}

const toolCallScenario = (protocol: FakeProtocol, id = 'call_w1'): Scenario => ({
  reasoning: protocol === 'openai' ? '' : 'Look it up.',
  toolCall: { id, name: 'get_weather', arguments: ARGS },
  finishReason: FINISH[protocol]!,
});
/** The structured answer as each protocol gives it: JSON text, or Anthropic's JSON tool (the core turns it into text). */
const jsonScenario = (protocol: FakeProtocol): Scenario =>
  protocol === 'anthropic'
    ? { toolCall: { id: 'toolu_json', name: JSON_TOOL_NAME, arguments: WEATHER_JSON }, finishReason: 'tool_use' }
    : { text: WEATHER_JSON };

/** The tool result reached the provider paired with its call, in the provider's own shape. */
function assertToolResultSent(protocol: FakeProtocol, body: Record<string, any>): void {
  const s = JSON.stringify(body);
  if (protocol === 'openai')
    assert.ok(
      body.messages.some((m: any) => m.role === 'tool' && m.content.includes('18')),
      s,
    );
  else if (protocol === 'anthropic')
    assert.ok(
      body.messages.some((m: any) => m.role === 'user' && Array.isArray(m.content) && m.content.some((b: any) => b.type === 'tool_result')),
      s,
    );
  else
    assert.ok(
      body.contents.some((c: any) => c.parts.some((p: any) => p.functionResponse?.name === 'get_weather')),
      s,
    );
}

for (const protocol of ['openai', 'anthropic', 'gemini'] as const satisfies readonly FakeProtocol[]) {
  describe(`gateway + real SDKs, upstream ${protocol}`, () => {
    let d: Door;
    before(async () => {
      d = await door(protocol);
    });
    after(async () => {
      await d.close();
    });

    test("openai SDK: tool loop, non-streamed and streamed (the SDK's own stream accumulator)", async () => {
      const sdk = new OpenAI({ baseURL: d.gateway.url, apiKey: TOKEN, maxRetries: 0 });
      for (const streamed of [false, true]) {
        const start = d.fake.requests.length;
        d.fake.enqueue(toolCallScenario(protocol), { text: 'It is 18 °C.' });
        const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
        const first = streamed
          ? await sdk.chat.completions.stream({ model: d.model, messages, tools: [WEATHER_TOOL] }).finalChatCompletion()
          : await sdk.chat.completions.create({ model: d.model, messages, tools: [WEATHER_TOOL], tool_choice: 'auto', parallel_tool_calls: true });
        const choice = first.choices[0]!;
        assert.equal(choice.finish_reason, 'tool_calls');
        const call = choice.message.tool_calls?.[0];
        assert.ok(call && call.type === 'function');
        assert.equal(call.function.name, 'get_weather');
        assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Paris' });
        messages.push(choice.message as OpenAI.ChatCompletionMessageParam, { role: 'tool', tool_call_id: call.id, content: '{"tempC":18}' });
        const final = await sdk.chat.completions.create({ model: d.model, messages, tools: [WEATHER_TOOL] });
        assert.equal(final.choices[0]!.message.content, 'It is 18 °C.');
        assert.equal(d.fake.requests.length, start + 2);
        assertToolResultSent(protocol, d.fake.requests[start + 1]!.body);
      }
    });

    test('openai SDK: n > 1 is a 400 naming the parameter and the model; hints not honoured come back in x-switchboard-warnings', async () => {
      const sdk = new OpenAI({ baseURL: d.gateway.url, apiKey: TOKEN, maxRetries: 0 });
      const before = d.fake.requests.length;
      await assert.rejects(sdk.chat.completions.create({ model: d.model, messages: [{ role: 'user', content: 'hi' }], n: 2 }), (e: unknown) => {
        assert.ok(e instanceof OpenAI.BadRequestError, String(e));
        assert.equal(e.param, 'n');
        assert.match(e.message, new RegExp(d.model.replace('/', '\\/')));
        return true;
      });
      assert.equal(d.fake.requests.length, before, 'refused before any provider was called');
      d.fake.enqueue({ text: 'ok' });
      // A parameter no target takes (OpenAI's own `store` would go as sent to a Chat Completions model).
      const params = { model: d.model, messages: [{ role: 'user', content: 'hi' }], frobnicate: true } as OpenAI.ChatCompletionCreateParamsNonStreaming;
      const { data, response } = await sdk.chat.completions.create(params).withResponse();
      const header = JSON.parse(response.headers.get('x-switchboard-warnings') ?? '[]') as string[];
      assert.ok(
        header.some((w) => w.startsWith('frobnicate: unknown parameter')),
        header.join(' | '),
      );
      assert.deepEqual((data as unknown as { switchboard?: { warnings: string[] } }).switchboard?.warnings, header);
    });

    test('raw SSE: tool_calls stream exactly as OpenAI streams them; warnings known before the stream are in the header, all of them on the finish chunk', async () => {
      d.fake.enqueue(toolCallScenario(protocol));
      const res = await fetch(`${d.gateway.url}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: d.model,
          messages: [{ role: 'user', content: 'Weather?' }],
          tools: [WEATHER_TOOL],
          stream: true,
          frobnicate: { run: '1' },
        }),
      });
      assert.equal(res.status, 200);
      const header = JSON.parse(res.headers.get('x-switchboard-warnings') ?? '[]') as string[];
      assert.ok(
        header.some((w) => w.startsWith('frobnicate:')),
        header.join(' | '),
      );
      const events = (await res.text())
        .split('\n\n')
        .filter((e) => e.startsWith('data: '))
        .map((e) => e.slice(6));
      assert.equal(events.pop(), '[DONE]');
      const chunks = events.map((e) => JSON.parse(e));
      const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
      assert.deepEqual(Object.keys(calls[0]).sort(), ['function', 'id', 'index', 'type']);
      assert.deepEqual(calls[0].function, { name: 'get_weather', arguments: '' });
      for (const c of calls.slice(1)) assert.deepEqual(Object.keys(c).sort(), ['function', 'index']);
      assert.equal(calls.map((c: any) => c.function.arguments).join(''), ARGS);
      const last = chunks[chunks.length - 1];
      assert.equal(last.choices[0].finish_reason, 'tool_calls');
      for (const w of header) assert.ok(last.switchboard.warnings.includes(w));
    });

    test('a long warning list is shortened in the header (the response has them all)', async () => {
      d.fake.enqueue({ text: 'ok' });
      const extra = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`unknown_param_${i}`, i]));
      const res = await fetch(`${d.gateway.url}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: d.model, messages: [{ role: 'user', content: 'hi' }], ...extra }),
      });
      assert.equal(res.status, 200);
      const value = res.headers.get('x-switchboard-warnings')!;
      assert.ok(value.length <= 4096, String(value.length));
      const header = JSON.parse(value) as string[];
      assert.match(header[header.length - 1]!, /^\d+ more warnings: see switchboard.warnings/);
      const body = (await res.json()) as { switchboard: { warnings: string[] } };
      assert.equal(body.switchboard.warnings.filter((w) => w.startsWith('unknown_param_')).length, 300);
    });

    test('Vercel AI SDK: generateText runs the tool and returns the final answer; generateObject returns the parsed object', async () => {
      const provider = createOpenAICompatible({ name: 'switchboard', baseURL: d.gateway.url, apiKey: TOKEN, supportsStructuredOutputs: true });
      const model = provider.chatModel(d.model);
      const start = d.fake.requests.length;
      d.fake.enqueue(toolCallScenario(protocol), { text: 'It is 18 °C in Paris.' });
      let ran = 0;
      const r = await generateText({
        model,
        maxRetries: 0,
        prompt: 'Weather in Paris?',
        tools: {
          get_weather: tool({
            description: 'Current weather',
            inputSchema: z.object({ city: z.string() }),
            execute: async ({ city }) => {
              ran++;
              return { city, tempC: 18 };
            },
          }),
        },
        stopWhen: stepCountIs(3),
      });
      assert.equal(ran, 1);
      assert.equal(r.text, 'It is 18 °C in Paris.');
      assert.equal(r.steps.length, 2);
      assertToolResultSent(protocol, d.fake.requests[start + 1]!.body);

      d.fake.enqueue(jsonScenario(protocol));
      const o = await generateObject({ model, maxRetries: 0, schema: Weather, prompt: 'Weather in Paris as JSON' });
      assert.deepEqual(o.object, { city: 'Paris', tempC: 18 });
      const wire = JSON.stringify(d.fake.requests[d.fake.requests.length - 1]!.body);
      assert.ok(wire.includes('tempC'), `the schema reached ${protocol}: ${wire}`);
    });

    test('LangChain: bindTools tool loop and withStructuredOutput', async () => {
      const llm = new ChatOpenAI({ model: d.model, apiKey: TOKEN, maxRetries: 0, configuration: { baseURL: d.gateway.url } });
      const start = d.fake.requests.length;
      d.fake.enqueue(toolCallScenario(protocol, 'call_lc1'), { text: 'It is 18 °C.' });
      const withTools = llm.bindTools([WEATHER_TOOL]);
      const history: BaseMessage[] = [new HumanMessage('Weather in Paris?')];
      const ai = await withTools.invoke(history);
      assert.equal(ai.tool_calls?.length, 1);
      assert.equal(ai.tool_calls![0]!.name, 'get_weather');
      assert.deepEqual(ai.tool_calls![0]!.args, { city: 'Paris' });
      history.push(ai, new ToolMessage({ tool_call_id: ai.tool_calls![0]!.id!, content: '{"tempC":18}' }));
      const final = await withTools.invoke(history);
      assert.equal(final.content, 'It is 18 °C.');
      assertToolResultSent(protocol, d.fake.requests[start + 1]!.body);

      d.fake.enqueue(jsonScenario(protocol));
      const structured = await llm.withStructuredOutput(Weather, { name: 'weather' }).invoke('Weather in Paris as JSON');
      assert.deepEqual(structured, { city: 'Paris', tempC: 18 });
    });
  });
}
