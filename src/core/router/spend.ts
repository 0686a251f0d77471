/**
 * Money before and after a request: hold the worst case in the ledger before sending (so
 * concurrent requests, in this process or another, cannot all spend the same headroom), and
 * estimate an answer's cost when the provider never counted it (a stream cancelled mid-answer).
 */
import { estimateCost, estimateMessageTokens, estimateTokens } from '../catalog/cost.ts';
import type { BudgetConfig, Price } from '../config.ts';
import { SwitchboardError } from '../errors.ts';
import type { ResultBuilder } from '../resultBuilder.ts';
import type { BudgetAlert, ModelRequest, PassthroughRequest, Usage } from '../types.ts';
import { checkBudget, hasLimits, type BudgetVerdict, type PeriodCap } from './budget.ts';
import type { SpendTotals, UsageStore } from './ledger.ts';
import { capabilitySetting, settingKey, type SettingsPlace } from './needs.ts';
import { contextWindowOf, DEFAULT_EXPECTED_OUTPUT, type ModelFacts } from './strategy.ts';

/** A request's reservation, and a ledger problem to tell the user about once the answer is done. */
export interface Hold {
  id: number | null;
  problem: string | null;
  /** The spend session the request counts toward (fixed when it starts). */
  session: string | null;
  /** The answer's entry is in the ledger (its cost may have crossed an alert threshold). */
  recorded: boolean;
  /** Budget alerts this request fired. */
  alerts: BudgetAlert[];
}

export interface BudgetGate {
  error: SwitchboardError | null;
  warnings: string[];
  reservation: number | null;
  /** Candidates a blocking budget cannot count (no price), left out of a route that has priced ones. */
  skipped: { id: string; why: string }[];
  /** The totals the check saw (null without a readable ledger): alerts are computed from them. */
  spent: SpendTotals | null;
  /** The caps that refused the request (its alerts say "blocked"). */
  blockedBy: PeriodCap[];
}

/**
 * The hosted web searches held for a request that lets the provider run them without a bound
 * (Anthropic's web_search tool without max_uses, Responses' web_search without max_tool_calls).
 */
export const UNBOUNDED_WEB_SEARCHES = 10;

/**
 * The most hosted web searches a forwarded request lets the provider run, each billed apart from
 * tokens: the sum of its Anthropic web_search tools' max_uses, or a Responses request's
 * max_tool_calls (its bound on built-in tool calls); UNBOUNDED_WEB_SEARCHES when a search tool has
 * no bound (or none that is a whole number); 0 without one.
 */
export function maxWebSearches(pass: PassthroughRequest | undefined): number {
  if (!pass) return 0;
  const tools = Array.isArray(pass.body.tools) ? (pass.body.tools as unknown[]) : [];
  const search = tools.filter(
    (t): t is Record<string, unknown> =>
      typeof t === 'object' && t !== null && typeof (t as { type?: unknown }).type === 'string' && /^web_search/.test((t as { type: string }).type),
  );
  if (search.length === 0) return 0;
  // A whole number, as the APIs take it (they refuse any other, so none is run): 1e308 is none, and
  // two such bounds add up to Infinity.
  const bound = (v: unknown): number | null => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null);
  if (pass.protocol === 'anthropic') {
    let n = 0;
    for (const t of search) {
      const b = bound(t.max_uses);
      if (b === null) return UNBOUNDED_WEB_SEARCHES;
      n += b;
    }
    return n;
  }
  if (pass.protocol === 'openai-responses') return bound(pass.body.max_tool_calls) ?? UNBOUNDED_WEB_SEARCHES;
  return 0;
}

/**
 * Tool types of a forwarded body that add no fee Switchboard cannot count: the caller's own tools
 * (function and custom tools, the client-run types only OpenAI or Anthropic models call by type:
 * shell, patch, editor, computer, memory), a Responses namespace (checked by its tools), the hosted
 * web search (priced: maxWebSearches) and Anthropic's web fetch (tokens only, no fee of its own).
 * Every other type is a tool the provider runs, and bills, at a fee no price here has:
 * code_interpreter, file_search, image_generation, mcp, computer_use_preview, code_execution, and
 * whatever type a provider adds next.
 */
