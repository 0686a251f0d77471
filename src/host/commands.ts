/**
 * What each command does. Commands that ask something also take arguments, so keybindings,
 * other extensions and the tests can run them without the prompts.
 */
import * as vscode from 'vscode';
import type { ChatController } from './chat/controller.ts';
import type { CompareManager } from './compare/manager.ts';
import type { FeatureHost } from './featureHost.ts';
import type { ApplyTarget } from './apply.ts';
import type { CommandId } from './common/commandIds.ts';
import { GatewayController, type StartGatewayArgs } from './gateway.ts';
import {
  connectLocalServer,
  importKeysFromEnv,
  removeApiKey,
  reviewWorkspaceRedirects,
  revokeWorkspaceAllows,
  setApiKey,
  type ConnectLocalArgs,
  type RevokeArgs,
  type SetKeyArgs,
} from './keysFlow.ts';
import { PRESET_PROMPTS, type CodeSelection } from './common/prompts.ts';
import { pickModelsToCompare, showModelSwitcher } from './switcher.ts';
import { UsageDocument } from './usage.ts';
import { snippetOf } from './snippet.ts';
import { readFlag } from './settingsSource.ts';
import { runTestSet, showLeaderboard } from './eval/commands.ts';
import { formatUsd } from '../shared/format.ts';

/** The commands reach every feature: the host plus the chat and the comparison (main.ts wires it). */
export type CommandsHost = FeatureHost & { readonly chat: ChatController; readonly compare: CompareManager };

export const EXTENSION_ID = 'switchboard.switchboard';

/** The active editor's selection with its file name and language, or undefined (after telling the user). */
export async function currentSelection(app: CommandsHost): Promise<{ code: CodeSelection; target: ApplyTarget } | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.selection.isEmpty) {
    app.tell('info', 'Switchboard: select some code in an editor first.');
    return undefined;
  }
  const doc = editor.document;
  const range = new vscode.Range(editor.selection.start, editor.selection.end);
  const code = snippetOf(doc, range);
  return { code, target: { uri: doc.uri, range, original: code.text } };
}

type Handler = (...args: unknown[]) => unknown;

