/**
 * Reads the switchboard.* settings the way money and privacy require: in Restricted Mode only the
 * user's values (see workspaceOverrides.ts); in a trusted workspace a one-time warning, per
 * workspace, for a value that loosens the budget, and the user's answers about workspace providers
 * that would send a key (or read a variable of the user's) to a URL of the workspace's choosing.
 */
import * as vscode from 'vscode';
import {
  hasWorkspaceValue,
  pickValue,
  riskyOverrides,
  settingValue,
  workspaceKeyEnvs,
  workspaceRedirects,
  type ExtensionFlag,
  type RiskyOverride,
  type SettingLayers,
  type WorkspaceKeyEnv,
  type WorkspaceRedirect,
} from './common/workspaceOverrides.ts';
import { CONFIG_SETTING_KEYS, type ConfigSettingKey } from './common/settingsModel.ts';

export interface SettingsRead {
  raw: Partial<Record<ConfigSettingKey, unknown>>;
  /**
   * Whether the value at a path (`['budget', 'daily']`) comes from the workspace's settings (a problem
   * in it is looked for there): a list setting when the workspace sets it (VS Code does not merge
   * lists), a field of an object setting when the workspace's object has that field.
   */
  fromWorkspace: (path: readonly PropertyKey[]) => boolean;
  verbose: boolean;
  trusted: boolean;
  overrides: RiskyOverride[];
  /** Providers of the workspace's settings whose key variable is read only once the user allows it (trusted only). */
  keyEnvs: WorkspaceKeyEnv[];
  /** Providers the workspace's settings send to another URL, whose key goes there only once the user allows it (trusted only). */
  redirects: WorkspaceRedirect[];
}

export function readSwitchboardSettings(): SettingsRead {
  const cfg = vscode.workspace.getConfiguration('switchboard');
  const trusted = vscode.workspace.isTrusted;
  const layers = (k: string): SettingLayers | undefined => cfg.inspect(k);
  const raw: Partial<Record<ConfigSettingKey, unknown>> = {};
  const workspaceValues = new Map<string, unknown>();
  const ignored: RiskyOverride[] = [];
  for (const k of CONFIG_SETTING_KEYS) {
    const l = layers(k);
    const v = settingValue(k, l, trusted, cfg.get(k));
    raw[k] = v.value;
    if (v.ignored) ignored.push(v.ignored);
    if (trusted && hasWorkspaceValue(l)) workspaceValues.set(k, l?.workspaceFolderValue ?? l?.workspaceValue);
  }
  const fromWorkspace = ([key, field]: readonly PropertyKey[]): boolean => {
    if (typeof key !== 'string' || !workspaceValues.has(key)) return false;
    const ws = workspaceValues.get(key);
    return typeof ws === 'object' && ws !== null && !Array.isArray(ws) && typeof field === 'string' ? field in ws : true;
  };
  const verbose = pickValue(layers('verboseLogging'), trusted, cfg.get('verboseLogging')) === true;
  const overrides = trusted
    ? [
        ...riskyOverrides(
          { budget: layers('budget'), pricing: layers('pricing'), capabilities: layers('capabilities') },
          cfg.get('budget'),
          cfg.get('pricing'),
        ),
        ...ignored,
      ]
    : [];
  const keyEnvs = trusted ? workspaceKeyEnvs(layers('providers')) : [];
  const redirects = trusted ? workspaceRedirects(layers('providers')) : [];
  return { raw, fromWorkspace, verbose, trusted, overrides, keyEnvs, redirects };
}

/** One of the extension's on/off settings, read like the rest: only the user's value in Restricted Mode. */
export function readFlag(key: ExtensionFlag, fallback: boolean): boolean {
  const cfg = vscode.workspace.getConfiguration('switchboard');
  const v = pickValue(cfg.inspect(key), vscode.workspace.isTrusted, cfg.get(key));
  return typeof v === 'boolean' ? v : fallback;
}

const WARNED = 'switchboard.warnedWorkspaceOverrides';

/** Shows each override once per workspace (remembered in workspaceState, so a reload does not repeat it). */
export function warnOverridesOnce(state: vscode.Memento, overrides: RiskyOverride[], notify: (text: string) => void): PromiseLike<void> | undefined {
  const warned = state.get<string[]>(WARNED) ?? [];
  const fresh = overrides.filter((o) => !warned.includes(o.key));
  if (!fresh.length) return undefined;
  for (const o of fresh) notify(o.message);
  // The caller logs a failure to remember (the warning then shows again after a reload).
  return state.update(WARNED, [...warned, ...fresh.map((o) => o.key)]);
}