const COUNTED_TOOL_TYPES: Record<PassthroughRequest['protocol'], RegExp> = {
  'openai-responses': /^(function|custom|local_shell|shell|apply_patch|namespace|web_search(_preview)?(_\d{4}_\d{2}_\d{2})?)$/,
  anthropic: /^(custom|(bash|text_editor|computer|memory|web_search|web_fetch)_\d{8})$/,
  openai: /^(function|custom)$/,
  gemini: /^$/,
};

/**
 * The hosted tools a forwarded request lets the provider run at fees no price has (see
 * COUNTED_TOOL_TYPES), by type (an Anthropic type without its version date: code_execution).
 */
export function unpricedHostedTools(pass: PassthroughRequest | undefined): string[] {
  if (!pass || !Array.isArray(pass.body.tools)) return [];
  const counted = COUNTED_TOOL_TYPES[pass.protocol];
  const names = new Set<string>();
  const check = (tools: unknown[]): void => {
    for (const t of tools) {
      if (typeof t !== 'object' || t === null) continue;
      const { type, tools: inner } = t as { type?: unknown; tools?: unknown };
      // An Anthropic tool without a type is the caller's own (a custom tool).
      if (type === undefined || type === null) continue;
      const name = String(type);
      if (!counted.test(name)) names.add(pass.protocol === 'anthropic' ? name.replace(/_\d{8}$/, '') : name);
      else if (name === 'namespace' && Array.isArray(inner)) check(inner as unknown[]);
    }
  };
  check(pass.body.tools as unknown[]);
  return [...names];
}

/** What a request that offers unpriced hosted tools is told (its answer's cost is then an estimate). */
export function unpricedHostedToolsWarning(tools: readonly string[]): string {
  const list = tools.join(', ');
  return `the fees of the hosted tool${tools.length > 1 ? 's' : ''} ${list} (billed by the provider apart from tokens) are not counted: Switchboard's prices have none for ${tools.length > 1 ? 'them' : 'it'}, so neither the budget hold nor the ledger includes ${tools.length > 1 ? 'them' : 'it'}, and the cost recorded (the tokens only) is marked as an estimate`;
}

/** A blocking budget's refusal of a request that lets the provider run hosted tools whose fees no price has. */
function unpricedToolsRefusal(tools: readonly string[], model: string, place: SettingsPlace | undefined): SwitchboardError {
  const list = tools.join(', ');
  const many = tools.length > 1;
  return new SwitchboardError({
    kind: 'budget',
    message: `the request offers the hosted tool${many ? 's' : ''} ${list}, which the provider bills apart from tokens at fees Switchboard has no price for, so the blocking budget cannot count this request`,
    model,
    fix: `remove the ${list} tool${many ? 's' : ''} from the request, or set ${settingKey('budget.onExceed', place)} to "warn" (${many ? 'their' : 'its'} fees then go uncounted, with a warning)`,
  });
}

/**
 * Whether a request without max_tokens has a worst case: the model's output limit or context
 * window is known, or its output costs nothing (a free local model). No price: the price checks decide.
 */
function outputCostBounded(facts: ModelFacts, id: string, inputTokens: number): boolean {
  const price = facts.price(id);
  if (!price || facts.maxOutput?.(id) != null || contextWindowOf(facts, id) != null) return true;
  return estimateCost(inputTokens, 1_000_000, price) === estimateCost(inputTokens, 0, price);
}

function unboundedOutputRefusal(model: string, place: SettingsPlace | undefined): SwitchboardError {
  return new SwitchboardError({
    kind: 'budget',
    message: `neither the request's max_tokens nor ${model}'s output limit or context window is known, so the blocking budget cannot bound what its answer may cost`,
    model,
    fix: `send max_tokens with the request, or set ${capabilitySetting(model, 'maxOutputTokens', '<its output limit>', place)}, or set ${settingKey('budget.onExceed', place)} to "warn"`,
  });
}

/**
 * The prompt a request sends, estimated: its messages plus its tool definitions and a response
 * format's schema, which go up with it and are billed as input (an agent's tools are thousands of tokens).
 */
export function estimatePromptTokens(req: Pick<ModelRequest, 'messages' | 'tools' | 'responseFormat'>): number {
  const schema = req.responseFormat?.type === 'json_schema' ? estimateTokens(JSON.stringify(req.responseFormat.schema)) : 0;
  return estimateMessageTokens(req.messages) + (req.tools?.length ? estimateTokens(JSON.stringify(req.tools)) : 0) + schema;
}

