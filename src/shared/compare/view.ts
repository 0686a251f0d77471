/**
 * What the comparison view is allowed to see and how it words it (pure; host and webview share it):
 * the blind mask the host applies before a column leaves it, the answers the diff can offer, and human
 * sentences for errors (shared/errorText.ts and shared/protocol/retry.ts: the chat's wording).
 */
import { errorHeadline } from '../errorText.ts';
import type { Column } from '../protocol/compare.ts';

/** The error kind a blind column carries instead of the real one until the vote. */
export const WITHHELD_KIND = 'withheld';
export const WITHHELD_ERROR = 'This answer failed. The details come after the vote.';

/**
 * A column as a blind run shows it before the vote. Everything that could tell the models apart
 * beyond the answer itself is withheld: the model and who answered, what a route tried, token counts
 * (tokenizers differ), tokens per second, cost and price, and the error's kind, text and fix
 * (a provider's error names it). Timing stays: the user watches the answers arrive anyway.
 */
export function blindColumn(c: Column): Column {
  return {
    ...c,
    model: null,
    answeredBy: null,
    failover: [],
    inputTokens: null,
    outputTokens: null,
    tokensPerSecond: null,
    costUsd: null,
    outputPrice: null,
    error: c.error ? { kind: WITHHELD_KIND, message: WITHHELD_ERROR, fix: null } : null,
    // When and which try stay (the user sees the column wait anyway); why and who do not.
    retry: c.retry ? { ...c.retry, model: '', kind: WITHHELD_KIND, status: null } : null,
    withheld: true,
  };
}

/** Columns the diff can offer: finished (or stopped) answers with text; never a failed or empty one. */
export function diffChoices(columns: readonly Pick<Column, 'status' | 'text'>[]): number[] {
  return columns.flatMap((c, i) => ((c.status === 'done' || c.status === 'stopped') && c.text.trim() ? [i] : []));
}

/** A heading for an error kind (the chat's wording); a blind run's withheld error just "Failed". */
export function errorTitle(kind: string): string {
  return kind === WITHHELD_KIND ? 'Failed' : errorHeadline(kind);
}
