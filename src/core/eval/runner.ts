/**
 * The matrix runner: every prompt of a test set × every model, on the ordinary client (so routes,
 * retries, the ledger and the budget's holds apply to each cell as to any request), with a
 * concurrency limit, a cost estimate before the run, live events, and a results grid.
 */
import { estimateCost, estimateMessageTokens } from '../catalog/cost.ts';
import type { ChatStream } from '../chatStream.ts';
import { SwitchboardError } from '../errors.ts';
import type { ChatRequest } from '../router/router.ts';
import { DEFAULT_EXPECTED_OUTPUT, type ModelFacts } from '../router/strategy.ts';
import type { ChatMessage, ChatResult } from '../types.ts';
import { runCheck, type CheckResult, type Judge } from './checks.ts';
import { runCodeChange, type CodeRunResult } from './codeRun.ts';
import { checkLabel, checksOf, type ContextRef, type EvalPrompt, type TestSet } from './testSet.ts';

/** What the runner needs of a client (createClient() gives it). */
export interface EvalClient {
  stream(req: ChatRequest): ChatStream;
  readonly catalog: Pick<ModelFacts, 'price'> & { maxOutput?(id: string): number | null };
}

export interface EvalCell {
  promptId: string;
  model: string;
  /** ok: answered (checks ran); error: no answer; skipped: not asked (budget, cancelled). */
  status: 'ok' | 'error' | 'skipped';
  answeredBy: string | null;
  text: string;
  checks: CheckResult[];
  /** Every check passed; null when the prompt has none or there was no answer. */
  pass: boolean | null;
  costUsd: number | null;
  /** costUsd is an estimate (tokens streamed × the model's prices): the answer was cut off (the user stopped it) before the provider counted it. */
  costEstimated?: boolean;
  /** What the rubric judges' answers cost (null when a judge's price is unknown); 0 without rubric checks. */
  judgeCostUsd: number | null;
  latencyMs: number | null;
  ttftMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  error: { kind: string; message: string; fix?: string } | null;
  /** The prompt's codeRun: the files the change leaves, the command's output (for "apply the winner"). */
  codeRun?: CodeRunResult;
}

export interface ModelTotals {
  model: string;
  cells: number;
  answered: number;
  errors: number;
  /** Cells whose every check passed / cells with checks. */
  cellsPassed: number;
  cellsWithChecks: number;
  checksPassed: number;
  checksRun: number;
  /** checksPassed / checks expected (unanswered cells count as failed checks); null without checks. */
  passRate: number | null;
  costUsd: number;
  /** Cells whose cost is unknown (not in costUsd). */
  unknownCost: number;
  /** Cells whose cost in costUsd is an estimate (EvalCell.costEstimated). */
  estimatedCost: number;
  judgeCostUsd: number;
  meanLatencyMs: number | null;
  inputTokens: number;
  outputTokens: number;
}

export interface CostEstimate {
  /** Worst case in USD (prompts × models, plus judges); null when a price is unknown. */
  totalUsd: number | null;
  perModel: Record<string, number | null>;
  judgeUsd: number | null;
  /** Models (and judges) with no known price. */
  unpriced: string[];
  requests: number;
}

export interface EvalResults {
  set: string;
  models: string[];
  prompts: { id: string; tags: string[]; checks: string[] }[];
  /** cells[promptIndex][modelIndex] */
  cells: EvalCell[][];
  totals: ModelTotals[];
  estimate: CostEstimate;
  startedAt: string;
  durationMs: number;
  cancelled: boolean;
}

export type EvalEvent =
  | { type: 'estimate'; estimate: CostEstimate }
  | { type: 'cell-start'; promptId: string; model: string }
  | { type: 'cell-done'; cell: EvalCell; done: number; total: number }
  | { type: 'done'; results: EvalResults };

export interface EvalRunOptions {
  client: EvalClient;
  set: TestSet;
  /** The set's name in results (its file name). */
  name: string;
  models: string[];
  /** Cells in flight at once (default 4). */
  concurrency?: number;
  /** Reads a context file, relative to the workspace; throws when it cannot. */
  readFile: (path: string) => string;
  onEvent?: (e: EvalEvent) => void;
  signal?: AbortSignal;
  /** Ledger tag of the run's requests (default "eval"). */
  frontEnd?: string;
  /** Stop starting cells once the run has spent this much (USD, answers and judges, worst case held). */
  maxCostUsd?: number;
  /** The workspace folder: where codeRun changes are tried (in a scratch copy) and commands run. */
  workspaceRoot?: string;
  /** false: JavaScript checks and codeRun commands are not run (and fail saying so), as in an untrusted workspace. */
  allowCode?: boolean;
  now?: () => number;
}

