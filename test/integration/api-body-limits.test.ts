/**
 * Anonymous POST /api/search and POST /api/classify, called as Next calls them, must not buffer a
 * huge body (probe A9's class): a declared Content-Length over the cap is a 413 before any byte is
 * read, and a chunked body is cut off at the cap. The body is a counting stream, so the tests see
 * how much the route pulled. GET /api/openapi.json answers without an engine (no model).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as searchPost } from '../../app/api/search/route';
import { POST as classifyPost } from '../../app/api/classify/route';
import { GET as openapiGet } from '../../app/api/openapi.json/route';
import { MAX_QUERY_FORM_BYTES } from '../../app/api/_lib/http';
import { closeEngine } from '../../lib/engine';
import { resetConfig } from '../../lib/config';
import { makeTestEnv, type TestEnv } from './engine-helpers';

const BOUNDARY = 'clipdexlimit';
const CHUNK = 64 * 1024;
const ctx = { params: Promise.resolve({}) };

/** A multipart body whose "image" part is `imageBytes` long, produced on demand; `pulled` counts what was read. */
function bigForm(imageBytes: number) {
  const head = new TextEncoder().encode(
    `--${BOUNDARY}\r\ncontent-disposition: form-data; name="labels"\r\n\r\ncat,dog\r\n` +
      `--${BOUNDARY}\r\ncontent-disposition: form-data; name="image"; filename="big.png"\r\ncontent-type: image/png\r\n\r\n`,
  );
  const tail = new TextEncoder().encode(`\r\n--${BOUNDARY}--\r\n`);
  const counter = { pulled: 0, total: head.byteLength + imageBytes + tail.byteLength };
  let sent = 0;
  let headSent = false;
  let done = false;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      let chunk: Uint8Array;
      if (!headSent) {
        headSent = true;
        chunk = head;
      } else if (sent < imageBytes) {
        chunk = new Uint8Array(Math.min(CHUNK, imageBytes - sent)).fill(7);
        sent += chunk.byteLength;
      } else if (!done) {
        done = true;
        chunk = tail;
      } else {
        c.close();
        return;
      }
      counter.pulled += chunk.byteLength;
      c.enqueue(chunk);
    },
  });
  return { body, counter };
}

function post(url: string, body: ReadableStream<Uint8Array>, extra: Record<string, string> = {}): Request {
  return new Request(url, {
    method: 'POST',
    body,
    headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, ...extra },
    duplex: 'half',
  } as RequestInit);
}

let t: TestEnv;
beforeAll(async () => {
  t = makeTestEnv('api-body-limits');
  await t.open();
});
afterAll(async () => {
  await t?.cleanup();
});

describe.each([
  ['search', 'http://127.0.0.1/api/search', searchPost],
  ['classify', 'http://127.0.0.1/api/classify', classifyPost],
] as const)('POST /api/%s body cap', (_name, url, handler) => {
  const IMAGE = 64 * 1024 * 1024; // well over the cap: before the fix the whole of it was read

  it('refuses a declared Content-Length over the cap with 413 before reading the body', async () => {
    const { body, counter } = bigForm(IMAGE);
    const res = await handler(post(url, body, { 'content-length': String(counter.total) }), ctx);
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(counter.pulled).toBeLessThan(CHUNK * 2);
  });

  it('cuts a chunked body (no Content-Length) off at the cap with 413', async () => {
    const { body, counter } = bigForm(IMAGE);
    const res = await handler(post(url, body), ctx);
    expect(res.status).toBe(413);
    const err = (await res.json()).error;
    expect(err.code).toBe('PAYLOAD_TOO_LARGE');
    expect(err.message).toMatch(/limit is \d+ MiB/);
    expect(counter.pulled).toBeGreaterThan(MAX_QUERY_FORM_BYTES);
    expect(counter.pulled).toBeLessThan(MAX_QUERY_FORM_BYTES + 1024 * 1024);
  });

  it('still reads a small form: a non-image upload is a 400, not a 413', async () => {
    const { body } = bigForm(1024);
    const res = await handler(post(url, body), ctx);
    expect(res.status).toBe(400);
  });
});

describe('GET /api/openapi.json without an engine', () => {
  it('serves the document while the model is missing', async () => {
    await closeEngine();
    process.env.CLIPDEX_MODEL_DIR = path.join(t.dataDir, 'no-such-model');
    resetConfig();
    const res = await openapiGet(new Request('http://127.0.0.1/api/openapi.json'), ctx);
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toContain('/api/search');
  });
});
