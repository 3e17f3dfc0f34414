import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { getEngine, type Engine } from '@/lib/engine';
import { isAppError } from '@/lib/errors';
import { readImageOcr, type ImageOcr } from '@/lib/ingest';
import { search } from '@/lib/search';
import { formatBytes } from '@/lib/uploads';
import { ImageCard } from '@/components/search/results';
import { EMPTY_QUERY, searchHref } from '@/lib/views/search-query';
import { findImage, searchEngine } from '@/app/_lib/search';
import { withEngine } from '@/app/_lib/with-engine';

export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ id: string }> };

function imageIdOf(raw: string): number {
  if (!/^\d{1,12}$/.test(raw)) notFound();
  return Number(raw);
}

async function load(engine: Engine, id: number) {
  try {
    return await findImage(engine, id);
  } catch (err) {
    if (isAppError(err) && err.code === 'NOT_FOUND') notFound();
    throw err;
  }
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { id } = await params;
  const t = await getTranslations('ImagePage');
  try {
    const row = await findImage(await getEngine(), imageIdOf(id));
    return { title: row.captions[0] ? `“${row.captions[0].slice(0, 60)}”` : t('title', { id }) };
  } catch {
    return { title: t('title', { id }) };
  }
}

export default withEngine(async function ImagePage(engine, { params }: Props) {
  const id = imageIdOf((await params).id);
  const row = await load(engine, id);
  const [original, nearest, ocr] = await Promise.all([
    engine.store.readOriginal(row.sha256).catch(() => null),
    searchEngine(engine).then((deps) => search({ query: { imageId: id }, want: 'image', k: 12 }, deps)).catch(() => null),
    readImageOcr(engine.db, id),
  ]);
  const t = await getTranslations('ImagePage');

  return (
    <div className="stack">
      <p className="small">
        <Link href="/">{t('back')}</Link>
      </p>
      <div className="detail">
        <div className="full">
          {/* Small originals are shown at most 4× their size: bigger only blurs them. */}
          {/* eslint-disable-next-line @next/next/no-img-element */}
          <img
            src={`/api/images/${row.sha256}`}
            alt={row.captions[0] ?? t('title', { id })}
            width={row.width}
            height={row.height}
            style={{ width: '100%', maxWidth: Math.max(row.width * 4, 320), height: 'auto', objectFit: 'contain' }}
          />
        </div>
        <section className="panel stack" aria-labelledby="about-h">
          <h1 id="about-h" style={{ fontSize: '1.2rem' }}>
            {t('title', { id })}
          </h1>
          <div>
            <h2 style={{ marginTop: 0 }}>{t('captions')}</h2>
            {row.captions.length ? (
              <ul className="captions" data-testid="captions">
                {row.captions.map((c, i) => (
                  <li key={i}>{c}</li>
                ))}
              </ul>
            ) : (
              <p className="muted">{t('noCaption')}</p>
            )}
          </div>
          <OcrSection ocr={ocr} />
          <dl className="facts">
            <dt>{t('dataset')}</dt>
            <dd>
              <Link href={`/?dataset=${encodeURIComponent(row.dataset)}`}>{row.dataset}</Link>
            </dd>
            <dt>{t('dimensions')}</dt>
            <dd data-testid="dimensions">{t('dimensionsValue', { width: String(row.width), height: String(row.height) })}</dd>
            {original ? (
              <>
                <dt>{t('file')}</dt>
                <dd>
                  {original.ext.toUpperCase()}, {formatBytes(original.bytes.length)}
                </dd>
              </>
            ) : null}
            <dt>sha256</dt>
            <dd className="mono small">{row.sha256}</dd>
          </dl>
          <div className="row">
            <Link className="btn primary" href={searchHref({ ...EMPTY_QUERY, like: id })}>
              {t('moreLikeThis')}
            </Link>
            <Link className="btn" href={searchHref({ ...EMPTY_QUERY, mode: 'text', like: id })}>
              {t('findCaptions')}
            </Link>
            <a className="btn" href={`/api/images/${row.sha256}`} download={`clipdex-${id}.${original?.ext ?? 'img'}`}>
              {t('download')}
            </a>
          </div>
        </section>
      </div>
      <section aria-labelledby="nearest-h">
        <h2 id="nearest-h">{t('nearest')}</h2>
        {nearest && nearest.hits.length ? (
          <ol className="grid" data-testid="nearest" aria-labelledby="nearest-h">
            {nearest.hits.map((h, i) => {
              const { sha256: _s, ...hit } = h;
              void _s;
              return <ImageCard key={h.imageId} hit={hit} rank={i + 1} />;
            })}
          </ol>
        ) : (
          <p className="muted">{t('noOthers')}</p>
        )}
      </section>
    </div>
  );
});

/** issue 11: the text OCR found in the image, or why there is none. */
async function OcrSection({ ocr }: { ocr: ImageOcr | null }) {
  const t = await getTranslations('ImagePage');
  const status = ocr?.status ?? null;
  const code = (chunks: React.ReactNode) => <code>{chunks}</code>;
  return (
    <div data-testid="ocr" data-status={status ?? 'none'}>
      <h2 style={{ marginTop: 0 }}>{t('ocrTitle')}</h2>
      {status === 'done' && ocr?.text ? (
        <pre className="ocr-text" data-testid="ocr-text" style={{ whiteSpace: 'pre-wrap', margin: '0.25rem 0', fontFamily: 'inherit' }}>
          {ocr.text}
        </pre>
      ) : status === 'done' ? (
        <p className="muted">{t('ocrNone')}</p>
      ) : status === 'failed' ? (
        <p className="alert error" data-testid="ocr-error">
          {t('ocrFailed', { error: ocr?.error ?? t('ocrUnknown') })}
        </p>
      ) : status === 'skipped' ? (
        <p className="muted">{t.rich('ocrSkipped', { code })}</p>
      ) : (
        <p className="muted">{t.rich('ocrNotYet', { code })}</p>
      )}
      {status === 'done' && ocr?.error ? <p className="small muted">{ocr.error}</p> : null}
    </div>
  );
}