export const DEFAULT_CONCURRENCY = 4;

const fence = (text: string): string => {
  let longest = 2;
  for (const m of text.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return '`'.repeat(longest + 1);
};

/** A context file (or its selected lines) as the model sees it. */
export function contextBlock(ref: ContextRef, text: string): string {
  const lines = text.split('\n');
  const start = ref.startLine ?? 1;
  const end = Math.min(ref.endLine ?? lines.length, lines.length);
  if (start > lines.length) throw new Error(`${ref.file} has ${lines.length} lines; startLine ${start} is past its end`);
  const body = lines.slice(start - 1, end).join('\n');
  const where = ref.startLine !== undefined || ref.endLine !== undefined ? `${ref.file} (lines ${start}–${end})` : ref.file;
  const f = fence(body);
  return `${where}:\n${f}\n${body}\n${f}`;
}

/** The messages one prompt sends (system, then context files and the prompt in one user turn). */
export function promptMessages(set: TestSet, p: EvalPrompt, readFile: (path: string) => string): ChatMessage[] {
  const messages: ChatMessage[] = [];
  const system = p.system ?? set.defaults?.system;
  if (system) messages.push({ role: 'system', content: system });
  const blocks = (p.context ?? []).map((c) => {
    let text: string;
    try {
      text = readFile(c.file);
    } catch (e) {
      throw new SwitchboardError({
        kind: 'config',
        message: `prompt "${p.id}": cannot read the context file ${c.file} (${(e as Error).message})`,
        fix: 'context paths are relative to the workspace folder; fix the path or remove the entry',
      });
    }
    return contextBlock(c, text);
  });
  messages.push({ role: 'user', content: blocks.length ? `${blocks.join('\n\n')}\n\n${p.prompt}` : p.prompt });
  return messages;
}

const JUDGE_OUTPUT = 300;

/** The worst case of the run before it starts: each prompt's tokens (estimated) plus its max output, at each model's prices. */
export function estimateRun(client: EvalClient, set: TestSet, models: string[], readFile: (path: string) => string): CostEstimate {
  const perModel: Record<string, number | null> = {};
  const unpriced = new Set<string>();
  let judgeUsd: number | null = 0;
  let requests = 0;
  for (const m of models) perModel[m] = 0;
  for (const p of set.prompts) {
    const messages = promptMessages(set, p, readFile);
    const input = estimateMessageTokens(messages);
    for (const m of models) {
      requests++;
      const price = client.catalog.price(m);
      const out = set.defaults?.maxTokens ?? client.catalog.maxOutput?.(m) ?? DEFAULT_EXPECTED_OUTPUT;
      if (!price) unpriced.add(m);
      const prev = perModel[m];
      perModel[m] = price && prev !== null && prev !== undefined ? prev + estimateCost(input, out, price) : null;
      for (const c of checksOf(set, p)) {
        if (c.type !== 'rubric') continue;
        requests++;
        const judge = c.judge ?? set.judge!.model;
        const jp = client.catalog.price(judge);
        if (!jp) unpriced.add(judge);
        // The judge reads the prompt, the answer (at most the model's output) and the rubric.
        const jIn = input + out + estimateMessageTokens([{ role: 'user', content: c.rubric }]) + 100;
        judgeUsd = jp && judgeUsd !== null ? judgeUsd + estimateCost(jIn, set.judge?.maxTokens ?? JUDGE_OUTPUT, jp) : null;
      }
    }
  }
  const vals = [...Object.values(perModel), judgeUsd];
  const totalUsd = vals.some((v) => v === null) ? null : vals.reduce<number>((a, b) => a + (b ?? 0), 0);
  return { totalUsd: totalUsd === null ? null : Number(totalUsd.toPrecision(12)), perModel, judgeUsd, unpriced: [...unpriced], requests };
}

const JUDGE_SCHEMA = {
  type: 'object',
  properties: { score: { type: 'number', minimum: 0, maximum: 1 }, reason: { type: 'string' } },
  required: ['score', 'reason'],
  additionalProperties: false,
};

/** A judge on the client: the rubric, the prompt and the answer in; a score 0–1 and a reason out (structured output). */
export function clientJudge(client: EvalClient, set: TestSet, frontEnd: string, signal?: AbortSignal): Judge {
  return async ({ rubric, prompt, answer, model }) => {
    const judgeModel = model ?? set.judge?.model;
    if (!judgeModel) throw new Error('no judge model is set');
    const req: ChatRequest = {
      model: judgeModel,
      frontEnd,
      messages: [
        {
          role: 'system',
          content:
            'You grade an answer against a rubric. Reply with JSON only: {"score": a number from 0 (fails the rubric) to 1 (fully meets it), "reason": one or two sentences}.',
        },
        { role: 'user', content: `Rubric:\n${rubric}\n\nThe question that was asked:\n${prompt}\n\nThe answer to grade:\n${answer}` },
      ],
      responseFormat: { type: 'json_schema', name: 'grade', schema: JUDGE_SCHEMA },
      maxTokens: set.judge?.maxTokens ?? JUDGE_OUTPUT,
      temperature: 0,
      ...(signal ? { signal } : {}),
    };
    const r = await client.stream(req).result;
    if (r.error) throw r.error;
    let parsed: unknown;
    try {
      parsed = JSON.parse(r.text.trim());
    } catch {
      throw new Error(`${judgeModel} did not answer with JSON (${JSON.stringify(r.text.slice(0, 80))}); its cost was ${r.costUsd ?? 'unknown'}`);
    }
    const o = parsed as { score?: unknown; reason?: unknown };
    if (typeof o.score !== 'number' || !(o.score >= 0 && o.score <= 1) || typeof o.reason !== 'string')
      throw new Error(`${judgeModel} answered ${JSON.stringify(parsed).slice(0, 120)}, not {"score": 0–1, "reason": "…"}`);
    return { score: o.score, reason: o.reason, costUsd: r.costUsd };
  };
}

function emptyCell(promptId: string, model: string, status: EvalCell['status'], error: EvalCell['error']): EvalCell {
  return {
    promptId,
    model,
    status,
    answeredBy: null,
    text: '',
    checks: [],
    pass: null,
    costUsd: status === 'skipped' ? 0 : null,
    judgeCostUsd: 0,
    latencyMs: null,
    ttftMs: null,
    inputTokens: null,
    outputTokens: null,
    error,
  };
}

/** Totals per model from the grid. */
export function totalsOf(models: string[], cells: EvalCell[][], checkCounts: number[]): ModelTotals[] {
  return models.map((model, mi) => {
    const t: ModelTotals = {
      model,
      cells: 0,
      answered: 0,
      errors: 0,
      cellsPassed: 0,
      cellsWithChecks: 0,
      checksPassed: 0,
      checksRun: 0,
      passRate: null,
      costUsd: 0,
      unknownCost: 0,
      estimatedCost: 0,
      judgeCostUsd: 0,
      meanLatencyMs: null,
      inputTokens: 0,
      outputTokens: 0,
    };
    let expected = 0;
    let latency = 0;
    cells.forEach((row, pi) => {
      const c = row[mi]!;
      t.cells++;
      expected += checkCounts[pi]!;
      if (checkCounts[pi]! > 0) t.cellsWithChecks++;
      if (c.status === 'ok') t.answered++;
      // A cell the user stopped while it answered is not an error of the model's.
      if (c.status === 'error' && c.error?.kind !== 'aborted') t.errors++;
      if (c.pass === true) t.cellsPassed++;
      t.checksRun += c.checks.length;
      t.checksPassed += c.checks.filter((k) => k.pass).length;
      if (c.costUsd === null) t.unknownCost++;
      else t.costUsd += c.costUsd;
      if (c.costUsd !== null && c.costEstimated === true) t.estimatedCost++;
      t.judgeCostUsd += c.judgeCostUsd ?? 0;
      if (c.latencyMs !== null) latency += c.latencyMs;
      t.inputTokens += c.inputTokens ?? 0;
      t.outputTokens += c.outputTokens ?? 0;
    });
    t.passRate = expected > 0 ? t.checksPassed / expected : null;
    t.meanLatencyMs = t.answered > 0 ? latency / t.answered : null;
    t.costUsd = Number(t.costUsd.toPrecision(12));
    t.judgeCostUsd = Number(t.judgeCostUsd.toPrecision(12));
    return t;
  });
}

/** Runs the matrix. Never throws for a cell's failure (it is in the grid); throws for a bad set (unreadable context). */
export async function runEval(o: EvalRunOptions): Promise<EvalResults> {
  const now = o.now ?? Date.now;
  const started = now();
  const frontEnd = o.frontEnd ?? 'eval';
  if (o.models.length === 0)
    throw new SwitchboardError({ kind: 'config', message: `${o.name}: no models to run`, fix: 'give models (--models a,b,c) or a "models" list in the set' });
  const dup = o.models.find((m, i) => o.models.indexOf(m) !== i);
  if (dup) throw new SwitchboardError({ kind: 'config', message: `${dup} is listed twice`, fix: 'list each model once' });
  const messages = o.set.prompts.map((p) => promptMessages(o.set, p, o.readFile));
  const estimate = estimateRun(o.client, o.set, o.models, o.readFile);
  o.onEvent?.({ type: 'estimate', estimate });
  const judge = clientJudge(o.client, o.set, frontEnd, o.signal);
  const checkCounts = o.set.prompts.map((p) => checksOf(o.set, p).length + (p.codeRun ? 1 : 0));
  const allowCode = o.allowCode ?? true;
  // Code runs one at a time: scratch worktrees of one repository contend for its locks, and tests compete for the CPU.
  let codeQueue: Promise<unknown> = Promise.resolve();
  const serial = <T>(f: () => Promise<T>): Promise<T> => {
    const next = codeQueue.then(f, f);
    codeQueue = next.catch(() => undefined);
    return next;
  };
  const cells: EvalCell[][] = o.set.prompts.map(() => []);
  const jobs: { pi: number; mi: number }[] = [];
  o.set.prompts.forEach((_, pi) => o.models.forEach((_m, mi) => jobs.push({ pi, mi })));
  let spent = 0;
  let inFlightWorst = 0;
  let budgetStop: SwitchboardError | null = null;
  let done = 0;
  const worst = (pi: number, mi: number): number => {
    const m = o.models[mi]!;
    const price = o.client.catalog.price(m);
    if (!price) return 0;
    return estimateCost(estimateMessageTokens(messages[pi]!), o.set.defaults?.maxTokens ?? o.client.catalog.maxOutput?.(m) ?? DEFAULT_EXPECTED_OUTPUT, price);
  };

  const runCell = async (pi: number, mi: number): Promise<EvalCell> => {
    const p = o.set.prompts[pi]!;
    const model = o.models[mi]!;
    if (o.signal?.aborted) return emptyCell(p.id, model, 'skipped', { kind: 'cancelled', message: 'the run was cancelled' });
    if (budgetStop)
      return emptyCell(p.id, model, 'skipped', {
        kind: 'budget',
        message: `not asked: ${budgetStop.message}`,
        ...(budgetStop.fix ? { fix: budgetStop.fix } : {}),
      });
    const w = worst(pi, mi);
    if (o.maxCostUsd !== undefined && spent + inFlightWorst + w > o.maxCostUsd)
      return emptyCell(p.id, model, 'skipped', {
        kind: 'budget',
        message: `not asked: the run's cap of $${o.maxCostUsd} would be passed (spent $${spent.toFixed(6)}, $${inFlightWorst.toFixed(6)} held by cells in flight, this one up to $${w.toFixed(6)})`,
        fix: 'raise --max-cost, or run fewer prompts or models',
      });
    inFlightWorst += w;
    o.onEvent?.({ type: 'cell-start', promptId: p.id, model });
    let r: ChatResult;
    try {
      const req: ChatRequest = { model, frontEnd, messages: messages[pi]! };
      if (o.set.defaults?.maxTokens !== undefined) req.maxTokens = o.set.defaults.maxTokens;
      if (o.set.defaults?.temperature !== undefined) req.temperature = o.set.defaults.temperature;
      if (o.signal) req.signal = o.signal;
      r = await o.client.stream(req).result;
    } finally {
      inFlightWorst -= w;
    }
    spent += r.costUsd ?? 0;
    const cell: EvalCell = {
      ...emptyCell(
        p.id,
        model,
        r.error ? 'error' : 'ok',
        r.error ? { kind: r.error.kind, message: r.error.message, ...(r.error.fix ? { fix: r.error.fix } : {}) } : null,
      ),
      answeredBy: r.answeredBy,
      text: r.text,
      costUsd: r.costUsd,
      ...(r.costEstimated === true ? { costEstimated: true } : {}),
      latencyMs: r.timing.totalMs,
      ttftMs: r.timing.ttftMs,
      inputTokens: r.usage.inputTokens,
      outputTokens: r.usage.outputTokens,
    };
    if (r.error) {
      // A blocking budget refused: later cells would be refused too, so they are not asked.
      if (r.error.kind === 'budget') budgetStop = r.error;
      return cell;
    }
    const checks = checksOf(o.set, p);
    for (const c of checks) {
      const res = await runCheck(c, { answer: r.text, prompt: p.prompt, model }, judge, allowCode);
      cell.checks.push(res);
      if (res.judgeCostUsd !== undefined) {
        cell.judgeCostUsd = cell.judgeCostUsd === null || res.judgeCostUsd === null ? null : cell.judgeCostUsd + res.judgeCostUsd;
        spent += res.judgeCostUsd ?? 0;
      }
    }
    if (p.codeRun) cell.checks.push(await codeCheck(p.codeRun, r.text, cell));
    cell.pass = cell.checks.length ? cell.checks.every((k) => k.pass) : null;
    return cell;
  };

  const codeCheck = async (run: NonNullable<EvalPrompt['codeRun']>, answer: string, cell: EvalCell): Promise<CheckResult> => {
    const label = `$ ${run.command}`;
    if (!allowCode) return { type: 'command', label, pass: false, reason: 'not run: commands run only in trusted workspaces' };
    if (!o.workspaceRoot) return { type: 'command', label, pass: false, reason: 'not run: no workspace folder to try the change in' };
    const root = o.workspaceRoot;
    const res = await serial(() => runCodeChange(root, answer, run.file, run.command, run.timeoutMs));
    cell.codeRun = res;
    const c = res.command;
    const reason =
      res.problem ?? (c!.timedOut ? `timed out after ${run.timeoutMs ?? 120_000} ms` : `exit code ${c!.exitCode ?? c!.signal} in ${c!.durationMs} ms`);
    return { type: 'command', label, pass: res.pass, reason };
  };

  const limit = Math.max(1, Math.min(o.concurrency ?? DEFAULT_CONCURRENCY, jobs.length));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const { pi, mi } = jobs[next++]!;
      const cell = await runCell(pi, mi);
      cells[pi]![mi] = cell;
      done++;
      o.onEvent?.({ type: 'cell-done', cell, done, total: jobs.length });
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  const results: EvalResults = {
    set: o.name,
    models: [...o.models],
    prompts: o.set.prompts.map((p) => ({
      id: p.id,
      tags: [...new Set([...(o.set.tags ?? []), ...(p.tags ?? [])])],
      checks: checksOf(o.set, p).map(checkLabel),
    })),
    cells,
    totals: totalsOf(o.models, cells, checkCounts),
    estimate,
    startedAt: new Date(started).toISOString(),
    durationMs: now() - started,
    cancelled: !!o.signal?.aborted,
  };
  o.onEvent?.({ type: 'done', results });
  return results;
}

/** Models whose pass rate is below the threshold (0–1); empty when all meet it. */
export function failedThreshold(results: EvalResults, passRate: number): { model: string; passRate: number | null }[] {
  return results.totals.filter((t) => t.passRate === null || t.passRate < passRate).map((t) => ({ model: t.model, passRate: t.passRate }));
}

/**
 * The winner of a codeRun prompt: among the models whose change passed the command, the cheapest
 * (unknown cost last), then the fastest; null when none passed.
 */
export function codeWinner(results: EvalResults, promptIndex: number): EvalCell | null {
  const passed = (results.cells[promptIndex] ?? []).filter((c) => c.codeRun?.pass);
  if (passed.length === 0) return null;
  const cost = (c: EvalCell): number => c.costUsd ?? Number.POSITIVE_INFINITY;
  return [...passed].sort((a, b) => cost(a) - cost(b) || (a.latencyMs ?? 0) - (b.latencyMs ?? 0))[0]!;
}
