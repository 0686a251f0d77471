// Mocha entry for the integration tests that run INSIDE the VS Code extension host.
// scripts/vscode/build-tests.mjs bundles this file, mocha and every test/integration/**/*.test.ts into
// dist-test/integration/index.js, whose exported run() is the `extensionTestsPath` module VS Code calls
// (code-server via the smoke-test-driver payload: run-integration.mjs; desktop: run-desktop.mjs).
//
// Environment (set by the runners through extensionEnvironment / extensionTestsEnv):
//   SWITCHBOARD_TEST_GREP      only run tests whose full title matches this regular expression
//   SWITCHBOARD_TEST_TIMEOUT   per-test timeout in ms (default 20000)
//   SWITCHBOARD_TEST_COLOR     "1" for coloured reporter output
import Mocha from 'mocha';
import { findSourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';

/**
 * Prefix of every line mocha's reporter writes. The runner (run-integration.mjs) receives ALL workbench
 * console output through the smoke-test driver and tells the reporter's lines from workbench chatter by
 * this mark. (The extension host's `console` methods cannot be replaced: VS Code defines them as getters.)
 */
export const OUTPUT_MARK = '\u2063sb\u2063';

function markReporterOutput(): void {
  const log = console.log.bind(console);
  // Mocha's reporters write through Base.consoleLog.
  (Mocha.reporters.Base as unknown as { consoleLog: (...args: unknown[]) => void }).consoleLog = (...args) => log(OUTPUT_MARK + format(...args));
}

/**
 * Maps bundle positions in a stack trace back to the .ts sources. Node's own source-map support is
 * bypassed in the extension host (VS Code installs its own Error.prepareStackTrace), so failures are
 * rewritten here from the bundle's inline source map (loaded with process.setSourceMapsEnabled).
 */
export function mapStack(stack: string): string {
  return stack.replace(/(\/[^\s():]+\.js):(\d+):(\d+)/g, (whole, file: string, line: string, column: string) => {
    try {
      const entry = findSourceMap(file)?.findEntry(Number(line) - 1, Number(column) - 1);
      if (!entry || !('originalSource' in entry) || !entry.originalSource) return whole;
      const source = entry.originalSource.startsWith('file:') ? fileURLToPath(entry.originalSource) : entry.originalSource;
      return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
    } catch {
      return whole;
    }
  });
}

export interface TestModule {
  /** Path relative to the repo root, shown as the mocha file name. */
  file: string;
  /** Evaluates the (bundled) test module, which registers its suites on the mocha globals. */
  load: () => unknown;
}

export function runMocha(modules: readonly TestModule[]): Promise<void> {
  const env = process.env;
  if (env.SWITCHBOARD_TEST_MARK_OUTPUT === '1') markReporterOutput();
  const mocha = new Mocha({
    ui: 'bdd',
    reporter: 'spec',
    color: env.SWITCHBOARD_TEST_COLOR === '1',
    timeout: Number(env.SWITCHBOARD_TEST_TIMEOUT ?? 20_000),
    slow: 2_000,
  });
  if (env.SWITCHBOARD_TEST_GREP) mocha.grep(new RegExp(env.SWITCHBOARD_TEST_GREP));
  // The test files are bundled, not on disk: register them the way Mocha#loadFiles would.
  for (const { file, load } of modules) {
    mocha.suite.emit('pre-require', globalThis, file, mocha);
    const exports = load();
    mocha.suite.emit('require', exports, file, mocha);
    mocha.suite.emit('post-require', globalThis, file, mocha);
  }
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        if (failures > 0) reject(new Error(`${failures} integration test(s) failed.`));
        else resolve();
      });
      // The reporter prints stacks at the end, so rewriting them as failures happen is in time.
      runner.on('fail', (_test, err: unknown) => {
        if (err instanceof Error && typeof err.stack === 'string') err.stack = mapStack(err.stack);
      });
    } catch (err) {
      reject(err);
    }
  });
}
