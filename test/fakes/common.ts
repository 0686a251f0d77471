// Shared pieces of the fake provider encoders.
import type { FakeModel, FakeProtocol, FakeToolCall, Scenario } from './types.ts';

/**
 * head:    before any content (role chunk, message_start)
 * content: a content delta (text, reasoning, tool-call fragment); counted by the *AfterChunks faults
 * meta:    in the middle, not counted (block start/stop, signature)
 * tail:    after the content (finish, usage, [DONE], message_stop)
 */
export type FrameKind = 'head' | 'content' | 'meta' | 'tail';

/** One stream event: SSE `event:` name (optional) and the single-line `data:` payload. */
export interface Ev {
  kind: FrameKind;
  event?: string;
  data: string;
}

export interface StreamEvents {
  events: Ev[];
  /** an event whose data is broken JSON */
  malformed: Ev;
  /** the protocol's mid-stream error event */
  error: Ev;
}

export interface Answer {
  protocol: FakeProtocol;
  id: string;
  created: number;
  model: string;
  text: string;
  pieces: string[];
  reasoning: string;
  reasoningPieces: string[];
  /** The turn's tool calls, in order (parallel calls when more than one). */
  toolCalls: FakeToolCall[];
  /** Each call's argument fragments (same order as toolCalls). */
  toolPieces: string[][];
  finishReason: string;
  usage: { input: number; output: number; cached: number; cacheWrite: number; audioInput: number; audioOutput: number; reasoning: number; cost: number };
  /** openai: stream_options.include_usage; always true for the others */
  includeUsage: boolean;
  /** openai: the finishing choice's own fields, as a vLLM or SGLang server adds them (StartFakeOptions.server); else empty. */
  finishExtras: Record<string, unknown>;
  sc: Scenario;
}

export interface ErrCtx {
  errorType?: string;
  errorMessage?: string;
  model?: string;
  headers?: Record<string, string>;
}

export interface Encoder {
  streamEvents(a: Answer): StreamEvents;
  completion(a: Answer): unknown;
  errorBody(status: number, ctx: ErrCtx): unknown;
  authError(): { status: number; body: unknown };
  models(models: FakeModel[]): unknown;
  model(m: FakeModel): unknown;
  /** content-type of a stream */
  sseType: string;
}

export const J = JSON.stringify;

const SURROGATE = /[\uD800-\uDFFF]/;

/** Split into ~one piece per word; leading whitespace stays with the word (" world"). */
export function splitWords(text: string): string[] {
  if (!text) return [];
  const m = text.match(/\s*\S+/g);
  if (!m) return [text];
  let used = 0;
  for (const p of m) used += p.length;
  if (used < text.length) m[m.length - 1] += text.slice(used);
  return m;
}

/** Split into exactly n pieces of nearly equal size (by code point; pieces may be empty when n > length). */
export function splitEven(text: string, n: number): string[] {
  const out: string[] = new Array<string>(n);
  if (!SURROGATE.test(text)) {
    const L = text.length;
    for (let i = 0; i < n; i++) out[i] = text.slice(Math.floor((i * L) / n), Math.floor(((i + 1) * L) / n));
    return out;
  }
  const cps = Array.from(text);
  const L = cps.length;
  for (let i = 0; i < n; i++) out[i] = cps.slice(Math.floor((i * L) / n), Math.floor(((i + 1) * L) / n)).join('');
  return out;
}

/** Tool-call argument fragments (~7 code points each, at least 2 fragments when possible). */
export function splitArgs(args: string): string[] {
  if (!args) return [];
  const len = Array.from(args).length;
  const n = Math.max(Math.min(2, len), Math.ceil(len / 7));
  return splitEven(args, n);
}

export function tokens(s: string): number {
  return s ? Math.max(1, Math.ceil(s.length / 4)) : 0;
}

/** USD per 1M tokens -> USD per token as a plain decimal string ("0.0000025"). */
export function perToken(pricePerM: number | undefined): string {
  if (!pricePerM) return '0';
  const s = (pricePerM / 1e6).toFixed(14).replace(/0+$/, '').replace(/\.$/, '');
  return s || '0';
}

export function roundUsd(x: number): number {
  return Math.round(x * 1e12) / 1e12;
}

export const DEFAULT_MODELS: Record<FakeProtocol, FakeModel[]> = {
  openai: [
    { id: 'gpt-4o-mini', contextLength: 128000, inputPrice: 0.15, outputPrice: 0.6 },
    { id: 'gpt-4o', contextLength: 128000, inputPrice: 2.5, outputPrice: 10 },
    { id: 'o3-mini', contextLength: 200000, inputPrice: 1.1, outputPrice: 4.4 },
  ],
  openrouter: [
    { id: 'openai/gpt-4o-mini', contextLength: 128000, inputPrice: 0.15, outputPrice: 0.6 },
    { id: 'anthropic/claude-3.5-sonnet', contextLength: 200000, inputPrice: 3, outputPrice: 15, cacheReadPrice: 0.3, cacheWritePrice: 3.75 },
    { id: 'meta-llama/llama-3.1-8b-instruct:free', contextLength: 131072, inputPrice: 0, outputPrice: 0 },
  ],
  anthropic: [
    { id: 'claude-sonnet-4-20250514', contextLength: 200000, inputPrice: 3, outputPrice: 15 },
    { id: 'claude-3-5-haiku-20241022', contextLength: 200000, inputPrice: 0.8, outputPrice: 4 },
  ],
  gemini: [
    { id: 'gemini-2.5-flash', contextLength: 1048576, inputPrice: 0.3, outputPrice: 2.5 },
    { id: 'gemini-2.5-pro', contextLength: 1048576, inputPrice: 1.25, outputPrice: 10 },
  ],
};

export function displayName(id: string): string {
  const last = id.split('/').pop() ?? id;
  return last
    .split(/[-_:]/)
    .filter(Boolean)
    .map((w) => (w[0] ?? '').toUpperCase() + w.slice(1))
    .join(' ');
}

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** A random alphanumeric id of the given length. */
export function nextId(len = 24): string {
  let s = '';
  for (let i = 0; i < len; i++) s += ID_CHARS[Math.floor(Math.random() * ID_CHARS.length)];
  return s;
}
