/** The neutral request → a Chat Completions body (native for tools, response formats, reasoning effort). */
import type { ResolvedProvider } from '../../config.ts';
import type { ModelRequest, ReasoningEffort, ToolChoice } from '../../types.ts';
import type { BodyContext } from '../httpModel.ts';
import { checkFinalAssistant, imageDetails, mergeProviderOptions } from '../shared.ts';
import { toOpenAIMessages } from './convertMessages.ts';

/** A token budget → the nearest effort, for APIs that take only an effort. */
export function effortForBudget(tokens: number): ReasoningEffort {
  if (tokens <= 0) return 'none';
  if (tokens <= 1024) return 'minimal';
  if (tokens <= 4096) return 'low';
  if (tokens <= 16_384) return 'medium';
  return 'high';
}

function toolChoice(c: ToolChoice): unknown {
  return typeof c === 'string' ? c : { type: 'function', function: { name: c.name } };
}

export function openaiBody(provider: ResolvedProvider, wireModel: string, req: ModelRequest, ctx: BodyContext): Record<string, unknown> {
  // (Mistral's `prefix: true` and DeepSeek's beta chat-prefix continue a final assistant message, but
  // whether their answers repeat the prefix differs and is not verified here: refused like the rest.)
  checkFinalAssistant(req, false, provider.id, wireModel);
  const body: Record<string, unknown> = {
    model: wireModel,
    messages: toOpenAIMessages(req.messages, provider.id, wireModel),
    stream: true,
    stream_options: { include_usage: true },
  };
  if (provider.id !== 'openai' && imageDetails(req.messages).details.includes('original'))
    ctx.warn(
      `image detail: "original" (the image as sent, not downscaled) is OpenAI's own value; ${provider.id}/${wireModel} was sent "high", the highest detail Chat Completions APIs share`,
    );
  const mistral = provider.id === 'mistral';
  // OpenAI's own API deprecated max_tokens (its reasoning models reject it); others expect max_tokens.
  if (req.maxTokens !== undefined) body[provider.id === 'openai' ? 'max_completion_tokens' : 'max_tokens'] = req.maxTokens;
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.topP !== undefined) body.top_p = req.topP;
  if (req.stop !== undefined && req.stop.length > 0) body.stop = ctx.decode.stop = req.stop;

  if (req.tools && req.tools.length > 0) {
    body.tools = req.tools.map((t) => ({
      type: 'function',
      function: {
        name: t.name,
        ...(t.description !== undefined ? { description: t.description } : {}),
        parameters: t.parameters,
        ...(t.strict !== undefined ? { strict: t.strict } : {}),
      },
    }));
    if (req.toolChoice !== undefined) body.tool_choice = toolChoice(req.toolChoice);
    // The API refuses parallel_tool_calls without tools; without tools it would mean nothing anyway.
    if (req.parallelToolCalls !== undefined) body.parallel_tool_calls = req.parallelToolCalls;
  }

  const rf = req.responseFormat;
  if (rf) {
    body.response_format =
      rf.type === 'json_schema'
        ? {
            type: 'json_schema',
            json_schema: {
              name: rf.name,
              schema: rf.schema,
              ...(rf.description !== undefined ? { description: rf.description } : {}),
              ...(rf.strict !== undefined ? { strict: rf.strict } : {}),
            },
          }
        : { type: rf.type };
  }

  const r = req.reasoning;
  if (r && (r.effort !== undefined || r.budgetTokens !== undefined)) {
    if (ctx.capabilities && !ctx.capabilities.reasoning) {
      // "none" asks for what a model that does not reason already does: nothing to send.
      if (r.effort !== 'none') ctx.warn(`reasoning: ${provider.id}/${wireModel} does not reason; the reasoning option was not sent`);
    } else if (provider.id === 'openrouter') {
      // OpenRouter's unified field takes an effort or a token budget.
      body.reasoning = r.budgetTokens !== undefined ? { max_tokens: r.budgetTokens } : { effort: r.effort };
    } else {
      const effort = r.effort ?? effortForBudget(r.budgetTokens!);
      if (r.effort === undefined)
        ctx.warn(`reasoning.budgetTokens: ${provider.id} takes an effort, not a token budget; sent reasoning_effort "${effort}" for ${r.budgetTokens} tokens`);
      body.reasoning_effort = effort;
    }
  }

  // Hints.
  if (req.seed !== undefined) body[mistral ? 'random_seed' : 'seed'] = req.seed;
  if (req.frequencyPenalty !== undefined) body.frequency_penalty = req.frequencyPenalty;
  if (req.presencePenalty !== undefined) body.presence_penalty = req.presencePenalty;
  if (req.user !== undefined) {
    // Mistral refuses unknown fields, and it has no end-user field.
    if (mistral) ctx.warn('user: Mistral has no end-user field; it was not sent');
    else body.user = req.user;
  }
  // Cache hints: OpenAI-compatible APIs cache long prefixes by themselves; nothing to send.
  return mergeProviderOptions(body, req.providerOptions?.openai);
}
