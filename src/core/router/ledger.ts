/**
 * The usage ledger: one entry per answered request, behind a small storage interface.
 * The JSONL store appends one whole line per write; a crash mid-write can leave at most
 * a torn last line, which readers skip and the next append starts after.
 */
import { appendFile, mkdir, open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { homedir } from 'node:os';
import { z } from 'zod';

export const LedgerEntrySchema = z.object({
  ts: z.string(),
  /** What was asked for (a model or a route). */
  model: z.string(),
  answeredBy: z.string().nullable(),
  inputTokens: z.number().nullable(),
  outputTokens: z.number().nullable(),
  cachedInputTokens: z.number().nullable().default(null),
  reasoningTokens: z.number().nullable().default(null),
  costUsd: z.number().nullable(),
  /** Which front end asked: cli, gateway, vscode, … */
  frontEnd: z.string(),
  ok: z.boolean(),
});
export type LedgerEntry = z.infer<typeof LedgerEntrySchema>;

export interface UsageStore {
  append(entry: LedgerEntry): Promise<void>;
  readAll(): Promise<LedgerEntry[]>;
}

/** Spend so far, for budgets. Unknown-cost entries are counted apart, never as $0. */
export interface SpendTotals {
  today: number;
  month: number;
  unknownCostToday: number;
}

export function localDayKey(t: number): string {
  const d = new Date(t);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export function totalsAt(entries: LedgerEntry[], now: number): SpendTotals {
  const day = localDayKey(now);
  const month = day.slice(0, 7);
  const out: SpendTotals = { today: 0, month: 0, unknownCostToday: 0 };
  for (const e of entries) {
    const k = localDayKey(Date.parse(e.ts));
    if (k.slice(0, 7) !== month) continue;
    if (e.costUsd === null) {
      if (k === day) out.unknownCostToday++;
      continue;
    }
    out.month += e.costUsd;
    if (k === day) out.today += e.costUsd;
  }
  return out;
}

export function defaultLedgerPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'switchboard', 'usage.jsonl');
}

export class JsonlUsageStore implements UsageStore {
  readonly path: string;
  private checkedTail = false;
  /** Entries parsed so far and the byte offset just past the last complete line read. */
  private cache: { entries: LedgerEntry[]; offset: number } = { entries: [], offset: 0 };
  /** Appends are serialized so concurrent requests never interleave bytes. */
  private chain: Promise<void> = Promise.resolve();

  constructor(path: string) {
    this.path = path;
  }

  append(entry: LedgerEntry): Promise<void> {
    const next = this.chain.then(() => this.write(entry));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async write(entry: LedgerEntry): Promise<void> {
    let prefix = '';
    if (!this.checkedTail) {
      await mkdir(dirname(this.path), { recursive: true });
      prefix = (await this.endsMidLine()) ? '\n' : '';
      this.checkedTail = true;
    }
    await appendFile(this.path, prefix + JSON.stringify(entry) + '\n', { mode: 0o600 });
  }

  /** True when the file's last byte is not a newline (a torn write from a crash). */
  private async endsMidLine(): Promise<boolean> {
    let fh;
    try {
      fh = await open(this.path, 'r');
    } catch {
      return false;
    }
    try {
      const { size } = await fh.stat();
      if (size === 0) return false;
      const buf = Buffer.alloc(1);
      await fh.read(buf, 0, 1, size - 1);
      return buf[0] !== 0x0a;
    } finally {
      await fh.close();
    }
  }

  /**
   * Every entry so far. Budgets read this before each request, so the file is read incrementally:
   * only the complete lines appended since the last call (by this or another process) are parsed.
   */
  async readAll(): Promise<LedgerEntry[]> {
    let fh;
    try {
      fh = await open(this.path, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        this.cache = { entries: [], offset: 0 };
        return [];
      }
      throw e;
    }
    try {
      const { size } = await fh.stat();
      // Truncated or replaced: start over.
      if (size < this.cache.offset) this.cache = { entries: [], offset: 0 };
      if (size > this.cache.offset) {
        const buf = Buffer.alloc(size - this.cache.offset);
        const { bytesRead } = await fh.read(buf, 0, buf.length, this.cache.offset);
        // Only complete lines: a line without its newline may still be being written.
        const end = buf.subarray(0, bytesRead).lastIndexOf(0x0a) + 1;
        for (const line of buf.subarray(0, end).toString('utf8').split('\n')) {
          if (!line.trim()) continue;
          try {
            const r = LedgerEntrySchema.safeParse(JSON.parse(line));
            if (r.success) this.cache.entries.push(r.data);
          } catch {
            /* a torn line from a crash: skip it, keep the rest */
          }
        }
        this.cache.offset += end;
      }
      return [...this.cache.entries];
    } finally {
      await fh.close();
    }
  }
}

/** In-memory store (tests, and a base the extension's storage can mirror). */
export class MemoryUsageStore implements UsageStore {
  readonly entries: LedgerEntry[] = [];
  async append(entry: LedgerEntry): Promise<void> {
    this.entries.push(entry);
  }
  async readAll(): Promise<LedgerEntry[]> {
    return [...this.entries];
  }
}

/** Spend by day and by model, for `switchboard usage`. */
export interface UsageReport {
  since: string | null;
  requests: number;
  totalUsd: number;
  unknownCostRequests: number;
  byDay: { day: string; requests: number; costUsd: number; unknownCost: number }[];
  byModel: { model: string; requests: number; inputTokens: number; outputTokens: number; costUsd: number; unknownCost: number }[];
}

export function summarize(entries: LedgerEntry[], sinceMs: number | null): UsageReport {
  const days = new Map<string, UsageReport['byDay'][number]>();
  const models = new Map<string, UsageReport['byModel'][number]>();
  let total = 0;
  let unknown = 0;
  let n = 0;
  for (const e of entries) {
    const t = Date.parse(e.ts);
    if (sinceMs !== null && t < sinceMs) continue;
    n++;
    const day = localDayKey(t);
    const d = days.get(day) ?? { day, requests: 0, costUsd: 0, unknownCost: 0 };
    const key = e.answeredBy ?? e.model;
    const m = models.get(key) ?? { model: key, requests: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, unknownCost: 0 };
    d.requests++;
    m.requests++;
    m.inputTokens += e.inputTokens ?? 0;
    m.outputTokens += e.outputTokens ?? 0;
    if (e.costUsd === null) {
      d.unknownCost++;
      m.unknownCost++;
      unknown++;
    } else {
      d.costUsd += e.costUsd;
      m.costUsd += e.costUsd;
      total += e.costUsd;
    }
    days.set(day, d);
    models.set(key, m);
  }
  return {
    since: sinceMs === null ? null : new Date(sinceMs).toISOString(),
    requests: n,
    totalUsd: total,
    unknownCostRequests: unknown,
    byDay: [...days.values()].sort((a, b) => a.day.localeCompare(b.day)),
    byModel: [...models.values()].sort((a, b) => b.costUsd - a.costUsd || a.model.localeCompare(b.model)),
  };
}
