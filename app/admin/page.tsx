import fs from 'node:fs/promises';
import path from 'node:path';
import type { Metadata } from 'next';
import Link from 'next/link';
import { getFormatter, getTranslations } from 'next-intl/server';
import { collectStats, listDatasets } from '@/lib/db';
import { indexDir } from '@/lib/index';
import { listJobs } from '@/lib/jobs';
import { formatBytes } from '@/lib/uploads';
import { ReindexButton } from '@/components/admin/reindex-button';
import { getAdminSession } from '@/app/_lib/session';
import { toJobView } from '@/app/_lib/jobs';
import { withEngine } from '@/app/_lib/with-engine';
import { reindexAction } from './actions';

export const dynamic = 'force-dynamic';
export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('AdminPage'))('title') };
}

async function bytesOnDisk(dir: string): Promise<{ total: number; files: { name: string; bytes: number }[] }> {
  let names: string[] = [];
  try {
    names = await fs.readdir(dir);
  } catch {
    return { total: 0, files: [] };
  }
  const files = await Promise.all(
    names.map(async (name) => ({ name, bytes: (await fs.stat(path.join(dir, name)).catch(() => ({ size: 0 }))).size })),
  );
  return { total: files.reduce((n, f) => n + f.bytes, 0), files: files.sort((a, b) => a.name.localeCompare(b.name)) };
}

