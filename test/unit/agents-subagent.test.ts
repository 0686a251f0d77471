// REAL agents through the gateway, set up exactly as "Use with Claude Code / Codex" says (the
// environment and config.toml of src/gateway/agentSnippets.ts, nothing else).
//
// Claude Code with a subagent: the model calls
// Claude Code's Agent tool with `model: "haiku"`, as Claude models do, and the subagent does the
// work. Claude Code turns "haiku" (and "sonnet", "opus", "fable", and its built-in agents' own
// picks) into a model name of its own: unless the snippet names the user's model for each of them,
// the subagent asks the gateway for "claude-haiku-…", an unknown name, and the task fails.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { inspectToolRequest, type RecordedRequest, type Scenario } from '../fakes/server.ts';
import { agentSnippets } from '../../src/gateway/agentSnippets.ts';
import { agentEnv, run, scratch, scriptedModel, snippetEnv, startAgentWorld, TOKEN, type AgentWorld, type FileTask } from './agentWorld.ts';

const BIN = resolve(import.meta.dirname, '../../node_modules/.bin');
const MODEL = 'anthropic/claude-sonnet-4';
const SMALL = 'openai/gpt-4.1';
/** Marks the subagent's conversation: its first message carries the prompt the main agent gave it. */
const SUBTASK = 'SUBTASK-7f3a:';

let w: AgentWorld;
let dir: string;
const task: FileTask = { path: '', content: 'written by a subagent\n' };
before(async () => {
  dir = scratch('sb-agents-sub-');
  // A model whose window is smaller than the 200k Claude Code assumes for any model it does not know.
  w = await startAgentWorld(task, { config: { capabilities: { [SMALL]: { contextWindow: 128_000 } } } });
});
after(async () => {
  await w.close();
  rmSync(dir, { recursive: true, force: true });
});

let seq = 0;
/** The main agent hands the task to a subagent (Agent tool, model "haiku"); the subagent writes the file. */
function model(req: RecordedRequest): Scenario {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const { tools, results } = inspectToolRequest('anthropic', body);
  if (!tools.length) return { text: 'ok' };
  const first = JSON.stringify(((body.messages ?? []) as unknown[])[0] ?? '');
  const mode = (body.thinking as { type?: string } | undefined)?.type;
  // With thinking on, a real Claude starts its turn with a signed thinking block (the strict fake insists on it back).
  const thinking = mode === 'enabled' || mode === 'adaptive' ? { reasoning: 'Delegate, then report.' } : {};
  const id = `toolu_01Sub${++seq}`;
  if (first.includes(SUBTASK)) {
    if (results.length === 0 && tools.includes('Write'))
      return { ...thinking, toolCall: { id, name: 'Write', arguments: JSON.stringify({ file_path: task.path, content: task.content }) } };
    return { text: 'Subagent: the file is written.' };
  }
  if (results.length === 0 && tools.includes('Agent'))
    return {
      ...thinking,
      toolCall: {
        id,
        name: 'Agent',
        arguments: JSON.stringify({
          description: 'Write the file',
          prompt: `${SUBTASK} create the file ${task.path} with the given content using the Write tool.`,
          subagent_type: 'general-purpose',
          model: 'haiku',
        }),
      },
    };
  return { text: `Main agent done. Subagent said: ${results.join(' | ').slice(0, 200)}` };
}

test('Claude Code set up by the snippet: a subagent started with model "haiku" reaches the user\'s model and does the work', async () => {
  const cwd = join(dir, 'sub');
  mkdirSync(cwd, { recursive: true });
  task.path = join(cwd, 'from-subagent.txt');
  w.fakes.anthropic.setDefault(model);
  const snippet = agentSnippets(w.gateway.url, TOKEN, MODEL).find((s) => s.id === 'claude-code')!;
  const env = snippetEnv(snippet.text);
  assert.equal(env.ANTHROPIC_AUTH_TOKEN, TOKEN);
  const from = w.fakes.anthropic.requests.length;
  const logFrom = w.logs.length;
  const r = await run(
    join(BIN, 'claude'),
    [
      '-p',
      `Create the file ${task.path} (hand it to a subagent)`,
      '--permission-mode',
      'acceptEdits',
      '--allowedTools',
      'Write,Agent',
      '--output-format',
      'text',
    ],
    { cwd, env: agentEnv(cwd, { ...env, DISABLE_TELEMETRY: '1', DISABLE_AUTOUPDATER: '1' }) },
  );
  const said = `exit ${r.code}\n${r.stdout}\n${r.stderr.slice(-3000)}\n${w.logs.slice(logFrom).join('\n')}`;
  assert.equal(r.code, 0, said);
  // Every request Claude Code made was for a model the gateway knows: none refused (model_not_found, or any other).
  assert.deepEqual(
    w.logs.slice(logFrom).filter((l) => /model_not_found|^gateway: POST \S+ [45]\d\d /.test(l)),
    [],
    said,
  );
  const sub = w.fakes.anthropic.requests
    .slice(from)
    .filter((q) => JSON.stringify(((q.body as { messages?: unknown[] }).messages ?? [])[0] ?? '').includes(SUBTASK));
  assert.ok(sub.length >= 2, `the subagent's turns reached the upstream (${sub.length} requests)\n${said}`);
  assert.equal(readFileSync(task.path, 'utf8'), task.content, said);
  assert.match(r.stdout, /Main agent done\. Subagent said: .*written/, said);
});

