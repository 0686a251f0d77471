import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  classifyHttpError,
  classifyNetworkError,
  parseRetryAfter,
  parseDuration,
  requestIdOf,
  scrubError,
  shouldRetryOf,
  SwitchboardError,
} from '../../src/core/errors.ts';
import { postJsonStream } from '../../src/core/http/request.ts';

const base = { headers: {}, provider: 'p', model: 'm' };

test('status codes map to the taxonomy, with retryable decided once', () => {
  const cases: [number, unknown, string, boolean][] = [
    [401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } }, 'auth', false],
    [402, { error: { code: 402, message: 'Insufficient credits' } }, 'quota', false],
    [403, { error: { code: 403, message: 'flagged by moderation' } }, 'permission', false],
    [404, { error: { message: 'The model `x` does not exist', code: 'model_not_found' } }, 'not_found', false],
    [429, { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } }, 'rate_limit', true],
    [429, { error: { message: 'You exceeded your current quota', type: 'insufficient_quota', code: 'insufficient_quota' } }, 'quota', false],
    [500, { error: { message: 'boom' } }, 'server', true],
    [502, 'Bad Gateway', 'server', true],
    [503, { error: { code: 503, message: 'The model is overloaded', status: 'UNAVAILABLE' } }, 'overloaded', true],
    [529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 'overloaded', true],
    [400, { error: { message: "This model's maximum context length is 8192 tokens", code: 'context_length_exceeded' } }, 'context_length', false],
    [400, { type: 'error', error: { type: 'invalid_request_error', message: 'prompt is too long: 210000 tokens > 200000 maximum' } }, 'context_length', false],
    [
      400,
      {
        type: 'error',
        error: {
          type: 'invalid_request_error',
          message: 'input length and `max_tokens` exceed context limit: 188240 + 21333 > 200000, decrease input length or `max_tokens` and try again',
        },
      },
      'context_length',
      false,
    ],
    [
      400,
      { error: { message: "This model's maximum prompt length is 131072 but the request contains 136973 tokens.", type: 'invalid_request_error' } },
      'context_length',
      false,
    ],
    [400, { error: { message: 'temperature must be <= 2' } }, 'bad_request', false],
    [400, { error: { code: 400, message: 'API key not valid. Please pass a valid API key.', status: 'INVALID_ARGUMENT' } }, 'auth', false],
    // xAI's shape: the message is the string `error`, `code` a sentence (its wrong key is a 400).
    [
      400,
      { code: 'Client specified an invalid argument', error: 'Incorrect API key provided: xa***gA. You can obtain an API key from https://console.x.ai.' },
      'auth',
      false,
    ],
    [
      400,
      { code: 'Client specified an invalid argument', error: "This model's maximum prompt length is 131072 but the request contains 136973 tokens." },
      'context_length',
      false,
    ],
  ];
  for (const [status, body, kind, retryable] of cases) {
    const e = classifyHttpError({ ...base, status, body });
    assert.equal(e.kind, kind, `${status} ${JSON.stringify(body)}`);
    assert.equal(e.retryable, retryable, `${status} retryable`);
    assert.equal(e.status, status);
    assert.ok(e.message.includes('p/m'), 'names provider and model');
    assert.ok(e.fix, 'says what to do');
    // The provider's own words are kept, whatever its error shape.
    assert.ok(!e.message.endsWith(`HTTP ${status}`), e.message);
  }
});

test('retry-after: ms header, seconds, HTTP date, Gemini RetryInfo', () => {
  const now = Date.parse('2026-11-24T10:00:00Z');
  assert.equal(parseRetryAfter({ 'retry-after-ms': '1500', 'retry-after': '9' }, now), 1500);
  assert.equal(parseRetryAfter({ 'retry-after': '7' }, now), 7000);
  assert.equal(parseRetryAfter({ 'retry-after': 'Tue, 24 Nov 2026 10:00:30 GMT' }, now), 30_000);
  assert.equal(parseRetryAfter({ 'retry-after': 'soon' }, now), null);
  assert.equal(parseRetryAfter({}, now), null);
  assert.equal(parseDuration('46s'), 46_000);
  assert.equal(parseDuration('1.5s'), 1500);
  const gem = classifyHttpError({
    ...base,
    status: 429,
    body: {
      error: {
        code: 429,
        status: 'RESOURCE_EXHAUSTED',
        message: 'Resource has been exhausted',
        details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '46s' }],
      },
    },
  });
  assert.equal(gem.kind, 'rate_limit');
  assert.equal(gem.retryAfterMs, 46_000);
  assert.match(gem.fix ?? '', /46 s/);
});

