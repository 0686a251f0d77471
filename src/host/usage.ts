/** "Show Usage and Costs": the ledger summarized as a read-only markdown document. */
import * as vscode from 'vscode';
import { pricesAsOfLabel, SqliteUsageStore, summarize, type UsageReport } from '../core/index.ts';
import type { FeatureHost } from './featureHost.ts';
import { costDifference, formatUsd, INCLUDED_LABEL } from '../shared/format.ts';

/** What the usage report uses (main.ts wires it to the services). */
export type UsageHost = Pick<FeatureHost, 'ledger' | 'session' | 'settings' | 'spendText'>;

export const USAGE_SCHEME = 'switchboard-usage';

function table(rows: string[][]): string {
  const [head, ...body] = rows;
  if (!head) return '';
  return [`| ${head.join(' | ')} |`, `| ${head.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`, ...body.map((r) => `| ${r.join(' | ')} |`)].join(
    '\n',
  );
}

function section(title: string, r: UsageReport): string {
  if (r.requests === 0) return `## ${title}\n\nNo requests.\n`;
  const unknown = (n: number): string => (n ? ` (+${n} unpriced)` : '');
  // Models included in a subscription (VS Code's own): counted apart, never as $0 or unpriced.
  const included = (n: number, all: number): string => (n === 0 ? '' : n === all ? INCLUDED_LABEL : ` (+${n} ${INCLUDED_LABEL})`);
  return [
    `## ${title}`,
    '',
    `**${formatUsd(r.totalUsd)}** over ${r.requests} request${r.requests === 1 ? '' : 's'}${unknown(r.unknownCostRequests)}${r.includedRequests ? `, ${r.includedRequests} ${INCLUDED_LABEL}` : ''}${r.estimatedCostRequests ? ` (${r.estimatedCostRequests} estimated: cut off before the provider counted)` : ''}`,
    '',
    table([
      ['Model', 'Requests', 'Input tokens', 'Output tokens', 'Cost'],
      ...r.byModel.map((m) => [
        m.model,
        String(m.requests),
        String(m.inputTokens),
        String(m.outputTokens),
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

export async function usageMarkdown(app: UsageHost, now = new Date()): Promise<string> {
  const entries = await app.ledger.readAll();
  const monthStart = new Date(now.getFullYear(), now.getMonth(), 1).getTime();
  const dayStart = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  const budget = app.settings.config.budget;
  const lines = [
    '# Switchboard usage and costs',
    '',
    `This session: **${app.spendText()}** over ${app.session.requests} request${app.session.requests === 1 ? '' : 's'}.`,
    '',
    budget
      ? `Budget: ${[budget.daily !== undefined ? `${formatUsd(budget.daily)} a day` : null, budget.monthly !== undefined ? `${formatUsd(budget.monthly)} a month` : null, budget.perRequest !== undefined ? `${formatUsd(budget.perRequest)} a request` : null].filter(Boolean).join(', ')} (on exceed: ${budget.onExceed}).`
      : 'No budget set (`switchboard.budget`).',
    '',
    section('Today', summarize(entries, dayStart)),
    section('This month', summarize(entries, monthStart)),
    section('All time', summarize(entries, null)),
    `Costs are computed from token counts and the catalog prices (${pricesAsOfLabel()}; your \`switchboard.pricing\` and OpenRouter's live prices come first), or reported by the provider; "unpriced" requests had no known price; requests to VS Code's own models (\`vscode/…\`, e.g. Copilot's) are included in your subscription, have no price of their own and are left out of budgets. An answer cut off before the provider counted it (a stopped stream) is counted at an estimate: the tokens streamed at the model's prices.`,
  ];
  // What the one-time import of the old JSONL ledger could not read: said, not silently dropped.
  const legacy = app.ledger instanceof SqliteUsageStore ? app.ledger.legacyImport() : null;
  if (legacy && legacy.problemCount > 0)
    lines.push(
      '',
      `${legacy.problemCount} line(s) of the old ledger ${legacy.path} could not be imported and are not counted: ${legacy.problems.slice(0, 5).join('; ')}${legacy.problemCount > 5 ? '; …' : ''}`,
    );
  return lines.join('\n');
}

export class UsageDocument implements vscode.TextDocumentContentProvider, vscode.Disposable {
  static readonly uri = vscode.Uri.from({ scheme: USAGE_SCHEME, path: '/Switchboard Usage.md' });
  private readonly app: UsageHost;
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly reg: vscode.Disposable;
  private text = '';

  constructor(app: UsageHost) {
    this.app = app;
    this.reg = vscode.workspace.registerTextDocumentContentProvider(USAGE_SCHEME, this);
  }

  provideTextDocumentContent(): string {
    return this.text;
  }

  async show(): Promise<string> {
    this.text = await usageMarkdown(this.app);
    this.changed.fire(UsageDocument.uri);
    const doc = await vscode.workspace.openTextDocument(UsageDocument.uri);
    // Rendered by the built-in Markdown preview where there is one; the source otherwise.
    try {
      await vscode.commands.executeCommand('markdown.showPreview', doc.uri);
    } catch {
      await vscode.window.showTextDocument(doc, { preview: true });
    }
    return this.text;
  }

  dispose(): void {
    this.reg.dispose();
    this.changed.dispose();
  }
}
