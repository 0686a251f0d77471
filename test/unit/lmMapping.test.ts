// VS Code's language-model messages ⇄ the core's request model (src/host/common/lmMapping.ts), and the
// image helpers it uses (src/host/common/images.ts): the pure half of the lm provider.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AssistantContent, ModelCapabilities } from '../../src/core/request.ts';
import { imageSize, imageTokens } from '../../src/host/common/images.ts';
import {
  CACHE_CONTROL_MIME,
  FOREIGN_STATE_MIMES,
  fromCoreRequest,
  fromModelOptions,
  lmModelInfo,
  LmRequestError,
  messageTokens,
  parseToolInput,
  toCoreMessages,
  toToolChoice,
  toToolDefinitions,
  TurnMemory,
  UNKNOWN_CONTEXT,
  UNKNOWN_OUTPUT,
  vendorLabel,
  vscodeModelKeys,
  type LmMessage,
} from '../../src/host/common/lmMapping.ts';

const MODEL = 'anthropic/claude-sonnet-4-5';

/** A real PNG header (IHDR) for a width × height image; the pixel data does not matter here. */
function png(width: number, height: number): Uint8Array {
  const b = new Uint8Array(33);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  new DataView(b.buffer).setUint32(16, width);
  new DataView(b.buffer).setUint32(20, height);
  return b;
}

/** A JPEG with an APP0 segment before its SOF0 frame header. */
function jpeg(width: number, height: number): Uint8Array {
  const app0 = [0xff, 0xe0, 0x00, 0x10, ...new Array(14).fill(0)];
  const sof0 = [0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x03, ...new Array(9).fill(0)];
  return new Uint8Array([0xff, 0xd8, ...app0, ...sof0]);
}

const enc = new TextEncoder();

test('an agent-mode loop maps exactly: the assistant tool calls, then the tool results as a tool message, then the user text', () => {
  const messages: LmMessage[] = [
    { role: 'system', parts: [{ kind: 'text', value: 'You are an agent.' }] },
    { role: 'user', parts: [{ kind: 'text', value: 'What is in a.txt and b.txt?' }] },
    {
      role: 'assistant',
      parts: [
        { kind: 'text', value: 'Reading both.' },
        { kind: 'toolCall', callId: 'call_1', name: 'read_file', input: { path: 'a.txt' } },
        { kind: 'toolCall', callId: 'call_2', name: 'read_file', input: { path: 'b.txt' } },
      ],
    },
    {
      role: 'user',
      parts: [
        { kind: 'toolResult', callId: 'call_1', content: [{ kind: 'text', value: 'alpha' }] },
        {
          kind: 'toolResult',
          callId: 'call_2',
          content: [
            { kind: 'text', value: 'be' },
            { kind: 'text', value: 'ta' },
          ],
        },
        { kind: 'text', value: 'Summarize.' },
      ],
    },
  ];
  const { messages: out, warnings } = toCoreMessages(messages, MODEL);
  assert.deepEqual(warnings, []);
  assert.deepEqual(out, [
    { role: 'system', content: 'You are an agent.' },
    { role: 'user', content: 'What is in a.txt and b.txt?' },
    {
      role: 'assistant',
      content: [
        { type: 'text', text: 'Reading both.' },
        { type: 'tool-call', id: 'call_1', name: 'read_file', arguments: '{"path":"a.txt"}' },
        { type: 'tool-call', id: 'call_2', name: 'read_file', arguments: '{"path":"b.txt"}' },
      ],
    },
    {
      role: 'tool',
      content: [
        { type: 'tool-result', callId: 'call_1', name: 'read_file', content: 'alpha' },
        { type: 'tool-result', callId: 'call_2', name: 'read_file', content: 'beta' },
      ],
    },
    { role: 'user', content: 'Summarize.' },
  ]);
});

