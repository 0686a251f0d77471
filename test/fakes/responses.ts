// A strict fake of OpenAI's Responses API (POST /v1/responses, streamed), as strict as the real
// one where a wrong translation would otherwise pass: unknown parameters are a 400 ("Unknown
// parameter"), input items are checked (a function_call_output needs its function_call earlier,
// a reasoning item needs encrypted_content when store is false), tools need type "function" and a
// name, or are hosted tools with their documented fields only (web_search, file_search, code_interpreter, image_generation). Without `stream: true` the answer is the response object as JSON (the gateway's fast path
// forwards non-streamed bodies as they are); the adapter itself always streams. Streamed, the events
// are the real API's sequence: response.created, response.in_progress, per item output_item.added,
// its parts added (content_part / reasoning_summary_part), deltas, the text and parts done, the item
// done, then response.completed (the openai SDK's stream helpers need the parts added first).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ResponsesScenario {
  text?: string;
  reasoning?: string;
  /** Encrypted reasoning content sent on the reasoning item (with include reasoning.encrypted_content). */
  encrypted?: string;
  /** `namespace`: a call of a tool in a namespace group (the item carries it, the name is the tool's own). */
  toolCall?: { callId: string; name: string; arguments: string; namespace?: string };
  /** Several function calls in one response (parallel tool calls), after `toolCall` when both are set. */
  toolCalls?: { callId: string; name: string; arguments: string; namespace?: string }[];
  /** The hosted web search ran first (the request must declare a web_search tool): a web_search_call item before the message. */
  webSearch?: { query: string };
  incomplete?: 'max_output_tokens' | 'content_filter';
  usage?: { input: number; output: number; cached?: number; reasoning?: number };
  status?: number;
  /** With `status`: the error body (the API's own shape, `{error: {message, type, param, code}}`), instead of a generic one. */
  body?: unknown;
  /** Fault: after this many stream events, the connection is reset (no response.completed). */
  dropAfterEvents?: number;
  /** Fault: after this many stream events, a `response.failed` event (a server error) ends the stream. */
  failAfterEvents?: number;
  /** With failAfterEvents: the failed response carries the usage the provider counted (and bills) before it failed. */
  failedUsage?: { input: number; output: number };
}

export interface ResponsesFake {
  baseUrl: string;
  /** Every request received (clear it with `requests.length = 0` when a long run should not keep them). */
  requests: { path: string; body: Record<string, unknown> }[];
  enqueue(...s: ResponsesScenario[]): void;
  /** The scenario of a request when none is enqueued (initially `{ text: 'ok' }`); a function answers from the request's body. */
  setDefault(s: ResponsesScenario | ((body: Record<string, unknown>) => ResponsesScenario)): void;
  close(): Promise<void>;
}

const KNOWN = new Set([
  'model',
  'input',
  'instructions',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'text',
  'reasoning',
  'max_output_tokens',
  'temperature',
  'top_p',
  'store',
  'stream',
  'include',
  'previous_response_id',
  'metadata',
  'user',
  'safety_identifier',
  'prompt_cache_key',
  'truncation',
  'service_tier',
  'stream_options',
  'top_logprobs',
  'background',
  'conversation',
  'prompt',
  'max_tool_calls',
  // Codex's own (installation, window and turn ids): it sends it to api.openai.com with an API key too.
  'client_metadata',
]);

/** Hosted tools and their documented fields besides `type`; `required` must be there. */
const HOSTED_TOOLS: Record<string, { fields: string[]; required?: string }> = {
  // external_web_access: live internet or cached results only (Codex sends it).
  web_search: { fields: ['search_context_size', 'user_location', 'filters', 'external_web_access'] },
  web_search_2025_08_26: { fields: ['search_context_size', 'user_location', 'filters'] },
  web_search_preview: { fields: ['search_context_size', 'user_location'] },
  file_search: { fields: ['vector_store_ids', 'max_num_results', 'filters', 'ranking_options'], required: 'vector_store_ids' },
  code_interpreter: { fields: ['container'], required: 'container' },
  image_generation: {
    fields: [
      'background',
      'input_fidelity',
      'input_image_mask',
      'model',
      'moderation',
      'output_compression',
      'output_format',
      'partial_images',
      'quality',
      'size',
    ],
  },
};
const WEB_SEARCH = /^web_search/;

