/**
 * The config file: the contract the CLI, the gateway, the extension's settings and the tests share.
 * Validated with zod; errors point at the bad field.
 */
import { z } from 'zod';
import { readFileSync } from 'node:fs';
import { closestNames } from './closest.ts';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SwitchboardError } from './errors.ts';
import { registerSecret, urlCredentials } from './redact.ts';
import { withoutBom } from './userFile.ts';
import { defaultAuthStyle, findPreset, PROVIDER_KINDS, type AuthStyle, type ProviderKind } from './providers/presets.ts';

const providerIdPattern = /^[a-z0-9][a-z0-9._-]*$/i;

/** One provider entry: a preset id alone, or a custom endpoint of a known wire protocol. */
export const ProviderConfigSchema = z
  .object({
    id: z.string().regex(providerIdPattern, 'use letters, digits, ".", "_" or "-" (no "/")'),
    kind: z.enum(PROVIDER_KINDS).optional(),
    name: z.string().optional(),
    baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    apiKeyEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')
      .optional(),
    headers: z.record(z.string(), z.string()).optional(),
    auth: z.enum(['bearer', 'x-api-key', 'x-goog-api-key', 'none']).optional(),
    /** Anthropic-version header override (Anthropic kind only). */
    anthropicVersion: z.string().optional(),
    /** Models this endpoint serves, for listing when it has no /models. */
    models: z.array(z.string()).optional(),
  })
  .strict();

/**
 * USD per 1M tokens. `cachedInput` is the cache-read price; `cacheWrite5m` / `cacheWrite1h` the
 * prices of prompt-cache writes kept 5 minutes / 1 hour (Anthropic). Unset cache prices fall back
 * to `input` (and `cacheWrite1h` to `cacheWrite5m`). `inputAudio` / `outputAudio`: audio tokens of
 * the prompt / the answer (OpenAI's audio models); unset, audio is charged as text and the cost is
 * marked as an estimate.
 */
const RateFields = {
  input: z.number().nonnegative(),
  output: z.number().nonnegative(),
  cachedInput: z.number().nonnegative().optional(),
  cacheWrite5m: z.number().nonnegative().optional(),
  cacheWrite1h: z.number().nonnegative().optional(),
  inputAudio: z.number().nonnegative().optional(),
  outputAudio: z.number().nonnegative().optional(),
};

/**
 * A higher price for long prompts: when a request's prompt (all input tokens, cached ones too) is
 * larger than `above` tokens, every token of that request is charged at this tier (Gemini Pro and
 * Claude above 200k). Rates a tier leaves out are the base price's.
 */
export const PriceTierSchema = z
  .object({
    above: z.number().int().nonnegative(),
    ...RateFields,
  })
  .strict();

export const PriceSchema = z
  .object({
    ...RateFields,
    /** USD per hosted web search (Anthropic's web_search tool, OpenAI's web_search), apart from tokens. */
    webSearch: z.number().nonnegative().optional(),
    tiers: z.array(PriceTierSchema).optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    p.tiers?.forEach((t, i) => {
      if (i > 0 && t.above <= p.tiers![i - 1]!.above)
        ctx.addIssue({ code: 'custom', path: ['tiers', i, 'above'], message: 'tiers must be in increasing order of "above"' });
    });
  });

export const RouteSchema = z
  .object({
    id: z.string().regex(providerIdPattern, 'use letters, digits, ".", "_" or "-"'),
    models: z.array(z.string().includes('/', { message: 'must be a "provider/model" id' })).min(1, 'a route needs at least one model'),
    strategy: z.enum(['ordered', 'cheapest', 'fastest', 'best']).default('ordered'),
    /** "best": the leaderboard's task tag to rank by (every comparison when unset). */
    tag: z.string().min(1).optional(),
    /** "best": the cheapest model rated within this many points of the best goes first. */
    withinPoints: z.number().nonnegative().optional(),
    constraints: z
      .object({
        minContext: z.number().int().positive().optional(),
        maxInputPrice: z.number().nonnegative().optional(),
        maxOutputPrice: z.number().nonnegative().optional(),
      })
      .strict()
      .optional(),
    /** Retry each candidate (not only the last) before moving on. */
    retrySameModel: z.boolean().optional(),
    /** Time-to-first-token watchdog for this route, ms (0 = off). */
    firstTokenTimeoutMs: z.number().int().nonnegative().optional(),
  })
  .strict()
  .refine((r) => r.strategy === 'best' || (r.tag === undefined && r.withinPoints === undefined), {
    message: '"tag" and "withinPoints" only apply to strategy "best"',
    path: ['strategy'],
  });

