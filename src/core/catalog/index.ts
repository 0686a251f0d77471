/** The model catalog: snapshot prices, live refresh, cost arithmetic. */
export {
  Catalog,
  DEFAULT_REFRESH_TIMEOUT_MS,
  DEFAULT_TTL_MS,
  parseOpenAIModels,
  parseOpenRouterModels,
  perTokenToPerMillion,
  type CatalogOptions,
  type ModelInfo,
  type ModelSource,
  type RefreshError,
  type RefreshedModel,
  type RefreshResult,
} from './catalog.ts';
export { computeCost, estimateCost, estimateMessageTokens, estimateTokens } from './cost.ts';
export { findSnapshot, openrouterSlugOf, SNAPSHOT, SNAPSHOT_DATE, type SnapshotModel } from './snapshot.ts';