test('images: a user image becomes a base64 image part with its media type; an image in a tool result stays an image', () => {
  const img = png(64, 32);
  const { messages } = toCoreMessages(
    [
      {
        role: 'user',
        parts: [
          { kind: 'text', value: 'What is this?' },
          { kind: 'data', mimeType: 'image/PNG', data: img },
        ],
      },
      { role: 'assistant', parts: [{ kind: 'toolCall', callId: 'c1', name: 'screenshot', input: {} }] },
      {
        role: 'user',
        parts: [
          {
            kind: 'toolResult',
            callId: 'c1',
            content: [
              { kind: 'text', value: 'the screen:' },
              { kind: 'data', mimeType: 'image/jpeg', data: jpeg(10, 10) },
            ],
          },
        ],
      },
    ],
    MODEL,
  );
  assert.deepEqual(messages[0], {
    role: 'user',
    content: [
      { type: 'text', text: 'What is this?' },
      { type: 'image', source: { type: 'base64', data: Buffer.from(img).toString('base64'), mediaType: 'image/png' } },
    ],
  });
  assert.deepEqual(messages[2], {
    role: 'tool',
    content: [
      {
        type: 'tool-result',
        callId: 'c1',
        name: 'screenshot',
        content: [
          { type: 'text', text: 'the screen:' },
          { type: 'image', source: { type: 'base64', data: Buffer.from(jpeg(10, 10)).toString('base64'), mediaType: 'image/jpeg' } },
        ],
      },
    ],
  });
});

test('text and JSON data parts are text; a PDF is a file part; cache markers become cache hints on the part before them', () => {
  const { messages, warnings } = toCoreMessages(
    [
      {
        role: 'system',
        parts: [
          { kind: 'text', value: 'Be brief.' },
          { kind: 'data', mimeType: CACHE_CONTROL_MIME, data: enc.encode('ephemeral') },
        ],
      },
      {
        role: 'user',
        parts: [
          { kind: 'data', mimeType: 'application/json', data: enc.encode('{"a":1}') },
          { kind: 'data', mimeType: 'application/pdf', data: enc.encode('%PDF-1.7') },
          { kind: 'text', value: 'ok' },
          { kind: 'data', mimeType: CACHE_CONTROL_MIME, data: enc.encode('ephemeral') },
        ],
      },
    ],
    MODEL,
  );
  assert.deepEqual(warnings, []);
  assert.deepEqual(messages, [
    { role: 'system', content: [{ type: 'text', text: 'Be brief.', cache: { type: 'ephemeral' } }] },
    {
      role: 'user',
      content: [
        { type: 'text', text: '{"a":1}' },
        { type: 'file', data: Buffer.from('%PDF-1.7').toString('base64'), mediaType: 'application/pdf' },
        { type: 'text', text: 'ok', cache: { type: 'ephemeral' } },
      ],
    },
  ]);
  // A marker with nothing cacheable before it is not silently lost: it is a warning.
  const lonely = toCoreMessages(
    [
      {
        role: 'user',
        parts: [
          { kind: 'data', mimeType: CACHE_CONTROL_MIME, data: enc.encode('ephemeral') },
          { kind: 'text', value: 'hi' },
        ],
      },
    ],
    MODEL,
  );
  assert.equal(lonely.warnings.length, 1);
  assert.match(lonely.warnings[0]!, /cache marker/);
});

test('what cannot be translated exactly is refused with the model and the fix, never dropped', () => {
  const refuse = (m: LmMessage, pattern: RegExp) =>
    assert.throws(
      () => toCoreMessages([m], MODEL),
      (e: unknown) => e instanceof LmRequestError && e.message.includes(MODEL) && pattern.test(e.message),
    );
  refuse({ role: 'user', parts: [{ kind: 'data', mimeType: 'image/bmp', data: new Uint8Array(4) }] }, /image\/bmp.*PNG, JPEG, GIF or WebP/);
  refuse({ role: 'user', parts: [{ kind: 'data', mimeType: 'image/png', data: new Uint8Array(6 * 1024 * 1024) }] }, /6\.0 MB.*5 MB/);
  refuse({ role: 'user', parts: [{ kind: 'data', mimeType: 'application/zip', data: new Uint8Array(4) }] }, /application\/zip/);
  refuse({ role: 'user', parts: [{ kind: 'unsupported', what: 'a prompt-tsx element', approxText: '{}' }] }, /prompt-tsx element.*as text/);
  refuse(
    { role: 'user', parts: [{ kind: 'toolResult', callId: 'x', content: [{ kind: 'unsupported', what: 'a prompt-tsx element', approxText: '' }] }] },
    /result of tool call x/,
  );
  refuse({ role: 'assistant', parts: [{ kind: 'data', mimeType: 'image/png', data: png(1, 1) }] }, /assistant message/);
  refuse({ role: 'system', parts: [{ kind: 'toolCall', callId: 'c', name: 'n', input: {} }] }, /system message/);
});

