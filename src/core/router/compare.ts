/**
 * One request to several models in parallel (bounded), each streaming on its own; a failure
 * or a cancel in one never disturbs the others.
 */
import type { ChatStream } from '../chatStream.ts';
import { internalError, SwitchboardError } from '../errors.ts';
import { emptyResult } from '../resultBuilder.ts';
import type { ChatResult, StreamPart } from '../types.ts';
import type { ChatRequest } from './router.ts';

export interface CompareOptions {
  /** At most this many requests in flight (default 8). */
  concurrency?: number;
  signal?: AbortSignal;
  /** Every part of every model, as it arrives (the comparison view's live columns). */
  onPart?: (index: number, model: string, part: StreamPart) => void;
}

export interface CompareResult extends ChatResult {
  /** Output tokens per second of generation (after the first token); null when unknown. */
  tokensPerSecond: number | null;
}

export interface CompareEntry {
  readonly index: number;
  readonly model: string;
  status: 'queued' | 'running' | 'done' | 'error' | 'cancelled';
  result: Promise<CompareResult>;
  cancel(): void;
}

export interface CompareRun {
  readonly entries: CompareEntry[];
  /** All results, in the order the models were given. Never rejects. */
  readonly results: Promise<CompareResult[]>;
  cancelAll(): void;
}

/** The shortest streamed part a rate is given for: below it, the answer came in a burst (3,000 tok/s for 12 tokens in 4 ms says nothing). */
export const MIN_RATE_WINDOW_MS = 50;

/**
 * Output tokens per second of the streamed part (after the first token). Null when it cannot be
 * measured: no output count, no first-token time (the wait before the answer would then be
 * counted as generation, making a slow-to-start model look slow to write), or a streamed part
 * shorter than MIN_RATE_WINDOW_MS (the answer arrived at once after its wait). The one
 * definition: the comparison and the chat show the same number for the same result.
 */
export function tokensPerSecond(outputTokens: number | null, ttftMs: number | null, totalMs: number): number | null {
  if (outputTokens === null || outputTokens <= 0 || ttftMs === null) return null;
  const genMs = totalMs - ttftMs;
  return genMs >= MIN_RATE_WINDOW_MS ? (outputTokens / genMs) * 1000 : null;
}

export function compareModels(
  stream: (req: ChatRequest) => ChatStream,
  req: Omit<ChatRequest, 'model'>,
  models: string[],
  opts: CompareOptions = {},
): CompareRun {
  const limit = Math.max(1, opts.concurrency ?? 8);
  let running = 0;
  const waiting: (() => void)[] = [];
  const acquire = (): Promise<void> => (running < limit ? (running++, Promise.resolve()) : new Promise((res) => waiting.push(() => (running++, res()))));
  const release = (): void => {
    running--;
    waiting.shift()?.();
  };

  const entries: CompareEntry[] = models.map((model, index) => {
    let cancelled = false;
    let active: ChatStream | null = null;
    const entry: CompareEntry = {
      index,
      model,
      status: 'queued',
      result: Promise.resolve(cancelledResult(model)),
      cancel: () => {
        cancelled = true;
        active?.cancel();
      },
    };
    entry.result = (async (): Promise<CompareResult> => {
      await acquire();
      try {
        if (cancelled || opts.signal?.aborted) {
          entry.status = 'cancelled';
          return cancelledResult(model);
        }
        entry.status = 'running';
        active = stream({ ...req, model, ...(opts.signal ? { signal: opts.signal } : {}) } as ChatRequest);
        for await (const part of active) opts.onPart?.(index, model, part);
        const r = await active.result;
        entry.status = r.error ? (r.error.kind === 'aborted' ? 'cancelled' : 'error') : 'done';
        return { ...r, tokensPerSecond: tokensPerSecond(r.usage.outputTokens, r.timing.ttftMs, r.timing.totalMs) };
      } catch (e) {
        // onPart threw or something unexpected (a bug, not the provider's doing): this column fails alone.
        entry.status = 'error';
        const error = e instanceof SwitchboardError ? e : internalError(e instanceof Error ? e : new Error(String(e)), null, model);
        return { ...cancelledResult(model), error };
      } finally {
        release();
      }
    })();
    return entry;
  });

  return {
    entries,
    results: Promise.all(entries.map((e) => e.result)),
    cancelAll: () => entries.forEach((e) => e.cancel()),
  };
}

function cancelledResult(model: string): CompareResult {
  return { ...emptyResult(model, new SwitchboardError({ kind: 'aborted', message: 'cancelled before it started', model })), tokensPerSecond: null };
}
