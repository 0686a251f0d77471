/**
 * Adding and removing keys: Set API Key (pick a provider, masked input, verify), Remove API Key,
 * importing keys from the usual environment variables, connecting a local server (Ollama, LM Studio or
 * any OpenAI-compatible base URL), and — with no key at all — offering one on first run or opening
 * the "Get started" walkthrough.
 */
import * as vscode from 'vscode';
import { resolveProvider, type ResolvedProvider } from '../core/index.ts';
import { findPreset, KEY_ENV_VARS, PRESETS } from '../core/index.ts';
import { redactUrl } from '../core/index.ts';
import type { FeatureHost } from './featureHost.ts';
import { checkServer, detectLocalServers, verifyKey, type LocalServer, type VerifyResult } from './verify.ts';
import {
  describeAllow,
  redirectKey,
  redirectWhere,
  REVOKE_ALLOWS_COMMAND,
  type RememberedAllow,
  type WorkspaceKeyEnv,
  type WorkspaceRedirect,
} from './common/workspaceOverrides.ts';
import { inBackground } from './common/background.ts';
import { readFlag } from './settingsSource.ts';

/** What the key flows use (main.ts wires it to the services). */
export type KeysHost = Pick<
  FeatureHost,
  | 'allowWorkspaceKeyEnv'
  | 'allowWorkspaceRedirect'
  | 'confirm'
  | 'declineWorkspaceRedirect'
  | 'connections'
  | 'currentModel'
  | 'fireModelsChanged'
  | 'flag'
  | 'keyFor'
  | 'keys'
  | 'log'
  | 'notify'
  | 'rememberedWorkspaceAllows'
  | 'revokeWorkspaceAllows'
  | 'setCurrentModel'
  | 'setFlag'
  | 'settings'
  | 'stepDone'
  | 'workspaceKeyEnvs'
  | 'workspaceRedirects'
>;

/** One of VS Code's own models, as the first-run offer names it. */
export interface StartingModel {
  id: string;
  name: string;
}

interface ProviderItem extends vscode.QuickPickItem {
  provider: ResolvedProvider;
}

/** A notification nobody waits on (no buttons to read): a failure to show it is logged, not lost. */
function tell(app: KeysHost, level: 'info' | 'warning' | 'error', text: string): void {
  inBackground(app.notify(level, text), app.log, 'Showing a notification');
}

/** Providers one can store a key for: the configured ones first, then the presets that take a key. */
export function keyableProviders(app: KeysHost): ResolvedProvider[] {
  const out: ResolvedProvider[] = [];
  const seen = new Set<string>();
  for (const p of app.settings.config.providers) {
    const r = resolveProvider(p);
    if (r.auth === 'none' || (r.local && r.apiKeyEnv === null)) continue;
    out.push(r);
    seen.add(findPreset(r.id)?.id ?? r.id);
  }
  for (const preset of PRESETS) {
    if (seen.has(preset.id) || preset.apiKeyEnv === null) continue;
    out.push(resolveProvider({ id: preset.id }));
  }
  return out;
}

export interface SetKeyArgs {
  provider?: string;
  key?: string;
  /** Verify with the provider's model list (default true). */
  verify?: boolean;
}

/**
 * Resolve a provider id the way the client will (settings entry first, else the preset). An alias
 * matches its preset ("gemini" is "google"); an id that is neither configured nor a preset matches
 * nothing (two custom providers are not the same provider because neither is a preset).
 */
function providerById(app: KeysHost, id: string): ResolvedProvider | undefined {
  const preset = findPreset(id)?.id;
  return (
    keyableProviders(app).find((p) => p.id === id || (preset !== undefined && findPreset(p.id)?.id === preset)) ??
    (preset ? resolveProvider({ id }) : undefined)
  );
}

async function pickProvider(app: KeysHost, title: string, list: ResolvedProvider[]): Promise<ResolvedProvider | undefined> {
  const configured = new Set(app.settings.config.providers.map((p) => p.id));
  const items: ProviderItem[] = list.map((p) => ({
    provider: p,
    label: p.name,
    description: [p.id, configured.has(p.id) ? 'configured' : null, app.keys.has(p.id) ? 'key stored' : null].filter(Boolean).join(' · '),
    detail: redactUrl(p.baseUrl),
    iconPath: new vscode.ThemeIcon(app.keys.has(p.id) ? 'pass-filled' : 'key'),
  }));
  const pick = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: 'Pick a provider',
    matchOnDescription: true,
    matchOnDetail: true,
    ignoreFocusOut: true,
  });
  return pick?.provider;
}

