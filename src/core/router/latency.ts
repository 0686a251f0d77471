/** Moving average of time to first token per model, for the `fastest` strategy. */
export class LatencyTracker {
  private readonly ema = new Map<string, number>();
  private readonly alpha: number;
  private readonly maxEntries: number;

  constructor(alpha = 0.3, maxEntries = 1000) {
    this.alpha = alpha;
    this.maxEntries = maxEntries;
  }

  record(model: string, ttftMs: number): void {
    const prev = this.ema.get(model);
    if (prev === undefined && this.ema.size >= this.maxEntries) {
      const first = this.ema.keys().next();
      if (!first.done) this.ema.delete(first.value);
    }
    this.ema.set(model, prev === undefined ? ttftMs : prev + this.alpha * (ttftMs - prev));
  }

  get(model: string): number | undefined {
    return this.ema.get(model);
  }
}
