'use client';
import { useActionState, useEffect, useState } from 'react';
import { useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { JobProgress } from '@/components/jobs/job-progress';
import type { JobView } from '@/lib/views/jobs';
import type { FormAction } from '@/lib/views/action-result';
import { stagedAction } from '@/components/shared/staged-upload';
import { SubmitRow } from '@/components/shared/submit-row';
import { TrainChart, type CurvePoint } from './train-chart';

interface Props {
  action: FormAction<{ job: JobView }>;
  datasets: string[];
  maxUploadLabel: string;
  canRun: boolean;
  defaults: { epochs: number; lr: number; batchSize: number; towers: 'both' | 'image' | 'text'; hidden: number };
}

interface Curve {
  baseline?: { mean: number };
  points: CurvePoint[];
  epochs: number;
  done: boolean;
}

/** Redraws the curve whenever the job's progress moves (the JobProgress bar follows it over SSE). */
function LiveCurve({ jobId, tick }: { jobId: string; tick: number }) {
  const t = useTranslations('TrainForm');
  const [curve, setCurve] = useState<Curve | null>(null);
  useEffect(() => {
    let stop = false;
    fetch(`/api/train/curve/${encodeURIComponent(jobId)}`, { cache: 'no-store' })
      .then((r) => (r.ok ? r.json() : null))
      .then((c: Curve | null) => {
        if (!stop && c) setCurve(c);
      })
      .catch(() => undefined);
    return () => {
      stop = true;
    };
  }, [jobId, tick]);
  if (!curve) return null;
  return (
    <section className="panel stack" aria-label={t('curve')}>
      <TrainChart points={curve.points} baseline={curve.baseline?.mean} epochs={curve.epochs} />
      {curve.points.length ? (
        <table className="small" data-testid="train-table">
          <thead>
            <tr>
              <th>{t('epoch')}</th>
              <th>{t('loss')}</th>
              <th>R@1</th>
              <th>R@5</th>
              <th>R@10</th>
              <th>{t('mean')}</th>
            </tr>
          </thead>
          <tbody>
            {curve.baseline ? (
              <tr className="muted">
                <td>{t('modelAlone')}</td>
                <td />
                <td colSpan={3} />
                <td>{curve.baseline.mean.toFixed(2)}</td>
              </tr>
            ) : null}
            {curve.points.map((p, i) => (
              <tr key={i}>
                <td>{p.epoch}</td>
                <td>{p.loss.toFixed(4)}</td>
                <td>{p.recall.r1.toFixed(2)}</td>
                <td>{p.recall.r5.toFixed(2)}</td>
                <td>{p.recall.r10.toFixed(2)}</td>
                <td>{p.recall.mean.toFixed(2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

function SourcePicker({ role, datasets, maxUploadLabel }: { role: 'train' | 'valid'; datasets: string[]; maxUploadLabel: string }) {
  const t = useTranslations('TrainForm');
  const [source, setSource] = useState<'file' | 'dataset' | 'holdout'>(role === 'valid' ? 'holdout' : datasets.length ? 'dataset' : 'file');
  const title = role === 'train' ? t('trainPairs') : t('validPairs');
  return (
    <fieldset className="stack" style={{ border: 0, padding: 0, margin: 0 }}>
      <legend className="field">{title}</legend>
      <div className="row">
        <label>
          <input type="radio" name={`${role}Source`} value="dataset" checked={source === 'dataset'} onChange={() => setSource('dataset')} disabled={!datasets.length} /> {t('dataset')}
        </label>
        <label>
          <input type="radio" name={`${role}Source`} value="file" checked={source === 'file'} onChange={() => setSource('file')} /> {t('upload')}
        </label>
        {role === 'valid' ? (
          <label>
            <input type="radio" name="validSource" value="holdout" checked={source === 'holdout'} onChange={() => setSource('holdout')} /> {t('holdout')}
          </label>
        ) : null}
      </div>
      {source === 'dataset' ? (
        <select name={`${role}Dataset`} aria-label={t('datasetLabel', { title })} required>
          {datasets.map((d) => (
            <option key={d} value={d}>
              {d}
            </option>
          ))}
        </select>
      ) : source === 'file' ? (
        <>
          <input name={`${role}File`} type="file" required accept=".tsv,.txt,text/*" aria-label={t('fileLabel', { title })} />
          <span className="hint">{t.rich('fileHelp', { max: maxUploadLabel, code: (c) => <code>{c}</code> })}</span>
        </>
      ) : null}
    </fieldset>
  );
}

/** Start a training run and watch its loss and validation recall. */
export function TrainForm({ action, datasets, maxUploadLabel, canRun, defaults }: Props) {
  const t = useTranslations('TrainForm');
  const router = useRouter();
  const [tick, setTick] = useState(0);
  const [running, setRunning] = useState(false);
  const [state, formAction, pending] = useActionState(stagedAction(action, { trainFile: 'training file', validFile: 'validation file' }), null);
  const job = state && state.ok ? state.data.job : null;
  const error = state && !state.ok ? state.error.message : null;
  useEffect(() => {
    // the progress bar follows the job over SSE; the curve is refetched every second while it runs
    if (!job) return;
    setRunning(true);
  }, [job]);
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => setTick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, [running]);

  return (
    <div className="stack">
      <form action={formAction} className="panel stack" aria-label={t('label')}>
        <SourcePicker role="train" datasets={datasets} maxUploadLabel={maxUploadLabel} />
        <SourcePicker role="valid" datasets={datasets} maxUploadLabel={maxUploadLabel} />
        <div className="row">
          <div className="field">
            <label htmlFor="train-name">{t('name')}</label>
            <input id="train-name" name="name" required pattern="[A-Za-z0-9][A-Za-z0-9_\-]{0,63}" placeholder="my-catalogue" />
          </div>
          <div className="field">
            <label htmlFor="train-epochs">{t('epochs')}</label>
            <input id="train-epochs" name="epochs" type="number" min={1} max={200} defaultValue={defaults.epochs} />
          </div>
          <div className="field">
            <label htmlFor="train-lr">{t('lr')}</label>
            <input id="train-lr" name="lr" type="number" step="any" min={0} defaultValue={defaults.lr} />
          </div>
          <div className="field">
            <label htmlFor="train-batch">{t('batch')}</label>
            <input id="train-batch" name="batchSize" type="number" min={2} max={1024} defaultValue={defaults.batchSize} />
          </div>
          <div className="field">
            <label htmlFor="train-towers">{t('towers')}</label>
            <select id="train-towers" name="towers" defaultValue={defaults.towers}>
              <option value="both">{t('both')}</option>
              <option value="image">{t('imageOnly')}</option>
              <option value="text">{t('textOnly')}</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="train-hidden">{t('map')}</label>
            <select id="train-hidden" name="hidden" defaultValue={String(defaults.hidden)}>
              <option value="256">{t('mlp')}</option>
              <option value="0">{t('linear')}</option>
            </select>
          </div>
        </div>
        <label className="small">
          <input type="checkbox" name="replace" /> {t('replace')}
        </label>
        <SubmitRow label={t('submit')} pending={pending} canRun={canRun} adminHint={t('adminHint')} error={error} errorTestId="train-error" />
      </form>
      {job ? (
        <>
          <JobProgress
            key={job.id}
            initial={job}
            onFinished={() => {
              setRunning(false);
              setTick((n) => n + 1);
              router.refresh();
            }}
          />
          <LiveCurve jobId={job.id} tick={tick} />
        </>
      ) : null}
    </div>
  );
}
