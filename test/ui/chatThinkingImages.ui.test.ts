// The sidebar chat's reasoning and images as a user sees them, in the real VS Code (code-server) with
// the packaged extension and a fake OpenAI-compatible provider: the Thinking section streams, counts
// its tokens and folds when the answer starts; an image pasted for a model that takes images is sent
// as an image part; for a text-only model it is refused before sending and stays in the composer.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FrameLocator, Page } from 'playwright-core';
import {
  enterApiKey,
  findWebview,
  openUiSession,
  runCommand,
  screenshot,
  screenshotOnFailure,
  UI_SERVER_ENV,
  type UiSession,
} from '../../scripts/vscode/harness.mjs';
import { startFakeProvider, type FakeServer, type RecordedRequest } from '../fakes/server.ts';

const KEY = 'sk-ui-thinking-0123456789';
const REASONING = Array.from({ length: 40 }, (_, i) => `step${i}`).join(' ') + '. So the answer is 42.';
/** A 48×32 PNG (a colour gradient). */
const PNG_B64 =
  'iVBORw0KGgoAAAANSUhEUgAAADAAAAAgCAYAAABU1PscAAAHOUlEQVR42hXPIQsyCQIA0K8cCxPO4oWBwzJFFgxnccPAYZkiC4a1uEFYpkyRBcNOcYNwWKbIgeEss0FYLFNkwbAWNwjLlCnDgcVi8UfcPcP7Ae/Lly/l//5CQIcuIT0i+gwYMiJmTMKEKTPmLEjJWLIiZ82GLQU79hwoOXKi4syFKzfu1DS0PHjy4s2XL18JENChS0iPiD4DhoyIGZMwYcqMOQtSMpasyFmzYUvBjj0HSo6cqDhz4cqNOzUNLQ+evHh/9Qn8VYCADl1CekT0GTBkRMyYhAlTZsxZkJKxZEXOmg1bCnbsOVBy5ETFmQtXbtypaWh58OTF+6+fwN8ECOjQJaRHRJ8BQ0bEjEmYMGXGnAUpGUtW5KzZsKVgx54DJUdOVJy5cOXGnZqGlgdPXrz/9gn8XYCADl1CekT0GTBkRMyYhAlTZsxZkJKxZEXOmg1bCnbsOVBy5ETFmQtXbtypaWh58OTF+++fQCRAQIcuIT0i+gwYMiJmTMKEKTPmLEjJWLIiZ82GLQU79hwoOXKi4syFKzfu1DS0PHjy4h19Al8LENChS0iPiD4DhoyIGZMwYcqMOQtSMpasyFmzYUvBjj0HSo6cqDhz4cqNOzUNLQ+evHh//Qn8Q4CADl1CekT0GTBkRMyYhAlTZsxZkJKxZEXOmg1bCnbsOVBy5ETFmQtXbtypaWh58OTF+x+fwDcCBHToEtIjos+AISNixiRMmDJjzoKUjCUrctZs2FKwY8+BkiMnKs5cuHLjTk1Dy4MnL97ffAL/FCCgQ5eQHhF9BgwZETMmYcKUGXMWpGQsWZGzZsOWgh17DpQcOVFx5sKVG3dqGloePHnx/ucnkAgQ0KFLSI+IPgOGjIgZkzBhyow5C1IylqzIWbNhS8GOPQdKjpyoOHPhyo07NQ0tD568eCefwLcCBHToEtIjos+AISNixiRMmDJjzoKUjCUrctZs2FKwY8+BkiMnKs5cuHLjTk1Dy4MnL97ffgLfCRDQoUtIj4g+A4aMiBmTMGHKjDkLUjKWrMhZs2FLwY49B0qOnKg4c+HKjTs1DS0Pnrx4f/cJfC9AQIcuIT0i+gwYMiJmTMKEKTPmLEjJWLIiZ82GLQU79hwoOXKi4syFKzfu1DS0PHjy4v39J/CDAAEduoT0iOgzYMiImDEJE6bMmLMgJWPJipw1G7YU7NhzoOTIiYozF67cuFPT0PLgyYv3D59AJkBAhy4hPSL6DBgyImZMwoQpM+YsSMlYsiJnzYYtBTv2HCg5cqLizIUrN+7UNLQ8ePLinX0CPwoQ0KFLSI+IPgOGjIgZkzBhyow5C1IylqzIWbNhS8GOPQdKjpyoOHPhyo07NQ0tD568eP/4CfwkQECHLiE9IvoMGDIiZkzChCkz5ixIyViyImfNhi0FO/YcKDlyouLMhSs37tQ0tDx48uL90yfwswABHbqE9IjoM2DIiJgxCROmzJizICVjyYqcNRu2FOzYc6DkyImKMxeu3LhT09Dy4MmL98+fwL8ECOjQJaRHRJ8BQ0bEjEmYMGXGnAUpGUtW5KzZsKVgx54DJUdOVJy5cOXGnZqGlgdPXrz/9QkUAgR06BLSI6LPgCEjYsYkTJgyY86ClIwlK3LWbNhSsGPPgZIjJyrOXLhy405NQ8uDJy/exSfwbwECOnQJ6RHRZ8CQETFjEiZMmTFnQUrGkhU5azZsKdix50DJkRMVZy5cuXGnpqHlwZMX739/Av8RIKBDl5AeEX0GDBkRMyZhwpQZcxakZCxZkbNmw5aCHXsOlBw5UXHmwpUbd2oaWh48efH+zyfwiwABHbqE9IjoM2DIiJgxCROmzJizICVjyYqcNRu2FOzYc6DkyImKMxeu3LhT09Dy4MmL9y+fwK8CBHToEtIjos+AISNixiRMmDJjzoKUjCUrctZs2FKwY8+BkiMnKs5cuHLjTk1Dy4MnL96/fgKVAAEduoT0iOgzYMiImDEJE6bMmLMgJWPJipw1G7YU7NhzoOTIiYozF67cuFPT0PLgyYt39Qn8JkBAhy4hPSL6DBgyImZMwoQpM+YsSMlYsiJnzYYtBTv2HCg5cqLizIUrN+7UNLQ8ePLi/dsn8LsAAR26hPSI6DNgyIiYMQkTpsyYsyAlY8mKnDUbthTs2HOg5MiJijMXrty4U9PQ8uDJi/fvn8AfAgR06BLSI6LPgCEjYsYkTJgyY86ClIwlK3LWbNhSsGPPgZIjJyrOXLhy405NQ8uDJy/ef3wCfwoQ0KFLSI+IPgOGjIgZkzBhyow5C1IylqzIWbNhS8GOPQdKjpyoOHPhyo07NQ0tD568eP/5CTQCBHToEtIjos+AISNixiRMmDJjzoKUjCUrctZs2FKwY8+BkiMnKs5cuHLjTk1Dy4MnL97NJ/BfAQI6dAnpEdFnwJARMWMSJkyZMWdBSsaSFTlrNmwp2LHnQMmRExVnLly5caemoeXBkxdv/g+wuQbi9Yqg2wAAAABJRU5ErkJggg==';

