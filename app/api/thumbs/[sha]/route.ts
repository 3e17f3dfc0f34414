import { immutableBytes, route } from '@/app/api/_lib/http';
import { thumbShaParams } from '@/app/api/_lib/schemas';

export const dynamic = 'force-dynamic';

/** GET /api/thumbs/:sha256 — the stored WebP thumbnail (≤ 256 px) of an ingested image. */
export const GET = route({ params: thumbShaParams }, async ({ req, engine, params }) => {
  const file = await engine.store.readThumbnail(params.sha);
  return immutableBytes(req, file.bytes, file.contentType, params.sha);
});
