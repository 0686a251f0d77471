// Scripted models for full tool loops: `fake.setDefault(toolLoop('anthropic'))` makes the fake
// answer like a model that uses its tools —
//   1. tools offered and no tool result in the conversation yet → a call of the first offered
//      tool (streamed in the protocol's real wire shape; Gemini 3 and reasoning answers carry a
//      thoughtSignature, Anthropic reasoning a signed thinking block);
//   2. a tool result present → a final text that quotes the results (`finalText`).
// Combined with the strict validation (strict.ts), a loop only completes when every
// translation of the calls, results, signatures and ids was right.
import type { FakeProtocol, RecordedRequest, Scenario } from './types.ts';

export interface ToolLoopScript {
  /** Arguments (JSON text) of the call, by tool name. Default `{"city":"Paris"}`. */
  args?: (toolName: string) => string;
  /** The final answer from the tool results' texts. Default "The tool said: …". */
  finalText?: (results: string[]) => string;
  /** Reasoning to stream with each answer (Anthropic: a signed thinking block; Gemini: thought parts + signature). */
  reasoning?: string;
  /** The call's id (OpenAI/Anthropic; Gemini sends none, as it usually does). */
  callId?: string;
}

type J = Record<string, unknown>;
const isObj = (v: unknown): v is J => !!v && typeof v === 'object' && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  return arr(v)
    .map((b) => (isObj(b) && typeof b.text === 'string' ? b.text : ''))
    .join('');
}

/** The offered tool names and the tool results already in the conversation, per protocol. */
export function inspectToolRequest(protocol: FakeProtocol, body: unknown): { tools: string[]; results: string[] } {
  const b = isObj(body) ? body : {};
  switch (protocol) {
    case 'openai':
    case 'openrouter':
      return {
        tools: arr(b.tools).map((t) => String((isObj(t) && isObj(t.function) ? t.function.name : '') ?? '')),
        results: arr(b.messages)
          .filter((m) => isObj(m) && m.role === 'tool')
          .map((m) => textOf((m as J).content)),
      };
    case 'anthropic':
      return {
        tools: arr(b.tools)
          .map((t) => String(isObj(t) ? t.name : ''))
          .filter((n) => n !== 'json_answer'),
        results: arr(b.messages)
          .flatMap((m) => (isObj(m) && m.role === 'user' ? arr(m.content) : []))
          .filter((c) => isObj(c) && c.type === 'tool_result')
          .map((c) => textOf((c as J).content)),
      };
    case 'gemini':
      return {
        tools: arr(b.tools).flatMap((t) => arr(isObj(t) ? t.functionDeclarations : []).map((f) => String(isObj(f) ? f.name : ''))),
        results: arr(b.contents)
          .flatMap((c) => arr(isObj(c) ? c.parts : []))
          .filter((p) => isObj(p) && isObj(p.functionResponse))
          .map((p) => {
            const r = ((p as J).functionResponse as J).response;
            return isObj(r) && typeof r.output === 'string' ? r.output : JSON.stringify(r);
          }),
      };
  }
}

export function toolLoop(protocol: FakeProtocol, script: ToolLoopScript = {}): (req: RecordedRequest) => Scenario {
  let n = 0;
  return (req) => {
    const { tools, results } = inspectToolRequest(protocol, req.body);
    const base: Scenario = script.reasoning ? { reasoning: script.reasoning } : {};
    if (tools.length > 0 && results.length === 0) {
      const name = tools[0]!;
      n++;
      const id = script.callId ?? (protocol === 'anthropic' ? `toolu_01Fake${n}` : `call_fake${n}`);
      return { ...base, toolCall: { id, name, arguments: script.args?.(name) ?? '{"city":"Paris"}' } };
    }
    return { ...base, text: script.finalText ? script.finalText(results) : `The tool said: ${results.join('; ')}` };
  };
}