/** Per model id: what it can do, overriding the catalog (a local model that takes images, a smaller context). */
export const CapabilityOverrideSchema = z
  .object({
    toolCalling: z.boolean().optional(),
    imageInput: z.boolean().optional(),
    pdfInput: z.boolean().optional(),
    reasoning: z.boolean().optional(),
    structuredOutput: z.boolean().optional(),
    contextWindow: z.number().int().positive().optional(),
    maxOutputTokens: z.number().int().positive().optional(),
  })
  .strict();
export type CapabilityOverride = z.infer<typeof CapabilityOverrideSchema>;

export const BudgetSchema = z
  .object({
    daily: z.number().nonnegative().optional(),
    monthly: z.number().nonnegative().optional(),
    perRequest: z.number().nonnegative().optional(),
    /**
     * USD for one spend session: a CLI run, a gateway process, a VS Code window session (which
     * survives window reloads). What an agent loop may spend before it is stopped or warned.
     */
    perSession: z.number().nonnegative().optional(),
    onExceed: z.enum(['warn', 'block']).default('warn'),
  })
  .strict();

export const TimeoutsSchema = z
  .object({
    connectMs: z.number().int().positive().optional(),
    /** Max wait for response headers (first byte). */
    headersMs: z.number().int().positive().optional(),
    /** Max silence between bytes of a streaming body. */
    idleMs: z.number().int().positive().optional(),
    /** Time-to-first-token watchdog for single models (0 = off). */
    firstTokenMs: z.number().int().nonnegative().optional(),
  })
  .strict();

/** Caps on one answer: an upstream that never stops must not exhaust memory or run forever. */
export const LimitsSchema = z
  .object({
    /** Characters of text, reasoning and tool-call arguments together. */
    maxAnswerChars: z.number().int().positive().optional(),
    /** Wall-clock time of one answer, ms. */
    maxAnswerMs: z.number().int().positive().optional(),
  })
  .strict();

/** A few MB of text and ten minutes: far beyond any real answer, far below what hurts the process. */
export const DEFAULT_LIMITS = { maxAnswerChars: 4_000_000, maxAnswerMs: 600_000 } as const;

export const ConfigSchema = z
  .object({
    $schema: z.string().optional(),
    providers: z.array(ProviderConfigSchema).default([]),
    pricing: z.record(z.string(), PriceSchema).default({}),
    /** Model capabilities by `provider/model` id, overriding the catalog. */
    capabilities: z.record(z.string().includes('/', { message: 'must be a "provider/model" id' }), CapabilityOverrideSchema).default({}),
    routes: z.array(RouteSchema).default([]),
    /** Names an agent insists on (`claude-sonnet-4-5`) → the model or route to use instead. */
    /** Per OpenAI-protocol model: Chat Completions (`openai`) or the Responses API (`openai-responses`), overriding the catalog's choice. */
    wireProtocols: z.record(z.string().includes('/', { message: 'must be a "provider/model" id' }), z.enum(['openai', 'openai-responses'])).default({}),
    aliases: z.record(z.string().min(1), z.string().includes('/', { message: 'must be a "provider/model" id or "route/<id>"' })).default({}),
    budget: BudgetSchema.optional(),
    timeouts: TimeoutsSchema.default({}),
    limits: LimitsSchema.default({}),
    defaultModel: z.string().optional(),
    retries: z
      .object({ maxRetries: z.number().int().min(0).max(10).optional(), maxRetryDelayMs: z.number().int().positive().optional() })
      .strict()
      .default({}),
    catalog: z
      .object({
        refreshHours: z.number().positive().optional(),
        cacheFile: z.string().optional(),
        /** Fetch newer price data (genai-prices' published JSON) when the catalog refreshes. Default true. */
        priceUpdates: z.boolean().optional(),
        /** Where to fetch it from (a mirror); default genai-prices' GitHub data file. */
        priceDataUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
      })
      .strict()
      .default({}),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.providers.forEach((p, i) => {
      if (seen.has(p.id)) ctx.addIssue({ code: 'custom', path: ['providers', i, 'id'], message: `duplicate provider id "${p.id}"` });
      seen.add(p.id);
      if (!findPreset(p.id)) {
        if (!p.kind)
          ctx.addIssue({
            code: 'custom',
            path: ['providers', i, 'kind'],
            message: `"${p.id}" is not a known preset: set "kind" to ${PROVIDER_KINDS.map((k) => `"${k}"`)
              .join(', ')
              .replace(/, ([^,]*)$/, ' or $1')}`,
          });
        if (!p.baseUrl) ctx.addIssue({ code: 'custom', path: ['providers', i, 'baseUrl'], message: `"${p.id}" is not a known preset: set "baseUrl"` });
      }
    });
    const routeIds = new Set<string>();
    cfg.routes.forEach((r, i) => {
      if (routeIds.has(r.id)) ctx.addIssue({ code: 'custom', path: ['routes', i, 'id'], message: `duplicate route id "${r.id}"` });
      routeIds.add(r.id);
    });
    for (const [name, target] of Object.entries(cfg.aliases)) {
      // One step only: an alias of an alias would hide where a request goes.
      if (target in cfg.aliases)
        ctx.addIssue({ code: 'custom', path: ['aliases', name], message: `points at another alias ("${target}"); name the model or route directly` });
    }
  });

