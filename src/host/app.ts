/**
 * The extension's services once something needs them (loaded lazily by activate.ts): settings,
 * keys, the core client, the usage ledger, the model choice, the chat and compare views.
 */
import { join } from 'node:path';
import * as vscode from 'vscode';
import { createClient, type SwitchboardClient } from '../core/client.ts';
import type { ResolvedProvider } from '../core/config.ts';
import { findPreset, PRESETS } from '../core/providers/presets.ts';
import { MemoryUsageStore, type UsageStore } from '../core/router/ledger.ts';
import { openLedgerAt } from '../core/router/sqliteLedger.ts';
import type { ChatResult } from '../core/types.ts';
import { Applier } from './apply.ts';
import { ChatController } from './chat/controller.ts';
import { CompareManager } from './compare/manager.ts';
import { formatContextPhrase, formatPrice, formatUsd } from './format.ts';
import { KeyStore } from './keyStore.ts';
import { buildModelItems, pushRecent, type PickEntry } from './modelItems.ts';
import { logRequest } from './requestLog.ts';
import { effectiveConfig, validateSettings, type SettingsResult } from './settingsModel.ts';
import { readSwitchboardSettings, warnOverridesOnce } from './settingsSource.ts';
import type { StatusBar } from './statusBar.ts';
import { showModelSwitcher } from './switcher.ts';

/** What the light activation code hands over. */
export interface Shell {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  status: StatusBar;
  /** Fired when the models offered to VS Code's chat change. */
  lmChanged: vscode.EventEmitter<void>;
}

const STATE = {
  current: 'switchboard.currentModel',
  recent: 'switchboard.recentModels',
  compare: 'switchboard.compareModels',
  envImportOffered: 'switchboard.envImportOffered',
  localOffered: 'switchboard.localServerOffered',
  catalogProviders: 'switchboard.catalogProviders',
} as const;

export type NoticeLevel = 'info' | 'warning' | 'error';

export class App implements vscode.Disposable {
  readonly context: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  readonly keys: KeyStore;
  readonly ledger: UsageStore;
  readonly applier: Applier;
  readonly chat: ChatController;
  readonly compare: CompareManager;
  readonly session = { usd: 0, requests: 0, unknownCost: 0 };
  /** Every notification shown, newest last (tests read it; never holds a key). */
  readonly notices: { level: NoticeLevel; text: string }[] = [];
  settings: SettingsResult;
  verbose = false;
  /** Whether workspace values of the switchboard.* settings are used (see settingsSource.ts). */
  trusted = true;
  private readonly shell: Shell;
  private clientInstance: SwitchboardClient | null = null;
  private chosen: string | null;
  private recent: string[];
  private readonly disposables: vscode.Disposable[] = [];

