/**
 * The heavy half of the extension, loaded on first use (see activate.ts): the composition root.
 * Builds the services (src/host/services/: each owns one thing and announces its changes), wires
 * the features to them (each feature takes only what it uses, see featureHost.ts), maps command
 * ids to handlers, runs the first-run offers and serves VS Code's chat.
 */
import { join } from 'node:path';
import * as vscode from 'vscode';
import {
  defaultLedgerPath,
  LEADERBOARD_FILE,
  openLedgerAt,
  MemoryUsageStore,
  SwitchboardError,
  type ResolvedProvider,
  type SwitchboardClient,
  type SwitchboardConfig,
  type UsageStore,
} from '../core/index.ts';
import type { ChatState } from '../shared/protocol/chat.ts';
import { Applier } from './apply.ts';
import { ChatController } from './chat/controller.ts';
import type { CommandId } from './common/commandIds.ts';
import { commandHandlers, type CommandsHost } from './commands.ts';
import { CompareManager } from './compare/manager.ts';
import { EvalPanel, evalRoot } from './eval/panel.ts';
import type { FeatureHost, NoticeLevel } from './featureHost.ts';
import { KeyStore } from './keyStore.ts';
import { askRedirectConsent, firstRunOffers, offerVscodeModels, type StartingModel } from './keysFlow.ts';
import { countTokens, languageModelInfos, provideResponse } from './lmProvider.ts';
import type { PickEntry } from './common/modelItems.ts';
import { CatalogRefresher } from './services/catalogRefresh.ts';
import { ClientService } from './services/clients.ts';
import type { Disposable } from './services/events.ts';
import { ModelChoice } from './services/modelChoice.ts';
import { ModelList } from './services/modelList.ts';
import { FirstRunFlags, Notifier } from './services/notifier.ts';
import { WalkthroughProgress, type WalkthroughStep } from './services/walkthrough.ts';
import { SpendService, type SpendView } from './services/spend.ts';
import { spendStatus } from './common/spendStatus.ts';
import { validateSettings, WORKSPACE_SETTINGS } from './common/settingsModel.ts';
import { readSwitchboardSettings, warnOverridesOnce } from './settingsSource.ts';
import {
  keyEnvProblem,
  REVIEW_REDIRECTS_COMMAND,
  redirectKey,
  redirectProblem,
  redirectWhere,
  WorkspaceConsent,
  type WorkspaceKeyEnv,
  type WorkspaceRedirect,
} from './common/workspaceOverrides.ts';
import type { StatusBar } from './statusBar.ts';
import { showModelSwitcher } from './switcher.ts';
import { inBackground } from './common/background.ts';
import { proxyForVsCode, proxySettingsNotHonoured } from './common/proxySettings.ts';
import { VSCODE_SOURCE_ID, VscodeModels } from './vscodeModels.ts';

/** What the light activation code hands over. */
export interface Shell {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  status: StatusBar;
  /** Fired when the models offered to VS Code's chat change. */
  lmChanged: vscode.EventEmitter<void>;
}

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
  /** Every walkthrough step success in this window, oldest first (the first of each sets its context key). */
  walkthroughSuccesses(): WalkthroughStep[];
  session(): { usd: number; requests: number; unknownCost: number; included?: number };
  /** The spend session, the day's and month's totals (from the ledger) and the budget. */
  spend(): SpendView;
  /** Reads the totals from the ledger again (the status bar follows). */
  refreshSpend(): Promise<SpendView>;
  /** The status-bar item's text and tooltip as shown. */
  statusBar(): { text: string; tooltip: string };
  /** Provider ids the client currently runs with. */
  providers(): string[];
  languageModels(): vscode.LanguageModelChatInformation[];
  /** VS Code's own models as Switchboard offers them (`vscode/…` ids), once listed. */
  vscodeModels(): Promise<string[]>;
  /** The client the features use (tests make requests with tools through it). */
  client(): SwitchboardClient;
}

