import { describe, expect, it } from 'vitest';
import { adminCookieValue, bearerToken, checkAdminToken, isAdmin, requireAdmin } from './auth';

const TOKEN = 's3cret-token-123';

describe('admin access', () => {
  it('allows everything when no token is configured', () => {
    expect(isAdmin(undefined, {})).toBe(true);
    expect(checkAdminToken(undefined, '')).toBe(true);
  });

  it('accepts the bearer token and the sign-in cookie, nothing else', () => {
    expect(isAdmin(TOKEN, { authorization: `Bearer ${TOKEN}` })).toBe(true);
    expect(isAdmin(TOKEN, { authorization: `bearer  ${TOKEN} ` })).toBe(true);
    expect(isAdmin(TOKEN, { cookie: adminCookieValue(TOKEN) })).toBe(true);
    expect(isAdmin(TOKEN, {})).toBe(false);
    expect(isAdmin(TOKEN, { authorization: `Bearer ${TOKEN}x` })).toBe(false);
    expect(isAdmin(TOKEN, { authorization: TOKEN })).toBe(false);
    // The cookie holds a hash: the raw token in the cookie is refused.
    expect(isAdmin(TOKEN, { cookie: TOKEN })).toBe(false);
    expect(isAdmin(TOKEN, { cookie: adminCookieValue('other-token-456') })).toBe(false);
  });

  it('checks the sign-in form token', () => {
    expect(checkAdminToken(TOKEN, TOKEN)).toBe(true);
    expect(checkAdminToken(TOKEN, TOKEN.slice(1))).toBe(false);
    expect(checkAdminToken(TOKEN, '')).toBe(false);
    expect(checkAdminToken(TOKEN, null)).toBe(false);
  });

  it('parses bearer headers', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken(null)).toBeUndefined();
  });

  it('requireAdmin throws UNAUTHORIZED (401)', () => {
    try {
      requireAdmin(TOKEN, {});
      expect.unreachable();
    } catch (err) {
      expect((err as { code: string; status: number }).code).toBe('UNAUTHORIZED');
      expect((err as { status: number }).status).toBe(401);
    }
  });
});
