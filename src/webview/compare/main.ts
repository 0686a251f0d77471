/**
 * The comparison panel's browser code: the set-up (models, prompt, context, blind mode), a toolbar
 * for the run (stop all, diff two answers, export, scoreboard), the summary ranking the finished
 * answers, and one column per model streaming side by side.
 */
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import { rankColumns } from '../../shared/compare/logic.ts';
import { diffChoices } from '../../shared/compare/view.ts';
import {
  HostToCompareSchema,
  type Column,
  type CompareState,
  type CompareToHost,
  type HostToCompare,
  type Run,
  type Score,
} from '../../shared/protocol/compare.ts';
import { formatCost, formatMs, h, iconButton } from '../shared/dom.ts';
import { interceptLinks } from '../shared/markdown.ts';
import { assertNever, connect } from '../shared/rpc.ts';
import { ColumnView, isRunning } from './columns.ts';
import { SetupView } from './setup.ts';
import { setOptions, singleSelect } from '../shared/select.ts';

const app = document.getElementById('app')!;
let state: CompareState | null = null;
let views: ColumnView[] = [];
let scoreboardOpen = false;

const channel = connect<HostToCompare, CompareToHost>(HostToCompareSchema, (m) => {
  switch (m.type) {
    case 'state':
      state = m.state;
      channel.setState({ panelId: m.state.panelId });
      setup.update(m.state);
      renderRun();
      renderScoreboard();
      return;
    case 'column': {
      const run = state?.run;
      if (!run || run.id !== m.run || !run.columns[m.index]) return;
      run.columns[m.index] = m.column;
      renderRun();
      return;
    }
    case 'delta': {
      const run = state?.run;
      const view = views[m.index];
      // Deltas of a cancelled or replaced run are dropped.
      if (!run || run.id !== m.run || !view || view.runId !== m.runId) return;
      view.append(m.text); // appends to run.columns[m.index] too (the view holds that object)
      return;
    }
    case 'scoreboard':
      if (!state) return;
      state.scoreboard = m.scoreboard;
      renderScoreboard();
      return;
    case 'catalog':
      if (!state) return;
      state.catalog = m.catalog;
      state.unavailable = m.unavailable;
      setup.setCatalog(m.catalog, m.unavailable);
      return;
    case 'problem':
      setup.problem(m.text);
      return;
    case 'focusPrompt':
      setup.focusPrompt();
      return;
    default:
      assertNever(m);
  }
});

const post = (m: CompareToHost): void => channel.post(m);
const setup = new SetupView(post);

// ── The run: toolbar, columns, then the summary once the run is over ──

const toolbar = h('div', { class: 'run-toolbar', role: 'toolbar' });
// The summary goes under the columns and appears when the run ends: it never pushes them around.
const summary = h('div', { class: 'summary' });
const columnsEl = h('div', { class: 'columns' });
const scoreboardEl = h('details', { class: 'scoreboard' });
scoreboardEl.addEventListener('toggle', () => (scoreboardOpen = scoreboardEl.open));
// The diff pickers live across renders: a pick survives a column finishing.
const diffLeft = singleSelect('diff-select diff-left', 'First answer to diff');
const diffRight = singleSelect('diff-select diff-right', 'Second answer to diff');
let diffOffered = '';
let diffRun = '';
const runEl = h('div', { class: 'run' }, toolbar, columnsEl, summary);
app.append(setup.el, runEl, scoreboardEl);
interceptLinks(columnsEl, (url) => post({ type: 'openLink', url }));

function anyRunning(run: Run): boolean {
  return run.columns.some(isRunning);
}

// Escape stops every running answer from anywhere in the panel, as in the chat; not while it closes a dropdown.
document.addEventListener('keydown', (e) => {
  const run = state?.run;
  if (e.key !== 'Escape' || e.defaultPrevented || !run || !anyRunning(run)) return;
  if (e.composedPath().some((t) => t instanceof HTMLElement && t.tagName === 'VSCODE-SINGLE-SELECT')) return;
  e.preventDefault();
  post({ type: 'cancel', run: run.id, index: null });
});

