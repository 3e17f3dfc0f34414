'use client';
import { useActionState, useState } from 'react';
import { useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { JobProgress } from '@/components/jobs/job-progress';
import type { JobView } from '@/lib/views/jobs';
import { EvaluationView } from './evaluation-view';
import { asEvaluateResult, type EvaluateJobResult } from './types';
import { stagedAction } from '@/components/shared/staged-upload';
import { SubmitRow } from '@/components/shared/submit-row';
import type { FormAction } from '@/lib/views/action-result';

interface Props {
  action: FormAction<{ job: JobView }>;
  datasets: string[];
  maxUploadLabel: string;
  canRun: boolean;
}

/**
 * Start an evaluation of an ingested dataset or of an uploaded validation file (never ingested),
 * follow the job's progress, then show its recall table and chart.
 */
export function EvaluateForm({ action, datasets, maxUploadLabel, canRun }: Props) {
  const t = useTranslations('EvaluateForm');
  const router = useRouter();
  const [source, setSource] = useState<'dataset' | 'file'>(datasets.length ? 'dataset' : 'file');
  const [finished, setFinished] = useState<{ id: string; run: EvaluateJobResult | null } | null>(null);
  const [state, formAction, pending] = useActionState(stagedAction(action, { file: 'validation file', texts: 'texts file' }, () => setFinished(null)), null);
  const job = state && state.ok ? state.data.job : null;
  const error = state && !state.ok ? state.error.message : null;

  return (
    <div className="stack">
      <form action={formAction} className="panel stack" aria-label={t('label')}>
        <fieldset className="stack" style={{ border: 0, padding: 0, margin: 0 }}>
          <legend className="field">{t('what')}</legend>
          <div className="row">
            <label>
              <input type="radio" name="source" value="dataset" checked={source === 'dataset'} onChange={() => setSource('dataset')} disabled={!datasets.length} />{' '}
              {t('dataset')}
            </label>
            <label>
              <input type="radio" name="source" value="file" checked={source === 'file'} onChange={() => setSource('file')} /> {t('file')}
            </label>
          </div>
        </fieldset>
        {source === 'dataset' ? (
          <div className="field">
            <label htmlFor="eval-dataset">{t('datasetLabel')}</label>
            <select id="eval-dataset" name="dataset" required>
              {datasets.map((d) => (
                <option key={d} value={d}>
                  {d}
                </option>
              ))}
            </select>
            <span className="hint">{t('datasetHelp')}</span>
          </div>
        ) : (
          <>
            <div className="field">
              <label htmlFor="eval-file">{t('fileLabel')}</label>
              <input id="eval-file" name="file" type="file" required accept=".tsv,.txt,.csv,text/*" aria-describedby="eval-file-help" />
              <span className="hint" id="eval-file-help">
                {t.rich('fileHelp', { max: maxUploadLabel, code: (c) => <code>{c}</code>, i: (c) => <i>{c}</i> })}
              </span>
            </div>
            <div className="field">
              <label htmlFor="eval-texts">{t('texts')}</label>
              <input id="eval-texts" name="texts" type="file" accept=".jsonl,.json,text/*" />
            </div>
            <div className="field">
              <label htmlFor="eval-protocol">{t('protocol')}</label>
              <select id="eval-protocol" name="protocol" defaultValue="clipdex" aria-describedby="eval-protocol-help">
                <option value="clipdex">{t('protocolClipdex')}</option>
                <option value="easynlp">{t('protocolEasynlp')}</option>
                <option value="chinese-clip">{t('protocolChinese')}</option>
              </select>
              <span className="hint" id="eval-protocol-help">
                {t('protocolHelp')}
              </span>
            </div>
          </>
        )}
        <SubmitRow label={t('submit')} pending={pending} canRun={canRun} adminHint={t('adminHint')} error={error} errorTestId="evaluate-error" />
      </form>
      {job ? (
        <JobProgress
          key={job.id}
          initial={job}
          onFinished={(j) => {
            setFinished({ id: j.id, run: asEvaluateResult(j.result) });
            router.refresh();
          }}
        />
      ) : null}
      {finished?.run && finished.id === job?.id ? <EvaluationView run={finished.run} /> : null}
    </div>
  );
}
