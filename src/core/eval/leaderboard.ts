/**
 * The private leaderboard: pairwise outcomes (the user's blind votes, judged and checked eval
 * runs) → Bradley–Terry ratings on an Elo-like scale, with bootstrap confidence intervals from a
 * seeded RNG, per task tag, and per dollar. Kept per workspace in `.switchboard/leaderboard.json`.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { makeDirs } from '../makeDirs.ts';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { jsonSyntaxError } from '../config.ts';
import { SwitchboardError } from '../errors.ts';
import type { EvalResults } from './runner.ts';

export const ComparisonSchema = z
  .object({
    a: z.string().min(1),
    b: z.string().min(1),
    /** Who won: a, b, or a tie. */
    outcome: z.enum(['a', 'b', 'tie']),
    /** vote: the user's blind vote; judge: rubric scores; checks: passed checks. */
    source: z.enum(['vote', 'judge', 'checks']),
    tags: z.array(z.string()).default([]),
    at: z.string(),
    set: z.string().optional(),
    prompt: z.string().optional(),
  })
  .strict();
export type Comparison = z.infer<typeof ComparisonSchema>;

export const LeaderboardFileSchema = z
  .object({
    version: z.literal(1),
    comparisons: z.array(ComparisonSchema),
    /** What answers cost, per model (for the per-dollar column): total USD over answers with a known cost. */
    costs: z.record(z.string(), z.object({ usd: z.number().nonnegative(), answers: z.number().int().nonnegative() }).strict()).default({}),
  })
  .strict();
export type LeaderboardFile = z.infer<typeof LeaderboardFileSchema>;

export const LEADERBOARD_FILE = join('.switchboard', 'leaderboard.json');
/** The scale: 400 points = 10:1 odds, the mean model at 1000 (as Elo and Arena print). */
export const SCALE = 400 / Math.LN10;
export const BASE = 1000;

export function emptyLeaderboard(): LeaderboardFile {
  return { version: 1, comparisons: [], costs: {} };
}

/** Reads the file; a missing file is an empty board, a malformed one a clear error (nothing is overwritten). */
export function readLeaderboard(path: string): LeaderboardFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyLeaderboard();
    throw e;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    // The place, not V8's message: that quotes the text around the error.
    const { what, at } = jsonSyntaxError(text, (e as Error).message);
    throw new SwitchboardError({
      kind: 'config',
      message: `${path}: not valid JSON: ${what} at ${at}`,
      fix: `fix the JSON syntax in ${path} at ${at}, or delete the file (it is rebuilt by new runs and votes)`,
    });
  }
  const r = LeaderboardFileSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new SwitchboardError({
      kind: 'config',
      message: `${path}: ${i.path.join('.') || '(top level)'}: ${i.message}`,
      fix: 'fix or delete the file (it is rebuilt by new runs and votes)',
    });
  }
  return r.data;
}

/** Writes atomically (a temp file renamed over), so a reader never sees half a file. */
export function writeLeaderboard(path: string, board: LeaderboardFile): void {
  makeDirs(dirname(path));
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(board, null, 1) + '\n');
  renameSync(tmp, path);
}

/** Adds comparisons and costs (read-modify-write of the file). */
export function appendToLeaderboard(path: string, comparisons: Comparison[], costs: Record<string, { usd: number; answers: number }> = {}): LeaderboardFile {
  const board = readLeaderboard(path);
  board.comparisons.push(...comparisons);
  for (const [m, c] of Object.entries(costs)) {
    const prev = board.costs[m] ?? { usd: 0, answers: 0 };
    board.costs[m] = { usd: Number((prev.usd + c.usd).toPrecision(12)), answers: prev.answers + c.answers };
  }
  writeLeaderboard(path, board);
  return board;
}

/** A blind vote across n answers: the winner beat each other model that answered. */
export function voteComparisons(winner: string, answered: readonly string[], tags: string[], at: Date): Comparison[] {
  return [...new Set(answered)].filter((m) => m !== winner).map((m) => ({ a: winner, b: m, outcome: 'a', source: 'vote', tags, at: at.toISOString() }));
}

/** One pair for a blind vote: two models' answers to one prompt of a run, in the order shown (A, then B). */
export interface BlindPair {
  prompt: number;
  a: string;
  b: string;
}

/**
 * The pairs a user votes on blind after a run: for each prompt, every two models that both answered
 * (a non-empty text). Which answer is A, and the order of the pairs, are shuffled by `rand`, so the
 * same model is not always on the same side nor the pairs grouped by prompt.
 */
