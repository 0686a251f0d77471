/**
 * Cheap network checks the extension makes outside the client: verifying a key against the
 * provider's model list (through the core's HTTP edge, which never follows a redirect with a
 * key), and finding a local Ollama / LM Studio server (no key: plain fetch, injectable).
 * Pure (no 'vscode').
 */
import type { ResolvedProvider } from '../core/index.ts';
import { findPreset } from '../core/index.ts';
import { authHeaders } from '../core/index.ts';
import { redactSecrets, redactUrl } from '../core/index.ts';
import { SwitchboardError } from '../core/index.ts';
import { DEFAULT_TIMEOUTS, getText } from '../core/index.ts';
import type { Dispatcher } from 'undici';
import { ANTHROPIC_VERSION } from '../core/index.ts';

export type Fetch = typeof fetch;

export type VerifyResult = { ok: true; models: number } | { ok: false; status: number | null; message: string };

/** The headers a `GET /models` needs for this provider and key. */
export function modelListHeaders(p: ResolvedProvider, key: string): Record<string, string> {
  const h: Record<string, string> = { accept: 'application/json', ...p.headers, ...authHeaders(p, key) };
  if (p.kind === 'anthropic') h['anthropic-version'] = p.anthropicVersion ?? ANTHROPIC_VERSION;
  return h;
}

const redact = (text: string, key: string): string => redactSecrets(text, [key]);

/**
 * Verify a key with `GET {baseUrl}/models` (free on every provider), through the core's HTTP
 * edge: a redirect is never followed (it would carry the key to wherever it points) but reported.
 * Never throws; the message never contains the key.
 */
export async function verifyKey(
  p: ResolvedProvider,
  key: string,
  opts: { dispatcher?: Dispatcher; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<VerifyResult> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  const url = `${redactUrl(p.baseUrl)}/models`;
  let text: string;
  let status: number;
  try {
    const res = await getText({
      url: `${p.baseUrl}/models`,
      headers: modelListHeaders(p, key),
      signal,
      ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
      timeouts: { ...DEFAULT_TIMEOUTS, headersMs: timeoutMs, idleMs: timeoutMs },
      provider: p.id,
      secrets: [key],
    });
    text = res.text;
    status = res.status;
  } catch (e) {
    const err = e instanceof SwitchboardError ? e : null;
    if (timeout.aborted) return { ok: false, status: null, message: `could not reach ${url}: no answer within ${Math.round(timeoutMs / 1000)} s` };
    if (!err) return { ok: false, status: null, message: redact(`could not reach ${url}: ${String(e)}`, key) };
    if (err.status !== null && err.status >= 400) {
      const what = err.status === 401 || err.status === 403 ? 'the key was rejected' : 'the model list request failed';
      const detail = err.detail === `HTTP ${err.status}` ? '' : ` — ${err.detail}`;
      return { ok: false, status: err.status, message: redact(`${what}: HTTP ${err.status}${detail}`, key) };
    }
    if (err.kind === 'config') return { ok: false, status: err.status, message: redact(err.detail, key) };
    return { ok: false, status: null, message: redact(`could not reach ${url}: ${err.detail}`, key) };
  }
  let models = 0;
  try {
    const j = JSON.parse(text) as { data?: unknown; models?: unknown };
    models = Array.isArray(j.data) ? j.data.length : Array.isArray(j.models) ? j.models.length : 0;
  } catch {
    return { ok: false, status, message: `${url} did not answer JSON: check the provider's baseUrl` };
  }
  return { ok: true, models };
}

export interface LocalServer {
  /** The preset id: `ollama` or `lmstudio`. */
  providerId: string;
  name: string;
  baseUrl: string;
  models: string[];
}

/** Local OpenAI-compatible servers worth offering when the user has no key at all. */
export const LOCAL_SERVER_PRESETS = ['ollama', 'lmstudio'] as const;

export type ServerCheck = { ok: true; baseUrl: string; models: string[] } | { ok: false; message: string };

/**
 * Check an OpenAI-compatible server (no key) by listing its models: `{baseUrl}/models`, and when that
 * fails and the URL has no `/v1`, `{baseUrl}/v1/models` (people paste `http://localhost:8000`).
 * The working base URL comes back, so it is what gets saved. Never throws.
 */
export async function checkServer(baseUrl: string, opts: { fetch?: Fetch; timeoutMs?: number } = {}): Promise<ServerCheck> {
  const doFetch = opts.fetch ?? fetch;
  let base = baseUrl.trim().replace(/\/+$/, '');
  if (!/^https?:\/\/[^/\s]+/i.test(base)) return { ok: false, message: `"${redactUrl(baseUrl.trim())}" is not an http(s) URL` };
  try {
    base = new URL(base).toString().replace(/\/+$/, '');
  } catch {
    return { ok: false, message: `"${redactUrl(baseUrl.trim())}" is not a valid URL` };
  }
  const candidates = /\/v1$/.test(base) ? [base] : [base, `${base}/v1`];
  let problem = '';
  for (const b of candidates) {
    const url = `${b}/models`;
    try {
      const res = await doFetch(url, { signal: AbortSignal.timeout(opts.timeoutMs ?? 5000), headers: { accept: 'application/json' }, redirect: 'manual' });
      if (!res.ok) {
        problem ||= `${redactUrl(url)} answered HTTP ${res.status}`;
        continue;
      }
      const j = (await res.json()) as { data?: { id?: unknown }[] };
      const models = Array.isArray(j.data) ? j.data.map((m) => m?.id).filter((m): m is string => typeof m === 'string' && m.length > 0) : [];
      if (!models.length) {
        problem ||= `${redactUrl(url)} lists no models (load or pull one first)`;
        continue;
      }
      return { ok: true, baseUrl: b, models };
    } catch (e) {
      const name = (e as Error)?.name;
      problem ||= `could not reach ${redactUrl(url)}: ${name === 'TimeoutError' ? 'no answer in time' : name === 'SyntaxError' ? 'the answer is not JSON' : (e as Error)?.message || String(e)}`;
    }
  }
  return { ok: false, message: problem };
}

/** Probe the local servers in parallel with a short timeout; only those that answer a model list come back. */
export async function detectLocalServers(opts: { fetch?: Fetch; timeoutMs?: number; baseUrls?: Partial<Record<string, string>> } = {}): Promise<LocalServer[]> {
  const doFetch = opts.fetch ?? fetch;
  const found = await Promise.all(
    LOCAL_SERVER_PRESETS.map(async (id): Promise<LocalServer | null> => {
      const preset = findPreset(id)!;
      const baseUrl = opts.baseUrls?.[id] ?? preset.baseUrl;
      try {
        const res = await doFetch(`${baseUrl}/models`, { signal: AbortSignal.timeout(opts.timeoutMs ?? 600), headers: { accept: 'application/json' } });
        if (!res.ok) return null;
        const j = (await res.json()) as { data?: { id?: unknown }[] };
        const models = (j.data ?? []).map((m) => m.id).filter((m): m is string => typeof m === 'string' && m.length > 0);
        return { providerId: id, name: preset.name, baseUrl, models };
      } catch {
        return null;
      }
    }),
  );
  return found.filter((s): s is LocalServer => s !== null);
}
