// The comparison view's pure logic: set-up validation, blind labels, ranking, the scoreboard, export.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  blindLabel,
  exportJson,
  exportMarkdown,
  parseScoreBook,
  rankColumns,
  recordVote,
  scoreRows,
  shuffled,
  validateSetup,
} from '../../src/shared/compare/logic.ts';
import { blindColumn, diffChoices, errorTitle, WITHHELD_ERROR } from '../../src/shared/compare/view.ts';
import { describeRetry } from '../../src/shared/protocol/retry.ts';
import { CompareToHostSchema, HostToCompareSchema, type Column, type Run } from '../../src/shared/protocol/compare.ts';

function col(over: Partial<Column> & { model: string }): Column {
  return {
    runId: 'r.0.0',
    label: over.model,
    text: '',
    status: 'done',
    elapsedMs: 0,
    ttftMs: null,
    totalMs: null,
    inputTokens: null,
    outputTokens: null,
    tokensPerSecond: null,
    costUsd: null,
    outputPrice: null,
    answeredBy: over.model,
    failover: [],
    error: null,
    ...over,
  };
}

describe('validateSetup', () => {
  it('names what is missing', () => {
    assert.equal(validateSetup(['a/x', 'b/y'], '  '), 'Write a prompt first.');
    assert.equal(validateSetup(['a/x'], 'hi'), 'Pick at least 2 models (1 picked).');
    assert.equal(validateSetup([], 'hi'), 'Pick at least 2 models (0 picked).');
    assert.equal(
      validateSetup(
        Array.from({ length: 9 }, (_, i) => `p/m${i}`),
        'hi',
      ),
      'Pick at most 8 models (9 picked).',
    );
    assert.equal(validateSetup(['a/x', 'a/x'], 'hi'), 'a/x is picked twice; pick each model once.');
    assert.equal(validateSetup(['a/x', 'b/y'], 'hi'), null);
  });
});

describe('blind labels and shuffling', () => {
  it('labels A, B, C… and shuffles without losing or duplicating', () => {
    assert.deepEqual([0, 1, 2, 7].map(blindLabel), ['Answer A', 'Answer B', 'Answer C', 'Answer H']);
    const items = ['a', 'b', 'c', 'd', 'e'];
    let seed = 7;
    const random = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const out = shuffled(items, random);
    assert.deepEqual([...out].sort(), items);
    assert.notDeepEqual(out, items, 'this seed moves something');
    assert.deepEqual(items, ['a', 'b', 'c', 'd', 'e'], 'the input is not changed');
    // random() always 0: each element swaps with the first (a fixed, checkable permutation).
    assert.deepEqual(
      shuffled(['a', 'b', 'c'], () => 0),
      ['b', 'c', 'a'],
    );
  });
});

describe('rankColumns', () => {
  const cols = [
    col({ model: 'a', costUsd: 0.002, totalMs: 900, ttftMs: 300, outputTokens: 40 }),
    col({ model: 'b', costUsd: 0.0005, totalMs: 1200, ttftMs: 100, outputTokens: 90 }),
    col({ model: 'c', status: 'error', costUsd: 0, totalMs: 10, ttftMs: null }),
    col({ model: 'd', costUsd: null, totalMs: 700, ttftMs: 200, outputTokens: null, text: 'x'.repeat(500) }),
  ];
  it('ranks only finished columns; unknown figures are left out, not counted as best', () => {
    const r = rankColumns(cols);
    assert.deepEqual(r.cost, [1, 0]);
    assert.deepEqual(r.total, [3, 0, 1]);
    assert.deepEqual(r.ttft, [1, 3, 0]);
    assert.deepEqual(r.length, [3, 1, 0], 'characters when the token count is unknown');
    assert.equal(r.cheapest, 1);
    assert.equal(r.fastest, 3);
    assert.equal(r.firstToken, 1);
    assert.deepEqual(r.place.cost, [2, 1, null, null]);
    assert.deepEqual(r.place.total, [2, 3, null, 1]);
  });
  it('equal figures share a place', () => {
    const r = rankColumns([
      col({ model: 'a', costUsd: 0.2 }),
      col({ model: 'b', costUsd: 0.1 }),
      col({ model: 'c', costUsd: 0.1 }),
      col({ model: 'd', costUsd: 0.3 }),
    ]);
    assert.deepEqual(r.cost, [1, 2, 0, 3]);
    assert.deepEqual(r.place.cost, [3, 1, 1, 4]);
    assert.equal(r.cheapest, null);
  });
  it('gives no badge on a tie or with a single finished column', () => {
    const tie = rankColumns([col({ model: 'a', costUsd: 0.1, totalMs: 5 }), col({ model: 'b', costUsd: 0.1, totalMs: 6 })]);
    assert.equal(tie.cheapest, null);
    assert.equal(tie.fastest, 0);
    const one = rankColumns([col({ model: 'a', costUsd: 0.1, totalMs: 5 }), col({ model: 'b', status: 'stopped' })]);
    assert.equal(one.cheapest, null);
    assert.deepEqual(one.cost, [0]);
  });
});

