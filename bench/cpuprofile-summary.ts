/**
 * Summarizes a V8 .cpuprofile (from node --cpu-prof): self time by function and by file,
 * and total (inclusive) time of the functions of the files that match a filter.
 * Usage: node bench/cpuprofile-summary.ts <file.cpuprofile> [top=40] [filter=src/core]
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const file = process.argv[2];
if (!file) throw new Error('usage: cpuprofile-summary.ts <file.cpuprofile> [top] [filter]');
const top = Number(process.argv[3] ?? 40);
const filter = process.argv[4] ?? 'src/core';
const prof = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const byId = new Map<number, ProfileNode>(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const selfUs = new Map<number, number>();
prof.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
const totalUs = prof.endTime - prof.startTime;

const shortUrl = (u: string): string => {
  if (!u) return '(native)';
  const nm = u.lastIndexOf('node_modules/');
  if (nm >= 0) return u.slice(nm + 'node_modules/'.length);
  const m = /\/work\/main\/(.*)$/.exec(u);
  return m ? m[1]! : u.replace(/^file:\/\//, '');
};
const key = (f: CallFrame): string => `${f.functionName || '(anonymous)'}  ${shortUrl(f.url)}${f.url ? ':' + (f.lineNumber + 1) : ''}`;

const selfByFn = new Map<string, number>();
const selfByFile = new Map<string, number>();
for (const [id, us] of selfUs) {
  const f = byId.get(id)!.callFrame;
  selfByFn.set(key(f), (selfByFn.get(key(f)) ?? 0) + us);
  const fileKey = f.url ? shortUrl(f.url) : f.functionName.startsWith('(') ? f.functionName : '(native/builtin)';
  selfByFile.set(fileKey, (selfByFile.get(fileKey) ?? 0) + us);
}

// Inclusive time: every sample counts once for each distinct function on its stack.
const inclByFn = new Map<string, number>();
prof.samples.forEach((leaf, i) => {
  const dt = prof.timeDeltas[i] ?? 0;
  const seen = new Set<string>();
  for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) {
    const f = byId.get(id)!.callFrame;
    if (!f.url.includes(filter)) continue;
    const k = key(f);
    if (seen.has(k)) continue;
    seen.add(k);
    inclByFn.set(k, (inclByFn.get(k) ?? 0) + dt);
  }
});

const pct = (us: number): string => `${((us / totalUs) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms`;
const list = (title: string, m: Map<string, number>, n: number): void => {
  console.log(`\n${title}`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${pct(us)}  ${k}`);
};
console.log(`profile ${file}: ${(totalUs / 1000).toFixed(0)} ms, ${prof.samples.length} samples`);
list('self time by file', selfByFile, 25);
list('self time by function', selfByFn, top);
list(`inclusive time, functions in files matching "${filter}"`, inclByFn, top);
