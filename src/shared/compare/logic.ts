/**
 * The comparison's pure logic (no 'vscode'; the webview imports parts of it too): validating a
 * set-up, blind labels, ranking finished columns, the vote scoreboard, and the export formats.
 */
import { formatCost } from '../format.ts';
import { MAX_COMPARE_MODELS, MIN_COMPARE_MODELS, type Column, type Run, type Score } from '../protocol/compare.ts';
import { sentence } from '../errorText.ts';
import { errorTitle } from './view.ts';

/** Why a comparison cannot start, or null when it can. */
export function validateSetup(models: readonly string[], prompt: string): string | null {
  if (!prompt.trim()) return 'Write a prompt first.';
  if (models.length < MIN_COMPARE_MODELS) return `Pick at least ${MIN_COMPARE_MODELS} models (${models.length} picked).`;
  if (models.length > MAX_COMPARE_MODELS) return `Pick at most ${MAX_COMPARE_MODELS} models (${models.length} picked).`;
  const dup = models.find((m, i) => models.indexOf(m) !== i);
  if (dup) return `${dup} is picked twice; pick each model once.`;
  return null;
}

/** "Answer A", "Answer B", … */
export function blindLabel(i: number): string {
  return `Answer ${String.fromCharCode(65 + i)}`;
}

/** A shuffled copy (Fisher–Yates); `random` is injectable for tests. */
export function shuffled<T>(items: readonly T[], random: () => number = Math.random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

type Rankable = Pick<Column, 'status' | 'costUsd' | 'totalMs' | 'ttftMs' | 'outputTokens' | 'text'>;

export interface Ranking {
  /** Indices of finished columns, best first, by each measure (columns without the figure last, out of the ranking). */
  cost: number[];
  total: number[];
  ttft: number[];
  /** Longest answer first (output tokens, else characters). */
  length: number[];
  cheapest: number | null;
  fastest: number | null;
  firstToken: number | null;
  /** Each column's place by each measure (equal figures share a place: 1, 1, 3); null when not ranked. */
  place: Record<'cost' | 'total' | 'ttft' | 'length', (number | null)[]>;
}

/** Competition ranking over an ordered list: a column's place is 1 + how many are strictly better. */
function places(n: number, ordered: number[], value: (i: number) => number): (number | null)[] {
  const out: (number | null)[] = Array.from({ length: n }, () => null);
  ordered.forEach((i, pos) => {
    const prev = pos > 0 ? ordered[pos - 1]! : -1;
    out[i] = pos > 0 && value(prev) === value(i) ? out[prev]! : pos + 1;
  });
  return out;
}

function order(cols: readonly Rankable[], done: number[], value: (c: Rankable) => number | null, descending = false): number[] {
  return done
    .filter((i) => value(cols[i]!) !== null)
    .sort((a, b) => {
      const d = value(cols[a]!)! - value(cols[b]!)!;
      return (descending ? -d : d) || a - b;
    });
}

/** Only a strict winner gets a badge (a tie with the runner-up gets none). */
function best(ordered: number[], cols: readonly Rankable[], value: (c: Rankable) => number | null): number | null {
  if (ordered.length < 2) return null;
  return value(cols[ordered[0]!]!) === value(cols[ordered[1]!]!) ? null : ordered[0]!;
}

/** Ranks the finished (done) columns by cost, speed and length. */
export function rankColumns(cols: readonly Rankable[]): Ranking {
  const done = cols.map((c, i) => (c.status === 'done' ? i : -1)).filter((i) => i >= 0);
  const cost = (c: Rankable): number | null => c.costUsd;
  const total = (c: Rankable): number | null => c.totalMs;
  const ttft = (c: Rankable): number | null => c.ttftMs;
  const length = (c: Rankable): number | null => c.outputTokens ?? c.text.length;
  const byCost = order(cols, done, cost);
  const byTotal = order(cols, done, total);
  const byTtft = order(cols, done, ttft);
  const byLength = order(cols, done, length, true);
  const at =
    (f: (c: Rankable) => number | null) =>
    (i: number): number =>
      f(cols[i]!)!;
  return {
    cost: byCost,
    total: byTotal,
    ttft: byTtft,
    length: byLength,
    place: {
      cost: places(cols.length, byCost, at(cost)),
      total: places(cols.length, byTotal, at(total)),
      ttft: places(cols.length, byTtft, at(ttft)),
      length: places(cols.length, byLength, at(length)),
    },
    cheapest: best(byCost, cols, cost),
    fastest: best(byTotal, cols, total),
    firstToken: best(byTtft, cols, ttft),
  };
}

/** The scoreboard as stored: wins and losses by model. */
export type ScoreBook = Record<string, { wins: number; losses: number }>;

/** After a vote: the winner gets a win; every other model that answered gets a loss. */
export function recordVote(book: ScoreBook, winner: string, answered: readonly string[]): ScoreBook {
  const next: ScoreBook = {};
  for (const [k, v] of Object.entries(book)) next[k] = { ...v };
  const bump = (m: string, key: 'wins' | 'losses'): void => {
    const s = (next[m] ??= { wins: 0, losses: 0 });
    s[key]++;
  };
  bump(winner, 'wins');
  for (const m of new Set(answered)) if (m !== winner) bump(m, 'losses');
  return next;
}

/** Scoreboard rows: most wins first, then best win rate, then name. */
export function scoreRows(book: ScoreBook): Score[] {
  const rate = (s: { wins: number; losses: number }): number => (s.wins + s.losses ? s.wins / (s.wins + s.losses) : 0);
  return Object.entries(book)
    .filter(([, s]) => Number.isInteger(s?.wins) && Number.isInteger(s?.losses))
    .map(([model, s]) => ({ model, wins: s.wins, losses: s.losses }))
    .sort((a, b) => b.wins - a.wins || rate(b) - rate(a) || a.model.localeCompare(b.model));
}

/** A stored scoreboard read back leniently (anything malformed is dropped). */
export function parseScoreBook(raw: unknown): ScoreBook {
  const out: ScoreBook = {};
  if (!raw || typeof raw !== 'object') return out;
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    const s = v as { wins?: unknown; losses?: unknown } | null;
    if (s && Number.isInteger(s.wins) && Number.isInteger(s.losses) && (s.wins as number) >= 0 && (s.losses as number) >= 0)
      out[k] = { wins: s.wins as number, losses: s.losses as number };
  }
  return out;
}

