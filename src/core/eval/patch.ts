/**
 * A model's proposed change, read from its answer: a unified diff (in a ```diff block or bare), or
 * else the last fenced code block as the new text of the target file. Diffs are applied with their
 * context checked line by line (a hunk may sit a little off its stated line, never elsewhere).
 */

export interface FileChange {
  /** Relative to the workspace, with forward slashes. */
  path: string;
  /** The whole new text of the file. */
  content: string;
}

export type ProposedChange = { kind: 'diff'; patch: string } | { kind: 'file'; path: string; content: string };

const FENCE = /^(`{3,}|~{3,})([^\n`]*)\n([\s\S]*?)\n\1[ \t]*$/gm;

/** What the answer proposes for `file`, or null when it proposes nothing. */
export function extractChange(answer: string, file: string): ProposedChange | null {
  const blocks = [...answer.matchAll(FENCE)].map((m) => ({ info: m[2]!.trim(), body: m[3]! }));
  const diff = blocks.find((b) => /^(diff|patch|udiff)\b/i.test(b.info) || looksLikeDiff(b.body));
  if (diff) return { kind: 'diff', patch: diff.body };
  if (blocks.length === 0 && looksLikeDiff(answer)) return { kind: 'diff', patch: answer };
  const code = blocks.filter((b) => !looksLikeDiff(b.body));
  if (code.length === 0) return null;
  // A block that names the file wins; else the last one (answers tend to end with the final version).
  const base = file.split('/').pop()!;
  const named = code.filter((b) => b.info.includes(base) || b.body.split('\n', 1)[0]!.includes(base));
  const pick = (named.length ? named : code).at(-1)!;
  return { kind: 'file', path: file, content: pick.body.endsWith('\n') ? pick.body : `${pick.body}\n` };
}

function looksLikeDiff(text: string): boolean {
  return /^--- .+\n\+\+\+ .+\n@@ /m.test(text);
}

interface Hunk {
  oldStart: number;
  lines: string[];
}

function stripPrefix(p: string): string {
  const t = p.split('\t')[0]!.trim();
  return t === '/dev/null' ? t : t.replace(/^[ab]\//, '');
}

/** The files a unified diff touches, with their hunks. */
export function parseUnifiedDiff(patch: string): { oldPath: string; newPath: string; hunks: Hunk[] }[] {
  const lines = patch.replace(/\r\n/g, '\n').split('\n');
  const files: { oldPath: string; newPath: string; hunks: Hunk[] }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith('--- ') || !lines[i + 1]?.startsWith('+++ ')) continue;
    const f = { oldPath: stripPrefix(lines[i]!.slice(4)), newPath: stripPrefix(lines[i + 1]!.slice(4)), hunks: [] as Hunk[] };
    i += 2;
    while (i < lines.length && lines[i]!.startsWith('@@')) {
      const m = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(lines[i]!);
      if (!m) throw new Error(`bad hunk header: ${lines[i]}`);
      const hunk: Hunk = { oldStart: Number(m[1]), lines: [] };
      i++;
      while (i < lines.length && /^[ +\-\\]/.test(lines[i]!) && !(lines[i]!.startsWith('--- ') && lines[i + 1]?.startsWith('+++ '))) {
        if (!lines[i]!.startsWith('\\')) hunk.lines.push(lines[i]!);
        i++;
      }
      // An empty line inside a hunk is a context line whose space was trimmed (models do that).
      while (i < lines.length && lines[i] === '' && lines[i + 1] !== undefined && /^[ +-]/.test(lines[i + 1]!) && !lines[i + 1]!.startsWith('--- ')) {
        hunk.lines.push(' ');
        i++;
        while (i < lines.length && /^[ +\-\\]/.test(lines[i]!) && !(lines[i]!.startsWith('--- ') && lines[i + 1]?.startsWith('+++ '))) {
          if (!lines[i]!.startsWith('\\')) hunk.lines.push(lines[i]!);
          i++;
        }
      }
      f.hunks.push(hunk);
    }
    i--;
    files.push(f);
  }
  return files;
}

const FUZZ_LINES = 50;

/** Applies one file's hunks to its text; throws naming the hunk that does not fit. */
export function applyHunks(original: string, hunks: Hunk[], path: string): string {
  const trailing = original.endsWith('\n');
  const src = original === '' ? [] : (trailing ? original.slice(0, -1) : original).split('\n');
  const out: string[] = [];
  let at = 0;
  hunks.forEach((h, n) => {
    const old = h.lines.filter((l) => !l.startsWith('+')).map((l) => l.slice(1));
    const neu = h.lines.filter((l) => !l.startsWith('-')).map((l) => l.slice(1));
    const want = Math.max(h.oldStart - 1, 0);
    const fits = (pos: number): boolean => pos >= at && pos + old.length <= src.length && old.every((l, k) => src[pos + k]!.trimEnd() === l.trimEnd());
    let pos = -1;
    for (let d = 0; d <= FUZZ_LINES && pos < 0; d++) {
      if (fits(want + d)) pos = want + d;
      else if (d > 0 && fits(want - d)) pos = want - d;
    }
    if (pos < 0) throw new Error(`hunk ${n + 1} of ${path} (at line ${h.oldStart}) does not match the file`);
    out.push(...src.slice(at, pos), ...neu);
    at = pos + old.length;
  });
  out.push(...src.slice(at));
  return out.length === 0 ? '' : `${out.join('\n')}${trailing || original === '' ? '\n' : ''}`;
}

/**
 * The new text of every file a change touches, given a reader of the current texts (null: the
 * file does not exist). Diffs may create files (--- /dev/null); deleting files is refused.
 */
export function resolveChange(change: ProposedChange, read: (path: string) => string | null): FileChange[] {
  if (change.kind === 'file') return [{ path: change.path, content: change.content }];
  const files = parseUnifiedDiff(change.patch);
  if (files.length === 0) throw new Error('the diff has no file sections (--- a/file, +++ b/file, @@ hunks)');
  return files.map((f) => {
    if (f.newPath === '/dev/null') throw new Error(`the diff deletes ${f.oldPath}; deleting files is not applied`);
    const path = f.newPath;
    if (path.startsWith('/') || path.split('/').includes('..')) throw new Error(`the diff names ${path}, outside the workspace`);
    const current = f.oldPath === '/dev/null' ? '' : read(f.oldPath);
    if (current === null) throw new Error(`the diff changes ${f.oldPath}, which does not exist`);
    return { path, content: applyHunks(current, f.hunks, path) };
  });
}
