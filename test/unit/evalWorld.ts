/**
 * The scripted eval world shared by the runner, CLI and VS Code tests: a set of 5 prompts × 2
 * checks, and three fakes (OpenAI, Anthropic, Gemini protocols) whose answers are scripted per
 * prompt so each model passes a known number of checks:
 *   openai/gpt-4o-mini 10/10, anthropic/claude-sonnet-4 7/10, google/gemini-2.5-flash 3/10.
 */
import type { FakeServer, RecordedRequest, Scenario } from '../fakes/types.ts';

export const EVAL_MODELS = ['openai/gpt-4o-mini', 'anthropic/claude-sonnet-4', 'google/gemini-2.5-flash'] as const;

const WORDS = ['paris', 'tokyo', 'lima', 'oslo', 'cairo'];

/** The test set: each prompt asks for "ANSWER: <word>." and checks the word and the form. */
export const EVAL_SET = {
  name: 'capitals',
  tags: ['geo'],
  defaults: { maxTokens: 50, temperature: 0 },
  prompts: WORDS.map((w, i) => ({
    id: `q${i + 1}`,
    prompt: `Q${i + 1}: name the capital city number ${i + 1}. Reply as "ANSWER: <city>."`,
    checks: [
      { type: 'contains', value: w, ignoreCase: true },
      { type: 'regex', pattern: '^ANSWER: ' },
    ],
  })),
};

/** Per model: for q1..q5, good (both checks), half (contains only) or bad (neither). */
const PLAN: Record<string, ('good' | 'half' | 'bad')[]> = {
  openai: ['good', 'good', 'good', 'good', 'good'],
  anthropic: ['good', 'good', 'good', 'half', 'bad'],
  gemini: ['good', 'half', 'bad', 'bad', 'bad'],
};
export const EXPECTED_CHECKS_PASSED = { 'openai/gpt-4o-mini': 10, 'anthropic/claude-sonnet-4': 7, 'google/gemini-2.5-flash': 3 } as const;

/** Prices (USD per 1M tokens) the config sets, and the usage every answer reports: costs are exact. */
export const EVAL_PRICING = {
  'openai/gpt-4o-mini': { input: 1, output: 2 },
  'anthropic/claude-sonnet-4': { input: 3, output: 15 },
  'google/gemini-2.5-flash': { input: 0.5, output: 1 },
};
export const USAGE = { input: 100, output: 20 };
/** One answer's cost by model: (100 × input + 20 × output) / 1e6. */
export const CELL_COST = { 'openai/gpt-4o-mini': 0.00014, 'anthropic/claude-sonnet-4': 0.0006, 'google/gemini-2.5-flash': 0.00007 } as const;

function question(req: RecordedRequest): number {
  const m = /Q(\d): name the capital/.exec(JSON.stringify(req.body));
  if (!m) throw new Error(`unscripted request: ${JSON.stringify(req.body).slice(0, 200)}`);
  return Number(m[1]) - 1;
}

/** `plan`: whose answers to give (openai: all good, anthropic: 7/10 checks, gemini: 3/10). */
export function scriptedAnswer(plan: 'openai' | 'anthropic' | 'gemini', req: RecordedRequest): Scenario {
  const q = question(req);
  const w = WORDS[q]!;
  const kind = PLAN[plan]![q]!;
  const text = kind === 'good' ? `ANSWER: ${w[0]!.toUpperCase()}${w.slice(1)}.` : kind === 'half' ? `I think it is ${w}.` : 'I do not know.';
  return { text, usage: { ...USAGE } };
}

/** Makes the three fakes answer by the plan. */
export function scriptEvalFakes(fakes: { openai: FakeServer; anthropic: FakeServer; gemini: FakeServer }): void {
  for (const p of ['openai', 'anthropic', 'gemini'] as const) fakes[p].setDefault((req) => scriptedAnswer(p, req));
}
