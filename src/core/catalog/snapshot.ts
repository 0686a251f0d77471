/**
 * A built-in snapshot of popular models: names, context windows and public list prices.
 * It is what the catalog knows with no network; `Catalog.refresh()` adds live OpenRouter
 * prices and provider model lists, and `config.pricing` overrides any price.
 *
 * Prices are USD per 1M tokens, standard (non-batch, non-priority) tier. Where a vendor charges
 * more above a prompt-size threshold (Gemini Pro > 200k, Claude Sonnet 1M-context beta), the
 * lower, default tier is listed. `cachedInput` is the cache-read price; cache writes are not modelled.
 */
import type { Price } from '../config.ts';

/**
 * When these list prices were taken (from the vendors' public pricing pages as known then).
 * Prices change: treat anything here as a fallback, not a bill.
 */
export const SNAPSHOT_DATE = '2025-12-15';

export interface SnapshotModel {
  /** `provider/model`, where provider is a preset id and model is what the vendor's own API accepts. */
  id: string;
  name: string;
  contextLength: number;
  maxOutput?: number;
  /** USD per 1M input tokens. */
  input: number;
  /** USD per 1M output tokens (reasoning tokens are billed as output). */
  output: number;
  /** USD per 1M cache-read input tokens. */
  cachedInput?: number;
  /** Other model names the vendor's API accepts for the same model and price (same provider). */
  aliases?: string[];
  /**
   * The OpenRouter slug of the same model. Omitted: the id itself is the slug (OpenAI, Google).
   * null: no known OpenRouter equivalent at the same model/price.
   */
  openrouter?: string | null;
}

