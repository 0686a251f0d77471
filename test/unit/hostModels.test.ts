/**
 * Models a host supplies (VS Code's language models) through the core's HostModelSource seam:
 * listed by the catalog, resolved, routed and failed over like any other id, their answers
 * "included in your subscription" (never $0, never unknown), counted apart in the ledger and its
 * summary, and left out of budgets (no hold, never blocked, never an unknown-cost request).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SwitchboardError } from '../../src/core/errors.ts';
import type { HostModelInfo, HostModelSource } from '../../src/core/hostModels.ts';
import { MemoryUsageStore, summarize, type LedgerEntryInput } from '../../src/core/router/ledger.ts';
import { SqliteUsageStore } from '../../src/core/router/sqliteLedger.ts';
import type { LanguageModel, ModelRequest, ModelStreamPart } from '../../src/core/types.ts';
import { createClient } from '../../src/core/client.ts';
import { KEY, setup } from './helpers.ts';

const CAPS = {
  toolCalling: true,
  imageInput: false,
  pdfInput: false,
  reasoning: false,
  structuredOutput: false,
  contextWindow: 64_000,
  maxOutputTokens: 4_000,
};

/** A host source whose one model answers from a script; `calls` records what reached it. */
function hostSource(script: (req: ModelRequest) => ModelStreamPart[] | SwitchboardError): HostModelSource & { calls: ModelRequest[] } {
  const calls: ModelRequest[] = [];
  const models: HostModelInfo[] = [{ model: 'acme/chat', name: 'Acme Chat', capabilities: CAPS }];
  return {
    id: 'vscode',
    name: 'VS Code',
    billing: 'included',
    calls,
    list: () => models,
    createModel: (model): LanguageModel => ({
      providerId: 'vscode',
      modelId: model,
      async *stream(req) {
        calls.push(req);
        const out = script(req);
        if (out instanceof SwitchboardError) throw out;
        for (const p of out) yield p;
      },
    }),
  };
}

const ANSWER: ModelStreamPart[] = [
  { type: 'text-delta', text: 'Hello ' },
  { type: 'text-delta', text: 'there' },
  { type: 'usage', usage: { inputTokens: 12, outputTokens: 2 } },
  { type: 'finish', finishReason: 'stop', rawFinishReason: 'stop' },
];
const HOST_ID = 'vscode/acme/chat';
const PRICED = { 'openai/gpt-4o-mini': { input: 1000, output: 1000 } };

