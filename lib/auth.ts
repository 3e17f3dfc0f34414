/**
 * Admin access: when CLIPDEX_ADMIN_TOKEN is set, actions that change data (upload, delete,
 * re-index) need it, either as `Authorization: Bearer <token>` (scripts) or as the sign-in
 * cookie (browsers). Searching stays open. Pure functions over strings, so the web app, its
 * route handlers and the tests share one check; no next/* imports.
 *
 * The cookie holds a keyed hash of the token, not the token itself, so a leaked cookie does not
 * reveal the token that scripts use, and changing the token signs every browser out.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppError } from './errors';

export const ADMIN_COOKIE = 'clipdex_admin';
/** Cookie lifetime: 30 days. */
export const ADMIN_COOKIE_MAX_AGE = 60 * 60 * 24 * 30;

export interface Credentials {
  /** Value of the ADMIN_COOKIE cookie, if any. */
  cookie?: string | null;
  /** Raw `Authorization` header, if any. */
  authorization?: string | null;
}

/** True when this server requires a token for changes. */
export function isAdminRequired(adminToken: string | undefined): adminToken is string {
  return typeof adminToken === 'string' && adminToken.length > 0;
}

/** The value stored in the sign-in cookie for a given token. */
export function adminCookieValue(adminToken: string): string {
  return createHash('sha256').update(`clipdex-admin-v1\0${adminToken}`).digest('hex');
}

function safeEqual(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  // Hashing first gives equal lengths, so timingSafeEqual never throws and length is not leaked.
  return timingSafeEqual(x, y) && a === b;
}

/** Does `candidate` (typed into the sign-in form) match the configured token? */
export function checkAdminToken(adminToken: string | undefined, candidate: string | null | undefined): boolean {
  if (!isAdminRequired(adminToken)) return true;
  if (typeof candidate !== 'string' || candidate.length === 0) return false;
  return safeEqual(candidate, adminToken);
}

/** The token in an `Authorization: Bearer …` header, or undefined. */
export function bearerToken(authorization: string | null | undefined): string | undefined {
  if (!authorization) return undefined;
  const m = /^\s*Bearer\s+(\S+)\s*$/i.exec(authorization);
  return m ? m[1] : undefined;
}

/** May a request with these credentials change data? Always true when no token is configured. */
export function isAdmin(adminToken: string | undefined, creds: Credentials): boolean {
  if (!isAdminRequired(adminToken)) return true;
  const bearer = bearerToken(creds.authorization);
  if (bearer !== undefined && safeEqual(bearer, adminToken)) return true;
  if (creds.cookie && safeEqual(creds.cookie, adminCookieValue(adminToken))) return true;
  return false;
}

/** Throw AppError UNAUTHORIZED unless the credentials allow changes. */
export function requireAdmin(adminToken: string | undefined, creds: Credentials): void {
  if (!isAdmin(adminToken, creds)) {
    throw new AppError(
      'UNAUTHORIZED',
      'this action needs the admin token: sign in at /signin, or send "Authorization: Bearer <CLIPDEX_ADMIN_TOKEN>"',
    );
  }
}
