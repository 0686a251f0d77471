/**
 * One comparison panel (an editor webview): the set-up (models, prompt, context, blind), the run's
 * columns streaming side by side through `client.compare`, and the actions on them (cancel, re-run,
 * vote, diff, export, use an answer). The host holds the truth; the view gets snapshots and deltas.
 */
import * as vscode from 'vscode';
import type { CompareEntry, CompareResult } from '../../core/index.ts';
import type { ChatMessage, StreamPart } from '../../core/index.ts';
import {
  CompareToHostSchema,
  MIN_COMPARE_MODELS,
  type Column,
  type CompareState,
  type HostToCompare,
  type Run,
  type SavedCompare,
  type SavedSelection,
  type Setup,
} from '../../shared/protocol/compare.ts';
import { parseOrDrop } from '../../shared/protocol/issues.ts';
import type { ApplyTarget } from '../apply.ts';
import type { FeatureHost } from '../featureHost.ts';
import { selectionLabel, selectionMessage, SYSTEM_PROMPT, type CodeSelection } from '../common/prompts.ts';
import { openHttpLink, webviewHtml, webviewOptions } from '../webviewHtml.ts';
import { blindLabel, shuffled, validateSetup } from '../../shared/compare/logic.ts';
import { blindColumn, diffChoices } from '../../shared/compare/view.ts';
import { retryNoticeFrom } from '../../shared/protocol/retry.ts';
import { errorHeadline } from '../../shared/errorText.ts';
import { inBackground } from '../common/background.ts';
import { unavailableModels } from '../common/modelAvailability.ts';

/** What a comparison panel uses (main.ts wires it to the services). */
export type CompareHost = Pick<
  FeatureHost,
  'applier' | 'client' | 'context' | 'currentModel' | 'keyFor' | 'lastCompareModels' | 'log' | 'modelPickItems' | 'recordResult' | 'setLastCompareModels'
>;

export const COMPARE_VIEW_TYPE = 'switchboard.compare';

export interface CompareOptions {
  question?: string;
  models?: string[];
  selection?: { code: CodeSelection; target: ApplyTarget };
  blind?: boolean;
  /** Open with the cursor in the (pre-filled) prompt, to edit it before running. */
  focusPrompt?: boolean;
}

type Selection = NonNullable<CompareOptions['selection']>;

/** The selection as saved for a reload (the code is kept: Run after a reload must send it). */
export function saveSelection(s: Selection): SavedSelection {
  const r = s.target.range;
  return { ...s.code, uri: s.target.uri.toString(), range: [r.start.line, r.start.character, r.end.line, r.end.character] };
}

/** A saved selection back (null when its URI does not parse). */
export function restoreSelection(s: SavedSelection): Selection | null {
  try {
    const uri = vscode.Uri.parse(s.uri, true);
    const range = new vscode.Range(s.range[0], s.range[1], s.range[2], s.range[3]);
    const { fileName, languageId, text, startLine, endLine } = s;
    return { code: { fileName, languageId, text, startLine, endLine }, target: { uri, range, original: text } };
  } catch {
    return null;
  }
}

/** What a panel needs from its manager (manager.ts). */
export interface PanelHost {
  readonly app: CompareHost;
  scoreboard(): CompareState['scoreboard'];
  recordVote(winner: string, answered: string[]): Promise<void>;
  resetScoreboard(): Promise<void>;
  save(id: string, saved: SavedCompare): void;
  showDiff(panelId: string, left: { label: string; text: string }, right: { label: string; text: string }): Promise<void>;
  exportRun(run: Run): Promise<{ markdown: string; json: string } | undefined>;
  closed(panel: ComparePanel): void;
}

/** A column's request in flight. */
interface Active {
  runId: string;
  startedAt: number;
  cancel(): void;
}

