/** ResultBuilder.content: the assistant turn in arrival order, with the state that must travel back. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ResultBuilder } from '../../src/core/resultBuilder.ts';
import type { ModelStreamPart } from '../../src/core/types.ts';
import { setup } from './helpers.ts';

function build(parts: ModelStreamPart[], origin = 'p/m'): ResultBuilder {
  const b = new ResultBuilder(origin);
  for (const p of parts) b.add(p);
  return b;
}

describe('ResultBuilder.content', () => {
  test('text, a tool call, more text: three parts in order; deltas of one kind merge', () => {
    const b = build([
      { type: 'text-delta', text: 'Let ' },
      { type: 'text-delta', text: 'me check.' },
      { type: 'tool-call-delta', index: 0, id: 'c1', name: 'f', argumentsDelta: '{"a"' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: ':1}' },
      { type: 'text-delta', text: 'Done.' },
    ]);
    assert.deepEqual(b.content, [
      { type: 'text', text: 'Let me check.' },
      { type: 'tool-call', id: 'c1', name: 'f', arguments: '{"a":1}' },
      { type: 'text', text: 'Done.' },
    ]);
    assert.equal(b.text, 'Let me check.Done.');
  });

  test('two thinking blocks each closed by its signature stay two reasoning parts', () => {
    const b = build([
      { type: 'reasoning-delta', text: 'one' },
      { type: 'reasoning-signature', signature: 'S1' },
      { type: 'reasoning-delta', text: 'two' },
      { type: 'reasoning-signature', signature: 'S2' },
      { type: 'text-delta', text: 'A' },
    ]);
    assert.deepEqual(b.content, [
      { type: 'reasoning', text: 'one', signature: 'S1', state: { origin: 'p/m' } },
      { type: 'reasoning', text: 'two', signature: 'S2', state: { origin: 'p/m' } },
      { type: 'text', text: 'A' },
    ]);
    assert.equal(b.reasoning, 'onetwo');
  });

  test('warnings are collected; a signature alone is not "shown" (the router may still fail over)', () => {
    const b = build([
      { type: 'warning', message: 'w1' },
      { type: 'text-delta', text: '', thoughtSignature: 'T' },
    ]);
    assert.deepEqual(b.warnings, ['w1']);
    assert.equal(b.shown, false);
  });
});

describe('adapter warnings reach the rich stream and the result', () => {
  test('Anthropic temperature 1.5: sent as 1; a warning part and result.warnings say so', async () => {
    const s = await setup('anthropic');
    try {
      s.fake.enqueue({ text: 'hi' });
      const stream = s.client.stream({ model: s.model, messages: [{ role: 'user', content: 'q' }], temperature: 1.5 });
      const warnings: string[] = [];
      for await (const p of stream) if (p.type === 'warning') warnings.push(p.message);
      const r = await stream.result;
      assert.equal(r.error, null);
      assert.equal(s.fake.requests.at(-1)!.body.temperature, 1);
      assert.equal(s.fake.requests.at(-1)!.body.max_tokens, 64_000);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!, /temperature/);
      assert.deepEqual(r.warnings, warnings);
    } finally {
      await s.close();
    }
  });
});
