/**
 * The settings, the keys they combine with, and the core client built from both: created on first
 * use, rebuilt when the settings or a key change (announced with onDidChangeClient).
 */
import type { Dispatcher } from 'undici';
import {
  createAgent,
  createClient,
  DEFAULT_TIMEOUTS,
  findPreset,
  PRESETS,
  type BudgetAlert,
  type HostModelSource,
  type ProxySettings,
  type ResolvedProvider,
  type SwitchboardClient,
  type UsageStore,
} from '../../core/index.ts';
import { effectiveConfig, type SettingsResult } from '../common/settingsModel.ts';
import { setKeyHint } from '../common/modelAvailability.ts';
import { Emitter, type Log } from './events.ts';

/** The stored keys, by provider id (KeyStore has this shape). */
export interface KeySource {
  get(providerId: string): string | undefined;
  ids(): string[];
}

export interface ClientServiceOptions {
  keys: KeySource;
  /** Reads and validates the switchboard.* settings; `trusted`: whether the workspace's values count. */
  readSettings(): { settings: SettingsResult; verbose: boolean; trusted?: boolean };
  log: Log;
  ledger: UsageStore;
  /** The window's spend session, read at each request. */
  session?: () => string;
  onBudgetAlert?: (a: BudgetAlert) => void;
  /** An answer was written to the ledger. */
  onRecorded?: () => void;
  catalogCacheFile: string | null;
  /** Where the downloaded price data (genai-prices) is cached; null: not cached. */
  priceDataCacheFile: string | null;
  /** Models the host supplies itself (VS Code's language models). */
  hostModels?: readonly HostModelSource[];
  /** The workspace's leaderboard (.switchboard/leaderboard.json), read by routes with strategy "best". */
  leaderboardFile?: string | null;
  /** The proxy provider requests go through (VS Code's http.proxy, or the environment's), read at each new client; null: none. */
  proxy?: () => ProxySettings | null;
  /** The proxy could not be used (its text says why and the fix). */
  onProxyProblem?: (text: string) => void;
  /**
   * Why a provider's stored key must not go with its requests now (a workspace sent them to a URL the
   * user has not allowed): the error the request fails with, or null. `request`: a request the user
   * (or a tool through the gateway) made, not the catalog's background refresh. Called synchronously
   * in the request: it must not wait for the user.
   */
  keyHeld?: (p: ResolvedProvider, request: boolean) => Error | null;
}

export class ClientService {
  private readonly opts: ClientServiceOptions;
  private current: SwitchboardClient | null = null;
  /**
   * The connection pool every client of this window uses. A rebuilt client (a setting or a key changed)
   * keeps it, so that what an earlier client still runs (a comparison's retry, a test-set run's next cell)
   * finds it open, and the next request reuses the warm connections. Replaced only when the connect
   * timeout or the proxy it was made with changes.
   */
  private pool: { key: string; agent: Dispatcher } | null = null;
  private readonly created = new Emitter<SwitchboardClient>();
  private readonly changed = new Emitter<void>();
  settings: SettingsResult;
  verbose: boolean;
  /** Whether workspace values of the switchboard.* settings are used (see settingsSource.ts). */
  trusted = true;
  /** A client was built (the catalog refresher watches it). */
  readonly onDidCreateClient = this.created.event;
  /** The settings or the keys changed: the next client() is a new one. */
  readonly onDidChangeClient = this.changed.event;

  constructor(opts: ClientServiceOptions) {
    this.opts = opts;
    const read = opts.readSettings();
    ({ settings: this.settings, verbose: this.verbose } = read);
    this.trusted = read.trusted ?? true;
  }

  /** Providers the client runs with: the settings' plus presets that have a stored key. */
  get config() {
    return effectiveConfig(this.settings.config, this.opts.keys.ids());
  }

  keyFor(p: ResolvedProvider): string | undefined {
    return this.opts.keys.get(p.id) ?? this.opts.keys.get(findPreset(p.id)?.id ?? p.id);
  }

  /** The key a request to `p` sends: none stored, undefined; held (keyHeld), the request fails with why — never keyless. */
  private keyToSend(p: ResolvedProvider, request: boolean): string | undefined {
    const key = this.keyFor(p);
    if (key === undefined) return undefined;
    const held = this.opts.keyHeld?.(p, request);
    if (held) throw held;
    return key;
  }