describe('scoreboard', () => {
  it('the winner gets a win, every other model that answered a loss', () => {
    let book = recordVote({}, 'a/x', ['a/x', 'b/y', 'c/z']);
    book = recordVote(book, 'b/y', ['a/x', 'b/y']);
    book = recordVote(book, 'b/y', ['b/y', 'b/y', 'c/z']);
    assert.deepEqual(book, { 'a/x': { wins: 1, losses: 1 }, 'b/y': { wins: 2, losses: 1 }, 'c/z': { wins: 0, losses: 2 } });
    assert.deepEqual(scoreRows(book), [
      { model: 'b/y', wins: 2, losses: 1 },
      { model: 'a/x', wins: 1, losses: 1 },
      { model: 'c/z', wins: 0, losses: 2 },
    ]);
  });
  it('does not change the stored book it is given', () => {
    const book = { 'a/x': { wins: 1, losses: 0 } };
    recordVote(book, 'a/x', ['a/x', 'b/y']);
    assert.deepEqual(book, { 'a/x': { wins: 1, losses: 0 } });
  });
  it('reads a stored scoreboard leniently', () => {
    assert.deepEqual(parseScoreBook({ 'a/x': { wins: 2, losses: 1 }, bad: { wins: -1, losses: 0 }, worse: 'x', frac: { wins: 1.5, losses: 0 } }), {
      'a/x': { wins: 2, losses: 1 },
    });
    assert.deepEqual(parseScoreBook(null), {});
    assert.deepEqual(parseScoreBook('nope'), {});
  });
});

