'use client';
import { useEffect } from 'react';
import { useTranslations } from 'next-intl';

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const t = useTranslations('ErrorPage');
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <div className="panel stack" role="alert">
      <h1>{t('title')}</h1>
      <p className="alert error">{error.digest ? t('bodyDigest', { digest: error.digest }) : t('body')}</p>
      <p>
        <button type="button" className="btn primary" onClick={reset}>
          {t('retry')}
        </button>
      </p>
    </div>
  );
}
