/**
 * JSON Schema → what Gemini's function declarations accept, in two forms (a declaration carries
 * exactly one; the API refuses both together):
 * - `toGeminiSchema`: the OpenAPI-3 subset of `parameters` (has minLength/maxLength/pattern, no
 *   additionalProperties);
 * - `toGeminiJsonSchema`: the JSON Schema subset of `parametersJsonSchema` (and `responseJsonSchema`):
 *   the documented keywords only ($id, $defs, $ref, $anchor, type, format, title, description, enum,
 *   items, prefixItems, minItems, maxItems, minimum, maximum, anyOf, oneOf, properties,
 *   additionalProperties, required, propertyOrdering). Gemini accepts other keywords and ignores
 *   them, which would loosen the schema silently, so they are refused here.
 *
 * Exact or refused: a keyword is converted when Gemini has the same meaning (`const` → a one-value
 * `enum`, `["string","null"]` → `nullable`, `oneOf` of disjoint branches → `anyOf`, local `$ref`s
 * inlined, `exclusiveMinimum`/`exclusiveMaximum` on an integer → `minimum`/`maximum` one step in,
 * a `propertyNames` that only says "string" dropped: JSON property names are always strings);
 * dropped only when it does not constrain anything (annotations: `$schema`, `$id`,
 * `$comment`, `examples`, `deprecated`, `readOnly`, `writeOnly`, `format` values Gemini does not
 * know — JSON Schema makes `format` an annotation); `additionalProperties: false` is dropped from
 * `parameters` because Gemini's function calls only ever fill the declared properties. Anything
 * else (`allOf`, `not`, `if`, `patternProperties`, an `additionalProperties` schema in
 * `parameters`, recursive `$ref`s…) is refused with the path that has it.
 */

const KEEP = new Set([
  'type',
  'description',
  'title',
  'enum',
  'properties',
  'required',
  'items',
  'minItems',
  'maxItems',
  'minLength',
  'maxLength',
  'pattern',
  'minProperties',
  'maxProperties',
  'default',
  'nullable',
  'propertyOrdering',
  'example',
]);
const ANNOTATIONS = new Set(['$schema', '$id', '$comment', 'examples', 'deprecated', 'readOnly', 'writeOnly', '$defs', 'definitions']);
const FORMATS: Record<string, ReadonlySet<string>> = {
  string: new Set(['enum', 'date-time']),
  number: new Set(['float', 'double']),
  integer: new Set(['int32', 'int64']),
};

export class SchemaConversionError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.path = path;
  }
}

type Json = Record<string, unknown>;