function showMessage(level: NoticeLevel, text: string, actions: string[], modal?: { detail: string }): Thenable<string | undefined> {
  if (modal) return vscode.window.showWarningMessage(text, { modal: true, detail: modal.detail }, ...actions);
  if (level === 'error') return vscode.window.showErrorMessage(text, ...actions);
  if (level === 'warning') return vscode.window.showWarningMessage(text, ...actions);
  return vscode.window.showInformationMessage(text, ...actions);
}

/**
 * The usage ledger every Switchboard process of the user shares (the CLI's and the gateway's:
 * ~/.local/share/switchboard/usage.sqlite, or $SWITCHBOARD_LEDGER), so the day's total and the
 * daily cap count them all. The extension's own ledger of earlier versions is copied in once.
 */
function sharedLedger(ownOld: string, log: vscode.LogOutputChannel): UsageStore {
  const store = openLedgerAt(process.env.SWITCHBOARD_LEDGER || defaultLedgerPath());
  try {
    const n = store.importLedgerOnce(ownOld);
    if (n !== null) log.info(`Usage ledger: ${n} entries of the extension's earlier ledger ${ownOld} copied into ${store.location}`);
  } catch (e) {
    log.warn(`Usage ledger: the extension's earlier ledger ${ownOld} could not be copied in (its spend is not counted): ${(e as Error).message}`);
  }
  return store;
}

/** The services and the features, wired. */
class Extension implements vscode.Disposable {
  readonly keys: KeyStore;
  readonly clients: ClientService;
  readonly choice: ModelChoice;
  readonly models: ModelList;
  readonly spend: SpendService;
  readonly notifier: Notifier;
  readonly flags: FirstRunFlags;
  readonly walkthrough: WalkthroughProgress;
  readonly refresher: CatalogRefresher;
  readonly host: CommandsHost;
  readonly chat: ChatController;
  readonly compare: CompareManager;
  readonly vscodeModels: VscodeModels;
  readonly shell: Shell;
  private readonly subs: (vscode.Disposable | Disposable)[] = [];
  /**
   * The user's Allow for a workspace provider's key variable or URL, and those variables and the
   * providers the workspace sends elsewhere as last read.
   */
  private readonly consent: WorkspaceConsent;
  private keyEnvs: WorkspaceKeyEnv[] = [];
  private redirects: WorkspaceRedirect[] = [];
  /** Redirects whose question is on screen, and those answered Don't Allow in this window (not asked again: the command asks). */
  private readonly asking = new Set<string>();
  private readonly declined = new Set<string>();

