// Anthropic Messages wire format.
import type { Answer, Encoder, ErrCtx, Ev, StreamEvents } from './common.ts';
import { J, displayName } from './common.ts';
import type { FakeModel } from './types.ts';

const ERROR_TYPES: Record<number, [string, string]> = {
  400: ['invalid_request_error', 'Invalid request.'],
  401: ['authentication_error', 'invalid x-api-key'],
  402: ['billing_error', 'Your credit balance is too low to access the Anthropic API.'],
  403: ['permission_error', 'Your API key does not have permission to use the specified resource.'],
  404: ['not_found_error', 'Not found.'],
  413: ['request_too_large', 'Request exceeds the maximum allowed number of bytes.'],
  429: ['rate_limit_error', 'This request would exceed the rate limit for your organization of 50 requests per minute. Please try again later.'],
  500: ['api_error', 'Internal server error'],
  504: ['timeout_error', 'Request timed out'],
  529: ['overloaded_error', 'Overloaded'],
};

function errorBody(status: number, ctx: ErrCtx): unknown {
  const [t, m] = ERROR_TYPES[status] ?? [status >= 500 ? 'api_error' : 'invalid_request_error', `Error ${status}`];
  let message = m;
  if (status === 404 && ctx.model) message = `model: ${ctx.model}`;
  return {
    type: 'error',
    error: { type: ctx.errorType ?? t, message: ctx.errorMessage ?? message },
    request_id: 'req_011CFakeRequest',
  };
}

function usageStart(a: Answer): Record<string, unknown> {
  return {
    input_tokens: Math.max(0, a.usage.input - a.usage.cached - a.usage.cacheWrite),
    cache_creation_input_tokens: a.usage.cacheWrite,
    cache_read_input_tokens: a.usage.cached,
    output_tokens: 1,
    service_tier: 'standard',
  };
}

const SIGNATURE = 'EqQBCkgIBhABGAIiQFakeSignatureForTestsOnlyAAAAAAAAAAAAAAAAAAAAAAAA==';

function parseArgs(s: string): unknown {
  try {
    return s ? JSON.parse(s) : {};
  } catch {
    return {};
  }
}

/** The web search server tool's turn as Anthropic sends it (Scenario.webSearch): its call and its result. */
function webSearchBlocks(a: Answer): [{ type: string; id: string; name: string; input: unknown }, unknown] | null {
  const ws = a.sc.webSearch;
  if (!ws) return null;
  const id = 'srvtoolu_01FakeWebSearch0000000000';
  return [
    { type: 'server_tool_use', id, name: 'web_search', input: { query: ws.query } },
    {
      type: 'web_search_tool_result',
      tool_use_id: id,
      content: ws.results.map((r) => ({
        type: 'web_search_result',
        url: r.url,
        title: r.title,
        encrypted_content: 'EqgfCioIARgBFakeEncrypted',
        page_age: null,
      })),
    },
  ];
}

/** message_delta's usage: the output tokens, and the server tool requests made. */
function finalUsage(a: Answer): Record<string, unknown> {
  return a.sc.webSearch ? { output_tokens: a.usage.output, server_tool_use: { web_search_requests: 1 } } : { output_tokens: a.usage.output };
}

