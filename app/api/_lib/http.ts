/**
 * The route-handler edge. `route(options, fn)` is the one wrapper every route.ts uses: it checks
 * the admin token (before any body is read), validates the path and query parameters with the
 * route's zod schemas (the same schemas /api/openapi.json is generated from; a parameter the
 * route does not take is a 400 listing the ones it does), opens the engine, and maps any error to
 * `{ error: { code, message } }` with the status lib/errors gives its code, never a bare 500.
 */
import type { z } from 'zod';
import { getEngine, type Engine } from '@/lib/engine';
import { AppError, describeError, isAppError, toHttpStatus } from '@/lib/errors';
import { fieldsOf, parseInput } from '@/lib/views/parse';
import { assertAdminRequest } from '@/app/_lib/session';

export function json(data: unknown, init?: ResponseInit): Response {
  const headers = new Headers(init?.headers);
  headers.set('content-type', 'application/json; charset=utf-8');
  if (!headers.has('cache-control')) headers.set('cache-control', 'no-store');
  return new Response(JSON.stringify(data), { ...init, headers });
}

export function jsonError(err: unknown): Response {
  if (!isAppError(err)) console.error('clipdex: unexpected error in an API route', err);
  const status = toHttpStatus(err);
  const code = isAppError(err) ? err.code : 'INTERNAL';
  return json({ error: { code, message: describeError(err) } }, { status });
}

/** Run a handler body, turning any thrown error into the JSON error response (route() uses it). */
async function handle(fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (err) {
    return jsonError(err);
  }
}

const NO_PARAMS = {} as Record<never, never>;

export interface RouteOptions<P extends z.ZodObject | undefined, Q extends z.ZodObject | undefined, E extends boolean = true> {
  /** Needs the admin token when one is configured (checked before anything else). */
  admin?: boolean;
  /** The path parameters (`[name]` segments), already decoded once by Next: never decode again. */
  params?: P;
  /** The query string; without a schema the route takes no query parameters at all. */
  query?: Q;
  /** false: the route does not use the engine, so it answers even when the engine cannot open (no model). */
  engine?: E;
}

export interface RouteContext<P, Q, E extends boolean = true> {
  req: Request;
  /** The open engine; undefined for a route declared with `engine: false`. */
  engine: E extends false ? undefined : Engine;
  params: P;
  query: Q;
}

type Out<S> = S extends z.ZodObject ? z.output<S> : Record<never, never>;

/** What Next passes a route handler as its second argument. */
type NextContext = { params?: Promise<Record<string, string | string[] | undefined>> };

export function route<P extends z.ZodObject | undefined = undefined, Q extends z.ZodObject | undefined = undefined, E extends boolean = true>(
  opts: RouteOptions<P, Q, E>,
  fn: (c: RouteContext<Out<P>, Out<Q>, E>) => Promise<Response>,
): (req: Request, ctx: NextContext) => Promise<Response> {
  return (req, ctx) =>
    handle(async () => {
      if (opts.admin) assertAdminRequest(req);
      const rawParams = (await ctx?.params) ?? {};
      const params = opts.params ? parseInput(opts.params, rawParams, 'path parameter') : NO_PARAMS;
      const search = new URL(req.url).searchParams;
      let query: unknown = NO_PARAMS;
      if (opts.query) query = parseInput(opts.query, fieldsOf(search));
      else if ([...search.keys()].length) {
        throw new AppError('INVALID_INPUT', `this endpoint takes no query parameters; got ${[...new Set(search.keys())].map((k) => `"${k.slice(0, 40)}"`).join(', ')}`);
      }
      const engine = (opts.engine === false ? undefined : await getEngine()) as RouteContext<Out<P>, Out<Q>, E>['engine'];
      return fn({ req, engine, params: params as Out<P>, query: query as Out<Q> });
    });
}

/** Serve immutable bytes named by their sha256 (images, thumbnails) with ETag revalidation. */
export function immutableBytes(req: Request, bytes: Uint8Array, contentType: string, sha: string): Response {
  const etag = `"${sha}"`;
  const headers = new Headers({
    'content-type': contentType,
    'cache-control': 'public, max-age=31536000, immutable',
    etag,
    'x-content-type-options': 'nosniff',
  });
  // Originals are user data: never let an SVG or anything else run as a page on our origin.
  headers.set('content-security-policy', "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox");
  const inm = req.headers.get('if-none-match');
  if (inm && inm.split(',').some((t) => t.trim() === etag || t.trim() === `W/${etag}` || t.trim() === '*')) {
    return new Response(null, { status: 304, headers });
  }
  headers.set('content-length', String(bytes.byteLength));
  return new Response(req.method === 'HEAD' ? null : (bytes as BodyInit), { status: 200, headers });
}

/** Query images (search, classify) are small: 20 MiB is plenty and keeps a POST from filling the disk. */
export const MAX_QUERY_IMAGE_BYTES = 20 * 1024 * 1024;

/** The whole search/classify body: the image plus its part headers and the small text fields. */
export const MAX_QUERY_FORM_BYTES = MAX_QUERY_IMAGE_BYTES + 1024 * 1024;

function formTooLarge(what: string, limit: number): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `the request body is ${what}; the limit is ${(limit / 1048576).toFixed(0)} MiB (an image of up to ${MAX_QUERY_IMAGE_BYTES / 1048576} MiB and its fields)`);
}

/**
 * The request's multipart form, read into memory with a byte cap. `Request.formData()` buffers the
 * whole body before anything can look at it, so an anonymous multi-GB POST would sit in memory
 * (probe A9's class): a declared Content-Length over the cap is refused before a byte is read, and
 * a body without one (chunked) is counted as it streams and cut off at the cap.
 * `expected` tells the caller what to send when the body is not a form.
 */
export async function readForm(req: Request, expected: string, maxBytes = MAX_QUERY_FORM_BYTES): Promise<FormData> {
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw formTooLarge(`${(declared / 1048576).toFixed(1)} MiB`, maxBytes);
  const contentType = req.headers.get('content-type') ?? '';
  if (!req.body || !contentType.toLowerCase().startsWith('multipart/form-data')) {
    throw new AppError('INVALID_INPUT', `send multipart/form-data with ${expected}`);
  }
  let seen = 0;
  let over = false;
  const capped = req.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > maxBytes) {
          over = true;
          // Erroring the transform makes pipeThrough cancel the request body: nothing more is read.
          controller.error(formTooLarge(`over ${(maxBytes / 1048576).toFixed(0)} MiB`, maxBytes));
          return;
        }
        controller.enqueue(chunk);
      },
    }),
  );
  try {
    return await new Response(capped, { headers: { 'content-type': contentType } }).formData();
  } catch {
    if (over) throw formTooLarge(`over ${(maxBytes / 1048576).toFixed(0)} MiB`, maxBytes);
    throw new AppError('INVALID_INPUT', `send multipart/form-data with ${expected}`);
  }
}

/** The bytes of the form's `image` file, refused when absent, empty or over MAX_QUERY_IMAGE_BYTES. */
export async function readImageField(form: FormData): Promise<Buffer> {
  const file = form.get('image');
  if (!(file instanceof Blob) || file.size === 0) throw new AppError('INVALID_INPUT', 'the form has no "image" file');
  if (file.size > MAX_QUERY_IMAGE_BYTES) {
    throw new AppError('PAYLOAD_TOO_LARGE', `the image is ${(file.size / 1048576).toFixed(1)} MiB; the limit is ${MAX_QUERY_IMAGE_BYTES / 1048576} MiB`);
  }
  return Buffer.from(await file.arrayBuffer());
}
