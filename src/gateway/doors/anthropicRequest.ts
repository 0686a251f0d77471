/**
 * Anthropic Messages request (POST /v1/messages) → the core request model. Exact or refused:
 * every block type maps onto a core part, or the request is answered 400 naming the block.
 * Server-side tools go to an Anthropic model as sent (the fast path forwards the body). Translated
 * for another model, those that only add sources (web search, web fetch) are left out with a
 * warning, the agent keeps working; those whose absence would change the answer (code execution,
 * Anthropic-defined client tools without a schema, MCP toolsets, a tool_choice forcing a left-out
 * tool, server-tool blocks in the conversation) are refused, naming the tool and the fix.
 */
import type {
  AssistantContent,
  CacheHint,
  ChatMessage,
  ImagePart,
  ModelRequest,
  ReasoningOptions,
  TextPart,
  ToolChoice,
  ToolDefinition,
  ToolResultPart,
  UserContent,
} from '../../core/index.ts';
import {
  argsText,
  DoorPaths,
  DoorRefusal,
  isObject,
  leftOut,
  need,
  onlyForwarded,
  openBody,
  optNumber,
  optTokenCount,
  optString,
  type DoorRequest,
  type ParseNotes,
} from './door.ts';
import { noStates, restoreTextState, type StateLookup } from './stateCache.ts';

const KNOWN_TOP_LEVEL = new Set([
  'model',
  'mcp_servers',
  'container',
  'messages',
  'system',
  'max_tokens',
  'metadata',
  'stop_sequences',
  'stream',
  'temperature',
  'top_p',
  'top_k',
  'tools',
  'tool_choice',
  'thinking',
  'output_config',
  'output_format',
]);
/** What a refusal of Anthropic's own tools says works: the same-protocol fast path. */
const ONLY_ANTHROPIC = 'only an Anthropic model (anthropic/…, or a route or alias that reaches one) gets it, as sent';

/**
 * A block Anthropic's API takes that the core request model has no part for (a PDF or a search
 * result in a tool result, a document by URL or file id, a block type the gateway does not know):
 * an Anthropic model gets it as sent; for another model the request is refused with this.
 */
class Untranslatable extends DoorRefusal {}

/** Parameters only Anthropic's API honours, whose absence would change the answer: an Anthropic model gets them as sent, another model is refused. */
const ANTHROPIC_ONLY_TOP_LEVEL: Record<string, string> = {
  mcp_servers: `remote MCP servers run inside Anthropic's API; ${ONLY_ANTHROPIC}; for another model, configure the servers in the agent`,
  container: `code-execution containers exist only inside Anthropic's API; ${ONLY_ANTHROPIC}; for another model, leave container out`,
};

/**
 * Anthropic-defined tools whose absence would change the answer: refused, naming the tool and the
 * fix. Code execution computes the answer in Anthropic's containers; bash, text_editor, computer
 * and memory are run by the client but have no schema another model could call them by; an MCP
 * toolset belongs to mcp_servers. Web search and web fetch only add sources: left out with a warning.
 */
const REFUSED_TOOLS: [RegExp, string][] = [
  [/^code_execution/, `its code runs in Anthropic's containers; ${ONLY_ANTHROPIC}; for another model, remove the tool`],
  [
    /^(bash|text_editor|computer|memory)_/,
    `Anthropic models know it by its type; ${ONLY_ANTHROPIC}; for another model, declare it as a custom tool (name, description, input_schema)`,
  ],
  [/^mcp_toolset$/, `remote MCP servers run inside Anthropic's API; ${ONLY_ANTHROPIC}; for another model, configure the servers in the agent`],
];

function cacheHint(v: unknown, param: string): CacheHint | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v) || v.type !== 'ephemeral') throw new DoorRefusal(`${param}: cache_control must be {"type": "ephemeral"}`, { param });
  const ttl = v.ttl;
  if (ttl !== undefined && ttl !== '5m' && ttl !== '1h') throw new DoorRefusal(`${param}.ttl: must be "5m" or "1h"`, { param });
  return ttl ? { type: 'ephemeral', ttl } : { type: 'ephemeral' };
}

