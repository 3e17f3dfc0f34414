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
