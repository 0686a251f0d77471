// Types of harness.mjs, for the TypeScript UI tests (test/ui/*.ui.test.ts) and the typecheck.
import type { BrowserContext, FrameLocator, Locator, Page } from 'playwright-core';

export declare const repoRoot: string;
export declare const artifactsDir: string;
export declare const screenshotsDir: string;
export declare const EXTENSION_ID: string;
/** A test extension with scripted language models of its own (vendor `sbtest`). */
export declare const LM_FIXTURE: string;
export declare const DEFAULT_SETTINGS: Readonly<Record<string, unknown>>;
/** Added for throwaway (test) instances only (VS Code's chat off for the UI tests). */
export declare const TEST_ONLY_SETTINGS: Readonly<Record<string, unknown>>;
export declare const CHROMIUM_ARGS: readonly string[];
/** Debian's Chromium (or $SWITCHBOARD_CHROMIUM). */
export declare const CHROMIUM_PATH: string;
export declare const UI_SERVER_ENV: string;
export declare function mergeSharedUserSettings(settings: Record<string, unknown>): () => void;

export interface StartOptions {
  /** Folder the workbench opens (created if missing; default: a fresh one in the throwaway root). */
  workspace?: string;
  /** Installed with `code-server --install-extension` before the server starts (several: each in turn). */
  vsixPath?: string | string[];
  /** Loaded unpackaged through the smoke-test payload: pass it to workbenchUrl() (needs smokeDriver). */
  extensionDevelopmentPath?: string;
  /** User settings merged over DEFAULT_SETTINGS. */
  settings?: Record<string, unknown>;
  /** Extra environment for code-server and so for its extension hosts. */
  env?: Record<string, string>;
  /** `--vscode-option enable-smoke-test-driver`: needed for test payloads, hides notification toasts. */
  smokeDriver?: boolean;
  host?: string;
  port?: number;
  extraArgs?: string[];
  /** Keep the throwaway folder after stop() (also: SWITCHBOARD_HARNESS_KEEP=1). */
  keep?: boolean;
  tmpRoot?: string;
  /** Use (and keep) this folder for HOME, user data and extensions instead of a throwaway one. */
  dataDir?: string;
  startTimeoutMs?: number;
  /** Internal: which start this is, after a picked port was taken before code-server bound it. */
  portAttempt?: number;
  /** Echo code-server's output on stderr (also: SWITCHBOARD_HARNESS_VERBOSE=1). */
  logToStderr?: boolean;
  /** Check that Chromium is installed (default true). */
  browser?: boolean;
  /** Workspace trust on (default off: --disable-workspace-trust): folders open untrusted, in Restricted Mode. */
  workspaceTrust?: boolean;
}

export interface WorkbenchUrlOptions {
  folder?: string;
  extensionDevelopmentPath?: string;
  extensionTestsPath?: string;
  extensionEnvironment?: Record<string, string>;
}

