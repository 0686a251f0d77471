/**
 * The local gateway through the official `openai` SDK, against fake providers: both response
 * shapes, models, errors as the SDK's own classes, failover, budgets, the ledger tag, cancellation,
 * and `switchboard serve` as a process.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { startFakeProvider } from '../fakes/server.ts';
import { auth, KEY, raw, startWorld, TEXT, TOKEN, waitFor, type World } from './gatewayWorld.ts';
import { privateCliCopy } from './builtCli.ts';
import { SqliteUsageStore } from '../../src/core/router/sqliteLedger.ts';

const messages = [{ role: 'user' as const, content: 'Say something.' }];
const sdkFor = (w: World): OpenAI => new OpenAI({ baseURL: w.gateway.url, apiKey: TOKEN, maxRetries: 0 });

describe('gateway: OpenAI SDK as the client', () => {
  let w: World;
  let sdk: OpenAI;
  before(async () => {
    w = await startWorld();
    sdk = sdkFor(w);
  });
  after(() => w.close());

  test('non-streaming: OpenAI ChatCompletion with the upstream text and usage', async () => {
    const before = w.openai.requests.length;
    const r = await sdk.chat.completions.create({ model: 'openai/gpt-4o-mini', messages });
    assert.equal(r.object, 'chat.completion');
    assert.equal(r.choices[0]!.message.content, TEXT);
    assert.equal(r.choices[0]!.finish_reason, 'stop');
    assert.equal(r.model, 'openai/gpt-4o-mini');
    assert.ok(r.usage && r.usage.completion_tokens > 0 && r.usage.total_tokens === r.usage.prompt_tokens + r.usage.completion_tokens);
    // Upstream got the provider's key and wire model; the gateway token never left.
    const up = w.openai.requests[before]!;
    assert.equal(up.body.model, 'gpt-4o-mini');
    assert.equal(up.headers.authorization, `Bearer ${KEY}`);
    assert.ok(!JSON.stringify(up.headers).includes(TOKEN));
  });

  test('streaming with include_usage: identical text, finish chunk, usage in the final chunk', async () => {
    const stream = await sdk.chat.completions.create({ model: 'openai/gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    assert.equal(text, TEXT);
    assert.ok(chunks.length > 5, 'streamed in pieces');
    assert.equal(chunks[0]!.choices[0]!.delta.role, 'assistant');
    const last = chunks.at(-1)!;
    assert.deepEqual(last.choices, []);
    assert.ok(last.usage && last.usage.completion_tokens > 0);
    assert.equal(chunks.at(-2)!.choices[0]!.finish_reason, 'stop');
    assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === chunks[0]!.id));
  });

  test('streaming without include_usage sends no usage chunk', async () => {
    const stream = await sdk.chat.completions.create({ model: 'openai/gpt-4o-mini', messages, stream: true });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    assert.equal(chunks.at(-1)!.choices[0]!.finish_reason, 'stop');
    assert.ok(chunks.every((c) => !c.usage));
  });

  test('another wire protocol (Anthropic) comes out in OpenAI shapes, text identical', async () => {
    const stream = await sdk.chat.completions.create({ model: 'anthropic/claude-sonnet-4', messages, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const c of stream) {
      text += c.choices[0]?.delta.content ?? '';
      if (c.usage) usage = c.usage;
    }
    assert.equal(text, TEXT);
    assert.ok(usage && usage.prompt_tokens > 0);
    assert.equal(w.anthropic.requests.at(-1)!.path, '/v1/messages');
  });

  test('a history whose earlier answer was only whitespace (a model that answered "\\n") reaches an Anthropic model without it', async () => {
    const history: OpenAI.Chat.ChatCompletionMessageParam[] = [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: '\n\n' },
      { role: 'user', content: 'Are you there?' },
      { role: 'assistant', content: 'Yes.' },
      { role: 'user', content: 'Good.' },
    ];
    w.anthropic.enqueue({ text: 'Still here.' });
    const c = await sdk.chat.completions.create({ model: 'anthropic/claude-sonnet-4', messages: history });
    assert.equal(c.choices[0]!.message.content, 'Still here.');
    const sent = w.anthropic.requests.at(-1)!.body as { messages: { role: string; content: { text: string }[] }[] };
    // The whitespace-only turn is left out (Anthropic refuses it); the user turns around it become one.
    assert.deepEqual(
      sent.messages.map((m) => [m.role, m.content.map((b) => b.text).join('|')]),
      [
        ['user', 'Hi|Are you there?'],
        ['assistant', 'Yes.'],
        ['user', 'Good.'],
      ],
    );
  });

  test('models.list: available catalog models and every route, OpenAI list shape', async () => {
    const page = await sdk.models.list();
    const ids = page.data.map((m) => m.id);
    assert.ok(ids.includes('openai/gpt-4o-mini'), ids.join(', '));
    assert.ok(ids.includes('backup/m'));
    assert.ok(ids.includes('route/fast'));
    for (const m of page.data) {
      assert.equal(m.object, 'model');
      assert.equal(typeof m.created, 'number');
      assert.equal(typeof m.owned_by, 'string');
    }
    const one = await sdk.models.retrieve('route/fast');
    assert.equal(one.owned_by, 'switchboard');
    await assert.rejects(sdk.models.retrieve('nope/none'), OpenAI.NotFoundError);
  });

  test('upstream rate limit → RateLimitError with retry-after', async () => {
    w.openai.enqueue({ status: 429, headers: { 'retry-after': '7' } });
    const err = await sdk.chat.completions.create({ model: 'openai/gpt-4o', messages }).catch((e: unknown) => e);
    assert.ok(err instanceof OpenAI.RateLimitError, String(err));
    assert.equal(err.code, 'rate_limit_exceeded');
    assert.equal(err.headers?.get('retry-after'), '7');
    assert.equal(err.headers?.get('retry-after-ms'), '7000');
  });

  test('upstream rate limit before the first chunk rejects create() itself when streaming', async () => {
    w.openai.enqueue({ status: 429 });
    await assert.rejects(sdk.chat.completions.create({ model: 'openai/gpt-4o', messages, stream: true }), OpenAI.RateLimitError);
  });

  test('upstream quota exhausted → RateLimitError insufficient_quota, not to be retried', async () => {
    w.openai.enqueue({ status: 429, errorType: 'insufficient_quota' });
    const err = await sdk.chat.completions.create({ model: 'openai/gpt-4o', messages }).catch((e: unknown) => e);
    assert.ok(err instanceof OpenAI.RateLimitError);
    assert.equal(err.code, 'insufficient_quota');
    assert.equal(err.headers?.get('x-should-retry'), 'false');
  });

  test('upstream auth failure → AuthenticationError code upstream_auth', async () => {
    w.openai.enqueue({ status: 401 });
    const err = await sdk.chat.completions.create({ model: 'openai/gpt-4o', messages }).catch((e: unknown) => e);
    assert.ok(err instanceof OpenAI.AuthenticationError, String(err));
    assert.equal(err.code, 'upstream_auth');
  });

  test('a wrong gateway token → AuthenticationError code invalid_api_key, nothing sent upstream', async () => {
    const n = w.upstreamRequests();
    const bad = new OpenAI({ baseURL: w.gateway.url, apiKey: 'not-the-token-at-all', maxRetries: 0 });
    const err = await bad.chat.completions.create({ model: 'openai/gpt-4o', messages }).catch((e: unknown) => e);
    assert.ok(err instanceof OpenAI.AuthenticationError);
    assert.equal(err.code, 'invalid_api_key');
    assert.equal(w.upstreamRequests(), n);
  });

  test('bad parameters → BadRequestError, nothing sent upstream', async () => {
    const n = w.upstreamRequests();
    // A parameter the schema rejects is named in `param` (as OpenAI does), not only in the message.
    for (const [body, param] of [
      [{ model: 'openai/gpt-4o', messages: [] }, 'messages'],
      [{ model: 'openai/gpt-4o', messages, temperature: 5 }, 'temperature'],
      [{ model: 'openai/gpt-4o', messages: [{ role: 'wizard', content: 'x' }] }, 'messages[0].role'],
    ] as const) {
      const e = await sdk.chat.completions.create(body as unknown as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming).catch((x: unknown) => x);
      assert.ok(e instanceof OpenAI.BadRequestError, String(e));
      assert.equal(e.code, 'invalid_request', e.message);
      assert.equal(e.param, param, e.message);
      assert.ok(e.message.includes(`${param}: `), e.message);
    }
    await assert.rejects(
      sdk.chat.completions.create({ model: 'openai/gpt-4o', messages, n: 3 }),
      (e: unknown) => e instanceof OpenAI.BadRequestError && e.param === 'n',
    );
    const badJson = await raw(w.gateway.port, {
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{"model": ',
    });
    assert.equal(badJson.status, 400);
    assert.equal(JSON.parse(badJson.body).error.code, 'invalid_json');
    assert.equal(w.upstreamRequests(), n);
  });

  test('unknown model or route → NotFoundError model_not_found', async () => {
    await assert.rejects(
      sdk.chat.completions.create({ model: 'nowhere/x', messages }),
      (e: unknown) => e instanceof OpenAI.NotFoundError && e.code === 'model_not_found',
    );
    await assert.rejects(sdk.chat.completions.create({ model: 'route/none', messages }), OpenAI.NotFoundError);
  });

  test('upstream server error → InternalServerError (502), upstream context-length → BadRequestError', async () => {
    w.openai.enqueue({ status: 500 });
    const err = await sdk.chat.completions.create({ model: 'openai/gpt-4o', messages }).catch((e: unknown) => e);
    assert.ok(err instanceof OpenAI.InternalServerError);
    assert.equal(err.status, 502);
    w.openai.enqueue({ status: 400, errorType: 'context_length_exceeded', errorMessage: "This model's maximum context length is 128000 tokens." });
    await assert.rejects(
      sdk.chat.completions.create({ model: 'openai/gpt-4o', messages }),
      (e: unknown) => e instanceof OpenAI.BadRequestError && e.code === 'context_length_exceeded',
    );
  });

  test('an error after streaming started arrives as an SSE error event; the text before it is kept', async () => {
    w.openai.enqueue({ text: TEXT, midStreamErrorAfterChunks: 3 });
    const stream = await sdk.chat.completions.create({ model: 'openai/gpt-4o', messages, stream: true });
    let text = '';
    const err = await (async () => {
      for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
    })().catch((e: unknown) => e);
    assert.ok(err instanceof OpenAI.APIError, String(err));
    assert.ok(TEXT.startsWith(text) && text.length > 0 && text.length < TEXT.length, JSON.stringify(text));
  });

  test('a route fails over: the second model answers', async () => {
    w.openai.enqueue({ status: 503 });
    w.backup.enqueue({ text: 'from the backup' });
    const r = await sdk.chat.completions.create({ model: 'route/fast', messages });
    assert.equal(r.choices[0]!.message.content, 'from the backup');
    assert.equal(r.model, 'backup/m');
    w.openai.enqueue({ status: 503 });
    w.backup.enqueue({ text: 'streamed from the backup' });
    const s = await sdk.chat.completions.create({ model: 'route/fast', messages, stream: true });
    let text = '';
    let model = '';
    for await (const c of s) {
      text += c.choices[0]?.delta.content ?? '';
      model = c.model;
    }
    assert.equal(text, 'streamed from the backup');
    assert.equal(model, 'backup/m');
  });

  test('every answered request is in the ledger, tagged gateway', async () => {
    // Independent of what earlier tests left in the ledger: count this test's own two requests.
    const before = w.ledger.entries.length;
    await sdk.chat.completions.create({ model: 'openai/gpt-4o-mini', messages });
    const stream = await sdk.chat.completions.create({ model: 'openai/gpt-4o-mini', messages, stream: true });
    for await (const _ of stream) {
      /* read to the end */
    }
    const mine = w.ledger.entries.slice(before);
    assert.deepEqual(
      mine.map((e) => [e.model, e.frontEnd, e.ok]),
      [
        ['openai/gpt-4o-mini', 'gateway', true],
        ['openai/gpt-4o-mini', 'gateway', true],
      ],
      JSON.stringify(mine),
    );
  });

  test('a client that hangs up mid-stream cancels the upstream request at once', async () => {
    // Event-based: the upstream's signal aborts and the gateway counts the hang-up (no wall-clock
    // threshold). With a minute between chunks this takes a minute: the hang-up is noticed at the
    // next chunk, not when the client closes (see the arch13 report).
    w.openai.enqueue({ text: TEXT, delayBetweenChunksMs: 200 });
    const aborts = w.gateway.stats().clientAborts;
    const upstream = w.openai.requests.length;
    const stream = await sdk.chat.completions.create({ model: 'openai/gpt-4o', messages, stream: true });
    const signal = w.signals.at(-1)!;
    for await (const _ of stream) break; // first chunk, then hang up
    await waitFor(() => signal.aborted, 30_000);
    await waitFor(() => w.gateway.stats().clientAborts === aborts + 1, 30_000);
    assert.equal(w.openai.requests.length, upstream + 1, 'one upstream request, cancelled');
  });

  test('a client that hangs up while waiting for a non-streamed answer cancels it too', async () => {
    w.openai.enqueue({ text: TEXT, delayBeforeFirstByteMs: 5_000 });
    const n = w.signals.length;
    const ac = new AbortController();
    const p = sdk.chat.completions.create({ model: 'openai/gpt-4o', messages }, { signal: ac.signal }).catch((e: unknown) => e);
    await waitFor(() => w.signals.length > n);
    ac.abort();
    assert.ok((await p) instanceof OpenAI.APIUserAbortError);
    await waitFor(() => w.signals[n]!.aborted, 500);
  });

  test('GET /health answers with the token only', async () => {
    assert.equal((await raw(w.gateway.port, { headers: auth })).status, 200);
    assert.equal((await raw(w.gateway.port)).status, 401);
  });
});