function textPart(b: Record<string, unknown>, param: string): TextPart {
  const text = need(typeof b.text === 'string', b.text as string, `${param}.text`, 'expected a string');
  const part: TextPart = { type: 'text', text };
  const cache = cacheHint(b.cache_control, `${param}.cache_control`);
  if (cache) part.cache = cache;
  return part;
}

function imagePart(b: Record<string, unknown>, param: string): ImagePart {
  const src = b.source;
  if (!isObject(src)) throw new DoorRefusal(`${param}.source: expected an object`, { param });
  if (src.type === 'base64' && typeof src.data === 'string' && typeof src.media_type === 'string')
    return { type: 'image', source: { type: 'base64', data: src.data, mediaType: src.media_type } };
  if (src.type === 'url' && typeof src.url === 'string') return { type: 'image', source: { type: 'url', url: src.url } };
  throw new Untranslatable(
    `${param}.source: an image source of type ${JSON.stringify(src.type)} cannot be translated for another model (file ids live in Anthropic's Files API); ${ONLY_ANTHROPIC}; for another model, send the image as {"type":"base64","media_type","data"} or {"type":"url","url"}`,
    { param },
  );
}

function userBlock(b: unknown, param: string): UserContent {
  if (!isObject(b)) throw new DoorRefusal(`${param}: expected a content block object`, { param });
  switch (b.type) {
    case 'text':
      return textPart(b, param);
    case 'image':
      return imagePart(b, param);
    case 'document': {
      const src = b.source;
      if (isObject(src) && src.type === 'base64' && typeof src.data === 'string' && typeof src.media_type === 'string') {
        return { type: 'file', data: src.data, mediaType: src.media_type, ...(typeof b.title === 'string' ? { filename: b.title } : {}) };
      }
      if (isObject(src) && src.type === 'text' && typeof src.data === 'string') return { type: 'text', text: src.data };
      throw new Untranslatable(
        `${param}.source: a document that is not inline (base64 or text) cannot be translated for another model; ${ONLY_ANTHROPIC}; for another model, send the document inline`,
        { param },
      );
    }
    default:
      throw new Untranslatable(
        `${param}: content block type "${String(b.type)}" in a user turn cannot be translated for another model; ${ONLY_ANTHROPIC}; for another model, send it as text`,
        { param },
      );
  }
}

function toolResult(b: Record<string, unknown>, param: string): ToolResultPart {
  const callId = need(typeof b.tool_use_id === 'string', b.tool_use_id as string, `${param}.tool_use_id`, 'expected a string');
  let content: ToolResultPart['content'];
  if (b.content === undefined || b.content === null) content = '';
  else if (typeof b.content === 'string') content = b.content;
  else if (Array.isArray(b.content)) {
    content = b.content.map((c, i) => {
      const p = `${param}.content[${i}]`;
      if (!isObject(c)) throw new DoorRefusal(`${p}: expected a content block`, { param: p });
      if (c.type === 'text') return textPart(c, p);
      if (c.type === 'image') return imagePart(c, p);
      // A text document is its text (as in a user turn).
      if (c.type === 'document' && isObject(c.source) && c.source.type === 'text' && typeof c.source.data === 'string')
        return { type: 'text', text: c.source.data };
      throw new Untranslatable(
        `${p}: a tool_result holding a "${String(c.type)}" block cannot be translated for another model (its results carry text and images); ${ONLY_ANTHROPIC}; for another model, give the tool's result as text or images`,
        { param: p },
      );
    });
  } else throw new DoorRefusal(`${param}.content: expected a string or an array of blocks`, { param });
  const part: ToolResultPart = { type: 'tool-result', callId, content };
  if (b.is_error === true) part.isError = true;
  const cache = cacheHint(b.cache_control, `${param}.cache_control`);
  if (cache) part.cache = cache;
  return part;
}

