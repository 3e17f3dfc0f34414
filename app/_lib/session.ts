/**
 * The web side of lib/auth: reads the sign-in cookie (pages, server actions) or the request's
 * headers (route handlers) and asks lib/auth whether they allow changes.
 */
import { cookies, headers } from 'next/headers';
import { getConfig } from '@/lib/config';
import { ADMIN_COOKIE, credentialsFromHeaders, isAdmin, isAdminRequired, requireAdmin } from '@/lib/auth';

export interface AdminSession {
  /** A token is configured, so changes need it. */
  required: boolean;
  /** This browser may change data (always true when no token is configured). */
  admin: boolean;
}

export async function getAdminSession(): Promise<AdminSession> {
  const token = getConfig().adminToken;
  const jar = await cookies();
  return { required: isAdminRequired(token), admin: isAdmin(token, { cookie: jar.get(ADMIN_COOKIE)?.value }) };
}

/**
 * Whether the viewer of a page may see server details such as the paths in an engine error (A12):
 * an admin, or anyone when no token is configured (then everyone is). Fails closed: an unreadable
 * configuration or no request to read a cookie from counts as not an admin.
 */
export async function viewerIsAdmin(): Promise<boolean> {
  let token: string | undefined;
  try {
    token = getConfig().adminToken;
  } catch {
    return false;
  }
  if (!isAdminRequired(token)) return true;
  try {
    return isAdmin(token, { cookie: (await cookies()).get(ADMIN_COOKIE)?.value });
  } catch {
    return false;
  }
}

/** A route request's counterpart of viewerIsAdmin: bearer token or sign-in cookie; fails closed. */
export function requestIsAdmin(req: Request): boolean {
  try {
    return isAdmin(getConfig().adminToken, credentialsFromHeaders(req.headers));
  } catch {
    return false;
  }
}

/** For server actions: throws AppError UNAUTHORIZED unless signed in or bearing the token (or none is configured). */
export async function assertAdminAction(): Promise<void> {
  const [jar, h] = await Promise.all([cookies(), headers()]);
  requireAdmin(getConfig().adminToken, { cookie: jar.get(ADMIN_COOKIE)?.value, authorization: h.get('authorization') });
}

/** For route handlers: bearer token or sign-in cookie. Call it before reading the body. */
export function assertAdminRequest(req: Request): void {
  requireAdmin(getConfig().adminToken, credentialsFromHeaders(req.headers));
}
