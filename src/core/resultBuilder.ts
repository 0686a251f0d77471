/** Folds an adapter's parts into the pieces of a ChatResult. One builder per attempt. */
import { emptyUsage, type FinishReason, type ModelStreamPart, type ToolCall, type Usage } from './types.ts';

export class ResultBuilder {
  /** Characters kept at most (text + reasoning + tool-call arguments); see `add`. */
  private readonly maxChars: number;
  /** Characters kept so far. */
  size = 0;
  /** True once a part had to be cut (or dropped) at `maxChars`. */
  overflowed = false;

  constructor(maxChars = Number.POSITIVE_INFINITY) {
    this.maxChars = maxChars;
  }

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

  /**
   * Folds a part in and returns it as kept: the same object, a copy cut at the size cap, or null
   * once the cap was reached (nothing more is kept, so nothing more may be shown either).
   */
  add(part: ModelStreamPart): ModelStreamPart | null {
    if (this.overflowed) return null;
    const grows = part.type === 'text-delta' || part.type === 'reasoning-delta' ? part.text.length : part.type === 'tool-call-delta' ? part.argumentsDelta.length : 0;
    if (grows > 0 && this.size + grows > this.maxChars) {
      this.overflowed = true;
      const room = this.maxChars - this.size;
      if (room <= 0) return null;
      if (part.type === 'tool-call-delta') part = { ...part, argumentsDelta: cut(part.argumentsDelta, room) };
      else if (part.type === 'text-delta' || part.type === 'reasoning-delta') part = { ...part, text: cut(part.text, room) };
    }
    this.fold(part);
    return part;
  }

  private fold(part: ModelStreamPart): void {
    switch (part.type) {
      case 'text-delta':
        this.size += part.text.length;
        this.textSoFar += part.text;
        this.shown = true;
        break;
      case 'reasoning-delta':
        this.size += part.text.length;
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
        this.size += part.argumentsDelta.length;
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

/** The first `n` UTF-16 units, not splitting a surrogate pair. */
function cut(s: string, n: number): string {
  const code = s.charCodeAt(n - 1);
  return s.slice(0, code >= 0xd800 && code <= 0xdbff ? n - 1 : n);
}
