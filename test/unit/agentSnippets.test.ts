import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agentSnippets } from '../../src/gateway/agentSnippets.ts';

test('agent snippets: Claude Code gets the root URL (it appends /v1/messages), Codex the /v1 base with wire_api responses, others OPENAI_*', () => {
  const [claude, codex, other] = agentSnippets('http://127.0.0.1:4141/v1', 'tok-123', 'route/smart');
  assert.match(claude!.text, /^export ANTHROPIC_BASE_URL=http:\/\/127\.0\.0\.1:4141$/m);
  assert.match(claude!.text, /^export ANTHROPIC_AUTH_TOKEN=tok-123$/m);
  assert.match(claude!.text, /^export ANTHROPIC_MODEL=route\/smart$/m);
  // Every model family Claude Code picks by itself (subagents, /model) lands on the same model.
  for (const f of ['SMALL_FAST', 'DEFAULT_HAIKU', 'DEFAULT_SONNET', 'DEFAULT_OPUS', 'DEFAULT_FABLE'])
    assert.match(claude!.text, new RegExp(`^export ANTHROPIC_${f}_MODEL=route/smart$`, 'm'));
  assert.match(codex!.text, /^base_url = "http:\/\/127\.0\.0\.1:4141\/v1"$/m);
  assert.match(codex!.text, /^wire_api = "responses"$/m);
  assert.match(codex!.text, /^model = "route\/smart"$/m);
  assert.match(other!.text, /^export OPENAI_BASE_URL=http:\/\/127\.0\.0\.1:4141\/v1$/m);
  // The model's window, when known, so that Codex compacts before the model refuses (it assumes ~250k otherwise).
  assert.doesNotMatch(codex!.text, /model_context_window/);
  assert.doesNotMatch(claude!.text, /AUTO_COMPACT_WINDOW/);
  const [claude128, codex128] = agentSnippets('http://h/v1', 't', 'openai/gpt-4o', 128_000);
  assert.match(codex128!.text, /^model_context_window = 128000$/m);
  assert.match(claude128!.text, /^export CLAUDE_CODE_AUTO_COMPACT_WINDOW=128000$/m);
  // A token with shell metacharacters stays one word.
  assert.match(agentSnippets('http://h/v1', "a'b c", 'm/x')[0]!.text, /ANTHROPIC_AUTH_TOKEN='a'\\''b c'/);
});
