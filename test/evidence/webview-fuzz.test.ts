/**
 * Host⇄webview message fuzzing, both views (chat, compare), both directions. Messages are
 * generated FROM the protocol schemas (src/protocol/*.ts) by schemaFuzz.ts and mutated, so the
 * fuzzer follows the protocol as it changes.
 *
 * host → webview: the REAL bundles (dist/webview/<view>.js, built first) run in Debian's Chromium
 *   (playwright-core) in a page shaped like VS Code's webview: the same HTML shell and CSP (nonce
 *   script, styles and fonts from the extension only), a stub `acquireVsCodeApi`. Each message is
 *   the JSON text VS Code's bridge would carry, parsed in the page and dispatched as a `message`
 *   event. Checked for every message: no uncaught exception, no unhandled rejection, no hang
 *   (the page answers within HANG_MS after each batch), and rejected ⇔ the schema rejects it —
 *   the rpc layer logs one console warning per rejected message, counted per message in the page.
 *   At the end a final valid `state` (generated from the schema, its texts replaced by markers)
 *   must still render: every marker text visible.
 *
 * webview → host: every message goes through the host's parse path — the protocol schema's
 *   `safeParse`, which is exactly what src/host/chat/controller.ts and src/host/compare/panel.ts
 *   call first on anything a webview posts — in Node: generated valid messages accepted, every
 *   message that is not an object or has an unknown `type` rejected, every rejection names the
 *   field (the zod issue path), nothing throws. The controllers themselves are not driven here
 *   (they need a live webview in a running VS Code).
 *
 * Reproducible: message i of (view, direction) comes from prng(SEED * 7919 + stream * 1_000_003 + i).
 * WEBVIEW_FUZZ_N (messages per view and direction, default 10,000), FUZZ_SEED override.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser, type Browser } from '../../scripts/vscode/harness.mjs';
import { ChatToHostSchema, HostToChatSchema } from '../../src/shared/protocol/chat.ts';
import { CompareToHostSchema, HostToCompareSchema } from '../../src/shared/protocol/compare.ts';
import { prng, ROOT, writeArtifact } from './lib.ts';
import { decode, fuzzMessage, generate, issuePath, messageTypes, optionOf, type FuzzMessage, type MutationName } from './schemaFuzz.ts';

const N = Number(process.env.WEBVIEW_FUZZ_N ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261124);
/** A batch of messages the page does not finish (and answer after) within this is a hang. */
const HANG_MS = 15_000;
const BATCH = 100;
const ORIGIN = 'https://switchboard-webview.test';

interface Schema {
  safeParse(v: unknown): { success: boolean; error?: { issues: { path: PropertyKey[]; message: string; code?: string }[] } };
}

interface View {
  name: 'chat' | 'compare';
  script: string;
  styles: string[];
  inbound: Schema;
  outbound: Schema;
}

const VIEWS: View[] = [
  { name: 'chat', script: 'chat.js', styles: ['webview.css', 'chat.css'], inbound: HostToChatSchema, outbound: ChatToHostSchema },
  { name: 'compare', script: 'compare.js', styles: ['webview.css', 'compare.css'], inbound: HostToCompareSchema, outbound: CompareToHostSchema },
];

const streamRng = (stream: number, i: number) => prng(SEED * 7919 + stream * 1_000_003 + i);

interface Example {
  index: number;
  mutations: MutationName[];
  detail: string;
  bytes?: string;
}

interface Row {
  view: string;
  direction: 'host → webview' | 'webview → host';
  messages: number;
  valid: number;
  rejected: number;
  /** webview: warnings the rpc layer logged; host: rejections naming the field. */
  rejectionsSeen: number;
  mismatches: number;
  crashes: number;
  hangs: number;
  maxMs: number;
  finalStateRendered: boolean | null;
  bytes: number;
  examples: Example[];
  mutationCounts: Partial<Record<MutationName, number>>;
}

const rows: Row[] = [];
const started = Date.now();

function newRow(view: string, direction: Row['direction']): Row {
  return {
    view,
    direction,
    messages: 0,
    valid: 0,
    rejected: 0,
    rejectionsSeen: 0,
    mismatches: 0,
    crashes: 0,
    hangs: 0,
    maxMs: 0,
    finalStateRendered: null,
    bytes: 0,
    examples: [],
    mutationCounts: {},
  };
}

