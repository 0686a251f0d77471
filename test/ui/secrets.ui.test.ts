// Secrets scan after a scripted session in the real VS Code (code-server + Chromium): keys for three
// providers (OpenAI, Anthropic, Google Gemini — each a fake speaking its real wire format, each
// demanding its own distinctive random key) are typed into "Switchboard: Set API Key", then the
// session chats, compares, starts the local gateway from the palette, copies its token and calls it.
// Then every place a key could leak is searched for every key (and the gateway token):
//
//   - the browser side, logically: every IndexedDB database and record, localStorage and
//     sessionStorage of the workbench origin (VS Code for the Web keeps global/workspace state,
//     the renderer's logs and SecretStorage there), and the DOM of the workbench and of every
//     webview frame (what the views show and hold);
//   - the server side and the browser profile, byte by byte (test/evidence/secretsScan.ts): the
//     user data folder (settings.json, logs — server, extension host, the Switchboard output
//     channel —, globalStorage with the usage ledger and catalog cache, workspaceStorage, any
//     state.vscdb), code-server's own log, the extensions folder, the workspace, the whole Chromium
//     profile, and the repo's .artifacts/; plus the gateway's HTTP responses.
//
// SecretStorage must hold the keys, so the store has to be identified. In code-server 4.139 it is VS
// Code for the Web's LocalStorageSecretStorageProvider: ONE localStorage item, "secrets.provider", of
// the workbench origin, AES-GCM sealed with a key split between the server and the browser. The test
// proves that item is the store (it grows with every secret stored: three keys, then the gateway
// token) — and since it is sealed, it is scanned like everything else and NOTHING is excluded. (Older
// VS Code web builds kept `secret://{"extensionId":…,"key":…}` records in IndexedDB; such records of
// this extension would be the only exclusion, and none exist here.) Canaries planted in a file of
// every scanned root (UTF-8 and UTF-16) and in localStorage must be found, so the scan cannot pass
// vacuously.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import {
  artifactsDir,
  closeQuickInput,
  findWebview,
  openUiSession,
  pickQuickInputItem,
  quickInputItems,
  readClipboard,
  runCommand,
  screenshot,
  UI_SERVER_ENV,
  waitForNotification,
  type UiSession,
} from '../../scripts/vscode/harness.mjs';
import { writeArtifact } from '../evidence/lib.ts';
import { scanBuffer, scanFiles, type Hit, type Secret } from '../evidence/secretsScan.ts';
import { startFakeProvider, type FakeServer } from '../fakes/server.ts';

const hex = (n: number): string => randomBytes(n).toString('hex');
function secret(label: string, prefix: string): Secret {
  const core = `sbscan${hex(12)}`;
  return { label, value: `${prefix}${core}${hex(4)}`, core };
}
const KEYS = {
  openai: secret('OpenAI key', 'sk-proj-'),
  anthropic: secret('Anthropic key', 'sk-ant-api03-'),
  google: secret('Gemini key', 'AIza'),
};
const ANSWER = { openai: 'OpenAI fake answer for the scan.', anthropic: 'Anthropic fake answer for the scan.', gemini: 'Gemini fake answer for the scan.' };
const CODE = 'export function area(r) {\n  return Math.PI * r * r;\n}\n';
/** Exactly VS Code's browser SecretStorage records of this extension. */
const SECRET_STORE_KEY = /^secret:\/\/\{"extensionId":"switchboard\.switchboard","key":"switchboard\.(?:[a-z0-9_-]+\.apiKey|gateway\.token)"\}$/;

let ui: UiSession;
const fakes: Record<'openai' | 'anthropic' | 'gemini', FakeServer> = {} as never;
let settingsFile: string | null = null;
let savedSettings: string | null = null;
const started = Date.now();
const steps: string[] = [];

function writeUserSettings(userDataDir: string, extra: Record<string, unknown>): void {
  settingsFile = join(userDataDir, 'User', 'settings.json');
  savedSettings = readFileSync(settingsFile, 'utf8');
  writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(savedSettings), ...extra }, null, 2) + '\n');
}

