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
  const args = (i: number): string => parts.filter((p): p is Extract<ModelStreamPart, { type: 'tool-call-delta' }> => p.type === 'tool-call-delta' && p.index === i).map((p) => p.argumentsDelta).join('');
  assert.equal(args(0), pieces.join(''));
  assert.equal(args(1), pieces.join('') + 'x' + 'y');
  assert.deepEqual(parts.filter((p) => p.type === 'text-delta').map((p) => (p as { text: string }).text), ['done', 'z']);
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
  assert.throws(() => d.push(frag(0, 'a').replace('"a"', '"a\u0001"'), out), (e: unknown) => e instanceof SwitchboardError && e.kind === 'invalid_response');
});