function checkKey(app: KeysHost, p: ResolvedProvider, key: string): Promise<VerifyResult> {
  return Promise.resolve(
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Switchboard: checking the ${p.name} key…` }, () =>
      verifyKey(p, key, { dispatcher: app.connections() }),
    ),
  );
}

export async function setApiKey(app: KeysHost, args: SetKeyArgs = {}): Promise<VerifyResult | undefined> {
  const provider = args.provider ? providerById(app, args.provider) : await pickProvider(app, 'Switchboard: Set API Key', keyableProviders(app));
  if (!provider) {
    if (args.provider) tell(app, 'error', `Switchboard: unknown provider "${args.provider}". Add it to switchboard.providers first.`);
    return undefined;
  }
  let key = args.key;
  if (key === undefined) {
    const preset = findPreset(provider.id);
    key = await vscode.window.showInputBox({
      title: `Switchboard: ${provider.name} API key`,
      prompt: `Paste your ${provider.name} API key. It is kept in VS Code's secret storage, never in settings.${preset?.keyUrl ? ` Get one at ${preset.keyUrl}` : ''}`,
      password: true,
      ignoreFocusOut: true,
      placeHolder: app.keys.has(provider.id) ? 'A key is stored; paste a new one to replace it' : 'API key',
      validateInput: (v) => (!v.trim() ? 'The key is empty' : /\s/.test(v.trim()) ? 'The key contains spaces or line breaks' : undefined),
    });
    if (key === undefined) return undefined;
  }
  key = key.trim();
  if (!key) {
    tell(app, 'error', 'Switchboard: the key is empty; nothing was stored.');
    return undefined;
  }
  if (args.verify === false) {
    await app.keys.set(provider.id, key);
    tell(app, 'info', `Switchboard: ${provider.name} key saved.`);
    return undefined;
  }
  // Checking it sends it to the provider's URL: one the workspace's settings chose, only once allowed.
  const redirect = app.workspaceRedirects().find((r) => !r.allowed && r.key === redirectKey(provider.id, provider.baseUrl));
  if (redirect && !(await askRedirectConsent(app, redirect))) {
    await app.keys.set(provider.id, key);
    tell(
      app,
      'info',
      `Switchboard: ${provider.name} key saved, not checked: the workspace's settings send its requests ${redirectWhere(redirect)}, and your key is not sent there until you allow it.`,
    );
    return undefined;
  }
  // Checked before it is stored: a key the provider refuses never replaces one that may work.
  const previous = app.keyFor(provider);
  const hadOther = previous !== undefined && previous !== key;
  const result = await checkKey(app, provider, key);
  const refused = !result.ok && (result.status === 401 || result.status === 403);
  if (!(refused && hadOther)) await app.keys.set(provider.id, key);
  if (result.ok) {
    app.log.info(`Key for ${provider.id} verified: ${result.models} models listed`);
    app.stepDone('providerReady');
    inBackground(
      app.notify('info', `Switchboard: ${provider.name} key saved and verified (${result.models} models listed).`, 'Switch Model').then((a) => {
        if (a) inBackground(vscode.commands.executeCommand('switchboard.switchModel'), app.log, 'Switching the model');
      }),
      app.log,
      'The key-verified notification',
    );
  } else {
    app.log.warn(`Key for ${provider.id} did not verify: ${result.message}`);
    const again = (): void => inBackground(setApiKey(app, { provider: provider.id }), app.log, 'Setting the key again');
    const store = (k: string, what: string): void =>
      inBackground(
        app.keys.set(provider.id, k).then(() => {
          app.fireModelsChanged();
          tell(app, 'info', `Switchboard: ${what}`);
        }),
        app.log,
        'Storing the key',
      );
    if (refused && hadOther) {
      // The provider refused the new key: it cannot work, and the stored one may. That one stays.
      app.log.warn(`The previous ${provider.id} key is kept`);
      inBackground(
        app
          .notify(
            'warning',
            `Switchboard: the new ${provider.name} key was refused (${result.message}); the previous key is kept.`,
            'Enter Again',
            'Use New Key Anyway',
          )
          .then((a) => {
            if (a === 'Enter Again') again();
            if (a === 'Use New Key Anyway') store(key, `${provider.name}: the new key is stored.`);
          }),
        app.log,
        'The key-check notification',
      );
    } else {
      // Not a refusal (the provider could not be reached, or answered oddly): the new key stays, the old one can come back.
      const actions = hadOther ? ['Enter Again', 'Restore Previous Key', 'Remove Key'] : ['Enter Again', 'Remove Key'];
      inBackground(
        app.notify('warning', `Switchboard: ${provider.name} key saved, but the check failed: ${result.message}`, ...actions).then((a) => {
          if (a === 'Enter Again') again();
          if (a === 'Restore Previous Key' && previous !== undefined) store(previous, `${provider.name}: the previous key is back.`);
          if (a === 'Remove Key') inBackground(removeApiKey(app, { provider: provider.id }), app.log, 'Removing the key');
        }),
        app.log,
        'The key-check notification',
      );
    }
  }
  app.fireModelsChanged();
  return result;
}

