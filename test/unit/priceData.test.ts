// Newer price data: fetched on refresh, cached on disk, used offline; bad data never installed.
// Its own file: installing data changes the genai-prices module state for the whole process.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findProvider, type Provider } from '@pydantic/genai-prices';
import { Catalog } from '../../src/core/catalog/catalog.ts';
import { parseConfig } from '../../src/core/config.ts';
import { pricesAsOfLabel } from '../../src/core/catalog/priceDb.ts';

const DAY = Date.UTC(2026, 11, 2, 12);
let server: Server;
let base = '';
let body = '';
let dir = '';

/** Anthropic's real entry with Haiku 4.5 at a new price, as the published file would have it. */
function newerData(): Provider[] {
  const a = structuredClone(findProvider({ providerId: 'anthropic' })!);
  const haiku = a.models.find((m) => m.id === 'claude-haiku-4-5')!;
  haiku.prices = { input_mtok: 0.5, output_mtok: 2.5 };
  return [a];
}

function catalog(file: string, url = `${base}/data.json`): Catalog {
  return new Catalog({
    config: parseConfig({}),
    providers: [],
    getApiKey: () => undefined,
    cacheFile: null,
    now: () => DAY,
    priceData: { cacheFile: file, url },
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sb-prices-'));
  server = createServer((req, res) => {
    res.writeHead(req.url === '/data.json' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(req.url === '/data.json' ? body : '{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('price data refresh', () => {
  test('bundled first; a refresh with prices fetches, installs and caches newer data; offline, the cache serves', async () => {
    const file = join(dir, 'prices.json');
    const c = catalog(file);
    assert.deepEqual(c.priceFor('anthropic/claude-haiku-4-5-20251001'), {
      input: 1,
      output: 5,
      cachedInput: 0.1,
      cacheWrite5m: 1.25,
      cacheWrite1h: 2,
      webSearch: 0.01,
    });
    // without `prices`, nothing is fetched
    body = JSON.stringify(newerData());
    assert.equal((await c.refresh({ force: true })).pricesAsOf, undefined);
    assert.equal(existsSync(file), false);

    const r = await c.refresh({ force: true, prices: true });
    assert.equal(r.pricesAsOf, '2026-12-02');
    assert.equal(r.priceError, undefined);
    assert.deepEqual(c.priceFor('anthropic/claude-haiku-4-5-20251001'), { input: 0.5, output: 2.5 });
    assert.equal(pricesAsOfLabel(), 'prices as of 2026-12-02 (genai-prices data fetched that day)');
    assert.ok(existsSync(file));

    // a broken download is reported and the installed data stays
    body = '[{"id": 1}]';
    const bad = await c.refresh({ force: true, prices: true });
    assert.match(bad.priceError ?? '', /not a list of providers/);
    assert.match(bad.priceError ?? '', /still using prices as of 2026-12-02/);
    assert.deepEqual(c.priceFor('anthropic/claude-haiku-4-5-20251001'), { input: 0.5, output: 2.5 });

    // a price the package cannot compute (a 1h cache price without its 5m ancestor throws at
    // pricing time) makes that model's price unknown, never 0
    const broken = newerData();
    broken[0]!.models.find((m) => m.id === 'claude-haiku-4-5')!.prices = { input_mtok: 9, output_mtok: 9, cache_write_1h_mtok: 1 };
    body = JSON.stringify(broken);
    await c.refresh({ force: true, prices: true });
    assert.equal(c.priceFor('anthropic/claude-haiku-4-5-20251001'), null);

    // a new process with the server gone: the cached file is used
    body = JSON.stringify(newerData());
    await c.refresh({ force: true, prices: true });
    const offline = catalog(file, 'http://127.0.0.1:9/data.json');
    assert.deepEqual(offline.priceFor('anthropic/claude-haiku-4-5-20251001'), { input: 0.5, output: 2.5 });
    const r3 = await offline.refresh({ force: true, prices: true });
    assert.match(r3.priceError ?? '', /still using prices as of 2026-12-02/);
  });
});
