/**
 * Export to and import from promptfoo's config (promptfooconfig.yaml): prompts, providers, tests
 * with `assert` (contains / icontains / not-contains / not-icontains / regex / not-regex / is-json /
 * javascript / llm-rubric). The mapping is faithful or refused: anything with no equivalent on the
 * other side is a clear error naming it, never dropped.
 */
import { SwitchboardError } from '../errors.ts';
import { parseTestSet, type Check, type TestSet } from './testSet.ts';
import { parseYaml, toYaml, YamlError } from './yaml.ts';
import { withoutBom } from '../userFile.ts';

/** Our provider ids ↔ promptfoo's provider prefixes. */
const TO_PROMPTFOO: Record<string, string> = {
  openai: 'openai:',
  anthropic: 'anthropic:messages:',
  google: 'google:',
  openrouter: 'openrouter:',
  mistral: 'mistral:',
  groq: 'groq:',
  deepseek: 'deepseek:',
  xai: 'xai:',
  ollama: 'ollama:chat:',
};

const refuse = (what: string, fix: string): never => {
  throw new SwitchboardError({ kind: 'config', message: `cannot map to/from promptfoo: ${what}`, fix });
};

export function toPromptfooProvider(model: string): string {
  const slash = model.indexOf('/');
  const provider = model.slice(0, slash);
  if (provider === 'route') refuse(`${model} is a Switchboard route; promptfoo has no routes`, "list the route's models instead");
  const prefix = TO_PROMPTFOO[provider];
  if (!prefix)
    refuse(
      `the provider "${provider}" of ${model} has no promptfoo provider this export knows`,
      `use one of ${Object.keys(TO_PROMPTFOO).join(', ')}, or add it to the promptfoo file by hand`,
    );
  return `${prefix}${model.slice(slash + 1)}`;
}

export function fromPromptfooProvider(id: string): string {
  // Longest prefix first: "anthropic:messages:" before a bare "anthropic:".
  const entries = Object.entries(TO_PROMPTFOO).sort((a, b) => b[1].length - a[1].length);
  for (const [ours, prefix] of entries) if (id.startsWith(prefix) && id.length > prefix.length) return `${ours}/${id.slice(prefix.length)}`;
  if (id.startsWith('openai:chat:')) return `openai/${id.slice('openai:chat:'.length)}`;
  if (id.startsWith('vertex:')) return `google/${id.slice('vertex:'.length)}`;
  return refuse(
    `the promptfoo provider "${id}" has no Switchboard equivalent this import knows`,
    'change it to a known provider (openai:, anthropic:messages:, google:, openrouter:, …) or add it to the test set by hand',
  );
}

function checkToAssert(c: Check, where: string): Record<string, unknown> {
  const extra = c.label ? { metric: c.label } : {};
  switch (c.type) {
    case 'contains':
      return { type: `${c.negate ? 'not-' : ''}${c.ignoreCase ? 'icontains' : 'contains'}`, value: c.value, ...extra };
    case 'regex':
      if (c.flags) refuse(`${where}: regex flags "${c.flags}" (promptfoo's regex takes none)`, 'drop the flags (e.g. write [Pp]aris instead of /paris/i)');
      return { type: c.negate ? 'not-regex' : 'regex', value: c.pattern, ...extra };
    case 'json-schema':
      return { type: 'is-json', value: c.schema, ...extra };
    case 'javascript':
      if (/\b(prompt|model)\b/.test(c.code))
        refuse(
          `${where}: the JavaScript check uses "prompt" or "model", which promptfoo passes differently (context.prompt, context.provider)`,
          'use only `output` in the check',
        );
      if (c.timeoutMs !== undefined) refuse(`${where}: the JavaScript check's timeoutMs (promptfoo has none per assertion)`, 'remove timeoutMs');
      return { type: 'javascript', value: c.code, ...(c.threshold !== undefined ? { threshold: c.threshold } : {}), ...extra };
    case 'rubric':
      return {
        type: 'llm-rubric',
        value: c.rubric,
        ...(c.threshold !== undefined ? { threshold: c.threshold } : {}),
        ...(c.judge ? { provider: toPromptfooProvider(c.judge) } : {}),
        ...extra,
      };
  }
}