const chatPosts = (f: FakeServer) => f.requests.filter((r) => r.method === 'POST' && /chat\/completions|messages|generateContent/i.test(r.path));

/** Checks to run whenever a fake provider is asked for an answer (see `answering`). */
const onAnswer = new Set<() => void>();

/** A fake's answer that also tells the waiters that a request arrived (it is recorded by then). */
function answering(text: string): () => { text: string; usage: { input: number; output: number } } {
  return () => {
    for (const check of [...onAnswer]) check();
    return { text, usage: { input: 30, output: 8 } };
  };
}

/** Resolves when `cond` holds, checked now and at every answer a fake gives; no polling. */
function whenAnswered(what: string, cond: () => boolean, timeoutMs = 30_000): Promise<void> {
  if (cond()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (!cond()) return;
      onAnswer.delete(check);
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      onAnswer.delete(check);
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    onAnswer.add(check);
  });
}

/** The row of the open quick pick labelled exactly `id` (model rows: id as label, name as description). */
const modelRow = (page: Page, id: string) =>
  page
    .locator('.quick-input-widget .quick-input-list .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${id.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`) }) })
    .first();

before(async () => {
  fakes.openai = await startFakeProvider('openai', { apiKey: KEYS.openai.value });
  fakes.anthropic = await startFakeProvider('anthropic', { apiKey: KEYS.anthropic.value });
  fakes.gemini = await startFakeProvider('gemini', { apiKey: KEYS.google.value });
  fakes.openai.setDefault(answering(ANSWER.openai));
  fakes.anthropic.setDefault(answering(ANSWER.anthropic));
  fakes.gemini.setDefault(answering(ANSWER.gemini));
  const settings = {
    'switchboard.providers': [
      { id: 'openai', baseUrl: fakes.openai.baseUrl },
      { id: 'anthropic', baseUrl: fakes.anthropic.baseUrl },
      { id: 'google', baseUrl: fakes.gemini.baseUrl },
    ],
    // Log as much as the extension ever logs: a leak in a verbose line counts too.
    'switchboard.verboseLogging': true,
  };
  const shared = process.env[UI_SERVER_ENV];
  if (shared) writeUserSettings((JSON.parse(shared) as { userDataDir: string }).userDataDir, settings);
  ui = await openUiSession({ files: { 'circle.js': CODE }, settings });
  await ui.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ui.server.url });
});

after(async () => {
  await ui?.close();
  if (settingsFile && savedSettings !== null) writeFileSync(settingsFile, savedSettings);
  for (const f of Object.values(fakes)) await f?.close();
});

/** VS Code for the Web's SecretStorage: one localStorage item, AES-GCM sealed (see the note above). */
const SECRET_STORE_ITEM = 'secrets.provider';
const storeSnapshots: { after: string; length: number }[] = [];
async function snapshotStore(page: Page, after: string): Promise<void> {
  const v = await page.evaluate((k) => localStorage.getItem(k), SECRET_STORE_ITEM);
  storeSnapshots.push({ after, length: v?.length ?? 0 });
}

async function setKey(page: Page, label: string, key: string): Promise<void> {
  await runCommand(page, 'Switchboard: Set API Key', { timeoutMs: 60_000 });
  assert.ok(await pickQuickInputItem(page, label, { timeoutMs: 15_000 }), `no ${label} item; saw ${JSON.stringify(await quickInputItems(page))}`);
  const input = page.locator('.quick-input-widget .quick-input-box input[type=password]');
  await input.waitFor({ timeout: 10_000 });
  await input.fill(key);
  await page.keyboard.press('Enter');
  const t = await waitForNotification(page, new RegExp(`${label.split(' ').at(-1)} key saved`), { timeoutMs: 30_000 });
  assert.match(await t.innerText(), /verified/);
  steps.push(`Set API Key (${label}) through the palette prompt: saved and verified`);
  await snapshotStore(page, `${label} key stored`);
}

/** Types into the open quick input (a filter or an input box); callers wait for the row they want. */
async function quickInputFilter(page: Page, text: string): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible' });
  await input.fill(text);
}

