/// <reference types="mocha" />
import assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'switchboard.switchboard';

describe('Switchboard activation', () => {
  it('is installed under its id', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} not found; have: ${vscode.extensions.all.map((e) => e.id).join(', ')}`);
    assert.equal(ext.packageJSON.name, 'switchboard');
    assert.equal(ext.packageJSON.publisher, 'switchboard');
  });

  it('activates and stays active', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    await ext.activate();
    assert.equal(ext.isActive, true);
  });

  it('runs in the Node extension host', () => {
    // Both harnesses (code-server and desktop VS Code) run the extension in a Node 24 extension host;
    // under code-server the UI is the web one and a remote authority is set.
    assert.ok(Number(process.versions.node.split('.')[0]) >= 22, `node ${process.versions.node}`);
    assert.ok([vscode.UIKind.Web, vscode.UIKind.Desktop].includes(vscode.env.uiKind));
  });
});
