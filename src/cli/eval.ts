/**
 * `switchboard eval …`: run a test set headlessly (CI: a non-zero exit when a threshold fails),
 * print the leaderboard, and convert to/from promptfoo's YAML.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import {
  applyFiles,
  appendToLeaderboard,
  codeWinner,
  exportPromptfoo,
  failedThreshold,
  importPromptfoo,
  leaderboard,
  LEADERBOARD_FILE,
  parseTestSet,
  readLeaderboard,
  runComparisons,
  runEval,
  SwitchboardError,
  type EvalCell,
  type EvalResults,
  type SwitchboardClient,
  type TestSet,
} from '../core/index.ts';
import { formatEvalCost, formatUsd } from '../shared/format.ts';
import { decimalArg } from './args.ts';
import { readUserFile } from '../core/index.ts';

export interface EvalIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export class EvalUsageError extends Error {}

export const EVAL_USAGE = `  switchboard eval run <set> [--models A,B,C] [--concurrency N] [--threshold RATE] [--max-cost USD] [--apply-winner] [--no-record] [--json] [--config PATH]
  switchboard eval leaderboard [--tag TAG] [--source vote,judge,checks] [--samples N] [--prior N] [--file PATH] [--json]
  switchboard eval export <set> [--models A,B,C] [--out FILE]        (to promptfoo YAML)
  switchboard eval import <promptfooconfig.yaml> [--out FILE]         (to a Switchboard test set)`;

/** A set by path, or by name in .switchboard/evals/ of the working folder. */
function findSet(arg: string | undefined, cwd: string): string {
  if (!arg) throw new EvalUsageError('give a test set: a path, or a name in .switchboard/evals/');
  const direct = resolve(cwd, arg);
  if (existsSync(direct)) return direct;
  const named = join(cwd, '.switchboard', 'evals', arg.endsWith('.json') ? arg : `${arg}.json`);
  if (existsSync(named)) return named;
  throw new EvalUsageError(`no test set at ${direct} or ${named}`);
}

/** The workspace of a set: the folder holding its .switchboard/, else the working folder. */
export function workspaceOf(setPath: string, cwd: string): string {
  const marker = `${sep}.switchboard${sep}evals${sep}`;
  const i = setPath.lastIndexOf(marker);
  return i >= 0 ? setPath.slice(0, i) : cwd;
}

function loadSet(path: string): TestSet {
  let text: string;
  try {
    text = readUserFile(path);
  } catch (e) {
    throw new EvalUsageError(`cannot read ${path}: ${(e as Error).message}`);
  }
  return parseTestSet(text, path);
}

const list = (s: string | undefined): string[] | undefined =>
  s === undefined
    ? undefined
    : s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);

function rate(s: string): number {
  const pct = s.endsWith('%');
  const n = decimalArg(pct ? s.slice(0, -1) : s);
  const r = pct || n > 1 ? n / 100 : n;
  if (!Number.isFinite(r) || r < 0 || r > 1) throw new EvalUsageError(`--threshold must be a pass rate like 0.8 or 80%, got "${s}"`);
  return r;
}

const ms = (n: number | null): string => (n === null ? '—' : n < 1000 ? `${Math.round(n)} ms` : `${(n / 1000).toFixed(2)} s`);

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => rows.reduce((w, r) => Math.max(w, r[i]!.length), 0));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n') + '\n';
}

function cellMark(c: EvalCell): string {
  if (c.status !== 'ok') return c.error?.kind ?? c.status;
  if (c.checks.length === 0) return 'answered';
  const n = c.checks.filter((k) => k.pass).length;
  return `${c.pass ? 'PASS' : 'FAIL'} ${n}/${c.checks.length}`;
}

const indent = (s: string): string =>
  s
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');

