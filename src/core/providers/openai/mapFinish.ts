import type { FinishReason } from '../../types.ts';

/** OpenAI-compatible finish reasons → ours. Unknown values count as a normal stop. */
export function mapOpenAIFinish(raw: string): FinishReason {
  switch (raw) {
    case 'stop':
    case 'end_turn':
    case 'eos':
      return 'stop';
    case 'length':
    case 'max_tokens':
    case 'model_length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    case 'content_filter':
      return 'content_filter';
    case 'error':
      return 'error';
    default:
      return 'stop';
  }
}