/** Blocks of a server tool's turn (its call, its result), run inside Anthropic's API: an Anthropic model takes them as sent. */
const SERVER_TOOL_BLOCK = /^(server_tool_use|mcp_tool_use|container_upload)$|_tool_result$/;

function assistantBlock(b: unknown, param: string, states: StateLookup, notes: ParseNotes): AssistantContent | null {
  if (!isObject(b)) throw new DoorRefusal(`${param}: expected a content block object`, { param });
  if (typeof b.type === 'string' && SERVER_TOOL_BLOCK.test(b.type)) {
    onlyForwarded(
      notes,
      new DoorRefusal(
        `${param}: content block type "${b.type}" is a server tool's turn, run inside Anthropic's API; ${ONLY_ANTHROPIC}: answer with an Anthropic model, or start a new conversation`,
        { param },
      ),
    );
    return null;
  }
  switch (b.type) {
    case 'text':
      return textPart(b, param);
    case 'tool_use': {
      const id = need(typeof b.id === 'string', b.id as string, `${param}.id`, 'expected a string');
      const name = need(typeof b.name === 'string', b.name as string, `${param}.name`, 'expected a string');
      const state = states.call(id);
      return state ? { type: 'tool-call', id, name, arguments: argsText(b.input), state } : { type: 'tool-call', id, name, arguments: argsText(b.input) };
    }
    case 'thinking': {
      const text = need(typeof b.thinking === 'string', b.thinking as string, `${param}.thinking`, 'expected a string');
      const sig = typeof b.signature === 'string' && b.signature !== '' ? b.signature : undefined;
      if (sig) return { type: 'reasoning', text, signature: sig, state: states.reasoning(sig) ?? { origin: states.fallbackOrigin } };
      // Unsigned: another model's reasoning the gateway showed as thinking (a route's fallback).
      // Anthropic refuses it as sent; the translating path leaves it out.
      notes.forwardable = false;
      return { type: 'reasoning', text };
    }
    case 'redacted_thinking': {
      const data = need(typeof b.data === 'string', b.data as string, `${param}.data`, 'expected a string');
      return { type: 'reasoning', text: '', redactedData: data, state: states.reasoning(data) ?? { origin: states.fallbackOrigin } };
    }
    default:
      // A block type the gateway has no part for (a newer Anthropic block, such as a compaction summary): an Anthropic model takes it as sent.
      onlyForwarded(
        notes,
        new DoorRefusal(
          `${param}: content block type "${String(b.type)}" in an assistant turn cannot be translated for another model; ${ONLY_ANTHROPIC}: answer with an Anthropic model, or start a new conversation`,
          { param },
        ),
      );
      return null;
  }
}

