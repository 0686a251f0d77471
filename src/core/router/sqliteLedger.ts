/**
 * The usage ledger as an SQLite database (node:sqlite, Node ≥ 22.13; the extension host and the
 * tests run Node 24). Every process of the user (CLI runs, the gateway, VS Code) shares one file:
 * WAL mode so readers never wait for writers, a busy timeout so writers queue instead of failing,
 * and BEGIN IMMEDIATE around "check the budget and hold the money" so two processes can never
 * both see the same headroom. A write is a transaction: a full disk leaves whole entries or
 * nothing, and the failure is an error the router reports.
 */
import { chmodSync, existsSync } from 'node:fs';
import { makeDirs } from '../makeDirs.ts';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import { SwitchboardError } from '../errors.ts';
import {
  periodBounds,
  readLegacyJsonl,
  validEntry,
  type LedgerEntry,
  type LedgerEntryInput,
  type ReserveDecision,
  type SpendTotals,
  type UsageStore,
} from './ledger.ts';

type Sqlite = typeof import('node:sqlite');

/** node:sqlite, or a clear error on a Node.js without it (the CLI checks this before it starts). */
export function loadSqlite(): Sqlite {
  let mod: Sqlite | undefined;
  try {
    mod = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule?.('node:sqlite') as Sqlite | undefined;
  } catch {
    mod = undefined;
  }
  if (!mod?.DatabaseSync) {
    throw new SwitchboardError({
      kind: 'config',
      message: `the usage ledger needs SQLite from Node.js 22.13 or newer (node:sqlite), and this is Node.js ${process.version}`,
      fix: 'run Switchboard with Node.js 22.13+ (check with node --version)',
    });
  }
  return mod;
}

/** A reservation older than this is dropped even if its process cannot be checked (another host). */
export const RESERVATION_TTL_MS = 60 * 60 * 1000;

export interface LegacyImport {
  path: string;
  imported: number;
  /** How many lines could not be imported, and the first of them ("line 7: …"). */
  problemCount: number;
  problems: string[];
}

