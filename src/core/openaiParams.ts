/**
 * OpenAI Chat Completions parameters → the provider-neutral request (request.ts).
 *
 * Every documented parameter is either translated, refused with an error that names the
 * parameter, the model and the fix (it would change what the caller gets), or accepted with a
 * warning (a hint we do not forward). Unknown parameters get a warning too: SDKs add fields of
 * their own, and refusing them would break clients for no gain; dropping them unsaid would hide it.
 */
import { z } from 'zod';
import { formatIssues, issuePath } from './config.ts';
import { SwitchboardError } from './errors.ts';
import type {
  AssistantContent,
  CacheHint,
  ChatMessage,
  ImagePart,
  ModelRequest,
  ReasoningEffort,
  ReasoningPart,
  TextPart,
  ToolCallPart,
  ToolDefinition,
  ToolResultPart,
  UserContent,
} from './request.ts';

/** A 400-style refusal of one parameter; the gateway reports `param`. */
export class UnsupportedParameterError extends SwitchboardError {
  readonly param: string;
  constructor(param: string, model: string, message: string, fix: string) {
    super({ kind: 'bad_request', message: `${param}: ${message} (model ${model})`, fix, providerCode: 'unsupported_parameter' });
    this.param = param;
  }
}

/** A parameter the schema rejects (a wrong type or value): a 400 that names it, as OpenAI's `param`. */
export class InvalidParameterError extends SwitchboardError {
  readonly param: string;
  constructor(param: string, message: string, fix: string) {
    super({ kind: 'bad_request', message, fix });
    this.param = param;
  }
}

const CacheControl = z.looseObject({ type: z.literal('ephemeral'), ttl: z.enum(['5m', '1h']).optional() });
const Text = z.looseObject({ type: z.literal('text'), text: z.string(), cache_control: CacheControl.optional() });
const ImageUrl = z.looseObject({
  type: z.literal('image_url'),
  image_url: z.looseObject({ url: z.string().min(1), detail: z.enum(['auto', 'low', 'high', 'original']).optional() }),
  cache_control: CacheControl.optional(),
});
const InputAudio = z.looseObject({ type: z.literal('input_audio') });
const File = z.looseObject({
  type: z.literal('file'),
  file: z.looseObject({ file_data: z.string().optional(), file_id: z.string().optional(), filename: z.string().optional() }),
  cache_control: CacheControl.optional(),
});
const Refusal = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });
const UserPart = z.discriminatedUnion('type', [Text, ImageUrl, InputAudio, File]);

const ReasoningDetail = z.looseObject({
  type: z.enum(['reasoning.text', 'reasoning.encrypted', 'reasoning.summary']),
  text: z.string().nullish(),
  summary: z.string().nullish(),
  signature: z.string().nullish(),
  data: z.string().nullish(),
  format: z.string().nullish(),
  /** The tool call a Gemini thought signature belongs to. */
  id: z.string().nullish(),
  /** Switchboard's addition: the `provider/model` that made it. */
  origin: z.string().nullish(),
  /** Switchboard's addition: `openrouter` for an OpenRouter upstream's own detail (goes back verbatim). */
  source: z.string().nullish(),
});
export type ReasoningDetailParam = z.infer<typeof ReasoningDetail>;

const ToolCallParam = z.looseObject({
  id: z.string().min(1),
  type: z.literal('function'),
  function: z.looseObject({ name: z.string().min(1), arguments: z.string() }),
  /** Gemini's OpenAI-compatible shape for thought signatures. */
  extra_content: z.looseObject({ google: z.looseObject({ thought_signature: z.string().optional() }).optional() }).nullish(),
});

const SystemMsg = z.looseObject({ role: z.enum(['system', 'developer']), content: z.union([z.string(), z.array(Text)]), name: z.string().optional() });
const UserMsg = z.looseObject({ role: z.literal('user'), content: z.union([z.string(), z.array(UserPart)]), name: z.string().optional() });
const AssistantMsg = z.looseObject({
  role: z.literal('assistant'),
  content: z.union([z.string(), z.array(z.discriminatedUnion('type', [Text, Refusal]))]).nullish(),
  name: z.string().optional(),
  tool_calls: z.array(ToolCallParam).nullish(),
  function_call: z.unknown().optional(),
  reasoning_content: z.string().nullish(),
  reasoning: z.string().nullish(),
  reasoning_details: z.array(ReasoningDetail).nullish(),
  refusal: z.string().nullish(),
});
const ToolMsg = z.looseObject({ role: z.literal('tool'), tool_call_id: z.string().min(1), content: z.union([z.string(), z.array(Text)]) });
const FunctionMsg = z.looseObject({ role: z.literal('function') });
const Message = z.discriminatedUnion('role', [SystemMsg, UserMsg, AssistantMsg, ToolMsg, FunctionMsg]);