function messages(raw: unknown, states: StateLookup, notes: ParseNotes): ChatMessage[] {
  if (!Array.isArray(raw) || raw.length === 0) throw new DoorRefusal('messages: expected a non-empty array', { param: 'messages' });
  const out: ChatMessage[] = [];
  const { paths } = notes;
  // Each message the turn makes is named by the turn (DoorPaths).
  const push = (param: string, ...made: ChatMessage[]): void => {
    for (const m of made) paths.set(m, param);
    out.push(...made);
  };
  raw.forEach((m, i) => {
    const param = `messages[${i}]`;
    if (!isObject(m)) throw new DoorRefusal(`${param}: expected an object`, { param });
    const content = m.content;
    if (m.role === 'user') {
      if (typeof content === 'string') return push(param, { role: 'user', content });
      if (!Array.isArray(content)) throw new DoorRefusal(`${param}.content: expected a string or an array of blocks`, { param });
      // Anthropic puts tool results in the user turn; the core has a tool message for them.
      const results: ToolResultPart[] = [];
      const rest: UserContent[] = [];
      content.forEach((b, j) => {
        const at = `${param}.content[${j}]`;
        try {
          if (isObject(b) && b.type === 'tool_result') {
            const r = toolResult(b, at);
            paths.set(r, at);
            if (typeof r.content !== 'string') r.content.forEach((c, k) => paths.set(c, `${at}.content[${k}]`));
            results.push(r);
          } else {
            const part = userBlock(b, at);
            paths.set(part, at);
            rest.push(part);
          }
        } catch (e) {
          // Anthropic's own block: the request can only be forwarded (the translated one never goes out).
          if (!(e instanceof Untranslatable)) throw e;
          onlyForwarded(notes, e);
        }
      });
      if (results.length) push(param, { role: 'tool', content: results });
      if (rest.length || !results.length) push(param, { role: 'user', content: rest });
    } else if (m.role === 'assistant') {
      if (typeof content === 'string') return push(param, { role: 'assistant', content });
      if (!Array.isArray(content)) throw new DoorRefusal(`${param}.content: expected a string or an array of blocks`, { param });
      const blocks = content.map((b, j) => {
        const part = assistantBlock(b, `${param}.content[${j}]`, states, notes);
        if (part) paths.set(part, `${param}.content[${j}]`);
        return part;
      });
      push(param, { role: 'assistant', content: blocks.filter((b) => b !== null) });
    } else if (m.role === 'system') {
      // Claude Code sends mid-conversation system messages (agent listings, reminders) this way.
      if (typeof content === 'string') return push(param, { role: 'system', content });
      if (!Array.isArray(content)) throw new DoorRefusal(`${param}.content: expected a string or an array of text blocks`, { param });
      push(param, {
        role: 'system',
        content: content.map((b, j) => {
          if (!isObject(b) || b.type !== 'text')
            throw new DoorRefusal(`${param}.content[${j}]: a system message holds text blocks only`, { param: `${param}.content[${j}]` });
          const part = textPart(b, `${param}.content[${j}]`);
          paths.set(part, `${param}.content[${j}]`);
          return part;
        }),
      });
    } else throw new DoorRefusal(`${param}.role: must be "user", "assistant" or "system", not ${JSON.stringify(m.role)}`, { param: `${param}.role` });
  });
  return out;
}

/** The client's tools; `hosted` gets the names of the Anthropic-defined ones (not translated). */
function tools(raw: unknown, notes: ParseNotes, hosted: Set<string>): ToolDefinition[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) throw new DoorRefusal('tools: expected an array', { param: 'tools' });
  const out: ToolDefinition[] = [];
  raw.forEach((t, i) => {
    const param = `tools[${i}]`;
    if (!isObject(t)) throw new DoorRefusal(`${param}: expected an object`, { param });
    if (t.type !== undefined && t.type !== 'custom' && t.type !== null) {
      const name = String(t.name ?? t.type);
      hosted.add(name);
      const refused = REFUSED_TOOLS.find(([re]) => re.test(String(t.type)));
      if (refused)
        onlyForwarded(notes, new DoorRefusal(`${param}: tool "${name}" (${String(t.type)}) cannot be translated for another model: ${refused[1]}`, { param }));
      else leftOut(notes, `tool "${name}" (${String(t.type)}) runs inside Anthropic's API and was left out`);
      return;
    }
    const name = need(typeof t.name === 'string' && t.name !== '', t.name as string, `${param}.name`, 'expected a non-empty string');
    const schema = need(isObject(t.input_schema), t.input_schema as Record<string, unknown>, `${param}.input_schema`, 'expected a JSON Schema object');
    const def: ToolDefinition = { name, parameters: schema };
    if (typeof t.description === 'string') def.description = t.description;
    if (t.strict === true) def.strict = true;
    const cache = cacheHint(t.cache_control, `${param}.cache_control`);
    if (cache) def.cache = cache;
    out.push(def);
  });
  return out;
}

