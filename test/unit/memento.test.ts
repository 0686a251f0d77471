// CachedMemento: a read right after a write sees that write, even when the underlying store still
// answers with an older value (as VS Code's Memento can for a moment in the extension host).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CachedMemento, type KeyValueStore } from '../../src/host/common/memento.ts';

/** A store whose reads lag its writes: it answers with the value it had before the last update. */
class LaggingStore implements KeyValueStore {
  readonly values = new Map<string, unknown>();
  private readonly stale = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return (this.stale.has(key) ? this.stale.get(key) : this.values.get(key)) as T | undefined;
  }
  async update(key: string, value: unknown): Promise<void> {
    this.stale.set(key, this.values.get(key));
    this.values.set(key, value);
  }
}

describe('CachedMemento', () => {
  it('serves what this session wrote, and the store for everything else', async () => {
    const store = new LaggingStore();
    store.values.set('old', { wins: 1 });
    const cached = new CachedMemento(store);
    await cached.update('board', { a: 1 });
    assert.equal(store.get('board'), undefined, 'the lagging store itself still answers with the old value');
    assert.deepEqual(cached.get('board'), { a: 1 });
    await cached.update('board', { a: 2 });
    assert.deepEqual(cached.get('board'), { a: 2 });
    assert.deepEqual(store.values.get('board'), { a: 2 }, 'written through');
    assert.deepEqual(cached.get('old'), { wins: 1 });
    await cached.update('board', undefined);
    assert.equal(cached.get('board'), undefined, 'a removed key stays removed');
  });
});
