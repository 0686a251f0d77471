/**
 * A failed answer as the chat shows it: the provider's message, the fix, and the one-click action
 * that fits the core's error kind (never decided by matching message text). Pure (no 'vscode').
 */
import type { SwitchboardError } from '../../../core/index.ts';
import type { Attempt } from '../../../core/index.ts';
import type { AttemptView, ChatError, ErrorAction } from '../../../shared/protocol/chat.ts';

/**
 * The action for an error kind; `now` is the clock for retry-after deadlines. `keyWouldFix`: whether
 * a key for the error's provider would make it usable (a preset the client does not have yet): then a
 * `config` error ("provider … is not configured") offers Set API Key, not the settings.
 */
export function errorAction(
  e: Pick<SwitchboardError, 'kind' | 'provider' | 'retryAfterMs'>,
  now: number,
  keyWouldFix: (provider: string) => boolean = () => false,
): ErrorAction | null {
  if (e.kind === 'config' && e.provider && keyWouldFix(e.provider)) return { kind: 'setKey', provider: e.provider };
  switch (e.kind) {
    case 'auth':
      return e.provider ? { kind: 'setKey', provider: e.provider } : { kind: 'openSettings' };
    case 'rate_limit':
      return e.retryAfterMs !== null && e.retryAfterMs > 0 ? { kind: 'retryAt', at: now + e.retryAfterMs } : { kind: 'retry' };
    case 'permission':
    case 'quota':
    case 'not_found':
    case 'context_length':
    case 'bad_request':
      return { kind: 'retryWith' };
    case 'budget':
      // The caps are what to change (or wait for the period to end): the settings open at them.
      return { kind: 'openSettings', setting: 'switchboard.budget' };
    case 'config':
      return { kind: 'openSettings' };
    case 'overloaded':
    case 'server':
    case 'network':
    case 'timeout':
    case 'invalid_response':
      return { kind: 'retry' };
    case 'aborted':
    case 'internal': // a bug of ours: the fix says how to report it; retrying will not help
      return null;
    default: {
      const never: never = e.kind;
      return never;
    }
  }
}

export function chatError(e: SwitchboardError, now: number, keyWouldFix?: (provider: string) => boolean): ChatError {
  // The provider's request id goes with the message: it is what their support asks for.
  return {
    kind: e.kind,
    message: e.requestId ? `${e.detail} (request id ${e.requestId})` : e.detail,
    fix: e.fix,
    status: e.status,
    action: errorAction(e, now, keyWouldFix),
  };
}

export function attemptView(a: Attempt): AttemptView {
  return { model: a.model, outcome: a.outcome, errorKind: a.errorKind ?? null, status: a.status ?? null, durationMs: a.durationMs, message: a.message ?? null };
}
