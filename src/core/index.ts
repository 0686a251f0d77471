/** Switchboard's core library: one client for every LLM provider. No VS Code here. */
export { createClient, type ClientOptions, type SwitchboardClient } from './client.ts';
export type { SettingsPlace } from './router/needs.ts';
export { ChatStream } from './chatStream.ts';
export {
  loadConfig,
  parseConfig,
  resolveProvider,
  defaultConfigPath,
  jsonSyntaxError,
  ConfigSchema,
  type SwitchboardConfig,
  type ConfigInput,
  type ResolvedProvider,
  type RouteConfig,
  type BudgetConfig,
  type Price,
} from './config.ts';
export { SwitchboardError, ERROR_KINDS, classifyHttpError, parseRetryAfter, type ErrorKind } from './errors.ts';
export { PRESETS, PROVIDER_KINDS, KEY_ENV_VARS, findPreset, type ProviderPreset, type ProviderKind } from './providers/presets.ts';
export { ModelResolver, ROUTE_PREFIX } from './resolve.ts';
export { NAMESPACE_SEPARATOR, namespacedName } from './providers/openai-responses/decode.ts';
export { hostModelOf, type HostModelSource, type HostModelInfo } from './hostModels.ts';
export { systemClock, type Clock } from './clock.ts';
export { Catalog, type ModelInfo } from './catalog/catalog.ts';
export { cheaperRates, computeCost, estimateCost, estimateTokens } from './catalog/cost.ts';
export { lookupDbModel, priceDataInfo, pricesAsOfLabel, type PriceDataInfo } from './catalog/priceDb.ts';
export { findSnapshot } from './catalog/snapshot.ts';
export { DEFAULT_EXPECTED_OUTPUT } from './router/strategy.ts';
export {
  MemoryUsageStore,
  defaultLedgerPath,
  localDayKey,
  recordedSpend,
  summarize,
  totalsAt,
  type UsageStore,
  type LedgerEntry,
  type SpendTotals,
  type UsageReport,
} from './router/ledger.ts';
export { ALERT_THRESHOLDS, isBudgetAlertMessage } from './router/alerts.ts';
export { SqliteUsageStore, LedgerError, openLedgerAt, loadSqlite } from './router/sqliteLedger.ts';
export { tokensPerSecond, type CompareResult, type CompareRun, type CompareEntry, type CompareOptions } from './router/compare.ts';
export type { ChatRequest, RetryPolicy } from './router/router.ts';
export { PARTIAL_KEPT } from './router/router.ts';
export type { TokenCount } from './countTokens.ts';
export {
  addWarnings,
  toChatCompletion,
  toChatRequest,
  toChunks,
  toChunksOrFrames,
  type FrameIterator,
  type FacadeRequest,
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatCompletionCreateParams,
  type ChunkStream,
} from './openaiFacade.ts';
export { translateParams } from './openaiParams.ts';
export type * from './types.ts';
// For the front ends' own requests (key verification, the gateway's log scrubbing) and the key
// registry (every known key is scrubbed from logs and errors, whoever writes them).
export { redactSecrets, redactKnown, registerSecret, redactUrl, stripControl } from './redact.ts';
export { createAgent, DEFAULT_TIMEOUTS, getText, proxyFromEnv, type ProxySettings } from './http/request.ts';
export { authHeaders, errorMarked, providerOptionsLeftOut, TOOL_ERROR_PREFIX } from './providers/shared.ts';
export { ANTHROPIC_VERSION } from './providers/anthropic/anthropicModel.ts';
export * from './eval/index.ts';
export { closestNames } from './closest.ts';
export { makeDirs } from './makeDirs.ts';
export { readUserFile, withoutBom } from './userFile.ts';
