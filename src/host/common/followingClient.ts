/**
 * The extension rebuilds its client when settings or keys change and closes the old one, whose
 * connection pool then takes no new requests. Work that outlives one request (the gateway, a
 * test-set run) asks for the current client on every use instead of holding one that may close.
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
