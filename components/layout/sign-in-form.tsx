'use client';
import { useActionState } from 'react';
import { useTranslations } from 'next-intl';
import type { FormAction } from '@/lib/views/action-result';

/** The admin token form; `action` is the sign-in server action (app/signin/actions.ts). */
export function SignInForm({ next, action }: { next: string; action: FormAction<null> }) {
  const t = useTranslations('SignIn');
  const [state, formAction, pending] = useActionState(action, null);
  return (
    <form action={formAction} className="stack">
      <input type="hidden" name="next" value={next} />
      <div className="field">
        <label htmlFor="token">{t('token')}</label>
        <input id="token" name="token" type="password" autoComplete="current-password" required autoFocus />
      </div>
      {state && !state.ok ? (
        <p className="alert error" role="alert">
          {state.error.message}
        </p>
      ) : null}
      <button type="submit" className="btn primary" disabled={pending}>
        {pending ? t('busy') : t('submit')}
      </button>
    </form>
  );
}
