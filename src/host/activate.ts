/**
 * Activation, kept small: register the commands, the chat view and the language-model provider
 * with handlers that load the rest of the extension (main.ts: the core client, zod, undici) on
 * first use, show the status bar, and load the services in the background right after.
 */
import * as vscode from 'vscode';
import { COMMAND_IDS } from './common/commandIds.ts';
import type { Main, SwitchboardServices } from './main.ts';
import { redactingLog } from './redactingLog.ts';
import { StatusBar } from './statusBar.ts';

const CHAT_VIEW_ID = 'switchboard.chat';
const LM_VENDOR = 'switchboard';
const COMPARE_VIEW_TYPE = 'switchboard.compare';
const EVAL_VIEW_TYPE = 'switchboard.eval';

/** What `activate()` returns (the extension's exports). */
export interface SwitchboardApi {
  /** How long activate() took, ms. */
  readonly activationMs: number;
  /** Whether Switchboard's models were registered with VS Code's chat (false where the API is missing). */
  readonly languageModelsRegistered: boolean;
  /** The loaded services (loading them if needed). */
  services(): Promise<SwitchboardServices>;
}

export function activateSwitchboard(context: vscode.ExtensionContext): SwitchboardApi {
  const t0 = performance.now();
  const log = redactingLog(vscode.window.createOutputChannel('Switchboard', { log: true }));
  const status = new StatusBar();
  const lmChanged = new vscode.EventEmitter<void>();
  context.subscriptions.push(log, status, lmChanged);
  const saved =
    context.globalState.get<string>('switchboard.currentModel') ?? vscode.workspace.getConfiguration('switchboard').get<string>('defaultModel') ?? null;
  status.update({ model: saved || null, detail: null, spend: null });

  let loading: Promise<Main> | undefined;
  const load = (): Promise<Main> =>
    (loading ??= import('./main.ts')
      .then((m) => m.Main.start({ context, log, status, lmChanged }))
      .catch((e: unknown) => {
        loading = undefined;
        log.error(`Switchboard failed to start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        throw e;
      }));

  for (const id of COMMAND_IDS) {
    context.subscriptions.push(vscode.commands.registerCommand(id, async (...args: unknown[]) => (await load()).run(id, args)));
  }
  context.subscriptions.push(
    vscode.window.registerWebviewViewProvider(CHAT_VIEW_ID, {
      resolveWebviewView: async (view) => (await load()).app.chat.resolve(view),
    }),
    // A window reload brings comparison panels back with their last run (onWebviewPanel:switchboard.compare).
    vscode.window.registerWebviewPanelSerializer(COMPARE_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => {
        (await load()).app.compare.restore(panel, state);
      },
    }),
    // …and test-set panels with their last run (onWebviewPanel:switchboard.eval).
    vscode.window.registerWebviewPanelSerializer(EVAL_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => {
        (await load()).restoreEval(panel, state);
      },
    }),
  );

  // VS Code's chat: feature-detected, so older hosts (and VS Code forks) degrade quietly.
  let languageModelsRegistered = false;
  if (typeof vscode.lm?.registerLanguageModelChatProvider === 'function') {
    try {
      context.subscriptions.push(
        vscode.lm.registerLanguageModelChatProvider(LM_VENDOR, {
          onDidChangeLanguageModelChatInformation: lmChanged.event,
          provideLanguageModelChatInformation: async () => (await load()).lmInfos(),
          provideLanguageModelChatResponse: async (model, messages, options, progress, token) =>
            (await load()).lmResponse(model, messages, options, progress, token),
          provideTokenCount: async (_model, text) => (await load()).lmTokenCount(text),
        }),
      );
      languageModelsRegistered = true;
    } catch (e) {
      log.info(`VS Code's chat model API is not available here: ${(e as Error).message}`);
    }
  } else log.info("VS Code's chat model API is not available here; Switchboard's own chat still works");

  const activationMs = performance.now() - t0;
  log.info(`Switchboard activated in ${activationMs.toFixed(1)} ms (services load in the background)`);
  // After activation returns: settings warnings and first-run offers need the services.
  setTimeout(() => {
    load().then(
      (m) => m.afterActivation(),
      () => undefined,
    );
  }, 0);

  return {
    activationMs,
    languageModelsRegistered,
    services: async () => (await load()).services(),
  };
}
