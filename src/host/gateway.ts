/**
 * "Switchboard: Start Local Gateway" / "Stop Local Gateway": the CLI's `switchboard serve`
 * (src/gateway) run inside the extension host, so OpenAI-compatible tools on this machine can use
 * the keys stored in VS Code. Same server, same client as the chat (routes, failover, budgets,
 * the usage ledger with source `gateway`), bound to 127.0.0.1 only.
 *
 * The bearer token lives in SecretStorage (`switchboard.gateway.token`, made on first start,
 * 256 random bits); it is never shown, logged or returned — the user copies it to the clipboard
 * from the notification (or the command's `copyToken` argument does it).
 */
import * as vscode from 'vscode';
import type { AgentId } from '../gateway/agentSnippets.ts';
import type { FeatureHost } from './featureHost.ts';
import { inBackground } from './common/background.ts';
import { followingClient } from './common/followingClient.ts';

/** What the gateway controller uses (main.ts wires it to the services). */
export type GatewayHost = Pick<FeatureHost, 'client' | 'context' | 'currentModel' | 'keys' | 'log' | 'notify' | 'tell'>;

export const GATEWAY_TOKEN_SECRET = 'switchboard.gateway.token';
const USE_WITH = 'Use with Claude Code / Codex / other tools';
export const DEFAULT_GATEWAY_PORT = 4141;

export interface StartGatewayArgs {
  /** Port to bind (0: any free one). Default 4141, or any free one when 4141 is taken. */
  port?: number;
  /** Copy the token to the clipboard without asking. */
  copyToken?: boolean;
  /** No notification (tests, scripts). */
  quiet?: boolean;
  /** Copy the settings for this tool (with the token) to the clipboard, as "Use with…" does. */
  useWith?: AgentId;
}

/** What the commands return: never the token. */
export interface GatewayInfo {
  url: string;
  port: number;
  running: boolean;
}

interface Running {
  url: string;
  port: number;
  close(): Promise<void>;
}

export class GatewayController implements vscode.Disposable {
  private readonly app: GatewayHost;
  private running: Running | null = null;
  private starting: Promise<GatewayInfo | undefined> | null = null;

  constructor(app: GatewayHost) {
    this.app = app;
  }

  info(): GatewayInfo | null {
    return this.running ? { url: this.running.url, port: this.running.port, running: true } : null;
  }

  async start(args: StartGatewayArgs = {}): Promise<GatewayInfo | undefined> {
    const running = this.running;
    if (running) {
      if (!args.quiet) inBackground(this.announce(running.url, args.copyToken === true, true), this.app.log, 'Announcing the gateway');
      else if (args.copyToken) await this.copyToken();
    } else {
      // A second Start while the first is starting joins it (one notification), and still gets what it asked for.
      const joined = this.starting !== null;
      this.starting ??= this.doStart(args).finally(() => (this.starting = null));
      if (!(await this.starting)) return undefined;
      if (joined && args.copyToken) await this.copyToken();
    }
    const info = this.info();
    if (!info) return undefined;
    if (args.useWith) await this.useWith(args.useWith);
    return info;
  }

