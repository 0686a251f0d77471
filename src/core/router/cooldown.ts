/**
 * A circuit breaker per provider+model, shared by every request in the process: after
 * `threshold` consecutive retryable failures the model is cooled down (open) for a while;
 * when that passes, one request may probe it (half-open); success closes it, failure
 * re-opens it for twice as long (up to `maxMs`).
 */
export interface CooldownOptions {
  threshold: number;
  baseMs: number;
  maxMs: number;
  /** Bound on tracked models, so a long-running process cannot grow without limit. */
  maxEntries: number;
}

export const DEFAULT_COOLDOWN: CooldownOptions = { threshold: 3, baseMs: 30_000, maxMs: 10 * 60_000, maxEntries: 1000 };

interface Entry {
  failures: number;
  openUntil: number;
  /** How long the last opening lasted, to back off repeated trips. */
  lastOpenMs: number;
  probing: boolean;
}

export type CircuitState = 'closed' | 'open' | 'half-open';

export class CooldownTracker {
  private readonly entries = new Map<string, Entry>();
  private readonly opts: CooldownOptions;
  private readonly now: () => number;

  constructor(now: () => number, opts: Partial<CooldownOptions> = {}) {
    this.now = now;
    this.opts = { ...DEFAULT_COOLDOWN, ...opts };
  }

  state(model: string): CircuitState {
    const e = this.entries.get(model);
    if (!e || e.openUntil === 0) return 'closed';
    return this.now() < e.openUntil ? 'open' : 'half-open';
  }

  /** Milliseconds until a cooled-down model may be probed (0 when usable). */
  remainingMs(model: string): number {
    const e = this.entries.get(model);
    return e ? Math.max(0, e.openUntil - this.now()) : 0;
  }

  /** May a request use this model now? Claims the single half-open probe when there is one. */
  tryAcquire(model: string): boolean {
    const e = this.entries.get(model);
    if (!e || e.openUntil === 0) return true;
    if (this.now() < e.openUntil) return false;
    if (e.probing) return false;
    e.probing = true;
    return true;
  }

  recordSuccess(model: string): void {
    this.entries.delete(model);
  }

  recordFailure(model: string): void {
    let e = this.entries.get(model);
    if (!e) {
      if (this.entries.size >= this.opts.maxEntries) this.evictOne();
      e = { failures: 0, openUntil: 0, lastOpenMs: 0, probing: false };
      this.entries.set(model, e);
    }
    e.failures++;
    if (e.probing || e.failures >= this.opts.threshold) {
      const ms = e.lastOpenMs ? Math.min(e.lastOpenMs * 2, this.opts.maxMs) : this.opts.baseMs;
      e.lastOpenMs = ms;
      e.openUntil = this.now() + ms;
      e.probing = false;
    }
  }

  /** Release a probe claim without a verdict (the request was cancelled). */
  release(model: string): void {
    const e = this.entries.get(model);
    if (e) e.probing = false;
  }

  size(): number {
    return this.entries.size;
  }

  private evictOne(): void {
    // Drop the closed entry seen longest ago, else the oldest.
    for (const [k, e] of this.entries) {
      if (e.openUntil === 0 || e.openUntil < this.now()) {
        this.entries.delete(k);
        return;
      }
    }
    const first = this.entries.keys().next();
    if (!first.done) this.entries.delete(first.value);
  }
}
