import type { ResolvedProvider } from '../config.ts';
import type { LanguageModel } from '../types.ts';
import { anthropicProtocol } from './anthropic/anthropicModel.ts';
import { geminiProtocol } from './gemini/geminiModel.ts';
import { HttpLanguageModel, type WireProtocol } from './httpModel.ts';
import { openaiProtocol } from './openai/openaiModel.ts';
import type { ProviderContext } from './shared.ts';

/** The one place a wire protocol is chosen: by the provider's kind. */
const PROTOCOLS: Record<ResolvedProvider['kind'], WireProtocol> = {
  openai: openaiProtocol,
  anthropic: anthropicProtocol,
  gemini: geminiProtocol,
};

export function createLanguageModel(provider: ResolvedProvider, modelId: string, ctx: ProviderContext): LanguageModel {
  return new HttpLanguageModel(provider, modelId, ctx, PROTOCOLS[provider.kind]);
}

export type { ProviderContext } from './shared.ts';
