/// <reference types="mocha" />
// Issue 12 finding 5, the extension's output channel: an upstream whose in-stream error echoes the
// API key (as is, lower-cased and base64) must not get it into the Switchboard log, even with
// verbose logging on. The log is read from the file VS Code writes for the channel.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { startHostile, type HostileServer } from '../fakes/hostile.ts';
import { resetSettings, services, setSetting, switchboardLogs, waitFor } from './helpers.ts';

const KEY = 'sk-Output-Channel-Key-5e6f7a8b9c0d';
const forms = [KEY, KEY.toLowerCase(), Buffer.from(KEY).toString('base64')];

describe('Output channel: keys echoed by the upstream', () => {
  let h: HostileServer;

  before(async () => {
    h = await startHostile({ kind: 'stream-error', message: `invalid key ${forms.join(' ')}` });
    await setSetting('providers', [{ id: 'openai', baseUrl: h.baseUrl }]);
    await setSetting('retries', { maxRetries: 0 });
    await setSetting('verboseLogging', true);
    await vscode.commands.executeCommand('switchboard.setApiKey', { provider: 'openai', key: KEY, verify: false });
    await vscode.commands.executeCommand('switchboard.switchModel', 'openai/gpt-4o-mini');
    const s = await services();
    await waitFor('the hostile provider in use', () => s.providers().includes('openai'));
  });

  after(async () => {
    (await services()).chat().clear();
    await vscode.commands.executeCommand('switchboard.removeApiKey', 'openai');
    await resetSettings();
    await h.close();
  });

  it('logs the failed request with the key scrubbed from every form', async () => {
    const chat = (await services()).chat();
    const entry = await chat.ask({ question: 'hello?' }, { reveal: false });
    assert.ok(entry?.error, 'the answer ends with the upstream error');
    for (const f of forms) assert.ok(!JSON.stringify(entry).includes(f), 'the chat entry carries the key');
    const text = await waitFor('the failed request in the Switchboard log', () => {
      const all = switchboardLogs()
        .map((p) => readFileSync(p, 'utf8'))
        .join('\n');
      return /failed: server: invalid key/.test(all) ? all : null;
    });
    assert.match(text, /invalid key \[redacted\]/);
    for (const f of forms) assert.ok(!text.toLowerCase().includes(f.toLowerCase()), `the log holds the key (form ${forms.indexOf(f)})`);
  });
});
