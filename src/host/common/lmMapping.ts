/**
 * VS Code's language-model messages ⇄ the core's request model, for the lm chat provider
 * (lmProvider.ts). Pure: lmProvider.ts sorts VS Code's part classes (which needs `instanceof` and
 * so 'vscode') into `LmPart`s, and everything from there on is plain data that unit tests drive.
 *
 * What cannot be translated exactly is refused with an LmRequestError naming the part, the model
 * and what to do; nothing is left out silently.
 */
import { errorMarked, estimateTokens, providerOptionsLeftOut, SwitchboardError, TOOL_ERROR_PREFIX, translateParams } from '../../core/index.ts';
import type {
  AssistantContent,
  ChatCompletionCreateParams,
  CacheHint,
  ChatMessage,
  ImagePart,
  ModelCapabilities,
  ModelRequest,
  ProviderState,
  ReasoningPart,
  TextPart,
  ToolChoice,
  ToolDefinition,
  ToolResultPart,
  UserContent,
} from '../../core/index.ts';
import { imageTokens, isSupportedImageType, MAX_IMAGE_BYTES, toBase64 } from './images.ts';

/** One content part of a VS Code message, as lmProvider.ts classified it. */
export type LmPart =
  | { kind: 'text'; value: string }
  | { kind: 'toolCall'; callId: string; name: string; input: unknown }
  | { kind: 'toolResult'; callId: string; content: LmPart[] }
  | { kind: 'data'; mimeType: string; data: Uint8Array }
  /** Reasoning another provider showed (VS Code's proposed LanguageModelThinkingPart). */
  | { kind: 'reasoning'; text: string }
  /** Something we have no exact translation for (a prompt-tsx element, an unknown class). */
  | { kind: 'unsupported'; what: string; approxText: string };

export interface LmMessage {
  role: 'system' | 'user' | 'assistant';
  name?: string;
  parts: LmPart[];
}

/** A request VS Code sent that Switchboard cannot pass on exactly; the message says what and how to fix it. */
export class LmRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LmRequestError';
  }
}

/**
 * VS Code (and Copilot's prompts) mark cache breakpoints with a data part of this MIME type after
 * the part to cache; its data is the cache type ("ephemeral").
 */
export const CACHE_CONTROL_MIME = 'cache_control';

/**
 * Data parts other providers (Copilot's own models) put in their assistant turns to carry their
 * private state: a Responses-API marker, thinking metadata, context-management edits. Like a
 * reasoning signature they are bound to the provider that made them and mean nothing to another:
 * they are left out, as the core strips foreign provider state (reasoning never crosses providers).
 */
export const FOREIGN_STATE_MIMES: readonly string[] = ['stateful_marker', 'thinking', 'context_management'];

const isForeignState = (p: LmPart): boolean => p.kind === 'reasoning' || (p.kind === 'data' && FOREIGN_STATE_MIMES.includes(p.mimeType));

const TEXT_MIME = /^(text\/[\w.+-]+|application\/(json|[\w.+-]+\+json|xml|yaml|x-yaml))(\s*;.*)?$/i;

const decoder = new TextDecoder();

function cacheHintOf(data: Uint8Array): CacheHint {
  // Anthropic's only cache type; a TTL is not something VS Code's marker carries.
  void data;
  return { type: 'ephemeral' };
}

function imagePart(p: { mimeType: string; data: Uint8Array }, model: string): ImagePart {
  const mediaType = p.mimeType.toLowerCase();
  if (!isSupportedImageType(mediaType)) throw new LmRequestError(`${model}: images of type ${p.mimeType} cannot be sent; use PNG, JPEG, GIF or WebP.`);
  if (p.data.byteLength > MAX_IMAGE_BYTES)
    throw new LmRequestError(
      `${model}: an image of ${(p.data.byteLength / 1024 / 1024).toFixed(1)} MB is larger than the 5 MB providers accept; attach a smaller one.`,
    );
  return { type: 'image', source: { type: 'base64', data: toBase64(p.data), mediaType } };
}

