/**
 * The gateway as an attack surface: each hostile or broken request is refused with the right
 * status and nothing reaches a provider. Plus the token file and key redaction.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { auth, KEY, raw, rawSocket, startWorld, TOKEN, waitFor, type World } from './gatewayWorld.ts';
import { loadOrCreateToken, defaultTokenPath } from '../../src/gateway/token.ts';
import { makeRedactor, tokenChecker } from '../../src/gateway/security.ts';

const CHAT = JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
const LIMIT = 64 * 1024;
const ALLOWED_ORIGIN = 'http://localhost:5173';

describe('gateway security', () => {
  let w: World;
  let port: number;
  const post = (headers: Record<string, string>, body: string | Buffer = CHAT) =>
    raw(port, { method: 'POST', path: '/v1/chat/completions', headers: { 'content-type': 'application/json', ...headers }, body });
  before(async () => {
    w = await startWorld({ gateway: { requestTimeoutMs: 1000, idleTimeoutMs: 300, maxBodyBytes: LIMIT, maxConcurrent: 2, allowedOrigins: [ALLOWED_ORIGIN] } });
    port = w.gateway.port;
  });
  after(() => w.close());

  const errorCode = (body: string): string => (JSON.parse(body) as { error: { code: string } }).error.code;

  test('binds 127.0.0.1 by default', () => {
    assert.equal(w.gateway.host, '127.0.0.1');
    assert.equal(w.gateway.url, `http://127.0.0.1:${port}/v1`);
  });

  test('no token → 401 with WWW-Authenticate; nothing reaches a provider', async () => {
    const r = await post({});
    assert.equal(r.status, 401);
    assert.equal(r.headers['www-authenticate'], 'Bearer');
    assert.equal(errorCode(r.body), 'invalid_api_key');
    assert.equal((await raw(port, { path: '/v1/models' })).status, 401);
    assert.equal(w.upstreamRequests(), 0);
  });

  test('wrong token (same length, other length, other scheme, other header) → 401; nothing reaches a provider', async () => {
    const sameLength = TOKEN.slice(0, -1) + (TOKEN.endsWith('a') ? 'b' : 'a');
    const variants: Record<string, string>[] = [
      { authorization: `Bearer ${sameLength}` },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: 'Bearer ' },
      { authorization: `Basic ${TOKEN}` },
      { authorization: `Bearer ${TOKEN} ${TOKEN}` },
      { 'x-api-key': TOKEN },
    ];
    for (const headers of variants) {
      const r = await post(headers);
      assert.equal(r.status, 401, JSON.stringify(headers));
    }
    assert.equal((await raw(port, { path: `/v1/models?api_key=${TOKEN}` })).status, 401);
    assert.equal(w.upstreamRequests(), 0);
  });

  test('the token check: scheme case-insensitive, exact token only', () => {
    const ok = tokenChecker(TOKEN);
    assert.equal(ok(`Bearer ${TOKEN}`), true);
    assert.equal(ok(`bearer ${TOKEN}`), true);
    assert.equal(ok(`Bearer  ${TOKEN} `), true);
    assert.equal(ok(`Bearer ${TOKEN.toUpperCase()}`), false);
    assert.equal(ok(undefined), false);
    assert.equal(ok(TOKEN), false);
  });

  test('foreign Host (DNS rebinding) → 421 even with the token; nothing reaches a provider', async () => {
    for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1:${port + 1}`, `localhost.evil.example:${port}`, `127.0.0.1:${port}.evil.example`]) {
      const r = await post({ ...auth, host });
      assert.equal(r.status, 421, host);
      assert.equal(errorCode(r.body), 'invalid_host');
    }
    // No Host at all (HTTP/1.1 requires one): refused too.
    const noHost = await rawSocket(
      port,
      [`POST /v1/chat/completions HTTP/1.1\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Length: ${CHAT.length}\r\n\r\n${CHAT}`],
      5,
    );
    assert.match(noHost.text, /^HTTP\/1\.1 4\d\d /);
    assert.equal(w.upstreamRequests(), 0);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]) {
      assert.equal((await raw(port, { headers: { ...auth, host } })).status, 200, host);
    }
  });

  test('a browser Origin not explicitly allowed → 403, no CORS headers; nothing reaches a provider', async () => {
    for (const origin of ['https://evil.example', 'null', 'http://localhost:5174', `http://127.0.0.1:${port}`]) {
      const r = await post({ ...auth, origin });
      assert.equal(r.status, 403, origin);
      assert.equal(errorCode(r.body), 'origin_not_allowed');
      assert.equal(r.headers['access-control-allow-origin'], undefined);
    }
    const preflight = await raw(port, {
      method: 'OPTIONS',
      path: '/v1/chat/completions',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(preflight.status, 403);
    assert.equal(preflight.headers['access-control-allow-origin'], undefined);
    assert.equal(w.upstreamRequests(), 0);
  });

  test('an allowed origin gets exactly its own CORS answer (never *), and still needs the token', async () => {
    const preflight = await raw(port, {
      method: 'OPTIONS',
      path: '/v1/chat/completions',
      headers: { origin: ALLOWED_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], ALLOWED_ORIGIN);
    assert.equal(preflight.headers.vary, 'Origin');
    assert.equal((await raw(port, { headers: { origin: ALLOWED_ORIGIN } })).status, 401);
    const ok = await raw(port, { headers: { ...auth, origin: ALLOWED_ORIGIN } });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['access-control-allow-origin'], ALLOWED_ORIGIN);
  });

  test('oversized body → 413 (declared, chunked, and with Expect: 100-continue); nothing reaches a provider', async () => {
    const big = Buffer.alloc(LIMIT + 1, 0x20);
    const declared = await post(auth, big);
    assert.equal(declared.status, 413);
    assert.equal(errorCode(declared.body), 'request_too_large');
    // Chunked: no content-length, the limit is counted while reading.
    const chunked = await rawSocket(
      port,
      [
        `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${TOKEN}\r\nTransfer-Encoding: chunked\r\n\r\n`,
        ...Array.from({ length: 20 }, () => `4000\r\n${' '.repeat(0x4000)}\r\n`),
      ],
      5,
    );
    assert.match(chunked.text, /^HTTP\/1\.1 413 /);
    // Expect: 100-continue: refused before the client sends a byte of the body.
    const expect = await rawSocket(
      port,
      [
        `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Length: ${LIMIT * 100}\r\nExpect: 100-continue\r\n\r\n`,
      ],
      5,
    );
    assert.match(expect.text, /^HTTP\/1\.1 413 /);
    assert.equal(w.upstreamRequests(), 0);
  });

  test('slow-loris: headers that never finish (or never start) → 408 within the request timeout; nothing reaches a provider', async () => {
    const lines = [`POST /v1/chat/completions HTTP/1.1\r\n`, `Host: 127.0.0.1:${port}\r\n`, ...Array.from({ length: 40 }, (_, i) => `X-Slow-${i}: ${i}\r\n`)];
    // Headers dribbled line by line, and a connection that never says anything.
    const [r, silent] = await Promise.all([rawSocket(port, lines, 150), rawSocket(port, [], 150)]);
    for (const x of [r, silent]) {
      assert.match(x.text, /^HTTP\/1\.1 408 /);
      assert.ok(x.ms >= 900 && x.ms < 3000, `closed after ${x.ms} ms`);
    }
    assert.equal(w.upstreamRequests(), 0);
  });

  test('slow-loris: a body that stops coming → 408 after the idle timeout; nothing reaches a provider', async () => {
    const head = `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${CHAT.length}\r\n\r\n`;
    const r = await rawSocket(port, [head, CHAT.slice(0, 10)], 50);
    assert.match(r.text, /^HTTP\/1\.1 408 /);
    assert.match(r.text, /request_timeout/);
    assert.ok(r.ms < 1500, `closed after ${r.ms} ms`);
    assert.equal(w.upstreamRequests(), 0);
  });

  test('slow-loris: a body dribbled byte by byte (never idle long enough) → 408 at the request deadline', async () => {
    const head = `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${CHAT.length}\r\n\r\n`;
    const r = await rawSocket(port, [head, ...CHAT.split('')], 40);
    assert.match(r.text, /^HTTP\/1\.1 408 /);
    assert.ok(r.ms >= 900 && r.ms < 3000, `closed after ${r.ms} ms`);
    assert.equal(w.upstreamRequests(), 0);
  });

  test('beyond the concurrency cap → 429 with retry-after; the refused request reaches no provider', async () => {
    w.openai.enqueue({ text: 'slow one', delayBeforeFirstByteMs: 600 }, { text: 'slow two', delayBeforeFirstByteMs: 600 });
    const before = w.openai.requests.length;
    const slow = [post(auth), post(auth)];
    await waitFor(() => w.gateway.stats().active === 2);
    const refused = await post(auth);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers['retry-after'], '1');
    assert.equal(errorCode(refused.body), 'too_many_concurrent_requests');
    const done = await Promise.all(slow);
    assert.deepEqual(
      done.map((d) => d.status),
      [200, 200],
    );
    assert.equal(w.openai.requests.length, before + 2, 'only the two admitted requests went upstream');
    assert.equal((await post(auth)).status, 200, 'capacity is released');
  });

  test('keys never leave the process: not in error responses, not in logs; the token is never logged', async () => {
    w.openai.enqueue({ status: 401, errorMessage: `Incorrect API key provided: ${KEY}. Also sk-proj-AAAAAAAAAAAAAAAAAAAAAAAA.` });
    const r = await post(auth);
    assert.equal(r.status, 401);
    assert.ok(!r.body.includes(KEY), r.body);
    assert.ok(!r.body.includes('sk-proj-AAAA'), r.body);
    const logs = w.logs.join('\n');
    assert.ok(logs.length > 0);
    assert.ok(!logs.includes(KEY) && !logs.includes('sk-proj-AAAA') && !logs.includes(TOKEN), logs);
  });

  test('the redactor scrubs given secrets and key-shaped strings', () => {
    const r = makeRedactor(['my-local-secret-value']);
    assert.equal(r('a my-local-secret-value b'), 'a [redacted] b');
    assert.equal(r('key sk-ant-api03-abcdefghijklmnop end'), 'key [redacted] end');
    assert.equal(r('AIzaSyA1234567890abcdefghijklmnop'), '[redacted]');
    assert.equal(r('Bearer abcdefghijklmnopqrstuvwxyz'), '[redacted]');
    assert.equal(r('nothing to hide'), 'nothing to hide');
  });

  test('unknown paths → 404 and wrong methods → 405, after the token check', async () => {
    assert.equal((await raw(port, { path: '/v1/embeddings', headers: auth })).status, 404);
    assert.equal((await raw(port, { path: '/v1/embeddings' })).status, 401);
    const r = await raw(port, { path: '/v1/chat/completions', headers: auth });
    assert.equal(r.status, 405);
    assert.equal(r.headers.allow, 'POST');
  });
});

describe('gateway binding', () => {
  test('another address only when asked, with a warning in the log', async () => {
    const w = await startWorld({ gateway: { host: '0.0.0.0' } });
    try {
      assert.ok(
        w.logs.some((l) => /WARNING: listening on 0\.0\.0\.0/.test(l)),
        w.logs.join('\n'),
      );
      assert.equal((await raw(w.gateway.port, { headers: auth })).status, 200);
    } finally {
      await w.close();
    }
  });

  test('a short token is refused at start', async () => {
    await assert.rejects(startWorld({ gateway: { token: 'short' } }), /at least 16/);
  });
});

describe('gateway token file', () => {
  const fresh = (): NodeJS.ProcessEnv => ({ XDG_CONFIG_HOME: join(mkdtempSync(join(tmpdir(), 'sb-token-')), 'cfg') });

  test('generated on first start: 256 random bits, base64url, 0600 file in a 0700 directory; reused after', () => {
    const env = fresh();
    const a = loadOrCreateToken({ env });
    assert.equal(a.source, 'file');
    assert.equal(a.created, true);
    assert.equal(a.path, join(env.XDG_CONFIG_HOME!, 'switchboard', 'gateway-token'));
    assert.equal(a.path, defaultTokenPath(env));
    assert.match(a.token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(a.token, 'base64url').length, 32);
    assert.equal(statSync(a.path!).mode & 0o777, 0o600);
    assert.equal(statSync(dirname(a.path!)).mode & 0o777, 0o700);
    const b = loadOrCreateToken({ env });
    assert.equal(b.token, a.token);
    assert.equal(b.created, false);
    assert.notEqual(loadOrCreateToken({ env: fresh() }).token, a.token);
  });

  test('SWITCHBOARD_GATEWAY_TOKEN overrides the file; a short one is refused', () => {
    const env = { ...fresh(), SWITCHBOARD_GATEWAY_TOKEN: 'env-token-0123456789' };
    const t = loadOrCreateToken({ env });
    assert.deepEqual(t, { token: 'env-token-0123456789', source: 'env', path: null, created: false });
    assert.throws(() => loadOrCreateToken({ env: { ...env, SWITCHBOARD_GATEWAY_TOKEN: 'short' } }), /too short/);
  });

  test('a token file other users can read is refused (the token may have leaked)', () => {
    const env = fresh();
    const path = defaultTokenPath(env);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, 'a-token-that-was-world-readable-0123456789\n');
    chmodSync(path, 0o644);
    assert.throws(() => loadOrCreateToken({ env }), /readable by other users/);
    chmodSync(path, 0o600);
    assert.equal(loadOrCreateToken({ env }).token, 'a-token-that-was-world-readable-0123456789');
    assert.equal(readFileSync(path, 'utf8').trim(), 'a-token-that-was-world-readable-0123456789');
  });
});
