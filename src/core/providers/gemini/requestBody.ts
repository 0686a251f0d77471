/** The neutral request → a Gemini generateContent body. */
import type { ResolvedProvider } from '../../config.ts';
import type { ModelRequest, ReasoningEffort } from '../../types.ts';
import type { BodyContext } from '../httpModel.ts';
import { checkFinalAssistant, imageDetails, mergeProviderOptions, unsupported } from '../shared.ts';
import { toGeminiPrompt } from './convertMessages.ts';
import { SchemaConversionError, toGeminiJsonSchema, toGeminiSchema } from './schema.ts';

const EFFORT_BUDGET: Record<ReasoningEffort, number> = { none: 0, minimal: 512, low: 2048, medium: 8192, high: 24_576, xhigh: 32_768 };

/** Gemini 3 models take a thinking level instead of a budget. */
function takesThinkingLevel(wireModel: string): boolean {
  return /gemini-3/.test(wireModel);
}

/** The thinking levels a Gemini 3 model takes (Flash: four; Pro: low and high), lowest first. */
function thinkingLevels(wireModel: string): readonly string[] {
  return /gemini-3(\.\d+)?-flash/.test(wireModel) ? ['minimal', 'low', 'medium', 'high'] : ['low', 'high'];
}

/**
 * The thinking budgets a Gemini 2.5 model takes (Google's thinking docs): 2.5 Pro 128–32,768 and no
 * way to turn thinking off; 2.5 Flash 0–24,576; 2.5 Flash-Lite 0 or 512–24,576. The API refuses
 * other values. Null: a model whose range is not known (sent as asked).
 */
function budgetRange(wireModel: string): { min: number; max: number; canDisable: boolean } | null {
  if (/gemini-2\.5-pro/.test(wireModel)) return { min: 128, max: 32_768, canDisable: false };
  if (/gemini-2\.5-flash-lite/.test(wireModel)) return { min: 512, max: 24_576, canDisable: true };
  if (/gemini-2\.5-flash/.test(wireModel)) return { min: 1, max: 24_576, canDisable: true };
  return null;
}