export interface CodeServer {
  url: string;
  host: string;
  port: number;
  pid: number;
  root: string;
  workspace: string;
  userDataDir: string;
  extensionsDir: string;
  logFile: string;
  recentOutput(): string;
  workbenchUrl(options?: WorkbenchUrlOptions): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

export interface LaunchOptions {
  headless?: boolean;
  args?: string[];
  viewport?: { width: number; height: number };
  defaultTimeoutMs?: number;
}

export interface Browser {
  /** Chromium's profile folder (removed at exit): its IndexedDB and localStorage hold the workbench's state. */
  profileDir: string;
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export interface UiSessionOptions {
  /** Files to create in the session's fresh workspace folder, by relative path. */
  files?: Record<string, string>;
  /** Only when the session starts its own code-server (a test file run by hand). */
  settings?: Record<string, unknown>;
  env?: Record<string, string>;
}

export interface UiSession {
  server: CodeServer;
  page: Page;
  context: BrowserContext;
  /** The session browser's profile folder (see Browser.profileDir). */
  profileDir: string;
  workspace: string;
  close(): Promise<void>;
}

/** Removes `dir` when the process exits (however it exits, but for SIGKILL); call the result to remove it now. */
export declare function removeAtExit(dir: string): () => void;
export declare function freePort(host?: string): Promise<number>;
export declare function startCodeServer(options?: StartOptions): Promise<CodeServer>;
export declare function launchBrowser(options?: LaunchOptions): Promise<Browser>;
export declare function waitForWorkbench(page: Page, timeoutMs?: number): Promise<void>;
export declare function openWorkbench(page: Page, server: CodeServer, urlOptions?: WorkbenchUrlOptions): Promise<void>;
export declare function runCommand(page: Page, title: string, options?: { timeoutMs?: number }): Promise<void>;
export declare function closeQuickInput(page: Page): Promise<void>;
export declare function quickInputItems(page: Page): Promise<string[]>;
export declare function typeModelId(page: Page, id: string, opts?: { timeoutMs?: number }): Promise<void>;
export declare function pickQuickInputItem(page: Page, label: string, options?: { timeoutMs?: number }): Promise<boolean>;
/** "Switchboard: Set API Key" from the palette: the `provider` row, `key` typed into the masked box, Enter. */
export declare function enterApiKey(
  page: Page,
  provider: string,
  key: string,
  options?: { timeoutMs?: number; beforeEnter?: () => Promise<unknown> },
): Promise<void>;
export interface ThemeKind {
  /** Short name for screenshots: light, dark, hc-dark, hc-light. */
  name: string;
  /** The label in "Preferences: Color Theme". */
  theme: string;
  /** The class the workbench element then carries. */
  workbenchClass: string;
  /** The selector of the class a webview's body then gets. */
  bodyClass: string;
}
/** Light, dark, high contrast dark and high contrast light. */
export declare const THEMES: Readonly<Record<'light' | 'dark' | 'hcDark' | 'hcLight', ThemeKind>>;
/** "Preferences: Color Theme" to `theme.theme`; resolves once the workbench wears it. */
export declare function setColorTheme(page: Page, theme: Pick<ThemeKind, 'theme' | 'workbenchClass'>): Promise<void>;
/** The first notification (toast or Notifications center item) matching `pattern`, once visible. */
export declare function waitForNotification(page: Page, pattern: RegExp | string, options?: { timeoutMs?: number }): Promise<Locator>;
/** The clipboard as the page sees it, read until `done` holds or `timeoutMs` (default 20 s) passes; the last text read. */
export declare function readClipboard(page: Page, done: (text: string) => boolean, options?: { timeoutMs?: number }): Promise<string>;
export declare function webviewFrame(page: Page, options?: { index?: number }): FrameLocator;
/** The newest webview's content frame in which `probe` (a CSS selector or frame → locator) finds something; polls. */
export declare function findWebview(
  page: Page,
  probe: string | ((frame: FrameLocator) => Locator),
  options?: { timeoutMs?: number; what?: string },
): Promise<FrameLocator>;
/** A wrapper for test bodies that saves a `<name>-FAILED` screenshot of `page()` when the body throws. */
export declare function screenshotOnFailure(page: () => Page): (name: string, body: () => Promise<void>) => () => Promise<void>;
export declare function readNotifications(page: Page, options?: { close?: boolean }): Promise<string[]>;
export declare function screenshot(page: Page, name: string): Promise<string>;
/** Switchboard's .vsix: $SWITCHBOARD_VSIX, else built and packaged now. */
export declare function switchboardVsix(): Promise<string>;
/** The test extension with scripted language models (LM_FIXTURE), packaged at `out`; returns `out`. */
export declare function lmFixtureVsix(out: string): Promise<string>;
export declare function extensionManifest(): { name: string; publisher: string; version: string; displayName?: string; [key: string]: unknown };
export declare function describeServerForEnv(server: CodeServer): string;
export declare function openUiSession(options?: UiSessionOptions): Promise<UiSession>;
