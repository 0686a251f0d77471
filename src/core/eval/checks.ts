/** Running one check on one answer. A check that cannot be run fails with the reason; it never passes by default. */
import { createContext, Script } from 'node:vm';
import { schemaProblems, validateJson } from './jsonSchema.ts';
import { checkLabel, type Check } from './testSet.ts';

export interface CheckResult {
  /** A check of the set, or `command`: the prompt's codeRun (the change applied, the command run). */
  type: Check['type'] | 'command';
  label: string;
  pass: boolean;
  reason: string;
  /** Rubric: the judge's score, 0–1. */
  score?: number;
  /** Rubric: what the judge's own answer cost (null: unknown price). */
  judgeCostUsd?: number | null;
}

/** What a rubric check asks of a judge model. */
export type Judge = (args: {
  rubric: string;
  prompt: string;
  answer: string;
  model: string | undefined;
}) => Promise<{ score: number; reason: string; costUsd: number | null }>;

export interface CheckInput {
  answer: string;
  prompt: string;
  /** The model that answered (the JavaScript check sees it). */
  model: string;
}

const DEFAULT_JS_TIMEOUT_MS = 1000;

/** The JSON in an answer: all of it, or the first ```json fenced block. */
export function answerJson(text: string): { ok: true; value: unknown } | { ok: false; why: string } {
  const candidates = [text.trim()];
  const fenced = /```(?:json)?[ \t]*\n([\s\S]*?)\n?```/.exec(text);
  if (fenced) candidates.push(fenced[1]!.trim());
  for (const c of candidates) {
    try {
      return { ok: true, value: JSON.parse(c) };
    } catch {
      // try the next reading
    }
  }
  return { ok: false, why: 'the answer holds no JSON (neither the whole answer nor a ```json block parses)' };
}

/**
 * Runs a JavaScript predicate in a fresh V8 context: no require, process, timers or host objects
 * (its inputs go in as one JSON string and come out as one), and a timeout. This keeps honest
 * mistakes contained; node:vm is not a sandbox against hostile code, which is why the extension
 * refuses these checks in untrusted workspaces.
 */
export function runJavaScript(code: string, input: CheckInput, timeoutMs = DEFAULT_JS_TIMEOUT_MS, threshold?: number): { pass: boolean; reason: string } {
  const body = /\breturn\b/.test(code) ? code : `return (${code}\n);`;
  const source = `(() => {
  const { output, prompt, model } = JSON.parse(__input);
  const __r = (function (output, prompt, model) { "use strict";\n${body}\n})(output, prompt, model);
  if (__r && typeof __r.then === 'function') return JSON.stringify({ error: 'the code returned a promise; checks must be synchronous' });
  if (typeof __r === 'boolean') return JSON.stringify({ pass: __r });
  if (typeof __r === 'number') return JSON.stringify({ score: __r });
  if (__r && typeof __r === 'object' && typeof __r.pass === 'boolean') return JSON.stringify({ pass: __r.pass, reason: __r.reason === undefined ? undefined : String(__r.reason) });
  return JSON.stringify({ error: 'the code must return true/false, a number (with "threshold"), or { pass, reason }; it returned ' + (typeof __r) });
})()`;
  const ctx = createContext(
    { __input: JSON.stringify({ output: input.answer, prompt: input.prompt, model: input.model }) },
    { codeGeneration: { strings: false, wasm: false }, microtaskMode: 'afterEvaluate' },
  );
  let raw: unknown;
  try {
    raw = new Script(source, { filename: 'check.js' }).runInContext(ctx, { timeout: timeoutMs });
  } catch (e) {
    const msg = (e as Error)?.message ?? String(e);
    return { pass: false, reason: /timed out/i.test(msg) ? `timed out after ${timeoutMs} ms` : `threw: ${msg}` };
  }
  const r = JSON.parse(String(raw)) as { pass?: boolean; score?: number; reason?: string; error?: string };
  if (r.error) return { pass: false, reason: r.error };
  if (r.score !== undefined) {
    if (threshold === undefined) return { pass: false, reason: `returned the number ${r.score}; set "threshold" to say which numbers pass` };
    return { pass: r.score >= threshold, reason: `score ${r.score} ${r.score >= threshold ? '≥' : '<'} threshold ${threshold}` };
  }
  return { pass: r.pass === true, reason: r.reason ?? (r.pass ? 'returned true' : 'returned false') };
}

export async function runCheck(check: Check, input: CheckInput, judge: Judge | null, allowCode = true): Promise<CheckResult> {
  const label = checkLabel(check);
  const done = (pass: boolean, reason: string, extra: Partial<CheckResult> = {}): CheckResult => ({ type: check.type, label, pass, reason, ...extra });
  const text = input.answer;
  switch (check.type) {
    case 'contains': {
      const found = check.ignoreCase ? text.toLowerCase().includes(check.value.toLowerCase()) : text.includes(check.value);
      return done(found !== !!check.negate, `${found ? 'contains' : 'does not contain'} "${check.value}"`);
    }
    case 'regex': {
      const m = new RegExp(check.pattern, check.flags).test(text);
      return done(m !== !!check.negate, `${m ? 'matches' : 'does not match'} /${check.pattern}/${check.flags ?? ''}`);
    }
    case 'json-schema': {
      const problems = schemaProblems(check.schema);
      if (problems.length) return done(false, `the check's schema cannot be used: ${problems.join('; ')}`);
      const j = answerJson(text);
      if (!j.ok) return done(false, j.why);
      const errors = validateJson(j.value, check.schema);
      return done(errors.length === 0, errors.length ? errors.join('; ') : 'valid against the schema');
    }
    case 'javascript': {
      if (!allowCode) return done(false, 'not run: JavaScript checks run only in trusted workspaces');
      const r = runJavaScript(check.code, input, check.timeoutMs, check.threshold);
      return done(r.pass, r.reason);
    }
    case 'rubric': {
      if (!judge) return done(false, 'no judge model to grade the rubric');
      try {
        const j = await judge({ rubric: check.rubric, prompt: input.prompt, answer: text, model: check.judge });
        const threshold = check.threshold ?? 0.5;
        return done(j.score >= threshold, `${j.score.toFixed(2)} ${j.score >= threshold ? '≥' : '<'} ${threshold}: ${j.reason}`, {
          score: j.score,
          judgeCostUsd: j.costUsd,
        });
      } catch (e) {
        return done(false, `the judge failed: ${(e as Error)?.message ?? String(e)}`, { judgeCostUsd: null });
      }
    }
  }
}
