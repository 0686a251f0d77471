/**
 * Work started and not awaited (a button's follow-up, a save, a notification): its failure is
 * logged, never lost as an unhandled rejection. Each call site says what the work is.
 */
export function inBackground(work: PromiseLike<unknown>, log: { warn(message: string): void }, what: string): void {
  Promise.resolve(work).catch((e: unknown) => log.warn(`${what} failed: ${e instanceof Error ? e.message : String(e)}`));
}
