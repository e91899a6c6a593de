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

/** Edit distance (insert, delete, replace, swap of neighbours) between two short words. */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * ` (did you mean "x"?)` for the known word nearest to a mistyped one, when it is near enough to be
 * a typo (a third of its letters, at least one) or one starts with the other; '' otherwise.
 */
export function didYouMean(word: string, known: readonly string[]): string {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const kk = k.toLowerCase();
    const dd = kk.startsWith(w) || w.startsWith(kk) ? Math.min(1, distance(w, kk)) : distance(w, kk);
    if (dd < bestD) [best, bestD] = [k, dd];
  }
  return best !== undefined && w.length > 1 && bestD <= Math.max(1, Math.floor(w.length / 3)) ? ` (did you mean "${best}"?)` : '';
}
