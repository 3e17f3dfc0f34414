'use client';
import { startTransition, useActionState, useState } from 'react';
import { useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { JobProgress } from '@/components/jobs/job-progress';
import type { JobView } from '@/lib/views/jobs';
import { stagedAction } from '@/components/shared/staged-upload';
import type { FormAction } from '@/lib/views/action-result';

interface Props {
  action: FormAction<{ job: JobView }>;
  maxUploadBytes: number;
  maxUploadLabel: string;
  formats: { value: string; label: string }[];
  /** issue 11: the server's CLIPDEX_OCR, the checkbox's starting state. */
  ocrDefault: boolean;
}

/**
 * Upload a corpus file (and, for the Chinese-CLIP/MUGE layout, its texts JSONL): each file is
 * streamed to /api/uploads first, then the server action starts the ingest of the staged files;
 * then follow the ingest job it started. The size is checked here first so a file over the limit
 * is refused before it is sent; the server checks again while streaming it to disk.
 */
export function UploadForm({ action, maxUploadBytes, maxUploadLabel, formats, ocrDefault }: Props) {
  const t = useTranslations('UploadForm');
  const router = useRouter();
  const [clientError, setClientError] = useState<string | null>(null);
  const [format, setFormat] = useState('');
  const [ocr, setOcr] = useState(ocrDefault);
  const [state, formAction, pending] = useActionState(stagedAction(action, { file: 'corpus file', texts: 'texts file' }), null);

  function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    const form = e.currentTarget;
    const files = ['file', 'texts']
      .map((n) => (form.elements.namedItem(n) as HTMLInputElement | null)?.files?.[0])
      .filter((f): f is File => !!f);
    const big = files.find((f) => f.size > maxUploadBytes);
    const empty = files.find((f) => f.size === 0);
    // Submitting by hand (not through the form's action prop) keeps the chosen files and the name
    // in the form when the server refuses them, so the user can fix one field and retry.
    e.preventDefault();
    if (big) {
      setClientError(t('tooBig', { name: big.name, size: (big.size / 1048576).toFixed(1), max: maxUploadLabel }));
      return;
    }
    if (empty) {
      setClientError(t('empty', { name: empty.name }));
      return;
    }
    setClientError(null);
    const data = new FormData(form);
    // A file input left empty is sent as an empty nameless file: leave it out instead.
    for (const n of ['file', 'texts']) {
      const v = data.get(n);
      if (v instanceof File && v.size === 0 && v.name === '') data.delete(n);
    }
    // Always sent, so an unticked box means "do not read" rather than "the server's default".
    data.set('ocr', ocr ? '1' : '0');
    startTransition(() => formAction(data));
  }

  const error = clientError ?? (state && !state.ok ? state.error.message : null);
  const job = state && state.ok ? state.data.job : null;

  return (
    <div className="stack">
      <form action={formAction} onSubmit={onSubmit} className="panel stack" aria-describedby="upload-help">
        <div className="field">
          <label htmlFor="file">{t('file')}</label>
          <input id="file" name="file" type="file" required accept=".tsv,.txt,.csv,.jsonl,text/*" />
          <span className="hint" id="upload-help">
            {t.rich('fileHelp', { max: maxUploadLabel, code: (c) => <code>{c}</code> })}
          </span>
        </div>
        <div className="field">
          <label htmlFor="dataset">{t('dataset')}</label>
          <input id="dataset" name="dataset" type="text" required maxLength={100} placeholder={t('datasetPlaceholder')} />
          <span className="hint">{t('datasetHelp')}</span>
        </div>
        <div className="row" style={{ alignItems: 'flex-start', gap: '1.5rem' }}>
          <div className="field">
            <label htmlFor="format">{t('format')}</label>
            <select id="format" name="format" value={format} onChange={(e) => setFormat(e.target.value)}>
              <option value="">{t('detect')}</option>
              {formats.map((f) => (
                <option key={f.value} value={f.value}>
                  {f.label}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="texts">{t('texts')}</label>
            <input id="texts" name="texts" type="file" accept=".jsonl,.json,text/*" required={format === 'muge'} />
            <span className="hint">{t.rich('textsHelp', { example: '{"text_id":1,"text":"…","image_ids":[…]}', code: (c) => <code>{c}</code> })}</span>
          </div>
        </div>
        <div className="field">
          <label className="small">
            <input type="checkbox" checked={ocr} onChange={(e) => setOcr(e.target.checked)} aria-describedby="ocr-help" data-testid="upload-ocr" /> {t('ocr')}
          </label>
          <span className="hint" id="ocr-help">
            {t.rich(ocrDefault ? 'ocrHelpOn' : 'ocrHelpOff', { code: (c) => <code>{c}</code> })}
          </span>
        </div>
        {error ? (
          <p className="alert error" role="alert" data-testid="upload-error">
            {error}
          </p>
        ) : null}
        <div className="row">
          <button type="submit" className="btn primary" disabled={pending}>
            {pending ? t('uploading') : t('submit')}
          </button>
          {pending ? <span className="muted" role="status">{t('sending')}</span> : null}
        </div>
      </form>
      {job ? <JobProgress key={job.id} initial={job} onFinished={() => router.refresh()} /> : null}
    </div>
  );
}
