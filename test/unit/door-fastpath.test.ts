// The doors' same-protocol fast path (src/gateway/doors/serve.ts, PassthroughRequest): a door whose
// model speaks the door's own protocol forwards the client's body with only the model replaced and
// streams the upstream's events back as they are. Proved here against the translating path on the
// same upstream streams, with the official SDKs as clients: the same text, tool calls, thinking,
// stop reasons and errors; the same ledger entries; budgets, holds and key scrubbing still apply.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { Agent } from 'undici';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startFakeProvider } from '../fakes/server.ts';
import { startResponsesFake, type ResponsesFake } from '../fakes/responses.ts';
import type { FakeServer, Scenario } from '../fakes/types.ts';
import { createClient, type ClientOptions, type SwitchboardClient } from '../../src/core/client.ts';
import { SwitchboardError } from '../../src/core/errors.ts';
import { MemoryUsageStore } from '../../src/core/router/ledger.ts';
import type { ConfigInput } from '../../src/core/config.ts';
import { startGateway, type Gateway } from '../../src/gateway/server.ts';
import { renameTopLevelModel, spliceModel } from '../../src/core/providers/httpModel.ts';
import { anthropicProtocol } from '../../src/core/providers/anthropic/anthropicModel.ts';
import { openaiResponsesProtocol } from '../../src/core/providers/openai-responses/responsesModel.ts';
import { waitFor } from './helpers.ts';
import { computeCost } from '../../src/core/catalog/cost.ts';
import { lookupDbModel } from '../../src/core/catalog/priceDb.ts';

const KEY = 'sk-fastpath-0123456789abcdef';
const TOKEN = 'gw-fastpath-token-0123456789';
const TEXT = 'The quick brown fox jumps over the lazy dog, then naps in the sun.';
const CLAUDE = 'anthropic/claude-sonnet-4-5';
const GPT = 'openai/gpt-4o-mini';
const RESP = 'oai/gpt-5';
/** A Responses model, as Codex CLI uses (its API runs the hosted tools). */
const CODEX = 'oai/gpt-5-codex';

interface Rig {
  anthropic: FakeServer;
  openai: FakeServer;
  responses: ResponsesFake;
  ledger: MemoryUsageStore;
  client: SwitchboardClient;
  /** Same client: fast path on, and off (every request translated). */
  fast: Gateway;
  full: Gateway;
  logs: string[];
  close(): Promise<void>;
}

/** `config.providers` are added to the rig's three; `options.dispatcher` carries its provider requests. */
async function startRig(config: Partial<ConfigInput> = {}, options: Pick<ClientOptions, 'dispatcher'> = {}): Promise<Rig> {
  const anthropic = await startFakeProvider('anthropic', { apiKey: KEY });
  const openai = await startFakeProvider('openai', { apiKey: KEY });
  const responses = await startResponsesFake(KEY);
  const ledger = new MemoryUsageStore();
  const client = createClient(
    {
      retries: { maxRetries: 0 },
      wireProtocols: { [RESP]: 'openai-responses', [CODEX]: 'openai-responses' },
      pricing: { [RESP]: { input: 1.25, output: 10 }, [CODEX]: { input: 1.25, output: 10, webSearch: 0.01 } },
      ...config,
      providers: [
        { id: 'anthropic', baseUrl: anthropic.baseUrl },
        { id: 'openai', baseUrl: openai.baseUrl },
        { id: 'oai', kind: 'openai', baseUrl: responses.baseUrl, apiKeyEnv: 'OAI_KEY', models: ['gpt-5', 'gpt-5-codex'] },
        ...(config.providers ?? []),
      ],
    },
    { env: { ANTHROPIC_API_KEY: KEY, OPENAI_API_KEY: KEY, OAI_KEY: KEY }, ledger, catalogCacheFile: null, ...options },
  );
  const logs: string[] = [];
  const fast = await startGateway({ client, token: TOKEN, secrets: [KEY], log: (l) => logs.push(l) });
  const full = await startGateway({ client, token: TOKEN, secrets: [KEY], fastPath: false, log: (l) => logs.push(l) });
  return {
    anthropic,
    openai,
    responses,
    ledger,
    client,
    fast,
    full,
    logs,
    close: async () => {
      await fast.close();
      await full.close();
      await client.close();
      await Promise.all([anthropic.close(), openai.close(), responses.close()]);
    },
  };
}

/** The amount each request of the rig holds, in order (to compare a ledger entry with). */
function recordHolds(rig: Rig): number[] {
  const held: number[] = [];
  const reserve = rig.ledger.reserve.bind(rig.ledger);
  rig.ledger.reserve = async (now, decide, session) => {
    const r = await reserve(now, decide, session);
    if (r.id !== null) held.push(rig.ledger.reservations.get(r.id)!.amount);
    return r;
  };
  return held;
}

const root = (g: Gateway): string => g.url.replace(/\/v1$/, '');
const anthropicSdk = (g: Gateway): Anthropic => new Anthropic({ baseURL: root(g), apiKey: TOKEN, maxRetries: 0 });
const openaiSdk = (g: Gateway): OpenAI => new OpenAI({ baseURL: g.url, apiKey: TOKEN, maxRetries: 0 });

/** What an Anthropic answer says, without what differs by construction (ids the gateway makes, the model name). */
function messageGist(m: Anthropic.Message): unknown {
  return { content: m.content, stop_reason: m.stop_reason, stop_sequence: m.stop_sequence, input: m.usage.input_tokens, output: m.usage.output_tokens };
}

/** A Responses answer without item ids (the translating path makes its own). */
function responseGist(r: OpenAI.Responses.Response): unknown {
  const output = r.output.map((item) => {
    const { id: _id, ...rest } = item as unknown as Record<string, unknown>;
    if (rest.type === 'message') return { type: 'message', role: rest.role, text: (rest.content as { text: string }[]).map((c) => c.text).join('') };
    if (rest.type === 'reasoning')
      return { type: 'reasoning', summary: (rest.summary as { text: string }[]).map((s) => s.text).join(''), encrypted: rest.encrypted_content ?? null };
    return { type: rest.type, call_id: rest.call_id, name: rest.name, arguments: rest.arguments };
  });
  return { status: r.status, output, input: r.usage?.input_tokens, output_tokens: r.usage?.output_tokens };
}

async function responsesStream(
  sdk: OpenAI,
  body: OpenAI.Responses.ResponseCreateParamsStreaming,
): Promise<{ final: OpenAI.Responses.Response; types: string[] }> {
  const stream = await sdk.responses.create(body);
  const types: string[] = [];
  let final: OpenAI.Responses.Response | null = null;
  for await (const e of stream) {
    types.push(e.type);
    if (e.type === 'response.completed' || e.type === 'response.incomplete') final = e.response;
  }
  assert.ok(final, 'the stream ends with response.completed');
  return { final, types };
}

async function chatStream(sdk: OpenAI, body: OpenAI.Chat.ChatCompletionCreateParamsStreaming): Promise<unknown> {
  const stream = await sdk.chat.completions.create(body);
  let text = '';
  let reasoning = '';
  let finish: string | null = null;
  let usage: unknown = null;
  const calls: { id?: string; name?: string; arguments: string }[] = [];
  for await (const c of stream) {
    if (c.usage) usage = { prompt: c.usage.prompt_tokens, completion: c.usage.completion_tokens };
    const ch = c.choices[0];
    if (!ch) continue;
    text += ch.delta.content ?? '';
    reasoning += (ch.delta as { reasoning_content?: string }).reasoning_content ?? '';
    for (const t of ch.delta.tool_calls ?? []) {
      const slot = (calls[t.index] ??= { arguments: '' });
      if (t.id) slot.id = t.id;
      if (t.function?.name) slot.name = t.function.name;
      slot.arguments += t.function?.arguments ?? '';
    }
    if (ch.finish_reason) finish = ch.finish_reason;
  }
  return { text, reasoning, calls, finish, usage };
}

/** What a Chat Completions answer says, without what differs by construction (ids, the model name, created). */
function completionGist(c: OpenAI.Chat.ChatCompletion): unknown {
  const ch = c.choices[0]!;
  const m = ch.message as OpenAI.Chat.ChatCompletionMessage & { reasoning_content?: string };
  return {
    content: m.content,
    reasoning: m.reasoning_content ?? null,
    calls: (m.tool_calls ?? []).map((t) => (t.type === 'function' ? { id: t.id, name: t.function.name, arguments: t.function.arguments } : t)),
    finish: ch.finish_reason,
    usage: { prompt: c.usage?.prompt_tokens, completion: c.usage?.completion_tokens, cached: c.usage?.prompt_tokens_details?.cached_tokens },
  };
}

/** The ledger entries of the last two requests (fast, then full) agree on what was used and paid. */
function sameLedger(rig: Rig): void {
  const [a, b] = rig.ledger.entries.slice(-2);
  assert.ok(a && b, 'both requests are in the ledger');
  const money = (e: typeof a) => ({
    model: e.model,
    answeredBy: e.answeredBy,
    inputTokens: e.inputTokens,
    outputTokens: e.outputTokens,
    cachedInputTokens: e.cachedInputTokens,
    costUsd: e.costUsd,
    costEstimated: e.costEstimated,
    frontEnd: e.frontEnd,
    ok: e.ok,
  });
  assert.deepEqual(money(a), money(b));
  assert.equal(a.frontEnd, 'gateway');
  assert.ok(a.inputTokens !== null && a.outputTokens !== null, 'usage came from the upstream, not an estimate');
}

