'use client';
import { useEffect, useRef, useState } from 'react';
import Link from 'next/link';
import { isFinished, type JobView } from '@/lib/views/jobs';
import { CancelJobButton } from './cancel-job-button';

interface Props {
  initial: JobView;
  /** Called once when the job ends (e.g. to refresh the page around it). */
  onFinished?: (job: JobView) => void;
  /** Offer a Cancel button while the job can still be stopped (the viewer may change data). */
  canCancel?: boolean;
}

function fmtRate(rate: number): string {
  return rate >= 100 ? rate.toFixed(0) : rate >= 10 ? rate.toFixed(1) : rate.toFixed(2);
}

function elapsed(job: JobView, now: number): number {
  if (!job.startedAt) return 0;
  const end = job.finishedAt ? Date.parse(job.finishedAt) : now;
  return Math.max(0, (end - Date.parse(job.startedAt)) / 1000);
}

/**
 * Live progress of one job: server-sent events from /api/jobs/[id]/events, falling back to
 * polling /api/jobs/[id] when the stream breaks; then the summary and the per-line errors.
 */
export function JobProgress({ initial, onFinished, canCancel = false }: Props) {
  const [job, setJob] = useState<JobView>(initial);
  const [now, setNow] = useState(() => Date.now());
  const finishedRef = useRef(isFinished(initial.status));
  const onFinishedRef = useRef(onFinished);
  onFinishedRef.current = onFinished;

  useEffect(() => {
    if (isFinished(initial.status)) return;
    let stopped = false;
    let poll: ReturnType<typeof setInterval> | undefined;
    const tick = setInterval(() => setNow(Date.now()), 1000);

    async function fetchFull() {
      try {
        const res = await fetch(`/api/jobs/${encodeURIComponent(initial.id)}`, { cache: 'no-store' });
        if (!res.ok) return;
        const full = (await res.json()) as { job: JobView };
        if (stopped) return;
        setJob(full.job);
        if (isFinished(full.job.status)) finish(full.job);
      } catch {
        /* keep trying on the next tick */
      }
    }

    function finish(j: JobView) {
      if (finishedRef.current) return;
      finishedRef.current = true;
      es?.close();
      clearInterval(poll);
      clearInterval(tick);
      onFinishedRef.current?.(j);
    }

    let es: EventSource | undefined;
    try {
      es = new EventSource(`/api/jobs/${encodeURIComponent(initial.id)}/events`);
      es.addEventListener('progress', (e) => {
        const j = JSON.parse((e as MessageEvent<string>).data) as JobView;
        setJob((prev) => ({ ...prev, ...j, lineErrors: j.lineErrors.length ? j.lineErrors : prev.lineErrors }));
      });
      es.addEventListener('end', (e) => {
        const j = JSON.parse((e as MessageEvent<string>).data) as JobView;
        setJob(j);
        finish(j);
      });
      es.onerror = () => {
        // The stream broke (proxy, restart): poll instead.
        es?.close();
        if (!poll && !finishedRef.current) poll = setInterval(fetchFull, 1000);
      };
    } catch {
      poll = setInterval(fetchFull, 1000);
    }
    return () => {
      stopped = true;
      es?.close();
      clearInterval(poll);
      clearInterval(tick);
    };
  }, [initial.id, initial.status]);

  const total = job.total;
  const pct = total > 0 ? Math.min(100, (job.processed / total) * 100) : job.status === 'done' ? 100 : 0;
  const secs = elapsed(job, now);
  const indeterminate = job.status === 'running' && total === 0;
  const label = job.kind === 'reindex' ? 'Re-index' : job.kind === 'ingest' ? 'Ingest' : job.kind;

  return (
    <section className="panel stack" aria-labelledby={`job-${job.id}`} data-testid="job-progress" data-status={job.status}>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h2 id={`job-${job.id}`} style={{ margin: 0 }}>
          {label}
          {job.dataset ? ` of “${job.dataset}”` : ''}{' '}
          <span className={`badge ${job.status}`} data-testid="job-status">
            {job.status}
          </span>
        </h2>
        <Link href={`/jobs/${job.id}`} className="small">
          Job {job.id.slice(0, 8)}
        </Link>
      </div>
      {/* A running job's message names its stage (an ingest with OCR: records, then images read); the bar counts that stage. */}
      {!isFinished(job.status) && job.message ? (
        <p className="small" data-testid="job-stage" style={{ margin: 0 }}>
          {job.message}
        </p>
      ) : null}
      <div
        className={`progress ${job.status}${indeterminate ? ' indeterminate' : ''}`}
        role="progressbar"
        aria-label={`${label} progress`}
        aria-valuemin={0}
        aria-valuemax={total || undefined}
        aria-valuenow={total ? job.processed : undefined}
        aria-valuetext={total ? `${job.processed} of ${total}` : `${job.processed} done`}
      >
        <span style={{ width: `${pct}%` }} />
      </div>
      <div className="stats" aria-live="polite">
        <div>
          <span className="small muted">Processed</span>
          <b data-testid="job-processed">
            {job.processed.toLocaleString('en')} / {total ? total.toLocaleString('en') : '…'}
          </b>
        </div>
        <div>
          <span className="small muted">Rate</span>
          <b>{fmtRate(job.rate)}/s</b>
        </div>
        <div>
          <span className="small muted">Errors</span>
          <b data-testid="job-errors" style={{ color: job.errors ? 'var(--danger)' : undefined }}>
            {job.errors.toLocaleString('en')}
          </b>
        </div>
        <div>
          <span className="small muted">Time</span>
          <b>{secs.toFixed(0)} s</b>
        </div>
      </div>
      {canCancel && !isFinished(job.status) && (job.cancellable || job.status === 'cancelling') ? (
        <CancelJobButton job={job} onCancelling={(j) => setJob((prev) => ({ ...prev, status: j.status, cancellable: j.cancellable }))} />
      ) : null}
      {job.message && isFinished(job.status) ? (
        <p className={`alert ${job.status === 'failed' ? 'error' : job.status === 'cancelled' ? 'warn' : 'info'}`} data-testid="job-message">
          {job.message}
        </p>
      ) : null}
      {isFinished(job.status) ? <JobSummary job={job} /> : null}
    </section>
  );
}

