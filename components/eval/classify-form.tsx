'use client';
import { useEffect, useId, useState } from 'react';
import { useTranslations } from 'next-intl';
import { useImageDrop } from '../shared/use-image-drop';
import type { LabelScore } from './types';

interface Props {
  defaultTemplate: string;
  defaultTemplateZh: string;
}

type State =
  | { kind: 'idle' }
  | { kind: 'busy' }
  | { kind: 'done'; labels: LabelScore[] }
  | { kind: 'error'; message: string };

/**
 * Zero-shot classification: an image (picked, dropped or pasted), comma-separated labels and an
 * optional template; the answer is one bar per label, most probable first.
 */
export function ClassifyForm({ defaultTemplate, defaultTemplateZh }: Props) {
  const t = useTranslations('ClassifyForm');
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [state, setState] = useState<State>({ kind: 'idle' });
  const fileId = useId();
  const { over, dropProps } = useImageDrop(setFile);

  useEffect(() => {
    if (!file) return setPreview(null);
    const url = URL.createObjectURL(file);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    if (!file) return setState({ kind: 'error', message: t('chooseFirst') });
    form.set('image', file);
    setState({ kind: 'busy' });
    try {
      const res = await fetch('/api/classify', { method: 'POST', body: form });
      const body = (await res.json()) as { labels?: LabelScore[]; error?: { message: string } };
      if (!res.ok || !body.labels) setState({ kind: 'error', message: body.error?.message ?? t('serverAnswered', { status: res.status }) });
      else setState({ kind: 'done', labels: body.labels });
    } catch (err) {
      setState({ kind: 'error', message: t('failed', { message: (err as Error).message }) });
    }
  }

  return (
    <div className="stack">
      <form className="panel stack" onSubmit={onSubmit} aria-label={t('label')}>
        <div
          className={`dropzone${over ? ' active' : ''}`}
          data-testid="classify-dropzone"
          {...dropProps}
        >
          {preview ? (
            <span className="query-image">
              {/* eslint-disable-next-line @next/next/no-img-element */}
              <img src={preview} alt={t('imageAlt', { name: file?.name ?? '' })} width={72} height={72} />
            </span>
          ) : null}
          <div className="field">
            <label htmlFor={fileId}>{t('image')}</label>
            <input
              id={fileId}
              type="file"
              accept="image/*"
              onChange={(e) => {
                setFile(e.currentTarget.files?.[0] ?? null);
                setState({ kind: 'idle' });
              }}
            />
          </div>
        </div>
        <div className="field">
          <label htmlFor="classify-labels">{t('labels')}</label>
          <input id="classify-labels" name="labels" type="text" required placeholder={t('labelsPlaceholder')} aria-describedby="classify-labels-help" />
          <span className="hint" id="classify-labels-help">
            {t('labelsHelp')}
          </span>
        </div>
        <div className="field">
          <label htmlFor="classify-template">{t('template')}</label>
          <input id="classify-template" name="template" type="text" placeholder={defaultTemplate} aria-describedby="classify-template-help" />
          <span className="hint" id="classify-template-help">
            {t('templateHelp', { en: defaultTemplate, zh: defaultTemplateZh })}
          </span>
        </div>
        <div className="row">
          <button type="submit" className="btn primary" disabled={state.kind === 'busy'}>
            {state.kind === 'busy' ? t('busy') : t('submit')}
          </button>
        </div>
        {state.kind === 'error' ? (
          <p className="alert error" role="alert" data-testid="classify-error">
            {state.message}
          </p>
        ) : null}
      </form>
      {state.kind === 'done' ? <LabelBars labels={state.labels} /> : null}
    </div>
  );
}

function LabelBars({ labels }: { labels: LabelScore[] }) {
  const t = useTranslations('ClassifyForm');
  return (
    <section className="panel stack" aria-labelledby="classify-result-title">
      <h2 id="classify-result-title" style={{ margin: 0 }}>
        {t('probabilities')}
      </h2>
      <ol className="stack" style={{ listStyle: 'none', padding: 0, margin: 0 }} data-testid="classify-results">
        {labels.map((l) => {
          const p = 100 * l.probability;
          return (
            <li key={l.label} data-label={l.label} data-probability={l.probability}>
              <div className="row" style={{ justifyContent: 'space-between', maxWidth: '32rem' }}>
                <b>{l.label}</b>
                <span className="mono">{p.toFixed(1)}%</span>
              </div>
              <div
                className="bar"
                style={{ maxWidth: '32rem', height: 10 }}
                role="meter"
                aria-label={`${l.label}`}
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={Number(p.toFixed(1))}
                aria-valuetext={t('percent', { value: p.toFixed(1) })}
              >
                <span style={{ width: `${p}%` }} />
              </div>
              <div className="small muted">
                “{l.prompt}” · {t('cosine', { value: l.score.toFixed(3) })}
              </div>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
