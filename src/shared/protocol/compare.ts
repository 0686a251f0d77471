/**
 * Messages between the comparison panel's host (src/host/compare/) and its webview (src/webview/compare/).
 * Both sides parse what they receive with these schemas; inbound data is `unknown` until then.
 *
 * Every streamed envelope carries the column's `runId`: a re-run gives the column a new one, so the
 * deltas of a cancelled or replaced run that are still in flight are recognised and dropped.
 */
import * as z from 'zod/mini';
import { ApplyModeSchema, HttpUrlSchema } from './chat.ts';
import { RetryNoticeSchema } from './retry.ts';

const Index = z.number().check(z.int(), z.nonnegative());
const Count = z.nullable(z.number().check(z.nonnegative()));
const RunId = z.string().check(z.minLength(1), z.maxLength(80));

/** At most this many models in one comparison. */
export const MAX_COMPARE_MODELS = 8;
export const MIN_COMPARE_MODELS = 2;

export const ColumnStatusSchema = z.enum(['waiting', 'streaming', 'done', 'error', 'stopped']);
export type ColumnStatus = z.infer<typeof ColumnStatusSchema>;

/** One model's answer and metrics (live while it runs). */
export const ColumnSchema = z.object({
  /** This column's current run (a re-run gets a new one). */
  runId: RunId,
  /** The model asked; null while a blind comparison hides it. */
  model: z.nullable(z.string()),
  /** What the column is called: the model id, or "Answer A" in blind mode. */
  label: z.string(),
  text: z.string(),
  status: ColumnStatusSchema,
  /** Milliseconds since this column's request started, when the message was sent (the view ticks on from it). */
  elapsedMs: z.number().check(z.nonnegative()),
  ttftMs: Count,
  totalMs: Count,
  inputTokens: Count,
  outputTokens: Count,
  tokensPerSecond: Count,
  costUsd: Count,
  /** The model's use is included in a subscription (one of VS Code's own models): shown as "included", never $0 or unknown. */
  costIncluded: z.optional(z.boolean()),
  /** USD per 1M output tokens, for the live cost estimate (null: unknown). */
  outputPrice: Count,
  /** The model that actually answered (a route or a fallback); null while hidden or unknown. */
  answeredBy: z.nullable(z.string()),
  /** What a route tried before the answer ("anthropic/claude-3-5-haiku: Rate limited (HTTP 429)"); hidden in blind mode. */
  failover: z.array(z.string()),
  /** The core's error kind (`rate_limit`, …; `withheld` while a blind run hides it), the message and the fix. */
  error: z.nullable(z.object({ kind: z.string(), message: z.string(), fix: z.nullable(z.string()) })),
  /** The model is waiting to be tried again (rate limited, overloaded…; the chat's notice); null when it is not. */
  retry: z.optional(z.nullable(RetryNoticeSchema)),
  /** True while a blind run withholds what identifies the model (tokens, cost, prices, error details). */
  withheld: z.optional(z.boolean()),
});
export type Column = z.infer<typeof ColumnSchema>;

/** The code sent with the prompt (the editor selection), as the export quotes it. */
export const ContextCodeSchema = z.object({ language: z.string(), text: z.string() });

export const RunSchema = z.object({
  id: RunId,
  prompt: z.string(),
  contextLabel: z.nullable(z.string()),
  /** The code that went with the prompt (host side and export; the view gets null). */
  contextCode: z.optional(z.nullable(ContextCodeSchema)),
  blind: z.boolean(),
  /** Blind runs: true once the user voted (labels revealed). Always true otherwise. */
  revealed: z.boolean(),
  /** The column voted best, if any. */
  winner: z.nullable(Index),
  columns: z.array(ColumnSchema),
});
export type Run = z.infer<typeof RunSchema>;

export const ScoreSchema = z.object({ model: z.string(), wins: Index, losses: Index });
export type Score = z.infer<typeof ScoreSchema>;

export const CatalogItemSchema = z.object({ id: z.string(), label: z.string(), group: z.string(), detail: z.string() });
export type CatalogItem = z.infer<typeof CatalogItemSchema>;

export const SetupSchema = z.object({
  models: z.array(z.string()),
  prompt: z.string(),
  /** The editor selection the panel was opened with ("src/a.ts:3-9 (typescript)"), null once removed. */
  contextLabel: z.nullable(z.string()),
  blind: z.boolean(),
});
export type Setup = z.infer<typeof SetupSchema>;

