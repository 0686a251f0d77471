/**
 * How deep a JSON text nests, found without parsing it: one pass over the bytes, counting
 * brackets outside strings. The gateway runs it before JSON.parse so that a body of a few MB of
 * `[[[[…` is refused in microseconds instead of blocking the event loop in the parser and
 * everything that walks the result afterwards.
 */

/** Real requests nest a few levels (tool schemas a few more); 64 is far beyond them. */
export const DEFAULT_MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/** True when `json` nests objects/arrays deeper than `maxDepth`. Malformed text is left to JSON.parse. */
export function exceedsJsonDepth(json: Uint8Array, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i]!;
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return false;
}
