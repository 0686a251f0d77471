/**
 * Budgets under concurrency (issue 12, finding 2): every request holds its worst case in the
 * shared ledger before it is sent, so parallel requests cannot all spend the same headroom.
 * Each request here costs exactly its worst case, $0.20 (100 output tokens at $2000/1M, prompt
 * free), against a blocking $1 daily budget: at most 5 may be answered, whatever the overlap.
 * Real parallel CLI processes sharing one ledger file, parallel gateway requests, and a compare.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeProvider } from '../fakes/server.ts';
import type { FakeServer } from '../fakes/types.ts';
import { createClient } from '../../src/core/client.ts';
import { SqliteUsageStore } from '../../src/core/router/sqliteLedger.ts';
import { privateCliCopy } from './builtCli.ts';
import { KEY } from './helpers.ts';
import { startWorld, TOKEN } from './gatewayWorld.ts';

const BUDGET = { daily: 1, onExceed: 'block' as const };
/** $0.20 a request: 100 output tokens at $2000 per 1M; the prompt is free. */
const PRICE = { input: 0, output: 2000 };
const ANSWER = { text: 'an answer', usage: { input: 5, output: 100 }, delayBeforeFirstByteMs: 400 };

let root: string;
let CLI: string;
before(async () => {
  root = mkdtempSync(join(tmpdir(), 'sb-budget-'));
  CLI = await privateCliCopy(root);
});
after(() => rmSync(root, { recursive: true, force: true }));

function spent(entries: { costUsd: number | null }[]): number {
  return entries.reduce((s, e) => s + (e.costUsd ?? Number.POSITIVE_INFINITY), 0);
}

describe('budgets hold under concurrency', () => {
  test('10 parallel CLI processes sharing one ledger, $0.20 each, $1 a day: 5 answered, spend $1.00', async (t) => {
    const fake: FakeServer = await startFakeProvider('openai', { apiKey: KEY });
    t.after(() => fake.close());
    fake.setDefault(ANSWER);
    const model = 'openai/gpt-4o-mini';
    const config = join(root, 'cli.json');
    writeFileSync(
      config,
      JSON.stringify({ providers: [{ id: 'openai', baseUrl: fake.baseUrl }], retries: { maxRetries: 0 }, pricing: { [model]: PRICE }, budget: BUDGET }),
    );
    const data = join(root, 'cli-data');
    mkdirSync(data, { recursive: true });
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: root,
      XDG_DATA_HOME: data,
      XDG_CACHE_HOME: join(root, 'cache'),
      OPENAI_API_KEY: KEY,
      TZ: 'UTC',
      NODE_COMPILE_CACHE: join(root, 'v8'),
    };
    const runs = await Promise.all(
      Array.from(
        { length: 10 },
        () =>
          new Promise<{ code: number | null; stderr: string }>((resolve) => {
            const child = spawn(process.execPath, [CLI, 'chat', '--model', model, '--prompt', 'hi', '--max-tokens', '100', '--config', config], {
              env,
              stdio: ['ignore', 'ignore', 'pipe'],
            });
            let stderr = '';
            child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
            child.on('close', (code) => resolve({ code, stderr }));
          }),
      ),
    );
    const ok = runs.filter((r) => r.code === 0);
    const refused = runs.filter((r) => r.code !== 0);
    for (const r of refused) assert.match(r.stderr, /budget: over budget for openai\/gpt-4o-mini: daily budget \$1\.00/, r.stderr);
    const store = new SqliteUsageStore(join(data, 'switchboard', 'usage.sqlite'));
    const entries = await store.readAll();
    const totals = await store.totals(Date.now());
    store.close();
    assert.equal(ok.length, 5, runs.map((r) => r.stderr).join('\n'));
    assert.equal(fake.requests.length, 5, 'the refused ones never reached the provider');
    assert.equal(entries.length, 5);
    assert.ok(Math.abs(spent(entries) - 1) < 1e-9, `spent $${spent(entries)}`);
    assert.equal(totals.reserved, 0, 'no hold left behind');
  });

  test('20 parallel gateway requests of $0.20 against $1: at most 5 answered, the rest a clear 402 budget error', async (t) => {
    const dir = join(root, 'gw');
    const ledger = new SqliteUsageStore(join(dir, 'usage.sqlite'));
    const w = await startWorld({ config: { pricing: { 'openai/gpt-4o-mini': PRICE }, budget: BUDGET }, client: { ledger } });
    t.after(async () => {
      await w.close();
      ledger.close();
    });
    w.openai.setDefault(ANSWER);
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        fetch(`${w.gateway.url}/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'openai/gpt-4o-mini', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }),
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as { error?: { code?: string; message?: string } } })),
      ),
    );
    const ok = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status !== 200);
    assert.ok(ok.length <= 5, `${ok.length} answered`);
    assert.equal(ok.length, 5, 'exactly the budget: every answer costs its worst case');
    for (const r of refused) {
      assert.equal(r.status, 402);
      assert.equal(r.body.error?.code, 'budget_exceeded');
      assert.match(r.body.error?.message ?? '', /daily budget \$1\.00/);
    }
    const entries = await ledger.readAll();
    assert.ok(spent(entries) <= 1 + 1e-9, `spent $${spent(entries)}`);
    assert.equal(w.openai.requests.length, 5);
  });

  test('a compare of 8 models at $0.20 each against $1: 5 columns answer, 3 are refused by the budget', async (t) => {
    const fake = await startFakeProvider('openai');
    t.after(() => fake.close());
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
    t.after(async () => {
      await client.close();
      ledger.close();
    });
    const results = await client.compare({ messages: [{ role: 'user', content: 'hi' }], maxTokens: 100 }, models).results;
    const done = results.filter((r) => r.error === null);
    assert.equal(done.length, 5);
    assert.deepEqual(
      results.filter((r) => r.error).map((r) => r.error!.kind),
      ['budget', 'budget', 'budget'],
    );
    assert.ok(Math.abs(spent(await ledger.readAll()) - 1) < 1e-9);
  });
});
