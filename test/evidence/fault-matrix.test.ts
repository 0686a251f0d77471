/**
 * Fault matrix: every provider protocol × every fault, through a 2-model route (primary =
 * the faulty fake, fallback = a healthy fake of the same protocol) and through the single
 * model. Each case asserts the outcome (fail over / retry / clear error), that partial text
 * is kept once tokens were shown, and that nothing leaks: no unhandled rejection, every
 * socket closed, no timer left behind. Results go to .artifacts/evidence/fault-matrix.json,
 * from which `npm run evidence` generates the table in docs/reliability.md.
 *
 * Time: an injected ManualClock makes backoff and retry-after waits instant; stalls are
 * caught by small real HTTP timeouts (headersMs / idleMs below).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { startFakeProvider } from '../fakes/server.ts';
import { selfSignedCert } from '../fakes/tls.ts';
import type { FakeProtocol, FakeServer, Scenario } from '../fakes/types.ts';
import { KEY, ManualClock, PROTOCOLS, PROVIDER_OF } from '../unit/helpers.ts';
import { createClient } from '../../src/core/client.ts';
import { SwitchboardError, type ErrorKind } from '../../src/core/errors.ts';
import type { ChatResult } from '../../src/core/types.ts';
import {
  captureStreams,
  cpuSeconds,
  eventually,
  extraResources,
  isTextEvent,
  RejectionCounter,
  resourceCounts,
  splitEvents,
  within,
  writeArtifact,
  type ResourceCounts,
} from './lib.ts';

type Mode = 'route' | 'single';

const TIMEOUTS = { connectMs: 2000, headersMs: 300, idleMs: 300 };
const PRIMARY_TEXT = 'alpha beta gamma delta epsilon zeta eta theta';
const BACKUP_TEXT = 'the fallback answers in full';
const PREFIX: Record<FakeProtocol, string> = { openai: '/v1', openrouter: '/api/v1', anthropic: '/v1', gemini: '/v1beta' };
const KIND: Record<FakeProtocol, 'openai' | 'anthropic' | 'gemini'> = { openai: 'openai', openrouter: 'openai', anthropic: 'anthropic', gemini: 'gemini' };
const WIRE_MODEL: Record<FakeProtocol, string> = {
  openai: 'gpt-4o-mini',
  openrouter: 'anthropic/claude-3-opus',
  anthropic: 'claude-sonnet-4',
  gemini: 'gemini-2.5-flash',
};

/** ~10 MB of text with multi-byte characters, split into 1000 events. */
const TEN_MB = (() => {
  // Multi-byte but no astral characters (those make the fake split the text code point by code point).
  const unit = 'The quick brown fox jumps over the lazy dog — ünïcödé 世界. ';
  return unit.repeat(Math.ceil((10 * 1024 * 1024) / Buffer.byteLength(unit)));
})();
const DRIP_TEXT = 'drip'.repeat(30);

/** What a case should end with. Strings, so the generated table reads the same as the assertion. */
const ok = 'ok';
const failover = (k: ErrorKind | string): string => `failover→ok (${k})`;
const retried = (k: ErrorKind | string): string => `retry→ok (${k})`;
const atOnce = (k: ErrorKind): string => `error ${k}, at once`;
const partial = (k: ErrorKind): string => `error ${k}, partial kept`;
const afterTries = (k: ErrorKind, n: number): string => `error ${k}, after ${n} tries`;

/** Retryable before the first token: a route fails over, a single model retries (and the retry succeeds). */
const transient =
  (k: ErrorKind) =>
  (_p: FakeProtocol, m: Mode): string =>
    m === 'route' ? failover(k) : retried(k);
/** Unreachable primary: a route fails over, a single model retries once more, then reports. */
const unreachable = (_p: FakeProtocol, m: Mode): string => (m === 'route' ? failover('network') : afterTries('network', 2));
const both = (s: string) => (): string => s;

