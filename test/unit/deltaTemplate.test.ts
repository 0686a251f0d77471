/**
 * The Responses decoder's delta template (src/core/providers/openai-responses/deltaTemplate.ts):
 * events that differ only in sequence_number, obfuscation and the delta string are read without a
 * full parse, and must decode exactly as the full parse does; anything else must take the full parse.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeltaTemplate } from '../../src/core/providers/openai-responses/deltaTemplate.ts';
import { ResponsesStreamDecoder } from '../../src/core/providers/openai-responses/decode.ts';
import { SwitchboardError } from '../../src/core/errors.ts';
import type { ModelStreamPart } from '../../src/core/types.ts';

const text = (seq: number, delta: string, extra = ''): string =>
  `{"type":"response.output_text.delta","sequence_number":${seq},"item_id":"msg_1","output_index":1,"content_index":0,"delta":${JSON.stringify(delta)},"logprobs":[]${extra}}`;
const args = (seq: number, delta: string): string =>
  `{"type":"response.function_call_arguments.delta","sequence_number":${seq},"item_id":"fc_1","output_index":2,"delta":${JSON.stringify(delta)},"obfuscation":"${'q'.repeat(seq % 7)}"}`;

function learned(data: string): DeltaTemplate {
  const t = DeltaTemplate.learn(data, JSON.parse(data) as Record<string, unknown>);
  assert.ok(t, `a template is learned from ${data}`);
  return t;
}

test('a learned delta template reads other deltas and sequence numbers; escapes, unicode, empty deltas decode as JSON.parse does', () => {
  const t = learned(text(3, 'Hello'));
  for (const d of ['', ' world', 'naïve 漢字 🙂', 'a\\b "q" \n\t end', '\u0000\u001f', '}],"x":1']) {
    for (const seq of [0, 4, 1234567]) assert.equal(t.match(text(seq, d)), d, `delta ${JSON.stringify(d)} at ${seq}`);
  }
  // \u escapes written as such (not as the characters) decode too.
  assert.equal(t.match(text(9, 'x').replace('"x"', '"\\u00e9\\ud83d\\ude42"')), 'é🙂');
  const a = learned(args(1, '{"pa'));
  assert.equal(a.match(args(12, 'th": "/tmp/x"}')), 'th": "/tmp/x"}');
  assert.equal(a.type, 'response.function_call_arguments.delta');
  assert.equal(a.outputIndex, 2);
});

test('anything but the template with other hole values is not matched (the full parse reads it)', () => {
  const t = learned(text(3, 'Hello'));
  const misses = [
    text(4, 'x').replace('msg_1', 'msg_2'), // another item
    text(4, 'x').replace('"output_index":1', '"output_index":2'),
    text(4, 'x', ',"obfuscation":"abc"'), // a key the template has not
    text(4, 'x').replace('"logprobs":[]', '"logprobs":[{"token":"x","logprob":-0.1,"bytes":[120],"top_logprobs":[]}]'),
    text(4, 'x').replace(':4,', ':04,'), // not a JSON number
    text(4, 'x').replace(':4,', ':4.0,'),
    text(4, 'x').replace(':4,', ':-4,'),
    text(4, 'x').replace(':4,', ':"4",'),
    text(4, 'x').replace('"x"', '"bad \\x escape"'),
    text(4, 'x').replace('"x"', '"raw \n newline"'),
    text(4, 'x').replace('"x"', '12'),
    text(4, 'x').replace('"x"', '"open'),
    text(4, 'x') + ' ',
    text(4, 'x').replace('{"type"', '{ "type"'),
    text(4, 'x').replace('output_text', 'refusal'),
  ];
  for (const m of misses) assert.equal(t.match(m), undefined, m);
});

test('no template from text whose hole keys are not plainly the top-level ones', () => {
  const no = (data: string): void => assert.equal(DeltaTemplate.learn(data, JSON.parse(data) as Record<string, unknown>), null, data);
  // The top-level key written with an escape, a lookalike nested key with the plain spelling.
  no('{"type":"response.output_text.delta","\\u0064elta":"a","item_id":"m","meta":{"delta":"b"}}');
  // The key twice (the last one wins in JSON.parse).
  no('{"type":"response.output_text.delta","delta":"a","delta":"b"}');
  // sequence_number that is not a non-negative integer.
  no('{"type":"response.output_text.delta","sequence_number":1.5,"delta":"a"}');
  // A template that holds: learned.
  assert.ok(DeltaTemplate.learn('{"type":"response.output_text.delta","delta":"a"}', { type: 'response.output_text.delta', delta: 'a' }));
});

test('the decoder gives the same parts with templates as a full parse of every event would, across items, calls and reasoning', () => {
  const events = [
    '{"type":"response.created","sequence_number":0,"response":{"id":"resp_1","model":"gpt-5","output":[]}}',
    '{"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"type":"reasoning","id":"rs_1","summary":[]}}',
    ...['Think', 'ing ', '"hard"'].map(
      (d, i) =>
        `{"type":"response.reasoning_summary_text.delta","sequence_number":${2 + i},"item_id":"rs_1","output_index":0,"summary_index":0,"delta":${JSON.stringify(d)},"obfuscation":"${'z'.repeat(i + 1)}"}`,
    ),
    '{"type":"response.output_item.done","sequence_number":5,"output_index":0,"item":{"type":"reasoning","id":"rs_1","summary":[],"encrypted_content":"enc"}}',
    '{"type":"response.output_item.added","sequence_number":6,"output_index":1,"item":{"type":"message","id":"msg_1","content":[]}}',
    ...['Hel', 'lo ', '', 'wörld\\n'].map((d, i) => text(7 + i, d)),
    '{"type":"response.output_item.added","sequence_number":11,"output_index":2,"item":{"type":"function_call","id":"fc_1","call_id":"call_1","name":"write","arguments":""}}',
    ...['{"pa', 'th":', '"a.txt"}'].map((d, i) => args(12 + i, d)),
    '{"type":"response.output_item.added","sequence_number":15,"output_index":3,"item":{"type":"function_call","id":"fc_2","call_id":"call_2","name":"read","arguments":""}}',
    // The second call's deltas: another template (another item), first parsed in full.
    ...['{}', ''].map((d, i) =>
      args(16 + i, d)
        .replace('fc_1', 'fc_2')
        .replace('"output_index":2', '"output_index":3'),
    ),
    '{"type":"response.completed","sequence_number":18,"response":{"id":"resp_1","status":"completed","usage":{"input_tokens":7,"output_tokens":9}}}',
  ];
  const d = new ResponsesStreamDecoder('openai', 'gpt-5');
  const out: ModelStreamPart[] = [];
  for (const e of events) d.push(e, out);
  d.end();
  assert.deepEqual(out, [
    { type: 'response-meta', id: 'resp_1', model: 'gpt-5' },
    { type: 'reasoning-delta', text: 'Think' },
    { type: 'reasoning-delta', text: 'ing ' },
    { type: 'reasoning-delta', text: '"hard"' },
    { type: 'reasoning-signature', signature: 'enc' },
    { type: 'text-delta', text: 'Hel' },
    { type: 'text-delta', text: 'lo ' },
    { type: 'text-delta', text: 'wörld\\n' },
    { type: 'tool-call-delta', index: 0, id: 'call_1', name: 'write', argumentsDelta: '' },
    { type: 'tool-call-delta', index: 0, argumentsDelta: '{"pa' },
    { type: 'tool-call-delta', index: 0, argumentsDelta: 'th":' },
    { type: 'tool-call-delta', index: 0, argumentsDelta: '"a.txt"}' },
    { type: 'tool-call-delta', index: 1, id: 'call_2', name: 'read', argumentsDelta: '' },
    { type: 'tool-call-delta', index: 1, argumentsDelta: '{}' },
    { type: 'usage', usage: { inputTokens: 7, outputTokens: 9 } },
    { type: 'finish', finishReason: 'tool_calls', rawFinishReason: 'completed' },
  ]);
});

test('a malformed event after a learned template is still an invalid_response (never read as a delta)', () => {
  const d = new ResponsesStreamDecoder('openai', 'gpt-5');
  const out: ModelStreamPart[] = [];
  d.push(text(1, 'a'), out);
  d.push(text(2, 'b'), out);
  assert.throws(
    () => d.push(text(3, 'c').replace('"c"', '"c'), out),
    (e: unknown) => e instanceof SwitchboardError && e.kind === 'invalid_response',
  );
  assert.deepEqual(
    out.map((p) => (p as { text: string }).text),
    ['a', 'b'],
  );
});
