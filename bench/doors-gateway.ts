/**
 * The gateway side of the doors benches: a Switchboard client whose providers point at the bench
 * upstreams (openai: Chat Completions for gpt-4o-mini, Responses for gpt-5-codex; anthropic), the
 * gateway over it, and a plain HTTP proxy (body in, bytes out, nothing parsed) for scale: what one
 * extra HTTP hop costs by itself. Runs in the bench's process or, started with fork(), in its own
 * (it then reports its URLs and, when asked, its CPU time over IPC).
 *
 * One upstream serving every protocol (bench/door-upstream.ts) or one per protocol (the strict fakes
 * of test/fakes/: the Responses fake is a server of its own, so its model goes through a second
 * OpenAI-kind provider, `responses`, whose base URL is that fake's and whose models use Responses).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { createClient } from '../src/core/client.ts';
import { startGateway } from '../src/gateway/server.ts';
import type { UpstreamProtocol } from './door-upstream.ts';

export const BENCH_KEY = 'sk-bench-0123456789abcdef';
export const BENCH_TOKEN = 'bench-gateway-token-0123456789';

const PROTOCOL_OF_PATH: Record<string, UpstreamProtocol> = {
  '/v1/chat/completions': 'openai',
  '/v1/messages': 'anthropic',
  '/v1/responses': 'openai-responses',
};

/**
 * Idle sockets of the bench's own HTTP clients are closed before the 5 s after which Node servers
 * (the strict fakes, the gateway) close theirs: the fakes send `Connection: keep-alive` themselves,
 * so Node adds no `Keep-Alive: timeout=5` hint, and a client that keeps a socket longer can reuse
 * it just as the server closes it (a request lost with "other side closed").
 */
export const BENCH_CLIENT_IDLE_MS = 4_000;

export interface BenchGateway {
  /** Gateway root, e.g. http://127.0.0.1:4141 (doors under /v1/…). */
  gatewayRoot: string;
  /** Plain proxy root: /v1/… forwarded to the upstream as they are. */
  proxyRoot: string;
  /** CPU time (user + system) of the process serving the gateway, in ms. */
  cpuMs(): Promise<number>;
  close(): Promise<void>;
}

/** Base URLs (…/v1) of the upstreams: one for all, or one per protocol. */
export type BenchUpstreams = string | { openai: string; anthropic: string; responses: string };

/** The base URL each protocol's requests go to. */
function upstreamOf(u: BenchUpstreams): Record<UpstreamProtocol, string> {
  return typeof u === 'string'
    ? { openai: u, anthropic: u, 'openai-responses': u }
    : { openai: u.openai, anthropic: u.anthropic, 'openai-responses': u.responses };
}

/** The gateway's model for each upstream protocol. */
export function benchModels(u: BenchUpstreams): Record<UpstreamProtocol, string> {
  return {
    openai: 'openai/gpt-4o-mini',
    anthropic: 'anthropic/claude-sonnet-4-5',
    'openai-responses': typeof u === 'string' ? 'openai/gpt-5-codex' : 'responses/gpt-5-codex',
  };
}

export async function startBenchGatewayHere(upstreams: BenchUpstreams, opts: { fastPath?: boolean } = {}): Promise<BenchGateway> {
  const base = upstreamOf(upstreams);
  const ownResponses = typeof upstreams !== 'string';
  const client = createClient(
    {
      retries: { maxRetries: 0 },
      providers: [
        { id: 'openai', baseUrl: base.openai },
        { id: 'anthropic', baseUrl: base.anthropic },
        ...(ownResponses ? [{ id: 'responses', kind: 'openai' as const, baseUrl: base['openai-responses'], apiKeyEnv: 'OPENAI_API_KEY' }] : []),
      ],
      ...(ownResponses ? { wireProtocols: { [benchModels(upstreams)['openai-responses']]: 'openai-responses' as const } } : {}),
    },
    { env: { OPENAI_API_KEY: BENCH_KEY, ANTHROPIC_API_KEY: BENCH_KEY }, frontEnd: 'bench', catalogCacheFile: null },
  );
  const gateway = await startGateway({ client, token: BENCH_TOKEN, maxConcurrent: 256, ...(opts.fastPath === false ? { fastPath: false } : {}) });
  const up = new Agent({ connections: 256, keepAliveTimeout: BENCH_CLIENT_IDLE_MS });
  const proxy = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const protocol = PROTOCOL_OF_PATH[(req.url ?? '').split('?')[0]!] ?? 'openai';
      request(base[protocol].replace(/\/v1$/, '') + (req.url ?? '/'), {
        method: 'POST',
        dispatcher: up,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_KEY}` },
        body: Buffer.concat(parts),
      }).then(
        async (r) => {
          res.writeHead(r.statusCode, { 'content-type': String(r.headers['content-type'] ?? 'text/event-stream') });
          for await (const c of r.body) res.write(c);
          res.end();
        },
        (e: unknown) => {
          // The upstream failed: say how (a bench run stops on it), or cut the stream if it had begun.
          if (res.headersSent) return void res.destroy();
          const cause = e instanceof Error ? `${e.message}${(e as { code?: string }).code ? ` (${(e as { code?: string }).code})` : ''}` : String(e);
          res.writeHead(502, { 'content-type': 'text/plain' }).end(`plain proxy: the upstream request failed: ${cause}`);
        },
      );
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxyPort = (proxy.address() as AddressInfo).port;
  return {
    gatewayRoot: gateway.url.replace(/\/v1$/, ''),
    proxyRoot: `http://127.0.0.1:${proxyPort}`,
    cpuMs: () => {
      const u = process.cpuUsage();
      return Promise.resolve((u.user + u.system) / 1000);
    },
    close: async () => {
      await gateway.close();
      await client.close();
      await up.close();
      await new Promise<void>((resolve) => {
        proxy.close(() => resolve());
        proxy.closeAllConnections();
      });
    },
  };
}

// Started with fork(): serve until told to close. argv: --child <upstreams as JSON> [--no-fast-path]
if (process.send && process.argv[2] === '--child') {
  const upstreams = JSON.parse(process.argv[3]!) as BenchUpstreams;
  const g = await startBenchGatewayHere(upstreams, { fastPath: process.argv[4] !== '--no-fast-path' });
  process.on('message', (m: { type: string; id: number }) => {
    if (m.type === 'cpu') void g.cpuMs().then((ms) => process.send!({ type: 'cpu', id: m.id, ms }));
    if (m.type === 'close') void g.close().then(() => process.exit(0));
  });
  process.send({ type: 'ready', gatewayRoot: g.gatewayRoot, proxyRoot: g.proxyRoot });
}