describe('export', () => {
  const run: Run = {
    id: 'p.1',
    prompt: 'Sum it | with a pipe',
    contextLabel: 'src/a.ts:1-3 (typescript)',
    contextCode: { language: 'typescript', text: 'const a = 1;\n// ```quoted fence```\nexport { a };\n' },
    blind: true,
    revealed: true,
    winner: 1,
    columns: [
      col({
        model: 'openai/gpt-4o',
        label: 'Answer A',
        text: 'A says\n\n```ts\nx\n```',
        ttftMs: 120,
        totalMs: 1500,
        inputTokens: 10,
        outputTokens: 20,
        tokensPerSecond: 14.8,
        costUsd: 0.00022,
      }),
      col({
        model: 'route/fast',
        label: 'Answer B',
        answeredBy: 'groq/llama',
        text: 'B says',
        ttftMs: 80,
        totalMs: 400,
        inputTokens: 10,
        outputTokens: 5,
        costUsd: null,
      }),
      col({ model: 'anthropic/claude', label: 'Answer C', status: 'error', error: { kind: 'rate_limit', message: 'slow down', fix: 'wait a minute' } }),
    ],
  };
  const at = new Date('2026-11-24T10:00:00Z');
  it('JSON carries the prompt, context, models, answers, metrics and the vote', () => {
    const j = JSON.parse(exportJson(run, at));
    assert.equal(j.exportedAt, '2026-11-24T10:00:00.000Z');
    assert.equal(j.prompt, run.prompt);
    assert.equal(j.context, 'src/a.ts:1-3 (typescript)');
    assert.deepEqual(j.models, ['openai/gpt-4o', 'route/fast', 'anthropic/claude']);
    assert.deepEqual(j.vote, { label: 'Answer B', model: 'route/fast' });
    assert.equal(j.answers[1].answeredBy, 'groq/llama');
    assert.equal(j.answers[1].winner, true);
    assert.deepEqual(j.answers[0].metrics, { ttftMs: 120, totalMs: 1500, inputTokens: 10, outputTokens: 20, tokensPerSecond: 14.8, costUsd: 0.00022 });
    assert.deepEqual(j.answers[2].error, { kind: 'rate_limit', message: 'slow down', fix: 'wait a minute' });
    assert.equal(j.answers[0].answer, 'A says\n\n```ts\nx\n```');
  });
  it('withholds the models of an unrevealed blind run', () => {
    const hidden = { ...run, revealed: false, winner: null };
    const j = JSON.parse(exportJson(hidden, at));
    assert.equal(j.models, null);
    assert.ok(j.answers.every((a: { model: unknown; answeredBy: unknown }) => a.model === null && a.answeredBy === null));
    const md = exportMarkdown(hidden, at);
    assert.ok(!/openai|route\/fast|anthropic|groq/.test(md), md);
  });
  it('Markdown has the prompt fenced, a metrics table, the vote and each answer', () => {
    const md = exportMarkdown(run, at);
    assert.ok(md.startsWith('# Switchboard comparison\n'));
    assert.ok(md.includes('```\nSum it | with a pipe\n```'));
    assert.ok(
      md.includes(
        '## Context\n\n`src/a.ts:1-3 (typescript)`, sent with the prompt:\n\n````typescript\nconst a = 1;\n// ```quoted fence```\nexport { a };\n````\n',
      ),
      md,
    );
    assert.ok(md.includes('| Answer A (openai/gpt-4o) | done | 120 ms | 1.50 s | 10 → 20 | 14.8 | $0.00022 |'), md);
    assert.ok(md.includes('| Answer B (route/fast) 🏆 | done | 80 ms | 400 ms | 10 → 5 | — | — |'), md);
    assert.ok(md.includes('Vote: Answer B (route/fast)'));
    assert.ok(md.includes('## Answer B (route/fast)\n\nAnswered by groq/llama\n\nB says'));
    assert.ok(md.includes('> **Rate limited.** slow down\n>\n> Fix: Wait a minute.\n'), md);
    assert.ok(md.includes('| Answer C (anthropic/claude) | failed |'), md);
    assert.ok(md.includes('| Answer C (anthropic/claude) | failed | — | — | — | — | — |'), 'unknown figures are "—", never "?"');
  });
  it('JSON and Markdown carry the code that was sent; a run without it says so', () => {
    assert.deepEqual(JSON.parse(exportJson(run, at)).contextCode, run.contextCode);
    const old = exportMarkdown({ ...run, contextCode: undefined }, at);
    assert.ok(old.includes('_(the code was not kept with this run)_'), old);
    const none = exportMarkdown({ ...run, contextLabel: null, contextCode: null }, at);
    assert.ok(!none.includes('## Context'), none);
  });
});

describe('protocol', () => {
  it('drops malformed messages and requires run ids on actions and deltas', () => {
    assert.equal(CompareToHostSchema.safeParse({ type: 'vote', index: 0 }).success, false);
    assert.equal(CompareToHostSchema.safeParse({ type: 'vote', run: 'p.1', index: 0 }).success, true);
    assert.equal(CompareToHostSchema.safeParse({ type: 'diff', run: 'p.1', left: 0, right: -1 }).success, false);
    assert.equal(CompareToHostSchema.safeParse({ type: 'openLink', url: 'javascript:alert(1)' }).success, false);
    assert.equal(CompareToHostSchema.safeParse({ type: 'run', models: ['a/x'], prompt: 'x'.repeat(200_001), blind: false }).success, false);
    assert.equal(HostToCompareSchema.safeParse({ type: 'delta', run: 'p.1', index: 0, text: 'x' }).success, false);
    assert.equal(HostToCompareSchema.safeParse({ type: 'delta', run: 'p.1', runId: 'p.1.0.0', index: 0, text: 'x' }).success, true);
  });
});

