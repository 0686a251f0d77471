import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sseEvents } from '../../src/core/http/sse.ts';

async function collect(chunks: (string | Uint8Array)[]) {
  const out = [];
  async function* src() {
    for (const c of chunks) yield c;
  }
  for await (const e of sseEvents(src())) out.push(e);
  return out;
}

function splitBytes(s: string, every: number): Uint8Array[] {
  const b = new TextEncoder().encode(s);
  const out: Uint8Array[] = [];
  for (let i = 0; i < b.length; i += every) out.push(b.subarray(i, i + every));
  return out;
}

test('comments are skipped, [DONE] arrives as data, CRLF works', async () => {
  const body = ': OPENROUTER PROCESSING\r\n\r\ndata: {"a":1}\r\n\r\n: OPENROUTER PROCESSING\r\n\r\ndata: [DONE]\r\n\r\n';
  const evs = await collect([body]);
  assert.deepEqual(
    evs.map((e) => e.data),
    ['{"a":1}', '[DONE]'],
  );
});

test('chunk boundaries anywhere, including inside a multi-byte UTF-8 character', async () => {
  const text = 'héllo 世界 🎉 naïve';
  const body = `event: x\ndata: ${JSON.stringify({ t: text })}\n\ndata: ${JSON.stringify({ t: text + '!' })}\n\n`;
  for (let every = 1; every <= 7; every++) {
    const evs = await collect(splitBytes(body, every));
    assert.deepEqual(
      evs.map((e) => JSON.parse(e.data).t),
      [text, text + '!'],
      `split every ${every} bytes`,
    );
    assert.equal(evs[0]!.event, 'x');
  }
});

test('a last event without a trailing blank line is still delivered (Gemini closes the stream)', async () => {
  const evs = await collect(['data: {"x":1}\n\ndata: {"x":2}']);
  assert.deepEqual(
    evs.map((e) => e.data),
    ['{"x":1}', '{"x":2}'],
  );
});

test('multi-line data fields join with newlines', async () => {
  const evs = await collect(['data: a\ndata: b\n\n']);
  assert.equal(evs[0]!.data, 'a\nb');
});
