// Request validation as strict as the real APIs, so a wrong translation fails a test instead of
// passing against a lenient fake. Each check mirrors an error the real API gives (message shapes
// follow the real ones). A request that fails gets a 400 in the protocol's error shape and does
// not consume an enqueued scenario (like an auth failure).
import type { FakeProtocol } from './types.ts';

type J = Record<string, unknown>;
const isObj = (v: unknown): v is J => !!v && typeof v === 'object' && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Top-level fields OpenAI's Chat Completions accepts; anything else is "Unrecognized request argument". */
const OPENAI_FIELDS = new Set([
  'model',
  'messages',
  'stream',
  'stream_options',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'stop',
  'n',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'response_format',
  'reasoning_effort',
  'seed',
  'frequency_penalty',
  'presence_penalty',
  'user',
  'logprobs',
  'top_logprobs',
  'logit_bias',
  'metadata',
  'store',
  'modalities',
  'audio',
  'prediction',
  'service_tier',
  'verbosity',
  'web_search_options',
  'safety_identifier',
  'prompt_cache_key',
  'functions',
  'function_call',
]);
const OPENAI_ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

/** Anthropic refuses other top-level fields ("Extra inputs are not permitted"). */
const ANTHROPIC_FIELDS = new Set([
  'model',
  'messages',
  'max_tokens',
  'system',
  'stream',
  'temperature',
  'top_p',
  'top_k',
  'stop_sequences',
  'tools',
  'tool_choice',
  'thinking',
  'output_config',
  'metadata',
  'service_tier',
  'container',
  'mcp_servers',
  'context_management',
]);
/** Gemini refuses other fields ("Unknown name … Cannot find field"). */
const GEMINI_FIELDS = new Set(['contents', 'systemInstruction', 'tools', 'toolConfig', 'generationConfig', 'safetySettings', 'cachedContent', 'labels']);
const GEMINI_GENERATION_FIELDS = new Set([
  'stopSequences',
  'responseMimeType',
  'responseSchema',
  'responseJsonSchema',
  'responseModalities',
  'candidateCount',
  'maxOutputTokens',
  'temperature',
  'topP',
  'topK',
  'seed',
  'presencePenalty',
  'frequencyPenalty',
  'responseLogprobs',
  'logprobs',
  'enableEnhancedCivicAnswers',
  'speechConfig',
  'thinkingConfig',
  'imageConfig',
  'mediaResolution',
]);

/** Keys Gemini's OpenAPI-subset Schema has; anything else is "Unknown name … Cannot find field". */
const GEMINI_SCHEMA_KEYS = new Set([
  'type',
  'format',
  'title',
  'description',
  'nullable',
  'enum',
  'maxItems',
  'minItems',
  'properties',
  'required',
  'minProperties',
  'maxProperties',
  'minLength',
  'maxLength',
  'pattern',
  'example',
  'anyOf',
  'propertyOrdering',
  'default',
  'items',
  'minimum',
  'maximum',
]);

/**
 * Keywords Gemini documents as supported in `parametersJsonSchema` / `responseJsonSchema`. The real
 * API accepts others and ignores them, a silent loosening; the fake refuses them so a translation
 * that relies on one fails a test.
 */
const GEMINI_JSON_SCHEMA_KEYS = new Set([
  '$id',
  '$defs',
  '$ref',
  '$anchor',
  'type',
  'format',
  'title',
  'description',
  'enum',
  'items',
  'prefixItems',
  'minItems',
  'maxItems',
  'minimum',
  'maximum',
  'anyOf',
  'oneOf',
  'properties',
  'additionalProperties',
  'required',
  'propertyOrdering',
]);

export function validateRequest(protocol: FakeProtocol, model: string | undefined, body: unknown): string | null {
  if (!isObj(body)) return null;
  switch (protocol) {
    case 'openai':
    case 'openrouter':
      return validateOpenAI(body, protocol === 'openai');
    case 'anthropic':
      return validateAnthropic(body);
    case 'gemini':
      return validateGemini(body, model ?? '');
  }
}