const Tool = z.looseObject({
  type: z.string(),
  function: z
    .looseObject({
      name: z.string().min(1),
      description: z.string().optional(),
      parameters: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullish(),
    })
    .optional(),
  cache_control: CacheControl.optional(),
});

const EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'] as const satisfies readonly ReasoningEffort[];

/** An output bound, as the real API takes it: a positive integer (int() takes safe integers only: not 1e308). */
const TOKENS = "expected a positive integer (a whole number of tokens, at most the model's output limit)";
const TokenCount = z.number().int({ error: TOKENS }).positive({ error: TOKENS });

export const ChatCompletionParamsSchema = z.looseObject({
  model: z.string().min(1, 'model is required ("provider/model" or "route/<id>")'),
  messages: z.array(Message).min(1, 'messages must not be empty'),
  max_tokens: TokenCount.nullish(),
  max_completion_tokens: TokenCount.nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  stop: z.union([z.string(), z.array(z.string())]).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional(), include_obfuscation: z.boolean().optional() }).nullish(),
  tools: z.array(Tool).nullish(),
  tool_choice: z
    .union([z.enum(['auto', 'none', 'required']), z.looseObject({ type: z.string(), function: z.looseObject({ name: z.string() }).optional() })])
    .nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  response_format: z
    .discriminatedUnion('type', [
      z.looseObject({ type: z.literal('text') }),
      z.looseObject({ type: z.literal('json_object') }),
      z.looseObject({
        type: z.literal('json_schema'),
        json_schema: z.looseObject({
          name: z.string().min(1),
          description: z.string().optional(),
          schema: z.record(z.string(), z.unknown()).optional(),
          strict: z.boolean().nullish(),
        }),
      }),
    ])
    .nullish(),
  reasoning_effort: z.enum(EFFORTS).nullish(),
  /** OpenRouter's form: an effort or a token budget. */
  reasoning: z
    .looseObject({
      effort: z.enum(EFFORTS).optional(),
      max_tokens: z.number().int().positive().optional(),
      exclude: z.boolean().optional(),
      enabled: z.boolean().optional(),
    })
    .nullish(),
  seed: z.number().int().nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  user: z.string().nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  n: z.number().int().positive().nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  store: z.boolean().nullish(),
  functions: z.array(z.unknown()).nullish(),
  function_call: z.unknown().optional(),
  modalities: z.array(z.string()).nullish(),
  audio: z.unknown().optional(),
  web_search_options: z.unknown().optional(),
});
export type ChatCompletionCreateParams = z.input<typeof ChatCompletionParamsSchema>;
type Params = z.output<typeof ChatCompletionParamsSchema>;

/**
 * Known parameters with no effect on what the caller gets: accepted, not translated, warned about.
 * OpenAI's own Chat Completions parameters: a request forwarded as sent (the gateway's fast path)
 * takes them to a Chat Completions model as they are (TranslatedParams.resolvedByForwarding).
 */
const HINTS_NOT_FORWARDED: Record<string, string> = {
  metadata: 'stored-completion metadata is not forwarded',
  store: 'stored completions are not forwarded',
  logit_bias: 'logit_bias is not forwarded',
  service_tier: 'service_tier is not forwarded',
  prediction: 'predicted outputs are not forwarded',
  prompt_cache_key: 'prompt_cache_key is not forwarded (providers cache by prefix)',
  prompt_cache_retention: 'prompt_cache_retention is not forwarded',
  safety_identifier: 'safety_identifier is not forwarded',
  verbosity: 'verbosity is not forwarded',
};
const TRANSLATED = new Set([
  'model',
  'messages',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'stop',
  'stream',
  'stream_options',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'response_format',
  'reasoning_effort',
  'reasoning',
  'seed',
  'frequency_penalty',
  'presence_penalty',
  'user',
  'logprobs',
  'top_logprobs',
  'n',
  'functions',
  'function_call',
  'modalities',
  'audio',
  'web_search_options',
]);
const MESSAGE_FIELDS: Record<string, Set<string>> = {
  system: new Set(['role', 'content', 'name']),
  developer: new Set(['role', 'content', 'name']),
  user: new Set(['role', 'content', 'name']),
  assistant: new Set(['role', 'content', 'name', 'tool_calls', 'function_call', 'reasoning_content', 'reasoning', 'reasoning_details', 'refusal', 'audio']),
  tool: new Set(['role', 'content', 'tool_call_id']),
};