export const CompareStateSchema = z.object({
  /** Which panel this is (kept in the webview state, so a reload finds the panel's saved run). */
  panelId: z.string(),
  setup: SetupSchema,
  /** Models the picker offers (the switcher's catalog). */
  catalog: z.array(CatalogItemSchema),
  /** Models picked or offered here that cannot be asked now (provider or key gone, route removed), each with why: a Run skips them. */
  unavailable: z.record(z.string(), z.string()),
  run: z.nullable(RunSchema),
  scoreboard: z.array(ScoreSchema),
});
export type CompareState = z.infer<typeof CompareStateSchema>;

/** Host → webview. `state` is a whole snapshot; `column` replaces one column; `delta` appends text. */
export const HostToCompareSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('state'), state: CompareStateSchema }),
  z.object({ type: z.literal('column'), run: RunId, index: Index, column: ColumnSchema }),
  z.object({ type: z.literal('delta'), run: RunId, runId: RunId, index: Index, text: z.string() }),
  z.object({ type: z.literal('scoreboard'), scoreboard: z.array(ScoreSchema) }),
  /** The models to offer changed (a key, the settings, the catalog, VS Code's models): the picker follows. */
  z.object({ type: z.literal('catalog'), catalog: z.array(CatalogItemSchema), unavailable: z.record(z.string(), z.string()) }),
  /** A problem with what the user asked for ("pick at least 2 models"); null clears it. */
  z.object({ type: z.literal('problem'), text: z.nullable(z.string()) }),
  /** Put the cursor in the prompt with its text selected (the panel was opened to edit a pre-filled prompt). */
  z.object({ type: z.literal('focusPrompt') }),
]);
export type HostToCompare = z.infer<typeof HostToCompareSchema>;

const ModelId = z.string().check(z.minLength(1), z.maxLength(300));

/** Webview → host. The webview posts `ready` first; the host posts nothing before it. */
export const CompareToHostSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({
    type: z.literal('run'),
    models: z.array(ModelId).check(z.maxLength(64)),
    prompt: z.string().check(z.maxLength(200_000)),
    blind: z.boolean(),
  }),
  /** Cancel one column (index) or every running one (null). */
  z.object({ type: z.literal('cancel'), run: RunId, index: z.nullable(Index) }),
  z.object({ type: z.literal('rerun'), run: RunId, index: Index }),
  z.object({ type: z.literal('apply'), run: RunId, index: Index, mode: ApplyModeSchema }),
  z.object({ type: z.literal('vote'), run: RunId, index: Index }),
  /** Show who answered a blind run without voting (nothing goes on the scoreboard). */
  z.object({ type: z.literal('reveal'), run: RunId }),
  z.object({ type: z.literal('diff'), run: RunId, left: Index, right: Index }),
  z.object({ type: z.literal('export'), run: RunId }),
  z.object({ type: z.literal('removeContext') }),
  z.object({ type: z.literal('resetScoreboard') }),
  /** A click on a link in an answer; the host opens it in the browser (http(s) only). */
  z.object({ type: z.literal('openLink'), url: HttpUrlSchema }),
]);
export type CompareToHost = z.infer<typeof CompareToHostSchema>;

/** The editor selection a panel sends with its prompt, as saved for a reload (line and character numbers are 0-based). */
export const SavedSelectionSchema = z.object({
  fileName: z.string(),
  languageId: z.string(),
  text: z.string(),
  startLine: z.number(),
  endLine: z.number(),
  /** Where "Use this answer" applies: the document and range it came from. */
  uri: z.string(),
  range: z.tuple([Index, Index, Index, Index]),
});
export type SavedSelection = z.infer<typeof SavedSelectionSchema>;

/** What a panel keeps across a window reload (host storage; the webview state holds only the panel id). */
export const SavedCompareSchema = z.object({
  setup: SetupSchema,
  run: z.nullable(RunSchema),
  /** The selection the prompt goes with (its code included), so Run after a reload still sends it. */
  selection: z.optional(z.nullable(SavedSelectionSchema)),
  savedAt: z.number(),
});
export type SavedCompare = z.infer<typeof SavedCompareSchema>;
