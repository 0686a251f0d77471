/**
 * The test-set panel's browser code: progress and the estimate, the results grid (prompts ×
 * models, each cell's checks, cost, time and tokens, the command output of code runs), the
 * totals per model, "apply the winner", and the workspace's leaderboard.
 */
import { HostToEvalSchema, type CellView, type EvalState, type EvalToHost, type HostToEval } from '../../shared/protocol/eval.ts';
import { formatEvalCost, formatMaybeEstimated, formatMs, formatUsd, h, iconButton } from '../shared/dom.ts';
import { assertNever, connect } from '../shared/rpc.ts';

const app = document.getElementById('app')!;
let state: EvalState | null = null;

const channel = connect<HostToEval, EvalToHost>(HostToEvalSchema, (m) => {
  switch (m.type) {
    case 'state':
      state = m.state;
      // A window reload brings the panel back as what it was (the host keeps the run itself).
      channel.setState({ mode: m.state.mode });
      render();
      return;
    default:
      assertNever(m.type);
  }
});

// Escape stops a running test set from anywhere in the panel, as in the chat and the comparison.
document.addEventListener('keydown', (e) => {
  if (e.key !== 'Escape' || e.defaultPrevented || state?.mode !== 'run' || state.status !== 'running') return;
  e.preventDefault();
  channel.post({ type: 'cancel' });
});

const pct = (n: number | null): string => (n === null ? '—' : `${(n * 100).toFixed(n === 1 || n === 0 ? 0 : 1)}%`);

function cellBody(c: CellView): HTMLElement {
  const td = h('td', { class: `cell cell-${c.status}${c.pass === true ? ' cell-pass' : c.pass === false ? ' cell-fail' : ''}`, dataset: { model: c.model } });
  if (c.status === 'waiting' || c.status === 'running') {
    td.append(
      h(
        'span',
        { class: 'cell-status' },
        h('span', { class: `codicon codicon-${c.status === 'running' ? 'loading codicon-modifier-spin' : 'clock'}` }),
        ` ${c.status}`,
      ),
    );
    return td;
  }
  if (c.error) {
    if (c.status === 'stopped') {
      // Stopped by the user: said plainly, in the foreground colour, with what had arrived.
      td.append(
        h('div', { class: 'verdict verdict-stopped' }, h('span', { class: 'codicon codicon-debug-stop' }), ' stopped'),
        h('div', { class: 'cell-note' }, c.error),
      );
      // What it cost up to the stop (an estimate when the provider never counted it), as the usage ledger has it.
      if (c.costUsd !== null) td.append(h('div', { class: 'metrics' }, cellCost(c)));
      return td;
    }
    // Not asked because the user stopped the run: muted like "stopped"; other skips (a budget) and failures in the error colour.
    td.append(
      h('div', { class: `verdict ${c.byUser ? 'verdict-stopped' : 'verdict-error'}` }, c.status === 'skipped' ? 'not asked' : 'error'),
      h('div', { class: c.byUser ? 'cell-note' : 'cell-error' }, c.error),
    );
    return td;
  }
  const passed = c.checks.filter((k) => k.pass).length;
  td.append(
    h(
      'div',
      { class: `verdict ${c.pass === false ? 'verdict-fail' : c.pass ? 'verdict-pass' : ''}` },
      h('span', { class: `codicon codicon-${c.pass === false ? 'error' : c.pass ? 'pass' : 'circle-outline'}` }),
      c.checks.length ? ` ${passed}/${c.checks.length}` : ' answered',
    ),
  );
  const list = h('ul', { class: 'checks' });
  for (const k of c.checks)
    list.append(
      h(
        'li',
        { class: k.pass ? 'check-pass' : 'check-fail', title: k.reason },
        h('span', { class: `codicon codicon-${k.pass ? 'check' : 'close'}` }),
        ` ${k.label}`,
      ),
    );
  td.append(list);
  td.append(
    h(
      'div',
      { class: 'metrics' },
      cellCost(c),
      h('span', { class: 'm-time' }, formatMs(c.latencyMs)),
      h('span', { class: 'm-tokens' }, `${c.inputTokens ?? '?'} → ${c.outputTokens ?? '?'}`),
    ),
  );
  const details = h('details', { class: 'answer' }, h('summary', {}, 'Answer'), h('pre', { class: 'answer-text' }, c.text || '(empty)'));
  const reasons = c.checks.filter((k) => !k.pass);
  if (reasons.length) details.append(h('ul', { class: 'reasons' }, ...reasons.map((k) => h('li', {}, `${k.label}: ${k.reason}`))));
  td.append(details);
  if (c.output !== null)
    td.append(h('details', { class: 'output' }, h('summary', {}, 'Command output'), h('pre', { class: 'output-text' }, c.output || '(no output)')));
  return td;
}

