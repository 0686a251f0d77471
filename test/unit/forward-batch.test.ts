// The fast path's forwarder (HttpLanguageModel.forward): what one upstream read carries reaches the
// caller as few parts (its plain text one delta, its frames one string) far from the answer cap, and
// event by event near it, so the cap still cuts exactly between events. The upstream here writes a
// whole answer in one write, as a saturated provider's answer arrives in one read.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from '../../src/core/client.ts';
import type { StreamPart } from '../../src/core/types.ts';

const KEY = 'sk-forward-0123456789abcdef';
const words = ['Forwarded', ' as', ' it', ' came', ',', ' one', ' read', '.'];
const chunk = (delta: Record<string, unknown>, finish: string | null = null): string =>
  `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const frames = [chunk({ role: 'assistant', content: '' }), ...words.map((w) => chunk({ content: w })), chunk({}, 'stop')];
const usage = `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [], usage: { prompt_tokens: 5, completion_tokens: 8, total_tokens: 13 } })}\n\n`;
const BODY = frames.join('') + usage + 'data: [DONE]\n\n';

let server: http.Server;
let baseUrl = '';
before(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(BODY);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

async function forward(): Promise<StreamPart[]> {
  const client = createClient({ retries: { maxRetries: 0 }, providers: [{ id: 'openai', baseUrl }] }, { env: { OPENAI_API_KEY: KEY }, catalogCacheFile: null });
  try {
    const body = { model: 'openai/gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] };
    const stream = client.stream({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], passthrough: { protocol: 'openai', body } });
    const parts: StreamPart[] = [];
    for await (const p of stream) parts.push(p);
    const r = await stream.result;
    assert.equal(r.error, null);
    return parts;
  } finally {
    await client.close();
  }
}

test('far from the cap: one text delta and one string of frames for the read, the end frame its own part; the result is whole', async () => {
  const parts = await forward();
  const raw = parts.filter((p) => p.type === 'raw').map((p) => (p as { text: string }).text);
  // The caller did not ask for usage: that chunk is not shown; [DONE] stays a part of its own.
  assert.deepEqual(raw, [frames.join(''), 'data: [DONE]\n\n']);
  const texts = parts.filter((p) => p.type === 'text-delta');
  assert.deepEqual(texts, [{ type: 'text-delta', text: words.join('') }]);
  // The decoded parts come before the read's frames, as they did event by event.
  assert.ok(parts.findIndex((p) => p.type === 'text-delta') < parts.findIndex((p) => p.type === 'raw'));
  assert.ok(parts.some((p) => p.type === 'usage'));
  assert.ok(parts.some((p) => p.type === 'finish'));
});

test('near the cap: event by event, and the cap cuts between events exactly (no frame of a cut event is forwarded)', async () => {
  // 'Forwarded as it' is 15 characters: the cap of 14 cuts inside ' it'.
  const client = createClient(
    { retries: { maxRetries: 0 }, providers: [{ id: 'openai', baseUrl }], limits: { maxAnswerChars: 14 } },
    { env: { OPENAI_API_KEY: KEY }, catalogCacheFile: null },
  );
  try {
    const body = { model: 'openai/gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] };
    const stream = client.stream({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], passthrough: { protocol: 'openai', body } });
    const seen: StreamPart[] = [];
    for await (const p of stream) seen.push(p);
    const r = await stream.result;
    assert.match(r.error?.message ?? '', /grew past 14 characters/);
    const raw = seen.filter((p) => p.type === 'raw').map((p) => (p as { text: string }).text);
    // The role chunk and the first two words went out as frames; ' it' was cut, so neither its frame nor anything after.
    assert.deepEqual(raw, frames.slice(0, 3));
    assert.equal(
      seen
        .filter((p) => p.type === 'text-delta')
        .map((p) => (p as { text: string }).text)
        .join(''),
      'Forwarded as i',
    );
  } finally {
    await client.close();
  }
});
