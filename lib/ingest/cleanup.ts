/**
 * Orphan hygiene for a batch that never commits: prepare writes originals and thumbnails before
 * the transaction that points rows at them, so a failed (or dropped) batch would leave files that
 * no row names. Blobs are content-addressed and shared between datasets, so a sha is removed only
 * when no Image row (any dataset) references it — and only shas the batch itself created
 * (`PreparedBatch.written`) are candidates, never files that were already there.
 *
 * Another ingest (another process, or another job) may have found those files on disk and be
 * about to commit rows for them (review 3). Each side writes first and checks the other's write
 * second: the cleanup sets the files aside, then checks the rows again (and puts back what a row
 * now names); the ingest commits its rows, then checks the files it found (`ensureFoundBlobs`, prepare.ts)
 * and writes back any that went. Whatever the interleaving, at least one of the two checks sees
 * the other's write, so a committed row never points at a removed file.
 */
import type { IngestDeps } from './types';

/** Removes the stored files of `shas` that no Image row references; returns how many went. */
export async function removeUnreferenced(deps: Pick<IngestDeps, 'db' | 'store'>, shas: Iterable<string>): Promise<number> {
  const list = [...new Set(shas)];
  if (!list.length) return 0;
  // If a lookup fails (the database is what broke), nothing is removed: an orphan is harmless,
  // a removed file that a row still names is not.
  const unused = await unreferenced(deps, list);
  const aside: { sha: string; files: Awaited<ReturnType<IngestDeps['store']['setAside']>> }[] = [];
  try {
    for (const sha of unused) aside.push({ sha, files: await deps.store.setAside(sha) });
    const still = new Set(await unreferenced(deps, unused));
    let removed = 0;
    while (aside.length) {
      const a = aside[0];
      if (still.has(a.sha)) {
        await a.files.discard();
        removed++;
      } else {
        await a.files.restore(); // a row committed meanwhile names it
      }
      aside.shift();
    }
    return removed;
  } finally {
    // A failed re-check or discard: put back what is still aside.
    for (const a of aside) await a.files.restore().catch(() => undefined);
  }
}

async function unreferenced(deps: Pick<IngestDeps, 'db'>, shas: string[]): Promise<string[]> {
  if (!shas.length) return [];
  const rows = await deps.db.image.findMany({ where: { sha256: { in: shas } }, select: { sha256: true } });
  const used = new Set(rows.map((r) => r.sha256));
  return shas.filter((s) => !used.has(s));
}
