/**
 * The neutral request → an Anthropic Messages body.
 *
 * Structured output uses a forced tool (works on every Claude model, no beta header): the JSON
 * schema becomes the input schema of a tool the model must call, and the decoder turns that
 * tool's input back into the answer's text (finish reason `stop`), so the caller sees JSON text
 * exactly as from OpenAI's `response_format`.
 */
import type { ResolvedProvider } from '../../config.ts';
import { estimateMessageTokens, estimateTokens } from '../../catalog/cost.ts';
import type { ModelRequest, ReasoningEffort } from '../../types.ts';
import type { BodyContext } from '../httpModel.ts';
import { checkFinalAssistant, imageDetails, mergeProviderOptions, unsupported } from '../shared.ts';
import { toAnthropicPrompt, withCache } from './convertMessages.ts';
import { claudeThinkingForm, EFFORT_BUDGET, effortOfBudget } from './claudeForms.ts';

/** Used only when neither the caller nor the catalog knows the model's output limit. */
export const FALLBACK_MAX_TOKENS = 4096;
/** The API's smallest thinking budget. */
export const MIN_THINKING_BUDGET = 1024;
/** The name of the tool that carries a structured answer. */
export const JSON_TOOL_NAME = 'json_answer';

/** Claude 4.5-era and later models refuse temperature and top_p together ("Please use only one"). */
export const ONE_SAMPLER = /claude-(?:opus-4-[1-9]|sonnet-4-[5-9]|haiku-4-[5-9]|(?:opus|sonnet|haiku)-(?:[5-9]|\d{2}))/;

/** Anthropic's effort levels for the adaptive form, from the neutral ones. */
const ANTHROPIC_EFFORT: Record<Exclude<ReasoningEffort, 'none'>, string> = { minimal: 'low', low: 'low', medium: 'medium', high: 'high', xhigh: 'max' };

/**
 * Without the caller's max_tokens: the model's output limit, but no more than the room the prompt
 * leaves in the context window (Claude 3.7 and later refuse prompt + max_tokens above the window
 * instead of truncating). The prompt is estimated (~4 characters a token) with a 10% margin.
 */
function defaultMaxTokens(req: ModelRequest, limit: number | null, contextWindow: number | null): number {
  const wanted = limit ?? FALLBACK_MAX_TOKENS;
  if (contextWindow === null) return wanted;
  const prompt = estimateMessageTokens(req.messages) + estimateTokens(JSON.stringify(req.tools ?? []));
  const room = Math.floor(contextWindow - prompt * 1.1);
  return room >= MIN_OUTPUT ? Math.min(wanted, room) : wanted;
}

/**
 * Whether the conversation ends with tool results answering an assistant turn that does not start
 * with thinking Anthropic takes back (a signed or redacted block: what toAnthropicPrompt sends).
 */
function loopTurnWithoutThinking(messages: ModelRequest['messages']): boolean {
  let i = messages.length - 1;
  while (i >= 0 && messages[i]!.role === 'tool') i--;
  if (i === messages.length - 1 || i < 0) return false;
  const m = messages[i]!;
  if (m.role !== 'assistant') return false;
  if (typeof m.content === 'string') return true;
  const first = m.content.find((p) => p.type !== 'reasoning' || p.signature !== undefined || p.redactedData !== undefined);
  return first?.type !== 'reasoning';
}

/** Below this much room the request is left to fail with the API's own context-length error. */
const MIN_OUTPUT = 1024;