export function geminiBody(provider: ResolvedProvider, wireModel: string, req: ModelRequest, ctx: BodyContext): Record<string, unknown> {
  const model = `${provider.id}/${wireModel}`;
  checkFinalAssistant(req, false, provider.id, wireModel);
  const prompt = toGeminiPrompt(req.messages, provider.id, wireModel);
  const body: Record<string, unknown> = { contents: prompt.contents };
  if (prompt.systemInstruction) body.systemInstruction = prompt.systemInstruction;
  const gen: Record<string, unknown> = {};
  if (req.maxTokens !== undefined) gen.maxOutputTokens = req.maxTokens;
  if (req.temperature !== undefined) gen.temperature = req.temperature;
  if (req.topP !== undefined) gen.topP = req.topP;
  if (req.stop !== undefined && req.stop.length > 0) gen.stopSequences = req.stop;

  if (req.tools && req.tools.length > 0) {
    const functionDeclarations = req.tools.map((t) => {
      const decl: Record<string, unknown> = { name: t.name };
      if (t.description !== undefined) decl.description = t.description;
      // The OpenAPI subset (`parameters`) where it is exact; otherwise the JSON Schema subset
      // (`parametersJsonSchema`: free-form objects, additionalProperties schemas). Never both.
      let parameters: Record<string, unknown>;
      try {
        parameters = toGeminiSchema(t.parameters);
      } catch (e) {
        if (!(e instanceof SchemaConversionError)) throw e;
        try {
          decl.parametersJsonSchema = toGeminiJsonSchema(t.parameters);
          return decl;
        } catch (e2) {
          if (!(e2 instanceof SchemaConversionError)) throw e2;
          throw unsupported(
            provider.id,
            wireModel,
            `tools["${t.name}"].parameters`,
            `${e.message}; as parametersJsonSchema: ${e2.message}`,
            'simplify the schema to what Gemini accepts (one type per property, string enums, no allOf/not/patternProperties; free-form objects only without minLength/maxLength/pattern elsewhere in the tool)',
          );
        }
      }
      // A function without parameters is declared without the field (an empty object schema is refused).
      if (Object.keys((parameters.properties as object | undefined) ?? {}).length > 0) decl.parameters = parameters;
      return decl;
    });
    body.tools = [{ functionDeclarations }];
    if (req.tools.some((t) => t.strict)) ctx.warn(`tools[].strict: Gemini has no strict mode; ${model} follows the schema without a guarantee`);
    const c = req.toolChoice;
    if (c !== undefined) {
      body.toolConfig = {
        functionCallingConfig:
          typeof c === 'object' ? { mode: 'ANY', allowedFunctionNames: [c.name] } : { mode: c === 'auto' ? 'AUTO' : c === 'none' ? 'NONE' : 'ANY' },
      };
    }
    if (req.parallelToolCalls === false) ctx.warn(`parallelToolCalls: Gemini cannot be limited to one call per turn; ${model} may make several`);
  }

  const rf = req.responseFormat;
  if (rf && rf.type !== 'text') {
    gen.responseMimeType = 'application/json';
    if (rf.type === 'json_schema') {
      try {
        gen.responseJsonSchema = toGeminiJsonSchema(rf.schema);
      } catch (e) {
        if (!(e instanceof SchemaConversionError)) throw e;
        throw unsupported(
          provider.id,
          wireModel,
          'responseFormat.schema',
          e.message,
          'use only the JSON Schema keywords Gemini honours (no minLength/maxLength/pattern/allOf/not)',
        );
      }
    }
  }

  const r = req.reasoning;
  if (r && (r.effort !== undefined || r.budgetTokens !== undefined)) {
    if (ctx.capabilities && !ctx.capabilities.reasoning) {
      if (r.effort !== 'none') ctx.warn(`reasoning: ${model} does not think; the reasoning option was not sent`);
    } else if (takesThinkingLevel(wireModel) && r.effort !== undefined && r.budgetTokens === undefined) {
      // The level asked for, or the nearest the model takes (said, unless it is only a name: xhigh is its highest).
      const levels = thinkingLevels(wireModel);
      const asked = r.effort === 'none' ? 'minimal' : r.effort === 'xhigh' ? 'high' : r.effort;
      const level = levels.includes(asked) ? asked : asked === 'medium' ? 'high' : levels[0]!;
      if (r.effort === 'none') ctx.warn(`reasoning.effort: ${model} cannot turn thinking off; sent thinkingLevel "${level}"`);
      else if (level !== asked) ctx.warn(`reasoning.effort: ${model} has no "${asked}" thinking level (it takes ${levels.join(', ')}); sent "${level}"`);
      gen.thinkingConfig = { thinkingLevel: level, includeThoughts: true };
    } else {
      let budget = r.budgetTokens ?? EFFORT_BUDGET[r.effort!];
      const range = budgetRange(wireModel);
      if (range) {
        const fitted = budget === 0 ? (range.canDisable ? 0 : range.min) : Math.min(range.max, Math.max(range.min, budget));
        if (fitted !== budget)
          ctx.warn(
            budget === 0
              ? `reasoning: ${model} cannot turn thinking off; sent its smallest thinking budget, ${fitted}`
              : `reasoning: ${model} takes a thinking budget of ${range.min}–${range.max}; sent ${fitted} instead of ${budget}`,
          );
        budget = fitted;
      }
      // Gemini counts thinking against maxOutputTokens: a budget at or above it leaves no room for
      // the answer (it ends at MAX_TOKENS with no text). Kept below it, and said so, as for Anthropic.
      const cap = req.maxTokens;
      if (cap !== undefined && budget > 0 && budget >= cap) {
        if (cap < 2)
          throw unsupported(
            provider.id,
            wireModel,
            'reasoning',
            `thinking shares maxOutputTokens with the answer, and maxTokens is ${cap}: no room for a thinking budget`,
            'raise maxTokens or drop the reasoning option',
          );
        ctx.warn(
          `reasoning: ${model} counts thinking against maxOutputTokens (${cap}), which a thinking budget of ${budget} would fill; sent thinkingBudget ${cap - 1} (raise maxTokens for more thinking and room to answer)`,
        );
        budget = cap - 1;
        if (range && budget < range.min)
          throw unsupported(
            provider.id,
            wireModel,
            'reasoning',
            `thinking shares maxOutputTokens with the answer, and maxTokens ${cap} leaves less than the smallest thinking budget this model takes (${range.min})`,
            `raise maxTokens above ${range.min}${range.canDisable ? ' or turn reasoning off' : ''}`,
          );
      }
      gen.thinkingConfig = budget === 0 ? { thinkingBudget: 0 } : { thinkingBudget: budget, includeThoughts: true };
    }
  }

  // An image's detail: Gemini's v1beta API has one media resolution for the whole request (per-part
  // resolution is v1alpha only). Sent when every image asks for the same detail and nothing else
  // (a PDF) would be resized with them; otherwise said, and Gemini's default applies.
  // OpenAI's "original" (not downscaled) has no Gemini equivalent: its highest resolution, said.
  const media = imageDetails(req.messages);
  const details = media.details.map((d) => (d === 'original' ? 'high' : d));
  const asked = [...new Set(details.filter((d) => d !== 'auto'))];
  if (asked.length === 1 && details.every((d) => d === asked[0]) && !media.files) {
    gen.mediaResolution = asked[0] === 'low' ? 'MEDIA_RESOLUTION_LOW' : 'MEDIA_RESOLUTION_HIGH';
    if (media.details.includes('original'))
      ctx.warn('image detail: Gemini has no "original" (not downscaled) resolution; the images were sent at its highest, MEDIA_RESOLUTION_HIGH');
  } else if (asked.length)
    ctx.warn(
      `image detail: Gemini takes one media resolution for the whole request, and ${media.files ? 'a document would be resized with the images' : `the images ask for different details (${[...new Set(media.details)].join(', ')})`}; none was sent, ${model} used its default resolution`,
    );

  // Hints.
  if (req.seed !== undefined) gen.seed = req.seed;
  if (req.frequencyPenalty !== undefined) gen.frequencyPenalty = req.frequencyPenalty;
  if (req.presencePenalty !== undefined) gen.presencePenalty = req.presencePenalty;
  if (req.user !== undefined) ctx.warn('user: Gemini has no end-user field; it was not sent');
  // Cache hints: Gemini caches repeated prefixes implicitly; explicit caches are separate objects.
  if (Object.keys(gen).length > 0) body.generationConfig = gen;
  return mergeProviderOptions(body, req.providerOptions?.gemini);
}