export async function removeApiKey(app: KeysHost, args: { provider?: string } = {}): Promise<boolean> {
  let id = args.provider;
  if (!id) {
    const stored = app.keys.ids();
    if (!stored.length) {
      tell(app, 'info', 'Switchboard: no API keys are stored.');
      return false;
    }
    const list = stored.map((s) => providerById(app, s) ?? { ...resolveProvider({ id: s, kind: 'openai', baseUrl: 'http://unknown' }), name: s, baseUrl: '' });
    const pick = await pickProvider(app, 'Switchboard: Remove API Key', list);
    if (!pick) return false;
    id = pick.id;
  }
  // An alias names its preset's key ("gemini" is stored as "google", as Set API Key stores it).
  const same = app.keys.has(id) ? undefined : providerById(app, id)?.id;
  if (same && app.keys.has(same)) id = same;
  if (!app.keys.has(id)) {
    tell(app, 'info', `Switchboard: no key is stored for "${id}".`);
    return false;
  }
  await app.keys.delete(id);
  tell(app, 'info', `Switchboard: the key for "${id}" was removed from VS Code's secret storage.`);
  return true;
}

/**
 * Keys in the environment whose provider has no stored key yet. A provider of the workspace's
 * settings that would send a variable of the user's to a URL of the workspace's choosing counts only
 * once the user allowed it (keysAwaitingConsent, importKeysFromEnv); a provider that takes no key
 * (auth "none") imports none.
 */
export function keysInEnvironment(app: KeysHost, env: NodeJS.ProcessEnv = process.env): { providerId: string; env: string }[] {
  const pairs = new Map<string, string>(KEY_ENV_VARS.map((k) => [k.providerId, k.env]));
  for (const p of app.settings.config.providers) {
    const r = resolveProvider(p);
    if (r.auth === 'none') pairs.delete(r.id);
    else if (r.apiKeyEnv) pairs.set(r.id, r.apiKeyEnv);
  }
  const held = app.workspaceKeyEnvs().filter((w) => !w.allowed);
  return [...pairs.entries()]
    .filter(([id, name]) => env[name]?.trim() && !app.keys.has(id) && !held.some((w) => w.providerId === id && w.env === name))
    .map(([providerId, name]) => ({ providerId, env: name }));
}

/** The workspace's providers whose variable is set, not yet allowed, and would be imported once allowed. */
export function keysAwaitingConsent(app: KeysHost, env: NodeJS.ProcessEnv = process.env): WorkspaceKeyEnv[] {
  const configured = new Map(app.settings.config.providers.map((p) => [p.id, p]));
  return app.workspaceKeyEnvs().filter((w) => {
    if (w.allowed || !env[w.env]?.trim() || app.keys.has(w.providerId)) return false;
    const p = configured.get(w.providerId);
    if (!p) return false; // an entry the settings dropped as invalid reads nothing
    const r = resolveProvider(p);
    return r.apiKeyEnv === w.env && r.auth !== 'none';
  });
}

/**
 * The one question about a workspace's provider and a secret of the user's (modal: Allow / Don't
 * Allow); `allow` remembers an Allow. Resolves to whether the user allowed it.
 */
async function askWorkspaceConsent(
  app: Pick<KeysHost, 'confirm' | 'log'>,
  q: { text: string; detail: string; what: string },
  allow: () => Promise<void>,
  refused?: () => void,
): Promise<boolean> {
  const pick = await app.confirm(q.text, q.detail, 'Allow', "Don't Allow");
  if (pick !== 'Allow') {
    app.log.info(`Not allowed for this workspace: ${q.what}`);
    refused?.();
    return false;
  }
  app.log.info(`Allowed for this workspace: ${q.what}`);
  await allow();
  return true;
}

