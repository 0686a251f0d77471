// The extension's pure modules (no 'vscode'), in plain Node: they need no extension host.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createServer } from 'node:net';
import { resolveProvider } from '../../src/core/config.ts';
import { formatContext, formatPerMillion, formatPrice } from '../../src/shared/format.ts';
import { buildModelItems, pushRecent } from '../../src/host/common/modelItems.ts';
import { describeResult } from '../../src/host/common/requestLog.ts';
import type { ChatResult } from '../../src/core/types.ts';
import { extractCode, selectionLabel, selectionMessage } from '../../src/host/common/prompts.ts';
import { effectiveConfig, validateSettings } from '../../src/host/common/settingsModel.ts';
import { detectLocalServers, verifyKey } from '../../src/host/verify.ts';
import { ChatToHostSchema, HostToChatSchema } from '../../src/shared/protocol/chat.ts';
import { CompareToHostSchema } from '../../src/shared/protocol/compare.ts';
import { startFakeProvider } from '../fakes/server.ts';
import { catalogModel } from './helpers.ts';

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

const model = catalogModel;

describe('Host modules', () => {
  describe('settings validation', () => {
    it('accepts the config-file schema, including custom OpenAI-compatible endpoints', () => {
      const r = validateSettings({
        providers: [{ id: 'openai' }, { id: 'work', kind: 'openai', baseUrl: 'https://llm.example.com/v1' }],
        defaultModel: ' work/llama ',
        budget: { daily: 2 },
      });
      assert.deepEqual(r.problems, []);
      assert.equal(r.config.providers.length, 2);
      assert.equal(r.config.defaultModel, 'work/llama');
      assert.equal(r.config.budget?.onExceed, 'warn');
    });

    it('drops only the bad entries and keys, naming each problem by its setting path', () => {
      const r = validateSettings({
        providers: [{ id: 'openai' }, { id: 'x', kind: 'nope' }, { id: 'openai' }],
        timeouts: { idleMs: -5 },
        routes: [{ id: 'r', models: ['openai/gpt-4o'] }],
      });
      assert.ok(
        r.problems.some((p) => p.startsWith('switchboard.providers[2].id: duplicate provider id')),
        r.problems.join('\n'),
      );
      assert.ok(
        r.problems.some((p) => p.startsWith('switchboard.providers[1].kind')),
        r.problems.join('\n'),
      );
      assert.ok(
        r.problems.some((p) => p.startsWith('switchboard.timeouts.idleMs')),
        r.problems.join('\n'),
      );
      assert.deepEqual(
        r.config.providers.map((p) => p.id),
        ['openai'],
      );
      assert.deepEqual(r.config.timeouts, {});
      assert.equal(r.config.routes.length, 1);
    });

    it('drops only the bad field of an object setting: a mistyped budget field leaves the other caps in force', () => {
      const typo = validateSettings({ budget: { daily: 5, onExceed: 'block', perSesion: 1 } });
      assert.deepEqual(typo.config.budget, { daily: 5, onExceed: 'block' });
      assert.deepEqual(typo.problems, ['switchboard.budget: Unrecognized key: "perSesion"']);
      const wrongType = validateSettings({ budget: { daily: 5, monthly: '50', onExceed: 'block' } });
      assert.deepEqual(wrongType.config.budget, { daily: 5, onExceed: 'block' });
      assert.ok(wrongType.problems[0]?.startsWith('switchboard.budget.monthly:'), wrongType.problems.join('\n'));
      // An onExceed that cannot be read blocks (a mistyped "Block" must not turn the caps into warnings).
      const mode = validateSettings({ budget: { daily: 5, onExceed: 'Block' } });
      assert.deepEqual(mode.config.budget, { daily: 5, onExceed: 'block' });
      assert.match(mode.problems[0] ?? '', /^switchboard\.budget\.onExceed: .*requests over a cap are refused until it is fixed/);
      // One bad price leaves the others.
      const prices = validateSettings({ pricing: { 'a/b': { input: 1, output: 2 }, 'a/c': { input: 'free', output: 0 } } });
      assert.deepEqual(Object.keys(prices.config.pricing), ['a/b']);
      assert.ok(prices.problems[0]?.startsWith('switchboard.pricing.a/c.input'), prices.problems.join('\n'));
      // A value of the wrong shape altogether is still dropped whole.
      assert.equal(validateSettings({ budget: 5 }).config.budget, undefined);
      // A problem of a value from the workspace's settings says where it is.
      assert.deepEqual(validateSettings({ budget: { daily: -1 }, timeouts: { idleMs: -1 } }, ([key]) => key === 'budget').problems, [
        "switchboard.budget.daily: Too small: expected number to be >=0 — in the workspace's settings (.vscode/settings.json)",
        'switchboard.timeouts.idleMs: Too small: expected number to be >0',
      ]);
    });

    it("drops a provider entry that takes the id of VS Code's own models, naming it, and keeps the others with their indexes", () => {
      const r = validateSettings({
        providers: [{ id: 'vscode', kind: 'openai', baseUrl: 'http://127.0.0.1:9/v1' }, { id: 'groq' }, { id: 'x', kind: 'nope' }],
      });
      assert.deepEqual(
        r.config.providers.map((p) => p.id),
        ['groq'],
      );
      assert.ok(r.problems[0]?.startsWith('switchboard.providers[0].id: "vscode" is the provider of VS Code\'s own models'), r.problems.join('\n'));
      assert.ok(
        r.problems.some((p) => p.startsWith('switchboard.providers[2].kind')),
        r.problems.join('\n'),
      );
    });

    it('takes capability overrides by model id and drops a bad one, naming it', () => {
      const ok = validateSettings({ capabilities: { 'ollama/llava': { imageInput: true, contextWindow: 32768 } } });
      assert.deepEqual(ok.problems, []);
      assert.deepEqual(ok.config.capabilities, { 'ollama/llava': { imageInput: true, contextWindow: 32768 } });
      const bad = validateSettings({ capabilities: { 'ollama/llava': { vision: true } } });
      assert.ok(
        bad.problems.some((p) => p.startsWith('switchboard.capabilities')),
        bad.problems.join('\n'),
      );
      assert.deepEqual(bad.config.capabilities, {});
    });

    it('treats empty values as unset', () => {
      assert.deepEqual(validateSettings({ providers: [], defaultModel: '', budget: {}, pricing: {} }).problems, []);
    });

    it('adds presets that have a stored key, once, whatever alias the settings use', () => {
      const base = validateSettings({ providers: [{ id: 'gemini' }] }).config;
      const cfg = effectiveConfig(base, ['google', 'anthropic', 'not-a-preset']);
      assert.deepEqual(
        cfg.providers.map((p) => p.id),
        ['gemini', 'anthropic'],
      );
      assert.equal(effectiveConfig(base, []), base);
    });
  });

  describe('prompts', () => {
    const sel = { fileName: 'src/a.ts', languageId: 'typescript', text: 'const a = 1;', startLine: 3, endLine: 3 };
    it('sends the question, the file, its language and the code', () => {
      assert.equal(selectionMessage('Why?', sel), 'Why?\n\nFile: src/a.ts (lines 3-3)\nLanguage: typescript\n\n```typescript\nconst a = 1;\n```');
      assert.equal(selectionLabel(sel), 'src/a.ts:3 (typescript)');
    });
    it('fences code that itself contains fences with a longer fence', () => {
      const msg = selectionMessage('Q', { ...sel, text: 'x = """\n```\n"""' });
      assert.ok(msg.includes('````typescript\nx = """\n```\n"""\n````'), msg);
    });
    it('extracts the first fenced block, else the whole answer', () => {
      assert.equal(extractCode('Here:\n```ts\nconst a = 2;\n```\nand\n```\nother\n```'), 'const a = 2;');
      assert.equal(extractCode('  just text  '), 'just text');
      assert.equal(extractCode('cut off:\n```py\nprint(1)\n'), 'print(1)');
      assert.equal(extractCode('~~~\na\n~~~'), 'a');
      assert.equal(extractCode('````md\n```\ninner\n```\n````'), '```\ninner\n```');
    });
  });

  describe('formatting', () => {
    it('formats context windows and prices per 1M tokens', () => {
      assert.equal(formatContext(128_000), '128K');
      assert.equal(formatContext(1_048_576), '1M');
      assert.equal(formatContext(2_000_000), '2M');
      assert.equal(formatContext(null), 'unknown');
      assert.equal(formatPerMillion(0.6), '$0.60');
      assert.equal(formatPerMillion(0.0375), '$0.0375');
      assert.equal(formatPerMillion(15), '$15');
      assert.equal(formatPrice({ input: 0.15, output: 0.6 }), '$0.15 in / $0.60 out per 1M');
      assert.equal(formatPrice({ input: 0, output: 0 }), 'free');
      assert.equal(formatPrice(null), 'price unknown');
    });
  });

  describe('switcher items', () => {
    it('groups by provider name, recent first without repeats, routes after recent, unavailable left out', () => {
      const items = buildModelItems({
        models: [model('openai/gpt-4o'), model('anthropic/claude-x'), model('openai/gpt-4o-mini'), model('groq/llama', { available: false })],
        routes: [{ id: 'fast', models: ['openai/gpt-4o-mini', 'anthropic/claude-x'], strategy: 'ordered' }],
        recent: ['openai/gpt-4o', 'gone/model', 'openai/gpt-4o'],
        current: 'openai/gpt-4o',
        providerNames: new Map([
          ['openai', 'OpenAI'],
          ['anthropic', 'Anthropic'],
        ]),
      });
      const shape = items.map((i) => (i.kind === 'separator' ? `# ${i.label}` : `${i.id}${i.current ? ' *' : ''}`));
      assert.deepEqual(shape, [
        '# Recently used',
        'openai/gpt-4o *',
        '# Routes',
        'route/fast',
        '# Anthropic',
        'anthropic/claude-x',
        '# OpenAI',
        'openai/gpt-4o-mini',
      ]);
      assert.deepEqual(pushRecent(['a', 'b', 'c'], 'b'), ['b', 'a', 'c']);
    });
  });

  describe('key verification', () => {
    it('uses the provider auth style (Anthropic: x-api-key + anthropic-version; Gemini: x-goog-api-key)', async () => {
      const anthropic = await startFakeProvider('anthropic', { apiKey: 'ak' });
      const gemini = await startFakeProvider('gemini', { apiKey: 'gk' });
      try {
        const a = await verifyKey(resolveProvider({ id: 'anthropic', baseUrl: anthropic.baseUrl }), 'ak');
        assert.equal(a.ok, true, JSON.stringify(a));
        assert.equal(anthropic.requests.at(-1)?.headers['x-api-key'], 'ak');
        assert.ok(anthropic.requests.at(-1)?.headers['anthropic-version']);
        const g = await verifyKey(resolveProvider({ id: 'google', baseUrl: gemini.baseUrl }), 'gk');
        assert.equal(g.ok, true, JSON.stringify(g));
        assert.equal(gemini.requests.at(-1)?.headers['x-goog-api-key'], 'gk');
        const bad = await verifyKey(resolveProvider({ id: 'google', baseUrl: gemini.baseUrl }), 'wrong-key-123');
        assert.equal(bad.ok, false);
        assert.ok(!bad.ok && !bad.message.includes('wrong-key-123'), JSON.stringify(bad));
      } finally {
        await anthropic.close();
        await gemini.close();
      }
    });

    it('says when the provider cannot be reached', async () => {
      const port = await closedPort();
      const r = await verifyKey(resolveProvider({ id: 'openai', baseUrl: `http://127.0.0.1:${port}/v1` }), 'k-123456');
      assert.equal(r.ok, false);
      assert.ok(!r.ok && r.status === null && r.message.startsWith(`could not reach http://127.0.0.1:${port}/v1/models`), JSON.stringify(r));
    });
  });

  describe('local servers', () => {
    it('finds a local OpenAI-compatible server and its models; silent about the others', async () => {
      const ollama = await startFakeProvider('openai', { models: [{ id: 'llama3.2' }, { id: 'qwen2.5-coder' }] });
      const port = await closedPort();
      try {
        const found = await detectLocalServers({ baseUrls: { ollama: ollama.baseUrl, lmstudio: `http://127.0.0.1:${port}/v1` } });
        assert.deepEqual(
          found.map((s) => [s.providerId, s.models]),
          [['ollama', ['llama3.2', 'qwen2.5-coder']]],
        );
      } finally {
        await ollama.close();
      }
    });
  });

  describe('request log', () => {
    it('names the model, the attempts, the timings, the tokens and the cost, and not the prompt or the answer', () => {
      const r: ChatResult = {
        model: 'route/fast',
        answeredBy: 'openai/gpt-4o-mini',
        providerModel: null,
        responseId: null,
        text: 'SECRET ANSWER',
        reasoning: '',
        toolCalls: [],
        content: [{ type: 'text', text: 'SECRET ANSWER' }],
        warnings: [],
        finishReason: 'stop',
        rawFinishReason: 'stop',
        usage: { inputTokens: 100, outputTokens: 20, cachedInputTokens: null, reasoningTokens: null },
        costUsd: 0.000027,
        timing: { ttftMs: 120, totalMs: 1500 },
        attempts: [
          { model: 'groq/llama', outcome: 'error', errorKind: 'rate_limit', status: 429, durationMs: 80 },
          { model: 'openai/gpt-4o-mini', outcome: 'ok', durationMs: 1400 },
        ],
        error: null,
      };
      const line = describeResult('chat', r);
      assert.equal(
        line,
        '[chat] route/fast → openai/gpt-4o-mini: finish stop; first token 120 ms, total 1.5 s; 100 in / 20 out tokens; cost $0.000027; attempts: groq/llama error (rate_limit 429) 80 ms, openai/gpt-4o-mini ok 1.4 s',
      );
      assert.ok(!line.includes('SECRET'));
    });
  });

  describe('webview protocol', () => {
    it('rejects malformed messages in both directions', () => {
      assert.equal(ChatToHostSchema.safeParse({ type: 'send', text: '' }).success, false);
      assert.equal(ChatToHostSchema.safeParse({ type: 'apply', id: 'm1', mode: 'rm -rf' }).success, false);
      assert.equal(ChatToHostSchema.safeParse({ type: 'eval', code: 'x' }).success, false);
      assert.equal(ChatToHostSchema.safeParse({ type: 'apply', id: 'm1', block: 1, mode: 'diff' }).success, true);
      assert.equal(ChatToHostSchema.safeParse({ type: 'apply', id: 'm1', mode: 'diff' }).success, false, 'apply names the code block');
      assert.equal(ChatToHostSchema.safeParse({ type: 'apply', id: 'm1', block: -1, mode: 'diff' }).success, false);
      assert.equal(ChatToHostSchema.safeParse({ type: 'cancel' }).success, false, 'cancel names the entry');
      assert.equal(HostToChatSchema.safeParse({ type: 'delta', id: 'm1' }).success, false);
      assert.equal(CompareToHostSchema.safeParse({ type: 'cancel', run: 'r1', index: -1 }).success, false);
      assert.equal(CompareToHostSchema.safeParse({ type: 'cancel', run: 'r1', index: null }).success, true);
      assert.equal(CompareToHostSchema.safeParse({ type: 'cancel', index: null }).success, false, 'a cancel without its run id');
    });
  });
});
