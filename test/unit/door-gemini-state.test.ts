// Gemini's thought signatures through the agents' doors: a signed thought travels as the Anthropic
// thinking block's signature / the Responses reasoning item's encrypted_content; signed text parts
// (which no door has a slot for) are kept by the gateway and put back when the client sends the
// same turn again. Checked on what the Gemini upstream receives on the next turn.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { createClient, type SwitchboardClient } from '../../src/core/client.ts';
import { startGateway, type Gateway } from '../../src/gateway/server.ts';

const KEY = 'gm-key-0123456789abcdef';
const TOKEN = 'gw-gemini-state-token-0123';
const MODEL = 'gemini/gemini-2.5-flash';

/** A scripted Gemini: a signed thought, then "Hello " and a signed "world.", then STOP. */
function geminiChunks(): string {
  const c = (parts: unknown[], extra: Record<string, unknown> = {}): string =>
    `data: ${JSON.stringify({ candidates: [{ content: { role: 'model', parts }, index: 0, ...extra }], modelVersion: 'gemini-2.5-flash' })}\r\n\r\n`;
  return (
    c([{ text: 'Let me think.', thought: true, thoughtSignature: 'SIG_THOUGHT' }]) +
    c([{ text: 'Hello ' }]) +
    c([{ text: 'world.', thoughtSignature: 'SIG_TEXT' }], { finishReason: 'STOP' }).replace(
      '}\r\n\r\n',
      `,"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":4,"thoughtsTokenCount":3,"totalTokenCount":16}}\r\n\r\n`,
    )
  );
}

describe('Gemini thought signatures across the doors', () => {
  const bodies: Record<string, unknown>[] = [];
  let server: http.Server;
  let client: SwitchboardClient;
  let gw: Gateway;
  before(async () => {
    server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (d: Buffer) => (raw += d.toString()));
      req.on('end', () => {
        bodies.push(JSON.parse(raw) as Record<string, unknown>);
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(geminiChunks());
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    client = createClient(
      { retries: { maxRetries: 0 }, providers: [{ id: 'gemini', baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1beta` }] },
      { env: { GEMINI_API_KEY: KEY }, catalogCacheFile: null },
    );
    gw = await startGateway({ client, token: TOKEN, secrets: [KEY] });
  });
  after(async () => {
    await gw.close();
    await client.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  /** The model turn the upstream got back, as Gemini parts. */
  const modelTurn = (): unknown[] => {
    const contents = bodies.at(-1)!.contents as { role: string; parts: unknown[] }[];
    return contents.find((c) => c.role === 'model')!.parts;
  };
  const expected = [
    { text: 'Let me think.', thought: true, thoughtSignature: 'SIG_THOUGHT' },
    { text: 'Hello ' },
    { text: 'world.', thoughtSignature: 'SIG_TEXT' },
  ];

  for (const streamed of [true, false])
    test(`Anthropic door (${streamed ? 'streamed' : 'not streamed'}): the thought's signature is the thinking block's; the next turn carries both signatures back`, async () => {
      const sdk = new Anthropic({ baseURL: gw.url.replace(/\/v1$/, ''), apiKey: TOKEN, maxRetries: 0 });
      const ask: Anthropic.MessageParam[] = [{ role: 'user', content: 'Hi' }];
      const first = streamed
        ? await sdk.messages.stream({ model: MODEL, max_tokens: 2000, messages: ask }).finalMessage()
        : await sdk.messages.create({ model: MODEL, max_tokens: 2000, messages: ask });
      assert.deepEqual(
        first.content.map((b) => (b.type === 'thinking' ? { thinking: b.thinking, signature: b.signature } : b.type === 'text' ? { text: b.text } : b.type)),
        [{ thinking: 'Let me think.', signature: 'SIG_THOUGHT' }, { text: 'Hello world.' }],
      );
      await sdk.messages.create({
        model: MODEL,
        max_tokens: 2000,
        messages: [...ask, { role: 'assistant', content: first.content as Anthropic.ContentBlockParam[] }, { role: 'user', content: 'Go on' }],
      });
      assert.deepEqual(modelTurn(), expected);
    });

  test('Responses door: the thought is a reasoning item with the signature as encrypted_content; the next turn carries both back', async () => {
    const sdk = new OpenAI({ baseURL: gw.url, apiKey: TOKEN, maxRetries: 0 });
    const first = await sdk.responses.create({ model: MODEL, input: 'Hi', store: false });
    const reasoning = first.output.find((i) => i.type === 'reasoning');
    assert.equal(reasoning?.encrypted_content, 'SIG_THOUGHT');
    assert.equal(first.output_text, 'Hello world.');
    // Codex sends the turn back as items, without ids it cannot resolve (store: false).
    const back = first.output.map((i) => {
      const { id: _id, ...rest } = i as unknown as Record<string, unknown>;
      return rest;
    }) as unknown as OpenAI.Responses.ResponseInputItem[];
    await sdk.responses.create({ model: MODEL, store: false, input: [{ role: 'user', content: 'Hi' }, ...back, { role: 'user', content: 'Go on' }] });
    assert.deepEqual(modelTurn(), expected);
  });

  test('text the gateway never handed out goes back unsigned (Gemini requires signatures on function calls only)', async () => {
    const sdk = new Anthropic({ baseURL: gw.url.replace(/\/v1$/, ''), apiKey: TOKEN, maxRetries: 0 });
    await sdk.messages.create({
      model: MODEL,
      max_tokens: 100,
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello world!' },
        { role: 'user', content: 'Go on' },
      ],
    });
    assert.deepEqual(modelTurn(), [{ text: 'Hello world!' }]);
  });
});
