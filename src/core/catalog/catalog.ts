/**
 * The model catalog: what models exist, what they cost and how big their context is.
 *
 * Sources, merged per id:
 * - the built-in snapshot (snapshot.ts), always there;
 * - refreshed data: OpenRouter's `/models` (names, context, live per-token prices) and the
 *   `/models` id lists of configured OpenAI-protocol providers, cached on disk;
 * - models named on providers in the config (`providers[].models`);
 * - `config.pricing`, whose prices always win.
 *
 * Ids follow the resolver (../resolve.ts): `provider/model` goes to that provider when it is
 * configured, otherwise the whole id goes to OpenRouter (when configured) as its slug.
 */
import { readFileSync } from 'node:fs';
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { request, type Dispatcher } from 'undici';
import { z } from 'zod';
import { PriceSchema, SECRET_HEADER, type Price, type ResolvedProvider, type SwitchboardConfig } from '../config.ts';
import { classifyHttpError, classifyNetworkError, defaultFix, SwitchboardError, type ErrorKind } from '../errors.ts';
import { hostModelOf, type HostModelInfo, type HostModelSource } from '../hostModels.ts';
import { directProvider, routeModelId } from '../resolve.ts';
import { ANTHROPIC_VERSION } from '../providers/anthropic/anthropicModel.ts';
import { findPreset } from '../providers/presets.ts';
import { authHeaders } from '../providers/shared.ts';
import { redactSecrets, redactUrl, registerSecret } from '../redact.ts';
import type { ModelCapabilities } from '../request.ts';
import { ROUTE_PREFIX } from '../resolve.ts';
import { intersectCapabilities, openRouterCapabilities, snapshotCapabilities, UNKNOWN_CAPABILITIES, type CapabilityFlags } from './capabilities.ts';
import { loadCachedPriceData, refreshPriceData } from './priceData.ts';
import { lookupDbModel, pricesAsOfLabel, type DbModel } from './priceDb.ts';
import { findSnapshot, openrouterSlugOf, SNAPSHOT, type SnapshotModel } from './snapshot.ts';

export type ModelSource = 'snapshot' | 'openrouter' | 'provider' | 'config' | 'database' | 'host';
export type PriceSource = 'config' | 'openrouter' | 'database';

export interface ModelInfo {
  /** `provider/model`, as it is asked for. */
  id: string;
  /** The part before the first `/`. */
  providerId: string;
  /** The part after the first `/`. */
  model: string;
  name: string;
  contextLength: number | null;
  maxOutput: number | null;
  /** USD per 1M tokens, as `priceFor(id)` gives it. */
  price: Price | null;
  /** Where the price comes from: the config, OpenRouter's live list, the price database; null when unknown. */
  priceSource: PriceSource | null;
  /** Where the model's facts come from (live data first, then the snapshot, then the config). */
  source: ModelSource;
  /** True when the provider is configured, or when OpenRouter is and knows this id as a slug. */
  available: boolean;
  /** How a request for this id would travel: straight to its provider, through OpenRouter, or nowhere yet. */
  via: 'direct' | 'openrouter' | null;
  /** Its use is included in a subscription (a host's models, hostModels.ts): `price` is null, and that is not unknown. */
  included?: boolean;
}

/** One model as a provider's `/models` listed it. */
export interface RefreshedModel {
  model: string;
  name: string | null;
  contextLength: number | null;
  maxOutput: number | null;
  /** Only OpenRouter says; USD per 1M tokens. */
  price: Price | null;
  /** Only OpenRouter says (supported_parameters, input_modalities): the flags it states. */
  capabilities?: Partial<CapabilityFlags>;
}

export interface RefreshError {
  providerId: string;
  /** Safe to show: never contains the API key. */
  message: string;
  kind: ErrorKind;
}

export interface RefreshResult {
  /** Provider ids whose lists were fetched. */
  refreshed: string[];
  /** One per provider that failed; the others were still refreshed. */
  errors: RefreshError[];
  /** Set when the refreshed data could not be written to the cache file. */
  cacheError?: string;
  /** Newer price data was fetched: the day it is as of. */
  pricesAsOf?: string;
  /** Newer price data could not be fetched or cached (the previous data stays in use). */
  priceError?: string;
}

export interface CatalogOptions {
  config: SwitchboardConfig;
  providers: ResolvedProvider[];
  getApiKey: (providerId: string) => string | undefined | Promise<string | undefined>;
  dispatcher?: Dispatcher;
  /** Where refreshed data is kept. undefined: `config.catalog.cacheFile` (if any); null: no cache. */
  cacheFile?: string | null;
  /** How long refreshed data stays fresh. Default: `config.catalog.refreshHours`, else 24 h. */
  ttlMs?: number;
  now?: () => number;
  /** Headers and body timeout for each `/models` request. Default 10 s. */
  timeoutMs?: number;
  /** Fetch newer price data on refresh and keep it here (priceData.ts). null/undefined: the bundled data only. */
  priceData?: { cacheFile: string; url?: string } | null;
  /** Models the front end supplies itself (VS Code's language models), listed as they are now. */
  hostSources?: readonly HostModelSource[];
}

