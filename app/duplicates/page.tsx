import type { Metadata } from 'next';
import Link from 'next/link';
import { datasetIdFor, lastScan, listGroups } from '@/lib/duplicates';
import { DeleteImageButton } from '@/components/duplicates/delete-image-button';
import { DuplicateGroup } from '@/components/duplicates/duplicate-group';
import { getAdminSession } from '@/app/_lib/session';
import { withEngine } from '@/app/_lib/with-engine';
import { deleteDuplicateImageAction } from './actions';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Near-duplicates' };

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
  const [groups, scan, session] = await Promise.all([
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
        Sign in to delete
      </Link>
    );
  return (
    <div className="stack">
      <h1 style={{ margin: 0 }}>Near-duplicates</h1>
      <p className="muted" style={{ margin: 0 }}>
        Images whose similarity — the smaller of their CLIP cosine and the correlation of their thumbnails’ pixels — is at least{' '}
        <strong data-testid="duplicate-threshold">{threshold}</strong>: resized, recompressed or lightly edited copies. A group’s figure is its weakest link. Found
        at ingest; search shows one card per group.
        {datasetName ? (
          <>
            {' '}
            Showing dataset “{datasetName}” only · <Link href="/duplicates">all datasets</Link>
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
          <h2>No near-duplicates{datasetName ? ` in “${datasetName}”` : ''}</h2>
          <p>No two indexed images are that similar. Copies found when you ingest or upload images will be listed here to review.</p>
          {!scan ? (
            <p className="small">
              Images ingested before clipdex looked for near-duplicates are checked by a re-index (<Link href="/admin">Admin</Link>) or{' '}
              <code>clipdex duplicates --rescan</code>.
            </p>
          ) : null}
        </div>
      ) : (
        <>
          <p className="status-line" role="status" data-testid="duplicate-count">
            {groups.total.toLocaleString('en')} group{groups.total === 1 ? '' : 's'}
            {pages > 1 ? ` · page ${page} of ${pages}` : ''}
            {!scan ? ' · older images are not checked until a re-index' : ''}
          </p>
          {groups.groups.map((g) => (
            <DuplicateGroup key={g.groupId} group={g} deleteButton={deleteButton} />
          ))}
          {pages > 1 ? (
            <nav className="more-row row" aria-label="Pages">
              {page > 1 ? <Link href={href(page - 1)}>← Previous</Link> : null}
              {page < pages ? <Link href={href(page + 1)}>Next →</Link> : null}
            </nav>
          ) : null}
        </>
      )}
    </div>
  );
});