function toolChoice(raw: unknown): { choice?: ToolChoice; parallel?: boolean } {
  if (raw === undefined || raw === null) return {};
  if (!isObject(raw)) throw new DoorRefusal('tool_choice: expected an object', { param: 'tool_choice' });
  const parallel = raw.disable_parallel_tool_use === true ? { parallel: false } : {};
  switch (raw.type) {
    case 'auto':
      return { choice: 'auto', ...parallel };
    case 'any':
      return { choice: 'required', ...parallel };
    case 'none':
      return { choice: 'none' };
    case 'tool':
      if (typeof raw.name !== 'string') throw new DoorRefusal('tool_choice.name: required when type is "tool"', { param: 'tool_choice.name' });
      return { choice: { type: 'tool', name: raw.name }, ...parallel };
    default:
      throw new DoorRefusal('tool_choice.type: must be "auto", "any", "tool" or "none"', { param: 'tool_choice.type' });
  }
}

/** Anthropic's efforts, in ascending order, as the core's; "xhigh" and "max" are both the core's highest. */
const EFFORTS: Record<string, ReasoningOptions['effort']> = { low: 'low', medium: 'medium', high: 'high', xhigh: 'xhigh', max: 'xhigh' };
/** output_config fields the core request model has (others are Anthropic's alone: left out when translated, with a warning). */
const OUTPUT_CONFIG_KNOWN = new Set(['effort', 'format']);

function thinking(raw: unknown, outputConfig: unknown, notes: ParseNotes): ReasoningOptions | undefined {
  const effortRaw = isObject(outputConfig) ? outputConfig.effort : undefined;
  let effort: ReasoningOptions['effort'];
  if (effortRaw !== undefined && effortRaw !== null) {
    effort = Object.hasOwn(EFFORTS, String(effortRaw)) ? EFFORTS[String(effortRaw)] : undefined;
    if (!effort) throw new DoorRefusal('output_config.effort: must be "low", "medium", "high", "xhigh" or "max"', { param: 'output_config.effort' });
    // The core has one level above "high": another protocol's model gets its highest (Anthropic "max", OpenAI "xhigh").
    if (effortRaw === 'xhigh')
      leftOut(notes, 'output_config.effort "xhigh": sent as the answering model\'s highest effort (an Anthropic model through translation gets "max")');
  }
  if (isObject(outputConfig))
    for (const k of Object.keys(outputConfig))
      if (!OUTPUT_CONFIG_KNOWN.has(k)) leftOut(notes, `output_config.${k} is honoured only when the answering model speaks Anthropic's protocol; left out`);
  if (raw === undefined || raw === null) return effort ? { effort } : undefined;
  if (!isObject(raw)) throw new DoorRefusal('thinking: expected an object', { param: 'thinking' });
  if (raw.type === 'disabled') return effort ? { effort } : undefined;
  if (raw.type === 'enabled') {
    const budget = raw.budget_tokens;
    if (typeof budget !== 'number' || !Number.isSafeInteger(budget) || budget < 1)
      throw new DoorRefusal('thinking.budget_tokens: a positive integer is required when thinking is enabled', { param: 'thinking.budget_tokens' });
    return { budgetTokens: budget, ...(effort ? { effort } : {}) };
  }
  // Adaptive: the model decides how much to think; the effort (default high, as Anthropic's) says how much it may.
  if (raw.type === 'adaptive') return { effort: effort ?? 'high' };
  throw new DoorRefusal('thinking.type: must be "enabled", "disabled" or "adaptive"', { param: 'thinking.type' });
}

/**
 * thinking.display: Anthropic's "summarized" (the default on most models), "omitted" (each thinking
 * block comes with its signature and an empty text) or, in beta, "updates" (only the short progress
 * notes written between tool calls come as text). True when the thinking text is to be left out of
 * the answer. A model of Anthropic's protocol gets the value as sent; translated, the door gives
 * thinking blocks their signature alone (anthropicResponse.ts).
 */
