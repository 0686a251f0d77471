/**
 * Issue 12 finding 8 (key verification across a redirect) and the smaller ones of finding 10:
 * model ids with control characters, a `user:pass@` baseUrl, and listing 130k models.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { main } from '../../src/cli.ts';
import { createClient } from '../../src/core/client.ts';
import { resolveProvider } from '../../src/core/config.ts';
import { verifyKey } from '../../src/host/verify.ts';
import { startHostile, type HostileServer } from '../fakes/hostile.ts';
import { auth, raw, startWorld } from './gatewayWorld.ts';

/** A server that records every request it gets (the place a redirect points to). */
async function catcher(): Promise<{ url: string; seen: http.IncomingHttpHeaders[]; close(): Promise<void> }> {
  const seen: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"data":[]}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('redirects with a key attached', () => {
  let h: HostileServer;
  let target: Awaited<ReturnType<typeof catcher>>;
  before(async () => {
    target = await catcher();
    h = await startHostile({ kind: 'redirect', location: `${target.url}/steal/models` });
  });
  after(async () => {
    await h.close();
    await target.close();
  });

  for (const id of ['anthropic', 'google', 'openai'] as const) {
    test(`verifyKey (${id}) reports the redirect and never sends the key on`, async () => {
      const key = `verify-key-${id}-0123456789`;
      const r = await verifyKey(resolveProvider({ id, baseUrl: h.baseUrl }), key);
      assert.equal(r.ok, false);
      assert.ok(!r.ok && /redirect \(HTTP 302/.test(r.message) && /never follows a redirect/.test(r.message), JSON.stringify(r));
      assert.ok(!r.ok && !r.message.includes(key));
      assert.equal(target.seen.length, 0, 'nothing reached the redirect target');
    });
  }

  test("the catalog's model-list refresh does not follow a redirect either", async () => {
    const client = createClient(
      { providers: [{ id: 'hop', kind: 'openai', baseUrl: h.baseUrl, apiKeyEnv: 'HOP_KEY' }] },
      { env: { HOP_KEY: 'hop-key-0123456789' } },
    );
    try {
      const r = await client.catalog.refresh({ force: true });
      assert.equal(r.errors.length, 1);
      assert.match(r.errors[0]!.message, /redirect \(HTTP 302\)/);
      assert.equal(target.seen.length, 0);
    } finally {
      await client.close();
    }
  });
});

describe('model ids with control characters', () => {
  test('are refused, and no gateway log line or error carries the raw id', async () => {
    const w = await startWorld();
    try {
      const id = 'openai/gpt-4o-mini\ngateway: POST /v1/admin 200 1 ms forged';
      const r = await raw(w.gateway.port, {
        method: 'POST',
        path: '/v1/chat/completions',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ model: id, messages: [{ role: 'user', content: 'hi' }] }),
      });
      assert.equal(r.status, 404);
      assert.match(r.body, /control characters/);
      assert.ok(!(JSON.parse(r.body) as { error: { message: string } }).error.message.includes('\n'));
      assert.equal(w.upstreamRequests(), 0);
      for (const line of w.logs) assert.ok(!/[\r\n]/.test(line), JSON.stringify(line));
      assert.ok(!w.logs.some((l) => l.startsWith('gateway: POST /v1/admin')));
    } finally {
      await w.close();
    }
  });
});

describe('a baseUrl with user:pass@', () => {
  test('the password is never printed in errors nor written to the catalog cache', async () => {
    const h = await startHostile({ kind: 'stream-error', message: 'upstream says: credentials hunter2-secret-pw rejected' });
    const dir = mkdtempSync(join(tmpdir(), 'sb-userinfo-'));
    const baseUrl = h.baseUrl.replace('http://', 'http://alice:hunter2-secret-pw@');
    const cacheFile = join(dir, 'catalog.json');
    const client = createClient(
      { retries: { maxRetries: 0 }, providers: [{ id: 'proxy', kind: 'openai', baseUrl, auth: 'none', models: ['m'] }] },
      { catalogCacheFile: cacheFile },
    );
    try {
      const r = await client.complete({ model: 'proxy/m', messages: [{ role: 'user', content: 'hi' }] });
      assert.ok(r.error);
      assert.ok(!r.error.message.includes('hunter2-secret-pw'), r.error.message);
      h.setMode({ kind: 'redirect', location: 'http://elsewhere.example/' });
      const refreshed = await client.catalog.refresh({ force: true });
      for (const e of refreshed.errors) assert.ok(!e.message.includes('hunter2'), e.message);
      h.setMode({ kind: 'endless' });
      const ok = await client.catalog.refresh({ force: true });
      assert.deepEqual(ok.errors, []);
      const cached = readFileSync(cacheFile, 'utf8');
      assert.ok(!cached.includes('hunter2'), cached);
      assert.ok(!cached.includes('alice'), cached);
    } finally {
      await client.close();
      await h.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('switchboard models with 130k rows', () => {
  test('renders the table instead of overflowing the stack', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-rows-'));
    try {
      for (const d of ['home', 'config', 'data', 'cache']) mkdirSync(join(dir, d), { recursive: true });
      const models = Array.from({ length: 130_000 }, (_, i) => `m${i}`);
      writeFileSync(
        join(dir, 'config.json'),
        JSON.stringify({ providers: [{ id: 'big', kind: 'openai', baseUrl: 'http://127.0.0.1:9/v1', auth: 'none', models }] }),
      );
      let stdout = '';
      let stderr = '';
      const sink = (append: (s: string) => void): Writable => new Writable({ write: (c: Buffer | string, _e, cb) => (append(String(c)), cb()) });
      const code = await main(['models', '--config', join(dir, 'config.json')], {
        stdout: sink((s) => (stdout += s)),
        stderr: sink((s) => (stderr += s)),
        stdin: Readable.from([]),
        env: { HOME: join(dir, 'home'), XDG_CONFIG_HOME: join(dir, 'config'), XDG_DATA_HOME: join(dir, 'data'), XDG_CACHE_HOME: join(dir, 'cache') },
      });
      assert.equal(code, 0, stderr);
      assert.ok(stdout.split('\n').filter((l) => l.startsWith('big/m')).length >= 130_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