test('tools and tool modes: schemas pass through, a tool without one takes no arguments, Required without tools is refused', () => {
  assert.deepEqual(
    toToolDefinitions([
      { name: 'read', description: 'Read a file', inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } },
      { name: 'now', description: 'The time' },
    ]),
    [
      { name: 'read', description: 'Read a file', parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } },
      { name: 'now', description: 'The time', parameters: { type: 'object', properties: {} } },
    ],
  );
  assert.equal(toToolChoice(1, 2, MODEL), 'auto');
  assert.equal(toToolChoice(2, 2, MODEL), 'required');
  assert.equal(toToolChoice(1, 0, MODEL), undefined);
  assert.throws(() => toToolChoice(2, 0, MODEL), /Required.*offers no tools/);
});

test('tool call arguments reach VS Code as parsed objects; broken or non-object JSON is an error, not a guess', () => {
  assert.deepEqual(parseToolInput('read', '{"path":"a.txt","n":[1,2]}', MODEL), { path: 'a.txt', n: [1, 2] });
  assert.deepEqual(parseToolInput('now', '', MODEL), {});
  assert.throws(() => parseToolInput('read', '{"path":', MODEL), /"read".*not valid JSON/);
  assert.throws(() => parseToolInput('read', '[1]', MODEL), /not a JSON object/);
  assert.throws(() => parseToolInput('read', 'null', MODEL), /not a JSON object/);
});

test('the turn memory gives a tool-calling answer its reasoning and signatures back when VS Code sends the turn again', () => {
  const memory = new TurnMemory();
  const answer: AssistantContent[] = [
    { type: 'reasoning', text: 'I should read it.', signature: 'sig-abc', state: { origin: MODEL } },
    { type: 'text', text: 'Reading.' },
    { type: 'tool-call', id: 'toolu_1', name: 'read_file', arguments: '{"path":"a"}', state: { origin: 'gemini/gemini-3-pro', thoughtSignature: 'ts-1' } },
  ];
  memory.remember(answer);
  const { messages } = toCoreMessages(
    [
      {
        role: 'assistant',
        parts: [
          { kind: 'text', value: 'Reading.' },
          { kind: 'toolCall', callId: 'toolu_1', name: 'read_file', input: { path: 'a' } },
        ],
      },
      { role: 'user', parts: [{ kind: 'toolResult', callId: 'toolu_1', content: [{ kind: 'text', value: 'A' }] }] },
    ],
    MODEL,
    memory,
  );
  assert.deepEqual(messages[0], { role: 'assistant', content: answer });
  // An answer VS Code sends that we did not make (or forgot) passes unchanged.
  const other = toCoreMessages([{ role: 'assistant', parts: [{ kind: 'toolCall', callId: 'other', name: 'x', input: {} }] }], MODEL, memory);
  assert.deepEqual(other.messages[0], { role: 'assistant', content: [{ type: 'tool-call', id: 'other', name: 'x', arguments: '{}' }] });
  // Bounded: the oldest turns go first.
  const small = new TurnMemory(2);
  for (const id of ['a', 'b', 'c'])
    small.remember([
      { type: 'reasoning', text: id, signature: id },
      { type: 'tool-call', id, name: 'n', arguments: '{}' },
    ]);
  assert.equal(small.size, 2);
  assert.deepEqual(small.restore([{ type: 'tool-call', id: 'a', name: 'n', arguments: '{}' }]), [{ type: 'tool-call', id: 'a', name: 'n', arguments: '{}' }]);
  // Answers without tool calls or without state are not kept.
  const none = new TurnMemory();
  none.remember([{ type: 'text', text: 'hi' }]);
  none.remember([{ type: 'tool-call', id: 'z', name: 'n', arguments: '{}' }]);
  assert.equal(none.size, 0);
});

