/**
 * Code that is run: each model's change is applied in a scratch copy of the workspace (a git
 * worktree of the current state when it is a git repository, else a temp copy), the user's
 * command runs there with a timeout, and its exit code and output are the verdict.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { extractChange, resolveChange, type FileChange } from './patch.ts';

export interface CommandResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** stdout and stderr as they interleaved, the last MAX_OUTPUT characters. */
  output: string;
  durationMs: number;
}

export interface CodeRunResult {
  pass: boolean;
  /** Why it failed before the command ran (no change found, a hunk that does not fit), else null. */
  problem: string | null;
  command: CommandResult | null;
  /** The files as the change leaves them, with the hash of the text it was made against. */
  files: (FileChange & { baseSha256: string | null })[];
  /** How the scratch copy was made. */
  scratch: 'git-worktree' | 'copy' | null;
}

const MAX_OUTPUT = 64 * 1024;
const DEFAULT_TIMEOUT_MS = 120_000;

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

function inside(root: string, rel: string): string {
  const abs = resolve(root, rel);
  if (abs !== root && !abs.startsWith(root + sep)) throw new Error(`${rel} is outside the workspace`);
  return abs;
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** Runs a shell command in `cwd`; on timeout the whole process group is killed. */
export function runCommand(command: string, cwd: string, timeoutMs = DEFAULT_TIMEOUT_MS, env: NodeJS.ProcessEnv = process.env): Promise<CommandResult> {
  const started = Date.now();
  // Run under `node --test` (ours or a user's), this variable would make the command's own test
  // runner report to ours instead of exiting non-zero on failure.
  const { NODE_TEST_CONTEXT: _ctx, ...cleanEnv } = env;
  return new Promise((resolvePromise) => {
    let output = '';
    let timedOut = false;
    const child = spawn(command, { cwd, shell: true, detached: process.platform !== 'win32', env: cleanEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    const add = (d: Buffer): void => {
      output += d.toString('utf8');
      if (output.length > MAX_OUTPUT * 2) output = output.slice(-MAX_OUTPUT);
    };
    child.stdout!.on('data', add);
    child.stderr!.on('data', add);
    const kill = (): void => {
      try {
        if (child.pid && process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs);
    const finish = (exitCode: number | null, signal: string | null): void => {
      clearTimeout(timer);
      const text = output.length > MAX_OUTPUT ? `…${output.slice(-MAX_OUTPUT)}` : output;
      resolvePromise({ exitCode, signal, timedOut, output: timedOut ? `${text}\n[timed out after ${timeoutMs} ms]` : text, durationMs: Date.now() - started });
    };
    child.on('error', (e) => {
      output += `\n${e.message}`;
      finish(null, null);
    });
    child.on('close', (code, signal) => finish(code, signal));
  });
}

function git(args: string[], cwd: string): { ok: boolean; out: string } {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  return { ok: r.status === 0, out: (r.stdout ?? '').trim() || (r.stderr ?? '').trim() };
}

/** A scratch copy of `root` and a function that removes it. */
export function makeScratch(root: string): { dir: string; kind: 'git-worktree' | 'copy'; remove(): void } {
  const base = mkdtempSync(join(tmpdir(), 'switchboard-run-'));
  const top = git(['rev-parse', '--show-toplevel'], root);
  if (top.ok && resolve(top.out) === resolve(root)) {
    // `stash create` snapshots uncommitted changes to tracked files without touching the work tree.
    const stash = git(['stash', 'create'], root);
    const commit = stash.ok && stash.out ? stash.out : 'HEAD';
    const dir = join(base, 'wt');
    const add = git(['worktree', 'add', '--detach', dir, commit], root);
    if (add.ok) {
      // Untracked files (new, not yet added) are not in the snapshot: copy them across.
      const untracked = git(['ls-files', '--others', '--exclude-standard', '-z'], root);
      if (untracked.ok)
        for (const f of untracked.out.split('\0').filter(Boolean)) {
          mkdirSync(dirname(join(dir, f)), { recursive: true });
          cpSync(join(root, f), join(dir, f));
        }
      linkNodeModules(root, dir);
      return {
        dir,
        kind: 'git-worktree',
        remove: () => {
          git(['worktree', 'remove', '--force', dir], root);
          rmSync(base, { recursive: true, force: true });
          git(['worktree', 'prune'], root);
        },
      };
    }
  }
  const dir = join(base, 'copy');
  cpSync(root, dir, { recursive: true, filter: (src) => !/[\\/](node_modules|\.git)$/.test(src) });
  linkNodeModules(root, dir);
  return { dir, kind: 'copy', remove: () => rmSync(base, { recursive: true, force: true }) };
}

/** Dependencies are linked, not copied: a scratch copy should cost seconds, not a node_modules. */
function linkNodeModules(root: string, dir: string): void {
  const nm = join(root, 'node_modules');
  if (existsSync(nm) && !existsSync(join(dir, 'node_modules'))) symlinkSync(nm, join(dir, 'node_modules'), 'junction');
}

/** Applies the answer's change for `file` in a scratch copy of `root` and runs `command` there. */
export async function runCodeChange(root: string, answer: string, file: string, command: string, timeoutMs?: number): Promise<CodeRunResult> {
  const proposed = extractChange(answer, file);
  if (!proposed) return { pass: false, problem: 'the answer has no code block or diff to apply', command: null, files: [], scratch: null };
  let files: (FileChange & { baseSha256: string | null })[];
  try {
    files = resolveChange(proposed, (p) => readOrNull(inside(root, p))).map((f) => {
      const base = readOrNull(inside(root, f.path));
      return { ...f, baseSha256: base === null ? null : sha(base) };
    });
  } catch (e) {
    return { pass: false, problem: `the change cannot be applied: ${(e as Error).message}`, command: null, files: [], scratch: null };
  }
  const scratch = makeScratch(root);
  try {
    for (const f of files) {
      const target = inside(scratch.dir, f.path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, f.content);
    }
    const result = await runCommand(command, scratch.dir, timeoutMs);
    return { pass: result.exitCode === 0 && !result.timedOut, problem: null, command: result, files, scratch: scratch.kind };
  } finally {
    scratch.remove();
  }
}

/**
 * "Apply the winner": writes the change's files into the real workspace. A file that changed since
 * the change was made is not overwritten (the user's edits are never lost): the whole apply is refused.
 */
export function applyFiles(root: string, files: readonly (FileChange & { baseSha256: string | null })[]): string[] {
  const targets = files.map((f) => ({ f, abs: inside(root, f.path) }));
  for (const { f, abs } of targets) {
    const now = readOrNull(abs);
    const nowSha = now === null ? null : sha(now);
    if (nowSha !== f.baseSha256)
      throw new Error(
        `${f.path} changed since the answer was made (${now === null ? 'it was deleted' : 'its text differs'}); nothing was applied — run the set again`,
      );
  }
  for (const { f, abs } of targets) {
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, f.content);
  }
  return targets.map(({ abs }) => relative(root, abs));
}
