/**
 * Messages between the test-set panel's host (src/host/eval/) and its webview (src/webview/eval/).
 * The host pushes whole snapshots (a grid of at most prompts × models cells); both sides parse.
 */
import * as z from 'zod/mini';

const Index = z.number().check(z.int(), z.nonnegative());
const Usd = z.nullable(z.number());

export const CheckViewSchema = z.object({ label: z.string(), pass: z.boolean(), reason: z.string() });

export const CellViewSchema = z.object({
  model: z.string(),
  /** waiting / running while the run is on; then ok, error, skipped or stopped (the user stopped the run while it answered). */
  status: z.enum(['waiting', 'running', 'ok', 'error', 'skipped', 'stopped']),
  pass: z.nullable(z.boolean()),
  checks: z.array(CheckViewSchema),
  costUsd: Usd,
  /** costUsd is an estimate (cut off before the provider counted: a stopped cell), shown with "~". */
  costEstimated: z.optional(z.boolean()),
  judgeCostUsd: Usd,
  latencyMs: z.nullable(z.number()),
  inputTokens: z.nullable(z.number()),
  outputTokens: z.nullable(z.number()),
  error: z.nullable(z.string()),
  /** Not asked or stopped because the user stopped the run: said, not shown as a failure. */
  byUser: z.optional(z.boolean()),
  /** The answer (shortened for the view). */
  text: z.string(),
  /** The codeRun command's output, when it ran. */
  output: z.nullable(z.string()),
});
export type CellView = z.infer<typeof CellViewSchema>;

export const TotalsViewSchema = z.object({
  model: z.string(),
  passRate: z.nullable(z.number()),
  checksPassed: Index,
  checksRun: Index,
  cellsPassed: Index,
  cellsWithChecks: Index,
  costUsd: z.number(),
  unknownCost: Index,
  /** Cells whose cost in costUsd is an estimate (absent in runs saved before it was counted). */
  estimatedCost: z.optional(Index),
  judgeCostUsd: z.number(),
  meanLatencyMs: z.nullable(z.number()),
  inputTokens: Index,
  outputTokens: Index,
  errors: Index,
});
export type TotalsView = z.infer<typeof TotalsViewSchema>;

export const BoardRowSchema = z.object({
  model: z.string(),
  rating: z.number(),
  low: z.number(),
  high: z.number(),
  games: Index,
  wins: Index,
  losses: Index,
  ties: Index,
  meanCostUsd: Usd,
  winsPerDollar: z.nullable(z.number()),
});
export type BoardRow = z.infer<typeof BoardRowSchema>;

export const EvalStateSchema = z.object({
  /** What the panel shows: a run's grid (with the leaderboard below) or only the leaderboard. */
  mode: z.enum(['run', 'leaderboard']),
  set: z.nullable(z.string()),
  status: z.enum(['idle', 'running', 'done', 'cancelled']),
  problem: z.nullable(z.string()),
  models: z.array(z.string()),
  prompts: z.array(z.object({ id: z.string(), prompt: z.string(), checks: z.array(z.string()), codeRun: z.boolean() })),
  /** cells[prompt][model] */
  cells: z.array(z.array(CellViewSchema)),
  estimate: z.nullable(z.object({ totalUsd: Usd, unpriced: z.array(z.string()), requests: Index })),
  progress: z.object({ done: Index, total: Index }),
  totals: z.nullable(z.array(TotalsViewSchema)),
  /** Per prompt: the codeRun winner (cheapest passing change), null when none. */
  winners: z.array(z.nullable(z.string())),
  /** Per prompt: whose change was applied to the workspace. */
  applied: z.array(z.nullable(z.string())),
  board: z.object({ tag: z.nullable(z.string()), tags: z.array(z.string()), rows: z.array(BoardRowSchema), file: z.string() }),
  /** Code (JavaScript checks, commands) runs only in a trusted workspace. */
  trusted: z.boolean(),
  /**
   * A blind vote over the run's answers, two at a time. Until the last vote the host sends nothing
   * that names a model (no grid, totals or leaderboard rows): only the pair's prompt and answers.
   */
  blind: z.nullable(
    z.object({
      /** running: a blind run, answers still coming; voting: a pair is shown; finished: the votes, revealed. */
      phase: z.enum(['running', 'voting', 'finished']),
      index: Index,
      total: Index,
      recorded: Index,
      prompt: z.string(),
      a: z.string(),
      b: z.string(),
      /** After the last vote: who answered A and B, and the pick. */
      revealed: z.array(z.object({ prompt: z.string(), a: z.string(), b: z.string(), choice: z.enum(['a', 'b', 'tie', 'skip']) })),
    }),
  ),
});
export type EvalState = z.infer<typeof EvalStateSchema>;

export const HostToEvalSchema = z.discriminatedUnion('type', [z.object({ type: z.literal('state'), state: EvalStateSchema })]);
export type HostToEval = z.infer<typeof HostToEvalSchema>;

export const EvalToHostSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('cancel') }),
  z.object({ type: z.literal('rerun') }),
  z.object({ type: z.literal('apply'), prompt: Index }),
  z.object({ type: z.literal('tag'), tag: z.nullable(z.string().check(z.maxLength(200))) }),
  /** Start a blind vote over the finished run's answers; leave the revealed votes. */
  z.object({ type: z.literal('blind') }),
  z.object({ type: z.literal('vote'), choice: z.enum(['a', 'b', 'tie', 'skip']) }),
  z.object({ type: z.literal('endBlind') }),
]);
export type EvalToHost = z.infer<typeof EvalToHostSchema>;
