/**
 * createClient(): the one object every front end uses. It wires the config, keys, HTTP
 * pool, catalog, router and ledger, and offers three views of the same engine:
 * - `stream(req)` / `complete(req)`: the rich, typed stream and result (the UI's view);
 * - `chat.completions.create(params)`: the OpenAI SDK's shapes for every provider;
 * - `compare(req, models)`: one request to several models in parallel.
 */
import { randomUUID } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { Catalog } from './catalog/catalog.ts';
import { ChatStream } from './chatStream.ts';
import { systemClock, type Clock } from './clock.ts';
import { DEFAULT_LIMITS, parseConfig, resolveProvider, type ConfigInput, type ResolvedProvider, type SwitchboardConfig } from './config.ts';
import { createAgent, DEFAULT_TIMEOUTS, proxyFromEnv, type ProxySettings, type Timeouts } from './http/request.ts';
import {
  addWarnings,
  toChatCompletion,
  toChatRequest,
  toChunks,
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatCompletionCreateParams,
  type ChunkStream,
} from './openaiFacade.ts';
import type { HostModelSource } from './hostModels.ts';
import { createLanguageModel, type ProviderContext } from './providers/index.ts';
import { ModelResolver } from './resolve.ts';
import { compareModels, type CompareOptions, type CompareRun } from './router/compare.ts';
import { countInputTokens, type TokenCount } from './countTokens.ts';
import { CooldownTracker, type CooldownOptions } from './router/cooldown.ts';
import { LatencyTracker } from './router/latency.ts';
import type { LedgerEntryInput, UsageStore } from './router/ledger.ts';
import { DEFAULT_RETRY, Router, type ChatRequest, type RetryPolicy } from './router/router.ts';
import type { ModelFacts } from './router/strategy.ts';
import { leaderboardRatings } from './eval/ratingsFile.ts';
import type { BudgetAlert, ChatResult, LanguageModel } from './types.ts';
import type { SettingsPlace } from './router/needs.ts';
import type { SwitchboardError } from './errors.ts';

export interface ClientOptions {
  /** Where keys come from by default (the CLI's environment). */
  env?: NodeJS.ProcessEnv;
  /** Key lookup; the extension passes SecretStorage-backed keys here. Defaults to `env[apiKeyEnv]`. */
  getApiKey?: (provider: ResolvedProvider) => string | undefined;
  /**
   * The key the catalog's model-list fetch sends (a background refresh, not a request the user made);
   * defaults to getApiKey. A throw is taken as "no key": that provider's list is not fetched.
   */
  getCatalogKey?: (provider: ResolvedProvider) => string | undefined;
  /** How to tell the user to add a key. Defaults to naming the env var. */
  keyHint?: (provider: ResolvedProvider) => string;
  dispatcher?: Dispatcher;
  /** The proxy for the client's own pool (not an injected dispatcher). Default: what `env` names (proxyFromEnv); null: none. */
  proxy?: ProxySettings | null;
  clock?: Clock;
  catalog?: Catalog;
  /** Usage ledger; budgets read spend from it. */
  ledger?: UsageStore;
  /** Ledger tag for requests made through this client. */
  frontEnd?: string;
  /**
   * The spend session requests count toward (budget.perSession, the session totals). A function
   * is read at each request (VS Code can start a new session without a new client). Default: one
   * session for this client's lifetime (a CLI run, a gateway process).
   */
  session?: string | (() => string);
  /** Called once for each budget alert fired (50/80/100 % of a cap); the alert is also a warning part of the request that fired it. */
  onBudgetAlert?: (alert: BudgetAlert) => void;
  /** Called after each answer's entry is written to the ledger (a live spend display refreshes on it). */
  onRecorded?: (entry: LedgerEntryInput) => void;
  /** Names the config source in errors ("the config file ~/.config/…", "settings"). */
  configHint?: string;
  /**
   * Where the user changes a setting, for the fixes errors give: the config file's keys
   * (`capabilities["openai/gpt-4o"]…` "in the config", the default) or VS Code's settings
   * (`switchboard.capabilities`).
   */
  settingsIn?: SettingsPlace;
  /**
   * The fix for a model of a preset provider that is not configured, by preset id (VS Code: set its
   * key, which is all it needs there); null or unset: add it to the config and set its environment variable.
   */
  presetFix?: (presetId: string) => string | null;
  cooldown?: Partial<CooldownOptions>;
  retry?: Partial<RetryPolicy>;
  random?: () => number;
  /** Model adapters by resolved model; tests use it to count or wrap calls. */
  createModel?: (provider: ResolvedProvider, wireModel: string, ctx: ProviderContext) => LanguageModel;
  catalogCacheFile?: string | null;
  /**
   * The workspace's leaderboard file (`.switchboard/leaderboard.json`), read by routes with
   * strategy "best" (re-read when it changes). Unset: such routes keep their order, with a warning.
   */
  leaderboardFile?: string | null;
  /** Where newer price data is cached (fetched on catalog refresh unless `catalog.priceUpdates` is false). null: bundled data only. */
  priceDataCacheFile?: string | null;
  /** Models the front end supplies itself (VS Code's language models): ids `<source id>/…`, used like any other. */
  hostModels?: readonly HostModelSource[];
}

