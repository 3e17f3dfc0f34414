import { resolveDatasetName } from '@/lib/datasets';
import { deleteDataset } from '@/lib/ingest';
import { json, route } from '@/app/api/_lib/http';
import { datasetNameParams } from '@/app/api/_lib/schemas';

export const dynamic = 'force-dynamic';

/**
 * DELETE /api/datasets/:name → { deleted: { name, images, texts } } (admin token when configured).
 * Next has decoded the segment once already (`100%25%20cotton` → "100% cotton"); decoding it again
 * would turn a request for "%76ictim" into "victim" (hostile probe P4).
 */
export const DELETE = route({ admin: true, params: datasetNameParams }, async ({ engine, params }) => {
  const gone = await deleteDataset(engine, await resolveDatasetName(engine.db, params.name));
  return json({ deleted: { name: gone.name, images: gone.images, texts: gone.texts } });
});
