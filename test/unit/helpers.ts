/** Shared test wiring: a fake provider server plus a client pointed at it. */
import { startFakeProvider } from '../fakes/server.ts';
import type { FakeProtocol, FakeServer } from '../fakes/types.ts';
import { createClient, type ClientOptions, type SwitchboardClient } from '../../src/core/client.ts';
import type { ConfigInput } from '../../src/core/config.ts';
import type { Clock } from '../../src/core/clock.ts';
import type { ModelInfo } from '../../src/core/catalog/catalog.ts';
import type { KeyValueStore } from '../../src/host/common/memento.ts';

export const PROVIDER_OF: Record<FakeProtocol, { id: string; model: string; env: string }> = {
  openai: { id: 'openai', model: 'openai/gpt-4o-mini', env: 'OPENAI_API_KEY' },
  openrouter: { id: 'openrouter', model: 'anthropic/claude-3-opus', env: 'OPENROUTER_API_KEY' },
  anthropic: { id: 'anthropic', model: 'anthropic/claude-sonnet-4', env: 'ANTHROPIC_API_KEY' },
  gemini: { id: 'google', model: 'google/gemini-2.5-flash', env: 'GEMINI_API_KEY' },
};

export const PROTOCOLS: FakeProtocol[] = ['openai', 'openrouter', 'anthropic', 'gemini'];
export const KEY = 'sk-test-abcdef123456';

export async function setup(
  protocol: FakeProtocol,
  config: Partial<ConfigInput> = {},
  options: ClientOptions = {},
): Promise<{ fake: FakeServer; client: SwitchboardClient; model: string; close(): Promise<void> }> {
  const fake = await startFakeProvider(protocol, { apiKey: KEY });
  const p = PROVIDER_OF[protocol];
  const client = createClient(
    { retries: { maxRetries: 0 }, ...config, providers: [{ id: p.id, baseUrl: fake.baseUrl }, ...(config.providers ?? [])] },
    { env: { [p.env]: KEY }, ...options },
  );
  return {
    fake,
    client,
    model: p.model,
    async close() {
      await client.close();
      await fake.close();
    },
  };
}

/** A clock that only moves when told to; sleeps and timeouts fire as time passes. */
export class ManualClock implements Clock {
  t = Date.parse('2026-11-24T12:00:00Z');
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private seq = 0;
  readonly sleeps: number[] = [];
  now(): number {
    return this.t;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const cancel = this.timeout(ms, resolve);
      signal?.addEventListener(
        'abort',
        () => {
          cancel();
          reject(signal.reason);
        },
        { once: true },
      );
      // Sleeping in tests is instant: advance to the wake-up time.
      queueMicrotask(() => this.advance(ms));
    });
  }
  timeout(ms: number, fn: () => void): () => void {
    const id = ++this.seq;
    this.timers.push({ at: this.t + ms, fn, id });
    return () => {
      this.timers = this.timers.filter((x) => x.id !== id);
    };
  }
  advance(ms: number): void {
    this.t += ms;
    const due = this.timers.filter((x) => x.at <= this.t);
    this.timers = this.timers.filter((x) => x.at > this.t);
    for (const d of due) d.fn();
  }
}

export async function waitFor(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A catalog entry for `provider/model`, priced and available, as the pickers and host views get them. */
export function catalogModel(id: string, extra: Partial<ModelInfo> = {}): ModelInfo {
  const [providerId, name] = [id.slice(0, id.indexOf('/')), id.slice(id.indexOf('/') + 1)];
  return {
    id,
    providerId,
    model: name,
    name,
    contextLength: 128_000,
    maxOutput: null,
    price: { input: 1, output: 2 },
    priceSource: 'database',
    source: 'snapshot',
    available: true,
    via: 'direct',
    ...extra,
  };
}

/** A Memento (globalState / workspaceState) in memory, as the host's stores take it. */
export class MapStore implements KeyValueStore {
  readonly values = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.values.get(key) as T | undefined;
  }
  async update(key: string, value: unknown): Promise<void> {
    this.values.set(key, value);
  }
}