function checkHostedTool(t: Record<string, unknown>, i: number): { status: number; body: unknown } | null {
  const type = String(t.type);
  const spec = HOSTED_TOOLS[type];
  if (!spec) return bad(`Invalid value: '${type}'.`, `tools[${i}].type`, 'invalid_value');
  for (const k of Object.keys(t))
    if (k !== 'type' && !spec.fields.includes(k)) return bad(`Unknown parameter: 'tools[${i}].${k}'.`, `tools[${i}].${k}`, 'unknown_parameter');
  if (spec.required && t[spec.required] === undefined)
    return bad(`Missing required parameter: 'tools[${i}].${spec.required}'.`, `tools[${i}].${spec.required}`, 'missing_required_parameter');
  if (t.search_context_size !== undefined && !['low', 'medium', 'high'].includes(String(t.search_context_size)))
    return bad(
      `Invalid value: '${String(t.search_context_size)}'. Supported values are: 'low', 'medium', and 'high'.`,
      `tools[${i}].search_context_size`,
      'invalid_value',
    );
  const loc = t.user_location as Record<string, unknown> | undefined;
  if (loc !== undefined && (typeof loc !== 'object' || loc === null || loc.type !== 'approximate'))
    return bad("Invalid value for 'user_location.type': expected 'approximate'.", `tools[${i}].user_location.type`, 'invalid_value');
  const filters = t.filters as Record<string, unknown> | undefined;
  if (WEB_SEARCH.test(type) && filters !== undefined && filters !== null && !Array.isArray(filters.allowed_domains))
    return bad(`Invalid type for 'tools[${i}].filters.allowed_domains': expected an array of strings.`, `tools[${i}].filters.allowed_domains`, 'invalid_type');
  if (type === 'file_search' && (!Array.isArray(t.vector_store_ids) || !t.vector_store_ids.every((v) => typeof v === 'string')))
    return bad(`Invalid type for 'tools[${i}].vector_store_ids': expected an array of strings.`, `tools[${i}].vector_store_ids`, 'invalid_type');
  return null;
}

function bad(message: string, param: string | null, code: string | null = null): { status: number; body: unknown } {
  return { status: 400, body: { error: { message, type: 'invalid_request_error', param, code } } };
}

/** A content item of a message or a function output: its type among `allowed`, an image's detail, what each type requires. */
function checkInputContent(c: Record<string, unknown>, at: string, allowed: string[]): { status: number; body: unknown } | null {
  if (!allowed.includes(String(c.type)))
    return bad(`Invalid value: '${String(c.type)}'. Supported values are: ${allowed.map((a) => `'${a}'`).join(', ')}.`, `${at}.type`);
  if ((c.type === 'input_text' || c.type === 'output_text') && typeof c.text !== 'string')
    return bad(`Missing required parameter: '${at}.text'.`, `${at}.text`, 'missing_required_parameter');
  if (c.type === 'input_image') {
    if (typeof c.image_url !== 'string' && typeof c.file_id !== 'string')
      return bad(`Missing required parameter: '${at}.image_url'.`, `${at}.image_url`, 'missing_required_parameter');
    if (c.detail !== undefined && c.detail !== null && !IMAGE_DETAILS.includes(String(c.detail)))
      return bad(
        `Invalid value: '${String(c.detail)}'. Supported values are: ${IMAGE_DETAILS.map((d) => `'${d}'`).join(', ')}.`,
        `${at}.detail`,
        'invalid_value',
      );
  }
  if (c.type === 'input_file' && typeof c.file_data !== 'string' && typeof c.file_id !== 'string' && typeof c.file_url !== 'string')
    return bad(`Missing required parameter: '${at}.file_data'.`, `${at}.file_data`, 'missing_required_parameter');
  return null;
}
/** Image detail values OpenAI's API takes ("original": the image as sent, not downscaled). */
const IMAGE_DETAILS = ['low', 'high', 'auto', 'original'];

