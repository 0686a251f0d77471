/**
 * The tool-call stream: N OpenAI `chat.completion.chunk` SSE events, each carrying a fragment of
 * one tool call's JSON arguments (the first also the call's id and name, as OpenAI sends it), a
 * `finish_reason: "tool_calls"` chunk, a usage chunk and `[DONE]`. Deterministic, built once.
 */
import { rng } from './sse-fixture.ts';

export interface ToolFixture {
  body: Buffer;
  /** The whole arguments text every path must reassemble. */
  arguments: string;
  callId: string;
  name: string;
  argumentEvents: number;
  totalEvents: number;
}

const KEYS = ['path', 'content', 'line', 'replace', 'with', 'old_string', 'new_string', 'query', 'pattern', 'glob'];
const VALUES = [
  'src/core/client.ts',
  'const x = 1;\n',
  'naïve café',
  '→ arrow',
  '"quoted"',
  'a\\b',
  '漢字',
  '🙂',
  'return await result;',
  'if (x) {\n  y();\n}',
];

export function buildToolFixture(argumentEvents = 20_000, seed = 7): ToolFixture {
  const rand = rng(seed);
  const id = 'chatcmpl-TC3kQ9vT7xLmN2pR4sWyA6cE';
  const callId = 'call_Qm3xZ8pL2vR7tY1wK9sN4bH6';
  const name = 'apply_edits';
  const head = `{"id":"${id}","object":"chat.completion.chunk","created":1764000000,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{`;
  const tail = `},"finish_reason":null}]}`;
  // The arguments: one JSON object with an array of edits, cut into N − 1 fragments of about 4 characters
  // (a few tokens each, as models stream them): about 200 bytes per event, 4 MB for 20,000.
  let args = '{"edits":[';
  for (let i = 0; args.length < (argumentEvents - 1) * 4 - 2; i++) {
    args += `${i ? ',' : ''}{"${KEYS[Math.floor(rand() * KEYS.length)]!}":${JSON.stringify(VALUES[Math.floor(rand() * VALUES.length)]!)},"n":${i}}`;
  }
  args += ']}';
  const parts: string[] = [
    `data: ${head}"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"${callId}","type":"function","function":{"name":"${name}","arguments":""}}]${tail}\n\n`,
  ];
  const cuts = argumentEvents - 1;
  for (let k = 0; k < cuts; k++) {
    const fragment = args.slice(Math.floor((k * args.length) / cuts), Math.floor(((k + 1) * args.length) / cuts));
    parts.push(`data: ${head}"tool_calls":[{"index":0,"function":{"arguments":${JSON.stringify(fragment)}}}]${tail}\n\n`);
  }
  parts.push(`data: ${head}},"finish_reason":"tool_calls"}]}\n\n`);
  parts.push(
    `data: {"id":"${id}","object":"chat.completion.chunk","created":1764000000,"model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":50,"completion_tokens":${argumentEvents},"total_tokens":${50 + argumentEvents}}}\n\n`,
  );
  parts.push('data: [DONE]\n\n');
  return { body: Buffer.from(parts.join(''), 'utf8'), arguments: args, callId, name, argumentEvents: parts.length - 3, totalEvents: parts.length };
}
