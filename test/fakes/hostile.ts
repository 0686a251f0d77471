// A hostile OpenAI-protocol upstream for the attack tests: answers that never end, answers that
// only ever send keep-alive comments, in-stream errors and malformed chunks that echo a key,
// and redirects. Only node:http. Each behaviour is picked per request by `mode`. A request that does
// not ask for a stream gets the in-stream error and the malformed data as its whole answer (a JSON
// error object, the bad text); the endless and keep-alive answers stream whatever was asked.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type HostileMode =
  /** Text chunks as fast as the client reads them, forever (until the client hangs up). */
  | { kind: 'endless'; chunk?: string }
  /** SSE comments every `everyMs`, never an event. */
  | { kind: 'comments'; everyMs: number }
  /** One text chunk, then an in-stream error event whose message is `message` (not streamed: `{error}` as the answer). */
  | { kind: 'stream-error'; message: string }
  /** One text chunk, then a data line that is not JSON: `data` (not streamed: `data` as the answer). */
  | { kind: 'malformed'; data: string }
  /** A 302 to `location` for every request. */
  | { kind: 'redirect'; location: string };

export interface HostileServer {
  readonly baseUrl: string;
  /** Requests seen, with their headers. */
  readonly requests: { method: string; url: string; headers: http.IncomingHttpHeaders }[];
  /** Responses currently open (streams not yet ended). */
  open(): number;
  /** Characters of answer text written so far, all requests together. */
  written(): number;
  setMode(m: HostileMode): void;
  close(): Promise<void>;
}

/** The text of each event of an endless answer unless the mode says another. */
export const ENDLESS_CHUNK = 'all work and no play makes jack a dull boy '.repeat(24);

const chunkOf = (text: string): string =>
  `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })}\n\n`;

export async function startHostile(initial: HostileMode): Promise<HostileServer> {
  let mode = initial;
  let openCount = 0;
  let written = 0;
  const requests: HostileServer['requests'] = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    const m = mode;
    if (m.kind === 'redirect') {
      res.writeHead(302, { location: m.location, 'content-type': 'application/json' });
      res.end('{}');
      return;
    }
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: 'm', object: 'model' }] }));
      return;
    }
    if (m.kind === 'stream-error' || m.kind === 'malformed') {
      req.once('end', () => {
        if (body.includes('"stream":true')) {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write(chunkOf('Hello'));
          res.end(`data: ${m.kind === 'malformed' ? m.data : JSON.stringify({ error: { code: 500, message: m.message } })}\n\n`);
        } else {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(m.kind === 'malformed' ? m.data : JSON.stringify({ error: { code: 500, message: m.message } }));
        }
      });
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    openCount++;
    let ended = false;
    let timer: NodeJS.Timeout | undefined;
    res.on('close', () => {
      ended = true;
      clearInterval(timer);
      openCount--;
    });
    if (m.kind === 'endless') {
      const chunk = m.chunk ?? ENDLESS_CHUNK;
      const frame = chunkOf(chunk);
      const text = chunk.length;
      // Write while the socket takes it; wait for 'drain' when it does not (the client reads slowly).
      const pump = (): void => {
        while (!ended) {
          written += text;
          if (!res.write(frame)) {
            res.once('drain', pump);
            return;
          }
        }
      };
      pump();
    } else if (m.kind === 'comments') {
      res.write(': keep-alive\n\n');
      timer = setInterval(() => res.write(': keep-alive\n\n'), m.everyMs);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    open: () => openCount,
    written: () => written,
    setMode: (m) => {
      mode = m;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
