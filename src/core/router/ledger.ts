/**
 * The usage ledger: one entry per answered request, plus the money held by requests in flight
 * (reservations), behind a small storage interface. SqliteUsageStore (sqliteLedger.ts) is the
 * real one, shared by every process of the user; MemoryUsageStore serves tests and storage-less
 * hosts. Budgets never read-then-write: `reserve` checks and holds in one atomic step.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { homedir } from 'node:os';
import { z } from 'zod';

const count = z.number().int().nonnegative().nullable();

export const LedgerEntrySchema = z.object({
  /** ISO timestamp; a value that is not a date is rejected (it would count on day NaN-NaN-NaN). */
  ts: z.string().refine((s) => Number.isFinite(Date.parse(s)), 'must be an ISO date'),
  /** What was asked for (a model or a route). */
  model: z.string(),
  answeredBy: z.string().nullable(),
  inputTokens: count,
  outputTokens: count,
  cachedInputTokens: count.default(null),
  reasoningTokens: count.default(null),
  /** USD; null when unknown. A string or a negative number is rejected, never read as 0. */
  costUsd: z.number().finite().nonnegative().nullable(),
  /** The cost is an estimate (tokens streamed × the model's prices, or audio charged as text), not the provider's count. */
  costEstimated: z.boolean().default(false),
  /** Included in a subscription (VS Code's language models): costUsd is null and that is not unknown. */
  costIncluded: z.boolean().default(false),
  /** Raw usage beyond the four counts above, so a cost can be recomputed (parts of inputTokens). */
  cacheWrite5mTokens: count.default(null),
  cacheWrite1hTokens: count.default(null),
  toolUsePromptTokens: count.default(null),
  /** Hosted web searches billed per search (not tokens). */
  webSearches: count.default(null),
  /** Audio tokens of the prompt / the answer (parts of inputTokens / outputTokens), priced apart. */
  inputAudioTokens: count.default(null),
  outputAudioTokens: count.default(null),
  /** What the provider said it charged (OpenRouter's usage.cost), when it said; costUsd is then this. */
  billedUsd: z.number().finite().nonnegative().nullable().default(null),
  /** Our own figure from tokens × prices, kept next to billedUsd so a wrong price shows. */
  computedUsd: z.number().finite().nonnegative().nullable().default(null),
  /** Which front end asked: cli, gateway, vscode, … */
  frontEnd: z.string(),
  ok: z.boolean(),
  /** The spend session it counts toward (a CLI run, a gateway process, a VS Code window session); null before sessions existed. */
  session: z.string().nullable().default(null),
});
export type LedgerEntry = z.infer<typeof LedgerEntrySchema>;
/** What writers pass: the defaulted fields may be left out. */
export type LedgerEntryInput = z.input<typeof LedgerEntrySchema>;

/** Spend so far, for budgets. Unknown-cost entries are counted apart, never as $0. */
export interface SpendTotals {
  /** Recorded spend today plus `reserved`. */
  today: number;
  /** Recorded spend this month plus `reserved`. */
  month: number;
  unknownCostToday: number;
  /** Held by requests in flight (this and other processes), included in `today` and `month`. */
  reserved: number;
  /** Recorded spend of the session asked about plus `sessionReserved` (0 without a session). */
  session: number;
  /** Held by the session's own requests in flight, included in `session`. */
  sessionReserved: number;
  /** Recorded requests today (every session and front end) and in the session; unknown-cost ones of the session. */
  requestsToday: number;
  sessionRequests: number;
  unknownCostSession: number;
  /** Requests included in a subscription (VS Code's own models): neither spend nor unknown. */
  includedToday: number;
  includedSession: number;
}

/** Spend without the holds: what was really recorded (alerts and the status bar use it, budgets use the held totals). */
export function recordedSpend(t: SpendTotals): { today: number; month: number; session: number } {
  return { today: t.today - t.reserved, month: t.month - t.reserved, session: t.session - t.sessionReserved };
}

/** What `reserve` asks the budget: how much to hold (null: hold nothing) and what to hand back. */
export interface ReserveDecision<T> {
  hold: number | null;
  value: T;
}

