/**
 * The models already in VS Code (Copilot's, other extensions') as a Switchboard provider: a
 * HostModelSource for the core (src/core/hostModels.ts), so `vscode/<vendor>/<family-or-id>` ids
 * work in the switcher, the chat, comparisons and routes like any other. Their use is included in
 * the user's subscription: no dollar price, left out of budgets.
 *
 * Consent: VS Code asks the user the first time an extension uses another's models. That prompt
 * is raised when the user picks such a model (prepare()), never at activation or while listing;
 * a refusal is remembered for the session, so requests fail at once with the fix instead of
 * asking again and again, until the user picks the model again.
 */
import * as vscode from 'vscode';
import { SwitchboardError, type HostModelInfo, type HostModelSource, type LanguageModel, type ModelRequest, type ModelStreamPart } from '../core/index.ts';
import { inBackground } from './common/background.ts';
import { VSCODE_PROVIDER_ID } from './common/settingsModel.ts';
import { Emitter, type Log } from './services/events.ts';
import { fromCoreRequest, vendorLabel, vscodeModelKeys, type LmMessage, type LmPart } from './common/lmMapping.ts';

export const VSCODE_SOURCE_ID = VSCODE_PROVIDER_ID;
/** Switchboard's own vendor: its models are never offered back to itself (a loop). */
export const OWN_VENDOR = 'switchboard';

/** What VS Code shows in its consent prompt. */
export const JUSTIFICATION = 'Switchboard sends the chats and comparisons you start with this model to it.';

interface Entry {
  /** `<vendor>/<family-or-id>`. */
  model: string;
  chat: vscode.LanguageModelChat;
  info: HostModelInfo;
}

/** The runtime object has capabilities that the stable typings do not declare yet. */
type ChatWithCapabilities = vscode.LanguageModelChat & { capabilities?: { supportsToolCalling?: boolean; supportsImageToText?: boolean } };

export class VscodeModels implements HostModelSource, vscode.Disposable {
  readonly id = VSCODE_SOURCE_ID;
  readonly name = 'VS Code';
  readonly billing = 'included' as const;
  private entries: Entry[] = [];
  /** Vendors whose models VS Code refused to Switchboard this session, with the message. */
  private readonly refused = new Map<string, string>();
  /** Access checks under way, by vendor: a request made meanwhile waits for the answer (one prompt, not two). */
  private readonly asking = new Map<string, Promise<unknown>>();
  private readonly changed = new Emitter<void>();
  /** The list changed (an extension added or removed models, or signed in or out). */
  readonly onDidChange = this.changed.event;
  private readonly subs: vscode.Disposable[] = [];
  private readonly log: Log;
  private loading: Promise<void> | null = null;
  private disposed = false;

  constructor(log: Log) {
    this.log = log;
    if (typeof vscode.lm?.onDidChangeChatModels === 'function')
      this.subs.push(vscode.lm.onDidChangeChatModels(() => inBackground(this.refresh(), log, "Listing VS Code's language models")));
  }

  /** Reads VS Code's models (selectChatModels never asks for consent); resolves when listed. Never throws. */
  refresh(): Promise<void> {
    const run = async (): Promise<void> => {
      if (typeof vscode.lm?.selectChatModels !== 'function') return;
      let chats: vscode.LanguageModelChat[];
      try {
        chats = (await vscode.lm.selectChatModels()).filter((c) => c.vendor !== OWN_VENDOR);
      } catch (e) {
        this.log.warn(`Could not list VS Code's language models: ${(e as Error).message}`);
        return;
      }
      if (this.disposed) return;
      const keys = vscodeModelKeys(chats);
      const next = chats.map((chat, i): Entry => {
        const caps = (chat as ChatWithCapabilities).capabilities;
        return {
          model: keys[i]!,
          chat,
          info: {
            model: keys[i]!,
            name: chat.name,
            capabilities: {
              // Unknown means "may call tools" (one that cannot says so), "no images", as for any unknown model.
              toolCalling: caps?.supportsToolCalling ?? true,
              imageInput: caps?.supportsImageToText ?? false,
              pdfInput: false,
              reasoning: false,
              structuredOutput: false,
              contextWindow: chat.maxInputTokens > 0 ? chat.maxInputTokens : null,
              maxOutputTokens: null,
            },
          },
        };
      });
      const before = JSON.stringify(this.entries.map((e) => e.info));
      this.entries = next;
      if (JSON.stringify(next.map((e) => e.info)) !== before) {
        this.log.info(`VS Code's language models: ${next.map((e) => `${VSCODE_SOURCE_ID}/${e.model}`).join(', ') || 'none'}`);
        this.changed.fire();
      }
    };
    // One listing at a time; a change during one is read by the next.
    const p = (this.loading ?? Promise.resolve()).then(run);
    this.loading = p.finally(() => {
      if (this.loading === p) this.loading = null;
    });
    return p;
  }

