/**
 * Notifications (recorded so tests can see what the user saw; never a key) and the first-run
 * flags (which offers were made already).
 */
import { inBackground } from '../common/background.ts';
import type { KeyValueStore } from '../common/memento.ts';
import { Emitter } from './events.ts';

export type NoticeLevel = 'info' | 'warning' | 'error';

export interface Notice {
  level: NoticeLevel;
  text: string;
}

/** Shows a message with buttons; resolves to the button picked (vscode.window.show*Message); `modal` with its `detail`. */
export type ShowMessage = (level: NoticeLevel, text: string, actions: string[], modal?: { detail: string }) => PromiseLike<string | undefined>;

const KEEP = 100;

export class Notifier {
  private readonly show: ShowMessage;
  private readonly log: { warn(message: string): void };
  private readonly shown: Notice[] = [];
  private readonly notified = new Emitter<Notice>();
  readonly onDidNotify = this.notified.event;

  constructor(show: ShowMessage, log: { warn(message: string): void }) {
    this.show = show;
    this.log = log;
  }

  /** Shows a message and resolves to the button picked: a real Promise, so the linter sees one left unawaited. */
  notify(level: NoticeLevel, text: string, ...actions: string[]): Promise<string | undefined> {
    this.record({ level, text });
    return Promise.resolve(this.show(level, text, actions));
  }

  /** A modal warning the user must answer (VS Code adds Cancel: undefined); `detail` is shown below the text. */
  confirm(text: string, detail: string, ...actions: string[]): Promise<string | undefined> {
    this.record({ level: 'warning', text: `${text} ${detail}` });
    return Promise.resolve(this.show('warning', text, actions, { detail }));
  }

  private record(notice: Notice): void {
    this.shown.push(notice);
    if (this.shown.length > KEEP) this.shown.shift();
    this.notified.fire(notice);
  }

  /** Shows a message nobody waits for (no buttons); a failure to show it is logged. */
  tell(level: NoticeLevel, text: string): void {
    inBackground(this.notify(level, text), this.log, 'Showing a notification');
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
  walkthroughOpened: 'switchboard.walkthroughOpened',
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
