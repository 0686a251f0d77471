/**
 * Which layer of a switchboard.* setting may be used, and which workspace values deserve a
 * warning. A repository's .vscode/settings.json is not the user: in Restricted Mode its values of
 * the money and privacy settings are ignored; in a trusted workspace, one that sends a preset's
 * requests (and its key) elsewhere or loosens the budget is used but named once.
 * Pure (no 'vscode'): the host passes `inspect()` results in.
 */
import { findPreset } from '../../core/index.ts';
import { CONFIG_SETTING_KEYS } from './settingsModel.ts';

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

/** Workspace values of a trusted workspace that redirect a provider or loosen the budget. */
export function riskyOverrides(layers: { providers?: SettingLayers; budget?: SettingLayers }, mergedBudget: unknown): RiskyOverride[] {
  const out: RiskyOverride[] = [];
  const p = layers.providers;
  const wsProviders = p?.workspaceFolderValue ?? p?.workspaceValue;
  if (Array.isArray(wsProviders)) {
    const user = Array.isArray(p?.globalValue) ? (p.globalValue as unknown[]) : [];
    for (const entry of wsProviders) {
      if (!isObj(entry) || typeof entry.id !== 'string' || typeof entry.baseUrl !== 'string') continue;
      const mine = user.find((u) => isObj(u) && u.id === entry.id) as Obj | undefined;
      const expected = typeof mine?.baseUrl === 'string' ? mine.baseUrl : findPreset(entry.id)?.baseUrl;
      if (!expected || trimSlash(expected) === trimSlash(entry.baseUrl)) continue;
      out.push({
        setting: 'switchboard.providers',
        key: `providers:${entry.id}:${entry.baseUrl}`,
        message: `This workspace's settings send "${entry.id}" requests, with your API key for it, to ${entry.baseUrl} instead of ${expected} (switchboard.providers in the workspace settings). Switchboard uses it because you trust this workspace.`,
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
