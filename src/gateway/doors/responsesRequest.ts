/**
 * OpenAI Responses request (POST /v1/responses) → the core request model. Input items map onto
 * messages by role: `function_call` items join the assistant turn, `function_call_output` items
 * become tool results, `reasoning` items become reasoning parts (their encrypted content is the
 * provider's signature). Hosted tools go to a Responses model as sent (the fast path forwards the
 * body). Translated for another model, hosted web search (and the client tool types only OpenAI
 * models call) are left out with a warning; hosted tools whose absence would change the answer
 * (file_search, code_interpreter, image_generation, mcp, computer use), a tool_choice forcing one,
 * and those tools' items in the input are refused, naming the fix. `namespace` groups are flattened
 * into function tools named `<namespace>__<tool>` (a name every upstream accepts), and calls are
 * mapped back (such a body is never forwarded).
 */
import type {
  AssistantContent,
  ChatMessage,
  ImagePart,
  ModelRequest,
  ReasoningEffort,
  TextPart,
  ToolChoice,
  ToolDefinition,
  ToolResultPart,
  UserContent,
} from '../../core/index.ts';
import { namespacedName } from '../../core/index.ts';
import {
  DoorPaths,
  DoorRefusal,
  isObject,
  leftOut,
  need,
  onlyForwarded,
  openBody,
  optNumber,
  optString,
  optTokenCount,
  type DoorRequest,
  type ParseNotes,
} from './door.ts';
import { noStates, restoreTextState, type StateLookup } from './stateCache.ts';

const KNOWN_TOP_LEVEL = new Set([
  'model',
  'input',
  'instructions',
  'tools',
  'tool_choice',
  'text',
  'reasoning',
  'max_output_tokens',
  'temperature',
  'top_p',
  'client_metadata',
  'store',
  'previous_response_id',
  'stream',
  'parallel_tool_calls',
  'include',
  'metadata',
  'user',
  'prompt_cache_key',
  'safety_identifier',
  'stream_options',
]);
const REFUSED_TOP_LEVEL: Record<string, string> = {
  conversation: "server-side conversations live in OpenAI's API; send the items, or use previous_response_id",
  prompt: "stored prompt templates live in OpenAI's API",
  background: 'background responses are not supported by this gateway',
};
/**
 * An input item or content part OpenAI's API takes that the core request model has no part for (a
 * compaction item, a file by id, a content type the gateway does not know): a Responses model gets
 * it as sent; for another model the request is refused with this.
 */
class Untranslatable extends DoorRefusal {}

