import { useFormatter, useTranslations } from 'next-intl';
import { RecallChart } from './recall-chart';
import { RecallTable } from './recall-table';
import type { EvaluateJobResult } from './types';

/** One finished evaluation: counts, the recall table and the R@K chart. */
export function EvaluationView({ run }: { run: EvaluateJobResult }) {
  const t = useTranslations('Evaluation');
  const format = useFormatter();
  const n = (v: number) => format.number(v);
  const e = run.evaluation;
  return (
    <section className="panel stack" aria-labelledby="eval-result-title" data-testid="evaluation-result">
      <h2 id="eval-result-title" style={{ margin: 0 }}>
        {t('title', { label: run.label })}
      </h2>
      <p className="muted small" style={{ margin: 0 }}>
        {e.protocol && e.protocol !== 'clipdex' ? t('protocol', { protocol: e.protocol }) : ''}
        {t('counts', { images: n(e.images), texts: n(e.texts), links: n(e.detail.links) })}
        {run.skipped ? t('skipped', { count: run.skipped }) : ''}
        {t('model', { name: run.model.name, seconds: e.seconds.toFixed(2) })}
        {e.ann ? t('ann', { seconds: e.ann.seconds.toFixed(2), m: String(e.ann.m), ef: String(e.ann.ef_search) }) : ''}
      </p>
      <RecallTable result={e} />
      <RecallChart curve={e.detail.curve} annCurve={e.detail.ann_curve} title={t('chartTitle', { label: run.label })} />
    </section>
  );
}
