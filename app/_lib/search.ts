/**
 * One search page for the browser, from a SearchQuery as the URL holds it: a text, a stored image
 * ("more like this") or an uploaded query image, → images or captions. Shared by the search page
 * (first page, server-rendered) and GET/POST /api/search; the search itself is lib/search's one
 * entry point.
 */
import type { Engine } from '@/lib/engine';
import { adaptEngine, searchAdapterName } from '@/lib/adapters';
import { findImage as findImageRow, type ImageDetail } from '@/lib/db';
import { AppError } from '@/lib/errors';
import { openQueryImageStore, search, type ImageHit, type QueryImageStore, type SearchDeps, type SearchInput, type TextHit } from '@/lib/search';
import type { SearchQuery } from '@/lib/views/search-query';
import type { HitView, SearchPageView } from '@/lib/views/search-view';

/** A stored image by id (its row, dataset and captions); AppError NOT_FOUND otherwise. */
export async function findImage(engine: Engine, imageId: number): Promise<ImageDetail> {
  const row = await findImageRow(engine.db, imageId);
  if (!row) throw new AppError('NOT_FOUND', `there is no image ${imageId}`);
  return row;
}

/** The bounded store of uploaded query images (lib/search/query-images) under this data dir. */
export function queryImages(engine: Pick<Engine, 'config'>): QueryImageStore {
  return openQueryImageStore(engine.config.dataDir);
}

function toView(h: ImageHit | TextHit): HitView {
  if (h.kind === 'image') {
    const { sha256: _sha, ...rest } = h;
    void _sha;
    return rest;
  }
  return { ...h, images: h.images.map((i) => ({ imageId: i.imageId, thumbUrl: i.thumbUrl })) };
}

async function inputOf(engine: Engine, q: SearchQuery, image?: Buffer): Promise<SearchInput> {
  // issue 11: an image with a text refines the image ("but red").
  const text = q.q.trim() ? { text: q.q } : {};
  if (image) return { image, ...text };
  if (q.qimg) return { image: await queryImages(engine).read(q.qimg), ...text };
  if (Array.isArray(q.like)) return { imageIds: q.like, ...text };
  if (q.like !== undefined) return { imageId: q.like, ...text };
  return { text: q.q };
}

/**
 * What the site's searches run on (issue 12): the engine with the active adapter applied
 * (CLIPDEX_ADAPTER, else the one activated by `clipdex adapters activate` or the /train page).
 */
export async function searchEngine(engine: Engine): Promise<SearchDeps> {
  const name = await searchAdapterName(engine.config);
  return name ? adaptEngine(engine, name) : engine;
}

/** One page of `q`; `image` is the uploaded bytes when the caller has them already (POST). */
export async function runSearch(engine: Engine, q: SearchQuery, offset = 0, image?: Buffer): Promise<SearchPageView> {
  const query = await inputOf(engine, q, image);
  const r = await search(
    { query, want: q.mode, k: q.k, offset, minScore: q.min > 0 ? q.min : undefined, dataset: q.dataset || undefined, ranking: q.ranking, collapse: q.collapse },
    await searchEngine(engine),
  );
  return { query: q, offset, hits: r.hits.map(toView), hasMore: r.hasMore, tookMs: Math.round(r.tookMs) };
}
