#!/usr/bin/env node
// Installs the pinned code-server (= real VS Code, server + web workbench) into a cache folder outside
// the repo, idempotently and safely against concurrent runs.
//
//   node scripts/vscode/setup.mjs            # install if needed, print the paths
//   node scripts/vscode/setup.mjs --force    # reinstall
//
// Layout: ${SWITCHBOARD_HARNESS_CACHE:-${XDG_CACHE_HOME:-~/.cache}/switchboard-harness}/code-server-<ver>/
//   node/package.json                 depends on node@24 (npm 11 allowScripts approval for it)
//   node/node_modules/.bin/node       Node 24 that runs code-server and its npm postinstall
//   server/package.json               depends on code-server (allowScripts for code-server, argon2)
//   server/node_modules/code-server/  the server
//   .installed                        stamp (JSON), written last
// Node and code-server live in separate npm projects so that installing one never re-runs the other's
// install scripts concurrently (the node package's postinstall rewrites the headers node-gyp reads).
//   .lock                            O_EXCL lock file while an install is running
//
// System prerequisites (Debian 12): python3, make, g++ (present), and the apt packages
// `libkrb5-dev` (code-server's `kerberos` native module compiles against it) and `chromium` (the
// browser the tests drive). This script fails with a message naming whichever is missing.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, rmSync, writeFileSync, writeSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve, delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.139.1';
export const NODE_VERSION = '24.21.0';
export const CHROMIUM_PATH = process.env.SWITCHBOARD_CHROMIUM || '/usr/bin/chromium';

/** Packages in code-server's tree whose install scripts must run (npm 11 install-script approvals). */
const NODE_ALLOW_SCRIPTS = { node: true };
const SERVER_ALLOW_SCRIPTS = { 'code-server': true, argon2: true };

const log = (msg) => process.stderr.write(`[vscode-setup] ${msg}\n`);

export function cacheRoot() {
  if (process.env.SWITCHBOARD_HARNESS_CACHE) return resolve(process.env.SWITCHBOARD_HARNESS_CACHE);
  const xdg = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(xdg, 'switchboard-harness');
}

export function installDir() {
  return join(cacheRoot(), `code-server-${CODE_SERVER_VERSION}`);
}

