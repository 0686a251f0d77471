/**
 * Regenerates test/fixtures/agentTools.json: the real tool schemas Claude Code and Codex CLI send
 * (as the Anthropic upstream receives them: name, description, input_schema verbatim).
 * Run: node_modules/.bin/node test/unit/captureAgentTools.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { agentEnv, run, scratch, startAgentWorld, TOKEN, type FileTask } from './agentWorld.ts';

const BIN = resolve(import.meta.dirname, '../../node_modules/.bin');
const OUT = resolve(import.meta.dirname, '../fixtures/agentTools.json');
const model = 'anthropic/claude-sonnet-4';
const task: FileTask = { path: '', content: 'x\n' };
const w = await startAgentWorld(task);
const dir = scratch('sb-capture-');
type Tool = { name: string; description?: string; input_schema: Record<string, unknown> };
const grab = (from: number): Tool[] => {
  const byName = new Map<string, Tool>();
  for (const r of w.fakes.anthropic.requests.slice(from))
    for (const t of (r.body as { tools?: Tool[] }).tools ?? []) if (t.input_schema) byName.set(t.name, { name: t.name, input_schema: t.input_schema });
  return [...byName.values()];
};
try {
  let cwd = join(dir, 'claude');
  mkdirSync(cwd);
  task.path = join(cwd, 'a.txt');
  let from = w.fakes.anthropic.requests.length;
  const c = await run(
    join(BIN, 'claude'),
    ['-p', `Create the file ${task.path}`, '--model', model, '--permission-mode', 'acceptEdits', '--allowedTools', 'Write', '--output-format', 'text'],
    {
      cwd,
      env: agentEnv(cwd, {
        ANTHROPIC_BASE_URL: w.gateway.url.replace(/\/v1$/, ''),
        ANTHROPIC_AUTH_TOKEN: TOKEN,
        ANTHROPIC_SMALL_FAST_MODEL: model,
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        DISABLE_TELEMETRY: '1',
        DISABLE_AUTOUPDATER: '1',
      }),
    },
  );
  if (c.code !== 0) throw new Error(`claude: ${c.stdout}${c.stderr}`);
  const claude = grab(from);
  cwd = join(dir, 'codex');
  mkdirSync(cwd);
  const home = join(cwd, '.codex');
  mkdirSync(home);
  task.path = join(cwd, 'a.txt');
  from = w.fakes.anthropic.requests.length;
  const provider = `model_providers.sb={name="sb",base_url="${w.gateway.url}",env_key="SB_TOKEN",wire_api="responses"}`;
  const x = await run(
    join(BIN, 'codex'),
    [
      'exec',
      '--skip-git-repo-check',
      '--dangerously-bypass-approvals-and-sandbox',
      '-c',
      'model_provider=sb',
      '-c',
      provider,
      '-m',
      model,
      `Create the file ${task.path}`,
    ],
    { cwd, env: agentEnv(cwd, { CODEX_HOME: home, SB_TOKEN: TOKEN }) },
  );
  if (x.code !== 0) throw new Error(`codex: ${x.stdout}${x.stderr.slice(-2000)}`);
  const codex = grab(from);
  mkdirSync(resolve(OUT, '..'), { recursive: true });
  writeFileSync(OUT, JSON.stringify({ claudeCode: claude, codex }, null, 1) + '\n');
  console.log(`claude ${claude.length} tools, codex ${codex.length} tools → ${OUT}`);
} finally {
  await w.close();
}