interface CaseCtx {
  protocol: FakeProtocol;
  mode: Mode;
  clock: ManualClock;
  result: ChatResult;
  deltas: string[];
  primary: FakeServer | null;
  backup: FakeServer | null;
  ms: number;
}

interface Fault {
  id: string;
  label: string;
  /** The primary is not a working fake: nothing listens, the name does not resolve, TLS fails. */
  target?: 'refused' | 'dns' | 'tls-self-signed' | 'tls-plain';
  /** Enqueued once on the primary (a transient fault); later requests get a healthy answer. */
  scenario?: (p: FakeProtocol) => Scenario;
  /** The full answer the primary was sending (partial text must be a prefix of it). */
  fullText?: string;
  expect: (p: FakeProtocol, m: Mode) => string;
  /** Further checks; return problems. */
  check?: (c: CaseCtx) => string[];
  /**
   * Wait-bound faults (stalls: undici fires its header/body timeouts on a ~0.5 s tick) run their
   * 8 cases at once; sockets and clock timers are still checked per case, live resources per batch.
   */
  concurrent?: boolean;
  /** Answer limits for this fault's client (the default cap of 4 M characters would cut the 10 MB answer). */
  limits?: { maxAnswerChars?: number };
}

const CONTEXT_MESSAGE: Record<FakeProtocol, string> = {
  openai: "This model's maximum context length is 128000 tokens. However, your messages resulted in 210000 tokens. Please reduce the length of the messages.",
  openrouter:
    'This endpoint\'s maximum context length is 200000 tokens. However, you requested about 250000 tokens. Please reduce the length of either one, or use the "middle-out" transform to compress your prompt automatically.',
  anthropic: 'prompt is too long: 210000 tokens > 200000 maximum',
  gemini: 'The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).',
};

const midStreamKind = (p: FakeProtocol): ErrorKind => (p === 'anthropic' || p === 'gemini' ? 'overloaded' : 'server');

/** Recorded healthy streams, cut for the truncated / junk-line faults (filled in before()). */
const recorded = new Map<FakeProtocol, string>();

function truncatedStream(p: FakeProtocol): string {
  const events = splitEvents(recorded.get(p)!);
  const out: string[] = [];
  let texts = 0;
  for (const e of events) {
    out.push(e);
    if (isTextEvent(p, e) && ++texts === 2) break;
  }
  return out.join('');
}

function junkStream(p: FakeProtocol): string {
  // Lines a spec-following SSE reader must ignore: unknown fields, a bad retry value, a bare word.
  const events = splitEvents(recorded.get(p)!);
  const nl = p === 'gemini' ? '\r\n' : '\n';
  const junk = `x-request-id: abc123${nl}retry: soon${nl}keepalive${nl}${nl}`;
  return junk + events.map((e, i) => (i === 1 ? `x-trace: 42${nl}${e}` : e)).join('');
}

