/**
 * A write-through cache over a VS Code Memento (globalState / workspaceState). In the extension
 * host a read right after `update()` can briefly see an older value (an earlier write's echo from
 * the storage service wins for a moment), which breaks read-modify-write code such as the chat's
 * conversation index or the comparison scoreboard. Values written in this session are served from
 * memory; everything else is read from the Memento. No `vscode` import: tests pass a Map-like store.
 */

/** The part of vscode.Memento these stores need. */
export interface KeyValueStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void> | Promise<void>;
}

export class CachedMemento implements KeyValueStore {
  private readonly store: KeyValueStore;
  private readonly written = new Map<string, unknown>();

  constructor(store: KeyValueStore) {
    this.store = store;
  }

  get<T>(key: string): T | undefined {
    return (this.written.has(key) ? this.written.get(key) : this.store.get<T>(key)) as T | undefined;
  }

  update(key: string, value: unknown): Thenable<void> | Promise<void> {
    this.written.set(key, value);
    return this.store.update(key, value);
  }
}
