/**
 * JSON Schema → the OpenAPI-3 subset Gemini's `functionDeclarations[].parameters` accepts.
 *
 * Exact or refused: a keyword is converted when Gemini has the same meaning (`const` → a one-value
 * `enum`, `["string","null"]` → `nullable`, `oneOf` of disjoint branches → `anyOf`, local `$ref`s
 * inlined); dropped only when it does not constrain anything (annotations: `$schema`, `$id`,
 * `$comment`, `examples`, `deprecated`, `readOnly`, `writeOnly`, `format` values Gemini does not
 * know — JSON Schema makes `format` an annotation); `additionalProperties: false` is dropped
 * because Gemini's function calls only ever fill the declared properties. Anything else
 * (`allOf`, `not`, `if`, `patternProperties`, an `additionalProperties` schema, recursive `$ref`s…)
 * is refused with the path that has it.
 */

const KEEP = new Set(['type', 'description', 'title', 'enum', 'properties', 'required', 'items', 'minItems', 'maxItems', 'minimum', 'maximum', 'minLength', 'maxLength', 'pattern', 'minProperties', 'maxProperties', 'default', 'nullable', 'propertyOrdering', 'example']);
const ANNOTATIONS = new Set(['$schema', '$id', '$comment', 'examples', 'deprecated', 'readOnly', 'writeOnly', '$defs', 'definitions']);
const FORMATS: Record<string, ReadonlySet<string>> = { string: new Set(['enum', 'date-time']), number: new Set(['float', 'double']), integer: new Set(['int32', 'int64']) };

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
          if (types.length !== 1) throw new SchemaConversionError(at, `a union of types ${JSON.stringify(v)} cannot be expressed for Gemini (one type, optionally with "null")`);
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
        if (k === 'oneOf' && branches.length > 1 && !disjointByType(branches)) throw new SchemaConversionError(at, 'oneOf with overlapping branches cannot be expressed for Gemini (anyOf would accept more)');
        break;
      }
      case 'additionalProperties':
        if (v === false) break;
        throw new SchemaConversionError(at, 'additionalProperties other than false cannot be expressed for Gemini');
      default:
        if (KEEP.has(k)) out[k] = v;
        else throw new SchemaConversionError(at, `the keyword "${k}" cannot be expressed for Gemini`);
    }
  }
  return out;
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
