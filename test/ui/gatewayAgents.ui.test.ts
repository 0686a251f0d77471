// "Use with Claude Code / Codex / other tools", as a user does it in the real VS Code (code-server) with
// the packaged extension: Start Local Gateway from the palette, the notification's "Use with…" button,
// the tool picked in the quick pick, and the settings it copies pasted as they are into the REAL agent
// (Codex CLI's config.toml, Claude Code's environment), which then does a small task through the
// gateway running in VS Code's extension host, answered by a scripted upstream model.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  enterApiKey,
  mergeSharedUserSettings,
  openUiSession,
  pickQuickInputItem,
  quickInputItems,
  readClipboard,
  runCommand,
  screenshot,
  screenshotOnFailure,
  typeModelId,
  waitForNotification,
  type UiSession,
} from '../../scripts/vscode/harness.mjs';
import { startFakeProvider, type FakeServer } from '../fakes/server.ts';
import { agentEnv, FINAL, run, scratch, scriptedModel, snippetEnv, type FileTask } from '../unit/agentWorld.ts';

const KEY = 'sk-ui-use-with-0123456789abcdef';
const MODEL = 'openai/gpt-4.1';
const BIN = resolve(import.meta.dirname, '../../node_modules/.bin');
const USE_WITH = 'Use with Claude Code / Codex / other tools';

let ui: UiSession;
let fake: FakeServer;
let dir: string;
let restoreSettings: (() => void) | undefined;
const task: FileTask = { path: '', content: 'written through the gateway in VS Code\n' };
const shot = screenshotOnFailure(() => ui.page);

before(async () => {
  dir = scratch('sb-ui-use-with-');
  fake = await startFakeProvider('openai', { apiKey: KEY });
  fake.setDefault(scriptedModel('openai', task));
  const settings = { 'switchboard.providers': [{ id: 'openai', baseUrl: fake.baseUrl }], 'switchboard.defaultModel': MODEL };
  restoreSettings = mergeSharedUserSettings(settings);
  ui = await openUiSession({ settings });
  await ui.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ui.server.url });
});

