'use server';
import { revalidatePath } from 'next/cache';
import { deleteDataset } from '@/lib/ingest';
import { listDatasets } from '@/lib/db';
import { AppError } from '@/lib/errors';
import { adminAction } from '@/app/_lib/result';

/** Delete a dataset (by id, as the list shows it): rows, vectors in both indexes, orphaned files. */
export const deleteDatasetAction = adminAction(async (form, engine) => {
  const id = Number(form.get('id'));
  if (!Number.isInteger(id) || id < 1) throw new AppError('INVALID_INPUT', 'no dataset was named');
  const ds = (await listDatasets(engine.db)).find((d) => d.id === id);
  if (!ds) throw new AppError('NOT_FOUND', `dataset ${id} does not exist (already deleted?)`);
  await deleteDataset(engine, ds.name);
  revalidatePath('/datasets');
  revalidatePath('/');
  return { name: ds.name };
});
