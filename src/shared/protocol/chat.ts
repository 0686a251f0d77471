/**
 * Messages between the chat view's host (src/host/chat/) and its webview (src/webview/chat/).
 * Both sides parse what they receive with these schemas; inbound data is `unknown` until then.
 * `zod/mini` keeps the webview bundle small (the full zod is ~10x larger in a browser bundle).
 *
 * Ids: every transcript entry has an id; a stream's deltas name the entry they extend, and
 * `cancel`, `regenerate`, `retryWith` and `apply` name the entry they act on, so a late message
 * about an older answer can never act on a newer one.
 */
import * as z from 'zod/mini';
import { RetryNoticeSchema } from './retry.ts';

/** How an answer's code is applied to the editor it was asked from. */
export const ApplyModeSchema = z.enum(['insert', 'replace', 'diff']);
export type ApplyMode = z.infer<typeof ApplyModeSchema>;

/** One try of one model while answering (a route that failed over has several). */
export const AttemptSchema = z.object({
  model: z.string(),
  outcome: z.enum(['ok', 'error', 'skipped']),
  errorKind: z.nullable(z.string()),
  status: z.nullable(z.number()),
  durationMs: z.number(),
  message: z.nullable(z.string()),
});
export type AttemptView = z.infer<typeof AttemptSchema>;

/**
 * The one-click fix offered with an error (decided from the core's error kind, never from text):
 * set the key of a provider, retry at a time (rate limit with retry-after), retry now, retry with
 * another model, or open the settings.
 */
export const ErrorActionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('setKey'), provider: z.string() }),
  /** `at`: epoch ms when a retry makes sense; the view counts down to it. */
  z.object({ kind: z.literal('retryAt'), at: z.number() }),
  z.object({ kind: z.literal('retry') }),
  z.object({ kind: z.literal('retryWith') }),
  /** `setting`: the setting to open at (e.g. switchboard.budget); else Switchboard's settings. */
  z.object({ kind: z.literal('openSettings'), setting: z.optional(z.string()) }),
]);
export type ErrorAction = z.infer<typeof ErrorActionSchema>;

export const ChatErrorSchema = z.object({
  kind: z.string(),
  /** The provider's message (never a key). */
  message: z.string(),
  /** What the user can do about it. */
  fix: z.nullable(z.string()),
  status: z.nullable(z.number()),
  action: z.nullable(ErrorActionSchema),
});
export type ChatError = z.infer<typeof ChatErrorSchema>;

/**
 * `interrupted`: the window closed or the view crashed while the answer streamed; the partial
 * text was saved and is shown as such.
 */
export const EntryStatusSchema = z.enum(['streaming', 'done', 'error', 'cancelled', 'interrupted']);
export type EntryStatus = z.infer<typeof EntryStatusSchema>;

/** Image types the chat accepts (the ones every image-capable provider takes). */
export const CHAT_IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;
/** Per image; providers refuse larger ones (Anthropic: 5 MB). */
export const MAX_CHAT_IMAGE_BYTES = 5 * 1024 * 1024;
/** Per message. */
export const MAX_CHAT_IMAGES = 4;

/** A small preview the view drew (a JPEG/PNG data URL); empty when it could not draw one. */
const ThumbSchema = z.string().check(z.maxLength(200_000), z.regex(/^(data:image\/(png|jpeg);base64,[A-Za-z0-9+/]*={0,2})?$/));

/** An image as the transcript shows it: its name, type and preview (the full data stays on the host). */
export const ChatImageViewSchema = z.object({
  name: z.string().check(z.maxLength(300)),
  mediaType: z.enum(CHAT_IMAGE_TYPES),
  thumb: ThumbSchema,
});
export type ChatImageView = z.infer<typeof ChatImageViewSchema>;

