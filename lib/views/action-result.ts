/**
 * What every server action returns to the browser: its data, or an error fit to show on the
 * page. One type for the actions (app/_lib/result.ts builds it) and the client components that
 * read it, so components never import from app/. Types only: safe in client bundles.
 */
import type { ErrorCode } from '@/lib/errors';

export type ActionError = { code: ErrorCode; message: string };
export type ActionResult<T> = { ok: true; data: T } | { ok: false; error: ActionError };
/** The signature `useActionState` needs from a server action passed to a client component. */
export type FormAction<T> = (prev: ActionResult<T> | null, form: FormData) => Promise<ActionResult<T>>;
