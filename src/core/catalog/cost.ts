/**
 * Cost arithmetic. Prices are USD per 1M tokens (see PriceSchema). A cost is null whenever
 * a price or a token count is unknown: never a guessed 0.
 */
import type { Price } from '../config.ts';
import type { ChatMessage, ContentPart, Usage } from '../types.ts';

const PER = 1_000_000;

/** Round away binary-float noise (0.1 + 0.2) without losing sub-cent precision. */
function clean(n: number): number {
  return n === 0 ? 0 : Number(n.toPrecision(12));
}

function isCount(n: number | null | undefined): n is number {
  return typeof n === 'number' && Number.isFinite(n) && n >= 0;
}

/** The flat rates that apply to a request whose prompt has `promptTokens` tokens (the highest tier it passes). */
export function ratesFor(price: Price, promptTokens: number): Omit<Price, 'tiers'> {
  const { tiers, ...base } = price;
  let rates = base;
  for (const t of tiers ?? []) {
    if (promptTokens > t.above) {
      const { above: _above, ...r } = t;
      rates = { ...base, ...r };
    }
  }
  return rates;
}

/** Each rate as charged, an unset cache rate at what it falls back to (see computeCost). */
function effectiveRates(
  price: Price,
  promptTokens: number,
): Record<'input' | 'output' | 'cachedInput' | 'cacheWrite5m' | 'cacheWrite1h' | 'inputAudio' | 'outputAudio', number> {
  const r = ratesFor(price, promptTokens);
  const cacheWrite5m = r.cacheWrite5m ?? r.input;
  return {
    input: r.input,
    output: r.output,
    cachedInput: r.cachedInput ?? r.input,
    cacheWrite5m,
    cacheWrite1h: r.cacheWrite1h ?? cacheWrite5m,
    inputAudio: r.inputAudio ?? r.input,
    outputAudio: r.outputAudio ?? r.output,
  };
}

/**
 * Where `price` charges less than `than`, at any prompt size (every tier of either): "input 2.5 → 0",
 * "output above 200000 15 → 10". Empty when `price` is nowhere cheaper.
 */
export function cheaperRates(price: Price, than: Price): string[] {
  const sizes = [0, ...(price.tiers ?? []).map((t) => t.above + 1), ...(than.tiers ?? []).map((t) => t.above + 1)];
  const out = new Map<string, string>();
  for (const size of [...new Set(sizes)].sort((a, b) => a - b)) {
    const mine = effectiveRates(price, size);
    const theirs = effectiveRates(than, size);
    for (const k of Object.keys(mine) as (keyof typeof mine)[]) {
      const key = size === 0 ? k : `${k} above ${size - 1}`;
      if (mine[k] < theirs[k] && !out.has(k)) out.set(k, `${key} ${theirs[k]} → ${mine[k]}`);
    }
  }
  // A search price left out makes searches unpriced (the cost an estimate of the tokens only).
  if (than.webSearch !== undefined && !(price.webSearch !== undefined && price.webSearch >= than.webSearch))
    out.set('webSearch', `webSearch ${than.webSearch} → ${price.webSearch ?? 'none'}`);
  return [...out.values()];
}

/**
 * The USD cost of one answer.
 *
 * - A cost the provider reported (OpenRouter's `usage.cost`) wins when it is a finite, non-negative number.
 * - Otherwise price × tokens, at the tier the prompt size selects (every token of the request at
 *   that tier's rates). `inputTokens` is the whole prompt: its cache reads are charged at
 *   `cachedInput`, its 5-minute / 1-hour cache writes at `cacheWrite5m` / `cacheWrite1h`, the rest
 *   (tool-use prompt tokens included) at `input`. An unset cache price falls back to `input`.
 * - Audio tokens (parts of `inputTokens` / `outputTokens`) at `inputAudio` / `outputAudio`; a price
 *   without them charges audio as text (see audioPricedAsText: that cost is an estimate).
 * - Reasoning tokens are already part of `outputTokens` (every adapter counts them there) and are not charged again.
 * - Hosted web searches (`webSearches`) at `webSearch` each.
 * - null when the price is unknown or the input/output count is missing, or when there were web
 *   searches and the price has no per-search price (the answer's cost is then estimated: never a guessed 0).
 */