export const SNAPSHOT: readonly SnapshotModel[] = [
  // ── OpenAI ──────────────────────────────────────────────────────────────
  { id: 'openai/gpt-5.2', name: 'GPT-5.2', contextLength: 400_000, maxOutput: 128_000, input: 1.75, output: 14, cachedInput: 0.175, aliases: ['gpt-5.2-2025-12-11'] },
  { id: 'openai/gpt-5.1', name: 'GPT-5.1', contextLength: 400_000, maxOutput: 128_000, input: 1.25, output: 10, cachedInput: 0.125 },
  { id: 'openai/gpt-5', name: 'GPT-5', contextLength: 400_000, maxOutput: 128_000, input: 1.25, output: 10, cachedInput: 0.125, aliases: ['gpt-5-2025-08-07'] },
  { id: 'openai/gpt-5-mini', name: 'GPT-5 mini', contextLength: 400_000, maxOutput: 128_000, input: 0.25, output: 2, cachedInput: 0.025, aliases: ['gpt-5-mini-2025-08-07'] },
  { id: 'openai/gpt-5-nano', name: 'GPT-5 nano', contextLength: 400_000, maxOutput: 128_000, input: 0.05, output: 0.4, cachedInput: 0.005, aliases: ['gpt-5-nano-2025-08-07'] },
  { id: 'openai/gpt-4.1', name: 'GPT-4.1', contextLength: 1_047_576, maxOutput: 32_768, input: 2, output: 8, cachedInput: 0.5, aliases: ['gpt-4.1-2025-04-14'] },
  { id: 'openai/gpt-4.1-mini', name: 'GPT-4.1 mini', contextLength: 1_047_576, maxOutput: 32_768, input: 0.4, output: 1.6, cachedInput: 0.1, aliases: ['gpt-4.1-mini-2025-04-14'] },
  { id: 'openai/gpt-4.1-nano', name: 'GPT-4.1 nano', contextLength: 1_047_576, maxOutput: 32_768, input: 0.1, output: 0.4, cachedInput: 0.025, aliases: ['gpt-4.1-nano-2025-04-14'] },
  { id: 'openai/gpt-4o', name: 'GPT-4o', contextLength: 128_000, maxOutput: 16_384, input: 2.5, output: 10, cachedInput: 1.25, aliases: ['gpt-4o-2024-08-06', 'gpt-4o-2024-11-20'] },
  { id: 'openai/gpt-4o-mini', name: 'GPT-4o mini', contextLength: 128_000, maxOutput: 16_384, input: 0.15, output: 0.6, cachedInput: 0.075, aliases: ['gpt-4o-mini-2024-07-18'] },
  { id: 'openai/o3', name: 'o3', contextLength: 200_000, maxOutput: 100_000, input: 2, output: 8, cachedInput: 0.5, aliases: ['o3-2025-04-16'] },
  { id: 'openai/o4-mini', name: 'o4-mini', contextLength: 200_000, maxOutput: 100_000, input: 1.1, output: 4.4, cachedInput: 0.275, aliases: ['o4-mini-2025-04-16'] },
  { id: 'openai/o3-mini', name: 'o3-mini', contextLength: 200_000, maxOutput: 100_000, input: 1.1, output: 4.4, cachedInput: 0.55, aliases: ['o3-mini-2025-01-31'] },
  { id: 'openai/o1', name: 'o1', contextLength: 200_000, maxOutput: 100_000, input: 15, output: 60, cachedInput: 7.5, aliases: ['o1-2024-12-17'] },

  // ── Anthropic (dated ids; the API's short aliases and OpenRouter's slugs map here) ──
  { id: 'anthropic/claude-opus-4-5-20251101', name: 'Claude Opus 4.5', contextLength: 200_000, maxOutput: 64_000, input: 5, output: 25, cachedInput: 0.5, aliases: ['claude-opus-4-5'], openrouter: 'anthropic/claude-opus-4.5' },
  { id: 'anthropic/claude-sonnet-4-5-20250929', name: 'Claude Sonnet 4.5', contextLength: 200_000, maxOutput: 64_000, input: 3, output: 15, cachedInput: 0.3, aliases: ['claude-sonnet-4-5'], openrouter: 'anthropic/claude-sonnet-4.5' },
  { id: 'anthropic/claude-haiku-4-5-20251001', name: 'Claude Haiku 4.5', contextLength: 200_000, maxOutput: 64_000, input: 1, output: 5, cachedInput: 0.1, aliases: ['claude-haiku-4-5'], openrouter: 'anthropic/claude-haiku-4.5' },
  { id: 'anthropic/claude-opus-4-1-20250805', name: 'Claude Opus 4.1', contextLength: 200_000, maxOutput: 32_000, input: 15, output: 75, cachedInput: 1.5, aliases: ['claude-opus-4-1'], openrouter: 'anthropic/claude-opus-4.1' },
  { id: 'anthropic/claude-opus-4-20250514', name: 'Claude Opus 4', contextLength: 200_000, maxOutput: 32_000, input: 15, output: 75, cachedInput: 1.5, aliases: ['claude-opus-4-0', 'claude-opus-4'], openrouter: 'anthropic/claude-opus-4' },
  { id: 'anthropic/claude-sonnet-4-20250514', name: 'Claude Sonnet 4', contextLength: 200_000, maxOutput: 64_000, input: 3, output: 15, cachedInput: 0.3, aliases: ['claude-sonnet-4-0', 'claude-sonnet-4'], openrouter: 'anthropic/claude-sonnet-4' },
  { id: 'anthropic/claude-3-7-sonnet-20250219', name: 'Claude Sonnet 3.7', contextLength: 200_000, maxOutput: 64_000, input: 3, output: 15, cachedInput: 0.3, aliases: ['claude-3-7-sonnet-latest', 'claude-3-7-sonnet'], openrouter: 'anthropic/claude-3.7-sonnet' },
  { id: 'anthropic/claude-3-5-haiku-20241022', name: 'Claude Haiku 3.5', contextLength: 200_000, maxOutput: 8_192, input: 0.8, output: 4, cachedInput: 0.08, aliases: ['claude-3-5-haiku-latest', 'claude-3-5-haiku'], openrouter: 'anthropic/claude-3.5-haiku' },
  { id: 'anthropic/claude-3-opus-20240229', name: 'Claude Opus 3', contextLength: 200_000, maxOutput: 4_096, input: 15, output: 75, cachedInput: 1.5, aliases: ['claude-3-opus-latest', 'claude-3-opus'], openrouter: 'anthropic/claude-3-opus' },

  // ── Google Gemini (≤200k-token prompt tier) ─────────────────────────────
  { id: 'google/gemini-3-pro-preview', name: 'Gemini 3 Pro (preview)', contextLength: 1_048_576, maxOutput: 65_536, input: 2, output: 12, cachedInput: 0.2 },
  { id: 'google/gemini-2.5-pro', name: 'Gemini 2.5 Pro', contextLength: 1_048_576, maxOutput: 65_536, input: 1.25, output: 10, cachedInput: 0.31 },
  { id: 'google/gemini-2.5-flash', name: 'Gemini 2.5 Flash', contextLength: 1_048_576, maxOutput: 65_536, input: 0.3, output: 2.5, cachedInput: 0.075 },
  { id: 'google/gemini-2.5-flash-lite', name: 'Gemini 2.5 Flash-Lite', contextLength: 1_048_576, maxOutput: 65_536, input: 0.1, output: 0.4, cachedInput: 0.025 },
  { id: 'google/gemini-2.0-flash', name: 'Gemini 2.0 Flash', contextLength: 1_048_576, maxOutput: 8_192, input: 0.1, output: 0.4, cachedInput: 0.025, aliases: ['gemini-2.0-flash-001'], openrouter: 'google/gemini-2.0-flash-001' },
  { id: 'google/gemini-2.0-flash-lite', name: 'Gemini 2.0 Flash-Lite', contextLength: 1_048_576, maxOutput: 8_192, input: 0.075, output: 0.3, aliases: ['gemini-2.0-flash-lite-001'], openrouter: 'google/gemini-2.0-flash-lite-001' },

  // ── Mistral ────────────────────────────────────────────────────────────
  { id: 'mistral/mistral-large-latest', name: 'Mistral Large', contextLength: 131_072, input: 2, output: 6, openrouter: 'mistralai/mistral-large' },
  { id: 'mistral/mistral-medium-latest', name: 'Mistral Medium 3', contextLength: 131_072, input: 0.4, output: 2, openrouter: 'mistralai/mistral-medium-3' },
  { id: 'mistral/mistral-small-latest', name: 'Mistral Small', contextLength: 131_072, input: 0.1, output: 0.3, openrouter: null },
  { id: 'mistral/codestral-latest', name: 'Codestral', contextLength: 256_000, input: 0.3, output: 0.9, openrouter: null },
  { id: 'mistral/ministral-8b-latest', name: 'Ministral 8B', contextLength: 131_072, input: 0.1, output: 0.1, openrouter: 'mistralai/ministral-8b' },

  // ── Groq (open models at Groq's prices; OpenRouter routes these elsewhere) ──
  { id: 'groq/llama-3.3-70b-versatile', name: 'Llama 3.3 70B Versatile (Groq)', contextLength: 131_072, maxOutput: 32_768, input: 0.59, output: 0.79, openrouter: null },
  { id: 'groq/llama-3.1-8b-instant', name: 'Llama 3.1 8B Instant (Groq)', contextLength: 131_072, maxOutput: 131_072, input: 0.05, output: 0.08, openrouter: null },
  { id: 'groq/openai/gpt-oss-120b', name: 'gpt-oss-120b (Groq)', contextLength: 131_072, input: 0.15, output: 0.75, openrouter: null },

  // ── DeepSeek (V3.2 behind both names) ───────────────────────────────────
  { id: 'deepseek/deepseek-chat', name: 'DeepSeek V3.2 (chat)', contextLength: 128_000, maxOutput: 8_192, input: 0.28, output: 0.42, cachedInput: 0.028, openrouter: null },
  { id: 'deepseek/deepseek-reasoner', name: 'DeepSeek V3.2 (reasoner)', contextLength: 128_000, maxOutput: 65_536, input: 0.28, output: 0.42, cachedInput: 0.028, openrouter: null },

  // ── xAI ────────────────────────────────────────────────────────────────
  { id: 'xai/grok-4', name: 'Grok 4', contextLength: 256_000, input: 3, output: 15, cachedInput: 0.75, aliases: ['grok-4-0709'], openrouter: 'x-ai/grok-4' },
  { id: 'xai/grok-4-fast-reasoning', name: 'Grok 4 Fast', contextLength: 2_000_000, input: 0.2, output: 0.5, cachedInput: 0.05, openrouter: 'x-ai/grok-4-fast' },
  { id: 'xai/grok-code-fast-1', name: 'Grok Code Fast 1', contextLength: 256_000, input: 0.2, output: 1.5, cachedInput: 0.02, openrouter: 'x-ai/grok-code-fast-1' },
  { id: 'xai/grok-3', name: 'Grok 3', contextLength: 131_072, input: 3, output: 15, cachedInput: 0.75, openrouter: 'x-ai/grok-3' },
  { id: 'xai/grok-3-mini', name: 'Grok 3 mini', contextLength: 131_072, input: 0.3, output: 0.5, cachedInput: 0.075, openrouter: 'x-ai/grok-3-mini' },
];

