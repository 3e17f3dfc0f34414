'use client';
import { useActionState, useState } from 'react';
import { useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { JobProgress } from '@/components/jobs/job-progress';
import type { JobView } from '@/lib/views/jobs';
import type { FormAction } from '@/lib/views/action-result';

interface Props {
  action: FormAction<{ job: JobView }>;
  running: JobView | null;
}

/** Start a re-index job and follow it with the same live progress as an upload. */
export function ReindexButton({ action, running }: Props) {
  const t = useTranslations('Reindex');
  const router = useRouter();
  const [state, formAction, pending] = useActionState(action, null);
  const job = state && state.ok ? state.data.job : running;
  // issue 11: the OCR backfill, as clipdex reindex --ocr [--retry-failed-ocr]; retrying needs the backfill.
  const [ocr, setOcr] = useState(false);
  return (
    <div className="stack">
      <form action={formAction} className="stack">
        <fieldset className="stack" style={{ border: 0, padding: 0, margin: 0, gap: '0.25rem' }}>
          <legend className="small">{t('ocrLegend')}</legend>
          <label className="small">
            <input type="checkbox" name="ocr" value="1" checked={ocr} onChange={(e) => setOcr(e.target.checked)} data-testid="reindex-ocr" /> {t('ocr')}
          </label>
          <label className="small">
            <input type="checkbox" name="retryFailedOcr" value="1" disabled={!ocr} data-testid="reindex-retry-ocr" /> {t('retryFailedOcr')}
          </label>
        </fieldset>
        <div className="row">
          <button type="submit" className="btn primary" disabled={pending}>
            {pending ? t('starting') : t('submit')}
          </button>
          <span className="small muted">{t('help')}</span>
        </div>
      </form>
      {state && !state.ok ? (
        <p className="alert error" role="alert">
          {state.error.message}
        </p>
      ) : null}
      {job ? <JobProgress key={job.id} initial={job} onFinished={() => router.refresh()} /> : null}
    </div>
  );
}
