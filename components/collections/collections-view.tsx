'use client';
import { useState } from 'react';
import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { collectionSearchHref, MAX_QUERY_IMAGES, type Collection } from '@/lib/views/collections';
import { exportFileName, toCsv, toJson, type ExportRow } from '@/lib/views/export';
import { download } from '@/components/search/export-bar';
import { thumbImageProps } from '@/components/search/thumb';
import { useCollections } from './use-collections';

function rowsOf(c: Collection, origin: string): ExportRow[] {
  return c.items.map((i, n) => ({
    rank: n + 1,
    kind: 'image',
    imageId: i.imageId,
    text: i.caption,
    dataset: i.dataset,
    pageUrl: new URL(`/images/${i.imageId}`, origin).toString(),
    imageUrl: new URL(i.imageUrl, origin).toString(),
    thumbUrl: new URL(i.thumbUrl, origin).toString(),
  }));
}

/** Pick, create, export, search with and prune the collections in this browser. */
export function CollectionsView() {
  const t = useTranslations('Collections');
  const [state, change] = useCollections();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const current = state.collections.find((c) => c.name === state.current) ?? null;

  function create(e: React.FormEvent) {
    e.preventDefault();
    const n = name.trim();
    if (!n) return setError(t('nameEmpty'));
    if (state.collections.some((c) => c.name === n)) return setError(t('nameTaken', { name: n }));
    change({ op: 'create', name: n });
    setName('');
    setError(null);
  }

  const href = current ? collectionSearchHref(current) : null;
  return (
    <div className="stack">
      <div className="panel stack">
        <div className="row" style={{ alignItems: 'flex-end' }}>
          {state.collections.length ? (
            <div className="field">
              <label htmlFor="collection-pick">{t('current')}</label>
              <select id="collection-pick" value={state.current ?? ''} onChange={(e) => change({ op: 'select', name: e.target.value })} data-testid="collection-pick">
                {state.collections.map((c) => (
                  <option key={c.name} value={c.name}>
                    {c.name} ({t('count', { count: c.items.length })})
                  </option>
                ))}
              </select>
            </div>
          ) : (
            <p className="muted" style={{ margin: 0 }}>
              {t('none')}
            </p>
          )}
          <form className="row" onSubmit={create} style={{ alignItems: 'flex-end' }}>
            <div className="field">
              <label htmlFor="collection-name">{t('newName')}</label>
              <input id="collection-name" type="text" value={name} maxLength={60} onChange={(e) => setName(e.target.value)} />
            </div>
            <button type="submit" className="btn">
              {t('create')}
            </button>
          </form>
        </div>
        {error ? (
          <p className="alert error" role="alert">
            {error}
          </p>
        ) : null}
      </div>
      {current ? (
        <section className="stack" aria-labelledby="collection-h">
          <div className="row" style={{ justifyContent: 'space-between' }}>
            <h2 id="collection-h" style={{ margin: 0 }}>
              {current.name} <span className="muted small">({t('count', { count: current.items.length })})</span>
            </h2>
            <div className="row">
              {href ? (
                <Link className="btn primary" href={href} data-testid="collection-search">
                  {t('search')}
                </Link>
              ) : null}
              <button
                type="button"
                className="btn small"
                disabled={!current.items.length}
                onClick={() => download(exportFileName(current.name, 'csv'), 'text/csv;charset=utf-8', toCsv(rowsOf(current, window.location.origin)))}
                data-testid="collection-csv"
              >
                {t('csv')}
              </button>
              <button
                type="button"
                className="btn small"
                disabled={!current.items.length}
                onClick={() =>
                  download(exportFileName(current.name, 'json'), 'application/json', toJson({ collection: current.name }, rowsOf(current, window.location.origin)))
                }
              >
                {t('json')}
              </button>
              <button type="button" className="btn small danger" onClick={() => change({ op: 'delete', name: current.name })}>
                {t('delete')}
              </button>
            </div>
          </div>
          {current.items.length > MAX_QUERY_IMAGES ? <p className="small muted">{t('tooMany', { max: MAX_QUERY_IMAGES })}</p> : null}
          {current.items.length ? (
            <ol className="grid" aria-label={current.name} data-testid="collection-items">
              {current.items.map((i) => (
                <li key={i.imageId} className="card">
                  <Link href={`/images/${i.imageId}`} className="thumb-box" aria-label={i.caption || `#${i.imageId}`}>
                    {/* eslint-disable-next-line @next/next/no-img-element */}
                    <img alt={i.caption} loading="lazy" {...thumbImageProps(i)} />
                  </Link>
                  <div className="body">
                    <p className="caption">{i.caption}</p>
                    <div className="meta">
                      <span>{i.dataset}</span>
                      <button
                        type="button"
                        className="btn small"
                        aria-label={t('removeFrom', { id: i.imageId, name: current.name })}
                        onClick={() => change({ op: 'remove', name: current.name, imageId: i.imageId })}
                      >
                        {t('remove')}
                      </button>
                    </div>
                  </div>
                </li>
              ))}
            </ol>
          ) : (
            <p className="empty">{t('empty')}</p>
          )}
        </section>
      ) : null}
    </div>
  );
}
