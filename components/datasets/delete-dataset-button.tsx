'use client';
import { useActionState, useEffect, useRef, useState } from 'react';
import { useTranslations } from 'next-intl';
import type { FormAction } from '@/lib/views/action-result';

interface Props {
  id: number;
  name: string;
  images: number;
  action: FormAction<{ name: string }>;
}

/** Delete with an inline confirmation step (keyboard-friendly: focus moves to the confirm button). */
export function DeleteDatasetButton({ id, name, images, action }: Props) {
  const t = useTranslations('DeleteDataset');
  const [confirming, setConfirming] = useState(false);
  const [state, formAction, pending] = useActionState(action, null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);

  if (!confirming) {
    return (
      <button type="button" className="btn small danger" onClick={() => setConfirming(true)} aria-label={t('deleteLabel', { name })}>
        {t('delete')}
      </button>
    );
  }
  return (
    <form action={formAction} className="confirm">
      <input type="hidden" name="id" value={id} />
      <span className="small">{t('confirm', { name, count: images })}</span>
      <button ref={confirmRef} type="submit" className="btn small danger solid" disabled={pending}>
        {pending ? t('deleting') : t('yes')}
      </button>
      <button type="button" className="btn small" onClick={() => setConfirming(false)} disabled={pending}>
        {t('cancel')}
      </button>
      {state && !state.ok ? (
        <span className="alert error small" role="alert">
          {state.error.message}
        </span>
      ) : null}
    </form>
  );
}
