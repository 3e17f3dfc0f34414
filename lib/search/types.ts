export interface SearchOptions {
  /** Results per page (default 20, at most 1000). */
  k?: number;
  /** Results to skip (pagination). */
  offset?: number;
  /** Drop results with a lower cosine similarity. */
  minScore?: number;
  /** Only results from this dataset (by name). A `dataset:` in the query text takes its place. */
  dataset?: string;
  /**
   * Which signals rank image results (issue 11): both fused (default), CLIP only, or the keyword
   * index only. Caption results (want 'text') are ranked by meaning only.
   */
  ranking?: SearchRanking;
  /** Show one hit per near-duplicate group, with the others in `similar` (default true). */
  collapse?: boolean;
}

export const SEARCH_RANKINGS = ['hybrid', 'semantic', 'keyword'] as const;
export type SearchRanking = (typeof SEARCH_RANKINGS)[number];

/**
 * What to search with: a text (the query language, lib/query), image bytes, a stored image (by
 * id: its stored vector), or several stored images (a collection, issue 14: the normalised mean of
 * their stored vectors); an image with a text too ("this, but red") combines the two.
 */
export type SearchInput =
  | { text: string }
  | { image: Buffer; text?: string }
  | { imageId: number; text?: string }
  | { imageIds: number[]; text?: string };

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
  /** Text found in the image (OCR); null when none was found or OCR has not run. */
  ocrText: string | null;
  /** Why it matched: each signal's score and rank (1-based, in that signal's own list). */
  signals: HitSignals;
  /** Near-duplicates of this image that the results left out for it (collapse). */
  similar?: { count: number; imageIds: number[] };
}

export interface HitSignals {
  /** Cosine similarity to the query (`score`), and the rank among the nearest vectors when it was one. */
  semantic?: { score: number; rank?: number };
  /** Keyword match: score, rank, where the words were found and the words in context. */
  keyword?: { score: number; rank: number; fields: ('caption' | 'ocr' | 'filename')[]; snippet?: string };
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