export function blindPairs(results: EvalResults, rand: () => number): BlindPair[] {
  const pairs: BlindPair[] = [];
  results.cells.forEach((row, prompt) => {
    const answered = row.filter((c) => c.status === 'ok' && c.text.trim() !== '').map((c) => c.model);
    for (let i = 0; i < answered.length; i++)
      for (let j = i + 1; j < answered.length; j++) {
        const [a, b] = rand() < 0.5 ? [answered[i]!, answered[j]!] : [answered[j]!, answered[i]!];
        pairs.push({ prompt, a, b });
      }
  });
  for (let i = pairs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [pairs[i], pairs[j]] = [pairs[j]!, pairs[i]!];
  }
  return pairs;
}

/** A blind vote on one pair, as a pairwise outcome (source vote) with the prompt's tags. */
export function blindVoteComparison(results: EvalResults, pair: BlindPair, choice: Comparison['outcome'], at: Date): Comparison {
  const prompt = results.prompts[pair.prompt];
  if (!prompt) throw new RangeError(`no prompt ${pair.prompt} in the run`);
  return { a: pair.a, b: pair.b, outcome: choice, source: 'vote', tags: prompt.tags, at: at.toISOString(), set: results.set, prompt: prompt.id };
}

/**
 * An eval run's pairwise outcomes: per prompt, each pair of answered models, by the mean rubric
 * score when the prompt has rubric checks (source judge), else by the number of checks passed
 * (source checks). Equal is a tie; prompts without checks and unanswered cells give none.
 */
export function runComparisons(results: EvalResults, at: Date): { comparisons: Comparison[]; costs: Record<string, { usd: number; answers: number }> } {
  const comparisons: Comparison[] = [];
  const costs: Record<string, { usd: number; answers: number }> = {};
  results.cells.forEach((row, pi) => {
    const prompt = results.prompts[pi]!;
    const scored = row.map((c) => {
      if (c.status !== 'ok' || c.checks.length === 0) return null;
      const rubric = c.checks.filter((k) => k.score !== undefined);
      if (rubric.length) return { judge: true, v: rubric.reduce((s, k) => s + k.score!, 0) / rubric.length };
      return { judge: false, v: c.checks.filter((k) => k.pass).length };
    });
    row.forEach((c) => {
      if (c.status !== 'ok' || c.costUsd === null) return;
      const prev = (costs[c.model] ??= { usd: 0, answers: 0 });
      prev.usd += c.costUsd;
      prev.answers++;
    });
    for (let i = 0; i < row.length; i++)
      for (let j = i + 1; j < row.length; j++) {
        const x = scored[i];
        const y = scored[j];
        if (!x || !y) continue;
        comparisons.push({
          a: row[i]!.model,
          b: row[j]!.model,
          outcome: x.v > y.v ? 'a' : x.v < y.v ? 'b' : 'tie',
          source: x.judge && y.judge ? 'judge' : 'checks',
          tags: prompt.tags,
          at: at.toISOString(),
          set: results.set,
          prompt: prompt.id,
        });
      }
  });
  return { comparisons, costs };
}

export interface BtOptions {
  /**
   * Virtual ties each model plays against a fixed reference of the mean strength: keeps a model
   * that never won (or never lost) finite. 0 gives the plain maximum-likelihood fit.
   */
  prior?: number;
  maxIterations?: number;
  tolerance?: number;
}

/**
 * Bradley–Terry strengths by Hunter's MM iterations (a tie counts half a win for each side),
 * returned as points: SCALE·ln(p) centred so the mean model is BASE. Models with no games are left out.
 */
export function bradleyTerry(comparisons: readonly Pick<Comparison, 'a' | 'b' | 'outcome'>[], opts: BtOptions = {}): Map<string, number> {
  const prior = opts.prior ?? 1;
  const maxIt = opts.maxIterations ?? 10_000;
  const tol = opts.tolerance ?? 1e-10;
  const names = [...new Set(comparisons.flatMap((c) => (c.a === c.b ? [] : [c.a, c.b])))].sort();
  const idx = new Map(names.map((n, i) => [n, i]));
  const n = names.length;
  if (n === 0) return new Map();
  const wins = new Float64Array(n);
  const games = Array.from({ length: n }, () => new Float64Array(n));
  for (const c of comparisons) {
    if (c.a === c.b) continue;
    const i = idx.get(c.a)!;
    const j = idx.get(c.b)!;
    games[i]![j]!++;
    games[j]![i]!++;
    if (c.outcome === 'a') wins[i]!++;
    else if (c.outcome === 'b') wins[j]!++;
    else {
      wins[i]! += 0.5;
      wins[j]! += 0.5;
    }
  }
  let p = new Float64Array(n).fill(1);
  for (let it = 0; it < maxIt; it++) {
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      // The reference player has strength 1 (the geometric mean, re-fixed each step below).
      let denom = prior / (p[i]! + 1);
      for (let j = 0; j < n; j++) if (j !== i && games[i]![j]! > 0) denom += games[i]![j]! / (p[i]! + p[j]!);
      const w = wins[i]! + prior / 2;
      next[i] = denom > 0 ? w / denom : p[i]!;
    }
    // Centre on the geometric mean so the scale is fixed (BT is defined up to a constant factor).
    let logMean = 0;
    for (let i = 0; i < n; i++) logMean += Math.log(Math.max(next[i]!, 1e-300));
    logMean /= n;
    const g = Math.exp(logMean);
    let change = 0;
    for (let i = 0; i < n; i++) {
      next[i] = next[i]! / g;
      change = Math.max(change, Math.abs(Math.log(Math.max(next[i]!, 1e-300)) - Math.log(Math.max(p[i]!, 1e-300))));
    }
    p = next;
    if (change < tol) break;
  }
  return new Map(names.map((name, i) => [name, BASE + SCALE * Math.log(Math.max(p[i]!, 1e-300))]));
}