export interface UsageStore {
  /** Where it lives, for messages ("the usage ledger /home/…/usage.sqlite"). */
  readonly location: string;
  /** Records an entry; rejects an invalid one (a string cost, a bad timestamp) with an error. */
  append(entry: LedgerEntryInput): Promise<void>;
  readAll(): Promise<LedgerEntry[]>;
  /** Spend at `now` (local day and month, and `session`'s when given), live reservations included. */
  totals(now: number, session?: string | null): Promise<SpendTotals>;
  /**
   * Atomically (across processes for a shared store): computes the totals with every other live
   * reservation, asks `decide`, and holds `hold` USD when it says so, for `session`. Returns the reservation id.
   */
  reserve<T>(now: number, decide: (spent: SpendTotals) => ReserveDecision<T>, session?: string | null): Promise<{ id: number | null; value: T }>;
  /**
   * Marks alerts as fired, atomically across processes: returns the keys that were not fired
   * before (so each alert is shown by exactly one request, whichever process it runs in).
   */
  claimAlerts(keys: readonly string[], now: number): Promise<string[]>;
  /** Replaces the reservation by the answer's real entry (one transaction). */
  settle(id: number, entry: LedgerEntryInput): Promise<void>;
  /** Drops a reservation (the request failed before anything was spent). */
  release(id: number): Promise<void>;
}

export function localDayKey(t: number): string {
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return 'invalid date';
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Local midnight of `now`'s day and the first of its month, and the next ones (ms). */
export function periodBounds(now: number): { dayStart: number; dayEnd: number; monthStart: number; monthEnd: number } {
  const d = new Date(now);
  return {
    dayStart: new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime(),
    dayEnd: new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime(),
    monthStart: new Date(d.getFullYear(), d.getMonth(), 1).getTime(),
    monthEnd: new Date(d.getFullYear(), d.getMonth() + 1, 1).getTime(),
  };
}

export function totalsAt(entries: readonly LedgerEntry[], now: number, reserved = 0, session: string | null = null, sessionReserved = 0): SpendTotals {
  const b = periodBounds(now);
  const out: SpendTotals = {
    today: reserved,
    month: reserved,
    unknownCostToday: 0,
    reserved,
    session: sessionReserved,
    sessionReserved,
    requestsToday: 0,
    sessionRequests: 0,
    unknownCostSession: 0,
    includedToday: 0,
    includedSession: 0,
  };
  for (const e of entries) {
    if (session !== null && e.session === session) {
      out.sessionRequests++;
      if (e.costIncluded) out.includedSession++;
      else if (e.costUsd === null) out.unknownCostSession++;
      else out.session += e.costUsd;
    }
    const t = Date.parse(e.ts);
    if (!(t >= b.monthStart && t < b.monthEnd)) continue;
    const inDay = t >= b.dayStart && t < b.dayEnd;
    if (inDay) out.requestsToday++;
    if (inDay && e.costIncluded) out.includedToday++;
    if (e.costUsd === null) {
      if (inDay && !e.costIncluded) out.unknownCostToday++;
      continue;
    }
    out.month += e.costUsd;
    if (inDay) out.today += e.costUsd;
  }
  return out;
}

/** The ledger database: $XDG_DATA_HOME/switchboard/usage.sqlite (the old JSONL ledger next to it is imported once). */
export function defaultLedgerPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'switchboard', 'usage.sqlite');
}

const isCount = (v: unknown): boolean => v === null || (typeof v === 'number' && Number.isInteger(v) && v >= 0);
const isOptCount = (v: unknown): boolean => v === undefined || isCount(v);
const isOptUsd = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'number' && Number.isFinite(v) && v >= 0);

