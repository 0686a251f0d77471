/**
 * Issue 12 findings 6 and 9: unauthenticated local denial of service. Idle and slow-header
 * connections must not lock out /health or real clients, excess requests get the documented 429
 * (never a reset), excess connections a 503, and a deeply nested JSON body is refused before parsing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { exceedsJsonDepth } from '../../src/gateway/jsonDepth.ts';
import { auth, raw, rawSocket, startWorld, waitFor, type World } from './gatewayWorld.ts';

const CHAT = JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

/** Open `n` TCP connections that never send a byte; resolves once all are connected. */
async function idleSockets(port: number, n: number): Promise<net.Socket[]> {
  return Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Socket>((resolve, reject) => {
          const s = net.connect(port, '127.0.0.1', () => resolve(s));
          s.on('error', () => undefined);
          s.once('error', reject);
        }),
    ),
  );
}

const health = (port: number) => raw(port, { path: '/health', headers: auth });

describe('gateway under connection floods', () => {
  let w: World;
  let port: number;
  before(async () => {
    w = await startWorld();
    port = w.gateway.port;
  });
  after(() => w.close());

  test('256 idle connections: 100 concurrent health probes all succeed', async () => {
    const idle = await idleSockets(port, 256);
    try {
      await waitFor(() => w.gateway.stats().connections >= 256);
      const probes = await Promise.all(Array.from({ length: 100 }, () => health(port)));
      const ok = probes.filter((p) => p.status === 200).length;
      assert.equal(ok, 100, `health probes answered: ${ok}/100; errors: ${[...new Set(probes.map((p) => p.error).filter(Boolean))].join(', ')}`);
    } finally {
      for (const s of idle) s.destroy();
    }
  });

  test('500 concurrent chat requests: every client gets a 200 or the documented 429, none a reset', async () => {
    w.openai.setDefault({ text: 'ok', delayBeforeHeadersMs: 300 });
    try {
      const results = await Promise.all(
        Array.from({ length: 500 }, () =>
          raw(port, { method: 'POST', path: '/v1/chat/completions', headers: { ...auth, 'content-type': 'application/json' }, body: CHAT }),
        ),
      );
      const byStatus = new Map<number, number>();
      for (const r of results) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
      const resets = results.filter((r) => r.error !== undefined || r.status === 0);
      assert.equal(resets.length, 0, `errors: ${[...new Set(resets.map((r) => r.error))].join(', ')}; statuses: ${JSON.stringify([...byStatus])}`);
      assert.deepEqual([...byStatus.keys()].sort(), [200, 429], JSON.stringify([...byStatus]));
      for (const r of results.filter((x) => x.status === 429)) {
        assert.equal(r.headers['retry-after'], '1');
        assert.match(r.body, /too_many_concurrent_requests/);
      }
    } finally {
      w.openai.setDefault({ text: 'ok' });
    }
  });
});

describe('gateway connection cap', () => {
  let w: World;
  let port: number;
  before(async () => {
    w = await startWorld({ gateway: { maxConnections: 20, headersTimeoutMs: 400 } });
    port = w.gateway.port;
  });
  after(() => w.close());

  test('slow headers are answered 408 and closed once headersTimeoutMs passes', async () => {
    // 40 pieces 100 ms apart: the client would need 4 s to finish its headers.
    const pieces = ['GET /health HTTP/1.1\r\n', ...Array.from({ length: 39 }, (_, i) => `X-Slow-${i}: y\r\n`)];
    const r = await rawSocket(port, pieces, 100);
    assert.match(r.text, /^HTTP\/1\.1 408 /);
  });

  test('past the cap the oldest idle connection makes room: /health still answers', async () => {
    const idle = await idleSockets(port, 20);
    try {
      await waitFor(() => w.gateway.stats().connections >= 20);
      const before = w.gateway.stats().evictedConnections;
      const r = await health(port);
      assert.equal(r.status, 200);
      assert.ok(w.gateway.stats().evictedConnections > before);
      assert.ok(
        idle[0]!.destroyed || (await new Promise<boolean>((res) => (idle[0]!.once('close', () => res(true)), setTimeout(() => res(idle[0]!.destroyed), 1000)))),
        'the oldest idle socket was closed',
      );
    } finally {
      for (const s of idle) s.destroy();
    }
  });

  test('when every connection is busy the newcomer gets a 503, not a reset', async () => {
    w.openai.setDefault({ text: 'ok', stallAfterChunks: 0 });
    const busy = Array.from({ length: 20 }, () =>
      raw(port, {
        method: 'POST',
        path: '/v1/chat/completions',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'openai/gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
      }),
    );
    try {
      await waitFor(() => w.gateway.stats().connections >= 20 && w.openai.requests.length >= 20, 5000);
      const r = await rawSocket(port, [`GET /health HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: ${auth.authorization}\r\n\r\n`], 0, 3000);
      assert.match(r.text, /^HTTP\/1\.1 503 /);
      assert.match(r.text, /too_many_connections/);
      assert.ok(w.gateway.stats().refusedConnections >= 1);
    } finally {
      w.openai.setDefault({ text: 'ok' });
      await w.gateway.close();
      await Promise.all(busy);
    }
  });
});

describe('deeply nested JSON', () => {
  test('the scanner counts nesting outside strings only', () => {
    const enc = (s: string): Uint8Array => Buffer.from(s);
    assert.equal(exceedsJsonDepth(enc('[[[1]]]'), 3), false);
    assert.equal(exceedsJsonDepth(enc('[[[[1]]]]'), 3), true);
    assert.equal(exceedsJsonDepth(enc('{"a":"[[[[[[\\"[[[["}'), 1), false);
    assert.equal(exceedsJsonDepth(enc('{"a":{"b":[{}]}}'), 4), false);
    assert.equal(exceedsJsonDepth(enc('{"a":{"b":[{"c":[]}]}}'), 4), true);
  });

  test('the gateway refuses a 5 MB nested body with a 400 before parsing it; nothing reaches a provider', async () => {
    const w = await startWorld();
    try {
      const depth = 2_500_000;
      const body = `{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"x":${'['.repeat(depth)}${']'.repeat(depth)}}`;
      const r = await raw(w.gateway.port, { method: 'POST', path: '/v1/chat/completions', headers: { ...auth, 'content-type': 'application/json' }, body });
      assert.equal(r.status, 400);
      assert.match(r.body, /json_too_deep/);
      assert.match(r.body, /deeper than 64 levels/);
      assert.equal(w.upstreamRequests(), 0);
      // The other doors (/v1/messages, /v1/responses) check it too.
      for (const path of ['/v1/messages', '/v1/responses']) {
        const d = await raw(w.gateway.port, { method: 'POST', path, headers: { ...auth, 'content-type': 'application/json' }, body });
        assert.equal(d.status, 400, `${path}: ${d.body.slice(0, 200)}`);
        assert.match(d.body, /deeper than 64 levels/);
      }
      assert.equal(w.upstreamRequests(), 0);
      // Real bodies (a few levels) still pass.
      const ok = await raw(w.gateway.port, {
        method: 'POST',
        path: '/v1/chat/completions',
        headers: { ...auth, 'content-type': 'application/json' },
        body: CHAT,
      });
      assert.equal(ok.status, 200);
    } finally {
      await w.close();
    }
  });
});
