/**
 * The one wrapper for server actions: it checks the admin session (cookie or bearer token),
 * opens the engine, runs the action and maps any error to the ActionResult the page shows.
 * proxy.ts already refuses an unauthenticated action before its body is read; the check here
 * stays because a matcher change must never silently open an action.
 */
import { unstable_rethrow } from 'next/navigation';
import { getEngine, type Engine } from '@/lib/engine';
import { AppError, describeError, isAppError } from '@/lib/errors';
import type { ActionError, ActionResult, FormAction } from '@/lib/views/action-result';
import { assertAdminAction } from '@/app/_lib/session';

export type { ActionError, ActionResult, FormAction };

export function actionError(err: unknown): { ok: false; error: ActionError } {
  if (!isAppError(err)) console.error('clipdex: unexpected error in a server action', err);
  return { ok: false, error: { code: isAppError(err) ? err.code : 'INTERNAL', message: describeError(err) } };
}

async function run<T>(fn: () => Promise<T>): Promise<ActionResult<T>> {
  try {
    return { ok: true, data: await fn() };
  } catch (err) {
    // redirect() and notFound() work by throwing: let Next see them.
    unstable_rethrow(err);
    return actionError(err);
  }
}

/**
 * Anyone can call an action with any arguments (a crafted request with `[null]`), so the form is
 * checked, not trusted: anything else is a plain INVALID_INPUT, not an INTERNAL error in the log.
 */
function checkForm(form: unknown): FormData {
  if (form instanceof FormData) return form;
  const got = form === null ? 'null' : Array.isArray(form) ? 'an array' : typeof form;
  throw new AppError('INVALID_INPUT', `this action takes the fields of its form (FormData); it got ${got}. Submit the form on the page`);
}

/** An action that changes data: admin only, with the engine opened for it. */
export function adminAction<T>(fn: (form: FormData, engine: Engine) => Promise<T>): FormAction<T> {
  return async (_prev, form) =>
    run(async () => {
      await assertAdminAction();
      return fn(checkForm(form), await getEngine());
    });
}

/** An action open to everyone (signing in): no admin check, no engine. */
export function openAction<T>(fn: (form: FormData) => Promise<T>): FormAction<T> {
  return async (_prev, form) => run(() => fn(checkForm(form)));
}
