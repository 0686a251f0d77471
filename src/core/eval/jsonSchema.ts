/**
 * A careful subset of JSON Schema (no validator is a dependency). Keywords it does not implement
 * are refused up front, by name, so a schema never passes an answer because a rule was ignored.
 */

/** Keywords that only describe (they constrain nothing). */
const ANNOTATIONS = new Set(['$schema', '$id', '$comment', 'title', 'description', 'default', 'examples', 'deprecated', 'readOnly', 'writeOnly']);
const IMPLEMENTED = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'uniqueItems',
  'anyOf',
  'oneOf',
  'allOf',
  'not',
]);
const TYPES = new Set(['object', 'array', 'string', 'number', 'integer', 'boolean', 'null']);

type Schema = Record<string, unknown>;
const isObj = (v: unknown): v is Schema => !!v && typeof v === 'object' && !Array.isArray(v);

/** Problems with the schema itself (unsupported keywords, malformed values); empty when it can be used. */
export function schemaProblems(schema: unknown, at = '#'): string[] {
  if (schema === true || schema === false) return [];
  if (!isObj(schema)) return [`${at}: a schema must be an object`];
  const out: string[] = [];
  for (const [k, v] of Object.entries(schema)) {
    if (ANNOTATIONS.has(k)) continue;
    if (!IMPLEMENTED.has(k)) {
      out.push(`${at}: the keyword "${k}" is not supported by Switchboard's JSON Schema checks (supported: ${[...IMPLEMENTED].join(', ')})`);
      continue;
    }
    if (k === 'type') {
      const ts = Array.isArray(v) ? v : [v];
      for (const t of ts) if (typeof t !== 'string' || !TYPES.has(t)) out.push(`${at}/type: unknown type ${JSON.stringify(t)}`);
    } else if (k === 'properties') {
      if (!isObj(v)) out.push(`${at}/properties: must be an object`);
      else for (const [p, s] of Object.entries(v)) out.push(...schemaProblems(s, `${at}/properties/${p}`));
    } else if (k === 'items' || k === 'not' || (k === 'additionalProperties' && typeof v !== 'boolean')) {
      out.push(...schemaProblems(v, `${at}/${k}`));
    } else if (k === 'anyOf' || k === 'oneOf' || k === 'allOf') {
      if (!Array.isArray(v) || v.length === 0) out.push(`${at}/${k}: must be a non-empty array`);
      else v.forEach((s, i) => out.push(...schemaProblems(s, `${at}/${k}/${i}`)));
    } else if (k === 'required') {
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) out.push(`${at}/required: must be an array of names`);
    } else if (k === 'enum') {
      if (!Array.isArray(v)) out.push(`${at}/enum: must be an array`);
    } else if (k === 'pattern') {
      try {
        new RegExp(String(v), 'u');
      } catch (e) {
        out.push(`${at}/pattern: ${(e as Error).message}`);
      }
    } else if (k === 'additionalProperties' || k === 'const') {
      // a boolean additionalProperties, or any const value
    } else if (k === 'uniqueItems') {
      if (typeof v !== 'boolean') out.push(`${at}/uniqueItems: must be true or false`);
    } else if (typeof v !== 'number') {
      out.push(`${at}/${k}: must be a number`);
    }
  }
  return out;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || !a || !b) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => equal((a as Schema)[k], (b as Schema)[k]));
}

/** Where `value` breaks `schema` (the first few problems); empty when it is valid. Call schemaProblems first. */
export function validateJson(value: unknown, schema: unknown, at = '$'): string[] {
  if (schema === true) return [];
  if (schema === false) return [`${at}: no value is allowed here`];
  const s = schema as Schema;
  const out: string[] = [];
  if (s.type !== undefined) {
    const ts = (Array.isArray(s.type) ? s.type : [s.type]) as string[];
    const t = typeOf(value);
    const ok = ts.some((x) => x === t || (x === 'integer' && Number.isInteger(value)) || (x === 'number' && t === 'number'));
    if (!ok) return [`${at}: expected ${ts.join(' or ')}, got ${t}`];
  }
  if (s.enum !== undefined && !(s.enum as unknown[]).some((e) => equal(e, value))) out.push(`${at}: must be one of ${JSON.stringify(s.enum)}`);
  if ('const' in s && !equal(s.const, value)) out.push(`${at}: must be ${JSON.stringify(s.const)}`);
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) out.push(`${at}: ${value} < minimum ${s.minimum}`);
    if (typeof s.maximum === 'number' && value > s.maximum) out.push(`${at}: ${value} > maximum ${s.maximum}`);
    if (typeof s.exclusiveMinimum === 'number' && value <= s.exclusiveMinimum) out.push(`${at}: ${value} <= exclusiveMinimum ${s.exclusiveMinimum}`);
    if (typeof s.exclusiveMaximum === 'number' && value >= s.exclusiveMaximum) out.push(`${at}: ${value} >= exclusiveMaximum ${s.exclusiveMaximum}`);
  }
  if (typeof value === 'string') {
    const len = [...value].length;
    if (typeof s.minLength === 'number' && len < s.minLength) out.push(`${at}: shorter than ${s.minLength} characters`);
    if (typeof s.maxLength === 'number' && len > s.maxLength) out.push(`${at}: longer than ${s.maxLength} characters`);
    if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(value)) out.push(`${at}: does not match ${s.pattern}`);
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === 'number' && value.length < s.minItems) out.push(`${at}: fewer than ${s.minItems} items`);
    if (typeof s.maxItems === 'number' && value.length > s.maxItems) out.push(`${at}: more than ${s.maxItems} items`);
    if (s.uniqueItems === true && value.some((v, i) => value.findIndex((w) => equal(v, w)) !== i)) out.push(`${at}: items are not unique`);
    if (s.items !== undefined) value.forEach((v, i) => out.push(...validateJson(v, s.items, `${at}[${i}]`)));
  }
  if (isObj(value)) {
    for (const r of (s.required as string[] | undefined) ?? []) if (!(r in value)) out.push(`${at}: missing required property "${r}"`);
    const props = (s.properties as Schema | undefined) ?? {};
    for (const [k, v] of Object.entries(value)) {
      if (k in props) out.push(...validateJson(v, props[k], `${at}.${k}`));
      else if (s.additionalProperties === false) out.push(`${at}: property "${k}" is not allowed`);
      else if (isObj(s.additionalProperties)) out.push(...validateJson(v, s.additionalProperties, `${at}.${k}`));
    }
  }
  if (Array.isArray(s.allOf)) for (const sub of s.allOf) out.push(...validateJson(value, sub, at));
  if (Array.isArray(s.anyOf) && !s.anyOf.some((sub) => validateJson(value, sub, at).length === 0)) out.push(`${at}: matches none of anyOf`);
  if (Array.isArray(s.oneOf)) {
    const n = s.oneOf.filter((sub) => validateJson(value, sub, at).length === 0).length;
    if (n !== 1) out.push(`${at}: matches ${n} of oneOf (exactly 1 needed)`);
  }
  if (s.not !== undefined && validateJson(value, s.not, at).length === 0) out.push(`${at}: must not match the "not" schema`);
  return out.slice(0, 5);
}
