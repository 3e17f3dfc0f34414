import { getEngine } from '@/lib/engine';
import { AppError } from '@/lib/errors';
import { isSha256Hex } from '@/lib/uploads';
import { handle, immutableBytes } from '@/app/api/_lib/http';

export const dynamic = 'force-dynamic';

/**
 * GET /api/images/:sha256 — an ingested original, looked up in the content-addressed store by
 * its sha256 (nothing else can be named: the id must be 64 lowercase hex digits).
 */
export async function GET(req: Request, ctx: { params: Promise<{ sha: string }> }) {
  return handle(async () => {
    const { sha } = await ctx.params;
    if (!isSha256Hex(sha)) throw new AppError('INVALID_INPUT', 'an image id is a sha256: 64 lowercase hex digits');
    const engine = await getEngine();
    const file = await engine.store.readOriginal(sha);
    return immutableBytes(req, file.bytes, file.contentType, sha);
  });
}