function validateOpenAI(b: J, strictFields: boolean): string | null {
  if (strictFields) for (const k of Object.keys(b)) if (!OPENAI_FIELDS.has(k)) return `Unrecognized request argument supplied: ${k}`;
  const msgs = arr(b.messages);
  if (strictFields && b.stream_options != null && b.stream !== true) return "The 'stream_options' parameter is only allowed when 'stream' is set to true.";
  if (b.parallel_tool_calls !== undefined && !Array.isArray(b.tools))
    return "Invalid value for 'parallel_tool_calls': 'parallel_tool_calls' is only allowed when 'tools' are specified.";
  if (b.tool_choice !== undefined && !Array.isArray(b.tools))
    return "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.";
  if (isObj(b.tool_choice) && b.tool_choice.type === 'allowed_tools') {
    const a = b.tool_choice.allowed_tools;
    if (!isObj(a) || (a.mode !== 'auto' && a.mode !== 'required')) return "Invalid value for 'tool_choice.allowed_tools.mode'.";
    if (!Array.isArray(a.tools) || a.tools.length === 0) return "Invalid 'tool_choice.allowed_tools.tools': empty array.";
    const names = new Set(arr(b.tools).map((t) => (isObj(t) && isObj(t.function) ? t.function.name : undefined)));
    for (const t of a.tools)
      if (!isObj(t) || t.type !== 'function' || !isObj(t.function) || !names.has(t.function.name))
        return `Invalid value for 'tool_choice.allowed_tools.tools': each must name a function in 'tools'.`;
  }
  let open: Set<string> | null = null;
  for (let i = 0; i < msgs.length; i++) {
    const m = msgs[i];
    if (!isObj(m) || typeof m.role !== 'string' || !OPENAI_ROLES.has(m.role)) return `Invalid value: messages[${i}].role`;
    for (const [j, c] of arr(m.content).entries())
      if (isObj(c) && isObj(c.image_url) && c.image_url.detail !== undefined && !['auto', 'low', 'high', 'original'].includes(String(c.image_url.detail)))
        return `Invalid value: '${String(c.image_url.detail)}'. Supported values are: 'auto', 'low', 'high', and 'original'. (messages[${i}].content[${j}].image_url.detail)`;
    if (m.role === 'tool') {
      if (typeof m.tool_call_id !== 'string') return `Missing required parameter: 'messages[${i}].tool_call_id'.`;
      if (!open || !open.has(m.tool_call_id))
        return `Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.`;
      open.delete(m.tool_call_id);
      continue;
    }
    if (open && open.size > 0)
      return `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...open].join(', ')}`;
    open = null;
    if (m.role === 'assistant' && Array.isArray(m.tool_calls)) {
      open = new Set();
      for (const tc of m.tool_calls) {
        if (
          !isObj(tc) ||
          typeof tc.id !== 'string' ||
          tc.type !== 'function' ||
          !isObj(tc.function) ||
          typeof tc.function.name !== 'string' ||
          typeof tc.function.arguments !== 'string'
        )
          return `Invalid value: messages[${i}].tool_calls`;
        open.add(tc.id);
      }
    }
    if (m.role === 'assistant' && m.content === null && !Array.isArray(m.tool_calls)) return `Invalid value for 'content': expected a string, got null.`;
  }
  if (open && open.size > 0)
    return `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...open].join(', ')}`;
  return null;
}

