'use client';
import { useState } from 'react';
import { useTranslations } from 'next-intl';
import type { JobView } from '@/lib/views/jobs';

interface Props {
  job: JobView;
  /** The job as the server answered (status 'cancelling'), to show at once. */
  onCancelling: (job: JobView) => void;
}

/**
 * Asks the server to stop a job (POST /api/jobs/[id]/cancel). An ingest stops after the batch
 * it is committing, so the job shows 'cancelling' for a moment before it ends 'cancelled'.
 */
export function CancelJobButton({ job, onCancelling }: Props) {
  const t = useTranslations('Job');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const asked = job.status === 'cancelling';

  async function cancel() {
    setBusy(true);
    setError(null);
    try {
      const res = await fetch(`/api/jobs/${encodeURIComponent(job.id)}/cancel`, { method: 'POST' });
      const body = (await res.json().catch(() => null)) as { job?: JobView; error?: { message: string } } | null;
      if (res.ok && body?.job) onCancelling(body.job);
      else setError(body?.error?.message ?? t('serverAnswered', { status: res.status }));
    } catch (err) {
      setError(t('unreachable', { message: (err as Error).message }));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="row">
      <button type="button" className="btn danger" onClick={cancel} disabled={busy || asked} data-testid="job-cancel">
        {asked ? t('cancelling') : busy ? t('asking') : t('cancel')}
      </button>
      {asked ? <span className="small muted">{t('cancelHint')}</span> : null}
      {error ? (
        <span className="small" role="alert" style={{ color: 'var(--danger)' }}>
          {error}
        </span>
      ) : null}
    </div>
  );
}