/** Asks whether a workspace's provider may read the variable (modal); remembers an Allow. */
function askKeyEnvConsent(app: KeysHost, w: WorkspaceKeyEnv): Promise<boolean> {
  const url = redactUrl(w.baseUrl);
  return askWorkspaceConsent(
    app,
    {
      text: `Let this workspace's provider "${w.providerId}" use your environment variable ${w.env} as its API key and send it to ${url}?`,
      detail: `The workspace's settings (.vscode/settings.json, switchboard.providers) define "${w.providerId}", which would read ${w.env} and send its value to ${url} with every request. Allow it only if you trust that server with this secret. An Allow is remembered for this workspace, provider, variable and URL.`,
      what: `"${w.providerId}" reads ${w.env} and sends it to ${url}`,
    },
    () => app.allowWorkspaceKeyEnv(w),
  );
}

/**
 * Asks whether a workspace's provider may take the user's stored key to the URL the workspace set
 * (modal naming the provider, that URL and the usual one); remembers an Allow. Until then its
 * requests fail (main.ts): nothing waits for this answer.
 */
export function askRedirectConsent(app: KeysHost, r: WorkspaceRedirect): Promise<boolean> {
  const to = redactUrl(r.baseUrl);
  const text =
    r.usual !== null
      ? `Let this workspace send "${r.providerId}" requests, with your API key for it, to ${to} instead of ${redactUrl(r.usual)}?`
      : `Let this workspace's provider "${r.providerId}" send your API key for it to ${to}?`;
  return askWorkspaceConsent(
    app,
    {
      text,
      detail: `The workspace's settings (.vscode/settings.json, switchboard.providers) send "${r.providerId}" requests ${redirectWhere(r)}, and each one carries your stored API key. Allow it only if you trust that server with your key. Until you allow it, requests to "${r.providerId}" fail and send nothing; remove the workspace's switchboard.providers to use your own settings. An Allow is remembered for this workspace, provider and URL.`,
      what: `"${r.providerId}" requests take your API key ${redirectWhere(r)}`,
    },
    () => app.allowWorkspaceRedirect(r),
    () => app.declineWorkspaceRedirect(r),
  );
}

/**
 * "Switchboard: Allow Workspace Provider URLs": asks about each provider the workspace sends
 * elsewhere with a stored key, not allowed yet (also one answered Don't Allow before). Returns the
 * provider ids allowed.
 */
export async function reviewWorkspaceRedirects(app: KeysHost): Promise<string[]> {
  const held = app.workspaceRedirects().filter((r) => !r.allowed && app.keys.has(r.providerId));
  if (!held.length) {
    tell(app, 'info', "Switchboard: this workspace's settings send no provider's key to a URL you have not allowed.");
    return [];
  }
  const allowed: string[] = [];
  for (const r of held) if (await askRedirectConsent(app, r)) allowed.push(r.providerId);
  return allowed;
}

/** Arguments of "Switchboard: Revoke Workspace Provider Permissions" (keybindings, other extensions, tests): `all` forgets every one without the pick. */
export interface RevokeArgs {
  all?: boolean;
}

/**
 * "Switchboard: Revoke Workspace Provider Permissions": the Allows remembered for this workspace in
 * a multi-select pick (its "select all" box takes them all); the ones picked are forgotten, so the
 * workspace's provider asks again before it takes the key (or reads the variable). Returns the store
 * keys forgotten.
 */
