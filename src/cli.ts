/**
 * `switchboard`: the headless front end over the same core as the extension.
 * Exit codes: 0 answered, 1 the request failed, 2 bad usage or config.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { priceDataInfo, pricesAsOfLabel } from './core/index.ts';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { fstatSync } from 'node:fs';
import { createClient, type SwitchboardClient } from './core/index.ts';
import { jsonSyntaxError, loadConfig, type SwitchboardConfig } from './core/index.ts';
import { LedgerError, SwitchboardError, closestNames, isBudgetAlertMessage } from './core/index.ts';
import { costDifference, formatUsd } from './shared/format.ts';
import { defaultLedgerPath, localDayKey, summarize } from './core/index.ts';
import { loadSqlite, openLedgerAt, type SqliteUsageStore } from './core/index.ts';
import type { CompareResult } from './core/index.ts';
import type { ChatRequest, StreamPart } from './core/index.ts';
import type { BudgetAlert, ChatMessage, ChatResult } from './core/index.ts';
import type { ResponseFormat } from './core/index.ts';
import { LEADERBOARD_FILE } from './core/index.ts';
import { EVAL_USAGE, EvalUsageError, evalCommand } from './cli/eval.ts';
import { decimalArg } from './cli/args.ts';
import { readUserFile } from './core/index.ts';
import { controlsShown, showControls } from './cli/terminal.ts';

const VERSION = '0.1.0';

const USAGE = `Switchboard ${VERSION}: one client for every LLM provider.

Usage:
  switchboard chat --model ID [--prompt TEXT] [< stdin] [--system TEXT] [--max-tokens N] [--temperature T] [--json-schema FILE] [--config PATH] [--json]
  switchboard compare --models A,B,C [--prompt TEXT] [< stdin] [--system TEXT] [--max-tokens N] [--concurrency N] [--config PATH] [--json]
  switchboard models [--refresh] [--all] [--json] [--config PATH]
  switchboard usage [--since YYYY-MM-DD] [--json]
  switchboard serve [--port N] [--host 127.0.0.1] [--config PATH]   (local OpenAI-compatible gateway)
${EVAL_USAGE}

Model ids are provider/model (anthropic/claude-sonnet-4) or route/<id>.
The prompt is --prompt, or stdin when it is not a terminal, or both: stdin's text, then --prompt's.
Config: --config PATH, else $SWITCHBOARD_CONFIG, else ~/.config/switchboard/config.json.
Keys come from environment variables (OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY, OPENROUTER_API_KEY, …).
Exit codes: 0 answered, 1 the request failed (eval run: a threshold failed or a cell got no answer), 2 bad usage or config.`;

class UsageError extends Error {}

const COMMANDS = ['chat', 'compare', 'models', 'usage', 'serve', 'eval', 'help'];

/** A mistyped command gets the nearest ones; words that look like a prompt get the chat command to put them in. */
function unknownCommand(command: string): string {
  const near = closestNames(command, COMMANDS);
  if (near.length > 0) return `unknown command "${command}": did you mean ${near.map((c) => `"${c}"`).join(' or ')}?`;
  if (command.startsWith('-')) return `unknown option "${command}": options go after the command (switchboard chat --model ID …)`;
  if (/\s/.test(command.trim())) return `unknown command "${command}": to ask a model, run switchboard chat --model ID --prompt "your text"`;
  return `unknown command "${command}"`;
}

interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

