'use client';
import { useActionState, useState } from 'react';
import { useRouter } from 'next/navigation';
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
  const router = useRouter();
  const [source, setSource] = useState<'dataset' | 'file'>(datasets.length ? 'dataset' : 'file');
  const [finished, setFinished] = useState<{ id: string; run: EvaluateJobResult | null } | null>(null);
  const [state, formAction, pending] = useActionState(stagedAction(action, { file: 'validation file', texts: 'texts file' }, () => setFinished(null)), null);
  const job = state && state.ok ? state.data.job : null;
  const error = state && !state.ok ? state.error.message : null;

  return (
    <div className="stack">
      <form action={formAction} className="panel stack" aria-label="Run an evaluation">
        <fieldset className="stack" style={{ border: 0, padding: 0, margin: 0 }}>
          <legend className="field">What to evaluate</legend>
          <div className="row">
            <label>
              <input type="radio" name="source" value="dataset" checked={source === 'dataset'} onChange={() => setSource('dataset')} disabled={!datasets.length} />{' '}
              An ingested dataset
            </label>
            <label>
              <input type="radio" name="source" value="file" checked={source === 'file'} onChange={() => setSource('file')} /> A validation file
            </label>
          </div>
        </fieldset>
        {source === 'dataset' ? (
          <div className="field">
            <label htmlFor="eval-dataset">Dataset</label>
            <select id="eval-dataset" name="dataset" required>
              {datasets.map((d) => (
                <option key={d} value={d}>
                  {d}
                </option>
              ))}
            </select>
            <span className="hint">Uses the vectors stored at ingest; nothing is re-embedded.</span>
          </div>
        ) : (
          <>
            <div className="field">
              <label htmlFor="eval-file">Validation file</label>
              <input id="eval-file" name="file" type="file" required accept=".tsv,.txt,.csv,text/*" aria-describedby="eval-file-help" />
              <span className="hint" id="eval-file-help">
                EasyNLP pairs (<code>text⇥base64-image</code>, row <i>i</i>’s text matches row <i>i</i>’s image) or a Chinese-CLIP/MUGE image TSV with its texts
                JSONL below. Embedded in memory, not ingested. Up to {maxUploadLabel}.
              </span>
            </div>
            <div className="field">
              <label htmlFor="eval-texts">Texts JSONL (MUGE layout only)</label>
              <input id="eval-texts" name="texts" type="file" accept=".jsonl,.json,text/*" />
            </div>
            <div className="field">
              <label htmlFor="eval-protocol">Count recall as</label>
              <select id="eval-protocol" name="protocol" defaultValue="clipdex" aria-describedby="eval-protocol-help">
                <option value="clipdex">clipdex (identical images merged, both directions)</option>
                <option value="easynlp">EasyNLP (text i ↔ image i, one candidate per line, text → image)</option>
                <option value="chinese-clip">Chinese-CLIP (MUGE ids; texts without an image are misses)</option>
              </select>
              <span className="hint" id="eval-protocol-help">
                EasyNLP and Chinese-CLIP give the figures their own evaluation scripts print for the same vectors (exact search only).
              </span>
            </div>
          </>
        )}
        <SubmitRow label="Evaluate" pending={pending} canRun={canRun} adminHint="run evaluations" error={error} errorTestId="evaluate-error" />
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
