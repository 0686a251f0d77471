/**
 * What a model can do (tool calling, image/PDF input, reasoning, structured output, limits).
 *
 * Sources, later ones winning field by field: the defaults for an unknown model; rules for the
 * snapshot's families; live lists (OpenRouter's `supported_parameters` and
 * `architecture.input_modalities`); the config's `capabilities[id]` override.
 *
 * An unknown model is assumed to call tools (a model that cannot answers with an HTTP error, never
 * by silently ignoring them) but not to see images or PDFs (a text-only model may silently ignore
 * an image): `capabilities["provider/model"].imageInput: true` in the config says otherwise.
 */
import type { ModelCapabilities } from '../request.ts';
import type { SnapshotModel } from './snapshot.ts';

export type CapabilityFlags = Omit<ModelCapabilities, 'contextWindow' | 'maxOutputTokens'>;

export const UNKNOWN_CAPABILITIES: CapabilityFlags = { toolCalling: true, imageInput: false, pdfInput: false, reasoning: false, structuredOutput: true };

/**
 * Capabilities by vendor family, from the model's name: a snapshot entry, or a model the price
 * database knows under a vendor that the snapshot does not list yet (a newer Claude, GPT or Gemini).
 * Version rules count upwards (Claude 4 and later think, GPT-5 and later reason) so a model newer
 * than these rules is not taken for one that cannot think or see.
 */
export function snapshotCapabilities(e: Pick<SnapshotModel, 'id'>): CapabilityFlags {
  const slash = e.id.indexOf('/');
  const vendor = e.id.slice(0, slash);
  const m = e.id.slice(slash + 1);
  switch (vendor) {
    case 'openai': {
      const vision = m !== 'o3-mini';
      return { toolCalling: true, imageInput: vision, pdfInput: vision, reasoning: /^(o\d|gpt-([5-9]|\d\d))/.test(m), structuredOutput: true };
    }
    case 'anthropic':
      return {
        toolCalling: true,
        imageInput: true,
        pdfInput: !/claude-3-opus/.test(m),
        reasoning: /claude-(3-7|3\.7|(opus|sonnet|haiku)-([4-9]|\d\d))/.test(m),
        structuredOutput: true,
      };
    case 'google':
      return { toolCalling: true, imageInput: true, pdfInput: true, reasoning: /gemini-(2\.5|[3-9]|\d\d)/.test(m), structuredOutput: true };
    case 'mistral':
      return { toolCalling: true, imageInput: /mistral-(medium|small)/.test(m), pdfInput: false, reasoning: /magistral/.test(m), structuredOutput: true };
    case 'groq':
      return { toolCalling: true, imageInput: false, pdfInput: false, reasoning: /gpt-oss/.test(m), structuredOutput: /gpt-oss/.test(m) };
    case 'deepseek':
      // DeepSeek takes response_format json_object but not a JSON Schema.
      return { toolCalling: true, imageInput: false, pdfInput: false, reasoning: /reasoner/.test(m), structuredOutput: false };
    case 'xai':
      return {
        toolCalling: true,
        imageInput: /^grok-4/.test(m) && !/code/.test(m),
        pdfInput: false,
        reasoning: /grok-4|grok-3-mini|grok-code/.test(m),
        structuredOutput: true,
      };
    default:
      return { ...UNKNOWN_CAPABILITIES };
  }
}

/** OpenRouter's `/models` entry → the flags it states (only those it states). */
export function openRouterCapabilities(supportedParameters: unknown, inputModalities: unknown): Partial<CapabilityFlags> {
  const out: Partial<CapabilityFlags> = {};
  if (Array.isArray(supportedParameters)) {
    const p = new Set(supportedParameters.filter((x): x is string => typeof x === 'string'));
    out.toolCalling = p.has('tools');
    out.structuredOutput = p.has('structured_outputs') || p.has('response_format');
    out.reasoning = p.has('reasoning') || p.has('include_reasoning');
  }
  if (Array.isArray(inputModalities)) {
    out.imageInput = inputModalities.includes('image');
    out.pdfInput = inputModalities.includes('file');
  }
  return out;
}

/** A route can do what all its members can; its limits are the smallest known. */
export function intersectCapabilities(members: readonly ModelCapabilities[]): ModelCapabilities {
  const minKnown = (vals: (number | null)[]): number | null => {
    const known = vals.filter((v): v is number => v !== null);
    return known.length > 0 ? Math.min(...known) : null;
  };
  return {
    toolCalling: members.every((m) => m.toolCalling),
    imageInput: members.every((m) => m.imageInput),
    pdfInput: members.every((m) => m.pdfInput),
    reasoning: members.every((m) => m.reasoning),
    structuredOutput: members.every((m) => m.structuredOutput),
    contextWindow: minKnown(members.map((m) => m.contextWindow)),
    maxOutputTokens: minKnown(members.map((m) => m.maxOutputTokens)),
  };
}
