/** What every adapter needs from its surroundings: keys, the HTTP pool, timeouts. */
import type { Dispatcher } from 'undici';
import type { ResolvedProvider } from '../config.ts';
import { SwitchboardError } from '../errors.ts';
import { registerSecret } from '../redact.ts';
import type { Timeouts } from '../http/request.ts';
import type { ChatMessage, ContentPart, ImageDetail, ImagePart, ModelCapabilities, ModelRequest, ModelStreamPart, ProtocolId } from '../types.ts';

export interface ProviderContext {
  /** The key for a provider: SecretStorage in VS Code, the environment in the CLI. */
  getApiKey(provider: ResolvedProvider): string | undefined;
  /** How the user sets that key, for error advice ("set OPENAI_API_KEY", "run Switchboard: Set API Key"). */
  keyHint(provider: ResolvedProvider): string;
  dispatcher?: Dispatcher;
  timeouts: Timeouts;
  /** What a model (`provider/model`) can do, from the catalog and the config; protocols size and check requests with it. */
  capabilities?(modelId: string): ModelCapabilities | null;
  /** The config's wire-protocol override for an OpenAI-protocol model (`provider/model`), if any. */
  wireProtocol?(modelId: string): 'openai' | 'openai-responses' | undefined;
}

/** The key, or an `auth` error that says how to add one. Keyless local servers get null. */
export function requireKey(provider: ResolvedProvider, ctx: ProviderContext, model: string): string | null {
  const key = ctx.getApiKey(provider)?.trim();
  // A key pasted with a control character or a typographic character (a smart quote, a zero-width
  // space) cannot go in an HTTP header: said as a key problem, never as a network failure to retry.
  if (key && /[^\u0020-\u007e]/.test(key)) {
    registerSecret(key);
    throw new SwitchboardError({
      kind: 'auth',
      message: `the API key for provider "${provider.id}" holds a character an HTTP header cannot carry (a control, non-ASCII or invisible character, as copy-paste leaves)`,
      provider: provider.id,
      model,
      fix: `set the key again without it: ${ctx.keyHint(provider)}`,
    });
  }
  if (key) {
    // Known from now on: any error text that echoes it is scrubbed (see ../redact.ts).
    registerSecret(key);
    return key;
  }
  if (provider.local || provider.auth === 'none' || provider.apiKeyEnv === null) return null;
  throw new SwitchboardError({
    kind: 'auth',
    message: `no API key for provider "${provider.id}"`,
    provider: provider.id,
    model,
    fix: ctx.keyHint(provider),
  });
}

export function authHeaders(provider: ResolvedProvider, key: string | null): Record<string, string> {
  if (!key) return {};
  switch (provider.auth) {
    case 'bearer':
      return { authorization: `Bearer ${key}` };
    case 'x-api-key':
      return { 'x-api-key': key };
    case 'x-goog-api-key':
      return { 'x-goog-api-key': key };
    case 'none':
      return {};
  }
}

/** What a failed tool's result starts with where the API has no error flag (Chat Completions, Responses). */
export const TOOL_ERROR_PREFIX = 'Error: ';

/**
 * A tool result's text for an API with no error flag: a result marked `isError` says so in its text
 * (prefixed "Error: " unless it already starts with "error"), so the model still knows the tool failed.
 */
export function errorMarked(text: string, isError: boolean | undefined): string {
  return isError && !/^\s*error\b/i.test(text) ? TOOL_ERROR_PREFIX + text : text;
}

export function textOf(content: string | readonly ContentPart[]): string {
  if (typeof content === 'string') return content;
  let s = '';
  for (const p of content) if (p.type === 'text') s += p.text;
  return s;
}

/**
 * Text parts as one string where a protocol takes one (a Gemini function response's output): a
 * blank line apart, so they stay distinguishable as the parts they were, not glued into one text.
 */
export function partsText(content: readonly ContentPart[]): string {
  const texts: string[] = [];
  for (const p of content) if (p.type === 'text' && p.text.length > 0) texts.push(p.text);
  return texts.join('\n\n');
}