export async function revokeWorkspaceAllows(app: KeysHost, args: RevokeArgs = {}): Promise<string[]> {
  const remembered = app.rememberedWorkspaceAllows();
  if (!remembered.length) {
    tell(app, 'info', "Switchboard: you have allowed no workspace provider's URL or environment variable in this workspace.");
    return [];
  }
  let chosen: RememberedAllow[];
  if (args.all === true) chosen = remembered;
  else {
    const inSettings = new Set([...app.workspaceRedirects(), ...app.workspaceKeyEnvs()].map((w) => w.key));
    const picked = await vscode.window.showQuickPick(
      remembered.map((a) => ({
        label: describeAllow(a),
        description: inSettings.has(a.key) ? "in this workspace's settings" : "not in this workspace's settings now",
        ...(a.env !== undefined ? { detail: 'Revoking it also stops your key going to that URL until you allow it again.' } : {}),
        allow: a,
      })),
      {
        title: REVOKE_ALLOWS_COMMAND,
        placeHolder: 'The Allows to forget for this workspace (Switchboard asks again at the next use)',
        canPickMany: true,
        ignoreFocusOut: true,
      },
    );
    if (!picked?.length) return [];
    chosen = picked.map((p) => p.allow);
  }
  const gone = await app.revokeWorkspaceAllows(chosen.map((a) => a.key));
  for (const a of chosen) app.log.info(`Revoked for this workspace: ${describeAllow(a)}`);
  tell(
    app,
    'info',
    `Switchboard: forgot ${chosen.length} Allow${chosen.length > 1 ? 's' : ''} for this workspace (${chosen.map(describeAllow).join('; ')}). Switchboard asks again before the workspace's provider uses your key or variable; a key already imported stays stored ("Switchboard: Remove API Key" removes it).`,
  );
  return gone;
}

/** Import the environment's keys into SecretStorage. Returns the provider ids imported. */
export async function importKeysFromEnv(app: KeysHost, env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const refused: WorkspaceKeyEnv[] = [];
  for (const w of keysAwaitingConsent(app, env)) if (!(await askKeyEnvConsent(app, w))) refused.push(w);
  const found = keysInEnvironment(app, env);
  const imported: string[] = [];
  for (const f of found) {
    const value = env[f.env]?.trim();
    if (!value || /\s/.test(value)) continue;
    await app.keys.set(f.providerId, value);
    imported.push(f.providerId);
  }
  app.log.info(`Imported keys from the environment for: ${imported.join(', ') || 'nothing'}`);
  const notRead = refused.length ? ` Not read (not allowed): ${refused.map((w) => `${w.env} for the workspace's provider "${w.providerId}"`).join(', ')}.` : '';
  tell(
    app,
    'info',
    (imported.length
      ? `Switchboard: imported ${imported.length} key${imported.length > 1 ? 's' : ''} from the environment (${found
          .filter((f) => imported.includes(f.providerId))
          .map((f) => f.env)
          .join(', ')}).`
      : 'Switchboard: no new API keys found in the environment.') + notRead,
  );
  if (imported.length) app.fireModelsChanged();
  return imported;
}

/**
 * No key, no model yet, and VS Code already has models (Copilot's, another extension's): offer one
 * as the starting model, saying what it is. Accepting picks it, which is when VS Code asks whether
 * Switchboard may use it. Returns whether a model was taken.
 */
export async function offerVscodeModels(app: KeysHost, models: readonly StartingModel[]): Promise<boolean> {
  if (!models.length || app.keys.ids().length || app.currentModel() || app.flag('vscodeModelsOffered')) return false;
  const first = models[0]!;
  const names = models.slice(0, 3).map((m) => m.name);
  const pick = await app.notify(
    'info',
    `No API key yet? Switchboard can use the models already in VS Code (${names.join(', ')}${models.length > 3 ? ', …' : ''}): no key needed, included in your subscription. Start with ${first.name}? VS Code will ask whether Switchboard may use it.`,
    `Use ${first.name}`,
    'Not Now',
    'Never',
  );
  if (pick === 'Never') await app.setFlag('vscodeModelsOffered', true);
  if (!pick?.startsWith('Use')) return false;
  await app.setFlag('vscodeModelsOffered', true);
  app.log.info(`Starting with ${first.id}, one of VS Code's own models`);
  await app.setCurrentModel(first.id);
  app.stepDone('providerReady');
  return true;
}

/**
 * First run: offer the environment's keys; with no key anywhere, offer one of VS Code's own
 * models (when it has any), then a local server.
 */