  constructor(shell: Shell) {
    this.shell = shell;
    const { context, log } = shell;
    const storage = context.globalStorageUri;
    const onDisk = storage.scheme === 'file';
    const ledger = onDisk ? sharedLedger(join(storage.fsPath, 'usage.sqlite'), log) : new MemoryUsageStore();
    this.keys = new KeyStore(context.secrets);
    this.notifier = new Notifier(showMessage, log);
    this.consent = new WorkspaceConsent(context.workspaceState);
    this.vscodeModels = new VscodeModels(log);
    // Money and privacy settings: never from an untrusted workspace (settingsSource.ts); a risky
    // workspace override is announced once per workspace.
    const readSettings = () => {
      const read = readSwitchboardSettings();
      const remembered = warnOverridesOnce(context.workspaceState, read.overrides, (text) => {
        log.warn(text);
        this.notifier.tell('warning', text);
      });
      if (remembered) inBackground(remembered, log, 'Remembering the settings warnings shown');
      const settings = validateSettings(read.raw, read.fromWorkspace);
      // A workspace's provider reads none of the user's environment variables until allowed (keysFlow.ts).
      this.keyEnvs = read.keyEnvs;
      const held = read.keyEnvs.filter((k) => !this.consent.allowed(k) && process.env[k.env]?.trim());
      if (held.length) settings.problems.push(...held.map(keyEnvProblem));
      // Nor does one the workspace sends elsewhere take the user's stored key there until allowed (keyHeld).
      this.redirects = read.redirects;
      const redirected = read.redirects.filter((r) => !this.consent.allowed(r) && this.keys.has(r.providerId));
      if (redirected.length) settings.problems.push(...redirected.map(redirectProblem));
      return { settings, verbose: read.verbose, trusted: read.trusted };
    };
    /** Proxy settings Switchboard does not follow, said once each per window. */
    const proxyNotes = new Set<string>();
    this.clients = new ClientService({
      keys: this.keys,
      readSettings,
      log,
      ledger,
      // Read at each request: "Start New Spend Session" needs no new client.
      session: () => this.spend.sessionId,
      onBudgetAlert: (a) => inBackground(this.spend.alert(a), log, 'A budget alert'),
      onRecorded: () => inBackground(this.spend.touched(), log, 'Reading the spend totals'),
      catalogCacheFile: onDisk ? join(storage.fsPath, 'catalog.json') : null,
      priceDataCacheFile: onDisk ? join(storage.fsPath, 'genai-prices.json') : null,
      hostModels: [this.vscodeModels],
      leaderboardFile: leaderboardFile(),
      proxy: () => {
        // The user's own settings only (a workspace never routes keys through a proxy of its choosing).
        const http = vscode.workspace.getConfiguration('http');
        const input = {
          support: http.inspect<string>('proxySupport')?.globalValue,
          proxy: http.inspect<string>('proxy')?.globalValue,
          noProxy: http.inspect<string[]>('noProxy')?.globalValue,
          strictSSL: http.inspect<boolean>('proxyStrictSSL')?.globalValue,
          authorization: http.inspect<string | null>('proxyAuthorization')?.globalValue,
          env: process.env,
        };
        for (const text of proxySettingsNotHonoured(input)) {
          if (proxyNotes.has(text)) continue;
          proxyNotes.add(text);
          log.warn(text);
          this.notifier.tell('warning', text);
        }
        return proxyForVsCode(input);
      },
      onProxyProblem: (text) => this.notifier.tell('warning', text),
      keyHeld: (p, request) => this.keyHeld(p, request),
    });
    this.choice = new ModelChoice(context.globalState, log, () => this.clients.settings.config.defaultModel ?? null);
    this.models = new ModelList(this.clients, this.choice);
    this.spend = new SpendService({
      log,
      verbose: () => this.clients.verbose,
      ledger,
      state: context.workspaceState,
      budget: () => this.clients.settings.config.budget,
      notify: (level, text, ...actions) => this.notifier.notify(level, text, ...actions),
      openBudgetSettings: () => vscode.commands.executeCommand('workbench.action.openSettings', 'switchboard.budget'),
    });
    this.flags = new FirstRunFlags(context.globalState);
    this.walkthrough = new WalkthroughProgress((key, value) => vscode.commands.executeCommand('setContext', key, value), log);
    this.refresher = new CatalogRefresher(context.globalState, log, (p) => this.clients.keyFor(p) !== undefined);

    const { clients, choice, models, spend, notifier, flags, walkthrough } = this;
    const applier = new Applier({ log, tell: (level, text) => notifier.tell(level, text) });
    const host: FeatureHost = {
      context,
      log,
      keys: this.keys,
      ledger,
      applier,
      get settings() {
        return clients.settings;
      },
      keyFor: (p) => clients.keyFor(p),
      client: () => clients.client(),
      connections: () => clients.connections(),
      workspaceKeyEnvs: () => this.keyEnvs.map((k) => ({ ...k, allowed: this.consent.allowed(k) })),
      allowWorkspaceKeyEnv: async (k) => {
        await this.consent.allow(k);
        // The variable was allowed for that URL: the key it becomes may go there.
        await this.consent.allow({ key: redirectKey(k.providerId, k.baseUrl) });
        this.onSettingsChanged();
      },
      workspaceRedirects: () => this.redirects.map((r) => ({ ...r, allowed: this.consent.allowed(r) })),
      allowWorkspaceRedirect: async (r) => {
        await this.consent.allow(r);
        this.declined.delete(r.key);
        this.onSettingsChanged();
      },
      declineWorkspaceRedirect: (r) => this.declined.add(r.key),
      rememberedWorkspaceAllows: () => this.consent.remembered(),
      revokeWorkspaceAllows: async (keys) => {
        const gone = await this.consent.revoke(keys);
        for (const k of gone) this.declined.delete(k);
        // Read again: a provider with a stored key is named in the settings report, and asks at its next request.
        if (gone.length) this.onSettingsChanged();
        return gone;
      },
      fireModelsChanged: () => shell.lmChanged.fire(),
      currentModel: () => choice.current(),
      pickModelInteractively: () => showModelSwitcher(host),
      recentModels: () => choice.recentModels(),
      setCurrentModel: async (id) => {
        await choice.set(id);
        walkthrough.done('modelChosen');
        this.prepareVscodeModels([id]);
      },
      markUsed: (id) => choice.markUsed(id),
      lastCompareModels: () => choice.lastCompareModels(),
      setLastCompareModels: async (ids) => {
        await choice.setLastCompareModels(ids);
        this.prepareVscodeModels(ids);
      },
      modelPickItems: () => models.pickItems(),
      modelDetail: (id) => models.detail(id),
      recordResult: (source, r, messages) => {
        // A comparison that got an answer is the walkthrough's "Compare models" done.
        if (source.startsWith('compare') && r.answeredBy && !r.error) walkthrough.done('compared');
        inBackground(spend.record(source, r, messages), log, 'Reading the spend totals');
      },
      spendView: () => spend.snapshot(),
      startNewSpendSession: () => spend.startNewSession(),
      updateStatus: () => this.updateStatus(),
      notify: (level, text, ...actions) => notifier.notify(level, text, ...actions),
      confirm: (text, detail, ...actions) => notifier.confirm(text, detail, ...actions),
      tell: (level, text) => notifier.tell(level, text),
      flag: (name) => flags.get(name),
      setFlag: (name, value) => flags.set(name, value),
      stepDone: (step) => walkthrough.done(step),
    };
    this.chat = new ChatController(host);
    this.compare = new CompareManager(host);
    this.host = Object.assign(Object.create(host) as FeatureHost, { chat: this.chat, compare: this.compare });

    // Who reacts to what: the status bar and the chat's header follow the model, the client and
    // the spend; VS Code's chat follows the client and the catalog; the comparison panels' model
    // pickers follow the client (keys, settings), the catalog, the recent models and VS Code's models.
    const refreshViews = (): void => {
      this.updateStatus();
      this.chat.refresh();
    };
    const refreshModels = (): void => {
      refreshViews();
      this.compare.modelsChanged();
    };
    this.subs.push(
      this.keys,
      applier,
      this.chat,
      this.compare,
      clients,
      choice,
      spend,
      notifier,
      this.refresher,
      this.keys.onDidChange((id) => {
        log.info(`API key for "${id}" ${this.keys.has(id) ? 'stored' : 'removed'}`);
        // A held redirect is reported only for a provider with a key.
        if (this.redirects.some((r) => r.providerId === id)) {
          clients.reloadSettings();
          this.reportSettingsProblems();
        }
        clients.rebuild();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('switchboard')) this.onSettingsChanged();
        else if (['http.proxy', 'http.noProxy', 'http.proxySupport', 'http.proxyStrictSSL', 'http.proxyAuthorization'].some((k) => e.affectsConfiguration(k))) {
          this.shell.log.info('Proxy settings changed: rebuilding the client');
          this.clients.rebuild();
        }
      }),
      // Trusting the folder makes its switchboard.* values count from now on.
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.onSettingsChanged()),
      clients.onDidCreateClient((c) => inBackground(this.refresher.refreshIfNeeded(c), log, 'Refreshing the catalog')),
      clients.onDidChangeClient(() => {
        refreshModels();
        shell.lmChanged.fire();
      }),
      this.refresher.onDidRefresh((c) => {
        if (!clients.isCurrent(c)) return;
        refreshModels();
        shell.lmChanged.fire();
      }),
      choice.onDidChange(refreshModels),
      spend.onDidChange(refreshViews),
      // Back in the window: the CLI or another window may have spent meanwhile.
      vscode.window.onDidChangeWindowState((w) => {
        if (w.focused) inBackground(spend.refresh(), log, 'Reading the spend totals');
      }),
      this.vscodeModels,
      // VS Code's models came or went (an extension started, signed in or out): the lists follow.
      this.vscodeModels.onDidChange(() => {
        refreshModels();
        shell.lmChanged.fire();
        // Models that arrive after activation (Copilot signs in later) are offered then.
        const models = this.startingModels();
        if (this.offerReady && !this.vscodeOffered && models.length) {
          this.vscodeOffered = true;
          inBackground(offerVscodeModels(this.host, models), log, "Offering VS Code's models");
        }
      }),
    );
    inBackground(spend.refresh(), log, 'Reading the spend totals');
    inBackground(this.vscodeModels.refresh(), log, "Listing VS Code's language models");
  }

  /**
   * Why `p`'s stored key must not go with its requests: the workspace's settings send them to a URL
   * the user has not allowed. A request fails at once with the problem and the fix — it never goes
   * keyless, and never waits for the question (the gateway's caller may be a tool nobody watches) —
   * and its first such request asks the question (modal), once per window; the catalog's background
   * refresh does not ask.
   */
  private keyHeld(p: ResolvedProvider, request: boolean): Error | null {
    const r = this.redirects.find((x) => x.providerId === p.id && x.key === redirectKey(p.id, p.baseUrl));
    if (!r || this.consent.allowed(r)) return null;
    const declined = this.declined.has(r.key);
    if (request && !declined) this.askAboutRedirect(r);
    const remove = `or remove switchboard.providers from ${WORKSPACE_SETTINGS} to use your own settings`;
    // A settings problem (not a missing key: Set API Key would not fix it).
    return new SwitchboardError({
      kind: 'config',
      message: `the workspace's settings send "${p.id}" requests ${redirectWhere(r)}, and your API key for it is not sent there until you allow it`,
      provider: p.id,
      fix: declined
        ? `you answered Don't Allow: run "${REVIEW_REDIRECTS_COMMAND}" to allow it, ${remove}`
        : `allow it in Switchboard's question (or run "${REVIEW_REDIRECTS_COMMAND}"), ${remove}`,
    });
  }

  /** The question about a held redirect, in the background (nothing waits for it); an Allow is said. */
  private askAboutRedirect(r: WorkspaceRedirect): void {
    if (this.asking.has(r.key)) return;
    this.asking.add(r.key);
    const asked = askRedirectConsent(this.host, r).then(
      (ok) => {
        this.asking.delete(r.key);
        if (!ok) return; // remembered as declined for this window (declineWorkspaceRedirect)
        this.notifier.tell(
          'info',
          `Switchboard: "${r.providerId}" requests now take your API key ${redirectWhere(r)} in this workspace. Send the request again.`,
        );
      },
      (e: unknown) => {
        this.asking.delete(r.key);
        throw e;
      },
    );
    inBackground(asked, this.shell.log, 'Asking about a workspace provider URL');
  }

  /** Set once the first-run offers have run: a later model list may then be offered. */
  offerReady = false;
  /** VS Code's models were offered this session (once is enough; "Never" is remembered). */
  vscodeOffered = false;

  /** VS Code's own models for the first-run offer, by name. */
  startingModels(): StartingModel[] {
    return this.vscodeModels.list().map((m) => ({ id: `${VSCODE_SOURCE_ID}/${m.model}`, name: m.name }));
  }

  /**
   * The user picked models: for VS Code's own ones this is the moment its consent prompt makes
   * sense ("may Switchboard use Copilot's models?"). A refusal is said once, with the fix.
   */
  private prepareVscodeModels(ids: readonly string[]): void {
    for (const id of ids) {
      if (!id.startsWith(`${VSCODE_SOURCE_ID}/`)) continue;
      inBackground(
        this.vscodeModels.prepare(id).then(async (r) => {
          if (r.ok) return;
          this.shell.log.warn(`${id}: ${r.error.message}`);
          await this.notifier.notify('error', `Switchboard: ${r.error.detail}${r.error.fix ? ` — ${r.error.fix}` : ''}`);
        }),
        this.shell.log,
        `Asking VS Code for access to ${id}`,
      );
    }
  }

  private onSettingsChanged(): void {
    const before = this.clients.reloadSettings().config.defaultModel;
    this.shell.log.info('Settings changed: rebuilding the client');
    const after = this.clients.settings.config.defaultModel;
    if (after && after !== before)
      this.choice.adoptDefault(after).catch((e: unknown) => this.shell.log.warn(`Could not save the model choice: ${(e as Error).message}`));
    this.reportSettingsProblems();
    this.clients.rebuild();
  }

  /** The problems last said (one warning per set of problems, not one per settings change). */
  private reportedProblems = '';

  reportSettingsProblems(): void {
    const problems = this.clients.settings.problems;
    // Any settings change re-reads them all: the same problems after an unrelated change were said already.
    const key = problems.join('\n');
    if (key === this.reportedProblems) return;
    this.reportedProblems = key;
    if (!problems.length) return;
    for (const p of problems) this.shell.log.warn(`Invalid setting ignored: ${p}`);
    const shown = problems.slice(0, 3).join('; ') + (problems.length > 3 ? `; and ${problems.length - 3} more` : '');
    // A bad value in the workspace's settings is fixed there: the button opens them, not the user's.
    const inWorkspace = problems.some((p) => p.endsWith(`— in ${WORKSPACE_SETTINGS}`));
    const open = inWorkspace ? 'Open Workspace Settings' : 'Open Settings';
    const choice = this.notifier.notify('warning', `Switchboard ignored invalid settings: ${shown}`, open, 'Show Log');
    const follow = async (): Promise<void> => {
      const pick = await choice;
      if (pick === 'Open Settings') await vscode.commands.executeCommand('switchboard.openSettings');
      if (pick === 'Open Workspace Settings') await vscode.commands.executeCommand('workbench.action.openWorkspaceSettingsFile');
      if (pick === 'Show Log') this.shell.log.show(true);
    };
    inBackground(follow(), this.shell.log, 'The invalid-settings notification');
  }

  updateStatus(): void {
    const model = this.choice.current();
    let detail: string | null = null;
    try {
      detail = this.models.detail(model);
    } catch {
      detail = null; // no client yet (invalid settings): the status bar still shows the model
    }
    this.shell.status.update({ model, detail, spend: spendStatus(this.spend.snapshot()) });
  }

  dispose(): void {
    for (const d of this.subs) d.dispose();
  }
}