test('Gemini: per-minute quota is a rate limit, per-day quota is exhausted quota', () => {
  const body = (quotaId: string) => ({
    error: {
      code: 429,
      status: 'RESOURCE_EXHAUSTED',
      message: 'You exceeded your current quota, please check your plan and billing details.',
      details: [
        { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaId }] },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '20s' },
      ],
    },
  });
  assert.equal(classifyHttpError({ ...base, status: 429, body: body('GenerateRequestsPerMinutePerProjectPerModel-FreeTier') }).kind, 'rate_limit');
  assert.equal(classifyHttpError({ ...base, status: 429, body: body('GenerateRequestsPerDayPerProjectPerModel-FreeTier') }).kind, 'quota');
});

test('a quota 429 never carries a retry delay: waiting seconds does not clear it', () => {
  const e = classifyHttpError({
    ...base,
    status: 429,
    headers: { 'retry-after': '5' },
    body: { error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'Quota exceeded for quota metric per day' } },
  });
  assert.equal(e.kind, 'quota');
  assert.equal(e.retryAfterMs, null);
  assert.equal(e.retryable, false);
});

test('network errors: refused, DNS, reset, TLS, timeouts, abort', () => {
  const mk = (code: string, name = 'Error') => Object.assign(new Error(code), { code, name });
  assert.match(classifyNetworkError(mk('ECONNREFUSED'), 'p', 'm', 'connect').message, /connection refused/);
  assert.match(classifyNetworkError(mk('ENOTFOUND'), 'p', 'm', 'connect').message, /DNS/);
  // The name that did not resolve is said (fetch puts the system error in `cause`).
  const dns = new TypeError('fetch failed', {
    cause: Object.assign(new Error('getaddrinfo ENOTFOUND llm.example.invalid'), { code: 'ENOTFOUND', hostname: 'llm.example.invalid' }),
  });
  assert.match(classifyNetworkError(dns, 'p', 'm', 'connect').message, /the host name llm\.example\.invalid could not be resolved \(DNS\)/);
  assert.match(classifyNetworkError(mk('ECONNRESET'), 'p', 'm', 'body').message, /mid-stream/);
  assert.match(classifyNetworkError(mk('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'p', 'm', 'connect').message, /TLS/);
  assert.match(classifyNetworkError(mk('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE'), 'p', 'm', 'connect').message, /TLS failure/);
  assert.equal(classifyNetworkError(mk('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE'), 'p', 'm', 'connect').shouldRetry, null, 'a handshake failure may pass');
  assert.equal(classifyNetworkError(mk('UND_ERR_BODY_TIMEOUT'), 'p', 'm', 'body').kind, 'timeout');
  assert.equal(classifyNetworkError(mk('UND_ERR_HEADERS_TIMEOUT'), 'p', 'm', 'headers').kind, 'timeout');
  assert.equal(classifyNetworkError(Object.assign(new Error('x'), { name: 'AbortError' }), 'p', 'm', 'body').kind, 'aborted');
  const e = classifyNetworkError(mk('ECONNRESET'), 'p', 'm', 'body');
  assert.ok(e instanceof SwitchboardError && e.retryable);
  // Dropped mid-answer, the provider was reached: its fix does not send the user to check the network and the baseUrl.
  assert.equal(e.fix, 'the connection dropped during the answer: retry, or pick another model if it keeps happening');
  assert.match(classifyNetworkError(mk('ECONNRESET'), 'p', 'm', 'headers').fix ?? '', /check the network and the baseUrl/);
});

test('TLS failures that another try cannot mend: not retried on the same model, each with its fix', () => {
  const classify = (code: string, message: string) => classifyNetworkError(Object.assign(new Error(message), { code }), 'local', 'qwen', 'connect');
  const selfSigned = classify(
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'self-signed certificate; if the root CA is installed locally, try running Node.js with --use-system-ca',
  );
  assert.equal(selfSigned.kind, 'network');
  assert.equal(selfSigned.shouldRetry, false);
  assert.equal(selfSigned.detail, "the server's TLS certificate was not accepted (DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate)");
  assert.match(selfSigned.fix ?? '', /NODE_EXTRA_CA_CERTS=<its certificate file>, or NODE_USE_SYSTEM_CA=1/);
  for (const code of ['SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID'])
    assert.equal(classify(code, 'x').shouldRetry, false, code);
  const plain = classify('ERR_SSL_WRONG_VERSION_NUMBER', '405D0621B07F0000:error:0A00010B:SSL routines:tls_validate_record_header:wrong version number');
  assert.equal(plain.detail, 'the server does not speak TLS on this port (ERR_SSL_WRONG_VERSION_NUMBER)');
  assert.match(plain.fix ?? '', /takes http:\/\/, not https:\/\/: correct the baseUrl/);
  assert.equal(plain.shouldRetry, false);
  assert.equal(plain.retryable, true, 'another model may still answer (a route fails over)');
});

test('https:// to a server that answers in plain HTTP: said so, with the fix, on a real connection', async () => {
  const server = http.createServer((_req, res) => res.end('{}'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as AddressInfo).port;
    const err = await postJsonStream({
      url: `https://127.0.0.1:${port}/v1/chat/completions`,
      headers: {},
      body: {},
      timeouts: { connectMs: 5000, headersMs: 5000, idleMs: 5000 },
      provider: 'local',
      model: 'qwen',
    }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(err instanceof SwitchboardError, String(err));
    assert.equal(err.detail, 'the server does not speak TLS on this port (ERR_SSL_WRONG_VERSION_NUMBER)');
    assert.equal(err.shouldRetry, false);
  } finally {
    server.close();
  }
});

test('a programming error is internal, a network failure stays network', () => {
  const bug = classifyNetworkError(new TypeError("Cannot read properties of undefined (reading 'choices')"), 'p', 'm', 'body');
  assert.equal(bug.kind, 'internal');
  assert.equal(bug.retryable, false);
  assert.match(bug.fix ?? '', /bug in Switchboard/);
  assert.equal(classifyNetworkError(new RangeError('Invalid array length'), 'p', 'm', 'body').kind, 'internal');
  // Node's own argument checks are bugs of ours too.
  assert.equal(
    classifyNetworkError(Object.assign(new TypeError('The "chunk" argument must be of type string'), { code: 'ERR_INVALID_ARG_TYPE' }), 'p', 'm', 'body').kind,
    'internal',
  );
  // fetch's "fetch failed" TypeError and errors with a network code are the network's.
  assert.equal(
    classifyNetworkError(
      new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) }),
      'p',
      'm',
      'connect',
    ).kind,
    'network',
  );
  assert.equal(classifyNetworkError(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }), 'p', 'm', 'body').kind, 'network');
});

