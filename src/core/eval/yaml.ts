/**
 * A small YAML subset for promptfoo configs (no YAML parser is a dependency): block mappings and
 * sequences, plain / single / double-quoted scalars, `|` and `>` block scalars, comments, and
 * simple flow collections. What it does not implement (anchors, aliases, tags, several documents,
 * complex keys) is refused with the line number, never guessed at.
 */

export class YamlError extends Error {
  readonly line: number;
  constructor(message: string, line: number) {
    super(`line ${line}: ${message}`);
    this.line = line;
  }
}

interface Line {
  no: number;
  indent: number;
  text: string;
}

function stripComment(s: string): string {
  let q: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (q) {
      if (c === '\\' && q === '"') i++;
      else if (c === q) q = null;
    } else if (c === '"' || c === "'") {
      if (i === 0 || /[\s:[{,-]/.test(s[i - 1]!)) q = c;
    } else if (c === '#' && (i === 0 || /\s/.test(s[i - 1]!))) return s.slice(0, i).trimEnd();
  }
  return s.trimEnd();
}

function plainScalar(s: string, no: number): unknown {
  const t = s.trim();
  if (/^[&*!]/.test(t)) throw new YamlError(`anchors, aliases and tags (${t[0]}) are not supported; write the value out`, no);
  if (t === '' || t === '~' || t === 'null' || t === 'Null' || t === 'NULL') return null;
  if (/^(true|True|TRUE)$/.test(t)) return true;
  if (/^(false|False|FALSE)$/.test(t)) return false;
  if (/^[-+]?(0|[1-9][0-9]*)$/.test(t)) return Number(t);
  if (/^[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?$/.test(t)) return Number(t);
  return t;
}

function quoted(s: string, no: number): { value: string; rest: string } {
  if (s[0] === '"') {
    let i = 1;
    for (; i < s.length; i++) {
      if (s[i] === '\\') i++;
      else if (s[i] === '"') break;
    }
    if (i >= s.length) throw new YamlError('unterminated double-quoted string (multi-line quoted strings are not supported; use a | block)', no);
    const raw = s.slice(0, i + 1);
    try {
      return { value: JSON.parse(raw) as string, rest: s.slice(i + 1) };
    } catch {
      throw new YamlError('an escape in a double-quoted string is not supported (use JSON escapes: \\n, \\t, \\", \\\\, \\uXXXX)', no);
    }
  }
  let out = '';
  let i = 1;
  for (; i < s.length; i++) {
    if (s[i] === "'") {
      if (s[i + 1] === "'") {
        out += "'";
        i++;
      } else break;
    } else out += s[i];
  }
  if (i >= s.length) throw new YamlError('unterminated single-quoted string', no);
  return { value: out, rest: s.slice(i + 1) };
}

/** A flow collection ([a, b] or {k: v}) on one line. */
function flow(s: string, no: number): { value: unknown; rest: string } {
  let i = 0;
  const ws = (): void => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  const item = (stop: string): unknown => {
    ws();
    const c = s[i];
    if (c === '[' || c === '{') return coll();
    if (c === '"' || c === "'") {
      const q = quoted(s.slice(i), no);
      i = s.length - q.rest.length;
      return q.value;
    }
    const start = i;
    while (i < s.length && !stop.includes(s[i]!)) i++;
    return plainScalar(s.slice(start, i), no);
  };
  const coll = (): unknown => {
    const open = s[i++];
    if (open === '[') {
      const arr: unknown[] = [];
      ws();
      if (s[i] === ']') return (i++, arr);
      for (;;) {
        arr.push(item(',]'));
        ws();
        if (s[i] === ',') i++;
        else if (s[i] === ']') return (i++, arr);
        else throw new YamlError('unterminated flow sequence [...] (it must close on the same line)', no);
      }
    }
    const obj: Record<string, unknown> = {};
    ws();
    if (s[i] === '}') return (i++, obj);
    for (;;) {
      const k = item(':,}');
      ws();
      if (s[i] !== ':') throw new YamlError('a flow mapping {...} needs "key: value" pairs', no);
      i++;
      obj[String(k)] = item(',}');
      ws();
      if (s[i] === ',') i++;
      else if (s[i] === '}') return (i++, obj);
      else throw new YamlError('unterminated flow mapping {...} (it must close on the same line)', no);
    }
  };
  const value = coll();
  return { value, rest: s.slice(i) };
}

/** The value written after "key:" or "- " on one line (not a block). */
function inlineValue(s: string, no: number): unknown {
  const t = s.trim();
  if (t[0] === '"' || t[0] === "'") {
    const q = quoted(t, no);
    if (q.rest.trim()) throw new YamlError('unexpected text after a quoted string', no);
    return q.value;
  }
  if (t[0] === '[' || t[0] === '{') {
    const f = flow(t, no);
    if (f.rest.trim()) throw new YamlError('unexpected text after a flow collection', no);
    return f.value;
  }
  return plainScalar(t, no);
}

const KEY = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"{[\]}][^:#]*?)\s*:(?:\s+|$)/;

export function parseYaml(text: string): unknown {
  const raw = text.replace(/\r\n?/g, '\n').split('\n');
  const lines: Line[] = [];
  let docs = 0;
  raw.forEach((l, i) => {
    if (/^\t/.test(l) || /^ *\t/.test(l)) throw new YamlError('tabs cannot indent YAML', i + 1);
    if (/^---(\s|$)/.test(l)) {
      if (++docs > 1 || lines.length > 0) throw new YamlError('several YAML documents in one file are not supported', i + 1);
      return;
    }
    if (/^\.\.\.(\s|$)/.test(l)) return;
    if (/^%/.test(l)) throw new YamlError('YAML directives are not supported', i + 1);
    lines.push({ no: i + 1, indent: l.length - l.trimStart().length, text: l });
  });
  let pos = 0;
  const significant = (): Line | null => {
    while (pos < lines.length) {
      const l = lines[pos]!;
      if (stripComment(l.text).trim() === '') pos++;
      else return l;
    }
    return null;
  };

  const blockScalar = (header: string, parentIndent: number, no: number): string => {
    const m = /^([|>])([+-]?)\s*$/.exec(header.trim());
    if (!m) throw new YamlError(`block scalar header ${header.trim()} is not supported (use | or > with an optional + or -)`, no);
    const body: string[] = [];
    let indent = -1;
    while (pos < lines.length) {
      const l = lines[pos]!;
      if (l.text.trim() === '') {
        body.push('');
        pos++;
        continue;
      }
      if (l.indent <= parentIndent) break;
      if (indent < 0) indent = l.indent;
      if (l.indent < indent) throw new YamlError('a block scalar line is indented less than its first line', l.no);
      body.push(l.text.slice(indent));
      pos++;
    }
    let trailing = 0;
    while (body.length && body[body.length - 1] === '') {
      body.pop();
      trailing++;
    }
    let s = m[1] === '|' ? body.join('\n') : body.reduce((acc, b, i) => (i === 0 ? b : b === '' || body[i - 1] === '' ? `${acc}\n${b}` : `${acc} ${b}`), '');
    if (m[2] === '+') s += '\n'.repeat(trailing + 1);
    else if (m[2] !== '-' && s) s += '\n';
    return s;
  };

  /** The value after "key:" or "- ": inline, a block scalar, or a nested block below. */
  const valueAfter = (rest: string, indent: number, no: number): unknown => {
    const r = stripComment(rest).trim();
    if (r.startsWith('|') || r.startsWith('>')) return blockScalar(r, indent, no);
    if (r !== '') return inlineValue(r, no);
    const next = significant();
    if (!next || next.indent < indent || (next.indent === indent && !stripComment(next.text).trim().startsWith('- '))) return null;
    if (next.indent === indent) return block(indent);
    return block(next.indent);
  };

  const block = (indent: number): unknown => {
    const first = significant()!;
    const isSeq = /^-(\s|$)/.test(stripComment(first.text).trim());
    if (isSeq) {
      const arr: unknown[] = [];
      for (;;) {
        const l = significant();
        if (!l || l.indent < indent) break;
        if (l.indent > indent) throw new YamlError('unexpected indentation', l.no);
        const t = stripComment(l.text).trim();
        if (!/^-(\s|$)/.test(t)) break;
        const after = t.slice(1).trimStart();
        pos++;
        if (KEY.test(after)) {
          // "- key: value" starts a mapping at the column after the dash.
          const inner = l.indent + /^-\s*/.exec(l.text.slice(l.indent))![0].length;
          lines.splice(pos, 0, { no: l.no, indent: inner, text: ' '.repeat(inner) + l.text.slice(inner) });
          arr.push(block(inner));
        } else arr.push(valueAfter(after, l.indent, l.no));
      }
      return arr;
    }
    const obj: Record<string, unknown> = {};
    for (;;) {
      const l = significant();
      if (!l || l.indent < indent) break;
      if (l.indent > indent) throw new YamlError('unexpected indentation', l.no);
      const t = l.text.trimStart();
      if (/^-(\s|$)/.test(t)) break;
      const m = KEY.exec(t);
      if (!m) throw new YamlError('expected "key: value"', l.no);
      if (t.startsWith('? ')) throw new YamlError('complex keys (?) are not supported', l.no);
      const keyRaw = m[1]!.trim();
      const key = keyRaw[0] === '"' || keyRaw[0] === "'" ? quoted(keyRaw, l.no).value : keyRaw;
      if (key === '<<') throw new YamlError('merge keys (<<) are not supported', l.no);
      if (Object.prototype.hasOwnProperty.call(obj, key)) throw new YamlError(`the key "${key}" appears twice`, l.no);
      pos++;
      obj[key] = valueAfter(t.slice(m[0].length), l.indent, l.no);
    }
    return obj;
  };

  const first = significant();
  if (!first) return null;
  const t = stripComment(first.text).trim();
  if (!KEY.test(first.text.trimStart()) && !/^-(\s|$)/.test(t)) {
    pos++;
    return inlineValue(t, first.no);
  }
  const doc = block(first.indent);
  const left = significant();
  if (left) throw new YamlError('unexpected text (check the indentation)', left.no);
  return doc;
}

/** YAML for plain JSON data: block style, every string double-quoted (JSON strings are valid YAML). */
export function toYaml(value: unknown, indent = 0): string {
  const pad = ' '.repeat(indent);
  const scalar = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : v === null || v === undefined ? 'null' : String(v));
  const isColl = (v: unknown): boolean => typeof v === 'object' && v !== null && (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0);
  if (Array.isArray(value)) {
    if (value.length === 0) return `${pad}[]\n`;
    return value
      .map((v) => {
        if (!isColl(v)) return `${pad}- ${Array.isArray(v) ? '[]' : typeof v === 'object' && v ? '{}' : scalar(v)}\n`;
        const inner = toYaml(v, indent + 2);
        return `${pad}- ${inner.slice(indent + 2)}`;
      })
      .join('');
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return `${pad}{}\n`;
    return entries
      .map(([k, v]) => {
        const key = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? k : JSON.stringify(k);
        if (!isColl(v)) return `${pad}${key}: ${Array.isArray(v) ? '[]' : typeof v === 'object' && v ? '{}' : scalar(v)}\n`;
        return `${pad}${key}:\n${toYaml(v, indent + 2)}`;
      })
      .join('');
  }
  return `${pad}${scalar(value)}\n`;
}
