/**
 * Reads the switchboard.* settings the way money and privacy require: in Restricted Mode only the
 * user's values (see workspaceOverrides.ts), and in a trusted workspace a one-time warning, per
 * workspace, for a value that redirects a provider or loosens the budget.
 */
import * as vscode from 'vscode';
import {
  hasWorkspaceValue,
  pickValue,
  riskyOverrides,
  workspaceKeyEnvs,
  type ExtensionFlag,
  type RiskyOverride,
  type SettingLayers,
  type WorkspaceKeyEnv,
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
}

export function readSwitchboardSettings(): SettingsRead {
  const cfg = vscode.workspace.getConfiguration('switchboard');
  const trusted = vscode.workspace.isTrusted;
  const layers = (k: string): SettingLayers | undefined => cfg.inspect(k);
  const raw: Partial<Record<ConfigSettingKey, unknown>> = {};
  const workspaceValues = new Map<string, unknown>();
  for (const k of CONFIG_SETTING_KEYS) {
    const l = layers(k);
    raw[k] = pickValue(l, trusted, cfg.get(k));
    if (trusted && hasWorkspaceValue(l)) workspaceValues.set(k, l?.workspaceFolderValue ?? l?.workspaceValue);
  }
  const fromWorkspace = ([key, field]: readonly PropertyKey[]): boolean => {
    if (typeof key !== 'string' || !workspaceValues.has(key)) return false;
    const ws = workspaceValues.get(key);
    return typeof ws === 'object' && ws !== null && !Array.isArray(ws) && typeof field === 'string' ? field in ws : true;
  };
  const verbose = pickValue(layers('verboseLogging'), trusted, cfg.get('verboseLogging')) === true;
  const overrides = trusted ? riskyOverrides({ providers: layers('providers'), budget: layers('budget') }, cfg.get('budget')) : [];
  const keyEnvs = trusted ? workspaceKeyEnvs(layers('providers')) : [];
  return { raw, fromWorkspace, verbose, trusted, overrides, keyEnvs };
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

const ALLOWED_KEY_ENVS = 'switchboard.allowedWorkspaceKeyEnvs';

/**
 * The user's answers to "may this workspace's provider read that environment variable?", kept in the
 * workspace's state: per workspace, provider, variable and base URL (another URL or variable asks again).
 */
export class KeyEnvConsent {
  private readonly state: vscode.Memento;

  constructor(state: vscode.Memento) {
    this.state = state;
  }

  allowed(k: WorkspaceKeyEnv): boolean {
    return (this.state.get<string[]>(ALLOWED_KEY_ENVS) ?? []).includes(k.key);
  }

  async allow(k: WorkspaceKeyEnv): Promise<void> {
    const list = this.state.get<string[]>(ALLOWED_KEY_ENVS) ?? [];
    if (!list.includes(k.key)) await this.state.update(ALLOWED_KEY_ENVS, [...list, k.key]);
  }
}
