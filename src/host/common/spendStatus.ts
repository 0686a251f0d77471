/**
 * The status bar's spend: the session and today's totals in the item's text, each cap with its
 * percentage in the tooltip, and a warning or error colour from 80 % / 100 % of a cap.
 * Pure (no 'vscode'): statusBar.ts renders it, the unit tests read it.
 */
import { formatUsd } from '../../shared/format.ts';
import type { SpendView } from '../services/spend.ts';

export interface SpendStatus {
  /** After the model in the item's text: "$0.42 · $1.80 today" (empty before any spend). */
  text: string;
  /** Tooltip lines (plain text). */
  lines: string[];
  /** The highest share of a cap used: warning from 80 %, error from 100 %. */
  severity: 'none' | 'warning' | 'error';
  /** For screen readers. */
  label: string;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const unpriced = (n: number): string => (n ? ` (+${n} unpriced)` : '');

function share(spent: number, cap: number | undefined, label: string): { text: string; pct: number } {
  if (cap === undefined) return { text: '', pct: 0 };
  const pct = cap > 0 ? (spent / cap) * 100 : spent > 0 ? Infinity : 0;
  return { text: ` — ${Number.isFinite(pct) ? Math.floor(pct + 1e-9) : 100}% of the ${formatUsd(cap)} ${label}`, pct };
}

export function spendStatus(v: SpendView, now = Date.now()): SpendStatus {
  const b = v.budget;
  const s = share(v.session.usd, b?.perSession, 'session cap');
  const d = share(v.today.usd, b?.daily, 'daily cap');
  const m = share(v.monthUsd, b?.monthly, 'monthly cap');
  const top = Math.max(s.pct, d.pct, m.pct);
  const started = new Date(v.sessionStartedAt);
  const startedText =
    now - v.sessionStartedAt < 24 * 60 * 60 * 1000 && started.getDate() === new Date(now).getDate()
      ? started.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
      : started.toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  const lines = [
    `This session: ${formatUsd(v.session.usd)}${unpriced(v.session.unknownCost)} over ${plural(v.session.requests, 'request')}${s.text}`,
    `Today, every Switchboard front end on this machine: ${formatUsd(v.today.usd)}${unpriced(v.today.unknownCost)} over ${plural(v.today.requests, 'request')}${d.text}`,
    `This month: ${formatUsd(v.monthUsd)}${m.text}`,
  ];
  if (b && (b.perSession !== undefined || b.daily !== undefined || b.monthly !== undefined))
    lines.push(`Over a cap, requests are ${b.onExceed === 'block' ? 'refused' : 'warned about'} (onExceed: ${b.onExceed}).`);
  else lines.push('No spending caps set (switchboard.budget).');
  lines.push(`Session started ${startedText}; it continues across window reloads ("Switchboard: Start New Spend Session" starts a new one).`);
  if (v.problem) lines.push(`Totals may be out of date: ${v.problem}`);
  const any = v.session.requests > 0 || v.today.requests > 0;
  return {
    text: any ? `${formatUsd(v.session.usd)} · ${formatUsd(v.today.usd)} today` : '',
    lines,
    severity: top >= 100 ? 'error' : top >= 80 ? 'warning' : 'none',
    label: `session spend ${formatUsd(v.session.usd)}, today ${formatUsd(v.today.usd)}`,
  };
}
