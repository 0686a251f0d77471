// A refusal the core makes before sending (a model that takes no images or PDFs, a tool result its
// protocol cannot carry) names the part where the client put it, in the door's own shape
// (`input[3].output[1]`, `messages[2].content[0].content[1]`), not the core request's index.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { contentPath } from '../../src/core/providers/shared.ts';
import { DoorPaths, inDoorTerms, type DoorRequest } from '../../src/gateway/doors/door.ts';
import { SwitchboardError } from '../../src/core/errors.ts';
import { startWorld, TOKEN, type World } from './gatewayWorld.ts';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
const PDF = Buffer.from('%PDF-1.4\n%%EOF\n').toString('base64');

describe('doors: core refusals name the client’s own paths', () => {
  let w: World;
  before(async () => {
    // backup/m (Chat Completions) takes neither images nor PDFs; openai/gpt-4o-mini takes images.
    w = await startWorld({
      config: {
        capabilities: { 'backup/m': { imageInput: false, pdfInput: false }, 'openai/gpt-4o-mini': { imageInput: true } },
        routes: [{ id: 'blind', models: ['backup/m'] }],
      },
    });
  });
  after(() => w.close());

  const post = async (door: 'responses' | 'messages', body: unknown): Promise<{ status: number; message: string }> => {
    const res = await fetch(`${w.gateway.url}/${door}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as { error: { message: string } };
    return { status: res.status, message: json.error.message };
  };

  /** A Codex-like turn: instructions, the task, a call, and its output with text and an image (core: messages[3].content[0].content[1]). */
  const codexTurn = {
    instructions: 'Be brief.',
    input: [
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'look at the screenshot' }] },
      { type: 'function_call', call_id: 'call_1', name: 'screenshot', arguments: '{}' },
      { type: 'reasoning', summary: [] },
      {
        type: 'function_call_output',
        call_id: 'call_1',
        output: [
          { type: 'input_text', text: 'here:' },
          { type: 'input_image', image_url: `data:image/png;base64,${PNG}` },
        ],
      },
    ],
    tools: [{ type: 'function', name: 'screenshot', parameters: { type: 'object', properties: {} } }],
  };

  test('responses: an image in a function output for a model that takes no images names input[3].output[1]', async () => {
    const before = w.upstreamRequests();
    const r = await post('responses', { model: 'backup/m', ...codexTurn });
    assert.equal(r.status, 400);
    assert.match(r.message, /input\[3\]\.output\[1\] \(image\): backup\/m does not take images/);
    assert.doesNotMatch(r.message, /messages\[/);
    assert.equal(w.upstreamRequests(), before);
  });

  test('responses: an image in a function output for a Chat Completions model (its tool messages hold text only) names input[3].output[1]', async () => {
    const r = await post('responses', { model: 'openai/gpt-4o-mini', ...codexTurn });
    assert.equal(r.status, 400);
    assert.match(r.message, /input\[3\]\.output\[1\]: a tool message takes text only in Chat Completions/);
    assert.doesNotMatch(r.message, /messages\[/);
  });

  test('responses: a PDF in a user message names input[1].content[1]; streamed too', async () => {
    for (const stream of [false, true]) {
      const r = await post('responses', {
        model: 'backup/m',
        stream,
        input: [
          { type: 'message', role: 'developer', content: 'Be brief.' },
          {
            type: 'message',
            role: 'user',
            content: [
              { type: 'input_text', text: 'summarise' },
              { type: 'input_file', filename: 'a.pdf', file_data: `data:application/pdf;base64,${PDF}` },
            ],
          },
        ],
      });
      assert.equal(r.status, 400);
      assert.match(r.message, /input\[1\]\.content\[1\] \(file\): backup\/m does not take PDF documents/, `stream ${stream}`);
    }
  });

  test('messages: an image in a tool_result names messages[2].content[0].content[1]; an image in a user turn after the system prompt names its own index', async () => {
    const conversation = {
      max_tokens: 100,
      system: 'Be brief.',
      tools: [{ name: 'screenshot', input_schema: { type: 'object', properties: {} } }],
      messages: [
        { role: 'user', content: 'look at the screenshot' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'screenshot', input: {} }] },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 'toolu_1',
              content: [
                { type: 'text', text: 'here:' },
                { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
              ],
            },
            { type: 'text', text: 'what is on it?' },
          ],
        },
      ],
    };
    const inResult = await post('messages', { model: 'backup/m', ...conversation });
    assert.equal(inResult.status, 400);
    assert.match(inResult.message, /messages\[2\]\.content\[0\]\.content\[1\] \(image\): backup\/m does not take images/);
    const chat = await post('messages', { model: 'openai/gpt-4o-mini', ...conversation });
    assert.equal(chat.status, 400);
    assert.match(chat.message, /messages\[2\]\.content\[0\]\.content\[1\]: a tool message takes text only in Chat Completions/);

    const inTurn = await post('messages', {
      model: 'backup/m',
      max_tokens: 100,
      system: 'Be brief.',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
          ],
        },
      ],
    });
    assert.equal(inTurn.status, 400);
    // The core's messages[1] (after the system prompt) is the client's messages[0].
    assert.match(inTurn.message, /messages\[0\]\.content\[1\] \(image\): backup\/m does not take images/);
  });

  test('a route none of whose members can serve it names the client’s path in its reason', async () => {
    const r = await post('responses', { model: 'route/blind', input: codexTurn.input.slice(3) });
    // Only a function output: the core's messages[0].content[0].content[1] is the client's input[0].output[1].
    assert.equal(r.status, 400);
    assert.match(r.message, /no model of route\/blind can serve this request \(backup\/m: input\[0\]\.output\[1\] \(image\): does not take images\)/);
  });
});

describe('inDoorTerms: only the core’s own refusals, only where the door recorded the path', () => {
  const part = { type: 'image' as const, source: { type: 'url' as const, url: 'https://x/y.png' } };
  const req: DoorRequest = {
    model: 'm/x',
    stream: false,
    warnings: [],
    request: {
      messages: [
        { role: 'system', content: 's' },
        { role: 'user', content: [{ type: 'text', text: 'a' }, part] },
      ],
    },
    paths: new DoorPaths(),
  };
  req.paths!.set(part, 'input[0].content[1]');
  const refusal = (message: string, status: number | null = null) => new SwitchboardError({ kind: 'bad_request', message, provider: 'p', model: 'm', status });

  test('a core path the door knows becomes the door’s; one it does not know stays; an upstream error is left alone', () => {
    const e = inDoorTerms(refusal(`${contentPath(1, 1)} (image): does not take images`), req) as SwitchboardError;
    assert.equal(e.detail, 'input[0].content[1] (image): does not take images');
    const unknown = refusal(`${contentPath(1, 0)}: why`);
    assert.equal(inDoorTerms(unknown, req), unknown);
    const upstream = refusal(`${contentPath(1, 1)}: invalid image`, 400);
    assert.equal(inDoorTerms(upstream, req), upstream);
  });
});
