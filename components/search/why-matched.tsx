import type { ImageHitView } from '@/lib/views/search-view';
import css from './search-extras.module.css';

const FIELD_NAME = { caption: 'caption words', ocr: 'text in image', filename: 'file name' } as const;

/** One line per card: why this image is here (the words and where, the visual similarity). */
export function WhyMatched({ hit }: { hit: ImageHitView }) {
  const kw = hit.signals?.keyword;
  const sem = hit.signals?.semantic;
  const parts: React.ReactNode[] = [];
  if (kw) {
    parts.push(
      <span key="kw">
        Matched <b>{kw.fields.map((f) => FIELD_NAME[f]).join(', ')}</b>
        {kw.snippet ? <> — “{kw.snippet}”</> : null}
      </span>,
    );
  }
  if (sem) parts.push(<span key="sem">{parts.length ? ' · ' : ''}visual similarity {sem.score.toFixed(3)}</span>);
  if (!parts.length) return null;
  return (
    <p className={css.why} data-testid="why-matched">
      {parts}
    </p>
  );
}

/** The text found in the image (OCR), when there is any. */
export function OcrLine({ text }: { text: string | null | undefined }) {
  if (!text) return null;
  return (
    <p className={css.ocr} title={text} data-testid="ocr-text">
      Text in image: {text}
    </p>
  );
}
