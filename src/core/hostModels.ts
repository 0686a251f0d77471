/**
 * Models a front end supplies itself instead of reaching them over HTTP: VS Code's language
 * models (Copilot's, other extensions'), which only the extension host can call. The core stays
 * free of `vscode`: the host hands in a source that lists its models and makes their adapters,
 * and from there they are ids like any other (`<source>/<rest>`), in routes, failover, compare,
 * the catalog, the ledger and budgets.
 */
import type { LanguageModel, ModelCapabilities } from './types.ts';

/** One model a host source offers now. */
export interface HostModelInfo {
  /** The id after the source's prefix (`copilot/gpt-4o` for `vscode/copilot/gpt-4o`). */
  model: string;
  name: string;
  capabilities: ModelCapabilities;
}

export interface HostModelSource {
  /** The provider id its models go under (`vscode`); a configured provider may not use it. */
  readonly id: string;
  /** Shown where providers are named ("VS Code"). */
  readonly name: string;
  /**
   * How its use is paid for. `included`: covered by a subscription the user already has, with no
   * price per request: never $0 (nothing says it is free), never "unknown" (nothing is missing),
   * counted apart in the usage report and left out of budgets.
   */
  readonly billing: 'included';
  /** The models it offers at this moment (the host keeps it current). */
  list(): readonly HostModelInfo[];
  /** The adapter for one of its models (`model` as in HostModelInfo). */
  createModel(model: string): LanguageModel;
}

/** The source an id belongs to and the id's rest, or null (a `provider/model` of a configured provider, a route…). */
export function hostModelOf(sources: readonly HostModelSource[], id: string): { source: HostModelSource; model: string } | null {
  const slash = id.indexOf('/');
  if (slash <= 0 || slash === id.length - 1) return null;
  const prefix = id.slice(0, slash);
  const source = sources.find((s) => s.id === prefix);
  return source ? { source, model: id.slice(slash + 1) } : null;
}