export function toGeminiSchema(schema: Json, root: Json = schema, path = '#', seen: ReadonlySet<string> = new Set()): Json {
  if (typeof schema.$ref === 'string') {
    const ref = schema.$ref;
    if (seen.has(ref)) throw new SchemaConversionError(path, `recursive $ref "${ref}" cannot be expressed for Gemini`);
    const target = resolveRef(root, ref);
    if (!target) throw new SchemaConversionError(path, `$ref "${ref}" is not a local definition`);
    const { $ref: _r, ...rest } = schema;
    return toGeminiSchema({ ...target, ...rest }, root, path, new Set([...seen, ref]));
  }
  const out: Json = {};
  for (const [k, v] of Object.entries(schema)) {
    const at = `${path}/${k}`;
    if (ANNOTATIONS.has(k)) continue;
    switch (k) {
      case 'type':
        if (Array.isArray(v)) {
          const types = v.filter((t) => t !== 'null');
          if (types.length !== 1)
            throw new SchemaConversionError(at, `a union of types ${JSON.stringify(v)} cannot be expressed for Gemini (one type, optionally with "null")`);
          out.type = types[0];
          if (types.length < v.length) out.nullable = true;
        } else if (v === 'null') {
          throw new SchemaConversionError(at, 'a "null"-only type cannot be expressed for Gemini');
        } else out.type = v;
        break;
      case 'const':
        out.enum = [stringEnumValue(v, at)];
        if (schema.type === undefined) out.type = 'string';
        break;
      case 'enum':
        if (!Array.isArray(v)) throw new SchemaConversionError(at, 'enum must be an array');
        out.enum = v.filter((x) => x !== null).map((x) => stringEnumValue(x, at));
        if (v.includes(null)) out.nullable = true;
        if (schema.type === undefined) out.type = 'string';
        break;
      case 'format': {
        const allowed = FORMATS[String(Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type)];
        if (typeof v === 'string' && allowed?.has(v)) out.format = v;
        break;
      }
      case 'properties': {
        const props: Json = {};
        for (const [name, sub] of Object.entries(v as Json)) props[name] = toGeminiSchema(sub as Json, root, `${at}/${name}`, seen);
        out.properties = props;
        break;
      }
      case 'items':
        if (Array.isArray(v)) throw new SchemaConversionError(at, 'tuple items cannot be expressed for Gemini');
        out.items = toGeminiSchema(v as Json, root, at, seen);
        break;
      case 'anyOf':
      case 'oneOf': {
        // A `{type: "null"}` branch (how zod and pydantic say "nullable") becomes `nullable`.
        const raw = v as Json[];
        const kept = raw.filter((b) => b.type !== 'null');
        if (kept.length < raw.length) out.nullable = true;
        const branches = kept.map((b, i) => toGeminiSchema(b, root, `${at}/${i}`, seen));
        if (branches.length === 1) Object.assign(out, branches[0]);
        else out.anyOf = branches;
        if (k === 'oneOf' && branches.length > 1 && !disjointByType(branches))
          throw new SchemaConversionError(at, 'oneOf with overlapping branches cannot be expressed for Gemini (anyOf would accept more)');
        break;
      }
      case 'additionalProperties':
        if (v === false) break;
        throw new SchemaConversionError(at, "additionalProperties other than false cannot be expressed in Gemini's parameters");
      case 'minimum':
      case 'maximum':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
        tightenBound(out, schema, k, v, at);
        break;
      case 'propertyNames':
        vacuousPropertyNames(v, at);
        break;
      default:
        if (KEEP.has(k)) out[k] = v;
        else throw new SchemaConversionError(at, `the keyword "${k}" cannot be expressed for Gemini`);
    }
  }
  return out;
}

/**
 * `minimum`/`maximum` as given; `exclusiveMinimum: n` on an integer is exactly `minimum: floor(n)+1`
 * (and `exclusiveMaximum` → `maximum: ceil(n)-1`); with both, the stricter bound holds (JSON Schema
 * applies every keyword). On a number an exclusive bound has no equivalent and is refused.
 */
function tightenBound(out: Json, schema: Json, k: string, v: unknown, at: string): void {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new SchemaConversionError(at, `${k} must be a number (the draft-4 boolean form cannot be expressed for Gemini)`);
  let key: 'minimum' | 'maximum';
  let bound = v;
  if (k === 'exclusiveMinimum' || k === 'exclusiveMaximum') {
    const types = Array.isArray(schema.type) ? schema.type.filter((t) => t !== 'null') : [schema.type];
    if (types.length !== 1 || types[0] !== 'integer')
      throw new SchemaConversionError(at, `${k} on a non-integer cannot be expressed for Gemini (only inclusive minimum/maximum)`);
    key = k === 'exclusiveMinimum' ? 'minimum' : 'maximum';
    bound = key === 'minimum' ? Math.floor(v) + 1 : Math.ceil(v) - 1;
  } else key = k as 'minimum' | 'maximum';
  const prev = out[key];
  out[key] = typeof prev !== 'number' ? bound : key === 'minimum' ? Math.max(prev, bound) : Math.min(prev, bound);
}

/** `propertyNames: {type: "string"}` constrains nothing (JSON names are strings): dropped; any other is refused. */
function vacuousPropertyNames(v: unknown, at: string): void {
  if (v === true) return;
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const rest = Object.keys(v).filter((x) => !ANNOTATIONS.has(x) && x !== 'description' && x !== 'title');
    if (rest.length === 0 || (rest.length === 1 && (v as Json).type === 'string')) return;
  }
  throw new SchemaConversionError(at, 'propertyNames other than {"type": "string"} cannot be expressed for Gemini');
}

const JSON_KEEP = new Set(['type', 'title', 'description', 'minItems', 'maxItems', 'required', 'propertyOrdering']);

