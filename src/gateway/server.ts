/**
 * The local OpenAI-compatible gateway: a third front end over the same client as the extension
 * and the CLI. Every request goes through `client.stream()`, so routes, failover, cooldowns,
 * budgets and the usage ledger (tagged `gateway`) apply; the OpenAI shapes come from the core's
 * facade (../core/openaiFacade.ts). Plain node:http, no framework.
 *
 * Every request passes, in order: Host check (DNS rebinding, 421) → Origin check (web pages, 403)
 * → bearer token (401) → route → concurrency cap (429) → bounded, timed body read (413 / 408)
 * → JSON and parameter validation (400). Nothing reaches a provider before all of them pass.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { SwitchboardClient } from '../core/index.ts';
import { SwitchboardError } from '../core/index.ts';
import { stripControl } from '../core/index.ts';
import {
  addWarnings,
  toChatCompletion,
  toChatRequest,
  toChunks,
  toChunksOrFrames,
  type ChatCompletionChunk,
  type FacadeRequest,
  type FrameIterator,
} from '../core/index.ts';
import { ROUTE_PREFIX } from '../core/index.ts';
import { exceedsJsonDepth } from './jsonDepth.ts';
import { errorBeforeAnswer, fromSwitchboardError, gatewayError, internalError, type ClientBody, type HttpError } from './errors.ts';
import { decodeURIComponentSafe, expectsContinue, readBody, RequestFailure, SseWriter, withCap } from './io.ts';
import { allowedHostHeaders, hostForUrl, isLoopback, logSafe, makeRedactor, normalizeOrigin, tokenChecker } from './security.ts';
import { anthropicDoor, countTokens } from './doors/anthropicDoor.ts';
import { responsesDoor } from './doors/responsesDoor.ts';
import { forwardingWarnings, serveDoor, warningsHeader, wholeAnswer } from './doors/serve.ts';
import type { Door } from './doors/door.ts';
import { StateCache } from './doors/stateCache.ts';

export interface GatewayOptions {
  client: SwitchboardClient;
  /** Address to bind. Default 127.0.0.1; anything else is logged as a warning. */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** The bearer token every request must carry (≥ 16 characters). */
  token: string;
  /** Browser origins allowed to call the gateway (exact `scheme://host:port`). Default none. */
  allowedOrigins?: string[];
  /** Extra names accepted in the Host header (e.g. a hostname when bound to a LAN address). */
  allowedHosts?: string[];
  /** Request body limit. Default 32 MiB: Anthropic's own limit for a Messages request (an agent's screenshots add up). */
  maxBodyBytes?: number;
  /** Deepest nesting of objects/arrays accepted in a JSON body (checked before parsing). Default 64. */
  maxJsonDepth?: number;
  /** Requests handled at once; more get 429 with retry-after. Default 64. */
  maxConcurrent?: number;
  /** The request headers must arrive within this after connecting (slow-loris). Default 10 s (at most requestTimeoutMs). */
  headersTimeoutMs?: number;
  /**
   * Open connections kept at most. One more evicts the oldest connection that is not serving a
   * request (an idle keep-alive or one still dribbling its headers); when every connection is
   * busy the newcomer gets a 503 and is closed. Default 1024.
   */
  maxConnections?: number;
  /** The whole request (headers and body) must arrive within this. Default 60 s. */
  requestTimeoutMs?: number;
  /** Longest silence from the client while it sends a body or while the gateway waits for it to read. Default 30 s. */
  idleTimeoutMs?: number;
  /** Values never to be shown (provider keys), on top of key-shaped strings. */
  secrets?: string[];
  /** One line per request and warnings. Never gets keys, tokens or bodies. */
  log?: (line: string) => void;
  /**
   * Same-protocol fast path (default on): a door request whose model speaks the door's own protocol
   * is forwarded as sent and the upstream's events streamed back as they are, or (not streamed) its
   * JSON answer given back as received (doors/serve.ts, wholeAnswer).
   * false: every request is translated (tests compare both; the bench measures what it saves).
   */
  fastPath?: boolean;
}