  private async doStart(args: StartGatewayArgs): Promise<GatewayInfo | undefined> {
    const { startGateway } = await import('../gateway/server.ts');
    const token = await this.token();
    const log = (line: string): void => this.app.log.info(line);
    const opts = {
      client: followingClient(() => this.app.client()),
      host: '127.0.0.1',
      token,
      // Keys the gateway must never echo, even shortened ones in a provider's error text.
      secrets: this.app.keys.ids().flatMap((id) => this.app.keys.get(id) ?? []),
      log,
    };
    const wanted = args.port ?? DEFAULT_GATEWAY_PORT;
    let gateway;
    try {
      gateway = await startGateway({ ...opts, port: wanted });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' && args.port === undefined) {
        log(`gateway: port ${wanted} is in use, taking a free one`);
        gateway = await startGateway({ ...opts, port: 0 });
      } else if (code === 'EADDRINUSE') {
        throw new Error(
          `the local gateway cannot listen on 127.0.0.1:${wanted}: another program (or another window's gateway) uses that port. Stop it, or start the gateway without a port to take ${DEFAULT_GATEWAY_PORT} or a free one.`,
          { cause: e },
        );
      } else if (code === 'EACCES') {
        throw new Error(
          `the local gateway cannot listen on 127.0.0.1:${wanted}: this user may not open that port (below 1024 needs privileges). Pick a port above 1023, or start the gateway without a port.`,
          { cause: e },
        );
      } else throw e;
    }
    this.running = { url: gateway.url, port: gateway.port, close: () => gateway.close() };
    this.app.log.info(`Gateway started at ${gateway.url} (bearer token in VS Code's secret storage)`);
    if (args.copyToken) await this.copyToken();
    if (!args.quiet) inBackground(this.announce(gateway.url, false, false), this.app.log, 'Announcing the gateway');
    return this.info()!;
  }

  async stop(args: { quiet?: boolean } = {}): Promise<boolean> {
    await this.starting?.catch(() => undefined);
    const r = this.running;
    if (!r) {
      if (!args.quiet) this.app.tell('info', 'Switchboard: the local gateway is not running.');
      return false;
    }
    this.running = null;
    await r.close();
    this.app.log.info('Gateway stopped');
    if (!args.quiet) this.app.tell('info', 'Switchboard: local gateway stopped.');
    return true;
  }

  private async announce(url: string, copy: boolean, already: boolean): Promise<void> {
    if (copy) await this.copyToken();
    const pick = await this.app.notify(
      'info',
      `Switchboard gateway ${already ? 'is running' : 'started'} at ${url} — OpenAI-compatible (/v1/chat/completions, /v1/responses) and Anthropic-compatible (/v1/messages); send the token as "Authorization: Bearer <token>".`,
      USE_WITH,
      'Copy Token',
      'Copy URL',
      'Stop',
    );
    if (pick === USE_WITH) await this.useWith();
    else if (pick === 'Copy Token') await this.copyToken();
    else if (pick === 'Copy URL') await vscode.env.clipboard.writeText(url);
    else if (pick === 'Stop') await this.stop();
  }

  /** The model's context window from the catalog (a route: its smallest member's), or null when unknown or unreadable. */
  private contextWindow(model: string): number | null {
    try {
      return this.app.client().catalog.capabilities(model).contextWindow;
    } catch {
      return null;
    }
  }

  /**
   * "Use with Claude Code / Codex / other tools": pick the tool, and its environment variables or
   * config snippet (with the token) go to the clipboard. `agent` skips the pick (tests, keybindings).
   */
  async useWith(agent?: AgentId): Promise<AgentId | undefined> {
    const r = this.running;
    if (!r) return undefined;
    const { agentSnippets } = await import('../gateway/agentSnippets.ts');
    const model = this.app.currentModel() ?? 'openai/gpt-4o-mini';
    const snippets = agentSnippets(r.url, await this.token(), model, this.contextWindow(model));
    const chosen = agent
      ? snippets.find((s) => s.id === agent)
      : await vscode.window
          .showQuickPick(
            snippets.map((s) => ({ label: s.label, detail: s.detail, id: s.id })),
            { title: 'Use the Switchboard gateway with…', placeHolder: `copies the settings (with the token) for model ${model}` },
          )
          .then((p) => snippets.find((s) => s.id === p?.id));
    if (!chosen) return undefined;
    await vscode.env.clipboard.writeText(chosen.text);
    this.app.log.info(`Gateway settings for ${chosen.label} copied to the clipboard (model ${model})`);
    if (!agent)
      this.app.tell(
        'info',
        `Switchboard: settings for ${chosen.label} copied (they contain the gateway token). Paste them into your shell${chosen.id === 'codex' ? ' and ~/.codex/config.toml' : ''}.`,
      );
    return chosen.id;
  }

  private async copyToken(): Promise<void> {
    await vscode.env.clipboard.writeText(await this.token());
    this.app.log.info('Gateway token copied to the clipboard');
  }

  /** The token from SecretStorage, made on first use. */
  private async token(): Promise<string> {
    const secrets = this.app.context.secrets;
    const stored = (await secrets.get(GATEWAY_TOKEN_SECRET))?.trim();
    if (stored && stored.length >= 16) return stored;
    const { generateToken } = await import('../gateway/token.ts');
    const token = generateToken();
    await secrets.store(GATEWAY_TOKEN_SECRET, token);
    return token;
  }

  dispose(): void {
    const r = this.running;
    this.running = null;
    if (r) inBackground(r.close(), this.app.log, 'Stopping the gateway');
  }
}
