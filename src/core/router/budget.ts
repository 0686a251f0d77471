/** Budgets: refuse (block) or warn before a request that would overspend. */
import type { BudgetConfig } from '../config.ts';
import { SwitchboardError } from '../errors.ts';
import type { SpendTotals } from './ledger.ts';
import { settingKey, type SettingsPlace } from './needs.ts';

/** The caps that add up over time (perRequest is about one request only). */
export type PeriodCap = 'daily' | 'monthly' | 'perSession';

export type BudgetVerdict =
  { action: 'ok' } | { action: 'warn'; message: string; over: PeriodCap[] } | { action: 'block'; error: SwitchboardError; over: PeriodCap[] };

/**
 * Sums of dollar amounts in floating point drift (0.2 + 0.2 + 0.2 > 0.6): a spend within a
 * millionth of a cent of the cap is at the cap, not over it.
 */
const EPSILON_USD = 1e-8;
const exceeds = (amount: number, cap: number): boolean => amount > cap + EPSILON_USD;

export const usd = (n: number): string => `$${n < 0.01 && n > 0 ? n.toFixed(6) : n.toFixed(2)}`;

/** Whether the budget limits anything (a budget of only `onExceed` does not). */
export function hasLimits(budget: BudgetConfig): boolean {
  return budget.daily !== undefined || budget.monthly !== undefined || budget.perRequest !== undefined || budget.perSession !== undefined;
}

/**
 * `estimateUsd` is the request's worst case (prompt + max output at the model's prices); null
 * means a price is unknown, which is never treated as free: a blocking budget refuses the request
 * (it could not count it), a warning budget lets it go with a warning that says so. `spent`
 * includes what requests in flight hold. With a known overspend the verdict follows `onExceed`.
 */
export function checkBudget(
  budget: BudgetConfig | undefined,
  spent: SpendTotals,
  estimateUsd: number | null,
  model: string,
  place: SettingsPlace = 'config',
): BudgetVerdict {
  if (!budget) return { action: 'ok' };
  const onExceed = settingKey('budget.onExceed', place);
  const pricing = place === 'vscode' ? `an entry for ${model} in the switchboard.pricing setting` : `a "pricing" entry for ${model}`;
  const limited = hasLimits(budget);
  if (estimateUsd === null && limited && budget.onExceed === 'block') {
    const message = `the price of ${model} is unknown, so the blocking budget cannot count this request`;
    return {
      action: 'block',
      over: [],
      error: new SwitchboardError({
        kind: 'budget',
        message,
        model,
        fix: `add ${pricing} (0 for a free local model), or set ${onExceed} to "warn"`,
      }),
    };
  }
  const est = estimateUsd ?? 0;
  const estText = estimateUsd === null ? 'unknown' : usd(est);
  const held = (n: number, reserved: number): string => (reserved > 0 ? `${usd(n - reserved)} + ${usd(reserved)} held by requests in flight` : usd(n));
  const over: string[] = [];
  const caps: PeriodCap[] = [];
  if (budget.perRequest !== undefined && estimateUsd !== null && exceeds(estimateUsd, budget.perRequest)) {
    over.push(`per-request budget ${usd(budget.perRequest)} < estimate ${usd(estimateUsd)}`);
  }
  if (budget.perSession !== undefined && exceeds(spent.session + est, budget.perSession)) {
    over.push(`session budget ${usd(budget.perSession)}: spent ${held(spent.session, spent.sessionReserved)} this session + estimate ${estText}`);
    caps.push('perSession');
  }
  if (budget.daily !== undefined && exceeds(spent.today + est, budget.daily)) {
    over.push(`daily budget ${usd(budget.daily)}: spent ${held(spent.today, spent.reserved)} today + estimate ${estText}`);
    caps.push('daily');
  }
  if (budget.monthly !== undefined && exceeds(spent.month + est, budget.monthly)) {
    over.push(`monthly budget ${usd(budget.monthly)}: spent ${held(spent.month, spent.reserved)} this month + estimate ${estText}`);
    caps.push('monthly');
  }
  const unknownNote = estimateUsd === null ? ` The price of ${model} is unknown, so its cost counts as unknown, not as free.` : '';
  if (over.length > 0) {
    const message = `over budget for ${model}: ${over.join('; ')}.${unknownNote}`;
    if (budget.onExceed === 'block') {
      return {
        action: 'block',
        over: caps,
        error: new SwitchboardError({
          kind: 'budget',
          message,
          model,
          fix: caps.includes('perSession')
            ? `raise ${settingKey('budget.perSession', place)}, start a new spend session (VS Code: "Switchboard: Start New Spend Session"; the CLI and the gateway start one per run), ask for fewer output tokens, or set ${onExceed} to "warn"`
            : `raise the budget ${place === 'vscode' ? 'in the switchboard.budget setting' : 'in the config'}, ask for fewer output tokens (a request holds its worst case until it is done: its max_tokens, else the model's output limit, else what its context window leaves), wait for the next day/month, or set ${onExceed} to "warn"`,
        }),
      };
    }
    return { action: 'warn', message: `${message} Proceeding (onExceed: warn).`, over: caps };
  }
  if (estimateUsd === null && limited) {
    return { action: 'warn', message: `budget check incomplete for ${model}:${unknownNote} Add ${pricing} to count it.`, over: [] };
  }
  return { action: 'ok' };
}