describe('gateway: budgets', () => {
  test('a blocking budget refuses with 402 budget_exceeded and calls no provider', async () => {
    const w = await startWorld({ config: { budget: { perRequest: 0.0000001, onExceed: 'block' } } });
    try {
      const err = await sdkFor(w)
        .chat.completions.create({ model: 'openai/gpt-4o-mini', messages, max_tokens: 1000 })
        .catch((e: unknown) => e);
      assert.ok(err instanceof OpenAI.APIError, String(err));
      assert.equal(err.status, 402);
      assert.equal(err.code, 'budget_exceeded');
      assert.match(err.message, /budget/);
      assert.equal(w.upstreamRequests(), 0);
    } finally {
      await w.close();
    }
  });
});

describe('gateway: shutdown', () => {
  test('close() cancels in-flight streams (error event, upstream aborted) and resolves promptly', { timeout: 20_000 }, async () => {
    const w = await startWorld();
    try {
      // The stream is cut, not run to its end: the SDK sees gateway_shutting_down (no wall-clock threshold).
      w.openai.enqueue({ text: TEXT, delayBetweenChunksMs: 100 });
      const stream = await sdkFor(w).chat.completions.create({ model: 'openai/gpt-4o-mini', messages, stream: true });
      const signal = w.signals.at(-1)!;
      let firstChunk!: () => void;
      const streaming = new Promise<void>((r) => (firstChunk = r));
      const consumed = (async () => {
        for await (const _ of stream) firstChunk(); // read until the gateway ends it
      })().catch((e: unknown) => e);
      await streaming; // the stream is in flight (instead of a fixed sleep)
      await w.gateway.close();
      assert.ok(signal.aborted, 'upstream cancelled');
      const err = await consumed;
      assert.ok(err instanceof OpenAI.APIError, String(err));
      assert.equal(err.code, 'gateway_shutting_down');
    } finally {
      await w.close();
    }
  });
});

