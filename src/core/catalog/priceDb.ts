/**
 * The price database: `@pydantic/genai-prices` (MIT, maintained, offline data bundled in the
 * package, updated about monthly), turned into our Price shape (USD per 1M tokens, cache writes,
 * prompt-size tiers). It replaces the hand-written snapshot prices; `config.pricing` and a
 * provider's own reported cost still win (see Catalog.priceFor and computeCost).
 *
 * Newer data can be fetched from the project's published JSON (priceData.ts) and is then used
 * instead of the bundled copy; `priceDataInfo()` says which data is active and how old it is.
 */
import { calcPrice, findProvider, type ModelPrice, type Provider, type TieredPrices } from '@pydantic/genai-prices';
import type { Price, PriceTier } from '../config.ts';

/** The package version whose bundled data we ship, and the day it was published (npm). A unit test checks the version. */
export const BUNDLED_PRICES_VERSION = '0.1.8';
export const BUNDLED_PRICES_DATE = '2026-09-23';

export interface PriceDataInfo {
  /** 'bundled': the package's own data; 'fetched': newer data fetched and cached on disk. */
  origin: 'bundled' | 'fetched';
  /** YYYY-MM-DD: when the bundled data was published, or when the fetched data was fetched. */
  asOf: string;
}

let active: PriceDataInfo = { origin: 'bundled', asOf: BUNDLED_PRICES_DATE };

/** Which price data is in use. */
export function priceDataInfo(): PriceDataInfo {
  return active;
}

/** "prices as of 2026-09-23 (genai-prices 0.1.8)": what the switcher, `switchboard models` and the usage report show. */
export function pricesAsOfLabel(): string {
  return active.origin === 'bundled'
    ? `prices as of ${active.asOf} (genai-prices ${BUNDLED_PRICES_VERSION})`
    : `prices as of ${active.asOf} (genai-prices data fetched that day)`;
}

/** priceData.ts calls this after installing fetched data. */
export function setPriceDataInfo(info: PriceDataInfo): void {
  active = info;
  memo.clear();
}

/**
 * Lookups are a scan of the provider's models with their match rules; the catalog asks for the
 * same ids over and over (list(), every request's price), so answers are kept for a while. Not
 * forever: some prices depend on the time (DeepSeek's off-peak hours).
 */
const MEMO_MS = 5 * 60_000;
const memo = new Map<string, { at: number; value: DbModel | undefined }>();

/** Our preset ids that are a vendor the database prices under another id. */
const DB_PROVIDER: Record<string, string> = {
  openai: 'openai',
  anthropic: 'anthropic',
  google: 'google',
  gemini: 'google',
  mistral: 'mistral',
  groq: 'groq',
  deepseek: 'deepseek',
  xai: 'x-ai',
  together: 'together',
  fireworks: 'fireworks',
  openrouter: 'openrouter',
  cerebras: 'cerebras',
  perplexity: 'perplexity',
  moonshot: 'moonshotai',
  moonshotai: 'moonshotai',
  cohere: 'cohere',
};

/** Local servers: whatever their model names look like, nobody bills for them by token. */
const LOCAL = new Set(['ollama', 'lmstudio', 'vllm', 'sglang', 'litellm']);

export interface DbModel {
  /** The database's provider id. */
  provider: string;
  /** The database's model id (the name it matched). */
  modelId: string;
  name: string | null;
  contextWindow: number | null;
  price: Price | null;
}

/**
 * The database's provider for one of ours: by preset id, else (a custom endpoint) by its base URL
 * (`api.anthropic.com`…). A local server or an unknown endpoint: none, so its price stays unknown.
 */
export function dbProviderFor(providerId: string, baseUrl?: string): Provider | undefined {
  if (LOCAL.has(providerId)) return undefined;
  const mapped = DB_PROVIDER[providerId];
  if (mapped) return findProvider({ providerId: mapped });
  if (baseUrl) return findProvider({ providerApiUrl: baseUrl });
  return undefined;
}

