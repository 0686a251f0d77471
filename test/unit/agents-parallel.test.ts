// REAL coding agents through the gateway, beyond agents-more.test.ts: parallel tool calls in one
// turn (two calls at once, on each upstream protocol), tool results that are errors or large, an
// upstream stream cut in the middle of an answer, and a Responses-protocol upstream. Scripted
// upstream models (agentWorld.ts); the strict fakes refuse what the real APIs refuse.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { inspectToolRequest } from '../fakes/server.ts';
import type { FakeProtocol } from '../fakes/types.ts';
import {
  inspectResponsesRequest,
  responsesStepModel,
  runClaude,
  runCodex,
  scratch,
  startAgentWorld,
  stepModel,
  type AgentWorld,
  type FileTask,
  type RunResult,
  type StepScript,
} from './agentWorld.ts';

type Proto = 'openai' | 'anthropic' | 'gemini' | 'responses';
const MODELS: Record<Proto, string> = {
  openai: 'openai/gpt-4.1',
  anthropic: 'anthropic/claude-sonnet-4',
  gemini: 'google/gemini-3-pro-preview',
  responses: 'responses/gpt-5-codex',
};

/** A pass-through between an agent and the gateway that records each answer's body as the agent got it. */
interface Tap {
  url: string;
  answers: { path: string; status: number; body: string }[];
  /** The request bodies the agent sent, as sent. */
  requests: { path: string; body: string }[];
  close(): Promise<void>;
}

