import { deleteImage } from '@/lib/ingest';
import { json, route } from '@/app/api/_lib/http';
import { imageIdParams } from '@/app/api/_lib/schemas';

export const dynamic = 'force-dynamic';

/**
 * DELETE /api/duplicates/images/:id → { deleted: { imageId, sha256, dataset, vectors, texts,
 * filesRemoved } } (admin token when configured): one image and everything that names it (its
 * rows, the captions only it had, its vectors in the indexes, its keyword document, its files when
 * no other dataset uses the same bytes); the groups it was in are regrouped.
 */
export const DELETE = route({ admin: true, params: imageIdParams }, async ({ engine, params }) => {
  const gone = await deleteImage(engine, params.id);
  return json({ deleted: gone });
});
