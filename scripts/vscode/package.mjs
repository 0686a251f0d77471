#!/usr/bin/env node
// Builds the extension (node esbuild.mjs) and packages it as a .vsix with vsce.
//   node scripts/vscode/package.mjs [--out path.vsix] [--production]
// The bundles in dist/ have their dependencies inlined, so the .vsix is packaged with --no-dependencies;
// .vscodeignore keeps everything but dist/extension.js, package.json and LICENSE out.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const log = (msg) => process.stderr.write(`[vscode-package] ${msg}\n`);

/** Spawns a command with inherited output (or captured when `capture`), rejects on failure. */
export function exec(cmd, args, { cwd = repoRoot, env = process.env, capture = false, timeoutMs = 10 * 60_000 } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', capture ? 'pipe' : 'inherit', capture ? 'pipe' : 'inherit'] });
    let out = '';
    if (capture) {
      child.stdout.on('data', (c) => (out += c));
      child.stderr.on('data', (c) => (out += c));
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => (clearTimeout(timer), reject(e)));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise(out);
      else {
        const err = new Error(`${[cmd, ...args].join(' ')} failed (${signal ?? `exit ${code}`})${out ? `:\n${out}` : ''}`);
        // @ts-ignore
        err.output = out;
        reject(err);
      }
    });
  });
}

/** `node esbuild.mjs` in the repo (dist/extension.js etc.). */
export async function buildExtension({ production = false } = {}) {
  const t0 = Date.now();
  await exec(process.execPath, ['esbuild.mjs', ...(production ? ['--production'] : [])], { capture: true });
  if (!existsSync(join(repoRoot, 'dist', 'extension.js'))) throw new Error('build did not produce dist/extension.js');
  log(`built dist/ in ${Date.now() - t0} ms`);
}

export function manifest() {
  return JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
}

export function defaultVsixPath() {
  const m = manifest();
  return join(repoRoot, '.artifacts', `${m.name}-${m.version}.vsix`);
}

/**
 * Packages the already built extension with vsce; returns the .vsix path.
 * @param {{out?: string}} [opts]
 */
export async function packageVsix({ out = defaultVsixPath() } = {}) {
  const t0 = Date.now();
  mkdirSync(dirname(out), { recursive: true });
  const vsce = join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
  if (!existsSync(vsce)) throw new Error('@vscode/vsce is not installed: run `npm install` in the repo first.');
  const args = [vsce, 'package', '--no-dependencies', '--out', out];
  // Without a "repository" field vsce warns (and asks on a terminal); the harness must never block on it.
  if (!manifest().repository) args.push('--allow-missing-repository');
  let output;
  try {
    output = await exec(process.execPath, args, { capture: true, timeoutMs: 120_000 });
  } catch (e) {
    const text = /** @type {any} */ (e).output ?? String(e);
    if (/activationEvents/.test(text))
      throw new Error(`${text.trim()}\nvsce needs "activationEvents" in package.json (e.g. ["onStartupFinished"]) since it has "main".`);
    throw e;
  }
  const warnings = output.split('\n').filter((l) => /WARNING/.test(l));
  for (const w of warnings) log(w.trim());
  log(`packaged ${relative(repoRoot, out)} (${(statSync(out).size / 1024).toFixed(1)} KB) in ${Date.now() - t0} ms`);
  if (process.env.SWITCHBOARD_HARNESS_VERBOSE) process.stderr.write(output);
  return out;
}

/**
 * Packages a test extension folder (plain JavaScript, no build) as a .vsix, for the harness to install
 * next to Switchboard (test/fixtures/lm-provider-extension). Returns its path.
 */
export async function packageTestExtension(dir, out) {
  mkdirSync(dirname(out), { recursive: true });
  const vsce = join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
  await exec(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', out], {
    cwd: dir,
    capture: true,
    timeoutMs: 120_000,
  });
  return out;
}

/** Build + package; returns the .vsix path. */
export async function buildAndPackage({ out, production = false } = {}) {
  await buildExtension({ production });
  return packageVsix(out ? { out } : {});
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--out');
  const out = i > 0 ? resolve(process.argv[i + 1]) : undefined;
  buildAndPackage({ out, production: process.argv.includes('--production') }).then(
    (p) => console.log(p),
    (e) => {
      process.stderr.write(`[vscode-package] ERROR: ${e.message}\n`);
      process.exit(1);
    },
  );
}