export async function firstRunOffers(app: KeysHost, vscodeModels: () => Promise<readonly StartingModel[]> = async () => []): Promise<void> {
  const found = keysInEnvironment(app);
  if (found.length && !app.flag('envImportOffered')) {
    const names = found.map((f) => f.env).join(', ');
    const pick = await app.notify(
      'info',
      `Switchboard found API keys in your environment (${names}). Import them into VS Code's secret storage?`,
      'Import',
      'Not Now',
      'Never',
    );
    if (pick === 'Import') {
      await app.setFlag('envImportOffered', true);
      await importKeysFromEnv(app);
    } else if (pick === 'Never') await app.setFlag('envImportOffered', true);
    return;
  }
  if (app.keys.ids().length || found.length) return;
  if (await offerVscodeModels(app, await vscodeModels())) return;
  if (app.currentModel() || hasLocalProvider(app)) return;
  const servers = app.flag('localOffered') ? [] : await detectLocalServers();
  const s = servers.find((x) => x.models.length);
  if (!s) {
    await openWalkthroughOnce(app);
    return;
  }
  app.log.info(`Found a local ${s.name} server at ${s.baseUrl} with ${s.models.length} models`);
  const pick = await app.notify(
    'info',
    `Switchboard found a local ${s.name} server with ${s.models.length} model${s.models.length > 1 ? 's' : ''} (${s.models.slice(0, 3).join(', ')}${s.models.length > 3 ? ', …' : ''}). Use it?`,
    `Use ${s.name}`,
    'Not Now',
    'Never',
  );
  if (pick === 'Never') await app.setFlag('localOffered', true);
  if (!pick?.startsWith('Use')) return;
  await app.setFlag('localOffered', true);
  await useLocalServer(app, { baseUrl: s.baseUrl, models: s.models, preset: s.providerId });
  inBackground(vscode.commands.executeCommand('switchboard.switchModel'), app.log, 'Switching the model');
}

/** The walkthrough's id as VS Code knows it (`publisher.name#id`). */
export const WALKTHROUGH_ID = 'switchboard.switchboard#switchboard.gettingStarted';

/** A local server (Ollama, LM Studio, any keyless endpoint) is configured already. */
function hasLocalProvider(app: KeysHost): boolean {
  return app.settings.config.providers.some((p) => {
    try {
      const r = resolveProvider(p);
      return r.local || r.auth === 'none';
    } catch {
      return false;
    }
  });
}

/**
 * Nothing to start with (no key, no local server, no model of VS Code's): the "Get started"
 * walkthrough opens, once, beside whatever is open — its first step adds a key or connects a local
 * server in one click. `switchboard.walkthroughOnFirstRun: false` turns it off (the tests' harness does).
 */
export async function openWalkthroughOnce(app: KeysHost): Promise<boolean> {
  if (app.flag('walkthroughOpened')) return false;
  if (!readFlag('walkthroughOnFirstRun', true)) return false;
  await app.setFlag('walkthroughOpened', true);
  app.log.info('First run with no key and no local server: opening the "Get started" walkthrough');
  await vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false);
  return true;
}

export interface ConnectLocalArgs {
  /** The server's base URL (skips the questions). */
  baseUrl?: string;
}

export interface ConnectedServer {
  providerId: string;
  baseUrl: string;
  models: string[];
}

interface ServerItem extends vscode.QuickPickItem {
  server?: LocalServer;
}

/**
 * Switchboard: Connect a Local Server…: finds Ollama / LM Studio on their default ports, or asks for
 * an OpenAI-compatible base URL; checks that it lists models; saves it to `switchboard.providers`
 * (no key involved) and, with no model chosen yet, takes its first model. Resolves with what was
 * connected, undefined when cancelled or when the server did not answer (said in a notification).
 */
