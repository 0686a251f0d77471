/**
 * The test-set panel's view model, built from the core's run events and results (no vscode: unit-tested in Node).
 * The host keeps one of these per panel and sends its snapshot after every change.
 */
import { codeWinner, leaderboard, type EvalCell, type EvalEvent, type EvalResults, type LeaderboardFile, type TestSet } from '../../core/index.ts';
import type { CellView, EvalState } from '../../shared/protocol/eval.ts';

const MAX_TEXT = 4000;
const MAX_OUTPUT = 6000;

const shorten = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n)}…` : s);
const tail = (s: string, n: number): string => (s.length > n ? `…${s.slice(-n)}` : s);

export function cellView(c: EvalCell): CellView {
  return {
    model: c.model,
    status: c.status,
    pass: c.pass,
    checks: c.checks.map((k) => ({ label: k.label, pass: k.pass, reason: k.reason })),
    costUsd: c.costUsd,
    judgeCostUsd: c.judgeCostUsd,
    latencyMs: c.latencyMs,
    inputTokens: c.inputTokens,
    outputTokens: c.outputTokens,
    error: c.error ? `${c.error.message}${c.error.fix ? ` — ${c.error.fix}` : ''}` : null,
    text: shorten(c.text, MAX_TEXT),
    output: c.codeRun?.command ? tail(c.codeRun.command.output, MAX_OUTPUT) : (c.codeRun?.problem ?? null),
  };
}

function waiting(model: string): CellView {
  return {
    model,
    status: 'waiting',
    pass: null,
    checks: [],
    costUsd: null,
    judgeCostUsd: null,
    latencyMs: null,
    inputTokens: null,
    outputTokens: null,
    error: null,
    text: '',
    output: null,
  };
}

/** Tags that occur on the board's comparisons, sorted. */
export function boardTags(board: LeaderboardFile): string[] {
  return [...new Set(board.comparisons.flatMap((c) => c.tags))].sort();
}

export class EvalView {
  state: EvalState;
  results: EvalResults | null = null;

  constructor(mode: EvalState['mode'], boardFile: string, trusted: boolean) {
    this.state = {
      mode,
      set: null,
      status: 'idle',
      problem: null,
      models: [],
      prompts: [],
      cells: [],
      estimate: null,
      progress: { done: 0, total: 0 },
      totals: null,
      winners: [],
      applied: [],
      board: { tag: null, tags: [], rows: [], file: boardFile },
      trusted,
    };
  }

  /** A new run of `set` with `models`: every cell waiting. */
  start(name: string, set: TestSet, models: string[]): void {
    const s = this.state;
    this.results = null;
    Object.assign(s, {
      mode: 'run',
      set: name,
      status: 'running',
      problem: null,
      models: [...models],
      prompts: set.prompts.map((p) => ({
        id: p.id,
        prompt: shorten(p.prompt, 300),
        checks: [...[...(set.defaults?.checks ?? []), ...(p.checks ?? [])].map((c) => c.label ?? c.type), ...(p.codeRun ? [`$ ${p.codeRun.command}`] : [])],
        codeRun: !!p.codeRun,
      })),
      cells: set.prompts.map(() => models.map(waiting)),
      estimate: null,
      progress: { done: 0, total: set.prompts.length * models.length },
      totals: null,
      winners: set.prompts.map(() => null),
      applied: set.prompts.map(() => null),
    } satisfies Partial<EvalState>);
  }

  /** A run event; returns whether the snapshot changed. */
  onEvent(e: EvalEvent): void {
    const s = this.state;
    const at = (promptId: string, model: string): [number, number] => [s.prompts.findIndex((p) => p.id === promptId), s.models.indexOf(model)];
    switch (e.type) {
      case 'estimate':
        s.estimate = { totalUsd: e.estimate.totalUsd, unpriced: e.estimate.unpriced, requests: e.estimate.requests };
        return;
      case 'cell-start': {
        const [pi, mi] = at(e.promptId, e.model);
        if (pi >= 0 && mi >= 0) s.cells[pi]![mi] = { ...s.cells[pi]![mi]!, status: 'running' };
        return;
      }
      case 'cell-done': {
        const [pi, mi] = at(e.cell.promptId, e.cell.model);
        if (pi >= 0 && mi >= 0) s.cells[pi]![mi] = cellView(e.cell);
        s.progress = { done: e.done, total: e.total };
        return;
      }
      case 'done':
        this.finish(e.results);
        return;
    }
  }

  finish(r: EvalResults): void {
    const s = this.state;
    this.results = r;
    s.status = r.cancelled ? 'cancelled' : 'done';
    s.cells = r.cells.map((row) => row.map(cellView));
    s.totals = r.totals.map((t) => ({
      model: t.model,
      passRate: t.passRate,
      checksPassed: t.checksPassed,
      checksRun: t.checksRun,
      cellsPassed: t.cellsPassed,
      cellsWithChecks: t.cellsWithChecks,
      costUsd: t.costUsd,
      unknownCost: t.unknownCost,
      judgeCostUsd: t.judgeCostUsd,
      meanLatencyMs: t.meanLatencyMs,
      inputTokens: t.inputTokens,
      outputTokens: t.outputTokens,
      errors: t.errors,
    }));
    s.winners = s.prompts.map((p, i) => (p.codeRun ? (codeWinner(r, i)?.model ?? null) : null));
  }

  setBoard(board: LeaderboardFile, tag: string | null): void {
    const tags = boardTags(board);
    const t = tag !== null && tags.includes(tag) ? tag : null;
    this.state.board = { ...this.state.board, tag: t, tags, rows: leaderboard(board, t === null ? {} : { tag: t }) };
  }
}
