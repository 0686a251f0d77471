/**
 * Errors as people read them: a headline for the core's error kind ("Rate limited", not
 * "rate_limit") and the provider's lowercase fragments as sentences. Pure; the chat and the
 * comparison show errors with these.
 */

const HEADLINES: Record<string, string> = {
  auth: 'The API key was refused',
  permission: 'Not allowed for this key',
  quota: 'Out of credit or quota',
  rate_limit: 'Rate limited',
  overloaded: 'The provider is overloaded',
  server: 'The provider had an error',
  context_length: 'Too long for this model',
  bad_request: 'The provider refused the request',
  not_found: 'Model not found',
  network: 'Could not reach the provider',
  timeout: 'No answer in time',
  aborted: 'Stopped',
  invalid_response: 'The answer was broken off',
  config: 'Settings problem',
  budget: 'Over budget',
  internal: 'Switchboard hit a bug',
};

/** A short headline for an error kind; an unknown kind is still words ("some_kind" → "Some kind"). */
export function errorHeadline(kind: string): string {
  return HEADLINES[kind] ?? sentenceCase(kind.replace(/_/g, ' '));
}

function sentenceCase(s: string): string {
  return s ? s[0]!.toUpperCase() + s.slice(1) : s;
}

/** "raise the budget in the config" → "Raise the budget in the config." (a trailing period only when it has none). */
export function sentence(text: string): string {
  const t = text.trim();
  if (!t) return t;
  return sentenceCase(t) + (/[.!?…)]$/.test(t) ? '' : '.');
}