export const DEFAULT_TTL_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_REFRESH_TIMEOUT_MS = 10_000;
const MAX_BODY_BYTES = 32 * 1024 * 1024;
const MAX_ERROR_BODY_BYTES = 64 * 1024;
const CACHE_VERSION = 1;

/** Ids in providers' own lists that are plainly not chat models; `list()` leaves them out. */
const NON_CHAT = /embed|whisper|(^|[-_/])tts|dall-e|davinci|babbage|moderation|transcribe|gpt-image|sora|realtime|rerank/i;

// ── Wire parsing ───────────────────────────────────────────────────────────

const ListSchema = z.looseObject({ data: z.array(z.unknown()) });
/** A positive integer, or null when missing or malformed (a bad optional field never drops the entry). */
const optCount = z.number().int().positive().nullish().catch(null);
const optName = z.string().nullish().catch(null);

const OpenAIModelSchema = z.looseObject({
  id: z.string().trim().min(1),
  name: optName,
  context_length: optCount,
  max_model_len: optCount,
  context_window: optCount,
  max_context_length: optCount,
  max_completion_tokens: optCount,
  max_output_tokens: optCount,
});

const OpenRouterModelSchema = z.looseObject({
  id: z.string().trim().min(1),
  name: optName,
  context_length: optCount,
  pricing: z
    .looseObject({
      prompt: z.unknown().optional(),
      completion: z.unknown().optional(),
      input_cache_read: z.unknown().optional(),
      input_cache_write: z.unknown().optional(),
    })
    .nullish()
    .catch(null),
  top_provider: z.looseObject({ context_length: optCount, max_completion_tokens: optCount }).nullish().catch(null),
  supported_parameters: z.unknown().optional(),
  architecture: z.looseObject({ input_modalities: z.unknown().optional() }).nullish().catch(null),
});

/** OpenRouter's per-token price ("0.0000025") as USD per 1M tokens (2.5); null when absent, negative ("-1" = variable) or not a number. */
export function perTokenToPerMillion(v: unknown): number | null {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && v.trim() !== '') n = Number(v);
  else return null;
  if (!Number.isFinite(n) || n < 0) return null;
  return n === 0 ? 0 : Number((n * 1_000_000).toPrecision(12));
}

function listEntries(json: unknown): unknown[] {
  const r = ListSchema.safeParse(json);
  if (!r.success) throw new Error('expected a JSON object with a "data" array');
  return r.data.data;
}

/** OpenRouter's `GET /models`: bad entries are skipped; prices converted to per-1M. */
export function parseOpenRouterModels(json: unknown): RefreshedModel[] {
  const out = new Map<string, RefreshedModel>();
  for (const raw of listEntries(json)) {
    const r = OpenRouterModelSchema.safeParse(raw);
    if (!r.success || out.has(r.data.id)) continue;
    const m = r.data;
    const input = perTokenToPerMillion(m.pricing?.prompt);
    const output = perTokenToPerMillion(m.pricing?.completion);
    // Cache reads and writes (`usage.prompt_tokens_details.cached_tokens` / `cache_write_tokens`) at their own rates; one write price, whatever the cache's lifetime.
    const cached = perTokenToPerMillion(m.pricing?.input_cache_read);
    const written = perTokenToPerMillion(m.pricing?.input_cache_write);
    let price: Price | null = null;
    if (input !== null && output !== null) {
      price = { input, output };
      if (cached !== null) price.cachedInput = cached;
      if (written !== null) price.cacheWrite5m = written;
    }
    const entry: RefreshedModel = {
      model: m.id,
      name: m.name ?? null,
      contextLength: m.context_length ?? m.top_provider?.context_length ?? null,
      maxOutput: m.top_provider?.max_completion_tokens ?? null,
      price,
    };
    const caps = openRouterCapabilities(m.supported_parameters, m.architecture?.input_modalities);
    if (Object.keys(caps).length > 0) entry.capabilities = caps;
    out.set(m.id, entry);
  }
  return [...out.values()];
}

