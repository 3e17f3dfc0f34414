/**
 * The one rule for dataset names, used where a dataset is created (lib/ingest) and at every edge
 * that takes a name from a user (CLI flags and arguments, API routes, pages), so a name the web
 * refuses is refused by the CLI too. A name is a label shown in tables, URLs and terminals, never
 * a path: it must not be able to move a terminal cursor, spoof text direction or look like a
 * path segment. `%` is allowed ("100% cotton"): edges must decode a URL segment exactly once.
 */
import { AppError } from '../errors';

export const MAX_DATASET_NAME_CHARS = 100;

// C0/C1 controls (TAB, NUL, ESC, DEL…), line/paragraph separators and the bidi embedding,
// override and isolate marks (they reorder how the rest of a line is displayed).
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHAR = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

function describeChar(ch: string): string {
  const cp = ch.codePointAt(0)!;
  const names: Record<number, string> = { 0: 'NUL', 9: 'TAB', 10: 'a line break', 13: 'a carriage return', 27: 'ESC', 127: 'DEL' };
  return names[cp] ?? `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * The dataset name to use for `raw` (trimmed, Unicode NFC), or AppError INVALID_INPUT saying
 * what is wrong and what is allowed.
 */
export function checkDatasetName(raw: unknown): string {
  if (typeof raw !== 'string') throw new AppError('INVALID_INPUT', 'give the dataset a name');
  // Count before normalising: a 10 MB argument should not be normalised just to be refused.
  if (raw.length > MAX_DATASET_NAME_CHARS * 4) {
    throw new AppError('INVALID_INPUT', `the dataset name is ${raw.length} characters long; at most ${MAX_DATASET_NAME_CHARS} are allowed`);
  }
  const name = raw.normalize('NFC').trim();
  if (!name) throw new AppError('INVALID_INPUT', 'the dataset name is empty: give the dataset a name');
  const chars = [...name].length;
  if (chars > MAX_DATASET_NAME_CHARS) {
    throw new AppError('INVALID_INPUT', `the dataset name is ${chars} characters long; at most ${MAX_DATASET_NAME_CHARS} are allowed`);
  }
  const bad = FORBIDDEN_CHAR.exec(name);
  if (bad) {
    throw new AppError('INVALID_INPUT', `the dataset name contains ${describeChar(bad[0])} at position ${bad.index + 1}; control and text-direction characters are not allowed`);
  }
  if (/[/\\]/.test(name)) throw new AppError('INVALID_INPUT', `the dataset name "${name}" contains a slash; use letters, digits, spaces and punctuation other than / and \\`);
  if (name === '.' || name === '..') throw new AppError('INVALID_INPUT', `"${name}" cannot be a dataset name`);
  return name;
}

/** Whether `raw` passes checkDatasetName (for form hints). */
export function isValidDatasetName(raw: unknown): boolean {
  try {
    checkDatasetName(raw);
    return true;
  } catch {
    return false;
  }
}
