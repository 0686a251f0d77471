import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startFakeProvider } from '../fakes/server.ts';
import type { FakeServer } from '../fakes/server.ts';

// ---------- tiny helpers ----------

interface RawResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  error?: NodeJS.ErrnoException;
}

/** One request on a fresh socket (agent: false); collects the body and any socket error. */
function request(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: unknown; onData?: (soFar: () => string) => void } = {},
): Promise<RawResult> {
  return new Promise((resolve) => {
    const payload = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    let res: http.IncomingMessage | undefined;
    const parts: Buffer[] = [];
    let done = false;
    const finish = (error?: NodeJS.ErrnoException): void => {
      if (done) return;
      done = true;
      resolve({
        status: res?.statusCode ?? 0,
        headers: res?.headers ?? {},
        body: Buffer.concat(parts).toString('utf8'),
        ...(error ? { error } : {}),
      });
    };
    const req = http.request(
      url,
      {
        method: opts.method ?? (payload === undefined ? 'GET' : 'POST'),
        agent: false,
        headers: { 'content-type': 'application/json', ...opts.headers },
      },
      (r) => {
        res = r;
        r.on('data', (c: Buffer) => {
          parts.push(c);
          opts.onData?.(() => Buffer.concat(parts).toString('utf8'));
        });
        r.on('end', () => finish());
        r.on('error', (e: NodeJS.ErrnoException) => finish(e));
        r.on('close', () => {
          if (!r.complete) finish(Object.assign(new Error('closed early'), { code: 'ECONNRESET' }));
        });
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => finish(e));
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

interface SseEvent {
  event?: string;
  data: string;
  comment?: string;
}

/** Minimal SSE splitter: blank-line separated events, CRLF or LF, `:` comments kept apart. */
function parseSse(text: string): SseEvent[] {
  const out: SseEvent[] = [];
  for (const block of text.split(/\r\n\r\n|\n\n|\r\r/)) {
    if (!block.trim()) continue;
    const ev: SseEvent = { data: '' };
    const data: string[] = [];
    for (const line of block.split(/\r\n|\n|\r/)) {
      if (line.startsWith(':')) ev.comment = line.slice(1).trim();
      else if (line.startsWith('event:')) ev.event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    ev.data = data.join('\n');
    out.push(ev);
  }
  return out;
}

const jsonEvents = (evs: SseEvent[]): any[] => evs.filter((e) => e.data && e.data !== '[DONE]').map((e) => JSON.parse(e.data));

const servers: FakeServer[] = [];
async function start(...args: Parameters<typeof startFakeProvider>): Promise<FakeServer> {
  const s = await startFakeProvider(...args);
  servers.push(s);
  return s;
}
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const chatBody = { model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] };

// ---------- protocols ----------

describe('openai', () => {
  test('stream: role chunk, content deltas, finish, usage chunk with choices [], [DONE]; request recorded', async () => {
    const s = await start('openai', { apiKey: 'sk-test' });
    s.enqueue({ text: 'Hello big world', reasoning: 'Hmm ok', usage: { input: 10, output: 7, cached: 4, reasoning: 2 } });
    const r = await request(`${s.baseUrl}/chat/completions`, { headers: { authorization: 'Bearer sk-test' }, body: chatBody });
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^text\/event-stream/);
    const evs = parseSse(r.body);
    assert.equal(evs.at(-1)?.data, '[DONE]');
    const chunks = jsonEvents(evs);
    assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk' && c.model === 'gpt-4o-mini'));
    assert.equal(chunks[0].choices[0].delta.role, 'assistant');
    const content = chunks.map((c) => c.choices?.[0]?.delta?.content ?? '').join('');
    const reasoning = chunks.map((c) => c.choices?.[0]?.delta?.reasoning_content ?? '').join('');
    assert.equal(content, 'Hello big world');
    assert.equal(reasoning, 'Hmm ok');
    assert.equal(chunks.filter((c) => c.choices?.[0]?.delta?.content).length, 3); // one per word
    const finish = chunks.filter((c) => c.choices?.[0]?.finish_reason);
    assert.equal(finish.length, 1);
    assert.equal(finish[0].choices[0].finish_reason, 'stop');
    const last = chunks.at(-1);
    assert.deepEqual(last.choices, []);
    assert.equal(last.usage.prompt_tokens, 10);
    assert.equal(last.usage.completion_tokens, 7);
    assert.equal(last.usage.prompt_tokens_details.cached_tokens, 4);
    assert.equal(last.usage.completion_tokens_details.reasoning_tokens, 2);
    assert.equal(s.requests.length, 1);
    assert.equal(s.requests[0]?.path, '/v1/chat/completions');
    assert.equal(s.requests[0]?.body.model, 'gpt-4o-mini');
  });

  test('tool call fragments, vLLM/Mistral usage variants, non-stream JSON, 401, models', async () => {
    const s = await start('openai', { apiKey: 'k' });
    const auth = { authorization: 'Bearer k' };
    const url = `${s.baseUrl}/chat/completions`;
    s.enqueue(
      { toolCall: { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris","unit":"C"}' }, usageChoicesNull: true },
      { usageOnFinishChunk: true },
      { text: 'Whole answer' },
    );
    const chunks = jsonEvents(parseSse((await request(url, { headers: auth, body: chatBody })).body));
    const calls = chunks.flatMap((c) => c.choices?.[0]?.delta?.tool_calls ?? []);
    assert.ok(calls.length > 2);
    assert.equal(calls[0].id, 'call_1');
    assert.equal(calls[0].function.name, 'get_weather');
    assert.equal(calls.map((t: any) => t.function.arguments).join(''), '{"city":"Paris","unit":"C"}');
    assert.equal(chunks.find((c) => c.choices?.[0]?.finish_reason)?.choices[0].finish_reason, 'tool_calls');
    assert.equal(chunks.at(-1).choices, null);

    const mistral = jsonEvents(parseSse((await request(url, { headers: auth, body: chatBody })).body));
    const fin = mistral.at(-1);
    assert.equal(fin.choices[0].finish_reason, 'stop');
    assert.ok(fin.usage.total_tokens > 0);

    // (stream_options, which OpenAI refuses without a stream, left out)
    const nonStream = await request(url, { headers: auth, body: { ...chatBody, stream: false, stream_options: undefined } });
    const j = JSON.parse(nonStream.body);
    assert.equal(j.object, 'chat.completion');
    assert.equal(j.choices[0].message.content, 'Whole answer');
    assert.equal(j.choices[0].finish_reason, 'stop');

    const noUsage = jsonEvents(parseSse((await request(url, { headers: auth, body: { ...chatBody, stream_options: undefined } })).body));
    assert.ok(noUsage.every((c) => !c.usage));

    const bad = await request(url, { headers: { authorization: 'Bearer nope' }, body: chatBody });
    assert.equal(bad.status, 401);
    assert.equal(JSON.parse(bad.body).error.code, 'invalid_api_key');

    const models = JSON.parse((await request(`${s.baseUrl}/models`, { headers: auth })).body);
    assert.equal(models.object, 'list');
    assert.equal(models.data[0].object, 'model');
  });
});

describe('openrouter', () => {
  test('comments, reasoning, usage.cost, repeated finish, models pricing strings', async () => {
    const s = await start('openrouter', { models: [{ id: 'acme/model-x', contextLength: 32000, inputPrice: 2, outputPrice: 8 }] });
    s.enqueue({ text: 'Hi there', reasoning: 'Think', comments: true, repeatFinish: true, usage: { input: 100, output: 50, cost: 0.0123 } });
    const r = await request(`${s.baseUrl}/chat/completions`, { body: { ...chatBody, model: 'acme/model-x' } });
    const evs = parseSse(r.body);
    assert.ok(evs.some((e) => e.comment === 'OPENROUTER PROCESSING'));
    const chunks = jsonEvents(evs);
    assert.equal(chunks.map((c) => c.choices?.[0]?.delta?.reasoning ?? '').join(''), 'Think');
    assert.equal(chunks.map((c) => c.choices?.[0]?.delta?.content ?? '').join(''), 'Hi there');
    const last = chunks.at(-1);
    assert.equal(last.usage.cost, 0.0123);
    assert.equal(last.choices[0].finish_reason, 'stop'); // repeated finish on the usage chunk
    assert.equal(chunks.filter((c) => c.choices?.[0]?.finish_reason).length, 2);
    assert.equal(evs.at(-1)?.data, '[DONE]');

    const models = JSON.parse((await request(`${s.baseUrl}/models`)).body);
    const m = models.data[0];
    assert.equal(m.id, 'acme/model-x');
    assert.equal(m.context_length, 32000);
    assert.equal(m.pricing.prompt, '0.000002');
    assert.equal(m.pricing.completion, '0.000008');
    assert.equal(typeof m.pricing.input_cache_read, 'string');
    assert.equal(m.pricing.input_cache_write, undefined, 'listed only for a model that charges cache writes');
    assert.equal(m.top_provider.context_length, 32000);
    assert.deepEqual(m.architecture.input_modalities, ['text']);
  });

  test('cache writes: listed prices, usage.prompt_tokens_details.cache_write_tokens, and a cost that charges them', async () => {
    const s = await start('openrouter', { models: [{ id: 'acme/cachey', inputPrice: 2, outputPrice: 8, cacheReadPrice: 0.2, cacheWritePrice: 2.5 }] });
    s.enqueue({ text: 'Hi', usage: { input: 1000, output: 10, cached: 200, cacheWrite: 600 } });
    const r = await request(`${s.baseUrl}/chat/completions`, { body: { ...chatBody, model: 'acme/cachey' } });
    const usage = jsonEvents(parseSse(r.body)).at(-1).usage;
    assert.deepEqual(usage.prompt_tokens_details, { cached_tokens: 200, cache_write_tokens: 600, audio_tokens: 0 });
    // 200 fresh × 2 + 200 read × 0.2 + 600 written × 2.5 + 10 out × 8 = 2,020 µ$
    assert.equal(usage.cost, 0.00202);
    const m = JSON.parse((await request(`${s.baseUrl}/models`)).body).data[0];
    assert.equal(m.pricing.input_cache_read, '0.0000002');
    assert.equal(m.pricing.input_cache_write, '0.0000025');
  });
});

describe('anthropic', () => {
  test('full event sequence with thinking + tool_use; both auth forms; 529 shape', async () => {
    const s = await start('anthropic', { apiKey: 'ak' });
    const url = `${s.baseUrl}/messages`;
    s.enqueue({ reasoning: 'Let me see', text: 'Checking.', toolCall: { id: 'toolu_1', name: 'lookup', arguments: '{"q":"x y z"}' }, pings: true });
    const r = await request(url, {
      headers: { 'x-api-key': 'ak', 'anthropic-version': '2023-06-01' },
      body: { model: 'claude-sonnet-4-20250514', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'hi' }] },
    });
    assert.equal(r.status, 200);
    const evs = parseSse(r.body);
    for (const e of evs) assert.equal(JSON.parse(e.data).type, e.event);
    const names = evs.map((e) => e.event).filter((n) => n !== 'ping');
    assert.equal(names[0], 'message_start');
    assert.deepEqual(names.slice(-2), ['message_delta', 'message_stop']);
    assert.ok(evs.filter((e) => e.event === 'ping').length > 3);
    const data = jsonEvents(evs);
    const starts = data.filter((d) => d.type === 'content_block_start').map((d) => d.content_block.type);
    assert.deepEqual(starts, ['thinking', 'text', 'tool_use']);
    const deltas = data.filter((d) => d.type === 'content_block_delta').map((d) => d.delta);
    assert.equal(
      deltas
        .filter((d) => d.type === 'thinking_delta')
        .map((d) => d.thinking)
        .join(''),
      'Let me see',
    );
    assert.ok(deltas.some((d) => d.type === 'signature_delta'));
    assert.equal(
      deltas
        .filter((d) => d.type === 'text_delta')
        .map((d) => d.text)
        .join(''),
      'Checking.',
    );
    assert.equal(
      deltas
        .filter((d) => d.type === 'input_json_delta')
        .map((d) => d.partial_json)
        .join(''),
      '{"q":"x y z"}',
    );
    const md = data.find((d) => d.type === 'message_delta');
    assert.equal(md.delta.stop_reason, 'tool_use');
    assert.ok(md.usage.output_tokens > 0);

    s.enqueue({ text: 'Plain' });
    const bearer = await request(url, { headers: { authorization: 'Bearer ak' }, body: { model: 'm', max_tokens: 5, messages: [] } });
    const msg = JSON.parse(bearer.body);
    assert.equal(msg.type, 'message');
    assert.deepEqual(msg.content, [{ type: 'text', text: 'Plain' }]);
    assert.equal(msg.stop_reason, 'end_turn');

    const noKey = await request(url, { body: { model: 'm', max_tokens: 5, messages: [] } });
    assert.equal(noKey.status, 401);
    assert.equal(JSON.parse(noKey.body).error.type, 'authentication_error');

    s.enqueue({ status: 529 });
    const over = await request(url, { headers: { 'x-api-key': 'ak' }, body: { model: 'm', max_tokens: 5, messages: [], stream: true } });
    assert.equal(over.status, 529);
    assert.deepEqual(JSON.parse(over.body), {
      type: 'error',
      error: { type: 'overloaded_error', message: 'Overloaded' },
      request_id: JSON.parse(over.body).request_id,
    });
  });
});

describe('gemini', () => {
  test('alt=sse stream: whole responses, thoughts, finish on last chunk, no [DONE]; generateContent; key forms; 429 shape', async () => {
    const s = await start('gemini', { apiKey: 'gk' });
    s.enqueue({ reasoning: 'Pondering', text: 'Bonjour le monde' });
    const r = await request(`${s.baseUrl}/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, {
      headers: { 'x-goog-api-key': 'gk' },
      body: { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] },
    });
    assert.equal(r.status, 200);
    assert.ok(!r.body.includes('[DONE]'));
    const chunks = jsonEvents(parseSse(r.body));
    assert.ok(chunks.length >= 4);
    const parts = chunks.flatMap((c) => c.candidates[0].content.parts);
    assert.equal(
      parts
        .filter((p: any) => p.thought)
        .map((p: any) => p.text)
        .join(''),
      'Pondering',
    );
    assert.equal(
      parts
        .filter((p: any) => !p.thought)
        .map((p: any) => p.text)
        .join(''),
      'Bonjour le monde',
    );
    const last = chunks.at(-1);
    assert.equal(last.candidates[0].finishReason, 'STOP');
    assert.equal(last.modelVersion, 'gemini-2.5-flash');
    assert.ok(last.usageMetadata.totalTokenCount >= last.usageMetadata.promptTokenCount + last.usageMetadata.candidatesTokenCount);
    assert.ok(last.usageMetadata.thoughtsTokenCount > 0);
    assert.ok(chunks.slice(0, -1).every((c) => !c.candidates[0].finishReason));
    assert.equal(s.requests[0]?.query.alt, 'sse');

    s.enqueue({ toolCall: { id: 'x', name: 'f', arguments: '{"a":1}' } });
    const one = await request(`${s.baseUrl}/models/gemini-2.5-pro:generateContent?key=gk`, { body: { contents: [] } });
    const j = JSON.parse(one.body);
    assert.deepEqual(j.candidates[0].content.parts, [{ functionCall: { name: 'f', args: { a: 1 } } }]);
    assert.equal(j.modelVersion, 'gemini-2.5-pro');

    const noKey = await request(`${s.baseUrl}/models/gemini-2.5-pro:generateContent`, { body: { contents: [] } });
    assert.equal(noKey.status, 401);
    assert.equal(JSON.parse(noKey.body).error.status, 'UNAUTHENTICATED');

    s.enqueue({ status: 429, headers: { 'retry-after': '7' } });
    const rl = await request(`${s.baseUrl}/models/gemini-2.5-pro:streamGenerateContent?alt=sse&key=gk`, { body: { contents: [] } });
    assert.equal(rl.status, 429);
    assert.equal(rl.headers['retry-after'], '7');
    const err = JSON.parse(rl.body).error;
    assert.equal(err.code, 429);
    assert.equal(err.status, 'RESOURCE_EXHAUSTED');
    assert.ok(err.details.some((d: any) => d.retryDelay === '7s'));
  });
});

// ---------- faults ----------

describe('faults', () => {
  test('status errors use each protocol error shape', async () => {
    const oa = await start('openai');
    oa.enqueue({ status: 429, errorType: 'insufficient_quota' });
    const q = await request(`${oa.baseUrl}/chat/completions`, { body: chatBody });
    assert.equal(q.status, 429);
    const e = JSON.parse(q.body).error;
    assert.equal(e.type, 'insufficient_quota');
    assert.equal(e.code, 'insufficient_quota');
    assert.ok('param' in e && 'message' in e);

    const or = await start('openrouter');
    or.enqueue({ status: 402 }, { status: 503, body: '<html>bad gateway</html>' });
    const c = await request(`${or.baseUrl}/chat/completions`, { body: chatBody });
    assert.equal(c.status, 402);
    assert.equal(JSON.parse(c.body).error.code, 402);
    const h = await request(`${or.baseUrl}/chat/completions`, { body: chatBody });
    assert.equal(h.status, 503);
    assert.equal(h.body, '<html>bad gateway</html>');
  });

  test('drop -> connection reset after N deltas', async () => {
    const s = await start('openai');
    s.enqueue({ text: 'a b c d e f', dropAfterChunks: 2 });
    const r = await request(`${s.baseUrl}/chat/completions`, { body: chatBody });
    assert.equal(r.status, 200);
    assert.ok(r.error, 'expected a socket error');
    assert.equal(r.error.code, 'ECONNRESET');
    const content = jsonEvents(parseSse(r.body))
      .map((c) => c.choices[0].delta.content ?? '')
      .join('');
    assert.equal(content, 'a b');
    assert.ok(!r.body.includes('[DONE]'));
  });

  test('records a client that hangs up mid-answer, and not one that got it all or one the fake reset', async () => {
    const s = await start('openai');
    s.enqueue({ text: 'a b c d e f g h', chunks: 8, delayBetweenChunksMs: 100 }, { text: 'whole answer' }, { text: 'a b c d', dropAfterChunks: 1 });
    const ac = new AbortController();
    const cancelled = new Promise<void>((resolve) => {
      const req = http.request(
        `${s.baseUrl}/chat/completions`,
        { method: 'POST', agent: false, signal: ac.signal, headers: { 'content-type': 'application/json' } },
        (r) => {
          r.once('data', () => ac.abort());
          r.on('error', () => resolve());
          r.on('close', () => resolve());
        },
      );
      req.on('error', () => resolve());
      req.end(JSON.stringify(chatBody));
    });
    await cancelled;
    await request(`${s.baseUrl}/chat/completions`, { body: chatBody });
    await request(`${s.baseUrl}/chat/completions`, { body: chatBody });
    // The fake sees each connection close a moment after the client does.
    const deadline = Date.now() + 2000;
    while ((!s.requests[0]?.clientClosedEarly || s.openSockets() > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(s.requests[0]!.clientClosedEarly, true, 'the cancelled request');
    assert.equal(s.requests[1]!.clientClosedEarly, undefined, 'the complete answer');
    assert.equal(s.requests[2]!.clientClosedEarly, undefined, "the fake's own reset");
  });

  test('resetBeforeResponse -> request error without a response', async () => {
    const s = await start('anthropic');
    s.enqueue({ resetBeforeResponse: true });
    const r = await request(`${s.baseUrl}/messages`, { body: { model: 'm', max_tokens: 1, messages: [], stream: true } });
    assert.equal(r.status, 0);
    assert.ok(r.error);
  });

  test('stall -> no bytes after N deltas; close() ends the stalled socket', async () => {
    const s = await startFakeProvider('anthropic');
    s.enqueue({ text: 'one two three four', stallAfterChunks: 2 });
    let received = '';
    let firstData: () => void = () => {};
    const gotData = new Promise<void>((r) => (firstData = r));
    const pending = request(`${s.baseUrl}/messages`, {
      body: { model: 'm', max_tokens: 1, messages: [], stream: true },
      onData: (t) => {
        received = t();
        firstData();
      },
    });
    await gotData;
    await new Promise((r) => setTimeout(r, 120));
    const texts = jsonEvents(parseSse(received))
      .filter((d) => d.delta?.type === 'text_delta')
      .map((d) => d.delta.text);
    assert.deepEqual(texts, ['one', ' two']);
    assert.ok(!received.includes('message_stop'));
    assert.equal(s.openSockets(), 1);
    const t0 = Date.now();
    await s.close();
    const r = await pending;
    assert.ok(r.error, 'stalled response must end with an error once the server closes');
    assert.equal(s.openSockets(), 0);
    assert.ok(Date.now() - t0 < 500);
  });

  test('malformed event, mid-stream error, omitDone', async () => {
    const s = await start('openrouter');
    const url = `${s.baseUrl}/chat/completions`;
    s.enqueue({ text: 'a b c', malformedAfterChunks: 1 }, { text: 'a b c', midStreamErrorAfterChunks: 2 }, { omitDone: true });
    const m = parseSse((await request(url, { body: chatBody })).body).filter((e) => e.data);
    const bad = m.filter((e) => {
      try {
        if (e.data !== '[DONE]') JSON.parse(e.data);
        return false;
      } catch {
        return true;
      }
    });
    assert.equal(bad.length, 1);
    assert.equal(m.at(-1)?.data, '[DONE]');

    const mid = jsonEvents(parseSse((await request(url, { body: chatBody })).body));
    const last = mid.at(-1);
    assert.equal(last.error.code, 502);
    assert.equal(last.choices[0].finish_reason, 'error');
    assert.equal(mid.map((c) => c.choices[0]?.delta?.content ?? '').join(''), 'a b');

    const trunc = parseSse((await request(url, { body: chatBody })).body);
    assert.notEqual(trunc.at(-1)?.data, '[DONE]');

    const g = await start('gemini');
    g.enqueue({ text: 'x y z', midStreamErrorAfterChunks: 1, crlf: false });
    const ge = jsonEvents(parseSse((await request(`${g.baseUrl}/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, { body: {} })).body));
    assert.equal(ge.length, 2);
    assert.equal(ge[1].error.status, 'UNAVAILABLE');
  });

  test('splitWrites + crlf + delays keep the stream intact', async () => {
    const s = await start('openai');
    const text = 'Grüße 😀 naïve café — 日本語のテキスト';
    s.enqueue({ text, splitWrites: 3, crlf: true, delayBeforeFirstByteMs: 5, delayBetweenChunksMs: 1 });
    let writes = 0;
    const r = await request(`${s.baseUrl}/chat/completions`, { body: chatBody, onData: () => writes++ });
    assert.ok(r.body.includes('\r\n\r\n'));
    assert.ok(writes > 10);
    const chunks = jsonEvents(parseSse(r.body));
    assert.equal(chunks.map((c) => c.choices?.[0]?.delta?.content ?? '').join(''), text);
  });

  test('20,000-chunk stream is written in big batches', async () => {
    const s = await start('openai');
    s.enqueue({ text: 'x'.repeat(20000), chunks: 20000 });
    let reads = 0;
    const t0 = performance.now();
    const r = await request(`${s.baseUrl}/chat/completions`, { body: chatBody, onData: () => void reads++ });
    const ms = performance.now() - t0;
    const deltas = r.body.split('\n\n').filter((e) => e.includes('"content":"x"')).length;
    assert.equal(deltas, 20000);
    // one big write arrives in a few dozen socket reads, not one per chunk
    assert.ok(reads < 1000, `${reads} reads`);
    assert.ok(ms < 5000, `took ${ms} ms`); // loose: CI machines may be loaded
  });
});
