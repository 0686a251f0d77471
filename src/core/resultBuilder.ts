/** Folds an adapter's parts into the pieces of a ChatResult. One builder per attempt. */
import { emptyUsage, type FinishReason, type ModelStreamPart, type ToolCall, type Usage } from './types.ts';

export class ResultBuilder {
  // Appended with += : V8 keeps a rope and flattens it once, cheaper than an array joined at the end.
  private textSoFar = '';
  private reasoningSoFar = '';
  private tools = new Map<number, ToolCall>();
  usage: Usage = emptyUsage();
  providerCostUsd: number | null = null;
  finishReason: FinishReason | null = null;
  rawFinishReason: string | null = null;
  responseId: string | null = null;
  providerModel: string | null = null;
  /** True once anything the user could see (text, reasoning, a tool call) arrived. */
  shown = false;

  add(part: ModelStreamPart): void {
    switch (part.type) {
      case 'text-delta':
        this.textSoFar += part.text;
        this.shown = true;
        break;
      case 'reasoning-delta':
        this.reasoningSoFar += part.text;
        this.shown = true;
        break;
      case 'tool-call-delta': {
        let t = this.tools.get(part.index);
        if (!t) {
          t = { index: part.index, id: '', name: '', arguments: '' };
          this.tools.set(part.index, t);
        }
        if (part.id) t.id = part.id;
        if (part.name && !t.name) t.name = part.name;
        t.arguments += part.argumentsDelta;
        this.shown = true;
        break;
      }
      case 'usage':
        for (const k of ['inputTokens', 'outputTokens', 'cachedInputTokens', 'reasoningTokens'] as const) {
          const v = part.usage[k];
          if (v !== undefined && v !== null) this.usage[k] = v;
        }
        if (part.costUsd !== undefined && part.costUsd !== null) this.providerCostUsd = part.costUsd;
        break;
      case 'finish':
        this.finishReason = part.finishReason;
        this.rawFinishReason = part.rawFinishReason;
        break;
      case 'response-meta':
        if (part.id) this.responseId = part.id;
        if (part.model) this.providerModel = part.model;
        break;
    }
  }

  get text(): string {
    return this.textSoFar;
  }

  get reasoning(): string {
    return this.reasoningSoFar;
  }

  get toolCalls(): ToolCall[] {
    return [...this.tools.values()].sort((a, b) => a.index - b.index);
  }
}
