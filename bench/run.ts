/**
 * `npm run bench`: stream-decoding, router, gateway and chat-rendering benchmarks, one process, one run.
 * Prints a report (measured figures next to targets) and writes it as JSON to .artifacts/bench.json.
 * A benchmark reports; it is not a test: a missed target prints MISS but the exit code stays 0.
 * Wrong output (a path that did not get the full, identical text) is an error: exit code 1.
 *
 * Options: --runs=N (default 15), --warmup=N (default 3), --events=N (default 20000).
 * Run with --expose-gc (the npm script does) so every timed run starts from a collected heap.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDecodePaths, type PathId } from './decode-paths.ts';
import { benchGateway } from './gateway.ts';
import { benchDoors, doorVerdicts, DOOR_TARGET, nonStreamedDoorVerdicts, pacedDoorVerdicts, type DoorRow } from './doors.ts';
import { ANCHOR_CONCURRENCY, anchorVerdicts, benchDoorsAnchor } from './doors-anchor.ts';
import { benchRender } from './render.ts';
import { benchToolCalls } from './tool-bench.ts';
import { benchFailover, benchFanOut } from './router-bench.ts';
import { buildSseFixture } from './sse-fixture.ts';
import { startSseServer } from './sse-server.ts';
import { ms, ratio, round, summarize, table, verdict, type Summary } from './stats.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outFile = path.join(root, '.artifacts', 'bench.json');

function intArg(name: string, fallback: number): number {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  const v = a ? Number(a.slice(name.length + 3)) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer`);
  return v;
}

const RUNS = intArg('runs', 15);
const WARMUP = intArg('warmup', 3);
const EVENTS = intArg('events', 20_000);
const gc = (globalThis as { gc?: () => void }).gc;

const startedAt = performance.now();
const loadAtStart = os.loadavg()[0]!;
const say = (s = ''): void => void process.stdout.write(s + '\n');

// ---------------------------------------------------------------- A. stream decoding
const fixture = buildSseFixture(EVENTS);
const server = await startSseServer(fixture.body);
const decode = createDecodePaths(server.baseUrl);
const expectedOf = (id: PathId): string => (id === 'a' ? String(fixture.body.length) : fixture.text);
const samples = new Map<PathId, number[]>(decode.paths.map((p) => [p.id, []]));

async function timed(id: PathId): Promise<number> {
  const p = decode.paths.find((x) => x.id === id)!;
  gc?.();
  const t0 = performance.now();
  const out = await p.run();
  const elapsed = performance.now() - t0;
  if (out !== expectedOf(id)) {
    const want = expectedOf(id);
    let at = 0;
    while (at < Math.min(out.length, want.length) && out[at] === want[at]) at++;
    throw new Error(
      `path (${id}) ${p.label} got the wrong output: ${out.length} chars, expected ${want.length}; first difference at ${at}: ${JSON.stringify(out.slice(at, at + 40))} vs ${JSON.stringify(want.slice(at, at + 40))}`,
    );
  }
  return elapsed;
}

let decodeReport: Record<string, unknown>;
try {
  process.stderr.write(`bench: A. decoding — ${WARMUP} warm-up + ${RUNS} timed runs of ${decode.paths.length} paths…\n`);
  const ids = decode.paths.map((p) => p.id);
  // Round-robin, starting one path later each round, so drift and noise hit every path alike.
  for (let round = 0; round < WARMUP + RUNS; round++) {
    for (let k = 0; k < ids.length; k++) {
      const id = ids[(round + k) % ids.length]!;
      const t = await timed(id);
      if (round >= WARMUP) samples.get(id)!.push(t);
    }
  }
} finally {
  await decode.close();
  await server.close();
}
const sum = new Map<PathId, Summary>([...samples].map(([id, s]) => [id, summarize(s)]));
const med = (id: PathId): number => sum.get(id)!.median;
const mb = fixture.body.length / 1e6;

const ratios = { 'e/c': med('e') / med('c'), 'e/d': med('e') / med('d'), 'e/b': med('e') / med('b'), 'f/c': med('f') / med('c') };
const mn = (id: PathId): number => sum.get(id)!.min;
const minRatios = { 'e/c': mn('e') / mn('c'), 'e/d': mn('e') / mn('d'), 'e/b': mn('e') / mn('b'), 'f/c': mn('f') / mn('c') };
const decodeTargets = [
  { name: 'e/c', what: 'Switchboard rich stream vs the openai SDK', measured: ratios['e/c'], target: 0.3 },
  { name: 'e/b', what: 'Switchboard rich stream vs the minimal hand-written decoder (b)', measured: ratios['e/b'], target: 2 },
].map((t) => ({ ...t, pass: t.measured <= t.target }));

say(
  `Switchboard benchmark — Node ${process.version}, ${os.platform()} ${os.arch()}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}${gc ? ', gc between runs' : ''}`,
);
say(
  `1-min load average: ${loadAtStart.toFixed(1)} at start, ${os.loadavg()[0]!.toFixed(1)} after part A (above ${os.cpus().length}: other processes share the CPUs; ratios, being interleaved, are steadier than absolute times)`,
);
say();
say(`A. Stream decoding`);
say(`   ${fixture.contentEvents.toLocaleString('en-US')} chat.completion.chunk events with content + finish chunk + usage chunk + [DONE]`);
say(
  `   = ${fixture.totalEvents.toLocaleString('en-US')} SSE events, ${mb.toFixed(2)} MB (${Math.round(fixture.body.length / fixture.totalEvents)} B/event), ${fixture.text.length.toLocaleString('en-US')} chars of text;`,
);
say(`   one local keep-alive server sending a precomputed body (client saw ${decode.bodyChunks()} body chunks per response);`);
say(`   ${WARMUP} warm-up runs, then median of ${RUNS} runs per path, paths interleaved round-robin. Every run's text verified identical.`);
say();
const aMed = med('a');
say(
  table(
    ['path', 'median', 'min', 'p90', 'MB/s', 'µs/event', 'above (a), µs/event'],
    decode.paths.map((p) => {
      const s = sum.get(p.id)!;
      return [
        `(${p.id}) ${p.label}`,
        ms(s.median),
        ms(s.min),
        ms(s.p90),
        (mb / (s.median / 1000)).toFixed(0),
        ((s.median * 1000) / fixture.totalEvents).toFixed(2),
        p.id === 'a' ? '—' : (((s.median - aMed) * 1000) / fixture.totalEvents).toFixed(2),
      ];
    }),
  ),
);
say();
say(
  table(
    ['ratio', 'of medians', 'target', 'verdict', '(of minima)'],
    [
      ['e/c  rich stream / openai SDK', ratio(ratios['e/c']), '≤ 0.30×', verdict(decodeTargets[0]!.pass), ratio(minRatios['e/c'])],
      ['e/b  rich stream / minimal decoder (b)', ratio(ratios['e/b']), '≤ 2.00×', verdict(decodeTargets[1]!.pass), ratio(minRatios['e/b'])],
      ['e/d  rich stream / Vercel AI SDK', ratio(ratios['e/d']), '—', 'info', ratio(minRatios['e/d'])],
      ['f/c  OpenAI facade / openai SDK', ratio(ratios['f/c']), '—', 'info', ratio(minRatios['f/c'])],
    ],
  ),
);
say(`   Verdicts use the ratio of medians; the ratio of minima (each path's best run) is shown because other processes load this machine.`);
say(
  `   (the issue's "≤ 2× the minimal decoder's" is compared with (b), the hand-written decoder — not with (a), the bare byte read: e/a = ${ratio(med('e') / aMed)})`,
);

decodeReport = {
  fixture: {
    contentEvents: fixture.contentEvents,
    sseEvents: fixture.totalEvents,
    bytes: fixture.body.length,
    textChars: fixture.text.length,
    bodyChunksPerResponse: decode.bodyChunks(),
  },
  warmupRuns: WARMUP,
  runs: RUNS,
  gcBetweenRuns: !!gc,
  paths: Object.fromEntries(
    decode.paths.map((p) => {
      const s = sum.get(p.id)!;
      return [
        p.id,
        {
          label: p.label,
          medianMs: round(s.median),
          minMs: round(s.min),
          p90Ms: round(s.p90),
          maxMs: round(s.max),
          usPerEvent: round((s.median * 1000) / fixture.totalEvents),
          samplesMs: samples.get(p.id)!.map((x) => round(x)),
        },
      ];
    }),
  ),
  ratios: Object.fromEntries(Object.entries(ratios).map(([k, v]) => [k, round(v, 3)])),
  ratiosOfMinima: Object.fromEntries(Object.entries(minRatios).map(([k, v]) => [k, round(v, 3)])),
  targets: decodeTargets.map((t) => ({ ratio: t.name, what: t.what, measured: round(t.measured, 3), target: t.target, pass: t.pass })),
};

// ---------------------------------------------------------------- A2. tool-call streams (bench/tool-bench.ts)
process.stderr.write(`bench: A2. tool-call streams — ${WARMUP} warm-up + ${RUNS} timed runs of 2 paths…\n`);
const tb = await benchToolCalls({ events: EVENTS, runs: RUNS, warmup: WARMUP, ...(gc ? { gc } : {}) });
const toolPass = tb.ratio <= 0.3;
say();
say(`A2. Tool-call streams (bench/tool-bench.ts)`);
say(
  `   one tool call whose ${tb.fixture.arguments.length.toLocaleString('en-US')} characters of JSON arguments arrive in ${tb.fixture.argumentEvents.toLocaleString('en-US')} chunks (${(tb.fixture.body.length / 1e6).toFixed(2)} MB),`,
);
say(`   from the same fixture server; every run must rebuild the exact id, name and arguments and end with finish_reason "tool_calls".`);
say();
say(
  table(
    ['path', 'median', 'min', 'p90', 'µs/event'],
    [
      [
        '(g) openai SDK chat.completions.create({stream:true}), fold tool_calls',
        ms(tb.sdk.median),
        ms(tb.sdk.min),
        ms(tb.sdk.p90),
        ((tb.sdk.median * 1000) / tb.fixture.totalEvents).toFixed(2),
      ],
      [
        '(h) Switchboard facade chat.completions.create({stream:true}), fold tool_calls',
        ms(tb.facade.median),
        ms(tb.facade.min),
        ms(tb.facade.p90),
        ((tb.facade.median * 1000) / tb.fixture.totalEvents).toFixed(2),
      ],
    ],
  ),
);
say();
say(
  table(
    ['ratio', 'of medians', 'target', 'verdict', '(of minima)'],
    [['h/g  facade tool calls / openai SDK', ratio(tb.ratio), '≤ 0.30×', verdict(toolPass), ratio(tb.ratioOfMinima)]],
  ),
);
const toolReport = {
  argumentEvents: tb.fixture.argumentEvents,
  bytes: tb.fixture.body.length,
  argumentChars: tb.fixture.arguments.length,
  sdk: { medianMs: round(tb.sdk.median), minMs: round(tb.sdk.min), p90Ms: round(tb.sdk.p90) },
  facade: { medianMs: round(tb.facade.median), minMs: round(tb.facade.min), p90Ms: round(tb.facade.p90) },
  ratio: round(tb.ratio, 3),
  ratioOfMinima: round(tb.ratioOfMinima, 3),
  target: 0.3,
  pass: toolPass,
};

// ---------------------------------------------------------------- B. router
process.stderr.write('bench: B. router — fan-out and failover…\n');
const fan = await benchFanOut({ models: 8, delayMs: 300, reps: 5 });
const fo = await benchFailover({ fallbackDelayMs: 100, reps: 7, warmup: 2 });
const fanPass = fan.ratio <= 1.1;
const foTarget = fo.fallbackFirstByteDelayMs + 20;
const foPass = fo.firstTextMs.median <= foTarget;

say();
say(`B. Router`);
say(
  `   Fan-out: compare() over ${fan.models} models on ${fan.models} fake servers, each answering after ${fan.delayMs} ms (median of ${fan.compareWallMs.n} runs, warm connections).`,
);
say(
  `   Failover: route/failover = [a/m1 → 429 at once, b/m2 → first token after ${fo.fallbackFirstByteDelayMs} ms], median of ${fo.firstTextMs.n} requests (fresh client each).`,
);
say();
say(
  table(
    ['measure', 'measured', 'target', 'verdict'],
    [
      [`fan-out wall time, compare of ${fan.models}`, ms(fan.compareWallMs.median), '', ''],
      [`slowest single answer (each alone, median of ${fan.singleRounds})`, ms(fan.slowestSingleMs), '', ''],
      ['fan-out ratio (wall / slowest single)', ratio(fan.ratio), '≤ 1.10×', verdict(fanPass)],
      ['  wall / slowest answer inside the compare', ratio(fan.ratioVsInRun), '', 'info'],
      ['  first compare, cold connections', ms(fan.coldCompareWallMs), '', 'info'],
      ['failover: request → first text part', ms(fo.firstTextMs.median), `≤ ${ms(foTarget, 0)}`, verdict(foPass)],
      ['  range (min – max)', `${fo.firstTextMs.min.toFixed(1)} – ${ms(fo.firstTextMs.max)}`, '', 'info'],
      ['  primary 429 attempt (router-recorded)', ms(fo.primaryAttemptMs.median), '', 'info'],
      ["  overhead above the fallback's 100 ms", ms(fo.firstTextMs.median - fo.fallbackFirstByteDelayMs), '≤ 20 ms', ''],
    ],
  ),
);
say(
  `   single answers (per-model medians): ${fan.singleMs.map((x) => x.toFixed(1)).join(', ')} ms; compare walls: ${fan.compareWallMs.samples.map((x) => x.toFixed(1)).join(', ')} ms`,
);
say(`   failover first-text samples: ${fo.firstTextMs.samples.map((x) => x.toFixed(1)).join(', ')} ms`);

// ---------------------------------------------------------------- C. gateway (bench/gateway.ts)
process.stderr.write('bench: C. gateway…\n');
const gw = await benchGateway();
const g = (k: string): string => String(gw[k] ?? '—');
say();
say(
  `C. Gateway (bench/gateway.ts): ${g('concurrency')} concurrent streamed completions of ${g('chunks_per_response')} chunks, direct to a fake upstream vs through the gateway`,
);
say();
say(
  table(
    ['measure', 'direct', 'via gateway', 'added', 'core in-process'],
    [
      ['throughput, requests/s', g('direct_rps'), g('gateway_rps'), '', g('core_in_process_rps')],
      ['latency p50 (to last byte), ms', g('direct_p50_ms'), g('gateway_p50_ms'), g('added_p50_ms'), ''],
      ['latency p99, ms', g('direct_p99_ms'), g('gateway_p99_ms'), g('added_p99_ms'), ''],
      ['lone request, added p50 / p99, ms', '', '', `${g('idle_added_p50_ms')} / ${g('idle_added_p99_ms')}`, ''],
    ],
  ),
);

// ---------------------------------------------------------------- C2. the gateway's doors (bench/doors.ts; alone: node bench/doors.ts)
process.stderr.write('bench: C2. gateway doors…\n');
const doors = await benchDoors();
const doorVerdictList = doorVerdicts(doors);
const pacedVerdictList = pacedDoorVerdicts(doors);
const nonStreamedVerdictList = nonStreamedDoorVerdicts(doors);
const doorTable = (rows: DoorRow[]): string =>
  table(
    ['path', 'concurrent', 'requests/s', 'x direct', 'p50 ms', 'p99 ms', 'added p50 / p99 ms', 'gateway CPU ms/req'],
    rows.map((r) => [
      r.path,
      String(r.concurrency),
      String(r.rps),
      r.ratio === null ? '' : `${r.ratio}x`,
      String(r.p50),
      String(r.p99),
      r.addedP50 === null ? '' : `${r.addedP50} / ${r.addedP99}`,
      r.gatewayCpuMs === null ? '' : String(r.gatewayCpuMs),
    ]),
  );
say();
say(
  `C2. Gateway doors (bench/doors.ts): one streamed answer direct from a fake upstream of each protocol and through each door (same protocol: the fast path; another: translated).`,
);
say(
  `   Gateway in ${doors.gatewayProcess === 'child' ? 'its own process' : "the bench's process"}; load average ${doors.loadAverage1m.start} → ${doors.loadAverage1m.end}. "plain proxy": an HTTP hop that only copies bytes, for scale.`,
);
say(`   Saturated: the upstream writes the ${doors.words}-delta answer at once (the gateway's CPU cost decides).`);
say();
say(doorTable(doors.saturated));
if (doors.paced.length) {
  say();
  say(`   Paced: one upstream event every ${doors.paceMs} ms, as providers stream (40 deltas): what a user sees is the added latency.`);
  say();
  say(doorTable(doors.paced));
}
if (doors.nonStreamed.length) {
  say();
  say(
    `   Not streamed (stream: false): the upstream answers with the protocol's JSON at once; the fast path gives it back as received, the translating path decodes and writes it again.`,
  );
  say();
  say(doorTable(doors.nonStreamed));
}
say();
say(
  table(
    ['door (same protocol, 50 concurrent)', 'saturated x direct', 'target', 'verdict', 'paced x direct', 'verdict', 'not streamed x direct', 'verdict'],
    doorVerdictList.map((v, i) => {
      const p = pacedVerdictList[i]!;
      const n = nonStreamedVerdictList[i]!;
      return [
        v.door,
        v.ratio === null ? '—' : `${v.ratio}x`,
        `>= ${DOOR_TARGET}x`,
        verdict(v.pass),
        p.ratio === null ? '—' : `${p.ratio}x`,
        doors.paced.length ? verdict(p.pass) : '—',
        n.ratio === null ? '—' : `${n.ratio}x`,
        doors.nonStreamed.length ? verdict(n.pass) : '—',
      ];
    }),
  ),
);

// ---------------------------------------------------------------- C3. the doors at the issue's anchor (bench/doors-anchor.ts; alone: node bench/doors-anchor.ts)
process.stderr.write("bench: C3. doors at the issue's anchor…\n");
const doorsAnchor = await benchDoorsAnchor();
const anchorVerdictList = anchorVerdicts(doorsAnchor);
say();
say(
  `C3. Doors at the issue's anchor (bench/doors-anchor.ts): the same answer (${doorsAnchor.words} words) from the tests' strict fakes (each request validated, each stream encoded), direct and through each door.`,
);
say(
  `   Gateway in its own process; fakes and client in the bench's; ${doorsAnchor.rounds} interleaved rounds; load average ${doorsAnchor.loadAverage1m.start} → ${doorsAnchor.loadAverage1m.end}.`,
);
say();
say(doorTable(doorsAnchor.rows));
say();
say(
  table(
    [`door (same protocol, ${ANCHOR_CONCURRENCY} concurrent)`, 'x direct', 'target', 'verdict', 'plain proxy x direct (one bare hop)'],
    anchorVerdictList.map((v) => [
      v.door,
      v.ratio === null ? '—' : `${v.ratio}x`,
      `>= ${DOOR_TARGET}x`,
      verdict(v.pass),
      v.proxyRatio === null ? '—' : `${v.proxyRatio}x`,
    ]),
  ),
);

// ---------------------------------------------------------------- D. webview rendering (bench/render.ts)
process.stderr.write('bench: D. chat rendering in Chromium…\n');
const rd = (await benchRender()) as {
  answerBytes: number;
  chunks: number;
  codeBlocks: number;
  chunksPerSecond: number;
  fullRender: { jsMs: number; withLayoutMs: number; scriptMs: number; runs: number };
  incremental: {
    runs: number;
    jsTaskMs: number;
    jsMsAllRuns: number[];
    frameJsMs: number;
    handlerJsMs: number;
    scriptMs: number;
    renderScriptMs: number;
    baselineScriptMs: number;
    layoutMs: number;
    styleMs: number;
    frames: number;
    longestTaskMs: number;
    longTasksOver50ms: number;
    sameTextAsFullRender: boolean;
  };
  naive: { sampledEvery: number; samples: number; estimatedTotalMs: number; longestTaskMs: number; sameTextAsFullRender: boolean };
  ratioToFullRender: number;
  scriptRatioToFullRender: number;
  naiveRatioToFullRender: number;
  pass: boolean;
};
if (!rd.incremental.sameTextAsFullRender || !rd.naive.sameTextAsFullRender)
  throw new Error('render bench: the streamed answer does not say what the full render says');
const renderRatioPass = rd.ratioToFullRender <= 3;
const renderTaskPass = rd.incremental.longestTaskMs <= 50;
say();
say(
  `D. Chat rendering (bench/render.ts, Debian Chromium): a ${(rd.answerBytes / 1000).toFixed(0)} KB markdown answer with ${rd.codeBlocks} code blocks in ${rd.chunks.toLocaleString('en-US')} chunks,`,
);
say(`   each chunk a message event, ${rd.chunksPerSecond} per second, through the chat's StreamingMarkdown (src/webview/shared/markdown.ts).`);
say(`   JavaScript time = the page's own timing of every task the renderer ran (message handlers + animation frames); full render = the same`);
say(`   timing around one renderMarkdown() of the final answer. Chromium's ScriptDuration counter is shown as a cross-check (stream run minus`);
say(`   an identical run with no renderer, to take out the cost of delivering 4,000 messages).`);
say();
say(
  table(
    ['measure', 'measured', 'target', 'verdict'],
    [
      [`one full render of the final answer, JavaScript (median of ${rd.fullRender.runs})`, ms(rd.fullRender.jsMs), '', ''],
      ['  same, with layout / Chromium scripting counter', `${ms(rd.fullRender.withLayoutMs)} / ${ms(rd.fullRender.scriptMs)}`, '', 'info'],
      [`streamed, JavaScript in all tasks (median of ${rd.incremental.runs} runs)`, ms(rd.incremental.jsTaskMs), '', ''],
      ['  ratio to one full render', ratio(rd.ratioToFullRender), '≤ 3.00×', verdict(renderRatioPass)],
      ['  longest task (own timing and long-task entries, all runs)', ms(rd.incremental.longestTaskMs), '≤ 50 ms', verdict(renderTaskPass)],
      ['  frames / handlers, JavaScript', `${ms(rd.incremental.frameJsMs)} / ${ms(rd.incremental.handlerJsMs)}`, '', 'info'],
      ['  Chromium scripting, run − baseline (ratio)', `${ms(rd.incremental.renderScriptMs)} (${ratio(rd.scriptRatioToFullRender)})`, '', 'info'],
      ['  animation frames / layout / style', `${rd.incremental.frames} / ${ms(rd.incremental.layoutMs)} / ${ms(rd.incremental.styleMs)}`, '', 'info'],
      [`naive: re-render all on every chunk (estimated from ${rd.naive.samples} timed chunks)`, ms(rd.naive.estimatedTotalMs, 0), '', 'info'],
      ['  ratio to one full render / longest task', `${ratio(rd.naiveRatioToFullRender)} / ${ms(rd.naive.longestTaskMs)}`, '', 'info'],
    ],
  ),
);

const totalS = (performance.now() - startedAt) / 1000;
const allTargets = [
  ...decodeTargets.map((t) => ({ name: t.name, pass: t.pass })),
  { name: 'tool calls h/g', pass: toolPass },
  { name: 'fan-out', pass: fanPass },
  ...doorVerdictList.map((v) => ({ name: `${v.door} door saturated`, pass: v.pass })),
  ...(doors.paced.length ? pacedVerdictList.map((v) => ({ name: `${v.door} door paced`, pass: v.pass })) : []),
  ...(doors.nonStreamed.length ? nonStreamedVerdictList.map((v) => ({ name: `${v.door} door not streamed`, pass: v.pass })) : []),
  ...anchorVerdictList.map((v) => ({ name: `${v.door} door at the anchor`, pass: v.pass })),
  { name: 'failover', pass: foPass },
  { name: 'render total', pass: renderRatioPass },
  { name: 'render longest task', pass: renderTaskPass },
];
say();
say(`Summary: ${allTargets.map((t) => `${t.name} ${verdict(t.pass)}`).join(', ')} — bench took ${totalS.toFixed(1)} s. JSON: ${path.relative(root, outFile)}`);

const report = {
  date: new Date().toISOString(),
  node: process.version,
  platform: `${os.platform()} ${os.arch()}`,
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? null,
  loadAverage1m: { start: round(loadAtStart, 1), end: round(os.loadavg()[0]!, 1) },
  durationS: round(totalS, 1),
  decoding: decodeReport,
  toolCalls: toolReport,
  router: {
    fanOut: {
      models: fan.models,
      delayMs: fan.delayMs,
      compareWallMs: {
        median: round(fan.compareWallMs.median),
        min: round(fan.compareWallMs.min),
        max: round(fan.compareWallMs.max),
        samples: fan.compareWallMs.samples.map((x) => round(x)),
      },
      singleMs: fan.singleMs.map((x) => round(x)),
      singleRounds: fan.singleRounds,
      slowestSingleMs: round(fan.slowestSingleMs),
      slowestInCompareMs: round(fan.slowestInRunMs.median),
      coldCompareWallMs: round(fan.coldCompareWallMs),
      ratio: round(fan.ratio, 3),
      ratioVsSlowestInCompare: round(fan.ratioVsInRun, 3),
      target: 1.1,
      pass: fanPass,
    },
    failover: {
      fallbackFirstByteDelayMs: fo.fallbackFirstByteDelayMs,
      firstTextMs: {
        median: round(fo.firstTextMs.median),
        min: round(fo.firstTextMs.min),
        max: round(fo.firstTextMs.max),
        samples: fo.firstTextMs.samples.map((x) => round(x)),
      },
      primaryAttemptMs: round(fo.primaryAttemptMs.median),
      reportedTtftMs: round(fo.reportedTtftMs.median),
      targetMs: foTarget,
      pass: foPass,
    },
  },
  gateway: gw,
  doors,
  doorsAnchor,
  render: rd,
  targets: allTargets,
};
mkdirSync(path.dirname(outFile), { recursive: true });
writeFileSync(outFile, JSON.stringify(report, null, 2) + '\n');