async function startTap(target: string): Promise<Tap> {
  const answers: Tap['answers'] = [];
  const requests: Tap['requests'] = [];
  const to = new URL(target);
  const server = http.createServer((req, res) => {
    const sent = { path: req.url ?? '', body: '' };
    requests.push(sent);
    req.on('data', (d: Buffer) => (sent.body += d.toString('utf8')));
    const up = http.request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: { ...req.headers, host: to.host } }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      const answer = { path: req.url ?? '', status: ur.statusCode ?? 0, body: '' };
      answers.push(answer);
      ur.on('data', (d: Buffer) => {
        answer.body += d.toString('utf8');
        res.write(d);
      });
      ur.on('end', () => res.end());
      ur.on('error', () => res.destroy());
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    answers,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const sh = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
const said = (r: RunResult, w: AgentWorld): string => `exit ${r.code}\n${r.stdout}\n${r.stderr.slice(-3000)}\n${w.logs.slice(-8).join('\n')}`;

type J = Record<string, unknown>;
const arr = (v: unknown): J[] => (Array.isArray(v) ? (v as J[]) : []);
const text = (v: unknown): string =>
  typeof v === 'string'
    ? v
    : arr(v)
        .map((b) => (typeof b.text === 'string' ? b.text : ''))
        .join('');

/** A tool call of an upstream request and the result the request carries for it. */
interface Pair {
  id: string;
  name: string;
  args: J;
  result: string;
  /** Anthropic: is_error; Gemini: the result came as `response.error`. */
  error?: boolean;
}

/**
 * The tool calls of the LAST assistant turn with calls of an upstream request, each with the result
 * the request carries for it: matched by id (Gemini: by order, as its calls carry no id here).
 */
function lastTurn(proto: Proto, body: J): Pair[] {
  if (proto === 'openai') {
    const msgs = arr(body.messages);
    const i = msgs.findLastIndex((m) => m.role === 'assistant' && Array.isArray(m.tool_calls));
    if (i < 0) return [];
    const results = new Map(msgs.filter((m) => m.role === 'tool').map((m) => [String(m.tool_call_id), text(m.content)]));
    return arr(msgs[i]!.tool_calls).map((tc) => {
      const f = tc.function as J;
      return { id: String(tc.id), name: String(f.name), args: JSON.parse(String(f.arguments)) as J, result: results.get(String(tc.id)) ?? '<none>' };
    });
  }
  if (proto === 'anthropic') {
    const msgs = arr(body.messages);
    const i = msgs.findLastIndex((m) => m.role === 'assistant' && arr(m.content).some((b) => b.type === 'tool_use'));
    if (i < 0) return [];
    const next = arr(msgs[i + 1]?.content).filter((b) => b.type === 'tool_result');
    return arr(msgs[i]!.content)
      .filter((b) => b.type === 'tool_use')
      .map((b) => {
        const r = next.find((x) => x.tool_use_id === b.id);
        return { id: String(b.id), name: String(b.name), args: b.input as J, result: r ? text(r.content) : '<none>', error: r?.is_error === true };
      });
  }
  if (proto === 'gemini') {
    const cs = arr(body.contents);
    const i = cs.findLastIndex((c) => c.role === 'model' && arr(c.parts).some((p) => p.functionCall));
    if (i < 0) return [];
    const responses = arr(cs[i + 1]?.parts)
      .filter((p) => p.functionResponse)
      .map((p) => p.functionResponse as J);
    return arr(cs[i]!.parts)
      .filter((p) => p.functionCall)
      .map((p, k) => {
        const fc = p.functionCall as J;
        const r = responses[k]?.response as J | undefined;
        const result = r === undefined ? '<none>' : typeof r.output === 'string' ? r.output : typeof r.error === 'string' ? r.error : JSON.stringify(r);
        return { id: `#${k}`, name: String(fc.name), args: fc.args as J, result, error: r !== undefined && 'error' in r };
      });
  }
  const input = arr(body.input);
  const outputs = new Map(input.filter((x) => x.type === 'function_call_output').map((x) => [String(x.call_id), text(x.output)]));
  // The last run of consecutive function_call items (one turn's calls).
  let end = input.findLastIndex((x) => x.type === 'function_call');
  if (end < 0) return [];
  let start = end;
  while (start > 0 && input[start - 1]!.type === 'function_call') start--;
  end++;
  return input.slice(start, end).map((x) => ({
    id: String(x.call_id),
    name: String(x.name),
    args: JSON.parse(String(x.arguments)) as J,
    result: outputs.get(String(x.call_id)) ?? '<none>',
  }));
}

describe('real agents, parallel tool calls and awkward tool results through the gateway', () => {
  let w: AgentWorld;
  let dir: string;
  const task: FileTask = { path: '', content: '' };
  before(async () => {
    dir = scratch('sb-agents-par-');
    w = await startAgentWorld(task);
  });
  after(async () => {
    await w.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function fresh(name: string): string {
    const cwd = join(dir, name);
    mkdirSync(cwd, { recursive: true });
    return cwd;
  }

  /** Every fake answers with this script from now on. */
  function script(s: StepScript): void {
    for (const [proto, f] of Object.entries(w.fakes)) f.setDefault(stepModel(proto as FakeProtocol, s));
    w.responses.setDefault(responsesStepModel(s));
  }

  /** The bodies of the requests with tools that `proto`'s upstream got since `from`. */
  function bodies(proto: Proto, from: number): J[] {
    const all = proto === 'responses' ? w.responses.requests.map((r) => r.body) : w.fakes[proto].requests.map((r) => r.body as J);
    return all.slice(from).filter((b) => arr(b.tools).length > 0);
  }
  const count = (proto: Proto): number => (proto === 'responses' ? w.responses.requests.length : w.fakes[proto].requests.length);

  const PROTOS: Proto[] = ['openai', 'anthropic', 'gemini', 'responses'];
  const files = (cwd: string): { path: string; content: string }[] => [
    { path: join(cwd, 'a.txt'), content: 'first file: naïve ✓\n' },
    { path: join(cwd, 'b.txt'), content: 'second file, other text\n' },
  ];

  for (const proto of PROTOS)
    test(`Claude Code: two Write calls in one turn, answered by the ${proto} protocol; both files written, both results matched to their calls`, async () => {
      const cwd = fresh(`claude-par-${proto}`);
      const fs = files(cwd);
      script({
        reasoning: 'Two files at once.',
        steps: [(t) => (t.includes('Write') ? fs.map((f) => ({ name: 'Write', args: { file_path: f.path, content: f.content } })) : null)],
        final: (rs) => `Both done after ${rs.length} tool results.`,
      });
      const from = count(proto);
      const r = await runClaude(w, cwd, MODELS[proto], `Create ${fs[0]!.path} and ${fs[1]!.path}`, 'Write');
      assert.equal(r.code, 0, said(r, w));
      for (const f of fs) assert.equal(readFileSync(f.path, 'utf8'), f.content, said(r, w));
      assert.match(r.stdout, /Both done after 2 tool results\./, said(r, w));
      const last = bodies(proto, from).at(-1)!;
      const pairs = lastTurn(proto, last);
      assert.equal(pairs.length, 2, JSON.stringify(pairs));
      assert.notEqual(pairs[0]!.id, pairs[1]!.id);
      // Each result is the one of its own call: Claude Code's Write result names the file it wrote.
      for (const [k, p] of pairs.entries()) {
        assert.equal(p.args.file_path, fs[k]!.path);
        assert.ok(p.result.includes(fs[k]!.path) && !p.result.includes(fs[1 - k]!.path), JSON.stringify(pairs));
      }
    });

  for (const proto of PROTOS)
    test(`Codex: two exec_command calls in one turn, answered by the ${proto} protocol; both files written, both results matched to their calls`, async () => {
      const cwd = fresh(`codex-par-${proto}`);
      const fs = files(cwd);
      const cmd = (f: { path: string; content: string }): string => `printf '%s' ${sh(f.content)} > ${sh(f.path)} && cat ${sh(f.path)}`;
      script({
        reasoning: 'Two files at once.',
        steps: [(t) => (t.includes('exec_command') ? fs.map((f) => ({ name: 'exec_command', args: { cmd: cmd(f) } })) : null)],
        final: (rs) => `Both done after ${rs.length} tool results.`,
      });
      const from = count(proto);
      const r = await runCodex(w, cwd, MODELS[proto], `Create ${fs[0]!.path} and ${fs[1]!.path}`);
      assert.equal(r.code, 0, said(r, w));
      for (const f of fs) assert.equal(existsSync(f.path) && readFileSync(f.path, 'utf8'), f.content, said(r, w));
      assert.match(r.stdout, /Both done after 2 tool results\./, said(r, w));
      // Codex asked for parallel calls (parallel_tool_calls: true, the default of both OpenAI APIs): not turned off.
      const reqs = bodies(proto, from);
      if (proto === 'responses' || proto === 'openai') assert.notEqual(reqs[0]!.parallel_tool_calls, false);
      const pairs = lastTurn(proto, reqs.at(-1)!);
      assert.equal(pairs.length, 2, JSON.stringify(pairs));
      for (const [k, p] of pairs.entries()) {
        assert.equal(p.args.cmd, cmd(fs[k]!));
        assert.ok(p.result.includes(fs[k]!.content.trim()) && !p.result.includes(fs[1 - k]!.content.trim()), JSON.stringify(pairs));
      }
    });

  /** ~200 KB of numbered lines: a tool result far larger than a chat message. */
  const big = (): string => Array.from({ length: 1500 }, (_, i) => `line ${String(i).padStart(5, '0')} ${'x'.repeat(122)}`).join('\n') + '\n';

  for (const proto of PROTOS)
    test(`Claude Code: a Read of a missing file (is_error) and a Read of a ~200 KB file, answered by the ${proto} protocol`, async () => {
      const cwd = fresh(`claude-err-${proto}`);
      const missing = join(cwd, 'missing.txt');
      const bigPath = join(cwd, 'big.txt');
      const content = big();
      writeFileSync(bigPath, content);
      script({
        reasoning: 'Read them.',
        steps: [() => ({ name: 'Read', args: { file_path: missing } }), () => ({ name: 'Read', args: { file_path: bigPath } })],
        final: (rs) => `Done after ${rs.length} tool results.`,
      });
      const from = count(proto);
      const r = await runClaude(w, cwd, MODELS[proto], `Read ${missing}, then print ${bigPath}`, 'Read', { CLAUDE_CODE_FILE_READ_MAX_OUTPUT_TOKENS: '200000' });
      assert.equal(r.code, 0, said(r, w));
      assert.match(r.stdout, /Done after 2 tool results\./, said(r, w));
      const reqs = bodies(proto, from);
      const first = lastTurn(proto, reqs.at(-2)!);
      const second = lastTurn(proto, reqs.at(-1)!);
      // The error result: flagged where the protocol has a flag (Anthropic is_error, Gemini response.error), said in its text where it has none.
      assert.equal(first.length, 1);
      assert.match(first[0]!.result, /File does not exist/);
      if (proto === 'anthropic' || proto === 'gemini') assert.equal(first[0]!.error, true, JSON.stringify(first));
      else assert.match(first[0]!.result, /^Error: File does not exist/, JSON.stringify(first));
      // The large result (Read numbers the lines): every line of the ~200 KB file, whole.
      assert.equal(second.length, 1);
      assert.ok(second[0]!.result.length > 200_000, String(second[0]!.result.length));
      const lines = second[0]!.result.split('\n').map((l) => l.replace(/^\s*\d+\t/, ''));
      assert.deepEqual(lines.slice(0, 1500), content.split('\n').slice(0, 1500));
    });

  for (const proto of PROTOS)
    test(`Codex: a failing command (exit 3) and a ~200 KB cat, answered by the ${proto} protocol`, async () => {
      const cwd = fresh(`codex-err-${proto}`);
      const bigPath = join(cwd, 'big.txt');
      const content = big();
      writeFileSync(bigPath, content);
      script({
        steps: [
          () => ({ name: 'exec_command', args: { cmd: `echo 'failing on purpose' >&2; exit 3` } }),
          () => ({ name: 'exec_command', args: { cmd: `cat ${sh(bigPath)}` } }),
        ],
        final: (rs) => `Done after ${rs.length} tool results.`,
      });
      const from = count(proto);
      const r = await runCodex(w, cwd, MODELS[proto], `Run a failing command, then print ${bigPath}`, ['tool_output_token_limit=200000']);
      assert.equal(r.code, 0, said(r, w));
      assert.match(r.stdout, /Done after 2 tool results\./, said(r, w));
      const reqs = bodies(proto, from);
      const first = lastTurn(proto, reqs.at(-2)!);
      const second = lastTurn(proto, reqs.at(-1)!);
      // Codex reports the exit code in the output (it has no error flag): carried as it is on every protocol.
      assert.equal(first.length, 1);
      assert.match(first[0]!.result, /Process exited with code 3[\s\S]*failing on purpose/);
      assert.notEqual(first[0]!.error, true);
      // The large output, as Codex cut it (its own limit, raised here): head and tail lines both arrived.
      assert.equal(second.length, 1);
      assert.ok(second[0]!.result.length > 30_000, String(second[0]!.result.length));
      assert.match(second[0]!.result, /line 00000 x{122}\n[\s\S]*line 01499 x{122}/);
    });

  type Fault = 'drop' | 'error';
  /**
   * Every fake answers with `s`, except that `proto`'s upstream cuts its first answer to a request
   * carrying `at` tool results after a few events: the connection reset, or the protocol's
   * mid-stream error event. Returns how many answers were cut.
   */
  function scriptCut(s: StepScript, proto: Proto, at: number, fault: Fault): { cut: () => number } {
    script(s);
    let cut = 0;
    if (proto === 'responses') {
      const model = responsesStepModel(s);
      w.responses.setDefault((body) => {
        const sc = model(body);
        if (cut > 0 || inspectResponsesRequest(body).results.length !== at) return sc;
        cut++;
        // Past the reasoning item, in the middle of the text (event 7 is the first text delta).
        return { ...sc, ...(fault === 'drop' ? { dropAfterEvents: 10 } : { failAfterEvents: 10 }) };
      });
      return { cut: () => cut };
    }
    const model = stepModel(proto, s);
    w.fakes[proto].setDefault((req) => {
      const sc = model(req);
      if (cut > 0 || inspectToolRequest(proto, req.body).results.length !== at) return sc;
      cut++;
      return { ...sc, ...(fault === 'drop' ? { dropAfterChunks: 2 } : { midStreamErrorAfterChunks: 2 }) };
    });
    return { cut: () => cut };
  }

  const FINAL_WORDS = 'The file is written and all is well, said the scripted model at the end.';
  const CUTS: { proto: Proto; fault: Fault }[] = PROTOS.flatMap((proto) => (['drop', 'error'] as const).map((fault) => ({ proto, fault })));
  for (const { proto, fault } of CUTS)
    for (const agent of ['claude', 'codex'] as const)
      test(`${agent === 'claude' ? 'Claude Code' : 'Codex'}: the ${proto} upstream ${fault === 'drop' ? 'drops the connection' : 'sends an error event'} in the middle of the final answer; the agent's retry finishes the task`, async () => {
        const cwd = fresh(`cut-${agent}-${proto}-${fault}`);
        const path = join(cwd, 'cut.txt');
        const content = 'written before the cut\n';
        const step =
          agent === 'claude'
            ? () => ({ name: 'Write', args: { file_path: path, content } })
            : () => ({ name: 'exec_command', args: { cmd: `printf '%s' ${sh(content)} > ${sh(path)}` } });
        const cut = scriptCut({ reasoning: 'Write it.', steps: [step], final: () => FINAL_WORDS }, proto, 1, fault);
        const from = count(proto);
        const tap = await startTap(w.gateway.url);
        const r = await (
          agent === 'claude'
            ? runClaude(w, cwd, MODELS[proto], `Create ${path}`, 'Write', {}, `${tap.url}/v1`)
            : runCodex(w, cwd, MODELS[proto], `Create ${path}`, [], `${tap.url}/v1`)
        ).finally(() => tap.close());
        assert.equal(cut.cut(), 1, 'the upstream never cut an answer: ' + said(r, w));
        assert.equal(r.code, 0, said(r, w));
        assert.equal(readFileSync(path, 'utf8'), content);
        // The whole final answer, once: nothing of the cut attempt glued to it.
        assert.equal(r.stdout.split(FINAL_WORDS).length - 1, 1, said(r, w));
        assert.ok(!r.stdout.replace(FINAL_WORDS, '').includes('The file is'), said(r, w));
        // The cut answer and the retry: the same conversation (one tool result, nothing of the cut answer in it).
        const withResult = bodies(proto, from).filter((b) => lastTurn(proto, b).length > 0);
        assert.ok(withResult.length >= 2, `${withResult.length} requests with the tool result`);
        const turns = withResult.map((b) => JSON.stringify(lastTurn(proto, b)));
        assert.equal(new Set(turns).size, 1, turns.join('\n'));
        assert.ok(!withResult.some((b) => JSON.stringify(b).includes('The file is')), 'the cut text went back upstream');
        // The agent was told in its protocol, after the start of the answer it got: an Anthropic error
        // event / a Responses response.failed, after some of the final text — and nothing after it.
        const chat = tap.answers.filter((a) => /^\/v1\/(messages|responses)/.test(a.path));
        // (Claude Code may retry without streaming: a JSON answer is a whole one.)
        const failed = chat.filter((a) => a.status === 200 && a.body.startsWith('event: ') && !/event: (message_stop|response\.completed)/.test(a.body));
        assert.equal(failed.length, 1, chat.map((a) => `${a.status} ${a.body.slice(-300)}`).join('\n---\n'));
        const body = failed[0]!.body;
        const end = agent === 'claude' ? /event: error\ndata: (\{.*\})\n\n$/.exec(body) : /event: response\.failed\ndata: (\{.*\})\n\n$/.exec(body);
        assert.ok(end, body.slice(-600));
        const ev = JSON.parse(end[1]!) as J;
        if (agent === 'claude') assert.equal(ev.type, 'error');
        else assert.equal((ev.response as J).status, 'failed');
        assert.match(body, agent === 'claude' ? /"text_delta","text":"The/ : /response\.output_text\.delta".*"delta":"The/);
      });

  /**
   * Each tool-call turn's encrypted reasoning went back to the Responses model on the next turns,
   * right before its call (store is false: without it the model would lose its reasoning).
   */
  function assertReasoningCarried(reqs: J[]): void {
    assert.equal(reqs.length, 3, `${reqs.length} requests with tools`);
    const last = arr(reqs[2]!.input);
    const calls = last.flatMap((x, i) => (x.type === 'function_call' ? [i] : []));
    assert.equal(calls.length, 2);
    const encrypted = calls.map((i) => last[i - 1]!);
    for (const e of encrypted) assert.ok(e.type === 'reasoning' && /^enc-\d+$/.test(String(e.encrypted_content)), JSON.stringify(e));
    assert.notEqual(encrypted[0]!.encrypted_content, encrypted[1]!.encrypted_content);
    assert.ok(arr(reqs[1]!.input).some((x) => x.type === 'reasoning' && x.encrypted_content === encrypted[0]!.encrypted_content));
  }

  test('Claude Code on a Responses model (responses/gpt-5-codex): Write, then Read, with encrypted reasoning carried back each turn', async () => {
    const cwd = fresh('claude-resp');
    const path = join(cwd, 'notes.txt');
    const content = 'Hello from a Responses model\nline two: naïve café ✓\n';
    script({
      reasoning: 'Write it, then read it back.',
      steps: [() => ({ name: 'Write', args: { file_path: path, content } }), () => ({ name: 'Read', args: { file_path: path } })],
      final: (rs) => `All done after ${rs.length} tool results.`,
    });
    const from = count('responses');
    const r = await runClaude(w, cwd, MODELS.responses, `Create ${path} and read it back`, 'Write,Read');
    assert.equal(r.code, 0, said(r, w));
    assert.equal(readFileSync(path, 'utf8'), content);
    assert.match(r.stdout, /All done after 2 tool results\./, said(r, w));
    assertReasoningCarried(bodies('responses', from));
  });

  test('Codex on a Responses model (responses/gpt-5-codex): exec_command twice, with encrypted reasoning carried back each turn', async () => {
    const cwd = fresh('codex-resp');
    const path = join(cwd, 'notes.txt');
    const content = 'Hello from a Responses model\n';
    script({
      reasoning: 'Write it, then read it back.',
      steps: [
        () => ({ name: 'exec_command', args: { cmd: `printf '%s' ${sh(content)} > ${sh(path)}` } }),
        () => ({ name: 'exec_command', args: { cmd: `cat ${sh(path)}` } }),
      ],
      final: (rs) => `All done after ${rs.length} tool results.`,
    });
    const from = count('responses');
    const tap = await startTap(w.gateway.url);
    const r = await runCodex(w, cwd, MODELS.responses, `Create ${path} and read it back`, [], `${tap.url}/v1`).finally(() => tap.close());
    assert.equal(r.code, 0, said(r, w));
    assert.equal(readFileSync(path, 'utf8'), content);
    assert.match(r.stdout, /All done after 2 tool results\./, said(r, w));
    const reqs = bodies('responses', from);
    // Codex asks for reasoning summaries and the encrypted reasoning, without an effort (it does not
    // know this model id); the Responses model is asked for both, and for Codex's cache key.
    const sent = tap.requests.filter((q) => q.path.startsWith('/v1/responses')).map((q) => JSON.parse(q.body) as J);
    assert.deepEqual(sent[0]!.reasoning, { summary: 'auto' });
    assert.equal(typeof sent[0]!.prompt_cache_key, 'string');
    for (const b of reqs) {
      assert.deepEqual(b.reasoning, { summary: 'auto' });
      assert.deepEqual(b.include, ['reasoning.encrypted_content']);
      assert.equal(b.prompt_cache_key, sent[0]!.prompt_cache_key);
    }
    assertReasoningCarried(reqs);
  });
});
