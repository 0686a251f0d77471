/**
 * "The router is waiting to try again": the core's `retry` stream part as the views receive it, and
 * the sentence they show ("rate limited — retrying in 7 s (attempt 2 of 3)"). Shared by the chat
 * and the comparison so both say it the same way. The notice holds until the next `attempt-start`
 * (or the first text) of that request replaces it.
 */
import * as z from 'zod/mini';
import type { StreamPart } from '../../core/types.ts';

export const RetryNoticeSchema = z.object({
  /** The model being retried (a route's member, not the route). */
  model: z.string(),
  /** The error kind that caused the wait (the core's ErrorKind). */
  kind: z.string(),
  status: z.nullable(z.number()),
  /** The number of the coming try of this model, and how many it gets in all. */
  attempt: z.number(),
  maxAttempts: z.number(),
  /** Epoch ms when the next try starts; the view counts down to it. */
  at: z.number(),
});
export type RetryNotice = z.infer<typeof RetryNoticeSchema>;

type RetryPart = Extract<StreamPart, { type: 'retry' }>;

/** The notice for a `retry` part received at `now` (epoch ms). */
export function retryNoticeFrom(part: RetryPart, now: number): RetryNotice {
  return { model: part.model, kind: part.kind, status: part.status, attempt: part.attempt, maxAttempts: part.maxAttempts, at: now + part.delayMs };
}

/** Why a request is waiting, as a few words ("rate limited"); the kinds the router retries on, and a fallback. */
export function waitReason(kind: string, status: number | null): string {
  switch (kind) {
    case 'rate_limit':
      return 'rate limited';
    case 'overloaded':
      return 'the provider is overloaded';
    case 'server':
      return status ? `server error (HTTP ${status})` : 'server error';
    case 'network':
      return 'connection failed';
    case 'timeout':
      return 'no answer in time';
    default:
      return status ? `failed (HTTP ${status})` : 'failed';
  }
}

/** "rate limited — retrying in 7 s (attempt 2 of 3)"; "… retrying now …" once the wait is over. */
export function describeRetry(n: RetryNotice, now: number): string {
  const left = Math.ceil((n.at - now) / 1000);
  const when = left > 0 ? `retrying in ${left}\u00a0s` : 'retrying now';
  return `${waitReason(n.kind, n.status)} — ${when} (attempt ${n.attempt} of ${n.maxAttempts})`;
}
