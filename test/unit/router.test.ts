import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeProvider } from '../fakes/server.ts';
import type { FakeServer } from '../fakes/types.ts';
import { createClient, type ClientOptions } from '../../src/core/client.ts';
import type { ConfigInput } from '../../src/core/config.ts';
import { MemoryUsageStore } from '../../src/core/router/ledger.ts';
import { overrideHint } from '../../src/core/router/needs.ts';
import { maxWebSearches, openBudget, UNBOUNDED_WEB_SEARCHES, unpricedHostedTools, worstCaseUsd } from '../../src/core/router/spend.ts';
import type { BudgetConfig } from '../../src/core/config.ts';
import type { ModelFacts } from '../../src/core/router/strategy.ts';
import type { PassthroughRequest } from '../../src/core/types.ts';
import { ManualClock, waitFor } from './helpers.ts';

const fakes: FakeServer[] = [];
after(async () => {
  await Promise.all(fakes.map((f) => f.close()));
});

/** N OpenAI-protocol fakes as providers a, b, c… with models a/m, b/m, … */
async function world(n: number, config: Partial<ConfigInput> = {}, options: ClientOptions = {}) {
  const servers: FakeServer[] = [];
  for (let i = 0; i < n; i++) {
    const f = await startFakeProvider('openai');
    fakes.push(f);
    servers.push(f);
  }
  const ids = servers.map((_, i) => String.fromCharCode(97 + i));
  const clock = new ManualClock();
  const client = createClient(
    {
      ...config,
      providers: servers.map((f, i) => ({ id: ids[i]!, kind: 'openai' as const, baseUrl: f.baseUrl, apiKeyEnv: 'K' })),
    },
    { env: { K: 'k' }, clock, random: () => 0.5, ...options },
  );
  const ask = (model: string, extra: Record<string, unknown> = {}) => client.complete({ model, messages: [{ role: 'user', content: 'hello' }], ...extra });
  return { servers, ids, clock, client, ask };
}

const route = (models: string[], extra: Record<string, unknown> = {}) => ({ routes: [{ id: 'r', models, ...extra }] });

describe('failover', () => {
  for (const status of [500, 502, 503, 529]) {
    test(`${status} on the primary fails over to the next model`, async () => {
      const w = await world(2, route(['a/m', 'b/m']));
      w.servers[0]!.enqueue({ status });
      w.servers[1]!.enqueue({ text: 'from b' });
      const r = await w.ask('route/r');
      assert.equal(r.error, null);
      assert.equal(r.text, 'from b');
      assert.equal(r.answeredBy, 'b/m');
      assert.deepEqual(
        r.attempts.map((a) => [a.model, a.outcome, a.status ?? null]),
        [
          ['a/m', 'error', status],
          ['b/m', 'ok', null],
        ],
      );
      await w.client.close();
    });
  }

  test('a connection reset before the response fails over', async () => {
    const w = await world(2, route(['a/m', 'b/m']));
    w.servers[0]!.enqueue({ resetBeforeResponse: true });
    w.servers[1]!.enqueue({ text: 'fine' });
    const r = await w.ask('route/r');
    assert.equal(r.answeredBy, 'b/m');
    assert.equal(r.attempts[0]!.errorKind, 'network');
    await w.client.close();
  });

  for (const [status, kind] of [
    [401, 'auth'],
    [403, 'permission'],
    [402, 'quota'],
    [400, 'bad_request'],
  ] as const) {
    test(`${status} (${kind}) is reported at once: no retry, no failover`, async () => {
      const w = await world(2, route(['a/m', 'b/m']));
      w.servers[0]!.enqueue({ status });
      const r = await w.ask('route/r');
      assert.equal(r.error?.kind, kind);
      assert.equal(r.attempts.length, 1);
      assert.equal(w.servers[1]!.requests.length, 0, 'the fallback was never called');
      assert.equal(w.servers[0]!.requests.length, 1, 'no retry');
      await w.client.close();
    });
  }

  test('insufficient_quota 429 is not retried', async () => {
    const w = await world(1, { retries: { maxRetries: 3 } });
    w.servers[0]!.enqueue({
      status: 429,
      errorType: 'insufficient_quota',
      errorMessage: 'You exceeded your current quota, please check your plan and billing details.',
    });
    const r = await w.ask('a/m');
    assert.equal(r.error?.kind, 'quota');
    assert.equal(w.servers[0]!.requests.length, 1);
    assert.deepEqual(w.clock.sleeps, []);
    await w.client.close();
  });

  test('a context-length error skips to the next model without retrying', async () => {
    const w = await world(2, { ...route(['a/m', 'b/m']), retries: { maxRetries: 2 } });
    w.servers[0]!.enqueue({
      status: 400,
      body: {
        error: {
          message: "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.",
          type: 'invalid_request_error',
          code: 'context_length_exceeded',
        },
      },
    });
    w.servers[1]!.enqueue({ text: 'long ok' });
    const r = await w.ask('route/r');
    assert.equal(r.answeredBy, 'b/m');
    assert.equal(r.attempts[0]!.errorKind, 'context_length');
    assert.equal(w.servers[0]!.requests.length, 1);
    await w.client.close();
  });

  test('a 404 (this provider does not serve the model) moves a route on to the next candidate', async () => {
    const w = await world(2, { ...route(['a/m', 'b/m']), retries: { maxRetries: 2 } });
    w.servers[0]!.enqueue({ status: 404 });
    w.servers[1]!.enqueue({ text: 'b has it' });
    const r = await w.ask('route/r');
    assert.equal(r.answeredBy, 'b/m');
    assert.equal(r.attempts[0]!.errorKind, 'not_found');
    assert.equal(w.servers[0]!.requests.length, 1, 'not retried on the same model');
    await w.client.close();
  });

  test('a prompt too long for a candidate’s known context window skips it without a request', async () => {
    const f1 = await startFakeProvider('openai');
    const f2 = await startFakeProvider('openai');
    fakes.push(f1, f2);
    const client = createClient(
      {
        providers: [
          { id: 'openai', baseUrl: f1.baseUrl },
          { id: 'b', kind: 'openai', baseUrl: f2.baseUrl, apiKeyEnv: 'K' },
        ],
        routes: [{ id: 'r', models: ['openai/gpt-4o-mini', 'b/m'] }],
      },
      { env: { OPENAI_API_KEY: 'k', K: 'k' } },
    );
    f2.enqueue({ text: 'big ok' });
    const r = await client.complete({ model: 'route/r', messages: [{ role: 'user', content: 'x'.repeat(600_000) }] });
    assert.equal(r.answeredBy, 'b/m');
    assert.equal(r.attempts[0]!.outcome, 'skipped');
    assert.match(r.attempts[0]!.message!, /context window/);
    assert.equal(f1.requests.length, 0);
    await client.close();
  });

  test('once a token was shown, a mid-stream failure never switches models; partial kept; says who could continue', async () => {
    const w = await world(2, route(['a/m', 'b/m']));
    w.servers[0]!.enqueue({ text: 'first second third fourth', dropAfterChunks: 2 });
    const r = await w.ask('route/r');
    assert.ok(r.error);
    assert.ok(r.text.startsWith('first'), r.text);
    assert.equal(r.answeredBy, 'a/m');
    assert.equal(w.servers[1]!.requests.length, 0);
    assert.deepEqual(r.canContinueWith, ['a/m', 'b/m']);
    assert.match(r.error.message, /partial text is kept/);
    await w.client.close();
  });

  test('a mid-stream error event after tokens ends the answer with a clear error (OpenRouter style)', async () => {
    const w = await world(2, route(['a/m', 'b/m']));
    w.servers[0]!.enqueue({ text: 'one two three', midStreamErrorAfterChunks: 1 });
    const r = await w.ask('route/r');
    assert.ok(r.error);
    assert.equal(r.finishReason, 'error');
    assert.ok(r.text.length > 0);
    assert.equal(w.servers[1]!.requests.length, 0);
    await w.client.close();
  });

  test('all candidates failing reports the last error and every attempt', async () => {
    const w = await world(2, route(['a/m', 'b/m']));
    w.servers[0]!.enqueue({ status: 500 });
    w.servers[1]!.enqueue({ status: 503 }, { status: 503 }, { status: 503 });
    const r = await w.ask('route/r');
    assert.equal(r.error?.kind, 'overloaded');
    assert.match(r.error!.message, /all 2 candidates/);
    assert.deepEqual(
      r.attempts.map((a) => a.model),
      ['a/m', 'b/m', 'b/m', 'b/m'],
    );
    await w.client.close();
  });
});