function describePart(p: LmPart): string {
  switch (p.kind) {
    case 'text':
      return 'text';
    case 'toolCall':
      return 'a tool call';
    case 'toolResult':
      return 'a tool result';
    case 'data':
      return `data of type ${p.mimeType}`;
    case 'reasoning':
      return 'reasoning';
    case 'unsupported':
      return p.what;
    default: {
      const never: never = p;
      return never;
    }
  }
}

function unsupported(what: string, where: string, model: string): LmRequestError {
  return new LmRequestError(`${model}: ${where} contains ${what}, which Switchboard cannot pass on to a model exactly; send it as text instead.`);
}

/** A tool result's content: text joined as text; images kept as image parts; a cache marker sets `cache`. */
function toolResultOf(p: Extract<LmPart, { kind: 'toolResult' }>, names: ReadonlyMap<string, string>, model: string): ToolResultPart {
  const parts: (TextPart | ImagePart)[] = [];
  let cache: CacheHint | undefined;
  for (const c of p.content) {
    if (c.kind === 'text') parts.push({ type: 'text', text: c.value });
    else if (c.kind === 'data') {
      if (c.mimeType === CACHE_CONTROL_MIME) cache = cacheHintOf(c.data);
      else if (c.mimeType.toLowerCase().startsWith('image/')) parts.push(imagePart(c, model));
      else if (TEXT_MIME.test(c.mimeType)) parts.push({ type: 'text', text: decoder.decode(c.data) });
      else throw unsupported(`data of type ${c.mimeType}`, `the result of tool call ${p.callId}`, model);
    } else if (c.kind === 'unsupported') throw unsupported(c.what, `the result of tool call ${p.callId}`, model);
    else throw unsupported(c.kind === 'toolCall' ? 'a tool call' : 'a nested tool result', `the result of tool call ${p.callId}`, model);
  }
  const onlyText = parts.every((x) => x.type === 'text');
  const out: ToolResultPart = {
    type: 'tool-result',
    callId: p.callId,
    content: onlyText ? parts.map((x) => (x as TextPart).text).join('') : parts,
  };
  const name = names.get(p.callId);
  if (name !== undefined) out.name = name;
  if (cache) out.cache = cache;
  return out;
}

/** Put a cache hint on the part before the marker; false when that part cannot carry one. */
function markCache(parts: (UserContent | AssistantContent)[], hint: CacheHint): boolean {
  const last = parts[parts.length - 1];
  if (last && last.type === 'text') {
    last.cache = hint;
    return true;
  }
  return false;
}

/**
 * VS Code's conversation → the core's messages. VS Code puts tool results in user messages; the core
 * has a `tool` role, so a user message is split into its tool results and the rest, in order.
 * `memory` gives back the provider state (reasoning, signatures) of earlier answers with tool calls,
 * which VS Code's message types cannot carry. Warnings: cache hints that had nowhere to go.
 */