function renderRun(): void {
  const run = state?.run;
  runEl.hidden = !run;
  if (!run) {
    for (const v of views) v.dispose();
    views = [];
    return;
  }
  const running = anyRunning(run);
  const ranking = rankColumns(run.columns);
  const badges = (i: number): string[] =>
    [ranking.cheapest === i ? 'cheapest' : null, ranking.fastest === i ? 'fastest' : null, ranking.firstToken === i ? 'first token' : null].filter(
      (b): b is string => !!b,
    );
  const canVote = !running && run.winner === null && run.columns.some((c) => c.status === 'done');
  // A column whose data and surroundings did not change keeps its view (scroll position, selection).
  const old = views;
  views = run.columns.map((c, i) => {
    const ctx = { post, runId: run.id, canVote, winner: run.winner === i, badges: badges(i) };
    const prev = old[i];
    if (prev && prev.column === c && prev.key === ColumnView.key(ctx)) return prev;
    prev?.dispose();
    return new ColumnView(i, c, ctx);
  });
  for (const v of old.slice(views.length)) v.dispose();
  views.forEach((v, i) => {
    const at = columnsEl.children[i];
    if (at !== v.el) at ? at.replaceWith(v.el) : columnsEl.append(v.el);
  });
  while (columnsEl.children.length > views.length) columnsEl.lastElementChild!.remove();
  columnsEl.classList.toggle('many', run.columns.length > 3);
  renderToolbar(run, running);
  renderSummary(run, ranking, running);
  setup.setRunning(running);
}

/** Offers only answers with text in the diff pickers; keeps the user's picks while they stay offered. */
function updateDiffPickers(run: Run): number[] {
  const offered = diffChoices(run.columns);
  const key = JSON.stringify([run.id, offered, offered.map((i) => run.columns[i]!.label)]);
  if (key !== diffOffered) {
    diffOffered = key;
    // A new run starts from its first two answers; within a run, picks that are still offered stay.
    const fresh = diffRun !== run.id;
    diffRun = run.id;
    const still = (s: typeof diffLeft): string | null => (!fresh && s.value !== '' && offered.includes(Number(s.value)) ? s.value : null);
    const left = still(diffLeft) ?? (offered[0] === undefined ? null : String(offered[0]));
    const keptRight = still(diffRight);
    const other = offered.find((i) => String(i) !== left);
    const right = keptRight !== null && keptRight !== left ? keptRight : other === undefined ? null : String(other);
    const options = offered.map((i) => ({ value: String(i), label: run.columns[i]!.label }));
    setOptions(diffLeft, options, left);
    setOptions(diffRight, options, right);
  }
  return offered;
}

function renderToolbar(run: Run, running: boolean): void {
  const offered = updateDiffPickers(run);
  const diff = iconButton('diff', 'Diff', () => post({ type: 'diff', run: run.id, left: Number(diffLeft.value), right: Number(diffRight.value) }), {
    class: 'diff-button',
    title: 'Open the two answers in VS Code’s diff editor',
  });
  const diffGroup = h('span', { class: 'diff-group' }, diffLeft, h('span', { class: 'muted' }, 'vs'), diffRight, diff);
  diffGroup.hidden = offered.length < 2;
  const stopAll = iconButton('debug-stop', 'Stop all', () => post({ type: 'cancel', run: run.id, index: null }), {
    class: 'stop-all',
    title: 'Stop every answer (Escape)',
  });
  stopAll.hidden = !running;
  const exp = iconButton('export', 'Export', () => post({ type: 'export', run: run.id }), { class: 'export', title: 'Save the run as Markdown and JSON' });
  exp.disabled = running;
  const hidden = run.blind && !run.revealed;
  const reveal = iconButton('eye', 'Reveal', () => post({ type: 'reveal', run: run.id }), {
    class: 'reveal',
    title: 'Show which model gave each answer without voting',
  });
  reveal.hidden = !hidden || running;
  const blindNote = run.blind
    ? h(
        'span',
        { class: 'blind-note', title: hidden ? 'Blind run: the models are hidden until you vote' : 'Blind run, revealed' },
        h('span', { class: `codicon codicon-${hidden ? 'eye-closed' : 'eye'}` }),
        // Short: the prompt needs the room; the tooltip and the Reveal button say the rest.
        h('span', { class: 'blind-text' }, hidden ? 'Blind' : 'Revealed'),
      )
    : null;
  const finished = run.columns.filter((c) => !isRunning(c)).length;
  // The run's own prompt (the set-up above may have been edited since).
  const asked = h(
    'span',
    { class: 'run-prompt', title: run.contextLabel ? `${run.prompt}\n\nwith ${run.contextLabel}` : run.prompt },
    h('span', { class: 'codicon codicon-comment' }),
    h('span', { class: 'run-prompt-text' }, run.prompt),
  );
  // Two groups: what ran (shrinks, with ellipses) and the actions (never wrap); no line break either way.
  toolbar.replaceChildren(
    h(
      'div',
      { class: 'run-info' },
      ...[asked, h('span', { class: 'run-progress' }, `${finished}/${run.columns.length} done`), blindNote].filter((e): e is HTMLElement => !!e),
    ),
    h('div', { class: 'run-actions' }, stopAll, reveal, diffGroup, exp),
  );
}

