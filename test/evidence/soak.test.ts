/**
 * Soak: an hour of mixed traffic (simulated with an injected clock) through one client and
 * its router: five fake providers of all four protocols, routes and single models, compare
 * calls and cancellations, with random 429s (some with retry-after), 5xx, resets, stalls,
 * malformed chunks, error events and a recurring 3-minute outage of one provider. Asserts:
 * memory flat (heapUsed after a full GC, after warm-up vs at the end), the SQLite ledger's
 * totals equal to the sum of the answered requests' costs (and each cost equal to tokens ×
 * price) plus the prompts of attempts lost after they were sent (a stall before the first byte), cooldown state bounded by the number of models, no unhandled rejection, no socket
 * or timer left. Figures go to .artifacts/evidence/soak.json.
 *
 * SOAK_OPS (operations, default 3000), SOAK_SEED and SOAK_CONCURRENCY override the defaults.
 * Run with --expose-gc (scripts/evidence.mjs does); without it the test enables gc itself.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { startFakeProvider } from '../fakes/server.ts';
import type { FakeProtocol, FakeServer, RecordedRequest, Scenario } from '../fakes/types.ts';
import { ManualClock } from '../unit/helpers.ts';
import { createClient } from '../../src/core/client.ts';
import { SwitchboardError } from '../../src/core/errors.ts';
import { estimateCost } from '../../src/core/catalog/cost.ts';
import { estimatePromptTokens } from '../../src/core/router/spend.ts';
import type { ChatMessage } from '../../src/core/request.ts';
import { summarize } from '../../src/core/router/ledger.ts';
import { SqliteUsageStore } from '../../src/core/router/sqliteLedger.ts';
import type { ChatResult } from '../../src/core/types.ts';
import { eventually, extraResources, mb, prng, RejectionCounter, resourceCounts, round, within, writeArtifact, type Rng } from './lib.ts';

const OPS = Number(process.env.SOAK_OPS ?? 3000);
const SEED = Number(process.env.SOAK_SEED ?? 7);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 8);
const SIMULATED_MS = 60 * 60 * 1000;
const WARMUP_OPS = Math.min(300, Math.floor(OPS / 10));
/** Allowed heap growth between warm-up and the end, after a full GC. */
const HEAP_SLACK_BYTES = 8 * 1024 * 1024;

const gc: () => void =
  (globalThis as { gc?: () => void }).gc ??
  (() => {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  })();

interface ProviderSpec {
  id: string;
  protocol: FakeProtocol;
  kind: 'openai' | 'anthropic' | 'gemini';
  model: string;
  price: { input: number; output: number };
}

const SPECS: ProviderSpec[] = [
  { id: 'a', protocol: 'openai', kind: 'openai', model: 'a/gpt-fast', price: { input: 0.15, output: 0.6 } },
  { id: 'b', protocol: 'openai', kind: 'openai', model: 'b/gpt-backup', price: { input: 2.5, output: 10 } },
  { id: 'c', protocol: 'anthropic', kind: 'anthropic', model: 'c/claude-sonnet', price: { input: 3, output: 15 } },
  { id: 'd', protocol: 'gemini', kind: 'gemini', model: 'd/gemini-2.5-flash', price: { input: 0.3, output: 2.5 } },
  { id: 'e', protocol: 'openrouter', kind: 'openai', model: 'e/meta/llama-3.3-70b', price: { input: 0.6, output: 0.8 } },
];
const PRICE = new Map(SPECS.map((s) => [s.model, s.price]));
const MODELS = SPECS.map((s) => s.model);
const ROUTES = [
  { id: 'fast', models: ['a/gpt-fast', 'b/gpt-backup'] },
  { id: 'smart', models: ['c/claude-sonnet', 'd/gemini-2.5-flash', 'a/gpt-fast'] },
  { id: 'open', models: ['e/meta/llama-3.3-70b', 'b/gpt-backup'], retrySameModel: true },
];
const TARGETS = ['route/fast', 'route/smart', 'route/open', 'a/gpt-fast', 'c/claude-sonnet', 'd/gemini-2.5-flash', 'e/meta/llama-3.3-70b'];
const WORDS = 'the quick brown fox jumps over a lazy dog while streams break and routers route around the damage'.split(' ');

