/**
 * Which layer of a switchboard.* setting may be used, and which workspace values deserve a
 * warning. A repository's .vscode/settings.json is not the user: in Restricted Mode its values of
 * the money and privacy settings are ignored; in a trusted workspace, one that sends a preset's
 * requests (and its key) elsewhere is held until the user allows it (workspaceRedirects), one that
 * loosens the budget is used but named once.
 * Pure (no 'vscode'): the host passes `inspect()` results in.
 */
import {
  cheaperRates,
  DEFAULT_EXPECTED_OUTPUT,
  findSnapshot,
  lookupDbModel,
  redactUrl,
  resolveProvider,
  type Price,
  type ResolvedProvider,
} from '../../core/index.ts';
import { CONFIG_SETTING_KEYS, WORKSPACE_SETTINGS } from './settingsModel.ts';
import type { KeyValueStore } from './memento.ts';

/**
 * The extension's own on/off settings (not in the config file), restricted too: a repository must not
 * make Explain / Review / Ask send the open conversation along (selectionActionsInNewChat).
 */
export const EXTENSION_FLAGS = ['selectionActionsInNewChat', 'walkthroughOnFirstRun'] as const;
export type ExtensionFlag = (typeof EXTENSION_FLAGS)[number];

/**
 * Settings never taken from an untrusted workspace (keep in sync with package.json
 * capabilities.untrustedWorkspaces.restrictedConfigurations): where keys go, what is spent and
 * counted, which model is asked, how often it is retried, how long an answer may grow, what is logged.
 * Every setting that maps onto the config file is restricted, so a new one is restricted by default.
 */
export const RESTRICTED_SETTINGS = [...CONFIG_SETTING_KEYS, 'verboseLogging', ...EXTENSION_FLAGS] as const;

