/**
 * The gateway's HTTP plumbing: a body reader bounded in size and time (slow-loris, oversized
 * bodies) and an SSE writer with backpressure.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gatewayError, type HttpError } from './errors.ts';

/** Requests sent with `Expect: 100-continue`: the body is asked for only once the checks pass. */
export const expectsContinue = new WeakSet<IncomingMessage>();

export class RequestFailure extends Error {
  readonly http: HttpError;
  constructor(h: HttpError) {
    super(h.body.error.message);
    this.http = h;
  }
}

export interface BodyLimits {
  maxBodyBytes: number;
  /** The whole body must arrive within this (from when reading starts). */
  requestTimeoutMs: number;
  /** Longest silence between pieces of the body. */
  idleTimeoutMs: number;
}

/** The request body, bounded in size and time. Rejects with RequestFailure (413, 408, 400). */
export function readBody(req: IncomingMessage, res: ServerResponse, limits: BodyLimits): Promise<Buffer> {
  const { maxBodyBytes, requestTimeoutMs, idleTimeoutMs } = limits;
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBodyBytes) {
    return Promise.reject(new RequestFailure(gatewayError(413, `request body too large (limit ${maxBodyBytes} bytes)`, 'request_too_large')));
  }
  if (expectsContinue.has(req)) res.writeContinue();
  return new Promise<Buffer>((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    let idle: NodeJS.Timeout | undefined;
    const deadline = setTimeout(
      () => fail(gatewayError(408, `the request body did not arrive within ${requestTimeoutMs} ms`, 'request_timeout')),
      requestTimeoutMs,
    );
    const armIdle = (): void => {
      clearTimeout(idle);
      idle = setTimeout(
        () => fail(gatewayError(408, `the client sent nothing for ${idleTimeoutMs} ms while sending the body`, 'request_timeout')),
        idleTimeoutMs,
      );
    };
    const cleanup = (): void => {
      clearTimeout(deadline);
      clearTimeout(idle);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onEnd);
    };
    const fail = (e: HttpError): void => {
      cleanup();
      req.pause();
      reject(new RequestFailure(e));
    };
    const onData = (c: Buffer): void => {
      size += c.length;
      if (size > maxBodyBytes) return fail(gatewayError(413, `request body too large (limit ${maxBodyBytes} bytes)`, 'request_too_large'));
      parts.push(c);
      armIdle();
    };
    const onEnd = (): void => {
      if (!req.complete) return fail(gatewayError(400, 'the request body was cut off', 'incomplete_body'));
      cleanup();
      resolve(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
    };
    const onError = (): void => fail(gatewayError(400, 'the request body could not be read', 'incomplete_body'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onEnd);
    req.on('error', onError);
    armIdle();
  });
}

/**
 * Writes SSE frames with backpressure. Frames produced in the same turn of the event loop (an
 * upstream read usually carries several) leave in one write. A client that stops reading for
 * `idleMs` is dropped, which cancels the upstream request.
 */
export class SseWriter {
  private pending = '';
  private scheduled = false;
  private blocked: Promise<boolean> | null = null;
  private readonly res: ServerResponse;
  private readonly idleMs: number;
  constructor(res: ServerResponse, idleMs: number) {
    this.res = res;
    this.idleMs = idleMs;
  }

  /** Queue a frame; resolves false when the response is gone. */
  write(frame: string): Promise<boolean> | boolean {
    if (this.res.destroyed) return false;
    this.pending += frame;
    if (this.pending.length >= 64 * 1024) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
    return this.blocked ?? true;
  }

  /** Queue a frame to leave with the next write or the end (nothing to wait for). */
  append(frame: string): void {
    this.pending += frame;
  }

  /** Send what is queued plus `frame`, and end the response. */
  end(frame: string): void {
    if (this.res.destroyed) return;
    const data = this.pending + frame;
    this.pending = '';
    this.res.end(data);
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const res = this.res;
    if (!this.pending || res.destroyed || res.writableEnded) return;
    const ok = res.write(this.pending);
    this.pending = '';
    if (ok || this.blocked) return;
    this.blocked = new Promise<boolean>((resolve) => {
      const finish = (alive: boolean): void => {
        clearTimeout(timer);
        res.off('drain', onDrain);
        res.off('close', onClose);
        this.blocked = null;
        resolve(alive);
      };
      const onDrain = (): void => finish(true);
      const onClose = (): void => finish(false);
      const timer = setTimeout(() => {
        res.destroy();
        finish(false);
      }, this.idleMs);
      res.on('drain', onDrain);
      res.on('close', onClose);
    });
  };
}

export function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export async function withCap<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