export function toCoreMessages(messages: readonly LmMessage[], model: string, memory?: TurnMemory): { messages: ChatMessage[]; warnings: string[] } {
  const out: ChatMessage[] = [];
  const warnings: string[] = [];
  const names = new Map<string, string>();
  const cacheNowhere = (): void => {
    if (!warnings.some((w) => w.startsWith('a cache marker'))) warnings.push('a cache marker followed a part that cannot be cached; it was not applied');
  };
  for (const original of messages) {
    const m = { ...original, parts: original.parts.filter((p) => !isForeignState(p)) };
    if (m.role === 'system') {
      const parts: TextPart[] = [];
      for (const p of m.parts) {
        if (p.kind === 'text') parts.push({ type: 'text', text: p.value });
        else if (p.kind === 'data' && p.mimeType === CACHE_CONTROL_MIME) {
          if (!markCache(parts, cacheHintOf(p.data))) cacheNowhere();
        } else throw unsupported(describePart(p), 'a system message', model);
      }
      if (parts.length) out.push({ role: 'system', content: simplify(parts) });
      continue;
    }
    if (m.role === 'assistant') {
      const content: AssistantContent[] = [];
      for (const p of m.parts) {
        if (p.kind === 'text') {
          if (p.value) content.push({ type: 'text', text: p.value });
        } else if (p.kind === 'toolCall') {
          names.set(p.callId, p.name);
          content.push({ type: 'tool-call', id: p.callId, name: p.name, arguments: JSON.stringify(p.input ?? {}) });
        } else if (p.kind === 'data' && p.mimeType === CACHE_CONTROL_MIME) {
          if (!markCache(content, cacheHintOf(p.data))) cacheNowhere();
        } else throw unsupported(describePart(p), 'an assistant message', model);
      }
      const restored = memory ? memory.restore(content) : content;
      if (restored.length) out.push(m.name ? { role: 'assistant', content: restored, name: m.name } : { role: 'assistant', content: restored });
      continue;
    }
    // A user message: its tool results go first as a tool message (they answer the calls just made).
    let user: UserContent[] = [];
    let results: ToolResultPart[] = [];
    const flushUser = (): void => {
      if (user.length) out.push(m.name ? { role: 'user', content: simplifyUser(user), name: m.name } : { role: 'user', content: simplifyUser(user) });
      user = [];
    };
    const flushResults = (): void => {
      if (results.length) out.push({ role: 'tool', content: results });
      results = [];
    };
    for (const p of m.parts) {
      if (p.kind === 'toolResult') {
        flushUser();
        results.push(toolResultOf(p, names, model));
        continue;
      }
      if (p.kind === 'data' && p.mimeType === CACHE_CONTROL_MIME) {
        if (user.length) {
          if (!markCache(user, cacheHintOf(p.data))) cacheNowhere();
        } else if (results.length) results[results.length - 1]!.cache = cacheHintOf(p.data);
        else cacheNowhere();
        continue;
      }
      flushResults();
      if (p.kind === 'text') {
        if (p.value) user.push({ type: 'text', text: p.value });
      } else if (p.kind === 'data') {
        const mime = p.mimeType.toLowerCase();
        if (mime.startsWith('image/')) user.push(imagePart(p, model));
        else if (mime === 'application/pdf') user.push({ type: 'file', data: toBase64(p.data), mediaType: mime });
        else if (TEXT_MIME.test(mime)) user.push({ type: 'text', text: decoder.decode(p.data) });
        else throw unsupported(`data of type ${p.mimeType}`, 'a user message', model);
      } else throw unsupported(describePart(p), 'a user message', model);
    }
    flushResults();
    flushUser();
  }
  return { messages: out, warnings };
}

function simplify(parts: TextPart[]): string | TextPart[] {
  return parts.length === 1 && !parts[0]!.cache ? parts[0]!.text : parts;
}

function simplifyUser(parts: UserContent[]): string | UserContent[] {
  const only = parts[0];
  return parts.length === 1 && only?.type === 'text' && !only.cache ? only.text : parts;
}

/** VS Code's tool list → the core's tool definitions (a tool without a schema takes no arguments). */
export function toToolDefinitions(tools: readonly { name: string; description: string; inputSchema?: object | undefined }[]): ToolDefinition[] {
  return tools.map((t) => ({
    name: t.name,
    description: t.description,
    parameters: (t.inputSchema as Record<string, unknown> | undefined) ?? { type: 'object', properties: {} },
  }));
}

/** VS Code's tool mode (Auto = 1, Required = 2) → the core's tool choice; undefined without tools. */
export function toToolChoice(toolMode: number | undefined, toolCount: number, model: string): ToolChoice | undefined {
  if (toolMode === 2) {
    if (toolCount === 0)
      throw new LmRequestError(`${model}: the request requires a tool call (LanguageModelChatToolMode.Required) but offers no tools; pass tools or use Auto.`);
    return 'required';
  }
  return toolCount > 0 ? 'auto' : undefined;
}

