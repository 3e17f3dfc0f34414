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

/** The credentials in a request's headers: the sign-in cookie and the Authorization header. */
export function credentialsFromHeaders(headers: { get(name: string): string | null }): Credentials {
  const m = new RegExp(`(?:^|;\\s*)${ADMIN_COOKIE}=([^;]*)`).exec(headers.get('cookie') ?? '');
  let cookie: string | undefined;
  try {
    cookie = m ? decodeURIComponent(m[1]) : undefined;
  } catch {
    cookie = undefined; // malformed %-escapes: no valid cookie
  }
  return { cookie, authorization: headers.get('authorization') };
}

/** May a request with these credentials change data? Always true when no token is configured. */
export function isAdmin(adminToken: string | undefined, creds: Credentials): boolean {
  if (!isAdminRequired(adminToken)) return true;
  const bearer = bearerToken(creds.authorization);
  if (bearer !== undefined && safeEqual(bearer, adminToken)) return true;
  if (creds.cookie && safeEqual(creds.cookie, adminCookieValue(adminToken))) return true;
  return false;
}

/** The refusal without the token, worded once for server actions, route handlers and proxy.ts. */
export const ADMIN_NEEDED_MESSAGE = 'this action needs the admin token: sign in at /signin, or send "Authorization: Bearer <CLIPDEX_ADMIN_TOKEN>"';

/** Throw AppError UNAUTHORIZED unless the credentials allow changes. */
export function requireAdmin(adminToken: string | undefined, creds: Credentials): void {
  if (!isAdmin(adminToken, creds)) throw new AppError('UNAUTHORIZED', ADMIN_NEEDED_MESSAGE);
}

/**
 * Where to go after signing in: only a path on this site. Anything a browser could resolve to
 * another origin is refused (`//evil`, `/\evil`, which browsers read as `//evil`, a TAB or newline
 * that URL parsing strips, `javascript:`, absolute URLs), as is anything with a backslash or a
 * control character at all; those fall back to `fallback`.
 */
export function safeNextPath(next: unknown, fallback = '/'): string {
  if (typeof next !== 'string' || next.length === 0 || next.length > 2048) return fallback;
  if (!next.startsWith('/') || next.startsWith('//')) return fallback;
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f\u007f]/.test(next)) return fallback;
  // Belt and braces: resolved against a placeholder origin, it must stay on that origin.
  try {
    const base = 'http://clipdex.invalid';
    if (new URL(next, base).origin !== base) return fallback;
  } catch {
    return fallback;
  }
  return next;
}

export interface SignInLimits {
  /** Failed attempts one client may make at once before it must wait. */
  perClientBurst: number;
  /** Seconds for one more attempt to come back to a client. */
  perClientRefillS: number;
  /** Failed attempts from all clients together (X-Forwarded-For can be forged, so a per-client key alone is not enough). */
  globalBurst: number;
  globalRefillS: number;
  /** Clients remembered at most (oldest forgotten first), so forged keys cannot grow memory without bound. */
  maxClients: number;
}

export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = { perClientBurst: 5, perClientRefillS: 12, globalBurst: 30, globalRefillS: 2, maxClients: 10_000 };

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Sign-in throttling: token buckets of failed attempts, one per client and one for everyone.
 * A correct token resets the client's bucket. In memory: a restart forgets it, which is fine for
 * slowing down guessing (a guess costs a request; a token of 8+ characters has far more values
 * than a few attempts a second can try).
 */
export class SignInLimiter {
  private readonly clients = new Map<string, Bucket>();
  private readonly global: Bucket;

  constructor(
    private readonly limits: SignInLimits = DEFAULT_SIGN_IN_LIMITS,
    now = Date.now(),
  ) {
    this.global = { tokens: limits.globalBurst, at: now };
  }

  private refill(b: Bucket, burst: number, refillS: number, now: number): Bucket {
    b.tokens = Math.min(burst, b.tokens + Math.max(0, now - b.at) / (refillS * 1000));
    b.at = now;
    return b;
  }

  private client(key: string, now: number): Bucket {
    const b = this.clients.get(key) ?? { tokens: this.limits.perClientBurst, at: now };
    this.clients.delete(key); // re-insert: Map order is then least recently used first
    this.clients.set(key, b);
    if (this.clients.size > this.limits.maxClients) this.clients.delete(this.clients.keys().next().value as string);
    return this.refill(b, this.limits.perClientBurst, this.limits.perClientRefillS, now);
  }

  /** Seconds this client must wait before its next attempt; 0 when it may try now. */
  retryAfter(key: string, now = Date.now()): number {
    const c = this.client(key, now);
    const g = this.refill(this.global, this.limits.globalBurst, this.limits.globalRefillS, now);
    const wait = (b: Bucket, refillS: number) => (b.tokens >= 1 ? 0 : Math.ceil((1 - b.tokens) * refillS));
    return Math.max(wait(c, this.limits.perClientRefillS), wait(g, this.limits.globalRefillS));
  }

  failed(key: string, now = Date.now()): void {
    const c = this.client(key, now);
    c.tokens = Math.max(0, c.tokens - 1);
    const g = this.refill(this.global, this.limits.globalBurst, this.limits.globalRefillS, now);
    g.tokens = Math.max(0, g.tokens - 1);
  }

  succeeded(key: string): void {
    this.clients.delete(key);
  }
}
