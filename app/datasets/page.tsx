import type { Metadata } from 'next';
import Link from 'next/link';
import { getFormatter, getTranslations } from 'next-intl/server';
import { listDatasets } from '@/lib/db';
import { DeleteDatasetButton } from '@/components/datasets/delete-dataset-button';
import { getAdminSession } from '@/app/_lib/session';
import { withEngine } from '@/app/_lib/with-engine';
import { deleteDatasetAction } from './actions';

export const dynamic = 'force-dynamic';
export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('DatasetsPage'))('title') };
}

export default withEngine(async function DatasetsPage(engine) {
  const [datasets, session, t, ts, format] = await Promise.all([
    listDatasets(engine.db),
    getAdminSession(),
    getTranslations('DatasetsPage'),
    getTranslations('Status'),
    getFormatter(),
  ]);
  // Shown in UTC (i18n/request.ts), in the reader's language's date style.
  const fmtDate = (d: Date) => format.dateTime(d, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
  return (
    <div className="stack">
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h1 style={{ margin: 0 }}>{t('title')}</h1>
        <Link href="/datasets/new" className="btn primary">
          {t('upload')}
        </Link>
      </div>
      {datasets.length === 0 ? (
        <div className="empty panel" data-testid="no-datasets">
          <h2>{t('empty')}</h2>
          <p>{t.rich('emptyBody', { link: (c) => <Link href="/datasets/new">{c}</Link> })}</p>
        </div>
      ) : (
        <div className="table-wrap panel" style={{ padding: 0 }}>
          <table data-testid="datasets-table">
            <caption className="visually-hidden">{t('caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('name')}</th>
                <th scope="col">{t('format')}</th>
                <th scope="col">{t('status')}</th>
                <th scope="col" className="num">
                  {t('images')}
                </th>
                <th scope="col" className="num">
                  {t('texts')}
                </th>
                <th scope="col" className="num">
                  {t('links')}
                </th>
                <th scope="col">{t('updated')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {datasets.map((d) => (
                <tr key={d.id} data-testid="dataset-row" data-name={d.name}>
                  <th scope="row">
                    <Link href={`/?dataset=${encodeURIComponent(d.name)}`} title={t('searchIn', { name: d.name })}>
                      {d.name}
                    </Link>
                  </th>
                  <td>{d.format}</td>
                  <td>
                    <span className={`badge ${d.status}`}>{ts.has(d.status) ? ts(d.status) : d.status}</span>
                  </td>
                  <td className="num" data-testid="dataset-images">
                    {format.number(d.images)}
                  </td>
                  <td className="num">{format.number(d.texts)}</td>
                  <td className="num">{format.number(d.links)}</td>
                  <td className="small muted">{fmtDate(d.updatedAt)}</td>
                  <td style={{ textAlign: 'right' }}>
                    {session.admin ? (
                      <DeleteDatasetButton id={d.id} name={d.name} images={d.images} action={deleteDatasetAction} />
                    ) : (
                      <Link href="/signin?next=/datasets" className="small">
                        {t('signInToDelete')}
                      </Link>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
});