/** An OpenAI-style image URL (https or `data:`) → our image part. */
export function imageFromUrl(url: string, detail?: ImagePart['detail']): ImagePart {
  const data = parseDataUrl(url);
  const part: ImagePart = { type: 'image', source: data ? { type: 'base64', data: data.data, mediaType: data.mediaType } : { type: 'url', url } };
  if (detail !== undefined) part.detail = detail;
  return part;
}

/**
 * Where a part is in the request, as the core's errors name it: `messages[2].content[1]`, and an
 * item of a tool result's content `messages[2].content[1].content[0]`. The gateway's doors name the
 * client's own path instead (doors/door.ts inDoorTerms), so keep this one form.
 */
export function contentPath(message: number, part?: number, item?: number): string {
  return `messages[${message}]${part === undefined ? '' : `.content[${part}]`}${item === undefined ? '' : `.content[${item}]`}`;
}

/** A request the target cannot take as asked: names the parameter, the model and the fix; raised before sending. */
export function unsupported(provider: string, model: string, param: string, why: string, fix: string): SwitchboardError {
  return new SwitchboardError({ kind: 'bad_request', message: `${param}: ${why} (${provider}/${model})`, provider, model, fix });
}

/**
 * A conversation ending in an assistant message means one thing per protocol: Anthropic's models
 * continue that text (a prefill), OpenAI's Chat Completions and Responses answer it with a new turn,
 * and Gemini documents no prefill. `continues`: this protocol continues it. When the caller meant
 * the other (ModelRequest.finalAssistant), the request is refused before sending, not changed.
 */
export function checkFinalAssistant(req: ModelRequest, continues: boolean, provider: string, model: string): void {
  const last = req.messages.at(-1);
  if (last?.role !== 'assistant' || req.finalAssistant === undefined) return;
  const at = contentPath(req.messages.length - 1);
  if (req.finalAssistant === 'continue' && !continues)
    throw unsupported(
      provider,
      model,
      at,
      'the conversation ends in an assistant message for the model to continue (a prefill), and this model has no way to continue a given text: it would answer it with a new turn instead',
      'ask an Anthropic model (anthropic/…, or a route or alias that reaches one), or leave the final assistant message out and say in the user turn how the answer should begin',
    );
  if (req.finalAssistant === 'reply' && continues)
    throw unsupported(
      provider,
      model,
      at,
      "the conversation ends in an assistant message, which OpenAI's APIs answer with a new turn; this model speaks Anthropic's protocol and would continue that text instead (a prefill)",
      'end the conversation with a user message, or send it to /v1/messages (Anthropic Messages), where a final assistant message is a prefill',
    );
}

/** The `detail` of every image in the conversation (user turns and tool results), "auto" when unset; and whether any file (PDF) part is there too. */
export function imageDetails(messages: readonly ChatMessage[]): { details: ImageDetail[]; files: boolean } {
  const details: ImageDetail[] = [];
  let files = false;
  for (const m of messages) {
    if (typeof m.content === 'string') continue;
    for (const p of m.content) {
      if (p.type === 'image') details.push(p.detail ?? 'auto');
      else if (p.type === 'file') files = true;
      else if (p.type === 'tool-result' && typeof p.content !== 'string') for (const c of p.content) if (c.type === 'image') details.push(c.detail ?? 'auto');
    }
  }
  return { details, files };
}

/** Tool-call arguments (JSON text) → an object, for protocols that take arguments as an object. */
export function parseArguments(args: string, provider: string, model: string, callName: string): Record<string, unknown> {
  if (args.trim() === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(args);
  } catch {
    throw unsupported(
      provider,
      model,
      `messages[].tool-call "${callName}".arguments`,
      'the arguments are not valid JSON',
      'send the arguments exactly as the model produced them',
    );
  }
  if (!v || typeof v !== 'object' || Array.isArray(v))
    throw unsupported(
      provider,
      model,
      `messages[].tool-call "${callName}".arguments`,
      'the arguments must be a JSON object',
      'send the arguments exactly as the model produced them',
    );
  return v as Record<string, unknown>;
}

/** System messages joined (Anthropic and Gemini take them out of the message list). */
export function systemText(messages: ChatMessage[]): string | null {
  const parts = messages
    .filter((m) => m.role === 'system')
    .map((m) => textOf(m.content))
    .filter((s) => s.length > 0);
  return parts.length ? parts.join('\n\n') : null;
}

