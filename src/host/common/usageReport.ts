/**
 * "Show Usage and Costs": the ledger summarized as markdown. The session's and today's figures
 * come from the same ledger entries (the session's are those tagged with its id), so the two can
 * never disagree about what was counted. Pure (no 'vscode'): usage.ts shows it.
 */
import { pricesAsOfLabel, summarize, type BudgetConfig, type LedgerEntry, type UsageReport } from '../../core/index.ts';
import { costDifference, formatUsd } from '../../shared/format.ts';

export interface UsageInput {
  entries: readonly LedgerEntry[];
  sessionId: string;
  sessionStartedAt: number;
  budget: BudgetConfig | undefined;
  /** What the one-time import of the old JSONL ledger could not read. */
  legacy: { path: string; problemCount: number; problems: string[] } | null;
  now?: Date;
}

function table(rows: string[][]): string {
  const [head, ...body] = rows;
  if (!head) return '';
  return [`| ${head.join(' | ')} |`, `| ${head.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`, ...body.map((r) => `| ${r.join(' | ')} |`)].join(
    '\n',
  );
}

const unknown = (n: number): string => (n ? ` (+${n} unpriced)` : '');
const requests = (n: number): string => `${n} request${n === 1 ? '' : 's'}`;

function section(title: string, r: UsageReport): string {
  if (r.requests === 0) return `## ${title}\n\nNo requests.\n`;
  return [
    `## ${title}`,
    '',
    `**${formatUsd(r.totalUsd)}** over ${requests(r.requests)}${unknown(r.unknownCostRequests)}${r.estimatedCostRequests ? ` (${r.estimatedCostRequests} estimated: cut off before the provider counted)` : ''}`,
    '',
    table([
      ['Model', 'Requests', 'Input tokens', 'Output tokens', 'Cost'],
      ...r.byModel.map((m) => [m.model, String(m.requests), String(m.inputTokens), String(m.outputTokens), formatUsd(m.costUsd) + unknown(m.unknownCost)]),
    ]),
    '',
    table([['Day', 'Requests', 'Cost'], ...r.byDay.map((d) => [d.day, String(d.requests), formatUsd(d.costUsd) + unknown(d.unknownCost)])]),
    '',
    ...(r.billedVsComputed.length > 0
      ? [
          'Billed by the provider vs computed from our prices:',
          '',
          table([
            ['Model', 'Requests', 'Billed', 'Computed', 'Difference'],
            ...r.billedVsComputed.map((c) => [
              c.model,
              String(c.requests),
              formatUsd(c.billedUsd),
              formatUsd(c.computedUsd),
              costDifference(c.billedUsd, c.computedUsd),
            ]),
          ]),
          '',
        ]
      : []),
  ].join('\n');
}

function budgetLine(budget: BudgetConfig | undefined): string {
  const caps = budget
    ? [
        budget.perSession !== undefined ? `${formatUsd(budget.perSession)} a session` : null,
        budget.daily !== undefined ? `${formatUsd(budget.daily)} a day` : null,
        budget.monthly !== undefined ? `${formatUsd(budget.monthly)} a month` : null,
        budget.perRequest !== undefined ? `${formatUsd(budget.perRequest)} a request` : null,
      ].filter(Boolean)
    : [];
  if (!budget || caps.length === 0) return 'No budget set (`switchboard.budget`).';
  return `Budget: ${caps.join(', ')} (on exceed: ${budget.onExceed}); alerts at 50, 80 and 100 % of each cap.`;
}

export function usageMarkdown(u: UsageInput): string {
  const now = u.now ?? new Date();
  const monthStart = new Date(now.getFullYear(), now.getMonth(), 1).getTime();
  const dayStart = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  const session = summarize(
    u.entries.filter((e) => e.session === u.sessionId),
    null,
  );
  const lines = [
    '# Switchboard usage and costs',
    '',
    `This session (since ${new Date(u.sessionStartedAt).toLocaleString()}): **${formatUsd(session.totalUsd)}**${unknown(session.unknownCostRequests)} over ${requests(session.requests)}. It continues across window reloads; "Switchboard: Start New Spend Session" starts a new one.`,
    '',
    budgetLine(u.budget),
    '',
    section('This session', session),
    section('Today (every Switchboard front end on this machine)', summarize(u.entries, dayStart)),
    section('This month', summarize(u.entries, monthStart)),
    section('All time', summarize(u.entries, null)),
    `Costs are computed from token counts and the catalog prices (${pricesAsOfLabel()}; your \`switchboard.pricing\` and OpenRouter's live prices come first), or reported by the provider; "unpriced" requests had no known price. An answer cut off before the provider counted it (a stopped stream) is counted at an estimate: the tokens streamed at the model's prices. Requests that failed before any answer cost nothing and are not counted.`,
  ];
  const legacy = u.legacy;
  if (legacy && legacy.problemCount > 0)
    lines.push(
      '',
      `${legacy.problemCount} line(s) of the old ledger ${legacy.path} could not be imported and are not counted: ${legacy.problems.slice(0, 5).join('; ')}${legacy.problemCount > 5 ? '; …' : ''}`,
    );
  return lines.join('\n');
}