export function renderResults(r: EvalResults): string {
  let out = `\n${r.set}: ${r.prompts.length} prompts × ${r.models.length} models\n\n`;
  out += table([['prompt', ...r.models], ...r.cells.map((row, i) => [r.prompts[i]!.id, ...row.map(cellMark)])]);
  out += '\n';
  out += table([
    ['model', 'pass rate', 'checks', 'cells passed', 'cost', 'judge cost', 'mean latency', 'in', 'out', 'errors'],
    ...r.totals.map((t) => [
      t.model,
      t.passRate === null ? '—' : `${(t.passRate * 100).toFixed(1)}%`,
      `${t.checksPassed}/${t.checksRun}`,
      `${t.cellsPassed}/${t.cellsWithChecks}`,
      formatEvalCost(t),
      formatUsd(t.judgeCostUsd),
      ms(t.meanLatencyMs),
      String(t.inputTokens),
      String(t.outputTokens),
      String(t.errors),
    ]),
  ]);
  const failures = r.cells.flat().filter((c) => c.status === 'ok' && c.pass === false);
  if (failures.length) {
    out += '\nFailed checks\n';
    for (const c of failures) for (const k of c.checks.filter((x) => !x.pass)) out += `  ${c.promptId} × ${c.model}: ${k.label}: ${k.reason}\n`;
  }
  const runs = r.cells.flat().filter((c) => c.codeRun?.command && !c.codeRun.pass);
  if (runs.length) {
    out += '\nCommand output of failed changes\n';
    for (const c of runs) out += `  ${c.promptId} × ${c.model}:\n${indent(c.codeRun!.command!.output.trimEnd().split('\n').slice(-12).join('\n'))}\n`;
  }
  const errors = r.cells.flat().filter((c) => c.error);
  if (errors.length) {
    out += '\nErrors\n';
    for (const c of errors) out += `  ${c.promptId} × ${c.model}: ${c.error!.message}\n`;
  }
  return out;
}

export async function evalCommand(args: string[], io: EvalIo, openClient: (configPath: string | undefined) => { client: SwitchboardClient }): Promise<number> {
  const [sub, ...rest] = args;
  // `eval -h`, `eval help`, `eval run --help`…: the eval commands' usage, on stdout, exit 0.
  const beforeDashes = rest.indexOf('--') < 0 ? rest : rest.slice(0, rest.indexOf('--'));
  if (sub === '-h' || sub === '--help' || sub === 'help' || beforeDashes.includes('-h') || beforeDashes.includes('--help')) {
    io.stdout.write(`Usage:\n${EVAL_USAGE}\n`);
    return 0;
  }
  switch (sub) {
    case 'run':
      return run(rest, io, openClient);
    case 'leaderboard':
      return board(rest, io);
    case 'export':
      return exportCmd(rest, io);
    case 'import':
      return importCmd(rest, io);
    default:
      throw new EvalUsageError(sub ? `unknown eval command "${sub}"` : 'eval needs a command: run, leaderboard, export or import');
  }
}