function omitsThinking(raw: unknown, notes: ParseNotes): boolean {
  const display = isObject(raw) ? raw.display : undefined;
  if (display === undefined || display === null || display === 'summarized') return false;
  if (display === 'omitted') return true;
  if (display === 'updates') {
    leftOut(
      notes,
      'thinking.display "updates": only a model of Anthropic\'s protocol writes progress updates apart from its thinking; this one\'s thinking blocks come without their text, as for "omitted"',
    );
    return true;
  }
  throw new DoorRefusal(`thinking.display: must be "summarized", "omitted" or "updates", not ${JSON.stringify(display)}`, { param: 'thinking.display' });
}

function outputFormat(raw: unknown): ModelRequest['responseFormat'] {
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw) || raw.type !== 'json_schema' || !isObject(raw.schema))
    throw new DoorRefusal('output_format: expected {"type": "json_schema", "schema": {...}}', { param: 'output_format' });
  // Anthropic's structured outputs are constrained decoding, the answer follows the schema: so is
  // OpenAI's strict mode (whose schema rules Anthropic shares), not its best-effort default.
  return { type: 'json_schema', name: 'output', schema: raw.schema, strict: true };
}

/** A parsed Messages request: what the answer's shape depends on besides the core request. */
export interface MessagesParsed extends DoorRequest {
  /** thinking.display "omitted" (or "updates"): thinking blocks carry their signature, not their text. */
  omitThinking?: boolean;
}

/** A warning that holds when a model of another protocol than Anthropic's answers (ModelRequest.providerOptionsWarnings). */
function anthropicOnly(request: DoorRequest['request'], warning: string): void {
  const w = (request.providerOptionsWarnings ??= {});
  (w.anthropic ??= []).push(warning);
}

