import { getConfig } from '@/lib/config';
import { AppError } from '@/lib/errors';
import { sniffImageType } from '@/lib/corpus';
import { isSha256Hex, readQueryImage } from '@/lib/uploads';
import { handle, immutableBytes } from '@/app/api/_lib/http';

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

/** GET /api/queries/:sha256 — an uploaded query image (shown beside its search). */
export async function GET(req: Request, ctx: { params: Promise<{ sha: string }> }) {
  return handle(async () => {
    const { sha } = await ctx.params;
    if (!isSha256Hex(sha)) throw new AppError('INVALID_INPUT', 'a query image id is a sha256: 64 lowercase hex digits');
    const bytes = await readQueryImage(getConfig().dataDir, sha);
    const kind = sniffImageType(bytes);
    return immutableBytes(req, bytes, (kind && TYPES[kind]) ?? 'application/octet-stream', sha);
  });
}
