import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { KEY, PROTOCOLS, setup, waitFor } from './helpers.ts';

for (const protocol of PROTOCOLS) {
  describe(`${protocol} adapter`, () => {
    test('streams text, usage and finish; sends the provider’s real request shape', async () => {
      const s = await setup(protocol);
      try {
        s.fake.enqueue({ text: 'Hello there, world!', usage: { input: 12, output: 5 } });
        const stream = s.client.stream({
          model: s.model,
          messages: [
            { role: 'system', content: 'Be brief.' },
            { role: 'user', content: 'Hi' },
          ],
          maxTokens: 50,
          temperature: 0.2,
        });
        const deltas: string[] = [];
        for await (const p of stream) if (p.type === 'text-delta') deltas.push(p.text);
        const r = await stream.result;
        assert.equal(r.error, null);
        assert.ok(deltas.length > 1, 'arrives in several deltas');
        assert.equal(deltas.join(''), 'Hello there, world!');
        assert.equal(r.text, 'Hello there, world!');
        assert.equal(r.finishReason, 'stop');
        assert.equal(r.usage.inputTokens, 12);
        assert.equal(r.usage.outputTokens, 5);
        assert.equal(r.answeredBy, s.model);
        assert.ok(r.timing.ttftMs !== null && r.timing.ttftMs >= 0);
        assert.deepEqual(
          r.attempts.map((a) => a.outcome),
          ['ok'],
        );

        const req = s.fake.requests.at(-1)!;
        if (protocol === 'anthropic') {
          assert.equal(req.path, '/v1/messages');
          assert.equal(req.headers['x-api-key'], KEY);
          assert.equal(req.headers['anthropic-version'], '2023-06-01');
          assert.equal(req.body.system, 'Be brief.');
          assert.equal(req.body.max_tokens, 50);
          assert.deepEqual(req.body.messages, [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }]);
        } else if (protocol === 'gemini') {
          assert.equal(req.path, '/v1beta/models/gemini-2.5-flash:streamGenerateContent');
          assert.equal(req.query.alt, 'sse');
          assert.equal(req.headers['x-goog-api-key'], KEY);
          assert.deepEqual(req.body.systemInstruction, { parts: [{ text: 'Be brief.' }] });
          assert.equal(req.body.generationConfig.maxOutputTokens, 50);
        } else {
          assert.match(req.path, /\/chat\/completions$/);
          assert.equal(req.headers.authorization, `Bearer ${KEY}`);
          assert.equal(req.body.stream, true);
          assert.deepEqual(req.body.stream_options, { include_usage: true });
          assert.equal(req.body.model, protocol === 'openrouter' ? 'anthropic/claude-3-opus' : 'gpt-4o-mini');
          assert.equal(req.body[protocol === 'openai' ? 'max_completion_tokens' : 'max_tokens'], 50);
        }
      } finally {
        await s.close();
      }
    });

    test('reasoning arrives apart from the answer', async () => {
      const s = await setup(protocol);
      try {
        s.fake.enqueue({ reasoning: 'Think step by step.', text: 'Answer.' });
        const r = await s.client.complete({ model: s.model, messages: [{ role: 'user', content: 'q' }] });
        assert.equal(r.reasoning, 'Think step by step.');
        assert.equal(r.text, 'Answer.');
      } finally {
        await s.close();
      }
    });

    test('a tool call is assembled from its fragments', async () => {
      const s = await setup(protocol);
      try {
        s.fake.enqueue({ text: '', toolCall: { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris","unit":"c"}' } });
        const r = await s.client.complete({ model: s.model, messages: [{ role: 'user', content: 'q' }] });
        assert.equal(r.finishReason, 'tool_calls');
        assert.equal(r.toolCalls.length, 1);
        assert.equal(r.toolCalls[0]!.name, 'get_weather');
        assert.deepEqual(JSON.parse(r.toolCalls[0]!.arguments), { city: 'Paris', unit: 'c' });
      } finally {
        await s.close();
      }
    });

    test('writes cut anywhere (inside UTF-8 characters and lines) decode the same', async () => {
      const s = await setup(protocol);
      try {
        const text = 'Ünïcödé 世界 🎉 — done.';
        for (const splitWrites of [1, 3, 7]) {
          s.fake.enqueue({ text, splitWrites, crlf: splitWrites === 3 });
          const r = await s.client.complete({ model: s.model, messages: [{ role: 'user', content: 'q' }] });
          assert.equal(r.error, null, `split ${splitWrites}`);
          assert.equal(r.text, text);
        }
      } finally {
        await s.close();
      }
    });

    test('a mid-stream error ends the answer with a classified error and keeps the partial text', async () => {
      const s = await setup(protocol);
      try {
        s.fake.enqueue({ text: 'one two three four five', midStreamErrorAfterChunks: 2 });
        const r = await s.client.complete({ model: s.model, messages: [{ role: 'user', content: 'q' }] });
        assert.ok(r.error);
        assert.equal(r.finishReason, 'error');
        assert.ok(r.text.length > 0 && 'one two three four five'.startsWith(r.text), `partial kept: "${r.text}"`);
        assert.ok(['overloaded', 'server', 'rate_limit'].includes(r.error.kind), r.error.kind);
      } finally {
        await s.close();
      }
    });

    test('a connection reset mid-stream is a network error with the partial text kept', async () => {
      const s = await setup(protocol);
      try {
        s.fake.enqueue({ text: 'alpha beta gamma delta', dropAfterChunks: 2 });
        const r = await s.client.complete({ model: s.model, messages: [{ role: 'user', content: 'q' }] });
        assert.ok(r.error);
        assert.ok(['network', 'invalid_response'].includes(r.error.kind), r.error.kind);
        assert.ok(r.text.startsWith('alpha'), `partial kept: "${r.text}"`);
      } finally {
        await s.close();
      }
    });

    test('a stalled stream ends at the idle timeout, partial text kept, socket closed', async () => {
      const s = await setup(protocol, { timeouts: { idleMs: 300 } });
      try {
        s.fake.enqueue({ text: 'alpha beta gamma delta', stallAfterChunks: 1 });
        const r = await s.client.complete({ model: s.model, messages: [{ role: 'user', content: 'q' }] });
        assert.equal(r.error?.kind, 'timeout');
        assert.match(r.error!.message, /stalled/);
        assert.ok(r.text.startsWith('alpha'));
        await waitFor(() => s.fake.openSockets() === 0);
      } finally {
        await s.close();
      }
    });

    test('a malformed JSON chunk is an invalid_response error, not a crash', async () => {
      const s = await setup(protocol);
      try {
        s.fake.enqueue({ text: 'a b c d', malformedAfterChunks: 1 });
        const r = await s.client.complete({ model: s.model, messages: [{ role: 'user', content: 'q' }] });
        assert.equal(r.error?.kind, 'invalid_response');
        assert.match(r.error!.message, /malformed JSON/);
        assert.ok(r.text.length > 0 && r.text.length < 'a b c d'.length && 'a b c d'.startsWith(r.text), r.text);
      } finally {
        await s.close();
      }
    });

    test('HTTP 429 with retry-after is a rate_limit error carrying the delay', async () => {
      const s = await setup(protocol);
      try {
        s.fake.enqueue({ status: 429, headers: { 'retry-after': '7' } });
        const r = await s.client.complete({ model: s.model, messages: [{ role: 'user', content: 'q' }] });
        assert.equal(r.error?.kind, 'rate_limit');
        assert.equal(r.error?.retryAfterMs, 7000);
        assert.equal(r.error?.status, 429);
        assert.equal(r.text, '');
        assert.equal(r.answeredBy, null);
      } finally {
        await s.close();
      }
    });

    test('a wrong key is an auth error that never repeats the key', async () => {
      const s = await setup(
        protocol,
        {},
        {
          env: {
            OPENAI_API_KEY: 'sk-wrong-key-0987654321',
            ANTHROPIC_API_KEY: 'sk-wrong-key-0987654321',
            GEMINI_API_KEY: 'sk-wrong-key-0987654321',
            OPENROUTER_API_KEY: 'sk-wrong-key-0987654321',
          },
        },
      );
      try {
        s.fake.enqueue({
          status: 401,
          body: { error: { message: 'Incorrect API key provided: sk-wrong-key-0987654321', type: 'invalid_request_error', code: 'invalid_api_key' } },
        });
        const r = await s.client.complete({ model: s.model, messages: [{ role: 'user', content: 'q' }] });
        assert.equal(r.error?.kind, 'auth');
        assert.ok(!JSON.stringify(r.error!.toJSON()).includes('sk-wrong-key-0987654321'));
        assert.ok(!r.error!.message.includes('0987654321'));
        assert.match(r.error!.message, /_API_KEY/);
      } finally {
        await s.close();
      }
    });

    test('cancelling mid-stream keeps the partial answer and closes the socket', async () => {
      const s = await setup(protocol);
      try {
        s.fake.enqueue({ text: 'w1 w2 w3 w4 w5 w6 w7 w8', delayBetweenChunksMs: 40 });
        const stream = s.client.stream({ model: s.model, messages: [{ role: 'user', content: 'q' }] });
        let n = 0;
        for await (const p of stream) if (p.type === 'text-delta' && ++n === 2) stream.cancel();
        const r = await stream.result;
        assert.equal(r.error?.kind, 'aborted');
        assert.ok(r.text.startsWith('w1'), r.text);
        assert.ok(r.text.length < 'w1 w2 w3 w4 w5 w6 w7 w8'.length);
        await waitFor(() => s.fake.openSockets() === 0);
      } finally {
        await s.close();
      }
    });

    test("the caller's signal cancels mid-stream the same way; once a stream settles it no longer listens to that signal", async () => {
      const s = await setup(protocol);
      try {
        const caller = new AbortController();
        s.fake.enqueue({ text: 'done early' });
        const first = s.client.stream({ model: s.model, messages: [{ role: 'user', content: 'q' }], signal: caller.signal });
        assert.equal((await first.result).text, 'done early');
        assert.equal(getEventListeners(caller.signal, 'abort').length, 0, 'a finished stream leaves no listener on a signal the caller keeps');
        s.fake.enqueue({ text: 'w1 w2 w3 w4 w5 w6 w7 w8', delayBetweenChunksMs: 40 });
        const stream = s.client.stream({ model: s.model, messages: [{ role: 'user', content: 'q' }], signal: caller.signal });
        let n = 0;
        for await (const p of stream) if (p.type === 'text-delta' && ++n === 2) caller.abort();
        const r = await stream.result;
        assert.equal(r.error?.kind, 'aborted');
        assert.ok(r.text.startsWith('w1') && r.text.length < 'w1 w2 w3 w4 w5 w6 w7 w8'.length, r.text);
        assert.equal(stream.signal.aborted, true, "the stream's own signal says it was aborted");
        // Already aborted: the stream never starts.
        const late = s.client.stream({ model: s.model, messages: [{ role: 'user', content: 'q' }], signal: caller.signal });
        assert.equal((await late.result).error?.kind, 'aborted');
      } finally {
        await s.close();
      }
    });
  });
}

describe('wire details', () => {
  test('OpenRouter: keep-alive comments skipped, usage.cost used, repeated finish is accounting', async () => {
    const s = await setup('openrouter');
    try {
      s.fake.enqueue({ text: 'priced answer', comments: true, repeatFinish: true, usage: { input: 10, output: 3, cost: 0.00042 } });
      const r = await s.client.complete({ model: s.model, messages: [{ role: 'user', content: 'q' }] });
      assert.equal(r.error, null);
      assert.equal(r.text, 'priced answer');
      assert.equal(r.costUsd, 0.00042);
      assert.equal(r.finishReason, 'stop');
    } finally {
      await s.close();
    }
  });

  test('OpenAI-compatible: usage on the finish chunk (Mistral) and choices:null usage chunk (vLLM)', async () => {
    const s = await setup('openai');
    try {
      s.fake.enqueue(
        { text: 'x y', usageOnFinishChunk: true, usage: { input: 4, output: 2 } },
        { text: 'x y', usageChoicesNull: true, usage: { input: 5, output: 2, cached: 3, reasoning: 1 } },
      );
      const a = await s.client.complete({ model: s.model, messages: [{ role: 'user', content: 'q' }] });
      assert.equal(a.usage.inputTokens, 4);
      const b = await s.client.complete({ model: s.model, messages: [{ role: 'user', content: 'q' }] });
      assert.deepEqual(b.usage, { inputTokens: 5, outputTokens: 2, cachedInputTokens: 3, reasoningTokens: 1 });
    } finally {
      await s.close();
    }
  });

  test('OpenAI-compatible: a stream cut before [DONE] and finish_reason is an error', async () => {
    const s = await setup('openai');
    try {
      s.fake.enqueue({ raw: 'data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"par"},"finish_reason":null}]}\n\n' });
      const r = await s.client.complete({ model: s.model, messages: [{ role: 'user', content: 'q' }] });
      assert.equal(r.error?.kind, 'invalid_response');
      assert.equal(r.text, 'par');
    } finally {
      await s.close();
    }
  });

  test('Anthropic: pings anywhere are ignored', async () => {
    const s = await setup('anthropic');
    try {
      s.fake.enqueue({ text: 'pinged answer here', pings: true });
      const r = await s.client.complete({ model: s.model, messages: [{ role: 'user', content: 'q' }] });
      assert.equal(r.text, 'pinged answer here');
      assert.equal(r.error, null);
    } finally {
      await s.close();
    }
  });

  test('Gemini: the stream just ends; a cut before finishReason is an error', async () => {
    const s = await setup('gemini');
    try {
      s.fake.enqueue({ raw: 'data: {"candidates":[{"content":{"parts":[{"text":"half"}],"role":"model"}}]}\n\n' });
      const r = await s.client.complete({ model: s.model, messages: [{ role: 'user', content: 'q' }] });
      assert.equal(r.error?.kind, 'invalid_response');
      assert.equal(r.text, 'half');
    } finally {
      await s.close();
    }
  });

  test('Anthropic: Authorization: Bearer form is configurable per provider', async () => {
    const s = await setup('anthropic', { providers: [] });
    await s.client.close();
    const { createClient } = await import('../../src/core/client.ts');
    const c = createClient(
      {
        retries: { maxRetries: 0 },
        providers: [
          {
            id: 'work',
            kind: 'anthropic',
            baseUrl: s.fake.baseUrl,
            auth: 'bearer',
            apiKeyEnv: 'WORK_KEY',
            anthropicVersion: '2026-10-21',
            headers: { 'x-team': 'a' },
          },
        ],
      },
      { env: { WORK_KEY: KEY } },
    );
    try {
      s.fake.enqueue({ text: 'ok' });
      const r = await c.complete({ model: 'work/claude-x', messages: [{ role: 'user', content: 'q' }] });
      assert.equal(r.text, 'ok');
      const req = s.fake.requests.at(-1)!;
      assert.equal(req.headers.authorization, `Bearer ${KEY}`);
      assert.equal(req.headers['x-api-key'], undefined);
      assert.equal(req.headers['anthropic-version'], '2026-10-21');
      assert.equal(req.headers['x-team'], 'a');
      assert.equal(req.body.model, 'claude-x');
    } finally {
      await c.close();
      await s.fake.close();
    }
  });
});
