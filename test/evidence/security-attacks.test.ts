/**
 * Evidence for issue 12's attacks (the non-money ones): endless and huge answers (peak memory,
 * the process alive), connection floods against the gateway (health-probe success, 429s versus
 * resets), and keys echoed by a hostile upstream (searched in every output, found). Writes
 * .artifacts/evidence/security-attacks.json for scripts/evidence.mjs.
 *
 * Everything runs in this one process, with the default caps (4,000,000 characters, 10 min) and
 * the gateway's default limits, as a user would run them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type SwitchboardClient } from '../../src/core/client.ts';
import { DEFAULT_LIMITS } from '../../src/core/config.ts';
import { secretForms } from '../../src/core/redact.ts';
import { startGateway, type Gateway } from '../../src/gateway/server.ts';
import { ENDLESS_CHUNK, startHostile, type HostileServer } from '../fakes/hostile.ts';
import { privateCliCopy } from '../unit/builtCli.ts';
import { auth as worldAuth, raw, startWorld } from '../unit/gatewayWorld.ts';
import { writeArtifact, type Figure } from './lib.ts';

const TOKEN = 'gw-evidence-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}` };
const MB = (n: number): number => Math.round((n / 1024 / 1024) * 10) / 10;

/** Peak heapUsed and RSS while `fn` runs (sampled every 10 ms), plus the process's lifetime max RSS. */
async function peakMemory<T>(fn: () => Promise<T>): Promise<{ value: T; heapMB: number; rssMB: number; baseHeapMB: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const base = process.memoryUsage();
  let heap = base.heapUsed;
  let rss = base.rss;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    heap = Math.max(heap, m.heapUsed);
    rss = Math.max(rss, m.rss);
  }, 10);
  try {
    const value = await fn();
    const m = process.memoryUsage();
    return { value, heapMB: MB(Math.max(heap, m.heapUsed)), rssMB: MB(Math.max(rss, m.rss)), baseHeapMB: MB(base.heapUsed) };
  } finally {
    clearInterval(timer);
  }
}

async function chat(gw: Gateway, stream: boolean): Promise<{ status: number; chars: number; body: string }> {
  const res = await fetch(`${gw.url}/chat/completions`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'evil/m', stream, messages: [{ role: 'user', content: 'go' }] }),
  });
  const body = await res.text();
  let chars = 0;
  if (stream) {
    for (const line of body.split('\n')) {
      if (!line.startsWith('data: {')) continue;
      const j = JSON.parse(line.slice(6)) as { choices?: { delta?: { content?: string } }[] };
      chars += j.choices?.[0]?.delta?.content?.length ?? 0;
    }
  } else {
    const j = JSON.parse(body) as { choices?: { message?: { content?: string } }[] };
    chars = j.choices?.[0]?.message?.content?.length ?? 0;
  }
  return { status: res.status, chars, body: stream ? body.slice(-400) : body.slice(0, 400) };
}

function idleSockets(port: number, n: number): Promise<net.Socket[]> {
  return Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Socket>((resolve, reject) => {
          const s = net.connect(port, '127.0.0.1', () => resolve(s));
          s.on('error', () => undefined);
          s.once('error', reject);
        }),
    ),
  );
}

/** Sockets that send a request line and then one header byte per `gapMs`, forever. */
function slowHeaderSockets(port: number, n: number, gapMs: number): { sockets: net.Socket[]; stop(): void } {
  const sockets: net.Socket[] = [];
  const timers: NodeJS.Timeout[] = [];
  for (let i = 0; i < n; i++) {
    const s = net.connect(port, '127.0.0.1', () => {
      s.write('GET /health HTTP/1.1\r\nX-Slow: ');
      timers.push(setInterval(() => !s.destroyed && s.write('a'), gapMs));
    });
    s.on('error', () => undefined);
    sockets.push(s);
  }
  return { sockets, stop: () => (timers.forEach(clearInterval), sockets.forEach((s) => s.destroy())) };
}

