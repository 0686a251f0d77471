/**
 * Notifications (recorded so tests can see what the user saw; never a key) and the first-run
 * flags (which offers were made already).
 */
import type { KeyValueStore } from '../memento.ts';
import { Emitter } from './events.ts';

export type NoticeLevel = 'info' | 'warning' | 'error';

export interface Notice {
  level: NoticeLevel;
  text: string;
}

/** Shows a message with buttons; resolves to the button picked (vscode.window.show*Message). */
export type ShowMessage = (level: NoticeLevel, text: string, actions: string[]) => PromiseLike<string | undefined>;

const KEEP = 100;

export class Notifier {
  private readonly show: ShowMessage;
  private readonly shown: Notice[] = [];
  private readonly notified = new Emitter<Notice>();
  readonly onDidNotify = this.notified.event;

  constructor(show: ShowMessage) {
    this.show = show;
  }

  notify(level: NoticeLevel, text: string, ...actions: string[]): PromiseLike<string | undefined> {
    const notice = { level, text };
    this.shown.push(notice);
    if (this.shown.length > KEEP) this.shown.shift();
    this.notified.fire(notice);
    return this.show(level, text, actions);
  }

  /** Every notification shown, newest last. */
  notices(): Notice[] {
    return [...this.shown];
  }

  dispose(): void {
    this.notified.dispose();
  }
}

const FLAGS = {
  envImportOffered: 'switchboard.envImportOffered',
  localOffered: 'switchboard.localServerOffered',
  vscodeModelsOffered: 'switchboard.vscodeModelsOffered',
} as const;
export type FlagName = keyof typeof FLAGS;

export class FirstRunFlags {
  private readonly state: KeyValueStore;

  constructor(state: KeyValueStore) {
    this.state = state;
  }

  get(name: FlagName): boolean {
    return this.state.get<boolean>(FLAGS[name]) === true;
  }

  async set(name: FlagName, value: boolean): Promise<void> {
    await this.state.update(FLAGS[name], value);
  }
}
