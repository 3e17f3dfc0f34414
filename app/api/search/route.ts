import { parseSearchPost, searchGetSchema } from '@/lib/views/search-params';
import { queryImages, runSearch } from '@/app/_lib/search';
import { json, MAX_QUERY_IMAGE_BYTES, readForm, readImageField, route } from '@/app/api/_lib/http';

export const dynamic = 'force-dynamic';

/**
 * GET /api/search?q=<text> | like=<image id> | qimg=<query image id>, [mode=image|text] [k] [offset]
 * [min] [dataset] → { query, offset, hits, hasMore, tookMs }. See README "JSON API" and
 * /api/openapi.json.
 */
export const GET = route({ query: searchGetSchema }, async ({ engine, query }) => {
  const { offset, mode, k, min, dataset, q, like, qimg } = query;
  return json(await runSearch(engine, { mode, k, min, dataset: dataset ?? '', q: q ?? '', like, qimg }, offset));
});

/**
 * POST /api/search (multipart/form-data): an `image` file, and optional mode, k, offset, min,
 * dataset. The image is kept for a while in a bounded store (lib/search/query-images), so the
 * answer's `query.qimg` can go in a shareable URL. A file that is not an image → 400, kept nowhere.
 */
export const POST = route({}, async ({ req, engine }) => {
  const form = await readForm(req, 'a field named "image"');
  const bytes = await readImageField(form);
  const { query, offset } = parseSearchPost(form);
  // Search first: an upload that is not a usable image is refused without being stored.
  const page = await runSearch(engine, query, offset, bytes);
  const qimg = await queryImages(engine).save(bytes, MAX_QUERY_IMAGE_BYTES);
  return json({ ...page, query: { ...page.query, qimg } });
});