function ms(n: number | null): string {
  if (n === null) return '—';
  return n < 1000 ? `${Math.round(n)} ms` : `${(n / 1000).toFixed(2)} s`;
}

/** A column as exported: its model is withheld while a blind run is unrevealed. */
function exportedColumn(run: Run, c: Column, i: number) {
  const hidden = run.blind && !run.revealed;
  return {
    label: c.label,
    model: hidden ? null : c.model,
    answeredBy: hidden ? null : c.answeredBy,
    status: c.status,
    winner: run.winner === i,
    metrics: {
      ttftMs: c.ttftMs,
      totalMs: c.totalMs,
      inputTokens: c.inputTokens,
      outputTokens: c.outputTokens,
      tokensPerSecond: c.tokensPerSecond,
      costUsd: c.costUsd,
      ...(c.costIncluded ? { costIncluded: true } : {}),
    },
    error: c.error ? { kind: c.error.kind, message: c.error.message, fix: c.error.fix } : null,
    answer: c.text,
  };
}

/** The run as JSON (what the export writes next to the Markdown). */
export function exportJson(run: Run, exportedAt: Date): string {
  const hidden = run.blind && !run.revealed;
  const columns = run.columns.map((c, i) => exportedColumn(run, c, i));
  const winner = run.winner === null ? null : columns[run.winner];
  return (
    JSON.stringify(
      {
        exportedAt: exportedAt.toISOString(),
        prompt: run.prompt,
        context: run.contextLabel,
        contextCode: run.contextCode ?? null,
        blind: run.blind,
        models: hidden ? null : run.columns.map((c) => c.model),
        vote: winner ? { label: winner.label, model: winner.model } : null,
        answers: columns,
      },
      null,
      2,
    ) + '\n'
  );
}

/** A fence longer than any backtick run in `text`. */
function fence(text: string): string {
  let longest = 0;
  for (const m of text.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return '`'.repeat(Math.max(3, longest + 1));
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The run as Markdown: prompt, context, a metrics table, the vote, then each answer. */
export function exportMarkdown(run: Run, exportedAt: Date): string {
  const hidden = run.blind && !run.revealed;
  const name = (c: Column): string => (hidden || !c.model ? c.label : c.label === c.model ? c.model : `${c.label} (${c.model})`);
  const lines: string[] = ['# Switchboard comparison', '', `Exported ${exportedAt.toISOString()}${run.blind ? ' · blind' : ''}`, '', '## Prompt', ''];
  const f = fence(run.prompt);
  lines.push(f, run.prompt, f, '');
  if (run.contextLabel) {
    lines.push('## Context', '', `\`${run.contextLabel}\`, sent with the prompt:`, '');
    const code = run.contextCode;
    if (code) {
      const cf = fence(code.text);
      lines.push(`${cf}${code.language}`, code.text.replace(/\n$/, ''), cf, '');
    } else lines.push('_(the code was not kept with this run)_', '');
  }
  lines.push('## Results', '', '| Answer | Status | First token | Total | Tokens in → out | Tokens/s | Cost |', '|---|---|---|---|---|---|---|');
  run.columns.forEach((c, i) => {
    const tokens = c.inputTokens === null && c.outputTokens === null ? '—' : `${c.inputTokens ?? '—'} → ${c.outputTokens ?? '—'}`;
    const tps = c.tokensPerSecond === null ? '—' : c.tokensPerSecond.toFixed(1);
    lines.push(
      `| ${cell(name(c))}${run.winner === i ? ' 🏆' : ''} | ${c.status === 'error' ? 'failed' : c.status} | ${ms(c.ttftMs)} | ${ms(c.totalMs)} | ${tokens} | ${tps} | ${formatCost(c.costUsd, c.costIncluded)} |`,
    );
  });
  lines.push('');
  const w = run.winner === null ? null : run.columns[run.winner];
  lines.push(`Vote: ${w ? name(w) : 'none yet'}`, '');
  run.columns.forEach((c) => {
    lines.push(`## ${name(c)}`, '');
    if (!hidden && c.answeredBy && c.answeredBy !== c.model) lines.push(`Answered by ${c.answeredBy}`, '');
    if (c.error) lines.push(`> **${errorTitle(c.error.kind)}.** ${c.error.message}`, ...(c.error.fix ? ['>', `> Fix: ${sentence(c.error.fix)}`] : []), '');
    if (c.text) lines.push(c.text.trimEnd(), '');
    else if (!c.error) lines.push(`_(${c.status === 'stopped' ? 'stopped' : 'no answer'})_`, '');
  });
  return lines.join('\n');
}