function note(row: Row, m: FuzzMessage, detail: string): void {
  if (row.examples.length < 10) row.examples.push({ index: m.index, mutations: m.mutations, detail, ...(m.text.length <= 400 ? { bytes: m.text } : {}) });
}

function countMutations(row: Row, m: FuzzMessage): void {
  for (const k of m.mutations) row.mutationCounts[k] = (row.mutationCounts[k] ?? 0) + 1;
}

// ---------------------------------------------------------------------------------------------
// The page: VS Code's webview shell around the real bundle

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.ttf': 'font/ttf',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
};

async function build(): Promise<void> {
  if (process.env.WEBVIEW_FUZZ_SKIP_BUILD) return;
  let output = '';
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', resolve);
  });
  assert.equal(code, 0, `npm run build failed:\n${output}`);
}

/** Installed before any page script: the stub VS Code API and the counters the test reads. */
function initScript(decodeSource: string): string {
  return `(() => {
    const decode = ${decodeSource};
    const s = { warnings: 0, warningTexts: [], errors: [], rejections: [], posted: [], state: undefined, acquired: 0, cspViolations: [] };
    window.__fuzz = s;
    window.__fuzzDecode = decode;
    const warn = console.warn.bind(console);
    console.warn = (...args) => { s.warnings++; if (s.warningTexts.length < 5) s.warningTexts.push(args.map(String).join(' ').slice(0, 300)); };
    window.addEventListener('error', (e) => s.errors.push(String(e.error && e.error.stack || e.message).slice(0, 500)));
    window.addEventListener('unhandledrejection', (e) => s.rejections.push(String(e.reason && e.reason.stack || e.reason).slice(0, 500)));
    document.addEventListener('securitypolicyviolation', (e) => s.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
    window.acquireVsCodeApi = () => {
      if (s.acquired++) throw new Error('An instance of the VS Code API has already been acquired');
      return Object.freeze({
        postMessage: (m) => { s.posted.push(JSON.parse(JSON.stringify(m))); },
        getState: () => s.state,
        setState: (v) => { s.state = JSON.parse(JSON.stringify(v)); return v; },
      });
    };
    void warn;
  })();`;
}

