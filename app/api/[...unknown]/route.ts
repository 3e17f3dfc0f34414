import { AppError } from '@/lib/errors';
import { jsonError } from '@/app/api/_lib/http';

export const dynamic = 'force-dynamic';

/**
 * Every /api path no real route claims (real routes take precedence over this catch-all) answers a
 * JSON 404 for every method. Without it such a path rendered the app's not-found page, and Next runs
 * a server action (the layout's sign-in) on any page it renders, while proxy.ts skips /api: a POST
 * with a Next-Action header to /api/nope ran the action unchecked (review finding 2).
 * Not written with route(): its query check would make `/api/nope?x=1` a 400 instead of a 404.
 * Not an API operation, so it is not in /api/openapi.json.
 */
function notFound(req: Request): Response {
  const { pathname } = new URL(req.url);
  const shown = pathname.length > 200 ? `${pathname.slice(0, 200)}…` : pathname;
  return jsonError(new AppError('NOT_FOUND', `there is no API endpoint at ${req.method} ${shown}; GET /api/openapi.json lists the endpoints`));
}

export const GET = notFound;
export const HEAD = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
export const OPTIONS = notFound;