/** What a facade request becomes: the core request plus what the caller must be told. */
export interface TranslatedParams {
  request: ModelRequest & { model: string };
  /** Hints accepted but not honoured, unknown fields: shown as warnings, never dropped unsaid. */
  warnings: string[];
  /** The warnings that do not hold when the body goes as sent to a Chat Completions model (known OpenAI parameters). */
  resolvedByForwarding: string[];
  stream: boolean;
  includeUsage: boolean;
}

const cacheOf = (c: { type: 'ephemeral'; ttl?: '5m' | '1h' } | undefined): CacheHint | undefined =>
  c ? { type: 'ephemeral', ...(c.ttl ? { ttl: c.ttl } : {}) } : undefined;

function textPart(p: { text: string; cache_control?: { type: 'ephemeral'; ttl?: '5m' | '1h' } | undefined }): TextPart {
  const cache = cacheOf(p.cache_control);
  return cache ? { type: 'text', text: p.text, cache } : { type: 'text', text: p.text };
}

/** `data:<media type>;base64,<data>` → its parts; null for anything else. */
export function parseDataUrl(url: string): { mediaType: string; data: string } | null {
  const m = /^data:([^;,]+)(?:;[^;,=]+=[^;,]*)*;base64,(.*)$/s.exec(url);
  return m ? { mediaType: m[1]!.toLowerCase(), data: m[2]! } : null;
}