export interface SqliteUsageStoreOptions {
  /** The old JSONL ledger to import once (its entries are copied, the file is left as it was). */
  legacyJsonl?: string | null;
  busyTimeoutMs?: number;
  reservationTtlMs?: number;
  /** Tests: cap the database at this many pages (SQLite then fails writes with "database or disk is full"). */
  maxPageCount?: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS entries (
  id INTEGER PRIMARY KEY,
  ts TEXT NOT NULL,
  ts_ms INTEGER NOT NULL,
  model TEXT NOT NULL,
  answered_by TEXT,
  input_tokens INTEGER,
  output_tokens INTEGER,
  cached_input_tokens INTEGER,
  reasoning_tokens INTEGER,
  cost_usd REAL CHECK (cost_usd IS NULL OR (typeof(cost_usd) IN ('real', 'integer') AND cost_usd >= 0)),
  cost_estimated INTEGER NOT NULL DEFAULT 0,
  front_end TEXT NOT NULL,
  ok INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_ts ON entries (ts_ms);
CREATE TABLE IF NOT EXISTS reservations (
  id INTEGER PRIMARY KEY,
  amount_usd REAL NOT NULL,
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/**
 * Schema changes after the first version, by `PRAGMA user_version`: each runs once per database,
 * inside the opening transaction (so two processes opening an old file never both migrate).
 */
const MIGRATIONS: string[] = [
  // 1: raw usage to recompute costs, and the provider's billed figure next to ours.
  `ALTER TABLE entries ADD COLUMN cache_write_5m_tokens INTEGER;
   ALTER TABLE entries ADD COLUMN cache_write_1h_tokens INTEGER;
   ALTER TABLE entries ADD COLUMN tool_use_prompt_tokens INTEGER;
   ALTER TABLE entries ADD COLUMN billed_usd REAL CHECK (billed_usd IS NULL OR billed_usd >= 0);
   ALTER TABLE entries ADD COLUMN computed_usd REAL CHECK (computed_usd IS NULL OR computed_usd >= 0);`,
  // 2: spend sessions (entries and holds count toward a session cap) and budget alerts fired once.
  `ALTER TABLE entries ADD COLUMN session TEXT;
   CREATE INDEX entries_session ON entries (session) WHERE session IS NOT NULL;
   ALTER TABLE reservations ADD COLUMN session TEXT;
   CREATE TABLE alerts (key TEXT PRIMARY KEY, fired_ms INTEGER NOT NULL);`,
  // 3: requests included in a subscription (VS Code's language models), apart from unknown costs.
  `ALTER TABLE entries ADD COLUMN cost_included INTEGER NOT NULL DEFAULT 0;`,
  // 4: hosted web searches, billed per search, so such a cost can be recomputed.
  `ALTER TABLE entries ADD COLUMN web_searches INTEGER;`,
  // 5: audio tokens of the prompt and the answer, priced apart from text.
  `ALTER TABLE entries ADD COLUMN input_audio_tokens INTEGER;
   ALTER TABLE entries ADD COLUMN output_audio_tokens INTEGER;`,
];

/** Bring the schema up to date; returns the version it is at. */
function migrate(db: DatabaseSync): number {
  let version = Number(db.prepare('PRAGMA user_version').get()!.user_version);
  while (version < MIGRATIONS.length) {
    db.exec(MIGRATIONS[version]!);
    version++;
    db.exec(`PRAGMA user_version = ${version}`);
  }
  return version;
}

export class SqliteUsageStore implements UsageStore {
  readonly location: string;
  private readonly opts: SqliteUsageStoreOptions;
  private db: DatabaseSync | null = null;
  /** Prepared once per connection: preparing per row made a 140k-line import take ~20 s. */
  private statements = new Map<string, StatementSync>();
  private legacy: LegacyImport | null = null;

  constructor(path: string, opts: SqliteUsageStoreOptions = {}) {
    this.location = path;
    this.opts = opts;
  }

  /** What the one-time import of the old JSONL ledger found (null when there was none). */
  legacyImport(): LegacyImport | null {
    this.open();
    return this.legacy;
  }

  async append(entry: LedgerEntryInput): Promise<void> {
    const e = validEntry(entry);
    this.write(() => this.insert(e));
  }

  async readAll(): Promise<LedgerEntry[]> {
    return this.readAllSync();
  }

  private readAllSync(): LedgerEntry[] {
    const rows = this.run(() => this.open().prepare('SELECT * FROM entries ORDER BY id').all());
    return rows.map((r) => ({
      ts: String(r.ts),
      model: String(r.model),
      answeredBy: r.answered_by === null ? null : String(r.answered_by),
      inputTokens: num(r.input_tokens),
      outputTokens: num(r.output_tokens),
      cachedInputTokens: num(r.cached_input_tokens),
      reasoningTokens: num(r.reasoning_tokens),
      costUsd: num(r.cost_usd),
      costEstimated: r.cost_estimated === 1,
      costIncluded: r.cost_included === 1,
      cacheWrite5mTokens: num(r.cache_write_5m_tokens),
      cacheWrite1hTokens: num(r.cache_write_1h_tokens),
      toolUsePromptTokens: num(r.tool_use_prompt_tokens),
      webSearches: num(r.web_searches),
      inputAudioTokens: num(r.input_audio_tokens),
      outputAudioTokens: num(r.output_audio_tokens),
      billedUsd: num(r.billed_usd),
      computedUsd: num(r.computed_usd),
      frontEnd: String(r.front_end),
      ok: r.ok === 1,
      session: r.session === null || r.session === undefined ? null : String(r.session),
    }));
  }

  async totals(now: number, session: string | null = null): Promise<SpendTotals> {
    return this.run(() => this.spend(now, session));
  }

  async reserve<T>(now: number, decide: (spent: SpendTotals) => ReserveDecision<T>, session: string | null = null): Promise<{ id: number | null; value: T }> {
    return this.write((db) => {
      this.dropStale(db, now);
      const d = decide(this.spend(now, session));
      if (d.hold === null) return { id: null, value: d.value };
      const r = this.stmt(db, 'INSERT INTO reservations (amount_usd, created_ms, expires_ms, pid, host, session) VALUES (?, ?, ?, ?, ?, ?)').run(
        d.hold,
        now,
        now + (this.opts.reservationTtlMs ?? RESERVATION_TTL_MS),
        process.pid,
        hostname(),
        session,
      );
      return { id: Number(r.lastInsertRowid), value: d.value };
    });
  }

  async claimAlerts(keys: readonly string[], now: number): Promise<string[]> {
    if (keys.length === 0) return [];
    return this.write((db) => {
      const fresh: string[] = [];
      const insert = this.stmt(db, 'INSERT OR IGNORE INTO alerts (key, fired_ms) VALUES (?, ?)');
      for (const k of new Set(keys)) if (Number(insert.run(k, now).changes) > 0) fresh.push(k);
      return fresh;
    });
  }

  async settle(id: number, entry: LedgerEntryInput): Promise<void> {
    const e = validEntry(entry);
    this.write((db) => {
      this.stmt(db, 'DELETE FROM reservations WHERE id = ?').run(id);
      this.insert(e);
    });
  }

  async release(id: number): Promise<void> {
    this.write((db) => this.stmt(db, 'DELETE FROM reservations WHERE id = ?').run(id));
  }

  /**
   * Copies the entries of another ledger database in, once per source (a meta row remembers it):
   * the extension kept its own ledger before it shared this one. Returns how many were copied
   * (null: no such file, or already done).
   */
  importLedgerOnce(path: string): number | null {
    if (path === this.location || !existsSync(path)) return null;
    const key = `ledger_import:${path}`;
    const done = (db: DatabaseSync): boolean => this.stmt(db, 'SELECT 1 AS one FROM meta WHERE key = ?').get(key) !== undefined;
    if (this.run(() => done(this.open()))) return null;
    const source = new SqliteUsageStore(path);
    let entries: LedgerEntry[];
    try {
      entries = this.run(() => source.readAllSync());
    } finally {
      source.close();
    }
    return this.write((db) => {
      if (done(db)) return null;
      for (const e of entries) this.insert(e, db);
      this.stmt(db, 'INSERT INTO meta (key, value) VALUES (?, ?)').run(key, JSON.stringify({ imported: entries.length }));
      return entries.length;
    });
  }

  close(): void {
    this.statements.clear();
    this.db?.close();
    this.db = null;
  }

  private stmt(db: DatabaseSync, sql: string): StatementSync {
    let st = this.statements.get(sql);
    if (!st) {
      st = db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  // ── Internals ──

  private open(): DatabaseSync {
    if (this.db) return this.db;
    const { DatabaseSync } = loadSqlite();
    let db: DatabaseSync | null = null;
    try {
      makeDirs(dirname(this.location), 0o700);
      const timeoutMs = this.opts.busyTimeoutMs ?? 10_000;
      db = new DatabaseSync(this.location, { timeout: timeoutMs });
      // WAL: readers never block the writer; FULL: a committed entry survives a power cut.
      useWal(db, timeoutMs);
      db.exec('PRAGMA synchronous = FULL;');
      if (this.opts.maxPageCount !== undefined) db.exec(`PRAGMA max_page_count = ${Math.floor(this.opts.maxPageCount)}`);
      const conn = db;
      inTransaction(conn, () => {
        conn.exec(SCHEMA);
        migrate(conn);
      });
      try {
        chmodSync(this.location, 0o600);
      } catch {
        /* not ours to change (a shared file): the data is not secret, only private */
      }
      this.legacy = this.importLegacy(conn);
    } catch (e) {
      db?.close();
      throw this.failure(e);
    }
    this.db = db;
    return db;
  }

  /** Copies the old JSONL ledger in, once per database (the meta row says it was done). */
  private importLegacy(db: DatabaseSync): LegacyImport | null {
    const path = this.opts.legacyJsonl;
    const read = (): LegacyImport | null => {
      const row = db.prepare("SELECT value FROM meta WHERE key = 'legacy_import'").get();
      return row ? (JSON.parse(String(row.value)) as LegacyImport) : null;
    };
    if (!path) return read();
    return inTransaction(db, () => {
      const done = read();
      if (done) return done;
      const legacy = readLegacyJsonl(path);
      if (!legacy) return null;
      for (const e of legacy.entries) this.insert(e, db);
      const report: LegacyImport = { path, imported: legacy.entries.length, problemCount: legacy.problems.length, problems: legacy.problems.slice(0, 20) };
      db.prepare("INSERT INTO meta (key, value) VALUES ('legacy_import', ?)").run(JSON.stringify(report));
      return report;
    });
  }

  private insert(e: LedgerEntry, db: DatabaseSync = this.open()): void {
    const row: SQLInputValue[] = [
      e.ts,
      Date.parse(e.ts),
      e.model,
      e.answeredBy,
      e.inputTokens,
      e.outputTokens,
      e.cachedInputTokens,
      e.reasoningTokens,
      e.costUsd,
      e.costEstimated ? 1 : 0,
      e.cacheWrite5mTokens,
      e.cacheWrite1hTokens,
      e.toolUsePromptTokens,
      e.billedUsd,
      e.computedUsd,
      e.frontEnd,
      e.ok ? 1 : 0,
      e.session,
      e.costIncluded ? 1 : 0,
      e.webSearches,
      e.inputAudioTokens,
      e.outputAudioTokens,
    ];
    this.stmt(
      db,
      'INSERT INTO entries (ts, ts_ms, model, answered_by, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_usd, cost_estimated, ' +
        'cache_write_5m_tokens, cache_write_1h_tokens, tool_use_prompt_tokens, billed_usd, computed_usd, front_end, ok, session, cost_included, web_searches, ' +
        'input_audio_tokens, output_audio_tokens) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(...row);
  }

  private spend(now: number, session: string | null): SpendTotals {
    const db = this.open();
    const b = periodBounds(now);
    const s = this.stmt(
      db,
      'SELECT COALESCE(SUM(CASE WHEN ts_ms >= :ds AND ts_ms < :de THEN cost_usd END), 0) AS today, COALESCE(SUM(cost_usd), 0) AS month, ' +
        'COALESCE(SUM(CASE WHEN cost_usd IS NULL AND cost_included = 0 AND ts_ms >= :ds AND ts_ms < :de THEN 1 ELSE 0 END), 0) AS unknown, ' +
        'COALESCE(SUM(CASE WHEN cost_included = 1 AND ts_ms >= :ds AND ts_ms < :de THEN 1 ELSE 0 END), 0) AS included, ' +
        'COALESCE(SUM(CASE WHEN ts_ms >= :ds AND ts_ms < :de THEN 1 ELSE 0 END), 0) AS requests FROM entries WHERE ts_ms >= :ms AND ts_ms < :me',
    ).get({ ds: b.dayStart, de: b.dayEnd, ms: b.monthStart, me: b.monthEnd })!;
    const h = this.stmt(
      db,
      'SELECT COALESCE(SUM(amount_usd), 0) AS held, COALESCE(SUM(CASE WHEN session = :s THEN amount_usd END), 0) AS mine FROM reservations WHERE expires_ms > :now',
    ).get({ now, s: session })!;
    const held = Number(h.held);
    const mine = session === null ? 0 : Number(h.mine);
    let sess = { usd: 0, requests: 0, unknown: 0, included: 0 };
    if (session !== null) {
      const r = this.stmt(
        db,
        'SELECT COALESCE(SUM(cost_usd), 0) AS usd, COUNT(*) AS requests, COALESCE(SUM(CASE WHEN cost_usd IS NULL AND cost_included = 0 THEN 1 ELSE 0 END), 0) AS unknown, ' +
          'COALESCE(SUM(cost_included), 0) AS included FROM entries WHERE session = ?',
      ).get(session)!;
      sess = { usd: Number(r.usd), requests: Number(r.requests), unknown: Number(r.unknown), included: Number(r.included) };
    }
    return {
      today: Number(s.today) + held,
      month: Number(s.month) + held,
      unknownCostToday: Number(s.unknown),
      reserved: held,
      session: sess.usd + mine,
      sessionReserved: mine,
      requestsToday: Number(s.requests),
      sessionRequests: sess.requests,
      unknownCostSession: sess.unknown,
      includedToday: Number(s.included),
      includedSession: sess.included,
    };
  }

  /** Reservations past their time, and those of processes on this machine that have died. */
  private dropStale(db: DatabaseSync, now: number): void {
    this.stmt(db, 'DELETE FROM reservations WHERE expires_ms <= ?').run(now);
    const host = hostname();
    for (const r of this.stmt(db, 'SELECT DISTINCT pid FROM reservations WHERE host = ? AND pid != ?').all(host, process.pid)) {
      const pid = Number(r.pid);
      if (!processAlive(pid)) this.stmt(db, 'DELETE FROM reservations WHERE host = ? AND pid = ?').run(host, pid);
    }
  }

  /** A read; errors name the ledger. */
  private run<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw this.failure(e);
    }
  }

  /** A write transaction (BEGIN IMMEDIATE: the write lock first, so a check-then-hold is atomic across processes). */
  private write<T>(fn: (db: DatabaseSync) => T): T {
    return this.run(() => {
      const db = this.open();
      return inTransaction(db, () => fn(db));
    });
  }

  private failure(e: unknown): Error {
    if (e instanceof SwitchboardError || e instanceof LedgerError) return e;
    const msg = (e as Error)?.message ?? String(e);
    return new LedgerError(`the usage ledger ${this.location} cannot be used: ${msg}`, e);
  }
}

/** The ledger cannot be opened, read or written: the message names the file and the cause. */
export class LedgerError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'LedgerError';
  }
}

function inTransaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const out = fn();
    db.exec('COMMIT');
    return out;
  } catch (e) {
    try {
      db.exec('ROLLBACK');
    } catch {
      /* SQLite already rolled back (a full disk does that) */
    }
    throw e;
  }
}

