import { immutableBytes, route } from '@/app/api/_lib/http';
import { thumbShaParams } from '@/app/api/_lib/schemas';

export const dynamic = 'force-dynamic';

/** GET /api/thumbs/:sha256 — the stored thumbnail of an ingested image: WebP (≤ 512 px), or a small original as is (issue 13). */
export const GET = route({ params: thumbShaParams }, async ({ req, engine, params }) => {
  const file = await engine.store.readThumbnail(params.sha);
  return immutableBytes(req, file.bytes, file.contentType, params.sha);
});
