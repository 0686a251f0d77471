/**
 * Responses streams are mostly delta events (`response.output_text.delta`,
 * `response.function_call_arguments.delta`, reasoning deltas) that differ from the one before in
 * their `delta` string and in what the decoder never reads: `sequence_number` (every event has a
 * new one) and OpenAI's random `obfuscation` padding. The Chat Completions and Anthropic decoders'
 * one-string template (../openai/fragmentTemplate.ts) cannot match them; this one keeps the text of
 * one fully parsed delta event with holes at those three values. A later event that is that text
 * with other values of the same JSON types in the holes (a non-negative integer, a string) is
 * exactly the same object but for them, so only the delta string is read; anything else (another
 * item, logprobs, a key added or moved, whitespace) takes the full parse.
 */
const QUOTE = 34;
const BACKSLASH = 92;
const ZERO = 48;
const NINE = 57;

/** The hole keys: `delta` is read; the others are only checked for their type. */
const DELTA_KEY = '"delta":';
const SKIPPED_KEYS = ['"sequence_number":', '"obfuscation":'] as const;

type Hole = 'delta' | 'integer' | 'string';

/** Templates whose holes were proved to be the top-level keys (see holesAreTheKeys), oldest first. */
const PROVED = new Set<string>();
const MAX_PROVED = 64;

export class DeltaTemplate {
  /** Literal text around the holes: segments.length === holes.length + 1. */
  private readonly segments: string[];
  private readonly holes: Hole[];
  /** The event's type (`response.output_text.delta`, …). */
  readonly type: string;
  /** The event's output_index (the decoder maps it to a tool call); null when it has none. */
  readonly outputIndex: number | null;

  private constructor(segments: string[], holes: Hole[], type: string, outputIndex: number | null) {
    this.segments = segments;
    this.holes = holes;
    this.type = type;
    this.outputIndex = outputIndex;
  }

  /**
   * A template from an event already parsed in full (`ev`), or null when its text is not in the
   * expected form: each hole key written once (so the one in the text is the top-level one), with a
   * value of the expected type right after it.
   */
  static learn(data: string, ev: Record<string, unknown>): DeltaTemplate | null {
    if (typeof ev.type !== 'string' || typeof ev.delta !== 'string') return null;
    const found: { at: number; key: string; hole: Hole }[] = [];
    const keys: [string, Hole][] = [[DELTA_KEY, 'delta']];
    for (const k of SKIPPED_KEYS) {
      const name = k.slice(1, -2);
      if (ev[name] === undefined) continue;
      if (name === 'sequence_number' ? !Number.isSafeInteger(ev[name]) || (ev[name] as number) < 0 : typeof ev[name] !== 'string') return null;
      keys.push([k, name === 'sequence_number' ? 'integer' : 'string']);
    }
    for (const [key, hole] of keys) {
      const at = data.indexOf(key);
      if (at < 0 || data.indexOf(key, at + 1) >= 0) return null;
      found.push({ at: at + key.length, key, hole });
    }
    found.sort((a, b) => a.at - b.at);
    const segments: string[] = [];
    const holes: Hole[] = [];
    let pos = 0;
    for (const f of found) {
      if (f.at < pos) return null;
      const end = f.hole === 'integer' ? scanInteger(data, f.at) : scanString(data, f.at);
      if (end < 0) return null;
      segments.push(data.slice(pos, f.at));
      holes.push(f.hole);
      pos = end;
    }
    segments.push(data.slice(pos));
    const oi = ev.output_index;
    const t = new DeltaTemplate(segments, holes, ev.type, typeof oi === 'number' && Number.isFinite(oi) ? oi : null);
    // The proof depends only on the template's text: one already proved (the same item shape in
    // an earlier stream) need not be proved again.
    const key = `${holes.join(',')}\u0000${segments.join('\u0000')}`;
    if (PROVED.has(key)) return t;
    if (!t.holesAreTheKeys()) return null;
    PROVED.add(key);
    if (PROVED.size > MAX_PROVED) PROVED.delete(PROVED.values().next().value!);
    return t;
  }

  /**
   * Proof that each hole is the top-level key it stands for (not a lookalike in a nested object or
   * a key written with escapes, and not overridden by a duplicate key): the template filled with
   * other values parses to exactly those values.
   */
  private holesAreTheKeys(): boolean {
    const values: Record<Hole, [string, unknown]> = { delta: ['"\\u00e9 \\" x"', 'é " x'], integer: ['987654321', 987654321], string: ['"pad"', 'pad'] };
    let text = this.segments[0]!;
    for (let i = 0; i < this.holes.length; i++) text += values[this.holes[i]!][0] + this.segments[i + 1]!;
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return false;
    }
    const want: Record<string, Hole> = { delta: 'delta', sequence_number: 'integer', obfuscation: 'string' };
    for (const [key, hole] of Object.entries(want)) if (v[key] !== (this.holes.includes(hole) ? values[hole][1] : undefined)) return false;
    return v.type === this.type && this.match(text) === values.delta[1];
  }

  /** The delta when `data` is this template with other hole values; undefined otherwise (parse it in full). */
  match(data: string): string | undefined {
    const segs = this.segments;
    let pos = 0;
    let delta: string | undefined;
    for (let i = 0; i < this.holes.length; i++) {
      const s = segs[i]!;
      // Equality of slices, not startsWith (see fragmentTemplate.ts: faster on two-byte strings).
      if (data.slice(pos, pos + s.length) !== s) return undefined;
      pos += s.length;
      const hole = this.holes[i]!;
      if (hole === 'integer') {
        pos = scanInteger(data, pos);
        if (pos < 0) return undefined;
        continue;
      }
      const from = pos;
      pos = scanString(data, from);
      if (pos < 0) return undefined;
      const value = stringValue(data, from, pos);
      if (value === undefined) return undefined;
      if (hole === 'delta') delta = value;
    }
    const last = segs[segs.length - 1]!;
    if (data.length - pos !== last.length || data.slice(pos) !== last) return undefined;
    return delta;
  }
}

/** End (exclusive) of a JSON non-negative integer without leading zeros at `from`; -1 if there is none. */
function scanInteger(data: string, from: number): number {
  let i = from;
  const first = data.charCodeAt(i);
  if (!(first >= ZERO && first <= NINE)) return -1;
  i++;
  if (first === ZERO) return i;
  while (i < data.length) {
    const c = data.charCodeAt(i);
    if (c < ZERO || c > NINE) break;
    i++;
  }
  return i;
}

/** End (exclusive, after the closing quote) of a JSON string literal at `from`; -1 if there is none. */
function scanString(data: string, from: number): number {
  if (data.charCodeAt(from) !== QUOTE) return -1;
  for (let i = from + 1; i < data.length; i++) {
    const c = data.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i + 1;
    else if (c < 0x20) return -1;
  }
  return -1;
}

/** The value of the string literal data[from, to); undefined if its escapes are not valid JSON. */
function stringValue(data: string, from: number, to: number): string | undefined {
  const inner = data.slice(from + 1, to - 1);
  if (inner.indexOf('\\') < 0) return inner;
  try {
    const v: unknown = JSON.parse(data.slice(from, to));
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}
