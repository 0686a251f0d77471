/** The models on offer as the switcher shows them, and a model's one-line detail. */
import { formatContextPhrase, formatPrice } from '../../shared/format.ts';
import { buildModelItems, type PickEntry } from '../common/modelItems.ts';
import type { ClientService } from './clients.ts';
import type { ModelChoice } from './modelChoice.ts';

export class ModelList {
  private readonly clients: ClientService;
  private readonly choice: ModelChoice;

  constructor(clients: ClientService, choice: ModelChoice) {
    this.clients = clients;
    this.choice = choice;
  }

  /** The switcher's entries (see modelItems.ts). */
  pickItems(): PickEntry[] {
    const client = this.clients.client();
    return buildModelItems({
      models: client.catalog.list(),
      routes: client.resolver.routeList,
      recent: this.choice.recentModels(),
      current: this.choice.current(),
      providerNames: this.clients.providerNames(),
    });
  }

  /** "128K context · $0.15 in / $0.60 out per 1M" for a model; "route" for routes; null for unknown ids. */
  detail(id: string | null): string | null {
    if (!id || id.startsWith('route/')) return id ? 'route' : null;
    const info = this.clients.client().catalog.get(id);
    return info ? `${formatContextPhrase(info.contextLength)} · ${formatPrice(info.price)}` : null;
  }
}
