/** Google Gemini generateContent, streamed with `alt=sse` (each event a whole response; no [DONE]). */
import { classifyHttpError } from '../../errors.ts';
import type { ModelStreamPart, Usage } from '../../types.ts';
import type { WireProtocol } from '../httpModel.ts';
import { invalidResponse, num, obj, parseEventJson } from '../shared.ts';
import { geminiCallId } from './callIds.ts';
import { geminiBody } from './requestBody.ts';
import { mapGeminiFinish } from './mapFinish.ts';

export const geminiProtocol: WireProtocol = {
  protocol: 'gemini',
  url(provider, wireModel) {
    const model = wireModel.startsWith('models/') ? wireModel.slice('models/'.length) : wireModel;
    return `${provider.baseUrl}/models/${encodeURIComponent(model)}:streamGenerateContent?alt=sse`;
  },
  body: geminiBody,
  decode: (events, provider, model) => decodeGeminiStream(events, provider, model),
};

export async function* decodeGeminiStream(events: AsyncIterable<{ data: string }>, provider: string, model: string): AsyncGenerator<ModelStreamPart> {
  let finished = false;
  let sawMeta = false;
  let toolIndex = 0;
  for await (const ev of events) {
    if (ev.data.length === 0) continue;
    const chunk = parseEventJson(ev.data, provider, model);
    const err = obj(chunk.error);
    if (err) throw classifyHttpError({ status: num(err.code) ?? 500, body: chunk, headers: {}, provider, model });
    if (!sawMeta && (typeof chunk.responseId === 'string' || typeof chunk.modelVersion === 'string')) {
      sawMeta = true;
      yield {
        type: 'response-meta',
        ...(typeof chunk.responseId === 'string' ? { id: chunk.responseId } : {}),
        ...(typeof chunk.modelVersion === 'string' ? { model: chunk.modelVersion } : {}),
      };
    }
    const candidates = chunk.candidates;
    const cand = Array.isArray(candidates) ? obj(candidates[0]) : null;
    const parts = cand ? obj(cand.content)?.parts : undefined;
    if (Array.isArray(parts)) {
      for (const raw of parts) {
        const p = obj(raw);
        if (!p) continue;
        const sig = typeof p.thoughtSignature === 'string' ? p.thoughtSignature : undefined;
        if (typeof p.text === 'string' && (p.text.length > 0 || sig !== undefined)) {
          const type = p.thought === true ? 'reasoning-delta' : 'text-delta';
          yield sig !== undefined ? { type, text: p.text, thoughtSignature: sig } : { type, text: p.text };
        }
        const fc = obj(p.functionCall);
        if (fc) {
          const name = typeof fc.name === 'string' ? fc.name : '';
          let args: string;
          try {
            args = JSON.stringify(fc.args ?? {});
          } catch (e) {
            // Arguments nested deeper than JSON.stringify can recurse.
            throw invalidResponse(provider, model, 'the arguments of a function call could not be read', e);
          }
          const id = typeof fc.id === 'string' && fc.id.length > 0 ? fc.id : geminiCallId(toolIndex);
          yield { type: 'tool-call-delta', index: toolIndex, id, name, argumentsDelta: args, ...(sig !== undefined ? { thoughtSignature: sig } : {}) };
          toolIndex++;
        }
      }
    }
    const fr = cand?.finishReason;
    const blocked = obj(chunk.promptFeedback)?.blockReason;
    // usageMetadata rides on every chunk as a running count; the one with the finishReason is the answer's.
    const usage = obj(chunk.usageMetadata);
    if (usage)
      yield typeof fr === 'string' || typeof blocked === 'string'
        ? { type: 'usage', usage: geminiUsage(usage) }
        : { type: 'usage', usage: geminiUsage(usage), partial: true };
    if (typeof fr === 'string' && !finished) {
      finished = true;
      const reason = toolIndex > 0 && fr === 'STOP' ? 'tool_calls' : mapGeminiFinish(fr);
      // MALFORMED_FUNCTION_CALL / UNEXPECTED_TOOL_CALL: the model failed to produce the call it
      // started; what came is no answer (an empty "stop" would end an agent's turn unsaid). As an
      // OpenAI finish_reason "error": the upstream's broken answer.
      if (reason === 'error')
        throw invalidResponse(provider, model, `Gemini ended the answer with finishReason "${fr}" (the model did not produce a valid function call)`);
      yield { type: 'finish', finishReason: reason, rawFinishReason: fr };
    }
    if (typeof blocked === 'string' && !finished) {
      finished = true;
      yield { type: 'finish', finishReason: 'content_filter', rawFinishReason: blocked };
    }
  }
  // Gemini's stream simply ends; without a finishReason the connection was cut short.
  if (!finished) throw invalidResponse(provider, model, 'the stream ended before a finishReason arrived');
}

/**
 * Gemini bills thinking tokens as output; ours count them inside outputTokens. The prompt tokens
 * of its own tool use (`toolUsePromptTokenCount`: search grounding, code execution) are not in
 * promptTokenCount but are billed as input, so inputTokens includes them.
 */
export function geminiUsage(u: Record<string, unknown>): Partial<Usage> {
  const usage: Partial<Usage> = {};
  const input = num(u.promptTokenCount);
  const toolUse = num(u.toolUsePromptTokenCount);
  const candidates = num(u.candidatesTokenCount);
  const thoughts = num(u.thoughtsTokenCount);
  const cached = num(u.cachedContentTokenCount);
  if (input !== null) usage.inputTokens = input + (toolUse ?? 0);
  if (toolUse !== null) usage.toolUsePromptTokens = toolUse;
  if (candidates !== null || thoughts !== null) usage.outputTokens = (candidates ?? 0) + (thoughts ?? 0);
  if (thoughts !== null) usage.reasoningTokens = thoughts;
  if (cached !== null) usage.cachedInputTokens = cached;
  return usage;
}
