/**
 * Message fuzzing from the protocol schemas themselves (no hand-listed message shapes, so the
 * fuzzer follows src/protocol/*.ts as they change):
 *
 * - `generate(schema, rng)` walks a zod (mini or classic, v4) schema and builds a value the schema
 *   accepts: objects, strings with length checks, numbers with int/bounds checks, booleans, enums,
 *   literals, nullable, optional, arrays with length checks, (discriminated) unions, records,
 *   tuples, pipes, defaults, lazy. Refinements it cannot read (`z.refine`) are met by drawing
 *   candidates from a pool until the sub-schema accepts one.
 * - `mutate(value, rng)` applies 1–3 random mutations: drop / duplicate fields (duplicate JSON keys
 *   too), wrong types, huge strings, hostile Unicode, prototype keys (`__proto__`, `constructor`…),
 *   NaN / ±Infinity / -0 / BigInt / undefined / Date, deep nesting, unknown `type`s, another
 *   message's `type`, non-objects.
 * - `encode` / `decode`: the JSON text of a message as it crosses VS Code's host⇄webview bridge
 *   (which is JSON), extended with tags for values JSON cannot carry (NaN…) so the receiving side
 *   gets exactly the value the fuzzer built, and with duplicate keys written into the text.
 *
 * Everything is driven by the seeded PRNG of lib.ts: the same seed gives the same messages.
 */
import type { Rng } from './lib.ts';

/** The internal definition of a zod v4 schema (`schema._zod.def`), as far as the walker reads it. */
interface Def {
  type: string;
  [k: string]: unknown;
}
interface AnySchema {
  _zod: { def: Def };
  safeParse(v: unknown): { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } };
}
interface CheckDef {
  check: string;
  [k: string]: unknown;
}

const defOf = (s: unknown): Def => (s as AnySchema)._zod.def;
const checksOf = (d: Def): CheckDef[] => ((d.checks as { _zod: { def: CheckDef } }[] | undefined) ?? []).map((c) => c._zod.def);

// ---------------------------------------------------------------------------------------------
// Pools

/** Strings a user, a model or an attacker could put in a message (markdown, HTML, URLs, Unicode). */
export const STRING_POOL: readonly string[] = [
  '',
  'hello',
  'openai/gpt-4o-mini',
  'anthropic/claude-sonnet-4',
  'gemini/gemini-2.5-flash',
  'https://example.com/docs?q=1#x',
  'http://127.0.0.1:8080/',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  '**bold** and `code`\n\n```ts\nconst x = 1;\n```',
  '<img src=x onerror=alert(1)>',
  '<script>alert(1)</script>',
  '[link](javascript:alert(1))',
  '# Title\n- a\n- b\n\n> quote',
  'Ünïcödé 世界 🎉 — ok',
  '\u202eevil\u202c',
  'zero\u200bwidth',
  '\u0000nul',
  'a\r\nb\rc\nd',
  '{{constructor.constructor("alert(1)")()}}',
  '${process.env.HOME}',
  '$0.0012',
  'src/a.ts:3-9 (typescript)',
  '__proto__',
];

/** Strings of common shapes, tried when a string schema refuses the free-form ones (a refinement). */
const SHAPED: readonly string[] = [
  'https://example.com/',
  'http://localhost:3000/a?b=c',
  'https://例え.jp/パス',
  'x',
  '1',
  'a@b.co',
  '2026-01-01T00:00:00Z',
  '00000000-0000-4000-8000-000000000000',
  'openai/gpt-4o',
  'iVBORw0KGgo=',
  'data:image/png;base64,iVBORw0KGgo=',
];

const UNICODE: readonly string[] = [
  '\ud800',
  '\udfff',
  '\ud83d',
  '\u0000',
  '\u202e',
  '\ufeff',
  '\u200d',
  'e\u0301\u0301\u0301',
  '𝕏',
  '🏳️‍🌈',
  '\uffff',
  '\u2028\u2029',
  'ﷺ',
  '\u{10ffff}',
];
const PROTO_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'then'];
const TYPE_WORDS: readonly string[] = [
  '',
  'State',
  'STATE',
  'state ',
  ' delta',
  'unknown',
  'constructor',
  '__proto__',
  'toString',
  'ready',
  'result',
  'send',
  'error',
  '0',
  'null',
];