/** What `WorkspaceConfiguration.inspect(key)` gives (the layers that matter here). */
export interface SettingLayers {
  defaultValue?: unknown;
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

export function hasWorkspaceValue(l: SettingLayers | undefined): boolean {
  return l?.workspaceValue !== undefined || l?.workspaceFolderValue !== undefined;
}

/**
 * The value to run with. Trusted: VS Code's merged value. Restricted Mode: the user's value (or the
 * default), whatever the workspace says; this does not rely on VS Code applying restrictedConfigurations.
 */
export function pickValue(l: SettingLayers | undefined, trusted: boolean, merged: unknown): unknown {
  if (trusted) return merged;
  return l?.globalValue !== undefined ? l.globalValue : l?.defaultValue;
}

/**
 * Fields of object settings that only the user's settings set, trusted workspace or not: the price
 * data URL chooses where the prices every budget counts come from, and what it serves is kept in the
 * extension's global storage and counts for every workspace after this one (a mirror a repository
 * chose could price every model at 0).
 */
const USER_ONLY_FIELDS: Readonly<Record<string, readonly string[]>> = { catalog: ['priceDataUrl'] };

/**
 * The value to run with (pickValue), with the user-only fields taken from the user's settings: a
 * workspace's value of one is not used, and `ignored` names it in a trusted workspace (null: nothing was ignored).
 */
export function settingValue(key: string, l: SettingLayers | undefined, trusted: boolean, merged: unknown): { value: unknown; ignored: RiskyOverride | null } {
  const value = pickValue(l, trusted, merged);
  const fields = USER_ONLY_FIELDS[key];
  if (!fields || !isObj(value)) return { value, ignored: null };
  const user = isObj(l?.globalValue) ? l.globalValue : {};
  const ws = l?.workspaceFolderValue ?? l?.workspaceValue;
  const out: Obj = { ...value };
  const ignored: string[] = [];
  for (const f of fields) {
    if (trusted && isObj(ws) && Object.hasOwn(ws, f) && ws[f] !== user[f]) ignored.push(`switchboard.${key}.${f}`);
    if (Object.hasOwn(user, f)) out[f] = user[f];
    else delete out[f];
  }
  if (!ignored.length) return { value: out, ignored: null };
  return {
    value: out,
    ignored: {
      setting: `switchboard.${key}`,
      key: `ignored:${JSON.stringify(fields.map((f) => (isObj(ws) ? ws[f] : undefined)))}`,
      message: `This workspace's settings set ${ignored.join(', ')}, which only your user settings may set (it chooses where the prices your budgets count come from, for every workspace): Switchboard ignores it.`,
    },
  };
}

export interface RiskyOverride {
  /** The setting named to the user ("switchboard.providers"). */
  setting: string;
  /** Remembered per workspace once warned: the setting and the value warned about. */
  key: string;
  message: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const trimSlash = (u: string): string => u.replace(/\/+$/, '');

/** The price database's price for a `provider/model` id (what the model costs without `switchboard.pricing`); null when it has none. */
function databasePrice(id: string): Price | null {
  const slash = id.indexOf('/');
  if (slash <= 0) return null;
  return lookupDbModel(id.slice(0, slash), id.slice(slash + 1))?.price ?? null;
}

const isPrice = (v: unknown): v is Price => isObj(v) && typeof v.input === 'number' && typeof v.output === 'number';

/**
 * The output limit a budget's worst case uses for a model without `capabilities[id].maxOutputTokens`:
 * the snapshot's, else its context window (outputBound in the core, before the prompt is known), else the default.
 */
function defaultOutputLimit(id: string): number {
  const known = findSnapshot(id);
  return known?.maxOutput ?? known?.contextLength ?? DEFAULT_EXPECTED_OUTPUT;
}

/**
 * Workspace values of a trusted workspace that loosen the budget (a provider sent elsewhere is held
 * until the user allows it instead: workspaceRedirects): higher or lifted caps, warn instead of
 * block, and prices of `switchboard.pricing` that are lower than the model's price without them —
 * the user's own entry, else the price database's — or that price a model the database cannot (a
 * blocking budget refuses a model without a price): a cheaper price counts less of every request
 * against the caps and holds less before sending.
 */
export function riskyOverrides(
  layers: { budget?: SettingLayers; pricing?: SettingLayers; capabilities?: SettingLayers },
  mergedBudget: unknown,
  mergedPricing?: unknown,
  basePrice: (id: string) => Price | null = databasePrice,
  baseOutput: (id: string) => number = defaultOutputLimit,
): RiskyOverride[] {
  const out: RiskyOverride[] = [];
  // A lower output limit holds less before a request without max_tokens (VS Code's agent mode sends none),
  // while a provider that is not told the limit may still write up to its own.
  const c = layers.capabilities;
  const wsCaps = c?.workspaceFolderValue ?? c?.workspaceValue;
  if (hasWorkspaceValue(c) && isObj(wsCaps)) {
    const user = isObj(c?.globalValue) ? c.globalValue : {};
    const lower: string[] = [];
    for (const id of Object.keys(wsCaps).sort()) {
      const ws = wsCaps[id];
      if (!isObj(ws) || typeof ws.maxOutputTokens !== 'number') continue;
      const own = Object.hasOwn(user, id) && isObj(user[id]) ? (user[id] as Obj).maxOutputTokens : undefined;
      const base = typeof own === 'number' ? own : baseOutput(id);
      if (ws.maxOutputTokens < base) lower.push(`${id} maxOutputTokens ${base} → ${ws.maxOutputTokens}`);
    }
    if (lower.length)
      out.push({
        setting: 'switchboard.capabilities',
        key: `capabilities:${JSON.stringify(lower)}`,
        message: `This workspace's settings lower the output limits your budget holds before a request without max_tokens (switchboard.capabilities: ${lower.join('; ')}), which loosens your budget. Switchboard uses them because you trust this workspace.`,
      });
  }
  const p = layers.pricing;
  const ws = p?.workspaceFolderValue ?? p?.workspaceValue;
  if (hasWorkspaceValue(p) && isObj(ws)) {
    const user = isObj(p?.globalValue) ? p.globalValue : {};
    const merged = isObj(mergedPricing) ? mergedPricing : ws;
    const cheaper: string[] = [];
    for (const id of Object.keys(ws).sort()) {
      const eff = Object.hasOwn(merged, id) ? merged[id] : ws[id];
      if (!isPrice(eff)) continue; // an invalid entry is reported and not used (validateSettings)
      const own = Object.hasOwn(user, id) ? user[id] : undefined;
      const base = isPrice(own) ? own : basePrice(id);
      if (!base) {
        cheaper.push(`${id} price unknown → input ${eff.input}, output ${eff.output}`);
        continue;
      }
      const lower = cheaperRates(eff, base);
      if (lower.length) cheaper.push(`${id} ${lower.join(', ')}`);
    }
    if (cheaper.length) {
      out.push({
        setting: 'switchboard.pricing',
        key: `pricing:${JSON.stringify(cheaper)}`,
        message: `This workspace's settings lower the prices your budget counts (switchboard.pricing: ${cheaper.join('; ')}), which loosens your budget. Switchboard uses them because you trust this workspace.`,
      });
    }
  }
  const b = layers.budget;
  if (hasWorkspaceValue(b) && isObj(b?.globalValue)) {
    const user = b.globalValue;
    const eff = isObj(mergedBudget) ? mergedBudget : {};
    const looser: string[] = [];
    for (const k of ['daily', 'monthly', 'perRequest', 'perSession']) {
      const u = user[k];
      const e = eff[k];
      if (typeof u === 'number' && !(typeof e === 'number' && e <= u)) looser.push(`${k} ${u} → ${e ?? 'none'}`);
    }
    if (user.onExceed === 'block' && eff.onExceed !== 'block') looser.push(`onExceed block → ${String(eff.onExceed ?? 'warn')}`);
    if (looser.length) {
      out.push({
        setting: 'switchboard.budget',
        key: `budget:${JSON.stringify(eff)}`,
        message: `This workspace's settings loosen your budget (switchboard.budget: ${looser.join(', ')}). Switchboard uses it because you trust this workspace.`,
      });
    }
  }
  return out;
}

/**
 * A provider of a trusted workspace's settings that would take its key from an environment variable
 * of the user's and send it to a base URL the workspace chose (a new provider, or a preset with
 * another variable or URL). Its variable is not read until the user allows it (keysFlow.ts).
 */
export interface WorkspaceKeyEnv {
  /** Its index in the workspace's switchboard.providers. */
  index: number;
  providerId: string;
  /** The environment variable it would read (its apiKeyEnv, or the one derived from its id). */
  env: string;
  /** Where the key would go. */
  baseUrl: string;
  /** Remembered per workspace once allowed: the provider, the variable and the URL. */
  key: string;
}

/** A settings entry as the client would run it (null: not a valid entry). */
function resolvedEntry(entry: unknown): ResolvedProvider | null {
  if (!isObj(entry) || typeof entry.id !== 'string') return null;
  try {
    return resolveProvider(entry as Parameters<typeof resolveProvider>[0]);
  } catch {
    return null;
  }
}

/** The variable and URL an entry resolves to (null: it reads no variable, or is not a valid entry). */
function keyEnvOf(entry: unknown): { id: string; env: string; baseUrl: string } | null {
  const r = resolvedEntry(entry);
  if (!r?.apiKeyEnv || r.auth === 'none') return null;
  return { id: r.id, env: r.apiKeyEnv, baseUrl: r.baseUrl };
}

/**
 * The workspace's provider entries (trusted workspace) that read an environment variable for a
 * destination the user's own settings (or, with no entry of the user's, the preset) do not: the same
 * id with the same variable and URL as the user's is the user's choice already.
 */
export function workspaceKeyEnvs(providers: SettingLayers | undefined): WorkspaceKeyEnv[] {
  const ws = providers?.workspaceFolderValue ?? providers?.workspaceValue;
  if (!Array.isArray(ws)) return [];
  const user = Array.isArray(providers?.globalValue) ? (providers.globalValue as unknown[]) : [];
  const out: WorkspaceKeyEnv[] = [];
  ws.forEach((entry, index) => {
    const mine = keyEnvOf(entry);
    if (!mine) return;
    const own = user.find((u) => isObj(u) && u.id === mine.id);
    const expected = own !== undefined ? keyEnvOf(own) : keyEnvOf({ id: mine.id });
    if (expected && expected.env === mine.env && trimSlash(expected.baseUrl) === trimSlash(mine.baseUrl)) return;
    out.push({ index, providerId: mine.id, env: mine.env, baseUrl: mine.baseUrl, key: JSON.stringify([mine.id, mine.env, mine.baseUrl]) });
  });
  return out;
}

/** The settings report's line for a provider whose variable is set but not (yet) allowed. */
export function keyEnvProblem(w: WorkspaceKeyEnv): string {
  return `switchboard.providers[${w.index}]: your environment variable ${w.env} is not used as the key of "${w.providerId}" (it would be sent to ${redactUrl(w.baseUrl)}) until you allow it: run "Switchboard: Import API Keys from Environment" — in ${WORKSPACE_SETTINGS}`;
}

/**
 * A provider of a trusted workspace's settings whose requests — with the user's stored key for it —
 * would go to a base URL the workspace chose: a preset or a provider of the user's sent to another
 * URL than the user's entry (or the preset) says, or a provider the workspace defines itself. The key
 * is not sent there until the user allows it (main.ts asks at the first request).
 */
export interface WorkspaceRedirect {
  /** Its index in the workspace's switchboard.providers. */
  index: number;
  providerId: string;
  /** Where the requests would go. */
  baseUrl: string;
  /** Where they go without the workspace's value (the user's entry, or the preset); null: the workspace defines the provider. */
  usual: string | null;
  /** Remembered per workspace once allowed: the provider and the URL (the store of WorkspaceKeyEnv's answers). */
  key: string;
}

/** The consent key of sending `providerId`'s key to `baseUrl` (a trailing slash is the same URL). */
export function redirectKey(providerId: string, baseUrl: string): string {
  return JSON.stringify(['baseUrl', providerId, trimSlash(baseUrl)]);
}

/** The workspace's provider entries (trusted workspace) that send a provider's requests where the user's settings (or the preset) do not. */
export function workspaceRedirects(providers: SettingLayers | undefined): WorkspaceRedirect[] {
  const ws = providers?.workspaceFolderValue ?? providers?.workspaceValue;
  if (!Array.isArray(ws)) return [];
  const user = Array.isArray(providers?.globalValue) ? (providers.globalValue as unknown[]) : [];
  const out: WorkspaceRedirect[] = [];
  ws.forEach((entry, index) => {
    const mine = resolvedEntry(entry);
    if (!mine || mine.auth === 'none') return;
    const own = user.find((u) => isObj(u) && u.id === mine.id);
    const usual = (own !== undefined ? resolvedEntry(own) : resolvedEntry({ id: mine.id }))?.baseUrl ?? null;
    if (usual !== null && trimSlash(usual) === trimSlash(mine.baseUrl)) return;
    out.push({ index, providerId: mine.id, baseUrl: mine.baseUrl, usual, key: redirectKey(mine.id, mine.baseUrl) });
  });
  return out;
}

/** What a held redirect is, for the report, the error and the question: where the key would go instead of where. */
export function redirectWhere(r: WorkspaceRedirect): string {
  const to = redactUrl(r.baseUrl);
  return r.usual !== null ? `to ${to} instead of ${redactUrl(r.usual)}` : `to ${to} (a provider the workspace's settings define)`;
}

/** The command that asks again about the held redirects. */
export const REVIEW_REDIRECTS_COMMAND = 'Switchboard: Allow Workspace Provider URLs';

/** The settings report's line for a redirect of a provider with a stored key, not (yet) allowed. */
export function redirectProblem(r: WorkspaceRedirect): string {
  return `switchboard.providers[${r.index}]: your API key for "${r.providerId}" is not sent ${redirectWhere(r)} until you allow it: Switchboard asks at its first request, or run "${REVIEW_REDIRECTS_COMMAND}" — in ${WORKSPACE_SETTINGS}`;
}

/** The command that forgets Allows given before (WorkspaceConsent.revoke). */
export const REVOKE_ALLOWS_COMMAND = 'Switchboard: Revoke Workspace Provider Permissions';

/** One Allow remembered for this workspace, as the revoke command lists it. */
export interface RememberedAllow {
  /** Its key in the store (WorkspaceKeyEnv.key or redirectKey). */
  key: string;
  providerId: string;
  baseUrl: string;
  /** An Allow to read this environment variable as the key (WorkspaceKeyEnv); absent: to send the stored key to baseUrl (WorkspaceRedirect). */
  env?: string;
}

/** What a stored consent key says (null: not one this version writes). A redirect key starts with "baseUrl" (redirectKey). */
export function rememberedAllow(key: string): RememberedAllow | null {
  let parts: unknown;
  try {
    parts = JSON.parse(key);
  } catch {
    return null;
  }
  if (!Array.isArray(parts) || parts.length !== 3 || !parts.every((p) => typeof p === 'string')) return null;
  const [a, b, c] = parts as [string, string, string];
  return a === 'baseUrl' ? { key, providerId: b, baseUrl: c } : { key, providerId: a, env: b, baseUrl: c };
}

/** How the revoke command names an Allow. */
export function describeAllow(a: RememberedAllow): string {
  const to = redactUrl(a.baseUrl);
  return a.env !== undefined ? `"${a.providerId}" reads your ${a.env} and sends it to ${to}` : `"${a.providerId}" requests take your API key to ${to}`;
}

const ALLOWED_KEY_ENVS = 'switchboard.allowedWorkspaceKeyEnvs';

/**
 * The user's Allow for a workspace provider — "may it read that environment variable?" (per provider,
 * variable and base URL: WorkspaceKeyEnv) and "may its requests take my key to that URL?" (per
 * provider and base URL: WorkspaceRedirect) — kept in the workspace's state: another URL asks again,
 * and so does one whose Allow was revoked.
 */
export class WorkspaceConsent {
  private readonly state: KeyValueStore;