/** Paths of an installed code-server (does not install). */
export function codeServerPaths(dir = installDir()) {
  return {
    dir,
    nodeDir: join(dir, 'node'),
    serverDir: join(dir, 'server'),
    node: join(dir, 'node', 'node_modules', '.bin', 'node'),
    nodeBinDir: join(dir, 'node', 'node_modules', '.bin'),
    nodeHeaders: join(dir, 'node', 'node_modules', 'node', 'node_modules', `node-${process.platform}-${process.arch}`),
    entry: join(dir, 'server', 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    stamp: join(dir, '.installed'),
  };
}

/** Throws an Error naming the missing apt packages. */
export function checkSystemPrerequisites({ browser = true, build = true } = {}) {
  const missing = [];
  const onPath = (bin) => (process.env.PATH || '').split(delimiter).some((d) => d && existsSync(join(d, bin)));
  if (build) {
    // libkrb5-dev ships krb5-config and gssapi headers; kerberos' node-gyp build needs both.
    if (!existsSync('/usr/bin/krb5-config') && !existsSync('/usr/include/gssapi/gssapi.h')) missing.push('libkrb5-dev');
    if (!onPath('python3')) missing.push('python3');
    if (!onPath('make')) missing.push('make');
    if (!onPath('g++')) missing.push('g++');
  }
  if (browser && !existsSync(CHROMIUM_PATH)) missing.push('chromium');
  if (missing.length) {
    throw new Error(
      `Missing system packages for the VS Code test harness: ${missing.join(', ')}.\n` +
        `Install them with:  apt-get update && apt-get install -y ${missing.join(' ')}`,
    );
  }
}

function isInstalled(paths) {
  if (!existsSync(paths.stamp) || !existsSync(paths.entry) || !existsSync(paths.node)) return false;
  try {
    const s = JSON.parse(readFileSync(paths.stamp, 'utf8'));
    return s.codeServer === CODE_SERVER_VERSION && s.node === NODE_VERSION;
  } catch {
    return false;
  }
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/** O_EXCL lock file holding our pid; a lock left by a dead process is taken over. */
async function withLock(lockPath, fn, { timeoutMs = 20 * 60_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    let fd;
    try {
      fd = openSync(lockPath, 'wx');
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      let holder = NaN;
      try {
        holder = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
      } catch {}
      let age = 0;
      try {
        age = Date.now() - statSync(lockPath).mtimeMs;
      } catch {}
      // Dead holder, or an unreadable lock older than a few seconds (crashed between open and write).
      if ((Number.isInteger(holder) && !pidAlive(holder)) || (!Number.isInteger(holder) && age > 5000)) {
        log(`removing stale lock ${lockPath} (pid ${holder})`);
        rmSync(lockPath, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`Timed out waiting for lock ${lockPath} held by pid ${holder}`);
      if (!announced) {
        log(`another install is running (pid ${holder}); waiting for it…`);
        announced = true;
      }
      await new Promise((r) => setTimeout(r, 1000));
      continue;
    }
    try {
      writeSync(fd, String(process.pid));
    } finally {
      closeSync(fd);
    }
    const release = () => rmSync(lockPath, { force: true });
    const onSignal = (sig) => {
      release();
      process.kill(process.pid, sig);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      return await fn();
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      release();
    }
  }
}

function run(cmd, args, { cwd, env, label }) {
  return new Promise((resolvePromise, reject) => {
    const started = Date.now();
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (chunk) => {
      tail = (tail + chunk.toString()).slice(-20_000);
    };
    const verbose = !!process.env.SWITCHBOARD_HARNESS_VERBOSE;
    child.stdout.on('data', (c) => (keep(c), verbose && process.stderr.write(c)));
    child.stderr.on('data', (c) => (keep(c), verbose && process.stderr.write(c)));
    const ticker = setInterval(() => log(`  …${label} still running (${Math.round((Date.now() - started) / 1000)} s)`), 30_000);
    child.on('error', (e) => {
      clearInterval(ticker);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearInterval(ticker);
      if (code === 0) return resolvePromise(tail);
      const hint = /krb5|gssapi/i.test(tail) ? '\nHint: the kerberos module needs the apt package libkrb5-dev.' : '';
      reject(new Error(`${label} failed (${signal ?? `exit ${code}`}). Last output:\n${tail.slice(-6000)}${hint}`));
    });
  });
}

function npmEnv(extraPath) {
  const env = { ...process.env };
  // Lifecycle variables from an outer `npm run` would confuse the nested installs.
  for (const k of Object.keys(env)) if (/^npm_(package|lifecycle|config_(prefix|global|local_prefix))/i.test(k)) delete env[k];
  delete env.INIT_CWD;
  env.PATH = extraPath ? `${extraPath}${delimiter}${env.PATH ?? ''}` : env.PATH;
  env.npm_config_fund = 'false';
  env.npm_config_audit = 'false';
  env.npm_config_update_notifier = 'false';
  env.npm_config_progress = 'false';
  return env;
}

function writePackageJson(dir, deps, allowScripts) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify(
      {
        name: 'switchboard-vscode-harness',
        private: true,
        description: 'Cache of the code-server used by the Switchboard test harness (generated; safe to delete).',
        dependencies: deps,
        allowScripts,
      },
      null,
      2,
    ) + '\n',
  );
}

/**
 * Makes sure code-server is installed; returns its paths. Idempotent; concurrent callers wait on a lock.
 * @param {{force?: boolean, browser?: boolean}} [opts]
 */
export async function ensureCodeServer({ force = false, browser = true } = {}) {
  const dir = installDir();
  const paths = codeServerPaths(dir);
  if (!force && isInstalled(paths)) {
    if (browser) checkSystemPrerequisites({ browser: true, build: false });
    return paths;
  }
  checkSystemPrerequisites({ browser, build: true });
  mkdirSync(dir, { recursive: true });
  return withLock(join(dir, '.lock'), async () => {
    if (!force && isInstalled(paths)) return paths; // someone else finished while we waited
    const started = Date.now();
    rmSync(paths.stamp, { force: true });
    log(`installing code-server@${CODE_SERVER_VERSION} into ${dir} (cold install takes a few minutes)…`);

    // Phase 1: Node 24 from the npm registry (code-server's postinstall demands Node 24 and compiles
    // native modules against its ABI).
    if (!existsSync(paths.node) || !existsSync(join(paths.nodeHeaders, 'include', 'node', 'node.h'))) {
      log(`  [1/2] node@${NODE_VERSION}…`);
      writePackageJson(paths.nodeDir, { node: NODE_VERSION }, NODE_ALLOW_SCRIPTS);
      await run('npm', ['install'], { cwd: paths.nodeDir, env: npmEnv(), label: 'npm install node' });
    }
    const nodeVersion = (await run(paths.node, ['-p', 'process.version'], { cwd: dir, env: process.env, label: 'node --version' })).trim();
    if (nodeVersion !== `v${NODE_VERSION}`) throw new Error(`Expected node v${NODE_VERSION} in ${paths.node}, got ${nodeVersion}`);

    // Phase 2: code-server, with npm itself running under Node 24 (its postinstall reads the Node version
    // from npm's user agent) and node-gyp pointed at Node 24's headers (~/.npmrc may say nodedir=/usr).
    log(`  [2/2] code-server@${CODE_SERVER_VERSION} (downloads ~100 MB, compiles native modules)…`);
    writePackageJson(paths.serverDir, { 'code-server': CODE_SERVER_VERSION }, SERVER_ALLOW_SCRIPTS);
    const env = npmEnv(paths.nodeBinDir);
    env.npm_config_nodedir = paths.nodeHeaders;
    env.JOBS = env.JOBS || 'max'; // node-gyp: compile with all cores
    await run('npm', ['install'], { cwd: paths.serverDir, env, label: 'npm install code-server' });

    if (!existsSync(paths.entry)) throw new Error(`code-server entry point missing after install: ${paths.entry}`);
    // A throwaway HOME so that `--version` does not write ~/.config/code-server/config.yaml.
    const scratch = join(dir, '.scratch-home');
    mkdirSync(scratch, { recursive: true });
    let version;
    try {
      const out = await run(paths.node, [paths.entry, '--version'], {
        cwd: dir,
        env: { ...process.env, HOME: scratch, XDG_CONFIG_HOME: join(scratch, '.config'), XDG_DATA_HOME: join(scratch, '.local') },
        label: 'code-server --version',
      });
      version = out.trim().split('\n').pop() ?? '';
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
    if (!version.startsWith(CODE_SERVER_VERSION)) throw new Error(`Unexpected code-server version: ${version}`);
    const seconds = Math.round((Date.now() - started) / 1000);
    writeFileSync(
      paths.stamp,
      JSON.stringify({ codeServer: CODE_SERVER_VERSION, node: NODE_VERSION, installedAt: new Date().toISOString(), seconds }, null, 2) + '\n',
    );
    log(`code-server ${version.split(/\s+/)[0]} installed in ${seconds} s`);
    return paths;
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const force = process.argv.includes('--force');
  const browser = !process.argv.includes('--no-browser');
  ensureCodeServer({ force, browser }).then(
    (p) => {
      log(`ready: ${p.entry}`);
      log(`node:  ${p.node}`);
    },
    (e) => {
      process.stderr.write(`[vscode-setup] ERROR: ${e.message}\n`);
      process.exit(1);
    },
  );
}
