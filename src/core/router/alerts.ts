/**
 * Budget alerts at 50, 80 and 100 % of each cap that adds up (daily, monthly, per session).
 * The ledger remembers which fired (`claimAlerts`, atomic across processes), so each threshold
 * fires once per period however many requests run at once and in whichever process; a request
 * refused by a cap fires that cap's 100 % alert as "blocked".
 */
import type { BudgetConfig } from '../config.ts';
import type { BudgetAlert } from '../types.ts';
import { usd, type PeriodCap } from './budget.ts';
import { localDayKey, recordedSpend, type SpendTotals, type UsageStore } from './ledger.ts';

export const ALERT_THRESHOLDS = [50, 80, 100] as const;

const PREFIX = 'Budget alert: ';
/** Whether a warning is a budget alert's text (front ends that show alerts on their own skip these). */
export const isBudgetAlertMessage = (warning: string): boolean => warning.startsWith(PREFIX);

const LABEL: Record<PeriodCap, string> = { daily: 'daily budget', monthly: 'monthly budget', perSession: 'session budget' };

/** When a cap that stops requests lets them through again. */
const UNTIL: Record<PeriodCap, string> = {
  daily: 'until tomorrow',
  monthly: 'until next month',
  perSession: 'until a new spend session starts',
};

interface Candidate {
  key: string;
  alert: BudgetAlert;
}

function period(cap: PeriodCap, now: number, session: string | null): string | null {
  if (cap === 'perSession') return session;
  const day = localDayKey(now);
  return cap === 'daily' ? day : day.slice(0, 7);
}

function message(a: Omit<BudgetAlert, 'message'>): string {
  const label = LABEL[a.cap];
  if (a.blocked)
    return `${PREFIX}the ${label} of ${usd(a.limitUsd)} stops requests (${usd(a.spentUsd)} spent, and the next request could cost more than is left): they are refused ${UNTIL[a.cap]} or the cap is raised (budget.${a.cap}).`;
  if (a.threshold < 100) return `${PREFIX}${a.threshold}% of the ${label} used (${usd(a.spentUsd)} of ${usd(a.limitUsd)}).`;
  return `${PREFIX}the ${label} of ${usd(a.limitUsd)} is used up (${usd(a.spentUsd)} spent): ${
    a.onExceed === 'block' ? `further requests are refused ${UNTIL[a.cap]}` : 'requests go on with a warning (onExceed: warn)'
  }.`;
}

/**
 * Every threshold reached by the recorded spend, and the 100 % alert of each cap in `blocked`;
 * keys name the cap, its period, its limit (a raised cap alerts again) and the threshold.
 */
export function alertCandidates(
  budget: BudgetConfig,
  spent: SpendTotals,
  now: number,
  session: string | null,
  frontEnd: string,
  blocked: readonly PeriodCap[] = [],
): Candidate[] {
  const recorded = recordedSpend(spent);
  const spentOf: Record<PeriodCap, number> = { daily: recorded.today, monthly: recorded.month, perSession: recorded.session };
  const out: Candidate[] = [];
  for (const cap of ['perSession', 'daily', 'monthly'] as const) {
    const limit = budget[cap];
    const p = period(cap, now, session);
    if (limit === undefined || p === null) continue;
    const spentUsd = spentOf[cap];
    const isBlocked = blocked.includes(cap);
    for (const threshold of ALERT_THRESHOLDS) {
      // A zero cap has no percentages; only a refusal says something.
      const reached = limit > 0 && spentUsd >= (limit * threshold) / 100 - 1e-8;
      const blockedHere = isBlocked && threshold === 100;
      if (!reached && !blockedHere) continue;
      const base = { cap, threshold, limitUsd: limit, spentUsd, blocked: blockedHere, onExceed: budget.onExceed, period: p, frontEnd };
      out.push({ key: `${cap}:${p}:${limit}:${threshold}`, alert: { ...base, message: message(base) } });
    }
  }
  return out;
}

/**
 * Claims the candidates in the ledger and returns the alerts to show: of each cap's newly fired
 * thresholds only the highest (a lowered cap that jumps from 0 to 100 % says it once).
 */
export async function claimAlerts(ledger: UsageStore, candidates: readonly Candidate[], now: number): Promise<BudgetAlert[]> {
  if (candidates.length === 0) return [];
  const fresh = new Set(
    await ledger.claimAlerts(
      candidates.map((c) => c.key),
      now,
    ),
  );
  const best = new Map<PeriodCap, BudgetAlert>();
  for (const c of candidates) {
    if (!fresh.has(c.key)) continue;
    const prev = best.get(c.alert.cap);
    if (!prev || c.alert.threshold > prev.threshold) best.set(c.alert.cap, c.alert);
  }
  return [...best.values()];
}