describe('a bug in Switchboard (internal)', () => {
  test('a TypeError inside an adapter is internal: not retried, no failover, no cooldown, and the fix says how to report it', async () => {
    let calls = 0;
    const w = await world(
      2,
      { ...route(['a/m', 'b/m']), retries: { maxRetries: 3 } },
      {
        getApiKey: () => {
          calls++;
          throw new TypeError("Cannot read properties of undefined (reading 'key')");
        },
      },
    );
    const r = await w.ask('route/r');
    assert.equal(r.error?.kind, 'internal');
    assert.equal(r.error?.retryable, false);
    assert.match(r.error!.message, /Switchboard bug: TypeError: Cannot read properties of undefined/);
    assert.match(r.error!.fix ?? '', /bug in Switchboard.*report it at https:\/\/github\.com\/switchboard\/switchboard\/issues/);
    assert.doesNotMatch(r.error!.fix ?? '', /network|baseUrl/);
    assert.deepEqual(
      r.attempts.map((a) => [a.model, a.outcome, a.errorKind]),
      [['a/m', 'error', 'internal']],
    );
    assert.equal(calls, 1, 'tried once');
    assert.equal(w.servers[0]!.requests.length + w.servers[1]!.requests.length, 0);
    // No cooldown: the next requests try the model again instead of skipping it as cooling down.
    for (let i = 0; i < 4; i++) await w.ask('a/m');
    const again = await w.ask('a/m');
    assert.deepEqual(
      again.attempts.map((a) => a.outcome),
      ['error'],
    );
    assert.equal(calls, 6);
    await w.client.close();
  });
});

