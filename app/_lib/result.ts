/** What every server action returns: data, or a message fit to show on the page. */
import { describeError, isAppError, type ErrorCode } from '@/lib/errors';

export type ActionError = { code: ErrorCode; message: string };
export type ActionResult<T> = { ok: true; data: T } | { ok: false; error: ActionError };

export function actionError(err: unknown): { ok: false; error: ActionError } {
  if (!isAppError(err)) console.error('clipdex: unexpected error in a server action', err);
  return { ok: false, error: { code: isAppError(err) ? err.code : 'INTERNAL', message: describeError(err) } };
}
