/**
 * A minimal event emitter with VS Code's shape (`event(listener)` returns a disposable), so the
 * services stay plain TypeScript and run in unit tests without VS Code.
 */
export interface Disposable {
  dispose(): void;
}

export type Event<T> = (listener: (e: T) => void) => Disposable;

export class Emitter<T> implements Disposable {
  private listeners = new Set<(e: T) => void>();

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  /** Listeners run in subscription order; one that throws does not keep the others from running. */
  fire(e: T): void {
    let failure: unknown;
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure !== undefined) throw failure;
  }

  dispose(): void {
    this.listeners.clear();
  }
}

/** The log the services write to: vscode.LogOutputChannel has this shape. */
export interface Log {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}
