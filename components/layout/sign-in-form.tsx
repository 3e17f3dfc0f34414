'use client';
import { useActionState } from 'react';
import { signInAction } from '@/app/signin/actions';

export function SignInForm({ next }: { next: string }) {
  const [state, action, pending] = useActionState(signInAction, null);
  return (
    <form action={action} className="stack">
      <input type="hidden" name="next" value={next} />
      <div className="field">
        <label htmlFor="token">Admin token</label>
        <input id="token" name="token" type="password" autoComplete="current-password" required autoFocus />
      </div>
      {state && !state.ok ? (
        <p className="alert error" role="alert">
          {state.error.message}
        </p>
      ) : null}
      <button type="submit" className="btn primary" disabled={pending}>
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