const FAULTS: Fault[] = [
  {
    id: '429-retry-after',
    label: '429 with retry-after (2 s)',
    scenario: () => ({ status: 429, headers: { 'retry-after': '2' } }),
    expect: transient('rate_limit'),
    check: (c) => {
      if (c.mode === 'single' && !(c.clock.sleeps[0]! >= 2000)) return [`waited ${c.clock.sleeps[0]} ms, not the 2000 ms asked for`];
      if (c.mode === 'route' && c.clock.sleeps.length) return ['a route waited instead of failing over'];
      return [];
    },
  },
  {
    id: '429-long-retry-after',
    label: '429 with retry-after (60 s)',
    scenario: () => ({ status: 429, headers: { 'retry-after': '60' } }),
    expect: (_p, m) => (m === 'route' ? failover('rate_limit') : atOnce('rate_limit')),
    check: (c) => {
      const out: string[] = [];
      if (c.clock.sleeps.length) out.push('sat through a 60 s retry-after');
      if (c.mode === 'single' && !/wait 60 s/.test(c.result.error?.message ?? '')) out.push('the error does not say how long to wait');
      return out;
    },
  },
  { id: '429', label: '429 without retry-after', scenario: () => ({ status: 429 }), expect: transient('rate_limit') },
  { id: '500', label: '500', scenario: () => ({ status: 500 }), expect: transient('server') },
  { id: '502', label: '502', scenario: () => ({ status: 502 }), expect: transient('server') },
  { id: '503', label: '503', scenario: () => ({ status: 503 }), expect: transient('overloaded') },
  { id: '529', label: '529', scenario: () => ({ status: 529 }), expect: transient('overloaded') },
  {
    id: '401',
    label: '401',
    scenario: () => ({ status: 401 }),
    expect: both(atOnce('auth')),
    check: (c) => (c.result.error?.fix?.includes(PROVIDER_OF[c.protocol].env) ? [] : ['the fix does not say which key to set']),
  },
  { id: '402', label: '402', scenario: () => ({ status: 402 }), expect: both(atOnce('quota')) },
  { id: '403', label: '403', scenario: () => ({ status: 403 }), expect: both(atOnce('permission')) },
  {
    id: '404-model',
    label: '404 model',
    scenario: () => ({ status: 404 }),
    // This provider does not serve the model: a route moves on to the next candidate.
    expect: (_p, m) => (m === 'route' ? failover('not_found') : atOnce('not_found')),
    check: (c) => {
      if (c.mode === 'route') return c.result.attempts[0]?.errorKind === 'not_found' ? [] : ['the failed attempt does not say not_found'];
      return /model id/.test(c.result.error?.fix ?? '') ? [] : ['the fix does not point at the model id'];
    },
  },
  {
    id: 'context-length',
    label: 'context length exceeded',
    scenario: (p) => ({ status: 400, errorMessage: CONTEXT_MESSAGE[p], ...(p === 'openai' ? { errorType: 'context_length_exceeded' } : {}) }),
    expect: (_p, m) => (m === 'route' ? failover('context_length') : atOnce('context_length')),
  },
  { id: 'refused', label: 'connection refused', target: 'refused', expect: unreachable },
  {
    id: 'dns',
    label: 'DNS failure (.invalid host)',
    target: 'dns',
    expect: unreachable,
    check: (c) => (c.ms < 5000 ? [] : [`DNS failure took ${Math.round(c.ms)} ms`]),
  },
  // Another try cannot mend a certificate: a route fails over, a single model says so at once.
  {
    id: 'tls-self-signed',
    label: 'TLS failure (self-signed certificate)',
    target: 'tls-self-signed',
    expect: (_p, m) => (m === 'route' ? failover('network') : atOnce('network')),
  },
  // The fake drops the connection on a TLS hello (a reset, which may pass: retried); a server that answers
  // it in plain HTTP is told apart (errors.test.ts).
  { id: 'tls-plain', label: 'TLS failure (https:// to a plain-HTTP server)', target: 'tls-plain', expect: unreachable },
  { id: 'reset-before-first-byte', label: 'reset before first byte', scenario: () => ({ resetBeforeResponse: true }), expect: transient('network') },
  {
    id: 'reset-mid-stream',
    label: 'reset mid-stream',
    scenario: () => ({ text: PRIMARY_TEXT, dropAfterChunks: 2 }),
    fullText: PRIMARY_TEXT,
    expect: both(partial('network')),
  },
  {
    id: 'stall-before-headers',
    concurrent: true,
    label: 'stall before headers',
    scenario: () => ({ text: PRIMARY_TEXT, delayBeforeHeadersMs: 30_000 }),
    expect: transient('timeout'),
  },
  {
    id: 'stall-before-first-byte',
    concurrent: true,
    label: 'stall before first byte (after headers)',
    scenario: () => ({ text: PRIMARY_TEXT, delayBeforeFirstByteMs: 30_000 }),
    expect: transient('timeout'),
  },
  {
    id: 'stall-mid-stream',
    concurrent: true,
    label: 'stall mid-stream',
    scenario: () => ({ text: PRIMARY_TEXT, stallAfterChunks: 2 }),
    fullText: PRIMARY_TEXT,
    expect: both(partial('timeout')),
  },
  {
    id: 'malformed-json',
    label: 'malformed JSON chunk',
    scenario: () => ({ text: PRIMARY_TEXT, malformedAfterChunks: 2 }),
    fullText: PRIMARY_TEXT,
    expect: both(partial('invalid_response')),
  },
  {
    id: 'malformed-json-first',
    label: 'malformed JSON chunk before any token',
    scenario: () => ({ text: PRIMARY_TEXT, malformedAfterChunks: 0 }),
    expect: (_p, m) => (m === 'route' ? failover('invalid_response') : atOnce('invalid_response')),
  },
  {
    id: 'truncated',
    label: 'truncated stream without end marker',
    scenario: (p) => ({ raw: truncatedStream(p) }),
    fullText: PRIMARY_TEXT,
    expect: both(partial('invalid_response')),
  },
  {
    id: 'no-end-marker',
    label: 'end marker missing after the finish',
    scenario: () => ({ text: PRIMARY_TEXT, omitDone: true }),
    fullText: PRIMARY_TEXT,
    // Gemini has no end marker: its `omitDone` drops the finishReason, i.e. a truncated stream.
    expect: (p) => (p === 'gemini' ? partial('invalid_response') : ok),
  },
  {
    id: 'mid-stream-error',
    label: 'mid-stream error event',
    scenario: () => ({ text: PRIMARY_TEXT, midStreamErrorAfterChunks: 2 }),
    fullText: PRIMARY_TEXT,
    expect: (p) => partial(midStreamKind(p)),
  },
  {
    id: 'error-event-first',
    label: 'error event before any token',
    scenario: () => ({ text: PRIMARY_TEXT, midStreamErrorAfterChunks: 0 }),
    expect: (p, m) => transient(midStreamKind(p))(p, m),
  },
  {
    id: 'junk-lines',
    label: 'unknown SSE fields / junk lines',
    scenario: (p) => ({ raw: junkStream(p) }),
    fullText: PRIMARY_TEXT,
    expect: both(ok),
    check: (c) => (c.result.text === PRIMARY_TEXT ? [] : [`text "${c.result.text}"`]),
  },
  {
    id: '10mb',
    label: '10 MB answer',
    // A huge answer the user allowed streams whole; the default cap's cut is answer-limits.test.ts's.
    limits: { maxAnswerChars: 16_000_000 },
    scenario: () => ({ text: TEN_MB, chunks: 1000 }),
    expect: both(ok),
    check: (c) => (c.result.text === TEN_MB ? [] : [`text of ${c.result.text.length} chars, not the ${TEN_MB.length} sent`]),
  },
  {
    id: 'slow-drip',
    label: 'slow drip (120 one-char chunks, 4 ms apart)',
    scenario: () => ({ text: DRIP_TEXT, chunks: DRIP_TEXT.length, delayBetweenChunksMs: 4 }),
    expect: both(ok),
    check: (c) => {
      const out: string[] = [];
      if (c.result.text !== DRIP_TEXT) out.push('text differs');
      if (c.deltas.length !== DRIP_TEXT.length) out.push(`${c.deltas.length} text deltas, not ${DRIP_TEXT.length}`);
      return out;
    },
  },
];

