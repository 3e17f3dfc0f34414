import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { listDatasets } from '@/lib/db';
import { getJob } from '@/lib/jobs';
import { isEvaluateJobResult, listEvaluations } from '@/lib/eval';
import { formatBytes } from '@/lib/uploads';
import { getAdminSession } from '@/app/_lib/session';
import { withEngine } from '@/app/_lib/with-engine';
import { EvaluateForm } from '@/components/eval/evaluate-form';
import { EvaluationView } from '@/components/eval/evaluation-view';
import { PastEvaluations } from '@/components/eval/past-evaluations';
import { startEvaluation } from './actions';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('EvaluatePage'))('title') };
}
export const dynamic = 'force-dynamic';

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default withEngine(async function EvaluatePage(engine, { searchParams }: Props) {
  const sp = await searchParams;
  const [datasets, runs, session] = await Promise.all([listDatasets(engine.db), listEvaluations(engine, 20), getAdminSession()]);
  const jobId = typeof sp.job === 'string' && /^[0-9a-f-]{8,64}$/i.test(sp.job) ? sp.job : undefined;
  const shown = jobId ? await getJob(engine.db, jobId) : null;
  const t = await getTranslations('EvaluatePage');
  const shownRun = shown && shown.kind === 'evaluate' && isEvaluateJobResult(shown.result) ? shown.result : null;
  return (
    <div className="stack">
      <h1>{t('heading')}</h1>
      <p className="muted" style={{ marginTop: 0 }}>
        {t('intro')}
      </p>
      {/* keyed by the run shown, so following a past run's link clears the form's own result */}
      <EvaluateForm
        key={jobId ?? 'new'}
        action={startEvaluation}
        datasets={datasets.map((d) => d.name)}
        maxUploadLabel={formatBytes(engine.config.maxUploadBytes)}
        canRun={session.admin}
      />
      {shownRun ? <EvaluationView run={shownRun} /> : null}
      <section className="stack" aria-labelledby="past-title">
        <h2 id="past-title">{t('past')}</h2>
        <PastEvaluations
          selected={jobId}
          runs={runs.map((r) => ({ jobId: r.jobId, status: r.status, createdAt: r.createdAt.toISOString(), message: r.message, result: r.result }))}
        />
      </section>
    </div>
  );
});
