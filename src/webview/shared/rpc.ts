/**
 * The webview end of a host⇄webview channel: outbound messages are typed, inbound ones are
 * parsed with the protocol's zod schema before anything reads them.
 */
import type { ZodMiniType } from 'zod/mini';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export interface Channel<Out> {
  post(message: Out): void;
  /** The view's own state (kept by VS Code while the view is hidden; what a WebviewPanelSerializer gets after a reload). */
  getState(): unknown;
  setState(state: unknown): void;
}

export function connect<In, Out>(inbound: ZodMiniType<In>, onMessage: (message: In) => void): Channel<Out> {
  const api = acquireVsCodeApi();
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const parsed = inbound.safeParse(event.data);
    if (!parsed.success) {
      console.warn('Switchboard: ignored a malformed message from the host', parsed.error.issues);
      return;
    }
    onMessage(parsed.data);
  });
  return { post: (message: Out) => api.postMessage(message), getState: () => api.getState(), setState: (state: unknown) => api.setState(state) };
}

/** The end of an exhaustive switch over a protocol's messages. */
export function assertNever(x: never): never {
  throw new Error(`unexpected message ${JSON.stringify(x)}`);
}
