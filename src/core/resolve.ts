/**
 * Model ids → adapters. `provider/model` goes to that provider when configured; otherwise the
 * whole id goes to OpenRouter when that is configured (its slugs are the same vendor/model ids).
 * `route/<id>` names a route (see router/).
 */
import type { ResolvedProvider, RouteConfig } from './config.ts';
import { SwitchboardError } from './errors.ts';
import { hostModelOf, type HostModelSource } from './hostModels.ts';
import { findPreset } from './providers/presets.ts';
import { stripControl } from './redact.ts';

/** A model reached over HTTP through a configured provider, or one a host source supplies (hostModels.ts). */
export type ResolvedModel =
  | {
      /** The canonical `provider/model` id (as asked; through OpenRouter it is still the vendor's id). */
      id: string;
      /** The id's provider: the configured one it goes to (`openrouter` through OpenRouter). */
      providerId: string;
      provider: ResolvedProvider;
      host?: undefined;
      /** What goes on the wire as the model name. */
      wireModel: string;
      /** True when reached through OpenRouter instead of the vendor's own API. */
      viaOpenRouter: boolean;
    }
  | { id: string; providerId: string; provider: null; host: HostModelSource; /** The id after the source's prefix. */ wireModel: string; viaOpenRouter: false };

export type Target = { type: 'model'; model: ResolvedModel } | { type: 'route'; route: RouteConfig };

export const ROUTE_PREFIX = 'route/';

/** Where a `provider/model` id goes: the one rule, used by the resolver and the catalog. */
export interface ModelRoute {
  providerId: string;
  /** The id after the first slash. */
  model: string;
  /** The configured provider the id names (by id or preset alias), or null. */
  direct: ResolvedProvider | null;
  /** Direct to that provider, through OpenRouter (provider not configured), or nowhere. */
  via: 'direct' | 'openrouter' | null;
  /** What goes on the wire as the model name (null when nowhere). */
  wireModel: string | null;
}

/** The provider by id, or by its preset alias. */
export function directProvider(providers: ReadonlyMap<string, ResolvedProvider>, providerId: string): ResolvedProvider | null {
  return providers.get(providerId) ?? providers.get(findPreset(providerId)?.id ?? '') ?? null;
}

/** Route a `provider/model` id; null when it is not of that shape. */
export function routeModelId(providers: ReadonlyMap<string, ResolvedProvider>, id: string): ModelRoute | null {
  const slash = id.indexOf('/');
  if (slash <= 0 || slash === id.length - 1) return null;
  const providerId = id.slice(0, slash);
  const model = id.slice(slash + 1);
  const direct = directProvider(providers, providerId);
  // OpenRouter's own slugs (openrouter/auto) keep their prefix on the wire.
  if (direct) return { providerId, model, direct, via: 'direct', wireModel: direct.id === 'openrouter' && !model.includes('/') ? id : model };
  if (providers.has('openrouter')) return { providerId, model, direct: null, via: 'openrouter', wireModel: id };
  return { providerId, model, direct: null, via: null, wireModel: null };
}

export class ModelResolver {
  private readonly providers: Map<string, ResolvedProvider>;
  private readonly routes: Map<string, RouteConfig>;
  private readonly configHint: string;
  private readonly aliases: Map<string, string>;
  private readonly hosts: readonly HostModelSource[];
  private readonly presetFix: ((presetId: string) => string | null) | undefined;

  /**
   * `presetFix`: how this front end makes a preset provider that is not configured usable (VS Code:
   * storing its key is enough); null or unset: add it to the config and set its environment variable.
   */
  constructor(
    providers: ResolvedProvider[],
    routes: RouteConfig[],
    configHint = 'the config file',
    aliases: Record<string, string> = {},
    hosts: readonly HostModelSource[] = [],
    presetFix?: (presetId: string) => string | null,
  ) {
    for (const h of hosts)
      if (providers.some((p) => p.id === h.id))
        throw new SwitchboardError({
          kind: 'config',
          message: `provider id "${h.id}" is taken by ${h.name}'s own models`,
          fix: `rename the provider "${h.id}" in ${configHint}`,
        });
    this.hosts = hosts;
    this.providers = new Map(providers.map((p) => [p.id, p]));
    this.routes = new Map(routes.map((r) => [r.id, r]));
    this.configHint = configHint;
    this.aliases = new Map(Object.entries(aliases));
    this.presetFix = presetFix;
  }

