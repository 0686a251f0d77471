#!/usr/bin/env node
// `npm run evidence`: runs every test/evidence/*.test.ts (fault matrix, SSE fuzzing, soak, and
// any added later), collects what they write to .artifacts/evidence/*.json, and regenerates
// docs/reliability.md and the README's reliability section (between the markers
// <!-- reliability:start --> and <!-- reliability:end -->). Nothing in those is written by hand.
//
//   node scripts/evidence.mjs                 run everything, then regenerate
//   node scripts/evidence.mjs --only soak     run only test/evidence/soak.test.ts (others: last artifacts, marked with their date)
//   node scripts/evidence.mjs --no-run        regenerate from the existing artifacts
//   node scripts/evidence.mjs --verbose       stream the test output (default: to .artifacts/evidence/<name>.log)
//
// A new evidence test needs nothing here: write test/evidence/<name>.test.ts and have it write
// .artifacts/evidence/<name>.json as { name, title, generatedAt, durationMs, pass,
// figures: [{ label, value }], table?: { columns, rows } } (see test/evidence/lib.ts writeArtifact).
// Artifacts produced elsewhere (e.g. the secrets scan in a real VS Code) are picked up the same way.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TEST_DIR = join(ROOT, 'test', 'evidence');
const ART_DIR = join(ROOT, '.artifacts', 'evidence');
const DOC = join(ROOT, 'docs', 'reliability.md');
const README = join(ROOT, 'README.md');
const SECURITY_DOC = join(ROOT, 'docs', 'security.md');
const SECURITY_START = '<!-- security:start -->';
const SECURITY_END = '<!-- security:end -->';
const START = '<!-- reliability:start -->';
const END = '<!-- reliability:end -->';
/** Known evidence first, in this order; anything else after, by name. */
const ORDER = ['fault-matrix', 'fuzz-sse', 'soak'];
/** Evidence issue 7 asks for that other work produces (listed as pending until its artifact exists). */
const PENDING = [
  { name: 'webview-fuzz', title: 'Webview message fuzzing (≥ 10,000 host⇄webview messages)' },
  { name: 'secrets-scan', title: 'Secrets scan after a scripted session in a real VS Code' },
];

const args = process.argv.slice(2);
const flag = (f) => args.includes(f);
const onlyArg = args.indexOf('--only');
const only = onlyArg >= 0 ? (args[onlyArg + 1] ?? '').split(',').filter(Boolean) : null;
const verbose = flag('--verbose');
const runStarted = new Date();

mkdirSync(ART_DIR, { recursive: true });

// ------------------------------------------------------------------------------------------------
// 1. Run the evidence tests, one at a time (their timings are part of the evidence).

const rank = (name) => (ORDER.includes(name) ? ORDER.indexOf(name) : ORDER.length);
const byOrder = (a, b) => rank(a) - rank(b) || a.localeCompare(b);
const tests = readdirSync(TEST_DIR)
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => basename(f, '.test.ts'))
  .sort(byOrder);

const runs = {};
if (!flag('--no-run')) {
  for (const name of tests) {
    if (only && !only.includes(name)) continue;
    runs[name] = await runTest(name);
  }
}

