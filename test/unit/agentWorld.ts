/**
 * Real coding agents (Claude Code, Codex CLI) against the gateway, with scripted upstream models:
 * fakes of the four protocols (Chat Completions, Anthropic, Gemini, and Responses for
 * `responses/gpt-5-codex`) that read the agent's tool list in their own protocol and answer each
 * turn with the tool calls of a script (one call, or several at once), then with plain text. The
 * agent does the real work (writes the files): that is what the tests assert.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inspectToolRequest, startFakeProvider } from '../fakes/server.ts';
import type { FakeProtocol, FakeServer, RecordedRequest, Scenario } from '../fakes/types.ts';
import { startResponsesFake, type ResponsesFake, type ResponsesScenario } from '../fakes/responses.ts';
import { createClient, type SwitchboardClient } from '../../src/core/client.ts';
import type { ConfigInput } from '../../src/core/config.ts';
import { startGateway, type Gateway } from '../../src/gateway/server.ts';

export const KEY = 'sk-agents-abcdef1234567890';
export const TOKEN = 'gw-agents-token-0123456789abcdef';
export const FINAL = 'Done: the file is written.';

/** The tool names and argument shapes a scripted model knows how to use to create a file. */
export interface FileTask {
  path: string;
  content: string;
}

/** Tool definitions, as names, whatever the protocol. */
function toolNames(proto: FakeProtocol, body: Record<string, unknown>): string[] {
  const tools = (body.tools ?? []) as Record<string, unknown>[];
  if (proto === 'gemini') return tools.flatMap((t) => ((t.functionDeclarations ?? []) as { name: string }[]).map((f) => f.name));
  if (proto === 'anthropic') return tools.map((t) => String(t.name));
  return tools.map((t) => String((t.function as { name?: string } | undefined)?.name ?? t.name));
}

/** Whether the conversation already carries a tool result (the second turn). */
function hasToolResult(proto: FakeProtocol, body: Record<string, unknown>): boolean {
  if (proto === 'gemini')
    return ((body.contents ?? []) as { parts?: Record<string, unknown>[] }[]).some((c) => (c.parts ?? []).some((p) => 'functionResponse' in p));
  if (proto === 'anthropic')
    return ((body.messages ?? []) as { content: unknown }[]).some(
      (m) => Array.isArray(m.content) && m.content.some((b: { type?: string }) => b.type === 'tool_result'),
    );
  return ((body.messages ?? []) as { role: string }[]).some((m) => m.role === 'tool');
}

let callSeq = 0;

/**
 * The scripted model: Write (Claude Code), apply_patch or exec_command/shell (Codex), in that
 * order of preference. Side requests without tools (titles, summaries) get a short text.
 */
