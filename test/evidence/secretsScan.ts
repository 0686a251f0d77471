/**
 * The byte-level half of the secrets scan (test/ui/secrets.ui.test.ts): every file under the given
 * roots is searched for every secret, as UTF-8, UTF-16LE (V8 and SQLite may store text as two-byte
 * strings) and base64, and for the secret's random core alone (so a key cut or re-prefixed
 * somewhere still counts). Files are read whole up to 256 MB; symlinks are not followed.
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface Secret {
  /** What it is ("openai key", "gateway token"). */
  label: string;
  value: string;
  /** A distinctive random part of it (≥ 12 characters). */
  core: string;
}

export interface Hit {
  secret: string;
  where: string;
  encoding: string;
}

export interface ScanStats {
  files: number;
  bytes: number;
  unreadable: string[];
}

/** The byte patterns of one secret, each with its encoding's name. */
export function needles(s: Secret): { encoding: string; bytes: Buffer }[] {
  const out: { encoding: string; bytes: Buffer }[] = [];
  for (const [name, text] of [
    ['', s.value],
    ['core ', s.core],
  ] as const) {
    out.push({ encoding: `${name}utf8`, bytes: Buffer.from(text, 'utf8') });
    out.push({ encoding: `${name}utf16le`, bytes: Buffer.from(text, 'utf16le') });
  }
  // base64 of the whole value at the three alignments: the middle characters of each are stable.
  for (let pad = 0; pad < 3; pad++) {
    const b64 = Buffer.from('x'.repeat(pad) + s.value, 'utf8').toString('base64');
    const start = Math.ceil(((pad + 1) * 4) / 3) + 1;
    const end = b64.length - 4;
    if (end - start >= 12) out.push({ encoding: `base64/${pad}`, bytes: Buffer.from(b64.slice(start, end), 'utf8') });
  }
  return out;
}

/** Searches one buffer; `where` names it in the hits. */
export function scanBuffer(buf: Buffer, secrets: readonly Secret[], where: string, hits: Hit[]): void {
  for (const s of secrets) {
    for (const n of needles(s)) {
      if (buf.includes(n.bytes)) {
        hits.push({ secret: s.label, where, encoding: n.encoding });
        break;
      }
    }
  }
}

/** Searches every file under `roots` (skipping paths for which `skip` says so). */
export function scanFiles(
  roots: readonly string[],
  secrets: readonly Secret[],
  opts: { skip?: (path: string) => boolean; base?: string } = {},
): { hits: Hit[]; stats: ScanStats } {
  const hits: Hit[] = [];
  const stats: ScanStats = { files: 0, bytes: 0, unreadable: [] };
  const walk = (p: string): void => {
    if (opts.skip?.(p)) return;
    let st;
    try {
      st = lstatSync(p);
    } catch {
      return;
    }
    if (st.isSymbolicLink()) return;
    if (st.isDirectory()) {
      let names: string[] = [];
      try {
        names = readdirSync(p);
      } catch {
        stats.unreadable.push(p);
      }
      for (const n of names) walk(join(p, n));
      return;
    }
    if (!st.isFile() || st.size > 256 * 1024 * 1024) return;
    let buf: Buffer;
    try {
      buf = readFileSync(p);
    } catch {
      stats.unreadable.push(p);
      return;
    }
    stats.files++;
    stats.bytes += buf.length;
    scanBuffer(buf, secrets, opts.base ? relative(opts.base, p) || p : p, hits);
  };
  for (const r of roots) walk(r);
  return { hits, stats };
}