/** An OpenAI-compatible `GET /models`: ids, plus the context size when the server says (vLLM, Groq, Mistral…). */
export function parseOpenAIModels(json: unknown): RefreshedModel[] {
  const out = new Map<string, RefreshedModel>();
  for (const raw of listEntries(json)) {
    const r = OpenAIModelSchema.safeParse(raw);
    if (!r.success || out.has(r.data.id)) continue;
    const m = r.data;
    out.set(m.id, {
      model: m.id,
      name: m.name ?? null,
      contextLength: m.context_length ?? m.max_model_len ?? m.context_window ?? m.max_context_length ?? null,
      maxOutput: m.max_completion_tokens ?? m.max_output_tokens ?? null,
      price: null,
    });
  }
  return [...out.values()];
}

const AnthropicModelSchema = z.looseObject({
  id: z.string().trim().min(1),
  display_name: optName,
  max_input_tokens: optCount,
  max_tokens: optCount,
});

/** Anthropic's `GET /v1/models` (`{ data: [{ type: "model", id, display_name, created_at }], has_more, last_id }`). */
export function parseAnthropicModels(json: unknown): RefreshedModel[] {
  const out = new Map<string, RefreshedModel>();
  for (const raw of listEntries(json)) {
    const r = AnthropicModelSchema.safeParse(raw);
    if (!r.success || out.has(r.data.id)) continue;
    const m = r.data;
    out.set(m.id, { model: m.id, name: m.display_name ?? null, contextLength: m.max_input_tokens ?? null, maxOutput: m.max_tokens ?? null, price: null });
  }
  return [...out.values()];
}

const GeminiModelSchema = z.looseObject({
  name: z.string().trim().min(1),
  displayName: optName,
  inputTokenLimit: optCount,
  outputTokenLimit: optCount,
  supportedGenerationMethods: z.array(z.string()).nullish().catch(null),
  thinking: z.boolean().nullish().catch(null),
});

/**
 * Gemini's `GET /v1beta/models` (`{ models: [{ name: "models/…", inputTokenLimit, outputTokenLimit,
 * supportedGenerationMethods }], nextPageToken }`): only models that can `generateContent` (chat
 * serves nothing else), with their context and output limits.
 */
export function parseGeminiModels(json: unknown): RefreshedModel[] {
  const r = z.looseObject({ models: z.array(z.unknown()).optional() }).safeParse(json);
  if (!r.success) throw new Error('expected a JSON object with a "models" array');
  const out = new Map<string, RefreshedModel>();
  for (const raw of r.data.models ?? []) {
    const g = GeminiModelSchema.safeParse(raw);
    if (!g.success) continue;
    const m = g.data;
    if (m.supportedGenerationMethods && !m.supportedGenerationMethods.includes('generateContent')) continue;
    const id = m.name.startsWith('models/') ? m.name.slice('models/'.length) : m.name;
    if (!id || out.has(id)) continue;
    const entry: RefreshedModel = {
      model: id,
      name: m.displayName ?? null,
      contextLength: m.inputTokenLimit ?? null,
      maxOutput: m.outputTokenLimit ?? null,
      price: null,
    };
    if (typeof m.thinking === 'boolean') entry.capabilities = { reasoning: m.thinking };
    out.set(id, entry);
  }
  return [...out.values()];
}

/** The next page of a model list, when the provider says there is one. */
function nextPage(kind: ResolvedProvider['kind'], json: unknown): Record<string, string> | null {
  const o = (json ?? {}) as Record<string, unknown>;
  if (kind === 'anthropic' && o.has_more === true && typeof o.last_id === 'string') return { limit: '1000', after_id: o.last_id };
  if (kind === 'gemini' && typeof o.nextPageToken === 'string' && o.nextPageToken) return { pageSize: '1000', pageToken: o.nextPageToken };
  return null;
}

const MAX_PAGES = 10;

// ── Cache file ─────────────────────────────────────────────────────────────

const CacheSchema = z.looseObject({
  version: z.literal(CACHE_VERSION),
  refreshedAt: z.number().nullable(),
  sources: z.array(
    z.looseObject({
      providerId: z.string(),
      baseUrl: z.string(),
      fetchedAt: z.number(),
      models: z.array(
        z.looseObject({
          model: z.string().min(1),
          name: z.string().nullable(),
          contextLength: z.number().nullable(),
          maxOutput: z.number().nullable(),
          price: PriceSchema.nullable(),
          capabilities: z.record(z.string(), z.boolean()).optional(),
        }),
      ),
    }),
  ),
});

interface SourceData {
  providerId: string;
  baseUrl: string;
  fetchedAt: number;
  models: Map<string, RefreshedModel>;
}

interface Route {
  providerId: string;
  model: string;
  /** The provider a request goes to directly, if any. */
  direct: ResolvedProvider | null;
  via: 'direct' | 'openrouter' | null;
  /** The OpenRouter slug when the request would go to OpenRouter (directly or as fallback). */
  slug: string | null;
}

function expandHome(p: string): string {
  return p === '~' ? homedir() : p.startsWith('~/') ? join(homedir(), p.slice(2)) : p;
}

