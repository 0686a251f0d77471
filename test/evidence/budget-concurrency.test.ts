/**
 * Evidence (issue 12): budgets under concurrency and unknown costs. Every request below costs
 * exactly its worst case, $0.20 (100 output tokens at $2000/1M, free prompt), against a blocking
 * $1.00 daily budget, so at most 5 may be answered however they overlap: 10 real CLI processes
 * sharing one ledger file, 20 parallel gateway requests, an 8-model compare, and 40 parallel
 * requests of one agent session against a blocking $1.00 session cap (issue 15), whose 50/80/100 %
 * alerts must each fire at most once. Then 30 streams
 * cancelled after their first token (counted at an estimate), an unwritable ledger under a
 * blocking budget, and a full ledger (capped SQLite database). Writes .artifacts/evidence/budget-concurrency.json.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeProvider } from '../fakes/server.ts';
import { createClient } from '../../src/core/client.ts';
import { MemoryUsageStore, summarize, type LedgerEntry } from '../../src/core/router/ledger.ts';
import { SqliteUsageStore } from '../../src/core/router/sqliteLedger.ts';
import { privateCliCopy } from '../unit/builtCli.ts';
import { startWorld, TOKEN } from '../unit/gatewayWorld.ts';
import { writeArtifact, type Figure } from './lib.ts';

const KEY = 'sk-evidence-budget-0123456789';
const BUDGET = { daily: 1, onExceed: 'block' as const };
const PRICE = { input: 0, output: 2000 };
const ANSWER = { text: 'an answer', usage: { input: 5, output: 100 }, delayBeforeFirstByteMs: 400 };
const usd = (n: number): string => `$${n.toFixed(2)}`;
const spend = (es: LedgerEntry[]): number => es.reduce((s, e) => s + (e.costUsd ?? Number.POSITIVE_INFINITY), 0);

test('budgets under concurrency, unknown costs, unwritable and full ledgers', async () => {
  const t0 = Date.now();
  const root = mkdtempSync(join(tmpdir(), 'sb-ev-budget-'));
  const rows: (string | number | boolean)[][] = [];
  const checks: Record<string, boolean> = {};
  const figures: Figure[] = [];
  try {
    // 1. Real parallel processes.
    {
      const cli = await privateCliCopy(root);
      const fake = await startFakeProvider('openai', { apiKey: KEY });
      fake.setDefault(ANSWER);
      const model = 'openai/gpt-4o-mini';
      const config = join(root, 'cli.json');
      writeFileSync(
        config,
        JSON.stringify({ providers: [{ id: 'openai', baseUrl: fake.baseUrl }], retries: { maxRetries: 0 }, pricing: { [model]: PRICE }, budget: BUDGET }),
      );
      const data = join(root, 'data');
      mkdirSync(data, { recursive: true });
      const env = {
        PATH: process.env.PATH ?? '',
        HOME: root,
        XDG_DATA_HOME: data,
        XDG_CACHE_HOME: join(root, 'cache'),
        OPENAI_API_KEY: KEY,
        NODE_COMPILE_CACHE: join(root, 'v8'),
      };
      const codes = await Promise.all(
        Array.from(
          { length: 10 },
          () =>
            new Promise<number | null>((resolve) =>
              spawn(process.execPath, [cli, 'chat', '--model', model, '--prompt', 'hi', '--max-tokens', '100', '--config', config], {
                env,
                stdio: 'ignore',
              }).on('close', resolve),
            ),
        ),
      );
      await fake.close();
      const store = new SqliteUsageStore(join(data, 'switchboard', 'usage.sqlite'));
      const entries = await store.readAll();
      store.close();
      const ok = codes.filter((c) => c === 0).length;
      checks.cli = ok <= 5 && spend(entries) <= 1 + 1e-9;
      rows.push(['10 parallel CLI processes, one shared ledger file', 10, ok, 10 - ok, usd(spend(entries)), usd(BUDGET.daily), checks.cli]);
    }
    // 2. Parallel gateway requests.
    {
      const ledger = new SqliteUsageStore(join(root, 'gw', 'usage.sqlite'));
      const w = await startWorld({ config: { pricing: { 'openai/gpt-4o-mini': PRICE }, budget: BUDGET }, client: { ledger } });
      w.openai.setDefault(ANSWER);
      const statuses = await Promise.all(
        Array.from({ length: 20 }, () =>
          fetch(`${w.gateway.url}/chat/completions`, {
            method: 'POST',
            headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
            body: JSON.stringify({ model: 'openai/gpt-4o-mini', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }),
          }).then(async (r) => (await r.arrayBuffer(), r.status)),
        ),
      );
      await w.close();
      const entries = await ledger.readAll();
      ledger.close();
      const ok = statuses.filter((s) => s === 200).length;
      const refused = statuses.filter((s) => s === 402).length;
      checks.gateway = ok <= 5 && ok + refused === 20 && spend(entries) <= 1 + 1e-9;
      rows.push(['20 parallel gateway requests', 20, ok, `${refused} (HTTP 402 budget_exceeded)`, usd(spend(entries)), usd(BUDGET.daily), checks.gateway]);
    }
    // 3. A compare of 8 models.
    {
      const fake = await startFakeProvider('openai');
      fake.setDefault(ANSWER);
      const models = Array.from({ length: 8 }, (_, i) => `a/m${i}`);
      const ledger = new SqliteUsageStore(join(root, 'compare', 'usage.sqlite'));
      const client = createClient(
        {
          providers: [{ id: 'a', kind: 'openai', baseUrl: fake.baseUrl, apiKeyEnv: 'K', models: models.map((m) => m.slice(2)) }],
          retries: { maxRetries: 0 },
          pricing: Object.fromEntries(models.map((m) => [m, PRICE])),
          budget: BUDGET,
        },
        { env: { K: 'k' }, ledger },
      );
      const results = await client.compare({ messages: [{ role: 'user', content: 'hi' }], maxTokens: 100 }, models).results;
      await client.close();
      await fake.close();
      const entries = await ledger.readAll();
      ledger.close();
      const ok = results.filter((r) => !r.error).length;
      const refused = results.filter((r) => r.error?.kind === 'budget').length;
      checks.compare = ok <= 5 && spend(entries) <= 1 + 1e-9;
      rows.push(['compare of 8 models', 8, ok, refused, usd(spend(entries)), usd(BUDGET.daily), checks.compare]);
    }
    // 3b. One agent session: 40 parallel requests against a $1.00 session cap (the day is not capped).
    {
      const fake = await startFakeProvider('openai');
      fake.setDefault(ANSWER);
      const ledger = new SqliteUsageStore(join(root, 'session', 'usage.sqlite'));
      const alerts: number[] = [];
      const client = createClient(
        {
          providers: [{ id: 'a', kind: 'openai', baseUrl: fake.baseUrl, apiKeyEnv: 'K', models: ['m'] }],
          retries: { maxRetries: 0 },
          pricing: { 'a/m': PRICE },
          budget: { perSession: 1, onExceed: 'block' },
        },
        { env: { K: 'k' }, ledger, session: 'agent-session', onBudgetAlert: (a) => alerts.push(a.threshold) },
      );
      const results = await Promise.all(
        Array.from({ length: 40 }, () => client.complete({ model: 'a/m', messages: [{ role: 'user', content: 'hi' }], maxTokens: 100 })),
      );
      await client.close();
      await fake.close();
      const entries = await ledger.readAll();
      ledger.close();
      const ok = results.filter((r) => !r.error).length;
      const refused = results.filter((r) => r.error?.kind === 'budget').length;
      const onceEach = new Set(alerts).size === alerts.length && alerts.filter((a) => a === 100).length === 1;
      checks.session = ok <= 5 && spend(entries) <= 1 + 1e-9 && entries.every((e) => e.session === 'agent-session') && onceEach;
      rows.push(['40 parallel requests of one agent session ($1.00 session cap)', 40, ok, refused, usd(spend(entries)), usd(1), checks.session]);
      figures.push({ label: 'session-cap alerts fired (each threshold at most once)', value: `${alerts.sort((a, b) => a - b).join(', ')} %` });
    }
    // 4. Streams cancelled after their first token.
    {
      const fake = await startFakeProvider('openai');
      fake.setDefault({ text: 'one two three four five six seven eight nine ten', chunks: 10, delayBetweenChunksMs: 50, usage: { input: 10, output: 10 } });
      const ledger = new MemoryUsageStore();
      const client = createClient(
        {
          providers: [{ id: 'a', kind: 'openai', baseUrl: fake.baseUrl, apiKeyEnv: 'K' }],
          pricing: { 'a/m': { input: 1000, output: 1000 } },
          retries: { maxRetries: 0 },
        },
        { env: { K: 'k' }, ledger },
      );
      for (let i = 0; i < 30; i++) {
        const s = client.stream({ model: 'a/m', messages: [{ role: 'user', content: 'hello there' }], maxTokens: 20 });
        for await (const p of s) if (p.type === 'text-delta') break;
        await s.result;
      }
      await client.close();
      await fake.close();
      const r = summarize(ledger.entries, null);
      checks.cancelled = r.requests === 30 && r.estimatedCostRequests === 30 && r.unknownCostRequests === 0 && r.totalUsd > 0;
      figures.push({
        label: '30 streams cancelled after the first token: counted (estimated) / unknown / total',
        value: `${r.estimatedCostRequests} / ${r.unknownCostRequests} / $${r.totalUsd.toFixed(4)}`,
      });
    }
    // 5. A ledger that cannot be written, under a blocking budget.
    {
      const fake = await startFakeProvider('openai');
      fake.setDefault(ANSWER);
      const blocker = join(root, 'a-file');
      writeFileSync(blocker, 'not a folder');
      const client = createClient(
        { providers: [{ id: 'a', kind: 'openai', baseUrl: fake.baseUrl, apiKeyEnv: 'K' }], pricing: { 'a/m': PRICE }, budget: BUDGET },
        { env: { K: 'k' }, ledger: new SqliteUsageStore(join(blocker, 'usage.sqlite')) },
      );
      const results = await Promise.all(
        Array.from({ length: 5 }, () => client.complete({ model: 'a/m', messages: [{ role: 'user', content: 'hi' }], maxTokens: 100 })),
      );
      await client.close();
      const blocked = results.filter((r) => r.error?.kind === 'budget' && /ledger cannot be written/.test(r.error.message)).length;
      checks.unwritable = blocked === 5 && fake.requests.length === 0;
      figures.push({
        label: 'unwritable ledger, blocking budget: requests refused with a clear error / reached the provider',
        value: `${blocked} of 5 / ${fake.requests.length}`,
      });
      await fake.close();
    }
    // 6. A full ledger: whole entries or nothing.
    {
      const path = join(root, 'full', 'usage.sqlite');
      // The schema takes 9 pages (tables and indexes); 12 leave room for a hundred-odd entries.
      const full = new SqliteUsageStore(path, { maxPageCount: 12 });
      let written = 0;
      let failed = 0;
      for (let i = 0; i < 400; i++) {
        try {
          await full.append({
            ts: new Date().toISOString(),
            model: `m${i}`,
            answeredBy: `m${i}`,
            inputTokens: 1,
            outputTokens: 1,
            costUsd: 0.01,
            frontEnd: 'evidence',
            ok: true,
          });
          written++;
        } catch {
          failed++;
        }
      }
      full.close();
      const after = new SqliteUsageStore(path);
      await after.append({
        ts: new Date().toISOString(),
        model: 'after',
        answeredBy: 'after',
        inputTokens: 1,
        outputTokens: 1,
        costUsd: 0.01,
        frontEnd: 'evidence',
        ok: true,
      });
      const back = await after.readAll();
      after.close();
      checks.fullDisk = written > 0 && failed > 0 && back.length === written + 1 && back.every((e, i) => e.model === (i < written ? `m${i}` : 'after'));
      figures.push({
        label: 'full ledger: writes accepted / refused with an error / read back whole after space returned',
        value: `${written} / ${failed} / ${back.length} (${written} + 1 new)`,
      });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const pass = Object.values(checks).every(Boolean);
  figures.unshift(...rows.map((r) => ({ label: String(r[0]), value: `${r[2]} of ${r[1]} answered, spend ${r[4]} vs budget ${r[5]}` })));
  writeArtifact({
    name: 'budget-concurrency',
    title: 'Budgets under concurrency',
    security: true,
    generatedAt: new Date().toISOString(),
    durationMs: Date.now() - t0,
    pass,
    figures,
    table: {
      columns: ['scenario ($0.20 a request, $1.00 a day or a session, block)', 'requests', 'answered', 'refused', 'spend', 'budget', 'within budget'],
      rows,
    },
    checks,
  });
  assert.ok(pass, JSON.stringify(checks));
});
