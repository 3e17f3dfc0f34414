'use client';
import { useActionState } from 'react';
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
  return (
    <div className="stack">
      <form action={formAction} className="row">
        <button type="submit" className="btn primary" disabled={pending}>
          {pending ? t('starting') : t('submit')}
        </button>
        <span className="small muted">{t('help')}</span>
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
