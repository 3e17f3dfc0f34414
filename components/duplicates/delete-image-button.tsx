'use client';
import { useActionState, useEffect, useRef, useState } from 'react';
import { useTranslations } from 'next-intl';
import type { FormAction } from '@/lib/views/action-result';

interface Props {
  imageId: number;
  label: string;
  action: FormAction<{ imageId: number }>;
}

/** Delete one image with an inline confirmation (focus moves to the confirm button). */
export function DeleteImageButton({ imageId, label, action }: Props) {
  const t = useTranslations('DeleteImage');
  const [confirming, setConfirming] = useState(false);
  const [state, formAction, pending] = useActionState(action, null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);

  if (!confirming) {
    return (
      <button type="button" className="btn small danger" onClick={() => setConfirming(true)} aria-label={t('label', { id: imageId, label })} data-testid="delete-image">
        {t('delete')}
      </button>
    );
  }
  return (
    <form action={formAction} className="confirm">
      <input type="hidden" name="imageId" value={imageId} />
      <button ref={confirmRef} type="submit" className="btn small danger solid" disabled={pending} data-testid="confirm-delete-image">
        {pending ? t('deleting') : t('confirm')}
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