describe('retries', () => {
  test('429 with retry-after seconds waits at least that long, then succeeds', async () => {
    const w = await world(1, { retries: { maxRetries: 2 } });
    w.servers[0]!.enqueue({ status: 429, headers: { 'retry-after': '3' } }, { text: 'after wait' });
    const r = await w.ask('a/m');
    assert.equal(r.text, 'after wait');
    assert.equal(w.clock.sleeps.length, 1);
    assert.ok(w.clock.sleeps[0]! >= 3000, `slept ${w.clock.sleeps[0]}`);
    assert.deepEqual(
      r.attempts.map((a) => a.outcome),
      ['error', 'ok'],
    );
    await w.client.close();
  });

  test('x-should-retry: false on a 500 is not retried on the same model; a route still fails over', async () => {
    const w = await world(2, { ...route(['a/m', 'b/m']), retries: { maxRetries: 3 } });
    w.servers[0]!.enqueue({ status: 500, headers: { 'x-should-retry': 'false', 'x-request-id': 'req_abc123' } });
    w.servers[1]!.enqueue({ text: 'from b' });
    const r = await w.ask('route/r');
    assert.equal(r.text, 'from b');
    assert.deepEqual(
      r.attempts.map((a) => [a.model, a.outcome]),
      [
        ['a/m', 'error'],
        ['b/m', 'ok'],
      ],
    );
    assert.equal(w.clock.sleeps.length, 0);
    await w.client.close();
  });

  test('x-should-retry: true makes a 409 retryable; the request id is kept on the error', async () => {
    const w = await world(1, { retries: { maxRetries: 1 } });
    w.servers[0]!.enqueue(
      { status: 409, headers: { 'x-should-retry': 'true', 'x-request-id': 'req_first' } },
      { status: 409, headers: { 'x-request-id': 'req_second' } },
    );
    const r = await w.ask('a/m');
    assert.deepEqual(
      r.attempts.map((a) => a.outcome),
      ['error', 'error'],
      'retried once',
    );
    assert.equal(r.error?.kind, 'bad_request');
    assert.equal(r.error?.requestId, 'req_second');
    assert.match(r.error!.message, /\(request id req_second\)/);
    await w.client.close();
  });

  test('429 with retry-after as an HTTP date', async () => {
    const w = await world(1, { retries: { maxRetries: 1 } });
    w.servers[0]!.enqueue({ status: 429, headers: { 'retry-after': new Date(Date.now() + 5000).toUTCString() } }, { text: 'ok' });
    const r = await w.ask('a/m');
    assert.equal(r.text, 'ok');
    assert.ok(w.clock.sleeps[0]! >= 3000 && w.clock.sleeps[0]! <= 6000, `slept ${w.clock.sleeps[0]}`);
    await w.client.close();
  });

  test('retry-after-ms wins over retry-after', async () => {
    const w = await world(1, { retries: { maxRetries: 1 } });
    w.servers[0]!.enqueue({ status: 429, headers: { 'retry-after-ms': '1500', 'retry-after': '9' } }, { text: 'ok' });
    await w.ask('a/m');
    assert.ok(w.clock.sleeps[0]! >= 1500 && w.clock.sleeps[0]! < 9000, `slept ${w.clock.sleeps[0]}`);
    await w.client.close();
  });

  test('exponential backoff with jitter on repeated 500s, capped by maxRetries', async () => {
    const w = await world(1, { retries: { maxRetries: 3 } });
    w.servers[0]!.enqueue({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    const r = await w.ask('a/m');
    assert.equal(r.error?.kind, 'server');
    assert.equal(w.servers[0]!.requests.length, 4);
    // random() = 0.5 → 3/4 of 500, 1000, 2000 ms
    assert.deepEqual(w.clock.sleeps, [375, 750, 1500]);
    await w.client.close();
  });

  test('each retry is announced before the wait: kind, status, delay and "attempt N of M"', async () => {
    const w = await world(1, { retries: { maxRetries: 2 } });
    w.servers[0]!.enqueue({ status: 429, headers: { 'retry-after': '7' } }, { status: 503 }, { text: 'third time' });
    const stream = w.client.stream({ model: 'a/m', messages: [{ role: 'user', content: 'hi' }] });
    const seen: string[] = [];
    const retries: unknown[] = [];
    for await (const p of stream) {
      seen.push(p.type);
      if (p.type === 'retry') retries.push({ ...p, reason: typeof p.reason });
    }
    assert.deepEqual(retries, [
      { type: 'retry', model: 'a/m', delayMs: 7000, reason: 'string', kind: 'rate_limit', status: 429, attempt: 2, maxAttempts: 3 },
      { type: 'retry', model: 'a/m', delayMs: 750, reason: 'string', kind: 'overloaded', status: 503, attempt: 3, maxAttempts: 3 },
    ]);
    // The wait comes between the announcement and the next try, so a front end can count it down.
    assert.deepEqual(
      seen.filter((t) => t === 'retry' || t === 'attempt-start'),
      ['attempt-start', 'retry', 'attempt-start', 'retry', 'attempt-start'],
    );
    assert.deepEqual(w.clock.sleeps, [7000, 750]);
    assert.equal((await stream.result).text, 'third time');
    await w.client.close();
  });

  test('a 60 s retry-after is not sat through: a route fails over at once', async () => {
    const w = await world(2, { ...route(['a/m', 'b/m'], { retrySameModel: true }), retries: { maxRetries: 2 } });
    w.servers[0]!.enqueue({ status: 429, headers: { 'retry-after': '60' } });
    w.servers[1]!.enqueue({ text: 'b answers' });
    const r = await w.ask('route/r');
    assert.equal(r.answeredBy, 'b/m');
    assert.deepEqual(w.clock.sleeps, []);
    await w.client.close();
  });

  test('a 60 s retry-after on a single model is reported with the wait, not waited', async () => {
    const w = await world(1, { retries: { maxRetries: 2 } });
    w.servers[0]!.enqueue({ status: 429, headers: { 'retry-after': '60' } });
    const r = await w.ask('a/m');
    assert.equal(r.error?.kind, 'rate_limit');
    assert.equal(r.error?.retryAfterMs, 60_000);
    assert.match(r.error!.message, /wait 60 s/);
    assert.deepEqual(w.clock.sleeps, []);
    await w.client.close();
  });
});

describe('first-token watchdog', () => {
  test('a route abandons a candidate that stalls before its first token and moves on', async () => {
    const w = await world(2, route(['a/m', 'b/m'], { firstTokenTimeoutMs: 5000 }));
    w.servers[0]!.enqueue({ text: 'never', delayBeforeFirstByteMs: 60_000 });
    w.servers[1]!.enqueue({ text: 'quick' });
    const p = w.ask('route/r');
    await waitFor(() => w.servers[0]!.requests.length === 1);
    w.clock.advance(5000);
    const r = await p;
    assert.equal(r.answeredBy, 'b/m');
    assert.equal(r.attempts[0]!.errorKind, 'timeout');
    assert.match(r.attempts[0]!.message!, /no first token within 5000 ms/);
    await waitFor(() => w.servers[0]!.openSockets() === 0);
    await w.client.close();
  });
});

describe('cooldowns', () => {
  test('repeated failures cool a model down for every request; a half-open probe closes it', async () => {
    const w = await world(2, route(['a/m', 'b/m']));
    w.servers[0]!.setDefault({ status: 500 });
    w.servers[1]!.setDefault({ text: 'b' });
    for (let i = 0; i < 3; i++) assert.equal((await w.ask('route/r')).answeredBy, 'b/m');
    assert.equal(w.client.cooldowns.state('a/m'), 'open');
    const r = await w.ask('route/r');
    assert.equal(w.servers[0]!.requests.length, 3, 'the cooled-down model got no 4th request');
    assert.equal(r.attempts[0]!.outcome, 'skipped');
    assert.match(r.attempts[0]!.message!, /cooling down/);
    w.clock.advance(30_001);
    assert.equal(w.client.cooldowns.state('a/m'), 'half-open');
    w.servers[0]!.setDefault({ text: 'a is back' });
    const probe = await w.ask('route/r');
    assert.equal(probe.answeredBy, 'a/m');
    assert.equal(w.client.cooldowns.state('a/m'), 'closed');
    await w.client.close();
  });

  test('a failed probe re-opens the circuit for longer', async () => {
    const w = await world(2, route(['a/m', 'b/m']));
    w.servers[0]!.setDefault({ status: 500 });
    w.servers[1]!.setDefault({ text: 'b' });
    for (let i = 0; i < 3; i++) await w.ask('route/r');
    w.clock.advance(30_001);
    await w.ask('route/r');
    assert.equal(w.client.cooldowns.state('a/m'), 'open');
    assert.ok(w.client.cooldowns.remainingMs('a/m') > 30_000);
    await w.client.close();
  });
});

describe('strategies', () => {
  test('cheapest tries the cheapest qualifying model first', async () => {
    const w = await world(3, {
      routes: [{ id: 'r', models: ['a/m', 'b/m', 'c/m'], strategy: 'cheapest', constraints: { maxOutputPrice: 20 } }],
      pricing: { 'a/m': { input: 3, output: 15 }, 'b/m': { input: 0.15, output: 0.6 }, 'c/m': { input: 0.1, output: 40 } },
    });
    w.servers[1]!.enqueue({ text: 'cheap' });
    const r = await w.ask('route/r', { maxTokens: 100 });
    assert.equal(r.answeredBy, 'b/m');
    assert.equal(w.servers[0]!.requests.length, 0);
    const skipped = r.attempts.find((a) => a.model === 'c/m');
    assert.equal(skipped?.outcome, 'skipped');
    assert.match(skipped!.message!, /maxOutputPrice/);
    assert.ok(r.costUsd !== null && r.costUsd > 0);
    await w.client.close();
  });

  test('fastest orders by observed time to first token, unknown models last', async () => {
    const w = await world(2, { routes: [{ id: 'r', models: ['a/m', 'b/m'], strategy: 'fastest' }] });
    w.client.latency.record('b/m', 50);
    w.client.latency.record('a/m', 900);
    w.servers[1]!.enqueue({ text: 'fast b' });
    assert.equal((await w.ask('route/r')).answeredBy, 'b/m');
    await w.client.close();
  });
});

describe('budgets and the ledger', () => {
  const pricing = { 'a/m': { input: 1000, output: 1000 } };

  test("a budget refusal's fix names where to change it: config keys for the CLI, the switchboard.budget and switchboard.pricing settings in VS Code", async () => {
    const fixes = async (place: { settingsIn?: 'vscode' }): Promise<(string | null | undefined)[]> => {
      const w = await world(1, { pricing, budget: { perRequest: 0.01, perSession: 0.01, onExceed: 'block' } }, { ledger: new MemoryUsageStore(), ...place });
      const perSession = await w.ask('a/m', { maxTokens: 200 });
      const u = await world(1, { budget: { daily: 1, onExceed: 'block' } }, { ledger: new MemoryUsageStore(), ...place });
      const unpriced = await u.ask('a/m', { maxTokens: 200 });
      const d = await world(1, { pricing, budget: { daily: 0.01, onExceed: 'block' } }, { ledger: new MemoryUsageStore(), ...place });
      const daily = await d.ask('a/m', { maxTokens: 200 });
      for (const x of [w, u, d]) {
        assert.equal(x.servers[0]!.requests.length, 0, 'nothing was sent');
        await x.client.close();
      }
      return [perSession.error?.fix, unpriced.error?.fix, daily.error?.fix];
    };
    assert.deepEqual(await fixes({}), [
      'raise budget.perSession, start a new spend session (VS Code: "Switchboard: Start New Spend Session"; the CLI and the gateway start one per run), ask for fewer output tokens, or set budget.onExceed to "warn"',
      'add a "pricing" entry for a/m (0 for a free local model), or set budget.onExceed to "warn"',
      'raise the budget in the config, ask for fewer output tokens (a request holds its worst case until it is done: its max_tokens, else the model\'s output limit, else what its context window leaves), wait for the next day/month, or set budget.onExceed to "warn"',
    ]);
    assert.deepEqual(await fixes({ settingsIn: 'vscode' }), [
      'raise "perSession" in the switchboard.budget setting, start a new spend session (VS Code: "Switchboard: Start New Spend Session"; the CLI and the gateway start one per run), ask for fewer output tokens, or set "onExceed" in the switchboard.budget setting to "warn"',
      'add an entry for a/m in the switchboard.pricing setting (0 for a free local model), or set "onExceed" in the switchboard.budget setting to "warn"',
      'raise the budget in the switchboard.budget setting, ask for fewer output tokens (a request holds its worst case until it is done: its max_tokens, else the model\'s output limit, else what its context window leaves), wait for the next day/month, or set "onExceed" in the switchboard.budget setting to "warn"',
    ]);
  });

  test("the hold counts the prompt's tool definitions and response schema, which are billed as input", async () => {
    // ~1,000 tokens of tool description at $1,000 per million: $1 of input, far over the cap; the message and 1 output token are not.
    const tools = [{ name: 'lookup', description: 'x'.repeat(4000), parameters: { type: 'object', properties: {} } }];
    const schema = { type: 'object', description: 'x'.repeat(4000) };
    for (const extra of [{ tools }, { responseFormat: { type: 'json_schema', name: 'a', schema } }]) {
      const w = await world(1, { pricing, budget: { perRequest: 0.1, onExceed: 'block' } }, { ledger: new MemoryUsageStore() });
      w.servers[0]!.enqueue({ text: 'ok' });
      const small = await w.ask('a/m', { maxTokens: 1 });
      assert.equal(small.error, null, 'the message alone is within the cap');
      const r = await w.ask('a/m', { maxTokens: 1, ...extra });
      assert.equal(r.error?.kind, 'budget', JSON.stringify(Object.keys(extra)));
      assert.equal(w.servers[0]!.requests.length, 1, 'the request with the large prompt was not sent');
      await w.client.close();
    }
  });

  test('a maxTokens that is no whole number of tokens (1e308, 2.5, 2^53, 0) is refused before anything is held or sent', async () => {
    const ledger = new MemoryUsageStore();
    const w = await world(1, { pricing, budget: { daily: 1, onExceed: 'block' } }, { ledger });
    let held = 0;
    const reserve = ledger.reserve.bind(ledger);
    ledger.reserve = async (now, decide, session) => {
      held++;
      return reserve(now, decide, session);
    };
    for (const maxTokens of [1e308, 2.5, 2 ** 53, 0, -1]) {
      const r = await w.ask('a/m', { maxTokens });
      assert.equal(r.error?.kind, 'bad_request', String(maxTokens));
      assert.match(r.error!.message, new RegExp(`maxTokens: expected a positive integer, got ${String(maxTokens).replace('+', '\\+')}`));
      assert.match(r.error!.fix ?? '', /whole number of output tokens/);
      assert.equal(w.client.refusal({ model: 'a/m', messages: [{ role: 'user', content: 'hi' }], maxTokens })?.kind, 'bad_request');
    }
    assert.equal(held, 0, 'nothing was held');
    assert.equal(w.servers[0]!.requests.length, 0, 'nothing was sent');
    await w.client.close();
  });

  test("a forwarded request's web search bounds that are no whole numbers (max_uses 1e308 twice, max_tool_calls 1e308) hold a finite worst case", () => {
    const search = (max_uses: number) => ({ type: 'web_search_20250305', name: 'web_search', max_uses });
    const facts = { price: () => ({ input: 3, output: 15, webSearch: 0.01 }), contextLength: () => null } as unknown as ModelFacts;
    for (const pass of [
      { protocol: 'anthropic', body: { tools: [search(1e308), search(1e308)] } },
      { protocol: 'anthropic', body: { tools: [search(2.5)] } },
      { protocol: 'openai-responses', body: { tools: [{ type: 'web_search' }], max_tool_calls: 1e308 } },
    ] as const) {
      const searches = maxWebSearches(pass as unknown as PassthroughRequest);
      assert.equal(searches, UNBOUNDED_WEB_SEARCHES, JSON.stringify(pass));
      const worst = worstCaseUsd(facts, 'a/m', 100, 1000, searches);
      assert.ok(worst !== null && Number.isFinite(worst) && worst < 1, `${JSON.stringify(pass)}: ${worst}`);
    }
    assert.equal(maxWebSearches({ protocol: 'anthropic', body: { tools: [search(2), search(3)] } } as unknown as PassthroughRequest), 5);
  });

  test("hosted tools whose fees no price has: every type the provider runs but web search (and Anthropic's fee-less web fetch), by type; the caller's own tools are not", () => {
    const of = (protocol: PassthroughRequest['protocol'], tools: unknown[]): string[] => unpricedHostedTools({ protocol, body: { tools } });
    const fn = { type: 'function', name: 'exec_command', parameters: { type: 'object' } };
    // What Codex and Claude Code send: function tools, a namespace of them, hosted web search; custom tools.
    assert.deepEqual(of('openai-responses', [fn, { type: 'namespace', name: 'agents', tools: [fn] }, { type: 'web_search' }]), []);
    assert.deepEqual(of('openai-responses', [{ type: 'custom', name: 'apply_patch' }, { type: 'local_shell' }, { type: 'web_search_preview_2025_03_11' }]), []);
    assert.deepEqual(
      of('anthropic', [
        { name: 'Read', input_schema: { type: 'object' } },
        { type: 'custom', name: 'Write', input_schema: { type: 'object' } },
        { type: 'bash_20250124', name: 'bash' },
        { type: 'text_editor_20250728', name: 'str_replace_based_edit_tool' },
        { type: 'web_search_20250305', name: 'web_search' },
        { type: 'web_fetch_20250910', name: 'web_fetch' },
      ]),
      [],
    );
    assert.deepEqual(of('openai', [fn]), []);
    // Hosted, with fees no price has: the four known before, MCP, computer use, any type not known, a hosted tool in a namespace.
    assert.deepEqual(
      of('openai-responses', [
        { type: 'code_interpreter' },
        { type: 'file_search' },
        { type: 'image_generation' },
        { type: 'mcp', server_label: 'docs' },
        { type: 'computer_use_preview' },
        { type: 'mcp', server_label: 'other' },
        { type: 'namespace', name: 'ns', tools: [fn, { type: 'future_tool' }] },
      ]),
      ['code_interpreter', 'file_search', 'image_generation', 'mcp', 'computer_use_preview', 'future_tool'],
    );
    assert.deepEqual(
      of('anthropic', [
        { type: 'code_execution_20250825', name: 'code_execution' },
        { type: 'mcp_toolset', mcp_server_name: 'docs' },
        { type: 'tool_search_tool_bm25_20251119', name: 'tool_search_tool_bm25' },
      ]),
      ['code_execution', 'mcp_toolset', 'tool_search_tool_bm25'],
    );
    assert.deepEqual(of('openai', [fn, { type: 'browser_search' }]), ['browser_search']);
  });

  test('hosted tools whose fees no price has: a blocking budget with a limit refuses them, holding nothing; a route with an included model leaves its other members out; no limit or a warning budget lets them go', async () => {
    const facts = {
      price: (id: string) => (id === 'a/m' || id === 'b/m' ? { input: 3, output: 15 } : null),
      included: (id: string) => id === 'sub/m',
      contextLength: () => null,
    } as unknown as ModelFacts;
    const ledger = new MemoryUsageStore();
    const open = (budget: BudgetConfig, candidates: string[], tools: string[], reached?: string[]) =>
      openBudget({ budget, ledger, facts }, candidates, 100, 100, Date.parse('2026-01-01T00:00:00Z'), null, 0, tools, reached);
    const block = { daily: 1, onExceed: 'block' } as BudgetConfig;
    const refused = await open(block, ['a/m'], ['code_interpreter', 'file_search']);
    assert.equal(refused.error?.kind, 'budget');
    assert.match(refused.error!.message, /hosted tools code_interpreter, file_search, .*no price for/);
    assert.match(refused.error!.fix ?? '', /remove the code_interpreter, file_search tools from the request, or set budget\.onExceed to "warn"/);
    assert.equal(refused.reservation, null);
    assert.equal(ledger.reservations.size, 0, 'nothing held');
    // An included model may still answer: the priced member is left out, not the request.
    const route = await open(block, ['a/m', 'sub/m'], ['code_interpreter']);
    assert.equal(route.error, null);
    assert.deepEqual(
      route.skipped.map((x) => x.id),
      ['a/m'],
    );
    assert.match(route.skipped[0]!.why, /code_interpreter/);
    // A member the tools do not reach (sent a translation without them) answers; the one they reach is left out.
    const mixed = await open(block, ['a/m', 'b/m'], ['code_interpreter'], ['a/m']);
    assert.equal(mixed.error, null);
    assert.deepEqual(
      mixed.skipped.map((x) => x.id),
      ['a/m'],
    );
    assert.notEqual(mixed.reservation, null, 'b/m is held for');
    await ledger.release(mixed.reservation!);
    // Reaching none of them: nothing to refuse.
    const none = await open(block, ['a/m'], ['code_interpreter'], []);
    assert.equal(none.error, null);
    assert.deepEqual(none.skipped, []);
    await ledger.release(none.reservation!);
    // Without those tools, without a limit, or under a warning budget: held and let go.
    for (const [budget, tools] of [
      [block, []],
      [{ onExceed: 'block' } as BudgetConfig, ['code_interpreter']],
      [{ daily: 1, onExceed: 'warn' } as BudgetConfig, ['code_interpreter']],
    ] as const) {
      const g = await open(budget, ['a/m'], [...tools]);
      assert.equal(g.error, null, `${JSON.stringify(budget)} ${tools.join()}`);
      assert.deepEqual(g.skipped, []);
    }
  });

  test('block refuses with budget, spend and estimate; nothing reaches the provider', async () => {
    const ledger = new MemoryUsageStore();
    const w = await world(1, { pricing, budget: { daily: 1, onExceed: 'block' } }, { ledger });
    const today = new Date(w.clock.now()).toISOString();
    await ledger.append({
      ts: today,
      model: 'a/m',
      answeredBy: 'a/m',
      inputTokens: 1,
      outputTokens: 1,
      cachedInputTokens: null,
      reasoningTokens: null,
      costUsd: 0.9,
      frontEnd: 'cli',
      ok: true,
    });
    const r = await w.ask('a/m', { maxTokens: 200 });
    assert.equal(r.error?.kind, 'budget');
    assert.match(r.error!.message, /daily budget \$1\.00/);
    assert.match(r.error!.message, /spent \$0\.90/);
    assert.match(r.error!.message, /estimate \$0\.2/);
    assert.equal(w.servers[0]!.requests.length, 0);
    await w.client.close();
  });

  test('warn proceeds and says so; the answer is recorded in the ledger with its cost and front end', async () => {
    const ledger = new MemoryUsageStore();
    const w = await world(1, { pricing, budget: { perRequest: 0.0001, onExceed: 'warn' } }, { ledger, frontEnd: 'gateway' });
    w.servers[0]!.enqueue({ text: 'spent', usage: { input: 10, output: 5 } });
    const stream = w.client.stream({ model: 'a/m', messages: [{ role: 'user', content: 'hi' }], maxTokens: 50 });
    const warnings: string[] = [];
    for await (const p of stream) if (p.type === 'warning') warnings.push(p.message);
    const r = await stream.result;
    assert.equal(r.text, 'spent');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /per-request budget/);
    assert.equal(ledger.entries.length, 1);
    assert.equal(ledger.entries[0]!.frontEnd, 'gateway');
    assert.equal(ledger.entries[0]!.costUsd, (10 * 1000 + 5 * 1000) / 1e6);
    await w.client.close();
  });

  test('an unknown price is not free: a warning budget says so and goes on', async () => {
    const w = await world(1, { budget: { daily: 5, onExceed: 'warn' } }, { ledger: new MemoryUsageStore() });
    w.servers[0]!.enqueue({ text: 'x' });
    const stream = w.client.stream({ model: 'a/m', messages: [{ role: 'user', content: 'hi' }] });
    const warnings: string[] = [];
    for await (const p of stream) if (p.type === 'warning') warnings.push(p.message);
    assert.equal((await stream.result).text, 'x');
    assert.match(warnings[0]!, /unknown, not as free/);
    await w.client.close();
  });

  test('an unknown price under a blocking budget is refused: it could not be counted', async () => {
    const w = await world(1, { budget: { daily: 5, onExceed: 'block' } }, { ledger: new MemoryUsageStore() });
    const r = await w.ask('a/m');
    assert.equal(r.error?.kind, 'budget');
    assert.match(r.error!.message, /price of a\/m is unknown/);
    assert.match(r.error!.fix ?? '', /"pricing" entry for a\/m/);
    assert.equal(w.servers[0]!.requests.length, 0);
    await w.client.close();
  });

  test('a route under a blocking budget skips its unpriced models and says why', async () => {
    const w = await world(
      2,
      { ...route(['b/m', 'a/m']), pricing, capabilities: { 'a/m': { maxOutputTokens: 100 } }, budget: { daily: 5, onExceed: 'block' } },
      { ledger: new MemoryUsageStore() },
    );
    w.servers[0]!.enqueue({ text: 'priced' });
    const r = await w.ask('route/r');
    assert.equal(r.answeredBy, 'a/m');
    assert.match(r.attempts.find((a) => a.model === 'b/m')!.message ?? '', /no price known/);
    assert.equal(w.servers[1]!.requests.length, 0);
    await w.client.close();
  });

  describe('a priced model whose answer length is unknown (no max_tokens, no output limit, no context window)', () => {
    const daily = { daily: 5, onExceed: 'block' as const };

    test('a blocking budget refuses it before sending: no hold could bound its cost; the fix names max_tokens and the capability', async () => {
      const ledger = new MemoryUsageStore();
      const w = await world(1, { pricing, budget: daily }, { ledger });
      const r = await w.ask('a/m');
      assert.equal(r.error?.kind, 'budget');
      assert.match(r.error!.message, /max_tokens nor a\/m's output limit or context window is known/);
      assert.match(r.error!.fix ?? '', /send max_tokens.*capabilities\["a\/m"\]\.maxOutputTokens.*budget\.onExceed/);
      assert.equal(w.servers[0]!.requests.length, 0);
      assert.equal((await ledger.totals(Date.now())).reserved, 0);
      await w.client.close();
    });

    test('it is asked when the request sets max_tokens, the config gives its output limit or window, its output is free, or the budget only warns', async () => {
      for (const [how, config, extra] of [
        ['max_tokens', { pricing, budget: daily }, { maxTokens: 50 }],
        ['output limit', { pricing, budget: daily, capabilities: { 'a/m': { maxOutputTokens: 50 } } }, {}],
        ['context window', { pricing, budget: daily, capabilities: { 'a/m': { contextWindow: 4096 } } }, {}],
        ['free output', { pricing: { 'a/m': { input: 1, output: 0 } }, budget: daily }, {}],
        ['warning budget', { pricing, budget: { daily: 5, onExceed: 'warn' as const } }, {}],
      ] as const) {
        const w = await world(1, config, { ledger: new MemoryUsageStore() });
        w.servers[0]!.enqueue({ text: 'ok' });
        const r = await w.ask('a/m', extra);
        assert.equal(r.error, null, how);
        assert.equal(r.text, 'ok', how);
        await w.client.close();
      }
    });

    test('in a route, such a member is skipped with the reason; a member the budget can bound answers', async () => {
      const w = await world(
        2,
        { ...route(['a/m', 'b/m']), pricing: { ...pricing, 'b/m': { input: 1, output: 1 } }, capabilities: { 'b/m': { contextWindow: 8192 } }, budget: daily },
        { ledger: new MemoryUsageStore() },
      );
      w.servers[1]!.enqueue({ text: 'bounded' });
      const r = await w.ask('route/r');
      assert.equal(r.answeredBy, 'b/m');
      assert.match(r.attempts.find((a) => a.model === 'a/m')!.message ?? '', /cannot bound what its answer may cost/);
      assert.equal(w.servers[0]!.requests.length, 0);
      await w.client.close();
    });
  });
});

describe('compare', () => {
  test('runs in parallel; one failure does not disturb the others; results keep the given order', async () => {
    const w = await world(3);
    w.servers[0]!.enqueue({ text: 'alpha answer', usage: { input: 5, output: 10 }, delayBetweenChunksMs: 5 });
    w.servers[1]!.setDefault({ status: 500 });
    w.servers[2]!.enqueue({ text: 'gamma answer', usage: { input: 5, output: 12 } });
    const run = w.client.compare({ messages: [{ role: 'user', content: 'q' }] }, ['a/m', 'b/m', 'c/m']);
    const results = await run.results;
    assert.deepEqual(
      results.map((r) => r.model),
      ['a/m', 'b/m', 'c/m'],
    );
    assert.equal(results[0]!.text, 'alpha answer');
    assert.equal(results[1]!.error?.kind, 'server');
    assert.equal(results[2]!.text, 'gamma answer');
    assert.deepEqual(
      run.entries.map((e) => e.status),
      ['done', 'error', 'done'],
    );
    await w.client.close();
  });

  test('cancel one column; the others finish', async () => {
    const w = await world(2);
    w.servers[0]!.enqueue({ text: 'slow slow slow slow slow slow', delayBetweenChunksMs: 50 });
    w.servers[1]!.enqueue({ text: 'steady answer', delayBetweenChunksMs: 5 });
    let cancelled = false;
    const run = w.client.compare({ messages: [{ role: 'user', content: 'q' }] }, ['a/m', 'b/m'], {
      onPart: (i, _m, p) => {
        if (i === 0 && p.type === 'text-delta' && !cancelled) {
          cancelled = true;
          run.entries[0]!.cancel();
        }
      },
    });
    const [a, b] = await run.results;
    assert.equal(a!.error?.kind, 'aborted');
    assert.ok(a!.text.startsWith('slow'));
    assert.equal(b!.text, 'steady answer');
    assert.equal(run.entries[0]!.status, 'cancelled');
    await w.client.close();
  });

  test("a bug in the caller's onPart fails only that column, as Switchboard's own (internal) error, not the provider's", async () => {
    const w = await world(2);
    w.servers[0]!.enqueue({ text: 'first answer' });
    w.servers[1]!.enqueue({ text: 'second answer' });
    const run = w.client.compare({ messages: [{ role: 'user', content: 'q' }] }, ['a/m', 'b/m'], {
      onPart: (i, _m, p) => {
        if (i === 0 && p.type === 'text-delta') (null as unknown as { x: number }).x++;
      },
    });
    const [a, b] = await run.results;
    assert.equal(a!.error?.kind, 'internal');
    assert.match(a!.error!.message, /Switchboard bug: TypeError/);
    assert.equal(a!.error!.retryable, false);
    assert.equal(b!.text, 'second answer');
    assert.deepEqual(
      run.entries.map((e) => e.status),
      ['error', 'done'],
    );
    await w.client.close();
  });

  test('the concurrency limit holds', async () => {
    const w = await world(3);
    for (const s of w.servers) s.enqueue({ text: 'x', delayBeforeFirstByteMs: 30 });
    let inFlight = 0;
    let peak = 0;
    const run = w.client.compare({ messages: [{ role: 'user', content: 'q' }] }, ['a/m', 'b/m', 'c/m'], {
      concurrency: 1,
      onPart: (_i, _m, p) => {
        if (p.type === 'attempt-start') peak = Math.max(peak, ++inFlight);
        if (p.type === 'finish') inFlight--;
      },
    });
    await run.results;
    assert.equal(peak, 1);
    await w.client.close();
  });
});

describe('a single model and its context window', () => {
  test('a prompt its known window cannot hold is refused before sending, naming model, sizes and fix', async () => {
    const w = await world(1, { capabilities: { 'a/m': { contextWindow: 100 } } });
    const long = 'word '.repeat(400);
    const r = await w.client.complete({ model: 'a/m', messages: [{ role: 'user', content: long }] });
    assert.equal(r.error?.kind, 'context_length');
    // The model is named once, as a sent request's errors name it (not "a/a/m: … a/m: …").
    assert.match(r.error!.message, /^a\/m: context_length: the prompt of ~\d+ tokens exceeds its context window of 100 tokens/);
    assert.equal(r.error!.model, 'm');
    assert.match(r.error!.fix ?? '', /shorten the conversation.*capabilities\.contextWindow for a\/m/);
    assert.equal(w.servers[0]!.requests.length, 0, 'nothing was sent');
    await w.client.close();
  });

  test("the fix names where the window is corrected: the config file's key for the CLI, the switchboard.capabilities setting in VS Code", async () => {
    const long = 'word '.repeat(400);
    const cli = await world(1, { capabilities: { 'a/m': { contextWindow: 100 } } });
    const fromFile = await cli.client.complete({ model: 'a/m', messages: [{ role: 'user', content: long }] });
    assert.equal(
      fromFile.error!.fix,
      'shorten the conversation, pick a model with a larger context window, or correct capabilities.contextWindow for a/m in the config if it is wrong',
    );
    await cli.client.close();
    const vscode = await world(1, { capabilities: { 'a/m': { contextWindow: 100 } } }, { settingsIn: 'vscode' });
    const fromSettings = await vscode.client.complete({ model: 'a/m', messages: [{ role: 'user', content: long }] });
    assert.equal(
      fromSettings.error!.fix,
      'shorten the conversation, pick a model with a larger context window, or correct "contextWindow": … for "a/m" in the switchboard.capabilities setting if it is wrong',
    );
    assert.ok(!fromSettings.error!.fix!.includes('in the config'));
    assert.equal(vscode.servers[0]!.requests.length, 0, 'nothing was sent');
    await vscode.client.close();
  });

  test('refusal() tells, without sending, the error the request would end with; null when it would be sent', async () => {
    const w = await world(1, { capabilities: { 'a/m': { contextWindow: 100 } } });
    const long = { model: 'a/m', messages: [{ role: 'user' as const, content: 'word '.repeat(400) }] };
    const refused = w.client.refusal(long);
    assert.equal(refused?.kind, 'context_length');
    const r = await w.client.complete(long);
    assert.equal(r.error?.kind, refused?.kind);
    assert.ok(r.error?.message.endsWith(refused!.message), r.error?.message);
    assert.equal(r.error?.fix, refused?.fix);
    assert.equal(w.client.refusal({ model: 'a/m', messages: [{ role: 'user', content: 'hi' }] }), null);
    assert.equal(w.client.refusal({ model: 'nope/m', messages: [{ role: 'user', content: 'hi' }] })?.kind, 'config');
    assert.equal(w.servers[0]!.requests.length, 0, 'nothing was sent by refusal() or the refused request');
    await w.client.close();
  });

  test("a capability override's fix names the config file's key or VS Code's switchboard.capabilities setting", () => {
    assert.equal(overrideHint('tools', 'a/m'), 'pick a model that can, or if a/m can, set capabilities["a/m"].toolCalling: true in the config');
    assert.equal(
      overrideHint('tools', 'a/m', 'vscode'),
      'pick a model that can, or if a/m can, set "toolCalling": true for "a/m" in the switchboard.capabilities setting',
    );
  });

  test("tool definitions count toward the window: an agent's tools that do not fit are refused before sending, or skip a route member", async () => {
    const tools = [{ name: 'read', description: 'word '.repeat(400), parameters: { type: 'object', properties: {} } }];
    const w = await world(2, {
      capabilities: { 'a/m': { contextWindow: 100, toolCalling: true }, 'b/m': { contextWindow: 100_000, toolCalling: true } },
      ...route(['a/m', 'b/m']),
    });
    // The messages alone fit a/m's window (the check once counted only them, and a/m got the request).
    const r = await w.ask('a/m', { tools });
    assert.equal(r.error?.kind, 'context_length');
    assert.match(
      r.error!.message,
      /^a\/m: context_length: the prompt of ~\d+ tokens \(its tool definitions included\) exceeds its context window of 100 tokens/,
    );
    assert.equal(w.servers[0]!.requests.length, 0, 'nothing was sent');
    assert.equal(w.client.refusal({ model: 'a/m', messages: [{ role: 'user', content: 'hello' }], tools })?.kind, 'context_length');
    // In a route, the member whose window the tools overflow is skipped, with the reason, before anything is sent to it.
    w.servers[1]!.enqueue({ text: 'from b' });
    const routed = await w.ask('route/r', { tools });
    assert.equal(routed.text, 'from b');
    assert.equal(w.servers[0]!.requests.length, 0);
    assert.match(routed.attempts.find((a) => a.model === 'a/m')?.message ?? '', /prompt of ~\d+ tokens exceeds its context window of 100/);
    await w.client.close();
  });

  test('the output asked for counts too; a request that fits is sent', async () => {
    const w = await world(1, { capabilities: { 'a/m': { contextWindow: 100 } } });
    w.servers[0]!.enqueue({ text: 'fits' });
    const ok = await w.ask('a/m', { maxTokens: 50 });
    assert.equal(ok.error, null);
    assert.equal(ok.text, 'fits');
    const r = await w.ask('a/m', { maxTokens: 200 });
    assert.equal(r.error?.kind, 'context_length');
    assert.match(r.error!.message, /\+ 200 output tokens exceeds its context window of 100 tokens/);
    assert.match(r.error!.fix ?? '', /lower maxTokens/);
    assert.equal(w.servers[0]!.requests.length, 1);
    await w.client.close();
  });
});
