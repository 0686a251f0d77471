/**
 * `mkdir -p` that always ends. Node's `mkdirSync(…, { recursive: true })` loops forever where a
 * directory cannot be made although its parent exists and the kernel answers ENOENT (under /proc,
 * /sys): it takes ENOENT as "the parent is missing", makes the parent (EEXIST) and tries again.
 * Here each missing directory is made once, from the top, and the first failure is the error.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export function makeDirs(path: string, mode?: number): void {
  const missing: string[] = [];
  for (let dir = resolve(path); ;) {
    const st = statSync(dir, { throwIfNoEntry: false });
    if (st) {
      if (!st.isDirectory()) throw Object.assign(new Error(`${dir} is not a directory`), { code: 'ENOTDIR' });
      break;
    }
    missing.push(dir);
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir, mode === undefined ? {} : { mode });
    } catch (e) {
      // Made meanwhile by another process: fine. Anything else (ENOENT under /proc, EACCES, EROFS) is said.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}
