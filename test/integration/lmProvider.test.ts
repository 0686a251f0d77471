/// <reference types="mocha" />
// Switchboard's models in VS Code's language-model API, used the way another extension (or agent
// mode) uses them: selectChatModels, sendRequest with tools, the tool call coming back as a
// LanguageModelToolCallPart, the tool result going in the next turn, images as data parts. Against
// the scripted fake OpenAI server, whose recorded requests show what reached the provider.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { startFakeProvider, type FakeServer, type RecordedRequest } from '../fakes/server.ts';
import { resetSettings, services, setSetting, switchboardLogs, waitFor } from './helpers.ts';

const KEY = 'sk-lm-integration';
const WEATHER: vscode.LanguageModelChatTool = {
  name: 'get_weather',
  description: 'The weather in a city',
  inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

const chatRequests = (fake: FakeServer): RecordedRequest[] => fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/chat/completions');

/** A 2×1 PNG (a real file: signature, IHDR, IDAT, IEND). */
const PNG = Uint8Array.from(Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAYAAAD0In+KAAAADklEQVR4nGP4z8AAQv8BD/kD/YURmXYAAAAASUVORK5CYII=', 'base64'));

async function drain(res: vscode.LanguageModelChatResponse): Promise<{ text: string; calls: vscode.LanguageModelToolCallPart[] }> {
  let text = '';
  const calls: vscode.LanguageModelToolCallPart[] = [];
  for await (const part of res.stream) {
    if (part instanceof vscode.LanguageModelTextPart) text += part.value;
    else if (part instanceof vscode.LanguageModelToolCallPart) calls.push(part);
  }
  return { text, calls };
}

describe("VS Code's language-model API", () => {
  let fake: FakeServer;

  before(async () => {
    fake = await startFakeProvider('openai', { apiKey: KEY });
    fake.setDefault({ text: 'default answer', usage: { input: 20, output: 5 } });
    await setSetting('providers', [{ id: 'openai', baseUrl: fake.baseUrl }]);
    await setSetting('routes', [{ id: 'pair', models: ['openai/gpt-4o', 'openai/gpt-4o-mini'], strategy: 'ordered' }]);
    await setSetting('retries', { maxRetries: 0 });
    await vscode.commands.executeCommand('switchboard.setApiKey', { provider: 'openai', key: KEY, verify: false });
    const s = await services();
    await waitFor('the fake provider in use', () => s.providers().includes('openai'));
  });

  after(async () => {
    await vscode.commands.executeCommand('switchboard.removeApiKey', 'openai');
    await resetSettings();
    await fake.close();
  });

  it('offers the models with tool calling, image input and their real limits; a route has the smallest of its members', async () => {
    const models = await waitFor('Switchboard models in VS Code', async () => {
      const m = await vscode.lm.selectChatModels({ vendor: 'switchboard' });
      return m.some((x) => x.id === 'openai/gpt-4o-mini') && m.some((x) => x.id === 'route/pair') ? m : null;
    });
    const infos = (await services()).languageModels();
    const mini = infos.find((i) => i.id === 'openai/gpt-4o-mini');
    const route = infos.find((i) => i.id === 'route/pair');
    assert.ok(mini && route);
    assert.deepEqual(mini.capabilities, { toolCalling: true, imageInput: true });
    assert.deepEqual(route.capabilities, { toolCalling: true, imageInput: true });
    // gpt-4o-mini: 128K window, 16K output.
    assert.equal(mini.maxOutputTokens, 16_384);
    assert.equal(mini.maxInputTokens, 128_000 - 16_384);
    assert.ok(route.maxInputTokens <= mini.maxInputTokens && route.maxOutputTokens <= mini.maxOutputTokens);
    // What VS Code hands to a consumer matches.
    assert.equal(models.find((m) => m.id === 'openai/gpt-4o-mini')?.maxInputTokens, mini.maxInputTokens);
  });

  it('a request with tools yields a LanguageModelToolCallPart, takes the tool result in the next turn and ends with the text', async () => {
    const [model] = await vscode.lm.selectChatModels({ vendor: 'switchboard', id: 'openai/gpt-4o-mini' });
    assert.ok(model, 'the model is offered');
    const n = chatRequests(fake).length;
    fake.enqueue({
      toolCall: { id: 'call_w1', name: 'get_weather', arguments: '{"city":"Paris"}' },
      finishReason: 'tool_calls',
      usage: { input: 50, output: 10 },
    });
    const question = vscode.LanguageModelChatMessage.User('What is the weather in Paris?');
    const first = await drain(await model.sendRequest([question], { tools: [WEATHER], toolMode: vscode.LanguageModelChatToolMode.Required }));
    assert.equal(first.text, '');
    assert.equal(first.calls.length, 1);
    assert.equal(first.calls[0]!.callId, 'call_w1');
    assert.equal(first.calls[0]!.name, 'get_weather');
    assert.deepEqual(first.calls[0]!.input, { city: 'Paris' });
    const sent1 = chatRequests(fake)[n]!.body;
    assert.deepEqual(sent1.tools, [
      { type: 'function', function: { name: 'get_weather', description: 'The weather in a city', parameters: WEATHER.inputSchema } },
    ]);
    assert.equal(sent1.tool_choice, 'required');

    fake.enqueue({ text: 'It is sunny in Paris.', usage: { input: 70, output: 8 } });
    const second = await drain(
      await model.sendRequest(
        [
          question,
          vscode.LanguageModelChatMessage.Assistant([first.calls[0]!]),
          vscode.LanguageModelChatMessage.User([new vscode.LanguageModelToolResultPart('call_w1', [new vscode.LanguageModelTextPart('sunny, 21 °C')])]),
        ],
        { tools: [WEATHER] },
      ),
    );
    assert.equal(second.text, 'It is sunny in Paris.');
    assert.deepEqual(second.calls, []);
    const sent2 = chatRequests(fake)[n + 1]!.body;
    assert.equal(sent2.tool_choice, 'auto');
    const msgs = sent2.messages as { role: string; content: unknown; tool_calls?: unknown; tool_call_id?: string }[];
    assert.deepEqual(
      msgs.map((m) => m.role),
      ['user', 'assistant', 'tool'],
    );
    assert.deepEqual(msgs[1]!.tool_calls, [{ id: 'call_w1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }]);
    assert.equal(msgs[2]!.tool_call_id, 'call_w1');
    assert.equal(msgs[2]!.content, 'sunny, 21 °C');
    // Costs and the session count apply to these requests as to any other.
    assert.ok((await (await services()).refreshSpend()).session.requests >= 2);
  });

  it('an image data part reaches the provider as an image', async () => {
    const [model] = await vscode.lm.selectChatModels({ vendor: 'switchboard', id: 'openai/gpt-4o-mini' });
    assert.ok(model);
    const n = chatRequests(fake).length;
    fake.enqueue({ text: 'A tiny image.' });
    const res = await drain(
      await model.sendRequest([
        vscode.LanguageModelChatMessage.User([new vscode.LanguageModelTextPart('What is this?'), vscode.LanguageModelDataPart.image(PNG, 'image/png')]),
      ]),
    );
    assert.equal(res.text, 'A tiny image.');
    const user = (chatRequests(fake)[n]!.body.messages as { role: string; content: unknown }[]).find((m) => m.role === 'user');
    assert.deepEqual(user?.content, [
      { type: 'text', text: 'What is this?' },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${Buffer.from(PNG).toString('base64')}` } },
    ]);
  });

  it('counts tokens for every part kind: an image by its pixel size, a tool result by its content', async () => {
    const [model] = await vscode.lm.selectChatModels({ vendor: 'switchboard', id: 'openai/gpt-4o-mini' });
    assert.ok(model);
    const text = await model.countTokens(vscode.LanguageModelChatMessage.User('x'.repeat(400)));
    const withImage = await model.countTokens(
      vscode.LanguageModelChatMessage.User([new vscode.LanguageModelTextPart('x'.repeat(400)), vscode.LanguageModelDataPart.image(PNG, 'image/png')]),
    );
    assert.equal(withImage, text + 1, 'a 2×1 image is one token');
    const result = await model.countTokens(
      vscode.LanguageModelChatMessage.User([new vscode.LanguageModelToolResultPart('c1', [new vscode.LanguageModelTextPart('y'.repeat(800))])]),
    );
    assert.ok(result >= 200, String(result));
  });

  it("a caller's modelOptions reach the provider by their OpenAI names; an unknown one is said, one no model honours is refused", async () => {
    const [model] = await vscode.lm.selectChatModels({ vendor: 'switchboard', id: 'openai/gpt-4o-mini' });
    assert.ok(model);
    const n = chatRequests(fake).length;
    fake.enqueue({ text: 'Short and cool.' });
    const res = await drain(
      await model.sendRequest([vscode.LanguageModelChatMessage.User('Be brief.')], {
        modelOptions: { temperature: 0.25, max_tokens: 64, stop: ['END'], seed: 7, lm_option_unknown_to_switchboard: true },
      }),
    );
    assert.equal(res.text, 'Short and cool.');
    const sent = chatRequests(fake)[n]!.body;
    assert.equal(sent.temperature, 0.25);
    assert.equal(sent.max_completion_tokens ?? sent.max_tokens, 64);
    assert.deepEqual(sent.stop, ['END']);
    assert.equal(sent.seed, 7);
    assert.equal(sent.lm_option_unknown_to_switchboard, undefined, 'an unknown option is not sent');
    await waitFor('the unknown option in the Switchboard log', () =>
      switchboardLogs().some((f) => readFileSync(f, 'utf8').includes('modelOptions.lm_option_unknown_to_switchboard: unknown parameter, not forwarded'))
        ? true
        : null,
    );

    await assert.rejects(
      async () => drain(await model.sendRequest([vscode.LanguageModelChatMessage.User('Three answers, please.')], { modelOptions: { n: 3 } })),
      /modelOptions\.n: n = 3 asks for several choices/,
    );
    await assert.rejects(
      async () => drain(await model.sendRequest([vscode.LanguageModelChatMessage.User('Hot?')], { modelOptions: { temperature: 'hot' } })),
      /modelOptions\.temperature: .*expected number/,
    );
    assert.equal(chatRequests(fake).length, n + 1, 'nothing refused reached the provider');
  });

  it('refuses what it cannot pass on exactly, naming it', async () => {
    const [model] = await vscode.lm.selectChatModels({ vendor: 'switchboard', id: 'openai/gpt-4o-mini' });
    assert.ok(model);
    const n = chatRequests(fake).length;
    await assert.rejects(
      async () =>
        drain(
          await model.sendRequest([vscode.LanguageModelChatMessage.User([new vscode.LanguageModelDataPart(new Uint8Array([1, 2, 3]), 'application/zip')])]),
        ),
      /application\/zip/,
    );
    assert.equal(chatRequests(fake).length, n, 'nothing reached the provider');
  });
});
