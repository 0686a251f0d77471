/**
 * Switchboard's models and routes for VS Code's own chat (and agent mode), through the
 * language-model chat provider API. Requests go through the same client, so failover, costs,
 * budgets, the usage ledger and the request log apply. The translation itself is pure and lives
 * in lmMapping.ts; this file only sorts VS Code's part classes and talks to VS Code.
 */
import * as vscode from 'vscode';
import { estimateTokens, isBudgetAlertMessage } from '../core/index.ts';
import type { ModelCapabilities } from '../core/index.ts';
import { ROUTE_PREFIX } from '../core/index.ts';
import type { SwitchboardClient } from '../core/index.ts';
import { inBackground } from './common/background.ts';
import type { FeatureHost } from './featureHost.ts';
import { formatContextPhrase, formatPrice } from '../shared/format.ts';
import {
  fromModelOptions,
  lmModelInfo,
  LmRequestError,
  messageTokens,
  parseToolInput,
  toCoreMessages,
  toToolChoice,
  toToolDefinitions,
  TurnMemory,
  type LmMessage,
  type LmPart,
} from './common/lmMapping.ts';

/** What VS Code's chat provider uses (main.ts wires it to the services). */
export type LmHost = Pick<FeatureHost, 'client' | 'currentModel' | 'log' | 'notify' | 'recentModels' | 'recordResult'>;

/** At most this many models are offered, recent ones first (OpenRouter alone lists hundreds). */
const MAX_MODELS = 60;

/** Reasoning and signatures of answers with tool calls, for the next turn of agent mode's loop. */
const memory = new TurnMemory();

/** The catalog's capabilities for a model or route (a route: the most restrictive of its members). */
function capabilitiesOf(client: SwitchboardClient, id: string): ModelCapabilities {
  return client.catalog.capabilities(id);
}

export function languageModelInfos(app: LmHost): vscode.LanguageModelChatInformation[] {
  const client = app.client();
  const recent = app.recentModels();
  const current = app.currentModel();
  const rank = (id: string): number => (id === current ? -1 : recent.includes(id) ? recent.indexOf(id) : recent.length);
  const models = client.catalog
    .list()
    // VS Code's own models (Copilot's…) are VS Code's to offer: giving them back under Switchboard's name would make a loop.
    .filter((m) => m.available && m.source !== 'host')
    .sort((a, b) => rank(a.id) - rank(b.id) || a.id.localeCompare(b.id))
    .slice(0, MAX_MODELS);
  const infos: vscode.LanguageModelChatInformation[] = client.resolver.routeList.map((r) => {
    const id = ROUTE_PREFIX + r.id;
    const info = lmModelInfo(capabilitiesOf(client, id));
    return {
      id,
      name: `Route: ${r.id}`,
      family: 'switchboard-route',
      version: '1',
      detail: `${r.strategy}: ${r.models.join(' → ')}`,
      tooltip: `Switchboard route "${r.id}" (${r.strategy}): ${r.models.join(' → ')}${info.limitNote ? ` — ${info.limitNote}` : ''}`,
      maxInputTokens: info.maxInputTokens,
      maxOutputTokens: info.maxOutputTokens,
      capabilities: info.capabilities,
    };
  });
  for (const m of models) {
    const info = lmModelInfo(capabilitiesOf(client, m.id));
    infos.push({
      id: m.id,
      name: m.name,
      family: m.providerId,
      version: m.model,
      detail: formatPrice(m.price),
      tooltip: `${m.id} via Switchboard — ${info.limitNote ?? formatContextPhrase(m.contextLength)}, ${formatPrice(m.price)}`,
      maxInputTokens: info.maxInputTokens,
      maxOutputTokens: info.maxOutputTokens,
      capabilities: info.capabilities,
    });
  }
  return infos;
}