export interface SwitchboardClient {
  readonly config: SwitchboardConfig;
  readonly providers: ResolvedProvider[];
  readonly resolver: ModelResolver;
  readonly catalog: Catalog;
  readonly cooldowns: CooldownTracker;
  readonly latency: LatencyTracker;
  /** The spend session this client's requests count toward now. */
  session(): string;
  stream(req: ChatRequest): ChatStream;
  /**
   * The error `stream(req)` would end with before sending anything (an unknown model, a prompt over
   * the model's known context window, a capability it lacks), or null: nothing is sent or recorded.
   * A caller that prepares costly work before sending (the chat stores the question first) skips it.
   */
  refusal(req: ChatRequest): SwitchboardError | null;
  complete(req: ChatRequest): Promise<ChatResult>;
  compare(req: Omit<ChatRequest, 'model'>, models: string[], opts?: CompareOptions): CompareRun;
  /** The request's input tokens by the answering provider's own count (Anthropic, Gemini); `none` where it has no such endpoint. */
  countTokens(req: ChatRequest): Promise<TokenCount>;
  chat: {
    completions: {
      create(params: ChatCompletionCreateParams & { stream: true }, options?: { signal?: AbortSignal }): Promise<ChunkStream>;
      create(params: ChatCompletionCreateParams & { stream?: false | null }, options?: { signal?: AbortSignal }): Promise<ChatCompletion>;
      create(params: ChatCompletionCreateParams, options?: { signal?: AbortSignal }): Promise<ChatCompletion | ChunkStream>;
    };
  };
  /** Close the client's own connection pool (not an injected dispatcher). */
  close(): Promise<void>;
}