/** Parse and translate; `lookup` finds the provider state of parts the gateway handed out earlier. */
export function parseMessagesRequest(raw: unknown, lookup: (model: string) => StateLookup = noStates): MessagesParsed {
  const warnings: string[] = [];
  const { body, model, unknown } = openBody(raw, {}, KNOWN_TOP_LEVEL, warnings);
  const notes: ParseNotes = { warnings, resolvedByForwarding: [...unknown], paths: new DoorPaths() };
  // An empty list of MCP servers asks for nothing another model lacks.
  for (const [k, why] of Object.entries(ANTHROPIC_ONLY_TOP_LEVEL)) {
    const v = body[k];
    if (v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0))
      onlyForwarded(notes, new DoorRefusal(`${k}: cannot be translated for another model: ${why}`, { param: k }));
  }
  const maxTokens = optTokenCount(body, 'max_tokens');
  if (maxTokens === undefined) throw new DoorRefusal('max_tokens: required, a positive integer', { param: 'max_tokens' });

  const msgs: ChatMessage[] = [];
  if (typeof body.system === 'string') {
    if (body.system) msgs.push({ role: 'system', content: body.system });
  } else if (Array.isArray(body.system)) {
    const parts = body.system.map((b, i) => {
      if (!isObject(b) || b.type !== 'text') throw new DoorRefusal(`system[${i}]: system blocks must be text`, { param: `system[${i}]` });
      const part = textPart(b, `system[${i}]`);
      notes.paths.set(part, `system[${i}]`);
      return part;
    });
    if (parts.length) msgs.push({ role: 'system', content: parts });
  } else if (body.system !== undefined && body.system !== null)
    throw new DoorRefusal('system: expected a string or an array of text blocks', { param: 'system' });
  const states = lookup(model);
  const turns = messages(body.messages, states, notes);
  restoreTextState(turns, states);
  msgs.push(...turns);

  const request: DoorRequest['request'] = { messages: msgs, maxTokens };
  // A final assistant message is a prefill: the answer continues it (refused where it cannot be).
  if (msgs.at(-1)?.role === 'assistant') request.finalAssistant = 'continue';
  const hosted = new Set<string>();
  const t = tools(body.tools, notes, hosted);
  if (t && t.length) request.tools = t;
  const tc = toolChoice(body.tool_choice);
  // Forcing a tool the translation leaves out would make the model answer without what was asked for.
  const forced = tc.choice && typeof tc.choice === 'object' ? tc.choice.name : null;
  if (forced !== null && hosted.has(forced) && !t?.some((d) => d.name === forced))
    onlyForwarded(
      notes,
      new DoorRefusal(
        `tool_choice: forces "${forced}", a server tool that runs inside Anthropic's API; ${ONLY_ANTHROPIC}; for another model, use {"type": "auto"}`,
        { param: 'tool_choice' },
      ),
    );
  else if (forced !== null && !hosted.has(forced) && request.tools && !request.tools.some((d) => d.name === forced))
    throw new DoorRefusal(`tool_choice: names the tool "${forced}", which is not in tools; name one of the tools you send`, { param: 'tool_choice.name' });
  else if (tc.choice && request.tools) request.toolChoice = tc.choice;
  else if (tc.choice && tc.choice !== 'auto' && tc.choice !== 'none') {
    const refusal = new DoorRefusal('tool_choice: names a tool use but no tools were given', { param: 'tool_choice' });
    // Only server tools: an Anthropic model can use them.
    if (!hosted.size) throw refusal;
    onlyForwarded(notes, refusal);
  }
  if (tc.parallel === false) request.parallelToolCalls = false;
  const temperature = optNumber(body, 'temperature', 'temperature', [0, 1]);
  if (temperature !== undefined) request.temperature = temperature;
  const topP = optNumber(body, 'top_p', 'top_p', [0, 1]);
  if (topP !== undefined) request.topP = topP;
  const topK = optNumber(body, 'top_k');
  if (topK !== undefined) {
    // An Anthropic model gets it, translated request or not; another model's adapter says it was left out.
    request.providerOptions = { anthropic: { top_k: topK } };
    anthropicOnly(request, "top_k is honoured only when the answering model speaks Anthropic's protocol");
  }
  if (body.stop_sequences !== undefined && body.stop_sequences !== null) {
    if (!Array.isArray(body.stop_sequences) || !body.stop_sequences.every((s) => typeof s === 'string'))
      throw new DoorRefusal('stop_sequences: expected an array of strings', { param: 'stop_sequences' });
    if (body.stop_sequences.length) {
      request.stop = body.stop_sequences as string[];
      // OpenAI's finish_reason "stop" and Gemini's "STOP" mean a natural end or a stop sequence alike,
      // and the matched sequence is not in the text: only an Anthropic model, or a vLLM or SGLang
      // server, says which ended it (the answering model's adapter says this warning otherwise).
      request.stopMatchWarning =
        'stop_sequences: the answering model\'s API does not say whether a stop sequence ended the answer, so stop_reason is "end_turn" and stop_sequence null either way; only a model that speaks Anthropic\'s protocol, or one served by vLLM or SGLang, reports "stop_sequence"';
    }
  }
  if (isObject(body.metadata)) {
    const user = optString(body.metadata, 'user_id', 'metadata.user_id');
    if (user) request.user = user;
  }
  const reasoning = thinking(body.thinking, body.output_config, notes);
  if (reasoning) request.reasoning = reasoning;
  const omitThinking = omitsThinking(body.thinking, notes);
  const format = outputFormat(body.output_format ?? (isObject(body.output_config) ? body.output_config.format : undefined));
  if (format) request.responseFormat = format;
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean')
    throw new DoorRefusal('stream: expected a boolean', { param: 'stream' });
  return { model, request, stream: body.stream === true, ...notes, ...(omitThinking ? { omitThinking } : {}) };
}
