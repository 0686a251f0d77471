/**
 * Keeping secrets (API keys, baseUrl passwords) out of text that may reach a user, a log or a
 * response. Two tools:
 * - `redactSecrets(text, list)`: the values in `list`;
 * - the process-wide registry (`registerSecret`, `redactKnown`): every key this process has
 *   used or been given, whenever it was added. The HTTP edge, the decoders' errors, the router,
 *   the gateway and the extension's log all scrub through it, so an upstream that echoes a key
 *   inside a stream (an error event, a malformed chunk) cannot make us print it.
 *
 * A key is matched case-insensitively (an upstream that lower-cases what it echoes) and in its
 * base64 forms (standard and URL-safe, at every byte alignment, so also inside a longer base64
 * blob such as a Basic auth header).
 */

/** Shorter strings are not treated as secrets: redacting "ab" everywhere would garble any text. */
export const MIN_SECRET_LENGTH = 4;

const REDACTED = '[redacted]';

/** The texts that stand for `secret` in a message: the value and its base64 encodings. */
export function secretForms(secret: string): string[] {
  const forms = new Set<string>([secret]);
  const bytes = Buffer.from(secret, 'utf8');
  // base64 of the key at each of the three byte alignments, keeping only the characters that
  // depend on the key's bytes alone (the edges mix in the neighbouring bytes).
  for (let k = 0; k < 3; k++) {
    const padded = Buffer.concat([Buffer.alloc(k), bytes]);
    const from = Math.ceil((8 * k) / 6);
    const to = Math.floor((8 * (k + bytes.length)) / 6);
    if (to - from < MIN_SECRET_LENGTH + 2) continue;
    const std = padded.toString('base64').slice(from, to);
    forms.add(std);
    forms.add(std.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return [...forms];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One case-insensitive pattern for all forms of all secrets, longest first (so a key inside another goes too). */
function patternFor(secrets: Iterable<string>): RegExp | null {
  const forms = new Set<string>();
  for (const s of secrets) for (const f of secretForms(s)) forms.add(f);
  if (forms.size === 0) return null;
  const list = [...forms].sort((a, b) => b.length - a.length).map(escapeRegExp);
  return new RegExp(list.join('|'), 'gi');
}

function usable(s: string | undefined | null): s is string {
  return typeof s === 'string' && s.trim().length >= MIN_SECRET_LENGTH;
}

/** Remove the given secrets (any case, base64 forms too) from `text`. */
export function redactSecrets(text: string, secrets: readonly (string | undefined | null)[]): string {
  const list = secrets.filter(usable).map((s) => s.trim());
  if (list.length === 0 || text.length === 0) return text;
  const re = patternFor(list);
  return re ? text.replace(re, REDACTED) : text;
}

// ── The process-wide registry ───────────────────────────────────────────────

const known = new Set<string>();
let knownPattern: RegExp | null = null;
let dirty = false;

/** Remember a secret for the life of the process (the key store, the env lookup and the config call this). */
export function registerSecret(secret: string | undefined | null): void {
  if (!usable(secret)) return;
  const s = secret.trim();
  if (known.has(s)) return;
  known.add(s);
  dirty = true;
}

/** Forget one (a key the user deleted stays redacted from errors still on screen: call only for tests). */
export function unregisterSecret(secret: string): void {
  if (known.delete(secret.trim())) dirty = true;
}

/** How many secrets the registry holds (the evidence reports it; never the values). */
export function knownSecretCount(): number {
  return known.size;
}

/** Scrub every secret the process knows, plus `extra`. */
export function redactKnown(text: string, extra: readonly (string | undefined | null)[] = []): string {
  if (text.length === 0) return text;
  if (dirty) {
    knownPattern = patternFor(known);
    dirty = false;
  }
  let out = knownPattern ? text.replace(knownPattern, REDACTED) : text;
  if (extra.length > 0) out = redactSecrets(out, extra);
  return out;
}

/** True when `text` holds a known secret (or one of `extra`) in any of its forms. */
export function containsSecret(text: string, extra: readonly (string | undefined | null)[] = []): boolean {
  return redactKnown(text, extra) !== text;
}

// ── Other things not to print ───────────────────────────────────────────────

/** `https://user:pass@host/x` → `https://***@host/x`. Anything not a URL is returned unchanged. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, '$1***@');
}

/** The password (and user:password, and its Basic form) of a URL's userinfo, to register as secrets. */
export function urlCredentials(url: string): string[] {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return [];
  }
  if (!u.username && !u.password) return [];
  const user = decodeURIComponentSafe(u.username);
  const pass = decodeURIComponentSafe(u.password);
  const out = [`${user}:${pass}`];
  if (pass) out.push(pass, u.password);
  return out;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Control characters (newlines, escapes, bidi overrides) out of text going into one log line
 * or one error message: a model id with "\n" must not forge a second log line.
 */
export function stripControl(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '?');
}