/**
 * The journal in WAL mode. Converting a file to WAL needs it to itself, and SQLite answers "database
 * is locked" at once, without its busy handler, while another connection holds a write lock (two
 * processes opening a new ledger together): the conversion is tried again until `timeoutMs`. A file
 * in WAL mode already (every open after the first) takes no lock here. A conversion SQLite declines
 * without an error (a file system without shared memory) leaves the journal as it was: WAL is speed,
 * BEGIN IMMEDIATE keeps reservations atomic in any mode.
 */
export function useWal(db: DatabaseSync, timeoutMs: number): void {
  const mode = (): string => String(db.prepare('PRAGMA journal_mode').get()?.journal_mode).toLowerCase();
  const deadline = Date.now() + timeoutMs;
  for (let waitMs = 2; ; waitMs = Math.min(waitMs * 2, 100)) {
    try {
      if (mode() !== 'wal') db.exec('PRAGMA journal_mode = WAL');
      return;
    } catch (e) {
      if (!isBusy(e) || Date.now() >= deadline) throw e;
      sleepSync(Math.min(waitMs, Math.max(1, deadline - Date.now())));
    }
  }
}

/** SQLITE_BUSY or SQLITE_LOCKED, extended codes included (node:sqlite puts the code in `errcode`). */
function isBusy(e: unknown): boolean {
  const code = (e as { errcode?: unknown })?.errcode;
  return typeof code === 'number' && ((code & 0xff) === 5 || (code & 0xff) === 6);
}

/** Blocks the thread (the ledger's API is synchronous, as SQLite's own busy handler is). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function num(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The store for a ledger path. A `.jsonl` path (the old format, e.g. an old SWITCHBOARD_LEDGER)
 * becomes the `.sqlite` next to it; the `.jsonl` next to a `.sqlite` is imported once.
 */
export function openLedgerAt(path: string, opts: Omit<SqliteUsageStoreOptions, 'legacyJsonl'> = {}): SqliteUsageStore {
  const db = path.endsWith('.jsonl') ? `${path.slice(0, -'.jsonl'.length)}.sqlite` : path;
  const legacy = db.endsWith('.sqlite') ? `${db.slice(0, -'.sqlite'.length)}.jsonl` : null;
  return new SqliteUsageStore(db, { ...opts, legacyJsonl: legacy });
}