async function run(args: string[], io: EvalIo, openClient: (configPath: string | undefined) => { client: SwitchboardClient }): Promise<number> {
  const { values: v, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      config: { type: 'string' },
      json: { type: 'boolean', default: false },
      models: { type: 'string' },
      concurrency: { type: 'string' },
      threshold: { type: 'string' },
      'max-cost': { type: 'string' },
      'no-record': { type: 'boolean', default: false },
      'apply-winner': { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw new EvalUsageError('eval run takes one test set');
  const path = findSet(positionals[0], io.cwd);
  const set = loadSet(path);
  const root = workspaceOf(path, io.cwd);
  const models = list(v.models) ?? set.models ?? [];
  if (models.length === 0) throw new EvalUsageError('no models: give --models a,b,c or a "models" list in the set');
  const concurrency = v.concurrency === undefined ? undefined : decimalArg(v.concurrency);
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) throw new EvalUsageError('--concurrency must be a positive integer');
  const threshold = v.threshold !== undefined ? rate(v.threshold) : set.threshold?.passRate;
  let maxCost: number | undefined;
  if (v['max-cost'] !== undefined) {
    maxCost = decimalArg(v['max-cost']);
    if (!Number.isFinite(maxCost) || maxCost < 0) throw new EvalUsageError(`--max-cost must be a dollar amount, got "${v['max-cost']}"`);
  }
  const { client } = openClient(v.config);
  const ac = new AbortController();
  const onSigint = (): void => ac.abort();
  process.once('SIGINT', onSigint);
  try {
    const results = await runEval({
      client,
      set,
      name: set.name ?? basename(path, '.json'),
      models,
      ...(concurrency ? { concurrency } : {}),
      ...(maxCost !== undefined ? { maxCostUsd: maxCost } : {}),
      readFile: (p) => readFileSync(resolve(root, p), 'utf8'),
      workspaceRoot: root,
      signal: ac.signal,
      onEvent: (e) => {
        if (e.type === 'estimate') {
          const est = e.estimate;
          if (maxCost !== undefined && est.unpriced.length)
            throw new SwitchboardError({
              kind: 'config',
              message: `--max-cost cannot be enforced: the price of ${est.unpriced.join(', ')} is unknown`,
              fix: 'add "pricing" entries for them in the config, or drop --max-cost',
            });
          io.stderr.write(
            `switchboard: ${est.requests} requests, estimated at most ${est.totalUsd === null ? `unknown (no price for ${est.unpriced.join(', ')})` : formatUsd(est.totalUsd)}${est.judgeUsd ? ` (judges ${formatUsd(est.judgeUsd)})` : ''}\n`,
          );
        } else if (e.type === 'cell-done') io.stderr.write(`switchboard: [${e.done}/${e.total}] ${e.cell.promptId} × ${e.cell.model}: ${cellMark(e.cell)}\n`);
      },
    });
    let recorded = 0;
    if (!v['no-record'] && !results.cancelled) {
      const { comparisons, costs } = runComparisons(results, new Date());
      appendToLeaderboard(join(root, LEADERBOARD_FILE), comparisons, costs);
      recorded = comparisons.length;
    }
    const failed = threshold === undefined ? [] : failedThreshold(results, threshold);
    const problems = results.cells.flat().filter((c) => c.status !== 'ok').length;
    if (v.json) io.stdout.write(JSON.stringify({ ...results, threshold: threshold ?? null, failedThreshold: failed, recordedComparisons: recorded }) + '\n');
    else io.stdout.write(renderResults(results));
    for (const f of failed)
      io.stderr.write(
        `switchboard: ${f.model} passed ${f.passRate === null ? 'no checks' : `${(f.passRate * 100).toFixed(1)}%`} of its checks, below the threshold of ${(threshold! * 100).toFixed(1)}%\n`,
      );
    if (problems) io.stderr.write(`switchboard: ${problems} cell${problems > 1 ? 's' : ''} got no answer\n`);
    if (v['apply-winner'])
      results.prompts.forEach((p, i) => {
        if (!set.prompts[i]!.codeRun) return;
        const w = codeWinner(results, i);
        if (!w) return void io.stderr.write(`switchboard: ${p.id}: no model's change passed; nothing applied\n`);
        const written = applyFiles(root, w.codeRun!.files);
        io.stderr.write(`switchboard: ${p.id}: applied ${w.model}'s change to ${written.join(', ')}\n`);
      });
    return failed.length || problems || results.cancelled ? 1 : 0;
  } finally {
    process.removeListener('SIGINT', onSigint);
    await client.close();
  }
}

function board(args: string[], io: EvalIo): number {
  const { values: v } = parseArgs({
    args,
    strict: true,
    options: {
      json: { type: 'boolean', default: false },
      tag: { type: 'string' },
      source: { type: 'string' },
      file: { type: 'string' },
      samples: { type: 'string' },
      prior: { type: 'string' },
    },
  });
  const prior = v.prior === undefined ? undefined : decimalArg(v.prior);
  if (prior !== undefined && (!Number.isFinite(prior) || prior < 0))
    throw new EvalUsageError('--prior must be a number ≥ 0 (virtual ties against the mean model; 0 = plain maximum likelihood)');
  const sources = list(v.source);
  for (const s of sources ?? []) if (!['vote', 'judge', 'checks'].includes(s)) throw new EvalUsageError(`--source takes vote, judge or checks, got "${s}"`);
  const samples = v.samples === undefined ? 200 : decimalArg(v.samples);
  if (!Number.isInteger(samples) || samples < 0) throw new EvalUsageError('--samples must be a whole number');
  const file = v.file ? resolve(io.cwd, v.file) : join(io.cwd, LEADERBOARD_FILE);
  const rows = leaderboard(readLeaderboard(file), {
    ...(v.tag ? { tag: v.tag } : {}),
    ...(sources ? { sources: sources as ('vote' | 'judge' | 'checks')[] } : {}),
    samples,
    ...(prior !== undefined ? { prior } : {}),
  });
  if (v.json) {
    io.stdout.write(JSON.stringify({ file, tag: v.tag ?? null, rows }) + '\n');
    return 0;
  }
  if (rows.length === 0) {
    io.stdout.write(`No comparisons${v.tag ? ` tagged "${v.tag}"` : ''} yet (${file}): run a test set or vote in comparisons.\n`);
    return 0;
  }
  io.stdout.write(
    table([
      ['model', 'rating', '95% interval', 'games', 'W-L-T', 'cost/answer', 'wins per $'],
      ...rows.map((r) => [
        r.model,
        r.rating.toFixed(0),
        `${r.low.toFixed(0)}–${r.high.toFixed(0)}`,
        String(r.games),
        `${r.wins}-${r.losses}-${r.ties}`,
        formatUsd(r.meanCostUsd),
        r.winsPerDollar === null ? '—' : r.winsPerDollar.toFixed(0),
      ]),
    ]),
  );
  io.stdout.write('\nBradley–Terry ratings (400 points = 10:1 odds; the mean model is 1000); intervals by bootstrap.\n');
  return 0;
}

function exportCmd(args: string[], io: EvalIo): number {
  const { values: v, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: { models: { type: 'string' }, out: { type: 'string' } },
  });
  if (positionals.length !== 1) throw new EvalUsageError('eval export takes one test set');
  const path = findSet(positionals[0], io.cwd);
  const set = loadSet(path);
  const yaml = exportPromptfoo(set, list(v.models) ?? set.models ?? []);
  if (v.out) {
    writeFileSync(resolve(io.cwd, v.out), yaml);
    io.stderr.write(`switchboard: wrote ${resolve(io.cwd, v.out)}\n`);
  } else io.stdout.write(yaml);
  return 0;
}

function importCmd(args: string[], io: EvalIo): number {
  const { values: v, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: { out: { type: 'string' } } });
  if (positionals.length !== 1) throw new EvalUsageError('eval import takes one promptfoo config file');
  const path = resolve(io.cwd, positionals[0]!);
  let text: string;
  try {
    // A file saved by a Windows editor starts with a byte-order mark, which the YAML reader would take as text.
    text = readUserFile(path);
  } catch (e) {
    throw new EvalUsageError(`cannot read ${path}: ${(e as Error).message}`);
  }
  const { set } = importPromptfoo(text, path);
  const json = JSON.stringify(set, null, 2) + '\n';
  if (v.out) {
    const out = resolve(io.cwd, v.out);
    if (existsSync(out)) throw new EvalUsageError(`${out} exists; not overwriting it (pick another --out or remove it)`);
    writeFileSync(out, json);
    io.stderr.write(`switchboard: wrote ${out} (${set.prompts.length} prompts)\n`);
  } else io.stdout.write(json);
  return 0;
}