async function readLimited(body: Dispatcher.ResponseData['body'], limit: number): Promise<{ text: string; truncated: boolean }> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const b = chunk as Buffer;
    if (size + b.length > limit) {
      parts.push(b.subarray(0, limit - size));
      body.destroy();
      return { text: Buffer.concat(parts).toString('utf8'), truncated: true };
    }
    size += b.length;
    parts.push(b);
  }
  return { text: Buffer.concat(parts).toString('utf8'), truncated: false };
}

// ── The catalog ────────────────────────────────────────────────────────────

export class Catalog {
  readonly cacheFile: string | null;
  readonly ttlMs: number;
  private readonly config: SwitchboardConfig;
  private readonly providers: Map<string, ResolvedProvider>;
  private readonly getApiKey: CatalogOptions['getApiKey'];
  private readonly dispatcher: Dispatcher | undefined;
  private readonly now: () => number;
  private readonly timeoutMs: number;
  private sources = new Map<string, SourceData>();
  private refreshedAt: number | null = null;
  private inflight: Promise<RefreshResult> | null = null;
  private readonly priceData: { cacheFile: string; url?: string } | null;
  private readonly hosts: readonly HostModelSource[];

  constructor(opts: CatalogOptions) {
    this.config = opts.config;
    this.hosts = opts.hostSources ?? [];
    this.providers = new Map(opts.providers.map((p) => [p.id, p]));
    this.getApiKey = opts.getApiKey;
    this.dispatcher = opts.dispatcher;
    this.now = opts.now ?? Date.now;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_REFRESH_TIMEOUT_MS;
    const hours = opts.config.catalog?.refreshHours;
    this.ttlMs = opts.ttlMs ?? (hours ? hours * 3_600_000 : DEFAULT_TTL_MS);
    const file = opts.cacheFile === undefined ? (opts.config.catalog?.cacheFile ?? null) : opts.cacheFile;
    this.cacheFile = file ? expandHome(file) : null;
    if (this.cacheFile) this.loadCache();
    this.priceData = opts.priceData ? { ...opts.priceData, cacheFile: expandHome(opts.priceData.cacheFile) } : null;
    if (this.priceData) loadCachedPriceData(this.priceData.cacheFile);
  }

  // ── Lookups ──

  /** Every model worth showing: snapshot ∪ refreshed lists ∪ configured provider models ∪ `config.pricing` keys. */
  list(): ModelInfo[] {
    const ids = new Set<string>();
    const openrouter = this.providers.has('openrouter');
    for (const e of SNAPSHOT) {
      // Through OpenRouter only the slug works on the wire, so offer the id that will.
      const slug = openrouterSlugOf(e);
      ids.add(!directProvider(this.providers, providerOf(e.id)) && openrouter && slug ? slug : e.id);
    }
    for (const src of this.activeSources()) {
      for (const m of src.models.values()) {
        if (src.providerId === 'openrouter') ids.add(m.model.startsWith('openrouter/') ? m.model : `openrouter/${m.model}`);
        else if (!NON_CHAT.test(m.model)) ids.add(`${src.providerId}/${m.model}`);
      }
    }
    for (const p of this.providers.values()) for (const m of p.models) ids.add(`${p.id}/${m}`);
    for (const key of Object.keys(this.config.pricing ?? {})) ids.add(key);
    const out: ModelInfo[] = [];
    for (const id of ids) {
      const info = this.describe(id);
      if (info) out.push(info);
    }
    for (const h of this.hosts) for (const m of h.list()) out.push(hostInfo(h, m.model, m));
    return out;
  }

  /** What the catalog knows about an id (canonical, alias, OpenRouter slug or `openrouter/<slug>`); undefined when nothing. */
  get(id: string): ModelInfo | undefined {
    return this.describe(id);
  }

  /**
   * The price for an id: `config.pricing[id]` (or of its canonical snapshot id) always wins; then,
   * for an id that goes through OpenRouter, OpenRouter's live price for that slug; then the price
   * database (genai-prices). null when unknown: never a guessed 0. (A cost the provider reports
   * for an answer wins over all of these: computeCost.)
   */
  priceFor(id: string): Price | null {
    return this.pricedBy(id)?.price ?? null;
  }

  /** priceFor with where the price comes from. */
  pricedBy(id: string): { price: Price; source: PriceSource } | null {
    if (hostModelOf(this.hosts, id)) return null;
    const pricing = this.config.pricing ?? {};
    const own = (k: string): Price | null => (Object.hasOwn(pricing, k) ? (pricing[k] ?? null) : null);
    const exact = own(id);
    if (exact) return { price: exact, source: 'config' };
    const r = this.route(id);
    if (!r) return null;
    const snap = this.snapshotFor(r, id);
    if (snap && snap.id !== id) {
      const canonical = own(snap.id);
      if (canonical) return { price: canonical, source: 'config' };
    }
    const live = this.refreshedFor(r);
    if (live?.price) return { price: live.price, source: 'openrouter' }; // only OpenRouter's list carries prices
    const db = this.dbFor(r, snap)?.price;
    return db ? { price: db, source: 'database' } : null;
  }