/** Redacted thinking travels in encrypted_content with this prefix (see responsesResponse.ts). */
const REDACTED = 'redacted:';
const EFFORTS = new Set<ReasoningEffort>(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']);

export interface ResponsesParsed extends DoorRequest {
  previousResponseId: string | null;
  store: boolean;
  /** Flattened namespace tool name → [namespace, tool], to map calls back. */
  namespaced: Map<string, [string, string]>;
  /** The conversation without the instructions (kept for a later previous_response_id: instructions do not carry over). */
  conversation: ChatMessage[];
  instructions: string | null;
  /** What the response object echoes back. */
  echo: Record<string, unknown>;
}

function contentParts(raw: unknown, param: string, role: string): (UserContent | TextPart)[] | string {
  if (typeof raw === 'string') return raw;
  if (!Array.isArray(raw)) throw new DoorRefusal(`${param}: expected a string or an array of content parts`, { param });
  return raw.map((c, i): UserContent | TextPart => {
    const p = `${param}[${i}]`;
    if (!isObject(c)) throw new DoorRefusal(`${p}: expected an object`, { param: p });
    switch (c.type) {
      case 'input_text':
      case 'output_text':
      case 'text':
        return { type: 'text', text: need(typeof c.text === 'string', c.text as string, `${p}.text`, 'expected a string') };
      case 'refusal':
        return { type: 'text', text: need(typeof c.refusal === 'string', c.refusal as string, `${p}.refusal`, 'expected a string') };
      case 'input_image': {
        if (role === 'assistant') throw new DoorRefusal(`${p}: an assistant message cannot hold an image`, { param: p });
        if (typeof c.image_url !== 'string' && typeof c.file_id === 'string')
          throw new Untranslatable(
            `${p}: an image by file_id cannot be translated for another model (file ids live in OpenAI's Files API); ${ONLY_RESPONSES}; for another model, send image_url (a URL or a data: URL)`,
            { param: p },
          );
        const url = need(
          typeof c.image_url === 'string',
          c.image_url as string,
          `${p}.image_url`,
          "a URL or data: URL is required (file ids live in OpenAI's Files API)",
        );
        const m = /^data:([^;,]+);base64,(.*)$/s.exec(url);
        const img: ImagePart = m
          ? { type: 'image', source: { type: 'base64', mediaType: m[1]!, data: m[2]! } }
          : { type: 'image', source: { type: 'url', url } };
        if (c.detail === 'low' || c.detail === 'high' || c.detail === 'auto' || c.detail === 'original') img.detail = c.detail;
        else if (c.detail !== undefined && c.detail !== null)
          throw new DoorRefusal(`${p}.detail: must be "low", "high", "auto" or "original"`, { param: `${p}.detail` });
        return img;
      }
      case 'input_file': {
        if (typeof c.file_data !== 'string' && (typeof c.file_id === 'string' || typeof c.file_url === 'string'))
          throw new Untranslatable(
            `${p}: a file by ${typeof c.file_id === 'string' ? 'file_id' : 'file_url'} cannot be translated for another model; ${ONLY_RESPONSES}; for another model, send file_data (a data: URL)`,
            { param: p },
          );
        const data = need(
          typeof c.file_data === 'string',
          c.file_data as string,
          `${p}.file_data`,
          'inline file data is required (file ids and URLs are not supported)',
        );
        const m = /^data:([^;,]+);base64,(.*)$/s.exec(data);
        if (!m) throw new DoorRefusal(`${p}.file_data: expected a data: URL ("data:application/pdf;base64,...")`, { param: p });
        return { type: 'file', mediaType: m[1]!, data: m[2]!, ...(typeof c.filename === 'string' ? { filename: c.filename } : {}) };
      }
      default:
        throw new Untranslatable(
          `${p}: content part type "${String(c.type)}" cannot be translated for another model; ${ONLY_RESPONSES}; for another model, send text, images or files`,
          { param: p },
        );
    }
  });
}

/**
 * A function_call_output's `output`: a string, or the items OpenAI's API takes there (input_text,
 * input_image, input_file). Text and images translate; a file (or an image by file_id) is forwarded
 * only: the core's tool result has no part for it, and it is refused naming the item otherwise.
 */
function functionOutput(raw: unknown, param: string): string | (TextPart | ImagePart)[] {
  if (typeof raw === 'string') return raw;
  if (!Array.isArray(raw)) throw new DoorRefusal(`${param}: expected a string or an array of input_text, input_image and input_file items`, { param });
  raw.forEach((c, j) => {
    const p = `${param}[${j}]`;
    const type = isObject(c) ? c.type : undefined;
    if (type !== 'input_text' && type !== 'input_image' && type !== 'input_file')
      throw new DoorRefusal(`${p}: a function output item is "input_text", "input_image" or "input_file", not ${JSON.stringify(type ?? null)}`, {
        param: `${p}.type`,
      });
  });
  const parts = contentParts(raw, param, 'tool') as (UserContent | TextPart)[];
  const out: (TextPart | ImagePart)[] = [];
  parts.forEach((c, j) => {
    if (c.type === 'file')
      throw new Untranslatable(
        `${param}[${j}]: a file in a function output cannot be translated for another model (its tool results hold text and images); ${ONLY_RESPONSES}; for another model, send the file in a user message`,
        { param: `${param}[${j}]` },
      );
    out.push(c);
  });
  return out;
}

/** Append to the last assistant message, or start one (function calls and reasoning items build one turn); returns it. */
function pushAssistant(out: ChatMessage[], parts: AssistantContent[]): ChatMessage {
  const last = out.at(-1);
  if (last && last.role === 'assistant') {
    if (typeof last.content === 'string') last.content = last.content ? [{ type: 'text', text: last.content }] : [];
    last.content.push(...parts);
    return last;
  }
  const made: ChatMessage = { role: 'assistant', content: parts };
  out.push(made);
  return made;
}

/**
 * Input items of tools OpenAI's API runs, or that only OpenAI models call (their calls and outputs):
 * a Responses model takes them as sent; the translation has no part for them.
 */
const OPENAI_TOOL_ITEMS = new Set([
  'web_search_call',
  'file_search_call',
  'code_interpreter_call',
  'image_generation_call',
  'mcp_list_tools',
  'mcp_call',
  'mcp_approval_request',
  'mcp_approval_response',
  'computer_call',
  'computer_call_output',
  'custom_tool_call',
  'custom_tool_call_output',
  'local_shell_call',
  'local_shell_call_output',
  'shell_call',
  'shell_call_output',
  'apply_patch_call',
  'apply_patch_call_output',
]);

export function inputToMessages(input: unknown, states: StateLookup, namespaced: Map<string, [string, string]>, notes: ParseNotes): ChatMessage[] {
  if (typeof input === 'string') {
    const only: ChatMessage = { role: 'user', content: input };
    notes.paths.set(only, 'input');
    return [only];
  }
  if (!Array.isArray(input)) throw new DoorRefusal('input: expected a string or an array of items', { param: 'input' });
  const out: ChatMessage[] = [];
  const { paths } = notes;
  /** A message or the last one grown by the item: named by the item that started it (DoorPaths), its parts by theirs. */
  const named = (message: ChatMessage | undefined, param: string, parts: readonly object[], partPath: (j: number) => string): void => {
    if (message) paths.set(message, param);
    parts.forEach((p, j) => paths.set(p, partPath(j)));
  };
  const addItem = (item: unknown, i: number): void => {
    const param = `input[${i}]`;
    if (!isObject(item)) throw new DoorRefusal(`${param}: expected an object`, { param });
    const type = item.type ?? 'message';
    if (typeof type === 'string' && OPENAI_TOOL_ITEMS.has(type))
      return onlyForwarded(
        notes,
        new DoorRefusal(
          `${param}: input item type "${type}" belongs to a tool only OpenAI's API runs or only OpenAI models call; ${ONLY_RESPONSES}: answer with such a model, or start a new conversation`,
          { param },
        ),
      );
    switch (type) {
      case 'message': {
        const role = item.role;
        const content = contentParts(item.content, `${param}.content`, String(role));
        const parts = typeof content === 'string' ? [] : content;
        if (role === 'system' || role === 'developer') {
          out.push({
            role: 'system',
            content:
              typeof content === 'string'
                ? content
                : content.map((c) => need(c.type === 'text', c as TextPart, `${param}.content`, 'system and developer messages hold text only')),
          });
        } else if (role === 'user') out.push({ role: 'user', content });
        else if (role === 'assistant') pushAssistant(out, typeof content === 'string' ? [{ type: 'text', text: content }] : (content as TextPart[]));
        else throw new DoorRefusal(`${param}.role: must be "user", "assistant", "system" or "developer"`, { param: `${param}.role` });
        named(out.at(-1), param, parts, (j) => `${param}.content[${j}]`);
        break;
      }
      case 'function_call': {
        const id = need(typeof item.call_id === 'string', item.call_id as string, `${param}.call_id`, 'expected a string');
        const name = need(typeof item.name === 'string', item.name as string, `${param}.name`, 'expected a string');
        const args = need(typeof item.arguments === 'string', item.arguments as string, `${param}.arguments`, 'expected a JSON string');
        const flat = namespacedName(name, item.namespace);
        if (flat !== name) namespaced.set(flat, [item.namespace as string, name]);
        const state = states.call(id);
        const call: AssistantContent = state
          ? { type: 'tool-call', id, name: flat, arguments: args, state }
          : { type: 'tool-call', id, name: flat, arguments: args };
        named(pushAssistant(out, [call]), param, [call], () => param);
        break;
      }
      case 'function_call_output': {
        const callId = need(typeof item.call_id === 'string', item.call_id as string, `${param}.call_id`, 'expected a string');
        const content = functionOutput(item.output, `${param}.output`);
        const result: ToolResultPart = { type: 'tool-result', callId, content };
        const last = out.at(-1);
        if (last && last.role === 'tool') last.content.push(result);
        else out.push({ role: 'tool', content: [result] });
        named(out.at(-1), param, [result], () => param);
        if (typeof content !== 'string') named(undefined, param, content, (k) => `${param}.output[${k}]`);
        break;
      }
      case 'reasoning': {
        const summary = Array.isArray(item.summary) ? item.summary.map((s) => (isObject(s) && typeof s.text === 'string' ? s.text : '')).join('\n\n') : '';
        const enc = optString(item, 'encrypted_content', `${param}.encrypted_content`);
        const data = enc?.startsWith(REDACTED) ? enc.slice(REDACTED.length) : undefined;
        const part: AssistantContent = !enc
          ? { type: 'reasoning', text: summary }
          : data !== undefined
            ? { type: 'reasoning', text: '', redactedData: data, state: states.reasoning(data) ?? { origin: states.fallbackOrigin } }
            : { type: 'reasoning', text: summary, signature: enc, state: states.reasoning(enc) ?? { origin: states.fallbackOrigin } };
        named(pushAssistant(out, [part]), param, [part], () => param);
        break;
      }
      case 'item_reference':
        throw new DoorRefusal(`${param}: item references point into OpenAI's stored items; send the item itself or use previous_response_id`, { param });
      default:
        throw new Untranslatable(
          `${param}: input item type "${String(type)}" cannot be translated for another model; ${ONLY_RESPONSES}: answer with such a model, or start a new conversation`,
          { param },
        );
    }
  };
  input.forEach((item, i) => {
    try {
      addItem(item, i);
    } catch (e) {
      // OpenAI's own item or part: the request can only be forwarded (the translated one never goes out).
      if (!(e instanceof Untranslatable)) throw e;
      onlyForwarded(notes, e);
    }
  });
  return out;
}

function functionTool(t: Record<string, unknown>, param: string, name: string): ToolDefinition {
  const def: ToolDefinition = { name, parameters: isObject(t.parameters) ? t.parameters : { type: 'object', properties: {} } };
  if (typeof t.description === 'string') def.description = t.description;
  if (t.strict === true) def.strict = true;
  if (t.parameters !== undefined && t.parameters !== null && !isObject(t.parameters))
    throw new DoorRefusal(`${param}.parameters: expected a JSON Schema object`, { param });
  return def;
}

export function parseTools(raw: unknown, notes: ParseNotes, namespaced: Map<string, [string, string]>): ToolDefinition[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new DoorRefusal('tools: expected an array', { param: 'tools' });
  const out: ToolDefinition[] = [];
  raw.forEach((t, i) => {
    const param = `tools[${i}]`;
    if (!isObject(t)) throw new DoorRefusal(`${param}: expected an object`, { param });
    if (t.type === 'function') {
      out.push(functionTool(t, param, need(typeof t.name === 'string' && t.name !== '', t.name as string, `${param}.name`, 'expected a non-empty string')));
    } else if (t.type === 'namespace') {
      const ns = need(typeof t.name === 'string' && t.name !== '', t.name as string, `${param}.name`, 'expected a non-empty string');
      const inner = need(Array.isArray(t.tools), t.tools as unknown[], `${param}.tools`, 'expected an array');
      inner.forEach((f, j) => {
        const p = `${param}.tools[${j}]`;
        if (!isObject(f) || (f.type !== undefined && f.type !== 'function')) {
          leftOut(notes, `tool ${p} in namespace "${ns}" is not a function tool and was left out (a Responses model gets the namespace as sent)`);
          return;
        }
        const name = need(typeof f.name === 'string' && f.name !== '', f.name as string, `${p}.name`, 'expected a non-empty string');
        const flat = namespacedName(name, ns);
        namespaced.set(flat, [ns, name]);
        const def = functionTool(f, p, flat);
        if (!def.description && typeof t.description === 'string') def.description = t.description;
        out.push(def);
      });
    } else {
      const type = String(t.type);
      const refused = REFUSED_HOSTED_TOOLS[type];
      if (refused) onlyForwarded(notes, new DoorRefusal(`${param}: hosted tool "${type}" cannot be translated for another model: ${refused}`, { param }));
      else if (CLIENT_TOOL_TYPES.has(type))
        leftOut(
          notes,
          `tool "${String(t.name ?? type)}" (${type}) has no equivalent the gateway can translate and was left out; the model can use the function tools`,
        );
      else leftOut(notes, `hosted tool "${type}" runs inside OpenAI's API and was left out`);
    }
  });
  return out;
}

/** What a refusal of OpenAI's hosted tools says works: the same-protocol fast path. */
const ONLY_RESPONSES = "only a model served over OpenAI's Responses API (such as openai/gpt-5-codex, or a route or alias that reaches one) gets it, as sent";

/**
 * Hosted tools whose absence would change the answer's meaning (it would be grounded in files, code
 * or servers the model never reached, or be an image or a computer action no other model makes):
 * refused for another model, naming the fix; a Responses model gets them as sent (the fast path).
 * Web search only adds sources: left out with a warning when translated.
 */
const REFUSED_HOSTED_TOOLS: Record<string, string> = {
  file_search: `it searches your vector stores inside OpenAI's API; ${ONLY_RESPONSES}; for another model, put the documents in the input`,
  code_interpreter: `its code runs in OpenAI's containers; ${ONLY_RESPONSES}; for another model, remove the tool`,
  image_generation: `its images are made inside OpenAI's API; ${ONLY_RESPONSES}; for another model, remove the tool`,
  mcp: `remote MCP servers are called from inside OpenAI's API; ${ONLY_RESPONSES}; for another model, configure them in the agent as function tools`,
  computer_use_preview: `computer actions are a tool only OpenAI models produce; ${ONLY_RESPONSES}; for another model, declare the actions as function tools`,
  computer_use: `computer actions are a tool only OpenAI models produce; ${ONLY_RESPONSES}; for another model, declare the actions as function tools`,
};
/** Tools the client runs (not hosted) that only OpenAI models call in their own item types: left out, the agent's function tools remain. */
const CLIENT_TOOL_TYPES = new Set(['custom', 'local_shell', 'shell', 'apply_patch']);

function toolChoice(raw: unknown, namespaced: Map<string, [string, string]>, notes: ParseNotes): ToolChoice | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (raw === 'auto' || raw === 'none' || raw === 'required') return raw;
  if (isObject(raw) && raw.type === 'function' && typeof raw.name === 'string') {
    const flat = [...namespaced].find(([, [, n]]) => n === raw.name)?.[0];
    return { type: 'tool', name: flat ?? raw.name };
  }
  if (isObject(raw) && typeof raw.type === 'string' && raw.type !== 'function')
    return void onlyForwarded(
      notes,
      new DoorRefusal(
        `tool_choice: forces the tool type "${raw.type}"${typeof raw.name === 'string' ? ` ("${raw.name}")` : ''}, which runs inside OpenAI's API; ${ONLY_RESPONSES}; for another model, use "auto" or "required" with function tools`,
        { param: 'tool_choice' },
      ),
    );
  throw new DoorRefusal('tool_choice: must be "auto", "none", "required" or {"type":"function","name":...}', { param: 'tool_choice' });
}

