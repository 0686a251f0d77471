/**
 * Whether a model picked earlier can still be asked (a comparison's chips outlive the catalog they
 * were picked from): its provider may have left the settings or lost the key that made it usable, or
 * its route may be gone. No 'vscode' and nothing sent: the same checks a request makes first.
 */
import type { ResolvedProvider, SwitchboardClient } from '../../core/index.ts';

/** What "Switchboard: Set API Key" fixes, as the client's errors say it (services/clients.ts). */
export function setKeyHint(p: Pick<ResolvedProvider, 'name'>): string {
  return `run "Switchboard: Set API Key" for ${p.name}`;
}

/** A message to ask the refusal check with (no prompt is too long, no capability needed). */
const PROBE = [{ role: 'user' as const, content: '?' }];

/**
 * Why `model` cannot be asked now, or null: the client's refusal of it for its configuration (an
 * unknown provider or route), else no key stored for the provider it goes to (one that needs a key).
 */
export function unavailableWhy(
  client: Pick<SwitchboardClient, 'refusal' | 'resolver'>,
  keyFor: (p: ResolvedProvider) => string | undefined,
  model: string,
): string | null {
  const refused = client.refusal({ model, messages: PROBE });
  if (refused) return refused.kind === 'config' ? `${refused.detail}${refused.fix ? `: ${refused.fix}` : ''}` : null;
  const target = client.resolver.resolve(model);
  const p = target.type === 'model' ? target.model.provider : null;
  if (!p || p.local || p.auth === 'none' || p.apiKeyEnv === null || keyFor(p) !== undefined) return null;
  return `no API key for provider "${p.id}": ${setKeyHint(p)}`;
}

/** The models of `ids` that cannot be asked now, each with why. */
export function unavailableModels(
  client: Pick<SwitchboardClient, 'refusal' | 'resolver'>,
  keyFor: (p: ResolvedProvider) => string | undefined,
  ids: Iterable<string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const id of new Set(ids)) {
    const why = unavailableWhy(client, keyFor, id);
    if (why) out[id] = why;
  }
  return out;
}
