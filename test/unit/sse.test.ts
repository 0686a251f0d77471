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

test('a byte-order mark is dropped only at the start of the stream, whichever decoder a chunk goes through', async () => {
  const enc = new TextEncoder();
  const bom = Uint8Array.of(0xef, 0xbb, 0xbf);
  const cat = (...parts: Uint8Array[]): Uint8Array => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) (out.set(p, at), (at += p.length));
    return out;
  };
  // A leading BOM, then an event whose text holds U+FEFF right where a later chunk begins (the first
  // chunk the streaming decoder sees, as it ends inside a character): that one is content.
  const first = cat(bom, enc.encode('data: {"t":"a"}\n\ndata: {"t":"x'));
  const second = enc.encode('\uFEFFé').subarray(0, 4);
  const third = cat(enc.encode('é').subarray(1), enc.encode('b"}\n\n'));
  const whole = cat(first, second, third);
  for (const chunks of [[first, second, third], [whole], splitBytes(new TextDecoder('utf-8', { ignoreBOM: true }).decode(whole), 3)]) {
    const evs = await collect(chunks);
    assert.deepEqual(
      evs.map((e) => JSON.parse(e.data).t),
      ['a', 'x\uFEFFéb'],
    );
  }
});

test('chunks that end in ASCII and chunks that end inside a character alternate without losing a byte', async () => {
  const text = 'aé世🎉b'.repeat(40);
  const body = `data: ${JSON.stringify({ t: text })}\n\ndata: ${JSON.stringify({ t: 'z' })}\n\n`;
  const bytes = new TextEncoder().encode(body);
  // Irregular cuts: some land after an ASCII byte, some inside a multi-byte character.
  const cuts = [1, 2, 3, 5, 8, 13, 21, 34];
  const chunks: Uint8Array[] = [];
  for (let i = 0, k = 0; i < bytes.length; k++) {
    const n = cuts[k % cuts.length]!;
    chunks.push(bytes.subarray(i, i + n));
    i += n;
  }
  assert.ok(chunks.some((c) => c[c.length - 1]! >= 0x80) && chunks.some((c) => c[c.length - 1]! < 0x80));
  const evs = await collect(chunks);
  assert.deepEqual(
    evs.map((e) => JSON.parse(e.data).t),
    [text, 'z'],
  );
});
