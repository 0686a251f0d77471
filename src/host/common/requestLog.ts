/**
 * One log line per request: model, attempts, timings, tokens, cost. Never a key; the prompt and
 * the answer only when `switchboard.verboseLogging` is on.
 */
import type { ChatMessage, ChatResult } from '../../core/index.ts';
import { formatMs, formatUsd } from '../../shared/format.ts';

export function describeResult(source: string, r: ChatResult): string {
  const who = r.answeredBy && r.answeredBy !== r.model ? `${r.model} → ${r.answeredBy}` : r.model;
  const tokens = `${r.usage.inputTokens ?? '?'} in / ${r.usage.outputTokens ?? '?'} out tokens`;
  const attempts = r.attempts
    .map((a) => `${a.model} ${a.outcome}${a.errorKind ? ` (${a.errorKind}${a.status ? ` ${a.status}` : ''})` : ''} ${formatMs(a.durationMs)}`)
    .join(', ');
  const outcome = r.error ? `failed: ${r.error.kind}: ${r.error.detail}` : `finish ${r.finishReason}`;
  return `[${source}] ${who}: ${outcome}; first token ${formatMs(r.timing.ttftMs)}, total ${formatMs(r.timing.totalMs)}; ${tokens}; cost ${r.costEstimated && r.costUsd !== null ? '~' : ''}${formatUsd(r.costUsd)}${r.costCheck ? ` (billed; ours ${formatUsd(r.costCheck.computedUsd)})` : ''}; attempts: ${attempts || 'none'}`;
}

export function logRequest(
  log: { info(m: string): void; warn(m: string): void },
  source: string,
  r: ChatResult,
  verbose: boolean,
  messages?: readonly ChatMessage[],
): void {
  const line = describeResult(source, r);
  if (r.error && r.error.kind !== 'aborted') log.warn(line);
  else log.info(line);
  // A bug of ours: the stack is what a report needs (the error's fix points here).
  if (r.error?.kind === 'internal' && r.error.cause instanceof Error && r.error.cause.stack) log.warn(`[${source}] ${r.error.cause.stack}`);
  if (!verbose) return;
  if (messages)
    for (const m of messages) log.info(`[${source}]   ${m.role}: ${typeof m.content === 'string' ? m.content : JSON.stringify(m.content, elideData)}`);
  log.info(`[${source}]   answer: ${r.text}`);
}

/** Inline image and file data (megabytes of base64) is logged as its size, not its bytes. */
function elideData(key: string, value: unknown): unknown {
  return key === 'data' && typeof value === 'string' && value.length > 64 ? `<${Math.round((value.length * 3) / 4 / 1024)} KB of base64>` : value;
}
