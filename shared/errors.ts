// How a zod validation failure reads to the user: "path: message; path: message". Written once for
// every host (CLI, service, browser-mode server, Electron IPC, the app's form). No Node or DOM APIs here.

/** The part of a zod issue the text uses (zod's path may hold symbols, hence PropertyKey and String). */
export interface IssueLike {
  path: readonly PropertyKey[];
  message: string;
}

/**
 * One issue as "path: message". An issue about the whole value (empty path) is named `fallbackPath`
 * ('job', 'request', 'args'); without one it is the bare message.
 */
export function zodIssueText(issue: IssueLike, fallbackPath?: string): string {
  const path = issue.path.map(String).join('.') || fallbackPath;
  return path ? `${path}: ${issue.message}` : issue.message;
}

/** All issues, "; "-separated (see zodIssueText). */
export function zodIssuesText(issues: readonly IssueLike[], fallbackPath?: string): string {
  return issues.map((i) => zodIssueText(i, fallbackPath)).join('; ');
}