/** Every frame's DOM (workbench and webviews), for the keys. */
async function frameTexts(page: Page): Promise<{ where: string; text: string }[]> {
  const out: { where: string; text: string }[] = [];
  for (const f of page.frames()) {
    const text = await f.evaluate(() => document.documentElement.outerHTML + '\n' + (document.body?.innerText ?? '')).catch(() => null);
    if (text !== null) out.push({ where: `DOM of ${frameName(f)}`, text });
  }
  return out;
}

function frameName(f: Frame): string {
  const u = f.url();
  return u.length > 90 ? `${u.slice(0, 90)}…` : u || '(about:blank)';
}

interface StoredRecord {
  where: string;
  key: string;
  text: string;
}

/** Every IndexedDB record and Web Storage entry a frame's origin holds, as text. */
async function browserStorage(frame: Frame): Promise<StoredRecord[]> {
  return frame.evaluate(async () => {
    const out: { where: string; key: string; text: string }[] = [];
    const asText = (v: unknown): string => {
      if (typeof v === 'string') return v;
      if (v instanceof ArrayBuffer) return new TextDecoder().decode(v);
      if (ArrayBuffer.isView(v)) return new TextDecoder().decode(v as Uint8Array);
      try {
        return JSON.stringify(v, (_k, x: unknown) => (ArrayBuffer.isView(x) ? new TextDecoder().decode(x as Uint8Array) : x)) ?? String(v);
      } catch {
        return String(v);
      }
    };
    const origin = location.origin;
    for (const [name, store] of [
      ['localStorage', localStorage],
      ['sessionStorage', sessionStorage],
    ] as const) {
      for (let i = 0; i < store.length; i++) {
        const k = store.key(i)!;
        out.push({ where: `${origin} ${name}`, key: k, text: store.getItem(k) ?? '' });
      }
    }
    const dbs = await indexedDB.databases();
    for (const info of dbs) {
      if (!info.name) continue;
      const db = await new Promise<IDBDatabase>((res, rej) => {
        const r = indexedDB.open(info.name!);
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      for (const storeName of Array.from(db.objectStoreNames)) {
        const tx = db.transaction(storeName, 'readonly');
        const store = tx.objectStore(storeName);
        const [keys, values] = await Promise.all([
          new Promise<IDBValidKey[]>((res, rej) => {
            const r = store.getAllKeys();
            r.onsuccess = () => res(r.result);
            r.onerror = () => rej(r.error);
          }),
          new Promise<unknown[]>((res, rej) => {
            const r = store.getAll();
            r.onsuccess = () => res(r.result);
            r.onerror = () => rej(r.error);
          }),
        ]);
        keys.forEach((k, i) => out.push({ where: `${origin} IndexedDB ${info.name}/${storeName}`, key: asText(k), text: asText(values[i]) }));
      }
      db.close();
    }
    return out;
  });
}

test('no key or token anywhere after a scripted session (chat, compare, gateway)', { timeout: 10 * 60_000 }, async () => {
  const { page } = ui;
  try {
    // ── The session ──
    await snapshotStore(page, 'start');
    await setKey(page, 'OpenAI', KEYS.openai.value);
    await setKey(page, 'Anthropic', KEYS.anthropic.value);
    await setKey(page, 'Google Gemini', KEYS.google.value);

    await runCommand(page, 'Switchboard: Switch Model');
    await quickInputFilter(page, 'anthropic/claude-sonnet-4');
    // The switcher refreshes the catalog while it is open and then replaces its rows: a click during that
    // lands on a row that is being swapped out. Wait for the refresh (the quick input's progress bar) to end.
    await page.locator('.quick-input-widget .quick-input-progress.active').waitFor({ state: 'detached', timeout: 30_000 });
    // Click the model's own row: Enter would take whatever is first (the switcher may add a "Use …" row for typed ids).
    await modelRow(page, 'anthropic/claude-sonnet-4-20250514').click();
    await page.locator('.statusbar', { hasText: 'claude-sonnet-4' }).first().waitFor({ timeout: 15_000 });
    await closeQuickInput(page);
    steps.push('Switch Model → anthropic/claude-sonnet-4-20250514');

    // Chat: a question about the selection, answered by Anthropic into the chat view.
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'circle.js' }).first().click();
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+A');
    const before = chatPosts(fakes.anthropic).length;
    await runCommand(page, 'Switchboard: Ask About Selection…');
    await quickInputFilter(page, 'What does this compute?');
    await page.keyboard.press('Enter');
    await whenAnswered('the chat request at Anthropic', () => chatPosts(fakes.anthropic).length > before);
    await findWebview(page, (f) => f.getByText(ANSWER.anthropic), { what: 'the answer in the chat view' });
    steps.push('Ask About Selection → answered in the chat view (Anthropic)');
    await screenshot(page, 'secrets-scan-chat');

    // Compare: OpenAI and Gemini side by side.
    const o0 = chatPosts(fakes.openai).length;
    const g0 = chatPosts(fakes.gemini).length;
    await runCommand(page, 'Switchboard: Compare Models…');
    await quickInputFilter(page, 'Name three uses of a switchboard');
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget .quick-input-list .monaco-list-row').first().waitFor();
    // A model's row is labelled with its id: pick rows by their label, tick the box.
    for (const model of ['google/gemini-2.5-flash', 'openai/gpt-4o-mini']) {
      await quickInputFilter(page, model);
      const box = modelRow(page, model).locator('.monaco-checkbox[role=checkbox]');
      await box.waitFor({ timeout: 10_000 });
      if ((await box.getAttribute('aria-checked')) !== 'true') await box.click();
      await modelRow(page, model).locator('.monaco-checkbox[role=checkbox][aria-checked=true]').waitFor({ timeout: 5000 });
    }
    await quickInputFilter(page, '');
    await page.keyboard.press('Enter');
    await closeQuickInput(page);
    await whenAnswered(
      `the compare requests at OpenAI and Gemini (before: ${o0}, ${g0})`,
      () => chatPosts(fakes.openai).length > o0 && chatPosts(fakes.gemini).length > g0,
    ).catch((e: Error) => {
      const last = (f: FakeServer) =>
        f.requests
          .slice(-3)
          .map((r) => `${r.method} ${r.path}`)
          .join(', ');
      throw new Error(
        `${e.message}; now ${chatPosts(fakes.openai).length}, ${chatPosts(fakes.gemini).length}; openai saw ${last(fakes.openai)}; gemini saw ${last(fakes.gemini)}`,
      );
    });
    const panel = await findWebview(page, 'section.setup', { what: 'the comparison panel' });
    await panel.locator('section.column .entry-text', { hasText: ANSWER.openai }).waitFor({ timeout: 30_000 });
    await panel.locator('section.column .entry-text', { hasText: ANSWER.gemini }).waitFor({ timeout: 30_000 });
    steps.push('Compare Models → OpenAI and Gemini answered side by side');
    await screenshot(page, 'secrets-scan-compare');

    // The gateway, from the palette; the token copied from the notification.
    await runCommand(page, 'Switchboard: Start Local Gateway');
    const t = await waitForNotification(page, /gateway (started|is running) at/);
    const url = /(http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(await t.innerText())?.[1];
    assert.ok(url, 'the notification shows the URL');
    await screenshot(page, 'secrets-scan-gateway');
    await t.locator('a.monaco-button, .monaco-button', { hasText: 'Copy Token' }).first().click();
    // The clipboard as the page sees it, read until the token is there (the copy runs in the extension host).
    const token = await readClipboard(page, (t) => t.length >= 43);
    assert.ok(token.length >= 43 && !token.startsWith('error:'), `Copy Token put no token on the clipboard: ${JSON.stringify(token.slice(0, 60))}`);
    await snapshotStore(page, 'gateway token made');
    const gatewayResponses: string[] = [];
    for (const model of ['openai/gpt-4o-mini', 'anthropic/claude-sonnet-4-20250514', 'google/gemini-2.5-flash']) {
      const res: Response = await fetch(`${url}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
      });
      const body = await res.text();
      gatewayResponses.push(body);
      assert.equal(res.status, 200, `gateway ${model}: ${res.status} ${body.slice(0, 300)}`);
    }
    // An upstream failure whose error text quotes the key in full (the worst a provider could do):
    // neither the gateway's answer nor any log may carry it.
    fakes.openai.enqueue({ status: 401, errorMessage: `Incorrect API key provided: ${KEYS.openai.value}.` });
    const failed: Response = await fetch(`${url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
    });
    gatewayResponses.push(await failed.text());
    const models: Response = await fetch(`${url}/models`, { headers: { authorization: `Bearer ${token}` } });
    gatewayResponses.push(await models.text());
    steps.push(
      `Start Local Gateway from the palette, Copy Token from the notification, ${gatewayResponses.length} gateway calls (3 chat completions, 1 upstream failure, /models)`,
    );

    const secrets: Secret[] = [...Object.values(KEYS), { label: 'gateway token', value: token, core: token.slice(4, 28) }];

    // ── The scan ──
    const hits: Hit[] = [];
    const excluded: { where: string; key: string; secret: string }[] = [];
    // 1. Browser storage of the workbench origin (logically), with the secret store excluded by its exact record keys.
    const records = await browserStorage(page.mainFrame());
    const storeDbs = new Set<string>();
    for (const r of records) {
      const found: Hit[] = [];
      scanBuffer(Buffer.from(`${r.key}\n${r.text}`), secrets, `${r.where} [${r.key.slice(0, 100)}]`, found);
      if (SECRET_STORE_KEY.test(r.key)) {
        storeDbs.add(r.where);
        for (const h of found) excluded.push({ where: r.where, key: r.key, secret: h.secret });
      } else hits.push(...found);
    }
    // Webview frames have origins of their own: their storage and DOM too.
    for (const f of page.frames()) {
      if (f === page.mainFrame()) continue;
      const recs = await browserStorage(f).catch(() => []);
      for (const r of recs) scanBuffer(Buffer.from(`${r.key}\n${r.text}`), secrets, `${r.where} [${r.key.slice(0, 100)}] (frame ${frameName(f)})`, hits);
    }
    const doms = await frameTexts(page);
    for (const d of doms) scanBuffer(Buffer.from(d.text), secrets, d.where, hits);
    for (const [i, body] of gatewayResponses.entries()) scanBuffer(Buffer.from(body), [...Object.values(KEYS)], `gateway response ${i + 1}`, hits);

    // 2. Files: server side, browser profile, workspace, test artifacts.
    const server = ui.server;
    const roots = [server.userDataDir, server.logFile, server.extensionsDir, server.workspace, ui.workspace, ui.profileDir, artifactsDir].filter(
      (p) => p && existsSync(p),
    );
    // The profile's LevelDB folder of the workbench origin's IndexedDB holds the secret store on disk.
    const origin = new URL(server.url);
    const storeFolder = join(ui.profileDir, 'Default', 'IndexedDB', `${origin.protocol.replace(':', '')}_${origin.hostname}_${origin.port}.indexeddb.leveldb`);
    // Canaries: one per root (UTF-8), one UTF-16, in the browser storage too.
    const canary = secret('canary', 'sk-canary-');
    const planted: string[] = [];
    for (const [i, r] of roots.entries()) {
      const dir = r.endsWith('.log') ? join(server.userDataDir, 'logs') : r;
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `sb-canary-${i}.${i % 2 ? 'txt' : 'bin'}`);
      writeFileSync(file, i % 2 ? Buffer.from(`prefix ${canary.value} suffix`, 'utf16le') : Buffer.from(`x${canary.value}y`));
      planted.push(file);
    }
    const scanned = scanFiles(roots, [...secrets, canary]);
    for (const f of planted) rmSync(f, { force: true });
    const canaryFound = scanned.hits.filter((h) => h.secret === 'canary').map((h) => h.where);
    for (const f of planted) assert.ok(canaryFound.includes(f), `the file scan missed the canary in ${f} (found: ${canaryFound.join(', ')})`);
    await page.evaluate((v) => localStorage.setItem('sb-canary', v), canary.value);
    const canaryInStorage = (await browserStorage(page.mainFrame())).some((r) => r.text.includes(canary.value));
    await page.evaluate(() => localStorage.removeItem('sb-canary'));
    assert.ok(canaryInStorage, 'the storage scan missed the localStorage canary');

    const fileHits = scanned.hits.filter((h) => h.secret !== 'canary');
    hits.push(...fileHits);

    if (process.env.SECRETS_SCAN_DEBUG) {
      writeFileSync(
        join(artifactsDir, 'secrets-scan-debug.json'),
        JSON.stringify({ records: records.map((r) => `${r.where} :: ${r.key.slice(0, 160)}`), hits, excluded, storeFolder }, null, 1),
      );
    }
    // The secret store is the one identified: it grew with every secret stored (4 snapshots after 'start').
    const grew = storeSnapshots.every((x, i) => i === 0 || x.length > storeSnapshots[i - 1]!.length);
    const missingFromStore = grew ? [] : ['the secret store did not grow with every secret stored: ' + JSON.stringify(storeSnapshots)];
    const pass = hits.length === 0 && missingFromStore.length === 0;
    writeArtifact({
      name: 'secrets-scan',
      title: 'Secrets scan after a scripted session in a real VS Code',
      generatedAt: new Date().toISOString(),
      durationMs: Date.now() - started,
      pass,
      figures: [
        { label: 'secrets searched', value: `${secrets.length} (OpenAI, Anthropic and Gemini keys typed into Set API Key; the gateway token)` },
        { label: 'hits outside the secret store', value: hits.length },
        { label: 'files scanned', value: scanned.stats.files },
        { label: 'MB scanned', value: Math.round(scanned.stats.bytes / 1e5) / 10 },
        { label: 'browser storage records scanned', value: records.length },
        { label: 'frames (workbench + webviews) scanned', value: doms.length },
        { label: 'gateway responses scanned', value: gatewayResponses.length },
        {
          label: 'secret store',
          value: `localStorage "${SECRET_STORE_ITEM}" of the workbench origin, AES-GCM sealed (no secret in plaintext even there); grew with each of the ${storeSnapshots.length - 1} secrets stored: ${storeSnapshots.map((x) => x.length).join(' → ')} characters`,
        },
        { label: 'records excluded from the scan', value: excluded.length },
        { label: 'canaries planted / found', value: `${planted.length + 1} / ${canaryFound.length + (canaryInStorage ? 1 : 0)}` },
      ],
      table: {
        columns: ['where', 'what'],
        rows: [
          ...roots.map((r) => [
            r.replace(server.userDataDir, '<code-server user data>').replace(ui.profileDir, '<chromium profile>').replace(artifactsDir, '.artifacts'),
            'every file, byte search (UTF-8, UTF-16LE, base64, random core)',
          ]),
          ['<workbench origin> IndexedDB, localStorage, sessionStorage', `${records.length} records, logical read`],
          ['DOM of the workbench and every webview frame', `${doms.length} frames`],
          ['gateway HTTP responses', `${gatewayResponses.length} bodies`],
        ],
      },
      steps,
      secretStore: {
        identifiedAs: `localStorage item "${SECRET_STORE_ITEM}" of the workbench origin (VS Code for the Web's LocalStorageSecretStorageProvider: AES-GCM sealed with a key split between the server and the browser); it is scanned like everything else, nothing is excluded`,
        growth: storeSnapshots,
        databases: [...storeDbs],
        onDisk: storeFolder.replace(ui.profileDir, '<chromium profile>'),
        excluded: excluded.map((e) => ({ ...e, where: e.where.replace(ui.profileDir, '<chromium profile>') })),
      },
      hits: hits.map((h) => ({ ...h, where: h.where.replace(ui.profileDir, '<chromium profile>').replace(server.userDataDir, '<code-server user data>') })),
      unreadable: scanned.stats.unreadable.length,
    });
    assert.deepEqual(hits, [], 'no secret anywhere but the secret store');
    assert.deepEqual(missingFromStore, [], `secrets not found in VS Code's secret store (records: ${[...storeDbs].join(', ') || 'none'})`);
  } catch (e) {
    await screenshot(page, 'secrets-scan-FAILED').catch(() => {});
    throw e;
  }
});
