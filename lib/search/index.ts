/**
 * lib/search — one entry point, `search({ query, want, k, offset, minScore, dataset, ranking, collapse }, deps)`:
 * a text (the query language of lib/query), image bytes, a stored image, or an image with a text,
 * against the image or the text side, with paging, a minimum score and filters. Image results
 * fuse the semantic (CLIP) and keyword signals (reciprocal rank fusion) and collapse
 * near-duplicates; each hit carries its score, captions, text found in it, why it matched
 * (`signals`), dataset, size and the thumbnail/original URLs the web app serves. Also the bounded
 * store of uploaded query images.
 */
export { search, MAX_WINDOW, type SearchDeps } from './search';
export { openQueryImageStore, queryImagesDir, DEFAULT_QUERY_IMAGE_LIMITS, type QueryImageStore, type QueryImageLimits } from './query-images';
export { fuseRanks, collapseGroups, RRF_K } from './fuse';
export { SEARCH_RANKINGS } from './types';
export type { SearchOptions, SearchInput, SearchWant, SearchRequest, SearchRanking, ImageHit, TextHit, HitSignals, SearchResult } from './types';
