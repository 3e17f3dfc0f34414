import { useTranslations } from 'next-intl';
import type { EvalResult } from './types';
import { pct } from './types';

/** R@1/5/10 and mean for both directions, exact search and (when present) HNSW. */
export function RecallTable({ result, caption }: { result: EvalResult; caption?: string }) {
  const t = useTranslations('Evaluation');
  const rows: { name: string; r: EvalResult['text_to_image']; ann?: boolean }[] = [{ name: t('t2i'), r: result.text_to_image }];
  // null where the protocol has no image→text direction (easynlp)
  if (result.image_to_text) rows.push({ name: t('i2t'), r: result.image_to_text });
  if (result.ann) {
    rows.push({ name: t('t2iAnn'), r: result.ann.text_to_image, ann: true }, { name: t('i2tAnn'), r: result.ann.image_to_text, ann: true });
  }
  return (
    <div className="table-wrap">
      <table data-testid="recall-table">
        <caption className="visually-hidden">{caption ?? t('tableCaption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('direction')}</th>
            <th scope="col" className="num">R@1</th>
            <th scope="col" className="num">R@5</th>
            <th scope="col" className="num">R@10</th>
            <th scope="col" className="num">{t('mean')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.name} className={row.ann ? 'muted' : undefined}>
              <th scope="row">{row.name}</th>
              <td className="num">{pct(row.r.r1)}</td>
              <td className="num">{pct(row.r.r5)}</td>
              <td className="num">{pct(row.r.r10)}</td>
              <td className="num">{pct(row.r.mean)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">{t('meanRecall')}</th>
            <td className="num" colSpan={4} data-testid="mean-recall">
              {pct(result.mean_recall)}
              {result.ann ? t('annMean', { value: pct(result.ann.mean_recall) }) : ''}
            </td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
