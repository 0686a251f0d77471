/**
 * The test-set panel: runs a set (prompts × models) with live progress, shows the results grid,
 * the totals and the workspace's leaderboard, and applies the winning change of a codeRun prompt.
 * The host holds the truth (common/evalView.ts); the view gets whole snapshots.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import {
  appendToLeaderboard,
  applyFiles,
  codeWinner,
  LEADERBOARD_FILE,
  parseTestSet,
  readLeaderboard,
  readUserFile,
  runComparisons,
  runEval,
  type EvalResults,
  type TestSet,
} from '../../core/index.ts';
import { EvalToHostSchema, type EvalState, type HostToEval } from '../../shared/protocol/eval.ts';
import { parseOrDrop } from '../../shared/protocol/issues.ts';
import { inBackground } from '../common/background.ts';
import { followingClient } from '../common/followingClient.ts';
import { EvalView } from '../common/evalView.ts';
import type { FeatureHost } from '../featureHost.ts';
import { webviewHtml, webviewOptions } from '../webviewHtml.ts';

export type EvalHost = Pick<FeatureHost, 'client' | 'context' | 'log' | 'tell'>;

export const EVAL_VIEW_TYPE = 'switchboard.eval';
/** The last run of a test-set panel, kept in the workspace's state so a window reload brings it back. */
const SAVED_KEY = 'switchboard.eval.lastRun';
/** Results bigger than this (answers, command output) are not kept: the grid comes back, not the votes or Apply. */
const MAX_SAVED_RESULTS = 4_000_000;

interface SavedRun {
  state: EvalState;
  results: EvalResults | null;
  last: { path: string; models: string[] | undefined; blind: boolean } | null;
}

/** The workspace folder test sets live in (local folders only: commands and scratch copies need a disk). */
export function evalRoot(): string | null {
  const f = vscode.workspace.workspaceFolders?.[0]?.uri;
  return f && f.scheme === 'file' ? f.fsPath : null;
}

export class EvalPanel implements vscode.Disposable {
  readonly panel: vscode.WebviewPanel;
  private readonly app: EvalHost;
  private readonly root: string;
  private readonly view: EvalView;
  private ac: AbortController | null = null;
  private last: { path: string; models: string[] | undefined; blind: boolean } | null = null;
  private readonly subs: vscode.Disposable[] = [];
  private ready = false;
  private disposed = false;
  private savedAt = 0;
  /** The current run's results (resolved when it ends). */
  done: Promise<EvalResults> | null = null;