// ---------------------------------------------------------------------------------------------

interface Row {
  protocol: FakeProtocol;
  fault: string;
  faultLabel: string;
  mode: Mode;
  expected: string;
  observed: string;
  pass: boolean;
  ms: number;
  /** The error the user saw, if any (shows that it names provider, model and a fix). */
  message: string | null;
  problems: string[];
}

const rows: Row[] = [];
const rejections = new RejectionCounter();
let refusedPort = 0;
let tls: { key: string; cert: string } | null = null;
let tlsNote = '';
const started = performance.now();
const cpuStart = process.cpuUsage();

before(async () => {
  rejections.install();
  // A port with nothing listening: bind, note, close.
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  refusedPort = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  // A self-signed certificate, made now (offline) with openssl.
  try {
    tls = selfSignedCert('127.0.0.1');
  } catch (e) {
    tlsNote = `openssl unavailable (${(e as Error).message}); the self-signed case is skipped`;
  }
  for (const p of PROTOCOLS) recorded.set(p, (await captureStreams(p, [{ text: PRIMARY_TEXT }]))[0]!.toString('utf8'));
});

after(() => {
  rejections.uninstall();
  const passed = rows.filter((r) => r.pass).length;
  const faults = [...new Set(rows.map((r) => r.fault))];
  writeArtifact({
    name: 'fault-matrix',
    title: 'Fault matrix',
    generatedAt: new Date().toISOString(),
    durationMs: Math.round(performance.now() - started),
    pass: passed === rows.length && rows.length > 0,
    figures: [
      { label: 'cases', value: rows.length },
      { label: 'passed', value: passed },
      { label: 'protocols', value: PROTOCOLS.length },
      { label: 'faults', value: faults.length },
      { label: 'CPU time', value: `${cpuSeconds(cpuStart)} s` },
      { label: 'unhandled rejections', value: rejections.count },
      { label: 'cases with a leaked socket or timer', value: rows.filter((r) => r.problems.some((p) => /leak|hung|open socket|still live/.test(p))).length },
      {
        label: 'timeouts used (connect / headers / idle ms)',
        value: `${TIMEOUTS.connectMs} / ${TIMEOUTS.headersMs} / ${TIMEOUTS.idleMs} (undici checks header and idle timeouts on a ~0.5 s tick, so a stall is cut after 0.5–1 s)`,
      },
      { label: 'stall faults', value: 'run their 8 cases concurrently; sockets and clock timers checked per case, live handles per batch' },
      ...(tlsNote ? [{ label: 'note', value: tlsNote }] : []),
    ],
    protocols: PROTOCOLS,
    faults: FAULTS.map((f) => ({ id: f.id, label: f.label })),
    rows,
  });
});