export class Main {
  readonly ext: Extension;
  /** What the features see (activate.ts resolves the chat view and restores comparison panels with it). */
  readonly app: CommandsHost;
  private readonly handlers: Record<CommandId, (...args: unknown[]) => unknown>;

  private constructor(ext: Extension) {
    this.ext = ext;
    this.app = ext.host;
    this.handlers = commandHandlers(ext.host);
  }

  static async start(shell: Shell): Promise<Main> {
    const t0 = performance.now();
    const ext = new Extension(shell);
    shell.context.subscriptions.push(ext);
    await ext.keys.load();
    shell.log.info(`API keys stored for: ${ext.keys.ids().join(', ') || 'no provider yet'}`);
    // The settings were read before the keys: a held redirect is reported only for a provider with a key.
    ext.clients.reloadSettings();
    ext.reportSettingsProblems();
    ext.updateStatus();
    const main = new Main(ext);
    shell.log.info(`Services loaded in ${(performance.now() - t0).toFixed(1)} ms`);
    return main;
  }

  async run(id: CommandId, args: unknown[]): Promise<unknown> {
    try {
      return await this.handlers[id](...args);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.app.log.error(`${id} failed: ${e instanceof Error && e.stack ? e.stack : message}`);
      this.app.tell('error', `Switchboard: ${message}`);
      return undefined;
    }
  }

