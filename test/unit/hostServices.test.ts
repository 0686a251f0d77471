// The extension's services (src/host/services/) in plain Node: each owns one thing and announces
// its changes; no VS Code needed (the features see them through featureHost.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KeyValueStore } from '../../src/host/common/memento.ts';
import { ClientService } from '../../src/host/services/clients.ts';
import { Emitter, type Log } from '../../src/host/services/events.ts';
import { ModelChoice } from '../../src/host/services/modelChoice.ts';
import { FirstRunFlags, Notifier } from '../../src/host/services/notifier.ts';
import { validateSettings } from '../../src/host/common/settingsModel.ts';
import { startFakeProvider } from '../fakes/server.ts';
import { KEY } from './helpers.ts';

class MapStore implements KeyValueStore {
  readonly values = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.values.get(key) as T | undefined;
  }
  async update(key: string, value: unknown): Promise<void> {
    this.values.set(key, value);
  }
}

function memoryLog(): Log & { lines: string[] } {
  const lines: string[] = [];
  const add = (level: string) => (m: string) => void lines.push(`${level} ${m}`);
  return { lines, info: add('info'), warn: add('warn'), error: add('error'), debug: add('debug') };
}

describe('Emitter', () => {
  it('calls every listener even when one throws, then rethrows; a disposed listener is not called', () => {
    const e = new Emitter<number>();
    const seen: number[] = [];
    e.event(() => {
      throw new Error('first listener');
    });
    const sub = e.event((n) => seen.push(n));
    assert.throws(() => e.fire(1), /first listener/);
    assert.deepEqual(seen, [1]);
    sub.dispose();
    assert.throws(() => e.fire(2));
    assert.deepEqual(seen, [1]);
  });
});

describe('ModelChoice', () => {
  it('persists the choice and the recents, announces changes, and falls back to the default', async () => {
    const store = new MapStore();
    let fallback: string | null = 'anthropic/claude-haiku';
    const choice = new ModelChoice(store, memoryLog(), () => fallback);
    const changes: (string | null)[] = [];
    choice.onDidChange((id) => changes.push(id));
    assert.equal(choice.current(), 'anthropic/claude-haiku');
    await choice.set('openai/gpt-4o');
    await choice.markUsed('google/gemini-2.5-flash');
    assert.equal(choice.current(), 'openai/gpt-4o');
    assert.deepEqual(choice.recentModels(), ['google/gemini-2.5-flash', 'openai/gpt-4o']);
    assert.deepEqual(changes, ['openai/gpt-4o']);
    // A new session reads what was saved.
    fallback = null;
    const again = new ModelChoice(store, memoryLog(), () => fallback);
    assert.equal(again.current(), 'openai/gpt-4o');
    assert.deepEqual(again.recentModels(), ['google/gemini-2.5-flash', 'openai/gpt-4o']);
    await again.adoptDefault('route/fast');
    assert.equal(again.current(), 'route/fast');
    assert.deepEqual(again.recentModels(), ['google/gemini-2.5-flash', 'openai/gpt-4o'], 'a default from the settings is not a use');
  });
});

describe('Notifier and FirstRunFlags', () => {
  it('records what was shown, passes the buttons on, and returns the pick', async () => {
    const shown: string[][] = [];
    const n = new Notifier(async (level, text, actions) => (shown.push([level, text, ...actions]), actions[0]), { warn: () => assert.fail('nothing failed') });
    assert.equal(await n.notify('warning', 'careful', 'Open Settings'), 'Open Settings');
    assert.deepEqual(n.notices(), [{ level: 'warning', text: 'careful' }]);
    assert.deepEqual(shown, [['warning', 'careful', 'Open Settings']]);
    const flags = new FirstRunFlags(new MapStore());
    assert.equal(flags.get('envImportOffered'), false);
    await flags.set('envImportOffered', true);
    assert.equal(flags.get('envImportOffered'), true);
  });

  it('tell(): a message nobody waits for is recorded, and a failure to show it is logged, not an unhandled rejection', async () => {
    const warned: string[] = [];
    let logged!: () => void;
    const loggedOnce = new Promise<void>((resolve) => (logged = resolve));
    const n = new Notifier(() => Promise.reject(new Error('window closed')), {
      warn: (m) => {
        warned.push(m);
        logged();
      },
    });
    n.tell('info', 'gateway stopped');
    assert.deepEqual(n.notices(), [{ level: 'info', text: 'gateway stopped' }]);
    await loggedOnce;
    assert.deepEqual(warned, ['Showing a notification failed: window closed']);
  });
});