export type ProviderConfig = z.infer<typeof ProviderConfigSchema>;
export type Price = z.infer<typeof PriceSchema>;
export type PriceTier = z.infer<typeof PriceTierSchema>;
export type RouteConfig = z.infer<typeof RouteSchema>;
export type BudgetConfig = z.infer<typeof BudgetSchema>;
export type SwitchboardConfig = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

/** A provider with every default filled in from its preset. */
export interface ResolvedProvider {
  id: string;
  name: string;
  kind: ProviderKind;
  baseUrl: string;
  apiKeyEnv: string | null;
  headers: Record<string, string>;
  auth: AuthStyle;
  anthropicVersion?: string;
  models: string[];
  local: boolean;
  /** Its answers say which stop sequence ended them (ProviderPreset.reportsStopMatch: vLLM, SGLang). */
  reportsStopMatch?: true;
}

/** Header names whose values are credentials (scrubbed like keys). */
export const SECRET_HEADER = /auth|key|token|secret/i;

export function resolveProvider(p: ProviderConfig): ResolvedProvider {
  const preset = findPreset(p.id);
  const kind = p.kind ?? preset?.kind;
  const baseUrl = p.baseUrl ?? preset?.baseUrl;
  if (!kind || !baseUrl) {
    throw new SwitchboardError({
      kind: 'config',
      message: `provider "${p.id}" needs "kind" and "baseUrl" (it is not a known preset)`,
      fix: 'add them to the provider entry',
    });
  }
  // A password in the baseUrl (`https://user:pass@host`) is a secret like a key: scrubbed wherever it shows up.
  for (const c of urlCredentials(baseUrl)) registerSecret(c);
  // So is a credential in a header of the entry's (a gateway's own token, a second key), named as the
  // catalog's refresh names them; a "Bearer …" value's token on its own too.
  for (const [name, value] of Object.entries(p.headers ?? {}))
    if (SECRET_HEADER.test(name)) for (const v of [value, /^(?:bearer|basic|token)\s+(\S+)\s*$/i.exec(value)?.[1]]) registerSecret(v);
  const apiKeyEnv = p.apiKeyEnv ?? (preset ? preset.apiKeyEnv : `${p.id.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_API_KEY`);
  return {
    id: p.id,
    name: p.name ?? preset?.name ?? p.id,
    kind,
    baseUrl: baseUrl.replace(/\/+$/, ''),
    apiKeyEnv,
    headers: { ...(preset?.headers ?? {}), ...(p.headers ?? {}) },
    auth: p.auth ?? preset?.auth ?? defaultAuthStyle(kind),
    ...(p.anthropicVersion ? { anthropicVersion: p.anthropicVersion } : {}),
    models: p.models ?? [],
    local: preset?.local ?? false,
    ...(preset?.reportsStopMatch ? { reportsStopMatch: true as const } : {}),
  };
}

