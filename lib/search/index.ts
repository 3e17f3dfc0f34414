/**
 * lib/search — one entry point, `search({ query, want, k, offset, minScore, dataset }, deps)`:
 * a text, image bytes or a stored image, against the image or the text HNSW index, with paging,
 * a minimum score and a dataset filter. Each hit carries its score, caption(s), dataset, size and
 * the thumbnail/original URLs the web app serves (/api/thumbs/<sha>, /api/images/<sha>). Also the
 * bounded store of uploaded query images.
 */
export { search, MAX_WINDOW, type SearchDeps } from './search';
export { openQueryImageStore, queryImagesDir, DEFAULT_QUERY_IMAGE_LIMITS, type QueryImageStore, type QueryImageLimits } from './query-images';
export type { SearchOptions, SearchInput, SearchWant, SearchRequest, ImageHit, TextHit, SearchResult } from './types';