  list(): readonly HostModelInfo[] {
    return this.entries.map((e) => e.info);
  }

  /** The VS Code model behind `vendor/family-or-id`, if VS Code still offers it. */
  chat(model: string): vscode.LanguageModelChat | undefined {
    return this.entries.find((e) => e.model === model)?.chat;
  }

  createModel(model: string): LanguageModel {
    return new VscodeChatModel(this, model);
  }

  /** The message a request to a refused vendor fails with, or null (after any access check under way). */
  async refusal(vendor: string): Promise<string | null> {
    await this.asking.get(vendor);
    return this.refused.get(vendor) ?? null;
  }

  refuse(vendor: string, message: string): void {
    this.refused.set(vendor, message);
  }

  /**
   * The user picked one of these models: the moment VS Code's consent prompt makes sense. VS Code
   * checks access (and asks the user when needed) inside sendRequest, before it starts the request;
   * a token that is already cancelled, and that cancels whatever listens to it at once, stops the
   * request right after that check, before anything is sent to the model: nothing is used up.
   * (VS Code's own cancelled token tells its listeners a tick later, too late to stop the start.)
   * Forgets an earlier refusal, so picking the model again is how the user says yes after a no.
   */
  async prepare(id: string): Promise<{ ok: true } | { ok: false; error: SwitchboardError }> {
    const model = id.slice(VSCODE_SOURCE_ID.length + 1);
    if (!this.chat(model)) await this.refresh();
    const chat = this.chat(model);
    if (!chat) return { ok: false, error: notFound(model, 'it is not among the models VS Code offers now') };
    this.refused.delete(chat.vendor);
    const asked = chat.sendRequest([vscode.LanguageModelChatMessage.User('')], { justification: JUSTIFICATION }, ALREADY_CANCELLED);
    const settled = Promise.resolve(asked).catch(() => undefined);
    this.asking.set(chat.vendor, settled);
    settled
      .finally(() => {
        if (this.asking.get(chat.vendor) === settled) this.asking.delete(chat.vendor);
      })
      .catch(() => undefined);
    try {
      await asked;
      // Not expected: this VS Code started the request anyway (and cancelled it at once).
      this.log.warn(`VS Code started a request to ${id} while Switchboard only asked for access; it was cancelled at once`);
      return { ok: true };
    } catch (e) {
      const error = toSwitchboardError(e, this, chat, model);
      return error.kind === 'aborted' ? { ok: true } : { ok: false, error };
    }
  }

  dispose(): void {
    this.disposed = true;
    for (const s of this.subs) s.dispose();
    this.changed.dispose();
  }
}

/** Cancelled from the start, and says so to a listener the moment it subscribes (see prepare()). */
const ALREADY_CANCELLED: vscode.CancellationToken = {
  isCancellationRequested: true,
  onCancellationRequested: (listener: (e: unknown) => unknown, thisArgs?: unknown) => {
    listener.call(thisArgs, undefined);
    return { dispose: () => undefined };
  },
};

function notFound(model: string, why: string): SwitchboardError {
  return new SwitchboardError({
    kind: 'not_found',
    message: `VS Code has no model ${VSCODE_SOURCE_ID}/${model}: ${why}`,
    provider: VSCODE_SOURCE_ID,
    model,
    fix: 'the extension that provides it may be disabled, still starting or signed out: enable it or sign in, or pick another model',
  });
}

const isCancellation = (e: unknown): boolean => e instanceof vscode.CancellationError || (e instanceof Error && e.name === 'Canceled');