/** A test set as promptfoo YAML (one prompt template "{{prompt}}", one test per prompt). */
export function exportPromptfoo(set: TestSet, models: string[]): string {
  if (set.defaults?.system || set.prompts.some((p) => p.system))
    refuse('a system prompt (promptfoo puts it in a chat-format prompt file)', 'remove "system", or add it to the promptfoo prompts by hand');
  if (set.threshold) refuse('the set\'s "threshold" (promptfoo has no per-model pass-rate threshold)', 'remove "threshold" and check the pass rate in CI');
  const ctx = set.prompts.find((p) => p.context?.length);
  if (ctx) refuse(`prompt "${ctx.id}" has context files (a promptfoo test has no files to read)`, 'inline the text into the prompt, or remove the context');
  const run = set.prompts.find((p) => p.codeRun);
  if (run) refuse(`prompt "${run.id}" has a codeRun (promptfoo does not apply changes and run commands)`, 'remove codeRun for the export');
  if (models.length === 0) refuse('no models (promptfoo needs providers)', 'give --models or a "models" list in the set');
  const config: Record<string, unknown> = {};
  const opts: Record<string, unknown> = {};
  if (set.defaults?.temperature !== undefined) opts.temperature = set.defaults.temperature;
  if (set.defaults?.maxTokens !== undefined) opts.max_tokens = set.defaults.maxTokens;
  config.description = set.name ?? set.description ?? 'Switchboard test set';
  config.prompts = ['{{prompt}}'];
  config.providers = models.map((m) => (Object.keys(opts).length ? { id: toPromptfooProvider(m), config: opts } : toPromptfooProvider(m)));
  const defaultTest: Record<string, unknown> = {};
  if (set.judge) {
    if (set.judge.maxTokens !== undefined) refuse("judge.maxTokens (promptfoo's grader options differ)", 'remove judge.maxTokens');
    defaultTest.options = { provider: toPromptfooProvider(set.judge.model) };
  }
  if (set.defaults?.checks?.length) defaultTest.assert = set.defaults.checks.map((c, i) => checkToAssert(c, `defaults.checks[${i}]`));
  if (Object.keys(defaultTest).length) config.defaultTest = defaultTest;
  if (set.prompts.some((p) => p.prompt.includes('{{') || p.prompt.includes('{%')))
    refuse('a prompt contains "{{" or "{%", which promptfoo would read as a template', 'rephrase the prompt');
  config.tests = set.prompts.map((p) => {
    const tags = [...(set.tags ?? []), ...(p.tags ?? [])];
    return {
      description: p.id,
      vars: { prompt: p.prompt },
      ...(p.checks?.length ? { assert: p.checks.map((c, i) => checkToAssert(c, `prompt "${p.id}" checks[${i}]`)) } : {}),
      ...(tags.length ? { metadata: { tags } } : {}),
    };
  });
  return `# Exported by Switchboard (switchboard eval export). Run with: npx promptfoo eval -c <this file>\n${toYaml(config)}`;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

function allowOnly(o: Obj, keys: string[], where: string): void {
  for (const k of Object.keys(o))
    if (!keys.includes(k)) refuse(`${where}: "${k}" has no Switchboard equivalent`, `remove "${k}" (supported here: ${keys.join(', ')})`);
}

function assertToCheck(a: unknown, where: string): Check {
  if (!isObj(a)) return refuse(`${where}: an assertion must be a mapping`, 'write it as {type, value}');
  allowOnly(a, ['type', 'value', 'threshold', 'provider', 'metric', 'weight'], where);
  if (a.weight !== undefined && a.weight !== 1)
    refuse(`${where}: weight ${String(a.weight)} (Switchboard checks are pass/fail, unweighted)`, 'remove the weight');
  const label = typeof a.metric === 'string' ? { label: a.metric } : {};
  const type = String(a.type);
  const str = (): string => {
    if (typeof a.value !== 'string' || a.value === '') return refuse(`${where}: ${type} needs a string value`, 'give "value"');
    if (a.value.startsWith('file://')) return refuse(`${where}: file:// values are not read on import`, 'inline the value');
    return a.value;
  };
  if (a.threshold !== undefined && !['javascript', 'llm-rubric'].includes(type)) refuse(`${where}: threshold on ${type}`, 'remove the threshold');
  if (a.provider !== undefined && type !== 'llm-rubric') refuse(`${where}: provider on ${type}`, 'remove the provider');
  switch (type) {
    case 'contains':
    case 'icontains':
    case 'not-contains':
    case 'not-icontains':
      return {
        type: 'contains',
        value: str(),
        ...(type.includes('icontains') ? { ignoreCase: true } : {}),
        ...(type.startsWith('not-') ? { negate: true } : {}),
        ...label,
      };
    case 'regex':
    case 'not-regex':
      return { type: 'regex', pattern: str(), ...(type === 'not-regex' ? { negate: true } : {}), ...label };
    case 'is-json':
      if (a.value === undefined)
        return refuse(`${where}: is-json without a schema (Switchboard's JSON check validates a schema)`, 'add value: {} to accept any JSON value');
      if (!isObj(a.value)) return refuse(`${where}: is-json's value must be a JSON Schema mapping`, 'inline the schema');
      return { type: 'json-schema', schema: a.value, ...label };
    case 'javascript':
      return { type: 'javascript', code: str(), ...(typeof a.threshold === 'number' ? { threshold: a.threshold } : {}), ...label };
    case 'llm-rubric':
      return {
        type: 'rubric',
        rubric: str(),
        ...(typeof a.threshold === 'number' ? { threshold: a.threshold } : {}),
        ...(typeof a.provider === 'string' ? { judge: fromPromptfooProvider(a.provider) } : {}),
        ...label,
      };
    default:
      return refuse(
        `${where}: the assertion type "${type}" has no Switchboard check`,
        'use contains, icontains, not-contains, regex, not-regex, is-json, javascript or llm-rubric, or remove it',
      );
  }
}

function render(template: string, vars: Obj, where: string): string {
  if (template.includes('{%')) refuse(`${where}: Nunjucks tags ({% … %}) in the prompt`, 'use only {{var}} substitutions');
  return template.replace(/\{\{\s*([^}]*?)\s*\}\}/g, (_m, name: string) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      refuse(`${where}: the template expression {{${name}}} (filters and expressions are not supported)`, 'use plain {{var}}');
    if (!(name in vars)) refuse(`${where}: the prompt uses {{${name}}} but the test has no var "${name}"`, `add vars.${name}`);
    const v = vars[name];
    if (typeof v === 'string' && v.startsWith('file://')) refuse(`${where}: file:// vars are not read on import`, 'inline the text');
    return typeof v === 'string' ? v : JSON.stringify(v);
  });
}

