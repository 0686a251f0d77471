/**
 * The shapes every provider adapter, the router and the front ends share.
 * Nothing here knows about a particular vendor's wire format.
 */
import type { ErrorKind, SwitchboardError } from './errors.ts';
import type { AssistantContent, ModelRequest, ProtocolId } from './request.ts';

// The provider-neutral request model (messages by role with typed parts, tools, options) lives in
// request.ts; re-exported here so every consumer keeps importing from types.ts.
export type * from './request.ts';

/** Normalized reason an answer ended. */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'error';

/** Token counts; null where the provider did not say. */
export interface Usage {
  inputTokens: number | null;
  outputTokens: number | null;
  cachedInputTokens: number | null;
  reasoningTokens: number | null;
  /** Prompt tokens written to a 5-minute / 1-hour prompt cache (Anthropic); part of inputTokens. */
  cacheWrite5mTokens?: number | null;
  cacheWrite1hTokens?: number | null;
  /** Prompt tokens of the provider's own tool use (Gemini `toolUsePromptTokenCount`); part of inputTokens. */
  toolUsePromptTokens?: number | null;
  /** Hosted web searches the provider ran and bills per search (Anthropic's web_search server tool, OpenAI Responses' web_search calls). */
  webSearches?: number | null;
  /** Audio tokens of the prompt / of the answer (Chat Completions' `audio_tokens`), set when there were some; part of inputTokens / outputTokens. */
  inputAudioTokens?: number | null;
  outputAudioTokens?: number | null;
}

/** Every Usage field, in the order ledgers and reports list them. */
export const USAGE_KEYS = [
  'inputTokens',
  'outputTokens',
  'cachedInputTokens',
  'reasoningTokens',
  'cacheWrite5mTokens',
  'cacheWrite1hTokens',
  'toolUsePromptTokens',
  'webSearches',
  'inputAudioTokens',
  'outputAudioTokens',
] as const;

/**
 * What an adapter yields while it streams. Errors are thrown by the adapter as
 * SwitchboardError; the client turns them into an `error` part for consumers.
 */
export type ModelStreamPart =
  /** `thoughtSignature`: Gemini's signature on this part (may come with empty text); it closes the text segment. */
  | { type: 'text-delta'; text: string; thoughtSignature?: string }
  | { type: 'reasoning-delta'; text: string; thoughtSignature?: string }
  /** Anthropic: the signature that closes the current thinking block. */
  | { type: 'reasoning-signature'; signature: string }
  /** Anthropic: a redacted_thinking block (opaque data to send back unchanged). */
  | { type: 'reasoning-redacted'; data: string }
  /** OpenRouter: one `reasoning_details` entry (or a streamed piece of one, merged by its index). */
  | { type: 'reasoning-detail'; detail: Record<string, unknown> }
  /** A fragment of a tool call; `argumentsDelta` is a piece of JSON text. */
  | { type: 'tool-call-delta'; index: number; id?: string; name?: string; argumentsDelta: string; thoughtSignature?: string }
  /**
   * Usage so far (later parts override earlier non-null fields). `costUsd` when the provider reports it.
   * `partial`: a running count sent while the answer streams (Gemini's every chunk, Anthropic's
   * message_start), not the answer's final one: a stream cut after it is counted at an estimate.
   */
  | { type: 'usage'; usage: Partial<Usage>; costUsd?: number | null; partial?: boolean }
  /** `stopSequence`: which of the request's stop sequences ended the answer, when the provider says (Anthropic; vLLM and SGLang). */
  | { type: 'finish'; finishReason: FinishReason; rawFinishReason: string | null; stopSequence?: string }
  /** The provider's own response id / model, when it says. */
  | { type: 'response-meta'; id?: string; model?: string }
  /** Something the user should know that does not stop the answer (a budget warning, a clamped temperature, an ignored hint). */
  | { type: 'warning'; message: string }
  /**
   * Passthrough only (see PassthroughRequest): the upstream's own SSE frames, for a front end that
   * speaks the upstream's protocol to forward as they are. Each comes after the parts decoded from
   * the same events, so a cut (answer cap, an error event) never forwards what was not kept. One
   * part may hold the frames of several events (what one upstream read carried); the stream's end
   * event is always a part of its own.
   */
  | { type: 'raw'; text: string };

/** Parts a consumer of the rich stream sees: the adapter's parts plus attempts and errors. */
export type StreamPart =
  | ModelStreamPart
  /** `passthrough`: this attempt forwards the caller's own body and streams `raw` frames (PassthroughRequest). */
  | { type: 'attempt-start'; model: string; attempt: number; passthrough?: true }
  | { type: 'attempt-failed'; attempt: Attempt }
  /**
   * The router will try the same model again after `delayMs` (it sleeps now; the next part is that
   * try's `attempt-start`). `attempt` is the number of the coming try of this model, `maxAttempts`
   * how many it gets in all (1 + retries), so a front end can say "retrying in 7 s (attempt 2 of 3)";
   * `kind` and `status` are those of the error that caused it, `reason` its provider message.
   */
  | { type: 'retry'; model: string; delayMs: number; reason: string; kind: ErrorKind; status: number | null; attempt: number; maxAttempts: number }
  | { type: 'error'; error: SwitchboardError };

/** One try of one model while answering a request. */
export interface Attempt {
  model: string;
  /** `skipped`: not tried (constraints, context window, cooldown); `message` says why. */
  outcome: 'ok' | 'error' | 'skipped';
  errorKind?: string;
  status?: number;
  durationMs: number;
  message?: string;
}

