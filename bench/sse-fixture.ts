/**
 * The stream every decoding path consumes: N OpenAI-format `chat.completion.chunk` SSE events
 * (a few words of content each, some non-ASCII and some JSON escapes), a finish chunk, a usage
 * chunk and `data: [DONE]`, built once into a Buffer. Deterministic (seeded), so every run and
 * every path sees the same bytes and must produce the same text.
 */

export interface SseFixture {
  body: Buffer;
  /** The concatenated delta contents: what every path must reproduce. */
  text: string;
  /** Content-bearing chunk events (the role is on the first one). */
  contentEvents: number;
  /** All `data:` events, including the finish and usage chunks and [DONE]. */
  totalEvents: number;
}

// Mostly ASCII, like real answers, with a few multi-byte characters and JSON escapes
// (\n, \", \\) so UTF-8 boundaries and string unescaping are exercised.
const WORDS = [
  'the',
  'model',
  'returns',
  'a',
  'stream',
  'of',
  'tokens',
  'and',
  'each',
  'chunk',
  'carries',
  'only',
  'few',
  'words',
  'so',
  'decoding',
  'cost',
  'per',
  'event',
  'matters',
  'more',
  'than',
  'bytes',
  'in',
  'function',
  'const',
  'value',
  'return',
  'await',
  'result',
  'error',
  'request',
  'response',
  'config',
  'naïve',
  'café',
  'déjà',
  'vu',
  '—',
  '→',
  'über',
  '漢字',
  '🙂',
  '“quoted”',
  'x\n',
  '"q"',
  'a\\b',
  '`code`',
];

/** Small deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function buildSseFixture(contentEvents = 20_000, seed = 42): SseFixture {
  const rand = rng(seed);
  const id = 'chatcmpl-BZ3kQ9vT7xLmN2pR4sWyA6cE'; // realistic length: "chatcmpl-" + 24
  const created = 1764000000;
  const model = 'gpt-4o-mini';
  const head = `{"id":"${id}","object":"chat.completion.chunk","created":${created},"model":"${model}","choices":[{"index":0,"delta":{`;
  const parts: string[] = [];
  let text = '';
  for (let i = 0; i < contentEvents; i++) {
    const n = 1 + Math.floor(rand() * 3); // 1–3 words
    let content = '';
    for (let w = 0; w < n; w++) content += ' ' + WORDS[Math.floor(rand() * WORDS.length)]!;
    text += content;
    const delta = (i === 0 ? '"role":"assistant",' : '') + `"content":${JSON.stringify(content)}`;
    parts.push(`data: ${head}${delta}},"finish_reason":null}]}\n\n`);
  }
  parts.push(`data: ${head}},"finish_reason":"stop"}]}\n\n`);
  const usage = {
    prompt_tokens: 12,
    completion_tokens: contentEvents,
    total_tokens: 12 + contentEvents,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0 },
  };
  parts.push(`data: {"id":"${id}","object":"chat.completion.chunk","created":${created},"model":"${model}","choices":[],"usage":${JSON.stringify(usage)}}\n\n`);
  parts.push('data: [DONE]\n\n');
  return { body: Buffer.from(parts.join(''), 'utf8'), text, contentEvents, totalEvents: contentEvents + 3 };
}