/** Null when the body is acceptable, else the 400 the real API would send. */
export function checkResponsesBody(b: Record<string, unknown>): { status: number; body: unknown } | null {
  for (const k of Object.keys(b)) if (!KNOWN.has(k)) return bad(`Unknown parameter: '${k}'.`, k, 'unknown_parameter');
  if (typeof b.model !== 'string') return bad("Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
  const cm = b.client_metadata;
  if (cm !== undefined && (typeof cm !== 'object' || cm === null || Array.isArray(cm) || !Object.values(cm).every((v) => typeof v === 'string')))
    return bad("Invalid type for 'client_metadata': expected an object of strings.", 'client_metadata', 'invalid_type');
  if (b.stream !== undefined && typeof b.stream !== 'boolean') return bad("Invalid type for 'stream'.", 'stream');
  const mtc = b.max_tool_calls;
  if (mtc !== undefined && mtc !== null) {
    if (typeof mtc !== 'number' || !Number.isSafeInteger(mtc))
      return bad("Invalid type for 'max_tool_calls': expected an integer.", 'max_tool_calls', 'invalid_type');
    if (mtc < 0)
      return bad(
        `Invalid 'max_tool_calls': integer below minimum value. Expected a value >= 0, but got ${mtc} instead.`,
        'max_tool_calls',
        'integer_below_min_value',
      );
  }
  if (typeof b.input !== 'string' && !Array.isArray(b.input)) return bad("Invalid type for 'input'.", 'input');
  const calls = new Set<string>();
  const answered = new Set<string>();
  if (Array.isArray(b.input)) {
    for (const [i, raw] of (b.input as Record<string, unknown>[]).entries()) {
      const t = raw.type ?? 'message';
      if (t === 'message') {
        if (!['user', 'assistant', 'system', 'developer'].includes(String(raw.role))) return bad(`Invalid value: '${String(raw.role)}'.`, `input[${i}].role`);
        if (!Array.isArray(raw.content) && typeof raw.content !== 'string') return bad(`Invalid type for 'input[${i}].content'.`, `input[${i}].content`);
        for (const [j, c] of (Array.isArray(raw.content) ? (raw.content as Record<string, unknown>[]) : []).entries()) {
          const allowed = raw.role === 'assistant' ? ['output_text', 'refusal'] : ['input_text', 'input_image', 'input_file'];
          const problem = checkInputContent(c, `input[${i}].content[${j}]`, allowed);
          if (problem) return problem;
        }
      } else if (t === 'function_call') {
        if (typeof raw.call_id !== 'string' || typeof raw.name !== 'string' || typeof raw.arguments !== 'string')
          return bad(`Missing required parameter: 'input[${i}].call_id' / 'name' / 'arguments'.`, `input[${i}]`);
        if (raw.namespace !== undefined && typeof raw.namespace !== 'string') return bad(`Invalid type for 'input[${i}].namespace'.`, `input[${i}].namespace`);
        calls.add(raw.call_id);
      } else if (t === 'function_call_output') {
        if (typeof raw.call_id !== 'string' || !calls.has(raw.call_id))
          return bad(`No tool call found for function call output with call_id ${String(raw.call_id)}.`, `input[${i}].call_id`);
        if (typeof raw.output !== 'string' && !Array.isArray(raw.output)) return bad(`Invalid type for 'input[${i}].output'.`, `input[${i}].output`);
        for (const [j, c] of (Array.isArray(raw.output) ? (raw.output as Record<string, unknown>[]) : []).entries()) {
          const problem = checkInputContent(c, `input[${i}].output[${j}]`, ['input_text', 'input_image', 'input_file']);
          if (problem) return problem;
        }
        answered.add(raw.call_id);
      } else if (t === 'reasoning') {
        if (!Array.isArray(raw.summary)) return bad(`Missing required parameter: 'input[${i}].summary'.`, `input[${i}].summary`);
        if (b.store === false && typeof raw.encrypted_content !== 'string')
          return bad(`Item with id '${String(raw.id)}' not found. Items are not persisted when \`store\` is set to false.`, `input[${i}]`);
      } else if (t === 'compaction') {
        // What v1/responses/compact made: its encrypted summary stands for the earlier turns.
        if (typeof raw.encrypted_content !== 'string')
          return bad(`Missing required parameter: 'input[${i}].encrypted_content'.`, `input[${i}].encrypted_content`, 'missing_required_parameter');
      } else if (t === 'web_search_call') {
        if (typeof raw.id !== 'string' || typeof raw.status !== 'string' || typeof raw.action !== 'object' || raw.action === null)
          return bad(`Missing required parameter: 'input[${i}].id' / 'status' / 'action'.`, `input[${i}]`);
      } else return bad(`Invalid value: '${String(t)}'.`, `input[${i}].type`);
    }
    // As the real API: a function call in the input without its output is refused.
    for (const id of calls) if (!answered.has(id)) return bad(`No tool output found for function call ${id}.`, 'input');
  }
  if (b.tools !== undefined) {
    if (!Array.isArray(b.tools)) return bad("Invalid type for 'tools'.", 'tools');
    for (const [i, t] of (b.tools as Record<string, unknown>[]).entries()) {
      if (t.type === 'namespace') {
        // A group of function tools (what Codex sends for MCP servers and sub-agents); its calls carry `namespace`.
        for (const k of Object.keys(t))
          if (!['type', 'name', 'description', 'tools'].includes(k))
            return bad(`Unknown parameter: 'tools[${i}].${k}'.`, `tools[${i}].${k}`, 'unknown_parameter');
        if (typeof t.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(t.name)) return bad(`Invalid 'tools[${i}].name'.`, `tools[${i}].name`);
        if (!Array.isArray(t.tools)) return bad(`Missing required parameter: 'tools[${i}].tools'.`, `tools[${i}].tools`, 'missing_required_parameter');
        for (const [j, f] of (t.tools as Record<string, unknown>[]).entries()) {
          if (f.type !== 'function' && f.type !== 'custom') return bad(`Invalid value: '${String(f.type)}'.`, `tools[${i}].tools[${j}].type`, 'invalid_value');
          if (typeof f.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(f.name))
            return bad(`Invalid 'tools[${i}].tools[${j}].name'.`, `tools[${i}].tools[${j}].name`);
        }
        continue;
      }
      if (t.type !== 'function') {
        const problem = checkHostedTool(t, i);
        if (problem) return problem;
        continue;
      }
      if (typeof t.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(t.name)) return bad(`Invalid 'tools[${i}].name'.`, `tools[${i}].name`);
      if ('function' in t) return bad(`Unknown parameter: 'tools[${i}].function'.`, `tools[${i}].function`);
    }
  }
  const forced = (b.tool_choice as { type?: unknown } | undefined)?.type;
  const hostedTypes = Array.isArray(b.tools) ? (b.tools as { type?: unknown }[]).map((t) => t.type).filter((t) => t !== 'function') : [];
  if (forced === 'allowed_tools') {
    const c = b.tool_choice as { mode?: unknown; tools?: unknown };
    if (c.mode !== 'auto' && c.mode !== 'required')
      return bad(`Invalid value: '${String(c.mode)}'. Supported values are: 'auto' and 'required'.`, 'tool_choice.mode', 'invalid_value');
    if (!Array.isArray(c.tools) || c.tools.length === 0) return bad("Invalid 'tool_choice.tools': empty array.", 'tool_choice.tools', 'empty_array');
    const declared = Array.isArray(b.tools) ? (b.tools as { type?: unknown; name?: unknown }[]) : [];
    for (const [i, t] of (c.tools as { type?: unknown; name?: unknown }[]).entries())
      if (!declared.some((d) => d.type === t.type && (t.type !== 'function' || d.name === t.name)))
        return bad(`Tool '${String(t.name ?? t.type)}' in 'tool_choice.tools' is not in 'tools'.`, `tool_choice.tools[${i}]`, 'invalid_value');
  } else if (
    b.tool_choice !== undefined &&
    !['auto', 'none', 'required'].includes(String(b.tool_choice)) &&
    forced !== 'function' &&
    !hostedTypes.includes(forced)
  )
    return bad("Invalid value for 'tool_choice'.", 'tool_choice');
  // Both optional (the effort defaults to the model's: Codex sends only a summary for a model it does not know).
  const r = b.reasoning as { effort?: unknown; summary?: unknown } | undefined;
  if (r !== undefined && r.effort !== undefined && r.effort !== null && !['none', 'minimal', 'low', 'medium', 'high', 'xhigh'].includes(String(r.effort)))
    return bad("Invalid value for 'reasoning.effort'.", 'reasoning.effort');
  if (r !== undefined && r.summary !== undefined && r.summary !== null && !['auto', 'concise', 'detailed'].includes(String(r.summary)))
    return bad("Invalid value for 'reasoning.summary'.", 'reasoning.summary');
  return null;
}

export async function startResponsesFake(apiKey: string): Promise<ResponsesFake> {
  const queue: ResponsesScenario[] = [];
  const requests: ResponsesFake['requests'] = [];
  let fallback: ResponsesScenario | ((body: Record<string, unknown>) => ResponsesScenario) = { text: 'ok' };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString('utf8')));
    req.on('end', () => {
      const send = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== `Bearer ${apiKey}`)
        return send(401, { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
      if (req.method !== 'POST' || req.url !== '/v1/responses')
        return send(404, { error: { message: `Invalid URL (${req.method} ${req.url})`, type: 'invalid_request_error', param: null, code: null } });
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return send(400, { error: { message: 'We could not parse the JSON body of your request.', type: 'invalid_request_error', param: null, code: null } });
      }
      requests.push({ path: req.url, body });
      const problem = checkResponsesBody(body);
      if (problem) return send(problem.status, problem.body);
      const sc = queue.shift() ?? (typeof fallback === 'function' ? fallback(body) : fallback);
      if (sc.status && sc.status !== 200)
        return send(
          sc.status,
          sc.body ?? {
            error: {
              message: `error ${sc.status}`,
              type: sc.status === 429 ? 'rate_limit_error' : 'server_error',
              param: null,
              code: sc.status === 429 ? 'rate_limit_exceeded' : null,
            },
          },
        );
      const tools = Array.isArray(body.tools) ? (body.tools as { type?: unknown }[]) : [];
      // The model searches only with the tool: a scenario that searches without it is a test's mistake, said so.
      if (sc.webSearch && !tools.some((t) => WEB_SEARCH.test(String(t.type))))
        return send(400, bad('fake: the scenario searches the web but the request has no web_search tool', 'tools').body);
      const streamed = body.stream === true;
      if (streamed) res.writeHead(200, { 'content-type': 'text/event-stream' });
      let seq = 0;
      let final: unknown = null;
      /** Set when a fault ended the stream: nothing more is written. */
      let ended = false;
      const id = 'resp_fake_1';
      const base = { id, object: 'response', model: body.model, status: 'in_progress', output: [] as unknown[] };
      const ev = (type: string, data: Record<string, unknown>): void => {
        if (ended) return;
        if (type === 'response.completed' || type === 'response.incomplete') final = data.response;
        if (!streamed) return;
        if (seq === sc.dropAfterEvents) {
          ended = true;
          // Once what was written reached the peer (as server.ts's drop does), a reset.
          res.write('', () => setTimeout(() => res.socket?.resetAndDestroy(), 5));
          return;
        }
        if (seq === sc.failAfterEvents) {
          ended = true;
          const error = { code: 'server_error', message: 'The server had an error while processing your request. Sorry about that!' };
          const fu = sc.failedUsage;
          const usage = fu
            ? {
                input_tokens: fu.input,
                input_tokens_details: { cached_tokens: 0 },
                output_tokens: fu.output,
                output_tokens_details: { reasoning_tokens: 0 },
                total_tokens: fu.input + fu.output,
              }
            : null;
          const failed = { ...base, status: 'failed', error, incomplete_details: null, usage };
          res.end(`event: response.failed\ndata: ${JSON.stringify({ type: 'response.failed', sequence_number: seq++, response: failed })}\n\n`);
          return;
        }
        res.write(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`);
      };
      ev('response.created', { response: base });
      ev('response.in_progress', { response: base });
      const output: unknown[] = [];
      let oi = 0;
      if (sc.reasoning !== undefined || sc.encrypted !== undefined) {
        const item: Record<string, unknown> = { type: 'reasoning', id: 'rs_1', summary: [] };
        ev('response.output_item.added', { output_index: oi, item });
        if (sc.reasoning) {
          ev('response.reasoning_summary_part.added', { item_id: 'rs_1', output_index: oi, summary_index: 0, part: { type: 'summary_text', text: '' } });
          for (const piece of sc.reasoning.match(/.{1,5}/gs) ?? [])
            ev('response.reasoning_summary_text.delta', { item_id: 'rs_1', output_index: oi, summary_index: 0, delta: piece });
          const part = { type: 'summary_text', text: sc.reasoning };
          ev('response.reasoning_summary_text.done', { item_id: 'rs_1', output_index: oi, summary_index: 0, text: sc.reasoning });
          ev('response.reasoning_summary_part.done', { item_id: 'rs_1', output_index: oi, summary_index: 0, part });
          item.summary = [part];
        }
        const included = Array.isArray(body.include) && body.include.includes('reasoning.encrypted_content');
        if (sc.encrypted && included) item.encrypted_content = sc.encrypted;
        ev('response.output_item.done', { output_index: oi, item });
        output.push(item);
        oi++;
      }
      if (sc.webSearch) {
        const item = { type: 'web_search_call', id: 'ws_1', status: 'in_progress' };
        ev('response.output_item.added', { output_index: oi, item });
        for (const step of ['in_progress', 'searching', 'completed']) ev(`response.web_search_call.${step}`, { output_index: oi, item_id: 'ws_1' });
        const done = { ...item, status: 'completed', action: { type: 'search', query: sc.webSearch.query } };
        ev('response.output_item.done', { output_index: oi, item: done });
        output.push(done);
        oi++;
      }
      if (sc.text !== undefined) {
        // As the real API: the item is added empty, its output_text part is added (content_part.added)
        // before the first delta and done (output_text.done, content_part.done) before the item is.
        const part = { type: 'output_text', text: sc.text, annotations: [], logprobs: [] };
        const item = { type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', content: [part] };
        const at = { item_id: 'msg_1', output_index: oi, content_index: 0 };
        ev('response.output_item.added', { output_index: oi, item: { ...item, status: 'in_progress', content: [] } });
        ev('response.content_part.added', { ...at, part: { ...part, text: '' } });
        for (const piece of sc.text.match(/.{1,4}/gs) ?? []) ev('response.output_text.delta', { ...at, delta: piece, logprobs: [] });
        ev('response.output_text.done', { ...at, text: sc.text, logprobs: [] });
        ev('response.content_part.done', { ...at, part });
        ev('response.output_item.done', { output_index: oi, item });
        output.push(item);
        oi++;
      }
      for (const [k, tc] of [...(sc.toolCall ? [sc.toolCall] : []), ...(sc.toolCalls ?? [])].entries()) {
        const fid = `fc_${k + 1}`;
        const item = {
          type: 'function_call',
          id: fid,
          call_id: tc.callId,
          name: tc.name,
          ...(tc.namespace ? { namespace: tc.namespace } : {}),
          arguments: '',
          status: 'in_progress',
        };
        ev('response.output_item.added', { output_index: oi, item });
        for (const piece of tc.arguments.match(/.{1,3}/gs) ?? [])
          ev('response.function_call_arguments.delta', { item_id: fid, output_index: oi, delta: piece });
        ev('response.function_call_arguments.done', { item_id: fid, output_index: oi, arguments: tc.arguments });
        const done = { ...item, arguments: tc.arguments, status: 'completed' };
        ev('response.output_item.done', { output_index: oi, item: done });
        output.push(done);
        oi++;
      }
      const u = sc.usage ?? { input: 10, output: 5 };
      const usage = {
        input_tokens: u.input,
        input_tokens_details: { cached_tokens: u.cached ?? 0 },
        output_tokens: u.output,
        output_tokens_details: { reasoning_tokens: u.reasoning ?? 0 },
        total_tokens: u.input + u.output,
      };
      if (sc.incomplete)
        ev('response.incomplete', { response: { ...base, status: 'incomplete', incomplete_details: { reason: sc.incomplete }, output, usage } });
      else ev('response.completed', { response: { ...base, status: 'completed', output, usage } });
      if (ended) return;
      if (streamed) res.end();
      else send(200, final);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    enqueue: (...s) => void queue.push(...s),
    setDefault: (s) => {
      fallback = s;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
