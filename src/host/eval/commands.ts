/** "Switchboard: Run Test Set…" and "Switchboard: Show Model Leaderboard". */
import { existsSync, readdirSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import { parseTestSet, readUserFile } from '../../core/index.ts';
import { pickModelsToCompare, type SwitcherHost } from '../switcher.ts';
import { EvalPanel, evalRoot, type EvalHost } from './panel.ts';

export type EvalCommandsHost = EvalHost & SwitcherHost;

const EVALS_DIR = join('.switchboard', 'evals');

function noFolder(app: EvalHost): undefined {
  app.tell('info', 'Switchboard: test sets live in a local workspace folder (.switchboard/evals/*.json); open a folder first.');
  return undefined;
}

/** Runs a set: `set` is a path (absolute, or relative to the folder) or a name in .switchboard/evals/. */
export async function runTestSet(app: EvalCommandsHost, args: { set?: string; models?: string[]; blind?: boolean } = {}): Promise<EvalPanel | undefined> {
  const root = evalRoot();
  if (!root) return noFolder(app);
  let path: string | undefined;
  if (args.set) {
    const candidates = [
      isAbsolute(args.set) ? args.set : join(root, args.set),
      join(root, EVALS_DIR, args.set.endsWith('.json') ? args.set : `${args.set}.json`),
    ];
    path = candidates.find((p) => existsSync(p));
    if (!path) {
      app.tell('error', `Switchboard: no test set at ${candidates.join(' or ')}.`);
      return undefined;
    }
  } else {
    const dir = join(root, EVALS_DIR);
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
    if (files.length === 0) {
      app.tell('info', `Switchboard: no test sets yet. Add one as ${EVALS_DIR}/<name>.json (see the README's "Evals" section).`);
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      files.map((f) => ({ label: f.replace(/\.json$/, ''), description: join(EVALS_DIR, f), path: join(dir, f) })),
      { title: args.blind ? 'Switchboard: Run Test Set Blind' : 'Switchboard: Run Test Set', placeHolder: 'Pick a test set' },
    );
    if (!pick) return undefined;
    path = pick.path;
  }
  const panel = new EvalPanel(app, root, 'run');
  app.context.subscriptions.push(panel);
  let models = args.models;
  if (!models?.length) {
    // The set's own list is used unless it has none; then ask.
    let own: string[] | undefined;
    try {
      own = parseTestSet(readUserFile(path), path).models;
    } catch {
      // A bad set: the panel's run reports it, with the field and the fix.
    }
    if (!own?.length) {
      models = await pickModelsToCompare(app);
      if (!models?.length) {
        panel.dispose();
        return undefined;
      }
    }
  }
  panel.run(path, models, { blind: args.blind === true }).catch((e: unknown) => app.tell('error', `Switchboard: ${(e as Error).message}`));
  return panel;
}

export function showLeaderboard(app: EvalHost): EvalPanel | undefined {
  const root = evalRoot();
  if (!root) return noFolder(app);
  const panel = new EvalPanel(app, root, 'leaderboard');
  app.context.subscriptions.push(panel);
  return panel;
}
