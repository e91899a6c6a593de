// What the window says when a screen throws while drawing, instead of going blank.

/** The thrown value in one line: errors by name and message, anything else as text. */
export function crashMessage(error: unknown): string {
  if (error instanceof Error) return error.message ? `${error.name}: ${error.message}` : error.name;
  if (error === undefined || error === null || error === '') return 'No details were given.';
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}
