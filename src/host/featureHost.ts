/**
 * What the extension's features may ask for. Each feature takes only the members it uses
 * (`Pick<FeatureHost, ...>`, like Applier's two-member Host), so it can be built and tested with
 * just those; main.ts wires them to the services (src/host/services/), which own the state and
 * publish change events. Types only: no feature imports main.ts or another feature's host.
 */
import type * as vscode from 'vscode';
import type { Dispatcher } from 'undici';
import type { ChatMessage, ChatResult, ResolvedProvider, SwitchboardClient, UsageStore } from '../core/index.ts';
import type { Applier } from './apply.ts';
import type { KeyStore } from './keyStore.ts';
import type { PickEntry } from './common/modelItems.ts';
import type { SessionTotals, SpendView } from './services/spend.ts';
import type { FlagName, NoticeLevel } from './services/notifier.ts';
import type { SettingsResult } from './common/settingsModel.ts';
import type { WalkthroughStep } from './services/walkthrough.ts';
import type { RememberedAllow, WorkspaceKeyEnv, WorkspaceRedirect } from './common/workspaceOverrides.ts';

export type { FlagName, NoticeLevel, SessionTotals, SpendView, WalkthroughStep };

export interface FeatureHost {
  readonly context: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  readonly keys: KeyStore;
  readonly ledger: UsageStore;
  readonly applier: Applier;
  /** The switchboard.* settings as last read (invalid parts dropped, see problems). */
  readonly settings: SettingsResult;

  // Client and keys (services/clients.ts)
  keyFor(p: ResolvedProvider): string | undefined;
  client(): SwitchboardClient;
  /** The window's connection pool (through the proxy, when one is set): for requests made outside the client, such as a key check. */
  connections(): Dispatcher;
  /**
   * Providers of the trusted workspace's settings that would send one of the user's environment
   * variables to a URL of the workspace's choosing (settingsSource.ts), and whether the user allowed it.
   */
  workspaceKeyEnvs(): (WorkspaceKeyEnv & { allowed: boolean })[];
  /** Remember (for this workspace) that the user allowed it; the settings are read again. */
  allowWorkspaceKeyEnv(k: WorkspaceKeyEnv): Promise<void>;
  /**
   * Providers the trusted workspace's settings send to another URL than the user's (or the preset's),
   * whose stored key goes there only once allowed (settingsSource.ts), and whether the user allowed it.
   */
  workspaceRedirects(): (WorkspaceRedirect & { allowed: boolean })[];
  /** Remember (for this workspace) that the user allowed it; the settings are read again. */
  allowWorkspaceRedirect(r: WorkspaceRedirect): Promise<void>;
  /** The user answered Don't Allow (or cancelled): not asked again at a request in this window. */
  declineWorkspaceRedirect(r: WorkspaceRedirect): void;
  /** Every Allow remembered for this workspace (a variable read, a URL the key goes to). */
  rememberedWorkspaceAllows(): RememberedAllow[];
  /** Forget these Allows (the next request or import asks again); the settings are read again. Resolves to the keys forgotten. */
  revokeWorkspaceAllows(keys: readonly string[]): Promise<string[]>;
  /** Tell VS Code's chat that Switchboard's models changed. */
  fireModelsChanged(): void;

  // Model choice and recents (services/modelChoice.ts, services/modelList.ts)
  currentModel(): string | null;
  /** No model yet: ask for one with the switcher. */
  pickModelInteractively(): Promise<string | undefined>;
  recentModels(): string[];
  setCurrentModel(id: string): Promise<void>;
  markUsed(id: string): Promise<void>;
  lastCompareModels(): string[];
  setLastCompareModels(ids: string[]): Promise<void>;
  modelPickItems(): PickEntry[];
  modelDetail(id: string | null): string | null;

  // Spend and status (services/spend.ts): the spend session and the totals, from the ledger
  recordResult(source: string, r: ChatResult, messages?: readonly ChatMessage[]): void;
  spendView(): SpendView;
  startNewSpendSession(): Promise<SpendView>;
  updateStatus(): void;

  // Notifications and first-run flags (services/notifier.ts)
  notify(level: NoticeLevel, text: string, ...actions: string[]): Promise<string | undefined>;
  /** A modal warning (`detail` below it); resolves to the button picked, undefined when cancelled. */
  confirm(text: string, detail: string, ...actions: string[]): Promise<string | undefined>;
  /** A message with no buttons that nobody waits for; a failure to show it is logged. */
  tell(level: NoticeLevel, text: string): void;
  flag(name: FlagName): boolean;
  setFlag(name: FlagName, value: boolean): Promise<void>;
  /** A walkthrough step succeeded (a key verified, a model chosen…): its tick (services/walkthrough.ts). */
  stepDone(step: WalkthroughStep): void;
}