/** VS Code's LanguageModelError codes (and anything else a provider throws) → Switchboard's error kinds, with the fix. */
export function toSwitchboardError(e: unknown, source: VscodeModels, chat: vscode.LanguageModelChat, model: string): SwitchboardError {
  if (e instanceof SwitchboardError) return e;
  if (isCancellation(e)) return new SwitchboardError({ kind: 'aborted', message: 'the request was cancelled', provider: VSCODE_SOURCE_ID, model });
  const detail = e instanceof Error ? e.message : String(e);
  const vendor = vendorLabel(chat.vendor);
  const code = e instanceof vscode.LanguageModelError || (e instanceof Error && e.name === 'LanguageModelError') ? (e as vscode.LanguageModelError).code : null;
  if (code === vscode.LanguageModelError.NoPermissions.name) {
    const error = new SwitchboardError({
      kind: 'permission',
      message: `VS Code has not allowed Switchboard to use ${vendor}'s models (${detail})`,
      provider: VSCODE_SOURCE_ID,
      model,
      providerCode: code,
      fix: `pick the model again (Switchboard: Switch Model) and choose Allow when VS Code asks; until then Switchboard does not ask again`,
    });
    source.refuse(chat.vendor, error.message);
    return error;
  }
  if (code === vscode.LanguageModelError.Blocked.name)
    return new SwitchboardError({
      kind: 'rate_limit',
      message: `VS Code blocked Switchboard's request to ${vendor}'s model (${detail})`,
      provider: VSCODE_SOURCE_ID,
      model,
      providerCode: code,
      // Not the same model again now; a route may still fail over to another.
      shouldRetry: false,
      fix: `${vendor} limits how much its models may be used (a quota or a rate limit): wait a while, check your ${vendor} plan, or pick another model`,
    });
  if (code === vscode.LanguageModelError.NotFound.name) return notFound(model, detail);
  return new SwitchboardError({
    kind: 'server',
    message: detail || `${vendor}'s model failed without a message`,
    provider: VSCODE_SOURCE_ID,
    model,
    ...(code ? { providerCode: code } : {}),
    fix: 'retry, or pick another model',
    cause: e,
  });
}

/** One LmPart → VS Code's part class. */
function vscodePart(
  p: LmPart,
): vscode.LanguageModelTextPart | vscode.LanguageModelToolCallPart | vscode.LanguageModelToolResultPart | vscode.LanguageModelDataPart {
  switch (p.kind) {
    case 'text':
      return new vscode.LanguageModelTextPart(p.value);
    case 'toolCall':
      return new vscode.LanguageModelToolCallPart(p.callId, p.name, (p.input ?? {}) as object);
    case 'toolResult':
      return new vscode.LanguageModelToolResultPart(
        p.callId,
        p.content.map((c) => vscodePart(c)),
      );
    case 'data':
      return new vscode.LanguageModelDataPart(p.data, p.mimeType);
    default:
      // fromCoreRequest makes no other kinds.
      throw new SwitchboardError({ kind: 'internal', message: `cannot send a ${p.kind} part to VS Code's models` });
  }
}

export function toVscodeMessage(m: LmMessage): vscode.LanguageModelChatMessage {
  const parts = m.parts.map(vscodePart);
  return m.role === 'assistant'
    ? vscode.LanguageModelChatMessage.Assistant(
        parts as (vscode.LanguageModelTextPart | vscode.LanguageModelToolCallPart | vscode.LanguageModelDataPart)[],
        m.name,
      )
    : vscode.LanguageModelChatMessage.User(
        parts as (vscode.LanguageModelTextPart | vscode.LanguageModelToolResultPart | vscode.LanguageModelDataPart)[],
        m.name,
      );
}

/** The proposed thinking part, where this VS Code has it: another provider's reasoning, shown as such. */
const ThinkingPart = (vscode as unknown as Record<string, (abstract new (...args: never[]) => { value: string | string[] }) | undefined>)
  .LanguageModelThinkingPart;

/** One of VS Code's models as a core LanguageModel: streamed, cancellable, with tool calls and the model's own token counts. */
class VscodeChatModel implements LanguageModel {
  readonly providerId = VSCODE_SOURCE_ID;
  readonly modelId: string;
  private readonly source: VscodeModels;

