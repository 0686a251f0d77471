// Bundles the integration tests (test/integration/**/*.test.ts), their mocha entry
// (test/integration/index.ts) and mocha itself into dist-test/integration/index.js: a CommonJS module
// exporting run(), VS Code's `extensionTestsPath` contract. `vscode` stays external (the host provides it).
import * as esbuild from 'esbuild';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { repoRoot } from './package.mjs';

export const testBuildDir = join(repoRoot, 'dist-test');
/** Default output folder: one per process, so that runs from the same checkout never share a bundle. */
export const defaultIntegrationOutDir = () => join(testBuildDir, `integration-${process.pid}`);

/** Removes per-run outputs in dist-test/ (integration-<pid>/, *-<pid>.vsix) whose process is gone. */
export function sweepStaleBuilds() {
  let names = [];
  try {
    names = readdirSync(testBuildDir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^(?:integration|switchboard-ui)-(\d+)(?:\.vsix)?$/.exec(name);
    if (!m || Number(m[1]) === process.pid) continue;
    let alive = true;
    try {
      process.kill(Number(m[1]), 0);
    } catch (e) {
      alive = /** @type {NodeJS.ErrnoException} */ (e).code === 'EPERM';
    }
    if (!alive) rmSync(join(testBuildDir, name), { recursive: true, force: true });
  }
}

/** Files under `dir` whose name matches `re`, sorted, as absolute paths. */
export function findFiles(dir, re) {
  /** @type {string[]} */
  const out = [];
  const walk = (d) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (re.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * Writes `<outDir>/index.js` (the `extensionTestsPath` module: a loader that turns on source maps, then
 * requires the bundle `<outDir>/tests.js`). Remove outDir when done (see removeIntegrationBuild).
 * @param {{filter?: string, outDir?: string, select?: (relPath: string) => boolean}} [opts] filter: substring a test file's path must contain; select: another condition on it
 * @returns {Promise<{bundle: string, outDir: string, files: string[]}>}
 */
export async function buildIntegrationTests({ filter, outDir = defaultIntegrationOutDir(), select } = {}) {
  const t0 = Date.now();
  sweepStaleBuilds();
  let files = findFiles(join(repoRoot, 'test', 'integration'), /\.test\.ts$/);
  if (filter) files = files.filter((f) => relative(repoRoot, f).includes(filter));
  if (select) files = files.filter((f) => select(relative(repoRoot, f)));
  if (!files.length) throw new Error(`no integration tests found under test/integration${filter ? ` matching "${filter}"` : ''}`);
  const rel = files.map((f) => relative(repoRoot, f).split('\\').join('/'));
  const entry = [
    `const { runMocha } = require('./test/integration/index.ts');`,
    `exports.run = function run() {`,
    `  return runMocha([`,
    ...rel.map((r) => `    { file: ${JSON.stringify(r)}, load: () => require(${JSON.stringify('./' + r)}) },`),
    `  ]);`,
    `};`,
  ].join('\n');
  const integrationBundle = join(outDir, 'index.js');
  const integrationTestsJs = join(outDir, 'tests.js');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  // The repo is "type": "module"; the bundle is CommonJS.
  writeFileSync(join(testBuildDir, 'package.json'), JSON.stringify({ type: 'commonjs' }) + '\n');
  await esbuild.build({
    stdin: { contents: entry, resolveDir: repoRoot, sourcefile: 'integration-entry.cjs', loader: 'js' },
    outfile: integrationTestsJs,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    external: ['vscode'],
    sourcemap: 'inline',
    sourcesContent: false,
    logLevel: 'warning',
    // mocha's optional/dynamic requires (custom reporters/interfaces by name, ESM loader) are never used.
    logOverride: { 'require-resolve-not-external': 'silent', 'unsupported-require-call': 'silent', 'unsupported-dynamic-import': 'silent' },
    define: { 'process.env.SWITCHBOARD_BUILD': JSON.stringify('test') },
  });
  // Source maps must be on before the bundle loads, so failures point at test/integration/*.ts lines.
  writeFileSync(
    integrationBundle,
    `'use strict';\nif (typeof process.setSourceMapsEnabled === 'function') process.setSourceMapsEnabled(true);\nmodule.exports = require('./tests.js');\n`,
  );
  process.stderr.write(
    `[vscode-tests] bundled ${rel.length} integration test file(s) into ${relative(repoRoot, integrationBundle)} in ${Date.now() - t0} ms\n`,
  );
  return { bundle: resolve(integrationBundle), outDir, files: rel };
}

/** Deletes a build made by buildIntegrationTests (kept with SWITCHBOARD_HARNESS_KEEP=1). */
export function removeIntegrationBuild(outDir) {
  if (!process.env.SWITCHBOARD_HARNESS_KEEP) rmSync(outDir, { recursive: true, force: true });
}