function streamEvents(a: Answer): StreamEvents {
  const events: Ev[] = [];
  const ev = (kind: Ev['kind'], name: string, data: string): void => {
    events.push({ kind, event: name, data });
  };
  const message = {
    id: a.id,
    type: 'message',
    role: 'assistant',
    model: a.model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: usageStart(a),
  };
  ev('head', 'message_start', `{"type":"message_start","message":${J(message)}}`);
  let index = 0;
  let pinged = false;
  const ping = (): void => {
    // The real API sends one ping right after the first content_block_start.
    if (!pinged) {
      pinged = true;
      ev('meta', 'ping', '{"type": "ping"}');
    }
  };
  if (a.reasoning) {
    ev('meta', 'content_block_start', `{"type":"content_block_start","index":${index},"content_block":{"type":"thinking","thinking":"","signature":""}}`);
    ping();
    const pre = `{"type":"content_block_delta","index":${index},"delta":{"type":"thinking_delta","thinking":`;
    for (const p of a.reasoningPieces) ev('content', 'content_block_delta', pre + J(p) + '}}');
    ev('meta', 'content_block_delta', `{"type":"content_block_delta","index":${index},"delta":{"type":"signature_delta","signature":${J(SIGNATURE)}}}`);
    ev('meta', 'content_block_stop', `{"type":"content_block_stop","index":${index}}`);
    index++;
  }
  const search = webSearchBlocks(a);
  if (search) {
    const [use, result] = search;
    ev('meta', 'content_block_start', `{"type":"content_block_start","index":${index},"content_block":${J({ ...use, input: {} })}}`);
    ping();
    ev('meta', 'content_block_delta', `{"type":"content_block_delta","index":${index},"delta":{"type":"input_json_delta","partial_json":${J(J(use.input))}}}`);
    ev('meta', 'content_block_stop', `{"type":"content_block_stop","index":${index}}`);
    index++;
    ev('meta', 'content_block_start', `{"type":"content_block_start","index":${index},"content_block":${J(result)}}`);
    ev('meta', 'content_block_stop', `{"type":"content_block_stop","index":${index}}`);
    index++;
  }
  if (a.pieces.length || !a.toolCalls.length) {
    ev('meta', 'content_block_start', `{"type":"content_block_start","index":${index},"content_block":{"type":"text","text":""}}`);
    ping();
    const pre = `{"type":"content_block_delta","index":${index},"delta":{"type":"text_delta","text":`;
    for (const p of a.pieces) ev('content', 'content_block_delta', pre + J(p) + '}}');
    ev('meta', 'content_block_stop', `{"type":"content_block_stop","index":${index}}`);
    index++;
  }
  for (const [k, tc] of a.toolCalls.entries()) {
    ev(
      'meta',
      'content_block_start',
      `{"type":"content_block_start","index":${index},"content_block":{"type":"tool_use","id":${J(tc.id)},"name":${J(tc.name)},"input":{}}}`,
    );
    ping();
    const pre = `{"type":"content_block_delta","index":${index},"delta":{"type":"input_json_delta","partial_json":`;
    ev('content', 'content_block_delta', pre + '""}}');
    for (const f of a.toolPieces[k] ?? []) ev('content', 'content_block_delta', pre + J(f) + '}}');
    ev('meta', 'content_block_stop', `{"type":"content_block_stop","index":${index}}`);
    index++;
  }
  ev(
    'tail',
    'message_delta',
    `{"type":"message_delta","delta":{"stop_reason":${J(a.finishReason)},"stop_sequence":${J(a.sc.stopSequence ?? null)}},"usage":${J(finalUsage(a))}}`,
  );
  if (!a.sc.omitDone) ev('tail', 'message_stop', '{"type":"message_stop"}');
  return {
    events,
    malformed: { kind: 'meta', event: 'content_block_delta', data: '{"type":"content_block_delta","index":0,"delta":{"type":"text_del' },
    error: {
      kind: 'tail',
      event: 'error',
      data: '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
    },
  };
}

function completion(a: Answer): unknown {
  const content: unknown[] = [];
  if (a.reasoning) content.push({ type: 'thinking', thinking: a.reasoning, signature: SIGNATURE });
  content.push(...(webSearchBlocks(a) ?? []));
  if (a.text || !a.toolCalls.length) content.push({ type: 'text', text: a.text });
  for (const tc of a.toolCalls) content.push({ type: 'tool_use', id: tc.id, name: tc.name, input: parseArgs(tc.arguments) });
  return {
    id: a.id,
    type: 'message',
    role: 'assistant',
    model: a.model,
    content,
    stop_reason: a.finishReason,
    stop_sequence: a.sc.stopSequence ?? null,
    usage: { ...usageStart(a), ...finalUsage(a) },
  };
}

function model(m: FakeModel): unknown {
  return { type: 'model', id: m.id, display_name: displayName(m.id), created_at: '2025-05-14T00:00:00Z' };
}

export const anthropicEncoder: Encoder = {
  streamEvents,
  completion,
  errorBody,
  authError: () => ({ status: 401, body: errorBody(401, {}) }),
  models: (list: FakeModel[]) => ({
    data: list.map(model),
    has_more: false,
    first_id: list[0]?.id ?? null,
    last_id: list[list.length - 1]?.id ?? null,
  }),
  model,
  sseType: 'text/event-stream; charset=utf-8',
};
