import { joinRepeatedModes, parseSearchPost, searchGetSchema } from '@/lib/views/search-params';
import { queryImages, runSearch } from '@/app/_lib/search';
import { json, MAX_QUERY_IMAGE_BYTES, readForm, readImageField, route } from '@/app/api/_lib/http';

export const dynamic = 'force-dynamic';

/**
 * GET /api/search?q=<text> and/or like=<image id> | qimg=<query image id>,
 * [mode=image|text,hybrid|semantic|keyword] [collapse=0] [k] [offset] [min] [dataset]
 * → { query, offset, hits, hasMore, tookMs }. See README "JSON API" and /api/openapi.json.
 */
const get = route({ query: searchGetSchema }, async ({ engine, query: v }) => {
  const { offset, mode, collapse, k, min, dataset, q, like, qimg } = v;
  return json(await runSearch(engine, { mode: mode.want, ranking: mode.ranking, collapse, k, min, dataset: dataset ?? '', q: q ?? '', like, qimg }, offset));
});
// `mode` may be repeated (mode=text&mode=keyword): one comma-separated value before validation.
export const GET: typeof get = (req, ctx) => get(joinRepeatedModes(req), ctx);

/**
 * POST /api/search (multipart/form-data): an `image` file, and optional q (a text that refines the
 * image), mode, collapse, k, offset, min, dataset. The image is kept for a while in a bounded store (lib/search/query-images), so the
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
