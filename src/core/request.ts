export type Role = 'system' | 'user' | 'assistant' | 'tool';

/**
 * The provider-neutral request model (learned from the AI SDK's prompt and call options; our own
 * shapes). Every front end (facade, gateway doors, VS Code's lm provider, chat, CLI) translates
 * INTO it and every wire protocol translates OUT of it; no door talks to an adapter's wire shape.
 */

/** Ask the provider to cache everything up to and including this part (Anthropic `cache_control`). */
export interface CacheHint {
  type: 'ephemeral';
  ttl?: '5m' | '1h';
}

/**
 * State a provider attached to a part that must go back to the same provider unchanged in later
 * turns (Anthropic thinking signatures, Gemini `thoughtSignature`). `origin` is the
 * `provider/model` that made it: a conversation that moves to another model strips it.
 */
export interface ProviderState {
  origin: string;
  /** Gemini's `thoughtSignature` on a text or functionCall part. */
  thoughtSignature?: string;
  /**
   * OpenRouter's `reasoning_details` (signed or encrypted reasoning of the model behind it), as
   * received: sent back on the assistant message so tool calls with reasoning keep working.
   */
  openrouterReasoning?: Record<string, unknown>[];
}

export interface TextPart {
  type: 'text';
  text: string;
  cache?: CacheHint;
  state?: ProviderState;
}

/** How finely the model sees an image: OpenAI's values ("original": as sent, not downscaled). */
export type ImageDetail = 'auto' | 'low' | 'high' | 'original';

/** An image, by URL (http(s)) or inline base64 data; `mediaType` is required for data. */
export interface ImagePart {
  type: 'image';
  source: { type: 'url'; url: string } | { type: 'base64'; data: string; mediaType: string };
  detail?: ImageDetail;
}

/** A document (PDF and the like), inline; refused by providers that take no files. */
export interface FilePart {
  type: 'file';
  data: string;
  mediaType: string;
  filename?: string;
}

/** A tool call the model made; `arguments` is the JSON text exactly as the model produced it. */
export interface ToolCallPart {
  type: 'tool-call';
  id: string;
  name: string;
  arguments: string;
  state?: ProviderState;
}

/** The result of running a tool, paired with its call by `callId`. */
export interface ToolResultPart {
  type: 'tool-result';
  callId: string;
  /** The tool's name (Gemini's functionResponse needs it; filled from the call when absent). */
  name?: string;
  content: string | (TextPart | ImagePart)[];
  isError?: boolean;
  cache?: CacheHint;
}

/**
 * Reasoning the model showed. `signature` (Anthropic) or `redactedData` (Anthropic
 * redacted_thinking) must go back unchanged to the provider in `state.origin`, never elsewhere.
 */
export interface ReasoningPart {
  type: 'reasoning';
  text: string;
  signature?: string;
  redactedData?: string;
  state?: ProviderState;
}

export type SystemMessage = { role: 'system'; content: string | TextPart[] };
export type UserContent = TextPart | ImagePart | FilePart;
export type UserMessage = { role: 'user'; content: string | UserContent[]; name?: string };
export type AssistantContent = TextPart | ReasoningPart | ToolCallPart;
export type AssistantMessage = { role: 'assistant'; content: string | AssistantContent[]; name?: string };
export type ToolMessage = { role: 'tool'; content: ToolResultPart[] };

/** One message of a conversation, by role. */
export type ChatMessage = SystemMessage | UserMessage | AssistantMessage | ToolMessage;
/** Any content part. */
export type ContentPart = UserContent | AssistantContent | ToolResultPart;

/** A function the model may call; `parameters` is a JSON Schema object. */
export interface ToolDefinition {
  name: string;
  description?: string;
  parameters: Record<string, unknown>;
  /** Ask the provider to follow the schema exactly (OpenAI `strict`). */
  strict?: boolean;
  cache?: CacheHint;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { type: 'tool'; name: string };

export type ResponseFormat =
  { type: 'text' } | { type: 'json_object' } | { type: 'json_schema'; name: string; schema: Record<string, unknown>; description?: string; strict?: boolean };

export type ReasoningEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh';

/** How much the model may think: an effort level, a token budget, or both (the protocol picks). */
export interface ReasoningOptions {
  effort?: ReasoningEffort;
  budgetTokens?: number;
}

/** Wire protocols; `providerOptions` are keyed by these and passed through untouched. */
export type ProtocolId = 'openai' | 'anthropic' | 'gemini' | 'openai-responses';

/** One request, provider-neutral. `model` is the part after `providerId/`. */
export interface ModelRequest {
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  /** false asks for at most one tool call per turn. */
  parallelToolCalls?: boolean;
  responseFormat?: ResponseFormat;
  reasoning?: ReasoningOptions;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stop?: string[];
  /** Hints: honoured where the protocol can, a warning where it cannot. */
  seed?: number;
  frequencyPenalty?: number;
  presencePenalty?: number;
  user?: string;
  /**
   * What a conversation that ends in an assistant message asks for, as the front end's protocol
   * means it: `continue` that text (Anthropic's prefill: the answer picks up where it stops), or
   * `reply` to it with a new turn (OpenAI's APIs). Protocols that would do the other refuse the
   * request before sending (providers/shared.ts checkFinalAssistant). Unset: not checked.
   */
  finalAssistant?: 'continue' | 'reply';
  /** Cache the system prompt and the tool definitions (Anthropic `cache_control`; others cache by themselves). */
  cache?: { system?: CacheHint; tools?: CacheHint };
  /** Per-protocol fields merged into that protocol's request body untouched. */
  providerOptions?: Partial<Record<ProtocolId, Record<string, unknown>>>;
  /**
   * What only `providerOptions[protocol]` carries (a Responses door's prompt_cache_key): each warning
   * holds when a model of another protocol answers, which does not get it; the model's adapter says
   * it then (providerOptionsLeftOut), and a model of that protocol says nothing.
   */
  providerOptionsWarnings?: Partial<Record<ProtocolId, string[]>>;
  /**
   * A warning that holds when the answering model's API does not say which of `stop` ended the answer
   * (a front end that must tell: the Messages door's stop_reason "stop_sequence"). Anthropic's API
   * says, and so do vLLM and SGLang servers (ResolvedProvider.reportsStopMatch); any other model's
   * adapter says the warning (providerOptionsLeftOut).
   */
  stopMatchWarning?: string;
  signal?: AbortSignal;
  /**
   * Set by the router: the model says `sent` once its request is written whole to the provider
   * (a request abandoned while the connection is made never left) and `answered` once the
   * upstream's 2xx headers are in. From `sent` on the provider may bill it: an attempt lost then
   * with no usage reported is counted at an estimate (see Router.attempt).
   */
  onUpstream?: (stage: 'sent' | 'answered') => void;
}

/** What one model can do, from live model lists and the catalog, overridable in the config. */
export interface ModelCapabilities {
  toolCalling: boolean;
  imageInput: boolean;
  pdfInput: boolean;
  reasoning: boolean;
  structuredOutput: boolean;
  /** Tokens; null when no source says. */
  contextWindow: number | null;
  maxOutputTokens: number | null;
}