after(async () => {
  await ui?.close();
  restoreSettings?.();
  await fake?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Start Local Gateway, then "Use with…" on its notification, then `tool` in the quick pick: the copied text and the gateway's URL. */
async function useWith(page: Page, tool: string, shotName: string): Promise<{ text: string; url: string }> {
  await page.evaluate(() => navigator.clipboard.writeText(''));
  await runCommand(page, 'Switchboard: Start Local Gateway');
  const started = await waitForNotification(page, /gateway (started|is running) at/, { timeoutMs: 30_000 });
  const url = /(http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(await started.innerText())?.[1];
  assert.ok(url, 'the notification shows the URL');
  await started.locator('a.monaco-button, .monaco-button', { hasText: USE_WITH }).first().click();
  await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Use the Switchboard gateway with…' }).waitFor({ timeout: 15_000 });
  const items = await quickInputItems(page);
  for (const label of ['Claude Code', 'Codex CLI', 'Other tools (OpenAI-compatible)'])
    assert.ok(
      items.some((i) => i.includes(label)),
      `"${label}" is offered: ${JSON.stringify(items)}`,
    );
  await screenshot(page, `${shotName}-pick`);
  assert.ok(await pickQuickInputItem(page, tool, { timeoutMs: 10_000 }), `no "${tool}" item: ${JSON.stringify(items)}`);
  await waitForNotification(page, new RegExp(`settings for ${tool} copied \\(they contain the gateway token\\)`), { timeoutMs: 30_000 });
  await page
    .locator('.notification-toast', { hasText: `settings for ${tool} copied` })
    .first()
    .evaluate((el) => Promise.all(el.getAnimations({ subtree: true }).map((a) => a.finished)));
  await screenshot(page, `${shotName}-copied`);
  const text = await readClipboard(page, (t) => t.includes(url.replace(/\/v1$/, '')));
  assert.ok(text.includes(url.replace(/\/v1$/, '')), `the clipboard holds: ${JSON.stringify(text.slice(0, 200))}`);
  return { text, url };
}

test(
  'a key and the model, as a user sets them',
  shot('ui-gateway-use-with-setup', async () => {
    const { page } = ui;
    await enterApiKey(page, 'OpenAI', KEY);
    await waitForNotification(page, /OpenAI key saved/);
    await runCommand(page, 'Switchboard: Switch Model', { timeoutMs: 60_000 });
    await typeModelId(page, MODEL);
    await page.keyboard.press('Enter');
    await page.locator('.statusbar-item', { hasText: MODEL }).first().waitFor({ timeout: 15_000 });
  }),
);

test(
  '"Use with… Codex CLI": the config.toml copied, pasted as it is, lets the real Codex write a file through the gateway in VS Code',
  shot('ui-gateway-use-with-codex', async () => {
    const { page } = ui;
    const { text, url } = await useWith(page, 'Codex CLI', 'ui-gateway-use-with-codex');
    assert.match(text, new RegExp(`^model = "${MODEL}"$`, 'm'));
    assert.match(text, new RegExp(`^base_url = "${url}"$`, 'm'));
    assert.match(text, /^wire_api = "responses"$/m);
    // The catalog's window for the model, so that Codex compacts in time.
    assert.match(text, /^model_context_window = \d{6,}$/m);
    const token = /^# export SWITCHBOARD_TOKEN=(\S+)$/m.exec(text)?.[1];
    assert.ok(token && token.length >= 43, 'the snippet carries the token');

    const cwd = join(dir, 'codex');
    const home = join(cwd, '.codex');
    mkdirSync(home, { recursive: true });
    task.path = join(cwd, 'hello.txt');
    writeFileSync(join(home, 'config.toml'), text);
    const sent = fake.requests.length;
    const r = await run(join(BIN, 'codex'), ['exec', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', `Create the file ${task.path}`], {
      cwd,
      env: agentEnv(cwd, { CODEX_HOME: home, SWITCHBOARD_TOKEN: token }),
    });
    const said = `codex exited ${r.code}: ${r.stdout.slice(-1000)}\n${r.stderr.slice(-2000)}`;
    assert.equal(r.code, 0, said);
    assert.ok(existsSync(task.path), said);
    assert.equal(readFileSync(task.path, 'utf8'), task.content);
    assert.match(r.stdout, new RegExp(FINAL.replace(/[.:]/g, '\\$&')));
    // The tool call and the turn with its result reached the provider, with the key VS Code keeps.
    const calls = fake.requests.slice(sent).filter((q) => q.method === 'POST' && q.path === '/v1/chat/completions');
    assert.ok(calls.length >= 2, said);
    assert.ok(calls.every((q) => q.headers.authorization === `Bearer ${KEY}`));
    assert.equal((calls[0]!.body as { model?: string }).model, MODEL.slice('openai/'.length));
  }),
);

test(
  '"Use with… Claude Code": the environment copied, exported as it is, lets the real Claude Code write a file through the gateway in VS Code',
  shot('ui-gateway-use-with-claude', async () => {
    const { page } = ui;
    const { text, url } = await useWith(page, 'Claude Code', 'ui-gateway-use-with-claude');
    const env = snippetEnv(text);
    assert.equal(env.ANTHROPIC_BASE_URL, url.replace(/\/v1$/, ''));
    assert.equal(env.ANTHROPIC_MODEL, MODEL);
    assert.ok((env.ANTHROPIC_AUTH_TOKEN ?? '').length >= 43, 'the snippet carries the token');

    const cwd = join(dir, 'claude');
    mkdirSync(cwd, { recursive: true });
    task.path = join(cwd, 'hello.txt');
    const sent = fake.requests.length;
    const r = await run(
      join(BIN, 'claude'),
      ['-p', `Create the file ${task.path}`, '--permission-mode', 'acceptEdits', '--allowedTools', 'Write', '--output-format', 'text'],
      { cwd, env: agentEnv(cwd, { ...env, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_TELEMETRY: '1', DISABLE_AUTOUPDATER: '1' }) },
    );
    const said = `claude exited ${r.code}: ${r.stdout.slice(-1000)}\n${r.stderr.slice(-2000)}`;
    assert.equal(r.code, 0, said);
    assert.equal(readFileSync(task.path, 'utf8'), task.content, said);
    assert.match(r.stdout, new RegExp(FINAL.replace(/[.:]/g, '\\$&')));
    const calls = fake.requests.slice(sent).filter((q) => q.method === 'POST' && q.path === '/v1/chat/completions');
    assert.ok(calls.length >= 2, said);
    assert.ok(calls.every((q) => q.headers.authorization === `Bearer ${KEY}`));
  }),
);
