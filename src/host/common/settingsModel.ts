/**
 * `switchboard.*` settings → the core's config, validated with the core's own schema.
 * Pure (no 'vscode'): a bad entry is dropped and reported, the rest still works.
 */
import type { z } from 'zod';
import { ConfigSchema, type ConfigInput, type SwitchboardConfig } from '../../core/index.ts';
import { findPreset } from '../../core/index.ts';

/** The settings that map 1:1 onto the config file's top-level keys. */
export const CONFIG_SETTING_KEYS = [
  'providers',
  'defaultModel',
  'routes',
  'aliases',
  'wireProtocols',
  'budget',
  'timeouts',
  'limits',
  'retries',
  'pricing',
  'capabilities',
  'catalog',
] as const;
export type ConfigSettingKey = (typeof CONFIG_SETTING_KEYS)[number];

/** The provider id of VS Code's own models (`vscode/copilot/…`, see vscodeModels.ts): no settings entry may take it. */
export const VSCODE_PROVIDER_ID = 'vscode';

/** Where a problem of a workspace value is (named in the problem, so the user looks there and not in their own settings). */
export const WORKSPACE_SETTINGS = "the workspace's settings (.vscode/settings.json)";

export interface SettingsResult {
  config: SwitchboardConfig;
  /** One line per problem: "switchboard.providers[1].baseUrl: must be an http(s) URL". */
  problems: string[];
}

/** Whether a settings value was set at all (VS Code returns the default, which may be `null` or empty). */
function isSet(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  if (typeof v === 'string') return v.trim().length > 0;
  return true;
}

function pathText(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : `${acc}.${String(seg)}`), 'switchboard');
}

/**
 * Validate raw settings values (by key, as `getConfiguration('switchboard').get(key)` gives them);
 * `fromWorkspace`: whether the value at a path (`['budget', 'daily']`) comes from the workspace's
 * settings (its problem says so).
 * Invalid array entries and object fields are left out (a `budget.onExceed` that cannot be read is
 * "block"); `problems` says what and why.
 */
export function validateSettings(
  raw: Partial<Record<ConfigSettingKey, unknown>>,
  fromWorkspace: (path: readonly PropertyKey[]) => boolean = () => false,
): SettingsResult {
  let input: Record<string, unknown> = {};
  for (const k of CONFIG_SETTING_KEYS) if (isSet(raw[k])) input[k] = k === 'defaultModel' ? String(raw[k]).trim() : raw[k];
  // Where each remaining array entry was in the settings, so messages keep the user's indexes.
  const origin = new Map<string, number[]>();
  for (const k of ['providers', 'routes'])
    if (Array.isArray(input[k]))
      origin.set(
        k,
        (input[k] as unknown[]).map((_, i) => i),
      );
  const problems: string[] = [];
  // An entry that takes the id of VS Code's own models would stop the client from being built at all: it alone goes.
  if (Array.isArray(input.providers)) {
    const list = input.providers as unknown[];
    const taken = list.map((p, i) => (isPlainObject(p) && p.id === VSCODE_PROVIDER_ID ? i : -1)).filter((i) => i >= 0);
    for (const i of taken)
      problems.push(
        `switchboard.providers[${i}].id: "${VSCODE_PROVIDER_ID}" is the provider of VS Code's own models (${VSCODE_PROVIDER_ID}/…); give this provider another id${fromWorkspace(['providers', i]) ? ` — in ${WORKSPACE_SETTINGS}` : ''}`,
      );
    if (taken.length) {
      input.providers = list.filter((_, i) => !taken.includes(i));
      origin.set(
        'providers',
        list.map((_, i) => i).filter((i) => !taken.includes(i)),
      );
    }
  }
  // Cross-entry checks (duplicate ids) only run once every entry parses: drop what is wrong and check again.
  for (let round = 0; round < 4; round++) {
    const r = ConfigSchema.safeParse(input);
    if (r.success) return { config: r.data, problems };
    for (const issue of r.error.issues) {
      const path = [...issue.path];
      const list = typeof path[0] === 'string' ? origin.get(path[0]) : undefined;
      if (list && typeof path[1] === 'number') path[1] = list[path[1]] ?? path[1];
      const where = fromWorkspace(issue.path) ? ` — in ${WORKSPACE_SETTINGS}` : '';
      const line = `${pathText(path)}: ${issue.message}${isOnExceed(issue.path) ? ' (requests over a cap are refused until it is fixed)' : ''}${where}`;
      if (!problems.includes(line)) problems.push(line);
    }
    input = dropInvalid(input, r.error.issues, origin);
  }
  return { config: ConfigSchema.parse({}), problems };
}

/** `budget.onExceed`: a value that cannot be read is taken as "block" (a mistyped "Block" must not lift the caps). */
function isOnExceed(path: readonly PropertyKey[]): boolean {
  return path[0] === 'budget' && path[1] === 'onExceed';
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The input without what the issues point at: the bad entries of the arrays, the bad fields of the
 * objects (one budget cap, one model's price: the other caps and prices still hold), the whole
 * value of a key only when the value itself is wrong.
 */
function dropInvalid(input: Record<string, unknown>, issues: readonly z.core.$ZodIssue[], origin: Map<string, number[]>): Record<string, unknown> {
  const badEntries = new Map<string, Set<number>>();
  const badFields = new Map<string, Set<string>>();
  const badKeys = new Set<string>();
  const fixes = new Map<string, Record<string, unknown>>();
  for (const issue of issues) {
    const [key, index] = issue.path;
    if (typeof key !== 'string') return {};
    const value = input[key];
    if ((key === 'providers' || key === 'routes') && typeof index === 'number') {
      const set = badEntries.get(key) ?? new Set<number>();
      set.add(index);
      badEntries.set(key, set);
    } else if (isPlainObject(value) && (typeof index === 'string' || (issue.path.length === 1 && issue.code === 'unrecognized_keys'))) {
      const set = badFields.get(key) ?? new Set<string>();
      if (typeof index === 'string') set.add(index);
      else if (issue.code === 'unrecognized_keys') for (const k of issue.keys) set.add(k);
      badFields.set(key, set);
      if (isOnExceed(issue.path)) fixes.set(key, { onExceed: 'block' });
    } else badKeys.add(key);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    if (badKeys.has(k)) continue;
    const bad = badEntries.get(k);
    const fields = badFields.get(k);
    if (bad && Array.isArray(v)) {
      out[k] = v.filter((_, i) => !bad.has(i));
      origin.set(
        k,
        (origin.get(k) ?? []).filter((_, i) => !bad.has(i)),
      );
    } else if (fields && isPlainObject(v)) {
      out[k] = { ...Object.fromEntries(Object.entries(v).filter(([f]) => !fields.has(f))), ...fixes.get(k) };
    } else out[k] = v;
  }
  return out;
}

/**
 * The config the client runs on: the settings, plus every preset provider that has a stored key
 * but is not listed (so "Set API Key" alone makes a provider usable).
 */
export function effectiveConfig(config: SwitchboardConfig, providersWithKeys: Iterable<string>): SwitchboardConfig {
  const listed = new Set(config.providers.map((p) => findPreset(p.id)?.id ?? p.id));
  const extra: SwitchboardConfig['providers'] = [];
  for (const id of providersWithKeys) {
    const preset = findPreset(id);
    if (!preset || listed.has(preset.id)) continue;
    listed.add(preset.id);
    extra.push({ id: preset.id });
  }
  return extra.length ? { ...config, providers: [...config.providers, ...extra] } : config;
}

export type { ConfigInput };
