/**
 * The chosen model, the recently used ones and the last comparison's models, persisted in
 * globalState. The choice lives in memory and is written through: a read right after a write must
 * not depend on the storage round trip (an older write's echo can briefly win there).
 */
import { pushRecent } from '../common/modelItems.ts';
import type { KeyValueStore } from '../common/memento.ts';
import { Emitter, type Log } from './events.ts';

const STATE = { current: 'switchboard.currentModel', recent: 'switchboard.recentModels', compare: 'switchboard.compareModels' } as const;

export class ModelChoice {
  private readonly state: KeyValueStore;
  private readonly log: Log;
  private readonly fallback: () => string | null;
  private chosen: string | null;
  private recent: string[];
  private readonly changed = new Emitter<string | null>();
  /** The current model changed (by the switcher or by a new default in the settings). */
  readonly onDidChange = this.changed.event;

  /** `fallback`: the model when none was chosen (the defaultModel setting). */
  constructor(state: KeyValueStore, log: Log, fallback: () => string | null) {
    this.state = state;
    this.log = log;
    this.fallback = fallback;
    this.chosen = state.get<string>(STATE.current) ?? null;
    this.recent = state.get<string[]>(STATE.recent) ?? [];
  }

  current(): string | null {
    return this.chosen ?? this.fallback() ?? null;
  }

  recentModels(): string[] {
    return [...this.recent];
  }

  async set(id: string): Promise<void> {
    this.chosen = id;
    this.recent = pushRecent(this.recent, id);
    this.log.info(`Model switched to ${id}`);
    this.changed.fire(id);
    await Promise.all([this.state.update(STATE.current, id), this.state.update(STATE.recent, this.recent)]);
  }

  /** A new default in the settings is a choice too: it replaces the switcher's. */
  async adoptDefault(id: string): Promise<void> {
    this.chosen = id;
    this.changed.fire(id);
    await this.state.update(STATE.current, id);
  }

  async markUsed(id: string): Promise<void> {
    this.recent = pushRecent(this.recent, id);
    await this.state.update(STATE.recent, this.recent);
  }

  lastCompareModels(): string[] {
    return this.state.get<string[]>(STATE.compare) ?? [];
  }

  async setLastCompareModels(ids: string[]): Promise<void> {
    await this.state.update(STATE.compare, ids);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
