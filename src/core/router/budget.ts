/** Budgets: refuse (block) or warn before a request that would overspend. */
import type { BudgetConfig } from '../config.ts';
import { SwitchboardError } from '../errors.ts';
import type { SpendTotals } from './ledger.ts';

export type BudgetVerdict = { action: 'ok' } | { action: 'warn'; message: string } | { action: 'block'; error: SwitchboardError };

const usd = (n: number): string => `$${n < 0.01 && n > 0 ? n.toFixed(6) : n.toFixed(2)}`;

/**
 * `estimateUsd` null means a price is unknown: that is never treated as free. With a known
 * overspend the verdict follows `onExceed`; with an unknown estimate the request may go on,
 * with a warning that says so.
 */
export function checkBudget(budget: BudgetConfig | undefined, spent: SpendTotals, estimateUsd: number | null, model: string): BudgetVerdict {
  if (!budget) return { action: 'ok' };
  const est = estimateUsd ?? 0;
  const over: string[] = [];
  if (budget.perRequest !== undefined && estimateUsd !== null && estimateUsd > budget.perRequest) {
    over.push(`per-request budget ${usd(budget.perRequest)} < estimate ${usd(estimateUsd)}`);
  }
  if (budget.daily !== undefined && spent.today + est > budget.daily) {
    over.push(`daily budget ${usd(budget.daily)}: spent ${usd(spent.today)} today + estimate ${estimateUsd === null ? 'unknown' : usd(est)}`);
  }
  if (budget.monthly !== undefined && spent.month + est > budget.monthly) {
    over.push(`monthly budget ${usd(budget.monthly)}: spent ${usd(spent.month)} this month + estimate ${estimateUsd === null ? 'unknown' : usd(est)}`);
  }
  const unknownNote = estimateUsd === null ? ` The price of ${model} is unknown, so its cost counts as unknown, not as free.` : '';
  if (over.length > 0) {
    const message = `over budget for ${model}: ${over.join('; ')}.${unknownNote}`;
    if (budget.onExceed === 'block') {
      return { action: 'block', error: new SwitchboardError({ kind: 'budget', message, model, fix: 'raise the budget in the config, wait for the next day/month, or set budget.onExceed to "warn"' }) };
    }
    return { action: 'warn', message: `${message} Proceeding (onExceed: warn).` };
  }
  if (estimateUsd === null && (budget.daily !== undefined || budget.monthly !== undefined || budget.perRequest !== undefined)) {
    return { action: 'warn', message: `budget check incomplete for ${model}:${unknownNote} Add a "pricing" entry for it to count it.` };
  }
  return { action: 'ok' };
}
