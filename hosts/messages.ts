// How a failure reads in the service's errors: a zod failure as "path: message; …", else its message.
import { ZodError } from 'zod';
import { zodIssuesText } from '../shared/errors.js';

export function errorMessage(e: unknown): string {
  if (e instanceof ZodError) return zodIssuesText(e.issues);
  return e instanceof Error ? e.message : String(e);
}