  /**
   * The price database's entry: for an OpenRouter slug, OpenRouter's prices there; otherwise the
   * vendor's (by the snapshot's canonical model name when there is one, else the name as asked).
   */
  private dbFor(r: Route, snap: SnapshotModel | undefined): DbModel | undefined {
    if (r.slug !== null) return lookupDbModel('openrouter', r.slug.startsWith('openrouter/') ? r.slug.slice('openrouter/'.length) : r.slug);
    const model = snap ? snap.id.slice(snap.id.indexOf('/') + 1) : r.model;
    const providerId = snap ? providerOf(snap.id) : (r.direct?.id ?? r.providerId);
    return lookupDbModel(providerId, model, r.direct?.baseUrl);
  }

  /** `vendor/model` of a model the price database knows (by its OpenRouter slug, or the vendor's own name), for its family's capabilities. */
  private dbFamily(r: Route): { id: string } | undefined {
    const db = this.dbFor(r, undefined);
    if (!db) return undefined;
    if (r.slug !== null) return { id: r.slug.startsWith('openrouter/') ? r.slug.slice('openrouter/'.length) : r.slug };
    return { id: `${db.provider}/${db.modelId}` };
  }

  /** The context window in tokens, or null when unknown (the router's ModelFacts). */
  contextLength(id: string): number | null {
    return this.describe(id)?.contextLength ?? null;
  }

  /**
   * What a model can do: snapshot rules, then live data, then the config's `capabilities[id]`.
   * A route (`route/<id>`) can do what all its members can, with the smallest limits.
   */
  capabilities(id: string): ModelCapabilities {
    if (id.startsWith(ROUTE_PREFIX)) {
      const route = this.config.routes.find((r) => r.id === id.slice(ROUTE_PREFIX.length));
      if (route) return intersectCapabilities(route.models.map((m) => this.capabilities(m)));
    }
    const hosted = hostModelOf(this.hosts, id);
    if (hosted) {
      // What the host says its model can do; one it no longer offers can do nothing until it is back.
      const m = hosted.source.list().find((x) => x.model === hosted.model);
      return m ? { ...m.capabilities } : { ...UNKNOWN_CAPABILITIES, contextWindow: null, maxOutputTokens: null };
    }
    const r = this.route(id);
    const snap = r ? this.snapshotFor(r, id) : undefined;
    const live = r ? this.refreshedFor(r) : undefined;
    const override = Object.hasOwn(this.config.capabilities ?? {}, id) ? this.config.capabilities[id] : undefined;
    const info = this.describe(id);
    // Not in the snapshot but priced by the database under a known vendor: that vendor's family rules.
    const family = snap ?? (r ? this.dbFamily(r) : undefined);
    const flags: CapabilityFlags = { ...(family ? snapshotCapabilities(family) : UNKNOWN_CAPABILITIES) };
    for (const [k, v] of Object.entries(live?.capabilities ?? {})) if (k in flags && typeof v === 'boolean') flags[k as keyof CapabilityFlags] = v;
    for (const [k, v] of Object.entries(override ?? {})) if (k in flags && typeof v === 'boolean') flags[k as keyof CapabilityFlags] = v;
    return {
      ...flags,
      contextWindow: override?.contextWindow ?? info?.contextLength ?? null,
      maxOutputTokens: override?.maxOutputTokens ?? info?.maxOutput ?? null,
    };
  }

  /** The model's output limit in tokens (the config's `capabilities[id]` first), or null when unknown (the router's ModelFacts: a budget's worst case). */
  maxOutput(id: string): number | null {
    const override = Object.hasOwn(this.config.capabilities ?? {}, id) ? this.config.capabilities[id]?.maxOutputTokens : undefined;
    return override ?? this.describe(id)?.maxOutput ?? null;
  }

  /** Alias of priceFor, so a Catalog can serve as the router's ModelFacts. */
  price(id: string): Price | null {
    return this.priceFor(id);
  }

  /** Whether a model's use is included in a subscription (a host's models): no price, and not an unknown one. */
  included(id: string): boolean {
    const hosted = hostModelOf(this.hosts, id);
    return hosted !== null && hosted.source.billing === 'included';
  }

  // ── Refresh and cache ──

  /** When the refreshed data was last fetched (ms since epoch), or null if never (nor cached). */
  get lastRefreshedAt(): number | null {
    return this.refreshedAt;
  }