export default withEngine(async function AdminPage(engine) {
  const [stats, jobs, datasets, disk, session] = await Promise.all([
    collectStats(engine.db),
    listJobs(engine.db, { limit: 30 }),
    listDatasets(engine.db),
    bytesOnDisk(indexDir(engine.config.dataDir)),
    getAdminSession(),
  ]);
  const [t, ts, format] = await Promise.all([getTranslations('AdminPage'), getTranslations('Status'), getFormatter()]);
  const n = (v: number) => format.number(v);
  // UTC (i18n/request.ts), as the column heading says, in the reader's date style.
  const fmtDate = (iso: string | null) => (iso ? format.dateTime(new Date(iso), { dateStyle: 'short', timeStyle: 'medium' }) : '—');
  const names = new Map(datasets.map((d) => [d.id, d.name]));
  const views = jobs.map((j) => toJobView(j, { names }));
  const active = views.find((j) => j.kind === 'reindex' && (j.status === 'running' || j.status === 'queued')) ?? null;
  const { info } = engine.model;
  const { hnsw } = engine.config;
  const img = engine.indexes.image.describe();
  const txt = engine.indexes.text.describe();
  const report = engine.indexReport;

  return (
    <div className="stack">
      <h1>{t('title')}</h1>
      <div className="cards-2">
        <section className="panel" aria-labelledby="model-h">
          <h2 id="model-h" style={{ marginTop: 0 }}>
            {t('model')}
          </h2>
          <dl className="facts" data-testid="model-facts">
            <dt>{t('name')}</dt>
            <dd>{info.name}</dd>
            <dt>{t('layout')}</dt>
            <dd>{info.layout === 'hf' ? t('layoutHf') : t('layoutCn')}</dd>
            <dt>{t('dimension')}</dt>
            <dd>{info.dim}</dd>
            <dt>{t('identity')}</dt>
            <dd className="mono" title={t('identityTitle')}>
              {info.id}
            </dd>
            <dt>{t('context')}</dt>
            <dd>{t('tokens', { count: info.contextLength })}</dd>
            <dt>{t('imageSize')}</dt>
            <dd>
              {info.imageSize} × {info.imageSize} px
            </dd>
            <dt>{t('folder')}</dt>
            {/* The server's own path only to an admin (A12); others see the folder's name. */}
            <dd className="mono small" data-testid="model-folder">
              {session.admin ? info.dir : path.basename(info.dir)}
            </dd>
          </dl>
        </section>
        <section className="panel" aria-labelledby="index-h">
          <h2 id="index-h" style={{ marginTop: 0 }}>
            {t('indexes')}
          </h2>
          <dl className="facts" data-testid="index-facts">
            <dt>{t('imageVectors')}</dt>
            <dd data-testid="image-vectors">{n(img.count)}</dd>
            <dt>{t('textVectors')}</dt>
            <dd>{n(txt.count)}</dd>
            <dt>{t('dimension')}</dt>
            <dd>{engine.indexes.image.dim}</dd>
            <dt>HNSW</dt>
            <dd>{t('hnswValue', { m: String(hnsw.m), efc: String(hnsw.efConstruction), efs: String(hnsw.efSearch) })}</dd>
            <dt>{t('capacity')}</dt>
            <dd>{t('capacityValue', { images: n(img.capacity), texts: n(txt.capacity) })}</dd>
            <dt>{t('deleted')}</dt>
            <dd>{t('deletedValue', { images: n(img.deleted), texts: n(txt.deleted) })}</dd>
            <dt>{t('onDisk')}</dt>
            <dd title={disk.files.map((f) => `${f.name}: ${formatBytes(f.bytes)}`).join('\n')}>{formatBytes(disk.total)}</dd>
            <dt>{t('stored')}</dt>
            <dd>{t('storedValue', { images: n(stats.imageVectors), texts: n(stats.textVectors) })}</dd>
            <dt>{t('library')}</dt>
            <dd>{t('libraryValue', { datasets: n(stats.datasets), images: n(stats.images), texts: n(stats.texts) })}</dd>
          </dl>
          {report.messages.length ? (
            <p className="alert warn small">{t('atStart', { messages: report.messages.join(' ') })}</p>
          ) : null}
          {report.needsReembed.images + report.needsReembed.texts > 0 ? (
            <p className="alert warn small">{t('needsReembed', { images: n(report.needsReembed.images), texts: n(report.needsReembed.texts) })}</p>
          ) : null}
        </section>
      </div>

      <section className="panel stack" aria-labelledby="reindex-h">
        <h2 id="reindex-h" style={{ margin: 0 }}>
          {t('reindex')}
        </h2>
        {session.admin ? (
          <ReindexButton action={reindexAction} running={active} />
        ) : (
          <p>{t.rich('signInToReindex', { link: (c) => <Link href="/signin?next=/admin">{c}</Link> })}</p>
        )}
      </section>

      <section aria-labelledby="jobs-h">
        <h2 id="jobs-h">{t('history')}</h2>
        {views.length === 0 ? (
          <p className="muted">{t('noJobs')}</p>
        ) : (
          <div className="table-wrap panel" style={{ padding: 0 }}>
            <table data-testid="jobs-table">
              <thead>
                <tr>
                  <th scope="col">{t('job')}</th>
                  <th scope="col">{t('kind')}</th>
                  <th scope="col">{t('dataset')}</th>
                  <th scope="col">{t('status')}</th>
                  <th scope="col" className="num">
                    {t('processed')}
                  </th>
                  <th scope="col" className="num">
                    {t('errors')}
                  </th>
                  <th scope="col">{t('started')}</th>
                  <th scope="col">{t('message')}</th>
                </tr>
              </thead>
              <tbody>
                {views.map((j) => (
                  <tr key={j.id}>
                    <td>
                      <Link href={`/jobs/${j.id}`} className="mono">
                        {j.id.slice(0, 8)}
                      </Link>
                    </td>
                    {/* English shows the kind's own name, as the CLI and the API do; other languages translate it. */}
                    <td>{t.has(`kinds.${j.kind}`) ? t(`kinds.${j.kind}`) : j.kind}</td>
                    <td>{j.dataset ?? '—'}</td>
                    <td>
                      <span className={`badge ${j.status}`}>{ts.has(j.status) ? ts(j.status) : j.status}</span>
                    </td>
                    <td className="num">
                      {n(j.processed)}
                      {j.total ? ` / ${n(j.total)}` : ''}
                    </td>
                    <td className="num">{n(j.errors)}</td>
                    <td className="small">{fmtDate(j.startedAt ?? j.createdAt)}</td>
                    <td className="small">{j.message ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
});