export interface GatewayStats {
  /** Requests being handled now (counted against maxConcurrent). */
  active: number;
  /** Every request received, refused or not. */
  requests: number;
  /** Connections open now. */
  connections: number;
  /** Connections closed to make room (the oldest idle or still-sending-headers ones). */
  evictedConnections: number;
  /** Connections refused with a 503 because every open one was busy. */
  refusedConnections: number;
  /** Chat completions answered in full. */
  completed: number;
  /** Streams and answers cut short because the client went away (upstream cancelled). */
  clientAborts: number;
  /** Responses by HTTP status. */
  byStatus: Record<string, number>;
}

export interface Gateway {
  /** Base URL for OpenAI clients, e.g. http://127.0.0.1:4141/v1 */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Stop accepting, cancel what is in flight, close every connection. */
  close(): Promise<void>;
  stats(): GatewayStats;
}

const DEFAULTS = {
  maxBodyBytes: 32 * 1024 * 1024,
  maxJsonDepth: 64,
  maxConnections: 1024,
  headersTimeoutMs: 10_000,
  maxConcurrent: 64,
  requestTimeoutMs: 60_000,
  idleTimeoutMs: 30_000,
};

/** Unread request bodies up to this size are drained rather than cut off (see send). */
const DRAIN_LIMIT = 1024 * 1024;