export function commandHandlers(app: CommandsHost): Record<CommandId, Handler> {
  const usage = new UsageDocument(app);
  app.context.subscriptions.push(usage);
  const gateway = new GatewayController(app);
  app.context.subscriptions.push(gateway);

  /**
   * Explain / Review / Ask About Selection: a new conversation (an unrelated open one is not re-sent
   * with it) unless `switchboard.selectionActionsInNewChat` is off or the caller passes
   * `{ continueChat: true }`. An answer ticks the walkthrough's step.
   */
  const askAbout = async (question: string, selection: { code: CodeSelection; target: ApplyTarget }, args: unknown) => {
    const continueChat =
      (typeof args === 'object' && args !== null && (args as { continueChat?: unknown }).continueChat === true) || !readFlag('selectionActionsInNewChat', true);
    const entry = await app.chat.ask({ question, selection, newConversation: !continueChat });
    if (entry?.status === 'done' && entry.text && !entry.error) app.stepDone('selectionAnswered');
    return entry;
  };

  const askSelection = async (question: string, args: unknown) => {
    const selection = await currentSelection(app);
    if (!selection) return undefined;
    return askAbout(question, selection, args);
  };

  const compare = async (question: string, models: string[] | undefined, withSelection: boolean) => {
    const selection = withSelection ? await currentSelection(app) : undefined;
    if (withSelection && !selection) return undefined;
    const list = models?.length ? models : await pickModelsToCompare(app);
    if (!list?.length) return undefined;
    const panel = app.compare.open({ question, models: list, ...(selection ? { selection } : {}) }, true);
    return panel.results;
  };

  const askQuestion = async (title: string, value?: string): Promise<string | undefined> => {
    const q = await vscode.window.showInputBox({
      title,
      prompt: 'What do you want to know?',
      value,
      placeHolder: 'e.g. Why does this return undefined for an empty list?',
      ignoreFocusOut: true,
    });
    return q?.trim() || undefined;
  };

  return {
    'switchboard.switchModel': async (id?: unknown) => (typeof id === 'string' && id ? (await app.setCurrentModel(id), id) : showModelSwitcher(app)),
    'switchboard.setApiKey': (args?: unknown) => setApiKey(app, (typeof args === 'object' && args ? args : {}) as SetKeyArgs),
    'switchboard.removeApiKey': (args?: unknown) => removeApiKey(app, typeof args === 'string' ? { provider: args } : ((args ?? {}) as { provider?: string })),
    'switchboard.importKeysFromEnv': () => importKeysFromEnv(app),
    'switchboard.allowWorkspaceProviders': () => reviewWorkspaceRedirects(app),
    'switchboard.revokeWorkspaceProviders': (args?: unknown) => revokeWorkspaceAllows(app, (typeof args === 'object' && args ? args : {}) as RevokeArgs),
    'switchboard.connectLocalServer': (args?: unknown) => connectLocalServer(app, (typeof args === 'object' && args ? args : {}) as ConnectLocalArgs),
    'switchboard.openChat': () => app.chat.reveal(),
    'switchboard.newChat': async () => {
      app.chat.clear();
      await app.chat.reveal();
    },
    'switchboard.addSelectionToChat': () => app.chat.attach('selection'),
    'switchboard.compareModels': async (args?: unknown) => {
      const a = (args ?? {}) as { question?: string; models?: string[] };
      const question = a.question ?? (await askQuestion('Switchboard: Compare Models — the prompt'));
      return question ? compare(question, a.models, false) : undefined;
    },
    // Arguments: the question (a string), or { question?, continueChat? }.
    'switchboard.askAboutSelection': async (args?: unknown) => {
      const selection = await currentSelection(app);
      if (!selection) return undefined;
      const given = typeof args === 'string' ? args : typeof args === 'object' && args ? (args as { question?: unknown }).question : undefined;
      const q = typeof given === 'string' && given.trim() ? given : await askQuestion('Switchboard: Ask About Selection');
      return q ? askAbout(q, selection, args) : undefined;
    },
    // From the editor menu: the panel opens with the default prompt selected, to edit before Run. A caller
    // that passes both the question and the models (keybindings, other extensions, tests) runs at once.
    'switchboard.compareSelection': async (args?: unknown) => {
      const a = (args ?? {}) as { question?: string; models?: string[] };
      if (a.question && a.models?.length) return compare(a.question, a.models, true);
      const selection = await currentSelection(app);
      if (!selection) return undefined;
      return app.compare.open({
        question: a.question ?? PRESET_PROMPTS.explain,
        selection,
        focusPrompt: true,
        ...(a.models?.length ? { models: a.models } : {}),
      });
    },
    'switchboard.explainSelection': (args?: unknown) => askSelection(PRESET_PROMPTS.explain, args),
    'switchboard.reviewSelection': (args?: unknown) => askSelection(PRESET_PROMPTS.review, args),
    'switchboard.refreshCatalog': async () => {
      const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Switchboard: refreshing the model catalog…' }, () =>
        app.client().catalog.refresh({ force: true }),
      );
      const count = app
        .client()
        .catalog.list()
        .filter((m) => m.available).length;
      for (const e of r.errors) app.log.warn(`Catalog: could not refresh ${e.providerId}: ${e.message}`);
      if (r.cacheError) app.log.warn(r.cacheError);
      const failed = r.errors.map((e) => `${e.providerId}: ${e.message}`).join('; ');
      app.tell(
        r.errors.length && !r.refreshed.length ? 'warning' : 'info',
        `Switchboard: ${count} models available.${r.refreshed.length ? ` Refreshed ${r.refreshed.join(', ')}.` : ''}${failed ? ` Could not refresh ${failed}` : ''}`,
      );
      app.updateStatus();
      app.fireModelsChanged();
      return r;
    },
    'switchboard.showUsage': () => usage.show(),
    'switchboard.newSpendSession': async () => {
      const before = app.spendView();
      const view = await app.startNewSpendSession();
      app.tell(
        'info',
        `Switchboard: a new spend session started (the last one spent ${formatUsd(before.session.usd)} over ${before.session.requests} request${before.session.requests === 1 ? '' : 's'}).`,
      );
      return view;
    },
    'switchboard.openSettings': () => vscode.commands.executeCommand('workbench.action.openSettings', `@ext:${EXTENSION_ID}`),
    'switchboard.insertAnswer': () => app.chat.apply(undefined, 'insert'),
    'switchboard.replaceSelectionWithAnswer': () => app.chat.apply(undefined, 'replace'),
    'switchboard.diffAnswer': () => app.chat.apply(undefined, 'diff'),
    'switchboard.acceptProposal': (uri?: unknown) => app.applier.accept(uri instanceof vscode.Uri ? uri : undefined),
    'switchboard.showLog': () => app.log.show(),
    'switchboard.startGateway': (args?: unknown) => gateway.start((typeof args === 'object' && args ? args : {}) as StartGatewayArgs),
    'switchboard.stopGateway': (args?: unknown) => gateway.stop((typeof args === 'object' && args ? args : {}) as { quiet?: boolean }),
    // Opens the comparison panel to fill in (arguments prefill it; the panel is returned to callers in the extension host).
    'switchboard.openComparison': async (args?: unknown) => {
      const a = (args ?? {}) as { question?: string; models?: string[]; blind?: boolean; withSelection?: boolean };
      const editor = vscode.window.activeTextEditor;
      const selection = a.withSelection || (a.withSelection === undefined && editor && !editor.selection.isEmpty) ? await currentSelection(app) : undefined;
      return app.compare.open({
        ...(a.question ? { question: a.question } : {}),
        ...(a.models ? { models: a.models } : {}),
        ...(a.blind ? { blind: true } : {}),
        ...(selection ? { selection } : {}),
      });
    },
    'switchboard.showCompareScoreboard': () => app.compare.showScoreboard(),
    // Arguments (tests, keybindings): { set: path or name in .switchboard/evals, models?: string[] }; returns the panel.
    'switchboard.runTestSet': (args?: unknown) => runTestSet(app, (typeof args === 'object' && args ? args : {}) as { set?: string; models?: string[] }),
    'switchboard.runTestSetBlind': (args?: unknown) =>
      runTestSet(app, { ...((typeof args === 'object' && args ? args : {}) as { set?: string; models?: string[] }), blind: true }),
    'switchboard.showLeaderboard': () => showLeaderboard(app),
  };
}
