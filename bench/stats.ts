/** Small numeric and formatting helpers for the benchmark report. */

export function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((x, y) => x - y);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export const median = (values: number[]): number => quantile(values, 0.5);

export interface Summary {
  median: number;
  min: number;
  p90: number;
  max: number;
  n: number;
}

export function summarize(values: number[]): Summary {
  return { median: median(values), min: Math.min(...values), p90: quantile(values, 0.9), max: Math.max(...values), n: values.length };
}

export const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;

export const ms = (x: number, digits = 1): string => `${x.toFixed(digits)} ms`;

export const ratio = (x: number): string => `${x.toFixed(2)}×`;

export function pad(s: string, width: number, right = false): string {
  return right ? s.padStart(width) : s.padEnd(width);
}

/** A fixed-width text table: first column left-aligned, the others right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string =>
    r
      .map((c, i) => pad(c, widths[i]!, i > 0))
      .join('   ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('   '), ...rows.map(line)].join('\n');
}

export const verdict = (ok: boolean): string => (ok ? 'PASS' : 'MISS');