test('security attacks: endless answers, connection floods, keys echoed by the upstream', async () => {
  const t0 = Date.now();
  const figures: Figure[] = [];
  const rows: (string | number | boolean)[][] = [];
  let pass = true;
  const check = (label: string, ok: boolean, detail: string): void => {
    console.log(`[${((Date.now() - t0) / 1000).toFixed(1)} s] ${ok ? 'ok' : 'FAIL'} ${label}: ${detail}`);
    rows.push([label, detail, ok ? '✅' : '❌']);
    if (!ok) pass = false;
  };

  // ── 1. Endless and huge answers through the gateway (default caps) ──────────────────────────
  const h = await startHostile({ kind: 'endless' });
  const client: SwitchboardClient = createClient(
    { retries: { maxRetries: 0 }, providers: [{ id: 'evil', kind: 'openai', baseUrl: h.baseUrl, apiKeyEnv: 'EVIL_KEY', models: ['m'] }] },
    { env: { EVIL_KEY: 'sk-evidence-endless-000111222' } },
  );
  const gw = await startGateway({ client, token: TOKEN });
  try {
    const endless = await peakMemory(() => Promise.all([...Array.from({ length: 8 }, () => chat(gw, true)), chat(gw, false), chat(gw, false)]));
    // Streamed, the text passed on stops at the cap: exactly there when translated, at the last whole event
    // before it when forwarded as sent (the gateway's fast path does not cut an event); then the error event.
    const capped = endless.value.filter(
      (r) =>
        (r.status === 200 &&
          r.chars <= DEFAULT_LIMITS.maxAnswerChars &&
          r.chars > DEFAULT_LIMITS.maxAnswerChars - ENDLESS_CHUNK.length &&
          /upstream_invalid_response/.test(r.body)) ||
        (r.status === 502 && /characters/.test(r.body)),
    );
    const alive = (await fetch(gw.url.replace(/\/v1$/, '/health'), { headers: auth })).status === 200;
    figures.push({
      label: 'endless answers: peak heapUsed / peak RSS (10 at once through the gateway)',
      value: `${endless.heapMB} MB / ${endless.rssMB} MB (heap before ${endless.baseHeapMB} MB)`,
    });
    check(
      '10 endless answers at once through the gateway',
      capped.length === 10 && alive,
      `${capped.length}/10 ended at the ${DEFAULT_LIMITS.maxAnswerChars.toLocaleString('en-US')}-character cap with an error; gateway alive: ${alive}; upstream characters sent ${h.written().toLocaleString('en-US')}`,
    );

    h.setMode({ kind: 'endless', chunk: 'x'.repeat(8 * 1024 * 1024) });
    const huge = await peakMemory(() => Promise.all(Array.from({ length: 4 }, () => chat(gw, true))));
    // An event larger than the cap is never passed on: the stream ends with the error event, or, when nothing
    // was sent yet, the answer is the error (502).
    const hugeOk = huge.value.filter(
      (r) =>
        (r.status === 200 && r.chars <= DEFAULT_LIMITS.maxAnswerChars && /upstream_invalid_response/.test(r.body)) ||
        (r.status === 502 && r.chars === 0 && /characters/.test(r.body)),
    ).length;
    figures.push({ label: 'huge answers (8 MB events): peak heapUsed / peak RSS (4 at once)', value: `${huge.heapMB} MB / ${huge.rssMB} MB` });
    check(
      '4 answers of 8 MB events at once',
      hugeOk === 4,
      `${hugeOk}/4 capped with an error; characters passed on: ${huge.value.map((r) => r.chars.toLocaleString('en-US')).join(', ')}`,
    );
  } finally {
    await gw.close();
    await client.close();
    await h.close();
  }

  // ── 2. Connection floods (default gateway limits: 1024 connections, 10 s for headers, 64 requests) ──
  const w = await startWorld();
  try {
    const port = w.gateway.port;
    const probes = async (n: number): Promise<number> =>
      (await Promise.all(Array.from({ length: n }, () => raw(port, { path: '/health', headers: worldAuth })))).filter((r) => r.status === 200).length;
    for (const n of [256, 1000, 2000]) {
      const idle = await idleSockets(port, n);
      const ok = await probes(100);
      const st = w.gateway.stats();
      figures.push({ label: `health probes answered with ${n} idle connections open`, value: `${ok}/100` });
      check(`${n} idle connections + 100 health probes`, ok === 100, `${ok}/100 probes answered 200; ${st.evictedConnections} idle connections evicted so far`);
      for (const s of idle) s.destroy();
    }
    const slow = slowHeaderSockets(port, 256, 500);
    const okSlow = await probes(100);
    slow.stop();
    figures.push({ label: 'health probes answered with 256 slow-header connections', value: `${okSlow}/100` });
    check('256 slow-header connections + 100 health probes', okSlow === 100, `${okSlow}/100 probes answered 200`);

    w.openai.setDefault({ text: 'ok', delayBeforeHeadersMs: 1500 });
    const results = await Promise.all(
      Array.from({ length: 500 }, () =>
        raw(port, {
          method: 'POST',
          path: '/v1/chat/completions',
          headers: { ...worldAuth, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
        }),
      ),
    );
    const by = (s: number): number => results.filter((r) => r.status === s).length;
    const resets = results.filter((r) => r.error !== undefined || r.status === 0).length;
    figures.push({ label: '500 concurrent chat requests: 200 / 429 / reset', value: `${by(200)} / ${by(429)} / ${resets}` });
    check(
      '500 concurrent chat requests',
      resets === 0 && by(200) + by(429) === 500,
      `${by(200)} answered, ${by(429)} told 429 with retry-after, ${resets} resets`,
    );
  } finally {
    await w.close();
  }

  // ── 3. Keys echoed by a hostile upstream: searched in every output ────────────────────────────
  const keys = ['sk-Evidence-Long-Key-0a1b2c3d4e5f6a7b', 'abc123', 'AIzaEvidenceGoogleKey0123456789abcdef'];
  const echo = (k: string): string => `${k} ${k.toLowerCase()} ${Buffer.from(k).toString('base64')} ${Buffer.from(`u:${k}`).toString('base64')}`;
  const found = (text: string, k: string): number =>
    (text.toLowerCase().includes(k.toLowerCase()) ? 1 : 0) +
    secretForms(k)
      .slice(1)
      .filter((f) => text.includes(f)).length;
  let searched = 0;
  let hits = 0;
  const where = new Map<string, number>();
  const scan = (label: string, text: string, k: string): void => {
    searched++;
    const n = found(text, k);
    hits += n;
    if (n) where.set(label, (where.get(label) ?? 0) + n);
  };
  const hk = await startHostile({ kind: 'endless' });
  const dir = mkdtempSync(join(tmpdir(), 'sb-ev-keys-'));
  try {
    const cli = await privateCliCopy(dir);
    for (const k of keys) {
      const config = {
        retries: { maxRetries: 0 },
        providers: [{ id: 'evil', kind: 'openai' as const, baseUrl: hk.baseUrl, apiKeyEnv: 'EVIL_KEY', models: ['m'] }],
      };
      const c = createClient(config, { env: { EVIL_KEY: k } });
      const logs: string[] = [];
      const g = await startGateway({ client: c, token: TOKEN, log: (l) => logs.push(l) });
      try {
        for (const mode of [
          { kind: 'stream-error', message: `denied ${echo(k)}` },
          { kind: 'malformed', data: `{"k":"${k}" ${Buffer.from(k).toString('base64')}` },
        ] as const) {
          hk.setMode(mode);
          const r = await c.complete({ model: 'evil/m', messages: [{ role: 'user', content: 'hi' }] });
          scan('client result', JSON.stringify({ e: r.error, m: r.error?.message, a: r.attempts }), k);
          for (const stream of [true, false]) scan('gateway response', (await chat(g, stream)).body, k);
          const cfgPath = join(dir, 'config.json');
          writeFileSync(cfgPath, JSON.stringify(config));
          const child = spawn(process.execPath, [cli, 'chat', '--model', 'evil/m', '--prompt', 'hi', '--json', '--config', cfgPath], {
            env: { PATH: process.env.PATH ?? '', HOME: dir, XDG_CONFIG_HOME: dir, XDG_CACHE_HOME: dir, XDG_DATA_HOME: dir, XDG_STATE_HOME: dir, EVIL_KEY: k },
          });
          let out = '';
          let err = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          child.stderr.on('data', (d: Buffer) => (err += d.toString()));
          await new Promise((res) => child.on('close', res));
          scan('CLI --json stdout', out, k);
          scan('CLI --json stderr', err, k);
        }
        scan('gateway log', logs.join('\n'), k);
      } finally {
        await g.close();
        await c.close();
      }
    }
  } finally {
    await hk.close();
    rmSync(dir, { recursive: true, force: true });
  }
  figures.push({ label: 'keys echoed by the upstream: outputs searched / key forms found', value: `${searched} / ${hits}` });
  check(
    'keys echoed in stream errors and malformed chunks (3 keys incl. a 6-character one; plain, lower-case and base64 forms)',
    hits === 0,
    `${searched} outputs searched (client result, gateway responses and log, CLI --json stdout and stderr); ${hits} key forms found${where.size ? `: ${[...where].map(([l, n]) => `${l} ${n}`).join(', ')}` : ''}`,
  );

  writeArtifact({
    name: 'security-attacks',
    security: true,
    title: 'Attacks: endless answers, connection floods, keys echoed by the upstream',
    generatedAt: new Date().toISOString(),
    durationMs: Date.now() - t0,
    pass,
    figures,
    table: { columns: ['attack', 'observed', 'pass'], rows },
  });
  assert.ok(pass, JSON.stringify(rows, null, 2));
});