async function openView(browser: Browser, view: View): Promise<Page> {
  const page = await browser.context.newPage();
  const nonce = randomBytes(18).toString('base64');
  const csp = ["default-src 'none'", `style-src ${ORIGIN}`, `font-src ${ORIGIN}`, `img-src ${ORIGIN} data:`, `script-src 'nonce-${nonce}'`].join('; ');
  const html = `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<link rel="stylesheet" href="${ORIGIN}/dist/webview/codicons/codicon.css">
${view.styles.map((s) => `<link rel="stylesheet" href="${ORIGIN}/media/${s}">`).join('\n')}
<title>fuzz ${view.name}</title></head>
<body><div id="app" aria-live="polite"></div><script nonce="${nonce}" src="${ORIGIN}/dist/webview/${view.script}"></script></body></html>`;
  await page.route(`${ORIGIN}/**`, async (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/' || path === '/index.html') return route.fulfill({ status: 200, contentType: 'text/html', body: html });
    const rel = normalize(decodeURIComponent(path)).replace(/^\/+/, '');
    const file = join(ROOT, rel);
    if (!(rel.startsWith('dist/webview/') || rel.startsWith('media/')) || !existsSync(file)) return route.fulfill({ status: 404, body: 'not found' });
    return route.fulfill({ status: 200, contentType: CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', body: readFileSync(file) });
  });
  await page.addInitScript(initScript(decode.toString()));
  await page.goto(`${ORIGIN}/`);
  // The view announces itself first (the host posts nothing before `ready`).
  await page.waitForFunction(
    () => (window as unknown as { __fuzz: { posted: { type?: string }[] } }).__fuzz.posted.some((m) => m.type === 'ready'),
    undefined,
    { timeout: 15_000 },
  );
  return page;
}

interface BatchResult {
  rejected: boolean[];
  errors: string[][];
  ms: number[];
  /** Errors reported after the batch's last message was dispatched (unhandled rejections come late). */
  late: string[];
}

/** Dispatches one batch in the page and lets it settle (two animation frames); null = hang. */
async function dispatch(page: Page, texts: string[]): Promise<BatchResult | null> {
  const run = page.evaluate(async (batch: string[]) => {
    const w = window as unknown as { __fuzz: { warnings: number; errors: string[]; rejections: string[] }; __fuzzDecode: (t: string) => unknown };
    const s = w.__fuzz;
    const out = { rejected: [] as boolean[], errors: [] as string[][], ms: [] as number[], late: [] as string[] };
    const settle = () => new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    for (const text of batch) {
      const w0 = s.warnings;
      const e0 = s.errors.length + s.rejections.length;
      const t0 = performance.now();
      window.dispatchEvent(new MessageEvent('message', { data: w.__fuzzDecode(text), origin: location.origin }));
      out.ms.push(performance.now() - t0);
      out.rejected.push(s.warnings > w0);
      out.errors.push([...s.errors, ...s.rejections].slice(e0));
    }
    const e1 = s.errors.length + s.rejections.length;
    await settle();
    await settle();
    // Unhandled rejections are reported a task later: whatever arrives while the batch settles.
    out.late = [...s.errors, ...s.rejections].slice(e1);
    return out;
  }, texts);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((r) => (timer = setTimeout(() => r(null), HANG_MS)));
  try {
    return await Promise.race([run, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The detectors can see what they are meant to: a listener that throws on one message and one that
 * rejects on another must each show up as an error of exactly that message (and, being invalid
 * protocol messages, as a warning each).
 */
async function canary(page: Page): Promise<void> {
  await page.evaluate(() => {
    window.addEventListener('message', (e) => {
      if (e.data === 'fuzz-canary-throw') throw new Error('canary throw');
      if (e.data === 'fuzz-canary-reject') void Promise.reject(new Error('canary rejection'));
    });
  });
  const r = await dispatch(page, ['"fuzz-canary-throw"', '"fuzz-canary-reject"', '"fuzz-canary-quiet"']);
  assert.ok(r, 'the canary batch finished');
  assert.deepEqual(r.rejected, [true, true, true], 'each canary (not a protocol message) logged a warning');
  assert.match(r.errors[0]!.join(), /canary throw/);
  assert.match([...r.errors[1]!, ...r.errors[2]!, ...r.late].join(), /canary rejection/);
  await page.evaluate(() => {
    const s = (window as unknown as { __fuzz: { errors: string[]; rejections: string[] } }).__fuzz;
    s.errors.length = 0;
    s.rejections.length = 0;
  });
}

/**
 * Keys of a state whose contents the view keeps but does not show: the comparison's code (`run.contextCode`,
 * for the export and a re-run; the view names it by its label).
 */
const NOT_SHOWN = new Set(['contextCode']);

/** Replaces every string of a generated value that sits under `key` (where the view shows it) by a marker; returns the markers. */
function markStrings(v: unknown, key: string, prefix: string, markers: string[] = []): string[] {
  if (Array.isArray(v)) for (const e of v) markStrings(e, key, prefix, markers);
  else if (v && typeof v === 'object') {
    for (const [k, e] of Object.entries(v)) {
      if (NOT_SHOWN.has(k)) continue;
      if (k === key && typeof e === 'string') {
        const m = `${prefix}${markers.length}Q`;
        (v as Record<string, unknown>)[k] = m;
        markers.push(m);
      } else markStrings(e, key, prefix, markers);
    }
  }
  return markers;
}

/** A valid `state` message from the schema with at least two `text` strings, each a visible marker. */
function finalState(view: View): { message: unknown; markers: string[] } {
  const schema = optionOf(view.inbound, 'state');
  for (let i = 0; i < 500; i++) {
    const message = generate(schema, prng(SEED + 17 + i));
    const markers = markStrings(message, 'text', 'FINALMARK');
    if (markers.length >= 2 && view.inbound.safeParse(message).success) return { message, markers };
  }
  throw new Error(`no valid ${view.name} state with two texts in 500 tries`);
}

// ---------------------------------------------------------------------------------------------

let browser: Browser | undefined;

before(async () => {
  await build();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  const totals = (dir: Row['direction']) => rows.filter((r) => r.direction === dir);
  const sum = (rs: Row[], k: 'messages' | 'rejected' | 'crashes' | 'hangs' | 'mismatches' | 'valid') => rs.reduce((s, r) => s + r[k], 0);
  const all = rows;
  const h2w = totals('host → webview');
  const w2h = totals('webview → host');
  const pass =
    all.length === VIEWS.length * 2 &&
    all.every(
      (r) => r.messages >= N && r.crashes === 0 && r.hangs === 0 && r.mismatches === 0 && r.rejectionsSeen === r.rejected && r.finalStateRendered !== false,
    );
  const mutationCounts: Record<string, number> = {};
  for (const r of all) for (const [k, v] of Object.entries(r.mutationCounts)) mutationCounts[k] = (mutationCounts[k] ?? 0) + v;
  writeArtifact({
    name: 'webview-fuzz',
    title: 'Webview message fuzzing (host ⇄ webview, chat and compare)',
    generatedAt: new Date().toISOString(),
    durationMs: Date.now() - started,
    pass,
    seed: SEED,
    figures: [
      { label: 'cases (messages, all views and directions)', value: sum(all, 'messages') },
      { label: 'host → webview messages per view', value: N },
      { label: 'webview → host messages per view', value: N },
      { label: 'inputs (MB of JSON)', value: Math.round(all.reduce((s, r) => s + r.bytes, 0) / 1e5) / 10 },
      { label: 'valid messages (accepted)', value: sum(all, 'valid') },
      { label: 'rejected (invalid) messages', value: sum(all, 'rejected') },
      { label: 'webview: rejection warnings logged / invalid messages', value: `${h2w.reduce((s, r) => s + r.rejectionsSeen, 0)} / ${sum(h2w, 'rejected')}` },
      { label: 'host: rejections naming the field / invalid messages', value: `${w2h.reduce((s, r) => s + r.rejectionsSeen, 0)} / ${sum(w2h, 'rejected')}` },
      { label: 'accept/reject disagreements', value: sum(all, 'mismatches') },
      { label: 'crashes (uncaught exceptions, unhandled rejections, throws)', value: sum(all, 'crashes') },
      { label: 'hangs', value: sum(all, 'hangs') },
      { label: 'final valid state rendered after the fuzz', value: h2w.map((r) => `${r.view} ${r.finalStateRendered ? 'yes' : 'NO'}`).join(', ') },
    ],
    table: {
      columns: [
        'view',
        'direction',
        'messages',
        'valid',
        'rejected',
        'rejections seen',
        'disagreements',
        'crashes',
        'hangs',
        'slowest message (ms)',
        'final state rendered',
      ],
      rows: all.map((r) => [
        r.view,
        r.direction,
        r.messages,
        r.valid,
        r.rejected,
        r.rejectionsSeen,
        r.mismatches,
        r.crashes,
        r.hangs,
        Math.round(r.maxMs),
        r.finalStateRendered === null ? '—' : r.finalStateRendered,
      ]),
    },
    mutationCounts,
    examples: Object.fromEntries(all.map((r) => [`${r.view} ${r.direction}`, r.examples])),
  });
});

describe('webview message fuzzing', () => {
  VIEWS.forEach((view, v) => {
    test(`${view.name}: ${N} host → webview messages into the real bundle`, { timeout: 30 * 60_000 }, async () => {
      const row = newRow(view.name, 'host → webview');
      rows.push(row);
      let page = await openView(browser!, view);
      await canary(page);
      const types = messageTypes(view.inbound);
      for (let start = 0; start < N; start += BATCH) {
        const batch: FuzzMessage[] = [];
        for (let i = start; i < Math.min(N, start + BATCH); i++) batch.push(fuzzMessage(view.inbound, streamRng(v * 2, i), i, types));
        const result = await dispatch(
          page,
          batch.map((m) => m.text),
        );
        if (!result) {
          row.hangs++;
          note(row, batch[0]!, `hang: batch from #${batch[0]!.index} did not finish within ${HANG_MS} ms`);
          // A stuck page cannot take more messages: start a fresh one and go on.
          await page.close().catch(() => {});
          page = await openView(browser!, view);
          row.messages += batch.length;
          continue;
        }
        batch.forEach((m, k) => {
          row.messages++;
          row.bytes += m.text.length;
          countMutations(row, m);
          const valid = view.inbound.safeParse(decode(m.text)).success;
          if (valid) row.valid++;
          else row.rejected++;
          if (result.rejected[k]) row.rejectionsSeen++;
          if (result.rejected[k] === valid) {
            row.mismatches++;
            note(row, m, valid ? 'valid message rejected by the webview' : 'invalid message not rejected (no warning)');
          }
          const errors = result.errors[k]!;
          if (errors.length) {
            row.crashes++;
            note(row, m, `uncaught: ${errors[0]}`);
          }
          row.maxMs = Math.max(row.maxMs, result.ms[k]!);
        });
        if (result.late.length) {
          row.crashes += result.late.length;
          note(row, batch[batch.length - 1]!, `uncaught while the batch from #${batch[0]!.index} settled (one of its messages): ${result.late[0]}`);
        }
      }
      // Still alive and still rendering: a fresh valid snapshot shows all its texts.
      const { message, markers } = finalState(view);
      const rendered = await dispatch(page, [JSON.stringify(message)]);
      const body = rendered ? await page.evaluate(() => document.body.innerText) : '';
      const missing = markers.filter((m) => !body.includes(m));
      row.finalStateRendered = rendered !== null && !rendered.rejected[0] && missing.length === 0;
      const extra = await page.evaluate(() => {
        const s = (window as unknown as { __fuzz: { cspViolations: string[]; acquired: number; warningTexts: string[] } }).__fuzz;
        return { csp: s.cspViolations, acquired: s.acquired, warnings: s.warningTexts };
      });
      await page.close();
      assert.equal(row.hangs, 0, `hangs: ${JSON.stringify(row.examples.filter((e) => e.detail.startsWith('hang')))}`);
      assert.equal(row.crashes, 0, `crashes: ${JSON.stringify(row.examples.filter((e) => e.detail.startsWith('uncaught')).slice(0, 3))}`);
      assert.equal(row.mismatches, 0, `disagreements: ${JSON.stringify(row.examples.slice(0, 3))}`);
      assert.equal(row.rejectionsSeen, row.rejected, 'one warning per invalid message');
      assert.ok(row.rejected > N / 4 && row.valid > N / 10, `a useful mix of valid (${row.valid}) and invalid (${row.rejected}) messages`);
      assert.equal(extra.acquired, 1, 'the bundle acquires the VS Code API exactly once');
      assert.deepEqual(extra.csp, [], 'no CSP violations');
      assert.ok(row.finalStateRendered, `final state rendered (missing: ${missing.join(', ')}; rejected: ${rendered?.rejected[0]})`);
    });

    test(`${view.name}: ${N} webview → host messages through the host's parse path`, () => {
      const row = newRow(view.name, 'webview → host');
      rows.push(row);
      const types = messageTypes(view.outbound);
      const started = performance.now();
      for (let i = 0; i < N; i++) {
        const m = fuzzMessage(view.outbound, streamRng(v * 2 + 1, i), i, types);
        row.messages++;
        row.bytes += m.text.length;
        countMutations(row, m);
        const value = decode(m.text);
        let r: ReturnType<Schema['safeParse']>;
        const t0 = performance.now();
        try {
          r = view.outbound.safeParse(value);
        } catch (e) {
          row.crashes++;
          note(row, m, `threw: ${(e as Error).message}`);
          continue;
        } finally {
          row.maxMs = Math.max(row.maxMs, performance.now() - t0);
        }
        // What must happen regardless of the schema's details.
        const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
        const knownType = isObject && Object.hasOwn(value, 'type') && types.includes((value as { type: unknown }).type as string);
        if (r.success) {
          row.valid++;
          if (!knownType) {
            row.mismatches++;
            note(row, m, 'accepted a message that is not an object with a known type');
          }
        } else {
          row.rejected++;
          if (m.mutations.length === 0) {
            row.mismatches++;
            note(row, m, `rejected a valid message: ${r.error!.issues[0]?.message}`);
          }
          const issue = r.error!.issues[0];
          // "Names the field": the issue has a path, unless the message itself is not an object.
          if (issue && issue.message && (issue.path.length > 0 || !isObject)) row.rejectionsSeen++;
          else note(row, m, `rejection without a field: ${JSON.stringify(issue)}`);
          if (row.examples.length < 3 && m.text.length < 200) note(row, m, `rejected at ${issuePath(issue?.path ?? [])}: ${issue?.message}`);
        }
      }
      assert.ok(performance.now() - started > 0);
      assert.equal(row.crashes, 0, JSON.stringify(row.examples));
      assert.equal(row.mismatches, 0, JSON.stringify(row.examples));
      assert.equal(row.rejectionsSeen, row.rejected, `every rejection names the field: ${JSON.stringify(row.examples)}`);
      assert.ok(row.rejected > N / 4 && row.valid > N / 10, `a useful mix of valid (${row.valid}) and invalid (${row.rejected}) messages`);
    });
  });
});
