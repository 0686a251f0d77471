/// <reference types="mocha" />
// "Switchboard: Start Local Gateway" / "Stop Local Gateway": the CLI's gateway inside the
// extension host, over the keys stored in VS Code.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import * as vscode from 'vscode';
import type { GatewayInfo } from '../../src/host/gateway.ts';
import { startFakeProvider, type FakeServer } from '../fakes/server.ts';
import { resetSettings, services, setSetting, waitFor } from './helpers.ts';

const KEY = 'sk-gateway-test-key-5f3a9c1e7b';
const ANSWER = 'Answered through the gateway.';

async function post(url: string, token: string | null, body: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

describe('Local gateway command', () => {
  let fake: FakeServer;

  before(async () => {
    fake = await startFakeProvider('openai', { apiKey: KEY });
    fake.setDefault({ text: ANSWER, usage: { input: 12, output: 5 } });
    await setSetting('providers', [{ id: 'openai', baseUrl: fake.baseUrl }]);
    await vscode.commands.executeCommand('switchboard.setApiKey', { provider: 'openai', key: KEY, verify: false });
    const s = await services();
    await waitFor('the fake provider in use', () => s.providers().includes('openai'));
  });

  after(async () => {
    await vscode.commands.executeCommand('switchboard.stopGateway', { quiet: true });
    await vscode.commands.executeCommand('switchboard.removeApiKey', 'openai');
    await resetSettings();
    await fake.close();
  });

  it('starts on 127.0.0.1, answers OpenAI requests with the stored key, and refuses requests without the token', async () => {
    const info = (await vscode.commands.executeCommand('switchboard.startGateway', { port: 0, copyToken: true, quiet: true })) as GatewayInfo;
    assert.match(info.url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    assert.ok(info.port > 0);
    const token = await vscode.env.clipboard.readText();
    assert.ok(token.length >= 43, 'the token was copied to the clipboard');
    assert.ok(!JSON.stringify(info).includes(token), 'the command does not return the token');

    const unauthorized = await post(info.url, null, { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(unauthorized.status, 401);
    const wrong = await post(info.url, `${token}x`, { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(wrong.status, 401);

    const n = fake.requests.length;
    const ok = await post(info.url, token, { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(ok.status, 200, ok.text);
    const completion = JSON.parse(ok.text) as { object: string; choices: { message: { content: string } }[] };
    assert.equal(completion.object, 'chat.completion');
    assert.equal(completion.choices[0]!.message.content, ANSWER);
    const upstream = fake.requests.slice(n).find((r) => r.path.endsWith('/chat/completions'));
    assert.equal(upstream?.headers.authorization, `Bearer ${KEY}`, 'the provider got the key stored in VS Code');
    assert.ok(!ok.text.includes(KEY) && !ok.text.includes(token));

    // Started twice: the same gateway.
    const again = (await vscode.commands.executeCommand('switchboard.startGateway', { quiet: true })) as GatewayInfo;
    assert.equal(again.url, info.url);
  });

  it('"Use with Claude Code" copies ANTHROPIC_BASE_URL and the token; Claude Code\'s request shape is answered through /v1/messages', async () => {
    const info = (await vscode.commands.executeCommand('switchboard.startGateway', { quiet: true, useWith: 'claude-code' })) as GatewayInfo;
    const snippet = await vscode.env.clipboard.readText();
    const root = info.url.replace(/\/v1$/, '');
    assert.ok(snippet.includes(`export ANTHROPIC_BASE_URL=${root}`), snippet.replace(/AUTH_TOKEN=.*/, 'AUTH_TOKEN=…'));
    const token = /ANTHROPIC_AUTH_TOKEN=(\S+)/.exec(snippet)?.[1] ?? '';
    assert.ok(token.length >= 43, 'the snippet carries the token');
    const res = await fetch(`${root}/v1/messages?beta=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }),
    });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    const message = JSON.parse(text) as { type: string; content: { type: string; text: string }[] };
    assert.equal(message.type, 'message');
    assert.equal(message.content[0]!.text, ANSWER);
    await vscode.commands.executeCommand('switchboard.startGateway', { quiet: true, useWith: 'codex' });
    const codex = await vscode.env.clipboard.readText();
    assert.match(codex, /wire_api = "responses"/);
    // The model's window from the catalog (gpt-4o-mini: 128k), so that Codex compacts before the model refuses.
    assert.match(codex, /^model = "openai\/gpt-4o-mini"$/m);
    assert.match(codex, /^model_context_window = 128000$/m);
  });

  it('follows key and settings changes (the app rebuilds its client) without a restart', async () => {
    const info = (await vscode.commands.executeCommand('switchboard.startGateway', { quiet: true, copyToken: true })) as GatewayInfo;
    const token = await vscode.env.clipboard.readText();
    await setSetting('providers', [{ id: 'openai', baseUrl: fake.baseUrl, name: 'Rebuilt' }]);
    const ok = await post(info.url, token, { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'again' }] });
    assert.equal(ok.status, 200, ok.text);
  });

  it('a port that is taken is an error naming the port and the fix; two Starts at once both get what they asked for', async () => {
    const s = await services();
    await vscode.commands.executeCommand('switchboard.stopGateway', { quiet: true });
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as { port: number }).port;
    try {
      const n = s.notices().length;
      assert.equal(await vscode.commands.executeCommand('switchboard.startGateway', { port, quiet: true }), undefined);
      const error = s
        .notices()
        .slice(n)
        .find((x) => x.level === 'error');
      assert.ok(error, 'an error was shown');
      assert.match(
        error.text,
        new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: another program .* uses that port\\. Stop it, or start the gateway without a port`),
      );
    } finally {
      await new Promise((r) => busy.close(r));
    }
    // Started twice at once (a double click, two callers): one gateway; the one that joined gets the token copied too.
    await vscode.env.clipboard.writeText('');
    const [a, b] = (await Promise.all([
      vscode.commands.executeCommand('switchboard.startGateway', { port: 0, quiet: true }),
      vscode.commands.executeCommand('switchboard.startGateway', { port: 0, quiet: true, copyToken: true }),
    ])) as GatewayInfo[];
    assert.equal(a?.url, b?.url);
    const token = await vscode.env.clipboard.readText();
    assert.ok(token.length >= 43, 'the second Start copied the token');
    const models = await fetch(`${b!.url}/models`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(models.status, 200);
  });

  it('stops, and starts again with the same token from secret storage', async () => {
    const first = (await vscode.commands.executeCommand('switchboard.startGateway', { quiet: true, copyToken: true })) as GatewayInfo;
    const token = await vscode.env.clipboard.readText();
    assert.equal(await vscode.commands.executeCommand('switchboard.stopGateway', { quiet: true }), true);
    await assert.rejects(fetch(`${first.url}/models`, { headers: { authorization: `Bearer ${token}` } }), 'nothing listens after Stop');
    assert.equal(await vscode.commands.executeCommand('switchboard.stopGateway', { quiet: true }), false, 'stopping twice is a no-op');

    await vscode.env.clipboard.writeText('');
    const second = (await vscode.commands.executeCommand('switchboard.startGateway', { port: 0, quiet: true, copyToken: true })) as GatewayInfo;
    assert.equal(await vscode.env.clipboard.readText(), token);
    const models = await fetch(`${second.url}/models`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(models.status, 200);
    const list = (await models.json()) as { data: { id: string }[] };
    assert.ok(
      list.data.some((m) => m.id.startsWith('openai/')),
      JSON.stringify(list.data.slice(0, 5)),
    );
  });
});
