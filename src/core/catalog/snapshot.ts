/**
 * A built-in snapshot of popular models: names, context windows, aliases and OpenRouter slugs.
 * It is what the catalog knows about models with no network; `Catalog.refresh()` adds the
 * providers' live model lists. Prices are not here: they come from the price database
 * (priceDb.ts, `@pydantic/genai-prices`), OpenRouter's live list and `config.pricing`.
 */

/** When these names and context windows were taken. */
export const SNAPSHOT_DATE = '2025-12-15';

export interface SnapshotModel {
  /** `provider/model`, where provider is a preset id and model is what the vendor's own API accepts. */
  id: string;
  name: string;
  contextLength: number;
  maxOutput?: number;
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
  { id: 'openai/gpt-5.2', name: 'GPT-5.2', contextLength: 400_000, maxOutput: 128_000, aliases: ['gpt-5.2-2025-12-11'] },
  { id: 'openai/gpt-5.1', name: 'GPT-5.1', contextLength: 400_000, maxOutput: 128_000 },
  { id: 'openai/gpt-5', name: 'GPT-5', contextLength: 400_000, maxOutput: 128_000, aliases: ['gpt-5-2025-08-07'] },
  { id: 'openai/gpt-5-mini', name: 'GPT-5 mini', contextLength: 400_000, maxOutput: 128_000, aliases: ['gpt-5-mini-2025-08-07'] },
  { id: 'openai/gpt-5-nano', name: 'GPT-5 nano', contextLength: 400_000, maxOutput: 128_000, aliases: ['gpt-5-nano-2025-08-07'] },
  { id: 'openai/gpt-4.1', name: 'GPT-4.1', contextLength: 1_047_576, maxOutput: 32_768, aliases: ['gpt-4.1-2025-04-14'] },
  { id: 'openai/gpt-4.1-mini', name: 'GPT-4.1 mini', contextLength: 1_047_576, maxOutput: 32_768, aliases: ['gpt-4.1-mini-2025-04-14'] },
  { id: 'openai/gpt-4.1-nano', name: 'GPT-4.1 nano', contextLength: 1_047_576, maxOutput: 32_768, aliases: ['gpt-4.1-nano-2025-04-14'] },
  { id: 'openai/gpt-4o', name: 'GPT-4o', contextLength: 128_000, maxOutput: 16_384, aliases: ['gpt-4o-2024-08-06', 'gpt-4o-2024-11-20'] },
  { id: 'openai/gpt-4o-mini', name: 'GPT-4o mini', contextLength: 128_000, maxOutput: 16_384, aliases: ['gpt-4o-mini-2024-07-18'] },
  { id: 'openai/o3', name: 'o3', contextLength: 200_000, maxOutput: 100_000, aliases: ['o3-2025-04-16'] },
  { id: 'openai/o4-mini', name: 'o4-mini', contextLength: 200_000, maxOutput: 100_000, aliases: ['o4-mini-2025-04-16'] },
  { id: 'openai/o3-mini', name: 'o3-mini', contextLength: 200_000, maxOutput: 100_000, aliases: ['o3-mini-2025-01-31'] },
  { id: 'openai/o1', name: 'o1', contextLength: 200_000, maxOutput: 100_000, aliases: ['o1-2024-12-17'] },

  // ── Anthropic (dated ids; the API's short aliases and OpenRouter's slugs map here) ──
  { id: 'anthropic/claude-opus-4-5-20251101', name: 'Claude Opus 4.5', contextLength: 200_000, maxOutput: 64_000, aliases: ['claude-opus-4-5'], openrouter: 'anthropic/claude-opus-4.5' },
  { id: 'anthropic/claude-sonnet-4-5-20250929', name: 'Claude Sonnet 4.5', contextLength: 200_000, maxOutput: 64_000, aliases: ['claude-sonnet-4-5'], openrouter: 'anthropic/claude-sonnet-4.5' },
  { id: 'anthropic/claude-haiku-4-5-20251001', name: 'Claude Haiku 4.5', contextLength: 200_000, maxOutput: 64_000, aliases: ['claude-haiku-4-5'], openrouter: 'anthropic/claude-haiku-4.5' },
  { id: 'anthropic/claude-opus-4-1-20250805', name: 'Claude Opus 4.1', contextLength: 200_000, maxOutput: 32_000, aliases: ['claude-opus-4-1'], openrouter: 'anthropic/claude-opus-4.1' },
  { id: 'anthropic/claude-opus-4-20250514', name: 'Claude Opus 4', contextLength: 200_000, maxOutput: 32_000, aliases: ['claude-opus-4-0', 'claude-opus-4'], openrouter: 'anthropic/claude-opus-4' },
  { id: 'anthropic/claude-sonnet-4-20250514', name: 'Claude Sonnet 4', contextLength: 200_000, maxOutput: 64_000, aliases: ['claude-sonnet-4-0', 'claude-sonnet-4'], openrouter: 'anthropic/claude-sonnet-4' },
  { id: 'anthropic/claude-3-7-sonnet-20250219', name: 'Claude Sonnet 3.7', contextLength: 200_000, maxOutput: 64_000, aliases: ['claude-3-7-sonnet-latest', 'claude-3-7-sonnet'], openrouter: 'anthropic/claude-3.7-sonnet' },
  { id: 'anthropic/claude-3-5-haiku-20241022', name: 'Claude Haiku 3.5', contextLength: 200_000, maxOutput: 8_192, aliases: ['claude-3-5-haiku-latest', 'claude-3-5-haiku'], openrouter: 'anthropic/claude-3.5-haiku' },
  { id: 'anthropic/claude-3-opus-20240229', name: 'Claude Opus 3', contextLength: 200_000, maxOutput: 4_096, aliases: ['claude-3-opus-latest', 'claude-3-opus'], openrouter: 'anthropic/claude-3-opus' },

