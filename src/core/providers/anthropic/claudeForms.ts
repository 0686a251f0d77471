/**
 * What Claude models take differently, by model id, for a body forwarded as the caller wrote it.
 *
 * Claude's two thinking forms, per model: `{type: "enabled", budget_tokens}` (every model before
 * 4.6; the API refuses the other form there: "adaptive thinking is not supported on this model")
 * and `{type: "adaptive"}` with `output_config.effort` (4.6 takes both; Opus 4.7 and the Claude 5
 * family refuse the budget form). A caller that names the model through the gateway (an alias, a
 * route) cannot know which form the model behind takes: Claude Code sends the adaptive form for any
 * name it does not recognise. The body is brought to the form the model takes, and said so.
 *
 * Mid-conversation `role: "system"` messages: Opus 4.8 and later take them; older models refuse
 * them ("role 'system' is not supported on this model"). Claude Code sends them (agent listings,
 * reminders) for a name it does not recognise; for an older model their text joins the top-level
 * system prompt, as the translating path does with any system message.
 */
import type { ReasoningEffort } from '../../types.ts';

export type ThinkingForm = 'budget' | 'adaptive' | 'both';

/** A Claude model id's version; null for a name that is not a known Claude id. */
function claudeVersion(model: string): { major: number; minor: number; opus: boolean } | null {
  // claude-3-5-sonnet-…, claude-3-7-sonnet-…; claude-sonnet-4-20250514 (a date is not a minor version), claude-opus-4-7.
  const m = /claude-(?:(\d+)(?:-(\d))?-(?:opus|sonnet|haiku)|(opus|sonnet|haiku)-(\d+)(?:-(\d{1,2})(?!\d))?)/.exec(model);
  return m ? { major: Number(m[1] ?? m[4]), minor: Number(m[2] ?? m[5] ?? 0), opus: m[3] === 'opus' } : null;
}

/** The form(s) a Claude model id takes; null for a name that is not a known Claude id (sent as it is). */
export function claudeThinkingForm(model: string): ThinkingForm | null {
  const v = claudeVersion(model);
  if (!v) return null;
  if (v.major > 4) return 'adaptive';
  if (v.major < 4 || v.minor < 6) return 'budget';
  return v.opus && v.minor >= 7 ? 'adaptive' : 'both';
}

/** Whether the model takes `output_config.effort` (Opus 4.5, and every model that takes adaptive thinking). */
export function takesEffort(model: string, form: ThinkingForm | null): boolean {
  return form !== 'budget' || /claude-opus-4-5(?!\d)/.test(model);
}

/** Whether the model takes mid-conversation system messages (Opus 4.8, Claude 5 and later); null: not a known Claude id. */
export function takesSystemMessages(model: string): boolean | null {
  const v = claudeVersion(model);
  return v && (v.major > 4 || (v.major === 4 && v.minor >= 8));
}

/** A thinking budget for an effort (the translating path's own scale). */
export const EFFORT_BUDGET: Record<Exclude<ReasoningEffort, 'none'>, number> = { minimal: 1024, low: 4096, medium: 10_000, high: 24_000, xhigh: 48_000 };
/** Anthropic's effort levels from a budget (the adaptive form has no budget). */
export function effortOfBudget(budget: number): 'low' | 'medium' | 'high' {
  return budget <= EFFORT_BUDGET.low ? 'low' : budget <= EFFORT_BUDGET.medium ? 'medium' : 'high';
}
/** The API's smallest thinking budget. */
const MIN_BUDGET = 1024;
const ANTHROPIC_EFFORT_BUDGET: Record<string, number> = {
  low: EFFORT_BUDGET.low,
  medium: EFFORT_BUDGET.medium,
  high: EFFORT_BUDGET.high,
  xhigh: EFFORT_BUDGET.xhigh,
  max: EFFORT_BUDGET.xhigh,
};

