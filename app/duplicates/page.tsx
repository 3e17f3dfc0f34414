import type { Metadata } from 'next';
import Link from 'next/link';
import { getFormatter, getTranslations } from 'next-intl/server';
import { datasetIdFor, lastScan, listGroups } from '@/lib/duplicates';
import { DeleteImageButton } from '@/components/duplicates/delete-image-button';
import { DuplicateGroup } from '@/components/duplicates/duplicate-group';
import { getAdminSession } from '@/app/_lib/session';
import { withEngine } from '@/app/_lib/with-engine';
import { deleteDuplicateImageAction } from './actions';

export const dynamic = 'force-dynamic';
export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('DuplicatesPage'))('title') };
}

const PAGE = 20;
type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export default withEngine(async function DuplicatesPage(engine, { searchParams }: Props) {
  const sp = await searchParams;
  const page = Math.max(1, Math.min(1_000_000, Math.trunc(Number(one(sp.page) ?? 1)) || 1));
  const datasetName = one(sp.dataset)?.trim() || undefined;
  const modelId = engine.model.info.id;
  let datasetId: number | undefined;
  let datasetError: string | undefined;
  if (datasetName) {
    try {
      datasetId = await datasetIdFor(engine.db, datasetName);
    } catch (err) {
      datasetError = (err as Error).message;
    }
  }
  const [t, format, groups, scan, session] = await Promise.all([
    getTranslations('DuplicatesPage'),
    getFormatter(),
    datasetError ? { total: 0, groups: [] } : listGroups(engine.db, modelId, { datasetId, limit: PAGE, offset: (page - 1) * PAGE }),
    lastScan(engine.db, modelId),
    getAdminSession(),
  ]);
  const threshold = scan?.threshold ?? engine.config.duplicateThreshold;
  const pages = Math.max(1, Math.ceil(groups.total / PAGE));
  const href = (p: number) => `/duplicates?${new URLSearchParams({ ...(datasetName ? { dataset: datasetName } : {}), page: String(p) }).toString()}`;
  const deleteButton = (imageId: number, label: string) =>
    session.admin ? (
      <DeleteImageButton imageId={imageId} label={label} action={deleteDuplicateImageAction} />
    ) : (
      <Link href="/signin?next=/duplicates" className="small">
        {t('signIn')}
      </Link>
    );
  return (
    <div className="stack">
      <h1 style={{ margin: 0 }}>{t('title')}</h1>
      <p className="muted" style={{ margin: 0 }}>
        {t.rich('intro', { threshold: String(threshold), strong: (chunks) => <strong data-testid="duplicate-threshold">{chunks}</strong> })}
        {datasetName ? (
          <>
            {' '}
            {t.rich('onlyDataset', { dataset: datasetName, link: (chunks) => <Link href="/duplicates">{chunks}</Link> })}
          </>
        ) : null}
      </p>
      {datasetError ? (
        <p className="alert error" role="alert">
          {datasetError}
        </p>
      ) : null}
      {groups.total === 0 ? (
        <div className="empty panel" data-testid="no-duplicates">
          <h2>{datasetName ? t('noneIn', { dataset: datasetName }) : t('none')}</h2>
          <p>{t('noneText')}</p>
          {!scan ? (
            <p className="small">
              {t.rich('unchecked', { link: (chunks) => <Link href="/admin">{chunks}</Link>, code: (chunks) => <code>{chunks}</code> })}
            </p>
          ) : null}
        </div>
      ) : (
        <>
          <p className="status-line" role="status" data-testid="duplicate-count">
            {t('count', { count: groups.total })}
            {pages > 1 ? t('pageOf', { page: format.number(page), pages: format.number(pages) }) : ''}
            {!scan ? t('notChecked') : ''}
          </p>
          {groups.groups.map((g) => (
            <DuplicateGroup key={g.groupId} group={g} deleteButton={deleteButton} />
          ))}
          {pages > 1 ? (
            <nav className="more-row row" aria-label={t('pages')}>
              {page > 1 ? <Link href={href(page - 1)}>{t('previous')}</Link> : null}
              {page < pages ? <Link href={href(page + 1)}>{t('next')}</Link> : null}
            </nav>
          ) : null}
        </>
      )}
    </div>
  );
});