function startTlsServer(): Promise<{ url: string; openSockets(): number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = https.createServer({ key: tls!.key, cert: tls!.cert }, (_req, res) => res.end('{}'));
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => undefined);
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({
        url: `https://127.0.0.1:${port}`,
        openSockets: () => sockets.size,
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r());
            for (const s of sockets) s.destroy();
          }),
      });
    });
  });
}

function describeResult(r: ChatResult, backupModel: string): string {
  if (!r.error) {
    const failed = r.attempts.filter((a) => a.outcome === 'error');
    if (failed.length === 0) return ok;
    const why = failed[0]!.errorKind!;
    return r.answeredBy === backupModel ? failover(why) : retried(why);
  }
  const tries = r.attempts.filter((a) => a.outcome !== 'skipped').length;
  if (r.text.length > 0) return partial(r.error.kind);
  return tries === 1 ? atOnce(r.error.kind) : afterTries(r.error.kind, tries);
}

/** A clear error: a SwitchboardError naming provider and model, with a fix, and no key in it. */
function errorProblems(e: unknown, protocol: FakeProtocol): string[] {
  if (!(e instanceof SwitchboardError)) return [`not a SwitchboardError: ${String(e)}`];
  const out: string[] = [];
  const p = PROVIDER_OF[protocol].id;
  if (e.provider !== p) out.push(`error names provider ${e.provider}, not ${p}`);
  if (e.model !== WIRE_MODEL[protocol]) out.push(`error names model ${e.model}, not ${WIRE_MODEL[protocol]}`);
  if (!e.message.includes(`${p}/${WIRE_MODEL[protocol]}`)) out.push('the message does not name provider/model');
  if (!e.fix) out.push('no fix in the error');
  if (e.message.includes(KEY)) out.push('the API key appears in the message');
  return out;
}

