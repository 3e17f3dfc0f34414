export interface SearchOptions {
  /** Results per page (default 20, at most 1000). */
  k?: number;
  /** Results to skip (pagination). */
  offset?: number;
  /** Drop results with a lower cosine similarity. */
  minScore?: number;
  /** Only results from this dataset (by name). */
  dataset?: string;
}

/**
 * What to search with: a text, image bytes, a stored image (by id: its stored vector), or several
 * stored images (a collection, issue 14: the normalised mean of their stored vectors).
 */
export type SearchInput = { text: string } | { image: Buffer } | { imageId: number } | { imageIds: number[] };

/** What to get back: images, or captions (texts with their images). */
export type SearchWant = 'image' | 'text';

export interface SearchRequest extends SearchOptions {
  query: SearchInput;
  want: SearchWant;
}

export interface ImageHit {
  kind: 'image';
  imageId: number;
  score: number;
  captions: string[];
  dataset: string;
  width: number;
  height: number;
  sha256: string;
  thumbUrl: string;
  imageUrl: string;
}

export interface TextHit {
  kind: 'text';
  textId: number;
  score: number;
  text: string;
  dataset: string;
  images: { imageId: number; sha256: string; thumbUrl: string; imageUrl: string }[];
}

export interface SearchResult<H> {
  hits: H[];
  k: number;
  offset: number;
  /** Whether a next page exists (same query, offset + k). */
  hasMore: boolean;
  tookMs: number;
}