export function computeCost(usage: Usage, price: Price | null, providerCostUsd?: number | null): number | null {
  if (typeof providerCostUsd === 'number' && Number.isFinite(providerCostUsd) && providerCostUsd >= 0) return providerCostUsd;
  if (!price) return null;
  const { inputTokens, outputTokens } = usage;
  if (!isCount(inputTokens) || !isCount(outputTokens)) return null;
  const r = ratesFor(price, inputTokens);
  // Parts of the prompt, each clamped so they never add up to more than the prompt.
  let left = inputTokens;
  const take = (n: number | null | undefined): number => {
    const t = isCount(n) ? Math.min(n, left) : 0;
    left -= t;
    return t;
  };
  const cached = take(usage.cachedInputTokens);
  const write5m = take(usage.cacheWrite5mTokens);
  const write1h = take(usage.cacheWrite1hTokens);
  const audioIn = take(usage.inputAudioTokens);
  const audioOut = isCount(usage.outputAudioTokens) ? Math.min(usage.outputAudioTokens, outputTokens) : 0;
  const w5Rate = r.cacheWrite5m ?? r.input;
  const w1Rate = r.cacheWrite1h ?? w5Rate;
  const searches = isCount(usage.webSearches) ? usage.webSearches : 0;
  if (searches > 0 && price.webSearch === undefined) return null;
  const prompt = left * r.input + cached * (r.cachedInput ?? r.input) + write5m * w5Rate + write1h * w1Rate + audioIn * (r.inputAudio ?? r.input);
  const answer = (outputTokens - audioOut) * r.output + audioOut * (r.outputAudio ?? r.output);
  const tokens = (prompt + answer) / PER;
  return clean(tokens + searches * (price.webSearch ?? 0));
}

/**
 * The audio tokens of `usage` that `price` has no audio rate for, so computeCost charged them as
 * text and its cost is an estimate: "1200 audio prompt tokens and 300 audio answer tokens"; null when none.
 */
export function audioPricedAsText(usage: Usage, price: Price | null): string | null {
  if (!price) return null;
  const r = ratesFor(price, isCount(usage.inputTokens) ? usage.inputTokens : 0);
  const parts: string[] = [];
  if (isCount(usage.inputAudioTokens) && usage.inputAudioTokens > 0 && r.inputAudio === undefined) parts.push(`${usage.inputAudioTokens} audio prompt tokens`);
  if (isCount(usage.outputAudioTokens) && usage.outputAudioTokens > 0 && r.outputAudio === undefined)
    parts.push(`${usage.outputAudioTokens} audio answer tokens`);
  return parts.length > 0 ? parts.join(' and ') : null;
}

/**
 * A forecast for budgets and "cheapest" routing: the prompt at the uncached input price and the
 * expected answer at the output price, at the tier the prompt size selects.
 * Returns null only when the price is null.
 */
export function estimateCost(inputTokens: number, outputTokens: number, price: Price): number;
export function estimateCost(inputTokens: number, outputTokens: number, price: Price | null): number | null;
export function estimateCost(inputTokens: number, outputTokens: number, price: Price | null): number | null {
  if (!price) return null;
  const i = Math.max(0, inputTokens || 0);
  const o = Math.max(0, outputTokens || 0);
  const r = ratesFor(price, i);
  return clean((i * r.input + o * r.output) / PER);
}

/** Scripts whose characters are roughly a token each (CJK ideographs, kana, hangul). */
const WIDE = /[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]/g;

/**
 * A cheap token estimate, no tokenizer: ~4 characters per token for Latin-script text and
 * code (the usual rule of thumb for BPE tokenizers), ~1 token per CJK/kana/hangul character.
 * Rounded up, so any non-empty text is at least 1 token. Good for budgets and context checks,
 * not for billing.
 */
export function estimateTokens(text: string): number {
  if (!text) return 0;
  const wide = text.match(WIDE)?.length ?? 0;
  return Math.ceil((text.length - wide) / 4) + wide;
}

/** Per-message framing overhead (role markers, separators) that chat templates add. */
const MESSAGE_OVERHEAD = 4;
/**
 * A typical image: OpenAI's 85-token base for `low` detail; a 1024² tile set for `auto`/`high`.
 * `original` (OpenAI's not-downscaled detail) is billed by 32px patches, one token each, capped at
 * 10,000 patches per image (OpenAI's images-and-vision guide, "model sizing behavior"): that cap is
 * the honest upper bound, since the image's size is not decoded here.
 */
const IMAGE_TOKENS = { low: 85, high: 765, original: 10_000 } as const;

function partTokens(p: ContentPart): number {
  switch (p.type) {
    case 'text':
    case 'reasoning':
      return estimateTokens(p.text);
    case 'image':
      return p.detail === 'low' ? IMAGE_TOKENS.low : p.detail === 'original' ? IMAGE_TOKENS.original : IMAGE_TOKENS.high;
    case 'file':
      // base64 is 4/3 of the bytes; a PDF page of text is ~1.5 tokens a byte at worst: a rough bound.
      return Math.ceil(p.data.length / 4);
    case 'tool-call':
      return estimateTokens(p.name) + estimateTokens(p.arguments);
    case 'tool-result':
      return typeof p.content === 'string' ? estimateTokens(p.content) : p.content.reduce((n, c) => n + partTokens(c), 0);
  }
}

/** estimateTokens over a conversation: every message's text, plus framing and images. */
export function estimateMessageTokens(messages: readonly ChatMessage[]): number {
  let n = 0;
  for (const m of messages) {
    n += MESSAGE_OVERHEAD;
    if (typeof m.content === 'string') n += estimateTokens(m.content);
    else for (const p of m.content) n += partTokens(p);
  }
  return n;
}