/** An image attached to a question: inline base64 (sent to the model as an image part) and its preview. */
export const ChatImageSchema = z.object({
  name: z.string().check(z.maxLength(300)),
  mediaType: z.enum(CHAT_IMAGE_TYPES),
  /** Base64, at most MAX_CHAT_IMAGE_BYTES decoded. */
  data: z.string().check(z.minLength(4), z.maxLength(Math.ceil(MAX_CHAT_IMAGE_BYTES / 3) * 4), z.regex(/^[A-Za-z0-9+/]*={0,2}$/)),
  thumb: ThumbSchema,
});
export type ChatImage = z.infer<typeof ChatImageSchema>;

/** One turn of the transcript, as the view shows it (never a key; text is rendered as text). */
export const ChatEntrySchema = z.object({
  id: z.string(),
  role: z.enum(['user', 'assistant']),
  text: z.string(),
  /** Assistant turns: the reasoning the model showed, as it streamed (kept in the history). */
  reasoning: z._default(z.string(), ''),
  /** Reasoning tokens as the provider counted them; null when it did not say (the view then estimates). */
  reasoningTokens: z._default(z.nullable(z.number()), null),
  /** User turns: images sent with the question (previews; the data is in the stored turn). */
  images: z._default(z.array(ChatImageViewSchema), []),
  /** Where a user turn's attached code came from ("src/a.ts:3-9 (typescript)"), one per chip. */
  contextLabels: z.array(z.string()),
  status: EntryStatusSchema,
  /** Assistant turns: what was asked for and what answered. */
  model: z.nullable(z.string()),
  answeredBy: z.nullable(z.string()),
  inputTokens: z.nullable(z.number()),
  outputTokens: z.nullable(z.number()),
  /** USD; null when unknown (an unpriced model), never a guessed 0. */
  costUsd: z.nullable(z.number()),
  /** costUsd is an estimate (a stopped answer: tokens streamed × prices; audio priced as text), shown with "~". */
  costEstimated: z.optional(z.boolean()),
  /** Included in a subscription (one of VS Code's own models): no dollar figure, and not an unknown one. */
  costIncluded: z.optional(z.boolean()),
  ttftMs: z.nullable(z.number()),
  tokensPerSecond: z.nullable(z.number()),
  totalMs: z.nullable(z.number()),
  attempts: z.array(AttemptSchema),
  error: z.nullable(ChatErrorSchema),
  /** True when the answer can be applied to an editor (insert / replace / diff). */
  canApply: z.boolean(),
  /** Epoch ms when the turn was made. */
  at: z.number(),
  /** Streaming answers: the router is waiting to try again (a rate limit…); the view counts down. */
  retry: z.optional(z.nullable(RetryNoticeSchema)),
  /**
   * Answers with alternatives (Retry with… keeps the earlier answer): which one this is (0-based)
   * of how many. Set by the host in each snapshot; not stored.
   */
  alternative: z.optional(z.object({ index: z.number(), count: z.number() })),
});
export type ChatEntry = z.infer<typeof ChatEntrySchema>;

/** A model the header picker offers (the switcher's entries). */
export const ModelOptionSchema = z.object({
  id: z.string(),
  label: z.string(),
  /** Context and prices ("128K context · $0.15 in / $0.60 out per 1M") or the route's models. */
  detail: z.string(),
  group: z.string(),
});
export type ModelOption = z.infer<typeof ModelOptionSchema>;

/** A conversation in the history list. */
export const ConversationSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  updatedAt: z.number(),
  model: z.nullable(z.string()),
  turns: z.number(),
});
export type ConversationSummary = z.infer<typeof ConversationSummarySchema>;

/** Code attached to the next message (a selection or a whole file), shown as a removable chip. */
export const ChipSchema = z.object({ id: z.string(), label: z.string(), title: z.string() });
export type Chip = z.infer<typeof ChipSchema>;

export const TotalsSchema = z.object({
  inputTokens: z.number(),
  outputTokens: z.number(),
  costUsd: z.number(),
  /** Answers whose cost is unknown (not counted in costUsd). */
  unpriced: z.number(),
  /** Answers of models included in a subscription (VS Code's own): no cost, not unknown either. */
  included: z.optional(z.number()),
});
export type Totals = z.infer<typeof TotalsSchema>;