const ESTIMATED = 'tokens streamed × the model’s prices, stopped before the provider counted the answer';

/** A cell's cost: "~$0.0012" when estimated (a stopped answer), with why in its tooltip. */
function cellCost(c: CellView): HTMLElement {
  const title = c.costEstimated ? `estimated: ${ESTIMATED}` : c.judgeCostUsd ? `judge ${formatUsd(c.judgeCostUsd)}` : 'cost of the answer';
  return h('span', { class: 'm-cost', title }, formatMaybeEstimated(c.costUsd, c.costEstimated));
}

function grid(s: EvalState): HTMLElement {
  const table = h('table', { class: 'grid' });
  table.append(h('thead', {}, h('tr', {}, h('th', { class: 'prompt-col' }, 'Prompt'), ...s.models.map((m) => h('th', { class: 'model-col', title: m }, m)))));
  const body = h('tbody');
  s.prompts.forEach((p, i) => {
    const head = h('th', { class: 'prompt-col', title: p.prompt }, h('div', { class: 'prompt-id' }, p.id), h('div', { class: 'prompt-text' }, p.prompt));
    if (p.codeRun) {
      const winner = s.winners[i];
      const applied = s.applied[i];
      if (applied) head.append(h('div', { class: 'applied' }, h('span', { class: 'codicon codicon-check-all' }), ` applied: ${applied}`));
      else if (winner)
        head.append(
          iconButton('git-pull-request-go-to-changes', 'Apply the winner', () => channel.post({ type: 'apply', prompt: i }), {
            class: 'apply-winner',
            title: `Apply ${winner}'s change (the cheapest that passed)`,
          }),
        );
      else if (s.status === 'done') head.append(h('div', { class: 'no-winner' }, 'no change passed'));
    }
    body.append(h('tr', {}, head, ...(s.cells[i] ?? []).map(cellBody)));
  });
  table.append(body);
  return h('div', { class: 'grid-wrap' }, table);
}

function totals(s: EvalState): HTMLElement | null {
  if (!s.totals) return null;
  const table = h('table', { class: 'totals' });
  table.append(
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['Model', 'Pass rate', 'Checks', 'Cells passed', 'Cost', 'Judge cost', 'Mean time', 'Tokens in → out', 'Errors'].map((x) => h('th', {}, x)),
      ),
    ),
  );
  table.append(
    h(
      'tbody',
      {},
      ...s.totals.map((t) =>
        h(
          'tr',
          {},
          h('td', { class: 'who' }, t.model),
          h('td', { class: 't-rate' }, pct(t.passRate)),
          h('td', { class: 't-checks' }, `${t.checksPassed}/${t.checksRun}`),
          h('td', {}, `${t.cellsPassed}/${t.cellsWithChecks}`),
          h('td', t.estimatedCost ? { class: 't-cost', title: `${t.estimatedCost} of it estimated: ${ESTIMATED}` } : { class: 't-cost' }, formatEvalCost(t)),
          h('td', {}, formatUsd(t.judgeCostUsd)),
          h('td', {}, formatMs(t.meanLatencyMs)),
          h('td', {}, `${t.inputTokens} → ${t.outputTokens}`),
          h('td', {}, String(t.errors)),
        ),
      ),
    ),
  );
  return h('section', { class: 'totals-section' }, h('h2', {}, 'Totals per model'), h('div', { class: 'grid-wrap' }, table));
}