const common = {
  config: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

const requestOptions = {
  ...common,
  prompt: { type: 'string', short: 'p' },
  system: { type: 'string' },
  'max-tokens': { type: 'string' },
  temperature: { type: 'string' },
  'json-schema': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  // stderr quotes providers (error messages, reasoning): never their terminal control sequences.
  io = { ...io, stderr: controlsShown(io.stderr) };
  const stdoutGone = watchStdout(io);
  try {
    switch (command) {
      case 'chat':
        return await chat(rest, io, stdoutGone);
      case 'compare':
        return await compare(rest, io, stdoutGone);
      case 'models':
        return await models(rest, io);
      case 'usage':
        return await usage(rest, io);
      case 'serve':
        return await serve(rest, io);
      case 'eval':
        return await evalCommand(rest, { ...io, cwd: process.cwd() }, (configPath) => openClient(configPath, io));
      case '--version':
      case '-v':
        io.stdout.write(`${VERSION}\n`);
        return 0;
      case undefined:
        // No command is a usage error: the usage goes to stderr with exit 2 (asked for, it goes to stdout).
        io.stderr.write(`switchboard: give a command\n\n${USAGE}\n`);
        return 2;
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(`${USAGE}\n`);
        return 0;
      default:
        throw new UsageError(unknownCommand(command));
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof EvalUsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`switchboard: ${(e as Error).message}\n\n${USAGE}\n`);
      return 2;
    }
    if (e instanceof LedgerError) {
      const where = io.env.SWITCHBOARD_LEDGER ? 'SWITCHBOARD_LEDGER' : 'the default ledger path';
      io.stderr.write(
        `switchboard: ${e.message}\n  fix: ${where} must be a file in a directory that can be created and written; set SWITCHBOARD_LEDGER to another file\n`,
      );
      return 1;
    }
    if (e instanceof SwitchboardError && e.kind === 'config') {
      io.stderr.write(`switchboard: ${e.message}\n`);
      return 2;
    }
    io.stderr.write(`switchboard: ${e instanceof SwitchboardError ? e.message : ((e as Error)?.stack ?? String(e))}\n`);
    return 1;
  }
}

/**
 * stdout closed by its reader (`switchboard chat … | head -1`, EPIPE) or failing otherwise: the
 * returned signal aborts, so a request in flight is cancelled like Ctrl-C (what arrived is counted
 * in the ledger) instead of the process dying on an unhandled 'error' event. A closed pipe is not
 * reported (as other Unix tools do); any other write error is, once. The listener stays for the
 * process's life: the error event of the last write may come after main() returned.
 */
function watchStdout(io: Io): AbortSignal {
  const ac = new AbortController();
  io.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (ac.signal.aborted) return;
    ac.abort();
    if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') io.stderr.write(`switchboard: cannot write to stdout: ${e.message}\n`);
  });
  return ac.signal;
}

function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
}

/**
 * The usage ledger (SQLite, shared with every other switchboard process of the user). On a
 * Node.js without node:sqlite (< 22.13) the commands that spend or report money stop here with
 * a clear error rather than run without budgets.
 */
function openLedger(io: Io): SqliteUsageStore {
  loadSqlite();
  return openLedgerAt(io.env.SWITCHBOARD_LEDGER || defaultLedgerPath(io.env));
}

/**
 * The client of one command. Its spend session is this invocation (budget.perSession); a gateway
 * (`serve`) is one session for its whole run. `onBudgetAlert`: where 50/80/100 % alerts go when the
 * command does not print its stream's warnings itself.
 */
function openClient(
  configPath: string | undefined,
  io: Io,
  onBudgetAlert?: (a: BudgetAlert) => void,
): { client: SwitchboardClient; config: SwitchboardConfig; ledger: SqliteUsageStore } {
  const { config, path } = loadConfig(configPath, io.env);
  const ledger = openLedger(io);
  const cacheBase = io.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  const client = createClient(config, {
    env: io.env,
    ledger,
    frontEnd: 'cli',
    ...(onBudgetAlert ? { onBudgetAlert } : {}),
    configHint: path ? `the config file ${path}` : 'the config file (~/.config/switchboard/config.json or --config)',
    catalogCacheFile: config.catalog.cacheFile ?? join(cacheBase, 'switchboard', 'catalog.json'),
    priceDataCacheFile: join(cacheBase, 'switchboard', 'genai-prices.json'),
    // Routes with strategy "best" rank by the leaderboard of the folder the CLI runs in.
    leaderboardFile: join(process.cwd(), LEADERBOARD_FILE),
  });
  return { client, config, ledger };
}

