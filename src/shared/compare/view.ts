/**
 * What the comparison view is allowed to see and how it words it (pure; host and webview share it):
 * the blind mask the host applies before a column leaves it, the answers the diff can offer, and human
 * sentences for errors (waits: shared/protocol/retry.ts, the chat's wording).
 */
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

const TITLES: Record<string, string> = {
  auth: 'The provider refused the API key',
  permission: 'The key may not use this model',
  quota: 'The account is out of credits',
  rate_limit: 'Rate limited',
  overloaded: 'The provider is overloaded',
  server: 'The provider had a server error',
  context_length: 'The prompt is too long for this model',
  bad_request: 'The provider rejected the request',
  not_found: 'Model not found',
  network: 'Could not reach the provider',
  timeout: 'The provider stopped answering',
  aborted: 'Stopped',
  invalid_response: 'The provider sent an unexpected answer',
  config: 'Configuration problem',
  budget: 'Over budget',
  internal: 'Something went wrong in Switchboard',
  [WITHHELD_KIND]: 'Failed',
};

/** A heading for an error kind, never the raw kind ("rate_limit" → "Rate limited"). */
export function errorTitle(kind: string): string {
  return TITLES[kind] ?? 'The request failed';
}

/** "the key is not allowed…" → "The key is not allowed…." (a fragment made a sentence). */
export function sentence(text: string): string {
  const t = text.trim();
  if (!t) return t;
  const s = t[0]!.toUpperCase() + t.slice(1);
  return /[.!?…)]$/.test(s) ? s : `${s}.`;
}
