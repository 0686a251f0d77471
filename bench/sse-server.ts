/**
 * A dedicated, minimal SSE server: answers every POST …/chat/completions with the same
 * precomputed Buffer, so what the benchmark measures is the client, not the server.
 * Keep-alive; chunked transfer encoding like a real streaming API.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface SseServer {
  /** e.g. http://127.0.0.1:1234/v1 */
  baseUrl: string;
  /** Chat requests served so far. */
  served(): number;
  /** New TCP connections accepted so far (keep-alive check). */
  connections(): number;
  close(): Promise<void>;
}

export async function startSseServer(body: Buffer): Promise<SseServer> {
  let served = 0;
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = http.createServer({ keepAlive: true, keepAliveTimeout: 60_000, noDelay: true, requestTimeout: 0 }, (req, res) => {
    req.resume(); // the request body is not needed
    req.once('end', () => {
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
        return;
      }
      served++;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        'transfer-encoding': 'chunked',
        connection: 'keep-alive',
      });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (s: Socket) => {
    connections++;
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    served: () => served,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