  /** True when there is no refreshed data or it is older than `ttlMs`. */
  isStale(): boolean {
    if (this.refreshedAt === null) return true;
    const age = this.now() - this.refreshedAt;
    return age < 0 || age >= this.ttlMs;
  }

  /**
   * Fetch OpenRouter's model list (when configured) and the `/models` of every configured
   * OpenAI-protocol provider, in parallel. A provider that fails keeps its previous data and
   * is reported in `errors`; the others still refresh. Without `force`, does nothing while fresh.
   * With `prices` (and `priceData` set), newer price data is fetched too (pricesAsOf / priceError).
   * Never throws.
   */
  refresh(opts: { signal?: AbortSignal; force?: boolean; prices?: boolean } = {}): Promise<RefreshResult> {
    if (this.inflight) return this.inflight;
    if (!opts.force && !this.isStale()) return Promise.resolve({ refreshed: [], errors: [] });
    this.inflight = this.doRefresh(opts.signal, opts.prices === true).finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  /** Replace the refreshed data with the cache file's. A missing, corrupt or foreign file is ignored. Returns whether it loaded. */
  loadCache(): boolean {
    if (!this.cacheFile) return false;
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(this.cacheFile, 'utf8'));
    } catch {
      return false;
    }
    const r = CacheSchema.safeParse(json);
    if (!r.success) return false;
    const sources = new Map<string, SourceData>();
    for (const s of r.data.sources) {
      // Data fetched from another endpoint (the config changed) is not this provider's.
      const p = this.providers.get(s.providerId);
      if (!p || redactUrl(p.baseUrl) !== s.baseUrl) continue;
      sources.set(s.providerId, {
        providerId: s.providerId,
        baseUrl: s.baseUrl,
        fetchedAt: s.fetchedAt,
        models: new Map(s.models.map((m) => [m.model, { ...m }])),
      });
    }
    this.sources = sources;
    this.refreshedAt = sources.size > 0 ? r.data.refreshedAt : null;
    return true;
  }

  /** Write the refreshed data atomically (temp file + rename). Throws on I/O errors. */
  async saveCache(): Promise<void> {
    if (!this.cacheFile) return;
    const data = {
      version: CACHE_VERSION,
      savedAt: this.now(),
      refreshedAt: this.refreshedAt,
      sources: [...this.sources.values()].map((s) => ({
        providerId: s.providerId,
        baseUrl: s.baseUrl,
        fetchedAt: s.fetchedAt,
        models: [...s.models.values()],
      })),
    };
    await mkdir(dirname(this.cacheFile), { recursive: true });
    const tmp = `${this.cacheFile}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, JSON.stringify(data), { encoding: 'utf8', mode: 0o600 });
      await rename(tmp, this.cacheFile);
    } catch (e) {
      await unlink(tmp).catch(() => {});
      throw e;
    }
  }

  // ── Internals ──

  private async doRefresh(signal: AbortSignal | undefined, wantPrices: boolean): Promise<RefreshResult> {
    // Every protocol lists its models: OpenAI-compatible and OpenRouter `/models`, Anthropic `/v1/models`, Gemini `/v1beta/models`.
    const targets = [...this.providers.values()];
    const refreshed: string[] = [];
    const errors: RefreshError[] = [];
    let prices: { asOf?: string; error?: string } = {};
    await Promise.all([
      this.refreshPrices(signal, wantPrices).then((r) => {
        prices = r;
      }),
      ...targets.map(async (p) => {
        const secrets: string[] = [];
        try {
          const models = await this.fetchModels(p, secrets, signal);
          // The cache names the endpoint without its userinfo: a password in a baseUrl is never written to disk.
          this.sources.set(p.id, { providerId: p.id, baseUrl: redactUrl(p.baseUrl), fetchedAt: this.now(), models: new Map(models.map((m) => [m.model, m])) });
          refreshed.push(p.id);
        } catch (e) {
          const err = e instanceof SwitchboardError ? e : classifyNetworkError(e, p.id, '', 'headers');
          errors.push({ providerId: p.id, message: redactSecrets(err.message, secrets), kind: err.kind });
        }
      }),
    ]);
    const result: RefreshResult = { refreshed: targets.filter((p) => refreshed.includes(p.id)).map((p) => p.id), errors };
    if (prices.asOf) result.pricesAsOf = prices.asOf;
    if (prices.error) result.priceError = prices.error;
    if (refreshed.length > 0) {
      this.refreshedAt = this.now();
      try {
        await this.saveCache();
      } catch (e) {
        result.cacheError = `could not write the catalog cache ${this.cacheFile}: ${(e as Error).message}`;
      }
    }
    return result;
  }

  /** Newer price data, when configured; never throws. */
  private async refreshPrices(signal: AbortSignal | undefined, wanted: boolean): Promise<{ asOf?: string; error?: string }> {
    if (!this.priceData || !wanted) return {};
    try {
      const asOf = await refreshPriceData({
        ...this.priceData,
        timeoutMs: this.timeoutMs,
        now: this.now,
        ...(signal ? { signal } : {}),
        ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}),
      });
      return { asOf };
    } catch (e) {
      return { error: `${(e as Error)?.message ?? String(e)} (still using ${pricesAsOfLabel()})` };
    }
  }

  private async fetchModels(p: ResolvedProvider, secrets: string[], signal: AbortSignal | undefined): Promise<RefreshedModel[]> {
    let key: string | undefined;
    try {
      key = (await this.getApiKey(p.id))?.trim() || undefined;
    } catch {
      key = undefined;
    }
    if (key) secrets.push(key);
    for (const [name, value] of Object.entries(p.headers)) if (SECRET_HEADER.test(name)) secrets.push(value);
    for (const s of secrets) registerSecret(s);
    const keyHint = p.apiKeyEnv ?? undefined;
    // OpenRouter lists its models without a key; local servers need none.
    const needsKey = p.id !== 'openrouter' && !p.local && p.auth !== 'none' && p.apiKeyEnv !== null;
    if (!key && needsKey) {
      throw new SwitchboardError({ kind: 'auth', message: 'no API key, so its model list was not fetched', provider: p.id, fix: defaultFix('auth', keyHint) });
    }

    const headers: Record<string, string> = { accept: 'application/json', ...p.headers, ...authHeaders(p, key ?? null) };
    if (p.kind === 'anthropic') headers['anthropic-version'] = p.anthropicVersion ?? ANTHROPIC_VERSION;
    const first: Record<string, string> = p.kind === 'anthropic' ? { limit: '1000' } : p.kind === 'gemini' ? { pageSize: '1000' } : {};
    const all: RefreshedModel[] = [];
    let query: Record<string, string> | null = first;
    for (let page = 0; query && page < MAX_PAGES; page++) {
      const json = await this.fetchJson(p, query, headers, keyHint, signal);
      try {
        all.push(
          ...(p.id === 'openrouter'
            ? parseOpenRouterModels(json)
            : p.kind === 'anthropic'
              ? parseAnthropicModels(json)
              : p.kind === 'gemini'
                ? parseGeminiModels(json)
                : parseOpenAIModels(json)),
        );
      } catch (e) {
        throw this.invalid(p, `unexpected model list: ${(e as Error).message}`);
      }
      query = nextPage(p.kind, json);
    }
    return all;
  }

  private async fetchJson(
    p: ResolvedProvider,
    query: Record<string, string>,
    headers: Record<string, string>,
    keyHint: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    const qs = new URLSearchParams(query).toString();
    let res: Dispatcher.ResponseData;
    try {
      res = await request(`${p.baseUrl}/models${qs ? `?${qs}` : ''}`, {
        method: 'GET',
        headers,
        signal,
        ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}),
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
    } catch (e) {
      throw classifyNetworkError(e, p.id, '', 'headers');
    }

    if (res.statusCode >= 300 && res.statusCode < 400) {
      // undici's request() does not follow redirects, and must not: the request carries a key.
      void res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
      throw new SwitchboardError({
        kind: 'config',
        message: `${redactUrl(p.baseUrl)}/models answered with a redirect (HTTP ${res.statusCode}); Switchboard never follows a redirect with an API key attached`,
        provider: p.id,
        status: res.statusCode,
        fix: `set the baseUrl of "${p.id}" to the final address`,
      });
    }
    if (res.statusCode < 200 || res.statusCode >= 300) {
      const { text } = await readLimited(res.body, MAX_ERROR_BODY_BYTES).catch(() => ({ text: '' }));
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        /* classify from the text */
      }
      throw classifyHttpError({
        status: res.statusCode,
        body,
        headers: res.headers,
        provider: p.id,
        model: '',
        now: this.now(),
        ...(keyHint ? { keyHint } : {}),
      });
    }

    let text: string;
    try {
      const r = await readLimited(res.body, MAX_BODY_BYTES);
      if (r.truncated) throw this.invalid(p, `the model list is larger than ${MAX_BODY_BYTES / 1024 / 1024} MB`);
      text = r.text;
    } catch (e) {
      throw e instanceof SwitchboardError ? e : classifyNetworkError(e, p.id, '', 'body');
    }
    try {
      return JSON.parse(text);
    } catch {
      throw this.invalid(p, `the model list is not JSON: ${text.slice(0, 120)}`);
    }
  }

  private invalid(p: ResolvedProvider, message: string): SwitchboardError {
    return new SwitchboardError({ kind: 'invalid_response', message, provider: p.id, fix: `check the baseUrl of "${p.id}" (${redactUrl(p.baseUrl)})` });
  }

  /** Refreshed sources of providers still configured. */
  private activeSources(): SourceData[] {
    return [...this.sources.values()].filter((s) => redactUrl(this.providers.get(s.providerId)?.baseUrl ?? '') === s.baseUrl);
  }

  /** The resolver's rule (routeModelId): the OpenRouter slug is the wire model when OpenRouter serves it. */
  private route(id: string): Route | null {
    const r = routeModelId(this.providers, id);
    if (!r) return null;
    const viaOpenRouter = r.via === 'openrouter' || r.direct?.id === 'openrouter';
    return { providerId: r.providerId, model: r.model, direct: r.direct, via: r.via, slug: viaOpenRouter ? r.wireModel : null };
  }

  private snapshotFor(r: Route, id: string): SnapshotModel | undefined {
    return r.direct?.id === 'openrouter' && r.slug ? findSnapshot(r.slug) : findSnapshot(id);
  }

  /** The live entry for a route: OpenRouter's for its slug, else the direct provider's own list. */
  private refreshedFor(r: Route): RefreshedModel | undefined {
    if (r.slug !== null) return this.liveSource('openrouter')?.models.get(r.slug);
    if (r.direct) return this.liveSource(r.direct.id)?.models.get(r.model);
    return undefined;
  }

  private liveSource(providerId: string): SourceData | undefined {
    const s = this.sources.get(providerId);
    return s && redactUrl(this.providers.get(providerId)?.baseUrl ?? '') === s.baseUrl ? s : undefined;
  }

  private readonly configuredSets = new WeakMap<ResolvedProvider, Set<string>>();

  /** A provider's configured models as a set: `list()` asks once per model, and a list may hold 100k+. */
  private configuredModels(p: ResolvedProvider): Set<string> {
    let set = this.configuredSets.get(p);
    if (!set) {
      set = new Set(p.models);
      this.configuredSets.set(p, set);
    }
    return set;
  }

  private describe(id: string): ModelInfo | undefined {
    const hosted = hostModelOf(this.hosts, id);
    if (hosted) {
      const m = hosted.source.list().find((x) => x.model === hosted.model);
      return m ? hostInfo(hosted.source, hosted.model, m) : undefined;
    }
    const r = this.route(id);
    if (!r) return undefined;
    const snap = this.snapshotFor(r, id);
    const live = this.refreshedFor(r);
    const override = Object.hasOwn(this.config.capabilities ?? {}, id) ? this.config.capabilities[id] : undefined;
    const configured =
      (r.direct ? this.configuredModels(r.direct).has(r.model) : false) || Object.hasOwn(this.config.pricing ?? {}, id) || override !== undefined;
    // The price database alone makes a model known only on a provider that is set up (no listing every vendor's catalogue).
    // (Looked up only when something is missing: a scan of the database per id is not free.)
    const needsDb = !snap && !live ? configured || r.via === 'direct' : (snap?.contextLength ?? live?.contextLength ?? null) === null;
    const db = needsDb ? this.dbFor(r, snap) : undefined;
    if (!snap && !live && !configured && !db) return undefined;

    const source: ModelSource = live ? (r.slug !== null ? 'openrouter' : 'provider') : snap ? 'snapshot' : configured ? 'config' : 'database';
    let available: boolean;
    if (r.via === 'direct') available = true;
    else if (r.via === 'openrouter') {
      const orData = this.liveSource('openrouter');
      available = orData ? orData.models.has(id) : snap !== undefined && openrouterSlugOf(snap) === id;
    } else available = false;

    const priced = this.pricedBy(id);
    return {
      id,
      providerId: r.providerId,
      model: r.model,
      name: snap?.name ?? live?.name ?? db?.name ?? r.model,
      contextLength: override?.contextWindow ?? live?.contextLength ?? snap?.contextLength ?? db?.contextWindow ?? null,
      maxOutput: override?.maxOutputTokens ?? live?.maxOutput ?? snap?.maxOutput ?? null,
      price: priced?.price ?? null,
      priceSource: priced?.source ?? null,
      source,
      available,
      via: r.via,
    };
  }
}

function hostInfo(source: HostModelSource, model: string, m: HostModelInfo): ModelInfo {
  return {
    id: `${source.id}/${model}`,
    providerId: source.id,
    model,
    name: m.name,
    contextLength: m.capabilities.contextWindow,
    maxOutput: m.capabilities.maxOutputTokens,
    price: null,
    priceSource: null,
    source: 'host',
    available: true,
    via: 'direct',
    included: source.billing === 'included',
  };
}

function providerOf(id: string): string {
  return id.slice(0, id.indexOf('/'));
}
