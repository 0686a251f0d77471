/**
 * The output channel, behind a scrubber: every line written to it passes through the key
 * registry (../core/redact.ts) first, whatever built it (an upstream's error text, a stack
 * trace, a verbose-logged answer that echoes a key).
 */
import type * as vscode from 'vscode';
import { redactKnown } from '../core/index.ts';

const WRITERS = new Set<PropertyKey>(['trace', 'debug', 'info', 'warn', 'error', 'append', 'appendLine', 'replace']);

function scrubArg(a: unknown): unknown {
  if (typeof a === 'string') return redactKnown(a);
  if (a instanceof Error) return redactKnown(a.stack ?? a.message);
  return a;
}

export function redactingLog(channel: vscode.LogOutputChannel): vscode.LogOutputChannel {
  return new Proxy(channel, {
    get(target, prop, receiver) {
      const v: unknown = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      const fn = v as (...args: unknown[]) => unknown;
      if (!WRITERS.has(prop)) return fn.bind(target);
      return (...args: unknown[]) => fn.apply(target, args.map(scrubArg));
    },
  });
}
