#!/usr/bin/env node
// UI tests: Playwright (plain Node 24, outside VS Code) drives Chromium against a real VS Code workbench
// (code-server 4.139.1) that has the PACKAGED extension installed, as a user would have it.
//
//   npm run test:ui [-- <substring of test file path>...]
// Builds the extension, packages it with vsce, installs the .vsix into ONE code-server shared by all test
// files (handed to them in $SWITCHBOARD_UI_SERVER), and runs test/ui/**/*.ui.test.ts with `node --test`,
// one file at a time. Screenshots land in .artifacts/screenshots/.
// Env: SWITCHBOARD_TEST_TIMEOUT_S  overall limit in seconds (default 1200: seventeen files, each with its own workbench session, on a shared 2-core machine)
//      SWITCHBOARD_HARNESS_VERBOSE=1  code-server and browser logs on stderr
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { UI_SERVER_ENV, describeServerForEnv, removeAtExit, repoRoot, startCodeServer } from './harness.mjs';
import { buildAndPackage } from './package.mjs';
import { findFiles, sweepStaleBuilds, testBuildDir } from './build-tests.mjs';
import { codeServerPaths, ensureCodeServer } from './setup.mjs';

const log = (msg) => process.stderr.write(`[ui] ${msg}\n`);
const overallMs = Number(process.env.SWITCHBOARD_TEST_TIMEOUT_S ?? 1200) * 1000;

async function main() {
  const t0 = Date.now();
  const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
  const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  let files = findFiles(join(repoRoot, 'test', 'ui'), /\.ui\.test\.ts$/);
  if (filters.length) files = files.filter((f) => filters.some((x) => relative(repoRoot, f).includes(x)));
  if (!files.length) throw new Error('no UI tests found (test/ui/**/*.ui.test.ts)');

  await ensureCodeServer();
  sweepStaleBuilds();
  // Its own file, so that a concurrent `npm start` / `npm run package` does not swap it mid-install.
  const vsixPath = await buildAndPackage({ out: join(testBuildDir, `switchboard-ui-${process.pid}.vsix`) });
  const workspace = mkdtempSync(join(tmpdir(), 'switchboard-ui-root-'));
  const removeWorkspace = removeAtExit(workspace);
  const removeVsix = removeAtExit(vsixPath);
  const server = await startCodeServer({ vsixPath, workspace });
  log(`code-server ${server.url} up with ${relative(repoRoot, vsixPath)} at ${elapsed()}; ${files.length} file(s)`);

  /** @type {import('node:child_process').ChildProcess | undefined} */
  let child;
  // SIGTERM first: Playwright in the test files then closes its browser and the harness removes their
  // temporary folders; SIGKILL whatever is left a few seconds later.
  const killChild = async () => {
    const pid = child?.pid;
    if (!pid) return;
    const signalGroup = (sig) => {
      try {
        process.kill(-pid, sig);
        return true;
      } catch {
        return false;
      }
    };
    if (!signalGroup('SIGTERM')) return;
    for (let i = 0; i < 25 && signalGroup(0); i++) await new Promise((r) => setTimeout(r, 200));
    signalGroup('SIGKILL');
  };
  // Ctrl-C: the test files run in their own process group; stop them, then the server.
  for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
    process.on(signal, async () => {
      log(`${signal}: stopping`);
      await killChild();
      await server.stop();
      process.exit(130); // the exit handlers remove the workspace and the .vsix
    });
  }
  const hardTimer = setTimeout(() => {
    log(`TIMEOUT after ${overallMs / 1000} s`);
    void killChild();
  }, overallMs);
  hardTimer.unref();

  let code = 1;
  try {
    const args = [
      '--test',
      '--test-reporter=spec',
      '--test-concurrency=1',
      `--test-timeout=${Number(process.env.SWITCHBOARD_UI_TEST_TIMEOUT_MS ?? 180_000)}`,
      ...files.map((f) => relative(repoRoot, f)),
    ];
    // `node --test` on .ts files needs Node >= 23.6 (type stripping); fall back to the harness's Node 24.
    const major = Number(process.versions.node.split('.')[0]);
    const nodeBin = major >= 24 ? process.execPath : codeServerPaths().node;
    child = spawn(nodeBin, args, {
      cwd: repoRoot,
      stdio: 'inherit',
      detached: true, // own process group: the hard timeout can kill the test files and their browsers
      env: { ...process.env, [UI_SERVER_ENV]: describeServerForEnv(server), SWITCHBOARD_VSIX: vsixPath },
    });
    const c = child;
    code = await new Promise((resolve) => {
      c.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 128 + 9 : 1)));
      c.on('error', (e) => (log(`ERROR: ${e.message}`), resolve(1)));
    });
  } finally {
    clearTimeout(hardTimer);
    if (code !== 0) log(`code-server log (tail):\n${server.recentOutput().slice(-3000)}`);
    await server.stop();
    removeWorkspace();
    removeVsix();
  }
  log(`${code === 0 ? 'passed' : `FAILED (exit ${code})`} in ${elapsed()}`);
  return code;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`[ui] ERROR: ${e?.stack ?? e}\n`);
    process.exit(1);
  },
);
