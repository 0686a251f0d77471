#!/usr/bin/env node
// Integration tests INSIDE a real VS Code extension host (code-server 4.139.1 = VS Code 1.139.1):
// builds the extension and the mocha bundle, starts one code-server with the smoke-test driver, opens the
// workbench in headless Chromium with the test payload (extensionDevelopmentPath = this repo,
// extensionTestsPath = dist-test/integration/index.js), streams mocha's output and exits with its code.
//
//   npm run test:integration [-- --grep <regexp>] [-- --file <substring>]
// Env: SWITCHBOARD_TEST_TIMEOUT_S  overall limit in seconds (default 900)
//      SWITCHBOARD_TEST_IDLE_TIMEOUT_S  abort after this long without a reporter line (default 120)
//      SWITCHBOARD_TEST_TIMEOUT  mocha's per-test timeout in ms (default 20000)
//      SWITCHBOARD_HARNESS_VERBOSE=1  server and browser logs on stderr;  SWITCHBOARD_HARNESS_KEEP=1 keep dirs
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { format, inspect } from 'node:util';
import { buildIntegrationTests, defaultIntegrationOutDir, findFiles } from './build-tests.mjs';
import { launchBrowser, LM_FIXTURE, removeAtExit, repoRoot, screenshot, startCodeServer } from './harness.mjs';
import { buildExtension, packageTestExtension } from './package.mjs';
import { ensureCodeServer } from './setup.mjs';

const argv = process.argv.slice(2);
const argValue = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
// Two watchdogs: the whole run, and silence (no reporter line, e.g. a hung extension host: mocha's own
// per-test timeout, 20 s by default, catches a hung test long before).
const overallMs = Number(process.env.SWITCHBOARD_TEST_TIMEOUT_S ?? 900) * 1000;
const idleMs = Number(process.env.SWITCHBOARD_TEST_IDLE_TIMEOUT_S ?? 120) * 1000;
const log = (msg) => process.stderr.write(`[integration] ${msg}\n`);

const OUTPUT_MARK = '\u2063sb\u2063'; // see test/integration/index.ts
let finished = false;

/** Turns the arguments of a console call forwarded by codeAutomationLog into text. */
function formatLogArgs(args) {
  const list = Array.isArray(args) ? args : [args];
  return typeof list[0] === 'string' ? format(...list) : list.map((a) => inspect(a)).join(' ');
}

/**
 * Test files named *.untrusted.test.ts run in a second pass: a code-server with workspace trust ON, whose
 * test folder nobody trusted (Restricted Mode). The others run with trust off (every folder trusted).
 */
const UNTRUSTED = /\.untrusted\.test\.ts$/;

async function main() {
  await ensureCodeServer();
  await buildExtension();
  const filter = argValue('--file');
  const passes = [
    { untrusted: false, select: (/** @type {string} */ f) => !UNTRUSTED.test(f) },
    { untrusted: true, select: (/** @type {string} */ f) => UNTRUSTED.test(f) },
  ].filter((p) =>
    findFiles(join(repoRoot, 'test', 'integration'), /\.test\.ts$/).some(
      (f) => p.select(relative(repoRoot, f)) && (!filter || relative(repoRoot, f).includes(filter)),
    ),
  );
  if (!passes.length) throw new Error(`no integration tests found under test/integration${filter ? ` matching "${filter}"` : ''}`);
  let code = 0;
  for (const p of passes) {
    const c = await runPass(p.untrusted, p.select, filter);
    if (c !== 0 && code === 0) code = c;
  }
  return code;
}

