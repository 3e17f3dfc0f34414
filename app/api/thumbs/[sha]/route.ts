import { getEngine } from '@/lib/engine';
import { AppError } from '@/lib/errors';
import { isSha256Hex } from '@/lib/uploads';
import { handle, immutableBytes } from '@/app/api/_lib/http';

export const dynamic = 'force-dynamic';

/** GET /api/thumbs/:sha256 — the stored WebP thumbnail (≤ 256 px) of an ingested image. */
export async function GET(req: Request, ctx: { params: Promise<{ sha: string }> }) {
  return handle(async () => {
    const { sha } = await ctx.params;
    if (!isSha256Hex(sha)) throw new AppError('INVALID_INPUT', 'a thumbnail id is a sha256: 64 lowercase hex digits');
    const engine = await getEngine();
    const file = await engine.store.readThumbnail(sha);
    return immutableBytes(req, file.bytes, file.contentType, sha);
  });
}
