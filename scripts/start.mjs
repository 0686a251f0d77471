#!/usr/bin/env node
// `npm start`: build Switchboard, package it as a .vsix, and put it in front of you.
//  - With a `code` command on PATH (desktop VS Code): installs the .vsix there.
//  - Otherwise: starts a local VS Code in the browser (code-server, installed once into
//    ~/.cache/switchboard-harness) with the .vsix installed and your provider keys in its environment,
//    prints the URL and runs until Ctrl-C.
// Env: PORT                   port for code-server (default: a free one), bound to 127.0.0.1 only
//      SWITCHBOARD_WORKSPACE  folder to open (default: where `npm start` was run)
//      SWITCHBOARD_NO_CODE=1  ignore a `code` on PATH and use code-server anyway
//      OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY, OPENROUTER_API_KEY, MISTRAL_API_KEY, GROQ_API_KEY,
//      DEEPSEEK_API_KEY, XAI_API_KEY  passed through to the extension (Switchboard: Import API Keys from Environment)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { buildAndPackage } from './vscode/package.mjs';
import { cacheRoot, ensureCodeServer } from './vscode/setup.mjs';
import { startCodeServer } from './vscode/harness.mjs';

const PROVIDER_KEYS = [
  'OPENAI_API_KEY',
  'ANTHROPIC_API_KEY',
  'GEMINI_API_KEY',
  'OPENROUTER_API_KEY',
  'MISTRAL_API_KEY',
  'GROQ_API_KEY',
  'DEEPSEEK_API_KEY',
  'XAI_API_KEY',
];

const say = (msg) => process.stdout.write(`${msg}\n`);

function findOnPath(bin) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, bin);
    if (existsSync(p)) return p;
  }
  return undefined;
}

async function main() {
  const vsix = await buildAndPackage({ production: true });
  say(`Packaged ${vsix}`);

  const code = process.env.SWITCHBOARD_NO_CODE ? undefined : findOnPath('code');
  if (code) {
    say(`Installing it into VS Code (${code})…`);
    const r = spawnSync(code, ['--install-extension', vsix, '--force'], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`${code} --install-extension failed (exit ${r.status ?? r.signal})`);
    say('Installed into your VS Code. Reload its window (Developer: Reload Window) to use the new build.');
    return 0;
  }

  say('No `code` command on PATH: starting VS Code in the browser (code-server) instead.');
  await ensureCodeServer({ browser: false });
  const env = /** @type {Record<string, string>} */ ({});
  const passed = [];
  for (const k of PROVIDER_KEYS) {
    if (process.env[k]) {
      env[k] = /** @type {string} */ (process.env[k]);
      passed.push(k);
    }
  }
  const workspace = resolve(process.env.SWITCHBOARD_WORKSPACE || process.env.INIT_CWD || process.cwd());
  const port = process.env.PORT ? Number(process.env.PORT) : undefined;
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new Error(`PORT is not a port: ${process.env.PORT}`);
  // A persistent profile (settings, state, extensions) under the harness cache, so it survives restarts.
  const server = await startCodeServer({
    host: '127.0.0.1',
    port,
    workspace,
    vsixPath: vsix,
    env,
    browser: false,
    dataDir: join(cacheRoot(), 'start-profile'),
  });

  say('');
  say(`  Switchboard is running in VS Code at  ${server.workbenchUrl()}`);
  say(`  workspace: ${workspace}`);
  say(`  provider keys passed through: ${passed.length ? passed.join(', ') : 'none (set e.g. OPENAI_API_KEY before npm start)'}`);
  say(`  log: ${server.logFile}`);
  say('  Press Ctrl-C to stop.');
  say('');

  let stopping = false;
  const stop = async (signal) => {
    if (stopping) return;
    stopping = true;
    say(`\n${signal}: stopping code-server…`);
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGHUP', () => void stop('SIGHUP'));
  const { code: exitCode, signal } = await server.exited;
  if (!stopping) {
    process.stderr.write(`code-server stopped by itself (${signal ?? exitCode}). Last output:\n${server.recentOutput()}\n`);
    await server.stop();
    return 1;
  }
  return new Promise(() => {}); // stop() exits
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`npm start: ${e?.message ?? e}\n`);
    process.exit(1);
  },
);