/**
 * `tool_choice: {type: "allowed_tools", mode, tools}`: the model may call only the listed tools (the
 * others stay declared, for the prompt cache). Translated, the function tools offered are the
 * allowed ones and the choice is the mode: the same calls are possible. Hosted tools in the list are
 * the ones the translation leaves out or refuses anyway; "required" with only those is forward-only.
 */
function allowedTools(
  raw: Record<string, unknown>,
  tools: ToolDefinition[],
  rawTools: unknown,
  namespaced: Map<string, [string, string]>,
  notes: ParseNotes,
): { tools: ToolDefinition[]; mode: 'auto' | 'required' } {
  const mode = raw.mode;
  if (mode !== 'auto' && mode !== 'required') throw new DoorRefusal('tool_choice.mode: must be "auto" or "required"', { param: 'tool_choice.mode' });
  if (!Array.isArray(raw.tools) || raw.tools.length === 0)
    throw new DoorRefusal('tool_choice.tools: expected a non-empty array of the tools the model may call', { param: 'tool_choice.tools' });
  const declared = new Set(Array.isArray(rawTools) ? rawTools.filter(isObject).map((t) => String(t.type)) : []);
  const names = new Set<string>();
  const otherTypes: string[] = [];
  raw.tools.forEach((t, i) => {
    const p = `tool_choice.tools[${i}]`;
    if (!isObject(t) || typeof t.type !== 'string')
      throw new DoorRefusal(`${p}: expected a tool ({"type":"function","name":...} or a tool type)`, { param: p });
    if (t.type === 'function' || t.type === 'namespace') {
      const name = need(typeof t.name === 'string' && t.name !== '', t.name as string, `${p}.name`, 'expected a non-empty string');
      const matches =
        t.type === 'namespace'
          ? [...namespaced].filter(([, [ns]]) => ns === name).map(([flat]) => flat)
          : typeof t.namespace === 'string' && t.namespace
            ? [namespacedName(name, t.namespace)]
            : tools.some((d) => d.name === name)
              ? [name]
              : [...namespaced].filter(([, [, n]]) => n === name).map(([flat]) => flat);
      const found = matches.filter((flat) => tools.some((d) => d.name === flat));
      if (!found.length)
        throw new DoorRefusal(`${p}: allows the ${t.type} "${name}", which is not in tools; allow only tools you send`, { param: `${p}.name` });
      for (const flat of found) names.add(flat);
    } else {
      if (!declared.has(t.type))
        throw new DoorRefusal(`${p}: allows the tool type "${t.type}", which is not in tools; allow only tools you send`, { param: p });
      otherTypes.push(t.type);
    }
  });
  if (mode === 'required' && names.size === 0) {
    onlyForwarded(
      notes,
      new DoorRefusal(
        `tool_choice: requires a call of ${otherTypes.map((t) => `"${t}"`).join(', ')}, which runs inside OpenAI's API or only OpenAI models call; ${ONLY_RESPONSES}; for another model, allow function tools`,
        { param: 'tool_choice' },
      ),
    );
    return { tools: [], mode: 'auto' };
  }
  return { tools: tools.filter((d) => names.has(d.name)), mode };
}