/** JSON Schema → the subset Gemini's `parametersJsonSchema` / `responseJsonSchema` honour (see the top). */
export function toGeminiJsonSchema(schema: Json, root: Json = schema, path = '#', seen: ReadonlySet<string> = new Set()): Json {
  if (typeof schema.$ref === 'string') {
    const ref = schema.$ref;
    if (seen.has(ref)) throw new SchemaConversionError(path, `recursive $ref "${ref}" is not sent to Gemini (it unrolls them only to a limited depth)`);
    const target = resolveRef(root, ref);
    if (!target) throw new SchemaConversionError(path, `$ref "${ref}" is not a local definition`);
    const { $ref: _r, ...rest } = schema;
    return toGeminiJsonSchema({ ...target, ...rest }, root, path, new Set([...seen, ref]));
  }
  const out: Json = {};
  const sub = (v: unknown, at: string): Json | boolean => {
    if (typeof v === 'boolean') return v;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new SchemaConversionError(at, 'a schema must be an object');
    return toGeminiJsonSchema(v as Json, root, at, seen);
  };
  for (const [k, v] of Object.entries(schema)) {
    const at = `${path}/${k}`;
    if (ANNOTATIONS.has(k) || k === 'default' || k === 'example') continue;
    switch (k) {
      case 'const':
        out.enum = [jsonEnumValue(v, at)];
        break;
      case 'enum':
        if (!Array.isArray(v)) throw new SchemaConversionError(at, 'enum must be an array');
        out.enum = v.map((x) => jsonEnumValue(x, at));
        break;
      case 'format':
        if (typeof v === 'string') out.format = v;
        break;
      case 'properties': {
        const props: Json = {};
        for (const [name, s] of Object.entries(v as Json)) props[name] = sub(s, `${at}/${name}`);
        out.properties = props;
        break;
      }
      case 'items':
        if (Array.isArray(v)) throw new SchemaConversionError(at, 'tuple items (draft 4) are not sent to Gemini; use prefixItems');
        out.items = sub(v, at);
        break;
      case 'prefixItems':
        out.prefixItems = (v as unknown[]).map((b, i) => sub(b, `${at}/${i}`));
        break;
      case 'additionalProperties':
        out.additionalProperties = sub(v, at);
        break;
      case 'anyOf':
      case 'oneOf': {
        const branches = (v as unknown[]).map((b, i) => sub(b, `${at}/${i}`));
        // Gemini reads oneOf as anyOf: the same only when no value can match two branches.
        if (k === 'oneOf' && branches.length > 1 && !disjointByType(branches.filter((b): b is Json => typeof b === 'object')))
          throw new SchemaConversionError(at, 'oneOf with overlapping branches cannot be expressed for Gemini (it reads oneOf as anyOf, which accepts more)');
        out.anyOf = branches;
        break;
      }
      case 'minimum':
      case 'maximum':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
        tightenBound(out, schema, k, v, at);
        break;
      case 'propertyNames':
        vacuousPropertyNames(v, at);
        break;
      default:
        if (JSON_KEEP.has(k)) out[k] = v;
        else throw new SchemaConversionError(at, `the keyword "${k}" is not honoured by Gemini's JSON Schema support (it would be ignored)`);
    }
  }
  return out;
}

function jsonEnumValue(v: unknown, at: string): string | number {
  if (typeof v === 'string' || typeof v === 'number') return v;
  throw new SchemaConversionError(at, `Gemini enums take strings and numbers only, not ${JSON.stringify(v)}`);
}

function stringEnumValue(v: unknown, at: string): string {
  if (typeof v === 'string') return v;
  throw new SchemaConversionError(at, `Gemini enums take strings only, not ${JSON.stringify(v)}`);
}

function disjointByType(branches: Json[]): boolean {
  const types = branches.map((b) => b.type);
  return types.every((t) => typeof t === 'string') && new Set(types).size === types.length;
}

function resolveRef(root: Json, ref: string): Json | null {
  if (!ref.startsWith('#/')) return null;
  let cur: unknown = root;
  for (const seg of ref.slice(2).split('/')) {
    const key = seg.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!cur || typeof cur !== 'object') return null;
    cur = (cur as Json)[key];
  }
  return cur && typeof cur === 'object' && !Array.isArray(cur) ? (cur as Json) : null;
}
