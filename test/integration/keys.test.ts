/// <reference types="mocha" />
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { VerifyResult } from '../../src/host/verify.ts';
import { startFakeProvider, type FakeServer } from '../fakes/server.ts';
import { noticesFromNow, resetSettings, services, setSetting, waitFor } from './helpers.ts';

const GOOD = 'sk-good-key-0123456789';

/** Every file under `dir` (small text files only) that contains `needle`. */
function filesContaining(dir: string, needle: string): string[] {
  const hits: string[] = [];
  const walk = (d: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(d);
    } catch {
      return;
    }
    for (const name of entries) {
      const p = join(d, name);
      let st;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        if (name !== 'node_modules' && name !== 'extensions') walk(p);
      } else if (st.size < 5_000_000) {
        try {
          if (readFileSync(p).includes(needle)) hits.push(p);
        } catch {
          /* unreadable */
        }
      }
    }
  };
  walk(dir);
  return hits;
}

describe('API keys', () => {
  let fake: FakeServer;

  before(async () => {
    fake = await startFakeProvider('openai', { apiKey: GOOD });
    await setSetting('providers', [{ id: 'openai', baseUrl: fake.baseUrl }]);
    const s = await services();
    await waitFor('the fake provider in use', () => s.providers().includes('openai'));
  });

  after(async () => {
    await vscode.commands.executeCommand('switchboard.removeApiKey', 'openai');
    await vscode.commands.executeCommand('switchboard.removeApiKey', 'anthropic');
    await resetSettings();
    await fake.close();
  });

  it('stores a trimmed key in secret storage and verifies it with the model list', async () => {
    const s = await services();
    const r = (await vscode.commands.executeCommand('switchboard.setApiKey', { provider: 'openai', key: `  ${GOOD}\n` })) as VerifyResult;
    assert.deepEqual(r.ok, true, JSON.stringify(r));
    assert.ok(s.keyProviders().includes('openai'));
    const list = fake.requests.filter((q) => q.method === 'GET' && q.path === '/v1/models').at(-1);
    assert.ok(list, 'no GET /v1/models request');
    assert.equal(list.headers.authorization, `Bearer ${GOOD}`);
  });

  it('reports the exact failure of a wrong key, without echoing it', async () => {
    const s = await services();
    const fresh = noticesFromNow(s);
    const wrong = 'sk-wrong-key-9876543210';
    const r = (await vscode.commands.executeCommand('switchboard.setApiKey', { provider: 'openai', key: wrong })) as VerifyResult;
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.status === 401, JSON.stringify(r));
    assert.ok(!r.ok && /rejected: HTTP 401/.test(r.message), !r.ok ? r.message : '');
    const notice = await waitFor('a warning', () => fresh().find((n) => n.level === 'warning' && n.text.includes('HTTP 401')));
    assert.ok(!notice.text.includes(wrong), 'the key was echoed');
    assert.ok(!JSON.stringify(s.notices()).includes(wrong));
    // The refused key did not replace the working one: requests still go with GOOD.
    assert.match(notice.text, /the new OpenAI key was refused .*; the previous key is kept\./);
    const chat = s.chat();
    const entry = await chat.ask({ question: 'still there?', model: 'openai/gpt-4o-mini' }, { reveal: false });
    assert.equal(entry?.status, 'done', entry?.error?.message);
    assert.equal(fake.requests.filter((q) => q.method === 'POST').at(-1)?.headers.authorization, `Bearer ${GOOD}`);
    chat.clear();
  });

  it('with no key before, a refused key stays stored (the warning offers to enter it again or remove it)', async () => {
    const s = await services();
    await vscode.commands.executeCommand('switchboard.removeApiKey', 'openai');
    const fresh = noticesFromNow(s);
    const wrong = 'sk-first-wrong-key-1234567';
    const r = (await vscode.commands.executeCommand('switchboard.setApiKey', { provider: 'openai', key: wrong })) as VerifyResult;
    assert.ok(!r.ok && r.status === 401, JSON.stringify(r));
    const notice = await waitFor('a warning', () => fresh().find((n) => n.level === 'warning' && n.text.includes('key saved, but the check failed')));
    assert.ok(!notice.text.includes(wrong));
    assert.ok(s.keyProviders().includes('openai'));
    // Put the good one back for the following tests.
    await vscode.commands.executeCommand('switchboard.setApiKey', { provider: 'openai', key: GOOD, verify: false });
  });

  it('rejects an empty key and keeps the stored one', async () => {
    const s = await services();
    const before = s.keyProviders();
    const r = await vscode.commands.executeCommand('switchboard.setApiKey', { provider: 'openai', key: '   ' });
    assert.equal(r, undefined);
    assert.ok(s.notices().some((n) => n.level === 'error' && /empty/.test(n.text)));
    assert.deepEqual(s.keyProviders(), before);
  });

  it("refuses a key for a provider that is not configured, naming it, and leaves the other providers' keys alone", async () => {
    const s = await services();
    await setSetting('providers', [
      { id: 'openai', baseUrl: fake.baseUrl },
      { id: 'corp', kind: 'openai', baseUrl: fake.baseUrl },
    ]);
    try {
      await vscode.commands.executeCommand('switchboard.setApiKey', { provider: 'corp', key: GOOD, verify: false });
      await waitFor('corp among the providers', () => s.providers().includes('corp'));
      const r = await vscode.commands.executeCommand('switchboard.setApiKey', { provider: 'crop', key: 'sk-typo-provider-key-42', verify: false });
      assert.equal(r, undefined);
      const notice = await waitFor('the error', () => s.notices().find((n) => n.level === 'error' && n.text.includes('"crop"')));
      assert.match(notice.text, /unknown provider "crop"\. Add it to switchboard\.providers first/);
      assert.ok(!s.keyProviders().includes('crop'));
      // corp's key is still the one it was given: the fake provider accepts only GOOD.
      const chat = s.chat();
      const entry = await chat.ask({ question: 'hi', model: 'corp/gpt-4o-mini' }, { reveal: false });
      assert.equal(entry?.status, 'done', entry?.error?.message);
      const sent = fake.requests.filter((q) => q.method === 'POST').at(-1);
      assert.equal(sent?.headers.authorization, `Bearer ${GOOD}`);
      chat.clear();
    } finally {
      await vscode.commands.executeCommand('switchboard.removeApiKey', 'corp');
      await vscode.commands.executeCommand('switchboard.removeApiKey', 'crop');
      await setSetting('providers', [{ id: 'openai', baseUrl: fake.baseUrl }]);
    }
  });

  it('never writes a key into settings or any file of the profile', async () => {
    const all = JSON.stringify(vscode.workspace.getConfiguration('switchboard'));
    assert.ok(!all.includes(GOOD), 'the key is in the switchboard settings');
    // The harness gives the server a throwaway HOME next to its user data and extensions folders.
    const root = dirname(process.env.HOME ?? '/nonexistent');
    const hits = filesContaining(root, GOOD);
    assert.deepEqual(hits, [], `the key was found in ${hits.join(', ')}`);
  });

  it('makes a preset with a stored key usable without listing it in settings', async () => {
    const s = await services();
    await vscode.commands.executeCommand('switchboard.setApiKey', { provider: 'anthropic', key: 'sk-ant-test-000000', verify: false });
    await waitFor('anthropic among the providers', () => s.providers().includes('anthropic'));
    assert.ok(!JSON.stringify(vscode.workspace.getConfiguration('switchboard').get('providers')).includes('anthropic'));
  });

  it('removes a key by the alias it was set with ("gemini" is stored as "google")', async () => {
    const s = await services();
    await vscode.commands.executeCommand('switchboard.setApiKey', { provider: 'gemini', key: 'gm-test-key-000000', verify: false });
    assert.ok(s.keyProviders().includes('google'), s.keyProviders().join(', '));
    const removed = await vscode.commands.executeCommand('switchboard.removeApiKey', 'gemini');
    assert.equal(removed, true);
    assert.ok(!s.keyProviders().includes('google'), s.keyProviders().join(', '));
  });

  it('removes a key from secret storage', async () => {
    const s = await services();
    const removed = await vscode.commands.executeCommand('switchboard.removeApiKey', 'anthropic');
    assert.equal(removed, true);
    assert.ok(!s.keyProviders().includes('anthropic'));
    await waitFor('anthropic gone from the providers', () => !s.providers().includes('anthropic'));
  });

  it('imports keys from the usual environment variables', async () => {
    const s = await services();
    const saved = process.env.ANTHROPIC_API_KEY;
    process.env.ANTHROPIC_API_KEY = ' sk-ant-from-env-1234 ';
    try {
      const imported = (await vscode.commands.executeCommand('switchboard.importKeysFromEnv')) as string[];
      assert.ok(imported.includes('anthropic'), JSON.stringify(imported));
      assert.ok(s.keyProviders().includes('anthropic'));
      assert.ok(s.notices().some((n) => n.text.includes('ANTHROPIC_API_KEY') && !n.text.includes('sk-ant-from-env')));
    } finally {
      if (saved === undefined) delete process.env.ANTHROPIC_API_KEY;
      else process.env.ANTHROPIC_API_KEY = saved;
    }
  });
});
