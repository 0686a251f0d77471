// Gemini tool schemas: the real tool sets of Claude Code and Codex CLI (captured by
// captureAgentTools.ts into test/fixtures/agentTools.json) convert without refusal, exactly, and
// pass the strict Gemini fake; what has no exact form is still refused.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ProviderConfigSchema, resolveProvider } from '../../src/core/config.ts';
import { SwitchboardError } from '../../src/core/errors.ts';
import { geminiBody } from '../../src/core/providers/gemini/requestBody.ts';
import { SchemaConversionError, toGeminiJsonSchema, toGeminiSchema } from '../../src/core/providers/gemini/schema.ts';
import type { BodyContext } from '../../src/core/providers/httpModel.ts';
import type { ToolDefinition } from '../../src/core/types.ts';
import { validateRequest } from '../fakes/strict.ts';

type J = Record<string, unknown>;
const FIXTURE = JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures/agentTools.json'), 'utf8')) as Record<
  'claudeCode' | 'codex',
  { name: string; input_schema: J }[]
>;
const google = resolveProvider(ProviderConfigSchema.parse({ id: 'google' }));
const ctx = (): BodyContext => ({ warn: () => undefined, capabilities: null }) as unknown as BodyContext;
const body = (tools: ToolDefinition[]): J => geminiBody(google, 'gemini-2.5-flash', { messages: [{ role: 'user', content: 'q' }], tools }, ctx());
const decls = (b: J): J[] => (b.tools as J[])[0]!.functionDeclarations as J[];

describe("the real agents' tools for Gemini", () => {
  for (const agent of ['claudeCode', 'codex'] as const) {
    test(`every ${agent} tool converts without refusal and passes the strict Gemini fake`, () => {
      const tools = FIXTURE[agent];
      assert.ok(tools.length >= 10, `${agent}: the fixture holds its full tool set (${tools.length})`);
      const b = body(tools.map((t) => ({ name: t.name, parameters: t.input_schema })));
      assert.equal(decls(b).length, tools.length);
      for (const d of decls(b)) assert.ok(!(d.parameters && d.parametersJsonSchema), `${String(d.name)}: never both forms`);
      assert.equal(validateRequest('gemini', 'gemini-2.5-flash', b), null);
    });
  }

  test('Read.limit: exclusiveMinimum 0 on an integer is exactly minimum 1', () => {
    const read = FIXTURE.claudeCode.find((t) => t.name === 'Read')!;
    const d = decls(body([{ name: 'Read', parameters: read.input_schema }]))[0]!;
    const limit = ((d.parameters as J).properties as J).limit as J;
    assert.equal(limit.minimum, 1);
    assert.equal(limit.exclusiveMinimum, undefined);
  });

  test('TaskCreate.metadata, a free-form object, goes as parametersJsonSchema with its additionalProperties', () => {
    const tc = FIXTURE.claudeCode.find((t) => t.name === 'TaskCreate')!;
    const d = decls(body([{ name: 'TaskCreate', parameters: tc.input_schema }]))[0]!;
    assert.equal(d.parameters, undefined);
    const metadata = ((d.parametersJsonSchema as J).properties as J).metadata as J;
    assert.deepEqual(metadata.additionalProperties, {});
    assert.equal(metadata.propertyNames, undefined, 'the vacuous propertyNames is dropped');
    assert.equal((d.parametersJsonSchema as J).additionalProperties, false);
  });

  test('Workflow keeps pattern and maxLength in the parameters form (the JSON Schema form would ignore them)', () => {
    const wf = FIXTURE.claudeCode.find((t) => t.name === 'Workflow');
    if (!wf) return assert.fail('the captured Claude Code tools have Workflow');
    const d = decls(body([{ name: 'Workflow', parameters: wf.input_schema }]))[0]!;
    assert.equal(d.parametersJsonSchema, undefined);
    assert.ok(JSON.stringify(d.parameters).includes('"pattern"'));
  });
});

