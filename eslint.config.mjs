// The layers, as rules (README "Architecture"): `npm run lint`, part of `npm test`.
//
//   src/core     the pure library: imports only core and its npm libraries (no vscode, no front end)
//   src/shared   browser-safe code shared by the host and the webviews (protocol schemas, formatters,
//                the comparison's ranking): no vscode, no node:, no runtime import of core (types only)
//   src/webview  browser code: shared and browser libraries only
//   src/cli.ts, src/gateway, src/host   front ends: the core only through src/core/index.ts
//   vscode       only in src/host (and the entry src/extension.ts), never in host's pure modules
//
// Import cycles are checked by test/unit/architecture.test.ts (type imports included).
import tseslint from 'typescript-eslint';

const CORE_INTERNALS = {
  regex: '(^|/)core/(?!index\\.ts$)',
  message: 'Front ends use the core through its public entry, src/core/index.ts (export what you need there).',
};
const VSCODE = { group: ['vscode'], message: 'Only the VS Code layer in src/host imports vscode.' };
const NODE = { regex: '^node:', message: 'Browser code: no Node built-ins.' };
const FRONT_ENDS = { regex: '(^|/)(host|gateway|webview)/|(^|/)cli\\.ts$', message: 'This layer does not depend on the front ends.' };

/** host/'s plain-TypeScript half, unit-tested in Node: common/ (pure helpers and models) and services/
 * (the services features ask for). Both must stay free of vscode; everything else in host/ is the VS Code layer. */
const HOST_PURE = ['src/host/common/**/*.ts', 'src/host/services/**/*.ts'];

const restrict = (...patterns) => ['error', { patterns }];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'out/**', '.vscode-test/**'] },
  {
    files: ['src/**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A promise nobody awaits loses its rejection: hand it to inBackground() (host/common/background.ts,
      // logs the failure) or catch it; `void p` only with a disable comment saying why p cannot reject.
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: false }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict(VSCODE, FRONT_ENDS, {
        regex: '(^|/)shared/',
        message: 'The core does not depend on src/shared (shared may use core types, not the other way).',
      }),
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict(VSCODE, NODE, FRONT_ENDS, {
        regex: '(^|/)core/',
        allowTypeImports: true,
        message: 'Shared code runs in the webviews: core types only, no core code.',
      }),
    },
  },
  {
    files: ['src/webview/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict(
        VSCODE,
        NODE,
        { regex: '(^|/)(host|gateway)/|(^|/)cli\\.ts$', message: 'Webviews talk to the host through src/shared/protocol, not by importing it.' },
        { regex: '(^|/)core/', allowTypeImports: true, message: 'Webviews run in the browser: core types only; shared code goes in src/shared.' },
      ),
    },
  },
  {
    files: ['src/cli.ts', 'src/gateway/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict(VSCODE, CORE_INTERNALS, {
        regex: '(^|/)(host|webview)/',
        message: 'The CLI and the gateway do not depend on the extension.',
      }),
    },
  },
  {
    files: ['src/host/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict(CORE_INTERNALS, {
        regex: '(^|/)webview/',
        message: 'The host talks to webviews through src/shared/protocol.',
      }),
    },
  },
  {
    files: HOST_PURE,
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict(CORE_INTERNALS, VSCODE, {
        regex: '(^|/)webview/',
        message: 'The host talks to webviews through src/shared/protocol.',
      }),
    },
  },
);
