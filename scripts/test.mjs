#!/usr/bin/env node
// `npm test`: typecheck, lint (eslint.config.mjs: layers and floating promises), format (prettier --check), build, unit tests (no VS Code), integration tests inside a real VS Code
// extension host, the reliability evidence (test/evidence: SSE and message fuzzing, soak, attacks,
// budget concurrency; `npm run evidence` writes docs from the same tests), and UI tests driving a real
// VS Code through Playwright. Ends with one line "tests: N passed, N failed" over every suite.
//
//   SWITCHBOARD_TEST_SUITES=unit,integration,evidence,ui   choose suites (default: all)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const suites = (process.env.SWITCHBOARD_TEST_SUITES || 'unit,integration,evidence,ui').split(',').map((s) => s.trim());
const node = process.execPath;
const totals = { passed: 0, failed: 0 };
const results = [];

function ensureSystemPackages() {
  const missing = [];
  // The TLS tests (unit: proxy, fault matrix) make self-signed certificates with openssl.
  if ((suites.includes('unit') || suites.includes('evidence')) && spawnSync('openssl', ['version']).status !== 0) missing.push('openssl');
  if (suites.includes('integration') || suites.includes('ui') || suites.includes('evidence')) {
    if (!existsSync(process.env.SWITCHBOARD_CHROMIUM || '/usr/bin/chromium')) missing.push('chromium');
    if (!existsSync('/usr/bin/krb5-config') && !existsSync('/usr/include/gssapi/gssapi.h')) missing.push('libkrb5-dev');
  }
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    console.error(
      `The tests need Debian packages: ${missing.join(' ')}. Install them with: sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}`,
    );
    process.exit(1);
  }
  console.log(`[test] installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', ...missing]]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) {
      console.error(`[test] apt-get ${args.join(' ')} failed (exit ${r.status})`);
      process.exit(1);
    }
  }
}

/** Run a step, echo its output, and count node:test ("ℹ pass N") or mocha ("N passing") results. */
function run(name, args, { count = true } = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    console.log(`\n[test] ── ${name} ──`);
    const child = spawn(args[0], args.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let out = '';
    const tee = (stream, target) =>
      stream.on('data', (d) => {
        out += d;
        target.write(d);
      });
    tee(child.stdout, process.stdout);
    tee(child.stderr, process.stderr);
    child.on('close', (code) => {
      let passed = 0;
      let failed = 0;
      if (count) {
        for (const m of out.matchAll(/^ℹ pass (\d+)$/gm)) passed += Number(m[1]);
        for (const m of out.matchAll(/^ℹ fail (\d+)$/gm)) failed += Number(m[1]);
        for (const m of out.matchAll(/^\s*(\d+) passing\b/gm)) passed += Number(m[1]);
        for (const m of out.matchAll(/^\s*(\d+) failing\b/gm)) failed += Number(m[1]);
        if (code !== 0 && failed === 0) failed = 1; // a crash or a setup failure counts as a failure
      }
      totals.passed += passed;
      totals.failed += failed;
      results.push({ name, code, passed, failed, failures: failureLines(out), seconds: ((Date.now() - started) / 1000).toFixed(1) });
      resolve(code);
    });
  });
}

/**
 * The failed tests of one step, a line each ("file › test: first line of the error"), from node:test's spec
 * reporter ("✖ failing tests:" section) or mocha's ("N failing" section). The summary repeats them last, so
 * that they survive when only the tail of a long log (code-server's, say) is kept.
 */
function failureLines(out) {
  const text = out.replace(/\x1b\[[0-9;]*m/g, '');
  const lines = text.split('\n');
  const found = [];
  const section = lines.findIndex((l) => /^✖ failing tests:/.test(l.trim()));
  if (section >= 0) {
    for (let i = section + 1; i < lines.length; i++) {
      const at = /^test at (.+?):\d+:\d+$/.exec(lines[i].trim());
      if (!at) continue;
      const name = lines[i + 1]
        ?.trim()
        .replace(/^✖ /, '')
        .replace(/ \([\d.]+m?s\)$/, '');
      const error =
        lines
          .slice(i + 2)
          .find((l) => l.trim() !== '')
          ?.trim() ?? '';
      found.push(`${at[1]} › ${name}: ${error}`);
    }
  }
  const mocha = lines.findIndex((l) => /^\s*\d+ failing\b/.test(l));
  if (mocha >= 0) {
    for (let i = mocha + 1; i < lines.length; i++) {
      const m = /^\s+\d+\) (.+)$/.exec(lines[i]);
      if (!m) continue;
      const name = [m[1].replace(/:$/, '')];
      let j = i + 1;
      for (; j < lines.length && lines[j].trim() !== '' && !/^\s*(\w*Error|AssertionError)\b/.test(lines[j]); j++) name.push(lines[j].trim().replace(/:$/, ''));
      found.push(`${name.join(' › ')}: ${lines[j]?.trim() ?? ''}`);
      i = j;
    }
  }
  return found.map((l) => (l.length > 220 ? `${l.slice(0, 219)}…` : l));
}

ensureSystemPackages();
let ok = (await run('typecheck', [node, 'node_modules/typescript/bin/tsc', '-p', '.', '--noEmit'], { count: false })) === 0;
ok = (await run('lint (layers, floating promises)', [node, 'node_modules/eslint/bin/eslint.js', 'src'], { count: false })) === 0 && ok;
ok =
  (await run('format (prettier --check)', [node, 'node_modules/prettier/bin/prettier.cjs', '--check', '.', '--log-level', 'warn'], { count: false })) === 0 &&
  ok;
ok = (await run('build', [node, 'esbuild.mjs'], { count: false })) === 0 && ok;
if (!ok) {
  console.error('\n[test] typecheck, lint, format or build failed (npm run format fixes the format)');
  console.log(`tests: ${totals.passed} passed, ${Math.max(1, totals.failed)} failed`);
  process.exit(1);
}
if (suites.includes('unit'))
  await run('unit', [node, '--test', '--test-reporter=spec', '--test-concurrency=2', 'test/unit/*.test.ts', 'test/evidence/fault-matrix.test.ts']);
if (suites.includes('integration')) await run('integration (real VS Code extension host)', [node, 'scripts/vscode/run-integration.mjs']);
if (suites.includes('evidence')) {
  // One file at a time: the soak and the attacks measure memory and time. (The fault matrix runs with the unit tests.)
  const evidence = readdirSync('test/evidence')
    .filter((f) => f.endsWith('.test.ts') && f !== 'fault-matrix.test.ts')
    .map((f) => `test/evidence/${f}`);
  await run('evidence (fuzzing, soak, attacks, budgets)', [node, '--test', '--test-reporter=spec', '--test-concurrency=1', ...evidence]);
}
if (suites.includes('ui')) await run('ui (Playwright + real VS Code)', [node, 'scripts/vscode/run-ui.mjs']);

console.log('\n[test] summary');
for (const r of results) console.log(`  ${r.code === 0 ? 'ok  ' : 'FAIL'} ${r.name}: ${r.passed} passed, ${r.failed} failed (${r.seconds} s)`);
for (const r of results) for (const line of r.failures) console.log(`  ✖ ${line}`);
const failedSteps = results.filter((r) => r.code !== 0).length;
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed`);
process.exit(failedSteps > 0 || totals.failed > 0 ? 1 : 0);
