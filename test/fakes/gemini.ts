// Google Gemini generateContent / streamGenerateContent wire format.
import type { Answer, Encoder, ErrCtx, Ev, StreamEvents } from './common.ts';
import { J, displayName } from './common.ts';
import type { FakeModel, FakeToolCall } from './types.ts';

const STATUS: Record<number, [string, string]> = {
  400: ['INVALID_ARGUMENT', 'Request contains an invalid argument.'],
  401: ['UNAUTHENTICATED', 'API key not valid. Please pass a valid API key.'],
  403: ['PERMISSION_DENIED', 'The caller does not have permission'],
  404: ['NOT_FOUND', 'Requested entity was not found.'],
  429: [
    'RESOURCE_EXHAUSTED',
    'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.',
  ],
  500: ['INTERNAL', 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting'],
  503: ['UNAVAILABLE', 'The model is overloaded. Please try again later.'],
  504: ['DEADLINE_EXCEEDED', 'Deadline expired before operation could complete.'],
};

function errorBody(status: number, ctx: ErrCtx): unknown {
  const [st, m] = STATUS[status] ?? [status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION', `Error ${status}`];
  let message = m;
  if (status === 404 && ctx.model)
    message = `models/${ctx.model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`;
  const error: Record<string, unknown> = { code: status, message: ctx.errorMessage ?? message, status: ctx.errorType ?? st };
  if (status === 429) {
    const details: unknown[] = [
      {
        '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
        violations: [
          {
            quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
            quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
            quotaDimensions: { location: 'global', model: ctx.model ?? 'gemini-2.5-flash' },
            quotaValue: '10',
          },
        ],
      },
      {
        '@type': 'type.googleapis.com/google.rpc.Help',
        links: [{ description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }],
      },
    ];
    const ra = ctx.headers?.['retry-after'] ?? ctx.headers?.['Retry-After'];
    if (ra !== undefined) details.push({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${ra}s` });
    error.details = details;
  } else if (status === 401) {
    error.details = [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'API_KEY_INVALID',
        domain: 'googleapis.com',
        metadata: { service: 'generativelanguage.googleapis.com' },
      },
    ];
  } else error.details = [];
  return { error };
}

function finalUsage(a: Answer): Record<string, unknown> {
  const u = a.usage;
  const out: Record<string, unknown> = {
    promptTokenCount: u.input,
    candidatesTokenCount: Math.max(0, u.output - u.reasoning),
    totalTokenCount: u.input + u.output,
  };
  if (u.cached) out.cachedContentTokenCount = u.cached;
  out.promptTokensDetails = [{ modality: 'TEXT', tokenCount: u.input }];
  if (u.reasoning) out.thoughtsTokenCount = u.reasoning;
  return out;
}

const THOUGHT_SIGNATURE = 'CiQBVKhc7fakeThoughtSignatureForTests==';

/** The turn's functionCall parts: Gemini signs only the first of parallel calls. */
function callParts(a: Answer): Record<string, unknown>[] {
  return a.toolCalls.map((tc, k) => {
    const part = callPart(a, tc);
    if (k > 0) delete part.thoughtSignature;
    return part;
  });
}

function callPart(a: Answer, tc: FakeToolCall): Record<string, unknown> {
  let args: unknown = {};
  try {
    args = tc.arguments ? JSON.parse(tc.arguments) : {};
  } catch {
    args = {};
  }
  const part: Record<string, unknown> = { functionCall: { name: tc.name, args } };
  // Gemini 3 always signs the (first) function call of a turn; older models only when they thought.
  if (a.reasoning || /gemini-3/.test(a.model)) part.thoughtSignature = THOUGHT_SIGNATURE;
  return part;
}

function streamEvents(a: Answer): StreamEvents {
  const tailJson = `,"modelVersion":${J(a.model)},"responseId":${J(a.id)}}`;
  const u = a.usage;
  const promptDetails = `"promptTokensDetails":[{"modality":"TEXT","tokenCount":${u.input}}]`;
  const finalCandidates = Math.max(0, u.output - u.reasoning);
  const textChars = a.text.length || 1;
  const thoughtChars = a.reasoning.length || 1;
  let textSoFar = 0;
  let thoughtSoFar = 0;
  // usageMetadata rides on every chunk and is cumulative (the last one is the call's count).
  const midUsage = (): string => {
    const c = Math.round((finalCandidates * Math.min(textSoFar, textChars)) / textChars);
    const t = Math.round((u.reasoning * Math.min(thoughtSoFar, thoughtChars)) / thoughtChars);
    return (
      `{"promptTokenCount":${u.input}` +
      (c ? `,"candidatesTokenCount":${c}` : '') +
      `,"totalTokenCount":${u.input + c + t},${promptDetails}` +
      (t ? `,"thoughtsTokenCount":${t}` : '') +
      '}'
    );
  };
  const pre = '{"candidates":[{"content":{"parts":[';
  const mid = '],"role":"model"},"index":0}],"usageMetadata":';
  const parts: string[] = [];
  const thoughtLens: number[] = [];
  const textLens: number[] = [];
  for (const p of a.reasoningPieces) {
    parts.push(`{"text":${J(p)},"thought":true}`);
    thoughtLens.push(p.length);
    textLens.push(0);
  }
  for (const p of a.pieces) {
    parts.push(`{"text":${J(p)}}`);
    thoughtLens.push(0);
    textLens.push(p.length);
  }
  for (const cp of callParts(a)) {
    parts.push(J(cp));
    thoughtLens.push(0);
    textLens.push(0);
  }
  const finish = !a.sc.omitDone;
  const events: Ev[] = [];
  const n = parts.length;
  for (let i = 0; i < n; i++) {
    const part = parts[i] as string;
    if (i === n - 1 && finish) {
      events.push({
        kind: 'content',
        data: `${pre}${part}],"role":"model"},"finishReason":${J(a.finishReason)},"index":0}],"usageMetadata":${J(finalUsage(a))}${tailJson}`,
      });
    } else {
      thoughtSoFar += thoughtLens[i] ?? 0;
      textSoFar += textLens[i] ?? 0;
      events.push({ kind: 'content', data: pre + part + mid + midUsage() + tailJson });
    }
  }
  if (n === 0 && finish)
    events.push({
      kind: 'tail',
      data: `${pre}{"text":""}],"role":"model"},"finishReason":${J(a.finishReason)},"index":0}],"usageMetadata":${J(finalUsage(a))}${tailJson}`,
    });
  return {
    events,
    malformed: { kind: 'meta', data: `${pre}{"text":"brok` },
    error: {
      kind: 'tail',
      data: '{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}',
    },
  };
}

