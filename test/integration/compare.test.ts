/// <reference types="mocha" />
// The comparison panel's host side inside a real extension host: cancel and re-run of one column with
// stale results ignored, blind runs and votes, validation.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ComparePanel } from '../../src/host/compare/panel.ts';
import type { Run } from '../../src/shared/protocol/compare.ts';
import { startFakeProvider, type FakeServer } from '../fakes/server.ts';
import { closeAllEditors, resetSettings, services, setSetting, waitFor } from './helpers.ts';

const KEY = 'sk-compare-integration';
const MODELS = ['openai/gpt-4o-mini', 'openai/gpt-4o', 'openai/o3-mini'];
const TEXT: Record<string, string> = { 'gpt-4o-mini': 'mini answer', 'gpt-4o': 'one two three four five six seven eight nine ten', 'o3-mini': 'o3 answer' };

describe('Comparison panel (host)', function () {
  // Activation and the first request are slow when the machine is busy.
  this.timeout(60_000);
  let fake: FakeServer;
  let slowMs = 0;
  let failO3 = false;
  /** o3-mini's next answers: a 429 with retry-after, then a refused key with a provider body naming it. */
  const o3Queue: ('rateLimit' | 'auth')[] = [];

  before(async () => {
    fake = await startFakeProvider('openai', { apiKey: KEY });
    fake.setDefault((req) => {
      const model = String(req.body?.model);
      if (failO3 && model === 'o3-mini') return { status: 503, errorMessage: 'o3-mini is overloaded' };
      const next = model === 'o3-mini' ? o3Queue.shift() : undefined;
      if (next === 'rateLimit')
        return { status: 429, headers: { 'retry-after': '1' }, errorMessage: 'Rate limit reached for o3-mini in organization org-fake' };
      if (next === 'auth') return { status: 401, errorMessage: 'Incorrect API key provided for OpenAI project proj_o3' };
      return { text: TEXT[model] ?? 'x', usage: { input: 10, output: 5 }, chunks: 10, delayBetweenChunksMs: model === 'gpt-4o' ? slowMs : 5 };
    });
    await setSetting('providers', [{ id: 'openai', baseUrl: fake.baseUrl }]);
    await vscode.commands.executeCommand('switchboard.setApiKey', { provider: 'openai', key: KEY, verify: false });
    const s = await services();
    await waitFor('the fake provider in use', () => s.providers().includes('openai'));
  });

  after(async () => {
    await closeAllEditors();
    await vscode.commands.executeCommand('switchboard.removeApiKey', 'openai');
    await resetSettings();
    await fake.close();
  });

  const open = async (): Promise<ComparePanel> =>
    (await vscode.commands.executeCommand('switchboard.openComparison', { models: MODELS, question: 'hi', withSelection: false })) as ComparePanel;
  const run = (p: ComparePanel): Run => p.currentRun()!;

  it('refuses a set-up it cannot run, naming the problem', async () => {
    const p = await open();
    assert.equal(p.state().setup.models.join(), MODELS.join(), 'opened with the given models');
    assert.equal(p.start(['openai/gpt-4o-mini'], 'hi', false), false);
    assert.equal(p.start(MODELS, ' ', false), false);
    assert.equal(p.currentRun(), null);
    p.dispose();
  });

  it('cancels one column (its partial text stays) while the others finish; a re-run ignores the old run', async () => {
    slowMs = 150;
    const p = await open();
    assert.equal(p.start(MODELS, 'Count to ten', false), true);
    const slow = 1;
    await waitFor('the slow column streaming', () => run(p).columns[slow]!.status === 'streaming', 10_000);
    const oldRunId = run(p).columns[slow]!.runId;
    p.cancel(slow);
    await waitFor('the slow column stopped', () => run(p).columns[slow]!.status === 'stopped', 10_000);
    await waitFor('the others done', () => run(p).columns.filter((c) => c.status === 'done').length === 2, 10_000);
    const partial = run(p).columns[slow]!.text;
    assert.ok(partial.length > 0 && partial.length < TEXT['gpt-4o']!.length, `partial text kept: ${JSON.stringify(partial)}`);

    slowMs = 5;
    assert.equal(p.rerun(slow), true);
    const col = () => run(p).columns[slow]!;
    assert.notEqual(col().runId, oldRunId);
    assert.equal(col().text, '');
    await waitFor('the re-run done', () => col().status === 'done', 10_000);
    assert.equal(col().text, TEXT['gpt-4o']);
    assert.equal(col().outputTokens, 5);
    assert.equal(run(p).columns.filter((c) => c.status === 'done').length, 3);
    p.dispose();
  });

  it('a route column says which model answered after a failover', async () => {
    slowMs = 5;
    failO3 = true;
    await setSetting('routes', [{ id: 'resilient', models: ['openai/o3-mini', 'openai/gpt-4o-mini'] }]);
    try {
      const p = await open();
      assert.equal(p.start(['route/resilient', 'openai/gpt-4o'], 'Route please', false), true);
      await waitFor('both done', () => run(p).columns.every((c) => c.status === 'done'), 15_000);
      const route = run(p).columns[0]!;
      assert.equal(route.model, 'route/resilient');
      assert.equal(route.answeredBy, 'openai/gpt-4o-mini');
      assert.equal(route.text, TEXT['gpt-4o-mini']);
      assert.ok(
        route.failover.some((f) => f.startsWith('openai/o3-mini: ') && f.includes('503')),
        JSON.stringify(route.failover),
      );
      p.dispose();
    } finally {
      failO3 = false;
      await setSetting('routes', undefined);
    }
  });

  it('a blind run shuffles and labels the answers; a vote reveals them and scores every model once', async () => {
    slowMs = 5;
    const p = await open();
    const before = new Map(p.state().scoreboard.map((s) => [s.model, s]));
    assert.equal(p.start(MODELS, 'Blind', true), true);
    await waitFor('all done', () => run(p).columns.every((c) => c.status === 'done'), 15_000);
    const view = p.state().run!;
    assert.deepEqual(
      view.columns.map((c) => c.label),
      ['Answer A', 'Answer B', 'Answer C'],
    );
    assert.ok(
      view.columns.every((c) => c.model === null && c.answeredBy === null),
      'models hidden from the view before the vote',
    );
    assert.deepEqual(
      run(p)
        .columns.map((c) => c.model)
        .sort(),
      [...MODELS].sort(),
    );
    const winner = run(p).columns[2]!.model!;
    assert.equal(await p.vote(2), true);
    assert.equal(await p.vote(0), false, 'one vote per run');
    const revealed = p.state().run!;
    assert.equal(revealed.revealed, true);
    assert.deepEqual(
      revealed.columns.map((c) => c.model),
      run(p).columns.map((c) => c.model),
    );
    const after = new Map(p.state().scoreboard.map((s) => [s.model, s]));
    for (const m of MODELS) {
      const b = before.get(m) ?? { wins: 0, losses: 0 };
      const a = after.get(m)!;
      assert.deepEqual([a.wins - b.wins, a.losses - b.losses], m === winner ? [1, 0] : [0, 1], m);
    }
    p.dispose();
  });

  it('a rate-limited column says it is waiting, with the attempt; a blind run shows nothing identifying until revealed', async () => {
    slowMs = 5;
    o3Queue.push('rateLimit', 'auth');
    const p = await open();
    assert.equal(p.start(MODELS, 'Blind with failures', true), true);
    const o3 = run(p).columns.findIndex((c) => c.model === 'openai/o3-mini');
    // The 429 with retry-after 1 s: the router waits, the column says so.
    await waitFor('the o3 column waiting to retry', () => !!run(p).columns[o3]!.retry, 10_000);
    const waiting = p.state().run!.columns[o3]!;
    assert.equal(waiting.status, 'waiting');
    assert.deepEqual({ ...waiting.retry, at: 0 }, { model: '', kind: 'withheld', status: null, attempt: 2, maxAttempts: 3, at: 0 }, 'blind: not who or why');
    assert.deepEqual([run(p).columns[o3]!.retry!.kind, run(p).columns[o3]!.retry!.status], ['rate_limit', 429], 'the host knows why');
    await waitFor('all finished', () => run(p).columns.every((c) => c.status === 'done' || c.status === 'error'), 15_000);
    assert.equal(run(p).columns[o3]!.status, 'error');
    assert.equal(run(p).columns[o3]!.retry, null);
    const seen = JSON.stringify(p.state().run);
    for (const leak of ['gpt-4o', 'o3-mini', 'openai', 'Incorrect API key', 'proj_o3', '"auth"', 'costUsd":0.'])
      assert.ok(!seen.includes(leak), `${leak} reaches the view before the vote: ${seen}`);
    assert.ok(p.state().run!.columns.every((c) => c.withheld === true && c.outputTokens === null && c.costUsd === null));
    // Every answer but the failed one is done; Reveal shows the models without a vote.
    assert.equal(p.reveal(), true);
    const shown = p.state().run!;
    assert.equal(shown.winner, null);
    assert.match(shown.columns[o3]!.error!.message, /Incorrect API key provided/);
    assert.equal(shown.columns[o3]!.error!.kind, 'auth');
    assert.ok(shown.columns.filter((c) => c.status === 'done').every((c) => c.outputTokens === 5 && c.withheld !== true));
    p.dispose();
  });

  it("an open panel's model picker follows the settings: a route added is sent to the view at once, a removed one goes", async () => {
    const p = await open();
    // What the view is sent (the panel's own webview).
    const webview = (p as unknown as { panel: vscode.WebviewPanel }).panel.webview;
    const sent: { type: string; catalog?: { id: string }[]; state?: { catalog: { id: string }[] } }[] = [];
    const post = webview.postMessage.bind(webview);
    webview.postMessage = (m: never) => {
      sent.push(m);
      return post(m);
    };
    const offered = (): string[] => {
      const last = sent.findLast((m) => m.type === 'catalog' || m.type === 'state');
      return (last?.type === 'catalog' ? last.catalog : last?.state?.catalog)?.map((c) => c.id) ?? [];
    };
    await waitFor('the view is ready and has its models', () => (p as unknown as { ready: boolean }).ready);
    assert.ok(!p.state().catalog.some((c) => c.id === 'route/live-route'));
    const before = sent.length;
    await setSetting('routes', [{ id: 'live-route', models: ['openai/gpt-4o-mini', 'openai/gpt-4o'] }]);
    await waitFor('the new route sent to the view', () => offered().includes('route/live-route'));
    assert.equal(sent.slice(before).filter((m) => m.type === 'state').length, 0, 'a catalog message, not a whole state (what is typed stays)');
    await setSetting('routes', undefined);
    await waitFor('the route gone from the view', () => !offered().includes('route/live-route') && offered().length > 0);
    p.dispose();
  });
});
