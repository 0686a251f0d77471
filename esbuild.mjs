// Bundles the extension host code, the webviews, the pure core library and the CLI.
// Usage: node esbuild.mjs [--watch] [--production]
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  minify: production,
  legalComments: 'none',
  logLevel: 'info',
  define: { 'process.env.SWITCHBOARD_BUILD': JSON.stringify(production ? 'production' : 'development') },
};

/**
 * activate() must stay small: the extension entry keeps `import('./main.ts')` (the core client,
 * zod, undici…) as a separate file, dist/host.js, loaded on first use instead of at activation.
 */
const splitHost = {
  name: 'split-host',
  setup(build) {
    build.onResolve({ filter: /^\.\/main\.ts$/ }, (args) =>
      args.importer.endsWith('/src/host/activate.ts') ? { path: './host.js', external: true } : undefined,
    );
  },
};

/** @type {import('esbuild').BuildOptions[]} */
const targets = [
  {
    ...common,
    entryPoints: { extension: 'src/extension.ts' },
    outdir: 'dist',
    external: ['vscode'],
    plugins: [splitHost],
    supported: { 'dynamic-import': false },
  },
  { ...common, entryPoints: { host: 'src/host/main.ts' }, outdir: 'dist', external: ['vscode'] },
  {
    ...common,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    entryPoints: { chat: 'src/webview/chat/main.ts', compare: 'src/webview/compare/main.ts', eval: 'src/webview/eval/main.ts' },
    outdir: 'dist/webview',
  },
  { ...common, entryPoints: { core: 'src/core/index.ts' }, outdir: 'dist' },
  { ...common, entryPoints: { cli: 'src/cli.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } },
];

// The package is "type": "module"; the bundles are CommonJS, so dist/ says so.
mkdirSync('dist/webview/codicons', { recursive: true });
writeFileSync('dist/package.json', JSON.stringify({ type: 'commonjs' }) + '\n');
// Webviews load codicons from the bundle folder only (localResourceRoots).
for (const f of ['codicon.css', 'codicon.ttf']) cpSync(`node_modules/@vscode/codicons/dist/${f}`, `dist/webview/codicons/${f}`);

if (watch) {
  const contexts = await Promise.all(targets.map((t) => esbuild.context(t)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('[esbuild] watching…');
} else {
  await Promise.all(targets.map((t) => esbuild.build(t)));
}
