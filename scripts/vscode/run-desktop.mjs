#!/usr/bin/env node
// The same integration suite (test/integration) against DESKTOP VS Code through @vscode/test-electron.
//
//   npm run test:desktop
// Env: VSCODE_EXECUTABLE      use this VS Code binary instead of downloading one
//      VSCODE_VERSION         version to download (default 1.139.1, the version code-server 4.139.1 embeds)
//      SWITCHBOARD_TEST_TIMEOUT_S  overall limit in seconds (default 600, download included)
//
// Desktop VS Code is downloaded from Microsoft's update servers into .vscode-test/. Machines without that
// network (like the project's CI) cannot run this: use `npm run test:integration` (code-server) there.
// Needs a display: without $DISPLAY this re-runs itself under `xvfb-run -a` (Debian package xvfb).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIntegrationTests, removeIntegrationBuild } from './build-tests.mjs';
import { DEFAULT_SETTINGS, TEST_ONLY_SETTINGS, repoRoot } from './harness.mjs';
import { buildExtension } from './package.mjs';

const log = (msg) => process.stderr.write(`[desktop] ${msg}\n`);
const version = process.env.VSCODE_VERSION || '1.139.1';
const overallMs = Number(process.env.SWITCHBOARD_TEST_TIMEOUT_S ?? 600) * 1000;

function onPath(bin) {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
}

async function main() {
  const { downloadAndUnzipVSCode, runTests } = await import('@vscode/test-electron');
  let executable = process.env.VSCODE_EXECUTABLE;
  if (executable) {
    if (!existsSync(executable)) throw new Error(`VSCODE_EXECUTABLE does not exist: ${executable}`);
  } else {
    log(`downloading VS Code ${version} into .vscode-test/ (needs access to Microsoft's update servers)…`);
    try {
      executable = await downloadAndUnzipVSCode({ version, cachePath: join(repoRoot, '.vscode-test'), timeout: 30_000 });
    } catch (e) {
      throw new Error(
        `Could not download desktop VS Code ${version}: ${/** @type {Error} */ (e).message}\n` +
          'This machine cannot reach the VS Code download servers. Point VSCODE_EXECUTABLE at an installed ' +
          'VS Code, or run the same suite in code-server with `npm run test:integration`.',
      );
    }
  }

  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    if (process.env.SWITCHBOARD_UNDER_XVFB) throw new Error('xvfb-run did not provide a DISPLAY');
    if (!onPath('xvfb-run'))
      throw new Error('Desktop VS Code needs a display: set DISPLAY, or install Xvfb (apt-get install -y xvfb) so this can use xvfb-run.');
    log('no DISPLAY: re-running under xvfb-run -a');
    const r = spawnSync('xvfb-run', ['-a', process.execPath, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
      stdio: 'inherit',
      env: { ...process.env, SWITCHBOARD_UNDER_XVFB: '1', VSCODE_EXECUTABLE: executable },
    });
    return r.status ?? 1;
  }

  await buildExtension();
  const { bundle, outDir } = await buildIntegrationTests();

  const root = mkdtempSync(join(tmpdir(), 'switchboard-desktop-'));
  const userData = join(root, 'user-data');
  const workspace = join(root, 'workspace');
  mkdirSync(join(userData, 'User'), { recursive: true });
  mkdirSync(workspace, { recursive: true });
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify({ ...DEFAULT_SETTINGS, ...TEST_ONLY_SETTINGS }, null, 2) + '\n');
  writeFileSync(join(workspace, 'README.md'), '# Switchboard integration test workspace\n');
  try {
    return await runTests({
      vscodeExecutablePath: executable,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: bundle,
      extensionTestsEnv: {
        SWITCHBOARD_TEST: '1',
        ...(process.env.SWITCHBOARD_TEST_TIMEOUT ? { SWITCHBOARD_TEST_TIMEOUT: process.env.SWITCHBOARD_TEST_TIMEOUT } : {}),
      },
      launchArgs: [
        workspace,
        '--user-data-dir',
        userData,
        '--extensions-dir',
        join(root, 'extensions'),
        '--disable-extensions',
        '--disable-gpu',
        '--disable-chromium-sandbox',
      ],
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
    removeIntegrationBuild(outDir);
  }
}

const timer = setTimeout(() => {
  log(`TIMEOUT after ${overallMs / 1000} s`);
  process.exit(124);
}, overallMs);
timer.unref();

main().then(
  (code) => process.exit(code),
  (e) => {
    // runTests rejects with TestRunFailedError when tests fail; anything else is a harness problem.
    const code = typeof e?.code === 'number' ? e.code : 1;
    process.stderr.write(`[desktop] ${e?.name === 'TestRunFailedError' ? 'tests failed' : `ERROR: ${e?.message ?? e}`}\n`);
    process.exit(code || 1);
  },
);
