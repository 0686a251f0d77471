/**
 * The size cap of one answer (config `limits.maxAnswerChars`): an upstream that never stops must
 * not grow the answer, and the memory holding it, without end. Text, reasoning and tool-call
 * arguments count together. One cap per attempt, applied to each part before it is kept or shown.
 */
import { SwitchboardError } from './errors.ts';
import type { ModelStreamPart } from './types.ts';

/** The error that ends an answer at the size cap; `id` is the answering `provider/model`. */
export function answerTooLarge(id: string, maxChars: number): SwitchboardError {
  const slash = id.indexOf('/');
  return new SwitchboardError({
    kind: 'invalid_response',
    message: `the answer grew past ${maxChars.toLocaleString('en-US')} characters, the limit for one answer`,
    provider: slash > 0 ? id.slice(0, slash) : null,
    model: slash > 0 ? id.slice(slash + 1) : id,
    fix: 'raise limits.maxAnswerChars (setting switchboard.limits) or ask for a shorter answer',
  });
}

/**
 * The most bytes a non-streamed JSON answer within `maxChars` can take: each character escaped
 * (`\uXXXX`, 6 bytes), plus room for the envelope (ids, usage). Larger, it is past the cap whatever it says.
 */
export function maxJsonAnswerBytes(maxChars: number): number {
  return maxChars * 6 + 64 * 1024;
}

export class AnswerCap {
  private readonly maxChars: number;
  /** Characters let through so far. */
  size = 0;
  /** True once a part had to be cut (or dropped) at the cap. */
  overflowed = false;

  constructor(maxChars = Number.POSITIVE_INFINITY) {
    this.maxChars = maxChars;
  }

  /**
   * The part as it may pass: the same object, a copy cut at the cap, or null once the cap was
   * reached (nothing more is kept, so nothing more may be shown either).
   */
  clip(part: ModelStreamPart): ModelStreamPart | null {
    if (this.overflowed) return null;
    const grows =
      part.type === 'text-delta' || part.type === 'reasoning-delta' ? part.text.length : part.type === 'tool-call-delta' ? part.argumentsDelta.length : 0;
    if (grows === 0) return part;
    if (this.size + grows <= this.maxChars) {
      this.size += grows;
      return part;
    }
    this.overflowed = true;
    const room = this.maxChars - this.size;
    if (room <= 0) return null;
    this.size = this.maxChars;
    if (part.type === 'tool-call-delta') return { ...part, argumentsDelta: cut(part.argumentsDelta, room) };
    if (part.type === 'text-delta' || part.type === 'reasoning-delta') return { ...part, text: cut(part.text, room) };
    return part;
  }
}

/** The first `n` UTF-16 units, not splitting a surrogate pair. */
function cut(s: string, n: number): string {
  const code = s.charCodeAt(n - 1);
  return s.slice(0, code >= 0xd800 && code <= 0xdbff ? n - 1 : n);
}
