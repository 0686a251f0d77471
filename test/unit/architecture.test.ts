/**
 * The module graph of src/: no import cycles (type-only imports count too: a cycle of types is
 * still two modules that cannot be understood or tested one without the other). The layers
 * themselves are eslint rules (eslint.config.mjs, `npm run lint`).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const SRC = resolve(import.meta.dirname, '../../src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Relative specifiers of static imports, re-exports and dynamic imports. */
export function importsOf(source: string): string[] {
  const out: string[] = [];
  const stripped = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  for (const m of stripped.matchAll(
    /(?:^|\n)\s*(?:import|export)\b[^'";]*?\bfrom\s*'(\.[^']+)'|\bimport\s*\(\s*'(\.[^']+)'\s*\)|(?:^|\n)\s*import\s*'(\.[^']+)'/g,
  )) {
    out.push((m[1] ?? m[2] ?? m[3])!);
  }
  return out;
}

export function graph(root: string): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const f of files(root)) {
    g.set(
      relative(root, f),
      importsOf(readFileSync(f, 'utf8')).map((s) => relative(root, resolve(dirname(f), s))),
    );
  }
  return g;
}

/** Strongly connected components with more than one module, or a module importing itself. */
export function cycles(g: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of g.get(v) ?? []) {
      if (!g.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (g.get(v) ?? []).includes(v)) found.push(comp.sort());
    }
  };
  for (const v of g.keys()) if (!idx.has(v)) visit(v);
  return found;
}

test('the cycle finder finds a cycle through a type import and a dynamic import', () => {
  const g = new Map(
    [
      ['a.ts', importsOf("import type { B } from './b.ts';")],
      ['b.ts', importsOf("const c = await import('./c.ts');")],
      ['c.ts', importsOf("export { a } from './a.ts';")],
      ['d.ts', importsOf("import { a } from './a.ts';")],
    ].map(([k, v]) => [k as string, (v as string[]).map((s) => s.slice(2))]),
  );
  assert.deepEqual(cycles(g), [['a.ts', 'b.ts', 'c.ts']]);
});

test('every file under src/ is read', () => {
  const g = graph(SRC);
  assert.ok(g.has('core/index.ts') && g.has('host/activate.ts') && g.has('webview/chat/main.ts'));
  assert.ok(g.get('host/activate.ts')!.includes('host/main.ts'), 'the dynamic import of main.ts is an edge');
});

test('src/ has no import cycles', () => {
  assert.deepEqual(cycles(graph(SRC)), []);
});