describe('exact or refused', () => {
  const refuses = (f: () => unknown, re: RegExp) => assert.throws(f, (e: unknown) => e instanceof SchemaConversionError && re.test(e.message));

  test('integer bounds: exclusive ones step in, the stricter bound wins; on a number they are refused', () => {
    assert.deepEqual(toGeminiSchema({ type: 'integer', exclusiveMinimum: 0, exclusiveMaximum: 10 }), { type: 'integer', minimum: 1, maximum: 9 });
    assert.deepEqual(toGeminiSchema({ type: 'integer', minimum: 5, exclusiveMinimum: 0 }), { type: 'integer', minimum: 5 });
    assert.deepEqual(toGeminiJsonSchema({ type: ['integer', 'null'], exclusiveMinimum: 2.5 }), { type: ['integer', 'null'], minimum: 3 });
    refuses(() => toGeminiSchema({ type: 'number', exclusiveMinimum: 0 }), /exclusiveMinimum on a non-integer/);
    refuses(() => toGeminiJsonSchema({ type: 'number', exclusiveMaximum: 1 }), /exclusiveMaximum on a non-integer/);
    refuses(() => toGeminiSchema({ type: 'integer', exclusiveMinimum: true, minimum: 0 }), /boolean form/);
  });

  test('propertyNames: only the vacuous {type: string} is dropped', () => {
    assert.deepEqual(toGeminiJsonSchema({ type: 'object', propertyNames: { type: 'string' }, additionalProperties: {} }), {
      type: 'object',
      additionalProperties: {},
    });
    refuses(() => toGeminiJsonSchema({ type: 'object', propertyNames: { pattern: '^a' } }), /propertyNames/);
  });

  test('the JSON Schema form refuses what Gemini would ignore, and overlapping oneOf', () => {
    refuses(() => toGeminiJsonSchema({ type: 'string', minLength: 2 }), /"minLength" is not honoured/);
    refuses(() => toGeminiJsonSchema({ oneOf: [{ type: 'string' }, { type: 'string', enum: ['a'] }] }), /oneOf with overlapping/);
    assert.deepEqual(toGeminiJsonSchema({ oneOf: [{ type: 'string' }, { type: 'integer' }] }), { anyOf: [{ type: 'string' }, { type: 'integer' }] });
    assert.deepEqual(toGeminiJsonSchema({ $defs: { s: { type: 'string' } }, type: 'object', properties: { a: { $ref: '#/$defs/s' } } }), {
      type: 'object',
      properties: { a: { type: 'string' } },
    });
  });

  test('a tool that needs both forms (a free-form object and a pattern) is refused, naming the tool and both reasons', () => {
    const parameters = { type: 'object', properties: { m: { type: 'object', additionalProperties: {} }, s: { type: 'string', pattern: '^x' } } };
    assert.throws(
      () => body([{ name: 'mixed', parameters }]),
      (e: unknown) =>
        e instanceof SwitchboardError &&
        e.kind === 'bad_request' &&
        /tools\["mixed"\]\.parameters/.test(e.message) &&
        /additionalProperties/.test(e.message) &&
        /"pattern"/.test(e.message),
    );
  });
});

describe('the strict Gemini fake on parametersJsonSchema', () => {
  const withDecl = (d: J): J => ({ contents: [{ role: 'user', parts: [{ text: 'q' }] }], tools: [{ functionDeclarations: [{ name: 'f', ...d }] }] });
  test('parameters and parametersJsonSchema together are refused', () => {
    assert.match(
      validateRequest(
        'gemini',
        'g',
        withDecl({ parameters: { type: 'object', properties: { a: { type: 'string' } } }, parametersJsonSchema: { type: 'object' } }),
      ) ?? '',
      /mutually exclusive/,
    );
  });
  test('a keyword Gemini would ignore is refused; supported ones pass', () => {
    assert.match(
      validateRequest('gemini', 'g', withDecl({ parametersJsonSchema: { type: 'object', properties: { a: { type: 'string', pattern: 'x' } } } })) ?? '',
      /"pattern" is not supported/,
    );
    assert.equal(
      validateRequest(
        'gemini',
        'g',
        withDecl({ parametersJsonSchema: { type: 'object', properties: { m: { type: 'object', additionalProperties: {} } }, additionalProperties: false } }),
      ),
      null,
    );
  });
  test('the root must describe an object', () => {
    assert.match(validateRequest('gemini', 'g', withDecl({ parametersJsonSchema: { type: 'string' } })) ?? '', /must describe an object/);
  });
});
