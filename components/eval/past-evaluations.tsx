import Link from 'next/link';
import { useFormatter, useTranslations } from 'next-intl';
import type { EvaluateJobResult } from './types';
import { pct } from './types';

export interface PastRun {
  jobId: string;
  status: string;
  createdAt: string;
  message: string | null;
  result: EvaluateJobResult | null;
}

/** Past evaluate runs side by side (newest first), to compare models, datasets or settings. */
export function PastEvaluations({ runs, selected }: { runs: PastRun[]; selected?: string }) {
  const t = useTranslations('Evaluation');
  const ts = useTranslations('Status');
  const format = useFormatter();
  if (runs.length === 0) return <p className="muted">{t('none')}</p>;
  return (
    <div className="table-wrap">
      <table data-testid="past-evaluations">
        <caption className="visually-hidden">{t('pastCaption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('run')}</th>
            <th scope="col">{t('modelCol')}</th>
            <th scope="col" className="num">{t('images')}</th>
            <th scope="col" className="num">T→I R@1</th>
            <th scope="col" className="num">R@5</th>
            <th scope="col" className="num">R@10</th>
            <th scope="col" className="num">I→T R@1</th>
            <th scope="col" className="num">R@5</th>
            <th scope="col" className="num">R@10</th>
            <th scope="col" className="num">{t('mean')}</th>
            <th scope="col" className="num">{t('hnswMean')}</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => {
            const e = r.result?.evaluation;
            const when = format.dateTime(new Date(r.createdAt), { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
            return (
              <tr key={r.jobId} aria-current={selected === r.jobId ? 'true' : undefined} data-status={r.status}>
                <th scope="row">
                  <Link href={`/evaluate?job=${r.jobId}`}>{r.result?.label ?? t('evaluation')}</Link>
                  <div className="small muted">
                    {when}{' '}
                    {r.status !== 'done' ? <span className={`badge ${r.status}`}>{ts.has(r.status) ? ts(r.status) : r.status}</span> : null}
                  </div>
                  {r.status === 'failed' && r.message ? <div className="small">{r.message}</div> : null}
                </th>
                <td className="small">{r.result?.model.name ?? '—'}</td>
                {e ? (
                  <>
                    <td className="num">{format.number(e.images)}</td>
                    <td className="num">{pct(e.text_to_image.r1)}</td>
                    <td className="num">{pct(e.text_to_image.r5)}</td>
                    <td className="num">{pct(e.text_to_image.r10)}</td>
                    <td className="num">{e.image_to_text ? pct(e.image_to_text.r1) : '—'}</td>
                    <td className="num">{e.image_to_text ? pct(e.image_to_text.r5) : '—'}</td>
                    <td className="num">{e.image_to_text ? pct(e.image_to_text.r10) : '—'}</td>
                    <td className="num">
                      <b>{pct(e.mean_recall)}</b>
                    </td>
                    <td className="num">{e.ann ? pct(e.ann.mean_recall) : '—'}</td>
                  </>
                ) : (
                  <td colSpan={9} className="muted">
                    {r.status === 'done' ? t('noResult') : ts.has(r.status) ? ts(r.status) : r.status}
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
