/**
 * The built CLI for tests that spawn it: rebuild dist/ when a source is newer, then copy
 * dist/cli.js to a private file that is known to compile — other runs may rebuild dist/ while
 * tests run, and a half-written bundle would make a test flaky (an empty cli.js exits 0 silently).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DIST_CLI = join(ROOT, 'dist', 'cli.js');

/** Newest mtime of what goes into dist/cli.js. */
function newestSource(): number {
  let newest = statSync(join(ROOT, 'src', 'cli.ts')).mtimeMs;
  for (const dir of ['core', 'gateway', 'cli', 'shared']) {
    for (const f of readdirSync(join(ROOT, 'src', dir), { recursive: true, withFileTypes: true })) {
      if (f.isFile()) newest = Math.max(newest, statSync(join(f.parentPath, f.name)).mtimeMs);
    }
  }
  return newest;
}

/** Path of a private, complete copy of the built CLI inside `dir`. */
export async function privateCliCopy(dir: string): Promise<string> {
  if (!existsSync(DIST_CLI) || statSync(DIST_CLI).mtimeMs < newestSource()) {
    const r = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`esbuild failed:\n${r.stdout}\n${r.stderr}`);
  }
  const copy = join(dir, 'cli.cjs');
  for (let i = 0; ; i++) {
    copyFileSync(DIST_CLI, copy);
    const code = readFileSync(copy, 'utf8').replace(/^#!.*/, '');
    try {
      if (!code.includes('Switchboard') || !code.includes('startGateway')) throw new Error('dist/cli.js is incomplete');
      new Script(code, { filename: copy });
      return copy;
    } catch (e) {
      if (i >= 50) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
