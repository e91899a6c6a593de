// The app's frame, as pure functions: files dropped where the browser gives only their names,
// and how long a notice stays.
import { baseName, dirName } from './format.js';

/** A dropped file's name, not yet added: the path box is prefilled with it and the user completes the folder. */
export interface DropState {
  /** names still to add, in the order dropped */
  pending: string[];
  /** what the path box shows next */
  text: string;
}

/** Files dropped in a browser: the first name goes in the path box, the rest wait their turn. */
export function dropped(names: string[]): DropState {
  const pending = [...new Set(names.filter(Boolean))];
  return { pending, text: pending[0] ?? '' };
}

/**
 * After an add: the dropped names it added leave the queue, and the next one is prefilled in the
 * folder the last added file was in (dropped files usually come from one folder). A typed path
 * that added nothing stays in the box so its folder can be corrected.
 */
export function afterAdd(pending: string[], typed: string, added: string[]): DropState {
  const addedNames = new Set(added.map(baseName));
  const rest = pending.filter((n) => !addedNames.has(n));
  if (!added.length) return { pending: rest, text: pending.length ? typed : '' };
  const last = added[added.length - 1]!;
  const folder = dirName(last);
  const sep = last.includes('\\') && !last.includes('/') ? '\\' : '/';
  return { pending: rest, text: rest.length && folder ? `${folder}${folder.endsWith(sep) ? '' : sep}${rest[0]}` : '' };
}

/** ms a notice stays: long enough to read an error (8 s), an info sooner (4 s). */
export function noticeMs(kind: 'error' | 'info'): number {
  return kind === 'error' ? 8000 : 4000;
}