test('limits and capabilities for VS Code: real numbers when known, a documented default and a note when not', () => {
  const caps = (over: Partial<ModelCapabilities>): ModelCapabilities => ({
    toolCalling: true,
    imageInput: true,
    pdfInput: false,
    reasoning: false,
    structuredOutput: true,
    contextWindow: 200_000,
    maxOutputTokens: 64_000,
    ...over,
  });
  assert.deepEqual(lmModelInfo(caps({})), {
    maxInputTokens: 136_000,
    maxOutputTokens: 64_000,
    capabilities: { toolCalling: true, imageInput: true },
    limitNote: null,
  });
  // An output limit listed as the whole window leaves half the window for the prompt.
  assert.equal(lmModelInfo(caps({ contextWindow: 8_000, maxOutputTokens: 8_000 })).maxInputTokens, 4_000);
  const unknown = lmModelInfo(caps({ contextWindow: null, maxOutputTokens: null, toolCalling: false, imageInput: false }));
  assert.deepEqual(unknown.capabilities, { toolCalling: false, imageInput: false });
  assert.equal(unknown.maxOutputTokens, UNKNOWN_OUTPUT);
  assert.equal(unknown.maxInputTokens, UNKNOWN_CONTEXT - UNKNOWN_OUTPUT);
  assert.match(unknown.limitNote ?? '', /context size unknown.*32K.*output limit unknown.*4K/);
});

test('token counts cover every part kind: images by pixel size, tool calls and results by their content', () => {
  assert.deepEqual(imageSize(png(1920, 1080)), { width: 1920, height: 1080 });
  assert.deepEqual(imageSize(jpeg(640, 480)), { width: 640, height: 480 });
  assert.equal(imageSize(new Uint8Array([1, 2, 3])), null);
  // 1920×1080 scales to 1568×882 first: ⌈1568·882/750⌉ = 1,844, capped at 1,600.
  assert.equal(imageTokens(png(1920, 1080)), 1_600);
  assert.equal(imageTokens(png(200, 150)), 40);
  assert.equal(imageTokens(new Uint8Array(10)), 1_600);
  const text = messageTokens({ role: 'user', parts: [{ kind: 'text', value: 'x'.repeat(400) }] });
  assert.equal(text, 4 + 100);
  const withImage = messageTokens({
    role: 'user',
    parts: [
      { kind: 'text', value: 'x'.repeat(400) },
      { kind: 'data', mimeType: 'image/png', data: png(200, 150) },
    ],
  });
  assert.equal(withImage, text + 40);
  const call = messageTokens({ role: 'assistant', parts: [{ kind: 'toolCall', callId: 'c', name: 'read_file', input: { path: 'x'.repeat(100) } }] });
  assert.ok(call > 4 + 25, `a tool call counts its input (${call})`);
  const result = messageTokens({ role: 'user', parts: [{ kind: 'toolResult', callId: 'c', content: [{ kind: 'text', value: 'y'.repeat(800) }] }] });
  assert.ok(result >= 4 + 200, `a tool result counts its content (${result})`);
  assert.equal(messageTokens({ role: 'user', parts: [{ kind: 'data', mimeType: CACHE_CONTROL_MIME, data: enc.encode('ephemeral') }] }), 4);
});

test("another provider's private state in VS Code's history (thinking, Responses markers) is left out, as the core strips foreign state", () => {
  const { messages, warnings } = toCoreMessages(
    [
      { role: 'user', parts: [{ kind: 'text', value: 'Hi' }] },
      {
        role: 'assistant',
        parts: [
          { kind: 'reasoning', text: 'Copilot model thinking' },
          ...FOREIGN_STATE_MIMES.map((mimeType) => ({ kind: 'data' as const, mimeType, data: enc.encode('{"opaque":true}') })),
          { kind: 'text', value: 'Hello!' },
        ],
      },
      { role: 'user', parts: [{ kind: 'text', value: 'Again' }] },
    ],
    MODEL,
  );
  assert.deepEqual(warnings, []);
  assert.deepEqual(messages, [
    { role: 'user', content: 'Hi' },
    { role: 'assistant', content: [{ type: 'text', text: 'Hello!' }] },
    { role: 'user', content: 'Again' },
  ]);
  assert.equal(
    messageTokens({
      role: 'assistant',
      parts: [
        { kind: 'reasoning', text: 'x'.repeat(400) },
        { kind: 'data', mimeType: 'stateful_marker', data: new Uint8Array(400) },
      ],
    }),
    4,
  );
});

