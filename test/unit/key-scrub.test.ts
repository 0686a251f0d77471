/**
 * Issue 12 finding 5: keys echoed inside a stream (an error event, a malformed chunk) never reach
 * a user, a log or a gateway response — for every key the process knows, whenever it was added,
 * however short, lower-cased or base64-encoded.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '../../src/core/client.ts';
import { SwitchboardError, scrubError } from '../../src/core/errors.ts';
import { containsSecret, redactKnown, redactSecrets, redactUrl, registerSecret, secretForms } from '../../src/core/redact.ts';
import { startGateway } from '../../src/gateway/server.ts';
import { startHostile, type HostileServer } from '../fakes/hostile.ts';
import { privateCliCopy } from './builtCli.ts';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const b64url = (s: string): string => Buffer.from(s).toString('base64url');

/** Every form of `key` an upstream might echo. */
function echoes(key: string): string {
  return `key ${key}; lower ${key.toLowerCase()}; upper ${key.toUpperCase()}; b64 ${b64(key)}; b64url ${b64url(key)}; basic ${b64(`user:${key}`)}; in json {"k":"${key}"}`;
}

/** Where a text leaks `key`: the forms found (empty when clean). */
function leaks(text: string, key: string): string[] {
  const found: string[] = [];
  const lower = text.toLowerCase();
  if (lower.includes(key.toLowerCase())) found.push('plain/any case');
  for (const f of secretForms(key).slice(1)) if (text.includes(f)) found.push(`base64 ${f}`);
  return found;
}

describe('redact: the registry', () => {
  test('a key registered later is scrubbed from then on, in any case and its base64 forms', () => {
    const key = 'sk-Late-Added-Key-9f8e7d6c5b4a';
    assert.notEqual(redactKnown(echoes(key)), echoes(key).replaceAll(key, ''), 'not known yet');
    assert.ok(!containsSecret(key));
    registerSecret(key);
    const out = redactKnown(echoes(key));
    assert.deepEqual(leaks(out, key), [], out);
    assert.match(out, /\[redacted\]/);
  });

  test('short keys are scrubbed too when they are known keys', () => {
    registerSecret('abc123');
    assert.equal(redactKnown('bad key abc123 (ABC123)'), 'bad key [redacted] ([redacted])');
    assert.equal(redactSecrets('x=abc1', ['abc1']), 'x=[redacted]');
  });

  test('a userinfo password in a URL is redacted', () => {
    assert.equal(redactUrl('https://bob:hunter22@proxy.example/v1'), 'https://***@proxy.example/v1');
    assert.equal(redactUrl('https://proxy.example/v1'), 'https://proxy.example/v1');
  });

  test('scrubError drops a cause that quotes a key', () => {
    const key = 'sk-cause-quoted-00112233';
    registerSecret(key);
    const e = new SwitchboardError({ kind: 'invalid_response', message: 'bad chunk', cause: new SyntaxError(`Unexpected token in "${key}"`) });
    const s = scrubError(e);
    assert.equal(s.cause, undefined);
  });
});