function board(s: EvalState): HTMLElement {
  const b = s.board;
  const section = h('section', { class: 'board' }, h('h2', {}, 'Leaderboard'));
  const select = h('select', { class: 'tag-picker', ariaLabel: 'Task tag' });
  select.append(h('option', {}, 'all tasks'));
  for (const t of b.tags) {
    const o = h('option', {}, t);
    o.value = t;
    if (t === b.tag) o.selected = true;
    select.append(o);
  }
  (select.options[0] as HTMLOptionElement).value = '';
  select.addEventListener('change', () => channel.post({ type: 'tag', tag: select.value || null }));
  section.append(h('div', { class: 'board-bar' }, h('label', {}, 'Task ', select)));
  if (b.rows.length === 0) {
    section.append(h('p', { class: 'empty' }, 'No comparisons yet: run a test set (or vote in comparisons) to rate models.'));
    return section;
  }
  const table = h('table', { class: 'board-table' });
  table.append(h('thead', {}, h('tr', {}, ...['#', 'Model', 'Rating', '95% interval', 'W-L-T', 'Cost/answer', 'Wins per $'].map((x) => h('th', {}, x)))));
  table.append(
    h(
      'tbody',
      {},
      ...b.rows.map((r, i) =>
        h(
          'tr',
          {},
          h('td', {}, String(i + 1)),
          h('td', { class: 'who' }, r.model),
          h('td', { class: 'b-rating' }, r.rating.toFixed(0)),
          h('td', {}, `${r.low.toFixed(0)}–${r.high.toFixed(0)}`),
          h('td', { class: 'b-record' }, `${r.wins}-${r.losses}-${r.ties}`),
          h('td', {}, formatUsd(r.meanCostUsd)),
          h('td', {}, r.winsPerDollar === null ? '—' : r.winsPerDollar.toFixed(0)),
        ),
      ),
    ),
  );
  section.append(
    h('div', { class: 'grid-wrap' }, table),
    h('p', { class: 'note' }, `Bradley–Terry ratings (400 points = 10:1 odds, the mean model at 1000), bootstrap intervals. ${b.file}`),
  );
  return section;
}

const CHOICE_WORDS = { a: 'A is better', b: 'B is better', tie: 'Tie', skip: 'Skip' } as const;

