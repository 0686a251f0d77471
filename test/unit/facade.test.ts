/** `client.chat.completions.create`: OpenAI SDK shapes in front of Anthropic and Gemini. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SwitchboardError, type ErrorKind } from '../../src/core/errors.ts';
import type { ChatCompletion, ChatCompletionChunk, ChunkStream } from '../../src/core/openaiFacade.ts';
import type { FakeProtocol } from '../fakes/types.ts';
import { setup } from './helpers.ts';

const USER = [{ role: 'user' as const, content: 'Say hello' }];

function isKind(kind: ErrorKind, pattern?: RegExp) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof SwitchboardError, `expected a SwitchboardError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    if (pattern) assert.match(e.message, pattern);
    return true;
  };
}

async function collect(stream: ChunkStream): Promise<ChatCompletionChunk[]> {
  const out: ChatCompletionChunk[] = [];
  for await (const c of stream) out.push(c);
  return out;
}

for (const protocol of ['anthropic', 'gemini'] as const satisfies readonly FakeProtocol[]) {
  describe(`chat.completions.create against ${protocol}`, () => {
    test('non-streamed: an OpenAI ChatCompletion with the text, finish reason and usage', async () => {
      const w = await setup(protocol);
      try {
        w.fake.enqueue({ text: 'Hello there, friend.', usage: { input: 12, output: 7 } });
        const c: ChatCompletion = await w.client.chat.completions.create({ model: w.model, messages: USER });
        assert.equal(c.object, 'chat.completion');
        assert.equal(typeof c.id, 'string');
        assert.ok(c.id.length > 0);
        assert.ok(Number.isInteger(c.created) && Math.abs(c.created - Date.now() / 1000) < 60);
        assert.equal(c.model, w.model);
        assert.equal(c.choices.length, 1);
        assert.equal(c.choices[0]!.index, 0);
        assert.equal(c.choices[0]!.message.role, 'assistant');
        assert.equal(c.choices[0]!.message.content, 'Hello there, friend.');
        assert.equal(c.choices[0]!.finish_reason, 'stop');
        assert.equal(c.usage?.prompt_tokens, 12);
        assert.equal(c.usage?.completion_tokens, 7);
        assert.equal(c.usage?.total_tokens, 19);
        assert.equal(w.fake.requests.length, 1);
      } finally {
        await w.close();
      }
    });

    test('a provider\'s max-tokens stop becomes finish_reason "length"', async () => {
      const w = await setup(protocol);
      try {
        w.fake.enqueue({ text: 'cut', finishReason: protocol === 'anthropic' ? 'max_tokens' : 'MAX_TOKENS' });
        const c = await w.client.chat.completions.create({ model: w.model, messages: USER, max_tokens: 1 });
        assert.equal(c.choices[0]!.finish_reason, 'length');
        assert.equal(c.choices[0]!.message.content, 'cut');
      } finally {
        await w.close();
      }
    });

    test("system/developer messages, max_tokens and temperature reach the provider's wire format", async () => {
      const w = await setup(protocol);
      try {
        w.fake.enqueue({ text: 'ok' });
        await w.client.chat.completions.create({
          model: w.model,
          messages: [{ role: 'developer', content: 'Be terse.' }, ...USER],
          max_completion_tokens: 33,
          temperature: 0.25,
        });
        const body = w.fake.requests[0]!.body;
        if (protocol === 'anthropic') {
          assert.equal(body.model, 'claude-sonnet-4');
          assert.equal(body.max_tokens, 33);
          assert.equal(body.temperature, 0.25);
          assert.equal(JSON.stringify(body.system).includes('Be terse.'), true);
          assert.ok(body.messages.every((m: { role: string }) => m.role !== 'system'));
        } else {
          assert.match(w.fake.requests[0]!.path, /\/models\/gemini-2\.5-flash:/);
          assert.equal(body.generationConfig.maxOutputTokens, 33);
          assert.equal(body.generationConfig.temperature, 0.25);
          assert.equal(JSON.stringify(body.systemInstruction).includes('Be terse.'), true);
        }
      } finally {
        await w.close();
      }
    });

    test('stream: chunks with the role first, content that concatenates, a finish chunk, no usage chunk by default', async () => {
      const w = await setup(protocol);
      try {
        const text = 'The quick brown fox jumps over the lazy dog.';
        w.fake.enqueue({ text, chunks: 5 });
        const stream = await w.client.chat.completions.create({ model: w.model, messages: USER, stream: true });
        const chunks = await collect(stream);
        assert.ok(chunks.length >= 3, `expected several chunks, got ${chunks.length}`);
        for (const c of chunks) {
          assert.equal(c.object, 'chat.completion.chunk');
          assert.equal(c.id, chunks[0]!.id);
          assert.equal(c.model, w.model);
        }
        assert.equal(chunks[0]!.choices[0]!.delta.role, 'assistant');
        assert.ok(
          chunks.slice(1).every((c) => c.choices[0]?.delta.role === undefined),
          'only the first delta carries the role',
        );
        const content = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
        assert.equal(content, text);
        const contentChunks = chunks.filter((c) => c.choices[0]?.delta.content);
        assert.ok(contentChunks.length > 1, 'the answer arrives in several deltas');
        assert.ok(contentChunks.every((c) => c.choices[0]!.finish_reason === null));
        const last = chunks[chunks.length - 1]!;
        assert.equal(last.choices.length, 1);
        assert.equal(last.choices[0]!.finish_reason, 'stop');
        assert.deepEqual(last.choices[0]!.delta, {});
        assert.equal(last.usage, undefined);
        assert.equal(chunks.filter((c) => c.choices[0]?.finish_reason).length, 1, 'exactly one finish chunk');
        // The rich result behind the chunks is there too.
        const r = await stream.result;
        assert.equal(r.text, text);
        assert.equal(r.answeredBy, w.model);
      } finally {
        await w.close();
      }
    });

    test('stream with stream_options.include_usage: a final chunk with choices [] and the usage', async () => {
      const w = await setup(protocol);
      try {
        w.fake.enqueue({ text: 'Counting tokens here.', usage: { input: 20, output: 4 } });
        const chunks = await collect(
          await w.client.chat.completions.create({ model: w.model, messages: USER, stream: true, stream_options: { include_usage: true } }),
        );
        const last = chunks[chunks.length - 1]!;
        assert.deepEqual(last.choices, []);
        assert.equal(last.usage?.prompt_tokens, 20);
        assert.equal(last.usage?.completion_tokens, 4);
        assert.equal(last.usage?.total_tokens, 24);
        const beforeLast = chunks[chunks.length - 2]!;
        assert.equal(beforeLast.choices[0]!.finish_reason, 'stop');
        assert.equal(chunks.filter((c) => c.usage).length, 1, 'usage comes once, at the end');
        assert.equal(chunks.map((c) => c.choices[0]?.delta.content ?? '').join(''), 'Counting tokens here.');
      } finally {
        await w.close();
      }
    });

    test('an error before the first token rejects create() (non-streamed and streamed)', async () => {
      const w = await setup(protocol);
      try {
        w.fake.enqueue({ status: 401 }, { status: 401 }, { status: 400 }, { status: 404 });
        await assert.rejects(w.client.chat.completions.create({ model: w.model, messages: USER }), isKind('auth'));
        await assert.rejects(w.client.chat.completions.create({ model: w.model, messages: USER, stream: true }), isKind('auth'));
        await assert.rejects(w.client.chat.completions.create({ model: w.model, messages: USER, stream: true }), isKind('bad_request'));
        await assert.rejects(w.client.chat.completions.create({ model: w.model, messages: USER }), isKind('not_found'));
        assert.equal(w.fake.requests.length, 4);
      } finally {
        await w.close();
      }
    });

    test('a server error before the first token rejects create() after the retries', async () => {
      const w = await setup(protocol);
      try {
        w.fake.enqueue({ status: 500 });
        await assert.rejects(
          w.client.chat.completions.create({ model: w.model, messages: USER, stream: true }),
          (e: unknown) => e instanceof SwitchboardError && e.retryable && e.status === 500,
        );
      } finally {
        await w.close();
      }
    });

    test('a mid-stream error throws from the iteration after the first deltas', async () => {
      const w = await setup(protocol);
      try {
        w.fake.enqueue({ text: 'one two three four five six', midStreamErrorAfterChunks: 2 });
        const stream = await w.client.chat.completions.create({ model: w.model, messages: USER, stream: true });
        const got: string[] = [];
        let finish: string | null = null;
        await assert.rejects(
          (async () => {
            for await (const c of stream) {
              got.push(c.choices[0]?.delta.content ?? '');
              finish ??= c.choices[0]?.finish_reason ?? null;
            }
          })(),
          (e: unknown) => e instanceof SwitchboardError && /cut off/.test(e.message),
        );
        assert.ok(got.join('').length > 0, 'deltas before the error were delivered');
        assert.ok('one two three four five six'.startsWith(got.join('')));
        assert.notEqual(got.join(''), 'one two three four five six');
        assert.equal(finish, null, 'no finish chunk before the error');
      } finally {
        await w.close();
      }
    });

    test('a dropped connection mid-stream throws a network error from the iteration', async () => {
      const w = await setup(protocol);
      try {
        w.fake.enqueue({ text: 'alpha beta gamma delta', dropAfterChunks: 1 });
        const stream = await w.client.chat.completions.create({ model: w.model, messages: USER, stream: true });
        await assert.rejects(collect(stream), isKind('network'));
      } finally {
        await w.close();
      }
    });
  });
}

describe('chat.completions.create parameter validation', () => {
  test('invalid params reject with a bad_request error naming the field, before any request', async () => {
    const w = await setup('anthropic');
    try {
      const cases: [Record<string, unknown>, RegExp, string][] = [
        [{ model: w.model, messages: [] }, /messages: messages must not be empty/, 'messages'],
        [{ model: w.model, messages: USER, temperature: 5 }, /temperature: /, 'temperature'],
        [{ model: w.model, messages: USER, top_p: 2 }, /top_p: /, 'top_p'],
        [{ model: w.model, messages: USER, max_tokens: 0 }, /max_tokens: /, 'max_tokens'],
        [{ model: '', messages: USER }, /model: model is required/, 'model'],
        [{ model: w.model, messages: [{ role: 'wizard', content: 'x' }] }, /messages\[0\]\.role: /, 'messages[0].role'],
        [{ model: w.model, messages: USER, stream: true, temperature: -1 }, /temperature: /, 'temperature'],
      ];
      for (const [params, field, param] of cases) {
        await assert.rejects(
          // eslint-disable-next-line @typescript-eslint/no-explicit-any
          w.client.chat.completions.create(params as any),
          (e: unknown) => isKind('bad_request', field)(e) && (assert.equal((e as { param?: unknown }).param, param, String(e)), true),
        );
      }
      assert.equal(w.fake.requests.length, 0);
    } finally {
      await w.close();
    }
  });

  test('an unconfigured provider rejects with a config error naming it', async () => {
    const w = await setup('gemini');
    try {
      await assert.rejects(
        w.client.chat.completions.create({ model: 'mistral/mistral-small', messages: USER }),
        (e: unknown) => e instanceof SwitchboardError && e.kind === 'config' && e.provider === 'mistral',
      );
      assert.equal(w.fake.requests.length, 0);
    } finally {
      await w.close();
    }
  });
});