let ui: UiSession;
let fake: FakeServer;
let settingsFile: string | null = null;
let savedSettings: string | null = null;

const chatRequests = (): RecordedRequest[] => fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/chat/completions');
const lastUserContent = (r: RecordedRequest): unknown => (r.body.messages as { role: string; content: unknown }[]).at(-1)!.content;

function baseSettings(): Record<string, unknown> {
  return {
    'switchboard.providers': [{ id: 'openai', baseUrl: fake.baseUrl }],
    'switchboard.defaultModel': 'openai/gpt-4o-mini',
    'switchboard.retries': { maxRetries: 0 },
    'workbench.colorTheme': 'Default Dark Modern',
  };
}

async function openChat(page: Page): Promise<FrameLocator> {
  await runCommand(page, 'Switchboard: Open Chat', { timeoutMs: 60_000 });
  return findWebview(page, 'textarea.prompt', { timeoutMs: 30_000, what: 'chat webview' });
}

/** Pastes a PNG file into the composer, as the clipboard would. */
async function pasteImage(chat: FrameLocator, name: string): Promise<void> {
  await chat.locator('textarea.prompt').evaluate(
    (el, { b64, fileName }) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], fileName, { type: 'image/png' }));
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    },
    { b64: PNG_B64, fileName: name },
  );
}

