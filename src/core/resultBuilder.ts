/** Folds an adapter's parts into the pieces of a ChatResult. One builder per attempt. */
import type { AssistantContent, ProviderState, ReasoningPart, TextPart, ToolCallPart } from './request.ts';
import type { SwitchboardError } from './errors.ts';
import { emptyUsage, USAGE_KEYS, type ChatResult, type FinishReason, type ModelStreamPart, type ToolCall, type Usage } from './types.ts';

/** The result of a request that never produced anything (cancelled before it started, or failed before a provider answered). */
export function emptyResult(model: string, error: SwitchboardError): ChatResult {
  return {
    model,
    answeredBy: null,
    providerModel: null,
    responseId: null,
    text: '',
    reasoning: '',
    toolCalls: [],
    content: [],
    warnings: [],
    finishReason: 'error',
    rawFinishReason: null,
    usage: emptyUsage(),
    costUsd: null,
    timing: { ttftMs: null, totalMs: 0 },
    attempts: [],
    error,
  };
}

const NONE = 0;
const TEXT = 1;
const REASONING = 2;

/**
 * One piece of the assistant turn, in arrival order. Text and reasoning are kept as offsets into
 * the running strings (not copied per chunk): the common path, a text delta continuing the open
 * text segment, costs one comparison more than before `content` existed.
 */
type Segment =
  | { kind: typeof TEXT; start: number; thoughtSignature?: string }
  | { kind: typeof REASONING; start: number; signature?: string; redactedData?: string; thoughtSignature?: string }
  | { kind: 'tool'; index: number };

export class ResultBuilder {
  // Appended with += : V8 keeps a rope and flattens it once, cheaper than an array joined at the end.
  private textSoFar = '';
  private reasoningSoFar = '';
  private tools = new Map<number, ToolCall & { thoughtSignature?: string }>();
  private segments: Segment[] = [];
  /** OpenRouter's reasoning_details, merged by index; they travel on the turn's first reasoning part. */
  private details: Record<string, unknown>[] = [];
  /** The kind of the open segment a delta of the same kind continues (NONE: the next delta opens one). */
  private open = NONE;
  usage: Usage = emptyUsage();
  providerCostUsd: number | null = null;
  /** The last usage was a running count (ModelStreamPart `partial`): not the answer's final count. */
  usagePartial = false;
  finishReason: FinishReason | null = null;
  rawFinishReason: string | null = null;
  stopSequence: string | null = null;
  responseId: string | null = null;
  providerModel: string | null = null;
  readonly warnings: string[] = [];
  /** True once anything the user could see (text, reasoning, a tool call) arrived. */
  shown = false;
  /** The attempt sent the caller's body as it is (the gateway's fast path, PassthroughRequest). */
  forwarded = false;
  /** `provider/model` that is answering: the origin of the provider state it hands back. */
  private readonly origin: string;

  constructor(origin = '') {
    this.origin = origin;
  }

