import type { ResolvedProvider } from '../config.ts';
import type { LanguageModel } from '../types.ts';
import { anthropicProtocol } from './anthropic/anthropicModel.ts';
import { geminiProtocol } from './gemini/geminiModel.ts';
import { HttpLanguageModel, type WireProtocol } from './httpModel.ts';
import { openaiProtocol } from './openai/openaiModel.ts';
import { OpenAIDualModel } from './openai-responses/responsesModel.ts';
import type { ProviderContext } from './shared.ts';

/** The one place a wire protocol is chosen: by the provider's kind. */
const PROTOCOLS: Record<ResolvedProvider['kind'], WireProtocol> = {
  openai: openaiProtocol,
  anthropic: anthropicProtocol,
  gemini: geminiProtocol,
};

export function createLanguageModel(provider: ResolvedProvider, modelId: string, ctx: ProviderContext): LanguageModel {
  // OpenAI-protocol models pick Chat Completions or Responses per model and request (openai-responses/).
  if (provider.kind === 'openai') return new OpenAIDualModel(provider, modelId, ctx, openaiProtocol);
  return new HttpLanguageModel(provider, modelId, ctx, PROTOCOLS[provider.kind]);
}

export type { ProviderContext } from './shared.ts';
