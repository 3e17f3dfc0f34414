import { useTranslations } from 'next-intl';
import type { ImageHitView } from '@/lib/views/search-view';
import css from './search-extras.module.css';

/** One line per card: why this image is here (the words and where, the visual similarity). */
export function WhyMatched({ hit }: { hit: ImageHitView }) {
  const t = useTranslations('WhyMatched');
  const kw = hit.signals?.keyword;
  const sem = hit.signals?.semantic;
  const parts: React.ReactNode[] = [];
  if (kw) {
    parts.push(
      <span key="kw">
        {t.rich('matched', { fields: kw.fields.map((f) => t(f)).join(t('separator')), b: (chunks) => <b>{chunks}</b> })}
        {kw.snippet ? t('snippet', { snippet: kw.snippet }) : null}
      </span>,
    );
  }
  if (sem) parts.push(<span key="sem">{parts.length ? ' · ' : ''}{t('visual', { score: sem.score.toFixed(3) })}</span>);
  if (!parts.length) return null;
  return (
    <p className={css.why} data-testid="why-matched">
      {parts}
    </p>
  );
}

/** The text found in the image (OCR), when there is any. */
export function OcrLine({ text }: { text: string | null | undefined }) {
  const t = useTranslations('WhyMatched');
  if (!text) return null;
  return (
    <p className={css.ocr} title={text} data-testid="ocr-text">
      {t('ocrLine', { text })}
    </p>
  );
}