  /** A window reload brings a test-set panel back with its last run (the serializer in activate.ts). */
  restoreEval(panel: vscode.WebviewPanel, state: unknown): void {
    const root = evalRoot();
    if (!root) {
      panel.dispose();
      return;
    }
    this.app.context.subscriptions.push(EvalPanel.restore(this.app, root, panel, state));
  }

  /** Background work after activation: first-run offers, a stale catalog refreshed. */
  async afterActivation(): Promise<void> {
    try {
      await firstRunOffers(this.app, async () => {
        await this.ext.vscodeModels.refresh();
        const models = this.ext.startingModels();
        if (models.length) this.ext.vscodeOffered = true;
        return models;
      });
    } catch (e) {
      this.app.log.warn(`First-run offers failed: ${(e as Error).message}`);
    }
    this.ext.offerReady = true;
  }

  lmInfos(): vscode.LanguageModelChatInformation[] {
    try {
      return languageModelInfos(this.app);
    } catch (e) {
      this.app.log.warn(`Could not list models for VS Code's chat: ${(e as Error).message}`);
      return [];
    }
  }

  lmResponse(
    ...args: [
      vscode.LanguageModelChatInformation,
      readonly vscode.LanguageModelChatRequestMessage[],
      vscode.ProvideLanguageModelChatResponseOptions,
      vscode.Progress<vscode.LanguageModelResponsePart>,
      vscode.CancellationToken,
    ]
  ): Promise<void> {
    return provideResponse(this.app, ...args);
  }

