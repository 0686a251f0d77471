// The waiting line the chat and the comparison show while the router sleeps before another try.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeRetry, retryNoticeFrom, RetryNoticeSchema } from '../../src/shared/protocol/retry.ts';

describe('retry notice', () => {
  const part = { type: 'retry', model: 'a/m', delayMs: 7000, reason: 'slow down', kind: 'rate_limit', status: 429, attempt: 2, maxAttempts: 3 } as const;

  it('says why, how long and which attempt, counting down to the next try', () => {
    const n = retryNoticeFrom(part, 1_000_000);
    assert.equal(n.at, 1_007_000);
    assert.equal(describeRetry(n, 1_000_000), 'rate limited — retrying in 7\u00a0s (attempt 2 of 3)');
    assert.equal(describeRetry(n, 1_004_500), 'rate limited — retrying in 3\u00a0s (attempt 2 of 3)');
    assert.equal(describeRetry(n, 1_007_000), 'rate limited — retrying now (attempt 2 of 3)');
  });

  it('names server errors and overload in words, never the raw kind', () => {
    const at = 0;
    const line = (kind: string, status: number | null): string => describeRetry({ ...retryNoticeFrom({ ...part, kind: 'server', status }, at), kind }, at);
    assert.equal(line('server', 500), 'server error (HTTP 500) — retrying in 7\u00a0s (attempt 2 of 3)');
    assert.match(line('overloaded', 529), /^the provider is overloaded — /);
    assert.match(line('network', null), /^connection failed — /);
    for (const k of ['rate_limit', 'server', 'overloaded', 'network', 'timeout']) assert.ok(!line(k, null).includes('_'), k);
  });

  it('the schema accepts what retryNoticeFrom makes and refuses a notice without its attempt', () => {
    const n = retryNoticeFrom(part, 5);
    assert.deepEqual(RetryNoticeSchema.parse(n), n);
    const { attempt: _a, ...missing } = n;
    assert.equal(RetryNoticeSchema.safeParse(missing).success, false);
  });
});
