/** Switchboard's core library: one client for every LLM provider. No VS Code here. */
export { createClient, type ClientOptions, type SwitchboardClient } from './client.ts';
export { ChatStream } from './chatStream.ts';
export { loadConfig, parseConfig, resolveProvider, defaultConfigPath, ConfigSchema, type SwitchboardConfig, type ConfigInput, type ResolvedProvider, type RouteConfig, type BudgetConfig, type Price } from './config.ts';
export { SwitchboardError, ERROR_KINDS, classifyHttpError, parseRetryAfter, type ErrorKind } from './errors.ts';
export { PRESETS, KEY_ENV_VARS, findPreset, type ProviderPreset, type ProviderKind } from './providers/presets.ts';
export { ModelResolver, ROUTE_PREFIX } from './resolve.ts';
export { systemClock, type Clock } from './clock.ts';
export { Catalog } from './catalog/catalog.ts';
export { computeCost, estimateCost, estimateTokens, formatUsd } from './catalog/cost.ts';
export { MemoryUsageStore, defaultLedgerPath, summarize, totalsAt, type UsageStore, type LedgerEntry, type UsageReport } from './router/ledger.ts';
export { SqliteUsageStore, openLedgerAt } from './router/sqliteLedger.ts';
export { tokensPerSecond, type CompareResult, type CompareRun, type CompareEntry, type CompareOptions } from './router/compare.ts';
export type { ChatRequest, RetryPolicy } from './router/router.ts';
export type { ChatCompletion, ChatCompletionChunk, ChatCompletionCreateParams, ChunkStream } from './openaiFacade.ts';
export type * from './types.ts';
