// Provider requests through an HTTP(S) proxy: the standard variables (HTTP_PROXY, HTTPS_PROXY, NO_PROXY),
// VS Code's http.proxy settings, credentials, a CONNECT tunnel for https://, this machine's servers never
// proxied, and clear errors. The proxy here is a real one (forward and CONNECT) that alone can resolve the
// provider's host name, so an answer proves the request went through it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import type net from 'node:net';
import { createAgent, createClient, proxyFromEnv, SwitchboardError, type ProxySettings } from '../../src/core/index.ts';
import { proxyForVsCode, proxySettingsNotHonoured } from '../../src/host/common/proxySettings.ts';
import { validateSettings } from '../../src/host/common/settingsModel.ts';
import { ClientService } from '../../src/host/services/clients.ts';
import { PROXIED_HOST as HOST, startProxy } from '../fakes/proxy.ts';
import { startFakeProvider, type FakeServer } from '../fakes/server.ts';
import { selfSignedCert } from '../fakes/tls.ts';

const KEY = 'sk-proxy-test-key-0123456789';

async function ask(baseUrl: string, env: NodeJS.ProcessEnv): Promise<{ text: string; error: SwitchboardError | null }> {
  const client = createClient(
    { retries: { maxRetries: 0 }, providers: [{ id: 'openai', baseUrl }] },
    { env: { OPENAI_API_KEY: KEY, ...env }, catalogCacheFile: null },
  );
  try {
    const r = await client.stream({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }).result;
    return { text: r.text, error: r.error };
  } finally {
    await client.close();
  }
}