function textFormat(raw: unknown): ModelRequest['responseFormat'] {
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw)) throw new DoorRefusal('text: expected an object', { param: 'text' });
  const f = raw.format;
  if (f === undefined || f === null) return undefined;
  if (!isObject(f)) throw new DoorRefusal('text.format: expected an object', { param: 'text.format' });
  if (f.type === 'text') return undefined;
  if (f.type === 'json_object') return { type: 'json_object' };
  if (f.type === 'json_schema') {
    const name = need(typeof f.name === 'string', f.name as string, 'text.format.name', 'required for json_schema');
    const schema = need(isObject(f.schema), f.schema as Record<string, unknown>, 'text.format.schema', 'expected a JSON Schema object');
    return {
      type: 'json_schema',
      name,
      schema,
      ...(typeof f.description === 'string' ? { description: f.description } : {}),
      ...(typeof f.strict === 'boolean' ? { strict: f.strict } : {}),
    };
  }
  throw new DoorRefusal('text.format.type: must be "text", "json_object" or "json_schema"', { param: 'text.format.type' });
}

export function parseResponsesRequest(raw: unknown, lookup: (model: string) => StateLookup = noStates): ResponsesParsed {
  const warnings: string[] = [];
  const { body, model, unknown } = openBody(raw, REFUSED_TOP_LEVEL, KNOWN_TOP_LEVEL, warnings);
  const notes: ParseNotes = { warnings, resolvedByForwarding: [...unknown], paths: new DoorPaths() };
  const namespaced = new Map<string, [string, string]>();
  const tools = parseTools(body.tools, notes, namespaced);
  const messages: ChatMessage[] = [];
  const instructions = optString(body, 'instructions');
  if (instructions) {
    messages.push({ role: 'system', content: instructions });
    notes.paths.set(messages[0]!, 'instructions');
  }
  if (body.input === undefined || body.input === null) throw new DoorRefusal('input: required', { param: 'input' });
  const states = lookup(model);
  const conversation = inputToMessages(body.input, states, namespaced, notes);
  restoreTextState(conversation, states);
  messages.push(...conversation);

  const request: DoorRequest['request'] = { messages };
  // A final assistant message is answered with a new turn, as OpenAI's API does (refused where it would be continued).
  if (messages.at(-1)?.role === 'assistant') request.finalAssistant = 'reply';
  let offered = tools;
  let rawChoice = body.tool_choice;
  if (isObject(rawChoice) && rawChoice.type === 'allowed_tools') {
    // Honoured exactly: only the allowed tools are offered, with the choice's mode.
    const allowed = allowedTools(rawChoice, tools, body.tools, namespaced, notes);
    offered = allowed.tools;
    rawChoice = allowed.mode;
  }
  if (offered.length) request.tools = offered;
  const choice = toolChoice(rawChoice, namespaced, notes);
  if (typeof choice === 'object' && offered.length && !offered.some((t) => t.name === choice.name))
    throw new DoorRefusal(`tool_choice: names the function "${choice.name}", which is not in tools; name one of the function tools you send`, {
      param: 'tool_choice.name',
    });
  if (choice && (offered.length || choice === 'none' || choice === 'auto')) {
    if (offered.length) request.toolChoice = choice;
  } else if (choice) {
    const refusal = new DoorRefusal('tool_choice: asks for a tool call but no function tools were given', { param: 'tool_choice' });
    // Only hosted tools: a Responses model can call them.
    if (!Array.isArray(body.tools) || !body.tools.length) throw refusal;
    onlyForwarded(notes, refusal);
  }
  if (body.parallel_tool_calls === false) request.parallelToolCalls = false;
  const format = textFormat(body.text);
  if (format) request.responseFormat = format;
  const verbosity = isObject(body.text) ? body.text.verbosity : undefined;
  if (verbosity !== undefined && verbosity !== null) {
    if (verbosity !== 'low' && verbosity !== 'medium' && verbosity !== 'high')
      throw new DoorRefusal('text.verbosity: must be "low", "medium" or "high"', { param: 'text.verbosity' });
    leftOut(notes, `text.verbosity ("${verbosity}") is honoured only by a model served over the Responses API, which gets it as sent; it was left out`);
  }
  if (body.prompt_cache_key !== undefined && body.prompt_cache_key !== null) {
    if (typeof body.prompt_cache_key !== 'string') throw new DoorRefusal('prompt_cache_key: expected a string', { param: 'prompt_cache_key' });
    // A model served over the Responses API gets it, translated request or not; the others cache by
    // prefix, and their adapter says it was left out (a forwarded body carries it as sent).
    request.providerOptions = {
      ...request.providerOptions,
      'openai-responses': { ...request.providerOptions?.['openai-responses'], prompt_cache_key: body.prompt_cache_key },
    };
    request.providerOptionsWarnings = {
      'openai-responses': ['prompt_cache_key is not forwarded (providers cache by prefix); a model served over the Responses API gets it as sent'],
    };
  }
  if (isObject(body.reasoning)) {
    const effort = body.reasoning.effort;
    if (effort !== undefined && effort !== null) {
      if (!EFFORTS.has(effort as ReasoningEffort))
        throw new DoorRefusal('reasoning.effort: must be none, minimal, low, medium, high or xhigh', { param: 'reasoning.effort' });
      request.reasoning = { effort: effort as ReasoningEffort };
    }
    // Reasoning summaries asked for without an effort (Codex on a model it does not know): the
    // model reasons at its default effort; a Responses model is asked for the summaries and, when
    // the client asks for it, the encrypted reasoning (stateless, it goes back on the next turn —
    // without it the model loses its reasoning between tool calls). The other protocols stream
    // their reasoning anyway.
    const summary = body.reasoning.summary;
    if (summary !== undefined && summary !== null && effort !== 'none') {
      if (summary !== 'auto' && summary !== 'concise' && summary !== 'detailed')
        throw new DoorRefusal('reasoning.summary: must be "auto", "concise" or "detailed"', { param: 'reasoning.summary' });
      const encrypted = Array.isArray(body.include) && body.include.includes('reasoning.encrypted_content');
      request.providerOptions = {
        ...request.providerOptions,
        'openai-responses': {
          ...request.providerOptions?.['openai-responses'],
          reasoning: { summary },
          ...(encrypted ? { include: ['reasoning.encrypted_content'] } : {}),
        },
      };
    }
  } else if (body.reasoning !== undefined && body.reasoning !== null) throw new DoorRefusal('reasoning: expected an object', { param: 'reasoning' });
  if (body.include !== undefined && body.include !== null) {
    if (!Array.isArray(body.include) || !body.include.every((v) => typeof v === 'string'))
      throw new DoorRefusal('include: expected an array of strings', { param: 'include' });
    // The encrypted reasoning is always in a translated answer (a signature, a thought signature); any
    // other extra output (logprobs, hosted tools' results, input image URLs) only OpenAI's API adds.
    for (const v of new Set(body.include as string[]))
      if (v !== 'reasoning.encrypted_content')
        leftOut(notes, `include "${v}" is honoured only by a model served over the Responses API, which gets it as sent; it was left out`);
  }
  const maxTokens = optTokenCount(body, 'max_output_tokens');
  if (maxTokens !== undefined) request.maxTokens = maxTokens;
  // The bound on built-in tool calls goes to a Responses model as sent (the budget holds web searches
  // by it): a whole number of calls, as the API takes it (1e308 is none).
  const maxToolCalls = optNumber(body, 'max_tool_calls');
  if (maxToolCalls !== undefined && (!Number.isSafeInteger(maxToolCalls) || maxToolCalls < 0))
    throw new DoorRefusal(`max_tool_calls: expected a non-negative integer (the most built-in tool calls the model may make), got ${maxToolCalls}`, {
      param: 'max_tool_calls',
    });
  const temperature = optNumber(body, 'temperature', 'temperature', [0, 2]);
  if (temperature !== undefined) request.temperature = temperature;
  const topP = optNumber(body, 'top_p', 'top_p', [0, 1]);
  if (topP !== undefined) request.topP = topP;
  const user = optString(body, 'safety_identifier') ?? optString(body, 'user');
  if (user) request.user = user;
  const previous = optString(body, 'previous_response_id') ?? null;
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean')
    throw new DoorRefusal('stream: expected a boolean', { param: 'stream' });
  const echo: Record<string, unknown> = {
    instructions: instructions ?? null,
    max_output_tokens: maxTokens ?? null,
    parallel_tool_calls: body.parallel_tool_calls !== false,
    previous_response_id: previous,
    reasoning: { effort: request.reasoning?.effort ?? null, summary: isObject(body.reasoning) ? (body.reasoning.summary ?? null) : null },
    store: body.store !== false,
    temperature: temperature ?? 1,
    text: {
      format: isObject(body.text) && isObject(body.text.format) ? body.text.format : { type: 'text' },
      ...(typeof verbosity === 'string' ? { verbosity } : {}),
    },
    tool_choice: body.tool_choice ?? 'auto',
    tools: Array.isArray(body.tools) ? body.tools : [],
    top_p: topP ?? 1,
    metadata: isObject(body.metadata) ? body.metadata : {},
  };
  return {
    model,
    request,
    stream: body.stream === true,
    ...notes,
    previousResponseId: previous,
    store: body.store !== false,
    namespaced,
    conversation,
    instructions: instructions ?? null,
    echo,
  };
}
