// Real-VS-Code test harness: code-server (VS Code 1.139 server + web workbench, Node 24 extension host)
// driven by Playwright with Debian's Chromium. Used by run-integration.mjs, run-ui.mjs, start.mjs and the
// UI tests under test/ui/. Types: harness.d.mts.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_PATH, checkSystemPrerequisites, ensureCodeServer } from './setup.mjs';

export { CHROMIUM_PATH };

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const artifactsDir = join(repoRoot, '.artifacts');
export const screenshotsDir = join(artifactsDir, 'screenshots');
export const EXTENSION_ID = 'switchboard.switchboard';
/** A test extension with scripted language models of its own (vendor `sbtest`), for Switchboard's `vscode/…` provider (packageTestExtension in package.mjs). */
export const LM_FIXTURE = join(repoRoot, 'test', 'fixtures', 'lm-provider-extension');

const verbose = () => !!process.env.SWITCHBOARD_HARNESS_VERBOSE;
const log = (msg) => process.stderr.write(`[vscode-harness] ${msg}\n`);

/**
 * Workspace trust on (StartOptions.workspaceTrust): a folder nobody trusted opens in Restricted Mode
 * without the startup dialog, as a cloned repository does for a user who chose "Don't Trust".
 */
export const TRUST_SETTINGS = {
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.banner': 'never',
  'security.workspace.trust.emptyWindow': false,
};

/**
 * Settings every harness instance gets (callers' `settings` are merged over them). VS Code's chat stays
 * on: `npm start` must show Switchboard's models in VS Code's chat and agent mode.
 */
export const DEFAULT_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'github.gitAuthentication': false,
  'window.restoreWindows': 'none',
  'files.hotExit': 'off',
  'editor.accessibilitySupport': 'off',
};

/**
 * Added for throwaway (test) instances only. The UI tests drive Switchboard's own views: with AI
 * features on, the built-in chat starts its bundled runtime binary and opens its own entry points
 * (the chat view, setup prompts) over the workbench the screenshots show. The integration runner
 * turns it back on: with AI features off, `vscode.lm.selectChatModels` finds no models.
 */
export const TEST_ONLY_SETTINGS = {
  'chat.disableAIFeatures': true,
  // Every test instance is a first run with no key: the "Get started" walkthrough would open over the
  // views under test. The first-run test turns it back on.
  'switchboard.walkthroughOnFirstRun': false,
};

/** Environment variables passed from our environment to code-server (and so to extension hosts). */
const PASS_ENV = ['PATH', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'USER', 'LOGNAME', 'SHELL', 'TERM', 'CI'];