/** Render zod issues as "providers[2].baseUrl: must be an http(s) URL". */
export function formatIssues(error: z.ZodError, schema?: z.ZodType): string {
  return error.issues
    .map((i) => `${issuePath(i.path) || '(root)'}: ${i.code === 'unrecognized_keys' && schema ? unknownKeys(i.keys, keysAt(schema, i.path)) : i.message}`)
    .join('; ');
}

/** A schema issue's place, as the APIs name a parameter: `messages[0].content` ('' for the root). */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : acc ? `${acc}.${String(seg)}` : String(seg)), '');
}

/** "Unrecognized key" with what was probably meant (a misspelling, another case) or the keys there are. */
function unknownKeys(keys: string[], known: string[] | null): string {
  const one = (k: string): string => {
    const near = known && closest(k, known);
    return `"${k}"${near ? ` (did you mean "${near}"?)` : ''}`;
  };
  const said = keys.map(one);
  const listed = known && known.length && keys.some((k) => !closest(k, known)) ? `; the keys here are ${known.map((k) => `"${k}"`).join(', ')}` : '';
  return `unknown key${keys.length > 1 ? 's' : ''} ${said.join(', ')}${listed}`;
}

function closest(key: string, known: string[]): string | null {
  return closestNames(key, known, 1)[0] ?? null;
}

/** The keys the schema allows for the object at `path` (null when that is not a plain object). */
function keysAt(schema: z.ZodType, path: PropertyKey[]): string[] | null {
  type Def = { type: string; shape?: Record<string, z.ZodType>; element?: z.ZodType; innerType?: z.ZodType; in?: z.ZodType; valueType?: z.ZodType };
  const unwrap = (t: z.ZodType): Def => {
    let def = (t as unknown as { _zod: { def: Def } })._zod.def;
    for (let n = 0; n < 20; n++) {
      const inner = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
      if (!inner) break;
      def = (inner as unknown as { _zod: { def: Def } })._zod.def;
    }
    return def;
  };
  let def = unwrap(schema);
  for (const seg of path) {
    const next = typeof seg === 'number' ? def.element : def.type === 'record' ? def.valueType : def.shape?.[String(seg)];
    if (!next) return null;
    def = unwrap(next);
  }
  return def.type === 'object' && def.shape ? Object.keys(def.shape) : null;
}

/** Validate an already-parsed object. Throws a `config` SwitchboardError naming the bad fields. */
export function parseConfig(input: unknown, source = 'config'): SwitchboardConfig {
  const r = ConfigSchema.safeParse(input ?? {});
  if (!r.success) {
    throw new SwitchboardError({ kind: 'config', message: `${source} is invalid: ${formatIssues(r.error, ConfigSchema)}`, fix: `fix ${source}` });
  }
  return r.data;
}

export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'switchboard', 'config.json');
}

/**
 * JSON.parse's complaint about a file, saying what and where ("line 4, column 38") but quoting none
 * of the file: V8 quotes the text around an unexpected token, which may be a header's credential.
 */
export function jsonSyntaxError(text: string, parseMessage: string): { what: string; at: string } {
  // V8's words are kept when they are its fixed phrases ("Expected ',' or '}' after property value"),
  // at the position it gives; otherwise (it quotes the text) the scan finds where.
  const positioned = /^(.*?) (in|after) JSON at position (\d+)/.exec(parseMessage);
  const [what, offset] =
    positioned && /^(?:[A-Za-z -]|'[,:{}[\]]')+$/.test(positioned[1]!)
      ? [`${positioned[1]!.replace(/^\w/, (c) => c.toLowerCase())}${positioned[2] === 'after' ? ' after the JSON' : ''}`, Number(positioned[3])]
      : /^Unexpected end/.test(parseMessage)
        ? ['the text ends too early', text.length]
        : ['unexpected character', jsonErrorOffset(text)];
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { what, at: `line ${line}, column ${offset - before.lastIndexOf('\n')}` };
}