function validateAnthropic(b: J): string | null {
  for (const k of Object.keys(b)) if (!ANTHROPIC_FIELDS.has(k)) return `${k}: Extra inputs are not permitted`;
  if (typeof b.max_tokens !== 'number') return 'max_tokens: Field required';
  if (typeof b.temperature === 'number' && (b.temperature < 0 || b.temperature > 1)) return 'temperature: range: 0..1';
  if (
    b.temperature !== undefined &&
    b.top_p !== undefined &&
    typeof b.model === 'string' &&
    /claude-(?:opus-4-[1-9]|sonnet-4-[5-9]|haiku-4-[5-9])/.test(b.model)
  )
    return '`temperature` and `top_p` cannot both be specified for this model. Please use only one.';
  const form = claudeThinkingForms(typeof b.model === 'string' ? b.model : '');
  const thinkingType = isObj(b.thinking) ? b.thinking.type : undefined;
  // Seen from the real API: pre-4.6 models refuse the adaptive form, Opus 4.7 and the Claude 5 family the budget form.
  if (thinkingType === 'adaptive' && form === 'budget') return 'adaptive thinking is not supported on this model';
  if (thinkingType === 'enabled' && form === 'adaptive')
    return '"thinking.type.enabled" is not supported for this model. Use "thinking.type.adaptive" and "output_config.effort" to control thinking behavior.';
  const oc = b.output_config;
  if (oc !== undefined) {
    if (!isObj(oc)) return 'output_config: Input should be a valid dictionary';
    for (const k of Object.keys(oc)) if (k !== 'effort' && k !== 'format' && k !== 'task_budget') return `output_config.${k}: Extra inputs are not permitted`;
    if (oc.effort !== undefined && !['low', 'medium', 'high', 'xhigh', 'max'].includes(String(oc.effort)))
      return "output_config.effort: Input should be 'low', 'medium', 'high', 'xhigh' or 'max'";
    // The effort parameter exists from Opus 4.5 on (documented); the fake's wording.
    if (oc.effort !== undefined && form === 'budget' && !/claude-opus-4-5/.test(String(b.model)))
      return '(fake) this model does not support the effort parameter';
  }
  const thinking = thinkingType === 'enabled' || thinkingType === 'adaptive';
  if (thinkingType === 'enabled') {
    const budget = (b.thinking as J).budget_tokens;
    if (typeof budget !== 'number' || budget < 1024) return 'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024';
    if (budget >= b.max_tokens)
      return '`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size';
    if (b.temperature !== undefined && b.temperature !== 1)
      return '`temperature` may only be set to 1 when thinking is enabled. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#feature-compatibility';
    const tc = b.tool_choice;
    if (isObj(tc) && (tc.type === 'any' || tc.type === 'tool')) return 'Thinking may not be enabled when tool_choice forces tool use.';
  }
  const tools = arr(b.tools);
  for (let i = 0; i < tools.length; i++) {
    const t = tools[i];
    if (isObj(t) && t.type !== undefined && t.type !== 'custom') {
      const e = checkAnthropicServerTool(t, i);
      if (e) return e;
      continue;
    }
    if (!isObj(t) || typeof t.name !== 'string' || !isObj(t.input_schema)) return `tools.${i}.custom.input_schema: Field required`;
    if (t.input_schema.type !== 'object') return `tools.${i}.custom.input_schema.type: Input should be 'object'`;
  }
  const msgs = arr(b.messages);
  let prevToolUses = new Set<string>();
  /** Every tool_use id of the request: the API refuses one used twice, in any turns. */
  const allToolUses = new Set<string>();
  for (let i = 0; i < msgs.length; i++) {
    const m = msgs[i];
    if (!isObj(m) || (m.role !== 'user' && m.role !== 'assistant')) return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    if (i === 0 && m.role !== 'user') return 'messages: first message must use the "user" role';
    if (i > 0 && isObj(msgs[i - 1]) && (msgs[i - 1] as J).role === m.role)
      return 'messages: roles must alternate between "user" and "assistant", but found multiple "' + m.role + '" roles in a row';
    const blocks = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : arr(m.content);
    if (blocks.length === 0) return `messages.${i}: all messages must have non-empty content except for the optional final assistant message`;
    // Text only, and all of it whitespace: refused (a whitespace block beside real text is accepted).
    const texts = blocks.map((x) => (isObj(x) && x.type === 'text' ? String(x.text) : null));
    if (texts.every((t) => t !== null && t.length > 0 && t.trim() === '')) return 'messages: text content blocks must contain non-whitespace text';
    if (m.role === 'user') {
      let seenOther = false;
      const answered = new Set<string>();
      for (let j = 0; j < blocks.length; j++) {
        const blk = blocks[j] as J;
        if (blk.type === 'tool_result') {
          if (seenOther) return `messages.${i}.content.${j}: tool_result blocks must come first in the user message, before any other content`;
          if (typeof blk.tool_use_id !== 'string' || !prevToolUses.has(blk.tool_use_id))
            return `messages.${i}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(blk.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
          answered.add(blk.tool_use_id);
        } else seenOther = true;
      }
      const missing = [...prevToolUses].filter((id) => !answered.has(id));
      if (missing.length > 0)
        return `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
      prevToolUses = new Set();
    } else {
      prevToolUses = new Set();
      for (let j = 0; j < blocks.length; j++) {
        const blk = blocks[j] as J;
        if (blk.type === 'tool_use') {
          if (typeof blk.id !== 'string' || typeof blk.name !== 'string' || !isObj(blk.input))
            return `messages.${i}.content.${j}.tool_use: id, name and an object input are required`;
          if (allToolUses.has(blk.id)) return `messages.${i}.content.${j}: \`tool_use\` ids must be unique`;
          allToolUses.add(blk.id);
          prevToolUses.add(blk.id);
        } else if (blk.type === 'thinking') {
          if (typeof blk.signature !== 'string' || blk.signature.length === 0) return `messages.${i}.content.${j}.thinking.signature: Field required`;
        } else if (blk.type === 'redacted_thinking') {
          if (typeof blk.data !== 'string') return `messages.${i}.content.${j}.redacted_thinking.data: Field required`;
        } else if (blk.type === 'tool_result') return `messages.${i}.content.${j}: tool_result blocks are only allowed in user messages`;
      }
      // With thinking on, the assistant turn of the current tool loop must keep its thinking block first.
      const isLastAssistant = !msgs.slice(i + 1).some((x) => isObj(x) && x.role === 'assistant');
      if (thinking && isLastAssistant && prevToolUses.size > 0) {
        const first = blocks[0] as J;
        if (first.type !== 'thinking' && first.type !== 'redacted_thinking')
          return `messages.${i}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${String(first.type)}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block (preceeding the lastmost set of \`tool_use\` and \`tool_result\` blocks).`;
      }
    }
  }
  if (prevToolUses.size > 0 && msgs.length > 0) {
    // A final assistant turn with tool_use and no results is a prefill the API refuses too.
    return `messages: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${[...prevToolUses].join(', ')}`;
  }
  return null;
}

/**
 * Anthropic's server tools the fakes know, as documented: each its fixed name and its optional
 * fields (anything else: "Extra inputs are not permitted").
 */
const ANTHROPIC_SERVER_TOOLS: Record<string, { name: string; fields: string[] }> = {
  web_search_20250305: { name: 'web_search', fields: ['max_uses', 'allowed_domains', 'blocked_domains', 'user_location'] },
  web_fetch_20250910: { name: 'web_fetch', fields: ['max_uses', 'allowed_domains', 'blocked_domains', 'citations', 'max_content_tokens'] },
  code_execution_20250522: { name: 'code_execution', fields: [] },
  code_execution_20250825: { name: 'code_execution', fields: [] },
};

/**
 * Which thinking form a Claude model takes, from its id: "budget" (`enabled` with budget_tokens:
 * before 4.6), "adaptive" (only `adaptive`: Opus 4.7, Claude 5 and later), "both" (4.6), or null
 * for a name that is not a Claude model id.
 */
function claudeThinkingForms(model: string): 'budget' | 'adaptive' | 'both' | null {
  const m = /claude-(?:(\d+)(?:-(\d))?-(?:opus|sonnet|haiku)|(opus|sonnet|haiku)-(\d+)(?:-(\d{1,2})(?!\d))?)/.exec(model);
  if (!m) return null;
  const major = Number(m[1] ?? m[4]);
  const minor = Number(m[2] ?? m[5] ?? 0);
  const family = m[3] ?? '';
  if (major > 4) return 'adaptive';
  if (major < 4 || minor < 6) return 'budget';
  return family === 'opus' && minor >= 7 ? 'adaptive' : 'both';
}

function checkAnthropicServerTool(t: J, i: number): string | null {
  const type = String(t.type);
  const spec = ANTHROPIC_SERVER_TOOLS[type];
  if (!spec)
    return `tools.${i}: Input tag '${type}' found using 'type' does not match any of the expected tags: 'custom', ${Object.keys(ANTHROPIC_SERVER_TOOLS)
      .map((k) => `'${k}'`)
      .join(', ')}`;
  const at = `tools.${i}.${type}`;
  for (const k of Object.keys(t))
    if (k !== 'type' && k !== 'name' && k !== 'cache_control' && !spec.fields.includes(k)) return `${at}.${k}: Extra inputs are not permitted`;
  if (t.name !== spec.name) return `${at}.name: Input should be '${spec.name}'`;
  if (t.max_uses !== undefined && (typeof t.max_uses !== 'number' || !Number.isInteger(t.max_uses) || t.max_uses < 1))
    return `${at}.max_uses: Input should be greater than 0`;
  for (const k of ['allowed_domains', 'blocked_domains'])
    if (t[k] !== undefined && (!Array.isArray(t[k]) || !(t[k] as unknown[]).every((d) => typeof d === 'string')))
      return `${at}.${k}: Input should be a valid list`;
  if (t.allowed_domains !== undefined && t.blocked_domains !== undefined) return `${at}: Cannot specify both allowed_domains and blocked_domains`;
  const loc = t.user_location;
  if (loc !== undefined) {
    if (!isObj(loc) || loc.type !== 'approximate') return `${at}.user_location.type: Input should be 'approximate'`;
    for (const k of Object.keys(loc))
      if (!['type', 'city', 'region', 'country', 'timezone'].includes(k)) return `${at}.user_location.${k}: Extra inputs are not permitted`;
  }
  return null;
}

function checkGeminiSchema(s: unknown, path: string): string | null {
  if (!isObj(s)) return null;
  for (const [k, v] of Object.entries(s)) {
    if (!GEMINI_SCHEMA_KEYS.has(k)) return `Invalid JSON payload received. Unknown name "${k}" at '${path}': Cannot find field.`;
    if (k === 'properties' && isObj(v))
      for (const [name, sub] of Object.entries(v)) {
        const e = checkGeminiSchema(sub, `${path}.properties[${name}].value`);
        if (e) return e;
      }
    if (k === 'items') {
      const e = checkGeminiSchema(v, `${path}.items`);
      if (e) return e;
    }
    if (k === 'anyOf')
      for (const [i, sub] of arr(v).entries()) {
        const e = checkGeminiSchema(sub, `${path}.any_of[${i}]`);
        if (e) return e;
      }
    if (k === 'type' && typeof v !== 'string') return `Invalid JSON payload received. Invalid value at '${path}.type'`;
  }
  return null;
}

function checkGeminiJsonSchema(s: unknown, path: string): string | null {
  if (typeof s === 'boolean') return null;
  if (!isObj(s)) return `Invalid JSON payload received. Invalid value at '${path}': a schema must be an object or a boolean`;
  for (const [k, v] of Object.entries(s)) {
    if (!GEMINI_JSON_SCHEMA_KEYS.has(k)) return `(fake) '${path}': the JSON Schema keyword "${k}" is not supported by Gemini and would be ignored`;
    if (k === '$ref' && Object.keys(s).some((o) => !o.startsWith('$')))
      return `Invalid JSON payload received. '${path}': if $ref is set, no other properties (except $-prefixed ones) may be set`;
    const subs: [unknown, string][] =
      k === 'properties' || k === '$defs'
        ? isObj(v)
          ? Object.entries(v).map(([n, x]) => [x, `${path}.${k}.${n}`])
          : []
        : k === 'items' || k === 'additionalProperties'
          ? [[v, `${path}.${k}`]]
          : k === 'anyOf' || k === 'oneOf' || k === 'prefixItems'
            ? arr(v).map((x, i) => [x, `${path}.${k}[${i}]`])
            : [];
    for (const [x, at] of subs) {
      const e = checkGeminiJsonSchema(x, at);
      if (e) return e;
    }
    if (k === 'enum' && arr(v).some((x) => typeof x !== 'string' && typeof x !== 'number'))
      return `Invalid JSON payload received. '${path}.enum': enum values must be strings or numbers`;
  }
  return null;
}

function validateGemini(b: J, model: string): string | null {
  const gemini3 = /gemini-3/.test(model);
  for (const k of Object.keys(b)) if (!GEMINI_FIELDS.has(k)) return `Invalid JSON payload received. Unknown name "${k}": Cannot find field.`;
  if (isObj(b.generationConfig))
    for (const k of Object.keys(b.generationConfig))
      if (!GEMINI_GENERATION_FIELDS.has(k)) return `Invalid JSON payload received. Unknown name "${k}" at 'generation_config': Cannot find field.`;
  if (isObj(b.generationConfig)) {
    const g = b.generationConfig;
    if (
      g.mediaResolution !== undefined &&
      !['MEDIA_RESOLUTION_UNSPECIFIED', 'MEDIA_RESOLUTION_LOW', 'MEDIA_RESOLUTION_MEDIUM', 'MEDIA_RESOLUTION_HIGH'].includes(String(g.mediaResolution))
    )
      return `Invalid value at 'generation_config.media_resolution' (type.googleapis.com/google.ai.generativelanguage.v1beta.GenerationConfig.MediaResolution), ${JSON.stringify(g.mediaResolution)}`;
    // Thinking: a level or a budget, never both; a level the model has; a budget in the model's range
    // (Google's thinking docs; the messages are close to the API's, not verbatim).
    if (isObj(g.thinkingConfig)) {
      const t = g.thinkingConfig;
      if (t.thinkingLevel !== undefined && t.thinkingBudget !== undefined) return 'You can only set one of thinking budget and thinking level.';
      if (t.thinkingLevel !== undefined) {
        const levels = /gemini-3(\.\d+)?-flash/.test(model) ? ['minimal', 'low', 'medium', 'high'] : ['low', 'high'];
        if (!levels.includes(String(t.thinkingLevel).toLowerCase()))
          return `Thinking level ${JSON.stringify(t.thinkingLevel)} is not supported for this model.`;
      }
      if (typeof t.thinkingBudget === 'number' && t.thinkingBudget !== -1) {
        const n = t.thinkingBudget;
        const range = /gemini-2\.5-pro/.test(model)
          ? [128, 32_768, false]
          : /gemini-2\.5-flash/.test(model)
            ? [/lite/.test(model) ? 512 : 1, 24_576, true]
            : null;
        if (range && !(n === 0 && range[2]) && (n < (range[0] as number) || n > (range[1] as number)))
          return n === 0
            ? 'Budget 0 is invalid. This model only works in thinking mode.'
            : `The thinking budget ${n} is invalid. Please choose a value between ${range[0]} and ${range[1]}.`;
      }
    }
    if (g.responseSchema !== undefined && g.responseJsonSchema !== undefined)
      return `Invalid JSON payload received. 'generation_config': response_schema and response_json_schema are mutually exclusive`;
    if ((g.responseSchema !== undefined || g.responseJsonSchema !== undefined) && g.responseMimeType === undefined)
      return `Invalid JSON payload received. 'generation_config': response_mime_type is required with a response schema`;
    if (g.responseJsonSchema !== undefined) {
      const e = checkGeminiJsonSchema(g.responseJsonSchema, 'generation_config.response_json_schema');
      if (e) return e;
    }
  }
  for (const [ti, t] of arr(b.tools).entries()) {
    for (const [fi, f] of arr((t as J).functionDeclarations).entries()) {
      const at = `tools[${ti}].function_declarations[${fi}]`;
      if ((f as J).parameters !== undefined && (f as J).parametersJsonSchema !== undefined)
        return `Invalid JSON payload received. '${at}': parameters and parameters_json_schema are mutually exclusive`;
      const e = checkGeminiSchema((f as J).parameters, `${at}.parameters`);
      if (e) return e;
      const pj = (f as J).parametersJsonSchema;
      if (pj !== undefined) {
        if (!isObj(pj) || pj.type !== 'object') return `Invalid JSON payload received. '${at}.parameters_json_schema': the schema must describe an object`;
        const ej = checkGeminiJsonSchema(pj, `${at}.parameters_json_schema`);
        if (ej) return ej;
      }
    }
  }
  const contents = arr(b.contents);
  // The current turn starts after the last user content that is not only function responses.
  let currentStart = 0;
  contents.forEach((c, i) => {
    const parts = arr((c as J).parts);
    if ((c as J).role === 'user' && parts.some((p) => isObj(p) && !isObj(p.functionResponse))) currentStart = i;
  });
  for (let i = 0; i < contents.length; i++) {
    const c = contents[i] as J;
    if (c.role !== 'user' && c.role !== 'model') return `Please use a valid role: user, model.`;
    const parts = arr(c.parts);
    if (parts.length === 0) return `contents.parts must not be empty.`;
    for (const p of parts) {
      if (!isObj(p)) return 'Invalid part';
      if (isObj(p.inlineData) && typeof p.inlineData.mimeType !== 'string') return `Invalid JSON payload: inline_data.mime_type is required.`;
    }
    const calls = parts.filter((p) => isObj((p as J).functionCall)) as J[];
    if (c.role === 'model' && calls.length > 0 && gemini3 && i >= currentStart && typeof calls[0]!.thoughtSignature !== 'string')
      return `Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call \`default_api:${String((calls[0]!.functionCall as J).name)}\` , position ${i + 1}. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.`;
    const responses = parts.filter((p) => isObj((p as J).functionResponse)).map((p) => (p as J).functionResponse as J);
    if (responses.length > 0) {
      const prev = contents[i - 1] as J | undefined;
      const prevCalls = prev && prev.role === 'model' ? (arr(prev.parts).filter((p) => isObj((p as J).functionCall)) as J[]) : [];
      if (prevCalls.length !== responses.length)
        return 'Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.';
      const names = prevCalls.map((p) => (p.functionCall as J).name).sort();
      const got = responses.map((r) => r.name).sort();
      if (names.some((n, k) => n !== got[k]))
        return 'Please ensure that function response turn comes immediately after a function call turn. And the number of function response parts and their names match the function call parts.';
      if (responses.some((r) => !isObj(r.response))) return 'Invalid JSON payload: function_response.response must be an object.';
    }
  }
  return null;
}