test("Codex set up by the snippet (config.toml as pasted) knows the model's context window and compacts before the model would refuse", async () => {
  const cwd = join(dir, 'codex-window');
  const home = join(cwd, '.codex');
  mkdirSync(home, { recursive: true });
  task.path = join(cwd, 'hello.txt');
  const window = w.client.catalog.capabilities(MODEL).contextWindow;
  assert.ok(window, `the catalog knows ${MODEL}'s window`);
  const snippet = agentSnippets(w.gateway.url, TOKEN, MODEL, window).find((s) => s.id === 'codex')!;
  writeFileSync(join(home, 'config.toml'), snippet.text);
  // The first turn reports a conversation at 95 % of the window, as a long session's would; Codex,
  // not knowing the model, would assume a larger window of its own and send the next turn whole.
  const scripted = scriptedModel('anthropic', task);
  let first = true;
  w.fakes.anthropic.setDefault((req) => {
    const sc = scripted(req);
    if (!first) return sc;
    first = false;
    return { ...sc, usage: { input: Math.floor(window * 0.95), output: 100 } };
  });
  const from = w.fakes.anthropic.requests.length;
  const r = await run(join(BIN, 'codex'), ['exec', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', `Create the file ${task.path}`], {
    cwd,
    env: agentEnv(cwd, { CODEX_HOME: home, SWITCHBOARD_TOKEN: TOKEN }),
  });
  const sent = w.fakes.anthropic.requests.slice(from).map((q) => JSON.stringify(q.body));
  const said = `exit ${r.code}\n${r.stdout.slice(-1000)}\n${r.stderr.slice(-2000)}\n${sent.length} requests`;
  assert.equal(r.code, 0, said);
  assert.equal(readFileSync(task.path, 'utf8'), task.content, said);
  // Codex's own compaction request (its summarization prompt), sent before the next turn.
  assert.equal(sent.filter((b) => b.includes('CONTEXT CHECKPOINT COMPACTION')).length, 1, said);
});

test("Claude Code set up by the snippet knows a smaller model's window: it compacts the conversation before the model would refuse it", async () => {
  const cwd = join(dir, 'claude-window');
  mkdirSync(cwd, { recursive: true });
  task.path = join(cwd, 'hello.txt');
  const window = w.client.catalog.capabilities(SMALL).contextWindow;
  assert.equal(window, 128_000);
  const env = snippetEnv(agentSnippets(w.gateway.url, TOKEN, SMALL, window).find((s) => s.id === 'claude-code')!.text);
  // Every answer reports a conversation at 95 % of the model's window (half of what Claude Code would assume).
  const scripted = scriptedModel('openai', task);
  w.fakes.openai.setDefault((req) => ({ ...scripted(req), usage: { input: Math.floor(window * 0.95), output: 100 } }));
  const from = w.fakes.openai.requests.length;
  const claude = (args: string[]) =>
    run(join(BIN, 'claude'), ['-p', ...args, '--permission-mode', 'acceptEdits', '--allowedTools', 'Write', '--output-format', 'text'], {
      cwd,
      env: agentEnv(cwd, { ...env, DISABLE_TELEMETRY: '1', DISABLE_AUTOUPDATER: '1' }),
    });
  const r1 = await claude([`Create the file ${task.path}`]);
  // The next prompt of the same conversation: Claude Code checks the window before sending it.
  const r2 = await claude(['--continue', 'Now say done']);
  const sent = w.fakes.openai.requests.slice(from).map((q) => JSON.stringify(q.body));
  const said = `exit ${r1.code}, ${r2.code}\n${r2.stdout.slice(-500)}\n${r2.stderr.slice(-1500)}\n${sent.length} requests`;
  assert.equal(r1.code, 0, said);
  assert.equal(r2.code, 0, said);
  assert.equal(readFileSync(task.path, 'utf8'), task.content, said);
  // Claude Code's compaction request (its summarization prompt), sent before the second prompt (again
  // later, as every answer here reports a full window).
  assert.ok(
    sent.some((b) => b.includes('CRITICAL: Respond with TEXT ONLY')),
    said,
  );
});
