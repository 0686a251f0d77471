/// <reference types="mocha" />
import * as vscode from 'vscode';
import { startFakeProvider, type FakeServer } from '../fakes/server.ts';
import { closeAllEditors, resetSettings, services, setSetting, waitFor } from './helpers.ts';

const KEY = 'sk-probe-key-123456';
describe('PROBE3', function () {
  this.timeout(90_000);
  let fake: FakeServer;
  before(async () => {
    fake = await startFakeProvider('openai', { apiKey: KEY });
    fake.setDefault({ text: '```js\nx\n```', usage: { input: 10, output: 10 } });
    await setSetting('providers', [{ id: 'openai', baseUrl: fake.baseUrl }]);
    await vscode.commands.executeCommand('switchboard.setApiKey', { provider: 'openai', key: KEY, verify: false });
    await vscode.commands.executeCommand('switchboard.switchModel', 'openai/gpt-4o-mini');
    const s = await services();
    await waitFor('p', () => s.providers().includes('openai'));
  });
  after(async () => {
    await closeAllEditors();
    await vscode.commands.executeCommand('switchboard.removeApiKey', 'openai');
    await resetSettings();
    await fake.close();
  });
  it('huge + untitled', async () => {
    const s = await services();
    const big = 'const x = 1; // lorem ipsum dolor sit amet\n'.repeat(60000);
    const doc = await vscode.workspace.openTextDocument({ content: big, language: 'javascript' });
    const ed = await vscode.window.showTextDocument(doc);
    ed.selection = new vscode.Selection(0, 0, doc.lineCount - 1, 0);
    const n = fake.requests.length;
    const t0 = Date.now();
    const e = (await vscode.commands.executeCommand('switchboard.explainSelection')) as { status: string; error: unknown; text: string };
    console.log('H huge', Date.now() - t0, 'ms', e?.status, JSON.stringify(e?.error), 'requests', fake.requests.length - n, 'bytes', big.length);
    const small = await vscode.workspace.openTextDocument({ content: 'let a = 1;\nlet b = 2;\n', language: 'javascript' });
    const ed2 = await vscode.window.showTextDocument(small);
    ed2.selection = new vscode.Selection(0, 0, 0, 10);
    const e2 = (await vscode.commands.executeCommand('switchboard.explainSelection')) as { status: string };
    console.log('H untitled', e2?.status, JSON.stringify(s.chatState().entries[0]?.contextLabels));
    await vscode.window.showTextDocument(small);
    const r = await vscode.commands.executeCommand('switchboard.replaceSelectionWithAnswer');
    console.log('H untitled replace', r, JSON.stringify(small.getText()));
    await vscode.commands.executeCommand('switchboard.addSelectionToChat');
    ed2.selection = new vscode.Selection(1, 0, 1, 0);
    await vscode.commands.executeCommand('switchboard.addSelectionToChat');
    console.log('H chips', JSON.stringify(s.chat().chipLabels()));
  });
});