/** `data:image/png;base64,AAAA` → {mediaType, data}; null for other URLs. */
export function parseDataUrl(url: string): { mediaType: string; data: string } | null {
  const m = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  return m ? { mediaType: m[1]!, data: m[2]! } : null;
}

export function invalidResponse(provider: string, model: string, message: string, cause?: unknown): SwitchboardError {
  return new SwitchboardError({ kind: 'invalid_response', message, provider, model, fix: 'retry or pick another model', cause });
}

/** Parse one event's JSON; a malformed chunk is an `invalid_response` error, never a crash. */
export function parseEventJson(data: string, provider: string, model: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(data);
  } catch (e) {
    throw invalidResponse(provider, model, `malformed JSON in the stream: ${data.slice(0, 120)}`, e);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw invalidResponse(provider, model, `unexpected event in the stream: ${data.slice(0, 120)}`);
  return v as Record<string, unknown>;
}

export function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function obj(v: unknown): Record<string, unknown> | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/**
 * The request's warnings about what only another protocol's providerOptions carry
 * (ModelRequest.providerOptionsWarnings): all of them for a model of `protocol` (null: a model of no
 * wire protocol, VS Code's), none of those that protocol's own options carry. With them, the
 * stop-match warning (ModelRequest.stopMatchWarning) unless the model's API says which stop sequence
 * matched: Anthropic's, or a server whose answers say it (`reportsStopMatch`: vLLM, SGLang).
 */
export function providerOptionsLeftOut(req: ModelRequest, protocol: ProtocolId | null, reportsStopMatch = false): string[] {
  const out: string[] = [];
  for (const [p, warnings] of Object.entries(req.providerOptionsWarnings ?? {})) if (p !== protocol && warnings) out.push(...warnings);
  if (req.stopMatchWarning !== undefined && protocol !== 'anthropic' && !reportsStopMatch) out.push(req.stopMatchWarning);
  return out;
}

/**
 * `providerOptions[protocol]` merged into a body untouched: top-level fields replace ours, except
 * that an object both sides have (Gemini's generationConfig) is merged one level deep.
 */
export function mergeProviderOptions(body: Record<string, unknown>, extra: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!extra) return body;
  for (const [k, v] of Object.entries(extra)) {
    const mine = obj(body[k]);
    const theirs = obj(v);
    body[k] = mine && theirs ? { ...mine, ...theirs } : v;
  }
  return body;
}

/** A wire decoder fed one SSE event's data at a time; `push` returns false once the answer has ended. */
export interface EventDecoder {
  /** `event`: the SSE event name, for protocols whose data may leave the type out. */
  push(data: string, out: ModelStreamPart[], event?: string): boolean;
  /** Called when the events run out: throws if the answer was not complete. */
  end(): void;
  /**
   * The JSON of the event last pushed, when push parsed it (undefined when it was read through a
   * template): the fast path reads it to rename the model instead of parsing the event again.
   */
  readonly lastParsed?: Record<string, unknown> | undefined;
}

/** Events in, parts out; parts decoded before an error are delivered before it. */
export async function* decodeEvents(
  decoder: EventDecoder,
  events: AsyncIterable<{ data: string; event?: string | undefined }>,
): AsyncGenerator<ModelStreamPart> {
  const out: ModelStreamPart[] = [];
  for await (const ev of events) {
    out.length = 0;
    let more: boolean;
    try {
      more = decoder.push(ev.data, out, ev.event);
    } catch (e) {
      for (const p of out) yield p;
      throw e;
    }
    for (const p of out) yield p;
    if (!more) return;
  }
  decoder.end();
}

/** Batches of events in, batches of parts out (one async step per network read); parts decoded before an error come first. */
export async function* decodeEventBatches(
  decoder: EventDecoder,
  batches: AsyncIterable<readonly { data: string; event?: string | undefined }[]>,
): AsyncGenerator<ModelStreamPart[]> {
  for await (const batch of batches) {
    const out: ModelStreamPart[] = [];
    let more = true;
    try {
      for (let i = 0; i < batch.length && more; i++) more = decoder.push(batch[i]!.data, out, batch[i]!.event);
    } catch (e) {
      if (out.length > 0) yield out;
      throw e;
    }
    if (out.length > 0) yield out;
    if (!more) return;
  }
  decoder.end();
}