function runTest(name) {
  return new Promise((resolve) => {
    const file = join(TEST_DIR, `${name}.test.ts`);
    const logPath = join(ART_DIR, `${name}.log`);
    const log = createWriteStream(logPath);
    const started = Date.now();
    process.stdout.write(`[evidence] ${name} … `);
    if (verbose) process.stdout.write('\n');
    const child = spawn(process.execPath, ['--expose-gc', '--test', '--test-reporter=spec', file], {
      cwd: ROOT,
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    for (const s of [child.stdout, child.stderr]) {
      s.on('data', (d) => {
        out += d;
        log.write(d);
        if (verbose) process.stdout.write(d);
      });
    }
    child.on('close', (code) => {
      log.end();
      const seconds = (Date.now() - started) / 1000;
      const count = (re) => [...out.matchAll(re)].reduce((s, m) => s + Number(m[1]), 0);
      const passed = count(/^ℹ pass (\d+)$/gm);
      const failed = count(/^ℹ fail (\d+)$/gm);
      console.log(`${code === 0 ? 'ok' : 'FAILED'} — ${passed} passed, ${failed} failed, ${seconds.toFixed(1)} s (log: ${relative(ROOT, logPath)})`);
      resolve({ code, passed, failed, seconds });
    });
  });
}

// ------------------------------------------------------------------------------------------------
// 2. Collect the artifacts.

const artifacts = readdirSync(ART_DIR)
  .filter((f) => f.endsWith('.json') && f !== 'run.json')
  .map((f) => {
    try {
      return JSON.parse(readFileSync(join(ART_DIR, f), 'utf8'));
    } catch (e) {
      return {
        name: basename(f, '.json'),
        title: basename(f, '.json'),
        pass: false,
        figures: [{ label: 'error', value: `unreadable artifact: ${e.message}` }],
      };
    }
  })
  .filter((a) => a && typeof a.name === 'string')
  .sort((a, b) => byOrder(a.name, b.name));
const byName = Object.fromEntries(artifacts.map((a) => [a.name, a]));
// Artifacts marked `security: true` (money and key safety under attack) get the README's security
// section and docs/security.md instead of the reliability ones.
const securityArtifacts = artifacts.filter((a) => a.security === true);
const reliabilityArtifacts = artifacts.filter((a) => a.security !== true);
const stale = (a) => !a.generatedAt || new Date(a.generatedAt) < runStarted;
const ranNow = (name) => runs[name] !== undefined;

writeFileSync(
  join(ART_DIR, 'run.json'),
  JSON.stringify(
    { startedAt: runStarted.toISOString(), node: process.version, platform: `${os.platform()} ${os.arch()}`, cpus: os.cpus().length, runs },
    null,
    2,
  ) + '\n',
);

// ------------------------------------------------------------------------------------------------
// 3. docs/reliability.md

const esc = (v) =>
  String(v ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ');
const table = (columns, rows) =>
  [`| ${columns.map(esc).join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
const mark = (ok) => (ok ? '✅' : '❌');
const num = (v) => (typeof v === 'number' && Number.isInteger(v) ? v.toLocaleString('en-US') : v);
const fig = (a, label) => num(a?.figures?.find((f) => f.label === label)?.value);
const when = (a) => (a.generatedAt ? a.generatedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : 'unknown time');
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;

function statusLine(a) {
  const run = runs[a.name];
  const parts = [`${mark(a.pass && (!run || run.code === 0))} ${a.pass && (!run || run.code === 0) ? 'pass' : 'FAIL'}`];
  if (run) parts.push(`test run ${run.seconds.toFixed(1)} s (${run.passed} of ${run.passed + run.failed} tests passed)`);
  else if (a.durationMs !== undefined) parts.push(`${secs(a.durationMs)}`);
  parts.push(stale(a) ? `from an earlier run (${when(a)})` : `generated ${when(a)}`);
  return parts.join(' · ');
}

function figuresList(a) {
  return (a.figures ?? []).map((f) => `- **${f.label}**: ${num(f.value)}`).join('\n');
}

function faultMatrixSection(a) {
  const out = [];
  out.push(`## Fault matrix\n\n${statusLine(a)}\n`);
  out.push(
    'Each provider protocol is driven against a local fake server that speaks its real wire format, with one fault injected. ' +
      'Every fault runs twice: through a **2-model route** (primary = the faulty fake, fallback = a healthy fake of the same protocol) ' +
      'and against the **single model** (one retry allowed). Expected outcomes: `failover→ok` (the fallback answered), `retry→ok` ' +
      '(the same model answered on a retry), `error <kind>, at once` (a clear error, no retry or failover), `error <kind>, after N tries`, ' +
      'and `error <kind>, partial kept` (tokens were shown: the model is never switched, the text is kept). The kind in brackets is the ' +
      "primary's first error. A case passes only if the outcome matches and: the error names provider, model and a fix (and never the key); " +
      'partial text equals what was streamed; no unhandled rejection; every socket closed after the client closed; no clock timer pending; ' +
      'no extra live Timeout/socket/DNS handle after a short settle.\n',
  );
  out.push(figuresList(a) + '\n');
  const faults = a.faults ?? [];
  const rows = a.rows ?? [];
  for (const protocol of a.protocols ?? [...new Set(rows.map((r) => r.protocol))]) {
    out.push(`### ${protocol}\n`);
    const body = faults.map((f) => {
      const r = rows.find((x) => x.protocol === protocol && x.fault === f.id && x.mode === 'route');
      const s = rows.find((x) => x.protocol === protocol && x.fault === f.id && x.mode === 'single');
      const cell = (x, k) => (x ? x[k] : 'not run');
      const pass = r && s ? mark(r.pass && s.pass) : '—';
      const problems = [...(r?.problems ?? []), ...(s?.problems ?? [])];
      return [
        f.label,
        cell(r, 'expected'),
        cell(r, 'observed'),
        cell(s, 'expected'),
        cell(s, 'observed'),
        pass + (problems.length ? ` ${problems.join('; ')}` : ''),
        `${r?.ms ?? '—'} / ${s?.ms ?? '—'}`,
      ];
    });
    out.push(table(['fault', 'route: expected', 'route: observed', 'single: expected', 'single: observed', 'pass', 'ms (route / single)'], body) + '\n');
    const messages = faults
      .map((f) => [f.label, rows.find((x) => x.protocol === protocol && x.fault === f.id && x.mode === 'single')?.message])
      .filter(([, m]) => m);
    if (messages.length) {
      out.push(`<details><summary>Errors shown for ${protocol} (single model)</summary>\n`);
      out.push(
        table(
          ['fault', 'error message'],
          messages.map(([l, m]) => [l, m.length > 240 ? `${m.slice(0, 240)}…` : m]),
        ) + '\n',
      );
      out.push('</details>\n');
    }
  }
  return out.join('\n');
}

function fuzzSection(a) {
  const out = [`## SSE fuzzing\n\n${statusLine(a)}\n`];
  out.push(
    'Streams recorded from the fake providers (text, reasoning, tool calls, Unicode, usage, comments and pings, error events, CRLF/LF…) ' +
      'are mutated — byte flips, truncation, duplicated and deleted slices, shuffled events, junk and unknown-field lines, huge lines, ' +
      'invalid UTF-8, BOMs, line-ending swaps, random JSON values, type confusion, deep nesting — or generated from nothing, cut into ' +
      'random pieces (down to single bytes) and fed straight to `sseEvents` + the protocol decoder. Every input must end with parts or ' +
      'with a `SwitchboardError` (`invalid_response`, or the provider error an error event carries) that names provider and model in ' +
      `at most 4,096 characters; anything else is a crash, more than 5 s a hang. Seeded (seed ${a.seed ?? '?'}): any input can be replayed from its index.\n`,
  );
  out.push(figuresList(a) + '\n');
  if (a.table) out.push(table(a.table.columns, a.table.rows) + '\n');
  if (a.edgeCases?.length) {
    out.push('Hostile inputs found while fuzzing, kept as fixed regression cases:\n');
    out.push(
      table(
        ['protocol', 'input', 'outcome', 'pass'],
        a.edgeCases.map((e) => [e.protocol, e.name, e.outcome.slice(0, 140), mark(e.pass)]),
      ) + '\n',
    );
  }
  const findings = Object.entries(a.findings ?? {});
  if (findings.length) {
    out.push('Findings in this run:\n');
    out.push(
      table(
        ['category', 'count', 'example (protocol, index, mutations)'],
        findings.map(([k, v]) => [k, v.count, v.examples?.[0] ? `${v.examples[0].protocol} #${v.examples[0].index} ${v.examples[0].mutations.join('+')}` : '']),
      ) + '\n',
    );
  }
  return out.join('\n');
}

function soakSection(a) {
  const out = [`## Soak\n\n${statusLine(a)}\n`];
  out.push(
    'One client, five fake providers (two OpenAI-compatible, Anthropic, Gemini, OpenRouter), three routes and four single models, ' +
      `${a.concurrency ?? '?'} requests in flight, compare calls and cancellations, an injected clock advanced to cover an hour, random ` +
      'faults and a recurring 3-minute outage of one provider. The ledger is the SQLite usage database, read back at the end.\n',
  );
  out.push(figuresList(a) + '\n');
  if (a.checks)
    out.push(
      table(
        ['check', 'result'],
        Object.entries(a.checks).map(([k, v]) => [a.checkLabels?.[k] ?? k, mark(v)]),
      ) + '\n',
    );
  if (a.heap?.length)
    out.push(
      table(
        ['after operation', 'simulated minute', 'heapUsed after GC (MB)'],
        a.heap.map((h) => [h.op, h.simulatedMin, h.heapMB]),
      ) + '\n',
    );
  if (a.table) out.push(`Faults injected:\n\n${table(a.table.columns, a.table.rows)}\n`);
  return out.join('\n');
}

function genericSection(a) {
  const out = [`## ${a.title ?? a.name}\n\n${statusLine(a)}\n`, figuresList(a) + '\n'];
  if (a.table) out.push(table(a.table.columns, a.table.rows) + '\n');
  return out.join('\n');
}

const SECTION = { 'fault-matrix': faultMatrixSection, 'fuzz-sse': fuzzSection, soak: soakSection };

function timingsTable() {
  const rows = tests.map((name) => {
    const r = runs[name];
    const a = byName[name];
    return [
      name,
      r ? `${r.seconds.toFixed(1)} s` : a?.durationMs !== undefined ? `${secs(a.durationMs)} (earlier run)` : '—',
      r ? `${r.passed} / ${r.passed + r.failed}` : '—',
      a ? mark(a.pass && (!r || r.code === 0)) : '—',
    ];
  });
  return table(['evidence test', 'wall time', 'tests passed', 'result'], rows);
}

function summaryBullets(link) {
  const fm = byName['fault-matrix'];
  const fz = byName['fuzz-sse'];
  const sk = byName.soak;
  const lines = [];
  if (fm)
    lines.push(
      `- ${mark(fm.pass)} **Fault matrix**: ${fig(fm, 'passed')}/${fig(fm, 'cases')} cases pass — ${fig(fm, 'protocols')} protocols × ${fig(fm, 'faults')} faults, each through a 2-model route and a single model; ${fig(fm, 'unhandled rejections')} unhandled rejections, ${fig(fm, 'cases with a leaked socket or timer')} leaked sockets or timers.`,
    );
  if (fz)
    lines.push(
      `- ${mark(fz.pass)} **SSE fuzzing**: ${fig(fz, 'inputs per protocol')} inputs; ${fig(fz, 'crashes (any other exception)')} crashes, ${fig(fz, 'hangs')} hangs, ${fig(fz, 'rejections without a clear message')} unclear rejections (${fig(fz, 'rejected with a SwitchboardError')} inputs rejected with a clear error).`,
    );
  if (sk) {
    const c = sk.checks ?? {};
    lines.push(
      `- ${mark(sk.pass)} **Soak**: ${fig(sk, 'operations (stream requests + compare calls)')} operations over ${fig(sk, 'simulated time')} simulated (real ${fig(sk, 'real time')}); heap ${fig(sk, 'heapUsed after GC: after warm-up → end')}; ledger total ${c.ledgerTotal ? 'equals' : 'DIFFERS FROM'} the sum of answered requests (${fig(sk, 'ledger entries / answered requests')}); cooldown entries max/at end/models ${fig(sk, 'cooldown entries: max / at end / models')}.`,
    );
  }
  const wf = byName['webview-fuzz'];
  if (wf)
    lines.push(
      `- ${mark(wf.pass)} **Webview message fuzzing**: ${fig(wf, 'cases (messages, all views and directions)')} host⇄webview messages (${fig(wf, 'host → webview messages per view')} per view and direction, chat and compare, into the real bundles in Chromium and through the hosts' parse path); ${fig(wf, 'crashes (uncaught exceptions, unhandled rejections, throws)')} crashes, ${fig(wf, 'hangs')} hangs, ${fig(wf, 'accept/reject disagreements')} accept/reject disagreements; every invalid message rejected and logged (webview ${fig(wf, 'webview: rejection warnings logged / invalid messages')}, host naming the field ${fig(wf, 'host: rejections naming the field / invalid messages')}).`,
    );
  for (const a of reliabilityArtifacts)
    if (!SECTION[a.name] && a.name !== 'webview-fuzz')
      lines.push(
        `- ${mark(a.pass)} **${a.title ?? a.name}**: ${(a.figures ?? [])
          .slice(0, 3)
          .map((f) => `${f.label} ${f.value}`)
          .join('; ')}.`,
      );
  for (const p of PENDING) if (!byName[p.name]) lines.push(`- ⏳ **${p.title}**: not produced yet.`);
  lines.push(`\nDetails, the full fault table and how to reproduce: [${link}](${link}). Regenerated by \`npm run evidence\`.`);
  return lines.join('\n');
}

const doc = [];
doc.push('# Reliability evidence\n');
doc.push(
  `<!-- Generated by scripts/evidence.mjs (npm run evidence) from .artifacts/evidence/*.json. Do not edit by hand. -->\n\n` +
    `Generated ${runStarted
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, ' UTC')} with Node ${process.version} on ${os.platform()} ${os.arch()} (${os.cpus().length} CPUs). ` +
    'Every figure below comes from a test run; a test that fails still reports its figures, marked ❌.\n',
);
doc.push('## Summary\n');
doc.push(summaryBullets('docs/reliability.md').replace(/\n\nDetails[\s\S]*$/, '') + '\n');
doc.push(timingsTable() + '\n');
doc.push(
  'Reproduce: `npm run evidence` (all), `node scripts/evidence.mjs --only fault-matrix` (one), or run a test directly, e.g. ' +
    '`node --expose-gc --test test/evidence/soak.test.ts`. Knobs: `FUZZ_N`, `FUZZ_SEED`, `FUZZ_PROTOCOLS`, `WEBVIEW_FUZZ_N`, `SOAK_OPS`, `SOAK_SEED`, `SOAK_CONCURRENCY`. The secrets scan runs in the real VS Code: `npm run test:ui -- secrets` writes its artifact.\n',
);
for (const a of reliabilityArtifacts) doc.push((SECTION[a.name] ?? genericSection)(a));
const pending = PENDING.filter((p) => !byName[p.name]);
if (pending.length) {
  doc.push('## Not produced yet\n');
  doc.push(
    pending.map((p) => `- ${p.title}: will appear here once its test writes \`.artifacts/evidence/${p.name}.json\`.`).join('\n') +
      '\n\nAny test in `test/evidence/` and any `.artifacts/evidence/<name>.json` of the shape `{ name, title, generatedAt, durationMs, pass, figures: [{ label, value }], table?: { columns, rows } }` is picked up automatically.\n',
  );
}
// No reliability artifact here at all (a fresh checkout that ran only --only <security test>): keep the
// committed figures rather than replace them with "not produced yet".
const writeReliability = reliabilityArtifacts.length > 0;
if (writeReliability) {
  mkdirSync(dirname(DOC), { recursive: true });
  writeFileSync(DOC, doc.join('\n').replace(/\n{3,}/g, '\n\n'));
  console.log(`[evidence] wrote ${relative(ROOT, DOC)}`);
} else
  console.log(
    `[evidence] no reliability artifacts in ${relative(ROOT, ART_DIR)}: ${relative(ROOT, DOC)} and the README's reliability section left as they are`,
  );

function securityBullets(link) {
  const lines = securityArtifacts.map((a) => {
    const head = `- ${mark(a.pass)} **${a.title ?? a.name}**:`;
    return [head, ...(a.figures ?? []).map((f) => `  - ${f.label}: ${num(f.value)}`)].join('\n');
  });
  lines.push(`\nDetails and how to reproduce: [${link}](${link}). Regenerated by \`npm run evidence\`.`);
  return lines.join('\n');
}

if (securityArtifacts.length) {
  const sdoc = [
    '# Security evidence\n',
    `<!-- Generated by scripts/evidence.mjs (npm run evidence) from .artifacts/evidence/*.json (security: true). Do not edit by hand. -->\n\nGenerated ${runStarted
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, ' UTC')} with Node ${process.version} on ${os.platform()} ${os.arch()} (${os.cpus().length} CPUs).\n`,
  ];
  for (const a of securityArtifacts) sdoc.push(genericSection(a));
  sdoc.push('Reproduce one: `node scripts/evidence.mjs --only <name>` (e.g. `--only budget-concurrency`).\n');
  writeFileSync(SECURITY_DOC, sdoc.join('\n').replace(/\n{3,}/g, '\n\n'));
  console.log(`[evidence] wrote ${relative(ROOT, SECURITY_DOC)}`);
}

// ------------------------------------------------------------------------------------------------
// 4. README: only the text between the markers (added at the end when absent).

/** Replaces the text between two markers (added at the end when absent). */
function replaceBetween(text, start, end, body) {
  if (!text.includes(start) || !text.includes(end)) text = `${text.replace(/\s*$/, '\n')}\n${start}\n${end}\n`;
  const a = text.indexOf(start);
  const b = text.indexOf(end, a);
  return text.slice(0, a) + `${start}\n${body}\n${end}` + text.slice(b + end.length);
}

if (existsSync(README)) {
  let readme = readFileSync(README, 'utf8');
  if (writeReliability) {
    readme = replaceBetween(
      readme,
      START,
      END,
      `## Reliability\n\nMeasured by \`npm run evidence\` on ${runStarted.toISOString().slice(0, 10)}:\n\n${summaryBullets('docs/reliability.md')}`,
    );
    console.log(`[evidence] updated the reliability section of ${relative(ROOT, README)}`);
  }
  if (securityArtifacts.length) {
    readme = replaceBetween(
      readme,
      SECURITY_START,
      SECURITY_END,
      `## Security under attack\n\nMeasured by \`npm run evidence\` on ${runStarted.toISOString().slice(0, 10)}:\n\n${securityBullets('docs/security.md')}`,
    );
    console.log(`[evidence] updated the security section of ${relative(ROOT, README)}`);
  }
  writeFileSync(README, readme);
}

const failedRuns = Object.entries(runs).filter(([, r]) => r.code !== 0);
const failedArtifacts = artifacts.filter((a) => !a.pass && (ranNow(a.name) || !only));
if (failedRuns.length || failedArtifacts.length) {
  console.error(`[evidence] FAILED: ${[...new Set([...failedRuns.map(([n]) => n), ...failedArtifacts.map((a) => a.name)])].join(', ')}`);
  process.exit(1);
}
console.log('[evidence] all evidence passed');