  lmTokenCount(text: string | vscode.LanguageModelChatRequestMessage): number {
    return countTokens(text);
  }

  services(): SwitchboardServices {
    const { ext, app } = this;
    return {
      modelPickItems: () => ext.models.pickItems(),
      currentModel: () => ext.choice.current(),
      settingsProblems: () => [...ext.clients.settings.problems],
      effectiveSettings: () => ({ config: ext.clients.settings.config, trusted: ext.clients.trusted, verbose: ext.clients.verbose }),
      notices: () => ext.notifier.notices(),
      chatState: () => ext.chat.state(),
      chat: () => ext.chat,
      keyProviders: () => ext.keys.ids(),
      walkthroughSuccesses: () => ext.walkthrough.successes(),
      session: () => ext.spend.session(),
      spend: () => ext.spend.snapshot(),
      refreshSpend: async () => {
        await ext.spend.refresh();
        return ext.spend.snapshot();
      },
      statusBar: () => ext.shell.status.shown(),
      providers: () => ext.clients.client().providers.map((p) => p.id),
      languageModels: () => languageModelInfos(app),
      client: () => ext.clients.client(),
      vscodeModels: async () => {
        await ext.vscodeModels.refresh();
        return ext.vscodeModels.list().map((m) => `${VSCODE_SOURCE_ID}/${m.model}`);
      },
    };
  }
}

/** The first local workspace folder's leaderboard file, for routes with strategy "best". */
function leaderboardFile(): string | null {
  const root = evalRoot();
  return root === null ? null : join(root, LEADERBOARD_FILE);
}