async function buildRequest(
  values: {
    prompt?: string | undefined;
    system?: string | undefined;
    'max-tokens'?: string | undefined;
    temperature?: string | undefined;
    'json-schema'?: string | undefined;
  },
  io: Io,
): Promise<Omit<ChatRequest, 'model'>> {
  let prompt = values.prompt;
  if (prompt === undefined) {
    if (io.stdin.isTTY) throw new UsageError('give a prompt with --prompt or on stdin');
    prompt = await readAll(io.stdin);
  } else if (pipedIn(io.stdin)) {
    // `cat notes.md | switchboard chat -p "Summarise this"`: what is piped in is the material,
    // --prompt the instruction after it; the piped text was ignored without a word.
    const piped = await readAll(io.stdin);
    if (piped.trim()) prompt = `${piped.replace(/\s+$/, '')}\n\n${prompt}`;
  }
  if (!prompt.trim()) throw new UsageError('the prompt is empty');
  const messages: ChatMessage[] = [];
  if (values.system) messages.push({ role: 'system', content: values.system });
  messages.push({ role: 'user', content: prompt });
  const req: Omit<ChatRequest, 'model'> = { messages };
  if (values['max-tokens'] !== undefined) {
    const n = decimalArg(values['max-tokens']);
    if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`--max-tokens must be a positive integer, got "${values['max-tokens']}"`);
    req.maxTokens = n;
  }
  if (values.temperature !== undefined) {
    const t = decimalArg(values.temperature);
    if (!Number.isFinite(t) || t < 0 || t > 2) throw new UsageError(`--temperature must be a number from 0 to 2, got "${values.temperature}"`);
    req.temperature = t;
  }
  if (values['json-schema'] !== undefined) req.responseFormat = readJsonSchema(values['json-schema']);
  return req;
}

/** `--json-schema FILE`: the answer must be JSON following the schema in FILE (named after the file). */
function readJsonSchema(file: string): ResponseFormat {
  let text: string;
  try {
    text = readUserFile(file);
  } catch (e) {
    throw new UsageError(`--json-schema: cannot read a JSON Schema from ${file}: ${(e as Error).message}`);
  }
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch (e) {
    // The place, not V8's message: that quotes the text around the error.
    const { what, at } = jsonSyntaxError(text, (e as Error).message);
    throw new UsageError(`--json-schema: ${file} is not valid JSON: ${what} at ${at} (fix the JSON syntax in ${file} at ${at})`);
  }
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) throw new UsageError(`--json-schema: ${file} must hold a JSON Schema object`);
  const name =
    basename(file)
      .replace(/\.json$/i, '')
      .replace(/[^A-Za-z0-9_-]/g, '_')
      .slice(0, 64) || 'answer';
  return { type: 'json_schema', name, schema: schema as Record<string, unknown> };
}

/**
 * With --prompt, is stdin something the user piped or redirected in (a shell pipe or a file)? Not
 * a terminal, and not the socket a program's spawn()/execFile() leaves open without writing to it:
 * waiting for that one to end would hang the caller's every request.
 */
