/// <reference types="mocha" />
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { COMMAND_IDS } from '../../src/host/common/commandIds.ts';
import { api, closeAllEditors, EXTENSION_ID } from './helpers.ts';

interface Manifest {
  activationEvents: string[];
  contributes: {
    commands: { command: string; title: string; category?: string; icon?: string }[];
    menus: Record<string, { command?: string; submenu?: string; when?: string }[]>;
    submenus: { id: string; label: string }[];
    keybindings: { command: string; key: string; mac?: string; when?: string }[];
    configuration: { properties: Record<string, { markdownDescription?: string; description?: string }> };
    views: Record<string, { id: string; type?: string }[]>;
    walkthroughs: { steps: { id: string }[] }[];
    languageModelChatProviders: { vendor: string }[];
  };
}

function manifest(): Manifest {
  return vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as Manifest;
}

/** Strips // and /* *\/ comments (outside strings) and trailing commas from JSONC. */
function parseJsonc(text: string): unknown {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      out += text.slice(start, i + 1);
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      i = text.indexOf('*/', i + 2) + 1;
    } else out += c;
  }
  return JSON.parse(out.replace(/,(\s*[}\]])/g, '$1'));
}

/** "Ctrl+Alt+Shift+C" and "shift+ctrl+alt+c" → the same string. */
function normalizeKey(key: string): string {
  return key
    .toLowerCase()
    .split(' ')
    .map((chord) => chord.split('+').sort().join('+'))
    .join(' ');
}

