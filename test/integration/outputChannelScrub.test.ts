/// <reference types="mocha" />
// Issue 12 finding 5, the extension's output channel: an upstream whose in-stream error echoes the
// API key (as is, lower-cased and base64) must not get it into the Switchboard log, even with
// verbose logging on. The log is read from the file VS Code writes for the channel.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { startHostile, type HostileServer } from '../fakes/hostile.ts';
import { resetSettings, services, setSetting, waitFor } from './helpers.ts';

const KEY = 'sk-Output-Channel-Key-5e6f7a8b9c0d';
const forms = [KEY, KEY.toLowerCase(), Buffer.from(KEY).toString('base64')];

/** Every file named like the Switchboard output channel's log under the harness's user-data dir. */
function switchboardLogs(): string[] {
  // The harness sets XDG_DATA_HOME=<root>/xdg-data and --user-data-dir <root>/user-data.
  const data = process.env.XDG_DATA_HOME;
  if (!data) return [];
  const roots = [join(dirname(data), 'user-data', 'logs')];
  const out: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > 8) return;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(dir, n);
      let st;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(p, depth + 1);
      else if (/switchboard/i.test(p) && n.endsWith('.log')) out.push(p);
    }
  };
  for (const r of roots) walk(r, 0);
  return out;
}

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
