/**
 * The heavy half of the extension, loaded on first use (see activate.ts): builds the App,
 * maps command ids to handlers, runs the first-run offers, serves VS Code's chat.
 */
import * as vscode from 'vscode';
import type { SwitchboardConfig } from '../core/config.ts';
import type { ChatState } from '../protocol/chat.ts';
import type { ChatController } from './chat/controller.ts';
import { App, type NoticeLevel, type Shell } from './app.ts';
import type { CommandId } from './commandIds.ts';
import { commandHandlers } from './commands.ts';
import { firstRunOffers } from './keysFlow.ts';
import { countTokens, languageModelInfos, provideResponse } from './lmProvider.ts';
import type { PickEntry } from './modelItems.ts';

/** What other code in the extension host (the integration tests) can read. Never keys. */
export interface SwitchboardServices {
  modelPickItems(): PickEntry[];
  currentModel(): string | null;
  settingsProblems(): string[];
  /** The settings the client runs with, whether the workspace's values count (trust), verbose logging. */
  effectiveSettings(): { config: SwitchboardConfig; trusted: boolean; verbose: boolean };
  notices(): { level: NoticeLevel; text: string }[];
  chatState(): ChatState;
  /** The chat itself (integration tests drive it without the webview). */
  chat(): ChatController;
  /** Provider ids with a stored key. */
  keyProviders(): string[];
  session(): { usd: number; requests: number; unknownCost: number };
  /** Provider ids the client currently runs with. */
  providers(): string[];
  languageModels(): vscode.LanguageModelChatInformation[];
}

export class Main {
  readonly app: App;
  private readonly handlers: Record<CommandId, (...args: unknown[]) => unknown>;

  private constructor(app: App) {
    this.app = app;
    this.handlers = commandHandlers(app);
  }

  static async start(shell: Shell): Promise<Main> {
    const t0 = performance.now();
    const app = await App.create(shell);
    shell.context.subscriptions.push(app);
    const main = new Main(app);
    shell.log.info(`Services loaded in ${(performance.now() - t0).toFixed(1)} ms`);
    return main;
  }

  async run(id: CommandId, args: unknown[]): Promise<unknown> {
    try {
      return await this.handlers[id](...args);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.app.log.error(`${id} failed: ${e instanceof Error && e.stack ? e.stack : message}`);
      void this.app.notify('error', `Switchboard: ${message}`);
      return undefined;
    }
  }

  /** Background work after activation: first-run offers, a stale catalog refreshed. */
  async afterActivation(): Promise<void> {
    try {
      await firstRunOffers(this.app);
    } catch (e) {
      this.app.log.warn(`First-run offers failed: ${(e as Error).message}`);
    }
  }

  lmInfos(): vscode.LanguageModelChatInformation[] {
    try {
      return languageModelInfos(this.app);
    } catch (e) {
      this.app.log.warn(`Could not list models for VS Code's chat: ${(e as Error).message}`);
      return [];
    }
  }

  lmResponse(...args: [vscode.LanguageModelChatInformation, readonly vscode.LanguageModelChatRequestMessage[], vscode.ProvideLanguageModelChatResponseOptions, vscode.Progress<vscode.LanguageModelResponsePart>, vscode.CancellationToken]): Promise<void> {
    return provideResponse(this.app, ...args);
  }

  lmTokenCount(text: string | vscode.LanguageModelChatRequestMessage): number {
    return countTokens(text);
  }

  services(): SwitchboardServices {
    const app = this.app;
    return {
      modelPickItems: () => app.modelPickItems(),
      currentModel: () => app.currentModel(),
      settingsProblems: () => [...app.settings.problems],
      effectiveSettings: () => ({ config: app.settings.config, trusted: app.trusted, verbose: app.verbose }),
      notices: () => [...app.notices],
      chatState: () => app.chat.state(),
      chat: () => app.chat,
      keyProviders: () => app.keys.ids(),
      session: () => ({ ...app.session }),
      providers: () => app.client().providers.map((p) => p.id),
      languageModels: () => languageModelInfos(app),
    };
  }
}

export type { Shell };