async function runCase(protocol: FakeProtocol, fault: Fault, mode: Mode, ownResources: boolean): Promise<Row> {
  const t0 = performance.now();
  const base = resourceCounts();
  const rejectionsBefore = rejections.count;
  const problems: string[] = [];
  const P = PROVIDER_OF[protocol];
  const backupModel = `backup/${WIRE_MODEL[protocol]}`;
  const needsPrimaryFake = fault.target === undefined || fault.target === 'tls-plain';
  const primary = needsPrimaryFake ? await startFakeProvider(protocol, { apiKey: KEY }) : null;
  const backup = mode === 'route' ? await startFakeProvider(protocol, { apiKey: KEY }) : null;
  const tlsServer = fault.target === 'tls-self-signed' ? await startTlsServer() : null;
  primary?.setDefault({ text: PRIMARY_TEXT });
  backup?.setDefault({ text: BACKUP_TEXT });
  if (fault.scenario) primary!.enqueue(fault.scenario(protocol));

  const primaryUrl =
    fault.target === 'refused'
      ? `http://127.0.0.1:${refusedPort}${PREFIX[protocol]}`
      : fault.target === 'dns'
        ? `http://switchboard-evidence.invalid${PREFIX[protocol]}`
        : fault.target === 'tls-self-signed'
          ? `${tlsServer!.url}${PREFIX[protocol]}`
          : fault.target === 'tls-plain'
            ? primary!.baseUrl.replace(/^http:/, 'https:')
            : primary!.baseUrl;

  const clock = new ManualClock();
  const client = createClient(
    {
      providers: [
        { id: P.id, baseUrl: primaryUrl },
        ...(backup ? [{ id: 'backup', kind: KIND[protocol], baseUrl: backup.baseUrl, apiKeyEnv: 'BACKUP_KEY' }] : []),
      ],
      routes: backup ? [{ id: 'r', models: [P.model, backupModel] }] : [],
      timeouts: TIMEOUTS,
      retries: { maxRetries: 1 },
      ...(fault.limits ? { limits: fault.limits } : {}),
    },
    { env: { [P.env]: KEY, BACKUP_KEY: KEY }, clock, random: () => 0.5 },
  );

  const deltas: string[] = [];
  const stream = client.stream({ model: mode === 'route' ? 'route/r' : P.model, messages: [{ role: 'user', content: 'hello' }] });
  const consumed = (async () => {
    for await (const part of stream) if (part.type === 'text-delta') deltas.push(part.text);
    return stream.result;
  })();
  const outcome = await within(consumed, 20_000);
  const ms = performance.now() - t0;
  let result: ChatResult | null = null;
  if (outcome.timedOut) {
    problems.push('hung: no result within 20 s');
    stream.cancel();
  } else result = outcome.value;

  const expected = fault.expect(protocol, mode);
  let observed = 'hung';
  if (result) {
    observed = describeResult(result, backupModel);
    const r = result;
    if (r.error) problems.push(...errorProblems(r.error, protocol));
    if (observed.startsWith('failover')) {
      if (r.text !== BACKUP_TEXT) problems.push('the fallback’s answer is not the text');
      if (backup!.requests.length !== 1) problems.push(`the fallback got ${backup!.requests.length} requests`);
    } else if (backup && backup.requests.length > 0) problems.push('the fallback was called although it should not have been');
    if (observed.includes('partial kept')) {
      if (r.text !== deltas.join('')) problems.push('the kept text differs from the text shown');
      if (fault.fullText && !fault.fullText.startsWith(r.text)) problems.push('the kept text is not a prefix of the answer');
      if (r.answeredBy !== P.model) problems.push(`partial answer attributed to ${r.answeredBy}`);
      if (!Array.isArray(r.canContinueWith)) problems.push('no canContinueWith on a cut-off answer');
      if (!/partial text is kept/.test(r.error!.message)) problems.push('the error does not say the partial text is kept');
    }
    if (!r.error && deltas.join('') !== r.text) problems.push('the streamed deltas differ from the result text');
    problems.push(...(fault.check?.({ protocol, mode, clock, result: r, deltas, primary, backup, ms }) ?? []));
  }

  // Leaks: the client must give back every connection, then nothing may stay alive.
  const closed = await within(client.close(), 3000);
  if (closed.timedOut) problems.push('leak: client.close() hung (a response body was never released)');
  const servers = [primary, backup, tlsServer].filter((s): s is NonNullable<typeof s> => s !== null);
  if (!(await eventually(() => servers.every((s) => s.openSockets() === 0), 3000))) {
    problems.push(`leak: ${servers.map((s) => s.openSockets()).join('+')} open socket(s) after close`);
  }
  const pendingClockTimers = (clock as unknown as { timers: unknown[] }).timers.length;
  if (pendingClockTimers > 0) problems.push(`leak: ${pendingClockTimers} clock timer(s) still pending`);
  await Promise.all(servers.map((s) => s.close()));
  if (ownResources) {
    if (!(await eventually(() => extraResources(base).length === 0, 3000))) problems.push(`leak: still live after 3 s: ${extraResources(base).join(', ')}`);
    if (rejections.count > rejectionsBefore) problems.push(`${rejections.count - rejectionsBefore} unhandled rejection(s): ${rejections.reasons.slice(-1)[0]}`);
  }

  return {
    protocol,
    fault: fault.id,
    faultLabel: fault.label,
    mode,
    expected,
    observed,
    pass: observed === expected && problems.length === 0,
    ms: Math.round(ms),
    message: result?.error?.message ?? null,
    problems,
  };
}