  constructor(state: KeyValueStore) {
    this.state = state;
  }

  private keys(): string[] {
    const v = this.state.get<unknown>(ALLOWED_KEY_ENVS);
    return Array.isArray(v) ? v.filter((k): k is string => typeof k === 'string') : [];
  }

  allowed(k: { key: string }): boolean {
    return this.keys().includes(k.key);
  }

  async allow(k: { key: string }): Promise<void> {
    const list = this.keys();
    if (!list.includes(k.key)) await this.state.update(ALLOWED_KEY_ENVS, [...list, k.key]);
  }

  /** Every Allow remembered for this workspace, oldest first (a key this version cannot read is not listed). */
  remembered(): RememberedAllow[] {
    return this.keys()
      .map(rememberedAllow)
      .filter((a): a is RememberedAllow => a !== null);
  }

  /**
   * Forgets these Allows: the next use asks again. An Allow to read a variable also allowed its key
   * to go to that URL (main.ts): that goes with it. Returns the keys forgotten.
   */
  async revoke(keys: readonly string[]): Promise<string[]> {
    const gone = new Set(keys);
    for (const k of keys) {
      const a = rememberedAllow(k);
      if (a?.env !== undefined) gone.add(redirectKey(a.providerId, a.baseUrl));
    }
    const list = this.keys();
    const kept = list.filter((k) => !gone.has(k));
    if (kept.length !== list.length) await this.state.update(ALLOWED_KEY_ENVS, kept);
    return list.filter((k) => gone.has(k));
  }
}