/** The schema's rules without zod's overhead, for the common valid entry (a 140k-line import parses each line). */
function quickEntry(o: unknown): LedgerEntry | null {
  if (typeof o !== 'object' || o === null) return null;
  const e = o as Record<string, unknown>;
  const cost = e.costUsd;
  if (typeof e.ts !== 'string' || !Number.isFinite(Date.parse(e.ts))) return null;
  if (typeof e.model !== 'string' || !(e.answeredBy === null || typeof e.answeredBy === 'string')) return null;
  if (!isCount(e.inputTokens) || !isCount(e.outputTokens) || !isOptCount(e.cachedInputTokens) || !isOptCount(e.reasoningTokens)) return null;
  if (!(cost === null || (typeof cost === 'number' && Number.isFinite(cost) && cost >= 0))) return null;
  if (!(e.costIncluded === undefined || typeof e.costIncluded === 'boolean')) return null;
  if (!(e.costEstimated === undefined || typeof e.costEstimated === 'boolean') || typeof e.frontEnd !== 'string' || typeof e.ok !== 'boolean') return null;
  if (!(e.session === undefined || e.session === null || typeof e.session === 'string')) return null;
  if (
    !isOptCount(e.cacheWrite5mTokens) ||
    !isOptCount(e.cacheWrite1hTokens) ||
    !isOptCount(e.toolUsePromptTokens) ||
    !isOptCount(e.webSearches) ||
    !isOptCount(e.inputAudioTokens) ||
    !isOptCount(e.outputAudioTokens) ||
    !isOptUsd(e.billedUsd) ||
    !isOptUsd(e.computedUsd)
  )
    return null;
  return {
    ts: e.ts,
    model: e.model,
    answeredBy: e.answeredBy as string | null,
    inputTokens: e.inputTokens as number | null,
    outputTokens: e.outputTokens as number | null,
    cachedInputTokens: (e.cachedInputTokens ?? null) as number | null,
    reasoningTokens: (e.reasoningTokens ?? null) as number | null,
    costUsd: cost as number | null,
    costEstimated: (e.costEstimated ?? false) as boolean,
    costIncluded: (e.costIncluded ?? false) as boolean,
    cacheWrite5mTokens: (e.cacheWrite5mTokens ?? null) as number | null,
    cacheWrite1hTokens: (e.cacheWrite1hTokens ?? null) as number | null,
    toolUsePromptTokens: (e.toolUsePromptTokens ?? null) as number | null,
    webSearches: (e.webSearches ?? null) as number | null,
    inputAudioTokens: (e.inputAudioTokens ?? null) as number | null,
    outputAudioTokens: (e.outputAudioTokens ?? null) as number | null,
    billedUsd: (e.billedUsd ?? null) as number | null,
    computedUsd: (e.computedUsd ?? null) as number | null,
    frontEnd: e.frontEnd,
    ok: e.ok,
    session: (e.session ?? null) as string | null,
  };
}

/** Validates an entry for writing; the error names the field ("costUsd: expected number, received string"). */
export function validEntry(entry: unknown): LedgerEntry {
  const quick = quickEntry(entry);
  if (quick) return quick;
  const r = LedgerEntrySchema.safeParse(entry);
  if (r.success) return r.data;
  const why = r.error.issues.map((i) => `${i.path.join('.') || 'entry'}: ${i.message}`).join('; ');
  throw new Error(`invalid usage ledger entry (${why})`);
}

/**
 * The old JSONL ledger, for the one-time import. Every line that is not a valid entry (a torn
 * write, a string cost, a bad timestamp) is reported by line number, never silently dropped.
 */
export function readLegacyJsonl(path: string): { entries: LedgerEntry[]; problems: string[] } | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const entries: LedgerEntry[] = [];
  const problems: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.trim()) continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      problems.push(`line ${i + 1}: not valid JSON (a write cut off by a crash or a full disk)`);
      continue;
    }
    try {
      entries.push(validEntry(json));
    } catch (e) {
      problems.push(`line ${i + 1}: ${(e as Error).message}`);
    }
  }
  return { entries, problems };
}

/** In-memory store (tests, and hosts without file storage). Single-threaded JS makes reserve atomic. */
export class MemoryUsageStore implements UsageStore {
  readonly location = 'memory';
  readonly entries: LedgerEntry[] = [];
  readonly reservations = new Map<number, { amount: number; session: string | null }>();
  readonly alerts = new Set<string>();
  private nextId = 1;
  async append(entry: LedgerEntryInput): Promise<void> {
    this.entries.push(validEntry(entry));
  }
  async readAll(): Promise<LedgerEntry[]> {
    return [...this.entries];
  }
  async totals(now: number, session: string | null = null): Promise<SpendTotals> {
    return this.spend(now, session);
  }
  async reserve<T>(now: number, decide: (spent: SpendTotals) => ReserveDecision<T>, session: string | null = null): Promise<{ id: number | null; value: T }> {
    // No await between reading the totals and holding: that is what makes it atomic here.
    const d = decide(this.spend(now, session));
    if (d.hold === null) return { id: null, value: d.value };
    const id = this.nextId++;
    this.reservations.set(id, { amount: d.hold, session });
    return { id, value: d.value };
  }
  async claimAlerts(keys: readonly string[]): Promise<string[]> {
    const fresh = keys.filter((k) => !this.alerts.has(k));
    for (const k of fresh) this.alerts.add(k);
    return [...new Set(fresh)];
  }
  async settle(id: number, entry: LedgerEntryInput): Promise<void> {
    const valid = validEntry(entry);
    this.reservations.delete(id);
    this.entries.push(valid);
  }
  async release(id: number): Promise<void> {
    this.reservations.delete(id);
  }
  private spend(now: number, session: string | null): SpendTotals {
    return totalsAt(this.entries, now, this.held(), session, session === null ? 0 : this.held(session));
  }
  private held(session?: string): number {
    let n = 0;
    for (const v of this.reservations.values()) if (session === undefined || v.session === session) n += v.amount;
    return n;
  }
}