function completion(a: Answer): unknown {
  const parts: unknown[] = [];
  if (a.reasoning) parts.push({ text: a.reasoning, thought: true });
  if (a.text || !a.toolCalls.length) parts.push({ text: a.text });
  parts.push(...callParts(a));
  return {
    candidates: [{ content: { parts, role: 'model' }, finishReason: a.finishReason, index: 0 }],
    usageMetadata: finalUsage(a),
    modelVersion: a.model,
    responseId: a.id,
  };
}

function model(m: FakeModel): unknown {
  return {
    name: `models/${m.id}`,
    version: '001',
    displayName: displayName(m.id),
    description: `Fake model ${m.id}`,
    inputTokenLimit: m.contextLength ?? 1048576,
    outputTokenLimit: 65536,
    supportedGenerationMethods: ['generateContent', 'countTokens', 'createCachedContent', 'batchGenerateContent'],
    temperature: 1,
    topP: 0.95,
    topK: 64,
    maxTemperature: 2,
    thinking: true,
  };
}

export const geminiEncoder: Encoder = {
  streamEvents,
  completion,
  errorBody,
  authError: () => ({ status: 401, body: errorBody(401, {}) }),
  models: (list: FakeModel[]) => ({ models: list.map(model) }),
  model,
  sseType: 'text/event-stream',
};
