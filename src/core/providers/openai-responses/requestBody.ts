/**
 * The neutral request → an OpenAI Responses body (POST /v1/responses), stateless: `store: false`,
 * the whole conversation as input items, reasoning carried back as `encrypted_content`.
 */
import type { ResolvedProvider } from '../../config.ts';
import type { ChatMessage, ImagePart, ModelRequest, ToolChoice } from '../../types.ts';
import type { BodyContext } from '../httpModel.ts';
import { effortForBudget } from '../openai/requestBody.ts';
import { checkFinalAssistant, errorMarked, mergeProviderOptions, textOf, unsupported } from '../shared.ts';

function toolChoice(c: ToolChoice): unknown {
  return typeof c === 'string' ? c : { type: 'function', name: c.name };
}

function inputImage(p: ImagePart): Record<string, unknown> {
  return {
    type: 'input_image',
    image_url: p.source.type === 'url' ? p.source.url : `data:${p.source.mediaType};base64,${p.source.data}`,
    detail: p.detail ?? 'auto',
  };
}

export function toResponsesInput(messages: readonly ChatMessage[], provider: string, model: string): unknown[] {
  const origin = `${provider}/${model}`;
  const out: unknown[] = [];
  for (const m of messages) {
    switch (m.role) {
      case 'system':
        out.push({ type: 'message', role: 'developer', content: [{ type: 'input_text', text: textOf(m.content) }] });
        break;
      case 'user':
        out.push({
          type: 'message',
          role: 'user',
          content:
            typeof m.content === 'string'
              ? [{ type: 'input_text', text: m.content }]
              : m.content.map((p) => {
                  if (p.type === 'text') return { type: 'input_text', text: p.text };
                  if (p.type === 'image') return inputImage(p);
                  return {
                    type: 'input_file',
                    ...(p.filename !== undefined ? { filename: p.filename } : { filename: 'document' }),
                    file_data: `data:${p.mediaType};base64,${p.data}`,
                  };
                }),
        });
        break;
      case 'assistant': {
        if (typeof m.content === 'string') {
          out.push({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: m.content, annotations: [] }] });
          break;
        }
        for (const p of m.content) {
          if (p.type === 'text') out.push({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: p.text, annotations: [] }] });
          else if (p.type === 'tool-call') out.push({ type: 'function_call', call_id: p.id, name: p.name, arguments: p.arguments });
          // Reasoning goes back only to the model that made it, as the opaque item it sent.
          else if (p.signature !== undefined && p.state?.origin === origin)
            out.push({ type: 'reasoning', summary: p.text ? [{ type: 'summary_text', text: p.text }] : [], encrypted_content: p.signature });
        }
        break;
      }
      case 'tool':
        for (const r of m.content) {
          // No error flag on a function output: an error result says so in its text.
          let output: string | unknown[];
          if (typeof r.content === 'string') output = errorMarked(r.content, r.isError);
          else if (r.content.length <= 1 && r.content.every((c) => c.type === 'text')) output = errorMarked(textOf(r.content), r.isError);
          else {
            // Several parts (texts kept apart, not glued into one) or images: the output as a list of
            // input items, as the API takes it (the error mark on the first text).
            let marked = !r.isError;
            output = r.content.map((c) => {
              if (c.type === 'image') return inputImage(c);
              const text = marked ? c.text : errorMarked(c.text, true);
              marked = true;
              return { type: 'input_text', text };
            });
            if (!marked) output.unshift({ type: 'input_text', text: errorMarked('', true) });
          }
          out.push({ type: 'function_call_output', call_id: r.callId, output });
        }
        break;
    }
  }
  return out;
}

export function responsesBody(provider: ResolvedProvider, wireModel: string, req: ModelRequest, ctx: BodyContext): Record<string, unknown> {
  checkFinalAssistant(req, false, provider.id, wireModel);
  if (req.stop !== undefined && req.stop.length > 0)
    throw unsupported(
      provider.id,
      wireModel,
      'stop',
      'the Responses API has no stop sequences',
      'leave out "stop", or use a model served over Chat Completions',
    );
  const body: Record<string, unknown> = { model: wireModel, input: toResponsesInput(req.messages, provider.id, wireModel), stream: true, store: false };
  if (req.maxTokens !== undefined) body.max_output_tokens = req.maxTokens;
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.topP !== undefined) body.top_p = req.topP;
  if (req.tools && req.tools.length > 0) {
    body.tools = req.tools.map((t) => ({
      type: 'function',
      name: t.name,
      ...(t.description !== undefined ? { description: t.description } : {}),
      parameters: t.parameters,
      strict: t.strict ?? false,
    }));
    if (req.toolChoice !== undefined) body.tool_choice = toolChoice(req.toolChoice);
    if (req.parallelToolCalls !== undefined) body.parallel_tool_calls = req.parallelToolCalls;
  }
  const rf = req.responseFormat;
  if (rf && rf.type !== 'text') {
    body.text = {
      format:
        rf.type === 'json_schema'
          ? {
              type: 'json_schema',
              name: rf.name,
              schema: rf.schema,
              ...(rf.description !== undefined ? { description: rf.description } : {}),
              ...(rf.strict !== undefined ? { strict: rf.strict } : {}),
            }
          : { type: 'json_object' },
    };
  }
  const r = req.reasoning;
  if (r && (r.effort !== undefined || r.budgetTokens !== undefined)) {
    const effort = r.effort ?? effortForBudget(r.budgetTokens!);
    if (r.effort === undefined)
      ctx.warn(`reasoning.budgetTokens: ${provider.id} takes an effort, not a token budget; sent reasoning.effort "${effort}" for ${r.budgetTokens} tokens`);
    body.reasoning = effort === 'none' ? { effort } : { effort, summary: 'auto' };
    // Stateless: the reasoning comes back encrypted so a later turn can send it again.
    if (effort !== 'none') body.include = ['reasoning.encrypted_content'];
  }
  for (const [hint, v] of [
    ['seed', req.seed],
    ['frequencyPenalty', req.frequencyPenalty],
    ['presencePenalty', req.presencePenalty],
  ] as const) {
    if (v !== undefined) ctx.warn(`${hint}: the Responses API has no such parameter; it was not sent`);
  }
  if (req.user !== undefined) body.safety_identifier = req.user;
  return mergeProviderOptions(body, req.providerOptions?.['openai-responses']);
}
