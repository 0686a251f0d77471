import type { FinishReason, ModelStreamPart } from '../../types.ts';

/**
 * A stop our finish reasons cannot tell apart, said in words: Anthropic's
 * `model_context_window_exceeded` becomes `length` (Chat Completions, Responses' max_output_tokens),
 * like `max_tokens`, but a larger max_tokens would not help. null for any other stop.
 */
export function anthropicStopWarning(raw: string, provider: string, model: string): ModelStreamPart | null {
  if (raw !== 'model_context_window_exceeded') return null;
  return {
    type: 'warning',
    message: `${provider}/${model} stopped because its context window is full (model_context_window_exceeded), not at max_tokens: a shorter conversation leaves it room, a larger max_tokens does not`,
  };
}

/** Anthropic stop_reason → ours. */
export function mapAnthropicStop(raw: string): FinishReason {
  switch (raw) {
    case 'end_turn':
    case 'stop_sequence':
    case 'pause_turn':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop';
  }
}

/** Anthropic's error `type` → the HTTP status it stands for, so mid-stream errors classify like HTTP ones. */
export function anthropicErrorStatus(type: string): number {
  switch (type) {
    case 'invalid_request_error':
      return 400;
    case 'authentication_error':
      return 401;
    case 'billing_error':
      return 402;
    case 'permission_error':
      return 403;
    case 'not_found_error':
      return 404;
    case 'request_too_large':
      return 413;
    case 'rate_limit_error':
      return 429;
    case 'overloaded_error':
      return 529;
    case 'timeout_error':
      return 504;
    default:
      return 500;
  }
}
