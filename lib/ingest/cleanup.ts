/**
 * Orphan hygiene for a batch that never commits: prepare writes originals and thumbnails before
 * the transaction that points rows at them, so a failed (or dropped) batch would leave files that
 * no row names. Blobs are content-addressed and shared between datasets, so a sha is removed only
 * when no Image row (any dataset) references it — and only shas the batch itself created
 * (`PreparedBatch.written`) are candidates, never files that were already there.
 */
import type { IngestDeps } from './types';

/** Removes the stored files of `shas` that no Image row references; returns how many went. */
export async function removeUnreferenced(deps: Pick<IngestDeps, 'db' | 'store'>, shas: Iterable<string>): Promise<number> {
  const list = [...new Set(shas)];
  if (!list.length) return 0;
  // If this lookup fails (the database is what broke), nothing is removed: an orphan is harmless,
  // a removed file that a row still names is not.
  const rows = await deps.db.image.findMany({ where: { sha256: { in: list } }, select: { sha256: true } });
  const used = new Set(rows.map((r) => r.sha256));
  let removed = 0;
  for (const sha of list) {
    if (used.has(sha)) continue;
    await deps.store.remove(sha);
    removed++;
  }
  return removed;
}