test('provider request ids are kept and shown; x-should-retry overrides the guess from the status', () => {
  assert.equal(requestIdOf({ 'x-request-id': 'req_1' }), 'req_1');
  assert.equal(requestIdOf({ 'request-id': 'req_anthropic' }), 'req_anthropic');
  assert.equal(requestIdOf({ 'x-goog-request-id': 'g-1' }), 'g-1');
  assert.equal(requestIdOf({}, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' }, request_id: 'req_body' }), 'req_body');
  assert.equal(requestIdOf({}, 'plain text'), null);
  const e = classifyHttpError({ ...base, status: 500, body: { error: { message: 'boom' } }, headers: { 'x-request-id': 'req_42', 'x-should-retry': 'false' } });
  assert.equal(e.requestId, 'req_42');
  assert.match(e.message, /boom \(request id req_42\)/);
  assert.equal(e.shouldRetry, false);
  assert.equal(e.retryable, true, 'still a server error another model may answer');
  assert.deepEqual(e.toJSON().requestId, 'req_42');
  assert.equal(new SwitchboardError({ ...e.toInit() }).requestId, 'req_42', 'copies keep the id');
  const conflict = classifyHttpError({ ...base, status: 409, body: {}, headers: { 'x-should-retry': 'true' } });
  assert.equal(conflict.retryable, true);
  assert.equal(shouldRetryOf({ 'x-should-retry': 'maybe' }), null);
});

test("OpenAI's error.param is kept (the parameter the provider refused): control characters out, capped, a key in it removed like one in the message", () => {
  const key = 'sk-param-0123456789abcdefghij';
  const e = classifyHttpError({
    ...base,
    status: 400,
    body: { error: { message: `Invalid value: ${key}`, type: 'invalid_request_error', param: `messages[0].\u001b${key}`, code: 'invalid_value' } },
  });
  assert.deepEqual(e.upstreamParam, { name: `messages[0].?${key}`, protocol: null, forwarded: false });
  const clean = scrubError(e, [key]);
  assert.ok(clean.upstreamParam && !clean.upstreamParam.name.includes(key) && clean.upstreamParam.name.startsWith('messages[0].?'), clean.upstreamParam?.name);
  assert.ok(!clean.message.includes(key));
  const long = classifyHttpError({ ...base, status: 400, body: { error: { message: 'bad', param: 'p'.repeat(5000) } } });
  assert.equal(long.upstreamParam?.name, `${'p'.repeat(200)}…`);
  // None named (null, Anthropic's shape): none kept.
  assert.equal(classifyHttpError({ ...base, status: 400, body: { error: { message: 'bad', param: null } } }).upstreamParam, null);
  assert.equal(
    classifyHttpError({ ...base, status: 400, body: { type: 'error', error: { type: 'invalid_request_error', message: 'bad' } } }).upstreamParam,
    null,
  );
});
