// REAL coding agents end to end: Claude Code (Anthropic Messages door) and Codex CLI (Responses
// door) each create a file through the gateway, answered by scripted upstream models of all three
// protocols (see agentWorld.ts). Both agents run offline; they are devDependencies.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startGateway } from '../../src/gateway/server.ts';
import { agentEnv, FINAL, run, runCodex, scratch, startAgentWorld, TOKEN, type AgentWorld, type FileTask } from './agentWorld.ts';

/** The most tools any of these upstream requests offered, in the protocol's own shape. */
function toolCount(proto: string, requests: { body: unknown }[]): number {
  return Math.max(
    0,
    ...requests.map((r) => {
      const tools = (r.body as { tools?: Record<string, unknown>[] } | null)?.tools ?? [];
      return proto === 'gemini' ? tools.reduce((n, t) => n + ((t.functionDeclarations as unknown[] | undefined)?.length ?? 0), 0) : tools.length;
    }),
  );
}

const BIN = resolve(import.meta.dirname, '../../node_modules/.bin');
const MODELS = { openai: 'openai/gpt-4.1', anthropic: 'anthropic/claude-sonnet-4', gemini: 'google/gemini-2.5-flash' } as const;

describe('real agents through the gateway', () => {
  let w: AgentWorld;
  let dir: string;
  const task: FileTask = { path: '', content: 'Hello from Switchboard\nline two\n' };
  before(async () => {
    dir = scratch('sb-agents-');
    w = await startAgentWorld(task);
  });
  after(async () => {
    await w.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh working directory and file path per run; the scripted models read `task`. */
  function fresh(name: string): string {
    const cwd = join(dir, name);
    mkdirSync(cwd, { recursive: true });
    task.path = join(cwd, 'hello.txt');
    return cwd;
  }

  for (const [proto, model] of Object.entries(MODELS)) {
    test(`Claude Code writes a file with its Write tool, answered by the ${proto} protocol`, async () => {
      const cwd = fresh(`claude-${proto}`);
      const before = w.fakes[proto as keyof typeof MODELS].requests.length;
      const args = [
        '-p',
        `Create the file ${task.path}`,
        '--model',
        model,
        '--permission-mode',
        'acceptEdits',
        '--allowedTools',
        'Write',
        '--output-format',
        'text',
      ];
      const r = await run(join(BIN, 'claude'), args, {
        cwd,
        env: agentEnv(cwd, {
          ANTHROPIC_BASE_URL: w.gateway.url.replace(/\/v1$/, ''),
          ANTHROPIC_AUTH_TOKEN: TOKEN,
          ANTHROPIC_SMALL_FAST_MODEL: model,
          CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
          DISABLE_TELEMETRY: '1',
          DISABLE_AUTOUPDATER: '1',
        }),
      });
      assert.equal(r.code, 0, `claude exited ${r.code}: ${r.stdout}\n${r.stderr}\n${w.logs.slice(-6).join('\n')}`);
      assert.ok(existsSync(task.path), `no file written; claude said: ${r.stdout}`);
      assert.equal(readFileSync(task.path, 'utf8'), task.content);
      assert.match(r.stdout, new RegExp(FINAL.replace(/[.:]/g, '\\$&')));
      // The tool call and the turn with its result both went to this protocol's upstream.
      assert.ok(w.fakes[proto as keyof typeof MODELS].requests.length - before >= 2);
      // With its full tool set (24 tools in the pinned version: Read, Edit, TaskCreate…, not only Write), on every protocol.
      assert.ok(toolCount(proto, w.fakes[proto as keyof typeof MODELS].requests.slice(before)) >= 20);
      // Claude Code on an Anthropic-protocol model takes the same-protocol fast path (its body forwarded as sent).
      if (proto === 'anthropic')
        assert.ok(
          w.logs.some((l) => /POST \/v1\/messages 200 .*\(forwarded as sent\)$/.test(l)),
          w.logs.join('\n'),
        );
    });
  }

  for (const [proto, model] of Object.entries(MODELS)) {
    test(`Codex CLI writes a file with exec_command, answered by the ${proto} protocol`, async () => {
      const cwd = fresh(`codex-${proto}`);
      const home = join(cwd, '.codex');
      mkdirSync(home);
      const before = w.fakes[proto as keyof typeof MODELS].requests.length;
      const provider = `model_providers.sb={name="sb",base_url="${w.gateway.url}",env_key="SB_TOKEN",wire_api="responses"}`;
      const r = await run(
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
        {
          cwd,
          env: agentEnv(cwd, { CODEX_HOME: home, SB_TOKEN: TOKEN }),
        },
      );
      assert.equal(r.code, 0, `codex exited ${r.code}: ${r.stdout}\n${r.stderr.slice(-3000)}\n${w.logs.slice(-6).join('\n')}`);
      assert.ok(existsSync(task.path), `no file written; codex said: ${r.stdout}\n${r.stderr.slice(-2000)}`);
      assert.equal(readFileSync(task.path, 'utf8'), task.content);
      assert.match(r.stdout, new RegExp(FINAL.replace(/[.:]/g, '\\$&')));
      assert.ok(w.fakes[proto as keyof typeof MODELS].requests.length - before >= 2);
      // Codex's full function tool set (12 in the pinned version) reached this protocol too.
      assert.ok(toolCount(proto, w.fakes[proto as keyof typeof MODELS].requests.slice(before)) >= 10);
      // Codex's hosted web_search was left out, and said so.
      assert.ok(w.logs.some((l) => /hosted tool "web_search" .* left out/.test(l)));
    });
  }

  test("Codex CLI takes a Claude model's context overflow (Anthropic's words) as its own context-window error, not a bad request", async () => {
    const cwd = fresh('codex-context');
    const before = w.fakes.anthropic.requests.length;
    w.fakes.anthropic.enqueue({
      status: 400,
      errorType: 'invalid_request_error',
      errorMessage: 'input length and `max_tokens` exceed context limit: 188240 + 21333 > 200000, decrease input length or `max_tokens` and try again',
    });
    const r = await runCodex(w, cwd, MODELS.anthropic, `Create the file ${task.path}`);
    const said = `codex exited ${r.code}: ${r.stdout}\n${r.stderr.slice(-3000)}\n${w.logs.slice(-6).join('\n')}`;
    // Codex's own message for code context_length_exceeded (the one it compacts a long conversation on).
    assert.match(r.stderr, /ran out of room in the model's context window/, said);
    assert.equal(w.fakes.anthropic.requests.length - before, 1, said);
    assert.ok(!existsSync(task.path));
  });

  test("Codex CLI takes a conversation over the gateway's body limit (screenshots add up) as a context-window overflow, the error it compacts on, not a failed request", async () => {
    const cwd = fresh('codex-too-large');
    const logs: string[] = [];
    // The same client behind a gateway whose body limit a long prompt passes (Codex's own request is far smaller).
    const small = await startGateway({ client: w.client, token: TOKEN, maxBodyBytes: 100_000, log: (l) => logs.push(l) });
    try {
      const before = w.fakes.anthropic.requests.length;
      const r = await runCodex(w, cwd, MODELS.anthropic, `Create the file ${task.path}. ${'Some context. '.repeat(8_000)}`, [], small.url);
      const said = `codex exited ${r.code}: ${r.stdout.slice(-500)}\n${r.stderr.slice(-1500)}\n${logs.join('\n')}`;
      assert.ok(
        logs.some((l) => /POST \/v1\/responses 400/.test(l)),
        said,
      );
      assert.match(r.stderr, /ran out of room in the model's context window/, said);
      assert.equal(w.fakes.anthropic.requests.length, before, 'nothing reached the provider');
    } finally {
      await small.close();
    }
  });
});
