/**
 * Keeps the catalog current: refreshes a new client's catalog when it is stale, and at once when
 * the providers changed since the last refresh (a new key, a local server added), so their models
 * show up. Announces refreshes that brought something new (onDidRefresh).
 */
import type { ResolvedProvider, SwitchboardClient } from '../../core/index.ts';
import type { KeyValueStore } from '../common/memento.ts';
import { Emitter, type Log } from './events.ts';

const PROVIDERS_KEY = 'switchboard.catalogProviders';

export class CatalogRefresher {
  private readonly state: KeyValueStore;
  private readonly log: Log;
  private readonly hasKey: (p: ResolvedProvider) => boolean;
  private readonly refreshed = new Emitter<SwitchboardClient>();
  readonly onDidRefresh = this.refreshed.event;

  constructor(state: KeyValueStore, log: Log, hasKey: (p: ResolvedProvider) => boolean) {
    this.state = state;
    this.log = log;
    this.hasKey = hasKey;
  }

  /** Refresh in the background when needed; resolves when done (never rejects). */
  async refreshIfNeeded(client: SwitchboardClient): Promise<void> {
    const signature = client.providers
      .map((p) => `${p.id}=${p.baseUrl}${this.hasKey(p) ? '+key' : ''}`)
      .sort()
      .join(',');
    const changed = this.state.get<string>(PROVIDERS_KEY) !== signature;
    if (!changed && !client.catalog.isStale()) return;
    try {
      const r = await client.catalog.refresh({ force: changed, prices: true });
      for (const e of r.errors) this.log.debug(`Catalog: could not refresh ${e.providerId}: ${e.message}`);
      if (r.priceError) this.log.debug(`Catalog: ${r.priceError}`);
      if (r.pricesAsOf) this.log.info(`Catalog: price data as of ${r.pricesAsOf}`);
      if (r.cacheError) this.log.warn(r.cacheError);
      if (r.refreshed.length) this.log.info(`Catalog refreshed: ${r.refreshed.join(', ')}`);
      await this.state.update(PROVIDERS_KEY, signature);
      if (r.refreshed.length) this.refreshed.fire(client);
    } catch (e) {
      this.log.warn(`Catalog refresh failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  dispose(): void {
    this.refreshed.dispose();
  }
}
