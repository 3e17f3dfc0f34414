'use client';
import { useState } from 'react';
import Link from 'next/link';
import { useFormatter, useTranslations } from 'next-intl';
import { EMPTY_QUERY, searchHref, toSearchParams, type SearchQuery } from '@/lib/views/search-query';
import type { ApiErrorBody, HitView, ImageHitView, SearchPageView, TextHitView } from '@/lib/views/search-view';
import { OcrLine, WhyMatched } from './why-matched';
import { SimilarBadge } from './similar-badge';
import { ExportBar } from './export-bar';
import { KeepButton } from '@/components/collections/keep-button';
import { thumbImageProps } from './thumb';

interface Props {
  query: SearchQuery;
  initial: SearchPageView;
}

/** The result list: the first page came from the server; "Load more" asks /api/search for the next. */
export function Results({ query, initial }: Props) {
  const t = useTranslations('Results');
  const format = useFormatter();
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
      setError(t('loadFailed', { message: (err as Error).message }));
    } finally {
      setLoading(false);
    }
  }

  if (hits.length === 0) return <NoResults query={query} />;

  return (
    <section aria-labelledby="results-heading">
      <p className="status-line" id="results-heading" role="status">
        {t('count', { count: hits.length })}
        {hasMore ? t('soFar') : ''}
        {query.min > 0 ? t('atLeast', { min: format.number(query.min, { minimumFractionDigits: 2, maximumFractionDigits: 2 }) }) : ''}
        {query.dataset ? t('inDataset', { dataset: query.dataset }) : ''} · {t('took', { ms: format.number(initial.tookMs) })}
      </p>
      <ExportBar query={query} hits={hits} />
      {query.mode === 'text' ? (
        <ol className="text-results" data-testid="results" aria-label={t('listLabel')}>
          {hits.map((h, i) => (h.kind === 'text' ? <TextHitRow key={`${h.textId}`} hit={h} rank={i + 1} /> : null))}
        </ol>
      ) : (
        <ol className="grid" data-testid="results" aria-label={t('listLabel')}>
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
            {loading ? t('loading') : t('loadMore', { k: query.k })}
          </button>
        ) : (
          <span className="muted small">{t('end')}</span>
        )}
      </div>
    </section>
  );
}

function NoResults({ query }: { query: SearchQuery }) {
  const t = useTranslations('Results');
  return (
    <div className="empty panel" role="status">
      <h2>{query.min > 0 ? t('noResultsMin', { min: query.min.toFixed(2) }) : t('noResults')}</h2>
      {query.min > 0 ? (
        <p>{t.rich('nothingPassed', { link: (c) => <Link href={searchHref({ ...query, min: 0 })}>{c}</Link> })}</p>
      ) : query.dataset ? (
        <p>{t.rich('nothingIn', { dataset: query.dataset, link: (c) => <Link href={searchHref({ ...query, dataset: '' })}>{c}</Link> })}</p>
      ) : (
        <p>{t('nothing')}</p>
      )}
    </div>
  );
}

export function ImageCard({ hit, rank, query }: { hit: ImageHitView; rank: number; query?: SearchQuery }) {
  const t = useTranslations('Results');
  const caption = hit.captions[0] ?? '';
  const base: SearchQuery = query ?? EMPTY_QUERY;
  const like = searchHref({ ...base, mode: 'image', q: '', like: hit.imageId, qimg: undefined });
  return (
    <li className="card" data-testid="image-hit" data-image-id={hit.imageId}>
      <Link href={`/images/${hit.imageId}`} className="thumb-box" aria-label={t('resultLabel', { rank, score: hit.score.toFixed(3), caption: caption || t('imageN', { id: hit.imageId }) })}>
        {/* eslint-disable-next-line @next/next/no-img-element */}
        <img alt={caption} loading="lazy" decoding="async" {...thumbImageProps(hit)} />
        <span className="score" title={t('cosine')}>
          {hit.score.toFixed(3)}
        </span>
      </Link>
      <div className="body">
        <p className="caption" title={hit.captions.join('\n')} data-testid="caption">
          {caption || <span className="muted">{t('noCaption')}</span>}
        </p>
        <OcrLine text={hit.ocrText} />
        <WhyMatched hit={hit} />
        <div className="meta">
          <span title={t('datasetTitle', { dataset: hit.dataset })}>{hit.dataset}</span>
          {hit.similar ? <SimilarBadge count={hit.similar.count} query={query} /> : null}
          <span className="card-actions">
            <KeepButton hit={hit} />
            <Link href={like} className="btn small" data-testid="more-like-this">
              {t('moreLikeThis')}
            </Link>
          </span>
        </div>
      </div>
    </li>
  );
}

function TextHitRow({ hit, rank }: { hit: TextHitView; rank: number }) {
  const t = useTranslations('Results');
  const pct = Math.max(0, Math.min(100, hit.score * 100));
  return (
    <li className="text-hit" data-testid="text-hit">
      <span className="n">{rank}.</span>
      <div>
        <p className="t" data-testid="caption">
          {hit.text}
        </p>
        <div className="small muted">
          {t('score')} <b>{hit.score.toFixed(3)}</b> · {hit.dataset}
        </div>
        <div className="bar" aria-hidden="true">
          <span style={{ width: `${pct}%` }} />
        </div>
      </div>
      <div className="thumbs">
        {hit.images.slice(0, 4).map((im) => (
          <Link key={im.imageId} href={`/images/${im.imageId}`} aria-label={t('imageWithCaption', { id: im.imageId })}>
            {/* eslint-disable-next-line @next/next/no-img-element */}
            <img src={im.thumbUrl} alt="" loading="lazy" width={56} height={56} />
          </Link>
        ))}
      </div>
    </li>
  );
}
