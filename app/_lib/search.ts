/**
 * One search page for the browser, from a SearchQuery as the URL holds it: text → image, or an
 * image (a stored one, "more like this", or an uploaded query image) → images or captions.
 * Shared by the search page (first page, server-rendered) and GET/POST /api/search.
 */
import type { Engine } from '@/lib/engine';
import { imageVectorOf, imagesByLabels, type ImageRow } from '@/lib/db';
import { AppError } from '@/lib/errors';
import { searchImageToImage, searchImageToText, searchTextToImage, type ImageHit, type SearchResult, type TextHit } from '@/lib/search';
import { readQueryImage } from '@/lib/uploads';
import type { SearchQuery } from '@/components/search/query';
import type { HitView, SearchPageView } from '@/components/search/types';

/** A stored image by id: its row (sha, size, dataset, captions); AppError NOT_FOUND otherwise. */
export async function findImage(engine: Engine, imageId: number): Promise<ImageRow> {
  const v = await imageVectorOf(engine.db, imageId, engine.model.info.id);
  const row = v ? (await imagesByLabels(engine.db, [v.label])).get(v.label) : undefined;
  if (!row) throw new AppError('NOT_FOUND', `there is no image ${imageId} (or it has no vector for the active model: re-index)`);
  return row;
}

function toView(h: ImageHit | TextHit): HitView {
  if (h.kind === 'image') {
    const { sha256: _sha, ...rest } = h;
    void _sha;
    return rest;
  }
  return { ...h, images: h.images.map((i) => ({ imageId: i.imageId, thumbUrl: i.thumbUrl })) };
}

/** Bytes of the query image: an uploaded one (qimg) or a stored one (like). */
async function queryImageBytes(engine: Engine, q: SearchQuery): Promise<Buffer> {
  if (q.qimg) return readQueryImage(engine.config.dataDir, q.qimg);
  if (q.like !== undefined) {
    const row = await findImage(engine, q.like);
    return (await engine.store.readOriginal(row.sha256)).bytes;
  }
  throw new AppError('INVALID_INPUT', 'this mode needs a query image: upload one, or use "more like this" on a result');
}

export async function runSearch(engine: Engine, q: SearchQuery, offset = 0): Promise<SearchPageView> {
  const opts = { k: q.k, offset, minScore: q.min > 0 ? q.min : undefined, dataset: q.dataset || undefined };
  let r: SearchResult<ImageHit> | SearchResult<TextHit>;
  if (q.mode === 't2i') {
    if (!q.q.trim()) throw new AppError('INVALID_INPUT', 'type some text to search for');
    r = await searchTextToImage(q.q, opts, engine);
  } else if (q.mode === 'i2i' && q.like !== undefined && !q.qimg) {
    // "More like this": the stored vector, no re-encoding; the image itself is left out.
    r = await searchImageToImage({ imageId: q.like }, opts, engine);
  } else {
    const bytes = await queryImageBytes(engine, q);
    r = q.mode === 'i2t' ? await searchImageToText(bytes, opts, engine) : await searchImageToImage(bytes, opts, engine);
  }
  return { query: q, offset, hits: r.hits.map(toView), hasMore: r.hasMore, tookMs: Math.round(r.tookMs) };
}