describe('keys echoed inside a stream', () => {
  let h: HostileServer;
  before(async () => {
    h = await startHostile({ kind: 'endless' });
  });
  after(() => h.close());

  for (const key of ['sk-InStream-MixedCase-0a1b2c3d4e5f', 'abc123']) {
    for (const mode of ['stream-error', 'malformed'] as const) {
      test(`${mode} echoing ${key.length < 8 ? 'a short key' : 'a key'}: the error carries none of its forms`, async () => {
        h.setMode(
          mode === 'stream-error'
            ? { kind: 'stream-error', message: `invalid credentials: ${echoes(key)}` }
            : { kind: 'malformed', data: `{"oops": "${key}" ${b64(key)}` },
        );
        const client = createClient(
          { retries: { maxRetries: 0 }, providers: [{ id: 'evil', kind: 'openai', baseUrl: h.baseUrl, apiKeyEnv: 'EVIL_KEY', models: ['m'] }] },
          { env: { EVIL_KEY: key } },
        );
        try {
          const s = client.stream({ model: 'evil/m', messages: [{ role: 'user', content: 'hi' }] });
          const errors: string[] = [];
          for await (const p of s) if (p.type === 'error') errors.push(p.error.message, String(p.error.fix), JSON.stringify(p.error));
          const r = await s.result;
          assert.ok(r.error);
          assert.equal(r.text, 'Hello', 'the text before the error is kept');
          const all = [
            ...errors,
            r.error.message,
            JSON.stringify(r.error),
            ...r.attempts.map((a) => a.message ?? ''),
            String((r.error.cause as Error | undefined)?.message ?? ''),
          ].join('\n');
          assert.deepEqual(leaks(all, key), [], all);
        } finally {
          await client.close();
        }
      });
    }
  }

  test("a credential in a provider entry's headers is scrubbed like a key from the first request, before any catalog refresh", async () => {
    const token = 'cfaig-HeaderToken-77aa88bb99cc';
    h.setMode({ kind: 'stream-error', message: `gateway token rejected: ${echoes(token)}` });
    const client = createClient(
      {
        retries: { maxRetries: 0 },
        providers: [
          {
            id: 'gw',
            kind: 'openai',
            baseUrl: h.baseUrl,
            auth: 'none',
            headers: { 'cf-aig-authorization': `Bearer ${token}`, 'X-Title': 'Hello-Application' },
            models: ['m'],
          },
        ],
      },
      { env: {}, catalogCacheFile: null },
    );
    try {
      const r = await client.complete({ model: 'gw/m', messages: [{ role: 'user', content: 'hi' }] });
      assert.ok(r.error);
      const all = [r.error.message, JSON.stringify(r.error), ...r.attempts.map((a) => a.message ?? '')].join('\n');
      assert.deepEqual(leaks(all, token), [], all);
      assert.equal(redactKnown('Hello-Application'), 'Hello-Application', 'a header that is not a credential stays readable');
    } finally {
      await client.close();
    }
  });

  test('the gateway: responses (streamed and not) and log lines carry no key', async () => {
    const key = 'gwkey42';
    const client = createClient(
      { retries: { maxRetries: 0 }, providers: [{ id: 'evil', kind: 'openai', baseUrl: h.baseUrl, apiKeyEnv: 'EVIL_KEY', models: ['m'] }] },
      { env: { EVIL_KEY: key } },
    );
    const logs: string[] = [];
    const token = 'gw-test-token-0123456789abcdef';
    const gw = await startGateway({ client, token, log: (l) => logs.push(l) });
    try {
      const bodies: string[] = [];
      for (const mode of [
        { kind: 'stream-error', message: `bad key ${echoes(key)}` },
        { kind: 'malformed', data: `{${key} ${b64(key)}` },
      ] as const) {
        h.setMode(mode);
        for (const stream of [true, false]) {
          const res = await fetch(`${gw.url}/chat/completions`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ model: 'evil/m', stream, messages: [{ role: 'user', content: 'hi' }] }),
          });
          bodies.push(await res.text());
        }
      }
      assert.ok(
        bodies.every((b) => b.includes('[redacted]')),
        bodies.join('\n'),
      );
      assert.deepEqual(leaks(bodies.join('\n'), key), [], bodies.join('\n'));
      assert.ok(
        logs.some((l) => l.includes('[redacted]')),
        logs.join('\n'),
      );
      assert.deepEqual(leaks(logs.join('\n'), key), [], logs.join('\n'));
    } finally {
      await gw.close();
      await client.close();
    }
  });

  test('switchboard chat --json (a real process): stdout and stderr carry no key', async () => {
    const key = 'sk-Cli-Echo-77aa88bb99cc';
    const dir = mkdtempSync(join(tmpdir(), 'sb-scrub-'));
    try {
      const cli = await privateCliCopy(dir);
      const config = join(dir, 'config.json');
      writeFileSync(
        config,
        JSON.stringify({ retries: { maxRetries: 0 }, providers: [{ id: 'evil', kind: 'openai', baseUrl: h.baseUrl, apiKeyEnv: 'EVIL_KEY', models: ['m'] }] }),
      );
      const out: Record<string, string> = {};
      for (const mode of [
        { kind: 'stream-error', message: `denied: ${echoes(key)}` },
        { kind: 'malformed', data: `{"${key}"` },
      ] as const) {
        h.setMode(mode);
        const child = spawn(process.execPath, [cli, 'chat', '--model', 'evil/m', '--prompt', 'hi', '--json', '--config', config], {
          env: { PATH: process.env.PATH ?? '', HOME: dir, XDG_CONFIG_HOME: dir, XDG_CACHE_HOME: dir, XDG_STATE_HOME: dir, XDG_DATA_HOME: dir, EVIL_KEY: key },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        const code = await new Promise<number | null>((r) => child.on('close', r));
        assert.notEqual(code, 0);
        out[mode.kind] = `${stdout}\n${stderr}`;
        assert.match(stdout, /"error"/);
        assert.deepEqual(leaks(stdout, key), [], stdout);
        assert.deepEqual(leaks(stderr, key), [], stderr);
      }
      assert.match(out['stream-error']!, /\[redacted\]/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