  constructor(app: EvalHost, root: string, mode: EvalState['mode'], restored?: vscode.WebviewPanel) {
    this.app = app;
    this.root = root;
    const ext = app.context.extensionUri;
    this.panel =
      restored ??
      vscode.window.createWebviewPanel(EVAL_VIEW_TYPE, mode === 'run' ? 'Test Set' : 'Model Leaderboard', vscode.ViewColumn.Active, {
        ...webviewOptions(ext),
        retainContextWhenHidden: true,
      });
    if (restored) this.panel.webview.options = webviewOptions(ext);
    this.panel.iconPath = new vscode.ThemeIcon('beaker');
    this.panel.webview.html = webviewHtml(this.panel.webview, ext, { script: 'eval.js', styles: ['webview.css', 'eval.css'], title: 'Switchboard Test Set' });
    this.view = new EvalView(mode, join(root, LEADERBOARD_FILE), vscode.workspace.isTrusted);
    this.refreshBoard(null);
    this.subs.push(
      this.panel.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m)),
      this.panel.onDidDispose(() => this.dispose()),
    );
  }

  state(): EvalState {
    return this.view.state;
  }

  results(): EvalResults | null {
    return this.view.results;
  }

  private post(): void {
    if (!this.ready || this.disposed) return;
    inBackground(
      this.panel.webview.postMessage({ type: 'state', state: this.view.snapshot() } satisfies HostToEval),
      this.app.log,
      'Updating the test-set view',
    );
  }

  private refreshBoard(tag: string | null): void {
    try {
      this.view.setBoard(readLeaderboard(join(this.root, LEADERBOARD_FILE)), tag);
    } catch (e) {
      this.view.state.problem = (e as Error).message;
    }
  }

  /**
   * Runs the set at `path` (models: the given ones, else the set's); the promise is the results.
   * A blind run shows only its progress, then asks for a blind vote on each pair of answers.
   */
  run(path: string, models?: string[], opts: { blind?: boolean } = {}): Promise<EvalResults> {
    if (this.ac) throw new Error('a run is already going on in this panel');
    let set: TestSet;
    try {
      set = parseTestSet(readUserFile(path), vscode.workspace.asRelativePath(path));
    } catch (e) {
      this.view.state.problem = (e as Error).message;
      this.post();
      throw e;
    }
    const list = models?.length ? models : (set.models ?? []);
    const name = set.name ?? basename(path, '.json');
    const blind = opts.blind === true;
    this.last = { path, models, blind };
    this.panel.title = `Test Set: ${name}${blind ? ' (blind)' : ''}`;
    this.view.start(name, set, list);
    if (blind) this.view.blindRun();
    this.save();
    this.post();
    const ac = new AbortController();
    this.ac = ac;
    const trusted = vscode.workspace.isTrusted;
    this.done = runEval({
      // Each cell asks the client in use then: a key or settings change mid-run applies to the next cell.
      client: followingClient(() => this.app.client()),
      set,
      name,
      models: list,
      readFile: (p) => readFileSync(join(this.root, p), 'utf8'),
      workspaceRoot: this.root,
      // node:vm and shell commands are not for a folder the user has not trusted.
      allowCode: trusted,
      signal: ac.signal,
      frontEnd: 'eval',
      onEvent: (e) => {
        this.view.onEvent(e);
        // What has finished survives a reload mid-run (a save every few seconds at most).
        if (e.type === 'cell-done' && Date.now() - this.savedAt > 2000) this.save();
        this.post();
      },
    }).then(
      (r) => {
        this.ac = null;
        if (!r.cancelled) {
          const { comparisons, costs } = runComparisons(r, new Date());
          try {
            appendToLeaderboard(join(this.root, LEADERBOARD_FILE), comparisons, costs);
          } catch (e) {
            this.app.log.warn(`Test set: could not record the run in the leaderboard: ${(e as Error).message}`);
          }
        }
        this.refreshBoard(this.view.state.board.tag);
        if (this.view.state.blind) {
          if (r.cancelled) this.view.endBlind();
          else this.startBlindVote();
        }
        this.save();
        this.post();
        this.app.log.info(
          `Test set ${name}: ${r.totals.map((t) => `${t.model} ${t.passRate === null ? '—' : `${Math.round(t.passRate * 100)}%`}`).join(', ')}`,
        );
        return r;
      },
      (e: unknown) => {
        this.ac = null;
        this.view.state.status = 'done';
        this.view.endBlind();
        this.view.state.problem = (e as Error)?.message ?? String(e);
        this.post();
        throw e;
      },
    );
    return this.done;
  }

  cancel(): void {
    this.ac?.abort();
  }

  /** The run as it stands, for a window reload (blind or not: the host's copy; the view gets snapshots). */
  private save(): void {
    const results = this.view.results && JSON.stringify(this.view.results).length <= MAX_SAVED_RESULTS ? this.view.results : null;
    const saved: SavedRun = { state: { ...this.view.state, blind: null }, results, last: this.last };
    this.savedAt = Date.now();
    inBackground(Promise.resolve(this.app.context.workspaceState.update(SAVED_KEY, saved)), this.app.log, 'Saving the test-set run');
  }

  /**
   * A window reload: the panel comes back with the last run (a leaderboard panel as a leaderboard).
   * A run that was going on when the window went away is shown as interrupted, with what had finished.
   */
  static restore(app: EvalHost, root: string, webviewPanel: vscode.WebviewPanel, viewState: unknown): EvalPanel {
    const mode = typeof viewState === 'object' && viewState && (viewState as { mode?: unknown }).mode === 'leaderboard' ? 'leaderboard' : 'run';
    const panel = new EvalPanel(app, root, mode, webviewPanel);
    const saved = mode === 'run' ? app.context.workspaceState.get<SavedRun>(SAVED_KEY) : undefined;
    if (saved?.state) {
      const s: EvalState = { ...saved.state, trusted: vscode.workspace.isTrusted, blind: null, board: panel.view.state.board };
      if (s.status === 'running') {
        s.status = 'cancelled';
        s.problem = `The window reloaded during the run, at ${s.progress.done}/${s.progress.total}: Run again to finish it.`;
        s.cells = s.cells.map((row) =>
          row.map((c) =>
            c.status === 'waiting' || c.status === 'running' ? { ...c, status: 'skipped' as const, error: 'not asked (the window reloaded)' } : c,
          ),
        );
      }
      panel.view.state = s;
      panel.view.results = saved.state.status === 'running' ? null : saved.results;
      panel.last = saved.last;
      if (s.set) panel.panel.title = `Test Set: ${s.set}`;
    }
    app.log.info(`Test-set panel restored${saved?.state?.set ? ` with its last run (${saved.state.set})` : ''}`);
    return panel;
  }

  /** A blind vote over the finished run's answers, pair by pair; false when no prompt has two answers. */
  startBlindVote(): boolean {
    if (this.ac || !this.view.results) return false;
    const started = this.view.beginVoting(Math.random);
    if (!started) this.app.tell('info', 'Switchboard: nothing to vote on — no prompt of this run has answers from two models.');
    this.post();
    return started;
  }

  /** The user's pick for the pair shown: recorded in the leaderboard at once (source vote), so none is lost. */
  vote(choice: 'a' | 'b' | 'tie' | 'skip'): void {
    const outcome = this.view.vote(choice, new Date());
    if (outcome) {
      try {
        appendToLeaderboard(join(this.root, LEADERBOARD_FILE), [outcome]);
      } catch (e) {
        this.app.tell('error', `Switchboard: the vote could not be added to the leaderboard: ${(e as Error).message}`);
      }
    }
    if (this.view.state.blind?.phase === 'finished') this.refreshBoard(this.view.state.board.tag);
    this.save();
    this.post();
  }

  /**
   * "Apply the winner": the cheapest passing change of a codeRun prompt goes into the real files.
   * Refused (nothing written) when a file has unsaved edits or changed on disk since the run.
   */
  async applyWinner(promptIndex: number): Promise<string[]> {
    const r = this.view.results;
    const winner = r ? codeWinner(r, promptIndex) : null;
    if (!r || !winner?.codeRun) throw new Error('no change passed its command for this prompt');
    for (const f of winner.codeRun.files) {
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === join(this.root, f.path));
      if (doc?.isDirty) throw new Error(`${f.path} has unsaved changes; save or revert it first (nothing was applied)`);
    }
    const written = applyFiles(this.root, winner.codeRun.files);
    this.view.state.applied[promptIndex] = winner.model;
    this.save();
    this.post();
    this.app.log.info(`Test set: applied ${winner.model}'s change to ${written.join(', ')}`);
    return written;
  }

  private onMessage(raw: unknown): void {
    const m = parseOrDrop(EvalToHostSchema, raw, (line) => this.app.log.warn(line), 'The test-set view');
    if (!m) return;
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.post();
        return;
      case 'cancel':
        this.cancel();
        return;
      case 'rerun':
        if (this.last && !this.ac) {
          const last = this.last;
          inBackground(
            this.run(last.path, last.models, { blind: last.blind }).then(() => undefined),
            this.app.log,
            'Running the test set again',
          );
        }
        return;
      case 'apply':
        this.applyWinner(m.prompt).then(
          (files) => this.app.tell('info', `Switchboard: applied ${this.view.state.applied[m.prompt]}'s change to ${files.join(', ')}.`),
          (e: unknown) => this.app.tell('error', `Switchboard: ${(e as Error).message}`),
        );
        return;
      case 'tag':
        this.refreshBoard(m.tag);
        this.post();
        return;
      case 'blind':
        this.startBlindVote();
        return;
      case 'vote':
        this.vote(m.choice);
        return;
      case 'endBlind':
        this.view.endBlind();
        this.post();
        return;
    }
  }

  reveal(): void {
    this.panel.reveal();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.ac?.abort();
    for (const s of this.subs) s.dispose();
    this.panel.dispose();
  }
}
