import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDirs } from '../../src/core/makeDirs.ts';

test('makeDirs makes every missing directory with the mode, accepts existing ones, and refuses a file on the way', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-makedirs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const deep = join(dir, 'a', 'b', 'c');
  makeDirs(deep, 0o700);
  for (const d of [join(dir, 'a'), join(dir, 'a', 'b'), deep]) {
    assert.ok(statSync(d).isDirectory(), d);
    assert.equal(statSync(d).mode & 0o777, 0o700, d);
  }
  makeDirs(deep);
  writeFileSync(join(dir, 'file'), 'x');
  assert.throws(() => makeDirs(join(dir, 'file', 'sub')), { code: 'ENOTDIR', message: `${join(dir, 'file')} is not a directory` });
});

test("makeDirs ends with the kernel's error where a directory cannot be made although its parent exists (/proc)", () => {
  // Node's own recursive mkdirSync loops forever here (it takes ENOENT as "the parent is missing").
  assert.throws(() => makeDirs('/proc/switchboard-test/sub'), { code: 'ENOENT' });
});
