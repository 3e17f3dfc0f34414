'use client';
import { useActionState, useEffect, useRef, useState, type ReactNode } from 'react';
import type { FormAction } from '@/lib/views/action-result';

interface Props<R> {
  action: FormAction<R>;
  /** The hidden field the action reads (the dataset's or the image's id). */
  field: { name: string; value: number };
  /** The words, already translated: the trigger, its accessible name, the confirm / pending / cancel buttons. */
  text: { delete: string; label: string; confirm: string; deleting: string; cancel: string };
  /** Said beside the confirm button ("delete 12 images?"), when there is something to say. */
  question?: ReactNode;
  testIds?: { trigger?: string; confirm?: string };
}

/**
 * A delete with an inline confirmation step, for the dataset and the image deletes: keyboard-
 * friendly (focus moves to the confirm button), and the action's error shown beside it.
 */
export function ConfirmDelete<R>({ action, field, text, question, testIds = {} }: Props<R>) {
  const [confirming, setConfirming] = useState(false);
  const [state, formAction, pending] = useActionState(action, null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);

  if (!confirming) {
    return (
      <button type="button" className="btn small danger" onClick={() => setConfirming(true)} aria-label={text.label} data-testid={testIds.trigger}>
        {text.delete}
      </button>
    );
  }
  return (
    <form action={formAction} className="confirm">
      <input type="hidden" name={field.name} value={field.value} />
      {question ? <span className="small">{question}</span> : null}
      <button ref={confirmRef} type="submit" className="btn small danger solid" disabled={pending} data-testid={testIds.confirm}>
        {pending ? text.deleting : text.confirm}
      </button>
      <button type="button" className="btn small" onClick={() => setConfirming(false)} disabled={pending}>
        {text.cancel}
      </button>
      {state && !state.ok ? (
        <span className="alert error small" role="alert">
          {state.error.message}
        </span>
      ) : null}
    </form>
  );
}
