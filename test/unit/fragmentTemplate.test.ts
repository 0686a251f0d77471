/**
 * The OpenAI decoder's tool-call fragment fast path must decode exactly what the full JSON parse
 * decodes, and must fall back to the full parse for anything that is not the learned template.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OpenAIStreamDecoder } from '../../src/core/providers/openai/openaiModel.ts';
import { FragmentTemplate } from '../../src/core/providers/openai/fragmentTemplate.ts';
import { SwitchboardError } from '../../src/core/errors.ts';
import type { ModelStreamPart } from '../../src/core/types.ts';

const HEAD = '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{';
const TAIL = '},"logprobs":null,"finish_reason":null}]}';
const frag = (index: number, args: string): string => `${HEAD}"tool_calls":[{"index":${index},"function":{"arguments":${JSON.stringify(args)}}}]${TAIL}`;

function decode(events: string[]): ModelStreamPart[] {
  const d = new OpenAIStreamDecoder('openai', 'gpt-4o');
  const out: ModelStreamPart[] = [];
  for (const e of events) d.push(e, out);
  return out;
}

test('fragments decode exactly as the full parse does: escapes, unicode, quotes, two calls, text in between, a finish', () => {
  const pieces = ['{"pa', 'th":"a\\\\b', '\\"q\\"', ' naïve 漢字 🙂', '\\n', '"}', '', '{}'];
  const events = [
    `${HEAD}"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"f","arguments":""}}]${TAIL}`,
    ...pieces.map((p) => frag(0, p)),
    `${HEAD}"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"g","arguments":""}}]${TAIL}`,
    ...pieces.map((p) => frag(1, p)),
    `${HEAD}"content":"done"${TAIL}`,
    frag(1, 'x'),
    // Same template but with a second key after the string: not a bare fragment, must be parsed in full.
    `${HEAD}"tool_calls":[{"index":1,"function":{"arguments":"y"}}],"content":"z"${TAIL}`,
    `${HEAD}${TAIL.replace('"finish_reason":null', '"finish_reason":"tool_calls"')}`,
  ];
  const parts = decode(events);
  const args = (i: number): string =>
    parts
      .filter((p): p is Extract<ModelStreamPart, { type: 'tool-call-delta' }> => p.type === 'tool-call-delta' && p.index === i)
      .map((p) => p.argumentsDelta)
      .join('');
  assert.equal(args(0), pieces.join(''));
  assert.equal(args(1), pieces.join('') + 'x' + 'y');
  assert.deepEqual(
    parts.filter((p) => p.type === 'text-delta').map((p) => (p as { text: string }).text),
    ['done', 'z'],
  );
  assert.deepEqual(parts[parts.length - 1], { type: 'finish', finishReason: 'tool_calls', rawFinishReason: 'tool_calls' });
});

test('the template matches only its own shape with exactly one string in it', () => {
  const t = FragmentTemplate.learn(frag(0, 'abc'), 0)!;
  assert.equal(t.match(frag(0, 'x\\"y')), 'x\\"y');
  assert.equal(t.match(frag(0, '')), '');
  assert.equal(t.match(frag(1, 'abc')), undefined, 'another index is another template');
  assert.equal(t.match(frag(0, 'a').replace('"a"', '"a","b"')), undefined, 'two strings are not one');
  assert.equal(t.match(frag(0, 'a').replace('"a"', '"a\u0001"')), undefined, 'a raw control character is left to the full parse');
  assert.equal(t.match(frag(0, 'a').replace('"a"', '"a\\\\","x":"b"')), undefined, 'an escape hiding a second key is caught by the string parse');
});

test('a malformed fragment after a template is still an invalid_response error, as with the full parse', () => {
  const d = new OpenAIStreamDecoder('openai', 'gpt-4o');
  const out: ModelStreamPart[] = [];
  d.push(`${HEAD}"tool_calls":[{"index":0,"id":"c","type":"function","function":{"name":"f","arguments":""}}]${TAIL}`, out);
  d.push(frag(0, 'a'), out);
  d.push(frag(0, 'b'), out);
  assert.throws(
    () => d.push(frag(0, 'a').replace('"a"', '"a\u0001"'), out),
    (e: unknown) => e instanceof SwitchboardError && e.kind === 'invalid_response',
  );
});

const text = (t: string): string => `${HEAD}"content":${JSON.stringify(t)}${TAIL}`;
const texts = (parts: ModelStreamPart[]): string[] =>
  parts.filter((p): p is Extract<ModelStreamPart, { type: 'text-delta' }> => p.type === 'text-delta').map((p) => p.text);

test('text deltas decode exactly as the full parse does once a text template is learned', () => {
  const pieces = ['Hello', ' wo\\rld', ' "quoted"', ' naïve 漢字 🙂', '\n', '', 'end'];
  const events = [
    `${HEAD}"role":"assistant","content":""${TAIL}`,
    ...pieces.map(text),
    // Same template with a second key after the string: must be parsed in full (and read the reasoning).
    `${HEAD}"content":"a","reasoning_content":"r"${TAIL}`,
    // Same text, a finish on it: the finish must not be lost.
    `${HEAD}"content":"z"${TAIL.replace('"finish_reason":null', '"finish_reason":"stop"')}`,
    `{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":9,"total_tokens":12}}`,
  ];
  const parts = decode(events);
  assert.deepEqual(texts(parts), [...pieces.filter((p) => p), 'a', 'z']);
  assert.deepEqual(
    parts.filter((p) => p.type === 'reasoning-delta'),
    [{ type: 'reasoning-delta', text: 'r' }],
  );
  assert.deepEqual(
    parts.filter((p) => p.type === 'finish'),
    [{ type: 'finish', finishReason: 'stop', rawFinishReason: 'stop' }],
  );
  assert.equal(parts.filter((p) => p.type === 'usage').length, 1);
});

test('a text template is not learned from an event whose "content" key appears twice (logprobs), and a malformed text is still an error', () => {
  const withLogprobs = (t: string, lp: string): string =>
    `${HEAD}"content":${JSON.stringify(t)}},"logprobs":{"content":${JSON.stringify(lp)}},"finish_reason":null}]}`;
  // Were the logprobs' string taken for the template, the second event would decode as "x".
  assert.deepEqual(texts(decode([withLogprobs('a', 'a'), withLogprobs('a', 'x'), withLogprobs('b', 'y')])), ['a', 'a', 'b']);
  const d = new OpenAIStreamDecoder('openai', 'gpt-4o');
  const out: ModelStreamPart[] = [];
  d.push(text('a'), out);
  d.push(text('b'), out);
  assert.throws(
    () => d.push(text('a').replace('"a"', '"a\u0001"'), out),
    (e: unknown) => e instanceof SwitchboardError && e.kind === 'invalid_response',
  );
});

test('a tool call that is not an object (null, a number, a function that is null) is skipped, never a crash (found by the SSE fuzzer)', () => {
  for (const call of ['null', '7', '{"index":0,"function":null}', '{"index":0,"function":"f"}']) {
    const parts = decode([`${HEAD}"tool_calls":[${call}]${TAIL}`, text('after')]);
    assert.deepEqual(texts(parts), ['after'], call);
  }
});