function renderSummary(run: Run, ranking: ReturnType<typeof rankColumns>, running: boolean): void {
  const done = ranking.cost.length || ranking.total.length ? new Set([...ranking.cost, ...ranking.total, ...ranking.length]) : new Set<number>();
  // Only once the run is over, and not while a blind run withholds the figures it ranks by.
  if (!done.size || running || (run.blind && !run.revealed)) {
    summary.replaceChildren();
    summary.hidden = true;
    return;
  }
  summary.hidden = false;
  const place = (p: (number | null)[], i: number): string => {
    const n = p[i];
    return n === null || n === undefined ? '' : ` #${n}`;
  };
  const rows = [...done].sort((a, b) => (ranking.cost.indexOf(a) + 1 || 99) - (ranking.cost.indexOf(b) + 1 || 99) || a - b);
  const th = (t: string): HTMLElement => h('th', {}, t);
  const td = (value: string, rank: string, cls = ''): HTMLElement => h('td', { class: cls }, value, rank ? h('span', { class: 'rank' }, rank) : null);
  const table = h(
    'table',
    { class: 'summary-table' },
    h('thead', {}, h('tr', {}, th('Answer'), th('Cost'), th('Total'), th('First token'), th('Length'), th(''))),
    h(
      'tbody',
      {},
      ...rows.map((i) => {
        const c: Column = run.columns[i]!;
        const tags = [ranking.cheapest === i ? 'cheapest' : null, ranking.fastest === i ? 'fastest' : null, run.winner === i ? 'your pick' : null].filter(
          Boolean,
        ) as string[];
        return h(
          'tr',
          { dataset: { index: String(i) } },
          h('td', { class: 'who' }, c.label),
          td(formatCost(c.costUsd, c.costIncluded), place(ranking.place.cost, i), 'num'),
          td(formatMs(c.totalMs), place(ranking.place.total, i), 'num'),
          td(formatMs(c.ttftMs), place(ranking.place.ttft, i), 'num'),
          td(c.outputTokens !== null ? `${c.outputTokens} tok` : `${c.text.length} chars`, place(ranking.place.length, i), 'num'),
          h('td', {}, ...tags.map((t) => h('span', { class: `badge badge-${t.split(' ')[0]}` }, t))),
        );
      }),
    ),
  );
  summary.replaceChildren(
    h('div', { class: 'section-title' }, h('span', { class: 'codicon codicon-graph' }), 'Summary (finished answers, ranked)'),
    h('div', { class: 'summary-scroll' }, table),
  );
}

function renderScoreboard(): void {
  const rows: Score[] = state?.scoreboard ?? [];
  scoreboardEl.open = scoreboardOpen;
  const reset = iconButton('trash', 'Reset', () => post({ type: 'resetScoreboard' }), { class: 'reset-scoreboard', title: 'Forget every vote' });
  reset.hidden = !rows.length;
  const body = rows.length
    ? h(
        'table',
        { class: 'scoreboard-table' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Model'), h('th', {}, 'Wins'), h('th', {}, 'Losses'), h('th', {}, 'Win rate'))),
        h(
          'tbody',
          {},
          ...rows.map((s) => {
            const n = s.wins + s.losses;
            return h(
              'tr',
              {},
              h('td', { class: 'who' }, s.model),
              h('td', { class: 'num wins' }, String(s.wins)),
              h('td', { class: 'num losses' }, String(s.losses)),
              h('td', { class: 'num' }, n ? `${Math.round((s.wins / n) * 100)}%` : '—'),
            );
          }),
        ),
      )
    : h('p', { class: 'muted' }, 'No votes yet. After a comparison, vote for the best answer: the winner gets a win, every other model that answered a loss.');
  scoreboardEl.replaceChildren(
    h('summary', {}, h('span', { class: 'codicon codicon-star-full' }), `Scoreboard${rows.length ? ` (${rows.length} models)` : ''}`),
    h('div', { class: 'scoreboard-body' }, body, reset),
  );
}

// Live metrics: total time, tokens, tokens/s and cost tick while columns run.
setInterval(() => {
  for (const v of views) if (v.running) v.tick();
}, 250);

channel.post({ type: 'ready' });
