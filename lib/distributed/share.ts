/**
 * Workers on other machines read the corpus file from shared storage: the CLI's file or a web
 * node's staged upload is copied under CLIPDEX_BLOB_DIR/corpora for the ingest's time (a file
 * already under the blob dir is used where it is). Removed when the ingest ends, whatever its end.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

export interface SharedCorpus {
  path: string;
  release(): Promise<void>;
}

export async function shareCorpus(blobDir: string, file: string, jobId: string): Promise<SharedCorpus> {
  const abs = path.resolve(file);
  const rel = path.relative(path.resolve(blobDir), abs);
  if (!rel.startsWith('..') && !path.isAbsolute(rel)) return { path: abs, release: async () => undefined };
  const dir = path.join(blobDir, 'corpora');
  await fs.mkdir(dir, { recursive: true });
  const shared = path.join(dir, `${jobId}-${path.basename(abs)}`);
  await fs.copyFile(abs, shared);
  return { path: shared, release: () => fs.rm(shared, { force: true }) };
}