const MODES: Mode[] = ['route', 'single'];
const label = (protocol: FakeProtocol, mode: Mode): string => `${protocol} — ${mode === 'route' ? '2-model route' : 'single model'}`;

for (const fault of FAULTS) {
  describe(`fault: ${fault.label}`, { concurrency: fault.concurrent ? true : 1 }, () => {
    if (fault.target === 'tls-self-signed') {
      // Decided in before(), which runs after the tests are declared.
      for (const protocol of PROTOCOLS)
        for (const mode of MODES)
          test(label(protocol, mode), async (t) => {
            if (!tls) return t.skip(tlsNote);
            await runAndAssert(protocol, fault, mode, true);
          });
      return;
    }
    if (!fault.concurrent) {
      for (const protocol of PROTOCOLS)
        for (const mode of MODES)
          test(label(protocol, mode), async () => {
            await runAndAssert(protocol, fault, mode, true);
          });
      return;
    }
    // A concurrent batch: live resources and unhandled rejections are checked around the whole batch.
    let base: ResourceCounts = {};
    let rejectionsBefore = 0;
    const batch: Row[] = [];
    before(() => {
      base = resourceCounts();
      rejectionsBefore = rejections.count;
    });
    for (const protocol of PROTOCOLS)
      for (const mode of MODES)
        test(label(protocol, mode), async () => {
          batch.push(await runAndAssert(protocol, fault, mode, false));
        });
    test('the batch leaves nothing behind', async () => {
      const problems: string[] = [];
      if (!(await eventually(() => extraResources(base).length === 0, 3000))) problems.push(`leak: still live after 3 s: ${extraResources(base).join(', ')}`);
      if (rejections.count > rejectionsBefore) problems.push(`${rejections.count - rejectionsBefore} unhandled rejection(s)`);
      for (const row of batch) {
        row.problems.push(...problems);
        row.pass &&= problems.length === 0;
      }
      assert.deepEqual(problems, []);
    });
  });
}

async function runAndAssert(protocol: FakeProtocol, fault: Fault, mode: Mode, ownResources: boolean): Promise<Row> {
  const row = await runCase(protocol, fault, mode, ownResources);
  rows.push(row);
  assert.equal(row.observed, row.expected, `expected ${row.expected}, observed ${row.observed}; ${row.problems.join('; ')}`);
  assert.deepEqual(row.problems, []);
  return row;
}