export function scriptedModel(proto: FakeProtocol, task: FileTask): (req: RecordedRequest) => Scenario {
  return (req) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const names = toolNames(proto, body);
    if (!names.length) return { text: 'ok' };
    if (hasToolResult(proto, body)) return { text: FINAL };
    const id = `call_${proto}_${++callSeq}`;
    // With thinking on, a real Claude starts its turn with a signed thinking block (and the strict fake insists on it back).
    // "adaptive" is Claude Code's own setting, which reaches the model as sent on the gateway's fast path.
    const mode = (body.thinking as { type?: string } | undefined)?.type;
    const thinking = proto === 'anthropic' && (mode === 'enabled' || mode === 'adaptive') ? { reasoning: 'I will write the file.' } : {};
    if (names.includes('Write'))
      return { ...thinking, toolCall: { id, name: 'Write', arguments: JSON.stringify({ file_path: task.path, content: task.content }) } };
    const shell = names.find((n) => n === 'exec_command' || n === 'shell' || n === 'shell_command');
    if (shell) {
      const cmd = `printf '%s' '${task.content.replace(/'/g, `'\\''`)}' > '${task.path}'`;
      const args = shell === 'shell' ? { command: ['bash', '-lc', cmd] } : shell === 'shell_command' ? { command: cmd } : { cmd };
      return { ...thinking, toolCall: { id, name: shell, arguments: JSON.stringify(args) } };
    }
    return { text: `no tool to write a file among: ${names.join(', ')}` };
  };
}

/** One tool call of a scripted step: the tool's name and its arguments. */
export interface StepCall {
  name: string;
  args: Record<string, unknown>;
}

export interface StepScript {
  /**
   * The tool call of each step, or its parallel tool calls (a list: all in one turn), from the offered
   * tool names and the tool results so far (a step is answered when the conversation carries the
   * results of every call of the steps before it); null: the step's tool is not offered.
   */
  steps: ((tools: string[], results: string[]) => StepCall | StepCall[] | null)[];
  /** The final answer, from every tool result's text. */
  final: (results: string[]) => string;
  /** Reasoning streamed with each tool-call turn (Anthropic: only when the request enables thinking, as a signed block; Gemini: thought parts and a signature). */
  reasoning?: string;
}

/**
 * A scripted model for multi-step tasks (any protocol): it calls the tool of step k while the
 * conversation carries k tool results, then answers with `final`. Side requests without tools get "ok".
 */
export function stepModel(proto: FakeProtocol, script: StepScript): (req: RecordedRequest) => Scenario {
  return (req) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const { tools, results } = inspectToolRequest(proto, body);
    if (!tools.length) return { text: 'ok' };
    const calls = stepCalls(script, tools, results);
    if (calls === 'final') return { text: script.final(results) };
    if (!calls) return { text: `no tool for the step after ${results.length} results among: ${tools.join(', ')}` };
    const mode = (body.thinking as { type?: string } | undefined)?.type;
    const think = proto === 'anthropic' ? mode === 'enabled' || mode === 'adaptive' : true;
    const toolCalls = calls.map((c) => ({
      id: proto === 'anthropic' ? `toolu_01Step${++callSeq}` : `call_${proto}_${++callSeq}`,
      name: c.name,
      arguments: JSON.stringify(c.args),
    }));
    return { ...(script.reasoning && think ? { reasoning: script.reasoning } : {}), toolCalls };
  };
}

/** The calls of the step due after `results` (the steps before it answered in full), 'final' after the last, null when not offered. */
function stepCalls(script: StepScript, tools: string[], results: string[]): StepCall[] | 'final' | null {
  let done = 0;
  for (const step of script.steps) {
    const out = step(tools, results.slice(0, done));
    if (!out) return null;
    const calls = Array.isArray(out) ? out : [out];
    if (done === results.length) return calls;
    done += calls.length;
    if (done > results.length) return null;
  }
  return 'final';
}

/** The offered function names and the function outputs of a Responses request. */
export function inspectResponsesRequest(body: Record<string, unknown>): { tools: string[]; results: string[] } {
  const tools = ((body.tools ?? []) as { type?: string; name?: string }[]).filter((t) => t.type === 'function').map((t) => String(t.name));
  const input = Array.isArray(body.input) ? (body.input as Record<string, unknown>[]) : [];
  const results = input.filter((i) => i.type === 'function_call_output').map((i) => (typeof i.output === 'string' ? i.output : JSON.stringify(i.output)));
  return { tools, results };
}

/** `stepModel` for the Responses fake. */
export function responsesStepModel(script: StepScript): (body: Record<string, unknown>) => ResponsesScenario {
  return (body) => {
    const { tools, results } = inspectResponsesRequest(body);
    if (!tools.length) return { text: 'ok' };
    const calls = stepCalls(script, tools, results);
    if (calls === 'final') return { text: script.final(results) };
    if (!calls) return { text: `no tool for the step after ${results.length} results among: ${tools.join(', ')}` };
    return {
      ...(script.reasoning ? { reasoning: script.reasoning, encrypted: `enc-${++callSeq}` } : {}),
      toolCalls: calls.map((c) => ({ callId: `call_resp_${++callSeq}`, name: c.name, arguments: JSON.stringify(c.args) })),
    };
  };
}

export interface AgentWorld {
  fakes: Record<'openai' | 'anthropic' | 'gemini', FakeServer>;
  /** The Responses-protocol upstream: model `responses/gpt-5-codex` (an OpenAI-kind provider whose model speaks Responses). */
  responses: ResponsesFake;
  client: SwitchboardClient;
  gateway: Gateway;
  logs: string[];
  close(): Promise<void>;
}

export interface AgentWorldOptions {
  /** Routes and aliases (the providers are the world's). */
  config?: Pick<ConfigInput, 'routes' | 'aliases' | 'capabilities'>;
}

export async function startAgentWorld(task: FileTask, opts: AgentWorldOptions = {}): Promise<AgentWorld> {
  const fakes = {
    openai: await startFakeProvider('openai', { apiKey: KEY, models: [{ id: 'gpt-4.1' }] }),
    anthropic: await startFakeProvider('anthropic', { apiKey: KEY, models: [{ id: 'claude-sonnet-4' }] }),
    gemini: await startFakeProvider('gemini', { apiKey: KEY, models: [{ id: 'gemini-2.5-flash' }, { id: 'gemini-3-pro-preview' }] }),
  };
  for (const [proto, f] of Object.entries(fakes)) f.setDefault(scriptedModel(proto as FakeProtocol, task));
  const responses = await startResponsesFake(KEY);
  const client = createClient(
    {
      retries: { maxRetries: 0 },
      ...opts.config,
      providers: [
        { id: 'openai', baseUrl: fakes.openai.baseUrl },
        { id: 'anthropic', baseUrl: fakes.anthropic.baseUrl },
        { id: 'google', baseUrl: fakes.gemini.baseUrl },
        { id: 'responses', kind: 'openai', baseUrl: responses.baseUrl, apiKeyEnv: 'OPENAI_API_KEY' },
      ],
      wireProtocols: { 'responses/gpt-5-codex': 'openai-responses' },
    },
    { env: { OPENAI_API_KEY: KEY, ANTHROPIC_API_KEY: KEY, GEMINI_API_KEY: KEY }, catalogCacheFile: null },
  );
  const logs: string[] = [];
  const gateway = await startGateway({ client, token: TOKEN, secrets: [KEY], log: (l) => logs.push(l) });
  return {
    fakes,
    responses,
    client,
    gateway,
    logs,
    async close() {
      await gateway.close();
      await client.close();
      await Promise.all([...Object.values(fakes).map((f) => f.close()), responses.close()]);
    },
  };
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run a command to completion (bounded: an agent that hangs is killed and the test fails on its output). */
export function run(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export function scratch(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A clean environment for an agent: its own HOME, no inherited keys or proxies. */
/** The `export NAME=value` lines of a snippet (values as the snippet quotes them: plain words here). */
export function snippetEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of text.matchAll(/^export ([A-Z0-9_]+)=(\S+)$/gm)) env[m[1]!] = m[2]!;
  return env;
}

export function agentEnv(home: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', TERM: 'dumb', NO_COLOR: '1', ...extra };
}

const BIN = resolve(import.meta.dirname, '../../node_modules/.bin');

/** Claude Code, headless, against the gateway (or `url`, e.g. a tap in front of it). */
export function runClaude(
  w: AgentWorld,
  cwd: string,
  model: string,
  prompt: string,
  tools: string,
  extra: Record<string, string> = {},
  url = w.gateway.url,
): Promise<RunResult> {
  const args = ['-p', prompt, '--model', model, '--permission-mode', 'acceptEdits', '--allowedTools', tools, '--output-format', 'text'];
  return run(join(BIN, 'claude'), args, {
    cwd,
    env: agentEnv(cwd, {
      ANTHROPIC_BASE_URL: url.replace(/\/v1$/, ''),
      ANTHROPIC_AUTH_TOKEN: TOKEN,
      ANTHROPIC_SMALL_FAST_MODEL: model,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_AUTOUPDATER: '1',
      ...extra,
    }),
  });
}

/** Codex CLI, headless, against the gateway (or `url`) over the Responses API; `config`: more `-c` settings. */
export function runCodex(w: AgentWorld, cwd: string, model: string, prompt: string, config: string[] = [], url = w.gateway.url): Promise<RunResult> {
  const home = join(cwd, '.codex');
  mkdirSync(home, { recursive: true });
  const provider = `model_providers.sb={name="sb",base_url="${url}",env_key="SB_TOKEN",wire_api="responses"}`;
  return run(
    join(BIN, 'codex'),
    [
      'exec',
      '--skip-git-repo-check',
      '--dangerously-bypass-approvals-and-sandbox',
      '-c',
      'model_provider=sb',
      '-c',
      provider,
      ...config.flatMap((c) => ['-c', c]),
      '-m',
      model,
      prompt,
    ],
    { cwd, env: agentEnv(cwd, { CODEX_HOME: home, SB_TOKEN: TOKEN }) },
  );
}
