// The model pickers' rows and the rule for a typed id (the switcher, "Retry with…", Compare): rows labelled
// with their ids (VS Code's filter then ranks an exactly typed id first, in the window, as it is typed); an
// unknown id offered as is where the picker allows it, after the listed rows, which keep their places.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { catalogModel } from './helpers.ts';
import { buildModelItems, pickRowText, type PickEntry } from '../../src/host/common/modelItems.ts';
import { acceptedRows, looksLikeModelId, rankTyped, type RankableItem } from '../../src/host/common/exactId.ts';

function entries(): PickEntry[] {
  return buildModelItems({
    models: [
      catalogModel('openai/gpt-4o-mini'),
      catalogModel('openai/gpt-4o', { name: 'GPT-4o' }),
      catalogModel('local/gpt-4o'),
      catalogModel('openrouter/meta-llama/llama-3.1-8b', { name: 'Llama 3.1 8B' }),
    ],
    routes: [{ id: 'fast', strategy: 'ordered', models: ['openai/gpt-4o', 'openai/gpt-4o-mini'] }],
    recent: ['openai/gpt-4o-mini'],
    current: 'openai/gpt-4o-mini',
  });
}

/** The rows as the pickers show them (switcher.ts modelQuickPickItems: separators carry no id). */
function rows(): RankableItem[] {
  return entries().map((e) => (e.kind === 'separator' ? { label: e.label } : { id: e.id, ...pickRowText(e, true) }));
}

const custom = (id: string): RankableItem => ({ id, label: `Use "${id}"`, alwaysShow: true });

describe('model pick rows', () => {
  test('each row is labelled with its id; the name beside it only when it says more than the id', () => {
    const byId = new Map(rows().map((r) => [r.id, r]));
    assert.deepEqual(byId.get('openai/gpt-4o-mini'), { id: 'openai/gpt-4o-mini', label: '$(check) openai/gpt-4o-mini' });
    assert.deepEqual(byId.get('openai/gpt-4o'), { id: 'openai/gpt-4o', label: 'openai/gpt-4o', description: 'GPT-4o' });
    assert.deepEqual(byId.get('local/gpt-4o'), { id: 'local/gpt-4o', label: 'local/gpt-4o' });
    assert.deepEqual(byId.get('openrouter/meta-llama/llama-3.1-8b'), {
      id: 'openrouter/meta-llama/llama-3.1-8b',
      label: 'openrouter/meta-llama/llama-3.1-8b',
      description: 'Llama 3.1 8B',
    });
    assert.deepEqual(byId.get('route/fast'), { id: 'route/fast', label: '$(git-merge) route/fast', description: 'route (ordered)' });
  });

  test('the check marks the current model only where the picker asks for it', () => {
    const mini = entries().find((e) => e.kind === 'model' && e.id === 'openai/gpt-4o-mini');
    assert.ok(mini?.kind === 'model');
    assert.equal(pickRowText(mini, false).label, 'openai/gpt-4o-mini');
    assert.equal(pickRowText(mini, true).label, '$(check) openai/gpt-4o-mini');
  });
});

describe('a typed model id', () => {
  test('an id not in the catalog is offered after the listed rows, which keep their places', () => {
    const base = rows();
    const offered = rankTyped(base, ' openai/gpt-5-preview ', custom);
    assert.equal(offered.plain, false);
    assert.deepEqual(offered.items.slice(0, base.length), base, 'every listed row at the place it had');
    assert.deepEqual(offered.items.slice(base.length), [custom('openai/gpt-5-preview')]);
    assert.deepEqual(rankTyped(base, 'openai/gpt-5-preview'), { items: base, plain: true }, 'not offered where the picker does not offer ids');
  });

  test('a listed id, or text that is not an id, leaves the list as it is', () => {
    const base = rows();
    for (const typed of ['', '   ', 'openai/gpt-4o', ' local/gpt-4o ', 'route/fast', 'gpt-4o', 'GPT-4o', 'OpenAI', 'openai/', 'openai/gpt-4o mini']) {
      const r = rankTyped(base, typed, custom);
      assert.deepEqual(r, { items: base, plain: true }, JSON.stringify(typed));
      assert.notEqual(r.items, base, 'a copy: the caller may not change the base list');
    }
  });

  test('Enter: the row VS Code reported; with no model row, the typed id where the picker offers ids', () => {
    const gpt4o = rows().find((r) => r.id === 'openai/gpt-4o')!;
    assert.deepEqual(acceptedRows([gpt4o], 'openai/gpt-5-preview', custom), [gpt4o], 'a row Enter took stands');
    assert.deepEqual(acceptedRows([], ' openai/gpt-5-preview ', custom), [custom('openai/gpt-5-preview')]);
    const setKey: RankableItem = { label: '$(key) Set API Key…', alwaysShow: true };
    assert.deepEqual(acceptedRows([setKey], 'openai/gpt-5-preview', custom), [custom('openai/gpt-5-preview')], 'an action row shown whatever is typed');
    assert.deepEqual(acceptedRows([setKey], 'key', custom), [setKey], 'the action, when no id is typed');
    assert.deepEqual(acceptedRows([], 'gpt five', custom), [], 'text that is not an id takes nothing');
    assert.deepEqual(acceptedRows([], 'openai/gpt-5-preview'), [], 'no offer where the picker does not offer ids');
  });

  test('looksLikeModelId: provider/model and route/name, nothing else', () => {
    for (const yes of ['openai/gpt-4o', 'route/fast', 'openrouter/meta-llama/llama-3.1-8b', 'local/qwen2.5:7b']) assert.equal(looksLikeModelId(yes), true, yes);
    for (const no of ['gpt-4o', 'openai/', '/gpt-4o', 'open ai/gpt', 'openai/gpt 4o', '']) assert.equal(looksLikeModelId(no), false, no);
  });
});