  client(): SwitchboardClient {
    if (!this.current) {
      const t0 = performance.now();
      const config = this.config;
      this.current = createClient(config, {
        dispatcher: this.dispatcher(config.timeouts.connectMs ?? DEFAULT_TIMEOUTS.connectMs),
        getApiKey: (p) => this.keyToSend(p, true),
        getCatalogKey: (p) => this.keyToSend(p, false),
        keyHint: setKeyHint,
        frontEnd: 'vscode',
        ledger: this.opts.ledger,
        ...(this.opts.session ? { session: this.opts.session } : {}),
        ...(this.opts.onBudgetAlert ? { onBudgetAlert: this.opts.onBudgetAlert } : {}),
        ...(this.opts.onRecorded ? { onRecorded: this.opts.onRecorded } : {}),
        configHint: 'the switchboard.* settings',
        // Fixes name the switchboard.* setting to change ("the switchboard.capabilities setting"), not a config file.
        settingsIn: 'vscode',
        // A preset needs no settings entry here: a stored key makes it usable (effectiveConfig).
        presetFix: (id) => {
          const preset = findPreset(id);
          return preset?.apiKeyEnv ? `${setKeyHint(preset)} (its key is all it needs)` : null;
        },
        catalogCacheFile: this.opts.catalogCacheFile,
        priceDataCacheFile: this.opts.priceDataCacheFile,
        ...(this.opts.hostModels ? { hostModels: this.opts.hostModels } : {}),
        leaderboardFile: this.opts.leaderboardFile ?? null,
      });
      this.opts.log.info(
        `Client ready in ${(performance.now() - t0).toFixed(1)} ms: providers ${this.current.providers.map((p) => p.id).join(', ') || 'none'}`,
      );
      this.created.fire(this.current);
    }
    return this.current;
  }

  /** The connection pool the current settings call for (the one the client uses). */
  connections(): Dispatcher {
    return this.dispatcher(this.config.timeouts.connectMs ?? DEFAULT_TIMEOUTS.connectMs);
  }

  private dispatcher(connectMs: number): Dispatcher {
    const proxy = this.opts.proxy?.() ?? null;
    const key = JSON.stringify([connectMs, proxy]);
    if (this.pool?.key !== key) {
      let agent: Dispatcher;
      try {
        agent = createAgent({ connectMs }, proxy);
      } catch (e) {
        // A proxy that is not a URL: said (the setting, the fix), and requests go direct until it is corrected.
        const text = `${(e as Error).message}; until it is corrected, requests go direct, without a proxy`;
        this.opts.log.warn(text);
        this.opts.onProxyProblem?.(text);
        agent = createAgent({ connectMs });
      }
      // The old pool takes no new requests; close() lets the ones in flight finish.
      this.pool?.agent.close().catch((e: unknown) => this.opts.log.debug(`Closing the previous connection pool: ${(e as Error).message}`));
      this.pool = { key, agent };
    }
    return this.pool.agent;
  }

  /** Whether `c` is still the client in use (a late catalog refresh of an old one changes nothing). */
  isCurrent(c: SwitchboardClient): boolean {
    return this.current === c;
  }

  providerNames(): Map<string, string> {
    const names = new Map<string, string>(PRESETS.map((p) => [p.id, p.name]));
    for (const h of this.opts.hostModels ?? []) names.set(h.id, `${h.name} (no API key needed)`);
    for (const p of this.client().providers) names.set(p.id, p.name);
    return names;
  }

  /** Read the settings again; returns the settings before, for comparison. */
  reloadSettings(): SettingsResult {
    const before = this.settings;
    const read = this.opts.readSettings();
    ({ settings: this.settings, verbose: this.verbose } = read);
    this.trusted = read.trusted ?? true;
    return before;
  }

  rebuild(): void {
    // The old client's pool is the window's (see `pool`): what it still runs keeps working.
    this.current = null;
    this.changed.fire();
  }

  dispose(): void {
    this.current = null;
    this.pool?.agent.close().catch(() => undefined);
    this.pool = null;
    this.created.dispose();
    this.changed.dispose();
  }
}