describe('provider requests through a proxy', () => {
  let fake: FakeServer;
  let port = 0;
  before(async () => {
    fake = await startFakeProvider('openai', { apiKey: KEY });
    fake.setDefault({ text: 'Through the proxy.' });
    port = Number(new URL(fake.baseUrl).port);
  });
  after(() => fake.close());

  test('an http:// provider is reached through HTTP_PROXY, with the credentials in its URL (a password with an @), and answers as direct', async () => {
    const proxy = await startProxy({ user: 'dev', password: 'p@ss:word' });
    try {
      const r = await ask(`http://${HOST}:${port}/v1`, { HTTP_PROXY: proxy.url });
      assert.equal(r.error, null, r.error?.message);
      assert.equal(r.text, 'Through the proxy.');
      assert.deepEqual(
        proxy.seen.map((s) => [s.kind, s.target, s.auth]),
        [['forward', `${HOST}:${port}`, `Basic ${Buffer.from('dev:p@ss:word').toString('base64')}`]],
      );
      assert.equal(fake.requests.at(-1)!.headers.authorization, `Bearer ${KEY}`, 'the provider got the key; the proxy credentials stayed with the proxy');
      assert.equal(fake.requests.at(-1)!.headers['proxy-authorization'], undefined);
    } finally {
      await proxy.close();
    }
  });

  test('lower-case http_proxy is read first, as curl does', async () => {
    const proxy = await startProxy();
    try {
      const r = await ask(`http://${HOST}:${port}/v1`, { http_proxy: proxy.url, HTTP_PROXY: 'http://127.0.0.1:9' });
      assert.equal(r.error, null, r.error?.message);
      assert.equal(proxy.seen.length, 1);
    } finally {
      await proxy.close();
    }
  });

  test("this machine's servers never go through the proxy (a local model server answers with HTTP_PROXY set)", async () => {
    const proxy = await startProxy();
    try {
      for (const host of ['127.0.0.1', 'localhost']) {
        const r = await ask(`http://${host}:${port}/v1`, { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url });
        assert.equal(r.error, null, `${host}: ${r.error?.message}`);
        assert.equal(r.text, 'Through the proxy.');
      }
      assert.deepEqual(proxy.seen, []);
    } finally {
      await proxy.close();
    }
  });

  test('an https:// provider is reached through a CONNECT tunnel (HTTPS_PROXY); TLS runs end to end, so an untrusted certificate at the far end is said as such', async () => {
    const { key, cert } = selfSignedCert(HOST);
    const tls = https.createServer({ key, cert }, (_req, res) => res.end('{}'));
    tls.on('tlsClientError', () => undefined);
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    const proxy = await startProxy({ user: 'dev', password: 'secret-proxy-pass' });
    try {
      const tlsPort = (tls.address() as net.AddressInfo).port;
      const r = await ask(`https://${HOST}:${tlsPort}/v1`, { HTTPS_PROXY: proxy.url });
      assert.deepEqual(
        proxy.seen.map((s) => [s.kind, s.target]),
        [['connect', `${HOST}:${tlsPort}`]],
      );
      assert.equal(proxy.seen[0]!.auth, `Basic ${Buffer.from('dev:secret-proxy-pass').toString('base64')}`);
      assert.equal(r.error?.kind, 'network');
      assert.match(r.error?.detail ?? '', /^the server's TLS certificate was not accepted \(DEPTH_ZERO_SELF_SIGNED_CERT/);
      assert.ok(!r.error!.message.includes('secret-proxy-pass'));
    } finally {
      await proxy.close();
      await new Promise<void>((r) => tls.close(() => r()));
    }
  });

  test('a proxy that refuses the credentials (forward and CONNECT): an error that says the proxy asked, with the fix, without the password', async () => {
    const proxy = await startProxy({ user: 'dev', password: 'right-password' });
    try {
      const wrong = proxy.url.replace('right-password', 'wrong-password-123');
      const before = fake.requests.length;
      for (const [baseUrl, env] of [
        [`http://${HOST}:${port}/v1`, { HTTP_PROXY: wrong }],
        [`https://${HOST}:${port}/v1`, { HTTPS_PROXY: wrong }],
      ] as const) {
        const r = await ask(baseUrl, env);
        assert.ok(r.error, 'refused');
        assert.equal(r.error.kind, 'network');
        assert.equal(r.error.shouldRetry, false, 'the same credentials would be refused again');
        assert.match(r.error.detail, /the proxy asked for credentials it did not get \(HTTP 407\)/);
        assert.match(r.error.fix ?? '', /http:\/\/user:password@host:port/);
        assert.ok(!r.error.message.includes('wrong-password-123'), r.error.message);
      }
      assert.deepEqual(
        proxy.seen.map((s) => s.kind),
        ['forward', 'connect'],
      );
      assert.equal(fake.requests.length, before, 'nothing reached the provider');
    } finally {
      await proxy.close();
    }
  });

  test('a proxy that is not a URL: a config error naming where it came from and the fix, never the password', () => {
    assert.throws(
      () => createAgent({}, { http: 'proxy.corp:8080', source: 'the HTTP_PROXY / HTTPS_PROXY environment variables' }),
      (e: unknown) =>
        e instanceof SwitchboardError &&
        e.kind === 'config' &&
        /the proxy "proxy\.corp:8080" \(the HTTP_PROXY \/ HTTPS_PROXY environment variables\) is not an http:\/\/ or https:\/\/ URL/.test(e.message) &&
        /http:\/\/host:port/.test(e.fix ?? ''),
    );
    assert.throws(
      () => createAgent({}, { https: 'socks5://u:hunter2-secret@proxy.corp:1080', source: 'the http.proxy setting' }),
      (e: unknown) => e instanceof SwitchboardError && e.kind === 'config' && !e.message.includes('hunter2-secret') && /http\.proxy setting/.test(e.message),
    );
  });
});

describe("VS Code: the window's connection pool follows the proxy settings", () => {
  test('a changed proxy gets a new pool at the next client; an invalid one is said (with the fix) and requests go direct', async () => {
    const fake = await startFakeProvider('openai', { apiKey: KEY });
    const [a, b] = [await startProxy(), await startProxy()];
    let proxy: ProxySettings | null = { http: a.url, source: 'the http.proxy setting' };
    const problems: string[] = [];
    const port = Number(new URL(fake.baseUrl).port);
    let baseUrl = `http://${HOST}:${port}/v1`;
    const svc = new ClientService({
      keys: { get: (id) => (id === 'openai' ? KEY : undefined), ids: () => ['openai'] },
      readSettings: () => ({ settings: validateSettings({ providers: [{ id: 'openai', baseUrl }], retries: { maxRetries: 0 } }), verbose: false }),
      log: { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined },
      ledger: { append: async () => undefined, readAll: async () => [] } as never,
      catalogCacheFile: null,
      priceDataCacheFile: null,
      proxy: () => proxy,
      onProxyProblem: (text) => problems.push(text),
    });
    const ask = async (): Promise<void> => {
      fake.enqueue({ text: 'ok' });
      const r = await svc.client().complete({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
      assert.equal(r.error, null, r.error?.message);
    };
    try {
      await ask();
      assert.equal(svc.connections(), svc.connections(), 'one pool while nothing changes');
      proxy = { http: b.url, source: 'the http.proxy setting' };
      svc.rebuild();
      await ask();
      assert.deepEqual([a.seen.length, b.seen.length], [1, 1]);
      proxy = { http: 'proxy.corp:8080', source: 'the http.proxy setting' };
      baseUrl = fake.baseUrl;
      svc.reloadSettings();
      svc.rebuild();
      await ask();
      assert.equal(problems.length, 1);
      assert.match(problems[0]!, /the http\.proxy setting\) is not an http:\/\/ or https:\/\/ URL — .*; until it is corrected, requests go direct/);
    } finally {
      svc.dispose();
      await Promise.all([a.close(), b.close(), fake.close()]);
    }
  });
});

describe('where the proxy comes from', () => {
  test('the environment: HTTPS_PROXY / HTTP_PROXY / NO_PROXY, lower case first; none set or blank: no proxy', () => {
    assert.equal(proxyFromEnv({}), null);
    assert.equal(proxyFromEnv({ HTTP_PROXY: '  ', NO_PROXY: 'x' }), null);
    assert.deepEqual(proxyFromEnv({ https_proxy: 'http://a:1', HTTPS_PROXY: 'http://b:2', NO_PROXY: '.corp' }), {
      https: 'http://a:1',
      noProxy: '.corp',
      source: 'the HTTP_PROXY / HTTPS_PROXY environment variables',
    });
  });

  test("VS Code: the user's http.proxy wins over the environment, http.noProxy adds to NO_PROXY, proxySupport off turns it off", () => {
    const env = { HTTPS_PROXY: 'http://env-proxy:3128', NO_PROXY: '.corp' };
    assert.deepEqual(proxyForVsCode({ proxy: 'http://vscode-proxy:8080', noProxy: ['intranet.local'], env }), {
      http: 'http://vscode-proxy:8080',
      https: 'http://vscode-proxy:8080',
      noProxy: 'intranet.local,.corp',
      source: 'the http.proxy setting',
    });
    assert.deepEqual(proxyForVsCode({ proxy: '', env }), {
      https: 'http://env-proxy:3128',
      noProxy: '.corp',
      source: 'the HTTP_PROXY / HTTPS_PROXY environment variables',
    });
    assert.equal(proxyForVsCode({ support: 'off', proxy: 'http://vscode-proxy:8080', env }), null);
    assert.equal(proxyForVsCode({ env: {} }), null);
  });

  test('VS Code settings Switchboard does not follow (proxyStrictSSL: false, proxyAuthorization) are said, each with what to do instead', () => {
    assert.deepEqual(proxySettingsNotHonoured({ env: {} }), []);
    assert.deepEqual(proxySettingsNotHonoured({ strictSSL: true, authorization: null, env: {} }), []);
    const notes = proxySettingsNotHonoured({ strictSSL: false, authorization: 'Basic ZGV2OnNlY3JldA==', env: {} });
    assert.equal(notes.length, 2);
    assert.match(notes[0]!, /http\.proxyStrictSSL: false is not followed\): .*NODE_EXTRA_CA_CERTS=<its certificate file>/);
    assert.match(notes[1]!, /does not send http\.proxyAuthorization: .*http:\/\/user:password@host:port/);
    assert.ok(!notes.join(' ').includes('ZGV2OnNlY3JldA=='), 'the header value is never repeated');
  });
});
