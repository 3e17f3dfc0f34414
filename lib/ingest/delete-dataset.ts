/**
 * Deleting a dataset: its rows go (cascade), its vectors leave both indexes (saved at once), and
 * originals/thumbnails that no other dataset uses are removed from the store. Refused while an
 * ingest into it is running in a live process.
 */
import { deleteDatasetRows, findDataset, type DeletedDataset } from '../db';
import { groupMatesOf, regroup } from '../duplicates';
import { AppError } from '../errors';
import { jobProcessMayRun } from '../jobs';
import { removeUnreferenced } from './cleanup';
import type { IngestDeps } from './types';

export async function deleteDataset(deps: Pick<IngestDeps, 'db' | 'indexes' | 'store'>, name: string): Promise<DeletedDataset> {
  const ds = await findDataset(deps.db, name);
  if (!ds) throw new AppError('NOT_FOUND', `no dataset called "${name}"`);
  const running = await deps.db.job.findMany({ where: { datasetId: ds.id, kind: 'ingest', status: { in: ['running', 'cancelling'] } }, select: { id: true, pid: true, host: true, heartbeatAt: true } });
  if (running.some(jobProcessMayRun)) {
    throw new AppError('CONFLICT', `dataset "${name}" is being ingested right now; delete it when the ingest has finished`);
  }
  // issue 11: the near-duplicate groups its images were in, regrouped once they are gone
  const mates = await groupMatesOf(deps.db, (await deps.db.duplicateMember.findMany({ where: { image: { datasetId: ds.id } }, select: { imageId: true } })).map((m) => m.imageId));
  const gone = await deleteDatasetRows(deps.db, name);
  if (!gone) throw new AppError('NOT_FOUND', `no dataset called "${name}"`);
  for (const [modelId, ids] of mates) await regroup(deps.db, modelId, ids);
  deps.indexes.image.remove(gone.imageLabels);
  deps.indexes.text.remove(gone.textLabels);
  await Promise.all([deps.indexes.image.save(), deps.indexes.text.save()]);
  // Not store.remove: an ingest may have found these files and be committing rows for them (cleanup.ts).
  await removeUnreferenced(deps, gone.orphanShas);
  return gone;
}
