/** Budgets: refuse (block) or warn before a request that would overspend. */
import type { BudgetConfig } from '../config.ts';
import { SwitchboardError } from '../errors.ts';
import type { SpendTotals } from './ledger.ts';

export type BudgetVerdict = { action: 'ok' } | { action: 'warn'; message: string } | { action: 'block'; error: SwitchboardError };

const usd = (n: number): string => `$${n < 0.01 && n > 0 ? n.toFixed(6) : n.toFixed(2)}`;

/**
 * `estimateUsd` is the request's worst case (prompt + max output at the model's prices); null
 * means a price is unknown, which is never treated as free: a blocking budget refuses the request
 * (it could not count it), a warning budget lets it go with a warning that says so. `spent`
 * includes what requests in flight hold. With a known overspend the verdict follows `onExceed`.
 */
export function checkBudget(budget: BudgetConfig | undefined, spent: SpendTotals, estimateUsd: number | null, model: string): BudgetVerdict {
  if (!budget) return { action: 'ok' };
  const limited = budget.daily !== undefined || budget.monthly !== undefined || budget.perRequest !== undefined;
  if (estimateUsd === null && limited && budget.onExceed === 'block') {
    const message = `the price of ${model} is unknown, so the blocking budget cannot count this request`;
    return {
      action: 'block',
      error: new SwitchboardError({
        kind: 'budget',
        message,
        model,
        fix: `add a "pricing" entry for ${model} (0 for a free local model), or set budget.onExceed to "warn"`,
      }),
    };
  }
  const est = estimateUsd ?? 0;
  const held = (n: number): string => (spent.reserved > 0 ? `${usd(n - spent.reserved)} + ${usd(spent.reserved)} held by requests in flight` : usd(n));
  const over: string[] = [];
  if (budget.perRequest !== undefined && estimateUsd !== null && estimateUsd > budget.perRequest) {
    over.push(`per-request budget ${usd(budget.perRequest)} < estimate ${usd(estimateUsd)}`);
  }
  if (budget.daily !== undefined && spent.today + est > budget.daily) {
    over.push(`daily budget ${usd(budget.daily)}: spent ${held(spent.today)} today + estimate ${estimateUsd === null ? 'unknown' : usd(est)}`);
  }
  if (budget.monthly !== undefined && spent.month + est > budget.monthly) {
    over.push(`monthly budget ${usd(budget.monthly)}: spent ${held(spent.month)} this month + estimate ${estimateUsd === null ? 'unknown' : usd(est)}`);
  }
  const unknownNote = estimateUsd === null ? ` The price of ${model} is unknown, so its cost counts as unknown, not as free.` : '';
  if (over.length > 0) {
    const message = `over budget for ${model}: ${over.join('; ')}.${unknownNote}`;
    if (budget.onExceed === 'block') {
      return {
        action: 'block',
        error: new SwitchboardError({
          kind: 'budget',
          message,
          model,
          fix: 'raise the budget in the config, ask for fewer output tokens (a request holds its worst case until it is done), wait for the next day/month, or set budget.onExceed to "warn"',
        }),
      };
    }
    return { action: 'warn', message: `${message} Proceeding (onExceed: warn).` };
  }
  if (estimateUsd === null && limited) {
    return { action: 'warn', message: `budget check incomplete for ${model}:${unknownNote} Add a "pricing" entry for it to count it.` };
  }
  return { action: 'ok' };
}