async function pickModel(page: Page, chat: FrameLocator, id: string): Promise<void> {
  const face = chat.locator('.model-picker .combobox-input');
  await face.click();
  await face.fill(id.split('/')[1]!);
  await chat.locator('.model-picker li', { hasText: id }).first().click();
  await page.locator('.statusbar-item', { hasText: id }).first().waitFor({ timeout: 10_000 });
}

const shot = screenshotOnFailure(() => ui.page);

before(async () => {
  fake = await startFakeProvider('openai', { apiKey: KEY });
  fake.setDefault({ text: 'Default answer.', usage: { input: 30, output: 6 } });
  const shared = process.env[UI_SERVER_ENV];
  if (shared) {
    settingsFile = join((JSON.parse(shared) as { userDataDir: string }).userDataDir, 'User', 'settings.json');
    savedSettings = readFileSync(settingsFile, 'utf8');
    writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(savedSettings), ...baseSettings() }, null, 2) + '\n');
  }
  ui = await openUiSession({ settings: baseSettings() });
  // The key, through the real prompt (as a user sets it).
  // The services load on the command's first use: slow on a busy machine.
  await enterApiKey(ui.page, 'OpenAI', KEY);
  await ui.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 15_000 });
});

after(async () => {
  await ui?.close();
  if (settingsFile && savedSettings !== null) writeFileSync(settingsFile, savedSettings);
  await fake?.close();
});

test(
  'reasoning streams into an open Thinking section with its token count, which folds when the answer starts',
  shot('ui-chat-thinking', async () => {
    const { page } = ui;
    const chat = await openChat(page);
    await page.setViewportSize({ width: 900, height: 800 });
    fake.enqueue({
      reasoning: REASONING,
      text: 'The answer is **42**.',
      chunks: 30,
      delayBetweenChunksMs: 120,
      usage: { input: 40, output: 90, reasoning: 57 },
    });
    const prompt = chat.locator('textarea.prompt');
    await prompt.fill('What is six times seven? Think first.');
    await prompt.press('Enter');
    const thinking = chat.locator('.entry.assistant.status-streaming details.thinking');
    await thinking.waitFor({ state: 'visible', timeout: 20_000 });
    // It grows while the model thinks, open, labelled "Thinking…" with an estimated count.
    // Watched in the view itself: every change of the streaming answer's reasoning text is noted.
    const seen = await chat.locator('body').evaluate(
      (body, full) =>
        new Promise<number[]>((resolve) => {
          const lengths: number[] = [];
          const done = (): void => {
            observer.disconnect();
            clearTimeout(timer);
            resolve(lengths);
          };
          const note = (): void => {
            const el = body.querySelector('.entry.assistant.status-streaming details.thinking .thinking-text');
            const len = (el?.textContent ?? '').length;
            if (len > 0 && len < full && len !== lengths.at(-1)) lengths.push(len);
            if (lengths.length >= 3) done();
          };
          const observer = new MutationObserver(note);
          const timer = setTimeout(done, 20_000);
          observer.observe(body, { childList: true, subtree: true, characterData: true });
          note();
        }),
      REASONING.length,
    );
    assert.ok(seen.length >= 3, `reasoning grew over observations: ${JSON.stringify(seen)}`);
    assert.equal(await thinking.evaluate((d) => (d as HTMLDetailsElement).open), true, 'open while thinking');
    assert.match(await thinking.locator('.thinking-summary').innerText(), /Thinking…\s*~\d+ tokens?/);
    await screenshot(page, 'ui-chat-thinking-streaming');
    // The answer: the section folded, the provider's count shown, the reasoning kept.
    const done = chat.locator('.entry.assistant.status-done').last();
    await done.waitFor({ timeout: 30_000 });
    const folded = done.locator('details.thinking');
    assert.equal(await folded.evaluate((d) => (d as HTMLDetailsElement).open), false, 'folded once the answer is there');
    assert.match(await folded.locator('.thinking-summary').innerText(), /Thinking\s*57 tokens/);
    assert.match(await done.locator('.entry-text').innerText(), /The answer is 42\./);
    await folded.locator('.thinking-summary').click();
    assert.equal((await folded.locator('.thinking-text').innerText()).trim(), REASONING);
    await screenshot(page, 'ui-chat-thinking-done');
    // At 280 px the section still fits: nothing wider than the view.
    await page.setViewportSize({ width: 280 + 48 + 300, height: 800 });
    const overflow = await done.evaluate((el) => el.scrollWidth - el.clientWidth);
    assert.ok(overflow <= 1, `no horizontal overflow (${overflow} px)`);
    await screenshot(page, 'ui-chat-thinking-narrow');
    await page.setViewportSize({ width: 1280, height: 800 });
  }),
);

