/**
 * Gemini often gives function calls no id; ours need one to pair results with calls. The id is
 * derived from the call itself (name, arguments, position in the turn), so the same turn re-sent
 * in a later request maps to the same id, whichever process made it. The prefix marks it as
 * ours: it is never sent to Gemini as if Gemini had made it.
 */
export const GENERATED_ID_PREFIX = 'gcall_';

export function geminiCallId(name: string, args: string, index: number): string {
  // FNV-1a, 32-bit, twice with different seeds: short, stable, no crypto dependency.
  const input = `${index}\u0000${name}\u0000${args}`;
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x5bd1e995) >>> 0;
  }
  return `${GENERATED_ID_PREFIX}${index}_${a.toString(16).padStart(8, '0')}${b.toString(16).padStart(8, '0')}`;
}

export function isGeneratedId(id: string): boolean {
  return id.startsWith(GENERATED_ID_PREFIX);
}
