/**
 * Scripted answers for the code-run tests (test/fixtures/codeRun: `node --test slug.test.mjs`):
 * the OpenAI fake rewrites the file in a code block (tests pass), the Anthropic fake sends a
 * unified diff (tests pass), the Gemini fake a code block with a wrong fix (tests fail).
 */
/** test/fixtures/codeRun, relative to the repository (unit tests run from its root). */
export const FIXTURE = 'test/fixtures/codeRun';

/** The sample project's files as text (the VS Code tests write them into their workspace; a unit test checks they match the fixture). */
export const FIXTURE_FILES: Record<string, string> = {
  'slug.mjs': `// Turns a title into a URL slug.
export function slugify(title) {
  return title.toLowerCase();
}
`,
  'slug.test.mjs': `import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slugify } from './slug.mjs';

test('spaces become dashes, case is lowered, punctuation goes', () => {
  assert.equal(slugify('Hello, World!'), 'hello-world');
  assert.equal(slugify('  Many   spaces  '), 'many-spaces');
});
`,
};

export const GOOD_FILE = `// Turns a title into a URL slug.
export function slugify(title) {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
`;

export const ANSWERS = {
  openai: `Replace the function so that it collapses everything that is not a letter or digit:\n\n\`\`\`js slug.mjs\n${GOOD_FILE}\`\`\`\n`,
  anthropic: [
    'Here is a patch:',
    '',
    '```diff',
    '--- a/slug.mjs',
    '+++ b/slug.mjs',
    '@@ -1,4 +1,4 @@',
    ' // Turns a title into a URL slug.',
    ' export function slugify(title) {',
    '-  return title.toLowerCase();',
    "+  return title.trim().toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');",
    ' }',
    '```',
    '',
  ].join('\n'),
  gemini: "```js\n// Turns a title into a URL slug.\nexport function slugify(title) {\n  return title.toLowerCase().replace(/ /g, '-');\n}\n```\n",
};

/** The set, with the command to run (the VS Code tests name their own Node binary). */
export const codeSet = (command = 'node --test slug.test.mjs') => ({
  name: 'slug',
  tags: ['code'],
  prompts: [
    {
      id: 'fix-slug',
      prompt: 'Fix slugify so that the tests pass.',
      context: [{ file: 'slug.mjs' }, { file: 'slug.test.mjs' }],
      checks: [{ type: 'regex', pattern: 'slugify' }],
      codeRun: { file: 'slug.mjs', command, timeoutMs: 60000 },
    },
  ],
});