export async function connectLocalServer(app: KeysHost, args: ConnectLocalArgs = {}): Promise<ConnectedServer | undefined> {
  let baseUrl = args.baseUrl;
  let preset: string | undefined;
  if (baseUrl === undefined) {
    const servers = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Switchboard: looking for Ollama and LM Studio…' },
      () => detectLocalServers(),
    );
    let picked: ServerItem | undefined;
    if (servers.length) {
      const items: ServerItem[] = [
        ...servers.map((s): ServerItem => ({
          server: s,
          label: `$(server) ${s.name}`,
          description: s.models.length ? `${s.models.length} model${s.models.length > 1 ? 's' : ''}` : 'no model loaded',
          detail: `${s.baseUrl}${s.models.length ? ` · ${s.models.slice(0, 3).join(', ')}${s.models.length > 3 ? ', …' : ''}` : ''}`,
        })),
        { label: '$(link) Enter a base URL…', description: 'any OpenAI-compatible server (vLLM, llama.cpp, LiteLLM…)' },
      ];
      picked = await vscode.window.showQuickPick(items, { title: 'Switchboard: Connect a Local Server', placeHolder: 'Pick a server', ignoreFocusOut: true });
      if (!picked) return undefined;
    }
    if (picked?.server) {
      baseUrl = picked.server.baseUrl;
      preset = picked.server.providerId;
    } else {
      baseUrl = await vscode.window.showInputBox({
        title: 'Switchboard: Connect a Local Server',
        prompt: `${servers.length ? '' : 'No Ollama (port 11434) or LM Studio (port 1234) answered. '}The base URL of an OpenAI-compatible server; Switchboard checks that it lists models.`,
        placeHolder: 'e.g. http://localhost:8000/v1',
        ignoreFocusOut: true,
        validateInput: (v) => (/^https?:\/\/\S+$/i.test(v.trim()) ? undefined : 'An http:// or https:// URL'),
      });
      if (!baseUrl?.trim()) return undefined;
    }
  }
  const check = await checkServer(baseUrl);
  if (!check.ok) {
    app.log.warn(`Connect a Local Server: ${check.message}`);
    inBackground(
      app.notify('warning', `Switchboard: could not connect: ${check.message}. Is the server running?`, 'Try Again').then((a) => {
        if (a) inBackground(connectLocalServer(app), app.log, 'Connecting a local server');
      }),
      app.log,
      'The connect-failed notification',
    );
    return undefined;
  }
  return useLocalServer(app, { baseUrl: check.baseUrl, models: check.models, ...(preset ? { preset } : {}) });
}

/** Saves a checked server to the settings, takes its first model when none is chosen, and says so. */
async function useLocalServer(app: KeysHost, s: { baseUrl: string; models: string[]; preset?: string }): Promise<ConnectedServer> {
  const preset = s.preset ?? LOCAL_PRESET_IDS.find((id) => findPreset(id)?.baseUrl === s.baseUrl);
  const providerId = preset ? (await addLocalProvider(app, preset), preset) : await addCustomServer(s.baseUrl);
  app.log.info(`Connected ${providerId} at ${redactUrl(s.baseUrl)}: ${s.models.length} models`);
  app.stepDone('providerReady');
  const model = `${providerId}/${s.models[0]!}`;
  const chosen = !app.currentModel();
  if (chosen) await app.setCurrentModel(model);
  app.fireModelsChanged();
  inBackground(
    app
      .notify(
        'info',
        `Switchboard: connected to ${redactUrl(s.baseUrl)} (${s.models.length} model${s.models.length > 1 ? 's' : ''}).${chosen ? ` Using ${model}.` : ''}`,
        'Switch Model',
      )
      .then((a) => {
        if (a) inBackground(vscode.commands.executeCommand('switchboard.switchModel'), app.log, 'Switching the model');
      }),
    app.log,
    'The connected notification',
  );
  return { providerId, baseUrl: s.baseUrl, models: s.models };
}

const LOCAL_PRESET_IDS = ['ollama', 'lmstudio'] as const;

/** A keyless OpenAI-compatible entry in the user's `switchboard.providers` (`local`, `local-2`, … ; the same URL reuses its entry). */
async function addCustomServer(baseUrl: string): Promise<string> {
  const cfg = vscode.workspace.getConfiguration('switchboard');
  const current = (cfg.inspect<unknown[]>('providers')?.globalValue ?? []) as { id?: string; baseUrl?: string }[];
  const same = current.find((p) => p?.baseUrl?.replace(/\/+$/, '') === baseUrl);
  if (same?.id) return same.id;
  const taken = new Set(current.map((p) => p?.id));
  let id = 'local';
  for (let n = 2; taken.has(id); n++) id = `local-${n}`;
  let host = baseUrl;
  try {
    host = new URL(baseUrl).host;
  } catch {
    /* checked before: a URL */
  }
  await cfg.update('providers', [...current, { id, name: `Local server (${host})`, kind: 'openai', baseUrl, auth: 'none' }], vscode.ConfigurationTarget.Global);
  return id;
}

/** Add a local preset to the user's `switchboard.providers` (settings hold no secrets, so this is safe). */
export async function addLocalProvider(app: KeysHost, providerId: string): Promise<void> {
  const cfg = vscode.workspace.getConfiguration('switchboard');
  const current = cfg.inspect<unknown[]>('providers')?.globalValue ?? [];
  if (current.some((p) => (p as { id?: string })?.id === providerId)) return;
  await cfg.update('providers', [...current, { id: providerId }], vscode.ConfigurationTarget.Global);
}
