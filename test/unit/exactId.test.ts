// The model pickers' rule for a typed id (the switcher, "Retry with…"): an exact id
// first, labelled with the id, above routes and longer ids that mention it; an unknown id offered as is
// where the picker allows it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { catalogModel } from './helpers.ts';
import { buildModelItems } from '../../src/host/common/modelItems.ts';
import { exactFirst, looksLikeModelId, rankTyped, type RankableItem } from '../../src/host/common/exactId.ts';

/** The rows as the pickers show them (switcher.ts modelQuickPickItems: separators carry no id). */
function rows(): RankableItem[] {
  const entries = buildModelItems({
    models: [catalogModel('openai/gpt-4o-mini'), catalogModel('openai/gpt-4o', { name: 'GPT-4o' }), catalogModel('local/gpt-4o')],
    routes: [{ id: 'fast', strategy: 'ordered', models: ['openai/gpt-4o', 'openai/gpt-4o-mini'] }],
    recent: ['openai/gpt-4o-mini'],
    current: 'openai/gpt-4o-mini',
  });
  return entries.map((e) =>
    e.kind === 'separator'
      ? { label: e.label }
      : { id: e.id, label: `${e.current ? '$(check) ' : ''}${e.route ? '$(git-merge) ' : ''}${e.label}`, description: e.description },
  );
}

const custom = (id: string): RankableItem => ({ id, label: `Use "${id}"`, alwaysShow: true });
const ids = (items: readonly RankableItem[]): (string | undefined)[] => items.map((i) => i.id);

describe('exact model id first', () => {
  test('exactFirst puts the row on top labelled with its id, keeps its icons, and moves its name to the description', () => {
    const base = rows();
    const mini = base.find((i) => i.id === 'openai/gpt-4o-mini')!;
    assert.equal(mini.label, '$(check) gpt-4o-mini');
    const out = exactFirst(base, mini);
    assert.deepEqual(out[0], { id: 'openai/gpt-4o-mini', label: '$(check) openai/gpt-4o-mini', description: 'gpt-4o-mini', alwaysShow: true });
    // Listed once: the original row is gone, the others keep their order and objects.
    assert.deepEqual(
      out.slice(1),
      base.filter((i) => i !== mini),
    );
    assert.equal(mini.label, '$(check) gpt-4o-mini', 'the base row is not changed');
  });

  test('a row whose label already is its id keeps its description (a route)', () => {
    const base = rows();
    const route = base.find((i) => i.id === 'route/fast')!;
    const top = exactFirst(base, route)[0]!;
    assert.equal(top.label, '$(git-merge) route/fast');
    assert.equal(top.description, 'route (ordered)');
  });

  test('an exact id typed (spaces trimmed) goes first and is the row to make active, above a route and a longer id that mention it', () => {
    const base = rows();
    const r = rankTyped(base, '  openai/gpt-4o ', custom);
    assert.equal(r.plain, false);
    assert.equal(r.top, r.items[0]);
    assert.equal(r.items[0]!.id, 'openai/gpt-4o');
    assert.equal(r.items[0]!.label, 'openai/gpt-4o');
    assert.equal(r.items[0]!.description, 'GPT-4o');
    assert.equal(r.items.length, base.length, 'nothing added, nothing lost');
    assert.equal(ids(r.items).filter((id) => id === 'openai/gpt-4o').length, 1);
    assert.ok(ids(r.items).includes('route/fast') && ids(r.items).includes('openai/gpt-4o-mini'));
  });

  test('the same model under another provider: the row of the provider typed', () => {
    const r = rankTyped(rows(), 'local/gpt-4o', custom);
    assert.equal(r.top?.id, 'local/gpt-4o');
    assert.equal(r.top?.label, 'local/gpt-4o');
  });

  test('an id not in the catalog: offered as is where the picker allows it, else the list unchanged', () => {
    const base = rows();
    const offered = rankTyped(base, 'openai/gpt-5-preview', custom);
    assert.equal(offered.plain, false);
    assert.equal(offered.top, undefined, 'the offer is first by itself; it is not forced active');
    assert.deepEqual(offered.items[0], custom('openai/gpt-5-preview'));
    assert.deepEqual(offered.items.slice(1), base);
    const notOffered = rankTyped(base, 'openai/gpt-5-preview');
    assert.deepEqual(notOffered, { items: base, plain: true });
  });

  test('text that is not an id (a name, a prefix, a provider group, nothing) leaves the list as it is', () => {
    const base = rows();
    for (const typed of ['', '   ', 'gpt-4o', 'GPT-4o', 'OpenAI', 'Routes', 'openai/', 'openai/gpt-4o mini']) {
      const r = rankTyped(base, typed, custom);
      assert.deepEqual(r, { items: base, plain: true }, JSON.stringify(typed));
      assert.notEqual(r.items, base, 'a copy: the caller may not change the base list');
    }
  });

  test('looksLikeModelId: provider/model and route/name, nothing else', () => {
    for (const yes of ['openai/gpt-4o', 'route/fast', 'openrouter/meta-llama/llama-3.1-8b', 'local/qwen2.5:7b']) assert.equal(looksLikeModelId(yes), true, yes);
    for (const no of ['gpt-4o', 'openai/', '/gpt-4o', 'open ai/gpt', 'openai/gpt 4o', '']) assert.equal(looksLikeModelId(no), false, no);
  });
});
