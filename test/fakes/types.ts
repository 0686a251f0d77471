// Public types of the fake provider servers (see server.ts).

export type FakeProtocol = 'openai' | 'openrouter' | 'anthropic' | 'gemini';

export interface FakeToolCall {
  id: string;
  name: string;
  /** JSON text of the arguments; streamed in fragments. */
  arguments: string;
}

export interface FakeUsage {
  /** Prompt tokens INCLUDING cached ones (OpenAI convention). */
  input: number;
  /** Output tokens INCLUDING reasoning ones (OpenAI convention). */
  output: number;
  cached?: number;
  /** Prompt tokens written to the prompt cache (part of `input`): openrouter `cache_write_tokens`, anthropic `cache_creation_input_tokens`. */
  cacheWrite?: number;
  /** Audio tokens of the prompt / of the answer (parts of `input` / `output`): openai `prompt_tokens_details.audio_tokens` / `completion_tokens_details.audio_tokens`. */
  audioInput?: number;
  audioOutput?: number;
  reasoning?: number;
  /** USD; only sent by openrouter (usage.cost). Default: the tokens at the model's prices (its cache rates for cache reads and writes). */
  cost?: number;
}

export interface Scenario {
  // --- plain HTTP error instead of an answer ---
  /** When set and != 200: answer with this status and an error body. */
  status?: number;
  /** Extra response headers (e.g. retry-after); applied to every chat response. */
  headers?: Record<string, string>;
  /** Error body (object -> JSON, string -> raw). Default: the protocol's real error shape for the status. */
  body?: unknown;
  /** Extension: error "kind" for the default error body (OpenAI type+code, Anthropic error.type, Gemini status, e.g. 'insufficient_quota'). */
  errorType?: string;
  /** Extension: message for the default error body. */
  errorMessage?: string;
  // --- a successful streamed (or non-streamed) answer ---
  text?: string;
  reasoning?: string;
  chunks?: number;
  toolCall?: FakeToolCall;
  /** Several tool calls in one turn (parallel tool calls), after `toolCall` when both are set. */
  toolCalls?: FakeToolCall[];
  finishReason?: string;
  /**
   * Anthropic: the web search server tool ran first (the request must declare web_search_20250305):
   * a server_tool_use block and its web_search_tool_result, before the text.
   */
  webSearch?: { query: string; results: { url: string; title: string }[] };
  /**
   * The stop sequence that ended the answer: Anthropic sends it with finishReason "stop_sequence"; an
   * OpenAI fake started as a vLLM or SGLang server (StartFakeOptions.server) with finishReason "stop"
   * (the default). It must be one of the request's stop sequences. OpenAI's own API never says it.
   */
  stopSequence?: string;
  usage?: FakeUsage;
  model?: string;
  // --- timing & faults ---
  delayBeforeHeadersMs?: number;
  delayBeforeFirstByteMs?: number;
  delayBetweenChunksMs?: number;
  stallAfterChunks?: number;
  dropAfterChunks?: number;
  resetBeforeResponse?: boolean;
  malformedAfterChunks?: number;
  midStreamErrorAfterChunks?: number;
  omitDone?: boolean;
  comments?: boolean;
  pings?: boolean;
  crlf?: boolean;
  splitWrites?: number;
  usageOnFinishChunk?: boolean;
  usageChoicesNull?: boolean;
  repeatFinish?: boolean;
  raw?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  /** Set when the client closed the connection before the response was complete (a cancelled request). */
  clientClosedEarly?: boolean;
  /** Resolves when the response is over (sent in full, or the client hung up): wait on it instead of polling. Not enumerable. */
  readonly closed?: Promise<void>;
}

export interface FakeModel {
  id: string;
  contextLength?: number;
  /** USD per 1M input tokens */
  inputPrice?: number;
  /** USD per 1M output tokens */
  outputPrice?: number;
  /** USD per 1M cache-read tokens (openrouter `input_cache_read`); default a tenth of inputPrice. */
  cacheReadPrice?: number;
  /** USD per 1M cache-write tokens (openrouter `input_cache_write`, only listed when set, as OpenRouter lists it only for models that charge writes). */
  cacheWritePrice?: number;
}

export interface FakeServer {
  readonly protocol: FakeProtocol;
  readonly url: string;
  readonly baseUrl: string;
  readonly requests: RecordedRequest[];
  enqueue(...scenarios: Scenario[]): void;
  setDefault(s: Scenario | ((req: RecordedRequest) => Scenario)): void;
  openSockets(): number;
  close(): Promise<void>;
}

export interface StartFakeOptions {
  port?: number;
  apiKey?: string;
  models?: FakeModel[];
  /**
   * openai only: an OpenAI-compatible server that says which stop ended a "stop" answer, on the
   * finishing choice: vLLM's `stop_reason` (the matched stop string, else null), SGLang's
   * `matched_stop` (the matched string, else the end-of-turn token's id, an integer; null for other
   * finish reasons).
   */
  server?: 'vllm' | 'sglang';
}
