import type { Metadata } from 'next';
import Link from 'next/link';
import { getTranslations } from 'next-intl/server';
import type { Engine } from '@/lib/engine';
import { listDatasets } from '@/lib/db';
import { describeError } from '@/lib/errors';
import { directionOf, hasImage, isRunnable, queryKey, type SearchQuery } from '@/lib/views/search-query';
import { parseSearchPage } from '@/lib/views/search-params';
import type { SearchPageView } from '@/lib/views/search-view';
import { SearchForm } from '@/components/search/search-form';
import { Results } from '@/components/search/results';
import { QueryChips } from '@/components/search/query-chips';
import type { QueryImage } from '@/components/search/image-query-input';
import { findImage, runSearch } from '@/app/_lib/search';
import { withEngine } from '@/app/_lib/with-engine';

export const dynamic = 'force-dynamic';

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ searchParams }: Props): Promise<Metadata> {
  const { query: q } = parseSearchPage(await searchParams);
  const [t, tf] = await Promise.all([getTranslations('SearchPage'), getTranslations('SearchForm')]);
  // The root layout's title template does not apply to the page in its own segment.
  if (!hasImage(q) && q.q) return { title: { absolute: `${t('titleQuery', { q: q.q })} · clipdex` } };
  if (hasImage(q)) return { title: { absolute: `${tf(directionOf(q))} — ${t('title')} · clipdex` } };
  return { title: { absolute: `${t('title')} · clipdex` } };
}

export default withEngine(async function SearchPage(engine, { searchParams }: Props) {
  const { query, error: urlError } = parseSearchPage(await searchParams);
  const datasets = await listDatasets(engine.db);
  const queryImage = await describeQueryImage(engine, query);
  const t = await getTranslations('SearchPage');

  let page: SearchPageView | null = null;
  let error: string | null = urlError ?? null;
  if (!error && datasets.length > 0 && isRunnable(query)) {
    try {
      page = await runSearch(engine, query);
    } catch (err) {
      error = describeError(err);
    }
  }

  return (
    <>
      <h1 className="visually-hidden">{t('title')}</h1>
      <section className="panel" aria-label={t('controls')}>
        <SearchForm query={query} datasets={datasets.map((d) => d.name)} queryImage={queryImage} />
        <QueryChips query={query} />
      </section>
      {datasets.length === 0 ? (
        <div className="empty panel" style={{ marginTop: '1rem' }} data-testid="no-datasets">
          <h2>{t('noDatasets')}</h2>
          <p>{t.rich('noDatasetsBody', { link: (c) => <Link href="/datasets/new">{c}</Link> })}</p>
        </div>
      ) : error ? (
        <p className="alert error" role="alert" style={{ marginTop: '1rem' }} data-testid="search-error">
          {error}
        </p>
      ) : page ? (
        <Results key={queryKey(query)} query={query} initial={page} />
      ) : (
        <Hints query={query} count={datasets.reduce((n, d) => n + d.images, 0)} />
      )}
    </>
  );
});

async function describeQueryImage(engine: Engine, q: SearchQuery): Promise<QueryImage | null> {
  const t = await getTranslations('SearchPage');
  if (q.qimg) return { qimg: q.qimg, src: `/api/queries/${q.qimg}`, alt: t('uploadedImage') };
  if (Array.isArray(q.like)) {
    // A collection as the query: its first image stands for it; the link leads to the collections.
    try {
      const row = await findImage(engine, q.like[0]);
      return { like: q.like, src: `/api/thumbs/${row.sha256}`, alt: t('collectionQuery', { count: q.like.length }), href: '/collections' };
    } catch {
      return null;
    }
  }
  if (q.like !== undefined) {
    try {
      const row = await findImage(engine, q.like);
      return { like: q.like, src: `/api/thumbs/${row.sha256}`, alt: row.captions[0] ?? t('imageN', { id: q.like }), href: `/images/${q.like}` };
    } catch {
      return null;
    }
  }
  return null;
}

async function Hints({ query, count }: { query: SearchQuery; count: number }) {
  const t = await getTranslations('SearchPage');
  return (
    <div className="empty" data-testid="search-hints">
      <p>
        {t('ready', { count })}{' '}
        {hasImage(query) ? t('hintImage') : t('hintText')}
      </p>
    </div>
  );
}