const costOf = (model: string, input: number, output: number): number => {
  const p = PRICE.get(model)!;
  return Number(((input * p.input + output * p.output) / 1e6).toPrecision(12));
};

/** What a fake does with one request: mostly answer, sometimes fail in one of many ways. */
function scenarioFor(r: Rng, spec: ProviderSpec, simulatedMs: number, faults: Record<string, number>): Scenario {
  const count = (k: string): void => void (faults[k] = (faults[k] ?? 0) + 1);
  // Provider a has a 3-minute outage every 20 minutes: cooldowns open, probe and close.
  if (spec.id === 'a' && simulatedMs % (20 * 60_000) < 3 * 60_000) {
    count('outage 503');
    return { status: 503 };
  }
  const text = Array.from({ length: r.int(3, 30) }, () => r.pick(WORDS)).join(' ');
  const input = r.int(5, 500);
  const output = r.int(1, 300);
  const usage = { input, output, ...(spec.protocol === 'openrouter' ? { cost: costOf(spec.model, input, output) } : {}) };
  const roll = r.next();
  const pick = (name: string, sc: Scenario): Scenario => (count(name), sc);
  if (roll < 0.03) return pick('429 retry-after', { status: 429, headers: { 'retry-after': String(r.pick([1, 2, 5, 60])) } });
  if (roll < 0.06) return pick('429', { status: 429 });
  if (roll < 0.1) return pick('500', { status: 500 });
  if (roll < 0.12) return pick('503', { status: 503 });
  if (roll < 0.13) return pick('529', { status: 529 });
  if (roll < 0.135) return pick('400', { status: 400 });
  if (roll < 0.16) return pick('reset before response', { resetBeforeResponse: true });
  if (roll < 0.175) return pick('reset mid-stream', { text, usage, dropAfterChunks: 1 });
  if (roll < 0.18) return pick('stall before first byte', { text, usage, delayBeforeFirstByteMs: 60_000 });
  if (roll < 0.185) return pick('stall mid-stream', { text, usage, stallAfterChunks: 1 });
  if (roll < 0.195) return pick('malformed chunk', { text, usage, malformedAfterChunks: r.int(0, 2) });
  if (roll < 0.205) return pick('error event', { text, usage, midStreamErrorAfterChunks: r.int(0, 2) });
  return pick('answer', { text, usage, delayBetweenChunksMs: r.chance(0.1) ? 1 : 0 });
}

const rejections = new RejectionCounter();
let artifact: Parameters<typeof writeArtifact>[0] | null = null;

after(() => {
  rejections.uninstall();
  if (artifact) writeArtifact(artifact);
});