describe('doors: same-protocol fast path vs the translating path, same upstream streams', () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig();
  });
  after(() => rig.close());

  /** Enqueue the scenario for each of the two requests, on `fake`. */
  const twice = (fake: FakeServer, sc: Scenario): void => fake.enqueue(sc, sc);

  test('messages → Anthropic: the body goes as sent (model replaced); text, thinking with its signature, tool use, stop reason, usage and ledger all equal', async () => {
    const body: Anthropic.MessageCreateParamsStreaming = {
      model: CLAUDE,
      max_tokens: 2000,
      stream: true,
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
      thinking: { type: 'enabled', budget_tokens: 1024 },
      metadata: { user_id: 'u-1' },
      tools: [{ name: 'read_file', description: 'Read a file', input_schema: { type: 'object', properties: { path: { type: 'string' } } } }],
      messages: [{ role: 'user', content: 'Read a.txt' }],
    };
    const scenarios: Scenario[] = [
      { text: TEXT, chunks: 7, usage: { input: 30, output: 12, cached: 4 } },
      {
        reasoning: 'Let me look at the file first.',
        toolCall: { id: 'toolu_01', name: 'read_file', arguments: '{"path":"a.txt"}' },
        usage: { input: 40, output: 20 },
      },
      { text: 'one two three', finishReason: 'stop_sequence', stopSequence: 'END', usage: { input: 25, output: 3 } },
    ];
    for (const sc of scenarios) {
      twice(rig.anthropic, sc);
      const fast = await anthropicSdk(rig.fast).messages.stream(body).finalMessage();
      const fastBody = rig.anthropic.requests.at(-1)!.body;
      const full = await anthropicSdk(rig.full).messages.stream(body).finalMessage();
      assert.deepEqual(messageGist(fast), messageGist(full), JSON.stringify(sc));
      assert.equal(fast.model, CLAUDE, 'the answer names the model as the client asked for it (as translated answers do)');
      assert.equal(full.model, CLAUDE);
      assert.deepEqual(fastBody, { ...body, model: 'claude-sonnet-4-5' }, 'forwarded as sent, only the model id replaced');
      sameLedger(rig);
    }
    // The gateway log says which requests went through as sent.
    await waitFor(() => rig.logs.filter((l) => l.includes('POST /v1/messages 200')).length >= 6);
    const lines = rig.logs.filter((l) => l.includes('POST /v1/messages 200'));
    assert.equal(lines.filter((l) => l.endsWith('(forwarded as sent)')).length, 3, lines.join('\n'));
  });

  test('messages: stop_sequence names the sequence that ended the answer, streamed and not', async () => {
    const sc: Scenario = { text: 'one two', finishReason: 'stop_sequence', stopSequence: '###' };
    const body = { model: CLAUDE, max_tokens: 100, stop_sequences: ['###'], messages: [{ role: 'user' as const, content: 'count' }] };
    rig.anthropic.enqueue(sc, sc, sc);
    const fast = await anthropicSdk(rig.fast).messages.stream(body).finalMessage();
    const full = await anthropicSdk(rig.full).messages.stream(body).finalMessage();
    const plain = await anthropicSdk(rig.fast).messages.create(body);
    for (const m of [fast, full, plain]) {
      assert.equal(m.stop_reason, 'stop_sequence');
      assert.equal(m.stop_sequence, '###');
    }
  });

  test('responses → Responses upstream: output items, reasoning with encrypted content, function calls, usage and ledger equal; store forced off upstream', async () => {
    const body: OpenAI.Responses.ResponseCreateParamsStreaming = {
      model: RESP,
      stream: true,
      instructions: 'Be brief.',
      input: [{ role: 'user', content: 'Read a.txt' }],
      reasoning: { effort: 'low' },
      tools: [
        {
          type: 'function',
          name: 'read_file',
          description: 'Read a file',
          parameters: { type: 'object', properties: { path: { type: 'string' } } },
          strict: false,
        },
      ],
    };
    const scenarios = [
      { text: TEXT, usage: { input: 30, output: 12 } },
      {
        reasoning: 'Look first.',
        encrypted: 'enc-blob-1',
        toolCall: { callId: 'call_1', name: 'read_file', arguments: '{"path":"a.txt"}' },
        usage: { input: 40, output: 20 },
      },
    ];
    for (const sc of scenarios) {
      rig.responses.enqueue(sc, sc);
      const fast = await responsesStream(openaiSdk(rig.fast), body);
      const fastBody = rig.responses.requests.at(-1)!.body;
      const full = await responsesStream(openaiSdk(rig.full), body);
      assert.deepEqual(responseGist(fast.final), responseGist(full.final), JSON.stringify(sc));
      assert.equal(fast.final.model, RESP);
      assert.equal(full.final.model, RESP);
      assert.deepEqual(fastBody, { ...body, model: 'gpt-5', store: false, include: ['reasoning.encrypted_content'] });
      assert.equal(fast.types.at(-1), 'response.completed');
      sameLedger(rig);
    }
  });

  test("the openai SDK's responses.stream() helper over both paths: the real API's event sequence (parts added before their deltas, done before their item), the same final response and text", async () => {
    const body: OpenAI.Responses.ResponseCreateParamsStreaming = {
      model: RESP,
      stream: true,
      input: [{ role: 'user', content: 'Read a.txt' }],
      reasoning: { effort: 'low', summary: 'auto' },
      tools: [{ type: 'function', name: 'read_file', parameters: { type: 'object', properties: { path: { type: 'string' } } }, strict: false }],
    };
    const sc = { reasoning: 'Look first.', text: TEXT, toolCall: { callId: 'call_1', name: 'read_file', arguments: '{"path":"a.txt"}' } };
    const run = async (g: Gateway): Promise<{ final: OpenAI.Responses.Response; types: string[]; text: string }> => {
      rig.responses.enqueue(sc);
      const stream = openaiSdk(g).responses.stream(body);
      const types: string[] = [];
      let text = '';
      stream.on('event', (e) => types.push(e.type));
      stream.on('response.output_text.delta', (e) => (text = e.snapshot));
      const final = await stream.finalResponse();
      // Consecutive deltas as one: the two paths may cut the text differently.
      return { final, types: types.filter((t, i) => !t.endsWith('.delta') || types[i - 1] !== t), text };
    };
    const fast = await run(rig.fast);
    const full = await run(rig.full);
    assert.equal(fast.text, TEXT);
    assert.equal(fast.final.output_text, TEXT);
    assert.equal(full.final.output_text, TEXT);
    assert.deepEqual(responseGist(fast.final), responseGist(full.final));
    const message = [
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
    ];
    assert.deepEqual(fast.types, [
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      ...message,
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    assert.deepEqual(full.types, fast.types, "the gateway's own encoder emits the sequence the upstream does");
  });

  test('responses: a later turn names the upstream response id (previous_response_id) and the gateway continues the conversation', async () => {
    rig.responses.enqueue({ text: 'first' }, { text: 'second' });
    const sdk = openaiSdk(rig.fast);
    const one = await responsesStream(sdk, { model: RESP, stream: true, input: 'hi' });
    assert.equal(one.final.id, 'resp_fake_1', "the client sees the upstream's own response");
    const two = await responsesStream(sdk, { model: RESP, stream: true, input: 'and then?', previous_response_id: one.final.id });
    assert.equal(responseGist(two.final) && (two.final.output[0] as { content: { text: string }[] }).content[0]!.text, 'second');
    // The earlier turn went upstream as input items (the gateway keeps the conversation; the upstream stores nothing).
    const sent = rig.responses.requests.at(-1)!.body;
    assert.equal(sent.previous_response_id, undefined);
    assert.equal(sent.store, false);
    assert.ok(JSON.stringify(sent.input).includes('first'));
  });

  test("responses fast path: the client gets the upstream's own events byte for byte (only the response object's model renamed); what the gateway keeps of the answer is the same text", async () => {
    const text = 'Naïve "quotes", a back\\slash,\nnew lines\tand tabs, 漢字 🙂 — and enough words for many deltas.';
    const sc = {
      text,
      reasoning: 'Think "twice" 🙂',
      encrypted: 'enc-2',
      toolCall: { callId: 'call_9', name: 'write_file', arguments: '{"path":"a.txt","content":"x\\ny \\"z\\""}' },
      usage: { input: 21, output: 34 },
    };
    const body = {
      model: RESP,
      stream: true,
      input: 'write it',
      reasoning: { effort: 'low' },
      tools: [{ type: 'function', name: 'write_file', parameters: { type: 'object' } }],
    };
    rig.responses.enqueue(sc, sc);
    const res = await fetch(`${rig.fast.url}/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(res.status, 200);
    const forwarded = await res.text();
    // The same stream from the upstream itself, asked with the body the gateway sent it.
    const sent = rig.responses.requests.at(-1)!.body;
    const direct = await fetch(`${rig.responses.baseUrl}/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(sent),
    });
    const upstream = await direct.text();
    const frames = (s: string): string[] => s.split('\n\n').filter((f) => f !== '');
    const got = frames(forwarded);
    const want = frames(upstream);
    assert.equal(got.length, want.length);
    assert.ok(want.length > 40, `many events (${want.length})`);
    let renamed = 0;
    for (let i = 0; i < want.length; i++) {
      if (got[i] === want[i]) continue;
      // Only the events that carry the response object differ, and only in its model name's bytes.
      assert.equal(got[i], want[i]!.replace('"model":"gpt-5"', `"model":${JSON.stringify(RESP)}`));
      renamed++;
    }
    assert.equal(renamed, 3, 'response.created, response.in_progress and response.completed name the model the client asked for');
    // The decoded answer (what the ledger and the kept conversation hold) is the upstream's text exactly.
    rig.responses.enqueue({ text: 'ok' });
    const id = JSON.parse(got.at(-1)!.slice(got.at(-1)!.indexOf('data: ') + 6)).response.id as string;
    const next = await responsesStream(openaiSdk(rig.fast), {
      model: RESP,
      stream: true,
      input: [{ type: 'function_call_output', call_id: 'call_9', output: 'done' }],
      previous_response_id: id,
    });
    assert.equal(next.final.status, 'completed');
    const input = rig.responses.requests.at(-1)!.body.input as Record<string, unknown>[];
    const assistant = input.find((m) => m.role === 'assistant') as { content: { text: string }[] };
    assert.equal(assistant.content.map((c) => c.text).join(''), text);
    const call = input.find((m) => m.type === 'function_call');
    assert.equal(call?.arguments, sc.toolCall.arguments);
    assert.equal(input.find((m) => m.type === 'reasoning')?.encrypted_content, 'enc-2');
  });

  test("non-streamed messages → Anthropic: forwarded as sent, the upstream's JSON answer given back byte for byte but the model name; same answer and ledger as translated", async () => {
    const body = {
      model: CLAUDE,
      max_tokens: 2000,
      thinking: { type: 'enabled' as const, budget_tokens: 1024 },
      tools: [{ name: 'read_file', description: 'Read a file', input_schema: { type: 'object' as const, properties: { path: { type: 'string' } } } }],
      messages: [{ role: 'user' as const, content: 'Read a.txt' }],
    };
    const scenarios: Scenario[] = [
      { text: 'Naïve "quotes" 🙂\nand more', usage: { input: 30, output: 12, cached: 4 } },
      { reasoning: 'Look first.', toolCall: { id: 'toolu_07', name: 'read_file', arguments: '{"path":"a.txt"}' }, usage: { input: 40, output: 20 } },
    ];
    for (const sc of scenarios) {
      rig.anthropic.enqueue(sc, sc, sc);
      const before = rig.ledger.entries.length;
      const res = await fetch(`${root(rig.fast)}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': TOKEN, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify(body),
      });
      assert.equal(res.status, 200);
      const forwarded = await res.text();
      const sent = rig.anthropic.requests.at(-1)!.body;
      assert.deepEqual(sent, { ...body, model: 'claude-sonnet-4-5' }, 'forwarded as sent (not streamed), only the model id replaced');
      const direct = await fetch(`${rig.anthropic.baseUrl}/messages`, {
        method: 'POST',
        headers: { 'x-api-key': KEY, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify(sent),
      });
      const upstream = await direct.text();
      const { model: upstreamModel, id: upstreamId } = JSON.parse(upstream) as { model: string; id: string };
      const forwardedId = (JSON.parse(forwarded) as { id: string }).id;
      // (the fake makes a new message id per answer)
      assert.equal(
        forwarded,
        upstream.replace(`"model":${JSON.stringify(upstreamModel)}`, `"model":${JSON.stringify(CLAUDE)}`).replace(upstreamId, forwardedId),
      );
      const full = await anthropicSdk(rig.full).messages.create(body);
      assert.deepEqual(messageGist(JSON.parse(forwarded) as Anthropic.Message), messageGist(full), JSON.stringify(sc));
      await waitFor(() => rig.ledger.entries.length >= before + 2);
      const [fastEntry, fullEntry] = rig.ledger.entries.slice(before);
      assert.deepEqual({ ...fastEntry, id: 0, ts: 0, latencyMs: 0, ttftMs: 0 }, { ...fullEntry, id: 0, ts: 0, latencyMs: 0, ttftMs: 0 });
    }
    // The gateway log marks both as forwarded.
    await waitFor(() => rig.logs.filter((l) => l.includes('POST /v1/messages 200') && l.endsWith('(forwarded as sent)')).length >= 2);
  });

  test('non-streamed responses → Responses: forwarded as sent (store off), the response object given back as received but the model name; previous_response_id continues it', async () => {
    const sc = {
      text: 'Naïve "quotes" 🙂',
      reasoning: 'Look first.',
      encrypted: 'enc-3',
      toolCall: { callId: 'call_3', name: 'read_file', arguments: '{"path":"a.txt"}' },
      usage: { input: 40, output: 20 },
    };
    const body = {
      model: RESP,
      input: 'Read a.txt',
      reasoning: { effort: 'low' },
      tools: [{ type: 'function', name: 'read_file', parameters: { type: 'object' } }],
    };
    rig.responses.enqueue(sc, sc, sc);
    const before = rig.ledger.entries.length;
    const res = await fetch(`${rig.fast.url}/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(res.status, 200);
    const forwarded = await res.text();
    const sent = rig.responses.requests.at(-1)!.body;
    assert.deepEqual(sent, { ...body, model: 'gpt-5', store: false, include: ['reasoning.encrypted_content'] });
    const direct = await fetch(`${rig.responses.baseUrl}/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(sent),
    });
    const upstream = await direct.text();
    assert.equal(forwarded, upstream.replace('"model":"gpt-5"', `"model":${JSON.stringify(RESP)}`));
    const full = await openaiSdk(rig.full).responses.create(body as OpenAI.Responses.ResponseCreateParamsNonStreaming);
    assert.deepEqual(responseGist(JSON.parse(forwarded) as OpenAI.Responses.Response), responseGist(full));
    await waitFor(() => rig.ledger.entries.length >= before + 2);
    const [fastEntry, fullEntry] = rig.ledger.entries.slice(before);
    assert.deepEqual({ ...fastEntry, id: 0, ts: 0, latencyMs: 0, ttftMs: 0 }, { ...fullEntry, id: 0, ts: 0, latencyMs: 0, ttftMs: 0 });
    // The conversation is kept under the upstream's id, with the decoded answer in it.
    rig.responses.enqueue({ text: 'done' });
    const id = (JSON.parse(forwarded) as { id: string }).id;
    const next = await openaiSdk(rig.fast).responses.create({
      model: RESP,
      input: [{ type: 'function_call_output', call_id: 'call_3', output: 'contents' }],
      previous_response_id: id,
    });
    assert.equal(next.output_text, 'done');
    const input = rig.responses.requests.at(-1)!.body.input as Record<string, unknown>[];
    assert.equal((input.find((m) => m.role === 'assistant') as { content: { text: string }[] }).content[0]!.text, sc.text);
    assert.equal(input.find((m) => m.type === 'function_call')?.arguments, sc.toolCall.arguments);
    assert.equal(input.find((m) => m.type === 'reasoning')?.encrypted_content, 'enc-3');
  });

  test('chat completions → OpenAI: text, reasoning, tool calls, finish reason equal; usage shown only when asked, always in the ledger', async () => {
    const body: OpenAI.Chat.ChatCompletionCreateParamsStreaming = {
      model: GPT,
      stream: true,
      messages: [{ role: 'user', content: 'Read a.txt' }],
      tools: [{ type: 'function', function: { name: 'read_file', parameters: { type: 'object', properties: { path: { type: 'string' } } } } }],
    };
    const scenarios: Scenario[] = [
      { text: TEXT, chunks: 9, usage: { input: 30, output: 12 } },
      { reasoning: 'hmm', toolCall: { id: 'call_9', name: 'read_file', arguments: '{"path":"a.txt"}' }, usage: { input: 33, output: 7 } },
    ];
    for (const withUsage of [false, true]) {
      for (const sc of scenarios) {
        twice(rig.openai, sc);
        const req = withUsage ? { ...body, stream_options: { include_usage: true } } : body;
        const fast = await chatStream(openaiSdk(rig.fast), req);
        const fastBody = rig.openai.requests.at(-1)!.body;
        const full = await chatStream(openaiSdk(rig.full), req);
        assert.deepEqual(fast, full, JSON.stringify({ sc, withUsage }));
        assert.equal((fast as { usage: unknown }).usage === null, !withUsage);
        assert.deepEqual(fastBody, { ...req, model: 'gpt-4o-mini', stream_options: { include_usage: true } });
        sameLedger(rig);
      }
    }
  });

  test("non-streamed chat completions → OpenAI: forwarded as sent, the upstream's JSON answer given back as received (its model name, id, system_fingerprint); same answer and ledger as translated", async () => {
    // What the translation would reshape (max_tokens, a string stop, parallel_tool_calls) goes as it was written.
    const body = {
      model: GPT,
      messages: [{ role: 'user' as const, content: 'Read a.txt' }],
      tools: [{ type: 'function' as const, function: { name: 'read_file', parameters: { type: 'object', properties: { path: { type: 'string' } } } } }],
      parallel_tool_calls: false,
      max_tokens: 300,
      stop: 'END',
      seed: 7,
      user: 'user-1',
      frequency_penalty: 0.25,
    };
    const scenarios: Scenario[] = [
      { text: 'Naïve "quotes" 🙂\nand more', usage: { input: 30, output: 12, cached: 4 }, model: 'gpt-4o-mini-2024-07-18' },
      { reasoning: 'hmm', toolCall: { id: 'call_9', name: 'read_file', arguments: '{"path":"a.txt"}' }, usage: { input: 33, output: 7 } },
    ];
    for (const sc of scenarios) {
      rig.openai.enqueue(sc, sc, sc);
      const before = rig.ledger.entries.length;
      const completed = rig.fast.stats().completed;
      const res = await fetch(`${rig.fast.url}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-switchboard-warnings'), null);
      const forwarded = await res.text();
      const sent = rig.openai.requests.at(-1)!.body;
      assert.deepEqual(sent, { ...body, model: 'gpt-4o-mini' }, 'forwarded as sent (not streamed, no stream_options), only the model id replaced');
      const direct = await fetch(`${rig.openai.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(sent),
      });
      const upstream = await direct.text();
      const up = JSON.parse(upstream) as OpenAI.Chat.ChatCompletion;
      const fwd = JSON.parse(forwarded) as OpenAI.Chat.ChatCompletion;
      // Byte for byte but what the fake makes anew per answer (its id and creation time); the model name is the provider's.
      assert.equal(forwarded, upstream.replace(up.id, fwd.id).replace(`"created":${up.created}`, `"created":${fwd.created}`));
      assert.match(fwd.id, /^chatcmpl-/);
      assert.equal(fwd.system_fingerprint, 'fp_fake');
      assert.equal(fwd.model, sc.model ?? 'gpt-4o-mini');
      const full = await openaiSdk(rig.full).chat.completions.create(body);
      assert.deepEqual(completionGist(fwd), completionGist(full), JSON.stringify(sc));
      await waitFor(() => rig.ledger.entries.length >= before + 2);
      const [fastEntry, fullEntry] = rig.ledger.entries.slice(before);
      assert.deepEqual({ ...fastEntry, id: 0, ts: 0, latencyMs: 0, ttftMs: 0 }, { ...fullEntry, id: 0, ts: 0, latencyMs: 0, ttftMs: 0 });
      assert.equal(fastEntry!.inputTokens, sc.usage!.input, 'the usage came from the forwarded answer');
      assert.ok(fastEntry!.costUsd !== null && fastEntry!.costUsd > 0);
      assert.equal(rig.fast.stats().completed, completed + 1);
    }
    await waitFor(() => rig.logs.filter((l) => l.includes('POST /v1/chat/completions 200') && l.endsWith('(forwarded as sent)')).length >= 2);
  });

  test("chat completions: OpenAI's own hints (logit_bias, service_tier) go as sent to a Chat Completions model, streamed or not; translated, they are warnings", async () => {
    const post = (body: Record<string, unknown>): Promise<Response> =>
      fetch(`${rig.fast.url}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const hints = { logit_bias: { '50256': -100 }, service_tier: 'flex' };
    for (const stream of [false, true]) {
      rig.openai.enqueue({ text: 'ok' });
      const body = { model: GPT, messages: [{ role: 'user', content: 'x' }], ...hints, ...(stream ? { stream: true } : {}) };
      const res = await post(body);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-switchboard-warnings'), null, `stream ${stream}: nothing was left out`);
      const text = await res.text();
      assert.match(text, /ok/);
      // Forwarded as sent: the model id replaced, and a stream asks for its usage (for the ledger).
      const expected = { ...body, model: 'gpt-4o-mini', ...(stream ? { stream_options: { include_usage: true } } : {}) };
      assert.deepEqual(rig.openai.requests.at(-1)!.body, expected, `stream ${stream}: forwarded as sent`);
    }

    // To a model of another protocol it is translated: the hints are left out, and the answer says so.
    rig.anthropic.enqueue({ text: 'ok' });
    const res = await post({ model: CLAUDE, messages: [{ role: 'user', content: 'x' }], ...hints });
    assert.equal(res.status, 200);
    assert.match(String(res.headers.get('x-switchboard-warnings')), /logit_bias: logit_bias is not forwarded.*service_tier/);
    const c = (await res.json()) as OpenAI.Chat.ChatCompletion & { switchboard?: { warnings: string[] } };
    assert.equal(c.choices[0]!.message.content, 'ok');
    assert.match(String(c.switchboard?.warnings), /logit_bias/);
    const sent = rig.anthropic.requests.at(-1)!.body;
    assert.equal(sent.logit_bias, undefined);
    assert.equal(sent.service_tier, undefined, "OpenAI's service tiers are not Anthropic's");
  });

  test('chat completions: service_tier "priority" (billed above the prices the budget counts) is not forwarded; the answer says so', async () => {
    for (const stream of [false, true]) {
      rig.openai.enqueue({ text: 'ok' });
      const res = await fetch(`${rig.fast.url}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: GPT, messages: [{ role: 'user', content: 'x' }], service_tier: 'priority', ...(stream ? { stream: true } : {}) }),
      });
      assert.equal(res.status, 200);
      assert.match(String(res.headers.get('x-switchboard-warnings')), /service_tier: \\?"priority\\?" is not forwarded/, `stream ${stream}`);
      assert.match(await res.text(), /ok/);
      assert.equal(rig.openai.requests.at(-1)!.body.service_tier, undefined, `stream ${stream}: the upstream got no priority tier`);
    }
  });

  test('non-streamed chat completions: an unknown parameter makes it translate, and the answer says it', async () => {
    rig.openai.enqueue({ text: 'ok' });
    const logged = rig.logs.length;
    const res = await fetch(`${rig.fast.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: GPT, messages: [{ role: 'user', content: 'x' }], logit_bias: { '50256': -100 }, frobnicate: true }),
    });
    assert.equal(res.status, 200);
    assert.match(String(res.headers.get('x-switchboard-warnings')), /logit_bias.*frobnicate: unknown parameter, not forwarded/);
    const c = (await res.json()) as OpenAI.Chat.ChatCompletion & { switchboard?: { warnings: string[] } };
    assert.equal(c.choices[0]!.message.content, 'ok');
    assert.equal(c.model, GPT, "translated: the answer names the model as Switchboard's id");
    assert.match(String(c.switchboard?.warnings), /frobnicate/);
    const sent = rig.openai.requests.at(-1)!.body;
    assert.equal(sent.stream, true, 'translated (the adapter streams)');
    assert.equal(sent.logit_bias, undefined);
    assert.equal(sent.frobnicate, undefined);
    await waitFor(() => rig.logs.slice(logged).some((l) => l.includes('POST /v1/chat/completions 200')));
    assert.ok(!rig.logs.slice(logged).some((l) => l.includes('forwarded as sent')));
  });

  test('chat completions: a warning that quotes a key is scrubbed in the body (switchboard.warnings) as in the header, streamed and not', async () => {
    for (const stream of [false, true]) {
      rig.openai.enqueue({ text: 'ok' });
      // A client's mistake: the key sent as a parameter's name (the warning names the parameter).
      const res = await fetch(`${rig.fast.url}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: GPT, messages: [{ role: 'user', content: 'x' }], stream, [KEY]: true }),
      });
      assert.equal(res.status, 200);
      const header = String(res.headers.get('x-switchboard-warnings'));
      const text = await res.text();
      assert.match(header, /unknown parameter/, `stream ${stream}`);
      const body = stream
        ? (text
            .split('\n\n')
            .filter((f) => f.startsWith('data: {'))
            .map((f) => JSON.parse(f.slice(6)) as { switchboard?: { warnings: string[] } })
            .find((c) => c.switchboard)?.switchboard ?? null)
        : (JSON.parse(text) as { switchboard?: { warnings: string[] } }).switchboard;
      assert.match(String(body?.warnings), /unknown parameter/, `stream ${stream}: ${text}`);
      for (const said of [header, text]) assert.ok(!said.includes(KEY) && !said.includes(KEY.slice(0, 12)), `stream ${stream}: ${said}`);
    }
  });

  test('errors before the stream: the same status and error shape on both paths (Anthropic, Responses, Chat)', async () => {
    rig.anthropic.enqueue({ status: 429, headers: { 'retry-after': '7' } }, { status: 429, headers: { 'retry-after': '7' } });
    const errs: unknown[] = [];
    for (const g of [rig.fast, rig.full])
      errs.push(
        await anthropicSdk(g)
          .messages.stream({ model: CLAUDE, max_tokens: 10, messages: [{ role: 'user', content: 'x' }] })
          .finalMessage()
          .catch((e: unknown) => e),
      );
    for (const e of errs) {
      assert.ok(e instanceof Anthropic.RateLimitError);
      assert.equal((e.error as { error: { type: string } }).error.type, 'rate_limit_error');
    }
    rig.responses.enqueue({ status: 429 }, { status: 429 });
    for (const g of [rig.fast, rig.full]) {
      const e = await responsesStream(openaiSdk(g), { model: RESP, stream: true, input: 'x' }).catch((x: unknown) => x);
      assert.ok(e instanceof OpenAI.RateLimitError);
    }
    // Not streamed: forwarded on the fast path, the same errors still.
    rig.anthropic.enqueue({ status: 429, headers: { 'retry-after': '7' } }, { status: 429, headers: { 'retry-after': '7' } });
    for (const g of [rig.fast, rig.full]) {
      const e = await anthropicSdk(g)
        .messages.create({ model: CLAUDE, max_tokens: 10, messages: [{ role: 'user', content: 'x' }] })
        .catch((x: unknown) => x);
      assert.ok(e instanceof Anthropic.RateLimitError, String(e));
      assert.equal((e.error as { error: { type: string } }).error.type, 'rate_limit_error');
    }
    rig.responses.enqueue({ status: 429 }, { status: 429 });
    for (const g of [rig.fast, rig.full]) {
      const e = await openaiSdk(g)
        .responses.create({ model: RESP, input: 'x' })
        .catch((x: unknown) => x);
      assert.ok(e instanceof OpenAI.RateLimitError, String(e));
    }
    rig.openai.enqueue({ status: 500 }, { status: 500 });
    const statuses: number[] = [];
    for (const g of [rig.fast, rig.full]) {
      const e = await chatStream(openaiSdk(g), { model: GPT, stream: true, messages: [{ role: 'user', content: 'x' }] }).catch((x: unknown) => x);
      assert.ok(e instanceof OpenAI.APIError);
      statuses.push(e.status!);
    }
    assert.equal(statuses[0], statuses[1]);
  });

  test("an upstream 400 naming a parameter (OpenAI's error.param) names it to the client when the body went as sent, or the translation kept the name; never a name the translation made or a path into a translated body; scrubbed and capped", async () => {
    const bad = (param: string): { status: number; body: unknown } => ({
      status: 400,
      body: { error: { message: 'Invalid value for a parameter.', type: 'invalid_request_error', param, code: 'invalid_value' } },
    });
    const messages = [{ role: 'user' as const, content: 'x' }];
    const chat = async (g: Gateway, stream: boolean, extra: Record<string, unknown> = {}, model = GPT): Promise<InstanceType<typeof OpenAI.APIError>> => {
      const e: unknown = await openaiSdk(g)
        .chat.completions.create({ model, stream, messages, ...extra } as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming)
        .then(
          () => null,
          (x: unknown) => x,
        );
      assert.ok(e instanceof OpenAI.BadRequestError, String(e));
      return e;
    };
    const responses = async (g: Gateway, stream: boolean, extra: Record<string, unknown> = {}, model = RESP): Promise<InstanceType<typeof OpenAI.APIError>> => {
      const e: unknown = await openaiSdk(g)
        .responses.create({ model, stream, input: 'x', ...extra } as OpenAI.Responses.ResponseCreateParamsNonStreaming)
        .then(
          () => null,
          (x: unknown) => x,
        );
      assert.ok(e instanceof OpenAI.BadRequestError, String(e));
      return e;
    };
    for (const stream of [false, true]) {
      const at = `stream ${String(stream)}`;
      // Chat Completions → a Chat Completions model: forwarded (fast) or translated (full), the client's own temperature.
      for (const g of [rig.fast, rig.full]) {
        rig.openai.enqueue(bad('temperature'));
        assert.equal((await chat(g, stream, { temperature: 1.5 })).param, 'temperature', at);
      }
      // A path into the body: the client's as sent, not the translation's.
      rig.openai.enqueue(bad('messages[0].content'));
      assert.equal((await chat(rig.fast, stream)).param, 'messages[0].content', at);
      rig.openai.enqueue(bad('messages[0].content'));
      assert.equal((await chat(rig.full, stream)).param, null, at);
      // Translated, OpenAI's model got max_completion_tokens for the client's max_tokens: a name the client never sent.
      rig.openai.enqueue(bad('max_completion_tokens'));
      assert.equal((await chat(rig.full, stream, { max_tokens: 50 })).param, null, at);
      assert.equal(rig.openai.requests.at(-1)!.body.max_completion_tokens, 50);
      // Chat Completions → a Responses model (translated): top_p keeps its name, max_output_tokens is the translation's.
      rig.responses.enqueue(bad('top_p'), bad('max_output_tokens'));
      assert.equal((await chat(rig.fast, stream, { top_p: 0.5 }, RESP)).param, 'top_p', at);
      assert.equal((await chat(rig.fast, stream, { max_tokens: 50 }, RESP)).param, null, at);
      // Responses → a Responses model: forwarded, the client's path; translated, none (its input is the gateway's).
      rig.responses.enqueue(bad('input[0].content'), bad('input[0].content'), bad('temperature'));
      assert.equal((await responses(rig.fast, stream)).param, 'input[0].content', at);
      assert.equal((await responses(rig.full, stream)).param, null, at);
      assert.equal((await responses(rig.full, stream, { temperature: 0.5 })).param, 'temperature', at);
      // Responses → a Chat Completions model (translated): max_output_tokens became max_completion_tokens; temperature kept its name.
      rig.openai.enqueue(bad('max_completion_tokens'), bad('temperature'));
      assert.equal((await responses(rig.fast, stream, { max_output_tokens: 50 }, GPT)).param, null, at);
      assert.equal((await responses(rig.fast, stream, { temperature: 0.5 }, GPT)).param, 'temperature', at);
      // Upstream text: a key in it is removed, a long one capped.
      rig.openai.enqueue(bad(`messages[0].${KEY}`), bad(`messages[0].${'x'.repeat(5000)}`));
      const keyed = (await chat(rig.fast, stream)).param;
      assert.ok(keyed?.startsWith('messages[0].') && !keyed.includes(KEY), String(keyed));
      const long = (await chat(rig.fast, stream)).param;
      assert.ok(long?.startsWith('messages[0].xxx') && long.length <= 201, String(long?.length));
    }
  });

  test("errors after the stream started: the text before is kept, the stream ends with the door's own error event (both paths alike)", async () => {
    const sc: Scenario = { text: TEXT, chunks: 8, midStreamErrorAfterChunks: 3 };
    rig.anthropic.enqueue(sc, sc);
    const seen: { text: string; error: string }[] = [];
    for (const g of [rig.fast, rig.full]) {
      const stream = anthropicSdk(g).messages.stream({ model: CLAUDE, max_tokens: 100, messages: [{ role: 'user', content: 'x' }] });
      let text = '';
      stream.on('text', (t) => (text += t));
      const e = await stream.finalMessage().catch((x: unknown) => x);
      assert.ok(e instanceof Error);
      seen.push({ text, error: e.message });
    }
    assert.deepEqual(seen[0], seen[1]);
    assert.ok(seen[0]!.text.length > 0 && TEXT.startsWith(seen[0]!.text));

    rig.openai.enqueue(sc, sc);
    const raw: string[] = [];
    for (const g of [rig.fast, rig.full]) {
      const res = await fetch(`${g.url}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: GPT, stream: true, messages: [{ role: 'user', content: 'x' }] }),
      });
      const all = await res.text();
      assert.ok(!all.includes('data: [DONE]'), 'a broken answer is not reported complete');
      raw.push(
        all
          .split('\n')
          .filter((l) => l.startsWith('data: {"error"'))
          .join('\n'),
      );
    }
    assert.equal(raw[0], raw[1]);
    assert.match(raw[0]!, /"error"/);
  });
});