/** `modelOptions` keys the request already carries in its own fields (messages, tools, toolMode). */
const CARRIED_BY_REQUEST: Readonly<Record<string, string>> = {
  model: 'the model is the one the request was sent to',
  messages: "pass the messages as sendRequest's messages",
  tools: "pass the tools as the request options' tools",
  tool_choice: "use the request options' toolMode",
  functions: "pass the tools as the request options' tools",
  function_call: "use the request options' toolMode",
  stream: 'VS Code always streams the answer',
  stream_options: 'VS Code always streams the answer',
};

/** The core request's sampling and length options: what a caller sets beside its messages and tools. */
const SAMPLING_FIELDS = [
  'maxTokens',
  'temperature',
  'topP',
  'stop',
  'seed',
  'frequencyPenalty',
  'presencePenalty',
  'user',
  'reasoning',
] as const satisfies readonly (keyof ModelRequest)[];

/** The generation options `modelOptions` may set: the core request's fields, by their OpenAI names. */
const GENERATION_FIELDS = [...SAMPLING_FIELDS, 'responseFormat', 'parallelToolCalls'] as const;

/**
 * A caller's `modelOptions` (LanguageModelChatRequestOptions) → the core request's generation
 * options. They are read by their OpenAI Chat Completions names (`temperature`, `max_tokens`,
 * `top_p`, `stop`, `seed`, `reasoning_effort`, `response_format`…) with the gateway's own rules,
 * so a value no model can honour is refused and an unknown name comes back as a warning, never
 * dropped unsaid.
 */
export function fromModelOptions(
  modelOptions: Readonly<Record<string, unknown>> | undefined,
  model: string,
): { options: Pick<ModelRequest, (typeof GENERATION_FIELDS)[number]>; warnings: string[] } {
  const given = Object.entries(modelOptions ?? {}).filter(([, v]) => v !== undefined);
  if (given.length === 0) return { options: {}, warnings: [] };
  for (const [k] of given) {
    const how = CARRIED_BY_REQUEST[k];
    if (how) throw new LmRequestError(`${model}: modelOptions.${k} is not accepted: ${how}.`);
  }
  let translated: ReturnType<typeof translateParams>;
  try {
    translated = translateParams({ ...Object.fromEntries(given), model, messages: [{ role: 'user', content: '' }] } as ChatCompletionCreateParams);
  } catch (e) {
    if (!(e instanceof SwitchboardError)) throw e;
    const invalid = /^invalid chat\.completions\.create parameters: /;
    const what = e.detail.replace(invalid, '').replace(` (model ${model})`, '');
    const fix = invalid.test(e.detail) ? "give modelOptions OpenAI Chat Completions' names and types, e.g. { temperature: 0.2, max_tokens: 500 }" : e.fix;
    throw new LmRequestError(`${model}: modelOptions.${what}${fix ? ` — ${fix}` : ''}`);
  }
  const options: Pick<ModelRequest, (typeof GENERATION_FIELDS)[number]> = {};
  for (const k of GENERATION_FIELDS) if (translated.request[k] !== undefined) Object.assign(options, { [k]: translated.request[k] });
  return { options, warnings: translated.warnings.map((w) => `modelOptions.${w}`) };
}

