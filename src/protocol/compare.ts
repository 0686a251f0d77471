/**
 * Messages between the comparison panel's host (src/host/compare/) and its webview (src/webview/compare/).
 */
import * as z from 'zod/mini';
import { ApplyModeSchema } from './chat.ts';

const Index = z.number().check(z.int(), z.nonnegative());

/** The metrics of one column, once its model finished. */
export const ColumnResultSchema = z.object({
  answeredBy: z.nullable(z.string()),
  status: z.enum(['done', 'error', 'cancelled']),
  error: z.nullable(z.string()),
  ttftMs: z.nullable(z.number()),
  totalMs: z.number(),
  inputTokens: z.nullable(z.number()),
  outputTokens: z.nullable(z.number()),
  tokensPerSecond: z.nullable(z.number()),
  costUsd: z.nullable(z.number()),
});
export type ColumnResult = z.infer<typeof ColumnResultSchema>;

export const ColumnSchema = z.object({
  model: z.string(),
  text: z.string(),
  result: z.nullable(ColumnResultSchema),
});

export const CompareStateSchema = z.object({
  prompt: z.string(),
  contextLabel: z.nullable(z.string()),
  columns: z.array(ColumnSchema),
  canApply: z.boolean(),
});
export type CompareState = z.infer<typeof CompareStateSchema>;

export const HostToCompareSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('state'), state: CompareStateSchema }),
  z.object({ type: z.literal('delta'), index: Index, text: z.string() }),
  z.object({ type: z.literal('result'), index: Index, result: ColumnResultSchema }),
]);
export type HostToCompare = z.infer<typeof HostToCompareSchema>;

export const CompareToHostSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('cancel'), index: z.nullable(Index) }),
  z.object({ type: z.literal('apply'), index: Index, mode: ApplyModeSchema }),
]);
export type CompareToHost = z.infer<typeof CompareToHostSchema>;
