/**
 * Cheap network checks the extension makes outside the client: verifying a key against the
 * provider's model list, and finding a local Ollama / LM Studio server. Pure (no 'vscode'),
 * `fetch` injected so tests can swap it.
 */
import type { ResolvedProvider } from '../core/index.ts';
import { findPreset } from '../core/index.ts';
import { authHeaders } from '../core/index.ts';
import { redactSecrets } from '../core/index.ts';
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

/** The provider's own error message from a JSON error body (OpenAI, Anthropic and Gemini shapes). */
function errorMessage(body: string): string | null {
  try {
    const j = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    if (typeof j.error === 'string') return j.error;
    if (j.error && typeof j.error.message === 'string') return j.error.message;
    if (typeof j.message === 'string') return j.message;
  } catch {
    /* not JSON */
  }
  const t = body.trim();
  return t ? t.slice(0, 200) : null;
}

/**
 * Verify a key with `GET {baseUrl}/models` (free on every provider). Never throws; the message
 * never contains the key.
 */
export async function verifyKey(p: ResolvedProvider, key: string, opts: { fetch?: Fetch; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<VerifyResult> {
  const doFetch = opts.fetch ?? fetch;
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? 10_000);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  const url = `${p.baseUrl}/models`;
  try {
    const res = await doFetch(url, { headers: modelListHeaders(p, key), signal });
    const body = await res.text();
    if (!res.ok) {
      const detail = errorMessage(body);
      const what = res.status === 401 || res.status === 403 ? 'the key was rejected' : 'the model list request failed';
      return { ok: false, status: res.status, message: redact(`${what}: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}${detail ? ` — ${detail}` : ''}`, key) };
    }
    let models = 0;
    try {
      const j = JSON.parse(body) as { data?: unknown; models?: unknown };
      models = Array.isArray(j.data) ? j.data.length : Array.isArray(j.models) ? j.models.length : 0;
    } catch {
      return { ok: false, status: res.status, message: `${url} did not answer JSON: check the provider's baseUrl` };
    }
    return { ok: true, models };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const reason = err.name === 'TimeoutError' ? `no answer within ${Math.round((opts.timeoutMs ?? 10_000) / 1000)} s` : err.cause?.code ?? err.cause?.message ?? err.message;
    return { ok: false, status: null, message: redact(`could not reach ${url}: ${reason}`, key) };
  }
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
