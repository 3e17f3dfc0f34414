/**
 * app/api/[...unknown]/route.ts (review finding 2): any /api path without a route answers a JSON
 * 404 for every method instead of rendering the not-found page (which would run server actions
 * that proxy.ts, skipping /api, never checked). The handlers are called as Next calls them.
 */
import { describe, expect, it } from 'vitest';
import * as catchAll from '@/app/api/[...unknown]/route';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

describe('the /api catch-all', () => {
  it('answers every method with a JSON 404 naming the path, even a server-action POST', async () => {
    for (const method of METHODS) {
      const handler = catchAll[method];
      expect(handler, method).toBeTypeOf('function');
      const headers = method === 'POST' ? { 'next-action': '6097'.padEnd(42, '0'), 'content-type': 'text/plain;charset=UTF-8' } : undefined;
      const init = method === 'POST' ? { method, headers, body: '[null]' } : { method };
      const r = await handler(new Request('http://127.0.0.1:3000/api/nope?x=1', init));
      expect(r.status, method).toBe(404);
      expect(r.headers.get('content-type')).toContain('application/json');
      const body = (await r.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('NOT_FOUND');
      expect(body.error.message).toContain(`${method} /api/nope`);
      expect(body.error.message).toContain('/api/openapi.json');
    }
  });

  it('is not listed in the OpenAPI document (it is no API operation)', async () => {
    const { openApiDocument } = await import('@/app/api/_lib/openapi');
    const doc = openApiDocument() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).some((p) => p.includes('unknown'))).toBe(false);
  });
});
