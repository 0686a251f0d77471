/**
 * API keys, per provider, in VS Code's SecretStorage only (`switchboard.<provider>.apiKey`).
 * Loaded into memory at activation and kept in step with `secrets.onDidChange` (another window
 * may change them), so the client can read them synchronously. Never written anywhere else.
 */
import * as vscode from 'vscode';
import { registerSecret } from '../core/index.ts';

const PATTERN = /^switchboard\.(.+)\.apiKey$/;

export function secretName(providerId: string): string {
  return `switchboard.${providerId}.apiKey`;
}

export class KeyStore implements vscode.Disposable {
  private readonly cache = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<string>();
  private readonly sub: vscode.Disposable;
  /** Fires with the provider id whose key was stored, replaced or removed. */
  readonly onDidChange = this.changed.event;

  private readonly secrets: vscode.SecretStorage;

  constructor(secrets: vscode.SecretStorage) {
    this.secrets = secrets;
    this.sub = secrets.onDidChange(async (e) => {
      const m = PATTERN.exec(e.key);
      if (!m) return;
      const id = m[1]!;
      const value = (await this.secrets.get(e.key))?.trim();
      if (value) this.remember(id, value);
      else this.cache.delete(id);
      this.changed.fire(id);
    });
  }

  /** Read every stored key into memory. */
  async load(): Promise<void> {
    const names = (await this.secrets.keys()).filter((k) => PATTERN.test(k));
    const values = await Promise.all(names.map(async (k) => [PATTERN.exec(k)![1]!, (await this.secrets.get(k))?.trim()] as const));
    this.cache.clear();
    for (const [id, v] of values) if (v) this.remember(id, v);
  }

  /** Cache a key and tell the scrubber about it: from now on no log line or error shows it. */
  private remember(id: string, value: string): void {
    registerSecret(value);
    this.cache.set(id, value);
  }

  get(providerId: string): string | undefined {
    return this.cache.get(providerId);
  }

  has(providerId: string): boolean {
    return this.cache.has(providerId);
  }

  /** Provider ids with a stored key. */
  ids(): string[] {
    return [...this.cache.keys()].sort();
  }

  /** Store a key (trimmed). Rejects an empty one. */
  async set(providerId: string, key: string): Promise<void> {
    const value = key.trim();
    if (!value) throw new Error('the key is empty');
    if (/\s/.test(value)) throw new Error('the key contains spaces or line breaks; paste only the key');
    registerSecret(value);
    await this.secrets.store(secretName(providerId), value);
    this.cache.set(providerId, value);
    this.changed.fire(providerId);
  }

  async delete(providerId: string): Promise<void> {
    await this.secrets.delete(secretName(providerId));
    this.cache.delete(providerId);
    this.changed.fire(providerId);
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }
}
