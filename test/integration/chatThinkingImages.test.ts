/// <reference types="mocha" />
// The chat controller's reasoning and images inside the extension host, against the fake provider:
// reasoning kept on the answer (and in the saved conversation), images sent as image parts with the
// question and again with later questions, a text-only model refused before anything is sent.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ChatImage } from '../../src/shared/protocol/chat.ts';
import { startFakeProvider, type FakeServer, type RecordedRequest } from '../fakes/server.ts';
import { resetSettings, services, setSetting, waitFor } from './helpers.ts';

const KEY = 'sk-chat-thinking-integration';
/** A 2×1 PNG. */
const PNG_B64 = 'iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAYAAAD0In+KAAAADklEQVR4nGP4z8AAQv8BD/kD/YURmXYAAAAASUVORK5CYII=';
const IMAGE: ChatImage = { name: 'dot.png', mediaType: 'image/png', data: PNG_B64, thumb: '' };

const chatRequests = (fake: FakeServer): RecordedRequest[] => fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/chat/completions');
const userContents = (r: RecordedRequest): unknown[] =>
  (r.body.messages as { role: string; content: unknown }[]).filter((m) => m.role === 'user').map((m) => m.content);

describe('Chat: reasoning and images', () => {
  let fake: FakeServer;

  before(async () => {
    fake = await startFakeProvider('openai', { apiKey: KEY });
    fake.setDefault({ text: 'ok', usage: { input: 10, output: 2 } });
    await setSetting('providers', [{ id: 'openai', baseUrl: fake.baseUrl }]);
    await setSetting('retries', { maxRetries: 0 });
    await vscode.commands.executeCommand('switchboard.setApiKey', { provider: 'openai', key: KEY, verify: false });
    await vscode.commands.executeCommand('switchboard.switchModel', 'openai/gpt-4o-mini');
    const s = await services();
    await waitFor('the fake provider in use', () => s.providers().includes('openai'));
    s.chat().clear();
  });

  after(async () => {
    (await services()).chat().clear();
    await vscode.commands.executeCommand('switchboard.removeApiKey', 'openai');
    await resetSettings();
    await fake.close();
  });

  it('keeps the reasoning and the provider reasoning-token count on the answer and in the saved conversation', async () => {
    const chat = (await services()).chat();
    fake.enqueue({ reasoning: 'First, 6 × 7 = 42.', text: 'It is 42.', usage: { input: 20, output: 30, reasoning: 12 } });
    const entry = await chat.ask({ question: 'Six times seven?' }, { reveal: false });
    assert.ok(entry);
    assert.equal(entry.status, 'done', entry.error?.message);
    assert.equal(entry.reasoning, 'First, 6 × 7 = 42.');
    assert.equal(entry.reasoningTokens, 12);
    assert.equal(entry.text, 'It is 42.');
    await chat.flush();
    const saved = chat.store.load(chat.state().conversationId);
    assert.equal(saved?.turns.at(-1)?.entry.reasoning, 'First, 6 × 7 = 42.');
  });

  it('sends images as image parts with the question, and again with later questions', async () => {
    const chat = (await services()).chat();
    chat.clear();
    const n = chatRequests(fake).length;
    const first = await chat.ask({ question: 'What is this?', images: [IMAGE] }, { reveal: false });
    assert.equal(first?.status, 'done', first?.error?.message);
    const image = { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_B64}` } };
    assert.deepEqual(userContents(chatRequests(fake)[n]!), [[{ type: 'text', text: 'What is this?' }, image]]);
    assert.deepEqual(chat.state().entries[0]?.images, [{ name: 'dot.png', mediaType: 'image/png', thumb: '' }]);
    await chat.ask({ question: 'And its colours?' }, { reveal: false });
    assert.deepEqual(userContents(chatRequests(fake)[n + 1]!), [[{ type: 'text', text: 'What is this?' }, image], 'And its colours?']);
  });

  it('refuses images for a text-only model before sending anything, and a conversation that has images too', async () => {
    const chat = (await services()).chat();
    const n = chatRequests(fake).length;
    const turns = chat.state().entries.length;
    // This conversation has an image from the test before.
    assert.equal(await chat.ask({ question: 'Describe it', model: 'openai/o3-mini' }, { reveal: false }), undefined);
    assert.match(chat.imageRefusal('openai/o3-mini', []) ?? '', /openai\/o3-mini does not take images, and this conversation has some/);
    chat.clear();
    assert.equal(await chat.ask({ question: 'Describe it', model: 'openai/o3-mini', images: [IMAGE] }, { reveal: false }), undefined);
    assert.match(chat.imageRefusal('openai/o3-mini', [IMAGE]) ?? '', /openai\/o3-mini does not take images\. Pick a model that does, or remove the image\./);
    assert.equal(chatRequests(fake).length, n, 'nothing was sent');
    assert.equal(chat.state().entries.length, 0, 'no turn was added');
    assert.ok(turns > 0);
  });
});