/** One of VS Code's part objects → an LmPart (VS Code passes `unknown` for parts it may add later). */
export function classifyPart(part: unknown): LmPart {
  if (part instanceof vscode.LanguageModelTextPart) return { kind: 'text', value: part.value };
  if (part instanceof vscode.LanguageModelToolCallPart) return { kind: 'toolCall', callId: part.callId, name: part.name, input: part.input };
  if (part instanceof vscode.LanguageModelToolResultPart) return { kind: 'toolResult', callId: part.callId, content: part.content.map(classifyPart) };
  if (part instanceof vscode.LanguageModelDataPart) return { kind: 'data', mimeType: part.mimeType, data: part.data };
  // Proposed API classes, present in some VS Code builds: the same shapes as their stable cousins.
  const proposed = vscode as unknown as Record<string, (abstract new (...args: never[]) => unknown) | undefined>;
  const ToolResult2 = proposed.LanguageModelToolResultPart2;
  if (ToolResult2 && part instanceof ToolResult2) {
    const r = part as { callId: string; content: unknown[] };
    return { kind: 'toolResult', callId: r.callId, content: r.content.map(classifyPart) };
  }
  const Thinking = proposed.LanguageModelThinkingPart;
  if (Thinking && part instanceof Thinking) {
    const v = (part as { value: string | string[] }).value;
    return { kind: 'reasoning', text: Array.isArray(v) ? v.join('') : String(v) };
  }
  if (part instanceof vscode.LanguageModelPromptTsxPart) return { kind: 'unsupported', what: 'a prompt-tsx element', approxText: safeJson(part.value) };
  const name = (part as { constructor?: { name?: string } } | null)?.constructor?.name;
  return { kind: 'unsupported', what: `a part of an unknown kind (${name ?? typeof part})`, approxText: safeJson(part) };
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return '';
  }
}

function roleOf(role: vscode.LanguageModelChatMessageRole): LmMessage['role'] {
  // System (3) is a proposed role; anything that is neither user nor assistant is treated as instructions.
  return role === vscode.LanguageModelChatMessageRole.User ? 'user' : role === vscode.LanguageModelChatMessageRole.Assistant ? 'assistant' : 'system';
}

export function toLmMessages(messages: readonly vscode.LanguageModelChatRequestMessage[]): LmMessage[] {
  return messages.map((m) => ({ role: roleOf(m.role), ...(m.name ? { name: m.name } : {}), parts: m.content.map(classifyPart) }));
}

/** Warnings already shown this session (a warning on every turn of an agent loop would be noise). */
const shownWarnings = new Set<string>();

export async function provideResponse(
  app: LmHost,
  model: vscode.LanguageModelChatInformation,
  messages: readonly vscode.LanguageModelChatRequestMessage[],
  options: vscode.ProvideLanguageModelChatResponseOptions,
  progress: vscode.Progress<vscode.LanguageModelResponsePart>,
  token: vscode.CancellationToken,
): Promise<void> {
  const warn = (message: string): void => {
    // Budget alerts are shown once by the spend service (services/spend.ts), whichever request fired them.
    if (isBudgetAlertMessage(message)) return;
    app.log.warn(`VS Code chat (${model.id}): ${message}`);
    if (shownWarnings.has(message)) return;
    shownWarnings.add(message);
    inBackground(app.notify('warning', `Switchboard (${model.id}): ${message}`), app.log, 'the VS Code chat warning');
  };
  const controller = new AbortController();
  const sub = token.onCancellationRequested(() => controller.abort());
  try {
    const tools = toToolDefinitions(options.tools ?? []);
    const toolChoice = toToolChoice(options.toolMode, tools.length, model.id);
    const generation = fromModelOptions(options.modelOptions, model.id);
    const mapped = toCoreMessages(toLmMessages(messages), model.id, memory);
    for (const w of [...generation.warnings, ...mapped.warnings]) warn(w);
    const stream = app.client().stream({
      ...generation.options,
      model: model.id,
      messages: mapped.messages,
      ...(tools.length ? { tools } : {}),
      ...(toolChoice ? { toolChoice } : {}),
      signal: controller.signal,
      frontEnd: 'vscode-lm',
    });
    for await (const part of stream) {
      if (part.type === 'text-delta') {
        if (part.text) progress.report(new vscode.LanguageModelTextPart(part.text));
      } else if (part.type === 'warning') warn(part.message);
    }
    const r = await stream.result;
    app.recordResult('vscode-chat', r, mapped.messages);
    for (const w of r.warnings) warn(w);
    if (r.error) {
      if (r.error.kind === 'aborted') return;
      throw new Error(r.error.message);
    }
    // Tool calls go to VS Code complete, with their input parsed: VS Code runs the tool with it.
    memory.remember(r.content);
    for (const call of r.toolCalls)
      progress.report(new vscode.LanguageModelToolCallPart(call.id, call.name, parseToolInput(call.name, call.arguments, r.answeredBy ?? model.id)));
  } catch (e) {
    if (e instanceof LmRequestError) app.log.warn(`VS Code chat: ${e.message}`);
    throw e;
  } finally {
    sub.dispose();
  }
}

export function countTokens(text: string | vscode.LanguageModelChatRequestMessage): number {
  if (typeof text === 'string') return estimateTokens(text);
  return messageTokens(toLmMessages([text])[0]!);
}
