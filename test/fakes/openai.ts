// OpenAI chat-completions wire format (also the OpenRouter flavour).
import type { Answer, Encoder, ErrCtx, Ev, StreamEvents } from './common.ts';
import { J, displayName, perToken, roundUsd } from './common.ts';
import type { FakeModel } from './types.ts';

function usageObject(a: Answer, openrouter: boolean): unknown {
  const u = a.usage;
  if (openrouter) {
    const perIn = u.input ? u.cost * (u.input / (u.input + u.output || 1)) : 0;
    return {
      prompt_tokens: u.input,
      completion_tokens: u.output,
      total_tokens: u.input + u.output,
      cost: u.cost,
      is_byok: false,
      prompt_tokens_details: { cached_tokens: u.cached, cache_write_tokens: u.cacheWrite, audio_tokens: u.audioInput },
      cost_details: {
        upstream_inference_cost: null,
        upstream_inference_prompt_cost: roundUsd(perIn),
        upstream_inference_completions_cost: roundUsd(u.cost - perIn),
      },
      completion_tokens_details: { reasoning_tokens: u.reasoning, image_tokens: 0 },
    };
  }
  return {
    prompt_tokens: u.input,
    completion_tokens: u.output,
    total_tokens: u.input + u.output,
    prompt_tokens_details: { cached_tokens: u.cached, audio_tokens: u.audioInput },
    completion_tokens_details: {
      reasoning_tokens: u.reasoning,
      audio_tokens: u.audioOutput,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

const OPENAI_ERRORS: Record<number, { type: string; code: string | null; message: string }> = {
  400: { type: 'invalid_request_error', code: null, message: 'Invalid request.' },
  401: {
    type: 'invalid_request_error',
    code: 'invalid_api_key',
    message: 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
  },
  403: {
    type: 'invalid_request_error',
    code: 'unsupported_country_region_territory',
    message: 'Country, region, or territory not supported',
  },
  404: {
    type: 'invalid_request_error',
    code: 'model_not_found',
    message: 'The model does not exist or you do not have access to it.',
  },
  429: {
    type: 'requests',
    code: 'rate_limit_exceeded',
    message:
      'Rate limit reached for requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 1s. Visit https://platform.openai.com/account/rate-limits to learn more.',
  },
  500: {
    type: 'server_error',
    code: null,
    message: 'The server had an error while processing your request. Sorry about that!',
  },
  503: { type: 'server_error', code: null, message: 'The engine is currently overloaded, please try again later.' },
};

const QUOTA_MESSAGE =
  'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.';

function openaiError(status: number, ctx: ErrCtx): unknown {
  const base = OPENAI_ERRORS[status] ?? {
    type: status >= 500 ? 'server_error' : 'invalid_request_error',
    code: null,
    message: `Request failed with status ${status}.`,
  };
  let { type, code, message } = base;
  if (status === 404 && ctx.model) message = `The model \`${ctx.model}\` does not exist or you do not have access to it.`;
  if (ctx.errorType) {
    type = ctx.errorType;
    code = ctx.errorType;
    if (ctx.errorType === 'insufficient_quota') message = QUOTA_MESSAGE;
  }
  if (ctx.errorMessage) message = ctx.errorMessage;
  return { error: { message, type, param: null, code } };
}

const OPENROUTER_MESSAGES: Record<number, string> = {
  400: 'Invalid request',
  401: 'No auth credentials found',
  402: 'Insufficient credits. Add more using https://openrouter.ai/credits',
  403: 'Input flagged by moderation',
  404: 'No endpoints found for the requested model.',
  408: 'Request timed out',
  429: 'Rate limit exceeded. Please retry shortly.',
  500: 'Internal Server Error',
  502: 'Provider returned error',
  503: 'No available model provider that meets your routing requirements',
};

function openrouterError(status: number, ctx: ErrCtx): unknown {
  const message =
    ctx.errorMessage ??
    (status === 404 && ctx.model ? `No endpoints found for ${ctx.model}.` : undefined) ??
    OPENROUTER_MESSAGES[status] ??
    `Request failed with status ${status}`;
  const error: Record<string, unknown> = { code: status, message };
  if (status === 403) error.metadata = { reasons: ['violence'], flagged_input: '...', provider_name: 'FakeProvider', model_slug: ctx.model ?? '' };
  else if (status === 502 || status === 429)
    error.metadata = { provider_name: 'FakeProvider', raw: ctx.errorType ?? (status === 429 ? 'rate limited upstream' : 'upstream error') };
  return { error };
}

export function openaiEncoder(flavor: 'openai' | 'openrouter'): Encoder {
  const or = flavor === 'openrouter';

  function streamEvents(a: Answer): StreamEvents {
    const sc = a.sc;
    const envelope = or
      ? `{"id":${J(a.id)},"provider":"FakeProvider","model":${J(a.model)},"object":"chat.completion.chunk","created":${a.created},"choices":[`
      : `{"id":${J(a.id)},"object":"chat.completion.chunk","created":${a.created},"model":${J(a.model)},"system_fingerprint":"fp_fake","choices":[`;
    const usageNull = !or && a.includeUsage && !sc.usageOnFinishChunk ? ',"usage":null' : '';
    const open = '{"index":0,"delta":';
    const close = or
      ? ',"finish_reason":null,"native_finish_reason":null,"logprobs":null}]' + usageNull + '}'
      : ',"logprobs":null,"finish_reason":null}]' + usageNull + '}';
    const pre = envelope + open;
    const chunk = (delta: string): string => pre + delta + close;
    const role = or ? '{"role":"assistant",' : '{';
    const events: Ev[] = [];

    events.push({
      kind: 'head',
      data: chunk(or ? '{"role":"assistant","content":""}' : '{"role":"assistant","content":"","refusal":null}'),
    });
    for (const p of a.reasoningPieces) {
      const s = J(p);
      events.push({
        kind: 'content',
        data: chunk(
          or
            ? `{"role":"assistant","content":"","reasoning":${s},"reasoning_details":[{"type":"reasoning.text","text":${s},"format":"unknown","index":0}]}`
            : `{"content":null,"reasoning_content":${s}}`,
        ),
      });
    }
    for (const p of a.pieces) events.push({ kind: 'content', data: chunk(`${role}"content":${J(p)}}`) });
    for (const [k, tc] of a.toolCalls.entries()) {
      events.push({
        kind: 'content',
        data: chunk(`${role}"content":null,"tool_calls":[{"index":${k},"id":${J(tc.id)},"type":"function","function":{"name":${J(tc.name)},"arguments":""}}]}`),
      });
      for (const f of a.toolPieces[k] ?? [])
        events.push({
          kind: 'content',
          data: chunk(`${role}"tool_calls":[{"index":${k},"function":{"arguments":${J(f)}}}]}`),
        });
    }
    const fr = J(a.finishReason);
    const extras = Object.entries(a.finishExtras)
      .map(([k, v]) => `,${J(k)}:${J(v)}`)
      .join('');
    const finishChoice = or
      ? `{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":${fr},"native_finish_reason":${fr},"logprobs":null}`
      : `{"index":0,"delta":{},"logprobs":null,"finish_reason":${fr}${extras}}`;
    const usage = J(usageObject(a, or));
    if (sc.usageOnFinishChunk) {
      events.push({ kind: 'tail', data: `${envelope}${finishChoice}],"usage":${usage}}` });
    } else {
      events.push({ kind: 'tail', data: `${envelope}${finishChoice}]${usageNull}}` });
      if (a.includeUsage) {
        const choices = sc.usageChoicesNull ? 'null' : sc.repeatFinish ? `[${finishChoice}]` : '[]';
        events.push({ kind: 'tail', data: envelope.slice(0, -'"choices":['.length) + `"choices":${choices},"usage":${usage}}` });
      }
    }
    if (!sc.omitDone) events.push({ kind: 'tail', data: '[DONE]' });

    const errMsg = or ? 'Provider returned error: upstream overloaded' : 'The server had an error while processing your request.';
    return {
      events,
      malformed: { kind: 'meta', data: `${envelope}{"index":0,"delta":{"content":"broken` },
      error: {
        kind: 'tail',
        data:
          envelope.slice(0, -'"choices":['.length) +
          `"error":{"code":502,"message":${J(errMsg)}},"choices":[{"index":0,"delta":{"content":""},"finish_reason":"error"${or ? ',"native_finish_reason":"error"' : ''}}]}`,
      },
    };
  }

  function completion(a: Answer): unknown {
    const message: Record<string, unknown> = {
      role: 'assistant',
      content: a.toolCalls.length && !a.text ? null : a.text,
      refusal: null,
    };
    if (a.reasoning) {
      if (or) {
        message.reasoning = a.reasoning;
        message.reasoning_details = [{ type: 'reasoning.text', text: a.reasoning, format: 'unknown', index: 0 }];
      } else message.reasoning_content = a.reasoning;
    }
    if (a.toolCalls.length)
      message.tool_calls = a.toolCalls.map((tc) => ({ id: tc.id, type: 'function', function: { name: tc.name, arguments: tc.arguments } }));
    if (or)
      return {
        id: a.id,
        provider: 'FakeProvider',
        model: a.model,
        object: 'chat.completion',
        created: a.created,
        choices: [{ logprobs: null, finish_reason: a.finishReason, native_finish_reason: a.finishReason, index: 0, message }],
        usage: usageObject(a, true),
      };
    return {
      id: a.id,
      object: 'chat.completion',
      created: a.created,
      model: a.model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: a.finishReason, ...a.finishExtras }],
      usage: usageObject(a, false),
      service_tier: 'default',
      system_fingerprint: 'fp_fake',
    };
  }

  function models(list: FakeModel[]): unknown {
    if (!or) return { object: 'list', data: list.map(model) };
    return { data: list.map(model) };
  }

  function model(m: FakeModel): unknown {
    if (!or) return { id: m.id, object: 'model', created: 1715367049, owned_by: 'system' };
    const ctx = m.contextLength ?? 128000;
    return {
      id: m.id,
      canonical_slug: m.id.replace(/:.*$/, ''),
      hugging_face_id: '',
      name: displayName(m.id),
      created: 1715367049,
      description: `Fake model ${m.id}`,
      context_length: ctx,
      architecture: {
        modality: 'text->text',
        input_modalities: ['text'],
        output_modalities: ['text'],
        tokenizer: 'Other',
        instruct_type: null,
      },
      pricing: {
        prompt: perToken(m.inputPrice),
        completion: perToken(m.outputPrice),
        request: '0',
        image: '0',
        web_search: '0',
        internal_reasoning: '0',
        input_cache_read: perToken(m.cacheReadPrice ?? (m.inputPrice ?? 0) / 10),
        ...(m.cacheWritePrice !== undefined ? { input_cache_write: perToken(m.cacheWritePrice) } : {}),
      },
      top_provider: { context_length: ctx, max_completion_tokens: Math.min(16384, ctx), is_moderated: false },
      per_request_limits: null,
      supported_parameters: ['max_tokens', 'temperature', 'top_p', 'stop', 'tools', 'tool_choice', 'reasoning', 'include_reasoning', 'response_format'],
    };
  }

  return {
    streamEvents,
    completion,
    errorBody: or ? openrouterError : openaiError,
    authError: () => ({ status: 401, body: or ? openrouterError(401, {}) : openaiError(401, {}) }),
    models,
    model,
    sseType: or ? 'text/event-stream' : 'text/event-stream; charset=utf-8',
  };
}