  add(part: ModelStreamPart): void {
    switch (part.type) {
      case 'text-delta':
        if (part.thoughtSignature !== undefined) {
          // A signed part stays its own part: Gemini refuses a signature merged into other text.
          this.segments.push({ kind: TEXT, start: this.textSoFar.length, thoughtSignature: part.thoughtSignature });
          this.open = NONE;
        } else if (this.open !== TEXT) {
          this.segments.push({ kind: TEXT, start: this.textSoFar.length });
          this.open = TEXT;
        }
        this.textSoFar += part.text;
        if (part.text.length > 0) this.shown = true;
        break;
      case 'reasoning-delta':
        if (part.thoughtSignature !== undefined) {
          this.segments.push({ kind: REASONING, start: this.reasoningSoFar.length, thoughtSignature: part.thoughtSignature });
          this.open = NONE;
        } else if (this.open !== REASONING) {
          this.segments.push({ kind: REASONING, start: this.reasoningSoFar.length });
          this.open = REASONING;
        }
        this.reasoningSoFar += part.text;
        if (part.text.length > 0) this.shown = true;
        break;
      case 'reasoning-signature': {
        // Closes the thinking block it signs (Anthropic sends it as the block's last delta).
        const last = this.segments[this.segments.length - 1];
        if (last && last.kind === REASONING && this.open === REASONING) last.signature = part.signature;
        else this.segments.push({ kind: REASONING, start: this.reasoningSoFar.length, signature: part.signature });
        this.open = NONE;
        break;
      }
      case 'reasoning-redacted':
        this.segments.push({ kind: REASONING, start: this.reasoningSoFar.length, redactedData: part.data });
        this.open = NONE;
        this.shown = true;
        break;
      case 'reasoning-detail':
        this.addDetail(part.detail);
        break;
      case 'tool-call-delta': {
        let t = this.tools.get(part.index);
        if (!t) {
          t = { index: part.index, id: '', name: '', arguments: '' };
          this.tools.set(part.index, t);
          this.segments.push({ kind: 'tool', index: part.index });
        }
        this.open = NONE;
        if (part.id) t.id = part.id;
        if (part.name && !t.name) t.name = part.name;
        if (part.thoughtSignature !== undefined) t.thoughtSignature = part.thoughtSignature;
        t.arguments += part.argumentsDelta;
        this.shown = true;
        break;
      }
      case 'usage':
        for (const k of USAGE_KEYS) {
          const v = part.usage[k];
          if (v !== undefined && v !== null) this.usage[k] = v;
        }
        if (part.costUsd !== undefined && part.costUsd !== null) this.providerCostUsd = part.costUsd;
        this.usagePartial = part.partial === true;
        break;
      case 'finish':
        this.finishReason = part.finishReason;
        this.rawFinishReason = part.rawFinishReason;
        if (part.stopSequence !== undefined) this.stopSequence = part.stopSequence;
        break;
      case 'response-meta':
        if (part.id) this.responseId = part.id;
        if (part.model) this.providerModel = part.model;
        break;
      case 'warning':
        this.warnings.push(part.message);
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
    return [...this.tools.values()].sort((a, b) => a.index - b.index).map((t) => ({ index: t.index, id: t.id, name: t.name, arguments: t.arguments }));
  }

  /** The assistant turn in order, with the provider state that must travel back with it. */
  get content(): AssistantContent[] {
    const out: AssistantContent[] = [];
    const segs = this.segments;
    const endOf = (i: number, kind: typeof TEXT | typeof REASONING): number => {
      for (let j = i + 1; j < segs.length; j++) {
        const s = segs[j]!;
        if (s.kind === kind) return s.start;
      }
      return kind === TEXT ? this.textSoFar.length : this.reasoningSoFar.length;
    };
    for (let i = 0; i < segs.length; i++) {
      const s = segs[i]!;
      if (s.kind === 'tool') {
        const t = this.tools.get(s.index)!;
        const part: ToolCallPart = { type: 'tool-call', id: t.id, name: t.name, arguments: t.arguments };
        if (t.thoughtSignature !== undefined) part.state = this.state(t.thoughtSignature);
        out.push(part);
      } else if (s.kind === TEXT) {
        const text = this.textSoFar.slice(s.start, endOf(i, TEXT));
        if (text.length === 0 && s.thoughtSignature === undefined) continue;
        const part: TextPart = { type: 'text', text };
        if (s.thoughtSignature !== undefined) part.state = this.state(s.thoughtSignature);
        out.push(part);
      } else {
        const part: ReasoningPart = { type: 'reasoning', text: this.reasoningSoFar.slice(s.start, endOf(i, REASONING)) };
        if (s.signature !== undefined) part.signature = s.signature;
        if (s.redactedData !== undefined) part.redactedData = s.redactedData;
        if (part.text.length === 0 && s.signature === undefined && s.redactedData === undefined && s.thoughtSignature === undefined) continue;
        // Reasoning always records who made it: only that model may receive it back.
        part.state = this.state(s.thoughtSignature);
        out.push(part);
      }
    }
    if (this.details.length > 0) {
      let holder = out.find((p): p is ReasoningPart => p.type === 'reasoning');
      if (!holder) {
        holder = { type: 'reasoning', text: '' };
        out.unshift(holder);
      }
      holder.state = { ...(holder.state ?? { origin: this.origin }), openrouterReasoning: this.details.map((d) => ({ ...d })) };
    }
    return out;
  }

  /**
   * OpenRouter streams each reasoning detail in pieces that share an `index`: text, summary and
   * encrypted data are concatenated, other fields (signature, id, format) keep their last value.
   */
  private addDetail(d: Record<string, unknown>): void {
    const index = typeof d.index === 'number' ? d.index : this.details.length;
    const prev = this.details.find((x) => x.index === index && x.type === d.type);
    if (!prev) {
      this.details.push({ ...d, index });
      return;
    }
    for (const [k, v] of Object.entries(d)) {
      if (v === null || v === undefined) continue;
      if ((k === 'text' || k === 'summary' || k === 'data') && typeof v === 'string' && typeof prev[k] === 'string') prev[k] = (prev[k] as string) + v;
      else prev[k] = v;
    }
  }

  private state(thoughtSignature: string | undefined): ProviderState {
    return thoughtSignature === undefined ? { origin: this.origin } : { origin: this.origin, thoughtSignature };
  }
}