  // ── Google Gemini (≤200k-token prompt tier) ─────────────────────────────
  { id: 'google/gemini-3-pro-preview', name: 'Gemini 3 Pro (preview)', contextLength: 1_048_576, maxOutput: 65_536 },
  { id: 'google/gemini-2.5-pro', name: 'Gemini 2.5 Pro', contextLength: 1_048_576, maxOutput: 65_536 },
  { id: 'google/gemini-2.5-flash', name: 'Gemini 2.5 Flash', contextLength: 1_048_576, maxOutput: 65_536 },
  { id: 'google/gemini-2.5-flash-lite', name: 'Gemini 2.5 Flash-Lite', contextLength: 1_048_576, maxOutput: 65_536 },
  { id: 'google/gemini-2.0-flash', name: 'Gemini 2.0 Flash', contextLength: 1_048_576, maxOutput: 8_192, aliases: ['gemini-2.0-flash-001'], openrouter: 'google/gemini-2.0-flash-001' },
  { id: 'google/gemini-2.0-flash-lite', name: 'Gemini 2.0 Flash-Lite', contextLength: 1_048_576, maxOutput: 8_192, aliases: ['gemini-2.0-flash-lite-001'], openrouter: 'google/gemini-2.0-flash-lite-001' },

  // ── Mistral ────────────────────────────────────────────────────────────
  { id: 'mistral/mistral-large-latest', name: 'Mistral Large', contextLength: 131_072, openrouter: 'mistralai/mistral-large' },
  { id: 'mistral/mistral-medium-latest', name: 'Mistral Medium 3', contextLength: 131_072, openrouter: 'mistralai/mistral-medium-3' },
  { id: 'mistral/mistral-small-latest', name: 'Mistral Small', contextLength: 131_072, openrouter: null },
  { id: 'mistral/codestral-latest', name: 'Codestral', contextLength: 256_000, openrouter: null },
  { id: 'mistral/ministral-8b-latest', name: 'Ministral 8B', contextLength: 131_072, openrouter: 'mistralai/ministral-8b' },

  // ── Groq (open models at Groq's prices; OpenRouter routes these elsewhere) ──
  { id: 'groq/llama-3.3-70b-versatile', name: 'Llama 3.3 70B Versatile (Groq)', contextLength: 131_072, maxOutput: 32_768, openrouter: null },
  { id: 'groq/llama-3.1-8b-instant', name: 'Llama 3.1 8B Instant (Groq)', contextLength: 131_072, maxOutput: 131_072, openrouter: null },
  { id: 'groq/openai/gpt-oss-120b', name: 'gpt-oss-120b (Groq)', contextLength: 131_072, openrouter: null },

  // ── DeepSeek (V3.2 behind both names) ───────────────────────────────────
  { id: 'deepseek/deepseek-chat', name: 'DeepSeek V3.2 (chat)', contextLength: 128_000, maxOutput: 8_192, openrouter: null },
  { id: 'deepseek/deepseek-reasoner', name: 'DeepSeek V3.2 (reasoner)', contextLength: 128_000, maxOutput: 65_536, openrouter: null },

  // ── xAI ────────────────────────────────────────────────────────────────
  { id: 'xai/grok-4', name: 'Grok 4', contextLength: 256_000, aliases: ['grok-4-0709'], openrouter: 'x-ai/grok-4' },
  { id: 'xai/grok-4-fast-reasoning', name: 'Grok 4 Fast', contextLength: 2_000_000, openrouter: 'x-ai/grok-4-fast' },
  { id: 'xai/grok-code-fast-1', name: 'Grok Code Fast 1', contextLength: 256_000, openrouter: 'x-ai/grok-code-fast-1' },
  { id: 'xai/grok-3', name: 'Grok 3', contextLength: 131_072, openrouter: 'x-ai/grok-3' },
  { id: 'xai/grok-3-mini', name: 'Grok 3 mini', contextLength: 131_072, openrouter: 'x-ai/grok-3-mini' },
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