describe('ClientService', () => {
  it('builds the client once, rebuilds after a change and announces it; keys come from the key source', () => {
    const keys = new Map<string, string>([['openai', 'sk-test-1']]);
    let defaultModel = 'openai/gpt-4o-mini';
    const svc = new ClientService({
      keys: { get: (id) => keys.get(id), ids: () => [...keys.keys()] },
      readSettings: () => ({ settings: validateSettings({ defaultModel }), verbose: false }),
      log: memoryLog(),
      ledger: { append: async () => undefined, readAll: async () => [] } as never,
      catalogCacheFile: null,
      priceDataCacheFile: null,
    });
    const created: unknown[] = [];
    let changed = 0;
    svc.onDidCreateClient((c) => created.push(c));
    svc.onDidChangeClient(() => changed++);
    const a = svc.client();
    assert.equal(svc.client(), a);
    assert.deepEqual(created, [a]);
    assert.ok(
      a.providers.some((p) => p.id === 'openai'),
      'a preset with a stored key is used',
    );
    assert.equal(svc.keyFor(a.providers.find((p) => p.id === 'openai')!), 'sk-test-1');
    defaultModel = 'route/x';
    assert.equal(svc.reloadSettings().config.defaultModel, 'openai/gpt-4o-mini');
    svc.rebuild();
    assert.equal(changed, 1);
    assert.equal(svc.isCurrent(a), false);
    const b = svc.client();
    assert.notEqual(b, a);
    assert.equal(svc.settings.config.defaultModel, 'route/x');
    svc.dispose();
  });

  it('a rebuilt client keeps the connection pool: what the old client still runs works; a new connect timeout gets a new pool', async () => {
    const fake = await startFakeProvider('openai', { apiKey: KEY });
    let timeouts: { connectMs?: number } = {};
    const svc = new ClientService({
      keys: { get: (id) => (id === 'openai' ? KEY : undefined), ids: () => ['openai'] },
      readSettings: () => ({
        settings: validateSettings({ providers: [{ id: 'openai', baseUrl: fake.baseUrl }], retries: { maxRetries: 0 }, timeouts }),
        verbose: false,
      }),
      log: memoryLog(),
      ledger: { append: async () => undefined, readAll: async () => [] } as never,
      catalogCacheFile: null,
      priceDataCacheFile: null,
    });
    try {
      const ask = async (c: ReturnType<ClientService['client']>, text: string): Promise<void> => {
        fake.enqueue({ text });
        const r = await c.complete({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
        assert.equal(r.error, null, r.error?.message);
        assert.equal(r.text, text);
      };
      const a = svc.client();
      await ask(a, 'first');
      // A key or a setting changed: a comparison or a test-set run that started on `a` asks again (a retry,
      // its next cell). Its pool used to close with it ("The client is destroyed").
      svc.rebuild();
      const b = svc.client();
      assert.notEqual(b, a);
      await ask(a, 'the old client still answers');
      await ask(b, 'the new one too');
      // A different connect timeout needs a new pool; the old one lets what is in flight finish, then closes.
      timeouts = { connectMs: 2_000 };
      svc.reloadSettings();
      svc.rebuild();
      await ask(svc.client(), 'through a new pool');
    } finally {
      svc.dispose();
      await fake.close();
    }
  });
});