export interface ToolCall {
  index: number;
  id: string;
  name: string;
  arguments: string;
}

/** The final outcome of one request, successful or not. */
export interface ChatResult {
  /** The id the caller asked for (may be a route). */
  model: string;
  /** `provider/model` of the model that produced the answer (null if none did). */
  answeredBy: string | null;
  /** The provider's own name for the model, when it said (e.g. a dated snapshot). */
  providerModel: string | null;
  responseId: string | null;
  text: string;
  reasoning: string;
  toolCalls: ToolCall[];
  /**
   * The assistant turn in order (reasoning with its signatures, text, tool calls with their
   * ProviderState), ready to append to `messages` as `{ role: 'assistant', content }`.
   */
  content: AssistantContent[];
  /** Things the caller should know that did not stop the answer (a clamped temperature, an ignored hint). */
  warnings: string[];
  finishReason: FinishReason;
  rawFinishReason: string | null;
  /** Which of the request's stop sequences ended the answer, when the provider said (Anthropic, vLLM and SGLang do; see the doors). */
  stopSequence?: string;
  usage: Usage;
  /** USD; null when a price or a token count is unknown. Never a guessed 0. */
  costUsd: number | null;
  /**
   * `costUsd` is an estimate: tokens streamed × the model's prices (the provider never counted this
   * answer), or audio tokens charged as text (the price has no audio rate; a warning says so).
   */
  costEstimated?: boolean;
  /**
   * The answer came from a model whose use is included in a subscription (VS Code's language
   * models, see hostModels.ts): `costUsd` is null, and that is not "unknown". Budgets ignore it.
   */
  costIncluded?: boolean;
  /**
   * Both figures when there are two: what the provider said it charged (`costUsd` is then this)
   * and ours from tokens × prices. Set when the provider reported a cost.
   */
  costCheck?: { billedUsd: number; computedUsd: number | null };
  timing: { ttftMs: number | null; totalMs: number };
  attempts: Attempt[];
  error: SwitchboardError | null;
  /** When a stream broke after tokens were shown: a model that could continue. */
  canContinueWith?: string[];
  /** Budget alerts this request fired (each fires once per period; the same text is in `warnings`). */
  budgetAlerts?: BudgetAlert[];
}

/**
 * A budget threshold reached: 50, 80 or 100 % of the daily, monthly or session cap, of the
 * spend recorded in the ledger (holds of requests in flight are not spend). Fired once per cap,
 * period (day, month, session) and threshold, whichever process reaches it first.
 */
export interface BudgetAlert {
  cap: 'daily' | 'monthly' | 'perSession';
  threshold: 50 | 80 | 100;
  limitUsd: number;
  spentUsd: number;
  /** A request was refused by this cap (onExceed: block), whatever the percentage. */
  blocked: boolean;
  onExceed: 'warn' | 'block';
  /** The day (2026-12-02), the month (2026-12) or the session id. */
  period: string;
  /** The front end whose request fired it (cli, gateway, vscode…). */
  frontEnd: string;
  message: string;
}

/** An adapter for one model of one provider. */
export interface LanguageModel {
  readonly providerId: string;
  readonly modelId: string;
  /** Streams the answer. Throws SwitchboardError on failure (before or during the stream). */
  stream(request: ModelRequest): AsyncIterable<ModelStreamPart>;
  /**
   * Optional fast path: the same parts as `stream`, grouped as they arrived (one array per
   * network read, never empty). The router prefers it: one async step per read, not per part.
   */
  streamBatches?(request: ModelRequest): AsyncIterable<ModelStreamPart[]>;
  /**
   * Optional same-protocol fast path: when this model speaks `pass.protocol` for this request, send
   * the caller's body (model id, and what the ledger needs, replaced) and stream the parts decoded
   * from the answer plus its `raw` frames; null when it speaks another protocol.
   */
  passthrough?(request: ModelRequest, pass: PassthroughRequest): AsyncIterable<ModelStreamPart[]> | null;
}

/**
 * A request body already in an upstream wire protocol (a gateway door's client speaks it): sent as
 * it is to a model of that protocol, with only the model id replaced and what the ledger needs set
 * (usage in the stream, no provider-side storage). The neutral request still goes with it: the
 * router plans, checks and budgets with it, and a model of another protocol is sent that instead.
 */
export interface PassthroughRequest {
  protocol: ProtocolId;
  body: Record<string, unknown>;
  /** Request headers of that protocol to send along (Anthropic's `anthropic-beta`); never auth. */
  headers?: Record<string, string>;
  /**
   * The model name the caller asked for, to stand in the answer where the protocol names the model
   * once per answer (Anthropic's message_start, the Responses response object), as the translating
   * path reports it: clients compare it with what they asked (Claude Code keeps a turn's thinking
   * only for the model it asked). Chat Completions chunks keep the provider's name.
   */
  model?: string;
  /**
   * Set by the router: the answer's size cap (config `limits.maxAnswerChars`). A non-streamed answer
   * is read whole before it is decoded; one larger than any answer within the cap could be
   * (maxJsonAnswerBytes) is refused as past the cap while it is read.
   */
  maxAnswerChars?: number;
  /**
   * Set when only a model of `protocol` can answer: the body holds what the translation cannot
   * carry (a hosted tool only that protocol's API runs). An attempt that would translate is not
   * sent: it is skipped with this error, and if no model could forward, the request fails with it.
   */
  forwardOnly?: SwitchboardError;
}

export function emptyUsage(): Usage {
  return { inputTokens: null, outputTokens: null, cachedInputTokens: null, reasoningTokens: null };
}
