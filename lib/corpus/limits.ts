/** Human sizes for limit messages ("80 MiB"): binary units, named as lib/uploads' formatBytes and the README name them. */
export function formatBytes(n: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  if (n < 1024) return `${n} byte${n === 1 ? '' : 's'}`;
  let v = n;
  let u = -1;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  const s = v >= 100 || Number.isInteger(v) ? Math.round(v).toString() : v.toFixed(1).replace(/\.0$/, '');
  return `${s} ${units[u]}`;
}

/**
 * Longest text (caption, MUGE text or id) accepted, in UTF-8 bytes. PostgreSQL's unique index on
 * (dataset, text) cannot hold an entry over ~2.7 KB, and one such caption used to fail its whole
 * batch there; the same limit applies on SQLite so a corpus ingests the same everywhere. CLIP reads
 * only the first 77 (Chinese-CLIP 52) tokens of a text anyway.
 */
export const MAX_TEXT_BYTES = 2048;

export function tooLongReason(size: number, limit: number, what = 'line'): string {
  return `${what} is ${formatBytes(size)}, over the ${formatBytes(limit)} limit (CLIPDEX_MAX_LINE_BYTES)`;
}
