/**
 * The window's spend session and the live totals the status bar and the usage report show, read
 * from the usage ledger (so they include the gateway's and the CLI's spend on this machine, and
 * count exactly the requests the ledger counts); budget alerts as notifications; one log line per
 * request.
 *
 * A spend session is this window's work in this workspace: its id is kept in workspace storage,
 * so a window reload (or closing and reopening the folder) continues it and its total; a new one
 * starts when the window opens after SESSION_IDLE_MS without a request in it, or on "Switchboard:
 * Start New Spend Session". The gateway started from VS Code counts toward the window's session.
 */
import { randomUUID } from 'node:crypto';
import type { BudgetAlert, BudgetConfig, ChatMessage, ChatResult, UsageStore } from '../../core/index.ts';
import { recordedSpend } from '../../core/index.ts';
import { formatUsd } from '../../shared/format.ts';
import type { KeyValueStore } from '../common/memento.ts';
import { logRequest } from '../common/requestLog.ts';
import type { NoticeLevel } from './notifier.ts';
import { Emitter, type Log } from './events.ts';

/** A window opened after this long without a request in its session starts a new session. */
export const SESSION_IDLE_MS = 8 * 60 * 60 * 1000;
export const SESSION_KEY = 'switchboard.spendSession';

export interface SessionTotals {
  usd: number;
  requests: number;
  /** Answered requests whose cost is unknown (a model without a price). */
  unknownCost: number;
}

/** What the status bar and the report show: the session, today and this month, from the ledger. */
export interface SpendView {
  sessionId: string;
  /** ms since the epoch. */
  sessionStartedAt: number;
  session: SessionTotals;
  /** Every front end and session on this machine (the ledger is shared). */
  today: SessionTotals;
  monthUsd: number;
  budget: BudgetConfig | undefined;
  /** The ledger could not be read: the totals are the last ones known. */
  problem: string | null;
}

interface StoredSession {
  id: string;
  startedAt: number;
  lastActiveAt: number;
}

export interface SpendServiceOptions {
  log: Log;
  verbose: () => boolean;
  ledger: UsageStore;
  /** Workspace storage: the session survives a window reload. */
  state: KeyValueStore;
  budget: () => BudgetConfig | undefined;
  notify: (level: NoticeLevel, text: string, ...actions: string[]) => PromiseLike<string | undefined>;
  /** Opens the settings at switchboard.budget. */
  openBudgetSettings: () => PromiseLike<unknown>;
  now?: () => number;
}

export const OPEN_SETTINGS = 'Open Settings';
export const NEW_SESSION = 'Start New Spend Session';

const EMPTY: SessionTotals = { usd: 0, requests: 0, unknownCost: 0 };

export class SpendService {
  private readonly o: SpendServiceOptions;
  private readonly now: () => number;
  private stored: StoredSession;
  private view: SpendView;
  private readonly changed = new Emitter<SpendView>();
  readonly onDidChange = this.changed.event;
  /** Refreshes in order: a slow read never overwrites a newer one. */
  private refreshing: Promise<void> = Promise.resolve();

  constructor(o: SpendServiceOptions) {
    this.o = o;
    this.now = o.now ?? Date.now;
    const saved = o.state.get<StoredSession>(SESSION_KEY);
    const t = this.now();
    this.stored = saved && typeof saved.id === 'string' && t - saved.lastActiveAt < SESSION_IDLE_MS ? saved : this.fresh(t);
    if (this.stored !== saved) this.save();
    this.view = this.emptyView(null);
  }

  /** The session requests count toward now (the client reads it at each request). */
  get sessionId(): string {
    return this.stored.id;
  }

  /** Account for a finished request: log it, then read the totals again. */
  record(source: string, r: ChatResult, messages?: readonly ChatMessage[]): Promise<void> {
    logRequest(this.o.log, source, r, this.o.verbose(), messages);
    return this.refresh();
  }

  /** An answer was written to the ledger (any front end in this window): the session is active. */
  touched(): Promise<void> {
    const t = this.now();
    // A write per minute at most: the idle rule needs minutes, not milliseconds.
    if (t - this.stored.lastActiveAt > 60_000) {
      this.stored = { ...this.stored, lastActiveAt: t };
      this.save();
    }
    return this.refresh();
  }

  /** Reads the totals from the ledger and announces them. */
  refresh(): Promise<void> {
    this.refreshing = this.refreshing.then(async () => {
      const id = this.stored.id;
      try {
        const t = await this.o.ledger.totals(this.now(), id);
        if (id !== this.stored.id) return; // a new session started meanwhile
        const rec = recordedSpend(t);
        this.view = {
          ...this.emptyView(null),
          session: { usd: rec.session, requests: t.sessionRequests, unknownCost: t.unknownCostSession },
          today: { usd: rec.today, requests: t.requestsToday, unknownCost: t.unknownCostToday },
          monthUsd: rec.month,
        };
      } catch (e) {
        const problem = `the usage ledger cannot be read: ${(e as Error)?.message ?? String(e)}`;
        if (this.view.problem !== problem) this.o.log.warn(problem);
        this.view = { ...this.view, problem };
      }
      this.changed.fire(this.view);
    });
    return this.refreshing;
  }

  /** "Switchboard: Start New Spend Session": the session cap and total start again from $0. */
  async startNewSession(): Promise<SpendView> {
    this.stored = this.fresh(this.now());
    this.save();
    this.view = this.emptyView(null);
    this.changed.fire(this.view);
    await this.refresh();
    return this.view;
  }

  /** A budget alert (from any request of this window's client): a notification, and the log. */
  async alert(a: BudgetAlert): Promise<void> {
    this.o.log.warn(a.message);
    const level: NoticeLevel = a.blocked || a.threshold === 100 ? 'error' : a.threshold === 80 ? 'warning' : 'info';
    const actions = a.cap === 'perSession' && (a.blocked || a.threshold === 100) ? [OPEN_SETTINGS, NEW_SESSION] : [OPEN_SETTINGS];
    const pick = await this.o.notify(level, `Switchboard: ${a.message}`, ...actions);
    if (pick === OPEN_SETTINGS) await this.o.openBudgetSettings();
    if (pick === NEW_SESSION) await this.startNewSession();
  }

  session(): SessionTotals {
    return { ...this.view.session };
  }

  snapshot(): SpendView {
    return { ...this.view, budget: this.o.budget() };
  }

  text(): string {
    const s = this.view.session;
    return `${formatUsd(s.usd)}${s.unknownCost ? ` (+${s.unknownCost} unpriced)` : ''}`;
  }

  dispose(): void {
    this.changed.dispose();
  }

  private fresh(t: number): StoredSession {
    return { id: `vscode-${randomUUID()}`, startedAt: t, lastActiveAt: t };
  }

  private save(): void {
    Promise.resolve(this.o.state.update(SESSION_KEY, this.stored)).catch((e: unknown) =>
      this.o.log.warn(`Could not save the spend session (a reload would start a new one): ${(e as Error)?.message ?? String(e)}`),
    );
  }

  private emptyView(problem: string | null): SpendView {
    return {
      sessionId: this.stored.id,
      sessionStartedAt: this.stored.startedAt,
      session: { ...EMPTY },
      today: { ...EMPTY },
      monthUsd: 0,
      budget: this.o.budget(),
      problem,
    };
  }
}
