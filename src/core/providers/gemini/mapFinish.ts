import type { FinishReason } from '../../types.ts';

/** Gemini finishReason → ours. */
export function mapGeminiFinish(raw: string): FinishReason {
  switch (raw) {
    case 'STOP':
    case 'FINISH_REASON_UNSPECIFIED':
    case 'OTHER':
      return 'stop';
    case 'MAX_TOKENS':
      return 'length';
    case 'SAFETY':
    case 'RECITATION':
    case 'BLOCKLIST':
    case 'PROHIBITED_CONTENT':
    case 'SPII':
    case 'IMAGE_SAFETY':
    case 'LANGUAGE':
      return 'content_filter';
    case 'MALFORMED_FUNCTION_CALL':
    case 'UNEXPECTED_TOOL_CALL':
      return 'error';
    default:
      return 'stop';
  }
}
