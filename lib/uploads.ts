/**
 * Uploads: DATA_DIR/uploads/, where a claimed staged upload (lib/staged-uploads) waits for the job
 * that reads it, plus the byte sizes its messages use. (Uploaded query images live in
 * lib/search/query-images, a bounded cache.) No next/* imports.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

export function uploadsDir(dataDir: string): string {
  return path.join(dataDir, 'uploads');
}

/** "1.5 MiB" style sizes (binary units) for messages, as lib/corpus/limits words line limits. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v >= 10 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}

/** Delete stored uploads (after a refused format, a failed job start…); missing files are fine. */
export async function removeUploads(paths: (string | undefined)[]): Promise<void> {
  await Promise.all(paths.filter((p): p is string => !!p).map((p) => fs.rm(p, { force: true })));
}