/** Spend by day and by model, for `switchboard usage`. */
export interface UsageReport {
  since: string | null;
  requests: number;
  totalUsd: number;
  unknownCostRequests: number;
  /** Requests included in a subscription (VS Code's language models): no dollar figure, not unknown either. */
  includedRequests: number;
  /** Requests whose cost is an estimate (cut off before the provider counted), included in totalUsd. */
  estimatedCostRequests: number;
  byDay: { day: string; requests: number; costUsd: number; unknownCost: number; included: number }[];
  /** `webSearches`: hosted web searches the provider ran (each billed apart from the tokens). */
  byModel: {
    model: string;
    requests: number;
    inputTokens: number;
    outputTokens: number;
    webSearches: number;
    costUsd: number;
    unknownCost: number;
    included: number;
  }[];
  /**
   * Requests whose provider reported a cost and that we could also price: both sums, per model
   * that has any. A wrong price in our data (or a billing rule we miss) shows as a difference.
   */
  billedVsComputed: { model: string; requests: number; billedUsd: number; computedUsd: number }[];
}

export function summarize(entries: readonly LedgerEntry[], sinceMs: number | null): UsageReport {
  const days = new Map<string, UsageReport['byDay'][number]>();
  const models = new Map<string, UsageReport['byModel'][number]>();
  const compared = new Map<string, UsageReport['billedVsComputed'][number]>();
  let total = 0;
  let unknown = 0;
  let included = 0;
  let estimated = 0;
  let n = 0;
  for (const e of entries) {
    const t = Date.parse(e.ts);
    if (sinceMs !== null && !(t >= sinceMs)) continue;
    n++;
    const day = localDayKey(t);
    const d = days.get(day) ?? { day, requests: 0, costUsd: 0, unknownCost: 0, included: 0 };
    const key = e.answeredBy ?? e.model;
    const m = models.get(key) ?? { model: key, requests: 0, inputTokens: 0, outputTokens: 0, webSearches: 0, costUsd: 0, unknownCost: 0, included: 0 };
    d.requests++;
    m.requests++;
    m.inputTokens += e.inputTokens ?? 0;
    m.outputTokens += e.outputTokens ?? 0;
    m.webSearches += e.webSearches ?? 0;
    if (e.costIncluded) {
      d.included++;
      m.included++;
      included++;
    } else if (e.costUsd === null) {
      d.unknownCost++;
      m.unknownCost++;
      unknown++;
    } else {
      if (e.costEstimated) estimated++;
      d.costUsd += e.costUsd;
      m.costUsd += e.costUsd;
      total += e.costUsd;
    }
    days.set(day, d);
    models.set(key, m);
    if (e.billedUsd !== null && e.computedUsd !== null) {
      const c = compared.get(key) ?? { model: key, requests: 0, billedUsd: 0, computedUsd: 0 };
      c.requests++;
      c.billedUsd += e.billedUsd;
      c.computedUsd += e.computedUsd;
      compared.set(key, c);
    }
  }
  return {
    since: sinceMs === null ? null : new Date(sinceMs).toISOString(),
    requests: n,
    totalUsd: total,
    unknownCostRequests: unknown,
    includedRequests: included,
    estimatedCostRequests: estimated,
    byDay: [...days.values()].sort((a, b) => a.day.localeCompare(b.day)),
    byModel: [...models.values()].sort((a, b) => b.costUsd - a.costUsd || a.model.localeCompare(b.model)),
    billedVsComputed: [...compared.values()].sort((a, b) => a.model.localeCompare(b.model)),
  };
}
