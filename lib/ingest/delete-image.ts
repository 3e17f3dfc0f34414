/**
 * Deleting one image (issue 11: the extras of a near-duplicate group), keeping every copy of it
 * in step: its rows (Image; ImageText, ImageVector, DuplicateEdge and DuplicateMember by cascade),
 * the captions that described only it (a Text linked to no other image, with its vectors), its
 * keyword document, its vectors in both indexes (marked deleted and saved at once), the groups it
 * was in (regrouped: removing a member may split a group), and its original and thumbnail when no
 * other Image row (another dataset) uses the same bytes. Refused while an ingest into its dataset
 * runs in a live process, as a dataset delete is.
 */
import { withBusyRetry, type Db } from '../db';
import { groupMatesOf, regroup } from '../duplicates';
import { AppError } from '../errors';
import { syncKeywordDocs } from '../keyword';
import { jobProcessMayRun } from '../jobs';
import { removeUnreferenced } from './cleanup';
import type { IngestDeps } from './types';

export interface DeletedImage {
  imageId: number;
  sha256: string;
  dataset: string;
  /** Vector rows removed (every model) and captions that went with the image. */
  vectors: number;
  texts: number;
  /** Whether the stored original and thumbnail were removed (no other row uses them). */
  filesRemoved: boolean;
}

export async function deleteImage(deps: Pick<IngestDeps, 'db' | 'indexes' | 'store'>, imageId: number): Promise<DeletedImage> {
  const { db } = deps;
  const img = await db.image.findUnique({ where: { id: imageId }, select: { id: true, sha256: true, datasetId: true, dataset: { select: { name: true } } } });
  if (!img) throw new AppError('NOT_FOUND', `no image with id ${imageId} (it may have been deleted already)`);
  const running = await db.job.findMany({ where: { datasetId: img.datasetId, kind: 'ingest', status: { in: ['running', 'cancelling'] } }, select: { id: true, pid: true, host: true, heartbeatAt: true } });
  if (running.some(jobProcessMayRun)) {
    throw new AppError('CONFLICT', `dataset "${img.dataset.name}" is being ingested right now; delete image ${imageId} when the ingest has finished`);
  }
  const mates = await groupMatesOf(db, [imageId]);
  const gone = await withBusyRetry(() =>
    db.$transaction(async (tx) => {
      const t = tx as unknown as Db;
      const imageLabels = (await t.imageVector.findMany({ where: { imageId }, select: { id: true } })).map((r) => r.id);
      // Captions of this image that no other image has: they described only it.
      const own = await t.text.findMany({ where: { images: { some: { imageId }, every: { imageId } } }, select: { id: true, vectors: { select: { id: true } } } });
      await t.image.delete({ where: { id: imageId } });
      if (own.length) await t.text.deleteMany({ where: { id: { in: own.map((o) => o.id) } } });
      await syncKeywordDocs(t, [imageId]); // the image is gone: its document goes
      return { imageLabels, textLabels: own.flatMap((o) => o.vectors.map((v) => v.id)), texts: own.length };
    }),
  );
  deps.indexes.image.remove(gone.imageLabels);
  if (gone.textLabels.length) deps.indexes.text.remove(gone.textLabels);
  await Promise.all([deps.indexes.image.save(), deps.indexes.text.save()]);
  for (const [modelId, ids] of mates) await regroup(db, modelId, ids.filter((id) => id !== imageId));
  // Not store.remove: another ingest may be committing a row for the same bytes (cleanup.ts).
  const removed = await removeUnreferenced(deps, [img.sha256]);
  return { imageId, sha256: img.sha256, dataset: img.dataset.name, vectors: gone.imageLabels.length, texts: gone.texts, filesRemoved: removed > 0 };
}