/**
 * The output bound a request's hold is sized for: its maxTokens, or on the fast path the largest
 * bound of the forwarded body. A Chat Completions body may carry both max_tokens and
 * max_completion_tokens: the request takes max_completion_tokens, while the body goes upstream as
 * sent, and an OpenAI-compatible vendor that reads only max_tokens writes up to that.
 */
export function holdMaxTokens(maxTokens: number | undefined, pass: PassthroughRequest | undefined): number | undefined {
  if (maxTokens === undefined || pass?.protocol !== 'openai') return maxTokens;
  const bounds = [pass.body.max_tokens, pass.body.max_completion_tokens].filter((v): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0);
  return Math.max(maxTokens, ...bounds);
}

/**
 * The most output one answer of `id` may write when the request sets no bound: the model's output
 * limit; without one, what its context window leaves after the prompt (no model writes past its
 * window: the data often lacks the limit of a new model, such as gpt-5-codex, and an agent sends no
 * max_tokens); DEFAULT_EXPECTED_OUTPUT only when neither is known.
 */
export function outputBound(facts: ModelFacts, id: string, inputTokens: number): number {
  const limit = facts.maxOutput?.(id);
  if (limit != null) return limit;
  const window = contextWindowOf(facts, id);
  return window != null ? Math.max(window - inputTokens, 0) : DEFAULT_EXPECTED_OUTPUT;
}

/**
 * The worst case of one candidate: the prompt plus the most output it may give (the request's
 * max tokens, else outputBound) at its prices, plus the most hosted web searches the request
 * allows at its per-search price.
 */
export function worstCaseUsd(facts: ModelFacts, id: string, inputTokens: number, maxTokens: number | undefined, webSearches = 0): number | null {
  const price = facts.price(id);
  if (!price) return null;
  const tokens = estimateCost(inputTokens, maxTokens ?? outputBound(facts, id, inputTokens), price);
  return webSearches > 0 && price.webSearch ? Number((tokens + webSearches * price.webSearch).toPrecision(12)) : tokens;
}

const NO_SPEND: SpendTotals = {
  includedToday: 0,
  includedSession: 0,
  today: 0,
  month: 0,
  unknownCostToday: 0,
  reserved: 0,
  session: 0,
  sessionReserved: 0,
  requestsToday: 0,
  sessionRequests: 0,
  unknownCostSession: 0,
};

/**
 * Checks the budget and holds the request's worst case (over every candidate it may fall over to)
 * in one ledger transaction. A ledger that cannot be written blocks under a blocking budget (it
 * could not be enforced) and is a warning under a warning budget.
 */
