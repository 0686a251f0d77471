/**
 * The doors at the anchor configuration (part C3): the upstreams are the tests' strict fakes
 * (test/fakes/: each request validated, each stream encoded per request, as in part C, which gave
 * the anchor "200 concurrent streams at 0.41x"), not part C2's zero-cost precomputed upstream; the
 * gateway runs in its own process (as in C2), the fakes and the calling client in this one.
 *
 * The same answer (100 words) asked directly from each fake and through each door, over its own
 * protocol (Chat Completions -> openai gpt-4o-mini, Messages -> anthropic claude-sonnet-4-5,
 * Responses -> gpt-5-codex on the Responses fake) and translated, streamed, at 200 and 50 concurrent
 * streams, interleaved in rounds (bench/doors.ts's measurePaths). Every response must be a 200 with
 * the protocol's end marker, and the first of each run must carry the exact text.
 *
 * `benchDoorsAnchor()` is called by the main bench; `node bench/doors-anchor.ts` runs it alone
 * (`--requests=N` per path and level, `--concurrency=200,50`, `--only=<regex>`, `--warm-up=N`, `--no-fast-path`).
 */
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { startFakeProvider } from '../test/fakes/server.ts';
import { startResponsesFake } from '../test/fakes/responses.ts';
import { answerWords } from './door-upstream.ts';
import { BENCH_KEY, benchModels, type BenchUpstreams } from './doors-gateway.ts';
import { DOOR_TARGET, doorTargets, measurePaths, SATURATED_WARM_UP, startGatewaySide, type DoorRow } from './doors.ts';

const round1 = (n: number): number => Math.round(n * 10) / 10;

export interface DoorsAnchorOptions {
  /** Requests per path and concurrency level (split over the rounds). Default 1,200: a sustained load, not one burst. */
  requests?: number;
  /** Concurrency levels. Default [200, 50]: the anchor's, then C2's. */
  concurrency?: number[];
  /** Default 3. */
  rounds?: number;
  /** Only the paths whose name matches (and the direct ones). */
  only?: RegExp;
  /** false: every door request takes the translating path. */
  fastPath?: boolean;
  /** Requests per path before measuring (default SATURATED_WARM_UP). */
  warmUp?: number;
}

export interface DoorsAnchorReport {
  upstream: 'strict fakes (test/fakes)';
  gatewayProcess: 'child';
  words: number;
  rounds: number;
  loadAverage1m: { start: number; end: number };
  rows: DoorRow[];
}

/** The anchor's level: the figure is at 200 concurrent streams. */
export const ANCHOR_CONCURRENCY = 200;

export async function benchDoorsAnchor(opts: DoorsAnchorOptions = {}): Promise<DoorsAnchorReport> {
  const loadStart = os.loadavg()[0]!;
  const words = 100;
  const rounds = opts.rounds ?? 3;
  const requests = opts.requests ?? 1200;
  const levels = (opts.concurrency ?? [ANCHOR_CONCURRENCY, 50]).map((concurrency) => ({ concurrency, requests }));
  const text = answerWords(words).join('');

  const openai = await startFakeProvider('openai', { apiKey: BENCH_KEY });
  const anthropic = await startFakeProvider('anthropic', { apiKey: BENCH_KEY });
  const responses = await startResponsesFake(BENCH_KEY);
  for (const fake of [openai, anthropic, responses]) fake.setDefault({ text });
  try {
    const upstreams: BenchUpstreams = { openai: openai.baseUrl, anthropic: anthropic.baseUrl, responses: responses.baseUrl };
    const g = await startGatewaySide(upstreams, false, opts.fastPath ?? true);
    try {
      const direct = {
        openai: { root: openai.url, model: 'gpt-4o-mini' },
        anthropic: { root: anthropic.url, model: 'claude-sonnet-4-5' },
        'openai-responses': { root: responses.baseUrl.replace(/\/v1$/, ''), model: 'gpt-5-codex' },
      };
      const only = opts.only;
      const list = doorTargets(direct, benchModels(upstreams), g, true).filter((t) => !only || t.kind === 'direct' || only.test(t.path));
      const rows = await measurePaths({
        list,
        g,
        inProcess: false,
        expected: text,
        warmUp: { concurrency: Math.max(...levels.map((l) => l.concurrency)), requests: opts.warmUp ?? SATURATED_WARM_UP },
        levels,
        rounds,
        // The fakes record every request: a run of thousands need not keep them.
        afterRound: () => {
          for (const fake of [openai, anthropic, responses]) fake.requests.length = 0;
        },
      });
      return {
        upstream: 'strict fakes (test/fakes)',
        gatewayProcess: 'child',
        words,
        rounds,
        loadAverage1m: { start: round1(loadStart), end: round1(os.loadavg()[0]!) },
        rows,
      };
    } finally {
      await g.close();
    }
  } finally {
    await Promise.all([openai.close(), anthropic.close(), responses.close()]);
  }
}

/** Per door: its own protocol at 200 concurrent streams, >= 0.8x direct. */
/**
 * Beside each verdict, the plain proxy's ratio on the door's protocol in the same run: what one
 * HTTP hop that only copies bytes reaches on this machine, the ceiling any door works under.
 */
export function anchorVerdicts(report: DoorsAnchorReport): { door: string; ratio: number | null; pass: boolean; proxyRatio: number | null }[] {
  return (['chat', 'messages', 'responses'] as const).map((door) => {
    const at = (kind: DoorRow['kind']) => report.rows.find((r) => r.door === door && r.kind === kind && r.concurrency === ANCHOR_CONCURRENCY);
    const row = at('same-protocol');
    return { door, ratio: row?.ratio ?? null, pass: (row?.ratio ?? 0) >= DOOR_TARGET, proxyRatio: at('proxy')?.ratio ?? null };
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string): string | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const report = await benchDoorsAnchor({
    ...(arg('requests') ? { requests: Number(arg('requests')) } : {}),
    ...(arg('concurrency') ? { concurrency: arg('concurrency')!.split(',').map(Number) } : {}),
    ...(arg('only') ? { only: new RegExp(arg('only')!) } : {}),
    ...(arg('warm-up') ? { warmUp: Number(arg('warm-up')) } : {}),
    fastPath: !process.argv.includes('--no-fast-path'),
  });
  console.log(JSON.stringify({ ...report, verdicts: anchorVerdicts(report) }, null, 1));
}
