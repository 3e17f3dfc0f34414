'use client';
import { useEffect, useRef, useState } from 'react';
import Link from 'next/link';
import { useFormatter, useTranslations } from 'next-intl';
import { isFinished, type JobView } from '@/lib/views/jobs';
import { JOB_STAGE_KEYS } from '@/lib/views/job-stages';
import { CancelJobButton } from './cancel-job-button';

interface Props {
  initial: JobView;
  /** Called once when the job ends (e.g. to refresh the page around it). */
  onFinished?: (job: JobView) => void;
  /** Offer a Cancel button while the job can still be stopped (the viewer may change data). */
  canCancel?: boolean;
}

const rateDigits = (rate: number) => (rate >= 100 ? 0 : rate >= 10 ? 1 : 2);

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
  const t = useTranslations('Job');
  const ts = useTranslations('Status');
  const format = useFormatter();
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
  const label = t.has(job.kind) ? t(job.kind) : job.kind;
  const status = ts.has(job.status) ? ts(job.status) : job.status;
  const n = (v: number) => format.number(v);

  return (
    <section className="panel stack" aria-labelledby={`job-${job.id}`} data-testid="job-progress" data-status={job.status}>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h2 id={`job-${job.id}`} style={{ margin: 0 }}>
          {job.dataset ? t('of', { kind: label, dataset: job.dataset }) : label}{' '}
          <span className={`badge ${job.status}`} data-testid="job-status" data-status={job.status}>
            {status}
          </span>
        </h2>
        <Link href={`/jobs/${job.id}`} className="small">
          {t('title', { id: job.id.slice(0, 8) })}
        </Link>
      </div>
      {/* A running job's message names its stage (an ingest with OCR: records, then images read); the bar counts that stage. */}
      {!isFinished(job.status) && job.message ? (
        <p className="small" data-testid="job-stage" style={{ margin: 0 }}>
          {JOB_STAGE_KEYS[job.message] ? t(JOB_STAGE_KEYS[job.message]) : job.message}
        </p>
      ) : null}
      <div
        className={`progress ${job.status}${indeterminate ? ' indeterminate' : ''}`}
        role="progressbar"
        aria-label={t('progress', { kind: label })}
        aria-valuemin={0}
        aria-valuemax={total || undefined}
        aria-valuenow={total ? job.processed : undefined}
        aria-valuetext={total ? t('valueOf', { processed: n(job.processed), total: n(total) }) : t('valueDone', { processed: n(job.processed) })}
      >
        <span style={{ width: `${pct}%` }} />
      </div>
      {/* Announced politely, and only in steps: the status, every tenth of the way while it runs,
          the counts at the end; never the clock, which would speak every second. */}
      <p className="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="job-announce">
        {!isFinished(job.status) && total > 0
          ? t('announceStep', { kind: label, status, percent: Math.floor(pct / 10) * 10 })
          : t('announce', { kind: label, status, processed: n(job.processed), errors: n(job.errors) })}
      </p>
      <div className="stats">
        <div>
          <span className="small muted">{t('processed')}</span>
          <b data-testid="job-processed">
            {n(job.processed)} / {total ? n(total) : '…'}
          </b>
        </div>
        <div>
          <span className="small muted">{t('rate')}</span>
          <b>{t('rateValue', { rate: format.number(job.rate, { maximumFractionDigits: rateDigits(job.rate), minimumFractionDigits: rateDigits(job.rate) }) })}</b>
        </div>
        <div>
          <span className="small muted">{t('errors')}</span>
          <b data-testid="job-errors" style={{ color: job.errors ? 'var(--danger)' : undefined }}>
            {n(job.errors)}
          </b>
        </div>
        <div>
          <span className="small muted">{t('time')}</span>
          <b>{t('seconds', { s: secs.toFixed(0) })}</b>
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

/** Result fields worth showing, in this order, with their message keys (Job.*); others are left out. */
const SUMMARY_FIELDS: [string, string][] = [
  ['records', 'records'],
  ['good', 'good'],
  ['images', 'images'],
  ['texts', 'texts'],
  ['links', 'links'],
  ['duplicates', 'duplicates'],
  ['vectorsReused', 'vectorsReused'],
  ['reembedded.images', 'reembeddedImages'],
  ['reembedded.texts', 'reembeddedTexts'],
  ['indexed.images', 'indexedImages'],
  ['indexed.texts', 'indexedTexts'],
  ['ocr.images', 'ocrImages'],
  ['ocr.withText', 'ocrWithText'],
  ['ocr.failed', 'ocrFailed'],
  ['ocr.remaining', 'ocrRemaining'],
  ['ocr.skipped', 'ocrSkipped'],
  ['ocr.seconds', 'ocrSeconds'],
  ['seconds', 'secondsField'],
];

function field(result: Record<string, unknown>, key: string): unknown {
  return key.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), result);
}

function JobSummary({ job }: { job: JobView }) {
  const t = useTranslations('Job');
  const format = useFormatter();
  const entries = SUMMARY_FIELDS.map(([key, label]) => [t(label), field(job.result ?? {}, key)] as const).filter(
    ([, v]) => typeof v === 'number' || typeof v === 'string',
  );
  return (
    <div className="stack" data-testid="job-summary">
      {entries.length ? (
        <dl className="facts">
          {entries.map(([k, v]) => (
            <div key={k} style={{ display: 'contents' }}>
              <dt>{k}</dt>
              <dd>{typeof v === 'number' ? format.number(v, { maximumFractionDigits: 2 }) : String(v)}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      {job.errors > 0 ? (
        <div className="stack">
          <div className="row" style={{ justifyContent: 'space-between' }}>
            <h3 style={{ margin: 0, fontSize: '1rem' }}>
              {t('badLines', { count: job.errors })}
            </h3>
            <a className="btn small" href={`/api/jobs/${job.id}/errors`} download data-testid="errors-download">
              {t('downloadErrors')}
            </a>
          </div>
          <ul className="errors-list panel" data-testid="line-errors">
            {job.lineErrors.map((e, i) => (
              <li key={i}>
                <span className="mono">
                  {e.file ? `${e.file} ` : ''}
                  {t('line', { line: String(e.line) })}
                </span>
                : {e.reason}
              </li>
            ))}
            {job.lineErrors.length < job.errors ? <li className="muted">{t('andMore', { count: job.errors - job.lineErrors.length })}</li> : null}
          </ul>
        </div>
      ) : null}
      {job.status === 'done' && job.kind === 'ingest' && job.dataset ? (
        <p>
          <Link className="btn primary" href={`/?dataset=${encodeURIComponent(job.dataset)}`}>
            {t('searchDataset', { dataset: job.dataset })}
          </Link>{' '}
          <Link className="btn" href="/datasets">
            {t('allDatasets')}
          </Link>
        </p>
      ) : null}
    </div>
  );
}