export async function openBudget(
  d: { budget?: BudgetConfig; ledger?: UsageStore; facts: ModelFacts; settingsIn?: SettingsPlace },
  candidates: string[],
  inputTokens: number,
  maxTokens: number | undefined,
  now: number,
  session: string | null = null,
  webSearches = 0,
  /** Hosted tools the request lets the provider run at fees no price has (unpricedHostedTools). */
  unpricedTools: readonly string[] = [],
  /** The candidates those tools reach (a model sent a translation does not get them); default: all. */
  unpricedFor: readonly string[] = candidates,
): Promise<BudgetGate> {
  const budget = d.budget!;
  const gate: BudgetGate = { error: null, warnings: [], reservation: null, skipped: [], spent: null, blockedBy: [] };
  // Models included in a subscription cost nothing per request: nothing to check or hold for them.
  const included = candidates.filter((id) => d.facts.included?.(id));
  let ids = candidates.filter((id) => !included.includes(id));
  if (ids.length === 0) return gate;
  // Fees no price has are never treated as free: a blocking budget cannot count them, as a model without a price.
  const reached = ids.filter((id) => unpricedFor.includes(id));
  if (budget.onExceed === 'block' && hasLimits(budget) && unpricedTools.length > 0 && reached.length > 0) {
    const error = unpricedToolsRefusal(unpricedTools, reached[0]!, d.settingsIn);
    const rest = ids.filter((id) => !reached.includes(id));
    if (included.length === 0 && rest.length === 0) {
      gate.error = error;
      return gate;
    }
    // A route that may still answer with an included model, or with a member the tools do not reach:
    // the others are left out, not the request.
    for (const id of reached) gate.skipped.push({ id, why: error.detail });
    ids = rest;
    if (ids.length === 0) return gate;
  }
  if (budget.onExceed === 'block') {
    const priced = ids.filter((id) => d.facts.price(id));
    if ((priced.length > 0 || included.length > 0) && priced.length < ids.length) {
      for (const id of ids)
        if (!priced.includes(id))
          gate.skipped.push({
            id,
            why: `no price known, so the blocking budget cannot count it (add ${d.settingsIn === 'vscode' ? 'an entry in the switchboard.pricing setting' : 'a "pricing" entry'})`,
          });
      ids = priced;
      if (ids.length === 0) return gate;
    }
  }
  // An answer of unknown length at a price is a cost no hold can bound: a blocking budget does not guess one.
  if (budget.onExceed === 'block' && hasLimits(budget) && maxTokens === undefined) {
    const open = ids.filter((id) => !outputCostBounded(d.facts, id, inputTokens));
    if (open.length > 0) {
      const bounded = ids.filter((id) => !open.includes(id));
      if (bounded.length === 0 && included.length === 0) {
        gate.error = unboundedOutputRefusal(open[0]!, d.settingsIn);
        return gate;
      }
      // A route with another member the budget can count: these are left out, not the request.
      for (const id of open) gate.skipped.push({ id, why: unboundedOutputRefusal(id, d.settingsIn).detail });
      ids = bounded;
      if (ids.length === 0) return gate;
    }
  }
  let estimate: number | null = 0;
  let named = ids[0] ?? candidates[0] ?? '';
  for (const id of ids) {
    const w = worstCaseUsd(d.facts, id, inputTokens, maxTokens, webSearches);
    if (w === null) {
      estimate = null;
      named = id;
      break;
    }
    if (w > estimate) {
      estimate = w;
      named = id;
    }
  }
  let verdict: BudgetVerdict;
  if (!d.ledger) {
    verdict = checkBudget(budget, NO_SPEND, estimate, named, d.settingsIn);
  } else {
    try {
      const r = await d.ledger.reserve(
        now,
        (spent) => {
          gate.spent = spent;
          const v = checkBudget(budget, spent, estimate, named, d.settingsIn);
          return { hold: v.action === 'block' ? null : (estimate ?? 0), value: v };
        },
        session,
      );
      gate.reservation = r.id;
      verdict = r.value;
    } catch (e) {
      const why = `${(e as Error)?.message ?? String(e)}`;
      if (budget.onExceed === 'block') {
        gate.error = new SwitchboardError({
          kind: 'budget',
          message: `the budget cannot be enforced because the usage ledger cannot be written (${why}), so ${named} was not asked`,
          model: named,
          fix: `make the ledger writable (free disk space, check its permissions: ${d.ledger.location}), or set ${settingKey('budget.onExceed', d.settingsIn)} to "warn"`,
        });
        return gate;
      }
      gate.warnings.push(`the usage ledger cannot be written (${why}): this request is not counted toward the budget. Proceeding (onExceed: warn).`);
      return gate;
    }
  }
  // A route that may still answer with an included model: the priced members are left out, not the request.
  if (verdict.action === 'block' && included.length > 0) for (const id of ids) gate.skipped.push({ id, why: verdict.error.detail });
  else if (verdict.action === 'block') {
    gate.error = verdict.error;
    gate.blockedBy = verdict.over;
  } else if (verdict.action === 'warn') gate.warnings.push(verdict.message);
  return gate;
}

/**
 * What an answer cost when the provider never said: streamed tokens (estimated) at the model's prices.
 * `running`: the usage is a running count of a cut stream, so the output is at least what was streamed.
 */
export function estimateAnswerCost(req: ModelRequest, usage: Usage, builder: ResultBuilder, price: Price | null, running = false): number | null {
  if (!price) return null;
  const input = usage.inputTokens ?? estimatePromptTokens(req);
  const streamed = builder.text + builder.reasoning + builder.toolCalls.map((t) => t.name + t.arguments).join('');
  const output = running ? Math.max(usage.outputTokens ?? 0, estimateTokens(streamed)) : (usage.outputTokens ?? estimateTokens(streamed));
  return estimateCost(input, output, price);
}
