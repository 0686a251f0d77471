/**
 * Gemini often gives function calls no id; ours need one to pair results with calls. Each call
 * gets a new one: an id derived from the call itself would repeat whenever the model makes the
 * same call again in a later turn (an agent re-reading a file), and Anthropic's API refuses a
 * conversation whose tool_use ids repeat ("tool_use ids must be unique"); agents that key tool
 * results by id would confuse the two. The id travels with the turn (the client sends it back), so
 * nothing has to derive it again. The prefix marks it as ours: it is never sent to Gemini as if
 * Gemini had made it.
 */
export const GENERATED_ID_PREFIX = 'gcall_';

/** A new id for the `index`th call of a turn: `gcall_<index>_<16 random hex digits>`. */
export function geminiCallId(index: number): string {
  return `${GENERATED_ID_PREFIX}${index}_${crypto.randomUUID().replace(/-/g, '').slice(0, 16)}`;
}

export function isGeneratedId(id: string): boolean {
  return id.startsWith(GENERATED_ID_PREFIX);
}