describe('doors fast path: budgets, holds, key scrubbing', () => {
  test('a blocking budget refuses before anything goes upstream, as on the translating path', async () => {
    const rig = await startRig({ budget: { perRequest: 0.000001, onExceed: 'block' } });
    try {
      const before = rig.anthropic.requests.length;
      for (const g of [rig.fast, rig.full]) {
        const e = await anthropicSdk(g)
          .messages.stream({ model: CLAUDE, max_tokens: 4000, messages: [{ role: 'user', content: 'x' }] })
          .finalMessage()
          .catch((x: unknown) => x);
        assert.ok(e instanceof Anthropic.APIError, String(e));
        assert.match(e.message, /budget/);
      }
      assert.equal(rig.anthropic.requests.length, before, 'nothing reached the provider');
    } finally {
      await rig.close();
    }
  });

  test('a forwarded Chat Completions body with max_tokens and max_completion_tokens holds for the larger (the upstream may read either)', async () => {
    // gpt-4o-mini: 100 output tokens cost $0.00006, 100000 cost $0.06; the cap is between them.
    const rig = await startRig({ budget: { perRequest: 0.01, onExceed: 'block' } });
    const post = (body: unknown): Promise<Response> =>
      fetch(`${rig.fast.url}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    try {
      const ask = { model: GPT, messages: [{ role: 'user', content: 'x' }] };
      for (const [bounds, allowed] of [
        [{ max_completion_tokens: 100 }, true],
        [{ max_tokens: 100 }, true],
        [{ max_completion_tokens: 100, max_tokens: 100000 }, false],
        [{ max_completion_tokens: 100000, max_tokens: 100 }, false],
      ] as const) {
        const sent = rig.openai.requests.length;
        if (allowed) rig.openai.enqueue({ text: 'ok' });
        const res = await post({ ...ask, ...bounds });
        const text = await res.text();
        if (allowed) {
          assert.equal(res.status, 200, `${JSON.stringify(bounds)}: ${text}`);
          assert.equal(rig.openai.requests.length, sent + 1);
        } else {
          assert.equal(res.status, 402, `${JSON.stringify(bounds)}: ${text}`);
          assert.match(text, /budget/);
          assert.equal(rig.openai.requests.length, sent, `${JSON.stringify(bounds)}: nothing went upstream`);
        }
      }
    } finally {
      await rig.close();
    }
  });

  test('the hold counts the most web searches a forwarded request allows ($0.01 each): max_uses, max_tool_calls, else 10', async () => {
    // Tokens alone: under $0.002 for either model; the cap leaves room for one search, not two.
    const rig = await startRig({ budget: { perRequest: 0.015, onExceed: 'block' } });
    const WEB_SEARCH = { type: 'web_search' };
    const post = (g: Gateway, door: string, body: unknown): Promise<Response> =>
      fetch(`${g.url}/${door}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'x-api-key': TOKEN, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    try {
      const claude = (tools: unknown[]) => ({ model: CLAUDE, max_tokens: 100, messages: [{ role: 'user', content: 'Where?' }], tools });
      const codex = (extra: Record<string, unknown>) => ({ model: CODEX, input: 'Where?', max_output_tokens: 100, tools: [WEB_SEARCH], ...extra });
      const search = (more: Record<string, unknown>) => ({ type: 'web_search_20250305', name: 'web_search', ...more });
      for (const [door, body, allowed] of [
        ['messages', claude([]), true],
        ['messages', claude([search({ max_uses: 1 })]), true],
        ['messages', claude([search({ max_uses: 2 })]), false],
        ['messages', claude([search({})]), false],
        ['responses', codex({ max_tool_calls: 1 }), true],
        ['responses', codex({ max_tool_calls: 2 }), false],
        ['responses', codex({}), false],
      ] as const) {
        const upstream = door === 'messages' ? rig.anthropic : rig.responses;
        const sent = upstream.requests.length;
        if (allowed) upstream.enqueue({ text: 'In the sun.' });
        const res = await post(rig.fast, door, body);
        const text = await res.text();
        const what = `${door} ${JSON.stringify(body.tools)} ${JSON.stringify(body)}`;
        if (allowed) {
          assert.equal(res.status, 200, `${what}: ${text}`);
          assert.equal(upstream.requests.length, sent + 1);
        } else {
          assert.equal(res.status, 402, `${what}: ${text}`);
          assert.match(text, /budget/);
          assert.equal(upstream.requests.length, sent, `${what}: nothing went upstream`);
        }
      }
    } finally {
      await rig.close();
    }
  });

  test("hosted tools whose fees no price has (code_interpreter, file_search, image_generation, mcp, computer_use_preview, a type the gateway does not know, Anthropic's code_execution and its server tools but web search and web fetch): a blocking budget refuses them before sending (402, naming the tools and the fix, nothing held); a warning budget lets them through with the warning", async () => {
    const cases = [
      ['responses', { model: CODEX, input: 'Run it.', tools: [{ type: 'code_interpreter', container: { type: 'auto' } }] }, ['code_interpreter']],
      [
        'responses',
        { model: RESP, input: 'Draw it.', tools: [{ type: 'file_search', vector_store_ids: ['vs_1'] }, { type: 'image_generation' }] },
        ['file_search', 'image_generation'],
      ],
      [
        'messages',
        {
          model: CLAUDE,
          max_tokens: 200,
          messages: [{ role: 'user', content: 'Run it.' }],
          tools: [{ type: 'code_execution_20250825', name: 'code_execution' }],
        },
        ['code_execution'],
      ],
    ] as const;
    // Refused by the blocking budget only: the strict fakes, as the APIs, take no unknown type, and
    // have no MCP server or computer to run the others with.
    const refusedOnly = [
      [
        'responses',
        {
          model: CODEX,
          input: 'Ask the server, then click.',
          tools: [
            { type: 'function', name: 'exec_command', parameters: { type: 'object', properties: {} } },
            { type: 'web_search' },
            { type: 'mcp', server_label: 'docs', server_url: 'https://mcp.example.com/sse', require_approval: 'never' },
            { type: 'computer_use_preview', display_width: 1024, display_height: 768, environment: 'browser' },
            { type: 'future_hosted_tool' },
          ],
        },
        ['mcp', 'computer_use_preview', 'future_hosted_tool'],
      ],
      [
        'messages',
        {
          model: CLAUDE,
          max_tokens: 200,
          messages: [{ role: 'user', content: 'Find it.' }],
          tools: [
            { name: 'Read', input_schema: { type: 'object' } },
            { type: 'web_search_20250305', name: 'web_search', max_uses: 1 },
            { type: 'web_fetch_20250910', name: 'web_fetch' },
            { type: 'tool_search_tool_regex_20251119', name: 'tool_search_tool_regex' },
          ],
        },
        ['tool_search_tool_regex'],
      ],
    ] as const;
    const post = (g: Gateway, door: string, body: unknown): Promise<Response> =>
      fetch(`${g.url}/${door}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'x-api-key': TOKEN, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const block = await startRig({ budget: { daily: 100, onExceed: 'block' } });
    try {
      const sent = (): number => block.anthropic.requests.length + block.responses.requests.length;
      let holds = 0;
      const reserve = block.ledger.reserve.bind(block.ledger);
      block.ledger.reserve = async (now, decide, session) => {
        holds++;
        return reserve(now, decide, session);
      };
      for (const [door, body, tools] of [...cases, ...refusedOnly])
        for (const stream of [true, false]) {
          const what = `${door} ${tools.join(', ')} stream ${stream}`;
          const before = sent();
          const res = await post(block.fast, door, { ...body, stream });
          const text = await res.text();
          assert.equal(res.status, 402, `${what}: ${text}`);
          const parsed = JSON.parse(text) as { type?: string; error: { type: string; message: string; code?: string } };
          // The door's own error shape.
          if (door === 'messages') assert.deepEqual([parsed.type, parsed.error.type], ['error', 'billing_error'], what);
          else assert.deepEqual([parsed.error.type, parsed.error.code], ['insufficient_quota', 'budget_exceeded'], what);
          const { message } = parsed.error;
          assert.ok(message.includes(`hosted tool${tools.length > 1 ? 's' : ''} ${tools.join(', ')}`), `${what}: ${message}`);
          assert.match(message, /budget cannot count/, what);
          assert.match(message, new RegExp(`remove the ${tools.join(', ')} tools? from the request, or set budget\\.onExceed to "warn"`), what);
          assert.equal(sent(), before, `${what}: nothing went upstream`);
          assert.equal(block.ledger.reservations.size, 0, what);
        }
      assert.equal(holds, 0, 'nothing was held');
      // Without those tools the same budget lets the request through.
      block.responses.enqueue({ text: 'ok' });
      const res = await post(block.fast, 'responses', { model: CODEX, input: 'x', max_output_tokens: 100 });
      assert.equal(res.status, 200, await res.text());
    } finally {
      await block.close();
    }
    const warn = await startRig({ budget: { daily: 100, onExceed: 'warn' } });
    try {
      for (const [door, body, tools] of cases) {
        (door === 'messages' ? warn.anthropic : warn.responses).enqueue({ text: 'Done.', usage: { input: 10, output: 5 } });
        const res = await post(warn.fast, door, body);
        const text = await res.text();
        assert.equal(res.status, 200, `${door}: ${text}`);
        const said = JSON.parse(res.headers.get('x-switchboard-warnings') ?? '[]') as string[];
        assert.ok(
          said.some((w) => w.includes('not counted') && tools.every((t) => w.includes(t))),
          `${door}: ${JSON.stringify(said)}`,
        );
      }
    } finally {
      await warn.close();
    }
  });

  test('hosted tools whose fees no price has, under a blocking budget: a model sent a translation (without them) answers; a route leaves out only its members that would forward them; a tool no translation can carry is still refused', async () => {
    const rig = await startRig({ budget: { daily: 100, onExceed: 'block' }, routes: [{ id: 'codex-then-claude', models: [CODEX, CLAUDE] }] });
    const post = (body: unknown): Promise<Response> =>
      fetch(`${rig.fast.url}/responses`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const fn = { type: 'function', name: 'lookup', parameters: { type: 'object', properties: {} } };
    try {
      for (const model of [CLAUDE, 'route/codex-then-claude']) {
        const before = rig.anthropic.requests.length;
        rig.anthropic.enqueue({ text: 'Done.', usage: { input: 10, output: 5 } });
        // A hosted type the Responses door leaves out of a translation (with a warning).
        const res = await post({ model, input: 'Look it up.', max_output_tokens: 100, tools: [fn, { type: 'future_hosted_tool' }] });
        const text = await res.text();
        assert.equal(res.status, 200, `${model}: ${text}`);
        assert.equal(rig.anthropic.requests.length, before + 1, model);
        assert.deepEqual(
          (rig.anthropic.requests.at(-1)!.body as { tools: { name: string }[] }).tools.map((t) => t.name),
          ['lookup'],
          `${model}: the hosted tool is not sent`,
        );
        const said = JSON.parse(res.headers.get('x-switchboard-warnings') ?? '[]') as string[];
        assert.ok(
          said.some((w) => /future_hosted_tool.*left out/.test(w)),
          `${model}: ${JSON.stringify(said)}`,
        );
        assert.ok(!said.some((w) => /not counted/.test(w)), `${model}: no fee goes uncounted: ${JSON.stringify(said)}`);
      }
      assert.equal(rig.responses.requests.length, 0, 'the Responses member, which would forward the tool, was left out');
      // MCP only a Responses model can take (translating members are skipped): the budget refuses it.
      const res = await post({
        model: 'route/codex-then-claude',
        input: 'Ask.',
        tools: [fn, { type: 'mcp', server_label: 'docs', server_url: 'https://mcp.example.com' }],
      });
      const text = await res.text();
      assert.equal(res.status, 402, text);
      assert.match(text, /hosted tool mcp/);
      assert.equal(rig.responses.requests.length + rig.anthropic.requests.length, 2, 'nothing more went upstream');
      assert.equal(rig.ledger.reservations.size, 0);
    } finally {
      await rig.close();
    }
  });

  test('while a forwarded answer streams its worst case is held; the real cost replaces it at the end', async () => {
    const rig = await startRig({ budget: { daily: 100, onExceed: 'block' } });
    try {
      rig.anthropic.enqueue({ text: TEXT, chunks: 6, delayBetweenChunksMs: 40, usage: { input: 20, output: 9 } });
      const res = await fetch(`${root(rig.fast)}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': TOKEN, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ model: CLAUDE, max_tokens: 1000, stream: true, messages: [{ role: 'user', content: 'x' }] }),
      });
      assert.equal(res.status, 200);
      const reader = res.body!.getReader();
      await reader.read(); // the answer has begun
      assert.equal(rig.ledger.reservations.size, 1, 'the worst case is held while the answer streams');
      let rest = '';
      for (let r = await reader.read(); !r.done; r = await reader.read()) rest += new TextDecoder().decode(r.value);
      assert.match(rest, /message_stop/);
      await waitFor(() => rig.ledger.reservations.size === 0);
      const e = rig.ledger.entries.at(-1)!;
      assert.equal(e.inputTokens, 20);
      assert.equal(e.outputTokens, 9);
      assert.ok(e.costUsd !== null && e.costUsd > 0);
    } finally {
      await rig.close();
    }
  });

  test('an output bound that is no whole number of tokens (1e308, 2.5, 2^53) is a 400 naming the parameter, on both paths: nothing held, nothing sent', async () => {
    const rig = await startRig({ budget: { daily: 100, onExceed: 'block' } });
    const amounts = recordHolds(rig);
    const messages = [{ role: 'user', content: 'x' }];
    try {
      for (const g of [rig.fast, rig.full])
        for (const bad of [1e308, 2.5, 2 ** 53])
          for (const [door, param, body] of [
            ['messages', 'max_tokens', { model: CLAUDE, max_tokens: bad, messages }],
            ['chat/completions', 'max_tokens', { model: GPT, max_tokens: bad, messages }],
            ['chat/completions', 'max_completion_tokens', { model: GPT, max_completion_tokens: bad, messages }],
            ['responses', 'max_output_tokens', { model: RESP, max_output_tokens: bad, input: 'x' }],
          ] as const) {
            const sent = rig.anthropic.requests.length + rig.openai.requests.length + rig.responses.requests.length;
            const res = await fetch(`${g.url}/${door}`, {
              method: 'POST',
              headers: { authorization: `Bearer ${TOKEN}`, 'x-api-key': TOKEN, 'content-type': 'application/json' },
              body: JSON.stringify(body),
            });
            const text = await res.text();
            const what = `${door} ${param}=${bad}: ${text}`;
            assert.equal(res.status, 400, what);
            const error = (JSON.parse(text) as { error: { message: string; param?: string } }).error;
            // Chat Completions: the facade's list of invalid parameters ("invalid … parameters: max_tokens: …").
            assert.match(error.message, new RegExp(`(^|parameters: )${param}: expected a positive integer`), what);
            if (door === 'responses') assert.equal(error.param, param, what);
            assert.equal(rig.anthropic.requests.length + rig.openai.requests.length + rig.responses.requests.length, sent, `${what}: nothing sent`);
          }
      assert.deepEqual(amounts, [], 'nothing held');
    } finally {
      await rig.close();
    }
  });

  test('a Responses max_tool_calls that is no non-negative whole number (1e308, 2.5, -1, "3") is a 400 naming the parameter, on both paths: nothing held, nothing sent; 0 and 3 are forwarded', async () => {
    const rig = await startRig({ budget: { daily: 100, onExceed: 'block' } });
    let holds = 0;
    const reserve = rig.ledger.reserve.bind(rig.ledger);
    rig.ledger.reserve = async (now, decide, session) => {
      holds++;
      return reserve(now, decide, session);
    };
    const post = (g: Gateway, body: unknown): Promise<Response> =>
      fetch(`${g.url}/responses`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    try {
      for (const g of [rig.fast, rig.full])
        for (const bad of [1e308, 2.5, -1, '3'])
          for (const stream of [false, true]) {
            const sent = rig.responses.requests.length;
            const res = await post(g, { model: CODEX, input: 'x', max_output_tokens: 100, tools: [{ type: 'web_search' }], max_tool_calls: bad, stream });
            const text = await res.text();
            const what = `max_tool_calls=${JSON.stringify(bad)} stream ${stream}: ${text}`;
            assert.equal(res.status, 400, what);
            const error = (JSON.parse(text) as { error: { message: string; param: string | null } }).error;
            assert.equal(error.param, 'max_tool_calls', what);
            assert.match(error.message, /^max_tool_calls: expected a (non-negative integer|number)/, what);
            assert.equal(rig.responses.requests.length, sent, `${what}: nothing sent`);
          }
      assert.equal(holds, 0, 'nothing held');
      for (const good of [0, 3]) {
        rig.responses.enqueue({ text: 'ok' });
        const res = await post(rig.fast, { model: CODEX, input: 'x', max_output_tokens: 100, tools: [{ type: 'web_search' }], max_tool_calls: good });
        assert.equal(res.status, 200, await res.text());
        assert.equal(rig.responses.requests.at(-1)!.body.max_tool_calls, good);
      }
    } finally {
      await rig.close();
    }
  });

  test('a forwarded non-streamed answer the provider billed but that never arrived (reset after its 200, or the client left while it was awaited) is in the ledger at its hold, as an estimate', async () => {
    const rig = await startRig({ budget: { daily: 100, onExceed: 'block' } });
    // The amount each request held, to compare its ledger entry with.
    const held = recordHolds(rig);
    const messages = [{ role: 'user', content: 'x' }];
    try {
      for (const [door, upstream, body, sc, leaves] of [
        ['messages', rig.anthropic, { model: CLAUDE, max_tokens: 1000, messages }, { text: TEXT, dropAfterChunks: 0 }, false],
        ['chat/completions', rig.openai, { model: GPT, max_tokens: 1000, messages }, { text: TEXT, dropAfterChunks: 0 }, false],
        // The client hangs up while the body is awaited (half of it came), and while the headers are.
        ['messages', rig.anthropic, { model: CLAUDE, max_tokens: 1000, messages }, { text: TEXT, stallAfterChunks: 0 }, true],
        ['chat/completions', rig.openai, { model: GPT, max_tokens: 1000, messages }, { text: TEXT, delayBeforeHeadersMs: 60_000 }, true],
        // With an agent's tools (counted in the hold once, not twice in the entry).
        [
          'messages',
          rig.anthropic,
          { model: CLAUDE, max_tokens: 1000, messages, tools: [{ name: 'read', description: 'word '.repeat(2000), input_schema: { type: 'object' } }] },
          { text: TEXT, dropAfterChunks: 0 },
          false,
        ],
      ] as const) {
        const what = `${door} ${JSON.stringify(sc)}`;
        const entries = rig.ledger.entries.length;
        const sent = upstream.requests.length;
        upstream.enqueue(sc);
        const ac = new AbortController();
        const res = fetch(`${rig.fast.url}/${door}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'x-api-key': TOKEN, 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: ac.signal,
        });
        if (leaves) {
          await waitFor(() => upstream.requests.length > sent);
          ac.abort();
          await res.catch(() => undefined);
        } else {
          const r = await res;
          const text = await r.text();
          assert.ok(r.status >= 500, `${what}: ${r.status} ${text}`);
        }
        await waitFor(() => rig.ledger.entries.length > entries && rig.ledger.reservations.size === 0);
        assert.equal(rig.ledger.entries.length, entries + 1, what);
        const e = rig.ledger.entries.at(-1)!;
        assert.equal(e.answeredBy, body.model, what);
        assert.equal(e.ok, false, what);
        assert.equal(e.costEstimated, true, what);
        assert.ok(e.costUsd !== null && e.costUsd > 0, `${what}: ${e.costUsd}`);
        assert.equal(e.costUsd, held.at(-1), `${what}: the entry is at the hold`);
      }
    } finally {
      await rig.close();
    }
  });

  test('a forwarded non-streamed request sent whole whose answer never came (its headers timed out) is in the ledger at its hold, as an estimate', async () => {
    // The provider takes the request and writes no headers; the wait for them ends sooner than a
    // whole answer's 10 minutes (undici's own headers timeout, shortened for the test).
    const agent = new Agent();
    const dispatcher = agent.compose((dispatch) => (opts, handler) => dispatch({ ...opts, headersTimeout: 300 }, handler));
    const rig = await startRig({ budget: { daily: 100, onExceed: 'block' } }, { dispatcher });
    const held = recordHolds(rig);
    try {
      rig.openai.enqueue({ text: TEXT, delayBeforeHeadersMs: 60_000 });
      const r = await fetch(`${rig.fast.url}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: GPT, max_tokens: 1000, messages: [{ role: 'user', content: 'x' }] }),
      });
      const text = await r.text();
      assert.ok(r.status >= 500, `${r.status} ${text}`);
      assert.match(text, /timed out|timeout/i);
      assert.equal(rig.openai.requests.length, 1);
      await waitFor(() => rig.ledger.reservations.size === 0);
      assert.equal(rig.ledger.entries.length, 1);
      const e = rig.ledger.entries[0]!;
      assert.equal(e.answeredBy, GPT);
      assert.equal(e.ok, false);
      assert.equal(e.costEstimated, true);
      assert.ok(e.costUsd !== null && e.costUsd > 0, `${e.costUsd}`);
      assert.equal(e.costUsd, held.at(-1), 'the entry is at the hold');
    } finally {
      await rig.close();
      await agent.close();
    }
  });

  test('a forwarded request whose client left while the connection to the provider was being made (nothing was sent) is not in the ledger, and its hold is given back as it leaves', async () => {
    // A provider that accepts the TCP connection and never answers the TLS handshake; the connect
    // timeout is far away, so only the client's leaving ends the request (and gives its hold back).
    const sockets: net.Socket[] = [];
    const stuck = net.createServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => stuck.listen(0, '127.0.0.1', resolve));
    const STUCK = 'stuck/gpt-4o-mini';
    const rig = await startRig({
      budget: { daily: 100, onExceed: 'block' },
      timeouts: { connectMs: 600_000 },
      providers: [{ id: 'stuck', kind: 'openai', baseUrl: `https://127.0.0.1:${(stuck.address() as AddressInfo).port}/v1`, apiKeyEnv: 'OPENAI_API_KEY' }],
      pricing: { [STUCK]: { input: 1, output: 2 } },
    });
    const held = recordHolds(rig);
    try {
      for (const stream of [false, true]) {
        const connections = sockets.length;
        const entries = rig.ledger.entries.length;
        const ac = new AbortController();
        const res = fetch(`${rig.fast.url}/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: STUCK, max_tokens: 1000, stream, messages: [{ role: 'user', content: 'x' }] }),
          signal: ac.signal,
        });
        await waitFor(() => sockets.length > connections && held.length > connections);
        ac.abort();
        await res.catch(() => undefined);
        await waitFor(() => rig.ledger.reservations.size === 0);
        assert.equal(rig.ledger.entries.length, entries, `stream: ${stream}: nothing was sent, nothing is ledgered`);
        // The connection still being made fails: the next request makes its own.
        for (const socket of sockets) socket.destroy();
      }
    } finally {
      // The connections undici still makes (it drops the requests unsent once they are made) fail first.
      stuck.close();
      for (const s of sockets) s.destroy();
      await rig.close();
    }
  });

  test("an upstream error event that echoes the key is not forwarded: the client gets the door's scrubbed error", async () => {
    // A raw Anthropic upstream: two text deltas, then an error event quoting the key.
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const ev = (name: string, data: unknown): string => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
        res.end(
          ev('message_start', {
            type: 'message_start',
            message: { id: 'msg_x', type: 'message', role: 'assistant', model: 'm', content: [], usage: { input_tokens: 3, output_tokens: 1 } },
          }) +
            ev('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }) +
            ev('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'partial ' } }) +
            ev('error', { type: 'error', error: { type: 'api_error', message: `internal error for key ${KEY}` } }),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const client = createClient(
      { retries: { maxRetries: 0 }, providers: [{ id: 'anthropic', baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1` }] },
      { env: { ANTHROPIC_API_KEY: KEY }, catalogCacheFile: null },
    );
    const gw = await startGateway({ client, token: TOKEN, secrets: [KEY] });
    try {
      const res = await fetch(`${root(gw)}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': TOKEN, 'content-type': 'application/json' },
        body: JSON.stringify({ model: CLAUDE, max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'x' }] }),
      });
      const all = await res.text();
      assert.ok(all.includes('partial '), 'the text before the error is kept');
      assert.ok(!all.includes(KEY), 'the key never reaches the client');
      assert.match(all, /event: error\ndata: \{"type":"error","error":\{"type":"api_error"/);
    } finally {
      await gw.close();
      await client.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  test("forwarded with what only the upstream understands: an unknown parameter (Claude Code's context_management), top_k and the anthropic-beta header go as sent, without the translation's warnings", async () => {
    const rig = await startRig();
    try {
      rig.anthropic.enqueue({ text: 'ok' });
      const body = {
        model: CLAUDE,
        max_tokens: 100,
        stream: true,
        top_k: 5,
        context_management: { edits: [{ type: 'clear_tool_uses_20250919' }] },
        messages: [{ role: 'user', content: 'x' }],
      };
      const res = await fetch(`${root(rig.fast)}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': TOKEN, 'content-type': 'application/json', 'anthropic-beta': 'context-management-2025-06-27' },
        body: JSON.stringify(body),
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-switchboard-warnings'), null, 'nothing was left out');
      assert.match(await res.text(), /message_stop/);
      const up = rig.anthropic.requests.at(-1)!;
      assert.deepEqual(up.body, { ...body, model: 'claude-sonnet-4-5' });
      assert.equal(up.headers['anthropic-beta'], 'context-management-2025-06-27');
      assert.notEqual(up.headers['x-api-key'], TOKEN, "the provider's key, not the gateway token");
      // Translated (to a Chat Completions model), the same request says what was left out.
      rig.openai.enqueue({ text: 'ok' });
      const t = await fetch(`${root(rig.fast)}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': TOKEN, 'content-type': 'application/json' },
        body: JSON.stringify({ ...body, model: GPT }),
      });
      await t.text();
      assert.match(String(t.headers.get('x-switchboard-warnings')), /context_management.*top_k/);
      // Translated for an Anthropic model (fast path off): it gets top_k, so only context_management is said.
      rig.anthropic.enqueue({ text: 'ok' });
      const a = await fetch(`${root(rig.full)}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': TOKEN, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      await a.text();
      assert.equal(rig.anthropic.requests.at(-1)!.body.top_k, 5);
      const said = JSON.parse(String(a.headers.get('x-switchboard-warnings'))) as string[];
      assert.ok(
        said.some((x) => x.includes('context_management')),
        JSON.stringify(said),
      );
      assert.ok(!said.some((x) => x.includes('top_k')), JSON.stringify(said));
    } finally {
      await rig.close();
    }
  });

  test('Claude Code on Opus 4.7: output_config {effort: "xhigh", task_budget} goes to the Anthropic model as sent, no warning; translated to a Responses model, effort is its "xhigh" and task_budget a warning', async () => {
    const rig = await startRig();
    try {
      rig.anthropic.enqueue({ text: 'ok' });
      const body = {
        model: 'anthropic/claude-opus-4-7',
        max_tokens: 100,
        thinking: { type: 'adaptive' },
        output_config: { effort: 'xhigh', task_budget: { type: 'tokens', total: 64000 } },
        messages: [{ role: 'user', content: 'x' }],
      };
      const send = (b: object) =>
        fetch(`${root(rig.fast)}/v1/messages`, {
          method: 'POST',
          headers: { 'x-api-key': TOKEN, 'content-type': 'application/json', 'anthropic-beta': 'task-budgets-2026-03-13' },
          body: JSON.stringify(b),
        });
      const res = await send(body);
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal(res.headers.get('x-switchboard-warnings'), null, 'nothing was left out');
      await res.arrayBuffer();
      assert.deepEqual(rig.anthropic.requests.at(-1)!.body, { ...body, model: 'claude-opus-4-7' });
      rig.responses.enqueue({ text: 'ok' });
      const t = await send({ ...body, model: RESP });
      assert.equal(t.status, 200, await t.clone().text());
      await t.arrayBuffer();
      const warnings = JSON.parse(t.headers.get('x-switchboard-warnings') ?? '[]') as string[];
      assert.ok(
        warnings.some((w) => w.includes('output_config.effort "xhigh"')),
        warnings.join('\n'),
      );
      assert.ok(
        warnings.some((w) => w.includes('output_config.task_budget')),
        warnings.join('\n'),
      );
      assert.equal((rig.responses.requests.at(-1)!.body as { reasoning: { effort: string } }).reasoning.effort, 'xhigh');
    } finally {
      await rig.close();
    }
  });

  test("a forwarded non-streamed answer is not cut by a route's first-token watchdog (it has no first token before its end)", async () => {
    const rig = await startRig({ routes: [{ id: 'slow', models: [CLAUDE], firstTokenTimeoutMs: 100 }] });
    try {
      rig.anthropic.enqueue({ text: 'late but whole', delayBeforeHeadersMs: 400 });
      const m = await anthropicSdk(rig.fast).messages.create({ model: 'route/slow', max_tokens: 100, messages: [{ role: 'user', content: 'x' }] });
      assert.deepEqual(m.content, [{ type: 'text', text: 'late but whole' }]);
      assert.equal(rig.anthropic.requests.at(-1)!.body.stream, undefined, 'forwarded as sent (not streamed)');
    } finally {
      await rig.close();
    }
  });

  test('non-streamed chat completions on a route: the first model (Chat Completions) gets the body as sent and fails; the fallback (Anthropic) is translated', async () => {
    const rig = await startRig({ routes: [{ id: 'mix', models: [GPT, CLAUDE] }] });
    try {
      rig.openai.enqueue({ status: 500 });
      rig.anthropic.enqueue({ text: 'from claude', usage: { input: 9, output: 3 } });
      const body = { model: 'route/mix', messages: [{ role: 'user' as const, content: 'x' }], seed: 3 };
      const c = await openaiSdk(rig.fast).chat.completions.create(body);
      assert.deepEqual(rig.openai.requests.at(-1)!.body, { ...body, model: 'gpt-4o-mini' }, 'the first attempt forwarded as sent');
      const toClaude = rig.anthropic.requests.at(-1)!.body;
      assert.equal(toClaude.stream, true, 'the fallback translated (the adapter streams)');
      assert.equal(toClaude.seed, undefined);
      assert.equal(c.choices[0]!.message.content, 'from claude');
      assert.equal(c.model, CLAUDE);
      assert.equal(c.usage?.prompt_tokens, 9);
      await waitFor(() => rig.ledger.entries.length === 1);
      assert.equal(rig.ledger.entries[0]!.answeredBy, CLAUDE);
      assert.equal(rig.ledger.entries[0]!.outputTokens, 3);
      await waitFor(() => rig.logs.some((l) => l.includes('POST /v1/chat/completions 200')));
      assert.ok(!rig.logs.some((l) => l.includes('forwarded as sent')), rig.logs.join('\n'));
    } finally {
      await rig.close();
    }
  });

  test('non-streamed chat completions forwarded: the answer-size cap and key scrubbing still hold', async () => {
    const rig = await startRig({ limits: { maxAnswerChars: 10 } });
    try {
      rig.openai.enqueue({ text: TEXT }, { status: 401, errorMessage: `Incorrect API key provided: ${KEY}` });
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`${rig.fast.url}/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: GPT, messages: [{ role: 'user', content: 'x' }] }),
        });
        const text = await res.text();
        assert.ok(res.status >= 400, `${res.status} ${text}`);
        assert.ok(!text.includes(TEXT) && !text.includes(KEY), text);
        if (i === 0) assert.match(text, /maxAnswerChars/);
        assert.equal(rig.openai.requests.at(-1)!.body.stream, undefined, 'forwarded as sent (not streamed)');
      }
    } finally {
      await rig.close();
    }
  });

  test("tool namespaces (Codex's MCP and sub-agent groups) go to a Responses model as sent, and its namespaced call comes back as the model made it; a model of another protocol gets them flattened and its call mapped back", async () => {
    const rig = await startRig();
    try {
      const tools = [
        { type: 'function', name: 'shell', parameters: { type: 'object' } },
        { type: 'namespace', name: 'fs', description: 'Files', tools: [{ type: 'function', name: 'read', parameters: { type: 'object' } }] },
      ];
      const send = (body: object) =>
        fetch(`${rig.fast.url}/responses`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      rig.responses.enqueue({ toolCall: { callId: 'call_1', name: 'read', namespace: 'fs', arguments: '{"path":"a.txt"}' } });
      const first = { model: RESP, input: 'read a.txt', tools, stream: false };
      const r1 = await send(first);
      assert.equal(r1.status, 200, await r1.clone().text());
      assert.equal(r1.headers.get('x-switchboard-warnings'), null);
      assert.deepEqual(rig.responses.requests.at(-1)!.body, { ...first, model: 'gpt-5', store: false }, 'forwarded as sent (store off)');
      const out1 = ((await r1.json()) as { output: { type: string; name?: string; namespace?: string }[] }).output;
      const call = out1.find((o) => o.type === 'function_call')!;
      assert.deepEqual([call.name, call.namespace], ['read', 'fs']);
      // The next turn carries the namespaced call and its output: as sent again.
      rig.responses.enqueue({ text: 'done' });
      const second = {
        model: RESP,
        tools,
        stream: false,
        input: [
          { role: 'user', content: 'read a.txt' },
          { type: 'function_call', call_id: 'call_1', name: 'read', namespace: 'fs', arguments: '{"path":"a.txt"}' },
          { type: 'function_call_output', call_id: 'call_1', output: 'hello' },
        ],
      };
      const r2 = await send(second);
      assert.equal(r2.status, 200, await r2.clone().text());
      await r2.arrayBuffer();
      assert.deepEqual(rig.responses.requests.at(-1)!.body, { ...second, model: 'gpt-5', store: false });
      await waitFor(() => rig.ledger.entries.length === 2);
      // Another protocol: flattened to fs__read, and its call given back in the namespace.
      rig.openai.enqueue({ toolCall: { id: 'call_2', name: 'fs__read', arguments: '{"path":"b.txt"}' } });
      const r3 = await send({ ...first, model: GPT });
      assert.equal(r3.status, 200, await r3.clone().text());
      assert.deepEqual(
        (rig.openai.requests.at(-1)!.body.tools as { function: { name: string } }[]).map((t) => t.function.name),
        ['shell', 'fs__read'],
      );
      const out3 = ((await r3.json()) as { output: { type: string; name?: string; namespace?: string }[] }).output;
      const call3 = out3.find((o) => o.type === 'function_call')!;
      assert.deepEqual([call3.name, call3.namespace], ['read', 'fs']);
    } finally {
      await rig.close();
    }
  });

  test('not forwarded: a model of another protocol', async () => {
    const rig = await startRig();
    try {
      rig.openai.enqueue({ text: 'c' });
      const m = await anthropicSdk(rig.fast)
        .messages.stream({ model: GPT, max_tokens: 100, messages: [{ role: 'user', content: 'x' }] })
        .finalMessage();
      assert.equal(m.model, GPT, 'a Chat Completions model answers through the translating path');
      assert.ok(rig.openai.requests.at(-1)!.body.messages, 'the upstream got Chat Completions');
      await waitFor(() => rig.logs.some((l) => / POST \/v1\/messages 200/.test(l)));
      assert.ok(!rig.logs.some((l) => l.includes('forwarded as sent')), rig.logs.join('\n'));
    } finally {
      await rig.close();
    }
  });
});

describe('doors fast path: hosted and server tools reach a model of the door protocol as sent', () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig({ routes: [{ id: 'gpt-then-claude', models: [GPT, CLAUDE] }], capabilities: { [CODEX]: { imageInput: true } } });
  });
  after(() => rig.close());

  const post = (g: Gateway, door: 'messages' | 'responses', body: unknown): Promise<Response> =>
    fetch(`${g.url}/${door}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'x-api-key': TOKEN, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  /** The gateway's log line for the last request to `path` (written once the response is over). */
  const lastLine = async (path: string, before: number): Promise<string> => {
    await waitFor(() => rig.logs.slice(before).some((l) => l.includes(`POST ${path} `)));
    return rig.logs.slice(before).findLast((l) => l.includes(`POST ${path} `))!;
  };

  const WEB_SEARCH = {
    type: 'web_search',
    search_context_size: 'low',
    user_location: { type: 'approximate', country: 'GB', city: 'London' },
    filters: { allowed_domains: ['example.com'] },
  };
  const READ_FILE = { type: 'function', name: 'read_file', parameters: { type: 'object', properties: { path: { type: 'string' } } } };

  test('responses → a Responses model (Codex on gpt-5-codex): web_search goes as sent, the web_search_call item comes back, no warning; streamed and not', async () => {
    const body = { model: CODEX, input: 'Where does the fox nap?', tools: [WEB_SEARCH, READ_FILE] };
    const sc = { webSearch: { query: 'fox nap' }, text: 'In the sun.' };
    rig.responses.enqueue(sc, sc);
    const sdk = openaiSdk(rig.fast);

    let logs = rig.logs.length;
    const { data: stream, response } = await sdk.responses
      .create({ ...body, stream: true } as unknown as OpenAI.Responses.ResponseCreateParamsStreaming)
      .withResponse();
    const done: unknown[] = [];
    const types: string[] = [];
    for await (const e of stream) {
      types.push(e.type);
      if (e.type === 'response.output_item.done') done.push(e.item);
    }
    assert.equal(response.headers.get('x-switchboard-warnings'), null);
    assert.deepEqual(rig.responses.requests.at(-1)!.body.tools, body.tools, 'the upstream got the hosted tool exactly');
    assert.deepEqual(done[0], { type: 'web_search_call', id: 'ws_1', status: 'completed', action: { type: 'search', query: 'fox nap' } });
    assert.ok(types.includes('response.web_search_call.searching'), types.join());
    assert.match(await lastLine('/v1/responses', logs), / 200 .*\(forwarded as sent\)/);

    logs = rig.logs.length;
    const res = await post(rig.fast, 'responses', body);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-switchboard-warnings'), null);
    const answer = (await res.json()) as { output: { type: string; action?: unknown }[] };
    assert.deepEqual(
      answer.output.map((o) => o.type),
      ['web_search_call', 'message'],
    );
    assert.deepEqual(answer.output[0]!.action, { type: 'search', query: 'fox nap' });
    assert.deepEqual(rig.responses.requests.at(-1)!.body.tools, body.tools);
    assert.match(await lastLine('/v1/responses', logs), / 200 .*\(forwarded as sent\)/);
  });

  test('hosted web searches are in the cost: a Responses web_search_call and Anthropic web_search_requests, $0.01 each on top of the tokens, streamed and not', async () => {
    const sc = { webSearch: { query: 'fox nap' }, text: 'In the sun.' };
    rig.responses.enqueue(sc, sc);
    for (const stream of [true, false]) {
      const res = await post(rig.fast, 'responses', { model: CODEX, input: 'Where does the fox nap?', tools: [WEB_SEARCH], stream });
      assert.equal(res.status, 200);
      await res.text();
      const e = rig.ledger.entries.at(-1)!;
      assert.equal(e.webSearches, 1, `stream ${stream}`);
      assert.equal(e.costEstimated, false);
      // 10 in × $1.25 + 5 out × $10 per 1M, and one search at $0.01.
      assert.equal(e.costUsd, 0.0100625);
    }
    const claudePrice = lookupDbModel('anthropic', CLAUDE.slice('anthropic/'.length))!.price!;
    assert.equal(claudePrice.webSearch, 0.01, "the price database's $10 per 1,000 searches");
    const webSearch = { type: 'web_search_20250305', name: 'web_search', max_uses: 2 };
    const asc = { webSearch: { query: 'fox nap', results: [{ url: 'https://example.com/fox', title: 'Fox' }] }, text: 'In the sun.' };
    rig.anthropic.enqueue(asc, asc);
    for (const stream of [true, false]) {
      const res = await post(rig.fast, 'messages', {
        model: CLAUDE,
        max_tokens: 200,
        messages: [{ role: 'user', content: 'Where?' }],
        tools: [webSearch],
        stream,
      });
      assert.equal(res.status, 200);
      await res.text();
      const e = rig.ledger.entries.at(-1)!;
      assert.equal(e.webSearches, 1, `stream ${stream}`);
      assert.equal(e.costEstimated, false);
      const tokens = computeCost({ ...e, webSearches: 0 }, claudePrice)!;
      assert.ok(Math.abs(e.costUsd! - (tokens + 0.01)) < 1e-12, `${e.costUsd} = ${tokens} + 0.01`);
    }
  });

  test("hosted tools whose fees the price database has no price for (code_interpreter, file_search, image_generation, Anthropic's code_execution): the answer says their fees are not counted (header and log), and its ledger entry is an estimate; streamed and not", async () => {
    const cases = [
      [
        'responses',
        rig.responses,
        { model: CODEX, input: 'Run it.', tools: [{ type: 'code_interpreter', container: { type: 'auto' } }] },
        ['code_interpreter'],
      ],
      [
        'responses',
        rig.responses,
        { model: RESP, input: 'Draw it.', tools: [{ type: 'file_search', vector_store_ids: ['vs_1'] }, { type: 'image_generation' }, READ_FILE] },
        ['file_search', 'image_generation'],
      ],
      [
        'messages',
        rig.anthropic,
        {
          model: CLAUDE,
          max_tokens: 200,
          messages: [{ role: 'user', content: 'Run it.' }],
          tools: [{ type: 'code_execution_20250825', name: 'code_execution' }],
        },
        ['code_execution'],
      ],
    ] as const;
    for (const [door, upstream, body, tools] of cases)
      for (const stream of [true, false]) {
        const what = `${door} ${tools.join(', ')} stream ${stream}`;
        upstream.enqueue({ text: 'Done.', usage: { input: 10, output: 5 } });
        const logs = rig.logs.length;
        const entries = rig.ledger.entries.length;
        const res = await post(rig.fast, door, { ...body, stream });
        const text = await res.text();
        assert.equal(res.status, 200, `${what}: ${text}`);
        const said = JSON.parse(res.headers.get('x-switchboard-warnings') ?? '[]') as string[];
        const warning = said.find((w) => w.includes('not counted'));
        assert.ok(warning, `${what}: ${JSON.stringify(said)}`);
        for (const t of tools) assert.ok(warning.includes(t), `${what}: ${warning}`);
        assert.match(warning, /estimate/);
        await waitFor(() => rig.ledger.entries.length > entries);
        const e = rig.ledger.entries.at(-1)!;
        assert.equal(e.costEstimated, true, what);
        assert.ok(e.costUsd !== null && e.costUsd > 0, `${what}: the tokens are still counted`);
        await lastLine(door === 'messages' ? '/v1/messages' : '/v1/responses', logs);
        assert.ok(
          rig.logs.slice(logs).some((l) => l.includes('not counted') && tools.every((t) => l.includes(t))),
          `${what}: ${rig.logs.slice(logs).join('\n')}`,
        );
      }
    // A hosted tool whose fee is priced (web search) says nothing of the kind.
    rig.responses.enqueue({ text: 'ok' });
    const res = await post(rig.fast, 'responses', { model: CODEX, input: 'x', tools: [WEB_SEARCH] });
    assert.equal(res.status, 200);
    await res.text();
    assert.equal(res.headers.get('x-switchboard-warnings'), null);
    assert.equal(rig.ledger.entries.at(-1)!.costEstimated, false);
  });

  test('responses → a Chat Completions model: web_search left out with the warning, the function tool kept (translated)', async () => {
    rig.openai.enqueue({ text: 'no search' });
    const logs = rig.logs.length;
    const res = await post(rig.fast, 'responses', { model: GPT, input: 'x', tools: [WEB_SEARCH, READ_FILE] });
    assert.equal(res.status, 200);
    assert.match(String(res.headers.get('x-switchboard-warnings')), /hosted tool \\"web_search\\" runs inside OpenAI's API and was left out/);
    assert.deepEqual(
      (rig.openai.requests.at(-1)!.body.tools as { function: { name: string } }[]).map((t) => t.function.name),
      ['read_file'],
    );
    assert.doesNotMatch(await lastLine('/v1/responses', logs), /forwarded as sent/);
  });

  test('responses: text.verbosity and prompt_cache_key go to a Responses model as sent; translated for another model, each is a warning, not a silent drop', async () => {
    const body = { input: 'x', text: { verbosity: 'low' }, prompt_cache_key: 'session-1' };
    rig.responses.enqueue({ text: 'short' });
    const fwd = await post(rig.fast, 'responses', { model: RESP, ...body });
    assert.equal(fwd.status, 200);
    assert.equal(fwd.headers.get('x-switchboard-warnings'), null);
    const sent = rig.responses.requests.at(-1)!.body;
    assert.deepEqual(sent.text, { verbosity: 'low' });
    assert.equal(sent.prompt_cache_key, 'session-1');
    for (const [model, fake] of [
      [GPT, rig.openai],
      [CLAUDE, rig.anthropic],
    ] as const) {
      fake.enqueue({ text: 'short' });
      const res = await post(rig.fast, 'responses', { model, ...body });
      assert.equal(res.status, 200);
      const warnings = JSON.parse(String(res.headers.get('x-switchboard-warnings'))) as string[];
      assert.ok(
        warnings.some((x) => /^text\.verbosity \("low"\) is honoured only by a model served over the Responses API/.test(x)),
        JSON.stringify(warnings),
      );
      assert.ok(
        warnings.some((x) => /^prompt_cache_key is not forwarded/.test(x)),
        JSON.stringify(warnings),
      );
      // The response object echoes the verbosity asked for, as OpenAI's does.
      assert.deepEqual(((await res.json()) as { text: unknown }).text, { format: { type: 'text' }, verbosity: 'low' });
    }
  });

  test('messages: thinking.display goes to an Anthropic model as sent, with no warning', async () => {
    const thinking = { type: 'enabled', budget_tokens: 1024, display: 'omitted' };
    rig.anthropic.enqueue({ reasoning: 'plan', text: 'ok' });
    const res = await post(rig.fast, 'messages', { model: CLAUDE, max_tokens: 2000, thinking, messages: [{ role: 'user', content: 'x' }] });
    assert.equal(res.status, 200);
    await res.text();
    assert.equal(res.headers.get('x-switchboard-warnings'), null);
    assert.deepEqual(rig.anthropic.requests.at(-1)!.body.thinking, thinking);
  });

  test('responses: prompt_cache_key translated for a Responses model reaches it with no warning; for a model of another protocol the warning is in the header and the log', async () => {
    const said = (res: Response): string[] => JSON.parse(res.headers.get('x-switchboard-warnings') ?? '[]') as string[];
    const cacheWarning = (l: string): boolean => l.includes('prompt_cache_key is not forwarded');
    for (const stream of [false, true]) {
      // The fast path off: the request is translated, and the Responses adapter sends the key.
      const logged = rig.logs.length;
      rig.responses.enqueue({ text: 'ok' });
      const res = await post(rig.full, 'responses', { model: RESP, input: 'x', prompt_cache_key: 'session-2', stream });
      assert.equal(res.status, 200);
      await res.text();
      assert.equal(rig.responses.requests.at(-1)!.body.prompt_cache_key, 'session-2');
      assert.deepEqual(said(res).filter(cacheWarning), [], `stream ${stream}`);
      assert.deepEqual(rig.logs.slice(logged).filter(cacheWarning), [], `stream ${stream}`);

      // Translated for Anthropic: left out, and said.
      const before = rig.logs.length;
      rig.anthropic.enqueue({ text: 'ok' });
      const other = await post(rig.full, 'responses', { model: CLAUDE, input: 'x', prompt_cache_key: 'session-2', stream });
      assert.equal(other.status, 200);
      await other.text();
      assert.equal(rig.anthropic.requests.at(-1)!.body.prompt_cache_key, undefined);
      assert.equal(said(other).filter(cacheWarning).length, 1, `stream ${stream}`);
      assert.ok(rig.logs.slice(before).some(cacheWarning), `stream ${stream}`);
    }
  });

  test('responses: a text.verbosity that is not low, medium or high is refused, naming it', async () => {
    const res = await post(rig.fast, 'responses', { model: GPT, input: 'x', text: { verbosity: 'terse' } });
    assert.equal(res.status, 400);
    const e = ((await res.json()) as { error: { param: string; message: string } }).error;
    assert.equal(e.param, 'text.verbosity');
    assert.match(e.message, /must be "low", "medium" or "high"/);
  });

  test("a PDF in a tool_result (Claude Code's Read of a .pdf) goes to an Anthropic model as sent; another model refuses it, naming the block", async () => {
    const pdf = { type: 'document' as const, source: { type: 'base64' as const, media_type: 'application/pdf' as const, data: 'JVBERi0xLjQK' } };
    const messages: Anthropic.MessageParam[] = [
      { role: 'user', content: 'Summarise report.pdf' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_read1', name: 'Read', input: { file_path: 'report.pdf' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_read1', content: [pdf] }] },
    ];
    const tools = [{ name: 'Read', input_schema: { type: 'object' as const, properties: { file_path: { type: 'string' } } } }];
    rig.anthropic.enqueue({ text: 'A short report.' });
    const m = await anthropicSdk(rig.fast).messages.create({ model: CLAUDE, max_tokens: 50, tools, messages });
    assert.deepEqual(m.content, [{ type: 'text', text: 'A short report.' }]);
    const sent = rig.anthropic.requests.at(-1)!.body as { messages: { content: { content?: unknown }[] }[] };
    assert.deepEqual(sent.messages[2]!.content[0]!.content, [pdf]);

    const upstream = (): number => rig.anthropic.requests.length + rig.openai.requests.length + rig.responses.requests.length;
    const before = upstream();
    await assert.rejects(anthropicSdk(rig.fast).messages.create({ model: GPT, max_tokens: 50, tools, messages }), (e: unknown) => {
      assert.ok(e instanceof Anthropic.BadRequestError, String(e));
      assert.match(
        (e.error as { error: { message: string } }).error.message,
        /^messages\[2\]\.content\[0\]\.content\[0\]: a tool_result holding a "document" block cannot be translated for another model.*only an Anthropic model/,
      );
      return true;
    });
    assert.equal(upstream(), before);

    // A text document is its text, for any model.
    rig.openai.enqueue({ text: 'Read it.' });
    const textDoc = { type: 'document' as const, source: { type: 'text' as const, media_type: 'text/plain' as const, data: 'the report text' } };
    const ok = await anthropicSdk(rig.fast).messages.create({
      model: GPT,
      max_tokens: 50,
      tools,
      messages: [messages[0]!, messages[1]!, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_read1', content: [textDoc] }] }],
    });
    assert.deepEqual(ok.content, [{ type: 'text', text: 'Read it.' }]);
    assert.match(JSON.stringify(rig.openai.requests.at(-1)!.body.messages), /the report text/);
  });

  test('an assistant block type the gateway does not know (a compaction summary) goes to an Anthropic model as sent; another model refuses it, naming the block', async () => {
    const compaction = { type: 'compaction', content: 'Summary of the earlier turns.' };
    const body = {
      max_tokens: 50,
      messages: [
        { role: 'user', content: 'Go on' },
        { role: 'assistant', content: [compaction, { type: 'text', text: 'Where was I?' }] },
        { role: 'user', content: 'Continue.' },
      ],
    };
    rig.anthropic.enqueue({ text: 'Continuing.' });
    const ok = await post(rig.fast, 'messages', { model: CLAUDE, ...body });
    assert.equal(ok.status, 200, await ok.clone().text());
    assert.deepEqual((rig.anthropic.requests.at(-1)!.body as { messages: { content: unknown[] }[] }).messages[1]!.content[0], compaction);
    const before = rig.openai.requests.length;
    const refused = await post(rig.fast, 'messages', { model: GPT, ...body });
    assert.equal(refused.status, 400);
    const e = (await refused.json()) as { error: { type: string; message: string } };
    assert.equal(e.error.type, 'invalid_request_error');
    assert.match(e.error.message, /^messages\[1\]\.content\[0\]: content block type "compaction" in an assistant turn cannot be translated for another model/);
    assert.equal(rig.openai.requests.length, before);
  });

  test("responses: a compaction item (Codex's compacted history) and an image by file_id go to a Responses model as sent; another model refuses them, naming the item", async () => {
    const compaction = { type: 'compaction', id: 'cmp_1', encrypted_content: 'ENCRYPTED_SUMMARY' };
    const input = [
      compaction,
      {
        role: 'user',
        content: [
          { type: 'input_text', text: 'And this picture?' },
          { type: 'input_image', file_id: 'file-abc123', detail: 'auto' },
        ],
      },
    ];
    rig.responses.enqueue({ text: 'A fox.' });
    const ok = await post(rig.fast, 'responses', { model: CODEX, input });
    assert.equal(ok.status, 200, await ok.clone().text());
    assert.equal(((await ok.json()) as { output: { content?: { text: string }[] }[] }).output[0]!.content![0]!.text, 'A fox.');
    assert.deepEqual((rig.responses.requests.at(-1)!.body.input as unknown[])[0], compaction);

    const before = rig.openai.requests.length;
    const refused = await post(rig.fast, 'responses', { model: GPT, input });
    assert.equal(refused.status, 400);
    const e = ((await refused.json()) as { error: { param: string; message: string } }).error;
    assert.equal(e.param, 'input[0]');
    assert.match(
      e.message,
      /^input\[0\]: input item type "compaction" cannot be translated for another model; only a model served over OpenAI's Responses API/,
    );
    const image = await post(rig.fast, 'responses', { model: GPT, input: input.slice(1) });
    assert.equal(image.status, 400);
    assert.match(((await image.json()) as { error: { message: string } }).error.message, /^input\[0\]\.content\[1\]: an image by file_id cannot be translated/);
    assert.equal(rig.openai.requests.length, before);
  });

  test('responses: a function_call_output whose output is a list (input_text, input_image, input_file) goes to a Responses model as sent; translated, text and images reach Anthropic, a file is refused naming the item', async () => {
    const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
    const call = { type: 'function_call', call_id: 'call_shot', name: 'screenshot', arguments: '{}' };
    const text = { type: 'input_text', text: 'The screen:' };
    const image = { type: 'input_image', image_url: `data:image/png;base64,${PNG}`, detail: 'high' };
    const file = { type: 'input_file', filename: 'log.pdf', file_data: 'data:application/pdf;base64,JVBERi0xLjQK' };
    const ask = (output: unknown[]): unknown[] => [
      { role: 'user', content: 'Take a screenshot' },
      call,
      { type: 'function_call_output', call_id: 'call_shot', output },
    ];
    const tools = [{ type: 'function', name: 'screenshot', parameters: { type: 'object', properties: {} } }];
    // A Responses model: the whole list as sent, the file too.
    rig.responses.enqueue({ text: 'A terminal.' });
    const ok = await post(rig.fast, 'responses', { model: CODEX, tools, input: ask([text, image, file]) });
    assert.equal(ok.status, 200, await ok.clone().text());
    assert.deepEqual((rig.responses.requests.at(-1)!.body.input as Record<string, unknown>[])[2], {
      type: 'function_call_output',
      call_id: 'call_shot',
      output: [text, image, file],
    });
    // Translated (the fast path off): the Responses upstream gets the text and the image as a list, not a refusal.
    rig.responses.enqueue({ text: 'A terminal.' });
    const full = await post(rig.full, 'responses', { model: CODEX, tools, input: ask([text, image]) });
    assert.equal(full.status, 200, await full.clone().text());
    assert.deepEqual((rig.responses.requests.at(-1)!.body.input as Record<string, unknown>[]).find((i) => i.type === 'function_call_output')?.output, [
      text,
      image,
    ]);
    // An Anthropic model: text and image in the tool_result.
    rig.anthropic.enqueue({ text: 'A terminal.' });
    const claude = await post(rig.fast, 'responses', { model: CLAUDE, tools, input: ask([text, image]) });
    assert.equal(claude.status, 200, await claude.clone().text());
    const messages = rig.anthropic.requests.at(-1)!.body.messages as { content: Record<string, unknown>[] }[];
    assert.deepEqual(messages.at(-1)!.content[0], {
      type: 'tool_result',
      tool_use_id: 'call_shot',
      content: [
        { type: 'text', text: 'The screen:' },
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
      ],
    });
    // A file in a function output: no translation; refused naming the item, nothing sent.
    const before = rig.anthropic.requests.length;
    const refused = await post(rig.fast, 'responses', { model: CLAUDE, tools, input: ask([text, file]) });
    assert.equal(refused.status, 400);
    const e = ((await refused.json()) as { error: { param: string; message: string } }).error;
    assert.equal(e.param, 'input[2].output[1]');
    assert.match(e.message, /^input\[2\]\.output\[1\]: a file in a function output cannot be translated for another model.*send the file in a user message/);
    // A type the API does not take there is a 400 naming it, whatever the model.
    const wrong = await post(rig.fast, 'responses', { model: CODEX, tools, input: ask([{ type: 'output_text', text: 'x' }]) });
    assert.equal(wrong.status, 400);
    assert.equal(((await wrong.json()) as { error: { param: string } }).error.param, 'input[2].output[0].type');
    assert.equal(rig.anthropic.requests.length, before);
  });

  test('messages → a Responses model: a tool_result of several text blocks is a function output of as many input_text items, not one glued text', async () => {
    rig.responses.enqueue({ text: 'Two files.' });
    const m = await anthropicSdk(rig.fast).messages.create({
      model: RESP,
      max_tokens: 100,
      tools: [{ name: 'Read', input_schema: { type: 'object' as const, properties: { path: { type: 'string' } } } }],
      messages: [
        { role: 'user', content: 'Read a.txt and b.txt' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'Read', input: { path: '*.txt' } }] },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 'toolu_1',
              content: [
                { type: 'text', text: 'a.txt: alpha' },
                { type: 'text', text: 'b.txt: beta' },
              ],
            },
          ],
        },
      ],
    });
    assert.deepEqual(m.content, [{ type: 'text', text: 'Two files.' }]);
    const input = rig.responses.requests.at(-1)!.body.input as Record<string, unknown>[];
    assert.deepEqual(
      input.find((i) => i.type === 'function_call_output'),
      {
        type: 'function_call_output',
        call_id: 'toolu_1',
        output: [
          { type: 'input_text', text: 'a.txt: alpha' },
          { type: 'input_text', text: 'b.txt: beta' },
        ],
      },
    );
  });

  test('image detail "original": as sent to an OpenAI model through the Chat and Responses doors (forwarded or translated); for Anthropic a warning, never a 400 nor silence', async () => {
    const url = 'https://example.com/fox.png';
    const chat = {
      model: GPT,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url, detail: 'original' } },
          ],
        },
      ],
    };
    const resp = {
      model: CODEX,
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'What is this?' },
            { type: 'input_image', image_url: url, detail: 'original' },
          ],
        },
      ],
    };
    const chatPost = (g: Gateway, body: unknown): Promise<Response> =>
      fetch(`${g.url}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    for (const g of [rig.fast, rig.full]) {
      rig.openai.enqueue({ text: 'A fox.' });
      const c = await chatPost(g, chat);
      assert.equal(c.status, 200, await c.clone().text());
      assert.equal(c.headers.get('x-switchboard-warnings'), null);
      const sent = (rig.openai.requests.at(-1)!.body.messages as { content: { image_url?: { detail?: string } }[] }[])[0]!.content[1]!;
      assert.equal(sent.image_url!.detail, 'original');
      rig.responses.enqueue({ text: 'A fox.' });
      const r = await post(g, 'responses', resp);
      assert.equal(r.status, 200, await r.clone().text());
      assert.equal(r.headers.get('x-switchboard-warnings'), null);
      const item = (rig.responses.requests.at(-1)!.body.input as { content: { detail?: string }[] }[]).at(-1)!;
      assert.equal(item.content[1]!.detail, 'original');
    }
    // Anthropic has no such setting: the answer comes, and says so.
    for (const [path, body] of [
      ['chat/completions', { ...chat, model: CLAUDE }],
      ['responses', { ...resp, model: CLAUDE }],
    ] as const) {
      rig.anthropic.enqueue({ text: 'A fox.' });
      const res = await fetch(`${rig.fast.url}/${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(res.status, 200, await res.clone().text());
      assert.match(String(res.headers.get('x-switchboard-warnings')), /the images asking for detail \\"original\\" were sent at Anthropic's own resolution/);
    }
    // A value OpenAI's API does not take is a 400 naming it.
    const bad = await post(rig.fast, 'responses', { ...resp, input: [{ role: 'user', content: [{ type: 'input_image', image_url: url, detail: 'huge' }] }] });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { param: string } }).error.param, 'input[0].content[0].detail');
  });

  test('tool_choice allowed_tools (Responses and Chat Completions): as sent to a model of the door protocol; translated, only the allowed tools are offered, with the mode; a tool not in tools is a 400 naming it', async () => {
    const LIST = { type: 'function', name: 'list_dir', parameters: { type: 'object', properties: {} } };
    const tools = [READ_FILE, LIST];
    const choice = { type: 'allowed_tools', mode: 'required', tools: [{ type: 'function', name: 'read_file' }] };
    const input = 'Read a.txt';
    // Responses → a Responses model: as sent.
    rig.responses.enqueue({ text: 'ok' });
    const fwd = await post(rig.fast, 'responses', { model: CODEX, input, tools, tool_choice: choice });
    assert.equal(fwd.status, 200, await fwd.clone().text());
    assert.deepEqual(rig.responses.requests.at(-1)!.body.tool_choice, choice);
    assert.equal(rig.responses.requests.at(-1)!.body.tools?.constructor, Array);
    assert.equal((rig.responses.requests.at(-1)!.body.tools as unknown[]).length, 2);
    // Translated: a Chat Completions model and an Anthropic model get the allowed tool only, its use required.
    rig.openai.enqueue({ text: 'ok' });
    const gpt = await post(rig.fast, 'responses', { model: GPT, input, tools, tool_choice: choice });
    assert.equal(gpt.status, 200, await gpt.clone().text());
    assert.equal(gpt.headers.get('x-switchboard-warnings'), null);
    const chatSent = rig.openai.requests.at(-1)!.body;
    assert.deepEqual(
      (chatSent.tools as { function: { name: string } }[]).map((t) => t.function.name),
      ['read_file'],
    );
    assert.equal(chatSent.tool_choice, 'required');
    rig.anthropic.enqueue({ text: 'ok' });
    const claude = await post(rig.fast, 'responses', { model: CLAUDE, input, tools, tool_choice: { ...choice, mode: 'auto' } });
    assert.equal(claude.status, 200, await claude.clone().text());
    const claudeSent = rig.anthropic.requests.at(-1)!.body;
    assert.deepEqual(
      (claudeSent.tools as { name: string }[]).map((t) => t.name),
      ['read_file'],
    );
    assert.deepEqual(claudeSent.tool_choice ?? { type: 'auto' }, { type: 'auto' });
    // Only a hosted tool required: a Responses model gets it; another model cannot honour it.
    const hosted = { type: 'allowed_tools', mode: 'required', tools: [{ type: 'web_search' }] };
    rig.responses.enqueue({ text: 'ok' });
    const h = await post(rig.fast, 'responses', { model: CODEX, input, tools: [READ_FILE, { type: 'web_search' }], tool_choice: hosted });
    assert.equal(h.status, 200, await h.clone().text());
    const hRefused = await post(rig.fast, 'responses', { model: GPT, input, tools: [READ_FILE, { type: 'web_search' }], tool_choice: hosted });
    assert.equal(hRefused.status, 400);
    assert.match(((await hRefused.json()) as { error: { message: string } }).error.message, /^tool_choice: requires a call of "web_search"/);
    // A tool not in tools: refused, naming it.
    const bad = await post(rig.fast, 'responses', { model: CODEX, input, tools, tool_choice: { ...choice, tools: [{ type: 'function', name: 'rm' }] } });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { param: string } }).error.param, 'tool_choice.tools[0].name');

    // Chat Completions: the same, in its own shape.
    const chatTools = tools.map(({ type, name, parameters }) => ({ type, function: { name, parameters } }));
    const chatChoice = { type: 'allowed_tools', allowed_tools: { mode: 'auto', tools: [{ type: 'function', function: { name: 'list_dir' } }] } };
    const chatPost = (g: Gateway, body: unknown): Promise<Response> =>
      fetch(`${g.url}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const chatBody = { model: GPT, messages: [{ role: 'user', content: input }], tools: chatTools, tool_choice: chatChoice };
    rig.openai.enqueue({ text: 'ok' });
    const cf = await chatPost(rig.fast, chatBody);
    assert.equal(cf.status, 200, await cf.clone().text());
    assert.deepEqual(rig.openai.requests.at(-1)!.body.tool_choice, chatChoice);
    assert.equal((rig.openai.requests.at(-1)!.body.tools as unknown[]).length, 2);
    rig.openai.enqueue({ text: 'ok' });
    const ct = await chatPost(rig.full, chatBody);
    assert.equal(ct.status, 200, await ct.clone().text());
    assert.equal(ct.headers.get('x-switchboard-warnings'), null);
    assert.deepEqual(
      (rig.openai.requests.at(-1)!.body.tools as { function: { name: string } }[]).map((t) => t.function.name),
      ['list_dir'],
    );
    assert.equal(rig.openai.requests.at(-1)!.body.tool_choice, 'auto');
    rig.anthropic.enqueue({ text: 'ok' });
    const cc = await chatPost(rig.fast, {
      ...chatBody,
      model: CLAUDE,
      tool_choice: { ...chatChoice, allowed_tools: { ...chatChoice.allowed_tools, mode: 'required' } },
    });
    assert.equal(cc.status, 200, await cc.clone().text());
    assert.deepEqual(
      (rig.anthropic.requests.at(-1)!.body.tools as { name: string }[]).map((t) => t.name),
      ['list_dir'],
    );
    assert.deepEqual(rig.anthropic.requests.at(-1)!.body.tool_choice, { type: 'any' });
    const cbad = await chatPost(rig.fast, {
      ...chatBody,
      tool_choice: { type: 'allowed_tools', allowed_tools: { mode: 'auto', tools: [{ type: 'function', function: { name: 'rm' } }] } },
    });
    assert.equal(cbad.status, 400);
    assert.match(await cbad.text(), /tool_choice\.allowed_tools\.tools\[0\]: allows the tool \\"rm\\", which is not in tools/);
  });

  test('responses: a tool_choice forcing web_search, and a web_search_call item in the input, go to a Responses model as sent; a Chat Completions model refuses them', async () => {
    const history = [
      { role: 'user', content: 'Where does the fox nap?' },
      { type: 'web_search_call', id: 'ws_1', status: 'completed', action: { type: 'search', query: 'fox nap' } },
      { role: 'assistant', content: [{ type: 'output_text', text: 'In the sun.' }] },
      { role: 'user', content: 'Search again.' },
    ];
    const body = { model: CODEX, input: history, tools: [WEB_SEARCH], tool_choice: { type: 'web_search' } };
    rig.responses.enqueue({ webSearch: { query: 'fox nap again' }, text: 'Still the sun.' });
    const res = await post(rig.fast, 'responses', body);
    assert.equal(res.status, 200, await res.clone().text());
    const sent = rig.responses.requests.at(-1)!.body;
    assert.deepEqual({ input: sent.input, tool_choice: sent.tool_choice }, { input: history, tool_choice: body.tool_choice });
    const before = rig.openai.requests.length;
    for (const [extra, message] of [
      [{ input: 'x' }, /tool_choice: forces the tool type "web_search"/],
      [{ tool_choice: 'auto' }, /input\[1\]: input item type "web_search_call" .*only a model served over OpenAI's Responses API .*gets it, as sent/],
    ] as const) {
      const r = await post(rig.fast, 'responses', { ...body, ...extra, model: GPT });
      assert.equal(r.status, 400);
      const e = (await r.json()) as { error: { message: string; type: string } };
      assert.equal(e.error.type, 'invalid_request_error');
      assert.match(e.error.message, message);
    }
    assert.equal(rig.openai.requests.length, before, 'nothing went to the Chat Completions upstream');
  });

  test('responses: file_search goes to a Responses model as sent; to a Chat Completions model, or with the fast path off, it is refused (400, naming the tool and the fix)', async () => {
    const fileSearch = { type: 'file_search', vector_store_ids: ['vs_1'], max_num_results: 4 };
    rig.responses.enqueue({ text: 'from your files' });
    const ok = await post(rig.fast, 'responses', { model: RESP, input: 'x', tools: [fileSearch] });
    assert.equal(ok.status, 200, await ok.clone().text());
    assert.deepEqual(rig.responses.requests.at(-1)!.body.tools, [fileSearch]);
    const before = rig.openai.requests.length + rig.responses.requests.length;
    for (const [g, model] of [
      [rig.fast, GPT],
      [rig.full, RESP],
    ] as const) {
      const r = await post(g, 'responses', { model, input: 'x', tools: [fileSearch] });
      assert.equal(r.status, 400);
      const e = (await r.json()) as { error: { message: string; type: string; param: string | null } };
      assert.equal(e.error.type, 'invalid_request_error');
      assert.equal(e.error.param, 'tools[0]');
      assert.match(
        e.error.message,
        /^tools\[0\]: hosted tool "file_search" cannot be translated for another model: .*only a model served over OpenAI's Responses API .*gets it, as sent; for another model, put the documents in the input$/,
      );
    }
    assert.equal(rig.openai.requests.length + rig.responses.requests.length, before, 'nothing went upstream');
  });

  test('messages → an Anthropic model: web_search_20250305 goes as sent (streamed), its server_tool_use and web_search_tool_result blocks come back; code_execution too (not streamed)', async () => {
    const webSearch = {
      type: 'web_search_20250305',
      name: 'web_search',
      max_uses: 2,
      allowed_domains: ['example.com'],
      user_location: { type: 'approximate', country: 'GB' },
    };
    rig.anthropic.enqueue({ webSearch: { query: 'fox nap', results: [{ url: 'https://example.com/fox', title: 'Fox' }] }, text: 'In the sun.' });
    let logs = rig.logs.length;
    const sdk = anthropicSdk(rig.fast);
    const { data: stream, response } = await sdk.messages
      .stream({
        model: CLAUDE,
        max_tokens: 200,
        messages: [{ role: 'user', content: 'Where does the fox nap?' }],
        tools: [webSearch] as unknown as Anthropic.ToolUnion[],
      })
      .withResponse();
    const m = await stream.finalMessage();
    assert.equal(response.headers.get('x-switchboard-warnings'), null);
    assert.deepEqual(rig.anthropic.requests.at(-1)!.body.tools, [webSearch]);
    assert.deepEqual(
      m.content.map((b) => b.type),
      ['server_tool_use', 'web_search_tool_result', 'text'],
    );
    assert.deepEqual((m.content[0] as Anthropic.ServerToolUseBlock).input, { query: 'fox nap' });
    assert.equal(((m.content[1] as Anthropic.WebSearchToolResultBlock).content as Anthropic.WebSearchResultBlock[])[0]!.url, 'https://example.com/fox');
    assert.match(await lastLine('/v1/messages', logs), / 200 .*\(forwarded as sent\)/);
    // Not streamed: the upstream's JSON answer, its server tool blocks included.
    rig.anthropic.enqueue({ webSearch: { query: 'fox nap', results: [{ url: 'https://example.com/fox', title: 'Fox' }] }, text: 'In the sun.' });
    const whole = await post(rig.fast, 'messages', { model: CLAUDE, max_tokens: 200, messages: [{ role: 'user', content: 'Where?' }], tools: [webSearch] });
    assert.equal(whole.headers.get('x-switchboard-warnings'), null);
    const wm = (await whole.json()) as Anthropic.Message;
    assert.deepEqual(wm.content.slice(0, 2), JSON.parse(JSON.stringify(m.content.slice(0, 2))));
    assert.deepEqual(wm.usage.server_tool_use, { web_search_requests: 1 });

    // The next turn carries the server tool's blocks back: an Anthropic model gets them as sent.
    rig.anthropic.enqueue({ text: 'Yes.' });
    const next = {
      model: CLAUDE,
      max_tokens: 200,
      tools: [webSearch],
      messages: [
        { role: 'user', content: 'Where does the fox nap?' },
        { role: 'assistant', content: m.content },
        { role: 'user', content: 'Sure?' },
      ],
    };
    const r2 = await post(rig.fast, 'messages', next);
    assert.equal(r2.status, 200, await r2.clone().text());
    assert.deepEqual(rig.anthropic.requests.at(-1)!.body.messages, JSON.parse(JSON.stringify(next.messages)));

    const codeExecution = { type: 'code_execution_20250825', name: 'code_execution' };
    rig.anthropic.enqueue({ text: '42' });
    logs = rig.logs.length;
    const res = await post(rig.fast, 'messages', { model: CLAUDE, max_tokens: 100, messages: [{ role: 'user', content: 'Compute.' }], tools: [codeExecution] });
    assert.equal(res.status, 200, await res.clone().text());
    // Nothing left out; only that its container fees are not counted.
    assert.match(String(res.headers.get('x-switchboard-warnings')), /^\["the fees of the hosted tool code_execution [^"]*not counted[^"]*"\]$/);
    assert.deepEqual(((await res.json()) as Anthropic.Message).content, [{ type: 'text', text: '42' }]);
    assert.deepEqual(rig.anthropic.requests.at(-1)!.body.tools, [codeExecution]);
    assert.match(await lastLine('/v1/messages', logs), / 200 .*\(forwarded as sent\)/);
  });

  test("messages: code_execution to an OpenAI model is refused in Anthropic's error shape; a route [OpenAI, Anthropic] is answered by the Anthropic model, the first skipped unsent", async () => {
    const body = { max_tokens: 100, messages: [{ role: 'user', content: 'Compute.' }], tools: [{ type: 'code_execution_20250825', name: 'code_execution' }] };
    const before = rig.openai.requests.length;
    for (const stream of [false, true]) {
      const r = await post(rig.fast, 'messages', { ...body, model: GPT, stream });
      assert.equal(r.status, 400);
      const e = (await r.json()) as { type: string; error: { type: string; message: string } };
      assert.equal(e.type, 'error');
      assert.equal(e.error.type, 'invalid_request_error');
      assert.match(
        e.error.message,
        /^tools\[0\]: tool "code_execution" \(code_execution_20250825\) cannot be translated for another model: .*only an Anthropic model \(anthropic\/…, or a route or alias that reaches one\) gets it, as sent; for another model, remove the tool$/,
      );
    }
    rig.anthropic.enqueue({ text: '42' }, { text: '43' });
    const res = await post(rig.fast, 'messages', { ...body, model: 'route/gpt-then-claude' });
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(((await res.json()) as Anthropic.Message).content, [{ type: 'text', text: '42' }]);
    assert.equal(rig.openai.requests.length, before, 'nothing went to the OpenAI model');
    assert.deepEqual(rig.anthropic.requests.at(-1)!.body.tools, body.tools);
    // What the router recorded: the OpenAI model skipped with the refusal, the Anthropic model forwarded.
    const forwardOnly = new SwitchboardError({ kind: 'bad_request', message: 'tools[0]: only forwarded' });
    const s = rig.client.stream({
      model: 'route/gpt-then-claude',
      messages: [{ role: 'user', content: 'Compute.' }],
      passthrough: { protocol: 'anthropic', body: { ...body, model: 'route/gpt-then-claude' }, forwardOnly },
    });
    const starts: unknown[] = [];
    for await (const p of s) if (p.type === 'attempt-start') starts.push(p);
    const r = await s.result;
    assert.equal(r.error, null);
    assert.equal(r.answeredBy, CLAUDE);
    assert.deepEqual(
      r.attempts.map((a) => [a.model, a.outcome, a.message ?? null]),
      [
        [GPT, 'skipped', 'tools[0]: only forwarded'],
        [CLAUDE, 'ok', null],
      ],
    );
    assert.deepEqual(starts, [{ type: 'attempt-start', model: CLAUDE, attempt: 1, passthrough: true }]);
    assert.equal(rig.openai.requests.length, before);
  });

  test("messages: a tool only forwarding takes, with another model's thinking in the history, is refused for that reason, not as if the model were of another protocol", async () => {
    // Turn 1 answered by another Anthropic model, with a signed thinking block (the gateway remembers who made it).
    const HAIKU = 'anthropic/claude-haiku-4-5';
    rig.anthropic.enqueue({ reasoning: 'Think first.', text: 'Haiku answer.' });
    const first = await post(rig.fast, 'messages', {
      model: HAIKU,
      max_tokens: 2000,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [{ role: 'user', content: 'Hi' }],
    });
    assert.equal(first.status, 200, await first.clone().text());
    const turn1 = ((await first.json()) as Anthropic.Message).content;
    assert.equal(turn1[0]!.type, 'thinking');
    // Turn 2 to Claude Sonnet with a tool only an Anthropic model takes, as sent.
    const before = rig.anthropic.requests.length;
    const body = {
      model: CLAUDE,
      max_tokens: 2000,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      tools: [{ type: 'code_execution_20250825', name: 'code_execution' }],
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: turn1 },
        { role: 'user', content: 'Compute.' },
      ],
    };
    for (const stream of [false, true]) {
      const r = await post(rig.fast, 'messages', { ...body, stream });
      assert.equal(r.status, 400);
      const e = (await r.json()) as { type: string; error: { type: string; message: string } };
      assert.equal(e.error.type, 'invalid_request_error');
      assert.match(
        e.error.message,
        new RegExp(
          `^tools\\[0\\]: tool "code_execution" .*; ${CLAUDE} would take it as sent, but the conversation carries reasoning made by ${HAIKU}, which only a translated request can leave out`,
        ),
      );
      assert.ok(e.error.message.endsWith(` — ask ${HAIKU} instead, or start a new conversation`), e.error.message);
    }
    assert.equal(rig.anthropic.requests.length, before, 'nothing was sent');
  });

  test("messages: Anthropic's mcp_servers and container reach an Anthropic model as sent; for an OpenAI model, a refusal naming which models take them", async () => {
    const extras = [{ mcp_servers: [{ type: 'url', url: 'https://mcp.example.com/sse', name: 'docs' }] }, { container: 'container_011' }];
    for (const extra of extras) {
      const k = Object.keys(extra)[0]!;
      rig.anthropic.enqueue({ text: 'ok' });
      const body = { max_tokens: 50, messages: [{ role: 'user', content: 'Use it.' }], ...extra };
      const res = await post(rig.fast, 'messages', { ...body, model: CLAUDE });
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal(res.headers.get('x-switchboard-warnings'), null);
      assert.deepEqual(rig.anthropic.requests.at(-1)!.body[k], JSON.parse(JSON.stringify(extra))[k]);
      const before = rig.openai.requests.length;
      const refused = await post(rig.fast, 'messages', { ...body, model: GPT });
      assert.equal(refused.status, 400);
      const e = (await refused.json()) as { error: { type: string; message: string } };
      assert.equal(e.error.type, 'invalid_request_error');
      assert.match(
        e.error.message,
        new RegExp(`^${k}: cannot be translated for another model: .*only an Anthropic model .*gets it, as sent; for another model, `),
      );
      assert.equal(rig.openai.requests.length, before, 'nothing went to the OpenAI model');
    }
  });
});

test("renameTopLevelModel: only the answer's own model changes, not a tool input's or a string's lookalike; every other byte kept", () => {
  const text =
    '{"id":"m","content":[{"type":"tool_use","input":{"model":"claude-x"}},{"type":"text","text":"say \\"model\\":\\"claude-x\\""}] , "model":"claude-x","usage":{}}';
  const answer = JSON.parse(text) as Record<string, unknown>;
  const out = renameTopLevelModel(text, answer, 'anthropic/claude-x');
  assert.equal(out, text.replace(' "model":"claude-x"', ' "model":"anthropic/claude-x"'));
  assert.deepEqual(JSON.parse(out), { ...answer, model: 'anthropic/claude-x' });
  assert.equal(renameTopLevelModel('{"a":{"model":"x"}}', { a: { model: 'x' } }, 'y'), '{"a":{"model":"x"}}', 'none at the top level: unchanged');
  // A duplicate key (JSON.parse keeps the last): no splice; the answer is written again from the parse.
  const dup = '{"model":"x", "n": 1,"model":"x"}';
  assert.equal(spliceModel(dup, 'x', 1, 'y'), undefined);
  assert.equal(renameTopLevelModel(dup, JSON.parse(dup) as Record<string, unknown>, 'y'), '{"model":"y","n":1}');
  // Depth 2: the event's response object, not a tool's echoed parameters deeper down.
  const ev = '{"type":"response.created","response":{"tools":[{"parameters":{"model":"m"}}], "model":"m"}}';
  assert.equal(spliceModel(ev, 'm', 2, 'p/m'), ev.replace(' "model":"m"', ' "model":"p/m"'));
});

test("renameModel of a forwarded stream's event: spliced in the text, or (when it cannot be) written from the decoder's parse without changing that parse", () => {
  const wires = [
    { wire: anthropicProtocol.passthrough!, ev: { event: 'message_start', data: '{"type":"message_start","message":{"model":"claude-x","usage":{}}}' } },
    {
      wire: openaiResponsesProtocol.passthrough!,
      ev: { event: 'response.created', data: '{"type":"response.created","response":{"model":"gpt-x","output":[]}}' },
    },
  ];
  for (const { wire, ev } of wires) {
    const parsed = JSON.parse(ev.data) as Record<string, unknown>;
    const spliced = wire.renameModel!(ev, 'p/m', parsed);
    assert.equal(spliced, ev.data.replace(/"model":"[^"]+"/, '"model":"p/m"'), 'only the value changed, every other byte kept');
    assert.equal(spliced, wire.renameModel!(ev, 'p/m'), 'the same with or without the parse');
    // Another object beside the model's at the top level: no splice; written from the parse, which stays as it was.
    const other = { event: ev.event, data: ev.data.replace('{"type"', '{"meta":{"model":"keep"},"type"') };
    const before = JSON.parse(other.data) as Record<string, unknown>;
    const parse2 = JSON.parse(other.data) as Record<string, unknown>;
    const written = wire.renameModel!(other, 'p/m', parse2);
    assert.deepEqual(parse2, before, "the decoder's parse is not changed");
    const w = JSON.parse(written!) as Record<string, Record<string, unknown>>;
    assert.equal((w.message ?? w.response)!.model, 'p/m');
    assert.deepEqual(w.meta, { model: 'keep' });
  }
});