// ---------------------------------------------------------------------------------------------
// Generator

const MAX_TRIES = 50;

export function generate(schema: unknown, rng: Rng, depth = 0): unknown {
  const d = defOf(schema);
  // A refinement the walker cannot see: draw until the schema accepts (or give up after MAX_TRIES); a string
  // that three draws did not satisfy (a pattern, a URL) tries each shaped string in turn, then draws again.
  for (let i = 0; i < MAX_TRIES; i++) {
    const shaped = d.type === 'string' && i >= 3 && i < 3 + SHAPED.length;
    const v = shaped ? SHAPED[i - 3] : genOnce(d, rng, depth);
    if ((schema as AnySchema).safeParse(v).success) return v;
  }
  throw new Error(`schemaFuzz: could not generate a valid ${d.type} in ${MAX_TRIES} tries`);
}

function genString(d: Def, rng: Rng): string {
  let min = 0;
  let max = Infinity;
  let exact: number | undefined;
  for (const c of checksOf(d)) {
    if (c.check === 'min_length') min = Math.max(min, c.minimum as number);
    else if (c.check === 'max_length') max = Math.min(max, c.maximum as number);
    else if (c.check === 'length_equals') exact = c.length as number;
  }
  let s: string;
  const k = rng.int(0, 9);
  if (k < 6) s = rng.pick(STRING_POOL);
  else if (k < 8) s = randomText(rng, rng.int(0, 40));
  else s = Array.from({ length: rng.int(1, 4) }, () => rng.pick(STRING_POOL)).join(rng.pick([' ', '\n', '']));
  if (exact !== undefined) {
    min = exact;
    max = exact;
  }
  while (s.length < min) s += randomText(rng, min - s.length);
  if (s.length > max) s = s.slice(0, max);
  return s;
}

