/**
 * A real HTTP proxy for tests: forward (absolute-form requests, for http:// targets) and CONNECT tunnels (for
 * https://), optionally asking for Basic credentials; it alone resolves PROXIED_HOST (to 127.0.0.1), so an
 * answer from a provider at that host proves the request went through it. `seen` lists what it was asked.
 */
import http from 'node:http';
import net from 'node:net';

/** A host name only the proxy resolves. */
export const PROXIED_HOST = 'provider.test';

export interface Seen {
  kind: 'forward' | 'connect';
  target: string;
  auth: string | undefined;
}

export interface Proxy {
  url: string;
  seen: Seen[];
  close(): Promise<void>;
}

const local = (host: string): string => (host === PROXIED_HOST ? '127.0.0.1' : host);

/** A forward proxy (absolute-form requests) with CONNECT tunnels; `password`: what Proxy-Authorization must carry. */
export async function startProxy(credentials?: { user: string; password: string }): Promise<Proxy> {
  const seen: Seen[] = [];
  const expected = credentials ? `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64')}` : undefined;
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    const auth = req.headers['proxy-authorization'];
    const target = new URL(req.url ?? '/');
    seen.push({ kind: 'forward', target: target.host, auth });
    if (expected && auth !== expected) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="corp"' }).end('proxy authentication required');
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    const up = http.request({ host: local(target.hostname), port: target.port, path: target.pathname + target.search, method: req.method, headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const auth = req.headers['proxy-authorization'];
    seen.push({ kind: 'connect', target: req.url ?? '', auth });
    if (expected && auth !== expected) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="corp"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const [host, port] = (req.url ?? '').split(':');
    const up = net.connect(Number(port), local(host ?? ''), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) up.write(head);
      up.pipe(client);
      client.pipe(up);
    });
    // Either end closing closes the other (a tunnel left open would keep the servers from closing).
    up.on('error', () => client.destroy());
    client.on('error', () => up.destroy());
    up.on('close', () => client.destroy());
    client.on('close', () => up.destroy());
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const userinfo = credentials ? `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@` : '';
  return {
    url: `http://${userinfo}127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