/** One code-server, one mocha run of the selected files. */
async function runPass(untrusted, select, filter) {
  const t0 = Date.now();
  const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
  finished = false;
  const { bundle, outDir, files } = await buildIntegrationTests({ filter, select, outDir: `${defaultIntegrationOutDir()}${untrusted ? '-untrusted' : ''}` });
  if (untrusted) log('Restricted Mode pass: workspace trust on, the test folder untrusted');

  const workspace = mkdtempSync(join(tmpdir(), 'switchboard-it-ws-'));
  const removeWorkspace = removeAtExit(workspace);
  const removeBuild = process.env.SWITCHBOARD_HARNESS_KEEP ? () => {} : removeAtExit(outDir);
  writeFileSync(join(workspace, 'README.md'), '# Switchboard integration test workspace\n');
  mkdirSync(join(workspace, '.vscode'), { recursive: true });

  /** @type {Awaited<ReturnType<typeof startCodeServer>> | undefined} */
  let server;
  /** @type {Awaited<ReturnType<typeof launchBrowser>> | undefined} */
  let browser;
  let exitCode = 1;
  /** @type {() => string} */
  let summary = () => '';
  const cleanup = async () => {
    await browser?.close().catch(() => {});
    await server?.stop().catch(() => {});
    removeWorkspace();
    removeBuild();
  };
  let lastActivity = Date.now();
  const abort = async (why) => {
    clearInterval(idleTimer);
    clearTimeout(hardTimer);
    log(`TIMEOUT: ${why}`);
    if (browser)
      await screenshot(browser.page, 'integration-timeout')
        .then((p) => log(`screenshot: ${p}`))
        .catch(() => {});
    if (server) log(`code-server output (tail):\n${server.recentOutput()}`);
    await cleanup();
    process.exit(124);
  };
  const hardTimer = setTimeout(() => abort(`no result after ${overallMs / 1000} s`), overallMs);
  const idleTimer = setInterval(() => {
    if (Date.now() - lastActivity > idleMs) void abort(`no test output for ${idleMs / 1000} s`);
  }, 2000);
  hardTimer.unref();
  idleTimer.unref();

  try {
    // VS Code's chat on: with AI features off, vscode.lm.selectChatModels finds no models and the
    // language-model provider tests (test/integration/lmProvider.test.ts) could not run.
    // Next to Switchboard, a test extension with language models of its own (test/fixtures/lm-provider-extension),
    // installed packaged: Switchboard's vscode/… provider is tested against it.
    const fixture = await packageTestExtension(LM_FIXTURE, join(outDir, 'sbtest-lm-provider.vsix'));
    server = await startCodeServer({
      workspace,
      smokeDriver: true,
      workspaceTrust: untrusted,
      vsixPath: fixture,
      settings: { 'chat.disableAIFeatures': false },
    });
    log(`code-server ${server.url} up at ${elapsed()}; running ${files.length} file(s)`);
    browser = await launchBrowser();
    const { page } = browser;

    /** @type {(code: number) => void} */
    let onExit = () => {};
    const exitPromise = new Promise((resolve) => (onExit = resolve));
    const verbose = !!process.env.SWITCHBOARD_HARNESS_VERBOSE;
    let reporterStarted = false;
    const counts = { passing: 0, failing: 0, pending: 0 };
    summary = () => `integration: ${counts.passing} passed, ${counts.failing} failed${counts.pending ? `, ${counts.pending} skipped` : ''}`;
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const text = formatLogArgs(args);
      const parts = text.split(OUTPUT_MARK);
      if (parts.length > 1) {
        // mocha's reporter
        reporterStarted = true;
        lastActivity = Date.now();
        const line = parts.join('');
        process.stdout.write(line + '\n');
        const m = /^\s*(\d+) (passing|failing|pending)\b/.exec(line.replace(/\x1b\[[0-9;]*m/g, ''));
        if (m) counts[/** @type {'passing'|'failing'|'pending'} */ (m[2])] = Number(m[1]);
      } else if (verbose) {
        process.stderr.write(`[workbench ${type}] ${text}\n`);
      } else if (reporterStarted && !finished) {
        // While tests run: console output of the tests and the extension (plus a little workbench chatter).
        process.stderr.write(`  [console.${type}] ${text}\n`);
      }
    });
    await page.exposeFunction('codeAutomationExit', (code, logs) => {
      finished = true;
      if (Array.isArray(logs) && process.env.SWITCHBOARD_HARNESS_VERBOSE)
        for (const l of logs) log(`[workbench log] ${typeof l === 'string' ? l : JSON.stringify(l)}`);
      onExit(Number(code));
    });
    page.on('pageerror', (e) => log(`[page error] ${e.message}`));
    page.on('crash', () => onExit(70));

    const env = {
      SWITCHBOARD_TEST: '1',
      SWITCHBOARD_TEST_MARK_OUTPUT: '1',
      SWITCHBOARD_TEST_COLOR: process.stdout.isTTY ? '1' : '0',
      ...(argValue('--grep') ? { SWITCHBOARD_TEST_GREP: argValue('--grep') } : {}),
      ...(process.env.SWITCHBOARD_TEST_TIMEOUT ? { SWITCHBOARD_TEST_TIMEOUT: process.env.SWITCHBOARD_TEST_TIMEOUT } : {}),
    };
    lastActivity = Date.now();
    await page.goto(server.workbenchUrl({ extensionDevelopmentPath: repoRoot, extensionTestsPath: bundle, extensionEnvironment: env }), {
      waitUntil: 'domcontentloaded',
      timeout: 120_000,
    });
    // code-server may stop by itself once the test extension host is gone; give the result a moment to
    // arrive before calling that a failure.
    const serverDied = server.exited.then(async ({ code, signal }) => {
      await new Promise((r) => setTimeout(r, 5000));
      if (!finished) log(`code-server exited before the tests reported a result (${signal ?? code}):\n${server?.recentOutput()}`);
      return 71;
    });
    exitCode = await Promise.race([exitPromise, serverDied]);
    finished = true;
    if (exitCode !== 0)
      await screenshot(page, 'integration-failure')
        .then((p) => log(`screenshot: ${p}`))
        .catch(() => {});
  } catch (e) {
    log(`ERROR: ${/** @type {Error} */ (e).stack ?? e}`);
    exitCode = 1;
  } finally {
    clearTimeout(hardTimer);
    clearInterval(idleTimer);
    await cleanup();
  }
  // The plain closing line CI reads ("N passed, N failed").
  if (finished && summary()) process.stdout.write(`${summary()}\n`);
  log(`${finished ? (exitCode === 0 ? 'passed' : `FAILED (exit ${exitCode})`) : 'did not finish'} in ${elapsed()}`);
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`[integration] ERROR: ${e?.stack ?? e}\n`);
    process.exit(1);
  },
);
