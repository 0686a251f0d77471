/**
 * A zod error as one log line that names each bad field ("text: Too small…; type: Invalid input").
 * Used by the hosts when a webview sends a message they drop. Never includes the values themselves.
 */
export function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[], max = 5): string {
  const shown = issues.slice(0, max).map((i) => `${i.path.length ? i.path.map(String).join('.') : '(message)'}: ${i.message}`);
  return shown.join('; ') + (issues.length > max ? `; and ${issues.length - max} more` : '');
}