// ── The other direction: the core's request → VS Code's messages (VS Code's own models) ──

test("fromCoreRequest: system text first as a user message, tool calls and results as VS Code's parts, images as data", () => {
  const png = Buffer.from([1, 2, 3]).toString('base64');
  const r = fromCoreRequest(
    {
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather?' },
            { type: 'image', source: { type: 'base64', data: png, mediaType: 'image/png' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'hmm', signature: 's', state: { origin: 'vscode/acme/chat' } },
            { type: 'text', text: 'Checking.' },
            { type: 'tool-call', id: 'c1', name: 'get_weather', arguments: '{"city":"Paris"}' },
          ],
        },
        {
          role: 'tool',
          content: [
            { type: 'tool-result', callId: 'c1', content: 'sunny' },
            { type: 'tool-result', callId: 'c2', content: 'city not found', isError: true },
            { type: 'tool-result', callId: 'c3', content: [{ type: 'image', source: { type: 'base64', data: png, mediaType: 'image/png' } }], isError: true },
          ],
        },
      ],
      tools: [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
    },
    'vscode/acme/chat',
  );
  assert.deepEqual(r.messages, [
    { role: 'user', parts: [{ kind: 'text', value: 'Be brief.' }] },
    {
      role: 'user',
      parts: [
        { kind: 'text', value: 'Weather?' },
        { kind: 'data', mimeType: 'image/png', data: Uint8Array.from([1, 2, 3]) },
      ],
    },
    {
      role: 'assistant',
      parts: [
        { kind: 'text', value: 'Checking.' },
        { kind: 'toolCall', callId: 'c1', name: 'get_weather', input: { city: 'Paris' } },
      ],
    },
    {
      role: 'user',
      parts: [
        { kind: 'toolResult', callId: 'c1', content: [{ kind: 'text', value: 'sunny' }] },
        // VS Code's parts have no error flag: the text says it.
        { kind: 'toolResult', callId: 'c2', content: [{ kind: 'text', value: 'Error: city not found' }] },
        {
          kind: 'toolResult',
          callId: 'c3',
          content: [
            { kind: 'text', value: 'Error:' },
            { kind: 'data', mimeType: 'image/png', data: Uint8Array.from([1, 2, 3]) },
          ],
        },
      ],
    },
  ]);
  assert.deepEqual(r.tools, [{ name: 'get_weather', description: 'Weather', inputSchema: { type: 'object', properties: { city: { type: 'string' } } } }]);
  assert.equal(r.toolMode, 1);
  assert.deepEqual(r.warnings, []);
});

test('fromCoreRequest: tool choice → tool mode; what VS Code cannot carry is a warning or a clear refusal', () => {
  const tools = [
    { name: 'a', parameters: {} },
    { name: 'b', parameters: {} },
  ];
  const base = { messages: [{ role: 'user' as const, content: 'hi' }], tools };
  assert.equal(fromCoreRequest({ ...base, toolChoice: 'required' }, 'm').toolMode, 2);
  const none = fromCoreRequest({ ...base, toolChoice: 'none' }, 'm');
  assert.deepEqual([none.tools, none.toolMode], [[], undefined]);
  const one = fromCoreRequest({ ...base, toolChoice: { type: 'tool', name: 'b' } }, 'm');
  assert.deepEqual([one.tools.map((t) => t.name), one.toolMode], [['b'], 2]);
  assert.throws(() => fromCoreRequest({ ...base, toolChoice: { type: 'tool', name: 'c' } }, 'm'), /toolChoice: names the tool "c"/);
  assert.throws(
    () => fromCoreRequest({ ...base, responseFormat: { type: 'json_object' } }, 'vscode/x/y'),
    (e: Error & { kind?: string }) => e.kind === 'bad_request' && /responseFormat/.test(e.message) && /vscode\/x\/y/.test(e.message),
  );
  assert.throws(
    () => fromCoreRequest({ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'https://x/y.png' } }] }] }, 'm'),
    /not by URL/,
  );
  const w = fromCoreRequest({ ...base, maxTokens: 10, temperature: 0.2 }, 'vscode/x/y');
  assert.deepEqual(w.warnings, ["maxTokens, temperature are not passed on to vscode/x/y: VS Code's language-model API has no such option"]);
  // What only a protocol's providerOptions carry never reaches VS Code's models: said, not dropped.
  const cached = fromCoreRequest(
    {
      ...base,
      providerOptions: { 'openai-responses': { prompt_cache_key: 'k' } },
      providerOptionsWarnings: { 'openai-responses': ['prompt_cache_key is not forwarded'] },
    },
    'vscode/x/y',
  );
  assert.deepEqual(cached.warnings, ['prompt_cache_key is not forwarded']);
});

