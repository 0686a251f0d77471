/**
 * The extension rebuilds its client when settings or keys change (the clients share one connection
 * pool: services/clients.ts). Work that outlives one request (the gateway, a test-set run) asks for
 * the current client on every use, so that its next request runs with the settings and keys in use.
 */
import type { SwitchboardClient } from '../../core/index.ts';

export function followingClient(current: () => SwitchboardClient): SwitchboardClient {
  return new Proxy({} as SwitchboardClient, {
    get(_target, prop) {
      const client = current();
      const v = Reflect.get(client, prop, client) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(client) : v;
    },
  });
}