function emptyColumn(runId: string, model: string, label: string, outputPrice: number | null, included = false): Column {
  return {
    ...(included ? { costIncluded: true } : {}),
    runId,
    model,
    label,
    text: '',
    status: 'waiting',
    elapsedMs: 0,
    ttftMs: null,
    totalMs: null,
    inputTokens: null,
    outputTokens: null,
    tokensPerSecond: null,
    costUsd: null,
    outputPrice,
    answeredBy: null,
    failover: [],
    error: null,
    retry: null,
  };
}

/** What a route tried before answering (empty for a plain single attempt). */
function failoverOf(r: CompareResult): string[] {
  if (r.attempts.length < 2) return [];
  return r.attempts
    .filter((a) => a.outcome !== 'ok')
    .map((a) =>
      a.outcome === 'skipped'
        ? `${a.model}: skipped${a.message ? ` (${a.message})` : ''}`
        : `${a.model}: ${errorHeadline(a.errorKind ?? 'server')}${a.status ? ` (HTTP ${a.status})` : ''}`,
    );
}

let panelCounter = 0;

export class ComparePanel implements vscode.Disposable {
  readonly id: string;
  private readonly host: PanelHost;
  private readonly app: CompareHost;
  readonly panel: vscode.WebviewPanel;
  private setup: Setup;
  /** The current run with real model names (the view gets it masked while blind). */
  private run: Run | null;
  private selection: Selection | null;
  /** Put the cursor in the prompt once the view is ready. */
  private focusPromptWhenReady: boolean;
  private readonly active = new Map<number, Active>();
  private ready = false;
  /** The catalog the view last got, with what is unavailable (a change is posted, the same one is not). */
  private postedCatalog = '';
  /** Every model this panel's picker offered: one picked may leave the catalog (a key or provider removed) and stay a chip. */
  private readonly offered = new Set<string>();
  private runCounter = 0;
  private disposed = false;
  private readonly subs: vscode.Disposable[] = [];
  /** Resolves with every model's result of the first run started in this panel. */
  readonly results: Promise<CompareResult[]>;
  private resolveResults!: (r: CompareResult[]) => void;
  private firstRunStarted = false;