describe('switchboard serve (the CLI)', () => {
  let cli: string;
  const temps: string[] = [];
  const tempDir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'sb-serve-'));
    temps.push(d);
    return d;
  };
  after(() => {
    for (const d of temps) rmSync(d, { recursive: true, force: true });
  });
  before(async () => {
    cli = await privateCliCopy(tempDir());
  });

  test('prints the URL line, serves a request through the config, exits 0 on SIGINT', async () => {
    const fake = await startFakeProvider('openai', { apiKey: KEY });
    fake.setDefault({ text: TEXT });
    const dir = tempDir();
    mkdirSync(join(dir, 'config'));
    const configPath = join(dir, 'config', 'config.json');
    writeFileSync(configPath, JSON.stringify({ providers: [{ id: 'openai', baseUrl: fake.baseUrl }] }));
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      XDG_CONFIG_HOME: join(dir, 'config'),
      XDG_CACHE_HOME: join(dir, 'cache'),
      XDG_DATA_HOME: join(dir, 'data'),
      OPENAI_API_KEY: KEY,
      SWITCHBOARD_GATEWAY_TOKEN: TOKEN,
    };
    const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--config', configPath], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor(() => stdout.includes('\n') || child.exitCode !== null, 10_000);
      const line = stdout.split('\n')[0]!;
      const m = /^(http:\/\/127\.0\.0\.1:(\d+)\/v1) \(token: (.+)\)$/.exec(line);
      assert.ok(m, `start-up line: ${JSON.stringify(line)}; stderr: ${stderr}`);
      assert.match(m[3]!, /SWITCHBOARD_GATEWAY_TOKEN/);
      const sdk = new OpenAI({ baseURL: m[1], apiKey: TOKEN, maxRetries: 0 });
      const r = await sdk.chat.completions.create({ model: 'openai/gpt-4o-mini', messages });
      assert.equal(r.choices[0]!.message.content, TEXT);
      child.kill('SIGINT');
      assert.equal(await exited, 0, stderr);
      assert.equal(stdout.trim().split('\n').length, 1, 'one line on stdout');
      const store = new SqliteUsageStore(join(dir, 'data', 'switchboard', 'usage.sqlite'));
      const ledger = await store.readAll();
      store.close();
      assert.deepEqual(
        ledger.map((e) => e.frontEnd),
        ['gateway'],
      );
      assert.ok(!stderr.includes(KEY) && !stderr.includes(TOKEN), 'no secrets in the log');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await fake.close();
    }
  });

  test('without the env var, the token is generated into a 0600 file and the line says where', async () => {
    const dir = tempDir();
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      XDG_CONFIG_HOME: join(dir, 'config'),
      XDG_CACHE_HOME: join(dir, 'cache'),
      XDG_DATA_HOME: join(dir, 'data'),
    };
    const child = spawn(process.execPath, [cli, 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor(() => stdout.includes('\n') || child.exitCode !== null, 10_000);
      const tokenPath = join(dir, 'config', 'switchboard', 'gateway-token');
      assert.ok(stdout.includes(`in ${tokenPath}`), stdout);
      const token = readFileSync(tokenPath, 'utf8').trim();
      assert.equal(statSync(tokenPath).mode & 0o777, 0o600);
      assert.match(token, /^[A-Za-z0-9_-]{43}$/);
      const port = Number(/:(\d+)\/v1/.exec(stdout)![1]);
      assert.equal((await raw(port, { headers: { authorization: `Bearer ${token}` } })).status, 200);
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