/** A small seeded RNG (mulberry32), so bootstrap intervals are the same on every run of the same data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface LeaderboardRow {
  model: string;
  rating: number;
  /** 95% bootstrap interval. */
  low: number;
  high: number;
  games: number;
  wins: number;
  losses: number;
  ties: number;
  /** Mean cost of an answer (null: unknown). */
  meanCostUsd: number | null;
  /** Expected wins per dollar against the mean model: win probability / mean cost (null: unknown or free). */
  winsPerDollar: number | null;
}

export interface LeaderboardOptions extends BtOptions {
  tag?: string;
  sources?: Comparison['source'][];
  /** Bootstrap resamples (default 200; 0 = no intervals, low = high = rating). */
  samples?: number;
  seed?: number;
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** The comparisons that count for a tag and sources. */
export function selectComparisons(board: LeaderboardFile, opts: Pick<LeaderboardOptions, 'tag' | 'sources'> = {}): Comparison[] {
  return board.comparisons.filter(
    (c) => (opts.tag === undefined || c.tags.includes(opts.tag)) && (opts.sources === undefined || opts.sources.includes(c.source)),
  );
}

/** Ratings, intervals, records and value for money, best first. */
export function leaderboard(board: LeaderboardFile, opts: LeaderboardOptions = {}): LeaderboardRow[] {
  const comps = selectComparisons(board, opts);
  const ratings = bradleyTerry(comps, opts);
  const samples = opts.samples ?? 200;
  const random = seededRandom(opts.seed ?? 17);
  const boot = new Map<string, number[]>([...ratings.keys()].map((m) => [m, []]));
  for (let s = 0; s < samples && comps.length > 0; s++) {
    const draw = Array.from({ length: comps.length }, () => comps[Math.floor(random() * comps.length)]!);
    const r = bradleyTerry(draw, { ...opts, maxIterations: 2000, tolerance: 1e-8 });
    // A model missing from a resample has no information there: it keeps its full-data rating.
    for (const [m, list] of boot) list.push(r.get(m) ?? ratings.get(m)!);
  }
  const rows: LeaderboardRow[] = [...ratings].map(([model, rating]) => {
    const mine = comps.filter((c) => c.a === model || c.b === model);
    const wins = mine.filter((c) => (c.a === model && c.outcome === 'a') || (c.b === model && c.outcome === 'b')).length;
    const ties = mine.filter((c) => c.outcome === 'tie').length;
    const sorted = [...boot.get(model)!].sort((x, y) => x - y);
    const cost = board.costs[model];
    const meanCostUsd = cost && cost.answers > 0 ? cost.usd / cost.answers : null;
    const winP = 1 / (1 + Math.exp(-(rating - BASE) / SCALE));
    return {
      model,
      rating,
      low: samples > 0 ? percentile(sorted, 0.025) : rating,
      high: samples > 0 ? percentile(sorted, 0.975) : rating,
      games: mine.length,
      wins,
      losses: mine.length - wins - ties,
      ties,
      meanCostUsd,
      winsPerDollar: meanCostUsd ? winP / meanCostUsd : null,
    };
  });
  return rows.sort((x, y) => y.rating - x.rating || x.model.localeCompare(y.model));
}

/** Ratings by model for a tag (what a "best" route reads); empty when the board has none. */
export function ratingsForTag(board: LeaderboardFile, tag: string | undefined): Map<string, number> {
  return bradleyTerry(selectComparisons(board, tag === undefined ? {} : { tag }));
}
