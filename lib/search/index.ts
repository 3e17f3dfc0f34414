/**
 * lib/search — text→image, image→text, image→image and text→text over the HNSW indexes, with k,
 * offset, a minimum score and a dataset filter. Each hit carries its score, caption(s), dataset,
 * size and the thumbnail/original URLs the web app serves (/api/thumbs/<sha>, /api/images/<sha>).
 * The engine argument is optional: without it the process-wide engine is used.
 */
export { searchTextToImage, searchTextToText, searchImageToText, searchImageToImage, MAX_WINDOW } from './search';
export type { SearchOptions, ImageHit, TextHit, SearchResult } from './types';
