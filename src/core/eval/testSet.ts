/**
 * The test-set file format (`.switchboard/evals/*.json`): prompts, their context, their checks.
 * JSON only: no YAML parser is a dependency (promptfoo's YAML is read by promptfoo.ts, a subset).
 * Every problem names the file, the field and the fix.
 */
import { z } from 'zod';
import { SwitchboardError } from '../errors.ts';
import { schemaProblems } from './jsonSchema.ts';
import { jsonSyntaxError } from '../config.ts';
import { withoutBom } from '../userFile.ts';

const modelId = z.string().includes('/', { message: 'must be a "provider/model" id (or route/<id>)' });

/** A file (or some of its lines) whose text is put in front of the prompt. */
export const ContextSchema = z
  .object({
    /** Relative to the workspace (the folder holding `.switchboard/`). */
    file: z.string().min(1),
    /** 1-based, inclusive: a selection of the file. */
    startLine: z.number().int().positive().optional(),
    endLine: z.number().int().positive().optional(),
  })
  .strict()
  .refine((c) => c.startLine === undefined || c.endLine === undefined || c.endLine >= c.startLine, {
    message: 'endLine must not be before startLine',
    path: ['endLine'],
  });

const base = { label: z.string().optional() };

export const CheckSchema = z.discriminatedUnion('type', [
  z.object({ ...base, type: z.literal('contains'), value: z.string().min(1), ignoreCase: z.boolean().optional(), negate: z.boolean().optional() }).strict(),
  z
    .object({
      ...base,
      type: z.literal('regex'),
      pattern: z.string().min(1),
      flags: z
        .string()
        .regex(/^[imsu]*$/, 'flags may be i, m, s, u')
        .optional(),
      negate: z.boolean().optional(),
    })
    .strict(),
  z.object({ ...base, type: z.literal('json-schema'), schema: z.record(z.string(), z.unknown()) }).strict(),
  z
    .object({
      ...base,
      type: z.literal('javascript'),
      /** An expression, or a function body with `return`, over `output`, `prompt`, `model`. */
      code: z.string().min(1),
      /** For code that returns a number: it passes at or above this. */
      threshold: z.number().optional(),
      timeoutMs: z.number().int().positive().max(10_000).optional(),
    })
    .strict(),
  z
    .object({
      ...base,
      type: z.literal('rubric'),
      rubric: z.string().min(1),
      /** The judge's score (0–1) at or above which the check passes. */
      threshold: z.number().min(0).max(1).optional(),
      /** Overrides the set's judge model. */
      judge: modelId.optional(),
    })
    .strict(),
]);

/** Code that is run: the answer's change to `file` is applied in a scratch copy, then `command` runs there. */
export const CodeRunSchema = z
  .object({
    file: z.string().min(1),
    command: z.string().min(1),
    timeoutMs: z.number().int().positive().max(600_000).optional(),
  })
  .strict();

export const PromptSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9._-]+$/, 'use letters, digits, ".", "_" or "-"'),
    prompt: z.string().min(1, 'the prompt is empty'),
    system: z.string().optional(),
    context: z.array(ContextSchema).optional(),
    checks: z.array(CheckSchema).optional(),
    tags: z.array(z.string().min(1)).optional(),
    codeRun: CodeRunSchema.optional(),
  })
  .strict();

export const TestSetSchema = z
  .object({
    name: z.string().min(1).optional(),
    description: z.string().optional(),
    /** Task tags every prompt has (the leaderboard ranks per tag). */
    tags: z.array(z.string().min(1)).optional(),
    /** Models to run when none are given on the command line. */
    models: z.array(modelId).optional(),
    judge: z.object({ model: modelId, maxTokens: z.number().int().positive().optional() }).strict().optional(),
    defaults: z
      .object({
        system: z.string().optional(),
        maxTokens: z.number().int().positive().optional(),
        temperature: z.number().min(0).max(2).optional(),
        /** Checks every prompt gets, before its own. */
        checks: z.array(CheckSchema).optional(),
      })
      .strict()
      .optional(),
    /** The run fails (exit 1 in the CLI) when a model's pass rate is below this (0–1). */
    threshold: z
      .object({ passRate: z.number().min(0).max(1) })
      .strict()
      .optional(),
    prompts: z.array(PromptSchema).min(1, 'a test set needs at least one prompt'),
  })
  .strict()
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.prompts.forEach((p, i) => {
      if (seen.has(p.id)) ctx.addIssue({ code: 'custom', path: ['prompts', i, 'id'], message: `the id "${p.id}" is used twice; give each prompt its own id` });
      seen.add(p.id);
      const checks = [...(s.defaults?.checks ?? []), ...(p.checks ?? [])];
      checks.forEach((c, j) => {
        if (c.type === 'rubric' && !c.judge && !s.judge)
          ctx.addIssue({
            code: 'custom',
            path: ['prompts', i, 'checks', j],
            message: 'a rubric check needs a judge model: add "judge": {"model": "provider/model"} to the set, or "judge" to the check',
          });
      });
    });
  });

