/** Shared wiring for the gateway tests: fake providers → client → gateway → raw HTTP helpers. */
import http from 'node:http';
import net from 'node:net';
import { startFakeProvider } from '../fakes/server.ts';
import type { FakeServer } from '../fakes/types.ts';
import { createClient, type ClientOptions, type SwitchboardClient } from '../../src/core/client.ts';
import type { ConfigInput } from '../../src/core/config.ts';
import { createLanguageModel } from '../../src/core/providers/index.ts';
import { MemoryUsageStore } from '../../src/core/router/ledger.ts';
import { startGateway, type Gateway, type GatewayOptions } from '../../src/gateway/server.ts';

export const KEY = 'sk-test-abcdef1234567890';
export const BACKUP_KEY = 'sk-backup-0987654321fedcba';
export const TOKEN = 'gw-test-token-0123456789abcdef';
export const TEXT = 'The quick brown fox jumps over the lazy dog, and then it naps in the warm sun.';

export interface World {
  openai: FakeServer;
  anthropic: FakeServer;
  backup: FakeServer;
  fakes: FakeServer[];
  client: SwitchboardClient;
  gateway: Gateway;
  ledger: MemoryUsageStore;
  /** The abort signal of every upstream model call, in order. */
  signals: AbortSignal[];
  logs: string[];
  /** Requests that reached any provider. */
  upstreamRequests(): number;
  close(): Promise<void>;
}

/**
 * Providers: `openai` (fake OpenAI), `anthropic` (fake Anthropic), `backup` (a second
 * OpenAI-protocol fake serving `backup/m`); route `route/fast` = openai/gpt-4o-mini → backup/m.
 */
export async function startWorld(opts: { config?: Partial<ConfigInput>; gateway?: Partial<GatewayOptions>; client?: ClientOptions } = {}): Promise<World> {
  const openai = await startFakeProvider('openai', { apiKey: KEY });
  const anthropic = await startFakeProvider('anthropic', { apiKey: KEY });
  const backup = await startFakeProvider('openai', { apiKey: BACKUP_KEY, models: [{ id: 'm' }] });
  for (const f of [openai, anthropic, backup]) f.setDefault({ text: TEXT });
  const signals: AbortSignal[] = [];
  const ledger = new MemoryUsageStore();
  const client = createClient(
    {
      retries: { maxRetries: 0 },
      routes: [{ id: 'fast', models: ['openai/gpt-4o-mini', 'backup/m'] }],
      ...opts.config,
      providers: [
        { id: 'openai', baseUrl: openai.baseUrl },
        { id: 'anthropic', baseUrl: anthropic.baseUrl },
        { id: 'backup', kind: 'openai', baseUrl: backup.baseUrl, apiKeyEnv: 'BACKUP_KEY', models: ['m'] },
      ],
    },
    {
      env: { OPENAI_API_KEY: KEY, ANTHROPIC_API_KEY: KEY, BACKUP_KEY },
      ledger,
      frontEnd: 'library',
      cooldown: { threshold: 1000 },
      createModel: (p, wire, ctx) => {
        const lm = createLanguageModel(p, wire, ctx);
        return {
          providerId: lm.providerId,
          modelId: lm.modelId,
          stream(r) {
            if (r.signal) signals.push(r.signal);
            return lm.stream(r);
          },
        };
      },
      ...opts.client,
    },
  );
  const logs: string[] = [];
  const fakes = [openai, anthropic, backup];
  const gateway = await startGateway({ client, token: TOKEN, secrets: [KEY, BACKUP_KEY], log: (l) => logs.push(l), ...opts.gateway }).catch(
    async (e: unknown) => {
      await client.close();
      await Promise.all(fakes.map((f) => f.close()));
      throw e;
    },
  );
  return {
    openai,
    anthropic,
    backup,
    fakes,
    client,
    gateway,
    ledger,
    signals,
    logs,
    upstreamRequests: () => fakes.reduce((n, f) => n + f.requests.length, 0),
    async close() {
      await gateway.close();
      await client.close();
      await Promise.all(fakes.map((f) => f.close()));
    },
  };
}

export interface RawResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  error?: string;
}

/** One request on its own socket, any headers allowed (Host, Origin…). */
export function raw(port: number, opts: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<RawResult> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let res: http.IncomingMessage | undefined;
    let done = false;
    const finish = (error?: string): void => {
      if (done) return;
      done = true;
      resolve({ status: res?.statusCode ?? 0, headers: res?.headers ?? {}, body: Buffer.concat(parts).toString('utf8'), ...(error ? { error } : {}) });
    };
    const req = http.request(
      { host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path ?? '/health', agent: false, headers: opts.headers ?? {} },
      (r) => {
        res = r;
        r.on('data', (c: Buffer) => parts.push(c));
        r.on('end', () => finish());
        r.on('error', (e) => finish(e.message));
      },
    );
    req.on('error', (e) => finish(e.message));
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

/** A raw TCP conversation: write `chunks` with `gapMs` between them, collect what comes back until the server closes. */
export function rawSocket(port: number, chunks: string[], gapMs: number, maxMs = 10_000): Promise<{ text: string; ms: number }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const s = net.connect(port, '127.0.0.1');
    let text = '';
    let i = 0;
    let timer: NodeJS.Timeout | undefined;
    const next = (): void => {
      if (i >= chunks.length || s.destroyed) return;
      s.write(chunks[i++]!);
      timer = setTimeout(next, gapMs);
    };
    const end = (): void => {
      clearTimeout(timer);
      clearTimeout(cap);
      s.destroy();
      resolve({ text, ms: Date.now() - t0 });
    };
    const cap = setTimeout(end, maxMs);
    s.on('connect', next);
    s.on('data', (d) => (text += d.toString('utf8')));
    s.on('close', end);
    s.on('error', () => undefined);
  });
}

export const auth = { authorization: `Bearer ${TOKEN}` };

export async function waitFor(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
