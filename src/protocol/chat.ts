/**
 * Messages between the chat view's host (src/host/chat/) and its webview (src/webview/chat/).
 * Both sides parse what they receive with these schemas; inbound data is `unknown` until then.
 * `zod/mini` keeps the webview bundle small (the full zod is ~10x larger in a browser bundle).
 */
import * as z from 'zod/mini';

/** How an answer's code is applied to the editor it was asked from. */
export const ApplyModeSchema = z.enum(['insert', 'replace', 'diff']);
export type ApplyMode = z.infer<typeof ApplyModeSchema>;

/** One turn of the transcript, as the view shows it (never a key; text is rendered as text). */
export const ChatEntrySchema = z.object({
  id: z.string(),
  role: z.enum(['user', 'assistant']),
  text: z.string(),
  /** Where a user turn's code came from ("src/a.ts:3-9 (typescript)"). */
  contextLabel: z.nullable(z.string()),
  status: z.enum(['streaming', 'done', 'error', 'cancelled']),
  /** Assistant turns: what was asked for and what answered. */
  model: z.nullable(z.string()),
  answeredBy: z.nullable(z.string()),
  inputTokens: z.nullable(z.number()),
  outputTokens: z.nullable(z.number()),
  costUsd: z.nullable(z.number()),
  totalMs: z.nullable(z.number()),
  error: z.nullable(z.string()),
  /** True when the answer can be applied to an editor (insert / replace / diff). */
  canApply: z.boolean(),
});
export type ChatEntry = z.infer<typeof ChatEntrySchema>;

export const ChatStateSchema = z.object({
  model: z.nullable(z.string()),
  /** Context and prices of the current model, preformatted ("128K context · $0.15 in / $0.60 out per 1M"). */
  modelDetail: z.nullable(z.string()),
  entries: z.array(ChatEntrySchema),
  busy: z.boolean(),
  /** This session's spend, "$0.0012" (empty before the first request). */
  spend: z.string(),
});
export type ChatState = z.infer<typeof ChatStateSchema>;

/** Host → webview. `state` is a whole snapshot; `delta` appends streamed text to one entry. */
export const HostToChatSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('state'), state: ChatStateSchema }),
  z.object({ type: z.literal('delta'), id: z.string(), text: z.string() }),
]);
export type HostToChat = z.infer<typeof HostToChatSchema>;

/** An absolute http(s) URL (links in model output; anything else is never opened). */
export const HttpUrlSchema = z.string().check(
  z.maxLength(8192),
  z.refine((s) => {
    try {
      const u = new URL(s);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'not an http(s) URL'),
);

/** Webview → host. The webview posts `ready` first; the host posts nothing before it. */
export const ChatToHostSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('send'), text: z.string().check(z.minLength(1), z.maxLength(200_000)) }),
  z.object({ type: z.literal('cancel') }),
  z.object({ type: z.literal('newChat') }),
  z.object({ type: z.literal('switchModel') }),
  z.object({ type: z.literal('apply'), id: z.string(), mode: ApplyModeSchema }),
  /** A click on a link in an answer; the host opens it in the browser (http(s) only). */
  z.object({ type: z.literal('openLink'), url: HttpUrlSchema }),
]);
export type ChatToHost = z.infer<typeof ChatToHostSchema>;
