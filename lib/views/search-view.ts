/** What GET/POST /api/search and the search page send to the browser (lib/search's shapes). */
import type { ImageHit, TextHit } from '../search/types';
import type { SearchQuery } from './search-query';

/**
 * What the browser gets of a hit: lib/search's shapes without the sha256s (the URLs name the
 * bytes already), derived so that the two never drift.
 */
export type ImageHitView = Omit<ImageHit, 'sha256'>;
export type TextHitView = Omit<TextHit, 'images'> & { images: Pick<TextHit['images'][number], 'imageId' | 'thumbUrl'>[] };

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
