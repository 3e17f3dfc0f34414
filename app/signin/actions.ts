'use server';
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { getConfig } from '@/lib/config';
import { ADMIN_COOKIE, ADMIN_COOKIE_MAX_AGE, adminCookieValue, checkAdminToken, isAdminRequired, safeNextPath, SignInLimiter } from '@/lib/auth';
import { AppError } from '@/lib/errors';
import { openAction } from '@/app/_lib/result';

// One limiter for the process (sign-in attempts are throttled per client and overall, lib/auth).
const g = globalThis as unknown as { clipdexSignInLimiter?: SignInLimiter };
const limiter = (g.clipdexSignInLimiter ??= new SignInLimiter());

/**
 * Who is signing in: the last X-Forwarded-For entry (`next start` sets the header to the peer's
 * address when the client sent none; a reverse proxy appends the address it saw). A client can
 * forge it, which is why the limiter also counts all failures together.
 */
async function clientKey(): Promise<string> {
  const h = await headers();
  const xff = h.get('x-forwarded-for') ?? '';
  return xff.split(',').pop()?.trim() || h.get('x-real-ip') || 'unknown';
}

export const signInAction = openAction<null>(async (form) => {
  const token = getConfig().adminToken;
  const next = safeNextPath(form.get('next'));
  if (!isAdminRequired(token)) redirect(next);
  const key = await clientKey();
  const wait = limiter.retryAfter(key);
  if (wait > 0) {
    throw new AppError('UNAUTHORIZED', `Too many wrong tokens. Wait ${wait} s before trying again (sign-in attempts are limited).`);
  }
  const candidate = form.get('token');
  if (!checkAdminToken(token, typeof candidate === 'string' ? candidate : '')) {
    limiter.failed(key);
    throw new AppError('UNAUTHORIZED', 'That token is not right. It is the value of CLIPDEX_ADMIN_TOKEN on the server.');
  }
  limiter.succeeded(key);
  const jar = await cookies();
  jar.set(ADMIN_COOKIE, adminCookieValue(token), {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    maxAge: ADMIN_COOKIE_MAX_AGE,
    secure: process.env.CLIPDEX_COOKIE_SECURE === '1',
  });
  redirect(next);
});

export async function signOutAction(): Promise<void> {
  const jar = await cookies();
  jar.delete(ADMIN_COOKIE);
  redirect('/');
}
