import { getEngine } from '@/lib/engine';
import { AppError, isAppError } from '@/lib/errors';
import { removeQueryImage, saveQueryImage } from '@/lib/uploads';
import { parseSearchQuery, type SearchQuery } from '@/components/search/query';
import { runSearch } from '@/app/_lib/search';
import { handle, json, MAX_QUERY_IMAGE_BYTES, readForm, readImageField } from '@/app/api/_lib/http';

export const dynamic = 'force-dynamic';


function offsetOf(raw: string | null): number {
  if (raw === null || raw === '') return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new AppError('INVALID_INPUT', `offset must be a non-negative integer, got "${raw.slice(0, 40)}"`);
  return n;
}

/**
 * GET /api/search?q=…&mode=t2i|i2t|i2i&k=…&offset=…&min=…&dataset=…[&like=<imageId>|&qimg=<sha>]
 * → { query, offset, hits, hasMore, tookMs }.
 */
export async function GET(req: Request) {
  return handle(async () => {
    const url = new URL(req.url);
    const query = parseSearchQuery(url.searchParams);
    const engine = await getEngine();
    return json(await runSearch(engine, query, offsetOf(url.searchParams.get('offset'))));
  });
}

/**
 * POST /api/search (multipart/form-data): `image` (a file), `mode` i2i (default) or i2t, and
 * optional k, min, dataset, offset. The image is kept (by its sha256) so the answer's `query.qimg`
 * can be put in a shareable URL. A file that is not an image → 400 with the reason.
 */
export async function POST(req: Request) {
  return handle(async () => {
    const form = await readForm(req, 'a field named "image"');
    const bytes = await readImageField(form);
    const params = new URLSearchParams();
    for (const key of ['mode', 'k', 'min', 'dataset']) {
      const v = form.get(key);
      if (typeof v === 'string') params.set(key, v);
    }
    const mode = params.get('mode') ?? 'i2i';
    if (mode !== 'i2i' && mode !== 'i2t') throw new AppError('INVALID_INPUT', `mode must be i2i or i2t for an image query, got "${mode.slice(0, 20)}"`);
    const engine = await getEngine();
    const qimg = await saveQueryImage(engine.config.dataDir, bytes, MAX_QUERY_IMAGE_BYTES);
    params.set('qimg', qimg);
    const query: SearchQuery = parseSearchQuery(params);
    const offset = form.get('offset');
    try {
      return json(await runSearch(engine, query, offsetOf(typeof offset === 'string' ? offset : null)));
    } catch (err) {
      // Not an image (or one over the pixel limit): keep nothing of it.
      if (isAppError(err) && err.code === 'INVALID_INPUT') await removeQueryImage(engine.config.dataDir, qimg);
      throw err;
    }
  });
}
