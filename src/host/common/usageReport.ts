/**
 * "Show Usage and Costs": the ledger summarized as markdown. The session's and today's figures
 * come from the same ledger entries (the session's are those tagged with its id), so the two can
 * never disagree about what was counted. Pure (no 'vscode'): usage.ts shows it.
 */
import { pricesAsOfLabel, summarize, type BudgetConfig, type LedgerEntry, type UsageReport } from '../../core/index.ts';
import { costDifference, formatUsd, INCLUDED_LABEL } from '../../shared/format.ts';

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

// Models included in a subscription (VS Code's own): counted apart, never as $0 or unpriced.
const included = (n: number, all: number): string => (n === 0 ? '' : n === all ? INCLUDED_LABEL : ` (+${n} ${INCLUDED_LABEL})`);

function section(title: string, r: UsageReport): string {
  if (r.requests === 0) return `## ${title}\n\nNo requests.\n`;
  // Hosted web searches are billed apart from tokens: a column when any were run.
  const searches = r.byModel.some((m) => m.webSearches > 0);
  return [
    `## ${title}`,
    '',
    `**${formatUsd(r.totalUsd)}** over ${requests(r.requests)}${unknown(r.unknownCostRequests)}${r.includedRequests ? `, ${r.includedRequests} ${INCLUDED_LABEL}` : ''}${r.estimatedCostRequests ? ` (${r.estimatedCostRequests} estimated: cut off before the provider counted)` : ''}`,
    '',
    table([
      ['Model', 'Requests', 'Input tokens', 'Output tokens', ...(searches ? ['Web searches'] : []), 'Cost'],
      ...r.byModel.map((m) => [
        m.model,
        String(m.requests),
        String(m.inputTokens),
        String(m.outputTokens),
        ...(searches ? [String(m.webSearches)] : []),
        m.included === m.requests ? INCLUDED_LABEL : formatUsd(m.costUsd) + unknown(m.unknownCost) + included(m.included, m.requests),
      ]),
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
    `Costs are computed from token counts and the catalog prices (${pricesAsOfLabel()}; your \`switchboard.pricing\` and OpenRouter's live prices come first), or reported by the provider; "unpriced" requests had no known price; requests to VS Code's own models (\`vscode/…\`, e.g. Copilot's) are included in your subscription, have no price of their own and are left out of budgets. An answer cut off before the provider counted it (a stopped stream) is counted at an estimate: the tokens streamed at the model's prices. Requests that failed before any answer cost nothing and are not counted.`,
  ];
  const legacy = u.legacy;
  if (legacy && legacy.problemCount > 0)
    lines.push(
      '',
      `${legacy.problemCount} line(s) of the old ledger ${legacy.path} could not be imported and are not counted: ${legacy.problems.slice(0, 5).join('; ')}${legacy.problemCount > 5 ? '; …' : ''}`,
    );
  return lines.join('\n');
}