function pipedIn(stdin: Io['stdin']): boolean {
  if (stdin.isTTY) return false;
  const fd = (stdin as { fd?: unknown }).fd;
  if (typeof fd !== 'number') return true; // an in-process stream (tests, embedders)
  try {
    const st = fstatSync(fd);
    return st.isFIFO() || st.isFile();
  } catch {
    return false;
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** The `--json` shape of one answer (shared by chat and compare). */
export function resultJson(r: ChatResult): Record<string, unknown> {
  const out: Record<string, unknown> = {
    model: r.model,
    answeredBy: r.answeredBy,
    text: r.text,
    reasoning: r.reasoning,
    finishReason: r.finishReason,
    usage: { ...r.usage },
    costUsd: r.costUsd,
    timing: { ...r.timing },
    attempts: r.attempts.map((a) => ({ ...a })),
  };
  if (r.costEstimated) out.costEstimated = true;
  if (r.costCheck) out.costCheck = { ...r.costCheck };
  if (r.error) out.error = { kind: r.error.kind, message: r.error.message };
  return out;
}

/**
 * Ctrl-C (or stdout closed by its reader: `stdoutGone`) cancels the request, keeping what arrived;
 * call the returned function when done.
 */
function cancelOnSigint(stdoutGone: AbortSignal): { signal: AbortSignal; interrupted(): boolean; dispose(): void } {
  const ac = new AbortController();
  const onSigint = (): void => ac.abort();
  process.once('SIGINT', onSigint);
  return {
    signal: AbortSignal.any([ac.signal, stdoutGone]),
    interrupted: () => ac.signal.aborted,
    dispose: () => process.removeListener('SIGINT', onSigint),
  };
}

/** The exit code of a command stopped by Ctrl-C: 128 + SIGINT, as shells and scripts expect. */
const INTERRUPTED = 130;

async function chat(args: string[], io: Io, stdoutGone: AbortSignal): Promise<number> {
  const v = parse(args, { ...requestOptions, model: { type: 'string', short: 'm' } });
  if (v.help) return help(io);
  const base = await buildRequest(v, io);
  const { client, config } = openClient(v.config, io);
  const sigint = cancelOnSigint(stdoutGone);
  try {
    const model = v.model ?? config.defaultModel;
    if (!model) throw new UsageError('--model is required (or set "defaultModel" in the config)');
    const stream = client.stream({ ...base, model, signal: sigint.signal });
    let wrote = false;
    /** The answer's own last character was a newline: `> answer.md` gets it once, not followed by a blank line. */
    let endsLine = false;
    // Reasoning streams to stderr: its last line is ended before the answer or a notice starts, so
    // on a terminal (both streams on one screen) they do not run together on one line.
    let reasoningOpen = false;
    const endReasoning = (): void => {
      if (reasoningOpen) io.stderr.write('\n');
      reasoningOpen = false;
    };
    const note = (line: string): void => {
      endReasoning();
      io.stderr.write(line);
    };
    for await (const part of stream) {
      // With --json, stdout carries only the final object; notices still go to stderr.
      if (part.type === 'text-delta') {
        if (v.json) continue;
        endReasoning();
        // On a terminal the answer's control characters are shown, not obeyed; a pipe gets it byte for byte.
        io.stdout.write(io.stdout.isTTY ? showControls(part.text) : part.text);
        if (part.text) endsLine = part.text.endsWith('\n');
        wrote = true;
      } else if (part.type === 'reasoning-delta') {
        if (!v.json && part.text) {
          io.stderr.write(part.text);
          reasoningOpen = !part.text.endsWith('\n');
        }
      } else if (part.type === 'warning') note(`switchboard: warning: ${part.message}\n`);
      else if (part.type === 'retry')
        note(
          `switchboard: ${part.model}: ${part.reason}; retrying in ${(part.delayMs / 1000).toFixed(1)} s (attempt ${part.attempt} of ${part.maxAttempts})\n`,
        );
      else if (part.type === 'attempt-failed' && !stdoutGone.aborted)
        note(`switchboard: ${part.attempt.model} failed (${part.attempt.errorKind}${part.attempt.status ? ` ${part.attempt.status}` : ''})\n`);
    }
    endReasoning();
    const r = await stream.result;
    // Nobody reads the answer any more: the cancellation is the reader's doing, not an error to report.
    if (stdoutGone.aborted) return r.error ? 1 : 0;
    if (v.json) io.stdout.write(JSON.stringify(resultJson(r)) + '\n');
    else if (wrote && !endsLine) io.stdout.write('\n');
    if (r.error) {
      io.stderr.write(`switchboard: ${r.error.message}\n`);
      didYouMean(client, model, r, io);
      if (r.error.kind === 'aborted' && sigint.interrupted()) return INTERRUPTED;
      return r.error.kind === 'config' ? 2 : 1;
    }
    return 0;
  } finally {
    sigint.dispose();
    await client.close();
  }
}

async function compare(args: string[], io: Io, stdoutGone: AbortSignal): Promise<number> {
  const v = parse(args, { ...requestOptions, models: { type: 'string' }, concurrency: { type: 'string' } });
  if (v.help) return help(io);
  const list = (v.models ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.length < 1) throw new UsageError('--models needs a comma-separated list, e.g. --models openai/gpt-4o-mini,anthropic/claude-3-5-haiku');
  const concurrency = v.concurrency === undefined ? undefined : decimalArg(v.concurrency);
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) throw new UsageError('--concurrency must be a positive integer');
  const base = await buildRequest(v, io);
  // Budget alerts go to stderr as they fire (once, not once per column); every other warning of a
  // column (a clamped temperature, a hint the model cannot honour, an unwritable ledger) is said
  // with the model it is about.
  const { client } = openClient(v.config, io, (a) => io.stderr.write(`switchboard: warning: ${a.message}\n`));
  const onPart = (_index: number, model: string, part: StreamPart): void => {
    if (part.type === 'warning' && !isBudgetAlertMessage(part.message)) io.stderr.write(`switchboard: warning: ${model}: ${part.message}\n`);
  };
  const sigint = cancelOnSigint(stdoutGone);
  try {
    const run = client.compare(base, list, { signal: sigint.signal, onPart, ...(concurrency ? { concurrency } : {}) });
    const results = await run.results;
    if (stdoutGone.aborted) return results.some((r) => !r.error) ? 0 : 1;
    if (v.json) io.stdout.write(JSON.stringify(results.map(resultJson)) + '\n');
    else io.stdout.write(io.stdout.isTTY ? showControls(renderCompare(results)) : renderCompare(results));
    for (const r of results)
      if (r.error) {
        io.stderr.write(`switchboard: ${r.error.message}\n`);
        didYouMean(client, r.model, r, io);
      }
    if (sigint.interrupted()) return INTERRUPTED;
    if (results.some((r) => !r.error)) return 0;
    // As chat: nothing answered because of the config (every model unconfigured) is a usage/config error.
    return results.every((r) => r.error?.kind === 'config') ? 2 : 1;
  } finally {
    sigint.dispose();
    await client.close();
  }
}

/**
 * The provider does not know the model (404): the catalog's ids nearest to the one asked for, dated
 * snapshots also by their undated name (anthropic/claude-sonnet-4-20250514 → anthropic/claude-sonnet-4).
 */
function didYouMean(client: SwitchboardClient, model: string, r: ChatResult, io: Io): void {
  if (r.error?.kind !== 'not_found' || model.startsWith('route/')) return;
  const ids = client.catalog.list().flatMap((m) => [m.id, m.id.replace(/-\d{8}$/, '')]);
  const near = closestNames(model, ids);
  if (near.length) io.stderr.write(`switchboard: did you mean ${near.join(', ')}? (switchboard models lists them)\n`);
}

const ms = (n: number | null): string => (n === null ? '—' : n < 1000 ? `${Math.round(n)} ms` : `${(n / 1000).toFixed(2)} s`);

/** Columns of text: `left` are the columns of words (left-aligned), the others numbers (right-aligned). */
export function table(rows: string[][], left: readonly number[] = [0]): string {
  // A loop, not Math.max(...): spreading 130k+ rows overflows the call stack.
  const widths = rows[0]!.map((_, i) => rows.reduce((w, r) => Math.max(w, r[i]!.length), 0));
  return (
    rows
      .map((r) =>
        r
          .map((c, i) => (left.includes(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

export function renderCompare(results: CompareResult[]): string {
  const rows = [['model', 'status', 'TTFT', 'total', 'in', 'out', 'tok/s', 'cost']];
  for (const r of results) {
    rows.push([
      r.model,
      r.error ? r.error.kind : 'ok',
      ms(r.timing.ttftMs),
      ms(r.timing.totalMs),
      r.usage.inputTokens === null ? '—' : String(r.usage.inputTokens),
      r.usage.outputTokens === null ? '—' : String(r.usage.outputTokens),
      r.tokensPerSecond === null ? '—' : r.tokensPerSecond.toFixed(1),
      formatUsd(r.costUsd),
    ]);
  }
  let out = table(rows);
  for (const r of results) {
    out += `\n── ${r.model}${r.answeredBy && r.answeredBy !== r.model ? ` (answered by ${r.answeredBy})` : ''} ──\n`;
    out += r.text ? `${r.text}\n` : '';
    if (r.error) out += `[${r.error.message}]\n`;
  }
  return out;
}

async function models(args: string[], io: Io): Promise<number> {
  const v = parse(args, { ...common, refresh: { type: 'boolean', default: false }, all: { type: 'boolean', default: false } });
  if (v.help) return help(io);
  const { client } = openClient(v.config, io);
  try {
    if (v.refresh || client.catalog.isStale()) {
      // Price data from the network only when asked (--refresh): a plain listing stays offline-fast.
      const r = await client.catalog.refresh({ force: v.refresh, prices: v.refresh });
      for (const e of r.errors) io.stderr.write(`switchboard: could not refresh ${e.providerId}: ${e.message}\n`);
      if (r.priceError) io.stderr.write(`switchboard: could not refresh prices: ${r.priceError}\n`);
    }
    const list = client.catalog.list().filter((m) => v.all || m.available);
    const routes = client.resolver.routeList;
    if (v.json) {
      io.stdout.write(JSON.stringify({ models: list, routes, pricesAsOf: priceDataInfo().asOf }) + '\n');
      return 0;
    }
    if (list.length === 0 && routes.length === 0) {
      io.stdout.write('No models available: add providers to the config (see README), or use --all to list the built-in catalog.\n');
      return 0;
    }
    const rows = [['id', 'context', 'input $/1M', 'output $/1M', 'source']];
    for (const m of list)
      rows.push([
        m.id,
        m.contextLength === null ? '—' : String(m.contextLength),
        m.price ? String(m.price.input) : '—',
        m.price ? String(m.price.output) : '—',
        m.source,
      ]);
    for (const r of routes) rows.push([`route/${r.id}`, '—', '—', '—', `${r.strategy}: ${r.models.join(' → ')}`]);
    // "source" is words (a route's members): left-aligned, or one long route pushes every row's far right.
    io.stdout.write(table(rows, [0, 4]));
    io.stdout.write(`\n${pricesAsOfLabel()}\n`);
    return 0;
  } finally {
    await client.close();
  }
}

async function usage(args: string[], io: Io): Promise<number> {
  const v = parse(args, { ...common, since: { type: 'string' } });
  if (v.help) return help(io);
  // The report reads the ledger only (costs were computed when each answer was recorded).
  if (v.config !== undefined)
    io.stderr.write(
      `switchboard: warning: usage does not read the config, --config is ignored: it reports the ledger ${io.env.SWITCHBOARD_LEDGER || defaultLedgerPath(io.env)} (set SWITCHBOARD_LEDGER for another)\n`,
    );
  let since: number | null = null;
  if (v.since !== undefined) {
    since = /^\d{4}-\d{2}-\d{2}$/.test(v.since) ? new Date(`${v.since}T00:00:00`).getTime() : Number.NaN;
    // new Date() rolls 2026-02-30 over to March: accept only dates that exist.
    if (Number.isNaN(since) || localDayKey(since) !== v.since) throw new UsageError(`--since must be a date like 2026-11-01, got "${v.since}"`);
  }
  const store = openLedger(io);
  const report = summarize(await store.readAll(), since);
  const legacy = store.legacyImport();
  store.close();
  if (legacy && legacy.problemCount > 0) {
    io.stderr.write(
      `switchboard: ${legacy.problemCount} line${legacy.problemCount > 1 ? 's' : ''} of the old ledger ${legacy.path} could not be imported and ${legacy.problemCount > 1 ? 'are' : 'is'} not counted: ${legacy.problems.slice(0, 3).join('; ')}${legacy.problemCount > 3 ? '; …' : ''}\n`,
    );
  }
  if (v.json) {
    io.stdout.write(JSON.stringify(report) + '\n');
    return 0;
  }
  if (report.requests === 0) {
    io.stdout.write(`No usage recorded${v.since ? ` since ${v.since}` : ''} (ledger: ${store.location}).\n`);
    return 0;
  }
  const unknown = (n: number): string => (n ? ` (+${n} unknown)` : '');
  const estimated = report.estimatedCostRequests ? ` (${report.estimatedCostRequests} estimated: cut off before the provider counted)` : '';
  io.stdout.write(
    `Spend${v.since ? ` since ${v.since}` : ''}: ${formatUsd(report.totalUsd)} over ${report.requests} requests${unknown(report.unknownCostRequests)}${estimated}\n\nBy day\n`,
  );
  io.stdout.write(table([['day', 'requests', 'cost'], ...report.byDay.map((d) => [d.day, String(d.requests), formatUsd(d.costUsd) + unknown(d.unknownCost)])]));
  io.stdout.write('\nBy model\n');
  // Hosted web searches are billed apart from tokens: a column when any were run.
  const searches = report.byModel.some((m) => m.webSearches > 0);
  io.stdout.write(
    table([
      ['model', 'requests', 'in', 'out', ...(searches ? ['searches'] : []), 'cost'],
      ...report.byModel.map((m) => [
        m.model,
        String(m.requests),
        String(m.inputTokens),
        String(m.outputTokens),
        ...(searches ? [String(m.webSearches)] : []),
        formatUsd(m.costUsd) + unknown(m.unknownCost),
      ]),
    ]),
  );
  if (report.billedVsComputed.length > 0) {
    io.stdout.write('\nBilled by the provider vs computed from our prices\n');
    io.stdout.write(
      table([
        ['model', 'requests', 'billed', 'computed', 'difference'],
        ...report.billedVsComputed.map((c) => [
          c.model,
          String(c.requests),
          formatUsd(c.billedUsd),
          formatUsd(c.computedUsd),
          costDifference(c.billedUsd, c.computedUsd),
        ]),
      ]),
    );
  }
  io.stdout.write(`\nComputed costs use ${pricesAsOfLabel()} unless the config's pricing or the provider says otherwise.\n`);
  return 0;
}

/** The local OpenAI-compatible gateway, until SIGINT/SIGTERM. */
async function serve(args: string[], io: Io): Promise<number> {
  const v = parse(args, { config: common.config, help: common.help, port: { type: 'string' }, host: { type: 'string' } });
  if (v.help) return help(io);
  const port = v.port === undefined ? 4141 : decimalArg(v.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, got "${v.port}"`);
  const { loadOrCreateToken } = await import('./gateway/token.ts');
  const { startGateway } = await import('./gateway/server.ts');
  const token = loadOrCreateToken({ env: io.env });
  // The gateway's requests set off budget alerts (50/80/100 %): one log line each, and the
  // response that crossed it carries it in x-switchboard-warnings (or, streamed, its last event).
  const { client } = openClient(v.config, io, (a) => io.stderr.write(`gateway: ${a.message}\n`));
  const secrets = client.providers.flatMap((p) => (p.apiKeyEnv && io.env[p.apiKeyEnv] ? [io.env[p.apiKeyEnv]!] : []));
  const gateway = await startGateway({
    client,
    token: token.token,
    port,
    ...(v.host ? { host: v.host } : {}),
    secrets,
    log: (line) => io.stderr.write(`${line}\n`),
  }).catch(async (e: unknown) => {
    await client.close();
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new SwitchboardError({ kind: 'config', message: `port ${port} is already in use`, fix: 'pick another with --port (0: any free port)' });
    const host = v.host ?? '127.0.0.1';
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME')
      throw new SwitchboardError({
        kind: 'config',
        message: `cannot listen on ${host}: it is not an address of this machine (${code})`,
        fix: "leave --host out (127.0.0.1), or give one of this machine's addresses (0.0.0.0: all of them)",
      });
    if (code === 'EACCES')
      throw new SwitchboardError({
        kind: 'config',
        message: `not allowed to listen on ${host} port ${port} (EACCES)`,
        fix: 'pick a port above 1023 with --port (0: any free port)',
      });
    throw e;
  });
  io.stdout.write(`${gateway.url} (token: ${token.path ? `in ${token.path}` : '$SWITCHBOARD_GATEWAY_TOKEN'})\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await gateway.close();
  await client.close();
  return 0;
}

function help(io: Io): number {
  io.stdout.write(`${USAGE}\n`);
  return 0;
}

// Run when executed (the bundle's entry), not when imported by tests.
const isEntry = typeof require !== 'undefined' ? require.main === module : process.argv[1]?.endsWith('cli.ts');
if (isEntry) {
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env }).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`switchboard: ${String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