const NO_USAGE = { input_tokens: 0, output_tokens: 0 };

/** What the database knows about a model of a provider; undefined when nothing. */
export function lookupDbModel(providerId: string, model: string, baseUrl?: string, at?: Date): DbModel | undefined {
  if (at) return lookupUncached(providerId, model, baseUrl, at);
  const key = `${providerId}\n${model}\n${baseUrl ?? ''}`;
  const now = Date.now();
  const hit = memo.get(key);
  if (hit && now - hit.at >= 0 && now - hit.at < MEMO_MS) return hit.value;
  const value = lookupUncached(providerId, model, baseUrl);
  if (memo.size > 5000) memo.clear();
  memo.set(key, { at: now, value });
  return value;
}

function lookupUncached(providerId: string, model: string, baseUrl?: string, at?: Date): DbModel | undefined {
  const provider = dbProviderFor(providerId, baseUrl);
  if (!provider) return undefined;
  let r: ReturnType<typeof calcPrice>;
  try {
    r = calcPrice(NO_USAGE, model, at ? { provider, timestamp: at } : { provider });
  } catch {
    return undefined; // data the package itself rejects: treat as unknown, never as 0
  }
  if (!r) return undefined;
  return {
    provider: r.provider.id,
    modelId: r.model.id,
    name: r.model.name ?? null,
    contextWindow: r.model.context_window ?? null,
    price: toPrice(r.model_price),
  };
}

type Rate = number | TieredPrices | undefined;

function baseOf(v: Rate): number | undefined {
  return typeof v === 'number' ? v : v?.base;
}

/** A tiered rate's price for prompts above `start` (the highest tier it passes), or the flat rate. */
function rateAbove(v: Rate, start: number): number | undefined {
  if (v === undefined || typeof v === 'number') return v;
  let p = v.base;
  for (const t of v.tiers) if (start >= t.start) p = t.price;
  return p;
}

/** The rates a price may leave out (charged at another rate then: see computeCost). */
const OPTIONAL_RATES = ['cachedInput', 'cacheWrite5m', 'cacheWrite1h', 'inputAudio', 'outputAudio'] as const;

/**
 * The database's prices as ours. Its tiers ("price X once the prompt has more than `start`
 * tokens", for every token of the request) are exactly our `tiers[].above`. A model with no
 * input or no output price is unknown (null): never a guessed 0.
 */
export function toPrice(mp: ModelPrice): Price | null {
  const keys = {
    input: mp.input_mtok,
    output: mp.output_mtok,
    cachedInput: mp.cache_read_mtok,
    cacheWrite5m: mp.cache_write_mtok,
    cacheWrite1h: mp.cache_write_1h_mtok,
    inputAudio: mp.input_audio_mtok,
    outputAudio: mp.output_audio_mtok,
  } as Record<string, Rate>;
  const input = baseOf(keys.input);
  const output = baseOf(keys.output);
  if (input === undefined || output === undefined) return null;
  const price: Price = { input, output };
  for (const k of OPTIONAL_RATES) {
    const b = baseOf(keys[k]);
    if (b !== undefined) price[k] = b;
  }
  // USD per 1,000 searches in the database; ours is per search.
  const searches = baseOf(mp.web_searches_kcount);
  if (searches !== undefined) price.webSearch = searches / 1000;
  const starts = new Set<number>();
  for (const v of Object.values(keys)) if (v !== undefined && typeof v !== 'number') for (const t of v.tiers) starts.add(t.start);
  if (starts.size > 0) {
    price.tiers = [...starts]
      .sort((a, b) => a - b)
      .map((above) => {
        const tier: PriceTier = { above, input: rateAbove(keys.input, above)!, output: rateAbove(keys.output, above)! };
        for (const k of OPTIONAL_RATES) {
          const r = rateAbove(keys[k], above);
          if (r !== undefined) tier[k] = r;
        }
        return tier;
      });
  }
  return price;
}
