import { sniffImageType } from '@/lib/corpus';
import { queryImages } from '@/app/_lib/search';
import { immutableBytes, route } from '@/app/api/_lib/http';
import { queryShaParams } from '@/app/api/_lib/schemas';

export const dynamic = 'force-dynamic';

const TYPES: Record<string, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  jpg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  bmp: 'image/bmp',
  tiff: 'image/tiff',
  avif: 'image/avif',
};

/** GET /api/queries/:sha256 — an uploaded query image (shown beside its search), while it is kept. */
export const GET = route({ params: queryShaParams }, async ({ req, engine, params }) => {
  const bytes = await queryImages(engine).read(params.sha);
  const kind = sniffImageType(bytes);
  return immutableBytes(req, bytes, (kind && TYPES[kind]) ?? 'application/octet-stream', params.sha);
});