/** A promptfoo config as a test set (plus the models it names). `file` names it in errors. */
export function importPromptfoo(yamlText: string, file: string): { set: TestSet; models: string[] } {
  let doc: unknown;
  try {
    // Without a Windows editor's byte-order mark, which would read as text before the first key (as config.ts strips it).
    doc = parseYaml(withoutBom(yamlText));
  } catch (e) {
    if (e instanceof YamlError)
      throw new SwitchboardError({
        kind: 'config',
        message: `${file}: ${e.message}`,
        fix: 'simplify the YAML (Switchboard reads a subset: no anchors, aliases or tags)',
      });
    throw e;
  }
  if (!isObj(doc)) return refuse(`${file}: the top level must be a mapping`, "use promptfoo's config format");
  allowOnly(doc, ['description', 'prompts', 'providers', 'tests', 'defaultTest'], file);
  const prompts = doc.prompts;
  if (!Array.isArray(prompts) || prompts.length !== 1 || typeof prompts[0] !== 'string')
    refuse(
      `${file}: "prompts" must be exactly one prompt template string (Switchboard runs prompts × models, not prompt variants)`,
      'keep one prompt template, or split the file',
    );
  const template = (prompts as string[])[0]!;
  if (template.startsWith('file://')) refuse(`${file}: prompts from file:// are not read on import`, 'inline the prompt template');
  const providers = Array.isArray(doc.providers) ? doc.providers : refuse(`${file}: "providers" must be a list`, 'list the providers');
  let temperature: number | undefined;
  let maxTokens: number | undefined;
  const models = providers.map((p, i) => {
    if (typeof p === 'string') return fromPromptfooProvider(p);
    if (!isObj(p) || typeof p.id !== 'string') return refuse(`${file}: providers[${i}] must be an id or {id, config}`, 'fix the provider entry');
    allowOnly(p, ['id', 'config'], `${file}: providers[${i}]`);
    if (p.config !== undefined) {
      if (!isObj(p.config)) return refuse(`${file}: providers[${i}].config must be a mapping`, 'fix it');
      allowOnly(p.config, ['temperature', 'max_tokens'], `${file}: providers[${i}].config`);
      const t = p.config.temperature as number | undefined;
      const m = p.config.max_tokens as number | undefined;
      if ((temperature !== undefined && t !== temperature) || (maxTokens !== undefined && m !== maxTokens) || (i > 0 && (t !== temperature || m !== maxTokens)))
        refuse(`${file}: providers with different temperature/max_tokens (a test set has one setting for every model)`, 'give every provider the same config');
      temperature = t;
      maxTokens = m;
    } else if (i > 0 && (temperature !== undefined || maxTokens !== undefined))
      refuse(`${file}: providers with different configs`, 'give every provider the same config');
    return fromPromptfooProvider(p.id);
  });
  const set: Record<string, unknown> = { name: typeof doc.description === 'string' ? doc.description : file };
  set.models = models;
  const defaults: Obj = {};
  if (temperature !== undefined) defaults.temperature = temperature;
  if (maxTokens !== undefined) defaults.maxTokens = maxTokens;
  if (doc.defaultTest !== undefined) {
    const d = isObj(doc.defaultTest) ? doc.defaultTest : refuse(`${file}: defaultTest must be a mapping`, 'fix it');
    allowOnly(d, ['assert', 'options'], `${file}: defaultTest`);
    if (d.options !== undefined) {
      const o = isObj(d.options) ? d.options : refuse(`${file}: defaultTest.options must be a mapping`, 'fix it');
      allowOnly(o, ['provider'], `${file}: defaultTest.options`);
      if (typeof o.provider !== 'string') refuse(`${file}: defaultTest.options.provider must be a provider id`, 'fix it');
      set.judge = { model: fromPromptfooProvider(o.provider as string) };
    }
    if (d.assert !== undefined) {
      if (!Array.isArray(d.assert)) refuse(`${file}: defaultTest.assert must be a list`, 'fix it');
      defaults.checks = (d.assert as unknown[]).map((a, i) => assertToCheck(a, `${file}: defaultTest.assert[${i}]`));
    }
  }
  if (Object.keys(defaults).length) set.defaults = defaults;
  const tests = Array.isArray(doc.tests) ? doc.tests : refuse(`${file}: "tests" must be a list`, 'add tests');
  const ids = new Set<string>();
  set.prompts = tests.map((t, i) => {
    const where = `${file}: tests[${i}]`;
    if (!isObj(t)) return refuse(`${where} must be a mapping`, 'fix it');
    allowOnly(t, ['description', 'vars', 'assert', 'metadata'], where);
    const vars =
      t.vars === undefined
        ? {}
        : isObj(t.vars)
          ? t.vars
          : refuse(`${where}.vars must be a mapping (lists of values are a promptfoo matrix)`, 'write one test per value');
    let id = typeof t.description === 'string' && /^[A-Za-z0-9._-]+$/.test(t.description) ? t.description : `t${i + 1}`;
    while (ids.has(id)) id = `${id}-${i + 1}`;
    ids.add(id);
    const p: Obj = { id, prompt: render(template, vars, where) };
    if (t.assert !== undefined) {
      if (!Array.isArray(t.assert)) refuse(`${where}.assert must be a list`, 'fix it');
      p.checks = (t.assert as unknown[]).map((a, j) => assertToCheck(a, `${where}.assert[${j}]`));
    }
    if (t.metadata !== undefined) {
      const m = isObj(t.metadata) ? t.metadata : refuse(`${where}.metadata must be a mapping`, 'fix it');
      allowOnly(m, ['tags'], `${where}.metadata`);
      if (!Array.isArray(m.tags) || m.tags.some((x) => typeof x !== 'string')) refuse(`${where}.metadata.tags must be a list of strings`, 'fix it');
      p.tags = m.tags;
    }
    return p;
  });
  // The result goes through the same validation as a hand-written set.
  return { set: parseTestSet(JSON.stringify(set), file), models };
}
