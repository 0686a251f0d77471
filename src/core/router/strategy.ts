/** Which candidates a route tries, and in what order. */
import type { Price, RouteConfig } from '../config.ts';
import type { ModelCapabilities } from '../request.ts';
import { estimateCost } from '../catalog/cost.ts';
import type { LatencyTracker } from './latency.ts';

/** What the router needs to know about a model. */
export interface ModelFacts {
  contextLength(id: string): number | null;
  price(id: string): Price | null;
  /** What a model can do; without it every model is assumed able to serve any request. */
  capabilities?(id: string): ModelCapabilities;
  /** The most output tokens the model gives in one answer, when known (budgets reserve up to it). */
  maxOutput?(id: string): number | null;
  /** Its use is included in a subscription (no dollar price): budgets leave it out, "cheapest" counts it as free of charge. */
  included?(id: string): boolean;
}

export interface Candidate {
  id: string;
  /** Why it was left out, when it was. */
  skip?: string;
  /** Left out because it cannot do what the request needs (tools, images…), not for its size or price. */
  unmet?: boolean;
}

const INCLUDED_PRICE: Price = { input: 0, output: 0 };

/** A model's context window in tokens: what it can do (a host's own figure), else the catalog's; null when unknown. */
export function contextWindowOf(facts: ModelFacts, id: string): number | null {
  return facts.capabilities?.(id)?.contextWindow ?? facts.contextLength(id);
}

/** Default expected answer length when the request sets no max_tokens (for cost estimates). */
export const DEFAULT_EXPECTED_OUTPUT = 1000;

/**
 * Order a route's models by its strategy and mark those that fail its constraints or whose
 * context window cannot hold the prompt. Unknown facts never pass a constraint.
 */
export function planRoute(
  route: RouteConfig,
  facts: ModelFacts,
  latency: LatencyTracker,
  inputTokens: number,
  maxTokens: number | undefined,
  /** For strategy "best": the leaderboard's ratings, and where to say what could not be honoured. */
  best?: { ratings: (tag: string | undefined) => ReadonlyMap<string, number>; notes: string[] },
): Candidate[] {
  const expectedOutput = maxTokens ?? DEFAULT_EXPECTED_OUTPUT;
  const c = route.constraints ?? {};
  const marked = route.models.map((id, order): Candidate & { order: number } => {
    const ctx = facts.contextLength(id);
    // No extra money per request: passes price ceilings as a price of 0 would.
    const price = facts.included?.(id) ? INCLUDED_PRICE : facts.price(id);
    let skip: string | undefined;
    if (c.minContext !== undefined && (ctx === null || ctx < c.minContext)) skip = `context window ${ctx ?? 'unknown'} < minContext ${c.minContext}`;
    else if (c.maxInputPrice !== undefined && (!price || price.input > c.maxInputPrice))
      skip = `input price ${price ? `$${price.input}/1M` : 'unknown'} > maxInputPrice $${c.maxInputPrice}/1M`;
    else if (c.maxOutputPrice !== undefined && (!price || price.output > c.maxOutputPrice))
      skip = `output price ${price ? `$${price.output}/1M` : 'unknown'} > maxOutputPrice $${c.maxOutputPrice}/1M`;
    else if (ctx !== null && inputTokens + (maxTokens ?? 0) > ctx)
      skip = `prompt of ~${inputTokens} tokens${maxTokens ? ` + ${maxTokens} output` : ''} exceeds its context window of ${ctx}`;
    return skip ? { id, skip, order } : { id, order };
  });
  const price = (id: string): number => {
    const p = facts.included?.(id) ? INCLUDED_PRICE : facts.price(id);
    return p ? estimateCost(inputTokens, expectedOutput, p) : Number.POSITIVE_INFINITY;
  };
  const bestKey = route.strategy === 'best' ? leaderboardKey(route, best, price) : null;
  const key = (m: { id: string; order: number }): number => {
    switch (route.strategy) {
      case 'best':
        return bestKey!(m.id);
      case 'ordered':
        return m.order;
      case 'cheapest':
        return price(m.id);
      case 'fastest':
        return latency.get(m.id) ?? Number.POSITIVE_INFINITY;
    }
  };
  // Stable sort: ties (and unknowns) keep the route's order.
  return marked
    .map((m) => ({ m, k: key(m) }))
    .sort((a, b) => (a.k === b.k ? a.m.order - b.m.order : a.k - b.k))
    .map(({ m }) => (m.skip ? { id: m.id, skip: m.skip } : { id: m.id }));
}

/**
 * The sort key of strategy "best": the highest rating first; with `withinPoints`, the models rated
 * within that many points of the best come first, cheapest first. Unrated models keep the route's
 * order after the rated ones; with no ratings at all the route's order stands and a note says so.
 */
function leaderboardKey(
  route: RouteConfig,
  best: { ratings: (tag: string | undefined) => ReadonlyMap<string, number>; notes: string[] } | undefined,
  price: (id: string) => number,
): (id: string) => number {
  let ratings: ReadonlyMap<string, number>;
  try {
    ratings = best?.ratings(route.tag) ?? new Map();
  } catch (e) {
    best?.notes.push(`route "${route.id}": the leaderboard cannot be read (${(e as Error).message}); using the route's order`);
    return () => 0;
  }
  const rated = route.models.filter((id) => ratings.has(id));
  if (rated.length === 0) {
    best?.notes.push(
      `route "${route.id}" (strategy "best"${route.tag ? `, tag "${route.tag}"` : ''}): no leaderboard ratings for its models yet; using the route's order. Run a test set or vote in comparisons to rate them.`,
    );
    return () => 0;
  }
  const top = Math.max(...rated.map((id) => ratings.get(id)!));
  const within = route.withinPoints;
  const near = within === undefined ? [] : rated.filter((id) => ratings.get(id)! >= top - within).sort((a, b) => price(a) - price(b));
  // Keys: near models 0..k (by price), then the others by rating, then unrated (equal keys keep the route order).
  return (id) => {
    const n = near.indexOf(id);
    if (n >= 0) return n;
    const r = ratings.get(id);
    return r === undefined ? Number.POSITIVE_INFINITY : near.length + (top - r);
  };
}
