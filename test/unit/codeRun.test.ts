/** Code that is run: changes read from answers, applied in scratch copies (temp copy or git worktree), commands run there. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyFiles, applyHunks, extractChange, parseUnifiedDiff, resolveChange, runCodeChange, runCommand } from '../../src/core/index.ts';
import { ANSWERS, FIXTURE, FIXTURE_FILES, GOOD_FILE } from './evalCodeRun.ts';

function project(t: { after(f: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'sb-code-'));
  cpSync(FIXTURE, dir, { recursive: true });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const git = (cwd: string, ...args: string[]) => {
  const r = spawnSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
};

describe('changes in answers', () => {
  test('a fenced block naming the file, else the last block; a diff wins over code', () => {
    const two = 'First:\n```js\nold\n```\nFinal:\n```js\nnew\n```\n';
    assert.deepEqual(extractChange(two, 'a.js'), { kind: 'file', path: 'a.js', content: 'new\n' });
    const named = '```js a.js\nmine\n```\n```js\nother\n```';
    assert.deepEqual(extractChange(named, 'src/a.js'), { kind: 'file', path: 'src/a.js', content: 'mine\n' });
    assert.equal(extractChange(ANSWERS.anthropic, 'slug.mjs')!.kind, 'diff');
    assert.equal(extractChange('No code here.', 'a.js'), null);
  });
  test('hunks apply with their context checked, a little off their line; a wrong context is refused', () => {
    const text = 'a\nb\nc\nd\ne\n';
    const [f] = parseUnifiedDiff('--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n b\n-c\n+C\n d\n');
    assert.equal(applyHunks(text, f!.hunks, 'x'), 'a\nb\nC\nd\ne\n');
    const [g] = parseUnifiedDiff('--- a/x\n+++ b/x\n@@ -2,2 +2,2 @@\n-q\n+Q\n r\n');
    assert.throws(() => applyHunks(text, g!.hunks, 'x'), /hunk 1 of x \(at line 2\) does not match/);
    assert.throws(() => resolveChange({ kind: 'diff', patch: '--- a/x\n+++ /dev/null\n@@ -1 +0,0 @@\n-a\n' }, () => 'a\n'), /deletes x/);
    assert.throws(() => resolveChange({ kind: 'diff', patch: '--- a/../x\n+++ b/../x\n@@ -1 +1 @@\n-a\n+b\n' }, () => 'a\n'), /outside the workspace/);
  });
});

describe('running changes', () => {
  test('the sample project on disk is the one the VS Code tests write', () => {
    for (const [name, text] of Object.entries(FIXTURE_FILES)) assert.equal(readFileSync(join(FIXTURE, name), 'utf8'), text, name);
  });

  test('temp copy: the good change passes the tests, the wrong one fails with the output; the real files are untouched', async (t) => {
    const dir = project(t);
    const before = readFileSync(join(dir, 'slug.mjs'), 'utf8');
    const good = await runCodeChange(dir, ANSWERS.openai, 'slug.mjs', 'node --test slug.test.mjs');
    assert.equal(good.problem, null);
    assert.equal(good.scratch, 'copy');
    assert.equal(good.pass, true, good.command?.output);
    assert.equal(good.files[0]!.content, GOOD_FILE);
    const diff = await runCodeChange(dir, ANSWERS.anthropic, 'slug.mjs', 'node --test slug.test.mjs');
    assert.equal(diff.pass, true, diff.command?.output);
    const bad = await runCodeChange(dir, ANSWERS.gemini, 'slug.mjs', 'node --test slug.test.mjs');
    assert.equal(bad.pass, false);
    assert.notEqual(bad.command!.exitCode, 0);
    assert.match(bad.command!.output, /hello,-world!/);
    assert.equal(readFileSync(join(dir, 'slug.mjs'), 'utf8'), before);
    const none = await runCodeChange(dir, 'I would rewrite it.', 'slug.mjs', 'node --test slug.test.mjs');
    assert.deepEqual([none.pass, none.problem], [false, 'the answer has no code block or diff to apply']);
    // Apply the winner; a file edited since the run is never overwritten.
    assert.deepEqual(applyFiles(dir, good.files), ['slug.mjs']);
    assert.equal(readFileSync(join(dir, 'slug.mjs'), 'utf8'), GOOD_FILE);
    assert.throws(() => applyFiles(dir, bad.files), /slug\.mjs changed since the answer was made/);
    assert.equal(readFileSync(join(dir, 'slug.mjs'), 'utf8'), GOOD_FILE);
  });

  test('git repository: a worktree of the current state (uncommitted and untracked files included), removed afterwards', async (t) => {
    const dir = project(t);
    git(dir, 'init', '-q');
    git(dir, 'add', '.');
    git(dir, 'commit', '-qm', 'init');
    // An uncommitted edit to a tracked file and a new untracked file the command needs.
    writeFileSync(join(dir, 'slug.test.mjs'), readFileSync(join(dir, 'slug.test.mjs'), 'utf8') + "\nimport './extra.mjs';\n");
    writeFileSync(join(dir, 'extra.mjs'), 'export const extra = 1;\n');
    const r = await runCodeChange(dir, ANSWERS.openai, 'slug.mjs', 'node --test slug.test.mjs && git status --porcelain');
    assert.equal(r.scratch, 'git-worktree');
    assert.equal(r.pass, true, r.command?.output);
    assert.equal(git(dir, 'worktree', 'list', '--porcelain').match(/^worktree /gm)!.length, 1);
    assert.equal(git(dir, 'status', '--porcelain'), ' M slug.test.mjs\n?? extra.mjs\n');
  });

  test('a command that outlives its timeout is killed with its children', async (t) => {
    const dir = project(t);
    const r = await runCommand(`node -e "setInterval(() => {}, 1000)" & node -e "setInterval(() => {}, 1000)"; wait`, dir, 300);
    assert.equal(r.timedOut, true);
    assert.match(r.output, /timed out after 300 ms/);
    assert.ok(existsSync(dir) && readdirSync(dir).length > 0);
  });
});
