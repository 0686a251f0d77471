/**
 * Switchboard's models and routes for VS Code's own chat, through the language-model chat
 * provider API. Requests go through the same client, so failover, costs and budgets apply.
 */
import * as vscode from 'vscode';
import { estimateTokens } from '../core/catalog/cost.ts';
import { ROUTE_PREFIX } from '../core/resolve.ts';
import type { ChatMessage } from '../core/types.ts';
import type { App } from './app.ts';
import { formatContextPhrase, formatPrice } from './format.ts';

/** At most this many models are offered, recent ones first (OpenRouter alone lists hundreds). */
const MAX_MODELS = 60;
const DEFAULT_CONTEXT = 128_000;
const DEFAULT_OUTPUT = 8_192;

export function languageModelInfos(app: App): vscode.LanguageModelChatInformation[] {
  const client = app.client();
  const recent = app.recentModels();
  const current = app.currentModel();
  const rank = (id: string): number => (id === current ? -1 : recent.includes(id) ? recent.indexOf(id) : recent.length);
  const models = client.catalog
    .list()
    .filter((m) => m.available)
    .sort((a, b) => rank(a.id) - rank(b.id) || a.id.localeCompare(b.id))
    .slice(0, MAX_MODELS);
  const infos: vscode.LanguageModelChatInformation[] = client.resolver.routeList.map((r) => ({
    id: ROUTE_PREFIX + r.id,
    name: `Route: ${r.id}`,
    family: 'switchboard-route',
    version: '1',
    detail: `${r.strategy}: ${r.models.join(' → ')}`,
    tooltip: `Switchboard route "${r.id}" (${r.strategy}): ${r.models.join(' → ')}`,
    maxInputTokens: Math.min(...r.models.map((m) => client.catalog.get(m)?.contextLength ?? DEFAULT_CONTEXT)),
    maxOutputTokens: DEFAULT_OUTPUT,
    capabilities: {},
  }));
  for (const m of models) {
    const context = m.contextLength ?? DEFAULT_CONTEXT;
    const output = Math.min(m.maxOutput ?? DEFAULT_OUTPUT, context);
    infos.push({
      id: m.id,
      name: m.name,
      family: m.providerId,
      version: m.model,
      detail: formatPrice(m.price),
      tooltip: `${m.id} via Switchboard — ${formatContextPhrase(m.contextLength)}, ${formatPrice(m.price)}`,
      maxInputTokens: Math.max(1, context - output),
      maxOutputTokens: output,
      capabilities: {},
    });
  }
  return infos;
}

/** VS Code's messages → the core's: text parts joined; tool results as text; other parts skipped. */
export function toChatMessages(messages: readonly vscode.LanguageModelChatRequestMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const m of messages) {
    let text = '';
    for (const part of m.content) {
      if (part instanceof vscode.LanguageModelTextPart) text += part.value;
      else if (part instanceof vscode.LanguageModelToolResultPart) {
        for (const c of part.content) if (c instanceof vscode.LanguageModelTextPart) text += c.value;
      }
    }
    const role = m.role === vscode.LanguageModelChatMessageRole.Assistant ? 'assistant' : m.role === vscode.LanguageModelChatMessageRole.User ? 'user' : 'system';
    out.push({ role, content: text });
  }
  return out;
}

export async function provideResponse(
  app: App,
  model: vscode.LanguageModelChatInformation,
  messages: readonly vscode.LanguageModelChatRequestMessage[],
  progress: vscode.Progress<vscode.LanguageModelResponsePart>,
  token: vscode.CancellationToken,
): Promise<void> {
  const controller = new AbortController();
  const sub = token.onCancellationRequested(() => controller.abort());
  const chatMessages = toChatMessages(messages);
  try {
    const stream = app.client().stream({ model: model.id, messages: chatMessages, signal: controller.signal, frontEnd: 'vscode-lm' });
    for await (const part of stream) {
      if (part.type === 'text-delta') progress.report(new vscode.LanguageModelTextPart(part.text));
    }
    const r = await stream.result;
    app.recordResult('vscode-chat', r, chatMessages);
    if (r.error && r.error.kind !== 'aborted') throw new Error(r.error.message);
  } finally {
    sub.dispose();
  }
}

export function countTokens(text: string | vscode.LanguageModelChatRequestMessage): number {
  if (typeof text === 'string') return estimateTokens(text);
  return toChatMessages([text]).reduce((n, m) => n + estimateTokens(typeof m.content === 'string' ? m.content : ''), 4);
}
