'use server';
import { revalidatePath } from 'next/cache';
import { deleteImage } from '@/lib/ingest';
import { AppError } from '@/lib/errors';
import { adminAction } from '@/app/_lib/result';

/** Delete one image (an extra of a near-duplicate group): rows, vectors, keyword document, unused files. */
export const deleteDuplicateImageAction = adminAction(async (form, engine) => {
  const raw = form.get('imageId');
  const id = Number(raw);
  if (!Number.isInteger(id) || id < 1) throw new AppError('INVALID_INPUT', `imageId must be a positive integer, got ${JSON.stringify(String(raw ?? '').slice(0, 40))}`);
  const gone = await deleteImage(engine, id);
  revalidatePath('/duplicates');
  revalidatePath('/');
  return { imageId: gone.imageId };
});