  constructor(source: VscodeModels, model: string) {
    this.source = source;
    this.modelId = model;
  }

  async *stream(request: ModelRequest): AsyncIterable<ModelStreamPart> {
    const model = this.modelId;
    const chat = this.source.chat(model);
    if (!chat) throw notFound(model, 'it is not among the models VS Code offers now');
    const refusal = await this.source.refusal(chat.vendor);
    if (refusal)
      throw new SwitchboardError({
        kind: 'permission',
        message: refusal,
        provider: VSCODE_SOURCE_ID,
        model,
        fix: 'pick the model again (Switchboard: Switch Model) and choose Allow when VS Code asks',
      });
    const mapped = fromCoreRequest(request, `${VSCODE_SOURCE_ID}/${model}`);
    for (const message of mapped.warnings) yield { type: 'warning', message };
    const messages = mapped.messages.map(toVscodeMessage);
    const cts = new vscode.CancellationTokenSource();
    const onAbort = (): void => cts.cancel();
    if (request.signal?.aborted) cts.cancel();
    else request.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      // The model's own count of the prompt, asked while it answers.
      const inputTokens = countAll(chat, messages, cts.token);
      let response: vscode.LanguageModelChatResponse;
      try {
        response = await chat.sendRequest(
          messages,
          { justification: JUSTIFICATION, ...(mapped.tools.length ? { tools: mapped.tools, toolMode: mapped.toolMode } : {}) },
          cts.token,
        );
      } catch (e) {
        throw toSwitchboardError(e, this.source, chat, model);
      }
      let output = '';
      let calls = 0;
      const unknownKinds = new Set<string>();
      try {
        for await (const part of response.stream) {
          if (part instanceof vscode.LanguageModelTextPart) {
            if (!part.value) continue;
            output += part.value;
            yield { type: 'text-delta', text: part.value };
          } else if (part instanceof vscode.LanguageModelToolCallPart) {
            const args = JSON.stringify(part.input ?? {});
            output += part.name + args;
            yield { type: 'tool-call-delta', index: calls++, id: part.callId, name: part.name, argumentsDelta: args };
          } else if (ThinkingPart && part instanceof ThinkingPart) {
            const text = Array.isArray(part.value) ? part.value.join('') : String(part.value);
            output += text;
            if (text) yield { type: 'reasoning-delta', text };
          } else {
            const kind = part instanceof vscode.LanguageModelDataPart ? `data of type ${part.mimeType}` : ((part as object)?.constructor?.name ?? typeof part);
            if (!unknownKinds.has(kind)) {
              unknownKinds.add(kind);
              yield { type: 'warning', message: `${VSCODE_SOURCE_ID}/${model} answered with ${kind}, which Switchboard cannot show; it was left out` };
            }
          }
        }
      } catch (e) {
        throw toSwitchboardError(e, this.source, chat, model);
      }
      if (request.signal?.aborted) throw new SwitchboardError({ kind: 'aborted', message: 'the request was cancelled', provider: VSCODE_SOURCE_ID, model });
      const [input, out] = await Promise.all([inputTokens, countTokens(chat, output, cts.token)]);
      yield { type: 'usage', usage: { inputTokens: input, outputTokens: out } };
      yield { type: 'finish', finishReason: calls > 0 ? 'tool_calls' : 'stop', rawFinishReason: null };
    } finally {
      request.signal?.removeEventListener('abort', onAbort);
      cts.dispose();
    }
  }
}

/** The model's own token count of a text; null when it cannot say (never a guess presented as its count). */
async function countTokens(
  chat: vscode.LanguageModelChat,
  text: string | vscode.LanguageModelChatMessage,
  token: vscode.CancellationToken,
): Promise<number | null> {
  if (text === '') return 0;
  try {
    const n = await chat.countTokens(text, token);
    return Number.isInteger(n) && n >= 0 ? n : null;
  } catch {
    return null;
  }
}

async function countAll(chat: vscode.LanguageModelChat, messages: vscode.LanguageModelChatMessage[], token: vscode.CancellationToken): Promise<number | null> {
  const counts = await Promise.all(messages.map((m) => countTokens(chat, m, token)));
  return counts.some((n) => n === null) ? null : counts.reduce((a: number, b) => a + b!, 0);
}
