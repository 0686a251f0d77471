/// <reference types="mocha" />
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { PickEntry } from '../../src/host/common/modelItems.ts';
import { startFakeProvider, type FakeServer } from '../fakes/server.ts';
import { resetSettings, services, setSetting, waitFor } from './helpers.ts';

type ModelEntry = Extract<PickEntry, { kind: 'model' }>;
const models = (items: PickEntry[]): ModelEntry[] => items.filter((i): i is ModelEntry => i.kind === 'model');

describe('Model switcher', () => {
  let fake: FakeServer;

  before(async () => {
    fake = await startFakeProvider('openai', { apiKey: 'sk-switcher' });
    await setSetting('providers', [{ id: 'openai', baseUrl: fake.baseUrl }]);
    await setSetting('routes', [{ id: 'fast', models: ['openai/gpt-4o-mini', 'openai/gpt-4o'] }]);
    await vscode.commands.executeCommand('switchboard.setApiKey', { provider: 'openai', key: 'sk-switcher', verify: false });
    const s = await services();
    await waitFor('the route', () => s.modelPickItems().some((i) => i.kind === 'model' && i.id === 'route/fast'));
  });

  after(async () => {
    await vscode.commands.executeCommand('switchboard.removeApiKey', 'openai');
    await resetSettings();
    await fake.close();
  });

  it('lists available models grouped by provider with context length and prices per 1M', async () => {
    const items = (await services()).modelPickItems();
    const mini = models(items).find((m) => m.id === 'openai/gpt-4o-mini');
    assert.ok(mini, JSON.stringify(items.slice(0, 10)));
    assert.match(mini.detail, /128K context/);
    assert.match(mini.detail, /\$0\.15 in \/ \$0\.60 out per 1M/);
    const sep = items.findIndex((i) => i.kind === 'separator' && i.label === 'OpenAI');
    assert.ok(sep >= 0, 'no OpenAI group');
    const next = items.findIndex((i, n) => n > sep && i.kind === 'separator');
    const group = models(items.slice(sep + 1, next < 0 ? undefined : next));
    assert.ok(group.length >= 2, JSON.stringify(group));
    assert.ok(
      group.every((m) => m.id.startsWith('openai/') && / context · /.test(m.detail)),
      JSON.stringify(group),
    );
    // Only providers that are configured (or have a key): no Anthropic group without a key.
    assert.ok(!items.some((i) => i.kind === 'separator' && i.label === 'Anthropic'));
  });

  it('includes routes with their chain', async () => {
    const route = models((await services()).modelPickItems()).find((m) => m.id === 'route/fast');
    assert.ok(route);
    assert.equal(route.route, true);
    assert.equal(route.detail, 'openai/gpt-4o-mini → openai/gpt-4o');
  });

  it('puts recently used models first, most recent first, and marks the current one', async () => {
    const s = await services();
    await vscode.commands.executeCommand('switchboard.switchModel', 'openai/gpt-4o');
    await vscode.commands.executeCommand('switchboard.switchModel', 'route/fast');
    await vscode.commands.executeCommand('switchboard.switchModel', 'openai/gpt-4o-mini');
    const items = s.modelPickItems();
    assert.deepEqual(items[0], { kind: 'separator', label: 'Recently used' });
    assert.deepEqual(
      models(items)
        .slice(0, 3)
        .map((m) => m.id),
      ['openai/gpt-4o-mini', 'route/fast', 'openai/gpt-4o'],
    );
    assert.ok(
      models(items)
        .slice(0, 3)
        .every((m) => m.recent),
    );
    assert.deepEqual(
      models(items)
        .filter((m) => m.current)
        .map((m) => m.id),
      ['openai/gpt-4o-mini'],
    );
    // A recent model is not listed twice.
    assert.equal(models(items).filter((m) => m.id === 'openai/gpt-4o-mini').length, 1);
    assert.equal(s.currentModel(), 'openai/gpt-4o-mini');
  });

  it('offers the same models and routes to VS Code chat', async () => {
    const infos = (await services()).languageModels();
    assert.ok(infos.some((i) => i.id === 'route/fast'));
    const mini = infos.find((i) => i.id === 'openai/gpt-4o-mini');
    assert.ok(mini);
    assert.ok(mini.maxInputTokens > 100_000 && mini.maxInputTokens < 128_000, String(mini.maxInputTokens));
    assert.match(mini.detail ?? '', /\$0\.15 in/);
  });

  it('uses a new switchboard.defaultModel setting as the current model', async () => {
    const s = await services();
    await setSetting('defaultModel', 'openai/o3-mini');
    await waitFor('the new default', () => s.currentModel() === 'openai/o3-mini');
    await setSetting('defaultModel', undefined);
  });
});
