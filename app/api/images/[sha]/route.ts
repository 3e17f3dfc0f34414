import { immutableBytes, route } from '@/app/api/_lib/http';
import { imageShaParams } from '@/app/api/_lib/schemas';

export const dynamic = 'force-dynamic';

/**
 * GET /api/images/:sha256 — an ingested original, looked up in the content-addressed store by
 * its sha256 (nothing else can be named: the id must be 64 lowercase hex digits).
 */
export const GET = route({ params: imageShaParams }, async ({ req, engine, params }) => {
  const file = await engine.store.readOriginal(params.sha);
  return immutableBytes(req, file.bytes, file.contentType, params.sha);
});
