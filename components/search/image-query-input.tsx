'use client';
import { useEffect, useId, useRef } from 'react';
import { useTranslations } from 'next-intl';
import { firstImage, useImageDrop } from '../shared/use-image-drop';

export interface QueryImage {
  /** Stored image id ("more like this"), or several (a collection). */
  like?: number | number[];
  /** sha256 of an uploaded query image. */
  qimg?: string;
  src: string;
  alt: string;
  href?: string;
}

interface Props {
  image: QueryImage | null;
  busy: boolean;
  active: boolean;
  onFile: (file: File) => void;
  onClear: () => void;
}

/** An image query from the file picker, a drop anywhere on the zone, or a paste anywhere on the page. */
export function ImageQueryInput({ image, busy, active, onFile, onClear }: Props) {
  const t = useTranslations('ImageQuery');
  const inputRef = useRef<HTMLInputElement>(null);
  const id = useId();
  const onFileRef = useRef(onFile);
  onFileRef.current = onFile;
  const { over, dropProps } = useImageDrop((file) => onFileRef.current(file));

  useEffect(() => {
    function onPaste(e: ClipboardEvent) {
      const file = firstImage(e.clipboardData?.files);
      if (!file) return; // plain text pastes go to the text box as usual
      e.preventDefault();
      onFileRef.current(file);
    }
    document.addEventListener('paste', onPaste);
    return () => document.removeEventListener('paste', onPaste);
  }, []);

  return (
    <div
      className={`dropzone${over ? ' active' : ''}`}
      {...dropProps}
      data-testid="dropzone"
    >
      {image && active ? (
        <>
          <a className="query-image" href={image.href ?? image.src} title={t('queryImage')}>
            {/* eslint-disable-next-line @next/next/no-img-element */}
            <img src={image.src} alt={t('queryAlt', { alt: image.alt })} width={72} height={72} />
          </a>
          <span>{t('using')}</span>
        </>
      ) : (
        <span>{busy ? t('uploading') : t('prompt')}</span>
      )}
      <input
        ref={inputRef}
        id={id}
        type="file"
        accept="image/*"
        className="visually-hidden"
        aria-label={t('chooseLabel')}
        data-testid="image-query-file"
        onChange={(e) => {
          const file = firstImage(e.target.files);
          if (file) onFile(file);
          e.target.value = '';
        }}
      />
      <button type="button" className="btn small" onClick={() => inputRef.current?.click()} disabled={busy}>
        {image && active ? t('another') : t('choose')}
      </button>
      {image && active ? (
        <button type="button" className="btn small" onClick={onClear}>
          {t('clear')}
        </button>
      ) : null}
    </div>
  );
}
