/**
 * Everything the comparison panels share: the open panels, the vote scoreboard (globalState), the
 * saved runs a window reload restores, the read-only documents the answer diff shows, and export.
 */
import * as vscode from 'vscode';
import { SavedCompareSchema, type CompareState, type Run, type SavedCompare, type Score } from '../../shared/protocol/compare.ts';
import type { FeatureHost } from '../featureHost.ts';
import { CachedMemento } from '../common/memento.ts';
import { exportJson, exportMarkdown, parseScoreBook, recordVote, scoreRows } from '../../shared/compare/logic.ts';
import { ComparePanel, restoreSelection, type CompareOptions, type PanelHost } from './panel.ts';
import { inBackground } from '../common/background.ts';
import { recordVoteInLeaderboard } from '../eval/votes.ts';

/** What the comparison manager and its panels use (main.ts wires it to the services). */
export type CompareManagerHost = Pick<
  FeatureHost,
  | 'applier'
  | 'client'
  | 'context'
  | 'currentModel'
  | 'keyFor'
  | 'lastCompareModels'
  | 'log'
  | 'modelPickItems'
  | 'notify'
  | 'tell'
  | 'recordResult'
  | 'setLastCompareModels'
>;

export const COMPARE_DOC_SCHEME = 'switchboard-compare';
const SCORE_KEY = 'switchboard.compareScoreboard';
const SAVED_KEY = 'switchboard.compareSaved';
/** Saved panels kept for a reload (most recent). */
const MAX_SAVED = 8;

const OPEN_EXPORT = 'Open';
const PREVIEW_EXPORT = 'Open Preview';

/** Where an export goes: asks with a save dialog; tests swap it (see `setExportPicker`). */
export type ExportPicker = (suggested: vscode.Uri) => Thenable<vscode.Uri | undefined>;

/** The save dialog, starting in the workspace with a suggested name. */
const askWhereToExport: ExportPicker = (suggested) =>
  vscode.window.showSaveDialog({
    defaultUri: suggested,
    filters: { Markdown: ['md'] },
    title: 'Export comparison (Markdown, with a .json next to it)',
    saveLabel: 'Export',
  });

export class CompareManager implements PanelHost, vscode.TextDocumentContentProvider, vscode.Disposable {
  readonly app: CompareManagerHost;
  private readonly panels = new Set<ComparePanel>();
  private readonly docs = new Map<string, string>();
  private readonly subs: vscode.Disposable[];
  private docCounter = 0;
  /** globalState, read through what this session wrote (see memento.ts). */
  private readonly stored: CachedMemento;
  private exportPicker: ExportPicker = askWhereToExport;

