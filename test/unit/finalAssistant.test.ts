/**
 * A conversation that ends in an assistant message: Anthropic's models continue that text (a
 * prefill), OpenAI's Chat Completions and Responses answer it with a new turn, Gemini documents no
 * prefill. Each door says which its protocol means; an upstream that would do the other is refused
 * before anything is sent (400 in the door's shape naming the fix), never translated into another meaning.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeProvider } from '../fakes/server.ts';
import { startResponsesFake, type ResponsesFake } from '../fakes/responses.ts';
import type { FakeServer } from '../fakes/types.ts';
import { createClient, type SwitchboardClient } from '../../src/core/client.ts';
import { startGateway, type Gateway } from '../../src/gateway/server.ts';
import { SwitchboardError } from '../../src/core/errors.ts';
import { unsupported } from '../../src/core/providers/shared.ts';
import { fromSwitchboardError } from '../../src/gateway/errors.ts';

const KEY = 'sk-test-final-assistant-0123456789';
const TOKEN = 'gw-test-token-0123456789abcdef';
const CLAUDE = 'anthropic/claude-sonnet-4-5';
const GPT = 'openai/gpt-4o-mini';
const GEMINI = 'google/gemini-2.5-flash';
const RESP = 'oai/gpt-5';

describe('a final assistant message: continued (prefill) or answered, exactly as the door means it, or refused', () => {
  let anthropic: FakeServer;
  let openai: FakeServer;
  let gemini: FakeServer;
  let responses: ResponsesFake;
  let client: SwitchboardClient;
  let fast: Gateway;
  let full: Gateway;
  const upstream = (): number => anthropic.requests.length + openai.requests.length + gemini.requests.length + responses.requests.length;

  before(async () => {
    anthropic = await startFakeProvider('anthropic', { apiKey: KEY });
    openai = await startFakeProvider('openai', { apiKey: KEY });
    gemini = await startFakeProvider('gemini', { apiKey: KEY, models: [{ id: 'gemini-2.5-flash' }] });
    responses = await startResponsesFake(KEY);
    for (const f of [anthropic, openai, gemini]) f.setDefault({ text: ' the answer' });
    client = createClient(
      {
        retries: { maxRetries: 0 },
        providers: [
          { id: 'anthropic', baseUrl: anthropic.baseUrl },
          { id: 'openai', baseUrl: openai.baseUrl },
          { id: 'google', baseUrl: gemini.baseUrl },
          { id: 'oai', kind: 'openai', baseUrl: responses.baseUrl, apiKeyEnv: 'OAI_KEY', models: ['gpt-5'] },
        ],
        wireProtocols: { [RESP]: 'openai-responses' },
        routes: [{ id: 'gpt-then-claude', models: [GPT, CLAUDE] }],
      },
      { env: { ANTHROPIC_API_KEY: KEY, OPENAI_API_KEY: KEY, GEMINI_API_KEY: KEY, OAI_KEY: KEY }, catalogCacheFile: null },
    );
    fast = await startGateway({ client, token: TOKEN, secrets: [KEY] });
    full = await startGateway({ client, token: TOKEN, secrets: [KEY], fastPath: false });
  });
  after(async () => {
    await fast.close();
    await full.close();
    await client.close();
    await Promise.all([anthropic.close(), openai.close(), gemini.close(), responses.close()]);
  });

  const post = async (g: Gateway, path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
    const res = await fetch(`${g.url.replace(/\/v1$/, '')}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const prefill = (model: string, stream = false): Record<string, unknown> => ({
    model,
    max_tokens: 50,
    stream,
    messages: [
      { role: 'user', content: 'Name a colour.' },
      { role: 'assistant', content: 'The colour is' },
    ],
  });

  test('/v1/messages to a model of another protocol: 400 in Anthropic shape naming the prefill and the fix; nothing sent', async () => {
    for (const g of [fast, full])
      for (const model of [GPT, GEMINI, RESP])
        for (const stream of [false, true]) {
          const before = upstream();
          const r = await post(g, '/v1/messages', prefill(model, stream));
          assert.equal(r.status, 400, `${model} ${stream}: ${JSON.stringify(r.json)}`);
          assert.equal(r.json.type, 'error');
          const err = r.json.error as { type: string; message: string };
          assert.equal(err.type, 'invalid_request_error');
          assert.match(err.message, /messages\[1\]: .*ends in an assistant message for the model to continue \(a prefill\)/);
          assert.match(err.message, /ask an Anthropic model .*or leave the final assistant message out and say in the user turn how the answer should begin/);
          assert.equal(upstream(), before, `${model}: nothing was sent upstream`);
        }
  });

  test('/v1/messages to a route whose first model cannot continue a prefill: the route moves on to the model that can', async () => {
    for (const g of [fast, full])
      for (const stream of [false, true]) {
        const sentToOpenAI = openai.requests.length;
        const r = await fetch(`${g.url.replace(/\/v1$/, '')}/v1/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify(prefill('route/gpt-then-claude', stream)),
        });
        const text = await r.text();
        assert.equal(r.status, 200, text);
        const answer = stream
          ? [...text.matchAll(/"type":"text_delta","text":("(?:[^"\\]|\\.)*")/g)].map((m) => JSON.parse(m[1]!) as string).join('')
          : ((JSON.parse(text) as { content: { text: string }[] }).content[0]?.text ?? '');
        assert.equal(answer, ' the answer', text);
        assert.equal(openai.requests.length, sentToOpenAI, 'nothing was sent to the model that would have answered a new turn');
        const sent = anthropic.requests.at(-1)!.body as { messages: { role: string; content: unknown }[] };
        assert.equal(sent.messages.at(-1)!.role, 'assistant');
      }
  });

  test('/v1/messages to an Anthropic model: the prefill goes as the final assistant message, translated or forwarded', async () => {
    for (const g of [fast, full]) {
      const r = await post(g, '/v1/messages', prefill(CLAUDE));
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.deepEqual(r.json.content, [{ type: 'text', text: ' the answer' }]);
      const sent = anthropic.requests.at(-1)!.body as { messages: { role: string; content: unknown }[] };
      const last = sent.messages.at(-1)!;
      assert.equal(last.role, 'assistant');
      assert.equal(JSON.stringify(last.content).includes('The colour is'), true, JSON.stringify(last));
    }
  });

  test('/v1/responses ending in an assistant message: an Anthropic model would continue it, so 400; /v1/chat/completions sends it as OpenRouter does (a prefill for Claude); other models take it', async () => {
    const chat = {
      model: CLAUDE,
      messages: [
        { role: 'user', content: 'Name a colour.' },
        { role: 'assistant', content: 'Blue.' },
      ],
    };
    const resp = {
      model: CLAUDE,
      input: [
        { role: 'user', content: 'Name a colour.' },
        { role: 'assistant', content: 'Blue.' },
      ],
    };
    for (const g of [fast, full])
      for (const [path, body] of [['/v1/responses', resp]] as const) {
        const before = upstream();
        const r = await post(g, path, body);
        assert.equal(r.status, 400, `${path}: ${JSON.stringify(r.json)}`);
        const err = r.json.error as { message: string; type: string; code: string };
        assert.equal(err.type, 'invalid_request_error');
        // Refused before sending: not the upstream's bad request.
        assert.equal(err.code, 'unsupported_request');
        assert.match(
          err.message,
          // The client's own item: input[1], the final assistant message.
          /input\[1\]: the conversation ends in an assistant message, which OpenAI's APIs answer with a new turn; .*would continue that text instead \(a prefill\)/,
        );
        assert.match(err.message, /end the conversation with a user message, or send it to \/v1\/messages/);
        assert.equal(upstream(), before, `${path}: nothing was sent upstream`);
      }
    // Chat Completions to Claude: the assistant prefill OpenRouter documents, sent as the last assistant message.
    for (const g of [fast, full]) {
      const r = await post(g, '/v1/chat/completions', chat);
      assert.equal(r.status, 200, JSON.stringify(r.json));
      const sent = anthropic.requests.at(-1)!.body as { messages: { role: string; content: unknown }[] };
      assert.equal(sent.messages.at(-1)!.role, 'assistant');
      assert.match(JSON.stringify(sent.messages.at(-1)!.content), /Blue\./);
    }
    // The same conversation to an OpenAI-protocol model: as its API means it.
    const r = await post(full, '/v1/chat/completions', { ...chat, model: GPT });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const sent = openai.requests.at(-1)!.body as { messages: { role: string; content: unknown }[] };
    assert.deepEqual(sent.messages.at(-1), { role: 'assistant', content: 'Blue.' });
  });
});

describe('the code of a bad request: who refused it', () => {
  test("refused before sending for the named model: unsupported_request; the upstream's own 400: upstream_bad_request; the caller's: invalid_request", () => {
    const id = (s: string): string => s;
    const pre = fromSwitchboardError(unsupported('openai', 'gpt-4o', 'messages[1]', 'why', 'fix'), id);
    assert.deepEqual([pre.status, pre.body.error.type, pre.body.error.code], [400, 'invalid_request_error', 'unsupported_request']);
    assert.equal(pre.headers['x-should-retry'], 'false');
    const up = fromSwitchboardError(new SwitchboardError({ kind: 'bad_request', message: 'bad', provider: 'openai', model: 'gpt-4o', status: 400 }), id);
    assert.deepEqual([up.status, up.body.error.code], [400, 'upstream_bad_request']);
    const caller = fromSwitchboardError(new SwitchboardError({ kind: 'bad_request', message: 'bad' }), id);
    assert.deepEqual([caller.status, caller.body.error.code], [400, 'invalid_request']);
  });
});