test(
  'an image pasted for a model that takes images is sent as an image part and shown with the question',
  shot('ui-chat-image-sent', async () => {
    const { page } = ui;
    const chat = await openChat(page);
    await pasteImage(chat, 'dot.png');
    const thumb = chat.locator('.composer-images .composer-image');
    await thumb.waitFor({ timeout: 10_000 });
    assert.equal(await chat.locator('.composer-notice').isVisible(), false);
    const n = chatRequests().length;
    fake.enqueue({ text: 'A tiny picture.' });
    await chat.locator('textarea.prompt').fill('What is in this image?');
    await chat.locator('textarea.prompt').press('Enter');
    await chat.locator('.entry.assistant.status-done', { hasText: 'A tiny picture.' }).waitFor({ timeout: 30_000 });
    assert.deepEqual(lastUserContent(chatRequests()[n]!), [
      { type: 'text', text: 'What is in this image?' },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_B64}` } },
    ]);
    assert.equal(await chat.locator('.entry.user').last().locator('.entry-image img.thumb').count(), 1);
    assert.equal(await thumb.count(), 0, 'the composer is empty again');
    await screenshot(page, 'ui-chat-image-sent');
  }),
);

test(
  'an image for a text-only model is refused before sending, with the reason; the image and the question stay',
  shot('ui-chat-image-refused', async () => {
    const { page } = ui;
    const chat = await openChat(page);
    await pickModel(page, chat, 'openai/o3-mini');
    await pasteImage(chat, 'diagram.png');
    await chat.locator('.composer-images .composer-image').waitFor({ timeout: 10_000 });
    const n = chatRequests().length;
    const entries = await chat.locator('.entry').count();
    await chat.locator('textarea.prompt').fill('Explain this diagram');
    await chat.locator('textarea.prompt').press('Enter');
    const notice = chat.locator('.composer-notice');
    await notice.waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(await notice.innerText(), /openai\/o3-mini does not take images\. Pick a model that does, or remove the image\./);
    assert.equal(await chat.locator('.composer-images .composer-image').count(), 1, 'the image stays');
    assert.equal(await chat.locator('textarea.prompt').inputValue(), 'Explain this diagram', 'the question stays');
    assert.equal(await chat.locator('.entry').count(), entries, 'no turn was added');
    assert.equal(chatRequests().length, n, 'nothing was sent');
    await screenshot(page, 'ui-chat-image-refused');
    await chat.locator('.composer-image .image-remove').click();
    assert.equal(await notice.isVisible(), false, 'the notice goes with the image');
    // Without the image the conversation still has one (sent again with every question): the host refuses
    // too, and the question comes back to the composer.
    await chat.locator('textarea.prompt').press('Enter');
    await chat.locator('.composer-notice', { hasText: 'this conversation has some' }).waitFor({ timeout: 10_000 });
    assert.match(
      await notice.innerText(),
      /openai\/o3-mini does not take images, and this conversation has some\. Pick a model that does, or start a new chat\./,
    );
    assert.equal(await chat.locator('textarea.prompt').inputValue(), 'Explain this diagram');
    assert.equal(chatRequests().length, n, 'still nothing was sent');
    // In a new chat the question goes.
    await chat.locator('button[aria-label="New chat"]').click();
    await chat.locator('.entry').first().waitFor({ state: 'detached', timeout: 10_000 });
    await chat.locator('textarea.prompt').press('Enter');
    await chat.locator('.entry.assistant.status-done').first().waitFor({ timeout: 30_000 });
    assert.equal(chatRequests().length, n + 1);
    assert.equal(lastUserContent(chatRequests()[n]!), 'Explain this diagram');
    await pickModel(page, chat, 'openai/gpt-4o-mini');
  }),
);