export type TestSet = z.infer<typeof TestSetSchema>;
export type EvalPrompt = z.infer<typeof PromptSchema>;
export type Check = z.infer<typeof CheckSchema>;
export type ContextRef = z.infer<typeof ContextSchema>;
export type CodeRun = z.infer<typeof CodeRunSchema>;

/** A field path as the user reads it: prompts[2].checks[0].pattern */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out || '(the top level)';
}

function fixFor(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return `remove ${issue.keys.map((k) => `"${k}"`).join(', ')} (a misspelt field is an error, not ignored)`;
    case 'invalid_union':
      return 'use a check "type" of contains, regex, json-schema, javascript or rubric';
    case 'invalid_type':
      return `give a ${issue.expected}`;
    default:
      return '';
  }
}

/** Parses and validates a test set; `file` names it in errors. Regexes are compiled here so a bad one fails before any money is spent. */
export function parseTestSet(text: string, file: string): TestSet {
  let raw: unknown;
  try {
    raw = JSON.parse(withoutBom(text));
  } catch (e) {
    // The place, not V8's message: that quotes the text around the error (a prompt may hold a secret).
    const { what, at } = jsonSyntaxError(withoutBom(text), (e as Error).message);
    throw new SwitchboardError({
      kind: 'config',
      message: `${file}: not valid JSON: ${what} at ${at}`,
      fix: `fix the JSON syntax in ${file} at ${at}; test sets are JSON files`,
    });
  }
  const r = TestSetSchema.safeParse(raw);
  if (!r.success) {
    const lines = r.error.issues.slice(0, 8).map((i) => {
      const fix = fixFor(i);
      return `${fieldPath(i.path)}: ${i.message}${fix ? ` — ${fix}` : ''}`;
    });
    throw new SwitchboardError({
      kind: 'config',
      message: `${file}: invalid test set:\n  ${lines.join('\n  ')}`,
      fix: 'see the README section "Evals" for the format',
    });
  }
  const set = r.data;
  const all = (p: EvalPrompt): Check[] => [...(set.defaults?.checks ?? []), ...(p.checks ?? [])];
  set.prompts.forEach((p, i) =>
    all(p).forEach((c, j) => {
      if (c.type === 'json-schema') {
        const problems = schemaProblems(c.schema);
        if (problems.length)
          throw new SwitchboardError({
            kind: 'config',
            message: `${file}: prompts[${i}] check ${j}: ${problems.join('; ')}`,
            fix: 'drop the unsupported keywords or express them with the supported ones (a check never passes by ignoring a rule)',
          });
        return;
      }
      if (c.type !== 'regex') return;
      try {
        new RegExp(c.pattern, c.flags);
      } catch (e) {
        throw new SwitchboardError({
          kind: 'config',
          message: `${file}: prompts[${i}] check ${j}: the regex ${JSON.stringify(c.pattern)} does not compile (${(e as Error).message})`,
          fix: 'fix the pattern (JavaScript RegExp syntax; backslashes are doubled in JSON)',
        });
      }
    }),
  );
  return set;
}

/** The checks one prompt gets: the set's defaults, then its own. */
export function checksOf(set: TestSet, p: EvalPrompt): Check[] {
  return [...(set.defaults?.checks ?? []), ...(p.checks ?? [])];
}

/** A check's name in the grid. */
export function checkLabel(c: Check): string {
  if (c.label) return c.label;
  switch (c.type) {
    case 'contains':
      return `${c.negate ? 'not ' : ''}contains "${c.value}"`;
    case 'regex':
      return `${c.negate ? 'not ' : ''}matches /${c.pattern}/${c.flags ?? ''}`;
    case 'json-schema':
      return 'JSON Schema';
    case 'javascript':
      return 'JavaScript';
    case 'rubric':
      return `rubric: ${c.rubric.length > 40 ? `${c.rubric.slice(0, 39)}…` : c.rubric}`;
  }
}
