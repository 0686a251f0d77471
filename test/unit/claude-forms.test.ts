// What Claude models take differently by id, for a Messages body forwarded as the caller wrote it
// (claudeForms.ts): the thinking form (budget before 4.6, adaptive only from Opus 4.7), the effort
// level, mid-conversation system messages (Opus 4.8 on). Claude Code sends the newest forms for a
// model name it does not recognise — an alias or a route of the gateway — so the body is brought
// to what the model behind takes, against the strict fake (which refuses what the real API refuses).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { claudeThinkingForm, fitClaudeBody, takesSystemMessages } from '../../src/core/providers/anthropic/claudeForms.ts';
import { startFakeProvider } from '../fakes/server.ts';
import type { FakeServer } from '../fakes/types.ts';
import { createClient, type SwitchboardClient } from '../../src/core/client.ts';
import { startGateway, type Gateway } from '../../src/gateway/server.ts';

const KEY = 'sk-forms-abcdef1234567890';
const TOKEN = 'gw-forms-token-0123456789abcdef';

describe('Claude model forms by id', () => {
  test('thinking forms and system messages, from the model id', () => {
    assert.equal(claudeThinkingForm('claude-sonnet-4-20250514'), 'budget');
    assert.equal(claudeThinkingForm('claude-sonnet-4'), 'budget');
    assert.equal(claudeThinkingForm('claude-3-7-sonnet-20250219'), 'budget');
    assert.equal(claudeThinkingForm('claude-opus-4-5'), 'budget');
    assert.equal(claudeThinkingForm('claude-haiku-4-5-20251001'), 'budget');
    assert.equal(claudeThinkingForm('claude-sonnet-4-6'), 'both');
    assert.equal(claudeThinkingForm('claude-opus-4-6'), 'both');
    assert.equal(claudeThinkingForm('claude-opus-4-7'), 'adaptive');
    assert.equal(claudeThinkingForm('claude-sonnet-5'), 'adaptive');
    assert.equal(claudeThinkingForm('my-finetune'), null);
    assert.equal(takesSystemMessages('claude-opus-4-8'), true);
    assert.equal(takesSystemMessages('claude-sonnet-4-20250514'), false);
    assert.equal(takesSystemMessages('llama-3'), null);
  });

  test('a body that fits the model is the same object', () => {
    const body = { model: 'claude-sonnet-4', max_tokens: 100, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [] };
    assert.equal(fitClaudeBody(body, 'claude-sonnet-4').body, body);
    const unknown = { model: 'x', thinking: { type: 'adaptive' }, messages: [{ role: 'system', content: 'hi' }] };
    assert.equal(fitClaudeBody(unknown, 'x').body, unknown);
  });

  test('a budget for an adaptive-only model becomes adaptive with an effort', () => {
    const { body, warnings } = fitClaudeBody({ max_tokens: 32000, thinking: { type: 'enabled', budget_tokens: 31999 }, messages: [] }, 'claude-opus-4-7');
    assert.deepEqual(body.thinking, { type: 'adaptive' });
    assert.deepEqual(body.output_config, { effort: 'high' });
    assert.equal(warnings.length, 1);
  });

  test('adaptive thinking with too little room for a budget: no thinking, said so', () => {
    const { body, warnings } = fitClaudeBody({ max_tokens: 500, thinking: { type: 'adaptive' }, messages: [] }, 'claude-sonnet-4');
    assert.equal(body.thinking, undefined);
    assert.match(warnings.join(), /no room for a thinking budget/);
  });
});

describe('door /v1/messages forwarded to an older Claude under an alias (what Claude Code sends then)', () => {
  let anthropic: FakeServer;
  let client: SwitchboardClient;
  let gateway: Gateway;
  before(async () => {
    anthropic = await startFakeProvider('anthropic', { apiKey: KEY, models: [{ id: 'claude-sonnet-4-20250514' }, { id: 'claude-opus-4-7' }] });
    anthropic.setDefault({ text: 'fine' });
    client = createClient(
      {
        retries: { maxRetries: 0 },
        providers: [{ id: 'anthropic', baseUrl: anthropic.baseUrl }],
        aliases: { 'sb-claude': 'anthropic/claude-sonnet-4-20250514' },
        // Newer than the catalog's snapshot: it thinks.
        capabilities: { 'anthropic/claude-opus-4-7': { reasoning: true } },
      },
      { env: { ANTHROPIC_API_KEY: KEY }, catalogCacheFile: null },
    );
    gateway = await startGateway({ client, token: TOKEN, secrets: [KEY], log: () => undefined });
  });
  after(async () => {
    await gateway.close();
    await client.close();
    await anthropic.close();
  });

  test('adaptive thinking, an effort and a system message: sent as the model takes them, with warnings', async () => {
    const res = await fetch(`${gateway.url}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({
        model: 'sb-claude',
        max_tokens: 32000,
        stream: true,
        thinking: { type: 'adaptive' },
        output_config: { effort: 'medium' },
        system: [{ type: 'text', text: 'You are a coding agent.' }],
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'system', content: 'Available agent types: claude, Explore.' },
        ],
      }),
    });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    assert.match(text, /fine/);
    const sent = anthropic.requests.at(-1)!.body as Record<string, unknown>;
    assert.deepEqual(sent.thinking, { type: 'enabled', budget_tokens: 10_000 });
    assert.equal(sent.output_config, undefined);
    assert.deepEqual(sent.messages, [{ role: 'user', content: 'hi' }]);
    assert.deepEqual(sent.system, [
      { type: 'text', text: 'You are a coding agent.' },
      { type: 'text', text: 'Available agent types: claude, Explore.' },
    ]);
    const warnings = JSON.parse(res.headers.get('x-switchboard-warnings') ?? '[]') as string[];
    assert.equal(warnings.length, 3, warnings.join('\n'));
    assert.match(warnings.join('\n'), /does not take adaptive thinking; sent a thinking budget of 10000 tokens \(effort medium\)/);
  });

  test('the translating path gives Opus 4.7 adaptive thinking with an effort, not a budget it refuses', async () => {
    const res = await fetch(`${gateway.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'anthropic/claude-opus-4-7', reasoning_effort: 'medium', messages: [{ role: 'user', content: 'hi' }] }),
    });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    const sent = anthropic.requests.at(-1)!.body as Record<string, unknown>;
    assert.deepEqual(sent.thinking, { type: 'adaptive' }, `${res.headers.get('x-switchboard-warnings')} ${JSON.stringify(sent)}`);
    assert.deepEqual(sent.output_config, { effort: 'medium' });
  });
});