export function anthropicBody(provider: ResolvedProvider, wireModel: string, req: ModelRequest, ctx: BodyContext): Record<string, unknown> {
  const model = `${provider.id}/${wireModel}`;
  checkFinalAssistant(req, true, provider.id, wireModel);
  const prompt = toAnthropicPrompt(req.messages, provider.id, wireModel, req.cache?.system);
  const limit = ctx.capabilities?.maxOutputTokens ?? null;
  let maxTokens = req.maxTokens ?? defaultMaxTokens(req, limit, ctx.capabilities?.contextWindow ?? null);
  if (limit !== null && maxTokens > limit) {
    ctx.warn(`maxTokens: ${model} writes at most ${limit} tokens; sent max_tokens ${limit} instead of ${maxTokens}`);
    maxTokens = limit;
  }
  const body: Record<string, unknown> = { model: wireModel, max_tokens: maxTokens, messages: prompt.messages, stream: true };
  // An image's detail ("auto" is the default anyway) has no equivalent: Anthropic sizes images itself.
  const asked = [...new Set(imageDetails(req.messages).details.filter((d) => d !== 'auto'))];
  if (asked.length)
    ctx.warn(
      `image detail: Anthropic has no image detail setting; the images asking for detail ${asked.map((d) => `"${d}"`).join(' and ')} were sent at Anthropic's own resolution`,
    );
  if (prompt.system) body.system = prompt.system;

  // Thinking first: it constrains temperature, top_p and forced tool use.
  let thinking: number | null = null;
  const r = req.reasoning;
  if (r && (r.budgetTokens !== undefined || (r.effort !== undefined && r.effort !== 'none'))) {
    if (ctx.capabilities && !ctx.capabilities.reasoning) ctx.warn(`reasoning: ${model} does not think; the reasoning option was not sent`);
    else thinking = r.budgetTokens ?? EFFORT_BUDGET[r.effort as Exclude<ReasoningEffort, 'none'>];
  }
  // A tool loop whose last assistant turn does not start with this model's thinking (another
  // model of a route made that call, or its thinking was stripped): the API refuses thinking then
  // ("a final assistant message must start with a thinking block"), so this turn goes without it.
  if (thinking !== null && loopTurnWithoutThinking(req.messages)) {
    ctx.warn(
      `reasoning: the tool call being answered was made without ${model}'s own thinking (another model's turn); ${model} answered this turn without thinking`,
    );
    thinking = null;
  }
  const forcing =
    req.responseFormat?.type === 'json_schema' ||
    req.responseFormat?.type === 'json_object' ||
    (req.tools?.length && (req.toolChoice === 'required' || typeof req.toolChoice === 'object'));
  if (thinking !== null && forcing) {
    ctx.warn(
      `reasoning: Anthropic cannot think while a tool use is forced (toolChoice "required"/a named tool, or a responseFormat); ${model} answered without thinking`,
    );
    thinking = null;
  }
  if (thinking !== null) {
    if (thinking >= maxTokens) {
      const reduced = maxTokens - 1;
      if (reduced < MIN_THINKING_BUDGET)
        throw unsupported(
          provider.id,
          wireModel,
          'reasoning',
          `a thinking budget needs max_tokens above ${MIN_THINKING_BUDGET}, and maxTokens is ${maxTokens}`,
          'raise maxTokens or drop the reasoning option',
        );
      ctx.warn(`reasoning: the thinking budget must be below max_tokens (${maxTokens}); sent budget_tokens ${reduced}`);
      thinking = reduced;
    }
    if (thinking < MIN_THINKING_BUDGET) {
      ctx.warn(`reasoning.budgetTokens: Anthropic's smallest thinking budget is ${MIN_THINKING_BUDGET}; sent ${MIN_THINKING_BUDGET}`);
      thinking = MIN_THINKING_BUDGET;
    }
    // Opus 4.7 and the Claude 5 family refuse a budget: they think adaptively, as much as the effort says.
    if (claudeThinkingForm(wireModel) === 'adaptive') {
      body.thinking = { type: 'adaptive' };
      const effort = r?.budgetTokens === undefined && r?.effort !== undefined && r.effort !== 'none' ? ANTHROPIC_EFFORT[r.effort] : effortOfBudget(thinking);
      body.output_config = { effort };
    } else body.thinking = { type: 'enabled', budget_tokens: thinking };
  }

  if (req.temperature !== undefined) {
    if (thinking !== null) ctx.warn(`temperature: Anthropic takes no temperature while thinking; ${req.temperature} was not sent`);
    else if (req.temperature > 1) {
      ctx.warn(`temperature: Anthropic accepts 0–1; sent 1 instead of ${req.temperature}`);
      body.temperature = 1;
    } else body.temperature = req.temperature;
  }
  if (req.topP !== undefined) {
    if (thinking !== null && req.topP < 0.95) ctx.warn(`topP: Anthropic accepts top_p of 0.95–1 while thinking; ${req.topP} was not sent`);
    else body.top_p = req.topP;
  }
  if (body.temperature !== undefined && body.top_p !== undefined && ONE_SAMPLER.test(wireModel)) {
    ctx.warn(`topP: ${model} takes temperature or top_p, not both; sent temperature ${String(body.temperature)} without top_p ${String(body.top_p)}`);
    delete body.top_p;
  }
  if (req.stop !== undefined && req.stop.length > 0) body.stop_sequences = req.stop;

  const tools: Record<string, unknown>[] = (req.tools ?? []).map((t) =>
    withCache({ name: t.name, ...(t.description !== undefined ? { description: t.description } : {}), input_schema: t.parameters }, t.cache),
  );
  if (req.tools?.some((t) => t.strict))
    ctx.warn(`tools[].strict: Switchboard does not ask Anthropic for strict schema adherence; ${model} follows the schema without a guarantee`);
  let choice: Record<string, unknown> | null = null;
  if (tools.length > 0 && req.toolChoice !== undefined) {
    const c = req.toolChoice;
    choice = c === 'auto' ? { type: 'auto' } : c === 'none' ? { type: 'none' } : c === 'required' ? { type: 'any' } : { type: 'tool', name: c.name };
  }
  const rf = req.responseFormat;
  if (rf && rf.type !== 'text') {
    const schema = rf.type === 'json_schema' ? rf.schema : { type: 'object' };
    const description = rf.type === 'json_schema' && rf.description ? rf.description : 'Give the answer as this tool input.';
    tools.push({ name: JSON_TOOL_NAME, description, input_schema: schema });
    ctx.decode.jsonToolName = JSON_TOOL_NAME;
    // With the caller's tools too, the model must call one of them or answer through the JSON tool.
    choice =
      tools.length > 1 && choice && choice.type !== 'none' && choice.type !== 'auto'
        ? choice
        : tools.length > 1
          ? { type: 'any' }
          : { type: 'tool', name: JSON_TOOL_NAME };
  }
  if (tools.length > 0) {
    if (req.cache?.tools) tools[tools.length - 1] = withCache(tools[tools.length - 1]!, req.cache.tools);
    body.tools = tools;
    if (req.parallelToolCalls === false && choice?.type !== 'none') choice = { ...(choice ?? { type: 'auto' }), disable_parallel_tool_use: true };
    if (choice) body.tool_choice = choice;
  }

  // Hints.
  if (req.seed !== undefined) ctx.warn(`seed: Anthropic has no seed; ${model} answered without one`);
  if (req.frequencyPenalty !== undefined) ctx.warn(`frequencyPenalty: Anthropic has no frequency penalty; it was not sent`);
  if (req.presencePenalty !== undefined) ctx.warn(`presencePenalty: Anthropic has no presence penalty; it was not sent`);
  if (req.user !== undefined) body.metadata = { user_id: req.user };
  return mergeProviderOptions(body, req.providerOptions?.anthropic);
}
