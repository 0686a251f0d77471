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

describe('chat images in messages from the view', () => {
  const png = { name: 'a.png', mediaType: 'image/png', data: 'iVBORw0KGgo=', thumb: '' };
  const send = (images: unknown[]) => ChatToHostSchema.safeParse({ type: 'send', text: 'look', images });

  it('takes PNG, JPEG, GIF and WebP as base64 with a data-URL preview (or none)', () => {
    assert.equal(send([png]).success, true);
    assert.equal(send([{ ...png, mediaType: 'image/webp', thumb: 'data:image/png;base64,iVBORw0KGgo=' }]).success, true);
    assert.equal(ChatToHostSchema.safeParse({ type: 'send', text: 'no images' }).success, true);
  });

  it('refuses other types, broken base64, previews that are not image data URLs, oversized images and more than four', () => {
    assert.equal(send([{ ...png, mediaType: 'image/svg+xml' }]).success, false);
    assert.equal(send([{ ...png, data: 'not base64!' }]).success, false);
    assert.equal(send([{ ...png, thumb: 'https://example.com/x.png' }]).success, false);
    assert.equal(send([{ ...png, thumb: 'data:image/svg+xml;base64,PHN2Zz4=' }]).success, false);
    assert.equal(send([{ ...png, data: 'A'.repeat(Math.ceil((5 * 1024 * 1024) / 3) * 4 + 4) }]).success, false);
    assert.equal(send([png, png, png, png, png]).success, false);
  });
});