/** Where a scan of the JSON grammar stops in `text`: the offset of its first error (text.length: it ends too early, or none found). */
function jsonErrorOffset(text: string): number {
  const n = text.length;
  /** The open objects and arrays ('{' or '['). */
  const open: string[] = [];
  let i = 0;
  type Expect = 'value' | 'valueOrClose' | 'key' | 'keyOrClose' | 'colon' | 'commaOrClose' | 'end';
  const next = (): Expect => (open.length ? 'commaOrClose' : 'end');
  /** A string starting at text[i]: true with i past it, false with i at its fault. */
  const string = (): boolean => {
    for (i++; i < n;) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return true;
      }
      if (c < 0x20) return false;
      if (c !== 92) i++;
      else if (text[i + 1] === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
      else if (text[i + 1] !== undefined && '"\\/bfnrt'.includes(text[i + 1]!)) i += 2;
      else return false;
    }
    return false;
  };
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  let expect: Expect = 'value';
  for (;;) {
    while (i < n && ' \t\n\r'.includes(text[i]!)) i++;
    if (i >= n) return n;
    const c = text[i]!;
    if (expect === 'end') return i;
    if (expect === 'colon') {
      if (c !== ':') return i;
      i++;
      expect = 'value';
    } else if (expect === 'commaOrClose') {
      const top = open[open.length - 1];
      if (c === ',') {
        i++;
        expect = top === '{' ? 'key' : 'value';
      } else if ((c === '}' && top === '{') || (c === ']' && top === '[')) {
        open.pop();
        i++;
        expect = next();
      } else return i;
    } else if (expect === 'key' || expect === 'keyOrClose') {
      if (c === '}' && expect === 'keyOrClose') {
        open.pop();
        i++;
        expect = next();
      } else if (c !== '"' || !string()) return i;
      else expect = 'colon';
    } else if (c === ']' && expect === 'valueOrClose') {
      open.pop();
      i++;
      expect = next();
    } else if (c === '{' || c === '[') {
      open.push(c);
      i++;
      expect = c === '{' ? 'keyOrClose' : 'valueOrClose';
    } else if (c === '"') {
      if (!string()) return i;
      expect = next();
    } else {
      NUMBER.lastIndex = i;
      const word = ['true', 'false', 'null'].find((w) => text.startsWith(w, i));
      const len = word?.length ?? (NUMBER.exec(text)?.[0].length || 0);
      if (len === 0) return i;
      i += len;
      expect = next();
    }
  }
}

/**
 * Load the config: `explicitPath`, else $SWITCHBOARD_CONFIG, else ~/.config/switchboard/config.json.
 * A missing default file is an empty config; a missing explicit file is an error.
 */
export function loadConfig(explicitPath?: string, env: NodeJS.ProcessEnv = process.env): { config: SwitchboardConfig; path: string | null } {
  const fromEnv = env.SWITCHBOARD_CONFIG || undefined; // an empty variable means unset
  const path = explicitPath ?? fromEnv ?? defaultConfigPath(env);
  const explicit = explicitPath !== undefined || fromEnv !== undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (!explicit && (e as NodeJS.ErrnoException).code === 'ENOENT') return { config: parseConfig({}), path: null };
    throw new SwitchboardError({
      kind: 'config',
      message: `cannot read config file ${path}: ${(e as Error).message}`,
      fix: 'check the path given by --config or SWITCHBOARD_CONFIG',
    });
  }
  let json: unknown;
  try {
    // Windows editors (Notepad, PowerShell's Out-File) start UTF-8 files with a byte-order mark, which JSON.parse refuses.
    json = JSON.parse(withoutBom(text));
  } catch (e) {
    const { what, at } = jsonSyntaxError(withoutBom(text), (e as Error).message);
    throw new SwitchboardError({
      kind: 'config',
      message: `config file ${path} is not valid JSON: ${what} at ${at}`,
      fix: `fix the JSON syntax in ${path} at ${at}`,
    });
  }
  // A file whose JSON is not an object (null, a list, a number) configures nothing: say so, not an empty config.
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw new SwitchboardError({
      kind: 'config',
      message: `config file ${path} must hold a JSON object, got ${json === null ? 'null' : Array.isArray(json) ? 'a list' : typeof json}`,
      fix: `write the settings as an object in ${path}: {"providers": [...], "routes": [...]} (an empty file: {})`,
    });
  return { config: parseConfig(json, `config file ${path}`), path };
}