/** Provider ids that name the same vendor (mirrors the preset aliases). */
const PROVIDER_ALIASES: Record<string, string> = { gemini: 'google' };

function buildIndex(): Map<string, SnapshotModel> {
  const index = new Map<string, SnapshotModel>();
  const add = (key: string, entry: SnapshotModel): void => {
    if (!index.has(key)) index.set(key, entry);
  };
  // Canonical ids first so an alias can never shadow another entry's id.
  for (const e of SNAPSHOT) add(e.id, e);
  for (const e of SNAPSHOT) {
    const provider = e.id.slice(0, e.id.indexOf('/'));
    for (const a of e.aliases ?? []) add(`${provider}/${a}`, e);
    const slug = openrouterSlugOf(e);
    if (slug) add(slug, e);
  }
  return index;
}

let index: Map<string, SnapshotModel> | null = null;

/** The snapshot entry for an id: its canonical id, an alias (`anthropic/claude-sonnet-4-0`) or its OpenRouter slug. */
export function findSnapshot(id: string): SnapshotModel | undefined {
  index ??= buildIndex();
  const hit = index.get(id);
  if (hit) return hit;
  const slash = id.indexOf('/');
  const alias = slash > 0 ? PROVIDER_ALIASES[id.slice(0, slash)] : undefined;
  return alias ? index.get(`${alias}${id.slice(slash)}`) : undefined;
}

/** The OpenRouter slug of a snapshot entry, or null when it has no known equivalent there. */
export function openrouterSlugOf(e: SnapshotModel): string | null {
  return e.openrouter === undefined ? e.id : e.openrouter;
}

export function snapshotPrice(e: SnapshotModel): Price {
  return e.cachedInput === undefined ? { input: e.input, output: e.output } : { input: e.input, output: e.output, cachedInput: e.cachedInput };
}