export function translateParams(input: ChatCompletionCreateParams): TranslatedParams {
  const r = ChatCompletionParamsSchema.safeParse(input);
  if (!r.success) {
    const message = `invalid chat.completions.create parameters: ${formatIssues(r.error)}`;
    const fix = 'fix the request parameters';
    // The first issue's place is the parameter named (the request itself when it is not an object).
    const param = issuePath(r.error.issues[0]?.path ?? []);
    throw param ? new InvalidParameterError(param, message, fix) : new SwitchboardError({ kind: 'bad_request', message, fix });
  }
  const p: Params = r.data;
  const model = p.model;
  const warnings: string[] = [];
  const resolvedByForwarding: string[] = [];
  const refuse = (param: string, message: string, fix: string): never => {
    throw new UnsupportedParameterError(param, model, message, fix);
  };

  // Parameters that change what the caller gets and that no Switchboard target honours.
  if (p.n != null && p.n > 1)
    refuse('n', `n = ${p.n} asks for several choices; Switchboard returns exactly one`, 'send n = 1 (or omit it) and make several requests');
  if (p.logprobs === true) refuse('logprobs', 'token log-probabilities are not returned by Switchboard', 'omit logprobs and top_logprobs');
  if (p.top_logprobs != null && p.top_logprobs > 0)
    refuse('top_logprobs', 'token log-probabilities are not returned by Switchboard', 'omit logprobs and top_logprobs');
  if (p.functions != null && p.functions.length > 0)
    refuse('functions', 'the legacy functions parameter is not accepted', 'send the same definitions as tools: [{type: "function", function: {...}}]');
  if (p.function_call !== undefined && p.function_call !== null)
    refuse('function_call', 'the legacy function_call parameter is not accepted', 'use tool_choice');
  if (p.audio != null || (p.modalities ?? []).some((m) => m !== 'text'))
    refuse('modalities', 'audio output is not supported', 'ask for text only (omit modalities and audio)');
  if (p.web_search_options != null) refuse('web_search_options', 'built-in web search is not supported', 'give the model a search tool of your own');

  for (const k of Object.keys(input as object)) {
    // null asks for nothing (SDKs send `prediction: null` and the like).
    if (TRANSLATED.has(k) || (input as Record<string, unknown>)[k] == null) continue;
    // Priority processing is billed above the model's standard prices, which are what the ledger and
    // the budget count: never forwarded (not resolved by forwarding, so the fast path is off).
    if (k === 'service_tier' && p.service_tier === 'priority') {
      warnings.push(`${k}: "priority" is not forwarded (it is billed above the standard prices your budget and usage count)`);
      continue;
    }
    const hint = HINTS_NOT_FORWARDED[k];
    warnings.push(hint ? `${k}: ${hint}` : `${k}: unknown parameter, not forwarded`);
    if (hint) resolvedByForwarding.push(`${k}: ${hint}`);
  }

  const messages = translateMessages(p, model, warnings, refuse);
  const request: ModelRequest & { model: string } = { model, messages };
  // A final assistant message is left unchecked: Chat Completions callers use it both ways (OpenAI
  // answers it, OpenRouter documents it as the assistant prefill that Anthropic models continue).

  if (p.tools != null && p.tools.length > 0) {
    request.tools = p.tools.map((t, i): ToolDefinition => {
      if (t.type !== 'function' || !t.function)
        return refuse(
          `tools[${i}]`,
          `tool type "${t.type}" is not supported`,
          'declare it as a function tool: {type: "function", function: {name, description, parameters}}',
        );
      const def: ToolDefinition = { name: t.function.name, parameters: t.function.parameters ?? { type: 'object', properties: {} } };
      if (t.function.description !== undefined) def.description = t.function.description;
      if (t.function.strict != null) def.strict = t.function.strict;
      const cache = cacheOf(t.cache_control);
      if (cache) def.cache = cache;
      return def;
    });
  }
  if (p.tool_choice != null) {
    const c = p.tool_choice;
    if (typeof c === 'string') request.toolChoice = c;
    else if (c.type === 'function' && c.function) request.toolChoice = { type: 'tool', name: c.function.name };
    else if (c.type === 'allowed_tools') request.toolChoice = allowedTools(c.allowed_tools, request, refuse);
    else
      refuse(
        'tool_choice',
        `tool_choice of type "${c.type}" is not supported`,
        'use "auto", "none", "required", {type: "function", function: {name}} or {type: "allowed_tools", allowed_tools: {mode, tools}}',
      );
    if (request.toolChoice !== 'none' && request.toolChoice !== 'auto' && !request.tools?.length)
      refuse('tool_choice', 'a tool is required but no tools were given', 'send tools, or tool_choice "auto"');
    if (typeof request.toolChoice === 'object') {
      const name = request.toolChoice.name;
      if (!request.tools?.some((t) => t.name === name))
        refuse('tool_choice', `names the tool "${name}", which is not in tools`, 'name one of the tools you send');
    }
  }
  if (p.parallel_tool_calls != null) request.parallelToolCalls = p.parallel_tool_calls;

  const rf = p.response_format;
  if (rf != null) {
    if (rf.type === 'json_schema') {
      const js = rf.json_schema;
      if (!js.schema) refuse('response_format', 'json_schema has no schema', 'put the JSON Schema in response_format.json_schema.schema');
      request.responseFormat = {
        type: 'json_schema',
        name: js.name,
        schema: js.schema!,
        ...(js.description !== undefined ? { description: js.description } : {}),
        ...(js.strict != null ? { strict: js.strict } : {}),
      };
    } else request.responseFormat = { type: rf.type };
  }

  const effort = p.reasoning_effort ?? p.reasoning?.effort;
  const budget = p.reasoning?.max_tokens;
  if (p.reasoning?.enabled === false) request.reasoning = { effort: 'none' };
  else if (effort !== undefined || budget !== undefined)
    request.reasoning = { ...(effort !== undefined ? { effort } : {}), ...(budget !== undefined ? { budgetTokens: budget } : {}) };
  if (p.reasoning?.exclude) warnings.push('reasoning.exclude: reasoning is always returned when the provider sends it');

  const maxTokens = p.max_completion_tokens ?? p.max_tokens;
  if (maxTokens != null) request.maxTokens = maxTokens;
  if (p.temperature != null) request.temperature = p.temperature;
  if (p.top_p != null) request.topP = p.top_p;
  if (p.stop != null) request.stop = typeof p.stop === 'string' ? [p.stop] : p.stop;
  if (p.seed != null) request.seed = p.seed;
  if (p.frequency_penalty != null) request.frequencyPenalty = p.frequency_penalty;
  if (p.presence_penalty != null) request.presencePenalty = p.presence_penalty;
  if (p.user != null) request.user = p.user;

  return { request, warnings, resolvedByForwarding, stream: p.stream === true, includeUsage: p.stream_options?.include_usage === true };
}

type Refuse = (param: string, message: string, fix: string) => never;

/**
 * `tool_choice: {type: "allowed_tools", allowed_tools: {mode, tools}}`: the model may call only the
 * listed functions (the others stay declared, for OpenAI's prompt cache). Honoured exactly: the
 * request offers only the allowed tools, and the choice is the mode.
 */
