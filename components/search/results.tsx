'use client';
import { useState } from 'react';
import Link from 'next/link';
import { EMPTY_QUERY, searchHref, toSearchParams, type SearchQuery } from '@/lib/views/search-query';
import type { ApiErrorBody, HitView, ImageHitView, SearchPageView, TextHitView } from '@/lib/views/search-view';
import { OcrLine, WhyMatched } from './why-matched';
import { SimilarBadge } from './similar-badge';

interface Props {
  query: SearchQuery;
  initial: SearchPageView;
}

/** The result list: the first page came from the server; "Load more" asks /api/search for the next. */
export function Results({ query, initial }: Props) {
  const [hits, setHits] = useState<HitView[]>(initial.hits);
  const [hasMore, setHasMore] = useState(initial.hasMore);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function loadMore() {
    setLoading(true);
    setError(null);
    try {
      const res = await fetch(`/api/search?${toSearchParams(query, { offset: hits.length }).toString()}`);
      const json = (await res.json()) as SearchPageView | ApiErrorBody;
      if (!res.ok || 'error' in json) throw new Error('error' in json ? json.error.message : `status ${res.status}`);
      setHits((prev) => [...prev, ...json.hits]);
      setHasMore(json.hasMore);
    } catch (err) {
      setError(`Could not load more: ${(err as Error).message}`);
    } finally {
      setLoading(false);
    }
  }

  if (hits.length === 0) return <NoResults query={query} />;

  return (
    <section aria-labelledby="results-heading">
      <p className="status-line" id="results-heading" role="status">
        {hits.length} result{hits.length === 1 ? '' : 's'}
        {hasMore ? ' so far' : ''}
        {query.min > 0 ? ` scoring at least ${query.min.toFixed(2)}` : ''}
        {query.dataset ? ` in “${query.dataset}”` : ''} · {initial.tookMs} ms
      </p>
      {query.mode === 'text' ? (
        <ol className="text-results" data-testid="results">
          {hits.map((h, i) => (h.kind === 'text' ? <TextHitRow key={`${h.textId}`} hit={h} rank={i + 1} /> : null))}
        </ol>
      ) : (
        <ol className="grid" data-testid="results">
          {hits.map((h, i) => (h.kind === 'image' ? <ImageCard key={`${h.imageId}`} hit={h} rank={i + 1} query={query} /> : null))}
        </ol>
      )}
      {error ? (
        <p className="alert error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="more-row">
        {hasMore ? (
          <button type="button" className="btn" onClick={loadMore} disabled={loading}>
            {loading ? 'Loading…' : `Load ${query.k} more`}
          </button>
        ) : (
          <span className="muted small">End of results.</span>
        )}
      </div>
    </section>
  );
}

function NoResults({ query }: { query: SearchQuery }) {
  return (
    <div className="empty panel" role="status">
      <h2>No results{query.min > 0 ? ` scoring ${query.min.toFixed(2)} or more` : ''}</h2>
      {query.min > 0 ? (
        <p>
          Nothing passed the minimum score. <Link href={searchHref({ ...query, min: 0 })}>Search again with no minimum</Link>, or move the
          slider lower.
        </p>
      ) : query.dataset ? (
        <p>
          Nothing in “{query.dataset}”. <Link href={searchHref({ ...query, dataset: '' })}>Search all datasets</Link>.
        </p>
      ) : (
        <p>Nothing matched. Try other words, or upload more images.</p>
      )}
    </div>
  );
}

export function ImageCard({ hit, rank, query }: { hit: ImageHitView; rank: number; query?: SearchQuery }) {
  const caption = hit.captions[0] ?? '';
  const base: SearchQuery = query ?? EMPTY_QUERY;
  const like = searchHref({ ...base, mode: 'image', q: '', like: hit.imageId, qimg: undefined });
  return (
    <li className="card" data-testid="image-hit" data-image-id={hit.imageId}>
      <Link href={`/images/${hit.imageId}`} className="thumb-box" aria-label={`Result ${rank}, score ${hit.score.toFixed(3)}: ${caption || `image ${hit.imageId}`}`}>
        {/* eslint-disable-next-line @next/next/no-img-element */}
        <img src={hit.thumbUrl} alt={caption} loading="lazy" decoding="async" width={hit.width} height={hit.height} />
        <span className="score" title="Cosine similarity">
          {hit.score.toFixed(3)}
        </span>
      </Link>
      <div className="body">
        <p className="caption" title={hit.captions.join('\n')} data-testid="caption">
          {caption || <span className="muted">(no caption)</span>}
        </p>
        <OcrLine text={hit.ocrText} />
        <WhyMatched hit={hit} />
        <div className="meta">
          <span title={`Dataset: ${hit.dataset}`}>{hit.dataset}</span>
          {hit.similar ? <SimilarBadge count={hit.similar.count} query={query} /> : null}
          <Link href={like} className="btn small" data-testid="more-like-this">
            More like this
          </Link>
        </div>
      </div>
    </li>
  );
}

function TextHitRow({ hit, rank }: { hit: TextHitView; rank: number }) {
  const pct = Math.max(0, Math.min(100, hit.score * 100));
  return (
    <li className="text-hit" data-testid="text-hit">
      <span className="n">{rank}.</span>
      <div>
        <p className="t" data-testid="caption">
          {hit.text}
        </p>
        <div className="small muted">
          score <b>{hit.score.toFixed(3)}</b> · {hit.dataset}
        </div>
        <div className="bar" aria-hidden="true">
          <span style={{ width: `${pct}%` }} />
        </div>
      </div>
      <div className="thumbs">
        {hit.images.slice(0, 4).map((im) => (
          <Link key={im.imageId} href={`/images/${im.imageId}`} aria-label={`Image ${im.imageId} with this caption`}>
            {/* eslint-disable-next-line @next/next/no-img-element */}
            <img src={im.thumbUrl} alt="" loading="lazy" width={56} height={56} />
          </Link>
        ))}
      </div>
    </li>
  );
}