const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' } as const;

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  if (typeof opts.token !== 'string' || opts.token.length < 16)
    throw new SwitchboardError({ kind: 'config', message: 'the gateway token must be at least 16 characters', fix: 'generate one (see src/gateway/token.ts)' });
  const { client } = opts;
  const host = opts.host ?? '127.0.0.1';
  const maxBodyBytes = opts.maxBodyBytes ?? DEFAULTS.maxBodyBytes;
  const maxConcurrent = opts.maxConcurrent ?? DEFAULTS.maxConcurrent;
  const maxJsonDepth = opts.maxJsonDepth ?? DEFAULTS.maxJsonDepth;
  const requestTimeoutMs = opts.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs;
  const idleTimeoutMs = opts.idleTimeoutMs ?? DEFAULTS.idleTimeoutMs;
  const redact = makeRedactor(opts.secrets ?? []);
  const fastPath = opts.fastPath !== false;
  const sink = opts.log;
  // Every log line is scrubbed of keys; lines built from request or upstream text are made single-line where they are built.
  const log = sink ? (line: string): void => sink(redact(line)) : (): void => undefined;
  const checkToken = tokenChecker(opts.token);
  const allowedOrigins = new Set((opts.allowedOrigins ?? []).map(normalizeOrigin));
  const startedSec = Math.floor(Date.now() / 1000);

  const stats: GatewayStats = {
    active: 0,
    requests: 0,
    connections: 0,
    evictedConnections: 0,
    refusedConnections: 0,
    completed: 0,
    clientAborts: 0,
    byStatus: {},
  };
  const inflight = new Set<AbortController>();
  /** Responses not yet finished; close() waits for them before dropping keep-alive sockets. */
  const open = new Set<ServerResponse>();
  let onAllFinished: (() => void) | null = null;
  let allowedHosts = new Set<string>();
  let closing = false;

  const headersTimeout = Math.min(requestTimeoutMs, opts.headersTimeoutMs ?? DEFAULTS.headersTimeoutMs);
  const maxConnections = opts.maxConnections ?? DEFAULTS.maxConnections;
  const server = http.createServer({
    requestTimeout: requestTimeoutMs,
    headersTimeout,
    keepAliveTimeout: 5_000,
    // Node checks those timeouts on this interval (default 30 s, far too coarse for a 1 s limit).
    connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(headersTimeout / 4))),
    noDelay: true,
    maxHeaderSize: 32 * 1024,
  });
  // A keep-alive connection is not kept forever: after this many requests it is closed (the client reconnects).
  server.maxRequestsPerSocket = 1_000;
  // Node's own cap drops sockets with a reset, so it is only a backstop far above ours (see onConnection).
  server.maxConnections = maxConnections * 2;

  /**
   * Open sockets, oldest first, with how many requests each is serving. A flood of idle or
   * slow-header connections must not lock out real clients or /health: past `maxConnections`
   * the oldest socket that serves nothing is closed to make room; when all are busy (which takes
   * more than maxConcurrent requests, the rest being answered 429 at once) the newcomer is told 503.
   */
  const sockets = new Map<Socket, { busy: number }>();
  server.on('connection', (socket: Socket) => {
    if (sockets.size >= maxConnections) {
      let victim: Socket | null = null;
      for (const [s, st] of sockets) {
        if (st.busy === 0) {
          victim = s;
          break;
        }
      }
      if (victim) {
        stats.evictedConnections++;
        sockets.delete(victim);
        victim.destroy();
      } else {
        stats.refusedConnections++;
        count(503);
        const body = JSON.stringify(
          gatewayError(503, `the gateway has ${maxConnections} connections open, all busy; retry shortly`, 'too_many_connections').body,
        );
        socket.on('error', () => undefined);
        socket.end(
          `HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n${body}`,
        );
        return;
      }
    }
    sockets.set(socket, { busy: 0 });
    stats.connections = sockets.size;
    socket.once('close', () => {
      sockets.delete(socket);
      stats.connections = sockets.size;
    });
  });

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const st = sockets.get(req.socket);
    if (st) {
      st.busy++;
      res.once('close', () => st.busy--);
    }
    handle(req, res).catch((e: unknown) => {
      log(`gateway: internal error: ${redact(e instanceof Error ? (e.stack ?? e.message) : String(e))}`);
      if (!res.headersSent && !res.destroyed) send(req, res, internalError());
      else res.destroy();
    });
  };
  server.on('request', onRequest);
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    expectsContinue.add(req);
    onRequest(req, res);
  });
  // Malformed requests and Node's own header/request timeouts (slow-loris) end here.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    const timeout = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    const status = timeout ? 408 : err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    count(status);
    if (socket.writable && !(socket as Socket & { _httpMessage?: ServerResponse })._httpMessage?.headersSent) {
      const e = timeout
        ? gatewayError(408, 'the request did not arrive in time', 'request_timeout')
        : gatewayError(status, 'malformed HTTP request', 'bad_http_request');
      const body = JSON.stringify(e.body);
      socket.end(
        `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroySoon();
    if (timeout) log(`gateway: ${status} request timeout (client too slow)`);
  });

  function count(status: number): void {
    stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
  }

  const doorDeps = { states: new StateCache(), unalias: (m: string) => client.resolver.unalias(m) };
  const messagesDoor = anthropicDoor(doorDeps);
  const resDoor = responsesDoor(doorDeps);

  function send(
    req: IncomingMessage,
    res: ServerResponse,
    e: HttpError | { status: number; body: unknown; raw?: boolean; headers?: Record<string, string> },
  ): void {
    if (res.destroyed || res.headersSent) return;
    const body = 'raw' in e && e.raw === true && typeof e.body === 'string' ? e.body : JSON.stringify(e.body);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...e.headers };
    // An unread body of known, modest size is drained by Node after the response and the connection
    // kept: closing a socket with unread bytes makes the kernel send a reset, which the client sees
    // instead of this answer (a 429 under load). A huge or open-ended body is not read: close instead.
    const declared = Number(req.headers['content-length'] ?? 0);
    const unbounded = req.headers['transfer-encoding'] !== undefined || !Number.isFinite(declared) || declared > DRAIN_LIMIT;
    if (!req.complete && unbounded) headers.connection = 'close';
    res.writeHead(e.status, headers);
    res.end(body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const t0 = performance.now();
    stats.requests++;
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    const method = req.method ?? 'GET';
    const note: { model?: string; aborted?: boolean; forwarded?: boolean } = {};
    open.add(res);
    res.once('close', () => {
      open.delete(res);
      if (open.size === 0) onAllFinished?.();
      count(res.statusCode);
      log(
        `gateway: ${method} ${logSafe(path)} ${note.aborted ? 'client closed' : res.statusCode} ${Math.round(performance.now() - t0)} ms${note.model ? ` ${logSafe(note.model)}` : ''}${note.forwarded ? ' (forwarded as sent)' : ''}`,
      );
    });

    // 1. DNS rebinding: the Host must name this server.
    const hostHeader = (req.headers.host ?? '').toLowerCase();
    if (!allowedHosts.has(hostHeader))
      return send(req, res, gatewayError(421, 'this gateway answers only to its own address (Host header refused)', 'invalid_host'));

    // 2. Browsers: only explicitly allowed origins; no wildcard CORS, ever.
    const origin = req.headers.origin;
    if (origin !== undefined) {
      if (!allowedOrigins.has(normalizeOrigin(origin)))
        return send(req, res, gatewayError(403, 'browser requests are not allowed from this origin', 'origin_not_allowed'));
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'Origin');
      if (method === 'OPTIONS') {
        const asked = String(req.headers['access-control-request-headers'] ?? '').replace(/[^A-Za-z0-9,\- ]/g, '');
        res.writeHead(204, {
          'access-control-allow-methods': 'GET, POST',
          'access-control-allow-headers': asked || 'authorization, content-type',
          'access-control-max-age': '600',
        });
        res.end();
        return;
      }
    }

    // Claude Code probes the base URL with HEAD / before its first request: reachability, no data.
    if (path === '/' && method === 'HEAD') {
      res.writeHead(200, { 'content-length': '0' });
      res.end();
      return;
    }
    const door: Door | null = path === '/v1/messages' || path === '/v1/messages/count_tokens' ? messagesDoor : path === '/v1/responses' ? resDoor : null;

    // 3. The token, compared in constant time: `Authorization: Bearer`, or on Anthropic's door
    //    `x-api-key` as Anthropic's clients send it (the OpenAI endpoints keep to Bearer).
    const apiKeyHeader = req.headers['x-api-key'];
    const authorization = req.headers.authorization ?? (door === messagesDoor && typeof apiKeyHeader === 'string' ? `Bearer ${apiKeyHeader}` : undefined);
    if (!checkToken(authorization)) {
      const e = gatewayError(401, 'missing or wrong gateway token: send "Authorization: Bearer <token>" (or "x-api-key: <token>")', 'invalid_api_key', {
        headers: { 'www-authenticate': 'Bearer', 'x-should-retry': 'false' },
      });
      return send(req, res, door ? door.error(e) : e);
    }

    // 4. Route.
    let run: () => Promise<void>;
    if (path === '/health') {
      if (method !== 'GET') return send(req, res, methodNotAllowed('GET'));
      return send(req, res, { status: 200, body: { status: closing ? 'closing' : 'ok', active: stats.active } });
    } else if (path === '/v1/models') {
      if (method !== 'GET') return send(req, res, methodNotAllowed('GET'));
      run = () => listModels(req, res);
    } else if (path.startsWith('/v1/models/')) {
      if (method !== 'GET') return send(req, res, methodNotAllowed('GET'));
      run = () => getModel(req, res, decodeURIComponentSafe(path.slice('/v1/models/'.length)));
    } else if (path === '/v1/chat/completions') {
      if (method !== 'POST') return send(req, res, methodNotAllowed('POST'));
      run = () => chatCompletions(req, res, note);
    } else if (door) {
      if (method !== 'POST') return send(req, res, door.error(methodNotAllowed('POST')));
      const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
      if (path === '/v1/messages/count_tokens') run = () => countTokens(doorCtx, req, res, query);
      else run = () => serveDoor(doorCtx, door, req, res, note, query);
    } else {
      return send(
        req,
        res,
        gatewayError(
          404,
          `no such endpoint: ${method} ${logSafe(path, 80)} (this gateway serves /v1/chat/completions, /v1/messages, /v1/responses, /v1/models, /health)`,
          'unknown_url',
        ),
      );
    }

    // 5. Capacity.
    const shaped = (e: HttpError) => (door ? door.error(e) : e);
    if (closing) return send(req, res, shaped(gatewayError(503, 'the gateway is shutting down', 'gateway_shutting_down')));
    if (stats.active >= maxConcurrent) {
      return send(
        req,
        res,
        shaped(
          gatewayError(429, `the gateway is handling ${maxConcurrent} requests already; retry shortly`, 'too_many_concurrent_requests', {
            headers: { 'retry-after': '1' },
          }),
        ),
      );
    }
    stats.active++;
    try {
      await run();
    } finally {
      stats.active--;
    }
  }

  function methodNotAllowed(allow: string): HttpError {
    const e = gatewayError(405, `method not allowed (use ${allow})`, 'method_not_allowed');
    e.headers.allow = allow;
    return e;
  }

  // ── /v1/models ───────────────────────────────────────────────────────────

  interface ModelObject {
    id: string;
    object: 'model';
    created: number;
    owned_by: string;
  }

  async function modelObjects(): Promise<ModelObject[]> {
    if (client.catalog.isStale()) await withCap(client.catalog.refresh(), 3_000);
    const out: ModelObject[] = client.catalog
      .list()
      .filter((m) => m.available)
      .map((m) => ({ id: m.id, object: 'model', created: startedSec, owned_by: m.providerId }));
    for (const r of client.resolver.routeList) out.push({ id: ROUTE_PREFIX + r.id, object: 'model', created: startedSec, owned_by: 'switchboard' });
    for (const [name] of client.resolver.aliasList) out.push({ id: name, object: 'model', created: startedSec, owned_by: 'switchboard' });
    return out;
  }

  async function listModels(req: IncomingMessage, res: ServerResponse): Promise<void> {
    send(req, res, { status: 200, body: { object: 'list', data: await modelObjects() } });
  }

  async function getModel(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    let m = (await modelObjects()).find((x) => x.id === id);
    // An id chat serves without it being listed (an alias such as anthropic/claude-sonnet-4-5, a slug): found too.
    const info = m ? undefined : client.catalog.get(id);
    if (!m && info?.available) m = { id, object: 'model', created: startedSec, owned_by: info.providerId };
    if (m) send(req, res, { status: 200, body: m });
    else send(req, res, gatewayError(404, `The model \`${logSafe(id, 200)}\` does not exist or is not available here`, 'model_not_found'));
  }

  // ── /v1/chat/completions ─────────────────────────────────────────────────

  async function chatCompletions(req: IncomingMessage, res: ServerResponse, note: { model?: string; aborted?: boolean; forwarded?: boolean }): Promise<void> {
    let params: Record<string, unknown>;
    try {
      params = parseParams(await readBody(req, res, { maxBodyBytes, requestTimeoutMs, idleTimeoutMs }));
    } catch (e) {
      if (e instanceof RequestFailure) return send(req, res, e.http);
      throw e;
    }
    if (typeof params.model === 'string') note.model = params.model;

    const ac = new AbortController();
    let clientGone = false;
    const onClose = (): void => {
      if (res.writableFinished) return;
      // The client hung up: cancel the upstream request now, not when its answer ends.
      clientGone = true;
      note.aborted = true;
      stats.clientAborts++;
      ac.abort(new Error('the client disconnected'));
    };
    res.once('close', onClose);
    inflight.add(ac);
    try {
      let facade: FacadeRequest;
      try {
        facade = toChatRequest(params as Parameters<typeof toChatRequest>[0], ac.signal);
      } catch (e) {
        if (e instanceof SwitchboardError) return send(req, res, fromSwitchboardError(e, redact));
        throw e;
      }
      const { req: chatReq, warnings } = facade;
      chatReq.frontEnd = 'gateway';
      // Fully understood, or all that is not translated is OpenAI's own (logit_bias, service_tier…): a
      // Chat Completions model can get the body as it was sent (the fast path), streamed or not. Its
      // answer keeps the provider's model name, as the upstream gave it.
      const { allResolved, holding } = forwardingWarnings(warnings, facade.resolvedByForwarding);
      if (fastPath && allResolved) chatReq.passthrough = { protocol: 'openai', body: params };
      const stream = client.stream(chatReq);
      const sent: ClientBody = { protocol: 'openai', body: params };

      if (!facade.stream) {
        // Forwarded, the upstream's JSON answer goes back as received (the doors' non-streamed fast path).
        const { r, whole } = await wholeAnswer(stream, note, warnings);
        if (clientGone) return;
        if (r.error) return sendUpstreamError(req, res, r.error, sent);
        stats.completed++;
        if (whole !== null) {
          // The answer is the upstream's own: its warnings (a budget notice) are in the header and the log.
          addWarnings(warnings, r.warnings);
          const held = holding(true);
          if (held.length) log(`gateway: chat completions: ${held.join('; ')}`);
          return send(req, res, { status: 200, body: whole, raw: true, headers: warningHeader(held) });
        }
        const body = scrubExtras(toChatCompletion(r, Math.floor(Date.now() / 1000), warnings));
        if (warnings.length) log(`gateway: chat completions: ${redact(warnings.join('; '))}`);
        return send(req, res, { status: 200, body, headers: warningHeader(warnings) });
      }

      const chunks = chatReq.passthrough
        ? toChunksOrFrames(stream, chatReq.model, facade.includeUsage, warnings)
        : (toChunks(stream, chatReq.model, facade.includeUsage, warnings) as FrameIterator);
      let done = false;
      try {
        // Errors before the first chunk get a real HTTP status, as OpenAI does.
        let step: IteratorResult<ChatCompletionChunk | string, void>;
        try {
          step = await chunks.next();
        } catch (e) {
          done = true;
          if (clientGone) return;
          return sendUpstreamError(req, res, e, sent);
        }
        // Warnings known by now (parameters, translation) go in a header; later ones ride on the finish chunk.
        const early = holding(typeof step.value === 'string');
        // Tools that never show response headers (agents, most SDK code): the log says it too.
        if (early.length) log(`gateway: chat completions: ${redact(early.join('; '))}`);
        res.writeHead(200, { ...SSE_HEADERS, ...warningHeader(early) });
        const inHeader = warnings.length;
        const out = new SseWriter(res, idleTimeoutMs);
        try {
          while (!step.done) {
            // What one upstream read produced leaves in one write: the chunks already made, polled.
            let text = '';
            try {
              for (let v: ChatCompletionChunk | string | undefined = step.value; v !== undefined; v = chunks.poll()) {
                if (typeof v === 'string') {
                  note.forwarded = true;
                  text += v;
                } else text += `data: ${JSON.stringify(v.switchboard ? scrubExtras(v) : v)}\n\n`;
              }
            } catch (e) {
              // What came before the error goes out first (the error event follows it).
              out.append(text);
              throw e;
            }
            if (clientGone || !(await out.write(text))) return;
            step = await chunks.next();
          }
          done = true;
          out.end('data: [DONE]\n\n');
          stats.completed++;
          // A forwarded stream is the upstream's own: warnings that came too late for the header are only in the log.
          if (chatReq.passthrough && warnings.length > inHeader) log(`gateway: chat completions: ${warnings.slice(inHeader).join('; ')}`);
        } catch (e) {
          done = true;
          if (clientGone || res.destroyed) return;
          // Mid-stream: OpenRouter's convention, an SSE event whose payload is an error object; then end.
          const h = toHttpError(e, sent);
          log(`gateway: error after streaming started: ${h.body.error.code}: ${stripControl(h.body.error.message).slice(0, 500)}`);
          out.end(`data: ${JSON.stringify(h.body)}\n\n`);
        }
      } finally {
        // Stopped early (client gone, slow reader): let the generator cancel the upstream.
        if (!done) await chunks.return(undefined).catch(() => undefined);
        // The rich result settles after an early stop too; nobody else waits for it.
        stream.result.catch(() => undefined);
      }
    } finally {
      inflight.delete(ac);
      res.off('close', onClose);
    }
  }

  /** `sent`: the client's body, whose parameter an upstream's error may name (fromSwitchboardError). */
  function toHttpError(e: unknown, sent?: ClientBody): HttpError {
    if (e instanceof SwitchboardError) return fromSwitchboardError(e, redact, sent);
    log(`gateway: internal error: ${redact(e instanceof Error ? (e.stack ?? e.message) : String(e))}`);
    return internalError();
  }

  /** An error as the response's status: nothing of the answer went out. */
  function sendUpstreamError(req: IncomingMessage, res: ServerResponse, e: unknown, sent: ClientBody): void {
    const h = toHttpError(errorBeforeAnswer(e), sent);
    log(`gateway: ${h.status} ${h.body.error.code}: ${stripControl(h.body.error.message).slice(0, 500)}`);
    send(req, res, h);
  }

  function parseParams(body: Buffer): Record<string, unknown> {
    if (exceedsJsonDepth(body, maxJsonDepth)) {
      throw new RequestFailure(gatewayError(400, `the request body nests deeper than ${maxJsonDepth} levels`, 'json_too_deep'));
    }
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw new RequestFailure(gatewayError(400, 'the request body is not valid JSON', 'invalid_json'));
    }
    if (!json || typeof json !== 'object' || Array.isArray(json))
      throw new RequestFailure(gatewayError(400, 'the request body must be a JSON object', 'invalid_json'));
    const p = json as Record<string, unknown>;
    // Parameters the core cannot honour are refused by the facade (toChatRequest), naming the parameter and model.
    return p;
  }

  // ── The agents' doors (/v1/messages, /v1/responses): see doors/ ─────────

  const doorCtx = {
    client,
    limits: { maxBodyBytes, requestTimeoutMs, idleTimeoutMs },
    log,
    redact,
    inflight,
    send,
    toHttpError,
    onCompleted: () => void stats.completed++,
    onClientAbort: () => void stats.clientAborts++,
    fastPath,
  };

  /** A Chat Completions answer or chunk with its `switchboard.warnings` redacted, as the header's are. */
  function scrubExtras<T extends { switchboard?: { warnings: string[] } }>(o: T): T {
    return o.switchboard?.warnings.length ? { ...o, switchboard: { ...o.switchboard, warnings: o.switchboard.warnings.map(redact) } } : o;
  }

  /** `x-switchboard-warnings`, redacted; a long list is shortened there (the response body has them all). */
  function warningHeader(warnings: readonly string[]): Record<string, string> {
    return warningsHeader(warnings, redact, 'see switchboard.warnings in the response');
  }

  // ── Listen ───────────────────────────────────────────────────────────────

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: opts.port ?? 0, host }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = addr && typeof addr === 'object' ? addr.port : 0;
  allowedHosts = allowedHostHeaders(host, port, opts.allowedHosts);
  if (!isLoopback(host)) log(`gateway: WARNING: listening on ${host}, reachable from other machines; only the token protects it`);
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : hostForUrl(host);

  let closed: Promise<void> | null = null;
  return {
    url: `http://${urlHost}:${port}/v1`,
    host,
    port,
    stats: () => ({ ...stats, byStatus: { ...stats.byStatus } }),
    close() {
      closed ??= (async () => {
        closing = true;
        const done = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        for (const ac of inflight) ac.abort(new Error('the gateway is shutting down'));
        // Handlers end their streams (with an error event) right after the abort. Once every
        // response has finished, what is left are idle keep-alive sockets: drop them. Cap the wait.
        if (open.size > 0) {
          let timer: NodeJS.Timeout | undefined;
          await new Promise<void>((resolve) => {
            onAllFinished = resolve;
            timer = setTimeout(resolve, 2_000);
          });
          clearTimeout(timer);
        }
        server.closeAllConnections();
        await done;
      })();
      return closed;
    },
  };
}
