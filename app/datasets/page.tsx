import type { Metadata } from 'next';
import Link from 'next/link';
import { listDatasets } from '@/lib/db';
import { DeleteDatasetButton } from '@/components/datasets/delete-dataset-button';
import { getAdminSession } from '@/app/_lib/session';
import { withEngine } from '@/app/_lib/with-engine';
import { deleteDatasetAction } from './actions';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Datasets' };

const fmtDate = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';

export default withEngine(async function DatasetsPage(engine) {
  const [datasets, session] = await Promise.all([listDatasets(engine.db), getAdminSession()]);
  return (
    <div className="stack">
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h1 style={{ margin: 0 }}>Datasets</h1>
        <Link href="/datasets/new" className="btn primary">
          Upload a dataset
        </Link>
      </div>
      {datasets.length === 0 ? (
        <div className="empty panel" data-testid="no-datasets">
          <h2>No datasets yet</h2>
          <p>
            <Link href="/datasets/new">Upload one</Link> to start searching.
          </p>
        </div>
      ) : (
        <div className="table-wrap panel" style={{ padding: 0 }}>
          <table data-testid="datasets-table">
            <caption className="visually-hidden">Datasets with their counts and status</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Format</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Images
                </th>
                <th scope="col" className="num">
                  Texts
                </th>
                <th scope="col" className="num">
                  Links
                </th>
                <th scope="col">Updated</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {datasets.map((d) => (
                <tr key={d.id} data-testid="dataset-row" data-name={d.name}>
                  <th scope="row">
                    <Link href={`/?dataset=${encodeURIComponent(d.name)}`} title={`Search in ${d.name}`}>
                      {d.name}
                    </Link>
                  </th>
                  <td>{d.format}</td>
                  <td>
                    <span className={`badge ${d.status}`}>{d.status}</span>
                  </td>
                  <td className="num" data-testid="dataset-images">
                    {d.images.toLocaleString('en')}
                  </td>
                  <td className="num">{d.texts.toLocaleString('en')}</td>
                  <td className="num">{d.links.toLocaleString('en')}</td>
                  <td className="small muted">{fmtDate(d.updatedAt)}</td>
                  <td style={{ textAlign: 'right' }}>
                    {session.admin ? (
                      <DeleteDatasetButton id={d.id} name={d.name} images={d.images} action={deleteDatasetAction} />
                    ) : (
                      <Link href="/signin?next=/datasets" className="small">
                        Sign in to delete
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
