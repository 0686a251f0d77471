import type { ResolvedProvider } from '../config.ts';
import type { LanguageModel } from '../types.ts';
import { AnthropicModel } from './anthropic/anthropicModel.ts';
import { GeminiModel } from './gemini/geminiModel.ts';
import { OpenAICompatibleModel } from './openai/openaiModel.ts';
import type { ProviderContext } from './shared.ts';

/** The one place a wire protocol is chosen: by the provider's kind. */
export function createLanguageModel(provider: ResolvedProvider, modelId: string, ctx: ProviderContext): LanguageModel {
  switch (provider.kind) {
    case 'openai':
      return new OpenAICompatibleModel(provider, modelId, ctx);
    case 'anthropic':
      return new AnthropicModel(provider, modelId, ctx);
    case 'gemini':
      return new GeminiModel(provider, modelId, ctx);
  }
}

export type { ProviderContext } from './shared.ts';