  constructor(
    host: PanelHost,
    panel: vscode.WebviewPanel,
    init: { id?: string; setup: Setup; run: Run | null; selection?: Selection | null; focusPrompt?: boolean },
  ) {
    this.host = host;
    this.app = host.app;
    this.panel = panel;
    this.id = init.id ?? `${Date.now().toString(36)}-${++panelCounter}`;
    this.setup = init.setup;
    this.run = init.run;
    this.selection = init.selection ?? null;
    this.focusPromptWhenReady = init.focusPrompt ?? false;
    this.results = new Promise((r) => (this.resolveResults = r));
    const ext = this.app.context.extensionUri;
    panel.webview.options = webviewOptions(ext);
    panel.iconPath = new vscode.ThemeIcon('split-horizontal');
    panel.webview.html = webviewHtml(panel.webview, ext, { script: 'compare.js', styles: ['webview.css', 'compare.css'], title: 'Switchboard Compare' });
    this.updateTitle();
    this.subs.push(
      panel.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** A new panel in the editor area. */
  static create(host: PanelHost, opts: CompareOptions): ComparePanel {
    const ext = host.app.context.extensionUri;
    const wp = vscode.window.createWebviewPanel(COMPARE_VIEW_TYPE, 'Compare Models', vscode.ViewColumn.Active, {
      ...webviewOptions(ext),
      retainContextWhenHidden: true,
    });
    const last = host.app.lastCompareModels();
    const current = host.app.currentModel();
    const setup: Setup = {
      models: opts.models?.length ? [...opts.models] : last.length ? last : current ? [current] : [],
      prompt: opts.question ?? '',
      contextLabel: opts.selection ? selectionLabel(opts.selection.code) : null,
      blind: opts.blind ?? false,
    };
    return new ComparePanel(host, wp, { setup, run: null, selection: opts.selection ?? null, focusPrompt: opts.focusPrompt ?? false });
  }

  /** The snapshot the view gets (blind runs masked until the vote). */
  state(): CompareState {
    const catalog = this.catalog();
    return {
      panelId: this.id,
      setup: this.setup,
      catalog,
      unavailable: this.unavailable(catalog),
      run: this.run && this.viewRun(this.run),
      scoreboard: this.host.scoreboard(),
    };
  }

  /** Of the models picked, offered or run here, those that cannot be asked now, each with why (the view mutes their chips). */
  private unavailable(catalog: CompareState['catalog']): CompareState['unavailable'] {
    for (const c of catalog) this.offered.add(c.id);
    const ids = [...this.setup.models, ...this.offered, ...(this.run?.columns.map((c) => c.model ?? '').filter(Boolean) ?? [])];
    return this.unavailableOf(ids);
  }

  private unavailableOf(ids: Iterable<string>): CompareState['unavailable'] {
    try {
      return unavailableModels(this.app.client(), (p) => this.app.keyFor(p), ids);
    } catch (e) {
      this.app.log.warn(`Compare: could not check which models can be asked: ${(e as Error).message}`);
      return {};
    }
  }

  /** The unmasked current run (tests, export). */
  currentRun(): Run | null {
    return this.run;
  }

  private catalog(): CompareState['catalog'] {
    try {
      let group = '';
      const out: CompareState['catalog'] = [];
      for (const e of this.app.modelPickItems()) {
        if (e.kind === 'separator') group = e.label;
        else out.push({ id: e.id, label: e.label, group, detail: e.detail });
      }
      return out;
    } catch (e) {
      this.app.log.warn(`Compare: could not list models: ${(e as Error).message}`);
      return [];
    }
  }

  private hidden(run: Run): boolean {
    return run.blind && !run.revealed;
  }

  /** What the view may see of a column: blind runs are masked here, before anything is posted. */
  private viewColumn(run: Run, c: Column): Column {
    return this.hidden(run) ? blindColumn(c) : c;
  }

  private viewRun(run: Run): Run {
    const now = Date.now();
    return {
      ...run,
      // The code stays in the host (the export quotes it); the view shows the label.
      contextCode: null,
      columns: run.columns.map((c, i) => {
        const a = this.active.get(i);
        return this.viewColumn(run, { ...c, elapsedMs: a && a.runId === c.runId ? now - a.startedAt : (c.totalMs ?? 0) });
      }),
    };
  }

  private post(m: HostToCompare): void {
    if (this.ready && !this.disposed) inBackground(this.panel.webview.postMessage(m), this.host.app.log, 'Posting to the comparison view');
  }

  private postState(): void {
    const state = this.state();
    this.postedCatalog = JSON.stringify([state.catalog, state.unavailable]);
    this.post({ type: 'state', state });
  }

  /** The models on offer may have changed (a key, the settings, the catalog, VS Code's models): the view's picker and chips follow. */
  modelsChanged(): void {
    if (!this.ready || this.disposed) return;
    const catalog = this.catalog();
    const unavailable = this.unavailable(catalog);
    const json = JSON.stringify([catalog, unavailable]);
    if (json === this.postedCatalog) return;
    this.postedCatalog = json;
    this.post({ type: 'catalog', catalog, unavailable });
  }

  private postColumn(index: number): void {
    const run = this.run;
    const c = run?.columns[index];
    if (!run || !c) return;
    const a = this.active.get(index);
    this.post({
      type: 'column',
      run: run.id,
      index,
      column: this.viewColumn(run, { ...c, elapsedMs: a && a.runId === c.runId ? Date.now() - a.startedAt : (c.totalMs ?? 0) }),
    });
  }

  private problem(text: string | null): void {
    this.post({ type: 'problem', text });
  }

  private updateTitle(): void {
    const p = (this.run?.prompt ?? this.setup.prompt).trim().replace(/\s+/g, ' ');
    this.panel.title = p ? `Compare: ${p.length > 40 ? `${p.slice(0, 39)}…` : p}` : 'Compare Models';
  }

  private persist(): void {
    if (!this.disposed)
      this.host.save(this.id, {
        setup: this.setup,
        run: this.run,
        selection: this.selection && this.setup.contextLabel ? saveSelection(this.selection) : null,
        savedAt: Date.now(),
      });
  }

  private messages(prompt: string): ChatMessage[] {
    const content = this.selection && this.setup.contextLabel ? selectionMessage(prompt, this.selection.code) : prompt;
    return [
      { role: 'system', content: SYSTEM_PROMPT },
      { role: 'user', content },
    ];
  }

  /** Starts a comparison with the set-up's models; false (and a problem shown) when it cannot. */
  start(picked: string[], prompt: string, blind: boolean): boolean {
    this.setup = { ...this.setup, models: [...picked], prompt, blind };
    // A model that cannot be asked now (its key or provider removed since it was picked) is skipped, and said.
    const invalid = validateSetup(picked, prompt);
    const unavailable = invalid ? {} : this.unavailableOf(picked);
    const skipped = picked.filter((m) => Object.hasOwn(unavailable, m));
    const models = picked.filter((m) => !skipped.includes(m));
    const notice = skipped.length ? `Skipped ${skipped.map((m) => `${m} (not available: ${unavailable[m]})`).join('; ')}.` : null;
    const problem =
      invalid ??
      (models.length < MIN_COMPARE_MODELS ? `${notice} Pick at least ${MIN_COMPARE_MODELS} models that are available (${models.length} left).` : null);
    if (problem) {
      this.problem(problem);
      this.app.log.info(`Compare not started: ${problem}`);
      return false;
    }
    this.problem(notice);
    if (notice) this.app.log.info(`Compare: ${notice}`);
    this.cancelAll();
    this.active.clear();
    inBackground(this.app.setLastCompareModels(models), this.app.log, 'Saving the compared models');
    const order = blind ? shuffled(models) : [...models];
    const id = `${this.id}.${++this.runCounter}`;
    this.run = {
      id,
      prompt,
      contextLabel: this.setup.contextLabel,
      contextCode: this.selection && this.setup.contextLabel ? { language: this.selection.code.languageId, text: this.selection.code.text } : null,
      blind,
      revealed: !blind,
      winner: null,
      columns: order.map((m, i) => emptyColumn(`${id}.${i}.0`, m, blind ? blindLabel(i) : m, this.outputPrice(m), this.included(m))),
    };
    this.updateTitle();
    const started = this.launch(order.map((_, i) => i));
    if (!this.firstRunStarted) {
      this.firstRunStarted = true;
      inBackground(
        started.then((r) => this.resolveResults(r)),
        this.app.log,
        'Comparison results',
      );
    }
    this.postState();
    this.persist();
    return true;
  }

  private outputPrice(model: string): number | null {
    try {
      return this.app.client().catalog.get(model)?.price?.output ?? null;
    } catch {
      return null;
    }
  }

  private included(model: string): boolean {
    try {
      return this.app.client().catalog.included(model);
    } catch {
      return false;
    }
  }

  /** Runs the given columns (all at once through client.compare, with its concurrency limit). */
  private launch(indices: number[]): Promise<CompareResult[]> {
    const run = this.run!;
    const messages = this.messages(run.prompt);
    const runIds = indices.map((i) => run.columns[i]!.runId);
    const startedAt = Date.now();
    const cmp = this.app.client().compare(
      { messages },
      indices.map((i) => run.columns[i]!.model!),
      {
        onPart: (k, _model, part) => this.onPart(run, indices[k]!, runIds[k]!, part),
      },
    );
    cmp.entries.forEach((entry, k) => this.track(run, indices[k]!, runIds[k]!, entry, startedAt, k === 0 ? messages : undefined));
    return cmp.results;
  }

  private track(run: Run, index: number, runId: string, entry: CompareEntry, startedAt: number, messages: ChatMessage[] | undefined): void {
    this.active.set(index, { runId, startedAt, cancel: () => entry.cancel() });
    const settled = entry.result.then((r) => {
      this.app.recordResult(`compare ${index + 1}/${run.columns.length}`, r, messages);
      const col = run.columns[index];
      // A cancelled or replaced run's late result changes nothing.
      if (this.run !== run || !col || col.runId !== runId) return;
      if (this.active.get(index)?.runId === runId) this.active.delete(index);
      const stopped = r.error?.kind === 'aborted';
      col.status = stopped ? 'stopped' : r.error ? 'error' : 'done';
      col.text = r.text || col.text;
      col.ttftMs = r.timing.ttftMs ?? col.ttftMs;
      col.totalMs = r.timing.totalMs || Date.now() - startedAt;
      col.inputTokens = r.usage.inputTokens;
      col.outputTokens = r.usage.outputTokens;
      col.tokensPerSecond = r.tokensPerSecond;
      col.costUsd = r.costUsd;
      if (r.costIncluded) col.costIncluded = true;
      else delete col.costIncluded;
      col.answeredBy = r.answeredBy;
      col.failover = failoverOf(r);
      col.retry = null;
      col.error = r.error && !stopped ? { kind: r.error.kind, message: r.error.detail || r.error.message, fix: r.error.fix } : null;
      this.postColumn(index);
      this.persist();
    });
    inBackground(settled, this.app.log, `Comparison column ${index + 1}`);
  }

  private onPart(run: Run, index: number, runId: string, part: StreamPart): void {
    const col = run.columns[index];
    if (this.run !== run || !col || col.runId !== runId) return;
    if (part.type === 'retry' || part.type === 'attempt-start') return this.onWait(run, index, col, part);
    if (part.type !== 'text-delta' || !part.text) return;
    if (col.retry) col.retry = null;
    if (col.status === 'waiting') {
      const a = this.active.get(index);
      col.status = 'streaming';
      col.ttftMs = a ? Date.now() - a.startedAt : null;
      this.postColumn(index);
    }
    col.text += part.text;
    this.post({ type: 'delta', run: run.id, runId, index, text: part.text });
  }

  /** A retry wait shows in the column ("rate limited — retrying in 7 s (attempt 2 of 3)") until the next try starts. */
  private onWait(run: Run, index: number, col: Column, part: Extract<StreamPart, { type: 'retry' | 'attempt-start' }>): void {
    if (part.type === 'retry') col.retry = retryNoticeFrom(part, Date.now());
    else if (col.retry) col.retry = null;
    else return;
    if (run === this.run) this.postColumn(index);
  }

  cancel(index: number | null): void {
    if (index === null) this.cancelAll();
    else this.active.get(index)?.cancel();
  }

  private cancelAll(): void {
    for (const a of this.active.values()) a.cancel();
  }

  /** Runs one column again (a new run id: whatever the old one still sends is ignored). */
  rerun(index: number): boolean {
    const run = this.run;
    const col = run?.columns[index];
    if (!run || !col?.model) return false;
    this.active.get(index)?.cancel();
    this.active.delete(index);
    const gen = Number(col.runId.split('.').pop() ?? 0) + 1;
    const fresh = emptyColumn(`${run.id}.${index}.${gen}`, col.model, col.label, col.outputPrice, col.costIncluded);
    run.columns[index] = fresh;
    // Each column's result is handled in track(); the combined promise never rejects (compareModels).
    inBackground(this.launch([index]), this.app.log, 'Re-running a comparison column');
    this.postColumn(index);
    this.persist();
    return true;
  }

  private running(): boolean {
    return this.run?.columns.some((c) => c.status === 'waiting' || c.status === 'streaming') ?? false;
  }

  /** The user's vote for the best answer: scoreboard updated, blind labels revealed. */
  async vote(index: number): Promise<boolean> {
    const run = this.run;
    const col = run?.columns[index];
    if (!run || !col?.model) return false;
    if (run.winner !== null) return (this.problem('This comparison already has your vote.'), false);
    if (this.running()) return (this.problem('Wait for every answer (or stop them) before voting.'), false);
    if (col.status !== 'done') return (this.problem(`${col.label} has no answer to vote for.`), false);
    run.winner = index;
    run.revealed = true;
    const answered = run.columns.filter((c) => c.status === 'done' && c.model).map((c) => c.model!);
    await this.host.recordVote(col.model, answered);
    this.app.log.info(`Compare vote: ${col.model} over ${answered.filter((m) => m !== col.model).join(', ') || 'nobody'}`);
    this.problem(null);
    this.postState();
    this.persist();
    return true;
  }

  private onMessage(raw: unknown): void {
    const m = parseOrDrop(CompareToHostSchema, raw, (line) => this.app.log.warn(line), 'Compare view');
    if (!m) return;
    // Actions on a run the view no longer shows are stale: ignore them.
    const current = (run: string): boolean => this.run?.id === run;
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.postState();
        if (this.focusPromptWhenReady) {
          this.focusPromptWhenReady = false;
          this.post({ type: 'focusPrompt' });
        }
        return;
      case 'run':
        this.start(m.models, m.prompt, m.blind);
        return;
      case 'cancel':
        if (current(m.run)) this.cancel(m.index);
        return;
      case 'rerun':
        if (current(m.run)) this.rerun(m.index);
        return;
      case 'apply': {
        const col = current(m.run) ? this.run?.columns[m.index] : undefined;
        if (col?.status === 'done')
          inBackground(
            this.app.applier.apply(col.text, this.setup.contextLabel ? (this.selection?.target ?? null) : null, m.mode),
            this.app.log,
            'Applying an answer',
          );
        return;
      }
      case 'vote':
        if (current(m.run)) inBackground(this.vote(m.index), this.app.log, 'Recording a vote');
        return;
      case 'reveal':
        if (current(m.run)) this.reveal();
        return;
      case 'diff': {
        const run = current(m.run) ? this.run : null;
        const l = run?.columns[m.left];
        const r = run?.columns[m.right];
        if (!run || !l || !r || m.left === m.right) return this.problem('Pick two different answers to diff.');
        const offered = diffChoices(run.columns);
        if (!offered.includes(m.left) || !offered.includes(m.right)) return this.problem('Only answers with text can be compared in a diff.');
        const name = (c: Column): string => (this.hidden(run) || !c.model ? c.label : c.model);
        inBackground(this.host.showDiff(this.id, { label: name(l), text: l.text }, { label: name(r), text: r.text }), this.app.log, 'Showing a diff');
        return;
      }
      case 'export':
        if (current(m.run) && this.run) inBackground(this.host.exportRun(this.run), this.app.log, 'Exporting a comparison');
        return;
      case 'removeContext':
        this.setup = { ...this.setup, contextLabel: null };
        this.selection = null;
        this.postState();
        this.persist();
        return;
      case 'resetScoreboard':
        inBackground(this.host.resetScoreboard(), this.app.log, 'Resetting the scoreboard');
        return;
      case 'openLink':
        openHttpLink(m.url, this.host.app.log);
        return;
      default: {
        const never: never = m;
        throw new Error(`unhandled compare message ${JSON.stringify(never)}`);
      }
    }
  }

  /** The scoreboard changed (a vote here or in another panel). */
  scoreboardChanged(): void {
    this.post({ type: 'scoreboard', scoreboard: this.host.scoreboard() });
  }

  /** Shows a blind run's models without a vote (when every answer failed, or the user would rather not vote). */
  reveal(): boolean {
    const run = this.run;
    if (!run || !this.hidden(run)) return false;
    if (this.running()) return (this.problem('Wait for every answer (or stop them) before revealing the models.'), false);
    run.revealed = true;
    this.app.log.info('Compare: blind run revealed without a vote');
    this.problem(null);
    this.postState();
    this.persist();
    return true;
  }

  /** Brings the panel to the front. */
  show(): void {
    this.panel.reveal();
  }

  dispose(): void {
    if (this.disposed) return;
    this.persist();
    this.disposed = true;
    this.cancelAll();
    this.host.closed(this);
    for (const s of this.subs.splice(0)) s.dispose();
    this.panel.dispose();
  }
}
