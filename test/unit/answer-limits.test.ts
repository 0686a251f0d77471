/**
 * Issue 12 finding 4: an upstream that never stops. The answer is capped in size and duration,
 * ends with a clear error that keeps what was shown, the upstream is hung up on, and the
 * process (the gateway too, ten streams at once) stays alive.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, type SwitchboardClient } from '../../src/core/client.ts';
import { AnswerCap } from '../../src/core/answerCap.ts';
import { startGateway, type Gateway } from '../../src/gateway/server.ts';
import { startHostile, type HostileServer } from '../fakes/hostile.ts';
import { ManualClock, waitFor } from './helpers.ts';

const KEY = 'sk-hostile-limits-0123456789';
const TOKEN = 'gw-test-token-0123456789abcdef';

function clientFor(h: HostileServer, limits: { maxAnswerChars?: number; maxAnswerMs?: number }, clock?: ManualClock): SwitchboardClient {
  return createClient(
    { retries: { maxRetries: 0 }, limits, providers: [{ id: 'evil', kind: 'openai', baseUrl: h.baseUrl, apiKeyEnv: 'EVIL_KEY', models: ['m'] }] },
    { env: { EVIL_KEY: KEY }, ...(clock ? { clock } : {}) },
  );
}

describe('AnswerCap', () => {
  test('lets exactly maxChars through across text, reasoning and tool arguments, then nothing', () => {
    const c = new AnswerCap(12);
    const a = { type: 'reasoning-delta', text: 'abcd' } as const;
    assert.equal(c.clip(a), a, 'a part that fits passes as the same object');
    assert.deepEqual(c.clip({ type: 'tool-call-delta', index: 0, argumentsDelta: '{}' }), { type: 'tool-call-delta', index: 0, argumentsDelta: '{}' });
    const usage = { type: 'usage', usage: {} } as const;
    assert.equal(c.clip(usage), usage, 'parts that add no text pass');
    assert.deepEqual(c.clip({ type: 'text-delta', text: 'efghij-too-much' }), { type: 'text-delta', text: 'efghij' });
    assert.equal(c.overflowed, true);
    assert.equal(c.clip({ type: 'text-delta', text: 'more' }), null);
    assert.equal(c.size, 12);
  });

  test('never splits a surrogate pair', () => {
    const c = new AnswerCap(3);
    assert.deepEqual(c.clip({ type: 'text-delta', text: 'ab😀c' }), { type: 'text-delta', text: 'ab' });
  });
});

describe('endless upstream', () => {
  let h: HostileServer;
  before(async () => {
    h = await startHostile({ kind: 'endless' });
  });
  after(() => h.close());

  test('the size cap ends the answer with an error, keeps exactly what was shown, and hangs up', async () => {
    h.setMode({ kind: 'endless' });
    const client = clientFor(h, { maxAnswerChars: 100_000 });
    try {
      const s = client.stream({ model: 'evil/m', messages: [{ role: 'user', content: 'go' }] });
      let shown = '';
      let errorPart: unknown = null;
      for await (const p of s) {
        if (p.type === 'text-delta') shown += p.text;
        if (p.type === 'error') errorPart = p.error;
      }
      const r = await s.result;
      assert.ok(r.error, 'the answer ends with an error');
      assert.equal(errorPart, r.error);
      assert.equal(r.error.kind, 'invalid_response');
      assert.match(r.error.message, /100,000 characters/);
      assert.match(r.error.message, /partial text is kept/);
      assert.match(r.error.fix ?? '', /maxAnswerChars/);
      assert.equal(r.text.length, 100_000);
      assert.equal(shown, r.text, 'what was shown is what is kept');
      await waitFor(() => h.open() === 0);
    } finally {
      await client.close();
    }
  });

  test('the duration cap ends a stream that only ever sends keep-alives', async () => {
    h.setMode({ kind: 'comments', everyMs: 20 });
    const clock = new ManualClock();
    const client = clientFor(h, { maxAnswerMs: 120_000 }, clock);
    try {
      const before = h.requests.length;
      const pending = client.complete({ model: 'evil/m', messages: [{ role: 'user', content: 'go' }] });
      await waitFor(() => h.requests.length > before && h.open() === 1);
      clock.advance(120_000);
      const r = await pending;
      assert.equal(r.error?.kind, 'timeout');
      assert.match(r.error?.message ?? '', /longer than 2 min/);
      assert.match(r.error?.fix ?? '', /maxAnswerMs/);
      await waitFor(() => h.open() === 0);
    } finally {
      await client.close();
    }
  });

  test('the default caps apply when the config sets none', () => {
    const client = createClient({});
    assert.deepEqual(client.config.limits, {});
    void client.close();
  });
});

for (const fastPath of [true, false])
  describe(`gateway under ten endless streams (${fastPath ? 'same-protocol fast path' : 'translating path'})`, () => {
    let h: HostileServer;
    let client: SwitchboardClient;
    let gw: Gateway;
    const CAP = 300_000;
    before(async () => {
      h = await startHostile({ kind: 'endless' });
      client = clientFor(h, { maxAnswerChars: CAP });
      gw = await startGateway({ client, token: TOKEN, fastPath });
    });
    after(async () => {
      await gw.close();
      await client.close();
      await h.close();
    });

    test('every stream ends with an error event after the cap; the gateway keeps answering', async () => {
      const one = async (stream: boolean): Promise<{ status: number; text: string; body: string }> => {
        const res = await fetch(`${gw.url}/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'evil/m', stream, messages: [{ role: 'user', content: 'go' }] }),
        });
        const body = await res.text();
        let text = '';
        if (stream) {
          for (const line of body.split('\n')) {
            if (!line.startsWith('data: {')) continue;
            const j = JSON.parse(line.slice(6)) as { choices?: { delta?: { content?: string } }[] };
            text += j.choices?.[0]?.delta?.content ?? '';
          }
        }
        return { status: res.status, text, body };
      };
      const results = await Promise.all([...Array.from({ length: 8 }, () => one(true)), one(false), one(false)]);
      for (const r of results.slice(0, 8)) {
        assert.equal(r.status, 200);
        // Translated, the last part is cut at the cap; forwarded, the upstream's events pass whole, so
        // the stream stops at the last whole event within the cap (this upstream's events are < 1 KB).
        if (fastPath) assert.ok(r.text.length <= CAP && CAP - r.text.length < 1024, `the forwarded text stops within an event of the cap (${r.text.length})`);
        else assert.equal(r.text.length, CAP, 'the streamed text stops at the cap');
        assert.match(r.body, /"code":"upstream_invalid_response"/);
        assert.ok(!r.body.includes('data: [DONE]'), 'a capped answer is not reported as complete');
      }
      for (const r of results.slice(8)) {
        assert.equal(r.status, 502);
        assert.match(r.body, /300,000 characters/);
      }
      const health = await fetch(gw.url.replace(/\/v1$/, '/health'), { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(health.status, 200);
      await waitFor(() => h.open() === 0);
    });
  });

describe('an answer cut at the size cap in its first event, answered with an HTTP error', () => {
  test('the 502 says none of it was sent (not "the partial text is kept"); a stream that showed text keeps saying it is kept', async () => {
    const h = await startHostile({ kind: 'endless', chunk: 'x'.repeat(5000) });
    const client = clientFor(h, { maxAnswerChars: 1000 });
    const gateways = [await startGateway({ client, token: TOKEN }), await startGateway({ client, token: TOKEN, fastPath: false })];
    try {
      const post = async (g: Gateway, path: string, body: unknown): Promise<{ status: number; text: string }> => {
        const res = await fetch(`${g.url.replace(/\/v1$/, '')}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        return { status: res.status, text: await res.text() };
      };
      let errors = 0;
      let streamedWithText = 0;
      for (const g of gateways)
        for (const stream of [false, true]) {
          const asked = [
            post(g, '/v1/chat/completions', { model: 'evil/m', stream, messages: [{ role: 'user', content: 'go' }] }),
            post(g, '/v1/messages', { model: 'evil/m', stream, max_tokens: 100, messages: [{ role: 'user', content: 'go' }] }),
          ];
          for (const r of await Promise.all(asked)) {
            assert.match(r.text, /the answer grew past 1,000 characters/);
            if (r.status === 502) {
              errors++;
              assert.doesNotMatch(r.text, /partial text is kept/, r.text);
            } else {
              assert.equal(r.status, 200);
              // Streamed and translated: the cut text went out before the error event.
              assert.match(r.text, /x{100}/);
              assert.match(r.text, /the partial text is kept/);
              streamedWithText++;
            }
            if (/before any of it was sent/.test(r.text)) assert.equal(r.status, 502);
          }
        }
      // Not streamed (both paths) and the fast path's stream (its first frame was the one cut): an HTTP error.
      assert.ok(errors >= 4, `errors: ${errors}`);
      assert.ok(streamedWithText >= 1, `streamed with text: ${streamedWithText}`);
    } finally {
      for (const g of gateways) await g.close();
      await client.close();
      await h.close();
    }
  });
});
