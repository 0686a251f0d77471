// REAL coding agents through the gateway, beyond the one-step task of agents.test.ts: multi-step
// tool loops on each upstream protocol (the agent's model named directly, as a route or as an
// alias), reasoning carried across turns, fallback in the middle of a task. Scripted upstream
// models (agentWorld.ts stepModel) answer; the strict fakes refuse what the real APIs refuse.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { inspectToolRequest } from '../fakes/server.ts';
import type { FakeProtocol } from '../fakes/types.ts';
import { runClaude, runCodex, scratch, startAgentWorld, stepModel, type AgentWorld, type FileTask, type RunResult, type StepScript } from './agentWorld.ts';

type Proto = 'openai' | 'anthropic' | 'gemini';

const sh = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
const said = (r: RunResult, w: AgentWorld): string => `exit ${r.code}\n${r.stdout}\n${r.stderr.slice(-3000)}\n${w.logs.slice(-8).join('\n')}`;

describe('real agents, multi-step tasks through the gateway', () => {
  let w: AgentWorld;
  let dir: string;
  const task: FileTask = { path: '', content: 'Hello from Switchboard\nline two: naïve café ✓\n' };
  before(async () => {
    dir = scratch('sb-agents-more-');
    w = await startAgentWorld(task, {
      config: {
        routes: [
          { id: 'claude-first', models: ['anthropic/claude-sonnet-4', 'openai/gpt-4.1'] },
          { id: 'gemini-first', models: ['google/gemini-3-pro-preview', 'anthropic/claude-sonnet-4'] },
        ],
        aliases: { 'sb-coder': 'openai/gpt-4.1', 'sb-gem': 'route/gemini-first' },
      },
    });
  });
  after(async () => {
    await w.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function fresh(name: string): string {
    const cwd = join(dir, name);
    mkdirSync(cwd, { recursive: true });
    task.path = join(cwd, 'notes.txt');
    return cwd;
  }

  /** Every fake answers with this script from now on. */
  function script(s: StepScript): void {
    for (const [proto, f] of Object.entries(w.fakes)) f.setDefault(stepModel(proto as FakeProtocol, s));
  }

  /** The tool results of the last request with tools a fake got since `from`. */
  function lastResults(proto: Proto, from: number): string[] {
    const reqs = w.fakes[proto].requests.slice(from).filter((r) => inspectToolRequest(proto, r.body).tools.length > 0);
    return reqs.length ? inspectToolRequest(proto, reqs[reqs.length - 1]!.body).results : [];
  }

  const CLAUDE_CASES: { proto: Proto; model: string; via: string }[] = [
    { proto: 'openai', model: 'sb-coder', via: 'an alias' },
    { proto: 'anthropic', model: 'route/claude-first', via: 'a route' },
    { proto: 'gemini', model: 'google/gemini-3-pro-preview', via: 'its id' },
  ];
  for (const c of CLAUDE_CASES)
    test(`Claude Code: Write, then Read, then answers (${c.proto} protocol, model named by ${c.via}, reasoning on)`, async () => {
      const cwd = fresh(`claude2-${c.proto}`);
      script({
        reasoning: 'Write it, then read it back.',
        steps: [
          (t) => (t.includes('Write') ? { name: 'Write', args: { file_path: task.path, content: task.content } } : null),
          (t) => (t.includes('Read') ? { name: 'Read', args: { file_path: task.path } } : null),
        ],
        final: (rs) => `All done after ${rs.length} tool results.`,
      });
      const from = w.fakes[c.proto].requests.length;
      const r = await runClaude(w, cwd, c.model, `Create ${task.path} and read it back`, 'Write,Read');
      assert.equal(r.code, 0, said(r, w));
      assert.equal(readFileSync(task.path, 'utf8'), task.content);
      assert.match(r.stdout, /All done after 2 tool results\./, said(r, w));
      const results = lastResults(c.proto, from);
      assert.equal(results.length, 2, JSON.stringify(results));
      assert.match(results[1]!, /line two: naïve café ✓/);
    });

  const CODEX_CASES: { proto: Proto; model: string; via: string }[] = [
    { proto: 'openai', model: 'sb-coder', via: 'an alias' },
    { proto: 'anthropic', model: 'route/claude-first', via: 'a route' },
    { proto: 'gemini', model: 'sb-gem', via: 'an alias of a route' },
  ];
  for (const c of CODEX_CASES)
    test(`Codex: exec_command twice (write, then cat), then answers (${c.proto} protocol, model named by ${c.via}, reasoning on)`, async () => {
      const cwd = fresh(`codex2-${c.proto}`);
      script({
        reasoning: 'Write it, then read it back.',
        steps: [
          (t) => (t.includes('exec_command') ? { name: 'exec_command', args: { cmd: `printf '%s' ${sh(task.content)} > ${sh(task.path)}` } } : null),
          (t) => (t.includes('exec_command') ? { name: 'exec_command', args: { cmd: `cat ${sh(task.path)}` } } : null),
        ],
        final: (rs) => `All done after ${rs.length} tool results.`,
      });
      const from = w.fakes[c.proto].requests.length;
      const r = await runCodex(w, cwd, c.model, `Create ${task.path} and read it back`);
      assert.equal(r.code, 0, said(r, w));
      assert.ok(existsSync(task.path), said(r, w));
      assert.equal(readFileSync(task.path, 'utf8'), task.content);
      assert.match(r.stdout, /All done after 2 tool results\./, said(r, w));
      const results = lastResults(c.proto, from);
      assert.equal(results.length, 2, JSON.stringify(results));
      assert.match(results[1]!, /line two: naïve café ✓/);
    });

  /** The fake of `proto` fails the first request that carries `failAt` tool results with `status`; every fake answers with `s`. */
  function scriptFailing(s: StepScript, proto: Proto, failAt: number, status: number): { failed: () => boolean } {
    script(s);
    let failed = false;
    const model = stepModel(proto, s);
    w.fakes[proto].setDefault((req) => {
      if (!failed && inspectToolRequest(proto, req.body).results.length === failAt) {
        failed = true;
        return { status };
      }
      return model(req);
    });
    return { failed: () => failed };
  }

  const twoSteps = (write: StepScript['steps'][number], read: StepScript['steps'][number]): StepScript => ({
    reasoning: 'Write it, then read it back.',
    steps: [write, read],
    final: (rs) => `All done after ${rs.length} tool results.`,
  });
  const claudeSteps = (): StepScript =>
    twoSteps(
      () => ({ name: 'Write', args: { file_path: task.path, content: task.content } }),
      () => ({ name: 'Read', args: { file_path: task.path } }),
    );
  const codexSteps = (): StepScript =>
    twoSteps(
      () => ({ name: 'exec_command', args: { cmd: `printf '%s' ${sh(task.content)} > ${sh(task.path)}` } }),
      () => ({ name: 'exec_command', args: { cmd: `cat ${sh(task.path)}` } }),
    );

  const FALLBACKS: { agent: 'claude' | 'codex'; route: string; first: Proto; second: Proto; status: number }[] = [
    { agent: 'claude', route: 'route/claude-first', first: 'anthropic', second: 'openai', status: 529 },
    { agent: 'claude', route: 'sb-gem', first: 'gemini', second: 'anthropic', status: 500 },
    { agent: 'codex', route: 'route/claude-first', first: 'anthropic', second: 'openai', status: 529 },
    { agent: 'codex', route: 'sb-gem', first: 'gemini', second: 'anthropic', status: 500 },
  ];
  for (const c of FALLBACKS)
    test(`${c.agent === 'claude' ? 'Claude Code' : 'Codex'}: ${c.first} fails with ${c.status} after the first tool call, ${c.second} (next in the route) finishes the task`, async () => {
      const cwd = fresh(`fallback-${c.agent}-${c.first}`);
      const fail = scriptFailing(c.agent === 'claude' ? claudeSteps() : codexSteps(), c.first, 1, c.status);
      const from = w.fakes[c.second].requests.length;
      const firstFrom = w.fakes[c.first].requests.length;
      const r =
        c.agent === 'claude'
          ? await runClaude(w, cwd, c.route, `Create ${task.path} and read it back`, 'Write,Read')
          : await runCodex(w, cwd, c.route, `Create ${task.path} and read it back`);
      assert.ok(fail.failed(), 'the first model never failed');
      assert.equal(r.code, 0, said(r, w));
      assert.equal(readFileSync(task.path, 'utf8'), task.content);
      assert.match(r.stdout, /All done after 2 tool results\./, said(r, w));
      // The second model answered the turn carrying the first model's tool call and its result; the
      // first model, back, answered the last turn, carrying the second model's call.
      const answered = w.fakes[c.second].requests.slice(from).map((q) => inspectToolRequest(c.second, q.body).results.length);
      assert.ok(answered.includes(1), JSON.stringify(answered));
      assert.equal(lastResults(c.first, firstFrom).length, 2);
    });
});