export function createClient(configInput: ConfigInput | SwitchboardConfig = {}, options: ClientOptions = {}): SwitchboardClient {
  const config = parseConfig(configInput, options.configHint ?? 'config');
  const env = options.env ?? process.env;
  const providers = config.providers.map(resolveProvider);
  const hostModels = options.hostModels ?? [];
  const resolver = new ModelResolver(providers, config.routes, options.configHint ?? 'the config file', config.aliases, hostModels, options.presetFix);
  const clock = options.clock ?? systemClock;
  const timeouts: Timeouts = {
    connectMs: config.timeouts.connectMs ?? DEFAULT_TIMEOUTS.connectMs,
    headersMs: config.timeouts.headersMs ?? DEFAULT_TIMEOUTS.headersMs,
    idleMs: config.timeouts.idleMs ?? DEFAULT_TIMEOUTS.idleMs,
  };
  const ownAgent = options.dispatcher ? null : createAgent(timeouts, options.proxy !== undefined ? options.proxy : proxyFromEnv(env));
  const dispatcher = options.dispatcher ?? ownAgent!;
  const getApiKey = options.getApiKey ?? ((p: ResolvedProvider) => (p.apiKeyEnv ? env[p.apiKeyEnv] : undefined));
  const getCatalogKey = options.getCatalogKey ?? getApiKey;
  const keyHint =
    options.keyHint ??
    ((p: ResolvedProvider) =>
      !p.apiKeyEnv
        ? `configure a key for "${p.id}"`
        : env[p.apiKeyEnv] !== undefined && env[p.apiKeyEnv]!.trim() === ''
          ? `${p.apiKeyEnv} is set but empty: set it to the key (export ${p.apiKeyEnv}=…)`
          : `set the ${p.apiKeyEnv} environment variable`);
  // The catalog is built below; protocols ask it for a model's capabilities (output limit, reasoning).
  const ctx: ProviderContext = {
    getApiKey,
    keyHint,
    dispatcher,
    timeouts,
    capabilities: (id) => catalog.capabilities(id),
    wireProtocol: (id) => config.wireProtocols[id],
  };
  const catalog =
    options.catalog ??
    new Catalog({
      config,
      providers,
      getApiKey: (id: string) => {
        const p = resolver.provider(id);
        return p ? getCatalogKey(p) : undefined;
      },
      dispatcher,
      cacheFile: options.catalogCacheFile ?? null,
      now: () => clock.now(),
      priceData: priceDataOption(config, options.priceDataCacheFile),
      hostSources: hostModels,
    });
  // The catalog answers the router's questions about context windows and prices.
  const facts: ModelFacts = catalog;
  const make = options.createModel ?? createLanguageModel;
  const models = new Map<string, LanguageModel>();
  const ownSession = `${options.frontEnd ?? 'library'}-${randomUUID()}`;
  const given = options.session;
  const session = typeof given === 'function' ? given : () => given ?? ownSession;
  const cooldowns = new CooldownTracker(() => clock.now(), options.cooldown);
  const latency = new LatencyTracker();
  const router = new Router({
    resolver,
    facts,
    createModel: (m) => {
      let lm = models.get(m.id);
      if (!lm) {
        lm = m.host ? m.host.createModel(m.wireModel) : make(m.provider, m.wireModel, ctx);
        models.set(m.id, lm);
      }
      return lm;
    },
    clock,
    cooldowns,
    latency,
    retry: {
      ...DEFAULT_RETRY,
      ...(config.retries.maxRetries !== undefined ? { maxRetries: config.retries.maxRetries } : {}),
      ...(config.retries.maxRetryDelayMs !== undefined ? { maxRetryAfterMs: config.retries.maxRetryDelayMs } : {}),
      ...options.retry,
    },
    firstTokenMs: { single: config.timeouts.firstTokenMs ?? 0, route: config.timeouts.firstTokenMs || 20_000 },
    limits: {
      maxAnswerChars: config.limits.maxAnswerChars ?? DEFAULT_LIMITS.maxAnswerChars,
      maxAnswerMs: config.limits.maxAnswerMs ?? DEFAULT_LIMITS.maxAnswerMs,
    },
    ...(config.budget ? { budget: config.budget } : {}),
    ...(options.ledger ? { ledger: options.ledger } : {}),
    ...(options.random ? { random: options.random } : {}),
    ...(options.leaderboardFile ? { ratings: leaderboardRatings(options.leaderboardFile) } : {}),
    session,
    ...(options.settingsIn ? { settingsIn: options.settingsIn } : {}),
    ...(options.onBudgetAlert ? { onBudgetAlert: options.onBudgetAlert } : {}),
    ...(options.onRecorded ? { onRecorded: options.onRecorded } : {}),
  });

  const stream = (req: ChatRequest): ChatStream => {
    // The caller's signal aborts the stream's own controller (a listener, removed when the stream
    // settles: cheaper per request than AbortSignal.any, whose composite signals Node tracks).
    const controller = new AbortController();
    const outer = req.signal;
    let detach: (() => void) | undefined;
    if (outer?.aborted) controller.abort(outer.reason);
    else if (outer) {
      const onAbort = (): void => controller.abort(outer.reason);
      outer.addEventListener('abort', onAbort, { once: true });
      detach = () => outer.removeEventListener('abort', onAbort);
    }
    const full: ChatRequest = { ...req, signal: controller.signal };
    if (full.frontEnd === undefined && options.frontEnd !== undefined) full.frontEnd = options.frontEnd;
    return new ChatStream(router.run(full), controller, detach);
  };

  async function create(params: ChatCompletionCreateParams, opts?: { signal?: AbortSignal }): Promise<ChatCompletion | ChunkStream> {
    const { req, warnings, stream: streamed, includeUsage } = toChatRequest(params, opts?.signal);
    const s = stream(req);
    if (!streamed) {
      // Iterated rather than awaited: the stream's warning parts belong in the response.
      for await (const part of s) if (part.type === 'warning') addWarnings(warnings, [part.message]);
      const r = await s.result;
      if (r.error) throw r.error;
      return toChatCompletion(r, Math.floor(Date.now() / 1000), warnings);
    }
    const chunks = toChunks(s, req.model, includeUsage, warnings);
    // Like the SDK, errors before the first chunk reject create() itself.
    const first = await chunks.next();
    let usedFirst = false;
    // A hand-written iterator over the generator: no second async generator (and its ticks) per chunk.
    const iterable: ChunkStream = {
      controller: { abort: (reason?: unknown) => s.cancel(reason), signal: s.signal } as AbortController,
      result: s.result,
      warnings,
      [Symbol.asyncIterator](): AsyncIterator<ChatCompletionChunk> {
        return {
          next: () => {
            if (!usedFirst) {
              usedFirst = true;
              return Promise.resolve(first);
            }
            return chunks.next();
          },
          return: async () => {
            usedFirst = true;
            await chunks.return(undefined);
            return { done: true, value: undefined };
          },
        };
      },
    };
    return iterable;
  }

  return {
    config,
    providers,
    resolver,
    catalog,
    cooldowns,
    latency,
    session,
    stream,
    refusal: (req) => router.refusal(req),
    complete: (req) => stream(req).result,
    compare: (req, list, opts) => compareModels(stream, req, list, opts),
    countTokens: (req) => {
      const { model, frontEnd: _fe, firstTokenTimeoutMs: _ft, passthrough: _p, ...neutral } = req;
      return countInputTokens(resolver, ctx, model, neutral);
    },
    chat: { completions: { create: create as SwitchboardClient['chat']['completions']['create'] } },
    close: async () => {
      await ownAgent?.close();
    },
  };
}

function priceDataOption(config: SwitchboardConfig, cacheFile: string | null | undefined): { cacheFile: string; url?: string } | null {
  if (!cacheFile || config.catalog.priceUpdates === false) return null;
  return config.catalog.priceDataUrl ? { cacheFile, url: config.catalog.priceDataUrl } : { cacheFile };
}