describe('host-supplied models', () => {
  test('the catalog lists them with their capabilities, no price and "included"; ids resolve to the host', async () => {
    const host = hostSource(() => ANSWER);
    const { client, close } = await setup('openai', {}, { hostModels: [host] });
    try {
      const info = client.catalog.get(HOST_ID);
      assert.ok(info);
      assert.equal(info.included, true);
      assert.equal(info.price, null);
      assert.equal(info.source, 'host');
      assert.equal(info.available, true);
      assert.equal(info.contextLength, 64_000);
      assert.ok(client.catalog.list().some((m) => m.id === HOST_ID && m.included));
      assert.deepEqual(client.catalog.capabilities(HOST_ID), CAPS);
      assert.equal(client.catalog.included(HOST_ID), true);
      assert.equal(client.catalog.included('openai/gpt-4o-mini'), false);
      const r = client.resolver.resolveModel(HOST_ID);
      assert.equal(r.host, host);
      assert.equal(r.wireModel, 'acme/chat');
    } finally {
      await close();
    }
  });

  test('a configured provider may not take the host source id', () => {
    assert.throws(
      () => createClient({ providers: [{ id: 'vscode', kind: 'openai', baseUrl: 'http://127.0.0.1:1/v1' }] }, { hostModels: [hostSource(() => ANSWER)] }),
      /"vscode" is taken by VS Code/,
    );
  });

  test('an answer is included: costUsd null, costIncluded true, counted apart in the ledger and its summary, never as unknown', async () => {
    const host = hostSource(() => ANSWER);
    const ledger = new MemoryUsageStore();
    const { client, close } = await setup('openai', {}, { hostModels: [host], ledger });
    try {
      const r = await client.complete({ model: HOST_ID, messages: [{ role: 'user', content: 'hi' }] });
      assert.equal(r.error, null);
      assert.equal(r.text, 'Hello there');
      assert.equal(r.answeredBy, HOST_ID);
      assert.equal(r.costUsd, null);
      assert.equal(r.costIncluded, true);
      assert.equal(r.costEstimated, undefined);
      assert.deepEqual([r.usage.inputTokens, r.usage.outputTokens], [12, 2]);
      assert.equal(ledger.entries.length, 1);
      assert.equal(ledger.entries[0]!.costIncluded, true);
      const totals = await ledger.totals(Date.now());
      assert.equal(totals.unknownCostToday, 0);
      const s = summarize(ledger.entries, null);
      assert.deepEqual([s.requests, s.includedRequests, s.unknownCostRequests, s.totalUsd], [1, 1, 0, 0]);
      assert.deepEqual(
        s.byModel.map((m) => [m.model, m.included, m.unknownCost]),
        [[HOST_ID, 1, 0]],
      );
    } finally {
      await close();
    }
  });

  test('a blocking budget already spent does not block them and holds nothing for them; a stopped answer is not estimated', async () => {
    const ledger = new MemoryUsageStore();
    await ledger.append({
      ts: new Date().toISOString(),
      model: 'x/y',
      answeredBy: 'x/y',
      inputTokens: 1,
      outputTokens: 1,
      costUsd: 5,
      frontEnd: 't',
      ok: true,
    });
    const held: number[] = [];
    const host = hostSource(() => {
      held.push(ledger.reservations.size);
      return ANSWER;
    });
    // A second model of the same source that shows a token, then waits until it is stopped.
    const slow: HostModelSource = {
      ...host,
      list: () => [...host.list(), { model: 'acme/slow', name: 'Slow', capabilities: CAPS }],
      createModel: (model) =>
        model === 'acme/slow'
          ? {
              providerId: 'vscode',
              modelId: model,
              async *stream(req) {
                held.push(ledger.reservations.size);
                yield { type: 'text-delta', text: 'partial' };
                if (!req.signal?.aborted) await new Promise((resolve) => req.signal?.addEventListener('abort', resolve, { once: true }));
                throw new SwitchboardError({ kind: 'aborted', message: 'stopped' });
              },
            }
          : host.createModel(model),
    };
    const { client, close } = await setup('openai', { budget: { daily: 1, onExceed: 'block' }, pricing: PRICED }, { hostModels: [slow], ledger });
    try {
      const r = await client.complete({ model: HOST_ID, messages: [{ role: 'user', content: 'hi' }] });
      assert.equal(r.error, null, r.error?.message);
      assert.equal(r.costIncluded, true);
      const s = client.stream({ model: 'vscode/acme/slow', messages: [{ role: 'user', content: 'hi' }] });
      for await (const part of s) if (part.type === 'text-delta') s.cancel();
      const stopped = await s.result;
      assert.equal(stopped.error?.kind, 'aborted');
      assert.equal(stopped.text, 'partial');
      assert.equal(stopped.costUsd, null);
      assert.equal(stopped.costIncluded, true);
      assert.equal(stopped.costEstimated, undefined);
      assert.deepEqual(held, [0, 0], 'no reservation while they answered');
      assert.deepEqual(
        ledger.entries.slice(1).map((e) => [e.costIncluded, e.costUsd, e.costEstimated]),
        [
          [true, null, false],
          [true, null, false],
        ],
      );
      assert.equal((await ledger.totals(Date.now())).unknownCostToday, 0);
      // The same budget still blocks a priced model.
      const priced = await client.complete({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
      assert.equal(priced.error?.kind, 'budget');
    } finally {
      await close();
    }
  });

  test('a route whose priced member is over a blocking budget skips it and answers with the included one', async () => {
    const host = hostSource(() => ANSWER);
    const ledger = new MemoryUsageStore();
    await ledger.append({
      ts: new Date().toISOString(),
      model: 'x/y',
      answeredBy: 'x/y',
      inputTokens: 1,
      outputTokens: 1,
      costUsd: 5,
      frontEnd: 't',
      ok: true,
    });
    const { client, fake, close } = await setup(
      'openai',
      { budget: { daily: 1, onExceed: 'block' }, pricing: PRICED, routes: [{ id: 'r', models: ['openai/gpt-4o-mini', HOST_ID] }] },
      { hostModels: [host], ledger },
    );
    try {
      const r = await client.complete({ model: 'route/r', messages: [{ role: 'user', content: 'hi' }] });
      assert.equal(r.error, null, r.error?.message);
      assert.equal(r.answeredBy, HOST_ID);
      const skipped = r.attempts.find((a) => a.model === 'openai/gpt-4o-mini');
      assert.equal(skipped?.outcome, 'skipped');
      assert.match(skipped?.message ?? '', /daily budget/);
      assert.equal(fake.requests.filter((q) => q.method === 'POST').length, 0);
    } finally {
      await close();
    }
  });

  test('routes fail over both ways: host model fails → HTTP model answers; HTTP model fails → host model answers', async () => {
    const failing = hostSource(
      () => new SwitchboardError({ kind: 'server', message: 'the model is down', provider: 'vscode', model: 'acme/chat', shouldRetry: false }),
    );
    const a = await setup('openai', { routes: [{ id: 'r', models: [HOST_ID, 'openai/gpt-4o-mini'] }], pricing: PRICED }, { hostModels: [failing] });
    try {
      a.fake.setDefault({ text: 'from http', usage: { input: 10, output: 3 } });
      const r = await a.client.complete({ model: 'route/r', messages: [{ role: 'user', content: 'hi' }] });
      assert.equal(r.error, null, r.error?.message);
      assert.equal(r.answeredBy, 'openai/gpt-4o-mini');
      assert.deepEqual(
        r.attempts.map((x) => [x.model, x.outcome]),
        [
          [HOST_ID, 'error'],
          ['openai/gpt-4o-mini', 'ok'],
        ],
      );
      assert.equal(r.costIncluded, undefined);
      assert.ok(r.costUsd !== null && r.costUsd > 0);
    } finally {
      await a.close();
    }
    const host = hostSource(() => ANSWER);
    const b = await setup('openai', { routes: [{ id: 'r', models: ['openai/gpt-4o-mini', HOST_ID] }] }, { hostModels: [host] });
    try {
      b.fake.setDefault({ status: 503 });
      const r = await b.client.complete({ model: 'route/r', messages: [{ role: 'user', content: 'hi' }] });
      assert.equal(r.error, null, r.error?.message);
      assert.equal(r.answeredBy, HOST_ID);
      assert.equal(r.costIncluded, true);
      assert.equal(host.calls.length, 1);
      assert.equal(r.attempts[0]!.errorKind, 'overloaded');
    } finally {
      await b.close();
    }
  });

  test('a "cheapest" route tries the included model first; price ceilings let it through', async () => {
    const host = hostSource(() => ANSWER);
    const { client, fake, close } = await setup(
      'openai',
      { pricing: PRICED, routes: [{ id: 'c', models: ['openai/gpt-4o-mini', HOST_ID], strategy: 'cheapest', constraints: { maxInputPrice: 5 } }] },
      { hostModels: [host] },
    );
    try {
      const r = await client.complete({ model: 'route/c', messages: [{ role: 'user', content: 'hi' }] });
      assert.equal(r.answeredBy, HOST_ID);
      assert.equal(fake.requests.filter((q) => q.method === 'POST').length, 0);
    } finally {
      await close();
    }
  });

  test('compare runs a host model next to an HTTP one', async () => {
    const host = hostSource(() => ANSWER);
    const { client, fake, close } = await setup('openai', { pricing: PRICED }, { hostModels: [host], env: { OPENAI_API_KEY: KEY } });
    try {
      fake.setDefault({ text: 'from http', usage: { input: 10, output: 3 } });
      const results = await client.compare({ messages: [{ role: 'user', content: 'hi' }] }, [HOST_ID, 'openai/gpt-4o-mini']).results;
      assert.deepEqual(
        results.map((x) => [x.model, x.text, x.costIncluded ?? false]),
        [
          [HOST_ID, 'Hello there', true],
          ['openai/gpt-4o-mini', 'from http', false],
        ],
      );
    } finally {
      await close();
    }
  });

  test('the SQLite ledger keeps "included" apart from unknown costs (schema migration 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-host-ledger-'));
    try {
      const store = new SqliteUsageStore(join(dir, 'usage.sqlite'));
      const base: LedgerEntryInput = {
        ts: new Date().toISOString(),
        model: HOST_ID,
        answeredBy: HOST_ID,
        inputTokens: 3,
        outputTokens: 4,
        costUsd: null,
        frontEnd: 't',
        ok: true,
      };
      await store.append({ ...base, costIncluded: true });
      await store.append({ ...base, model: 'x/unpriced', answeredBy: 'x/unpriced' });
      const all = await store.readAll();
      assert.deepEqual(
        all.map((e) => e.costIncluded),
        [true, false],
      );
      assert.equal((await store.totals(Date.now())).unknownCostToday, 1);
      const s = summarize(all, null);
      assert.deepEqual([s.includedRequests, s.unknownCostRequests], [1, 1]);
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
