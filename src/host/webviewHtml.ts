/**
 * The HTML shell of every Switchboard webview: a strict CSP with a per-load nonce, no inline
 * handlers or styles, scripts and styles only from the extension's dist/webview and media folders.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { inBackground } from './common/background.ts';

/** The only folders a webview may load from. */
export function webviewRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')];
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, enableCommandUris: false, localResourceRoots: webviewRoots(extensionUri) };
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, opts: { script: string; styles: string[]; title: string }): string {
  const nonce = randomBytes(18).toString('base64');
  const uri = (...p: string[]): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...p)).toString();
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  const links = [uri('dist', 'webview', 'codicons', 'codicon.css'), ...opts.styles.map((s) => uri('media', s))]
    .map((href) => `<link rel="stylesheet" href="${escapeAttr(href)}">`)
    .join('\n    ');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    ${links}
    <title>${escapeAttr(opts.title)}</title>
  </head>
  <body>
    <div id="app" aria-live="polite"></div>
    <script nonce="${nonce}" src="${escapeAttr(uri('dist', 'webview', opts.script))}"></script>
  </body>
</html>`;
}

/**
 * A link clicked in a webview: opened in the browser for http(s) only. The protocol's schema
 * already insists on http(s); this checks again on the parsed URI before anything leaves VS Code.
 */
export function openHttpLink(url: string, log: { warn(message: string): void }): void {
  const uri = vscode.Uri.parse(url, true);
  if (uri.scheme === 'http' || uri.scheme === 'https') inBackground(vscode.env.openExternal(uri), log, 'Opening the link');
}