test('vscodeModelKeys: the family when it names one model of its vendor, else the id; vendorLabel capitalises', () => {
  assert.deepEqual(
    vscodeModelKeys([
      { vendor: 'copilot', family: 'gpt-4o', id: 'gpt-4o-2024' },
      { vendor: 'copilot', family: 'claude', id: 'claude-a' },
      { vendor: 'copilot', family: 'claude', id: 'claude-b' },
      { vendor: 'other', family: 'gpt-4o', id: 'x' },
    ]),
    ['copilot/gpt-4o', 'copilot/claude-a', 'copilot/claude-b', 'other/gpt-4o'],
  );
  assert.equal(vendorLabel('copilot'), 'Copilot');
});

test("fromModelOptions: a caller's generation options by their OpenAI names; unknown ones warned, unhonourable ones refused", () => {
  assert.deepEqual(fromModelOptions(undefined, MODEL), { options: {}, warnings: [] });
  assert.deepEqual(fromModelOptions({ temperature: undefined }, MODEL), { options: {}, warnings: [] });
  assert.deepEqual(
    fromModelOptions({ temperature: 0.2, max_tokens: 50, top_p: 0.9, stop: 'END', seed: 7, reasoning_effort: 'high', parallel_tool_calls: false }, MODEL),
    {
      options: { temperature: 0.2, maxTokens: 50, topP: 0.9, stop: ['END'], seed: 7, reasoning: { effort: 'high' }, parallelToolCalls: false },
      warnings: [],
    },
  );
  assert.deepEqual(fromModelOptions({ max_completion_tokens: 10, response_format: { type: 'json_object' } }, MODEL).options, {
    maxTokens: 10,
    responseFormat: { type: 'json_object' },
  });
  assert.deepEqual(fromModelOptions({ colour: 'blue', temperature: 1 }, MODEL), {
    options: { temperature: 1 },
    warnings: ['modelOptions.colour: unknown parameter, not forwarded'],
  });
  const refused = (opts: Record<string, unknown>, re: RegExp): void =>
    assert.throws(
      () => fromModelOptions(opts, MODEL),
      (e: unknown) => e instanceof LmRequestError && re.test(e.message) && e.message.startsWith(`${MODEL}: `),
    );
  refused({ n: 3 }, /modelOptions\.n: n = 3 asks for several choices; Switchboard returns exactly one — send n = 1/);
  refused({ temperature: 'hot' }, /modelOptions\.temperature: .*expected number.* — give modelOptions OpenAI Chat Completions' names and types/);
  refused({ logprobs: true }, /modelOptions\.logprobs: token log-probabilities are not returned/);
  refused({ messages: [] }, /modelOptions\.messages is not accepted: pass the messages as sendRequest's messages/);
  refused({ tools: [] }, /modelOptions\.tools is not accepted/);
  refused({ stream: false }, /modelOptions\.stream is not accepted: VS Code always streams/);
  // The model named once, not twice.
  assert.throws(
    () => fromModelOptions({ n: 2 }, MODEL),
    (e: unknown) => e instanceof Error && e.message.split(MODEL).length === 2,
  );
});
