/** What the search API and pages send to the browser (the shapes lib/search returns). */
import type { SearchQuery } from './query';

export interface ImageHitView {
  kind: 'image';
  imageId: number;
  score: number;
  captions: string[];
  dataset: string;
  width: number;
  height: number;
  thumbUrl: string;
  imageUrl: string;
}

export interface TextHitView {
  kind: 'text';
  textId: number;
  score: number;
  text: string;
  dataset: string;
  images: { imageId: number; thumbUrl: string }[];
}

export type HitView = ImageHitView | TextHitView;

/** One page of results, as GET/POST /api/search return it. */
export interface SearchPageView {
  query: SearchQuery;
  offset: number;
  hits: HitView[];
  /** More results may follow (this page was full). */
  hasMore: boolean;
  tookMs: number;
}

/** Error body of every JSON API route. */
export interface ApiErrorBody {
  error: { code: string; message: string };
}