/** Result fields worth showing, in this order, with their labels; others are left out. */
const SUMMARY_FIELDS: [string, string][] = [
  ['records', 'Lines read'],
  ['good', 'Usable lines'],
  ['images', 'Images added'],
  ['texts', 'Texts added'],
  ['links', 'Image–text links added'],
  ['duplicates', 'Already there (skipped)'],
  ['vectorsReused', 'Vectors reused'],
  ['reembedded.images', 'Images re-embedded'],
  ['reembedded.texts', 'Texts re-embedded'],
  ['indexed.images', 'Image vectors indexed'],
  ['indexed.texts', 'Text vectors indexed'],
  ['ocr.images', 'Images read for text (OCR)'],
  ['ocr.withText', 'Images with text found'],
  ['ocr.failed', 'OCR failures'],
  ['ocr.remaining', 'Images left unread (OCR)'],
  ['ocr.skipped', 'Images not read (OCR off)'],
  ['ocr.seconds', 'OCR seconds'],
  ['seconds', 'Seconds'],
];

function field(result: Record<string, unknown>, key: string): unknown {
  return key.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), result);
}

function JobSummary({ job }: { job: JobView }) {
  const entries = SUMMARY_FIELDS.map(([key, label]) => [label, field(job.result ?? {}, key)] as const).filter(
    ([, v]) => typeof v === 'number' || typeof v === 'string',
  );
  return (
    <div className="stack" data-testid="job-summary">
      {entries.length ? (
        <dl className="facts">
          {entries.map(([k, v]) => (
            <div key={k} style={{ display: 'contents' }}>
              <dt>{k}</dt>
              <dd>{typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(2) : String(v)}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      {job.errors > 0 ? (
        <div className="stack">
          <div className="row" style={{ justifyContent: 'space-between' }}>
            <h3 style={{ margin: 0, fontSize: '1rem' }}>
              {job.errors} line{job.errors === 1 ? '' : 's'} could not be used
            </h3>
            <a className="btn small" href={`/api/jobs/${job.id}/errors`} download data-testid="errors-download">
              Download errors (TSV)
            </a>
          </div>
          <ul className="errors-list panel" data-testid="line-errors">
            {job.lineErrors.map((e, i) => (
              <li key={i}>
                <span className="mono">
                  {e.file ? `${e.file} ` : ''}line {e.line}
                </span>
                : {e.reason}
              </li>
            ))}
            {job.lineErrors.length < job.errors ? <li className="muted">… and {job.errors - job.lineErrors.length} more in the download.</li> : null}
          </ul>
        </div>
      ) : null}
      {job.status === 'done' && job.kind === 'ingest' && job.dataset ? (
        <p>
          <Link className="btn primary" href={`/?dataset=${encodeURIComponent(job.dataset)}`}>
            Search “{job.dataset}”
          </Link>{' '}
          <Link className="btn" href="/datasets">
            All datasets
          </Link>
        </p>
      ) : null}
    </div>
  );
}