/** The blind vote: one pair at a time with nothing that names a model; the reveal after the last. */
function blindSection(s: EvalState): HTMLElement | null {
  const b = s.blind;
  if (!b) return null;
  if (b.phase === 'running')
    return h(
      'section',
      { class: 'blind blind-running' },
      h('p', {}, h('span', { class: 'codicon codicon-eye-closed' }), ' Blind run: the answers and the models stay hidden until you have voted on them.'),
    );
  if (b.phase === 'voting') {
    const answer = (label: 'A' | 'B', text: string): HTMLElement =>
      h(
        'div',
        { class: `blind-answer blind-answer-${label.toLowerCase()}` },
        h('h3', {}, `Answer ${label}`),
        h('pre', { class: 'answer-text' }, text || '(empty)'),
      );
    const icons = { a: 'arrow-left', b: 'arrow-right', tie: 'dash', skip: 'debug-step-over' } as const;
    const choices = (['a', 'b', 'tie', 'skip'] as const).map((c) =>
      iconButton(icons[c], CHOICE_WORDS[c], () => channel.post({ type: 'vote', choice: c }), { class: `vote vote-${c}` }),
    );
    return h(
      'section',
      { class: 'blind blind-voting', ariaLabel: 'Blind vote' },
      h(
        'div',
        { class: 'blind-bar' },
        h('span', { class: 'blind-progress' }, `Pair ${b.index + 1} of ${b.total}`),
        h('span', { class: 'blind-recorded' }, `${b.recorded} recorded`),
      ),
      h('div', { class: 'blind-prompt' }, h('span', { class: 'codicon codicon-comment' }), ' ', b.prompt),
      h('div', { class: 'blind-pair' }, answer('A', b.a), answer('B', b.b)),
      h(
        'div',
        { class: 'blind-choices' },
        ...choices,
        iconButton('close', 'Stop voting', () => channel.post({ type: 'endBlind' }), { class: 'blind-stop' }),
      ),
    );
  }
  const pick = (r: (typeof b.revealed)[number]): string => (r.choice === 'a' ? r.a : r.choice === 'b' ? r.b : r.choice === 'tie' ? 'tie' : 'skipped');
  return h(
    'section',
    { class: 'blind blind-finished' },
    h('h2', {}, 'Your blind votes'),
    h('p', { class: 'blind-summary' }, `${b.recorded} of ${b.total} votes recorded in the leaderboard.`),
    h(
      'div',
      { class: 'grid-wrap' },
      h(
        'table',
        { class: 'reveal-table' },
        h('thead', {}, h('tr', {}, ...['Prompt', 'A', 'B', 'Your pick'].map((x) => h('th', {}, x)))),
        h(
          'tbody',
          {},
          ...b.revealed.map((r) => h('tr', {}, h('td', {}, r.prompt), h('td', {}, r.a), h('td', {}, r.b), h('td', { class: 'reveal-pick' }, pick(r)))),
        ),
      ),
    ),
    iconButton('arrow-left', 'Back to the results', () => channel.post({ type: 'endBlind' }), { class: 'blind-done' }),
  );
}

function render(): void {
  const s = state;
  if (!s) return;
  const parts: (HTMLElement | null)[] = [];
  if (s.mode === 'run') {
    const bar = h('div', { class: 'toolbar' }, h('h1', {}, s.set ?? 'Test set'));
    const est = s.estimate;
    bar.append(
      h(
        'span',
        { class: 'progress' },
        s.status === 'running'
          ? `${s.progress.done}/${s.progress.total} done`
          : s.status === 'cancelled'
            ? `cancelled at ${s.progress.done}/${s.progress.total}`
            : s.status === 'done'
              ? `${s.progress.total} cells`
              : '',
      ),
    );
    if (est)
      bar.append(
        h(
          'span',
          { class: 'estimate', title: `${est.requests} requests, worst case` },
          `estimate ≤ ${est.totalUsd === null ? `unknown (no price: ${est.unpriced.join(', ')})` : formatUsd(est.totalUsd)}`,
        ),
      );
    bar.append(h('span', { class: 'spacer' }));
    if (s.status === 'running')
      bar.append(iconButton('debug-stop', 'Stop', () => channel.post({ type: 'cancel' }), { class: 'stop', title: 'Stop the run (Escape)' }));
    else if (s.set) {
      if (s.status === 'done' && !s.blind && s.models.length > 1)
        bar.append(
          iconButton('eye-closed', 'Vote blind', () => channel.post({ type: 'blind' }), {
            class: 'vote-blind',
            title: 'Vote on pairs of answers without seeing the models',
          }),
        );
      bar.append(iconButton('refresh', 'Run again', () => channel.post({ type: 'rerun' }), { class: 'rerun' }));
    }
    parts.push(bar);
    if (!s.trusted)
      parts.push(
        h('p', { class: 'notice' }, 'Restricted Mode: JavaScript checks and commands are not run (they fail saying so). Trust the folder to run them.'),
      );
  }
  if (s.problem) parts.push(h('p', { class: 'problem', role: 'alert' }, s.problem));
  const hidden = s.blind !== null && s.blind.phase !== 'finished';
  parts.push(blindSection(s));
  if (s.mode === 'run' && s.models.length && !s.blind) parts.push(grid(s), totals(s));
  if (!hidden) parts.push(board(s));
  app.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
}

channel.post({ type: 'ready' });
