/**
 * Review finding 9: a server action can be called with any arguments (a crafted request whose
 * body is `[null]`). openAction and adminAction (app/_lib/result.ts) must answer a plain
 * INVALID_INPUT for anything that is not a FormData, never an INTERNAL error, and must not run
 * the action body at all.
 */
import { describe, expect, it, vi } from 'vitest';

// Only the cookie check is replaced (it needs a live request); the form check under test is real.
vi.mock('@/app/_lib/session', () => ({ assertAdminAction: async () => undefined }));

const { adminAction, openAction } = await import('@/app/_lib/result');

const NOT_FORMS: unknown[] = [null, undefined, 'token=x', 42, ['token', 'x'], { get: 1 }];

describe('server action wrappers refuse arguments that are not a form', () => {
  it('openAction: INVALID_INPUT naming what it got, the body never runs', async () => {
    const body = vi.fn(async (form: FormData) => form.get('token'));
    const action = openAction(body);
    for (const bad of NOT_FORMS) {
      const r = await action(null, bad as FormData);
      expect(r.ok, String(bad)).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('INVALID_INPUT');
        expect(r.error.message).toContain('FormData');
      }
    }
    expect(body).not.toHaveBeenCalled();
    const form = new FormData();
    form.set('token', 'abc');
    expect(await action(null, form)).toEqual({ ok: true, data: 'abc' });
  });

  it('adminAction: INVALID_INPUT before the engine is opened', async () => {
    const body = vi.fn(async () => 'ran');
    const r = await adminAction(body)(null, null as unknown as FormData);
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(body).not.toHaveBeenCalled();
  });

  it('the real sign-in action called with [null] (the reviewer\'s request) is INVALID_INPUT', async () => {
    const { signInAction } = await import('@/app/signin/actions');
    const r = await (signInAction as (...a: unknown[]) => ReturnType<typeof signInAction>)(null);
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });
});
