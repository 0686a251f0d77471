/**
 * The proxy provider requests take in VS Code, as plain data (no 'vscode'): VS Code's own `http.proxy`
 * setting first (for http:// and https:// providers), else the environment VS Code started with
 * (HTTPS_PROXY, HTTP_PROXY); `http.noProxy` adds to NO_PROXY; `http.proxySupport: "off"` turns it off.
 * This machine's own servers are never behind it (createAgent).
 */
import { proxyFromEnv, type ProxySettings } from '../../core/index.ts';

export interface VsCodeProxyInput {
  /** `http.proxySupport` ("off", "on", "fallback", "override"). */
  support?: string | undefined;
  /** `http.proxy`, from the user's settings. */
  proxy?: string | undefined;
  /** `http.noProxy`. */
  noProxy?: readonly string[] | undefined;
  /** `http.proxyStrictSSL`. */
  strictSSL?: boolean | undefined;
  /** `http.proxyAuthorization`. */
  authorization?: string | null | undefined;
  env: NodeJS.ProcessEnv;
}

export function proxyForVsCode(input: VsCodeProxyInput): ProxySettings | null {
  if (input.support === 'off') return null;
  const fromEnv = proxyFromEnv(input.env);
  const noProxy = [...(input.noProxy ?? []).map((h) => h.trim()), fromEnv?.noProxy].filter((h) => !!h).join(',');
  const url = input.proxy?.trim();
  if (url) return { http: url, https: url, ...(noProxy ? { noProxy } : {}), source: 'the http.proxy setting' };
  if (!fromEnv) return null;
  const { noProxy: _env, ...rest } = fromEnv;
  return { ...rest, ...(noProxy ? { noProxy } : {}) };
}

/** What the user set that Switchboard does not do, each said with what to do instead (never dropped silently). */
export function proxySettingsNotHonoured(input: VsCodeProxyInput): string[] {
  const out: string[] = [];
  if (input.strictSSL === false)
    out.push(
      "Switchboard always checks the providers' TLS certificates (http.proxyStrictSSL: false is not followed): if the proxy inspects TLS, trust its certificate authority with NODE_EXTRA_CA_CERTS=<its certificate file> in the environment VS Code starts with",
    );
  if (input.authorization)
    out.push(
      "Switchboard does not send http.proxyAuthorization: put the proxy's user and password in its URL instead, http://user:password@host:port (http.proxy)",
    );
  return out;
}
