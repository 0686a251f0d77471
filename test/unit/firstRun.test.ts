// First run in plain Node: the walkthrough's steps tick on success (package.json's completion events
// are the context keys WalkthroughProgress sets, never a command merely run), the local-server check
// behind "Connect a Local Server…", and the harness profiles (npm start keeps VS Code's chat on).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { describe, it } from 'node:test';
import type { AddressInfo } from 'node:net';
import { WALKTHROUGH_CONTEXT, WalkthroughProgress, type WalkthroughStep } from '../../src/host/services/walkthrough.ts';
import { checkServer } from '../../src/host/verify.ts';
import { COMMAND_IDS } from '../../src/host/common/commandIds.ts';
import { DEFAULT_SETTINGS, TEST_ONLY_SETTINGS } from '../../scripts/vscode/harness.mjs';
import { startFakeProvider } from '../fakes/server.ts';

interface Step {
  id: string;
  title: string;
  description: string;
  completionEvents: string[];
}
const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  contributes: {
    walkthroughs: { id: string; steps: Step[] }[];
    commands: { command: string }[];
    configuration: { properties: Record<string, { default?: unknown }> };
  };
};
const steps = manifest.contributes.walkthroughs[0]!.steps;

describe('the "Get started" walkthrough', () => {
  it('ticks each step on a context key set on success, never when a command merely runs', () => {
    const expected: Record<string, WalkthroughStep> = {
      addKey: 'providerReady',
      pickModel: 'modelChosen',
      askSelection: 'selectionAnswered',
      compare: 'compared',
    };
    assert.deepEqual(
      steps.map((s) => s.id),
      Object.keys(expected),
    );
    for (const s of steps) {
      assert.deepEqual(s.completionEvents, [`onContext:${WALKTHROUGH_CONTEXT[expected[s.id]!]}`], s.id);
      assert.ok(!s.completionEvents.some((e) => e.startsWith('onCommand:')), `${s.id} ticks when a command runs`);
    }
  });

  it('leads to a key or a local server in one step, with links only to real commands', () => {
    const add = steps.find((s) => s.id === 'addKey')!;
    assert.match(add.title, /key or a local server/);
    assert.match(add.description, /\(command:switchboard\.setApiKey\)/);
    assert.match(add.description, /\(command:switchboard\.connectLocalServer\)/);
    const contributed = new Set(manifest.contributes.commands.map((c) => c.command));
    assert.ok(contributed.has('switchboard.connectLocalServer'));
    assert.ok((COMMAND_IDS as readonly string[]).includes('switchboard.connectLocalServer'));
    for (const s of steps) for (const [, id] of s.description.matchAll(/\(command:([\w.]+)/g)) assert.ok(contributed.has(id!), `${s.id} links ${id}`);
    assert.equal(manifest.contributes.configuration.properties['switchboard.walkthroughOnFirstRun']?.default, true);
  });

  it('WalkthroughProgress sets each context key once, on the first success, and records every success', async () => {
    const set: [string, boolean][] = [];
    const p = new WalkthroughProgress(async (key, value) => void set.push([key, value]), { warn: () => assert.fail('no warning expected') });
    assert.deepEqual(p.successes(), []);
    p.done('providerReady');
    p.done('providerReady');
    p.done('modelChosen');
    await Promise.resolve();
    assert.deepEqual(set, [
      ['switchboard.walkthrough.providerReady', true],
      ['switchboard.walkthrough.modelChosen', true],
    ]);
    assert.deepEqual(p.successes(), ['providerReady', 'providerReady', 'modelChosen']);
  });

  it('a context key that could not be set is logged and set on the next success', async () => {
    const warnings: string[] = [];
    let fail = true;
    const set: string[] = [];
    const p = new WalkthroughProgress(
      async (key) => {
        if (fail) throw new Error('no workbench');
        set.push(key);
      },
      { warn: (m) => void warnings.push(m) },
    );
    p.done('compared');
    await new Promise((r) => setImmediate(r));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /compared: no workbench/);
    fail = false;
    p.done('compared');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(set, ['switchboard.walkthrough.compared']);
  });
});

describe('checkServer (Connect a Local Server…)', () => {
  it('lists the models of an OpenAI-compatible server without a key, and finds /v1 when the URL leaves it out', async () => {
    const fake = await startFakeProvider('openai');
    try {
      const r = await checkServer(`${fake.baseUrl}/`);
      assert.ok(r.ok, JSON.stringify(r));
      assert.equal(r.baseUrl, fake.baseUrl);
      assert.ok(r.models.includes('gpt-4o-mini'), r.models.join(','));
      const origin = fake.baseUrl.replace(/\/v1$/, '');
      const r2 = await checkServer(origin);
      assert.ok(r2.ok, JSON.stringify(r2));
      assert.equal(r2.baseUrl, fake.baseUrl);
      const list = fake.requests.filter((q) => q.method === 'GET' && q.path === '/v1/models');
      assert.ok(list.length >= 2);
      assert.ok(
        list.every((q) => q.headers.authorization === undefined),
        'no key is sent',
      );
    } finally {
      await fake.close();
    }
  });

  it('says why a server cannot be used: not a URL, not reachable, no models, not JSON', async () => {
    const bad = await checkServer('localhost:8000');
    assert.ok(!bad.ok && /not an http\(s\) URL/.test(bad.message), JSON.stringify(bad));

    const srv = createServer((req, res) => {
      if (req.url === '/empty/v1/models') return res.end(JSON.stringify({ object: 'list', data: [] }));
      if (req.url === '/html/v1/models') return res.end('<html>hello</html>');
      res.statusCode = 404;
      res.end('not found');
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
    try {
      const empty = await checkServer(`${base}/empty/v1`);
      assert.ok(!empty.ok && /lists no models/.test(empty.message), JSON.stringify(empty));
      const html = await checkServer(`${base}/html/v1`);
      assert.ok(!html.ok && /not JSON/.test(html.message), JSON.stringify(html));
      const missing = await checkServer(`${base}/nothing`);
      assert.ok(!missing.ok && /HTTP 404/.test(missing.message), JSON.stringify(missing));
    } finally {
      await new Promise((r) => srv.close(r));
    }
    const closed = await checkServer(base);
    assert.ok(!closed.ok && /could not reach/.test(closed.message), JSON.stringify(closed));
  });
});

describe('harness profiles', () => {
  it("npm start's profile keeps VS Code's chat on; only throwaway test instances turn it (and the first-run walkthrough) off", () => {
    assert.equal((DEFAULT_SETTINGS as Record<string, unknown>)['chat.disableAIFeatures'], undefined);
    assert.equal((TEST_ONLY_SETTINGS as Record<string, unknown>)['chat.disableAIFeatures'], true);
    assert.equal((TEST_ONLY_SETTINGS as Record<string, unknown>)['switchboard.walkthroughOnFirstRun'], false);
  });
});
