/** Small text formatters shared by the switcher, the status bar and the views. Pure. */
import type { Price } from '../core/config.ts';

/**
 * Dollars for people: "$12.34", "$0.05", "$0.0012", "$0.000034"; "—" when unknown.
 * Amounts under a cent keep two significant digits; under a millionth of a dollar show as "<$0.000001".
 */
export function formatUsd(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  if (n === 0) return '$0.00';
  const sign = n < 0 ? '-' : '';
  const a = Math.abs(n);
  if (a >= 1) return `${sign}$${a.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  if (a < 0.000001) return `${sign}<$0.000001`;
  const decimals = a >= 0.01 ? 4 : Math.min(8, Math.ceil(-Math.log10(a)) + 1);
  let s = a.toFixed(decimals).replace(/0+$/, '');
  const dot = s.indexOf('.');
  if (s.length - dot - 1 < 2) s = a.toFixed(2); // keep at least cents: "$0.50", not "$0.5"
  return `${sign}$${s}`;
}

/**
 * What a model whose use is included in a subscription (VS Code's own models, Copilot's) shows
 * instead of a price or a cost: never "$0" (nothing says it is free), never "unknown".
 */
export const INCLUDED_LABEL = 'included in your subscription';

/** A cost, "~$0.0012" when it is an estimate (tokens streamed × prices: cut off before the provider counted). */
export function formatMaybeEstimated(usd: number | null | undefined, estimated: boolean | undefined): string {
  return estimated === true && usd !== null && usd !== undefined ? `~${formatUsd(usd)}` : formatUsd(usd);
}

/** A test set's cost for a model: "$0.0040", "~$0.0040" when some of it is estimated, "(+2 unknown)" for cells with no cost. */
export function formatEvalCost(t: { costUsd: number; unknownCost: number; estimatedCost?: number }): string {
  return formatMaybeEstimated(t.costUsd, (t.estimatedCost ?? 0) > 0) + (t.unknownCost ? ` (+${t.unknownCost} unknown)` : '');
}

/** A cost for a table cell: "included" for such a model, else formatUsd. */
export function formatCost(usd: number | null | undefined, included?: boolean): string {
  return included ? 'included' : formatUsd(usd);
}

/**
 * A running total: "$1.23", "$1.23 (+2 unpriced)", "$1.23 (+3 included)", or just "included" when
 * every request was to a model included in a subscription (never "$0.00" for those).
 */
export function formatSpend(usd: number, unpriced: number, included = 0): string {
  if (included > 0 && usd === 0 && unpriced === 0) return 'included';
  return `${formatUsd(usd)}${unpriced ? ` (+${unpriced} unpriced)` : ''}${included ? ` (+${included} included)` : ''}`;
}

/** "+$0.0012 (+4.1%)": how far our computed figure is from what the provider billed ("same" within a millionth). */
export function costDifference(billed: number, computed: number): string {
  const d = computed - billed;
  if (Math.abs(d) < 0.000001) return 'same';
  const pct = billed > 0 ? ` (${d > 0 ? '+' : ''}${((d / billed) * 100).toFixed(1)}%)` : '';
  return `${d > 0 ? '+' : '-'}${formatUsd(Math.abs(d))}${pct}`;
}

/** "128K context", or "context unknown" (never a bare "?"). */
export function formatContextPhrase(n: number | null): string {
  const c = formatContext(n);
  return c === 'unknown' ? 'context unknown' : `${c} context`;
}

/** 128000 → "128K", 1048576 → "1M", 2000000 → "2M", null → "unknown". */
export function formatContext(n: number | null): string {
  if (n === null || !Number.isFinite(n) || n <= 0) return 'unknown';
  if (n >= 1_000_000) {
    const m = n / 1_048_576 >= 1 && n % 1_048_576 === 0 ? n / 1_048_576 : n / 1_000_000;
    return `${Number(m.toFixed(m < 10 ? 1 : 0))}M`;
  }
  if (n >= 1000) return `${Math.round(n / 1000)}K`;
  return String(n);
}

/** USD per 1M tokens, short: 0.15 → "$0.15", 0.6 → "$0.60", 3 → "$3", 0.0375 → "$0.0375". */
export function formatPerMillion(n: number): string {
  if (n === 0) return '$0';
  if (Number.isInteger(n)) return `$${n}`;
  if (Math.abs(n * 100 - Math.round(n * 100)) < 1e-9) return `$${n.toFixed(2)}`;
  return `$${Number(n.toPrecision(4))}`;
}

/** "$0.15 in / $0.60 out per 1M", "… (more above 200K prompt tokens)", "free", or "price unknown". */
export function formatPrice(p: Price | null): string {
  if (!p) return 'price unknown';
  if (p.input === 0 && p.output === 0 && !p.tiers?.length) return 'free';
  const tier = p.tiers?.[0];
  return `${formatPerMillion(p.input)} in / ${formatPerMillion(p.output)} out per 1M${tier ? ` (more above ${formatContext(tier.above)} prompt tokens)` : ''}`;
}

/** 850 → "850 ms", 1234 → "1.2 s". */
export function formatMs(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