function allowedTools(raw: unknown, request: ModelRequest, refuse: Refuse): 'auto' | 'required' {
  const at = 'tool_choice.allowed_tools';
  const spec = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : null;
  if (!spec)
    return refuse(
      at,
      'expected an object {mode, tools}',
      'send {type: "allowed_tools", allowed_tools: {mode: "auto", tools: [{type: "function", function: {name}}]}}',
    );
  const mode = spec.mode;
  if (mode !== 'auto' && mode !== 'required') return refuse(`${at}.mode`, 'must be "auto" or "required"', 'send mode "auto" or "required"');
  if (!Array.isArray(spec.tools) || spec.tools.length === 0)
    return refuse(`${at}.tools`, 'expected a non-empty array of tools', 'list the tools the model may call: [{type: "function", function: {name}}]');
  const names = new Set<string>();
  spec.tools.forEach((t: unknown, i) => {
    const name = (t as { type?: unknown; function?: { name?: unknown } } | null)?.function?.name;
    if ((t as { type?: unknown } | null)?.type !== 'function' || typeof name !== 'string')
      return refuse(`${at}.tools[${i}]`, 'expected a function tool {type: "function", function: {name}}', 'allow function tools by name');
    if (!request.tools?.some((d) => d.name === name))
      return refuse(`${at}.tools[${i}]`, `allows the tool "${name}", which is not in tools`, 'allow only tools you send');
    names.add(name);
  });
  request.tools = request.tools!.filter((d) => names.has(d.name));
  return mode;
}

function translateMessages(p: Params, model: string, warnings: string[], refuse: Refuse): ChatMessage[] {
  const out: ChatMessage[] = [];
  /** Tool names by call id, so a tool result can carry its tool's name (Gemini needs it). */
  const toolNames = new Map<string, string>();
  p.messages.forEach((m, i) => {
    const at = `messages[${i}]`;
    const known = MESSAGE_FIELDS[m.role];
    if (known)
      for (const k of Object.keys(m))
        if (!known.has(k) && (m as Record<string, unknown>)[k] != null) warnings.push(`${at}.${k}: unknown message field, not forwarded`);
    switch (m.role) {
      case 'function':
        return refuse(`${at}.role`, 'the legacy "function" role is not accepted', 'answer tool calls with role "tool" and tool_call_id');
      case 'system':
      case 'developer':
        if (m.name !== undefined) warnings.push(`${at}.name: names on system messages are not forwarded`);
        out.push({ role: 'system', content: typeof m.content === 'string' ? m.content : m.content.map(textPart) });
        return;
      case 'user': {
        const content = typeof m.content === 'string' ? m.content : m.content.map((c, j) => userPart(c, `${at}.content[${j}]`, warnings, refuse));
        out.push(m.name !== undefined ? { role: 'user', content, name: m.name } : { role: 'user', content });
        return;
      }
      case 'assistant': {
        if (m.function_call != null) refuse(`${at}.function_call`, 'the legacy function_call field is not accepted', 'send the call as tool_calls');
        const content = assistantContent(m, model);
        for (const c of content) if (c.type === 'tool-call') toolNames.set(c.id, c.name);
        out.push(m.name !== undefined ? { role: 'assistant', content, name: m.name } : { role: 'assistant', content });
        return;
      }
      case 'tool': {
        const result: ToolResultPart = {
          type: 'tool-result',
          callId: m.tool_call_id,
          content: typeof m.content === 'string' ? m.content : m.content.map(textPart),
        };
        const name = toolNames.get(m.tool_call_id);
        if (name !== undefined) result.name = name;
        // Consecutive tool messages answer one assistant turn: one tool message with every result.
        const last = out[out.length - 1];
        if (last?.role === 'tool') last.content.push(result);
        else out.push({ role: 'tool', content: [result] });
        return;
      }
    }
  });
  return out;
}

