import { useTranslations } from 'next-intl';

/**
 * The foot of an admin job form (evaluate, train): the submit button, a hint when the visitor may
 * not run it, and the action's error as an alert a screen reader announces.
 */
interface Props {
  label: string;
  pending: boolean;
  canRun: boolean;
  /** What signing in as admin would allow, e.g. "run evaluations" (already translated). */
  adminHint: string;
  error?: string | null;
  errorTestId: string;
}

export function SubmitRow({ label, pending, canRun, adminHint, error, errorTestId }: Props) {
  const t = useTranslations('SubmitRow');
  return (
    <>
      <div className="row">
        <button type="submit" className="btn primary" disabled={pending || !canRun}>
          {pending ? t('starting') : label}
        </button>
        {!canRun ? <span className="small muted">{t('signIn', { what: adminHint })}</span> : null}
      </div>
      {error ? (
        <p className="alert error" role="alert" data-testid={errorTestId}>
          {error}
        </p>
      ) : null}
    </>
  );
}
