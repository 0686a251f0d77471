// What the hosts log when a webview sends a message they drop: the field and the problem, never the value.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChatToHostSchema } from '../../src/shared/protocol/chat.ts';
import { describeIssues, parseOrDrop } from '../../src/shared/protocol/issues.ts';

describe('describeIssues', () => {
  it('names the bad field of a dropped message and leaves its value out', () => {
    const secretish = 'sk-should-not-appear-0123456789';
    const r = ChatToHostSchema.safeParse({ type: 'openLink', url: `javascript:alert('${secretish}')` });
    assert.equal(r.success, false);
    const line = describeIssues(r.error!.issues);
    assert.match(line, /^url: /);
    assert.ok(!line.includes(secretish), line);
  });

  it('says "(message)" for a problem with the message itself and caps long lists', () => {
    const r = ChatToHostSchema.safeParse(42);
    assert.equal(r.success, false);
    assert.match(describeIssues(r.error!.issues), /^\(message\): /);
    const many = Array.from({ length: 8 }, (_, i) => ({ path: ['f', i], message: 'bad' }));
    assert.equal(describeIssues(many, 2), 'f.0: bad; f.1: bad; and 6 more');
  });

  it('parseOrDrop hands back a valid message and drops a bad one with one warning naming the view and field', () => {
    const warnings: string[] = [];
    const warn = (line: string): void => void warnings.push(line);
    assert.deepEqual(parseOrDrop(ChatToHostSchema, { type: 'ready' }, warn, 'Chat view'), { type: 'ready' });
    assert.deepEqual(warnings, []);
    assert.equal(parseOrDrop(ChatToHostSchema, { type: 'openLink', url: 'file:///etc/passwd' }, warn, 'Chat view'), undefined);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /^Chat view sent a malformed message \(dropped\): url: /);
  });
});
