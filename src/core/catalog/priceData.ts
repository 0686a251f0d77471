/**
 * Newer price data than the package bundles: genai-prices publishes its data as one JSON file
 * (REMOTE_DATA_JSON_URL, public, no key). We fetch it when the catalog refreshes, keep it on disk,
 * and install it with the package's own `updatePrices`; offline, the cached file (else the bundled
 * data) keeps working. Data the package rejects is never installed.
 */
import { readFileSync } from 'node:fs';
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { REMOTE_DATA_JSON_URL, updatePrices, type Provider } from '@pydantic/genai-prices';
import { request, type Dispatcher } from 'undici';
import { setPriceDataInfo } from './priceDb.ts';

export { REMOTE_DATA_JSON_URL };

const CACHE_VERSION = 1;
const MAX_BYTES = 64 * 1024 * 1024;

export interface PriceDataOptions {
  /** Where fetched data is kept. */
  cacheFile: string;
  /** Default: genai-prices' published data. */
  url?: string;
  dispatcher?: Dispatcher;
  timeoutMs?: number;
  now?: () => number;
  signal?: AbortSignal;
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The shape the package needs; it validates prices itself when the data is installed. */
function looksLikeProviders(v: unknown): v is Provider[] {
  return (
    Array.isArray(v) &&
    v.length > 0 &&
    v.every(
      (p) =>
        typeof p === 'object' &&
        p !== null &&
        typeof (p as Provider).id === 'string' &&
        typeof (p as Provider).api_pattern === 'string' &&
        Array.isArray((p as Provider).models),
    )
  );
}

/** Install provider data; throws (keeping the previous data) when the package rejects it. */
function install(data: Provider[], fetchedAt: number): void {
  updatePrices(({ setProviderData }) => setProviderData(data));
  setPriceDataInfo({ origin: 'fetched', asOf: day(fetchedAt) });
}

/** Use the cached data, if there is a readable, valid file. Returns whether it did. Never throws. */
export function loadCachedPriceData(cacheFile: string): boolean {
  try {
    const json = JSON.parse(readFileSync(cacheFile, 'utf8')) as { version?: unknown; fetchedAt?: unknown; data?: unknown };
    if (json.version !== CACHE_VERSION || typeof json.fetchedAt !== 'number' || !looksLikeProviders(json.data)) return false;
    install(json.data, json.fetchedAt);
    return true;
  } catch {
    return false;
  }
}

/**
 * Fetch the published data, install it and cache it. Returns the day it is "as of", or throws
 * an Error whose message says what went wrong (the previous data stays in use).
 */
export async function refreshPriceData(opts: PriceDataOptions): Promise<string> {
  const url = opts.url ?? REMOTE_DATA_JSON_URL;
  const timeout = opts.timeoutMs ?? 15_000;
  const res = await request(url, {
    method: 'GET',
    headers: { accept: 'application/json' },
    headersTimeout: timeout,
    bodyTimeout: timeout,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
  });
  if (res.statusCode < 200 || res.statusCode >= 300) {
    await res.body.dump().catch(() => {});
    throw new Error(`price data: HTTP ${res.statusCode} from ${url}`);
  }
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += (chunk as Buffer).length;
    if (size > MAX_BYTES) {
      res.body.destroy();
      throw new Error(`price data: larger than ${MAX_BYTES / 1024 / 1024} MB at ${url}`);
    }
    parts.push(chunk as Buffer);
  }
  let data: unknown;
  try {
    data = JSON.parse(Buffer.concat(parts).toString('utf8'));
  } catch {
    throw new Error(`price data: not JSON at ${url}`);
  }
  if (!looksLikeProviders(data)) throw new Error(`price data: not a list of providers at ${url}`);
  const fetchedAt = (opts.now ?? Date.now)();
  try {
    install(data, fetchedAt);
  } catch (e) {
    throw new Error(`price data rejected by genai-prices: ${(e as Error).message}`);
  }
  await mkdir(dirname(opts.cacheFile), { recursive: true });
  const tmp = `${opts.cacheFile}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, JSON.stringify({ version: CACHE_VERSION, fetchedAt, url, data }), { encoding: 'utf8', mode: 0o600 });
    await rename(tmp, opts.cacheFile);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw new Error(`price data installed but not cached (${opts.cacheFile}): ${(e as Error).message}`);
  }
  return day(fetchedAt);
}