/** A free TCP port on 127.0.0.1. */
export async function freePort(host = '127.0.0.1') {
  const srv = createServer();
  srv.listen(0, host);
  await once(srv, 'listening');
  const { port } = /** @type {import('node:net').AddressInfo} */ (srv.address());
  srv.close();
  await once(srv, 'close');
  return port;
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Process groups of running code-servers started by this process. */
const liveGroups = new Set();

/** Throwaway folders removed when this process exits, however it exits (but for SIGKILL). */
const exitCleanup = new Set();
let exitCleanupInstalled = false;
/** Removes `dir` at process exit unless removed before (then call the returned function). */
export function removeAtExit(dir) {
  if (!exitCleanupInstalled) {
    exitCleanupInstalled = true;
    process.on('exit', () => {
      for (const d of exitCleanup) {
        try {
          rmSync(d, { recursive: true, force: true });
        } catch {}
      }
    });
  }
  exitCleanup.add(dir);
  return () => {
    exitCleanup.delete(dir);
    rmSync(dir, { recursive: true, force: true });
  };
}
let signalCleanupInstalled = false;

/**
 * code-server runs in its own session (setsid), so Ctrl-C does not reach it, and a process killed by a
 * signal emits no 'exit' event. Unless the script has its own handler for the signal, kill the servers'
 * process groups and exit as the signal would have.
 */
function installSignalCleanup() {
  if (signalCleanupInstalled) return;
  signalCleanupInstalled = true;
  for (const [signal, code] of /** @type {const} */ ([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ])) {
    const handler = () => {
      if (process.listenerCount(signal) > 1) return; // the script handles it (and calls stop())
      for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
      process.exit(code);
    };
    process.on(signal, handler);
  }
}

/** Runs code-server's CLI once (e.g. --install-extension) and resolves with its output. */
function runCodeServerCli(paths, args, env, timeoutMs = 120_000) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(paths.node, [paths.entry, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    const timer = setTimeout(() => {
      killGroup(child.pid, 'SIGKILL');
      reject(new Error(`code-server ${args.join(' ')} timed out after ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    child.on('error', (e) => (clearTimeout(timer), reject(e)));
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise(out);
      else reject(new Error(`code-server ${args.join(' ')} exited with ${code}:\n${out}`));
    });
  });
}

/**
 * Profiles made by older versions of `npm start` turned VS Code's chat off (`chat.disableAIFeatures`);
 * that hid Switchboard's models from VS Code's chat, so it is taken out (and said so).
 * @param {string} settingsFile
 */
function enableChatInOldProfile(settingsFile) {
  let settings;
  try {
    settings = JSON.parse(readFileSync(settingsFile, 'utf8'));
  } catch {
    return; // hand-edited (comments, trailing commas): left as the user wrote it
  }
  if (settings?.['chat.disableAIFeatures'] !== true) return;
  delete settings['chat.disableAIFeatures'];
  writeFileSync(settingsFile, JSON.stringify(settings, null, 2) + '\n');
  log(`turned VS Code's chat back on in ${settingsFile} (an older npm start had set chat.disableAIFeatures)`);
}

/**
 * Starts an isolated code-server. Everything it writes (HOME, TMPDIR, XDG_*, user data, extensions) goes to a
 * throwaway folder, removed by stop() unless `keep` is set.
 * @param {import('./harness.d.mts').StartOptions} opts
 * @returns {Promise<import('./harness.d.mts').CodeServer>}
 */
export async function startCodeServer(opts = {}) {
  const paths = await ensureCodeServer({ browser: opts.browser ?? true });
  // A given dataDir persists (settings, state, installed extensions); otherwise everything is throwaway.
  const persistent = !!opts.dataDir;
  const root = opts.dataDir ? resolve(opts.dataDir) : mkdtempSync(join(opts.tmpRoot ?? tmpdir(), 'switchboard-vscode-'));
  const dirs = {
    root,
    home: join(root, 'home'),
    tmp: join(root, 'tmp'),
    config: join(root, 'xdg-config'),
    data: join(root, 'xdg-data'),
    cache: join(root, 'xdg-cache'),
    userData: join(root, 'user-data'),
    extensions: join(root, 'extensions'),
  };
  const keep = persistent || !!opts.keep || !!process.env.SWITCHBOARD_HARNESS_KEEP;
  const removeRoot = keep ? () => log(`kept ${root}`) : removeAtExit(root);
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  mkdirSync(join(dirs.userData, 'User'), { recursive: true });
  const settingsFile = join(dirs.userData, 'User', 'settings.json');
  if (!persistent || !existsSync(settingsFile))
    writeFileSync(
      settingsFile,
      JSON.stringify(
        { ...DEFAULT_SETTINGS, ...(persistent ? {} : TEST_ONLY_SETTINGS), ...(opts.workspaceTrust ? TRUST_SETTINGS : {}), ...(opts.settings ?? {}) },
        null,
        2,
      ) + '\n',
    );
  else enableChatInOldProfile(settingsFile);
  const workspace = resolve(opts.workspace ?? join(root, 'workspace'));
  mkdirSync(workspace, { recursive: true });

  /** @type {Record<string, string>} */
  const env = {};
  for (const k of PASS_ENV) if (process.env[k] !== undefined) env[k] = /** @type {string} */ (process.env[k]);
  Object.assign(env, {
    HOME: dirs.home,
    TMPDIR: dirs.tmp,
    XDG_CONFIG_HOME: dirs.config,
    XDG_DATA_HOME: dirs.data,
    XDG_CACHE_HOME: dirs.cache,
    XDG_RUNTIME_DIR: dirs.tmp,
    // No extension gallery: the workbench would otherwise query open-vsx.org (no network here, and tests
    // must not depend on one). An empty object leaves product.extensionsGallery without a serviceUrl.
    EXTENSIONS_GALLERY: '{}',
    ...(opts.env ?? {}),
  });
  // Node 24 first on PATH: tasks/terminals that spawn `node` get the same version as the extension host.
  env.PATH = `${paths.nodeBinDir}:${env.PATH ?? '/usr/bin:/bin'}`;

  const commonArgs = ['--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];
  // Several may be given (Switchboard and a test extension): the web workbench loads only one
  // unpackaged extension (its test payload is a Map), so others are installed like this.
  for (const vsixPath of [opts.vsixPath ?? []].flat()) {
    const vsix = resolve(vsixPath);
    if (!existsSync(vsix)) throw new Error(`vsix not found: ${vsix}`);
    const t0 = Date.now();
    const out = await runCodeServerCli(paths, [...commonArgs, '--install-extension', vsix, '--force'], env).catch((e) => {
      if (!persistent) removeRoot();
      throw e;
    });
    if (verbose()) log(out.trim());
    log(`installed ${vsix.replace(repoRoot + '/', '')} in ${Date.now() - t0} ms`);
  }

  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? (await freePort(host));
  const args = [
    ...commonArgs,
    '--auth',
    'none',
    '--bind-addr',
    `${host}:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    ...(opts.workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--reconnection-grace-time',
    '10',
    ...(opts.smokeDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    ...(opts.extraArgs ?? []),
  ];
  const logFile = join(root, 'code-server.log');
  const logStream = createWriteStream(logFile);
  // detached ⇒ setsid(): the server, its extension hosts and their children form one process group.
  const child = spawn(paths.node, [paths.entry, ...args], { cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const pid = /** @type {number} */ (child.pid);
  let recent = '';
  const onOutput = (chunk) => {
    logStream.write(chunk);
    recent = (recent + chunk.toString()).slice(-8000);
    if (verbose() || opts.logToStderr) process.stderr.write(chunk);
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  let exited = false;
  const exitPromise = new Promise((r) => child.on('exit', (code, signal) => ((exited = true), r({ code, signal }))));

  // Should this process end without calling stop(), take the group down with it.
  const onExit = () => killGroup(pid, 'SIGKILL');
  process.on('exit', onExit);
  liveGroups.add(pid);
  installSignalCleanup();

  /** @type {Promise<void> | undefined} */
  let stopping;
  const stop = () =>
    (stopping ??= (async () => {
      process.off('exit', onExit);
      liveGroups.delete(pid);
      killGroup(pid, 'SIGTERM');
      const done = await Promise.race([exitPromise.then(() => true), new Promise((r) => setTimeout(() => r(false), 5000))]);
      // Extension hosts may outlive the server's main process: always sweep the group.
      killGroup(pid, 'SIGKILL');
      if (!done) await Promise.race([exitPromise, new Promise((r) => setTimeout(r, 2000))]);
      logStream.end();
      if (!persistent) removeRoot();
    })());

  const url = `http://${host}:${port}`;
  const started = Date.now();
  const deadline = started + (opts.startTimeoutMs ?? 60_000);
  for (;;) {
    if (exited) {
      await stop();
      // The free port we picked was taken before code-server bound it (another test's server got it
      // in between): start again on another one, from scratch, a few times at most.
      const attempt = opts.portAttempt ?? 1;
      if (opts.port === undefined && /EADDRINUSE/.test(recent) && attempt < 3) {
        log(`port ${port} was taken before code-server bound it: starting again on another port`);
        return startCodeServer({ ...opts, portAttempt: attempt + 1 });
      }
      throw new Error(`code-server exited during startup:\n${recent}`);
    }
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) break;
    } catch {}
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer ${url}/healthz within ${deadline - started} ms:\n${recent}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  if (verbose()) log(`code-server up at ${url} in ${Date.now() - started} ms (pid ${pid}, data ${root})`);

  /** @param {import('./harness.d.mts').WorkbenchUrlOptions} [o] */
  const workbenchUrl = (o = {}) => {
    const q = new URLSearchParams();
    q.set('folder', resolve(o.folder ?? workspace));
    /** @type {[string, string][]} */
    const payload = [];
    const remote = (p) => `vscode-remote://${host}:${port}${resolve(p)}`;
    if (o.extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(o.extensionDevelopmentPath)]);
    if (o.extensionTestsPath) payload.push(['extensionTestsPath', remote(o.extensionTestsPath)]);
    if (o.extensionEnvironment) payload.push(['extensionEnvironment', JSON.stringify(o.extensionEnvironment)]);
    if (payload.length) q.set('payload', JSON.stringify(payload));
    return `${url}/?${q.toString()}`;
  };

  return {
    url,
    host,
    port,
    pid,
    root,
    workspace,
    userDataDir: dirs.userData,
    extensionsDir: dirs.extensions,
    logFile,
    recentOutput: () => recent,
    workbenchUrl,
    exited: exitPromise,
    stop,
  };
}

/** Flags Chromium needs here (closed network, root, no GPU). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--disable-breakpad',
  '--disable-crash-reporter',
];

/**
 * Launches Debian's Chromium through playwright-core with a fresh profile.
 * @param {import('./harness.d.mts').LaunchOptions} [opts]
 * @returns {Promise<import('./harness.d.mts').Browser>}
 */
export async function launchBrowser(opts = {}) {
  checkSystemPrerequisites({ browser: true, build: false });
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'switchboard-chromium-'));
  const removeProfile = removeAtExit(profile);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: opts.headless ?? !process.env.SWITCHBOARD_HEADED,
    args: [...CHROMIUM_ARGS, ...(opts.args ?? [])],
    viewport: opts.viewport ?? { width: 1400, height: 900 },
    // Keep Chromium's own files (crash reports, caches) out of the real home.
    env: {
      ...process.env,
      HOME: profile,
      XDG_CONFIG_HOME: join(profile, '.config'),
      XDG_CACHE_HOME: join(profile, '.cache'),
      XDG_DATA_HOME: join(profile, '.local', 'share'),
    },
    timeout: 60_000,
  });
  context.setDefaultTimeout(opts.defaultTimeoutMs ?? 30_000);
  const page = context.pages()[0] ?? (await context.newPage());
  if (verbose()) page.on('console', (m) => log(`[browser ${m.type()}] ${m.text()}`));
  let closed = false;
  return {
    profileDir: profile,
    context,
    page,
    close: async () => {
      if (closed) return;
      closed = true;
      await context.close().catch(() => {});
      removeProfile();
    },
  };
}

// ---------------------------------------------------------------------------------------------- UI helpers

/** Waits until the workbench is rendered and the extension host connection is up. */
export async function waitForWorkbench(page, timeoutMs = 60_000) {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.statusbar').waitFor({ state: 'visible', timeout: timeoutMs });
}

/** Opens the workbench of `server` in `page` and waits for it. */
export async function openWorkbench(page, server, urlOptions = {}) {
  await page.goto(server.workbenchUrl(urlOptions), { waitUntil: 'domcontentloaded', timeout: 120_000 });
  await waitForWorkbench(page, 120_000);
}

const quickInput = (page) => page.locator('.quick-input-widget');
const quickInputRows = (page) => page.locator('.quick-input-widget .quick-input-list .monaco-list-row');

/**
 * Runs a command by its palette title (F1, type, Enter). Retries until the command is listed: contributed
 * commands only appear once the extension host has registered them.
 * @param {import('playwright-core').Page} page
 * @param {string} title exact title as shown in the palette, e.g. "Developer: Show Running Extensions"
 */
export async function runCommand(page, title, { timeoutMs = 30_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  const want = title.trim().toLowerCase().replace(/\s+/g, ' ');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  let lastSeen = [];
  for (;;) {
    // Start from a closed palette: one that is still closing cannot be typed into.
    await closeQuickInput(page);
    await page.keyboard.press('F1');
    const opened = await input.waitFor({ state: 'visible', timeout: 5000 }).then(
      () => true,
      () => false,
    );
    if (
      opened &&
      (await input.fill(`>${title}`, { timeout: 5000 }).then(
        () => true,
        () => false,
      ))
    ) {
      // Wait briefly for the list to settle and look for an exact label match.
      const settleUntil = Date.now() + 2000;
      while (Date.now() < settleUntil) {
        lastSeen = await quickInputItems(page).catch(() => []);
        const index = lastSeen.findIndex((l) => l.toLowerCase().replace(/\s+/g, ' ') === want);
        if (index >= 0) {
          // On a loaded machine the click itself can take longer than its timeout to come back, though the
          // palette took it: a palette that closed ran the command (running it again would run it twice).
          const clicked = await quickInputRows(page)
            .nth(index)
            .click({ timeout: 15_000 })
            .then(
              () => true,
              () => false,
            );
          const closed = await quickInput(page)
            .waitFor({ state: 'hidden', timeout: clicked ? 2000 : 10_000 })
            .then(
              () => true,
              () => false,
            );
          if (clicked || closed) return;
          continue;
        }
        await page.waitForTimeout(150);
      }
    }
    if (Date.now() > deadline) {
      await closeQuickInput(page);
      throw new Error(`Command "${title}" not found in the command palette within ${timeoutMs} ms (saw: ${JSON.stringify(lastSeen.slice(0, 8))})`);
    }
    await page.waitForTimeout(300);
  }
}

/** Closes the quick input (palette / quick pick) if it is open, and waits until it is gone. */
export async function closeQuickInput(page) {
  if (
    !(await quickInput(page)
      .isVisible()
      .catch(() => false))
  )
    return;
  await page.keyboard.press('Escape');
  await quickInput(page)
    .waitFor({ state: 'hidden', timeout: 3000 })
    .catch(() => {});
}

/** Labels of the rows the open quick input (palette or quick pick) shows. */
export async function quickInputItems(page) {
  return quickInputRows(page).evaluateAll((rows) =>
    rows.map((r) => (r.querySelector('.label-name')?.textContent ?? r.getAttribute('aria-label') ?? '').trim()),
  );
}

/**
 * Types a model id into the open model pick (the switcher, Retry with…) and waits until the window shows the
 * exact id's row on top and active (rows are labelled with their ids, so VS Code's filter ranks it first), for a
 * test that looks at the rows before pressing Enter.
 */
export async function typeModelId(page, id, { timeoutMs = 10_000 } = {}) {
  await quickInput(page).locator('.quick-input-box input').fill(id);
  await page.waitForFunction(
    (want) => {
      const first = document.querySelector('.quick-input-widget .quick-input-list .monaco-list-row');
      return first?.querySelector('.label-name')?.textContent?.trim() === want && first.classList.contains('focused');
    },
    id,
    { timeout: timeoutMs },
  );
}

/**
 * Picks the row labelled `label` in the open quick pick; returns false (and leaves it open) when no such
 * row appears within `timeoutMs`.
 */
export async function pickQuickInputItem(page, label, { timeoutMs = 5000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const labels = await quickInputItems(page).catch(() => []);
    const index = labels.indexOf(label);
    if (index >= 0) {
      await quickInputRows(page).nth(index).click();
      return true;
    }
    if (Date.now() > deadline) return false;
    await page.waitForTimeout(200);
  }
}

/**
 * "Switchboard: Set API Key" as a user runs it: the command from the palette, the provider row labelled
 * `provider` (e.g. "OpenAI"), the key typed into the masked input box, Enter. Resolves once the key is
 * submitted (callers wait for what follows: the "… key saved" notification, the prompt closing).
 * `timeoutMs` bounds finding the command and the provider row (the extension may still be starting);
 * `beforeEnter` runs with the key typed, before Enter (a screenshot of the prompt, say).
 * @param {import('playwright-core').Page} page
 * @param {string} provider
 * @param {string} key
 * @param {{ timeoutMs?: number, beforeEnter?: () => Promise<unknown> }} [options]
 */
export async function enterApiKey(page, provider, key, { timeoutMs = 60_000, beforeEnter } = {}) {
  await runCommand(page, 'Switchboard: Set API Key', { timeoutMs });
  if (!(await pickQuickInputItem(page, provider, { timeoutMs })))
    throw new Error(`Set API Key: no ${provider} item within ${timeoutMs} ms; saw ${JSON.stringify(await quickInputItems(page).catch(() => []))}`);
  // The provider pick turns into the key's input box: wait for the masked one.
  const input = page.locator('.quick-input-widget .quick-input-box input[type=password]');
  await input.waitFor({ timeout: 15_000 });
  await input.fill(key);
  await beforeEnter?.();
  await page.keyboard.press('Enter');
}

/**
 * The four kinds of theme a user may run, by their "Preferences: Color Theme" label, with the class the
 * workbench then carries and the class a webview's body gets.
 */
export const THEMES = Object.freeze({
  light: { name: 'light', theme: 'Light Modern', workbenchClass: 'vs', bodyClass: 'vscode-light' },
  dark: { name: 'dark', theme: 'Dark Modern', workbenchClass: 'vs-dark', bodyClass: 'vscode-dark' },
  hcDark: { name: 'hc-dark', theme: 'Dark High Contrast', workbenchClass: 'hc-black', bodyClass: 'vscode-high-contrast:not(.vscode-high-contrast-light)' },
  hcLight: { name: 'hc-light', theme: 'Light High Contrast', workbenchClass: 'hc-light', bodyClass: 'vscode-high-contrast-light' },
});

/**
 * Switches the color theme as a user does ("Preferences: Color Theme", the theme's row) and waits until
 * the workbench wears it and the picker is gone.
 * @param {import('playwright-core').Page} page
 * @param {{ theme: string, workbenchClass: string }} theme one of THEMES (or the like)
 */
export async function setColorTheme(page, { theme, workbenchClass }) {
  await runCommand(page, 'Preferences: Color Theme');
  await page.locator('.quick-input-widget .quick-input-box input').fill(theme);
  if (!(await pickQuickInputItem(page, theme, { timeoutMs: 10_000 })))
    throw new Error(`no theme ${theme}; saw ${JSON.stringify(await quickInputItems(page).catch(() => []))}`);
  await page.locator(`.monaco-workbench.${workbenchClass}`).waitFor({ timeout: 15_000 });
  // The picker closes on the pick (the class is already there when the theme was the current one).
  await quickInput(page).waitFor({ state: 'hidden', timeout: 10_000 });
}

/**
 * The first notification matching `pattern`, once visible: a toast, or (with the smoke-test driver, which
 * hides toasts, or once they went) an item of the Notifications center.
 * @param {import('playwright-core').Page} page
 * @param {RegExp | string} pattern
 */
export async function waitForNotification(page, pattern, { timeoutMs = 20_000 } = {}) {
  const item = page.locator('.notification-toast, .notifications-center .notification-list-item').filter({ hasText: pattern }).first();
  await item.waitFor({ state: 'visible', timeout: timeoutMs });
  return item;
}

/**
 * The clipboard as the page sees it (grant clipboard-read first), read until `done` holds or
 * `timeoutMs` passes: a copy made in the extension host reaches it a moment later. Returns the last text read.
 * @param {import('playwright-core').Page} page
 * @param {(text: string) => boolean} done
 */
export async function readClipboard(page, done, { timeoutMs = 20_000 } = {}) {
  let text = '';
  for (const deadline = Date.now() + timeoutMs; !done(text) && Date.now() < deadline;) {
    text = await page.evaluate(() => navigator.clipboard.readText().catch((e) => `error: ${e.message}`));
    if (!done(text)) await new Promise((r) => setTimeout(r, 200)); // poll interval
  }
  return text;
}

/** The content frame of the active webview (two iframes deep). */
export function webviewFrame(page, { index = 0 } = {}) {
  return page.frameLocator('iframe.webview.ready').nth(index).frameLocator('#active-frame');
}

/**
 * The content frame of the newest webview (view, panel or preview) in which `probe` finds something:
 * a CSS selector, or a function from the frame to a locator. Polls until `timeoutMs`.
 * @param {import('playwright-core').Page} page
 * @param {string | ((frame: import('playwright-core').FrameLocator) => import('playwright-core').Locator)} probe
 * @returns {Promise<import('playwright-core').FrameLocator>}
 */
export async function findWebview(page, probe, { timeoutMs = 30_000, what = 'webview' } = {}) {
  const locate = typeof probe === 'string' ? (/** @type {import('playwright-core').FrameLocator} */ f) => f.locator(probe) : probe;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = await page.locator('iframe.webview.ready').count();
    for (let i = n - 1; i >= 0; i--) {
      const frame = webviewFrame(page, { index: i });
      if (
        await locate(frame)
          .count()
          .catch(() => 0)
      )
        return frame;
    }
    if (Date.now() > deadline) throw new Error(`no ${what}`);
    await page.waitForTimeout(250);
  }
}

/**
 * Wraps a test body: on failure it saves a screenshot `<name>-FAILED` of `page()` first.
 * @param {() => import('playwright-core').Page} page
 * @returns {(name: string, body: () => Promise<void>) => () => Promise<void>}
 */
export function screenshotOnFailure(page) {
  return (name, body) => async () => {
    try {
      await body();
    } catch (e) {
      await screenshot(page(), `${name}-FAILED`).catch(() => {});
      throw e;
    }
  };
}

/**
 * Reads the notifications (from the Notifications center: with the smoke-test driver on, toasts are hidden).
 * @returns {Promise<string[]>}
 */
export async function readNotifications(page, { close = true } = {}) {
  const center = page.locator('.notifications-center');
  if (!(await center.isVisible())) await runCommand(page, 'Notifications: Show Notifications');
  await center.waitFor({ state: 'visible', timeout: 10_000 });
  const items = await center
    .locator('.notification-list-item')
    .evaluateAll((els) => els.map((e) => (e.querySelector('.notification-list-item-message')?.textContent ?? e.textContent ?? '').trim()));
  if (close) await page.keyboard.press('Escape').catch(() => {});
  return items;
}

/**
 * Saves a PNG of the page under .artifacts/screenshots/ (repo root) and returns its path.
 * @param {import('playwright-core').Page} page
 * @param {string} name
 */
export async function screenshot(page, name) {
  mkdirSync(screenshotsDir, { recursive: true });
  const file = join(screenshotsDir, `${name.replace(/[^\w.-]+/g, '-').replace(/\.png$/i, '')}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Switchboard's .vsix: $SWITCHBOARD_VSIX (run-ui.mjs packages it once), else built and packaged now. */
export async function switchboardVsix() {
  if (process.env.SWITCHBOARD_VSIX) return process.env.SWITCHBOARD_VSIX;
  const { buildAndPackage } = await import('./package.mjs');
  return buildAndPackage();
}

/**
 * The test extension with scripted language models (LM_FIXTURE), packaged as a .vsix at `out`, to
 * install next to Switchboard (StartOptions.vsixPath).
 * @param {string} out
 */
export async function lmFixtureVsix(out) {
  const { packageTestExtension } = await import('./package.mjs');
  return packageTestExtension(LM_FIXTURE, out);
}

/** Reads package.json of the repo (name, publisher, version) for ids and file names. */
export function extensionManifest() {
  return JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
}

// ------------------------------------------------------------------------------------------- UI sessions

/**
 * Environment variable through which run-ui.mjs hands its (single, shared) code-server to the UI test files
 * it runs, so that a suite starts code-server once.
 */
export const UI_SERVER_ENV = 'SWITCHBOARD_UI_SERVER';

/**
 * On the suite's shared code-server (UI_SERVER_ENV set), merges `settings` into its user settings.json, which
 * openUiSession's own `settings` cannot reach there. Returns what puts the file back as it was (a no-op when
 * each session starts its own server).
 * @param {Record<string, unknown>} settings
 * @returns {() => void}
 */
export function mergeSharedUserSettings(settings) {
  const shared = process.env[UI_SERVER_ENV];
  if (!shared) return () => {};
  const file = join(JSON.parse(shared).userDataDir, 'User', 'settings.json');
  const saved = readFileSync(file, 'utf8');
  writeFileSync(file, JSON.stringify({ ...JSON.parse(saved), ...settings }, null, 2) + '\n');
  return () => writeFileSync(file, saved);
}

/** @param {import('./harness.d.mts').CodeServer} server */
export function describeServerForEnv(server) {
  return JSON.stringify({
    url: server.url,
    host: server.host,
    port: server.port,
    workspace: server.workspace,
    userDataDir: server.userDataDir,
    extensionsDir: server.extensionsDir,
    logFile: server.logFile,
  });
}

/** A handle on a code-server started by someone else (run-ui.mjs), from UI_SERVER_ENV. */
function serverFromEnv(json) {
  const d = JSON.parse(json);
  return {
    ...d,
    pid: 0,
    root: '',
    recentOutput: () => {
      try {
        return readFileSync(d.logFile, 'utf8').slice(-8000);
      } catch {
        return '';
      }
    },
    workbenchUrl: (o = {}) => `${d.url}/?${new URLSearchParams({ folder: resolve(o.folder ?? d.workspace) }).toString()}`,
    exited: new Promise(() => {}),
    stop: async () => {},
  };
}

/**
 * Opens a browser on a workbench with the packaged extension installed: the suite's shared code-server when
 * run by run-ui.mjs, otherwise (a single test file run by hand) a code-server of its own with the .vsix from
 * $SWITCHBOARD_VSIX, or one built and packaged now. Each session gets a fresh workspace folder.
 * @param {import('./harness.d.mts').UiSessionOptions} [opts]
 * @returns {Promise<import('./harness.d.mts').UiSession>}
 */
export async function openUiSession(opts = {}) {
  /** @type {import('./harness.d.mts').CodeServer} */
  let server;
  let ownServer = false;
  if (process.env[UI_SERVER_ENV]) {
    server = serverFromEnv(process.env[UI_SERVER_ENV]);
  } else {
    let vsixPath = process.env.SWITCHBOARD_VSIX;
    if (!vsixPath) {
      const { buildAndPackage } = await import('./package.mjs');
      vsixPath = await buildAndPackage();
    }
    server = await startCodeServer({ vsixPath, settings: opts.settings, env: opts.env });
    ownServer = true;
  }
  const workspace = mkdtempSync(join(tmpdir(), 'switchboard-ui-ws-'));
  const removeWorkspace = removeAtExit(workspace);
  for (const [name, content] of Object.entries(opts.files ?? {})) {
    const file = join(workspace, name);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  let browser;
  try {
    browser = await launchBrowser();
    await openWorkbench(browser.page, server, { folder: workspace });
  } catch (e) {
    await browser?.close();
    if (ownServer) await server.stop();
    removeWorkspace();
    throw e;
  }
  const b = browser;
  return {
    server,
    page: b.page,
    context: b.context,
    profileDir: b.profileDir,
    workspace,
    close: async () => {
      await b.close();
      if (ownServer) await server.stop();
      removeWorkspace();
    },
  };
}