describe('what a blind run lets the view see before the vote', () => {
  const full = col({
    model: 'anthropic/claude-sonnet-4',
    label: 'Answer B',
    answeredBy: 'anthropic/claude-sonnet-4',
    text: 'partial',
    status: 'error',
    ttftMs: 90,
    totalMs: 800,
    inputTokens: 48,
    outputTokens: 12,
    tokensPerSecond: 31.5,
    costUsd: 0.00031,
    outputPrice: 15,
    failover: ['anthropic/claude-haiku: rate_limit 429'],
    error: { kind: 'auth', message: 'Anthropic: invalid x-api-key', fix: 'check the API key (ANTHROPIC_API_KEY)' },
    retry: { model: 'anthropic/claude-sonnet-4', kind: 'rate_limit', status: 429, attempt: 2, maxAttempts: 3, at: 1_000_000 },
  });
  it('keeps the label, text, status and timing; withholds model, tokens, speed, cost, price, route tries and the error', () => {
    const b = blindColumn(full);
    assert.deepEqual(
      { label: b.label, text: b.text, status: b.status, ttftMs: b.ttftMs, totalMs: b.totalMs },
      { label: 'Answer B', text: 'partial', status: 'error', ttftMs: 90, totalMs: 800 },
    );
    assert.deepEqual(
      [b.model, b.answeredBy, b.inputTokens, b.outputTokens, b.tokensPerSecond, b.costUsd, b.outputPrice],
      [null, null, null, null, null, null, null],
    );
    assert.deepEqual(b.failover, []);
    assert.deepEqual(b.error, { kind: 'withheld', message: WITHHELD_ERROR, fix: null });
    assert.deepEqual(b.retry, { model: '', kind: 'withheld', status: null, attempt: 2, maxAttempts: 3, at: 1_000_000 });
    assert.equal(describeRetry(b.retry!, 1_000_000 - 6500), 'failed — retrying in 7\u00a0s (attempt 2 of 3)', 'when and which try, not why');
    assert.equal(b.withheld, true);
    const seen = JSON.stringify(b);
    for (const leak of ['anthropic', 'claude', 'x-api-key', 'ANTHROPIC_API_KEY', 'rate_limit', '429', '0.00031', '31.5', '"auth"'])
      assert.ok(!seen.includes(leak), `${leak} leaks: ${seen}`);
  });
  it('does not change the column it is given (the host keeps the truth)', () => {
    blindColumn(full);
    assert.equal(full.model, 'anthropic/claude-sonnet-4');
    assert.equal(full.costUsd, 0.00031);
  });
});

describe('diff choices', () => {
  it('offers finished or stopped answers with text, never a failed or empty one', () => {
    const cols = [
      col({ model: 'a', text: 'A' }),
      col({ model: 'b', status: 'error', text: '' }),
      col({ model: 'c', status: 'error', text: 'cut off' }),
      col({ model: 'd', text: '  \n ' }),
      col({ model: 'e', status: 'stopped', text: 'half' }),
      col({ model: 'f', status: 'streaming', text: 'still going' }),
      col({ model: 'g', status: 'stopped', text: '' }),
    ];
    assert.deepEqual(diffChoices(cols), [0, 4]);
  });
});

describe('wording', () => {
  it('error kinds become the chat’s headings; a withheld error is just "Failed"', () => {
    assert.equal(errorTitle('rate_limit'), 'Rate limited');
    assert.equal(errorTitle('permission'), 'Not allowed for this key');
    assert.equal(errorTitle('withheld'), 'Failed');
    assert.ok(!errorTitle('something_new').includes('_'));
  });
});