function userPart(c: z.output<typeof UserPart>, at: string, warnings: string[], refuse: Refuse): UserContent {
  switch (c.type) {
    case 'text':
      return textPart(c);
    case 'image_url': {
      if (c.cache_control) warnings.push(`${at}.cache_control: cache hints on images are not forwarded`);
      const url = c.image_url.url;
      const data = parseDataUrl(url);
      let source: ImagePart['source'];
      if (data) source = { type: 'base64', data: data.data, mediaType: data.mediaType };
      else if (/^https?:\/\//i.test(url)) source = { type: 'url', url };
      else return refuse(`${at}.image_url.url`, 'an image must be an http(s) URL or a base64 data: URL', 'send https://… or data:image/png;base64,…');
      const img: ImagePart = { type: 'image', source };
      if (c.image_url.detail) img.detail = c.image_url.detail;
      return img;
    }
    case 'input_audio':
      return refuse(at, 'audio input is not supported', 'transcribe the audio and send text');
    case 'file': {
      if (c.cache_control) warnings.push(`${at}.cache_control: cache hints on files are not forwarded`);
      if (c.file.file_id)
        return refuse(
          `${at}.file.file_id`,
          'uploaded file ids are not supported (files are not stored)',
          'send the file inline as file_data: "data:application/pdf;base64,…"',
        );
      const data = c.file.file_data ? parseDataUrl(c.file.file_data) : null;
      if (!data) return refuse(`${at}.file.file_data`, 'a file must be a base64 data: URL', 'send file_data: "data:application/pdf;base64,…"');
      return { type: 'file', data: data.data, mediaType: data.mediaType, ...(c.file.filename ? { filename: c.file.filename } : {}) };
    }
  }
}

/**
 * An assistant message, in order: reasoning, text, tool calls. Reasoning state comes back from
 * `reasoning_details` (what the facade returns) or Gemini's `extra_content`; without an `origin`,
 * it is taken to come from the model this request names (routes never match: state is stripped).
 */
function assistantContent(m: z.output<typeof AssistantMsg>, model: string): AssistantContent[] {
  const out: AssistantContent[] = [];
  const details = m.reasoning_details ?? [];
  const geminiByCall = new Map<string, { sig: string; origin: string }>();
  let textSignature: { sig: string; origin: string } | null = null;
  let openrouter: ReasoningPart | null = null;
  for (const d of details) {
    const origin = d.origin ?? model;
    if (d.source === OPENROUTER_SOURCE) {
      // One reasoning part holds them all, as the core keeps them (ProviderState.openrouterReasoning).
      const { origin: _o, source: _s, ...raw } = d;
      if (!openrouter) {
        openrouter = { type: 'reasoning', text: '', state: { origin, openrouterReasoning: [] } };
        out.push(openrouter);
      }
      openrouter.state!.openrouterReasoning!.push(raw);
      if (d.type === 'reasoning.text' && d.text) openrouter.text += d.text;
      continue;
    }
    if (d.format === GEMINI_FORMAT && d.type === 'reasoning.encrypted' && d.data) {
      if (d.id) geminiByCall.set(d.id, { sig: d.data, origin });
      else textSignature = { sig: d.data, origin };
      continue;
    }
    if (d.type === 'reasoning.text' || d.type === 'reasoning.summary') {
      const part: ReasoningPart = { type: 'reasoning', text: d.text ?? d.summary ?? '' };
      if (d.signature) part.signature = d.signature;
      if (d.signature || d.format) part.state = { origin };
      out.push(part);
    } else if (d.data) out.push({ type: 'reasoning', text: '', redactedData: d.data, state: { origin } });
  }
  const shownReasoning = m.reasoning_content ?? m.reasoning;
  if (details.length === 0 && shownReasoning) out.push({ type: 'reasoning', text: shownReasoning });
  const text = typeof m.content === 'string' ? m.content : (m.content ?? []).map((c) => (c.type === 'text' ? c.text : c.refusal)).join('');
  if (text) {
    const t: TextPart = { type: 'text', text };
    if (textSignature) t.state = { origin: textSignature.origin, thoughtSignature: textSignature.sig };
    out.push(t);
  }
  for (const c of m.tool_calls ?? []) {
    const call: ToolCallPart = { type: 'tool-call', id: c.id, name: c.function.name, arguments: c.function.arguments };
    const g = geminiByCall.get(c.id);
    const sig = g?.sig ?? c.extra_content?.google?.thought_signature;
    if (sig) call.state = { origin: g?.origin ?? model, thoughtSignature: sig };
    out.push(call);
  }
  if (out.length === 0 && !m.tool_calls) out.push({ type: 'text', text: '' });
  return out;
}

/** `reasoning_details[].format` values (OpenRouter's names). */
export const ANTHROPIC_FORMAT = 'anthropic-claude-v1';
export const GEMINI_FORMAT = 'google-gemini-v1';
/** `reasoning_details[].source` of an OpenRouter upstream's own details. */
export const OPENROUTER_SOURCE = 'openrouter';
