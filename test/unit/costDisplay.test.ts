// How costs are shown: an estimate with "~", the billed-vs-computed difference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { metricsOf } from '../../src/webview/chat/entry.ts';
import { costDifference, formatCost, formatSpend, INCLUDED_LABEL } from '../../src/shared/format.ts';
import type { ChatEntry } from '../../src/shared/protocol/chat.ts';

const entry = (over: Partial<ChatEntry>): ChatEntry =>
  ({
    id: '1',
    role: 'assistant',
    text: 'x',
    contextLabels: [],
    status: 'cancelled',
    model: 'a/m',
    answeredBy: 'a/m',
    inputTokens: 7,
    outputTokens: 1,
    costUsd: 0.008,
    ttftMs: null,
    tokensPerSecond: null,
    totalMs: null,
    attempts: [],
    error: null,
    canApply: true,
    ...over,
  }) as ChatEntry;

test('a stopped answer’s cost is shown as an estimate; a counted one plainly', () => {
  assert.ok(metricsOf(entry({ costEstimated: true })).includes('~$0.008 (estimate)'));
  assert.ok(metricsOf(entry({})).includes('$0.008'));
  assert.ok(metricsOf(entry({ costUsd: null })).includes('cost unknown'));
});

test('billed versus computed: sign, amount and percentage', () => {
  assert.equal(costDifference(0.0025, 0.002), '-$0.0005 (-20.0%)');
  assert.equal(costDifference(0.002, 0.0025), '+$0.0005 (+25.0%)');
  assert.equal(costDifference(0.01, 0.0100000001), 'same');
});

test('formatSpend and formatCost: a model included in a subscription is never "$0.00" nor "unknown"', () => {
  assert.equal(formatSpend(0, 0, 2), 'included');
  assert.equal(formatSpend(0.5, 0, 2), '$0.50 (+2 included)');
  assert.equal(formatSpend(0.5, 1, 0), '$0.50 (+1 unpriced)');
  assert.equal(formatSpend(0, 0, 0), '$0.00');
  assert.equal(formatCost(null, true), 'included');
  assert.equal(formatCost(null, false), '—');
  assert.equal(INCLUDED_LABEL, 'included in your subscription');
});

test('an answer from a model included in a subscription says so under the answer', () => {
  const parts = metricsOf(entry({ costUsd: null, costIncluded: true, answeredBy: 'vscode/copilot/gpt-4o' }));
  assert.ok(parts.includes('included in your subscription'), parts.join(' · '));
  assert.ok(!parts.includes('cost unknown'));
});
