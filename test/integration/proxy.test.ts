/// <reference types="mocha" />
// VS Code's own proxy setting inside the real extension host: with `http.proxy` in the user's settings the
// key check and the answers reach a provider that only the proxy can resolve (so they went through it),
// with the proxy's credentials; a change of the setting takes effect without a reload.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { VerifyResult } from '../../src/host/verify.ts';
import { PROXIED_HOST, startProxy, type Proxy } from '../fakes/proxy.ts';
import { startFakeProvider, type FakeServer } from '../fakes/server.ts';
import { resetSettings, services, setSetting, switchboardLogs, waitFor } from './helpers.ts';

const KEY = 'sk-proxy-integration-0123456789';

async function setHttpProxy(value: string | undefined): Promise<void> {
  await vscode.workspace.getConfiguration('http').update('proxy', value, vscode.ConfigurationTarget.Global);
}

describe('Proxy (http.proxy)', () => {
  let fake: FakeServer;
  let proxy: Proxy;
  let other: Proxy;

  before(async () => {
    fake = await startFakeProvider('openai', { apiKey: KEY });
    fake.setDefault({ text: 'Answered through the proxy.' });
    proxy = await startProxy({ user: 'dev', password: 'proxy-pass-0987' });
    other = await startProxy();
    const port = new URL(fake.baseUrl).port;
    await setSetting('providers', [{ id: 'openai', baseUrl: `http://${PROXIED_HOST}:${port}/v1` }]);
    await setSetting('retries', { maxRetries: 0 });
  });

  after(async () => {
    await setHttpProxy(undefined);
    await vscode.workspace.getConfiguration('http').update('proxyStrictSSL', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('switchboard.removeApiKey', 'openai');
    await resetSettings();
    await Promise.all([proxy.close(), other.close(), fake.close()]);
  });

  it('the key check and the answers go through the proxy of the user settings, with its credentials', async () => {
    await setHttpProxy(proxy.url);
    const check = (await vscode.commands.executeCommand('switchboard.setApiKey', { provider: 'openai', key: KEY })) as VerifyResult;
    assert.equal(check.ok, true, JSON.stringify(check));
    const s = await services();
    await waitFor('the provider in use', () => s.providers().includes('openai'));
    const r = await s.client().complete({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    assert.equal(r.error, null, r.error?.message);
    assert.equal(r.text, 'Answered through the proxy.');
    const basic = `Basic ${Buffer.from('dev:proxy-pass-0987').toString('base64')}`;
    // The key check, the model list and the answer; the price data download goes through it too (a tunnel to GitHub).
    const toProvider = proxy.seen.filter((x) => x.target.startsWith(`${PROXIED_HOST}:`));
    assert.ok(toProvider.length >= 2, JSON.stringify(proxy.seen));
    assert.ok(
      proxy.seen.every((x) => x.auth === basic),
      JSON.stringify(proxy.seen),
    );
  });

  it('another proxy in the settings is used from the next request on, without a reload', async () => {
    await setHttpProxy(other.url);
    const s = await services();
    const r = await waitFor('an answer through the new proxy', async () => {
      const answer = await s.client().complete({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Again' }] });
      return other.seen.length > 0 ? answer : null;
    });
    assert.equal(r.error, null, r.error?.message);
    assert.equal(r.text, 'Answered through the proxy.');
  });

  it('http.proxyStrictSSL: false, which Switchboard does not follow, is said (with the fix), not ignored', async () => {
    await vscode.workspace.getConfiguration('http').update('proxyStrictSSL', false, vscode.ConfigurationTarget.Global);
    const s = await services();
    await waitFor(
      'the warning in the Switchboard log',
      () => {
        // Said when the settings are next used: a request, or here the client they build.
        void s.client();
        return switchboardLogs().some((p) => /http\.proxyStrictSSL: false is not followed\): .*NODE_EXTRA_CA_CERTS/.test(readFileSync(p, 'utf8')));
      },
      20_000,
    );
  });
});