  constructor(app: CompareManagerHost) {
    this.app = app;
    this.stored = new CachedMemento(app.context.globalState);
    this.subs = [
      vscode.workspace.registerTextDocumentContentProvider(COMPARE_DOC_SCHEME, this),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (d.uri.scheme === COMPARE_DOC_SCHEME) this.docs.delete(d.uri.toString());
      }),
    ];
  }

  // ── Panels ──

  /** Opens a panel; with models and a question it starts at once. */
  open(opts: CompareOptions = {}, runNow = false): ComparePanel {
    const panel = ComparePanel.create(this, opts);
    this.panels.add(panel);
    if (runNow) panel.start(panel.state().setup.models, opts.question ?? '', opts.blind ?? false);
    return panel;
  }

  /** A window reload brings a panel back (the WebviewPanelSerializer, registered in activate.ts). */
  restore(webviewPanel: vscode.WebviewPanel, state: unknown): ComparePanel {
    const wanted =
      typeof state === 'object' && state && typeof (state as { panelId?: unknown }).panelId === 'string' ? (state as { panelId: string }).panelId : null;
    const all = this.savedAll();
    const id = wanted && all[wanted] ? wanted : (Object.entries(all).sort((a, b) => b[1].savedAt - a[1].savedAt)[0]?.[0] ?? undefined);
    const saved = id ? all[id] : undefined;
    const run = saved?.run ? this.interrupted(saved.run) : null;
    const setup = saved?.setup ?? { models: this.app.lastCompareModels(), prompt: '', contextLabel: null, blind: false };
    // The selection comes back with its code: Run sends what the chip shows. A context whose code was
    // not saved (an older version) is dropped, and the chip with it, rather than run without the code.
    const selection = setup.contextLabel && saved?.selection ? restoreSelection(saved.selection) : null;
    const panel = new ComparePanel(this, webviewPanel, {
      ...(id ? { id } : {}),
      setup: { ...setup, contextLabel: selection ? setup.contextLabel : null },
      run,
      selection,
    });
    this.panels.add(panel);
    this.app.log.info(
      `Compare panel restored${run ? ` with its last run (${run.columns.length} answers)` : ''}${selection ? ` and its context ${setup.contextLabel}` : ''}`,
    );
    return panel;
  }

  /** Columns that were still running when the window went away are stopped. */
  private interrupted(run: Run): Run {
    return {
      ...run,
      columns: run.columns.map((c) => (c.status === 'waiting' || c.status === 'streaming' ? { ...c, status: 'stopped' as const, retry: null } : c)),
    };
  }

  closed(panel: ComparePanel): void {
    this.panels.delete(panel);
  }

  /** The models on offer may have changed: every open panel's picker follows. */
  modelsChanged(): void {
    for (const p of this.panels) p.modelsChanged();
  }

  openPanels(): ComparePanel[] {
    return [...this.panels];
  }

  // ── Saved runs ──

  private savedAll(): Record<string, SavedCompare> {
    const raw = this.stored.get<Record<string, unknown>>(SAVED_KEY) ?? {};
    const out: Record<string, SavedCompare> = {};
    for (const [k, v] of Object.entries(raw)) {
      const p = SavedCompareSchema.safeParse(v);
      if (p.success) out[k] = p.data;
    }
    return out;
  }

  save(id: string, saved: SavedCompare): void {
    const all = { ...this.savedAll(), [id]: saved };
    const keep = Object.entries(all)
      .sort((a, b) => b[1].savedAt - a[1].savedAt)
      .slice(0, MAX_SAVED);
    inBackground(this.stored.update(SAVED_KEY, Object.fromEntries(keep)), this.app.log, 'Saving the comparison panels');
  }

  // ── Scoreboard ──

  scoreboard(): Score[] {
    return scoreRows(parseScoreBook(this.stored.get(SCORE_KEY)));
  }

  async recordVote(winner: string, answered: string[]): Promise<void> {
    const book = recordVote(parseScoreBook(this.stored.get(SCORE_KEY)), winner, answered);
    await this.stored.update(SCORE_KEY, book);
    // The scoreboard keeps no opponents; the leaderboard gets the vote pairwise (winner over each other answer).
    recordVoteInLeaderboard(winner, answered, this.app.log);
    for (const p of this.panels) p.scoreboardChanged();
  }

  async resetScoreboard(): Promise<void> {
    await this.stored.update(SCORE_KEY, {});
    this.app.log.info('Comparison scoreboard reset');
    for (const p of this.panels) p.scoreboardChanged();
  }

  /** "Switchboard: Show Comparison Scoreboard": the standings in a quick pick, with a reset. */
  async showScoreboard(): Promise<Score[]> {
    const rows = this.scoreboard();
    type Item = vscode.QuickPickItem & { action?: 'reset' | 'open' };
    const items: Item[] = rows.map((s) => {
      const n = s.wins + s.losses;
      return {
        label: s.model,
        description: `${s.wins} win${s.wins === 1 ? '' : 's'} · ${s.losses} loss${s.losses === 1 ? '' : 'es'}`,
        detail: n ? `${Math.round((s.wins / n) * 100)}% of ${n} vote${n === 1 ? '' : 's'}` : undefined,
      };
    });
    if (!items.length) items.push({ label: '$(info) No votes yet', description: 'vote for the best answer in a comparison' });
    items.push({ label: '', kind: vscode.QuickPickItemKind.Separator }, { label: '$(split-horizontal) Open Comparison', action: 'open' });
    if (rows.length) items.push({ label: '$(trash) Reset Scoreboard', action: 'reset' });
    const pick = await vscode.window.showQuickPick(items, {
      title: 'Switchboard: Comparison Scoreboard (wins and losses by model)',
      placeHolder: 'Votes from comparisons: the winner gets a win, every other model that answered a loss',
    });
    if (pick?.action === 'reset') {
      await this.resetScoreboard();
      this.app.tell('info', 'Switchboard: comparison scoreboard reset.');
    } else if (pick?.action === 'open') this.open();
    return rows;
  }

  // ── Diff ──

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.docs.get(uri.toString()) ?? '';
  }

  async showDiff(panelId: string, left: { label: string; text: string }, right: { label: string; text: string }): Promise<void> {
    const n = ++this.docCounter;
    const uri = (side: { label: string }): vscode.Uri =>
      vscode.Uri.from({ scheme: COMPARE_DOC_SCHEME, path: `/${panelId}/${n}/${side.label.replace(/[^\w.-]+/g, '-')}.md` });
    const l = uri(left);
    const r = uri(right);
    this.docs.set(l.toString(), left.text);
    this.docs.set(r.toString(), right.text);
    await vscode.commands.executeCommand('vscode.diff', l, r, `${left.label} ↔ ${right.label}`, { preview: true });
  }

  // ── Export ──

  /** Tests point the export somewhere without a dialog. */
  setExportPicker(picker: ExportPicker | null): void {
    this.exportPicker = picker ?? askWhereToExport;
  }

  /** Writes the run as Markdown (the picked file) and JSON (same name, .json). */
  async exportRun(run: Run): Promise<{ markdown: string; json: string } | undefined> {
    const now = new Date();
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? this.app.context.globalStorageUri;
    const stamp = now.toISOString().slice(0, 19).replace(/[:T]/g, '-');
    const picked = await this.exportPicker(vscode.Uri.joinPath(folder, `comparison-${stamp}.md`));
    if (!picked) return undefined;
    const mdUri = /\.md$/i.test(picked.path) ? picked : picked.with({ path: `${picked.path}.md` });
    const jsonUri = mdUri.with({ path: mdUri.path.replace(/\.md$/i, '.json') });
    const enc = new TextEncoder();
    try {
      await vscode.workspace.fs.writeFile(mdUri, enc.encode(exportMarkdown(run, now)));
      await vscode.workspace.fs.writeFile(jsonUri, enc.encode(exportJson(run, now)));
    } catch (e) {
      this.app.tell('error', `Switchboard: could not export the comparison: ${(e as Error).message}`);
      return undefined;
    }
    const name = (u: vscode.Uri): string => vscode.workspace.asRelativePath(u, false);
    this.app.log.info(`Comparison exported to ${mdUri.toString(true)} and ${jsonUri.toString(true)}`);
    // Not awaited: the export is done; the offer to open it stays until the user answers or dismisses it.
    inBackground(
      this.app.notify('info', `Switchboard: comparison exported to ${name(mdUri)} and ${name(jsonUri)}.`, OPEN_EXPORT, PREVIEW_EXPORT).then(async (pick) => {
        if (pick === OPEN_EXPORT) await vscode.window.showTextDocument(mdUri, { preview: false });
        else if (pick === PREVIEW_EXPORT) await vscode.commands.executeCommand('markdown.showPreview', mdUri);
      }),
      this.app.log,
      'Opening the exported comparison',
    );
    return { markdown: mdUri.toString(), json: jsonUri.toString() };
  }

  state(panel: ComparePanel): CompareState {
    return panel.state();
  }

  dispose(): void {
    // Panels are left open (a window reload restores them); only their requests stop.
    for (const p of this.panels) p.cancel(null);
    for (const s of this.subs) s.dispose();
  }
}