export const ChatStateSchema = z.object({
  model: z.nullable(z.string()),
  /** Whether the current model takes images (from the catalog's capabilities); the composer refuses them otherwise. */
  imageInput: z.boolean(),
  /** Context and prices of the current model, preformatted ("128K context · $0.15 in / $0.60 out per 1M"). */
  modelDetail: z.nullable(z.string()),
  models: z.array(ModelOptionSchema),
  conversationId: z.string(),
  title: z.string(),
  entries: z.array(ChatEntrySchema),
  /** The id of the entry streaming now, if any. */
  streamingId: z.nullable(z.string()),
  /** This conversation's running total. */
  totals: TotalsSchema,
  history: z.array(ConversationSummarySchema),
  chips: z.array(ChipSchema),
});
export type ChatState = z.infer<typeof ChatStateSchema>;

/** Host → webview. `state` is a whole snapshot; `delta` appends streamed text to one entry. */
export const HostToChatSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('state'), state: ChatStateSchema }),
  z.object({ type: z.literal('delta'), id: z.string(), text: z.string() }),
  /** Appends streamed reasoning to one entry's Thinking section. */
  z.object({ type: z.literal('reasoningDelta'), id: z.string(), text: z.string() }),
  /** The last `send` was not sent (e.g. images for a model that takes none); the composer keeps it and shows why. */
  z.object({ type: z.literal('refused'), message: z.string() }),
  /** Images the user picked with the host's file dialog, for the composer. */
  z.object({ type: z.literal('attachedImages'), images: z.array(ChatImageSchema) }),
  /** Put the focus in the composer (after New Chat, Add Selection…). */
  z.object({ type: z.literal('focus') }),
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

const Id = z.string().check(z.minLength(1), z.maxLength(200));

/** Webview → host. The webview posts `ready` first; the host posts nothing before it. */
export const ChatToHostSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({
    type: z.literal('send'),
    text: z.string().check(z.minLength(1), z.maxLength(200_000)),
    images: z.optional(z.array(ChatImageSchema).check(z.maxLength(MAX_CHAT_IMAGES))),
  }),
  /** Pick image files to attach (the host's file dialog); they come back as `attachedImages`. */
  z.object({ type: z.literal('pickImages') }),
  /** Stop the stream of this entry (ignored when it is not the one streaming). */
  z.object({ type: z.literal('cancel'), id: Id }),
  /** Ask the user turn before this answer again, replacing the answer. */
  z.object({ type: z.literal('regenerate'), id: Id }),
  /** Another model answers the same turn; the earlier answer stays as an alternative. Without `model` the host shows the switcher's quick pick. */
  z.object({ type: z.literal('retryWith'), id: Id, model: z.optional(Id) }),
  /** Show alternative `index` (0-based) of the answer `id`; the conversation continues from the one shown. */
  z.object({ type: z.literal('showAlternative'), id: Id, index: z.number().check(z.int(), z.gte(0), z.lte(1000)) }),
  z.object({ type: z.literal('newChat') }),
  /** The full quick-pick switcher. */
  z.object({ type: z.literal('switchModel') }),
  /** A pick in the header's model picker. */
  z.object({ type: z.literal('setModel'), model: Id }),
  /** Apply code block `block` (0-based, in document order) of an answer. */
  z.object({ type: z.literal('apply'), id: Id, block: z.number().check(z.int(), z.gte(0), z.lte(10_000)), mode: ApplyModeSchema }),
  z.object({ type: z.literal('attach'), what: z.enum(['selection', 'file']) }),
  z.object({ type: z.literal('removeChip'), id: Id }),
  z.object({ type: z.literal('openConversation'), id: Id }),
  z.object({ type: z.literal('renameConversation'), id: Id }),
  z.object({ type: z.literal('deleteConversation'), id: Id }),
  /** The action button of an entry's inline error. */
  z.object({ type: z.literal('errorAction'), id: Id }),
  /** A click on a link in an answer; the host opens it in the browser (http(s) only). */
  z.object({ type: z.literal('openLink'), url: HttpUrlSchema }),
]);
export type ChatToHost = z.infer<typeof ChatToHostSchema>;
