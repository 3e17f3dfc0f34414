import { RecallChart } from './recall-chart';
import { RecallTable } from './recall-table';
import type { EvaluateJobResult } from './types';

/** One finished evaluation: counts, the recall table and the R@K chart. */
export function EvaluationView({ run }: { run: EvaluateJobResult }) {
  const e = run.evaluation;
  return (
    <section className="panel stack" aria-labelledby="eval-result-title" data-testid="evaluation-result">
      <h2 id="eval-result-title" style={{ margin: 0 }}>
        Recall on “{run.label}”
      </h2>
      <p className="muted small" style={{ margin: 0 }}>
        {e.protocol && e.protocol !== 'clipdex' ? `protocol ${e.protocol} · ` : ''}
        {e.images.toLocaleString('en')} images, {e.texts.toLocaleString('en')} texts, {e.detail.links.toLocaleString('en')} links
        {run.skipped ? `, ${run.skipped} line${run.skipped === 1 ? '' : 's'} skipped` : ''} · model {run.model.name} · {e.seconds.toFixed(2)} s exact
        {e.ann ? `, ${e.ann.seconds.toFixed(2)} s HNSW (M=${e.ann.m}, ef=${e.ann.ef_search})` : ''}
      </p>
      <RecallTable result={e} />
      <RecallChart curve={e.detail.curve} annCurve={e.detail.ann_curve} title={`Recall at K on ${run.label}`} />
    </section>
  );
}
