/**
 * The "Get started" walkthrough's steps tick on success, not when a command merely runs: each step's
 * completion event is `onContext:<key>` (package.json), and a key is set here only when its step
 * really happened — a key verified or a local server answered with its models, a model chosen, a
 * selection action answered, a comparison answered. The keys set are recorded (tests read them).
 */

/** Context key of each step, as package.json's `completionEvents` name them. */
export const WALKTHROUGH_CONTEXT = {
  providerReady: 'switchboard.walkthrough.providerReady',
  modelChosen: 'switchboard.walkthrough.modelChosen',
  selectionAnswered: 'switchboard.walkthrough.selectionAnswered',
  compared: 'switchboard.walkthrough.compared',
} as const;

export type WalkthroughStep = keyof typeof WALKTHROUGH_CONTEXT;

/** Sets a context key (vscode.commands.executeCommand('setContext', key, value)). */
export type SetContext = (key: string, value: boolean) => PromiseLike<unknown>;

export class WalkthroughProgress {
  private readonly setContext: SetContext;
  private readonly log: { warn(message: string): void };
  private readonly reached = new Set<WalkthroughStep>();
  /** Every success reported, in order (the context key is set on the first only). */
  private readonly history: WalkthroughStep[] = [];

  constructor(setContext: SetContext, log: { warn(message: string): void }) {
    this.setContext = setContext;
    this.log = log;
  }

  /** The step succeeded: its context key becomes true (once; VS Code keeps the tick). */
  done(step: WalkthroughStep): void {
    this.history.push(step);
    if (this.history.length > 1000) this.history.shift();
    if (this.reached.has(step)) return;
    this.reached.add(step);
    Promise.resolve(this.setContext(WALKTHROUGH_CONTEXT[step], true)).then(undefined, (e: unknown) => {
      this.reached.delete(step);
      this.log.warn(`Could not tick the walkthrough step ${step}: ${e instanceof Error ? e.message : String(e)}`);
    });
  }

  /** Every success reported in this window, oldest first (a step that succeeded twice is in it twice). */
  successes(): WalkthroughStep[] {
    return [...this.history];
  }
}