  private constructor(shell: Shell) {
    this.shell = shell;
    this.context = shell.context;
    this.log = shell.log;
    this.keys = new KeyStore(shell.context.secrets);
    this.chosen = shell.context.globalState.get<string>(STATE.current) ?? null;
    this.recent = shell.context.globalState.get<string[]>(STATE.recent) ?? [];
    const storage = shell.context.globalStorageUri;
    this.ledger = storage.scheme === 'file' ? openLedgerAt(join(storage.fsPath, 'usage.sqlite')) : new MemoryUsageStore();
    this.settings = this.readSettings();
    this.applier = new Applier(this);
    this.chat = new ChatController(this);
    this.compare = new CompareManager(this);
    this.disposables.push(
      this.keys,
      this.applier,
      this.chat,
      this.compare,
      this.keys.onDidChange((id) => {
        this.log.info(`API key for "${id}" ${this.keys.has(id) ? 'stored' : 'removed'}`);
        this.rebuildClient();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('switchboard')) this.onSettingsChanged();
      }),
      // Trusting the folder makes its switchboard.* values count from now on.
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.onSettingsChanged()),
    );
  }

  static async create(shell: Shell): Promise<App> {
    const app = new App(shell);
    await app.keys.load();
    app.log.info(`API keys stored for: ${app.keys.ids().join(', ') || 'no provider yet'}`);
    app.reportSettingsProblems();
    app.updateStatus();
    return app;
  }

  // ── Settings ──

  /** Money and privacy settings: never from an untrusted workspace (settingsSource.ts). */
  private readSettings(): SettingsResult {
    const read = readSwitchboardSettings();
    this.verbose = read.verbose;
    this.trusted = read.trusted;
    warnOverridesOnce(this.context.workspaceState, read.overrides, (text) => {
      this.log.warn(text);
      void this.notify('warning', text);
    });
    return validateSettings(read.raw);
  }

  private onSettingsChanged(): void {
    const before = this.settings.config.defaultModel;
    this.settings = this.readSettings();
    this.log.info('Settings changed: rebuilding the client');
    const after = this.settings.config.defaultModel;
    // A new default in the settings is a choice too: it replaces the switcher's.
    if (after && after !== before) {
      this.chosen = after;
      void this.context.globalState.update(STATE.current, after);
    }
    this.reportSettingsProblems();
    this.rebuildClient();
  }

  private reportSettingsProblems(): void {
    const problems = this.settings.problems;
    if (!problems.length) return;
    for (const p of problems) this.log.warn(`Invalid setting ignored: ${p}`);
    const shown = problems.slice(0, 3).join('; ') + (problems.length > 3 ? `; and ${problems.length - 3} more` : '');
    void this.notify('warning', `Switchboard ignored invalid settings: ${shown}`, 'Open Settings', 'Show Log').then((pick) => {
      if (pick === 'Open Settings') void vscode.commands.executeCommand('switchboard.openSettings');
      if (pick === 'Show Log') this.log.show(true);
    });
  }

  // ── The client ──

  /** Providers the client runs with: the settings' plus presets that have a stored key. */
  get config() {
    return effectiveConfig(this.settings.config, this.keys.ids());
  }

  keyFor(p: ResolvedProvider): string | undefined {
    return this.keys.get(p.id) ?? this.keys.get(findPreset(p.id)?.id ?? p.id);
  }

  client(): SwitchboardClient {
    if (!this.clientInstance) {
      const t0 = performance.now();
      const storage = this.context.globalStorageUri;
      this.clientInstance = createClient(this.config, {
        getApiKey: (p) => this.keyFor(p),
        keyHint: (p) => `run "Switchboard: Set API Key" for ${p.name}`,
        frontEnd: 'vscode',
        ledger: this.ledger,
        configHint: 'the switchboard.* settings',
        catalogCacheFile: storage.scheme === 'file' ? join(storage.fsPath, 'catalog.json') : null,
        priceDataCacheFile: storage.scheme === 'file' ? join(storage.fsPath, 'genai-prices.json') : null,
      });
      this.log.info(`Client ready in ${(performance.now() - t0).toFixed(1)} ms: providers ${this.clientInstance.providers.map((p) => p.id).join(', ') || 'none'}`);
      this.refreshCatalogInBackground(this.clientInstance);
    }
    return this.clientInstance;
  }

  /**
   * Keep the catalog current: refresh when it is stale, and at once when the providers changed
   * since the last refresh (a new key, a local server added), so their models show up.
   */
  private refreshCatalogInBackground(client: SwitchboardClient): void {
    const signature = client.providers.map((p) => `${p.id}=${p.baseUrl}${this.keyFor(p) ? '+key' : ''}`).sort().join(',');
    const changed = this.context.globalState.get<string>(STATE.catalogProviders) !== signature;
    if (!changed && !client.catalog.isStale()) return;
    void client.catalog.refresh({ force: changed, prices: true }).then(async (r) => {
      for (const e of r.errors) this.log.debug(`Catalog: could not refresh ${e.providerId}: ${e.message}`);
      if (r.priceError) this.log.debug(`Catalog: ${r.priceError}`);
      if (r.pricesAsOf) this.log.info(`Catalog: price data as of ${r.pricesAsOf}`);
      if (r.cacheError) this.log.warn(r.cacheError);
      if (r.refreshed.length) this.log.info(`Catalog refreshed: ${r.refreshed.join(', ')}`);
      await this.context.globalState.update(STATE.catalogProviders, signature);
      if (this.clientInstance === client && r.refreshed.length) {
        this.updateStatus();
        this.chat.refresh();
        this.shell.lmChanged.fire();
      }
    });
  }

  private rebuildClient(): void {
    const old = this.clientInstance;
    this.clientInstance = null;
    // In-flight requests keep the old pool until they finish; close() waits for them.
    if (old) void old.close().catch(() => {});
    this.updateStatus();
    this.chat.refresh();
    this.shell.lmChanged.fire();
  }

  // ── The model choice ──

  // The choice lives in memory and is persisted to globalState: a read right after a write must
  // not depend on the storage round trip (an older write's echo can briefly win there).
  currentModel(): string | null {
    return this.chosen ?? this.settings.config.defaultModel ?? null;
  }

  /** No model yet: ask for one with the switcher. */
  pickModelInteractively(): Promise<string | undefined> {
    return showModelSwitcher(this);
  }

  recentModels(): string[] {
    return [...this.recent];
  }

  async setCurrentModel(id: string): Promise<void> {
    this.chosen = id;
    this.recent = pushRecent(this.recent, id);
    this.log.info(`Model switched to ${id}`);
    this.updateStatus();
    this.chat.refresh();
    await Promise.all([this.context.globalState.update(STATE.current, id), this.context.globalState.update(STATE.recent, this.recent)]);
  }

  async markUsed(id: string): Promise<void> {
    this.recent = pushRecent(this.recent, id);
    await this.context.globalState.update(STATE.recent, this.recent);
  }

  lastCompareModels(): string[] {
    return this.context.globalState.get<string[]>(STATE.compare) ?? [];
  }

  async setLastCompareModels(ids: string[]): Promise<void> {
    await this.context.globalState.update(STATE.compare, ids);
  }

  providerNames(): Map<string, string> {
    const names = new Map<string, string>(PRESETS.map((p) => [p.id, p.name]));
    for (const p of this.client().providers) names.set(p.id, p.name);
    return names;
  }

  /** The switcher's entries (see modelItems.ts). */
  modelPickItems(): PickEntry[] {
    const client = this.client();
    return buildModelItems({
      models: client.catalog.list(),
      routes: client.resolver.routeList,
      recent: this.recentModels(),
      current: this.currentModel(),
      providerNames: this.providerNames(),
    });
  }

  /** "128K context · $0.15 in / $0.60 out per 1M" for a model; null for routes and unknown ids. */
  modelDetail(id: string | null): string | null {
    if (!id || id.startsWith('route/')) return id ? 'route' : null;
    const info = this.client().catalog.get(id);
    return info ? `${formatContextPhrase(info.contextLength)} · ${formatPrice(info.price)}` : null;
  }

  // ── Results, spend and status ──

  /** Account for a finished request: session spend, status bar, log. */
  recordResult(source: string, r: ChatResult, messages?: Parameters<typeof logRequest>[4]): void {
    logRequest(this.log, source, r, this.verbose, messages);
    // Only requests that reached a provider count (not "no key" or "unknown model").
    if (!r.answeredBy && !r.attempts.some((a) => a.status !== undefined || a.errorKind === 'network' || a.errorKind === 'timeout')) return;
    this.session.requests++;
    if (r.costUsd === null) {
      if (r.answeredBy) this.session.unknownCost++;
    } else this.session.usd += r.costUsd;
    this.updateStatus();
    this.chat.refresh();
  }

  spendText(): string {
    return `${formatUsd(this.session.usd)}${this.session.unknownCost ? ` (+${this.session.unknownCost} unpriced)` : ''}`;
  }

  updateStatus(): void {
    const model = this.currentModel();
    let detail: string | null = null;
    try {
      detail = this.modelDetail(model);
    } catch {
      detail = null;
    }
    this.shell.status.update({ model, spend: this.spendText(), requests: this.session.requests, detail });
  }

  fireModelsChanged(): void {
    this.shell.lmChanged.fire();
  }

  // ── Notifications (recorded so tests can see what the user saw) ──

  notify(level: NoticeLevel, text: string, ...actions: string[]): Thenable<string | undefined> {
    this.notices.push({ level, text });
    if (this.notices.length > 100) this.notices.shift();
    if (level === 'error') return vscode.window.showErrorMessage(text, ...actions);
    if (level === 'warning') return vscode.window.showWarningMessage(text, ...actions);
    return vscode.window.showInformationMessage(text, ...actions);
  }

  // ── First-run state ──

  flag(name: keyof typeof STATE): boolean {
    return this.context.globalState.get<boolean>(STATE[name]) === true;
  }

  async setFlag(name: keyof typeof STATE, value: boolean): Promise<void> {
    await this.context.globalState.update(STATE[name], value);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    void this.clientInstance?.close().catch(() => {});
  }
}
