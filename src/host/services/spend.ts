/** This session's requests and spend (the status bar shows them), and one log line per request. */
import type { ChatMessage, ChatResult } from '../../core/index.ts';
import { formatUsd } from '../../shared/format.ts';
import { logRequest } from '../common/requestLog.ts';
import { Emitter, type Log } from './events.ts';

export interface SessionTotals {
  usd: number;
  requests: number;
  /** Answered requests whose cost is unknown (a model without a price). */
  unknownCost: number;
}

export class SessionSpend {
  private readonly log: Log;
  private readonly verbose: () => boolean;
  private readonly totals: SessionTotals = { usd: 0, requests: 0, unknownCost: 0 };
  private readonly changed = new Emitter<SessionTotals>();
  readonly onDidChange = this.changed.event;

  constructor(log: Log, verbose: () => boolean) {
    this.log = log;
    this.verbose = verbose;
  }

  /** Account for a finished request: log it; count it when it reached a provider. */
  record(source: string, r: ChatResult, messages?: readonly ChatMessage[]): void {
    logRequest(this.log, source, r, this.verbose(), messages);
    // Only requests that reached a provider count (not "no key" or "unknown model").
    if (!r.answeredBy && !r.attempts.some((a) => a.status !== undefined || a.errorKind === 'network' || a.errorKind === 'timeout')) return;
    this.totals.requests++;
    if (r.costUsd === null) {
      if (r.answeredBy) this.totals.unknownCost++;
    } else this.totals.usd += r.costUsd;
    this.changed.fire(this.session());
  }

  session(): SessionTotals {
    return { ...this.totals };
  }

  text(): string {
    return `${formatUsd(this.totals.usd)}${this.totals.unknownCost ? ` (+${this.totals.unknownCost} unpriced)` : ''}`;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