/** A tool call from the model, as VS Code wants it: the input parsed to an object. */
export function parseToolInput(name: string, args: string, model: string): object {
  if (args.trim() === '') return {};
  let input: unknown;
  try {
    input = JSON.parse(args);
  } catch {
    throw new LmRequestError(
      `${model} called tool "${name}" with arguments that are not valid JSON (${args.length > 120 ? `${args.slice(0, 120)}…` : args}); ask again, or pick a model that follows tool schemas.`,
    );
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    throw new LmRequestError(`${model} called tool "${name}" with arguments that are not a JSON object; ask again, or pick a model that follows tool schemas.`);
  return input;
}

/**
 * What VS Code cannot carry between turns: the reasoning (with Anthropic's signatures) and the
 * Gemini thought signatures of an answer that made tool calls. Kept in memory by tool call id, so
 * that when VS Code sends that assistant turn back (agent mode's loop), it goes to the provider as
 * the provider made it. Bounded; after a window reload the state is gone and the core strips what
 * it cannot vouch for.
 */
export class TurnMemory {
  private readonly turns = new Map<string, { reasoning: ReasoningPart[]; states: Map<string, ProviderState> }>();
  private readonly max: number;
  constructor(max = 200) {
    this.max = max;
  }

  /** Remember an answer's provider state, keyed by its tool calls' ids. */
  remember(content: readonly AssistantContent[]): void {
    const calls = content.filter((p) => p.type === 'tool-call');
    if (!calls.length) return;
    const reasoning = content.filter((p): p is ReasoningPart => p.type === 'reasoning');
    const states = new Map<string, ProviderState>();
    for (const c of calls) if (c.state) states.set(c.id, c.state);
    if (!reasoning.length && !states.size) return;
    const turn = { reasoning, states };
    for (const c of calls) {
      this.turns.delete(c.id);
      this.turns.set(c.id, turn);
    }
    while (this.turns.size > this.max) this.turns.delete(this.turns.keys().next().value!);
  }

  /** An assistant turn from VS Code with its remembered reasoning first and its calls' states back on. */
  restore(content: AssistantContent[]): AssistantContent[] {
    const known = content.map((p) => (p.type === 'tool-call' ? this.turns.get(p.id) : undefined)).find((t) => t !== undefined);
    if (!known) return content;
    const withState = content.map((p) => {
      if (p.type !== 'tool-call') return p;
      const state = known.states.get(p.id);
      return state ? { ...p, state } : p;
    });
    return [...known.reasoning.map((r) => ({ ...r })), ...withState];
  }

  get size(): number {
    return this.turns.size;
  }
}

/** Per-message framing (role markers) that chat templates add; the same as the core's estimate. */
const MESSAGE_OVERHEAD = 4;

/** A token estimate for one part: text by characters, tool calls by name and JSON input, images by pixel size. */
export function partTokens(p: LmPart): number {
  switch (p.kind) {
    case 'text':
      return estimateTokens(p.value);
    case 'toolCall':
      return MESSAGE_OVERHEAD + estimateTokens(p.name) + estimateTokens(JSON.stringify(p.input ?? {}));
    case 'toolResult':
      return MESSAGE_OVERHEAD + estimateTokens(p.callId) + p.content.reduce((n, c) => n + partTokens(c), 0);
    case 'data':
      if (p.mimeType === CACHE_CONTROL_MIME || FOREIGN_STATE_MIMES.includes(p.mimeType)) return 0;
      if (p.mimeType.toLowerCase().startsWith('image/')) return imageTokens(p.data);
      // A PDF and other documents: by size, about as dense as text.
      return estimateTokens(TEXT_MIME.test(p.mimeType) ? decoder.decode(p.data) : 'x'.repeat(p.data.byteLength));
    case 'reasoning':
      // Another provider's reasoning is not sent (see FOREIGN_STATE_MIMES).
      return 0;
    case 'unsupported':
      return estimateTokens(p.approxText);
    default: {
      const never: never = p;
      return never;
    }
  }
}

export function messageTokens(m: LmMessage): number {
  return m.parts.reduce((n, p) => n + partTokens(p), MESSAGE_OVERHEAD);
}

/** What VS Code is told about one model or route. */
export interface LmModelInfo {
  maxInputTokens: number;
  maxOutputTokens: number;
  capabilities: { toolCalling: boolean; imageInput: boolean };
  /** Said in the tooltip when a limit is a default, not a known fact. */
  limitNote: string | null;
}

/**
 * VS Code needs numbers for the limits. When no source knows a model's context window we say so in
 * the tooltip and tell VS Code 32K (small enough that a prompt VS Code trims to it fits almost any
 * current model); an unknown output limit is told as 4K for the same reason.
 */
export const UNKNOWN_CONTEXT = 32_768;
export const UNKNOWN_OUTPUT = 4_096;

/**
 * Limits and capabilities for VS Code from the catalog's capabilities (a route's are already the
 * most restrictive of its members). VS Code's `maxInputTokens` is what the prompt may use: the
 * window less the output reserve, the reserve capped at half the window (some lists give the output
 * limit as the whole window, which would leave no room for the prompt).
 */
export function lmModelInfo(caps: ModelCapabilities): LmModelInfo {
  const context = caps.contextWindow ?? UNKNOWN_CONTEXT;
  const output = Math.min(caps.maxOutputTokens ?? UNKNOWN_OUTPUT, context);
  const reserve = Math.min(output, Math.floor(context / 2));
  const notes: string[] = [];
  if (caps.contextWindow === null) notes.push(`context size unknown (VS Code is told ${UNKNOWN_CONTEXT / 1024}K)`);
  if (caps.maxOutputTokens === null) notes.push(`output limit unknown (VS Code is told ${UNKNOWN_OUTPUT / 1024}K)`);
  return {
    maxInputTokens: Math.max(1, context - reserve),
    maxOutputTokens: output,
    capabilities: { toolCalling: caps.toolCalling, imageInput: caps.imageInput },
    limitNote: notes.length ? notes.join('; ') : null,
  };
}

// ── The other direction: the core's request → VS Code's messages, for VS Code's own models ──
// (vscodeModels.ts: Copilot's and other extensions' models used by Switchboard). The same LmPart
// shapes as above; vscodeModels.ts turns them into VS Code's part classes.

/** A request for one of VS Code's models, as plain data. */
export interface LmRequest {
  messages: LmMessage[];
  tools: { name: string; description: string; inputSchema: object }[];
  /** VS Code's LanguageModelChatToolMode: Auto = 1, Required = 2; undefined without tools. */
  toolMode: 1 | 2 | undefined;
  /** Options VS Code's API has no field for, said out loud (the request still goes). */
  warnings: string[];
}

/** The request's options that VS Code's language-model API cannot carry, by name. */
const NOT_CARRIED: readonly (keyof ModelRequest)[] = SAMPLING_FIELDS;

function fromBase64(data: string): Uint8Array {
  return Uint8Array.from(Buffer.from(data, 'base64'));
}

function refuse(model: string, param: string, why: string, fix: string): SwitchboardError {
  return new SwitchboardError({ kind: 'bad_request', message: `${param}: ${why} (${model})`, provider: 'vscode', model, fix });
}

function userPartOf(p: UserContent | TextPart | ImagePart, model: string, where: string): LmPart {
  switch (p.type) {
    case 'text':
      return { kind: 'text', value: p.text };
    case 'image':
      if (p.source.type === 'url')
        throw refuse(
          model,
          `${where} image`,
          "VS Code's language models take images only as data, not by URL",
          'attach the image itself instead of a link to it',
        );
      return { kind: 'data', mimeType: p.source.mediaType, data: fromBase64(p.source.data) };
    case 'file':
      return { kind: 'data', mimeType: p.mediaType, data: fromBase64(p.data) };
  }
}

/**
 * The core's request → VS Code's messages and options. VS Code's stable API has no system role:
 * system text goes first, as a user message. Reasoning is not sent back (its messages cannot
 * carry it, as Chat Completions cannot); a tool result's `isError` is said in its text ("Error: …"), as VS Code's parts have no such flag.
 */
export function fromCoreRequest(req: ModelRequest, model: string): LmRequest {
  // VS Code's models speak no wire protocol: no protocol's providerOptions reach them.
  const warnings = providerOptionsLeftOut(req, null);
  const messages: LmMessage[] = [];
  for (const m of req.messages) {
    if (m.role === 'system') {
      const text = typeof m.content === 'string' ? m.content : m.content.map((p) => p.text).join('');
      if (text) messages.push({ role: 'user', parts: [{ kind: 'text', value: text }] });
    } else if (m.role === 'user') {
      const parts =
        typeof m.content === 'string' ? [{ kind: 'text', value: m.content } as LmPart] : m.content.map((p) => userPartOf(p, model, 'messages[].content'));
      messages.push(m.name ? { role: 'user', name: m.name, parts } : { role: 'user', parts });
    } else if (m.role === 'assistant') {
      const parts: LmPart[] = [];
      for (const p of typeof m.content === 'string' ? [{ type: 'text', text: m.content } as TextPart] : m.content) {
        if (p.type === 'text') {
          if (p.text) parts.push({ kind: 'text', value: p.text });
        } else if (p.type === 'tool-call') {
          let input: unknown;
          try {
            input = p.arguments.trim() === '' ? {} : JSON.parse(p.arguments);
          } catch {
            throw refuse(
              model,
              `messages[].tool-call "${p.name}".arguments`,
              'the arguments are not valid JSON',
              'send the arguments exactly as the model produced them',
            );
          }
          parts.push({ kind: 'toolCall', callId: p.id, name: p.name, input });
        }
      }
      if (parts.length) messages.push(m.name ? { role: 'assistant', name: m.name, parts } : { role: 'assistant', parts });
    } else {
      // Tool results go back in a user message, as VS Code sends them to providers.
      const parts: LmPart[] = m.content.map((r) => {
        const content: LmPart[] =
          typeof r.content === 'string'
            ? [{ kind: 'text', value: errorMarked(r.content, r.isError) }]
            : r.content.map((c) => userPartOf(c, model, `the result of tool call ${r.callId}`));
        if (r.isError && typeof r.content !== 'string') {
          const first = content[0];
          if (first?.kind === 'text') content[0] = { kind: 'text', value: errorMarked(first.value, true) };
          else content.unshift({ kind: 'text', value: TOOL_ERROR_PREFIX.trim() });
        }
        return { kind: 'toolResult', callId: r.callId, content };
      });
      messages.push({ role: 'user', parts });
    }
  }
  const choice = req.toolChoice ?? 'auto';
  let tools = choice === 'none' ? [] : (req.tools ?? []);
  if (typeof choice === 'object') {
    tools = tools.filter((t) => t.name === choice.name);
    if (!tools.length)
      throw refuse(model, 'toolChoice', `names the tool "${choice.name}", which is not among the tools`, 'add the tool to tools, or name one of them');
  }
  const toolMode = tools.length === 0 ? undefined : choice === 'required' || typeof choice === 'object' ? 2 : 1;
  if (req.responseFormat && req.responseFormat.type !== 'text')
    throw refuse(
      model,
      'responseFormat',
      "VS Code's language-model API cannot ask for a JSON answer",
      'ask for JSON in the prompt, or pick a model of a provider that takes responseFormat',
    );
  if (req.parallelToolCalls === false) warnings.push(`parallelToolCalls: false is not passed on to ${model} (VS Code's language-model API has no such option)`);
  const dropped = NOT_CARRIED.filter((k) => req[k] !== undefined);
  if (dropped.length)
    warnings.push(`${dropped.join(', ')} ${dropped.length > 1 ? 'are' : 'is'} not passed on to ${model}: VS Code's language-model API has no such option`);
  return {
    messages,
    tools: tools.map((t) => ({ name: t.name, description: t.description ?? '', inputSchema: t.parameters })),
    toolMode,
    warnings,
  };
}

/** "copilot" → "Copilot": VS Code does not give a vendor's display name to consumers. */
export function vendorLabel(vendor: string): string {
  return vendor ? vendor[0]!.toUpperCase() + vendor.slice(1) : vendor;
}

/**
 * `<vendor>/<family>` when the family names one model of its vendor, else `<vendor>/<id>`: the
 * family is the stable name (Copilot's `gpt-4o` outlives its dated versions), the id the exact one.
 */
export function vscodeModelKeys(chats: readonly { vendor: string; family: string; id: string }[]): string[] {
  const families = new Map<string, number>();
  for (const c of chats) families.set(`${c.vendor}/${c.family}`, (families.get(`${c.vendor}/${c.family}`) ?? 0) + 1);
  return chats.map((c) => (c.family && families.get(`${c.vendor}/${c.family}`) === 1 ? `${c.vendor}/${c.family}` : `${c.vendor}/${c.id}`));
}
