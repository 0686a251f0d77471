/**
 * The doors speak the core request model (src/core/request.ts). Until the router takes that model
 * (issue 11's wiring), this hands it over in the text-and-images shape the router takes today and
 * refuses, by name, what that shape cannot carry yet. It goes away with the wiring.
 */
import { SwitchboardError } from '../../core/errors.ts';
import type { ModelRequest } from '../../core/request.ts';
import type { ChatRequest } from '../../core/router/router.ts';
import type { ContentPart } from '../../core/types.ts';

function refuse(what: string, model: string): never {
  throw new SwitchboardError({ kind: 'bad_request', message: `${what} cannot be sent upstream yet`, model, fix: 'tool calling through the gateway needs the request-model work of issue 11 (not merged in this build)' });
}

export function toRouterRequest(model: string, r: Omit<ModelRequest, 'signal'>, signal: AbortSignal): ChatRequest {
  if (r.tools?.length) refuse('"tools"', model);
  if (r.responseFormat && r.responseFormat.type !== 'text') refuse('a response format', model);
  const messages: ChatRequest['messages'] = r.messages.map((m) => {
    if (m.role === 'tool') refuse('a tool result', model);
    if (typeof m.content === 'string') return { role: m.role, content: m.content };
    const parts: ContentPart[] = [];
    for (const p of m.content) {
      if (p.type === 'text') parts.push({ type: 'text', text: p.text });
      else if (p.type === 'image') parts.push({ type: 'image_url', image_url: { url: p.source.type === 'url' ? p.source.url : `data:${p.source.mediaType};base64,${p.source.data}` } });
      else if (p.type === 'reasoning') continue; // earlier reasoning is context the old shape drops: as every front end does today
      else refuse(`a "${p.type}" part`, model);
    }
    return { role: m.role, content: parts };
  });
  const out: ChatRequest = { model, messages, signal };
  if (r.maxTokens !== undefined) out.maxTokens = r.maxTokens;
  if (r.temperature !== undefined) out.temperature = r.temperature;
  if (r.topP !== undefined) out.topP = r.topP;
  if (r.stop !== undefined) out.stop = r.stop;
  return out;
}