  /** The configured aliases (name → model or route id). */
  get aliasList(): [string, string][] {
    return [...this.aliases];
  }

  /** The model or route an alias stands for; any other id unchanged. */
  unalias(id: string): string {
    return this.aliases.get(id) ?? id;
  }

  get providerList(): ResolvedProvider[] {
    return [...this.providers.values()];
  }

  get routeList(): RouteConfig[] {
    return [...this.routes.values()];
  }

  provider(id: string): ResolvedProvider | undefined {
    return this.providers.get(id);
  }

  resolve(asked: string): Target {
    if (stripControl(asked) !== asked) {
      // A model id never holds control characters; one that does would forge lines in logs and errors.
      throw new SwitchboardError({
        kind: 'config',
        message: `"${stripControl(asked)}" is not a model id (it contains control characters)`,
        fix: 'use "provider/model", e.g. "openai/gpt-4o-mini"',
      });
    }
    const id = this.unalias(asked);
    if (id.startsWith(ROUTE_PREFIX)) {
      const route = this.routes.get(id.slice(ROUTE_PREFIX.length));
      if (route) return { type: 'route', route };
      if (!this.providers.has('route')) {
        const known = [...this.routes.keys()].map((r) => ROUTE_PREFIX + r).join(', ');
        throw new SwitchboardError({
          kind: 'config',
          message: `unknown route "${id}"`,
          model: id,
          fix: known ? `known routes: ${known}` : `add it to "routes" in ${this.configHint}`,
        });
      }
    }
    return { type: 'model', model: this.resolveModel(id) };
  }

  resolveModel(asked: string): ResolvedModel {
    const id = this.unalias(asked);
    const hosted = hostModelOf(this.hosts, id);
    if (hosted) return { id, providerId: hosted.source.id, provider: null, host: hosted.source, wireModel: hosted.model, viaOpenRouter: false };
    const r = routeModelId(this.providers, id);
    if (!r) {
      const known = [...this.aliases.keys(), ...[...this.routes.keys()].map((r) => ROUTE_PREFIX + r)];
      throw new SwitchboardError({
        kind: 'config',
        message: `"${id}" is not a model id${known.length ? ` nor a configured name (configured: ${known.join(', ')})` : ''}`,
        model: id,
        fix: `use "provider/model" (e.g. "openai/gpt-4o-mini"), "route/<id>", or map the name with "aliases": {"${id}": "provider/model"} in ${this.configHint}`,
      });
    }
    const { providerId, model: rest, wireModel } = r;
    if (r.direct && wireModel !== null) return { id, providerId: r.direct.id, provider: r.direct, wireModel, viaOpenRouter: r.direct.id === 'openrouter' };
    const openrouter = this.providers.get('openrouter');
    if (r.via === 'openrouter' && openrouter && wireModel !== null)
      return { id, providerId: openrouter.id, provider: openrouter, wireModel, viaOpenRouter: true };
    const preset = findPreset(providerId);
    const add = preset
      ? (this.presetFix?.(preset.id) ??
        `add {"id": "${preset.id}"} to "providers" in ${this.configHint}${preset.apiKeyEnv ? ` and set ${preset.apiKeyEnv}` : ''}`)
      : `add {"id": "${providerId}", "kind": "openai", "baseUrl": "…"} to "providers" in ${this.configHint}`;
    throw new SwitchboardError({
      kind: 'config',
      message: `provider "${providerId}" is not configured (needed for "${id}")`,
      provider: providerId,
      model: rest,
      fix: `${add}, or configure "openrouter" to reach every vendor/model through OpenRouter`,
    });
  }
}
