/**
 * TEMPORARY: the core's router still takes the old text-only request (types.ts) until the
 * request-model wiring (branch req11-core) lands. This maps the new request onto it and refuses,
 * naming the parameter, whatever the old core cannot carry, so nothing is dropped unsaid.
 * Delete this file when types.ts re-exports request.ts.
 */
import type { ChatMessage as OldMessage, ContentPart as OldPart } from './types.ts';
import type { ChatRequest } from './router/router.ts';
import type { ModelRequest } from './request.ts';
import { UnsupportedParameterError } from './openaiParams.ts';

export function toLegacyRequest(r: ModelRequest & { model: string }, warnings: string[]): ChatRequest {
  const refuse = (param: string, what: string): never => {
    throw new UnsupportedParameterError(param, r.model, `${what} is not supported by this build of Switchboard yet`, `omit ${param}`);
  };
  if (r.tools?.length) refuse('tools', 'tool calling');
  if (r.toolChoice !== undefined && r.toolChoice !== 'auto' && r.toolChoice !== 'none') refuse('tool_choice', 'forcing a tool');
  if (r.responseFormat && r.responseFormat.type !== 'text') refuse('response_format', 'structured output');
  if (r.reasoning) refuse('reasoning_effort', 'choosing a reasoning effort');
  for (const [k, v] of [['seed', r.seed], ['frequency_penalty', r.frequencyPenalty], ['presence_penalty', r.presencePenalty], ['user', r.user], ['parallel_tool_calls', r.parallelToolCalls]] as const) {
    if (v !== undefined) warnings.push(`${k}: not forwarded by this build`);
  }
  const messages: OldMessage[] = r.messages.map((m, i) => {
    if (m.role === 'tool') return refuse(`messages[${i}]`, 'a tool message');
    if (typeof m.content === 'string') return { role: m.role, content: m.content };
    const parts: OldPart[] = m.content.map((c): OldPart => {
      if (c.type === 'text') return { type: 'text', text: c.text };
      if (c.type === 'image') return { type: 'image_url', image_url: { url: c.source.type === 'url' ? c.source.url : `data:${c.source.mediaType};base64,${c.source.data}`, ...(c.detail ? { detail: c.detail } : {}) } };
      return refuse(`messages[${i}]`, `a ${c.type} part`);
    });
    return { role: m.role, content: parts };
  });
  const out: ChatRequest = { model: r.model, messages };
  if (r.maxTokens !== undefined) out.maxTokens = r.maxTokens;
  if (r.temperature !== undefined) out.temperature = r.temperature;
  if (r.topP !== undefined) out.topP = r.topP;
  if (r.stop !== undefined) out.stop = r.stop;
  return out;
}
