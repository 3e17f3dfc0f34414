/**
 * Route-handler helpers: every JSON API error has the body `{ error: { code, message } }` and
 * the status lib/errors gives its code, so a bad image query is a 400 with a message, never a 500.
 */
import { AppError, describeError, isAppError, toHttpStatus } from '@/lib/errors';

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

/** Run a handler body, turning any thrown error into the JSON error response. */
export async function handle(fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (err) {
    return jsonError(err);
  }
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

/** The request's multipart form; `expected` tells the caller what to send when it is not one. */
export async function readForm(req: Request, expected: string): Promise<FormData> {
  try {
    return await req.formData();
  } catch {
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
