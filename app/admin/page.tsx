import fs from 'node:fs/promises';
import path from 'node:path';
import type { Metadata } from 'next';
import Link from 'next/link';
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
export const metadata: Metadata = { title: 'Admin' };

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

const fmtDate = (iso: string | null) => (iso ? iso.slice(0, 19).replace('T', ' ') : '—');

export default withEngine(async function AdminPage(engine) {
  const [stats, jobs, datasets, disk, session] = await Promise.all([
    collectStats(engine.db),
    listJobs(engine.db, { limit: 30 }),
    listDatasets(engine.db),
    bytesOnDisk(indexDir(engine.config.dataDir)),
    getAdminSession(),
  ]);
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
      <h1>Admin</h1>
      <div className="cards-2">
        <section className="panel" aria-labelledby="model-h">
          <h2 id="model-h" style={{ marginTop: 0 }}>
            Model in use
          </h2>
          <dl className="facts" data-testid="model-facts">
            <dt>Name</dt>
            <dd>{info.name}</dd>
            <dt>Layout</dt>
            <dd>{info.layout === 'hf' ? 'Hugging Face / Transformers.js' : 'Chinese-CLIP deployment'}</dd>
            <dt>Dimension</dt>
            <dd>{info.dim}</dd>
            <dt>Identity</dt>
            <dd className="mono" title="First 16 hex digits of the sha256 of the model folder's files">
              {info.id}
            </dd>
            <dt>Context length</dt>
            <dd>{info.contextLength} tokens</dd>
            <dt>Image size</dt>
            <dd>
              {info.imageSize} × {info.imageSize} px
            </dd>
            <dt>Folder</dt>
            {/* The server's own path only to an admin (A12); others see the folder's name. */}
            <dd className="mono small" data-testid="model-folder">
              {session.admin ? info.dir : path.basename(info.dir)}
            </dd>
          </dl>
        </section>
        <section className="panel" aria-labelledby="index-h">
          <h2 id="index-h" style={{ marginTop: 0 }}>
            Indexes
          </h2>
          <dl className="facts" data-testid="index-facts">
            <dt>Image vectors</dt>
            <dd data-testid="image-vectors">{img.count.toLocaleString('en')}</dd>
            <dt>Text vectors</dt>
            <dd>{txt.count.toLocaleString('en')}</dd>
            <dt>Dimension</dt>
            <dd>{engine.indexes.image.dim}</dd>
            <dt>HNSW</dt>
            <dd>
              M {hnsw.m} · efConstruction {hnsw.efConstruction} · efSearch {hnsw.efSearch} · inner product on unit vectors
            </dd>
            <dt>Capacity</dt>
            <dd>
              {img.capacity.toLocaleString('en')} images, {txt.capacity.toLocaleString('en')} texts (grows when full)
            </dd>
            <dt>Deleted (tombstones)</dt>
            <dd>
              {img.deleted} images, {txt.deleted} texts
            </dd>
            <dt>On disk</dt>
            <dd title={disk.files.map((f) => `${f.name}: ${formatBytes(f.bytes)}`).join('\n')}>{formatBytes(disk.total)}</dd>
            <dt>Stored vectors</dt>
            <dd>
              {stats.imageVectors.toLocaleString('en')} image, {stats.textVectors.toLocaleString('en')} text (all models)
            </dd>
            <dt>Library</dt>
            <dd>
              {stats.datasets} datasets · {stats.images.toLocaleString('en')} images · {stats.texts.toLocaleString('en')} texts
            </dd>
          </dl>
          {report.messages.length ? (
            <p className="alert warn small">At start: {report.messages.join(' ')}</p>
          ) : null}
          {report.needsReembed.images + report.needsReembed.texts > 0 ? (
            <p className="alert warn small">
              {report.needsReembed.images} images and {report.needsReembed.texts} texts have no vector for this model: re-index to embed them.
            </p>
          ) : null}
        </section>
      </div>

      <section className="panel stack" aria-labelledby="reindex-h">
        <h2 id="reindex-h" style={{ margin: 0 }}>
          Re-index
        </h2>
        {session.admin ? (
          <ReindexButton action={reindexAction} running={active} />
        ) : (
          <p>
            <Link href="/signin?next=/admin">Sign in</Link> to re-index.
          </p>
        )}
      </section>

      <section aria-labelledby="jobs-h">
        <h2 id="jobs-h">Job history</h2>
        {views.length === 0 ? (
          <p className="muted">No jobs yet.</p>
        ) : (
          <div className="table-wrap panel" style={{ padding: 0 }}>
            <table data-testid="jobs-table">
              <thead>
                <tr>
                  <th scope="col">Job</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Dataset</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">
                    Processed
                  </th>
                  <th scope="col" className="num">
                    Errors
                  </th>
                  <th scope="col">Started (UTC)</th>
                  <th scope="col">Message</th>
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
                    <td>{j.kind}</td>
                    <td>{j.dataset ?? '—'}</td>
                    <td>
                      <span className={`badge ${j.status}`}>{j.status}</span>
                    </td>
                    <td className="num">
                      {j.processed.toLocaleString('en')}
                      {j.total ? ` / ${j.total.toLocaleString('en')}` : ''}
                    </td>
                    <td className="num">{j.errors.toLocaleString('en')}</td>
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
