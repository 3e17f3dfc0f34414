import { getTranslations } from 'next-intl/server';

/** Shown instead of a page when the engine cannot open (no model, bad index, bad config). */
export async function EngineError({ message }: { message: string }) {
  const t = await getTranslations('EngineError');
  return (
    <div className="panel stack" role="alert">
      <h1>{t('title')}</h1>
      {/* The reason comes from lib (English, like the CLI and the API); the advice around it is translated. */}
      <p className="alert error">{message}</p>
      <p className="muted">{t.rich('fix', { code: (c) => <code>{c}</code> })}</p>
    </div>
  );
}
