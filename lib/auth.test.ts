import { describe, expect, it } from 'vitest';
import { adminCookieValue, bearerToken, checkAdminToken, isAdmin, requireAdmin, safeNextPath, SignInLimiter } from './auth';

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

describe('safeNextPath (A11: no open redirect after sign-in)', () => {
  it('keeps same-site paths with their query and hash', () => {
    expect(safeNextPath('/admin')).toBe('/admin');
    expect(safeNextPath('/datasets/new')).toBe('/datasets/new');
    expect(safeNextPath('/?q=dog&mode=t2i#top')).toBe('/?q=dog&mode=t2i#top');
    expect(safeNextPath('/search/%2F%2Fevil')).toBe('/search/%2F%2Fevil');
  });

  it.each([
    ['/\\evil.example'],
    ['/\\/evil.example'],
    ['\\\\evil.example'],
    ['//evil.example'],
    ['///evil.example'],
    ['/\t/evil.example'],
    ['/\n/evil.example'],
    ['/\r/evil.example'],
    ['/x\u0000y'],
    ['/x\u007fy'],
    ['javascript:alert(1)'],
    ['JavaScript:alert(1)'],
    ['http://evil.example/'],
    ['https://evil.example/admin'],
    ['evil.example'],
    [' /admin'],
    [''],
  ])('refuses %j and falls back to /', (next) => {
    expect(safeNextPath(next)).toBe('/');
  });

  it('refuses non-strings and very long values, with the given fallback', () => {
    expect(safeNextPath(undefined, '/admin')).toBe('/admin');
    expect(safeNextPath(['/admin'])).toBe('/');
    expect(safeNextPath(`/${'a'.repeat(3000)}`)).toBe('/');
  });
});

describe('SignInLimiter (A10: sign-in attempts are rate limited)', () => {
  const limits = { perClientBurst: 3, perClientRefillS: 10, globalBurst: 5, globalRefillS: 2, maxClients: 2 };

  it('lets a client fail a few times, then makes it wait, and refills with time', () => {
    const t0 = 1_000_000;
    const l = new SignInLimiter(limits, t0);
    for (let i = 0; i < 3; i++) {
      expect(l.retryAfter('1.2.3.4', t0)).toBe(0);
      l.failed('1.2.3.4', t0);
    }
    expect(l.retryAfter('1.2.3.4', t0)).toBe(10);
    expect(l.retryAfter('1.2.3.4', t0 + 5_000)).toBe(5);
    expect(l.retryAfter('1.2.3.4', t0 + 10_000)).toBe(0);
    // Another client is not held up by the first one's failures.
    expect(l.retryAfter('5.6.7.8', t0)).toBe(0);
  });

  it('a correct token clears the client', () => {
    const l = new SignInLimiter(limits, 0);
    for (let i = 0; i < 3; i++) l.failed('a', 0);
    expect(l.retryAfter('a', 0)).toBeGreaterThan(0);
    l.succeeded('a');
    expect(l.retryAfter('a', 0)).toBe(0);
  });

  it('limits all clients together, so forged client keys do not get unlimited guesses', () => {
    const l = new SignInLimiter(limits, 0);
    for (let i = 0; i < 5; i++) l.failed(`forged-${i}`, 0);
    expect(l.retryAfter('forged-new', 0)).toBe(2);
    expect(l.retryAfter('forged-new', 2_000)).toBe(0);
  });

  it('remembers a bounded number of clients', () => {
    const l = new SignInLimiter({ ...limits, globalBurst: 1000 }, 0);
    for (let i = 0; i < 3; i++) l.failed('old', 0);
    l.failed('b', 0);
    l.failed('c', 0); // 'old' is now the least recently seen of three: forgotten
    expect(l.retryAfter('old', 0)).toBe(0);
  });
});
