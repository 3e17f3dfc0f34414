/**
 * Server file paths in what anonymous users see (probe A12): an absolute path is cut down to its
 * last segment, so "model folder not found: /srv/clipdex/models/mini-clip" reads "… not found:
 * mini-clip" and a MUGE line error names "texts.jsonl", not where the server keeps it. The error
 * code, the reason and the hint around the path are kept. Pure (no node:*), so any edge may use it.
 */

// An absolute POSIX path (not the "//host/db" of a URL: the slash may not follow ':', '/' or a word
// character) or a Windows drive path; it ends at whitespace, a quote, a bracket or a separator.
const ABSOLUTE_PATH = /(?<![\w:/.~-])(?:\/|[A-Za-z]:\\)[^\s"'“”‘’`()<>[\],;]*/g;

function lastSegment(p: string): string {
  // Sentence punctuation after the path ("…/mini-clip." or "…/texts.jsonl:") is kept after the name.
  const suffix = /[.:]+$/.exec(p)?.[0] ?? '';
  const bare = p.slice(0, p.length - suffix.length).replace(/[/\\]+$/, '');
  return (bare.split(/[/\\]+/).at(-1) || bare) + suffix;
}

// A file: URL (SQLite's DATABASE_URL, file:/abs or file:///abs): the lookbehind above keeps a
// slash after ':' out of ABSOLUTE_PATH, so these are cut first, keeping the scheme.
const FILE_URL = /\bfile:(?:\/\/)?(\/[^\s"'“”‘’`()<>[\],;]*)/g;

/** The message with every absolute path (and file: URL) replaced by its last segment. */
export function hidePaths(message: string): string {
  return message
    .replace(FILE_URL, (_m, p: string) => `file:${lastSegment(p)}`)
    .replace(ABSOLUTE_PATH, (p) => (p === '/' ? p : lastSegment(p)));
}

/** A file named in a line error: a path relative to the corpus stays (it is the user's own layout), an absolute one becomes its base name. */
export function fileLabel(file: string | null | undefined): string | null {
  if (!file) return null;
  return /^(?:\/|[A-Za-z]:\\)/.test(file) ? lastSegment(file) : file;
}
