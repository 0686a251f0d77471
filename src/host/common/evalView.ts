/**
 * The test-set panel's view model, built from the core's run events and results (no vscode: unit-tested in Node).
 * The host keeps one of these per panel and sends its snapshot after every change.
 */
import {
  blindPairs,
  blindVoteComparison,
  codeWinner,
  leaderboard,
  type BlindPair,
  type Comparison,
  type EvalCell,
  type EvalEvent,
  type EvalResults,
  type LeaderboardFile,
  type TestSet,
} from '../../core/index.ts';
import type { CellView, EvalState } from '../../shared/protocol/eval.ts';

type Choice = 'a' | 'b' | 'tie' | 'skip';

const MAX_TEXT = 4000;
const MAX_OUTPUT = 6000;

const shorten = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n)}…` : s);
const tail = (s: string, n: number): string => (s.length > n ? `…${s.slice(-n)}` : s);

export function cellView(c: EvalCell): CellView {
  // Cancelled by the user's Stop (or Escape) while it answered: stopped, not failed.
  const stopped = c.status === 'error' && c.error?.kind === 'aborted';
  return {
    model: c.model,
    status: stopped ? 'stopped' : c.status,
    ...(stopped || (c.status === 'skipped' && c.error?.kind === 'cancelled') ? { byUser: true } : {}),
    pass: c.pass,
    checks: c.checks.map((k) => ({ label: k.label, pass: k.pass, reason: k.reason })),
    costUsd: c.costUsd,
    ...(c.costEstimated === true && c.costUsd !== null ? { costEstimated: true } : {}),
    judgeCostUsd: c.judgeCostUsd,
    latencyMs: c.latencyMs,
    inputTokens: c.inputTokens,
    outputTokens: c.outputTokens,
    error: stopped ? 'stopped before the answer was complete' : c.error ? `${c.error.message}${c.error.fix ? ` — ${c.error.fix}` : ''}` : null,
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
      blind: null,
    };
  }

  private pairs: BlindPair[] = [];
  private votes: Choice[] = [];

  /**
   * What the view may be sent: the whole state, except during a blind run or vote, when nothing that
   * names a model goes (the grid, totals, winners and the leaderboard's rows are held back).
   */
  snapshot(): EvalState {
    const s = this.state;
    if (!s.blind || s.blind.phase === 'finished') return s;
    return { ...s, models: [], cells: [], totals: null, winners: [], applied: [], board: { ...s.board, rows: [] } };
  }

  /** The next run is blind: its answers are voted on before anything names a model. */
  blindRun(): void {
    this.state.blind = { phase: 'running', index: 0, total: 0, recorded: 0, prompt: '', a: '', b: '', revealed: [] };
  }

  /** Starts the blind vote over the finished run's answered pairs; false when there is none to vote on. */
  beginVoting(rand: () => number): boolean {
    const r = this.results;
    this.pairs = r && !r.cancelled ? blindPairs(r, rand) : [];
    this.votes = [];
    if (!this.pairs.length) {
      this.state.blind = null;
      return false;
    }
    this.state.blind = { phase: 'voting', index: 0, total: this.pairs.length, recorded: 0, prompt: '', a: '', b: '', revealed: [] };
    this.showPair();
    return true;
  }

  private showPair(): void {
    const b = this.state.blind!;
    const pair = this.pairs[b.index]!;
    const r = this.results!;
    const text = (model: string): string => shorten(r.cells[pair.prompt]!.find((c) => c.model === model)?.text ?? '', MAX_TEXT);
    Object.assign(b, { prompt: this.state.prompts[pair.prompt]?.prompt ?? '', a: text(pair.a), b: text(pair.b) });
  }

  /** The user's pick for the pair shown; the outcome to record (null for a skip). Reveals after the last. */
  vote(choice: Choice, at: Date): Comparison | null {
    const b = this.state.blind;
    if (!b || b.phase !== 'voting') return null;
    const pair = this.pairs[b.index]!;
    this.votes.push(choice);
    const outcome = choice === 'skip' ? null : blindVoteComparison(this.results!, pair, choice, at);
    if (outcome) b.recorded++;
    b.index++;
    if (b.index < b.total) this.showPair();
    else
      Object.assign(b, {
        phase: 'finished',
        prompt: '',
        a: '',
        b: '',
        revealed: this.pairs.map((p, i) => ({ prompt: this.state.prompts[p.prompt]?.id ?? String(p.prompt), a: p.a, b: p.b, choice: this.votes[i]! })),
      });
    return outcome;
  }

  endBlind(): void {
    this.state.blind = null;
    this.pairs = [];
    this.votes = [];
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
      blind: null,
    } satisfies Partial<EvalState>);
    this.pairs = [];
    this.votes = [];
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
      estimatedCost: t.estimatedCost,
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