function randomText(rng: Rng, n: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789_-.*`#<>[]()\n';
  let s = '';
  for (let i = 0; i < n; i++) s += rng.chance(0.05) ? rng.pick(UNICODE) : alphabet[rng.int(0, alphabet.length - 1)];
  return s;
}

function genNumber(d: Def, rng: Rng): number {
  let lo = -1e6;
  let hi = 1e6;
  let int = false;
  for (const c of checksOf(d)) {
    if (c.check === 'number_format') int = /int/.test(String(c.format));
    else if (c.check === 'greater_than') lo = Math.max(lo, (c.value as number) + (c.inclusive ? 0 : int ? 1 : 1e-9));
    else if (c.check === 'less_than') hi = Math.min(hi, (c.value as number) - (c.inclusive ? 0 : int ? 1 : 1e-9));
    else if (c.check === 'multiple_of') int = true;
  }
  const k = rng.int(0, 5);
  let n: number;
  if (k === 0) n = lo;
  else if (k === 1) n = Math.max(lo, Math.min(hi, 0));
  else if (k === 2) n = Math.max(lo, Math.min(hi, rng.int(0, 10)));
  else n = lo + rng.next() * (hi - lo);
  if (int) n = Math.max(Math.ceil(lo), Math.min(Math.floor(hi), Math.round(n)));
  return n;
}

function genOnce(d: Def, rng: Rng, depth: number): unknown {
  switch (d.type) {
    case 'string':
      return genString(d, rng);
    case 'number':
      return genNumber(d, rng);
    case 'int':
      return Math.round(genNumber(d, rng));
    case 'boolean':
      return rng.chance(0.5);
    case 'null':
      return null;
    case 'undefined':
    case 'void':
      return undefined;
    case 'enum':
      return rng.pick(Object.values(d.entries as Record<string, string | number>));
    case 'literal':
      return rng.pick(d.values as unknown[]);
    case 'nullable':
      return rng.chance(0.3) ? null : generate(d.innerType, rng, depth);
    case 'optional':
      return rng.chance(0.3) ? undefined : generate(d.innerType, rng, depth);
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
      return generate(d.innerType, rng, depth);
    case 'pipe':
      return generate(d.in, rng, depth);
    case 'lazy':
      return generate((d.getter as () => unknown)(), rng, depth + 1);
    case 'array': {
      let min = 0;
      let max = depth > 4 ? 1 : 4;
      for (const c of checksOf(d)) {
        if (c.check === 'min_length') min = c.minimum as number;
        else if (c.check === 'max_length') max = Math.min(max, c.maximum as number);
        else if (c.check === 'length_equals') min = max = c.length as number;
      }
      return Array.from({ length: rng.int(min, Math.max(min, max)) }, () => generate(d.element, rng, depth + 1));
    }
    case 'tuple':
      return (d.items as unknown[]).map((s) => generate(s, rng, depth + 1));
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, s] of Object.entries(d.shape as Record<string, unknown>)) {
        const v = generate(s, rng, depth + 1);
        if (v !== undefined) out[k] = v;
      }
      return out;
    }
    case 'record': {
      const out: Record<string, unknown> = {};
      for (let i = rng.int(0, 3); i > 0; i--) out[String(generate(d.keyType, rng, depth + 1))] = generate(d.valueType, rng, depth + 1);
      return out;
    }
    case 'union':
      return generate(rng.pick(d.options as unknown[]), rng, depth);
    case 'intersection':
      return { ...(generate(d.left, rng, depth) as object), ...(generate(d.right, rng, depth) as object) };
    case 'any':
    case 'unknown':
      return randomJson(rng, depth);
    default:
      throw new Error(`schemaFuzz: no generator for zod type "${d.type}" — add one`);
  }
}

/** The option schemas of a discriminated union, with the literal of each (for "another message's type"). */
export function messageTypes(schema: unknown): string[] {
  const d = defOf(schema);
  if (d.type !== 'union' || typeof d.discriminator !== 'string') return [];
  const out: string[] = [];
  for (const option of d.options as unknown[]) {
    const field = (defOf(option).shape as Record<string, unknown> | undefined)?.[d.discriminator];
    if (field) out.push(...((defOf(field).values as unknown[] | undefined) ?? []).map(String));
  }
  return out;
}

/** The option of a discriminated union whose discriminator is `type` (e.g. the `state` message). */
export function optionOf(schema: unknown, type: string): unknown {
  const d = defOf(schema);
  for (const option of (d.options as unknown[] | undefined) ?? []) {
    const field = (defOf(option).shape as Record<string, unknown> | undefined)?.[d.discriminator as string];
    if (field && ((defOf(field).values as unknown[] | undefined) ?? []).includes(type)) return option;
  }
  throw new Error(`schemaFuzz: the union has no "${type}" message`);
}

// ---------------------------------------------------------------------------------------------
// Values JSON cannot carry, and duplicate keys

/** Marks an object whose JSON text gets extra (duplicate) keys after its own, last one wins. */
export const DUPES = Symbol('dupes');
type WithDupes = Record<string, unknown> & { [DUPES]?: [string, unknown][] };

export class Special {
  readonly kind: 'NaN' | 'Infinity' | '-Infinity' | '-0' | 'undefined' | 'bigint' | 'date';
  constructor(kind: Special['kind']) {
    this.kind = kind;
  }
  /** The real value (what the receiver gets). */
  value(): unknown {
    switch (this.kind) {
      case 'NaN':
        return NaN;
      case 'Infinity':
        return Infinity;
      case '-Infinity':
        return -Infinity;
      case '-0':
        return -0;
      case 'undefined':
        return undefined;
      case 'bigint':
        return 2n ** 70n;
      case 'date':
        return new Date(0);
    }
  }
}

/** The tag a Special travels as inside the JSON text. */
const TAG = '\u0000sb-special';

/** The JSON text of a fuzzed message: specials as tags, duplicate keys after the object's own. */
export function encode(v: unknown): string {
  const out: string[] = [];
  // An explicit stack: deep nesting must not overflow the encoder either.
  const stack: (unknown | { raw: string })[] = [v];
  while (stack.length) {
    const x = stack.pop();
    if (x instanceof Raw) {
      out.push(x.s);
      continue;
    }
    if (x instanceof Special) out.push(JSON.stringify({ [TAG]: x.kind }));
    else if (Array.isArray(x)) {
      const parts: unknown[] = [new Raw('[')];
      for (let i = 0; i < x.length; i++) parts.push(...(i ? [new Raw(',')] : []), x[i] === undefined ? null : x[i]);
      parts.push(new Raw(']'));
      for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i]);
    } else if (x !== null && typeof x === 'object') {
      const entries: [string, unknown][] = [...Object.entries(x), ...((x as WithDupes)[DUPES] ?? [])].filter(([, e]) => e !== undefined);
      const parts: unknown[] = [new Raw('{')];
      entries.forEach(([k, e], i) => parts.push(new Raw(`${i ? ',' : ''}${JSON.stringify(k)}:`), e));
      parts.push(new Raw('}'));
      for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i]);
    } else out.push(x === undefined ? JSON.stringify({ [TAG]: 'undefined' }) : JSON.stringify(x));
  }
  return out.join('');
}

class Raw {
  readonly s: string;
  constructor(s: string) {
    this.s = s;
  }
}

/**
 * The inverse of `encode`, as the receiving side runs it (the same function body is shipped to the
 * browser page: keep it self-contained). JSON.parse keeps own `__proto__` keys as data and the last
 * of duplicate keys, exactly as VS Code's bridge does.
 */
export function decode(text: string): unknown {
  const tag = '\u0000sb-special';
  const special = (k: string): unknown =>
    k === 'NaN'
      ? NaN
      : k === 'Infinity'
        ? Infinity
        : k === '-Infinity'
          ? -Infinity
          : k === '-0'
            ? -0
            : k === 'bigint'
              ? 2n ** 70n
              : k === 'date'
                ? new Date(0)
                : undefined;
  const isTag = (v: unknown): v is Record<string, string> =>
    typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && Object.hasOwn(v, tag);
  const root = JSON.parse(text) as unknown;
  if (isTag(root)) return special(root[tag]!);
  // Replace tags iteratively (a reviver would recurse as deep as the nesting goes).
  const stack: unknown[] = [root];
  while (stack.length) {
    const x = stack.pop();
    if (typeof x !== 'object' || x === null) continue;
    for (const k of Object.keys(x)) {
      const v = (x as Record<string, unknown>)[k];
      if (isTag(v)) {
        const s = special(v[tag]!);
        if (s === undefined && !Array.isArray(x)) delete (x as Record<string, unknown>)[k];
        else (x as Record<string, unknown>)[k] = s;
      } else if (typeof v === 'object' && v !== null) stack.push(v);
    }
  }
  return root;
}

// ---------------------------------------------------------------------------------------------
// Mutator

export function randomJson(r: Rng, depth = 0): unknown {
  switch (r.int(0, depth > 3 ? 4 : 6)) {
    case 0:
      return null;
    case 1:
      return r.chance(0.5);
    case 2:
      return r.pick([0, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 42]);
    case 3:
      return r.pick([...STRING_POOL, ...UNICODE]);
    case 4:
      return new Special(r.pick(['NaN', 'Infinity', '-Infinity', '-0', 'bigint', 'date'] as const));
    case 5:
      return Array.from({ length: r.int(0, 3) }, () => randomJson(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = r.int(0, 3); i > 0; i--) o[r.pick([...PROTO_KEYS, 'type', 'id', 'x', 'state', 'text'])] = randomJson(r, depth + 1);
      return o;
    }
  }
}

interface Slot {
  parent: Record<string, unknown> | unknown[] | null;
  key: string | number | null;
  value: unknown;
}

/** Every node of the value tree (root first), to pick a mutation site from. */
function slots(root: unknown): Slot[] {
  const out: Slot[] = [{ parent: null, key: null, value: root }];
  for (let i = 0; i < out.length && out.length < 5000; i++) {
    const v = out[i]!.value;
    if (Array.isArray(v)) v.forEach((e, k) => out.push({ parent: v, key: k, value: e }));
    else if (v !== null && typeof v === 'object' && !(v instanceof Special))
      for (const [k, e] of Object.entries(v)) out.push({ parent: v as Record<string, unknown>, key: k, value: e });
  }
  return out;
}

function deepNest(r: Rng): unknown {
  const n = r.int(100, 3000);
  let v: unknown = r.pick(['x', 0, null]);
  const asArray = r.chance(0.5);
  for (let i = 0; i < n; i++) v = asArray ? [v] : { a: v };
  return v;
}

function otherType(v: unknown, r: Rng): unknown {
  const choices: unknown[] = [null, 0, 1, -1, true, false, '', 'x', '0', [], {}, [v], { value: v }, new Special('NaN'), new Special('undefined')];
  return r.pick(choices.filter((c) => typeof c !== typeof v || Array.isArray(c) !== Array.isArray(v)));
}

export type MutationName =
  | 'drop-field'
  | 'duplicate-key'
  | 'duplicate-element'
  | 'wrong-type'
  | 'huge-string'
  | 'unicode'
  | 'proto-key'
  | 'special-number'
  | 'deep-nesting'
  | 'unknown-type'
  | 'other-type'
  | 'non-object'
  | 'extra-field'
  | 'number-edge'
  | 'empty-object';

export const MUTATIONS: readonly MutationName[] = [
  'drop-field',
  'duplicate-key',
  'duplicate-element',
  'wrong-type',
  'huge-string',
  'unicode',
  'proto-key',
  'special-number',
  'deep-nesting',
  'unknown-type',
  'other-type',
  'non-object',
  'extra-field',
  'number-edge',
  'empty-object',
];

/** Applies one mutation in place where possible; returns the (possibly new) root. */
export function applyMutation(root: unknown, m: MutationName, r: Rng, types: readonly string[]): unknown {
  const all = slots(root);
  const objects = all.filter((s) => s.value !== null && typeof s.value === 'object' && !Array.isArray(s.value) && !(s.value instanceof Special));
  const arrays = all.filter((s) => Array.isArray(s.value));
  const strings = all.filter((s) => typeof s.value === 'string');
  const numbers = all.filter((s) => typeof s.value === 'number');
  const set = (s: Slot, v: unknown): unknown => {
    if (!s.parent) return v;
    (s.parent as Record<string | number, unknown>)[s.key!] = v;
    return root;
  };
  const pickOr = (xs: Slot[]): Slot => (xs.length ? r.pick(xs) : all[0]!);
  switch (m) {
    case 'drop-field': {
      const o = pickOr(objects).value as Record<string, unknown>;
      const keys = o && typeof o === 'object' ? Object.keys(o) : [];
      if (Array.isArray(o)) o.splice(r.int(0, o.length), 1);
      else if (keys.length) delete o[r.pick(keys)];
      return root;
    }
    case 'duplicate-key': {
      const o = pickOr(objects).value as WithDupes;
      const keys = o && typeof o === 'object' ? Object.keys(o) : [];
      if (keys.length) {
        const k = r.pick(keys);
        (o[DUPES] ??= []).push([k, r.chance(0.3) ? o[k] : r.chance(0.5) ? otherType(o[k], r) : randomJson(r)]);
      }
      return root;
    }
    case 'duplicate-element': {
      const s = arrays.length ? r.pick(arrays) : null;
      if (s && (s.value as unknown[]).length) (s.value as unknown[]).push((s.value as unknown[])[0]);
      else if (s) (s.value as unknown[]).push(randomJson(r));
      return root;
    }
    case 'wrong-type': {
      const s = r.pick(all.slice(all.length > 1 ? 1 : 0));
      return set(s, otherType(s.value, r));
    }
    case 'huge-string': {
      const s = strings.length ? r.pick(strings) : pickOr(all);
      // Mostly tens of kB; one in twenty is a megabyte (the page has to take it as well).
      const size = r.chance(0.05) ? 1_000_000 : r.pick([10_000, 64_000]);
      return set(
        s,
        r
          .pick(['x', 'ab', '🎉', '**b** ', '<b>', '\n'])
          .repeat(Math.ceil(size / 2))
          .slice(0, size),
      );
    }
    case 'unicode': {
      const s = strings.length ? r.pick(strings) : pickOr(all);
      const base = typeof s.value === 'string' ? s.value : '';
      const at = r.int(0, base.length);
      return set(s, base.slice(0, at) + Array.from({ length: r.int(1, 5) }, () => r.pick(UNICODE)).join('') + base.slice(at));
    }
    case 'proto-key': {
      const o = pickOr(objects).value;
      const k = r.pick(PROTO_KEYS);
      const v = r.pick<unknown>([{ polluted: true, type: 'state' }, null, 'x', 1, [], { toString: 'x' }]);
      if (o && typeof o === 'object' && !Array.isArray(o)) Object.defineProperty(o, k, { value: v, enumerable: true, configurable: true, writable: true });
      return root;
    }
    case 'special-number': {
      const s = numbers.length ? r.pick(numbers) : r.pick(all);
      return set(s, new Special(r.pick(['NaN', 'Infinity', '-Infinity', '-0', 'bigint', 'undefined', 'date'] as const)));
    }
    case 'number-edge': {
      const s = numbers.length ? r.pick(numbers) : r.pick(all);
      return set(s, r.pick([-1, 0.5, -0.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 31, -(2 ** 31), Number.MIN_VALUE]));
    }
    case 'deep-nesting':
      return set(r.pick(all), deepNest(r));
    case 'unknown-type': {
      const o = (objects.find((s) => s.parent === null) ?? pickOr(objects)).value as Record<string, unknown>;
      if (o && typeof o === 'object') o.type = r.pick([...TYPE_WORDS, randomText(r, r.int(1, 12))]);
      return root;
    }
    case 'other-type': {
      const o = all[0]!.value as Record<string, unknown>;
      if (o && typeof o === 'object' && !Array.isArray(o) && types.length) o.type = r.pick(types);
      return root;
    }
    case 'non-object':
      return r.pick<unknown>([
        null,
        new Special('undefined'),
        0,
        1,
        '',
        'state',
        '{"type":"state"}',
        true,
        [],
        [root],
        new Special('NaN'),
        new Special('bigint'),
        new Special('date'),
      ]);
    case 'extra-field': {
      const o = pickOr(objects).value as Record<string, unknown>;
      if (o && typeof o === 'object' && !Array.isArray(o)) o[r.pick(['extra', 'html', 'onclick', 'style', 'apiKey', 'x'])] = randomJson(r);
      return root;
    }
    case 'empty-object':
      return r.chance(0.5) ? {} : { type: all[0]!.value && typeof all[0]!.value === 'object' ? (all[0]!.value as Record<string, unknown>).type : 'state' };
  }
}

export interface FuzzMessage {
  index: number;
  /** The JSON text (with tags) that crosses the bridge. */
  text: string;
  /** Mutations applied ([] = a generated valid seed). */
  mutations: MutationName[];
}

/**
 * Message `index` of a run: a valid message from the schema (≈ 1 in 5), or one with 1–3
 * mutations. Built from `rngFor(index)` alone, so any message can be rebuilt from its index.
 */
export function fuzzMessage(schema: unknown, rng: Rng, index: number, types = messageTypes(schema)): FuzzMessage {
  let v = generate(schema, rng);
  const mutations: MutationName[] = [];
  if (!rng.chance(0.2)) {
    for (let i = rng.int(1, 3); i > 0; i--) {
      const m = rng.pick(MUTATIONS);
      mutations.push(m);
      v = applyMutation(v, m, rng, types);
    }
  }
  return { index, text: encode(v), mutations };
}

/** The path of the first issue of a failed parse, as "entries[0].text" (or "(root)"). */
export function issuePath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${String(p)}` : String(p);
  return s || '(root)';
}
