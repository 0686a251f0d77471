/**
 * Numbers in command-line flags: plain decimals only. `Number()` alone takes "" and " " as 0,
 * "0x10" as 16 and "Infinity": `--threshold "$T"` with T unset would pass every eval, `--port ''`
 * would pick a random port. Anything else is NaN, which every flag's own check rejects by name.
 */
export function decimalArg(raw: string): number {
  return /^\s*(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?\s*$/i.test(raw) ? Number(raw) : Number.NaN;
}