test(`soak: ${OPS} operations over a simulated hour`, { timeout: 10 * 60_000 }, async () => {
  rejections.install();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const base = resourceCounts();
  const dir = mkdtempSync(join(tmpdir(), 'sb-soak-'));
  const ledger = new SqliteUsageStore(join(dir, 'usage.sqlite'));
  const clock = new ManualClock();
  const start = clock.now();
  const faults: Record<string, number> = {};
  const fakes: FakeServer[] = [];
  let chatRequests = 0;
  for (const [i, spec] of SPECS.entries()) {
    const f = await startFakeProvider(spec.protocol, { apiKey: `key-${spec.id}` });
    const r = prng(SEED * 101 + i);
    f.setDefault((_req: RecordedRequest) => scenarioFor(r, spec, clock.now() - start, faults));
    fakes.push(f);
  }
  const client = createClient(
    {
      providers: SPECS.map((s, i) => ({ id: s.id, kind: s.kind, baseUrl: fakes[i]!.baseUrl, apiKeyEnv: `KEY_${s.id.toUpperCase()}` })),
      routes: ROUTES,
      pricing: Object.fromEntries(SPECS.map((s) => [s.model, s.price])),
      timeouts: { connectMs: 2000, headersMs: 300, idleMs: 300 },
      retries: { maxRetries: 1 },
    },
    { env: Object.fromEntries(SPECS.map((s) => [`KEY_${s.id.toUpperCase()}`, `key-${s.id}`])), clock, ledger, frontEnd: 'soak', random: prng(SEED).next },
  );

  // Tallies (no result objects are kept: they would be the memory growth we look for).
  const t = {
    ops: 0,
    streams: 0,
    compares: 0,
    cancels: 0,
    answered: 0,
    /** Attempts that timed out after their request was sent, before a first token: each billed for its prompt. */
    lost: 0,
    lostSum: 0,
    ok: 0,
    partial: 0,
    failed: 0,
    costSum: 0,
    costNull: 0,
    costMismatch: 0,
    errorsByKind: {} as Record<string, number>,
    unclearErrors: 0,
    maxCooldowns: 0,
    cooldownOpenSeen: 0,
  };
  const expectedCostOk = { sum: 0 };
  const tally = (r: ChatResult, messages: ChatMessage[]): void => {
    t.streams++;
    // An attempt that timed out (a stall before the first byte, the first-token watchdog) after its
    // request was sent, before any token: its own ledger entry, the prompt's estimated cost. The
    // answering attempt of a partial answer is the answer's entry.
    const attempts = r.answeredBy === null ? r.attempts : r.attempts.slice(0, -1);
    for (const a of attempts)
      if (a.outcome === 'error' && a.errorKind === 'timeout' && a.status === undefined) {
        t.lost++;
        t.lostSum += estimateCost(estimatePromptTokens({ messages }), 0, PRICE.get(a.model)!);
      }
    if (r.error) {
      t.errorsByKind[r.error.kind] = (t.errorsByKind[r.error.kind] ?? 0) + 1;
      const e = r.error;
      const clear = e instanceof SwitchboardError && e.detail.length > 0 && (e.kind === 'aborted' || (e.fix !== null && e.model !== null));
      if (!clear) t.unclearErrors++;
    }
    if (r.answeredBy === null) {
      t.failed++;
      return;
    }
    t.answered++;
    if (r.error) t.partial++;
    else t.ok++;
    if (r.costUsd === null) t.costNull++;
    else t.costSum += r.costUsd;
    if (!r.error) {
      // Each answered cost is tokens × the configured price (OpenRouter: its reported cost, built the same way).
      const expected = costOf(r.answeredBy, r.usage.inputTokens ?? NaN, r.usage.outputTokens ?? NaN);
      expectedCostOk.sum += expected;
      if (r.costUsd === null || Math.abs(r.costUsd - expected) > 1e-12) t.costMismatch++;
    }
  };

  const heap: { op: number; simulatedMin: number; heapMB: number }[] = [];
  const sampleHeap = (): number => {
    gc();
    gc();
    const used = process.memoryUsage().heapUsed;
    heap.push({ op: t.ops, simulatedMin: round((clock.now() - start) / 60_000), heapMB: mb(used) });
    return used;
  };

  const gapMs = SIMULATED_MS / OPS;
  let next = 0;
  let heapStart = 0;
  const worker = async (w: number): Promise<void> => {
    const r = prng(SEED * 7 + w);
    for (;;) {
      const op = next++;
      if (op >= OPS) return;
      const messages = [{ role: 'user' as const, content: `question ${op}: ${r.pick(WORDS)}?` }];
      const roll = r.next();
      if (roll < 0.08) {
        t.compares++;
        const run = client.compare({ messages }, ['a/gpt-fast', 'c/claude-sonnet', 'd/gemini-2.5-flash']);
        for (const res of await run.results) tally(res, messages);
      } else {
        const stream = client.stream({ model: r.pick(TARGETS), messages });
        const cancelAfterFirst = roll < 0.1;
        if (cancelAfterFirst) t.cancels++;
        for await (const part of stream) {
          if (cancelAfterFirst && part.type === 'text-delta') stream.cancel();
        }
        tally(await stream.result, messages);
      }
      t.ops++;
      // The fakes keep every request they saw; the clock keeps every sleep: not ours to measure.
      for (const f of fakes) chatRequests += f.requests.splice(0).length;
      clock.sleeps.length = 0;
      t.maxCooldowns = Math.max(t.maxCooldowns, client.cooldowns.size());
      if (MODELS.some((m) => client.cooldowns.state(m) === 'open')) t.cooldownOpenSeen++;
      clock.advance(Math.round(r.next() * 2 * gapMs));
    }
  };

  // Warm-up (JIT, pools, module state) before the first measurement.
  const warm = Array.from({ length: CONCURRENCY }, (_, w) =>
    (async () => {
      const r = prng(SEED * 13 + w);
      while (next < WARMUP_OPS) {
        next++;
        const messages: ChatMessage[] = [{ role: 'user', content: 'warm up' }];
        const s = client.stream({ model: r.pick(TARGETS), messages });
        tally(await s.result, messages);
        t.ops++;
        clock.advance(Math.round(r.next() * 2 * gapMs));
      }
    })(),
  );
  await Promise.all(warm);
  for (const f of fakes) chatRequests += f.requests.splice(0).length;
  clock.sleeps.length = 0;
  heapStart = sampleHeap();
  const sampleEvery = Math.max(100, Math.floor(OPS / 12));
  const sampler = (async () => {
    let last = t.ops;
    while (t.ops < OPS) {
      await new Promise((res) => setTimeout(res, 50));
      if (t.ops - last >= sampleEvery) {
        last = t.ops;
        sampleHeap();
      }
    }
  })();
  const run = await within(Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => worker(w))), 8 * 60_000);
  await sampler;
  assert.equal(run.timedOut, false, 'the soak did not finish within 8 minutes');
  const heapEnd = sampleHeap();
  const simulatedMs = clock.now() - start;
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);

  // The ledger, read back from disk, against what the requests returned.
  const entries = await ledger.readAll();
  const report = summarize(entries, null);
  const ledgerNull = entries.filter((e) => e.costUsd === null).length;
  const ledgerOkSum = entries.filter((e) => e.ok && e.costUsd !== null).reduce((s, e) => s + e.costUsd!, 0);
  const cooldownsAtEnd = client.cooldowns.size();

  const closed = await within(client.close(), 5000);
  const socketsClosed = await eventually(() => fakes.every((f) => f.openSockets() === 0), 5000);
  const openSockets = fakes.reduce((s, f) => s + f.openSockets(), 0);
  await Promise.all(fakes.map((f) => f.close()));
  const settled = await eventually(() => extraResources(base).length === 0, 5000);
  const leftovers = extraResources(base);
  rmSync(dir, { recursive: true, force: true });

  const growth = heapEnd - heapStart;
  const checks = {
    heapFlat: growth < HEAP_SLACK_BYTES,
    ledgerCount: entries.length === t.answered + t.lost,
    ledgerTotal: Math.abs(report.totalUsd - t.costSum - t.lostSum) < 1e-9,
    ledgerNulls: ledgerNull === t.costNull,
    ledgerOk: Math.abs(ledgerOkSum - expectedCostOk.sum) < 1e-9,
    costPerRequest: t.costMismatch === 0,
    cooldownBounded: t.maxCooldowns <= MODELS.length,
    circuitExercised: t.cooldownOpenSeen > 0,
    clearErrors: t.unclearErrors === 0,
    noUnhandled: rejections.count === 0,
    closed: !closed.timedOut && socketsClosed,
    noLeftovers: settled,
    hourSimulated: simulatedMs >= SIMULATED_MS * 0.9,
  };
  const pass = Object.values(checks).every(Boolean);
  artifact = {
    name: 'soak',
    title: 'Soak',
    generatedAt: new Date().toISOString(),
    durationMs: Math.round(wallMs),
    pass,
    figures: [
      { label: 'operations (stream requests + compare calls)', value: t.ops },
      { label: 'streams (compare columns count one each)', value: t.streams },
      { label: 'provider requests (retries and failovers included)', value: chatRequests },
      { label: 'simulated time', value: `${round(simulatedMs / 60_000)} min` },
      { label: 'real time', value: `${round(wallMs / 1000)} s, CPU ${round((cpu.user + cpu.system) / 1e6)} s` },
      { label: 'answered (ok / cut off with partial text)', value: `${t.answered} (${t.ok} / ${t.partial})` },
      { label: 'failed without an answer', value: t.failed },
      { label: 'cancelled by the caller', value: t.cancels },
      {
        label: 'heapUsed after GC: after warm-up → end',
        value: `${mb(heapStart)} MB → ${mb(heapEnd)} MB (${growth >= 0 ? '+' : ''}${mb(growth)} MB; limit +${mb(HEAP_SLACK_BYTES)} MB)`,
      },
      { label: 'ledger entries / answered requests + attempts lost after sending', value: `${entries.length} / ${t.answered} + ${t.lost}` },
      {
        label: 'ledger total vs sum of answered costs + lost prompts',
        value: `$${report.totalUsd.toFixed(6)} vs $${(t.costSum + t.lostSum).toFixed(6)}${checks.ledgerTotal ? ' (equal)' : ' (DIFFER)'}`,
      },
      { label: 'answers whose cost ≠ tokens × price', value: t.costMismatch },
      { label: 'unknown-cost entries (cut off before usage arrived)', value: `${ledgerNull} (results: ${t.costNull})` },
      { label: 'cooldown entries: max / at end / models', value: `${t.maxCooldowns} / ${cooldownsAtEnd} / ${MODELS.length}` },
      { label: 'operations that saw an open circuit', value: t.cooldownOpenSeen },
      {
        label: 'errors by kind',
        value: Object.entries(t.errorsByKind)
          .sort((a, b) => b[1] - a[1])
          .map(([k, n]) => `${k} ${n}`)
          .join(', '),
      },
      { label: 'errors without a clear message', value: t.unclearErrors },
      { label: 'unhandled rejections', value: rejections.count },
      { label: 'sockets / live resources left after close', value: `${openSockets} / ${leftovers.length ? leftovers.join(', ') : 'none'}` },
    ],
    table: { columns: ['fault injected', 'times'], rows: Object.entries(faults).sort((a, b) => b[1] - a[1]) },
    checks,
    checkLabels: {
      heapFlat: `heapUsed after GC grew less than ${mb(HEAP_SLACK_BYTES)} MB from warm-up to the end`,
      ledgerCount: 'one ledger entry per answered request (partial answers included) and per attempt lost after sending, before a token',
      ledgerTotal: 'ledger total (summarize) = sum of the answered requests’ costs + the lost attempts’ prompts (estimated)',
      ledgerNulls: 'unknown-cost ledger entries = answered requests without a cost',
      ledgerOk: 'ledger total of complete answers = Σ tokens × configured price',
      costPerRequest: 'every complete answer’s cost = its tokens × price',
      cooldownBounded: `cooldown entries never above the ${MODELS.length} models`,
      circuitExercised: 'circuits did open (the outage was noticed)',
      clearErrors: 'every error is a SwitchboardError naming model and fix',
      noUnhandled: 'no unhandled rejection',
      closed: 'client.close() returned and every socket closed',
      noLeftovers: 'no live timer, socket or server left after the run',
      hourSimulated: 'at least 54 simulated minutes covered',
    },
    heap,
    seed: SEED,
    concurrency: CONCURRENCY,
  };
  assert.deepEqual(
    Object.entries(checks)
      .filter(([, v]) => !v)
      .map(([k]) => k),
    [],
    JSON.stringify(artifact.figures, null, 1),
  );
});