describe('Contributions', () => {
  it('registers every contributed command, and package.json lists every registered one', async () => {
    await api();
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed = manifest().contributes.commands.map((c) => c.command);
    for (const id of contributed) assert.ok(registered.has(id), `${id} is contributed but not registered`);
    assert.deepEqual([...contributed].sort(), [...COMMAND_IDS].sort());
  });

  it('has the commands the issue asks for, each in the Switchboard category', () => {
    const titles = new Map(manifest().contributes.commands.map((c) => [c.title, c]));
    for (const t of [
      'Switch Model',
      'Set API Key',
      'Remove API Key',
      'Open Chat',
      'New Chat',
      'Compare Models…',
      'Ask About Selection…',
      'Compare Models on Selection',
      'Explain Selection',
      'Review Selection',
      'Refresh Model Catalog',
      'Show Usage and Costs',
      'Open Settings',
    ]) {
      assert.ok(titles.has(t), `missing command "${t}"`);
    }
    for (const c of manifest().contributes.commands) assert.equal(c.category, 'Switchboard', c.command);
  });

  it('gives every command shown in a toolbar an icon', () => {
    const m = manifest().contributes;
    const icons = new Map(m.commands.map((c) => [c.command, c.icon]));
    for (const menu of ['view/title', 'editor/title']) {
      for (const item of m.menus[menu] ?? []) if (item.command) assert.match(icons.get(item.command) ?? '', /^\$\([a-z-]+\)$/, `${item.command} in ${menu}`);
    }
  });

  it('has a Switchboard editor submenu shown with a selection, with the selection actions and Add Selection to Chat', () => {
    const m = manifest().contributes;
    const entry = m.menus['editor/context']?.find((i) => i.submenu === 'switchboard.editorContext');
    assert.ok(entry);
    assert.equal(entry.when, 'editorHasSelection');
    assert.equal(m.submenus.find((s) => s.id === 'switchboard.editorContext')?.label, 'Switchboard');
    assert.deepEqual((m.menus['switchboard.editorContext'] ?? []).map((i) => i.command).sort(), [
      'switchboard.addSelectionToChat',
      'switchboard.askAboutSelection',
      'switchboard.compareSelection',
      'switchboard.explainSelection',
      'switchboard.reviewSelection',
    ]);
  });

  it('menus only reference contributed commands', () => {
    const m = manifest().contributes;
    const ids = new Set(m.commands.map((c) => c.command));
    const submenus = new Set(m.submenus.map((s) => s.id));
    for (const [menu, items] of Object.entries(m.menus)) {
      for (const i of items) assert.ok((i.command && ids.has(i.command)) || (i.submenu && submenus.has(i.submenu)), `${menu}: ${JSON.stringify(i)}`);
    }
  });

  it("keybindings do not clash with VS Code's default keybindings", async () => {
    // The workbench may refuse while another editor opens at the same moment: try again.
    for (let attempt = 1; ; attempt++) {
      try {
        await vscode.commands.executeCommand('workbench.action.openDefaultKeybindingsFile');
        break;
      } catch (e) {
        if (attempt >= 3) throw e;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    const doc = await waitForDoc((d) => d.uri.scheme === 'vscode' && d.uri.path.includes('keybindings'));
    const defaults = parseJsonc(doc.getText()) as { key: string; command: string }[];
    assert.ok(defaults.length > 500, `only ${defaults.length} default keybindings read`);
    const taken = new Map<string, string>();
    for (const d of defaults) if (!d.command.startsWith('-') && !d.command.startsWith('switchboard.')) taken.set(normalizeKey(d.key), d.command);
    const ours = manifest().contributes.keybindings;
    assert.ok(ours.some((k) => k.command === 'switchboard.openChat'));
    assert.ok(ours.some((k) => k.command === 'switchboard.askAboutSelection'));
    for (const k of ours) {
      const clash = taken.get(normalizeKey(k.key));
      assert.equal(clash, undefined, `${k.key} (${k.command}) is VS Code's default for ${clash}`);
      // The chord's first key must not be a default either (it would swallow the chord).
      const first = normalizeKey(k.key.split(' ')[0]!);
      if (k.key.includes(' ')) assert.equal(taken.get(first), undefined, `${first} starts ${k.command}'s chord`);
    }
    await closeAllEditors();
  });

  it('describes every setting in markdown, and none of them holds a secret', () => {
    const props = manifest().contributes.configuration.properties;
    const keys = Object.keys(props);
    for (const k of [
      'switchboard.providers',
      'switchboard.defaultModel',
      'switchboard.routes',
      'switchboard.budget',
      'switchboard.timeouts',
      'switchboard.catalog.refreshHours',
    ])
      assert.ok(keys.includes(k), `missing setting ${k}`);
    for (const [k, p] of Object.entries(props)) {
      assert.ok(p.markdownDescription, `${k} has no markdownDescription`);
      assert.doesNotMatch(k, /apikey$|secret|token$|password/i, `${k} looks like a secret`);
    }
  });

  it('declares the chat view, the walkthrough, the language model vendor and a lean activation', () => {
    const m = manifest();
    assert.deepEqual(m.activationEvents, ['onStartupFinished', 'onWebviewPanel:switchboard.compare', 'onWebviewPanel:switchboard.eval']);
    assert.equal(m.contributes.views.switchboard?.[0]?.id, 'switchboard.chat');
    assert.equal(m.contributes.views.switchboard?.[0]?.type, 'webview');
    assert.deepEqual(
      m.contributes.walkthroughs[0]?.steps.map((s) => s.id),
      ['addKey', 'pickModel', 'askSelection', 'compare'],
    );
    assert.equal(m.contributes.languageModelChatProviders[0]?.vendor, 'switchboard');
  });

  it('activates fast and registers with the language model API where it exists', async () => {
    const a = await api();
    assert.ok(a.activationMs < 100, `activate() took ${a.activationMs} ms`);
    assert.equal(a.languageModelsRegistered, typeof vscode.lm?.registerLanguageModelChatProvider === 'function');
  });
});

async function waitForDoc(match: (d: vscode.TextDocument) => boolean): Promise<vscode.TextDocument> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const d = vscode.window.activeTextEditor?.document;
    if (d && match(d)) return d;
    const any = vscode.workspace.textDocuments.find(match);
    if (any) return any;
    if (Date.now() > deadline) throw new Error(`document not opened; active: ${vscode.window.activeTextEditor?.document.uri.toString()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
