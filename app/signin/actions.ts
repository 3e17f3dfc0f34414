'use server';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { getConfig } from '@/lib/config';
import { ADMIN_COOKIE, ADMIN_COOKIE_MAX_AGE, adminCookieValue, checkAdminToken, isAdminRequired } from '@/lib/auth';
import type { ActionResult } from '@/app/_lib/result';

function safeNext(next: unknown): string {
  // Only same-site paths: never redirect to another origin after sign-in.
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') ? next : '/admin';
}

export async function signInAction(_prev: ActionResult<null> | null, form: FormData): Promise<ActionResult<null>> {
  const token = getConfig().adminToken;
  if (!isAdminRequired(token)) redirect(safeNext(form.get('next')));
  const candidate = form.get('token');
  if (!checkAdminToken(token, typeof candidate === 'string' ? candidate : '')) {
    return { ok: false, error: { code: 'UNAUTHORIZED', message: 'That token is not right. It is the value of CLIPDEX_ADMIN_TOKEN on the server.' } };
  }
  const jar = await cookies();
  jar.set(ADMIN_COOKIE, adminCookieValue(token), {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    maxAge: ADMIN_COOKIE_MAX_AGE,
    secure: process.env.CLIPDEX_COOKIE_SECURE === '1',
  });
  redirect(safeNext(form.get('next')));
}

export async function signOutAction(): Promise<void> {
  const jar = await cookies();
  jar.delete(ADMIN_COOKIE);
  redirect('/');
}
