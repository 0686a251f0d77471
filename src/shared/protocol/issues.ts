/**
 * A zod error as one log line that names each bad field ("text: Too small…; type: Invalid input").
 * Used by the hosts when a webview sends a message they drop. Never includes the values themselves.
 */
export function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[], max = 5): string {
  const shown = issues.slice(0, max).map((i) => `${i.path.length ? i.path.map(String).join('.') : '(message)'}: ${i.message}`);
  return shown.join('; ') + (issues.length > max ? `; and ${issues.length - max} more` : '');
}

/**
 * Parses a message a webview sent: the typed message, or undefined after logging which fields
 * were wrong (a bad message is dropped, never thrown).
 */
export function parseOrDrop<T>(
  schema: {
    safeParse(raw: unknown): { success: true; data: T } | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } };
  },
  raw: unknown,
  warn: (line: string) => void,
  view: string,
): T | undefined {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  warn(`${view} sent a malformed message (dropped): ${describeIssues(parsed.error.issues)}`);
  return undefined;
}
