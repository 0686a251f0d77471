/**
 * The rich stream handed to front ends: iterate it for typed parts as they arrive, await
 * `result` for the final ChatResult. Awaiting `result` without iterating drains the stream.
 */
import type { ChatResult, StreamPart } from './types.ts';

/** The parts iterator; `poll()` hands out a part already delivered, synchronously (undefined: none left without waiting). */
export interface PartIterator extends AsyncIterator<StreamPart, void> {
  poll(): StreamPart | undefined;
}

export class ChatStream implements AsyncIterable<StreamPart> {
  private readonly source: AsyncGenerator<StreamPart[], ChatResult>;
  private readonly controller: AbortController;
  private started = false;
  private resolveResult!: (r: ChatResult) => void;
  private rejectResult!: (e: unknown) => void;
  private readonly resultPromise: Promise<ChatResult>;

  /** `onSettled`: called once the result is in (or failed), e.g. to detach from a caller's signal. */
  constructor(source: AsyncGenerator<StreamPart[], ChatResult>, controller: AbortController, onSettled?: () => void) {
    this.source = source;
    this.controller = controller;
    this.resultPromise = new Promise<ChatResult>((res, rej) => {
      this.resolveResult = res;
      this.rejectResult = rej;
    });
    if (onSettled) this.resultPromise.then(onSettled, onSettled);
  }

  /** The final result; resolves (never rejects for provider errors: see `result.error`). */
  get result(): Promise<ChatResult> {
    // eslint-disable-next-line @typescript-eslint/no-floating-promises -- drain() catches everything: the error arrives through `result`
    if (!this.started) void this.drain();
    return this.resultPromise;
  }

  /** Cancel the request; the result keeps whatever text had arrived. */
  cancel(reason?: unknown): void {
    this.controller.abort(reason);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /**
   * A hand-written iterator rather than an async generator: parts of a batch the router already
   * delivered are handed out from an already-resolved promise, without a generator's extra ticks.
   */
  [Symbol.asyncIterator](): PartIterator {
    if (this.started) throw new Error('a ChatStream can be iterated only once');
    this.started = true;
    let batch: StreamPart[] = [];
    let i = 0;
    let finished = false;
    const DONE: IteratorReturnResult<void> = { done: true, value: undefined };
    const pull = async (): Promise<IteratorResult<StreamPart, void>> => {
      try {
        for (;;) {
          const step = await this.source.next();
          if (step.done) {
            finished = true;
            this.resolveResult(step.value);
            return DONE;
          }
          if (step.value.length > 0) {
            batch = step.value;
            i = 1;
            // An error part ends the answer, and consumers stop reading at it (a door answers 429 and
            // returns): run the engine's bookkeeping first (the budget hold given back or settled, the
            // ledger written) and hand out the parts it still says, so the client never hears of the
            // failure before its money is accounted for.
            if (batch.some((p) => p.type === 'error')) {
              batch = [...batch];
              for (;;) {
                const rest = await this.source.next();
                if (rest.done) {
                  finished = true;
                  this.resolveResult(rest.value);
                  break;
                }
                batch.push(...rest.value);
              }
            }
            return { done: false, value: batch[0]! };
          }
        }
      } catch (e) {
        finished = true;
        this.rejectResult(e);
        throw e;
      }
    };
    return {
      next: () => (i < batch.length ? Promise.resolve({ done: false, value: batch[i++]! }) : finished ? Promise.resolve(DONE) : pull()),
      // For converters (the OpenAI facade) that turn a part into a chunk without an await per part.
      poll: () => (i < batch.length ? batch[i++] : undefined),
      return: () => {
        if (!finished) {
          // The consumer stopped early: cancel upstream, then let the engine finish its bookkeeping.
          finished = true;
          batch = [];
          this.controller.abort();
          // eslint-disable-next-line @typescript-eslint/no-floating-promises -- finishAfterBreak() catches everything into `result`
          void this.finishAfterBreak();
        }
        return Promise.resolve(DONE);
      },
    };
  }

  /** Just the answer text, as it arrives. */
  async *textStream(): AsyncGenerator<string, void> {
    for await (const p of this) if (p.type === 'text-delta') yield p.text;
  }

  private async drain(): Promise<void> {
    try {
      for await (const _ of this) {
        /* parts are folded into the result by the engine */
      }
    } catch {
      /* rejection already delivered through result */
    }
  }

  private async finishAfterBreak(): Promise<void> {
    try {
      for (;;) {
        const step = await this.source.next();
        if (step.done) {
          this.resolveResult(step.value);
          return;
        }
      }
    } catch (e) {
      this.rejectResult(e);
    }
  }
}
