/**
 * Runs before any page route (and so before any server action) reads a request body: a request
 * that could change data (any method but GET, HEAD, OPTIONS) needs the admin session (sign-in
 * cookie or bearer token) when CLIPDEX_ADMIN_TOKEN is set, and is answered 401 otherwise, before
 * Next parses the body of a server action (A9). The one exception is the sign-in form itself,
 * whose body must be small. With no token configured, nothing changes.
 *
 * /api/* is left out on purpose: each route handler checks the token itself before reading the
 * body, and a proxy in front of it would make Next copy the body (up to proxyClientMaxBodySize)
 * and cut off larger uploads. Server actions still check the session themselves
 * (app/_lib/result.ts), so a matcher change can never open them.
 */
import { NextResponse, type NextRequest } from 'next/server';
import { ADMIN_NEEDED_MESSAGE, credentialsFromHeaders, isAdmin, isAdminRequired } from '@/lib/auth';
import { getConfig } from '@/lib/config';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** The sign-in form sends a token and a path: a few hundred bytes. */
const SIGN_IN_MAX_BODY_BYTES = 16 * 1024;

function refuse(status: number, message: string): NextResponse {
  return NextResponse.json({ error: { code: status === 401 ? 'UNAUTHORIZED' : 'INVALID_INPUT', message } }, { status, headers: { 'cache-control': 'no-store' } });
}

export function proxy(req: NextRequest): NextResponse {
  if (SAFE_METHODS.has(req.method)) return NextResponse.next();
  let token: string | undefined;
  try {
    token = getConfig().adminToken;
  } catch (err) {
    // A bad configuration (say a token that is too short) must not open the server: refuse changes.
    return NextResponse.json({ error: { code: 'INTERNAL', message: (err as Error).message } }, { status: 503 });
  }
  if (!isAdminRequired(token) || isAdmin(token, credentialsFromHeaders(req.headers))) return NextResponse.next();

  if (req.nextUrl.pathname.replace(/\/+$/, '') === '/signin') {
    const length = req.headers.get('content-length');
    if (length === null || !/^\d+$/.test(length)) return refuse(411, 'signing in needs a request with a Content-Length');
    if (Number(length) <= SIGN_IN_MAX_BODY_BYTES) return NextResponse.next();
    return refuse(401, `a sign-in request is a few hundred bytes; this one is ${length}`);
  }
  return refuse(401, ADMIN_NEEDED_MESSAGE);
}

export const config = {
  // Pages and their server actions; not /api (see above; app/api/[...unknown] answers a JSON 404
  // for any /api path without a route, so no /api path renders a page that could run an action),
  // not static files. The file names are anchored: `/favicon.ico/x` or `/icon.svgX` renders the
  // not-found page, which runs server actions, so it must go through the proxy.
  matcher: ['/((?!api/|_next/static/|_next/image$|favicon\\.ico$|icon\\.svg$|apple-icon\\.png$|logo\\.svg$).*)'],
};
