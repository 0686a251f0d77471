/**
 * The checks every gateway request passes before anything else runs: Host (DNS rebinding),
 * Origin (web pages), bearer token (constant time). Plus the redactor that keeps provider keys
 * out of responses and logs.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { redactKnown, registerSecret } from '../core/index.ts';

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * `Authorization: Bearer <token>` against the expected token. Both sides are hashed first so the
 * comparison takes the same time whatever the length or content of the guess.
 */
export function tokenChecker(token: string): (authorization: string | undefined) => boolean {
  const expected = sha256(token);
  return (authorization) => {
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '');
    const ok = timingSafeEqual(sha256(m?.[1] ?? ''), expected);
    return ok && m !== null;
  };
}

export const isLoopback = (host: string): boolean => host === '127.0.0.1' || host === '::1' || host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host);
const isWildcard = (host: string): boolean => host === '0.0.0.0' || host === '::' || host === '';

/** `host` as it appears in a URL or Host header (IPv6 in brackets). */
export const hostForUrl = (host: string): string => (host.includes(':') ? `[${host}]` : host);

/**
 * The Host header values this server answers to: the bound address and the loopback names, each
 * with the port (and bare when the port is 80). A page on attacker.example that rebinds its name to
 * 127.0.0.1 still sends `Host: attacker.example`, so it is refused.
 */
export function allowedHostHeaders(boundHost: string, port: number, extraHosts: string[] = []): Set<string> {
  const names = new Set<string>(['127.0.0.1', 'localhost', '::1', ...extraHosts.map((h) => h.toLowerCase())]);
  if (isWildcard(boundHost)) {
    // Bound to every interface (asked for explicitly): each local address is a legitimate name.
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(a.address.toLowerCase().replace(/%.*$/, ''));
  } else names.add(boundHost.toLowerCase());
  const out = new Set<string>();
  for (const n of names) {
    out.add(`${hostForUrl(n)}:${port}`);
    if (port === 80) out.add(hostForUrl(n));
  }
  return out;
}

/** Origins are compared as the browser sends them: scheme://host[:port], lower case, no slash. */
export function normalizeOrigin(origin: string): string {
  return origin.trim().toLowerCase().replace(/\/+$/, '');
}

const KEY_PATTERNS: RegExp[] = [
  /\bsk-[A-Za-z0-9_-]{12,}/g, // OpenAI, Anthropic (sk-ant-…), OpenRouter (sk-or-…), DeepSeek
  /\bAIza[0-9A-Za-z_-]{20,}/g, // Google
  /\bgsk_[A-Za-z0-9]{20,}/g, // Groq
  /\bxai-[A-Za-z0-9]{20,}/g, // xAI
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{12,}/gi,
];

/**
 * Scrub known secret values and anything shaped like a provider key. The HTTP edge already
 * removes the key it sent; this is the gateway's second line, also for logs.
 */
export function makeRedactor(secrets: readonly string[]): (s: string) => string {
  for (const v of secrets) registerSecret(v);
  return (s) => {
    // Every key the process knows (any length, any case, base64 forms), not only the ones given here.
    let out = redactKnown(s);
    for (const re of KEY_PATTERNS) out = out.replace(re, '[redacted]');
    return out;
  };
}

/** Printable, bounded text for a log line (user-supplied model ids and paths). */
export function logSafe(s: string, max = 120): string {
  const clean = s.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