type Body = Record<string, unknown>;
const isObject = (v: unknown): v is Body => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * A Messages body as the caller sent it, brought to the thinking form `wireModel` takes: adaptive
 * thinking for a budget-only model becomes a budget (from the effort, default high, below
 * max_tokens), a budget for an adaptive-only model becomes adaptive with an effort from the budget;
 * an effort the model does not take is left out. The body is not changed when nothing needs to be
 * (the same object is returned); each change is a warning.
 */
export function fitThinking(body: Body, wireModel: string): { body: Body; warnings: string[] } {
  const form = claudeThinkingForm(wireModel);
  if (form === null || form === 'both') return { body, warnings: [] };
  const thinking = isObject(body.thinking) ? body.thinking : undefined;
  const oc = isObject(body.output_config) ? body.output_config : undefined;
  const effort = oc && typeof oc.effort === 'string' ? oc.effort : undefined;
  const warnings: string[] = [];
  let out = body;
  if (form === 'budget' && thinking?.type === 'adaptive') {
    const maxTokens = typeof body.max_tokens === 'number' ? body.max_tokens : 0;
    const budget = Math.min(ANTHROPIC_EFFORT_BUDGET[effort ?? 'high'] ?? EFFORT_BUDGET.high, maxTokens - 1);
    out = { ...out };
    if (budget >= MIN_BUDGET) {
      out.thinking = { type: 'enabled', budget_tokens: budget };
      warnings.push(`thinking: ${wireModel} does not take adaptive thinking; sent a thinking budget of ${budget} tokens (effort ${effort ?? 'high'}) instead`);
    } else {
      delete out.thinking;
      warnings.push(
        `thinking: ${wireModel} does not take adaptive thinking, and max_tokens ${maxTokens} leaves no room for a thinking budget; it answered without thinking`,
      );
    }
  } else if (form === 'adaptive' && thinking?.type === 'enabled') {
    const budget = typeof thinking.budget_tokens === 'number' ? thinking.budget_tokens : EFFORT_BUDGET.high;
    const level = effort ?? effortOfBudget(budget);
    out = { ...out, thinking: { type: 'adaptive' }, output_config: { ...(oc ?? {}), effort: level } };
    warnings.push(`thinking: ${wireModel} takes only adaptive thinking; sent it with effort ${level} instead of a budget of ${budget} tokens`);
  }
  if (effort !== undefined && !takesEffort(wireModel, form)) {
    const { effort: _e, ...rest } = isObject(out.output_config) ? out.output_config : {};
    out = { ...out };
    if (Object.keys(rest).length) out.output_config = rest;
    else delete out.output_config;
    warnings.push(`output_config.effort: ${wireModel} does not take an effort level; "${effort}" was not sent`);
  }
  return { body: out, warnings };
}

/**
 * The body brought to what `wireModel` takes (see above): the thinking form, the effort, and
 * mid-conversation system messages. Unchanged (the same object) when nothing needs to change.
 */
export function fitClaudeBody(body: Body, wireModel: string): { body: Body; warnings: string[] } {
  const fitted = fitThinking(body, wireModel);
  const msgs = fitted.body.messages;
  if (!Array.isArray(msgs) || takesSystemMessages(wireModel) !== false || !msgs.some((m) => isObject(m) && m.role === 'system')) return fitted;
  const moved: Body[] = [];
  const kept = msgs.filter((m) => {
    if (!isObject(m) || m.role !== 'system') return true;
    if (typeof m.content === 'string') moved.push({ type: 'text', text: m.content });
    else if (Array.isArray(m.content)) for (const b of m.content) if (isObject(b)) moved.push(b);
    return false;
  });
  const sys = fitted.body.system;
  const system: unknown[] = typeof sys === 'string' ? (sys ? [{ type: 'text', text: sys }] : []) : Array.isArray(sys) ? [...(sys as unknown[])] : [];
  const out = { ...fitted.body, system: [...system, ...moved], messages: kept };
  const n = msgs.length - kept.length;
  return {
    body: out,
    warnings: [
      ...fitted.warnings,
      `messages: ${wireModel} does not take system messages in the conversation; ${n === 1 ? 'the one sent joined' : `the ${n} sent joined`} the system prompt`,
    ],
  };
}
