/**
 * The JSON API contract against a real server (the token-protected one, so the admin examples run
 * as documented): every `curl` example in README.md's "JSON API" section, read from the README at
 * run time so a README change is checked too; dataset names decoded exactly once (hostile probe
 * P4); the OpenAPI document generated from the routes' schemas; unknown parameters refused.
 * Leaves the server as it found it (every dataset it made is deleted).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type APIRequestContext, type APIResponse } from '@playwright/test';
import { AUTH_PORT, AUTH_TOKEN } from '../playwright.config';
import { demoLines, pairsFile, tmpFile } from './demo-data';

test.use({ baseURL: `http://127.0.0.1:${AUTH_PORT}` });
test.describe.configure({ mode: 'serial' });

const bearer = { authorization: `Bearer ${AUTH_TOKEN}` };

interface Example {
  line: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  form?: Record<string, string | { file: string }>;
  body?: string;
  /** `-T FILE`: the file is the raw body. */
  upload?: string;
  status: number;
  /** For a documented 4xx: text the error message must contain. */
  message?: string;
}

/** Shell words of one command line (quotes, no escapes beyond what the README uses); stops at an unquoted `#`. */
function shellWords(line: string): { words: string[]; comment: string } {
  const words: string[] = [];
  let cur: string | null = null;
  let i = 0;
  for (; i < line.length; i++) {
    const c = line[i];
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      if (end < 0) throw new Error(`unbalanced quote in README example: ${line}`);
      cur = (cur ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (/\s/.test(c)) {
      if (cur !== null) words.push(cur);
      cur = null;
    } else if (c === '#' && cur === null) break;
    else cur = (cur ?? '') + c;
  }
  if (cur !== null) words.push(cur);
  return { words, comment: line.slice(i + 1).trim() };
}

/** The curl examples of README.md's JSON API section, as requests (variables still unexpanded). */
function readmeExamples(): Example[] {
  const readme = fs.readFileSync(path.resolve('README.md'), 'utf8');
  const section = readme.split(/^## JSON API$/m)[1]?.split(/^## /m)[0];
  if (!section) throw new Error('README.md has no "## JSON API" section');
  const lines = [...section.matchAll(/```bash\n([\s\S]*?)```/g)].flatMap((m) => m[1].split('\n')).filter((l) => l.startsWith('curl '));
  return lines.map((line) => {
    const { words, comment } = shellWords(line);
    const ex: Example = { line, method: 'GET', url: '', headers: {}, status: 200 };
    for (let i = 1; i < words.length; i++) {
      const w = words[i];
      if (w === '-X') ex.method = words[++i];
      else if (w === '-H') {
        const [k, ...v] = words[++i].split(':');
        ex.headers[k.trim().toLowerCase()] = v.join(':').trim();
      } else if (w === '-F') {
        const [k, ...v] = words[++i].split('=');
        const value = v.join('=');
        ex.form = { ...ex.form, [k]: value.startsWith('@') ? { file: value.slice(1) } : value };
        ex.method = 'POST';
      } else if (w === '-d') {
        ex.body = words[++i];
        if (ex.method === 'GET') ex.method = 'POST';
      } else if (w === '-T') {
        ex.upload = words[++i];
        if (ex.method === 'GET') ex.method = 'PUT';
      } else if (w === '-o') i++;
      else if (w === '-N') continue;
      else if (w.startsWith('-')) throw new Error(`README example uses a curl flag this test does not know (${w}): ${line}`);
      else ex.url = w;
    }
    const m = /^→ (\d{3})(?::\s*(.*))?/.exec(comment);
    if (m) {
      ex.status = Number(m[1]);
      if (ex.status >= 400 && m[2]) ex.message = m[2].split('…')[0].trim();
    }
    return ex;
  });
}

async function waitForJob(request: APIRequestContext, id: string): Promise<{ status: string; message: string | null }> {
  for (let i = 0; i < 600; i++) {
    const r = await request.get(`/api/jobs/${id}`);
    expect(r.status()).toBe(200);
    const { job } = await r.json();
    if (!['queued', 'running', 'cancelling'].includes(job.status)) return job;
    await new Promise((res) => setTimeout(res, 250));
  }
  throw new Error(`job ${id} did not finish`);
}

async function ingest(request: APIRequestContext, dataset: string, file: string): Promise<void> {
  const r = await request.post('/api/datasets', {
    headers: bearer,
    multipart: { dataset, file: { name: path.basename(file), mimeType: 'text/tab-separated-values', buffer: fs.readFileSync(file) } },
  });
  expect(r.status(), await r.text()).toBe(202);
  const job = await waitForJob(request, (await r.json()).job.id);
  expect(job.status, job.message ?? '').toBe('done');
}

const datasetNames = async (request: APIRequestContext): Promise<string[]> =>
  ((await (await request.get('/api/datasets')).json()).datasets as { name: string }[]).map((d) => d.name);

test('dataset names in the URL are decoded exactly once (P4): %2576ictim deletes "%76ictim", never "victim"', async ({ request }) => {
  const small = pairsFile('api-two.tsv', 1, 2);
  for (const name of ['victim', '%76ictim', '100% cotton']) await ingest(request, name, small);

  const denied = await request.delete('/api/datasets/%2576ictim');
  expect(denied.status()).toBe(401);

  const r = await request.delete('/api/datasets/%2576ictim', { headers: bearer });
  expect(r.status(), await r.text()).toBe(200);
  expect((await r.json()).deleted.name).toBe('%76ictim');
  const names = await datasetNames(request);
  expect(names).toContain('victim');
  expect(names).not.toContain('%76ictim');

  const slash = await request.delete('/api/datasets/victim%2F..', { headers: bearer });
  expect(slash.status()).toBe(400);
  expect((await slash.json()).error.message).toMatch(/contains a slash/);
  const ctl = await request.delete('/api/datasets/a%1Bb', { headers: bearer });
  expect(ctl.status()).toBe(400);
  expect((await ctl.json()).error.message).toMatch(/ESC at position 2/);
  expect((await request.delete('/api/datasets/nope', { headers: bearer })).status()).toBe(404);

  // The upload route applies the same rule.
  const bad = await request.post('/api/datasets', { headers: bearer, multipart: { dataset: '../../etc', file: { name: 'a.tsv', mimeType: 'text/plain', buffer: fs.readFileSync(small) } } });
  expect(bad.status()).toBe(400);
  expect((await bad.json()).error.message).toMatch(/contains a slash/);
  expect(await datasetNames(request)).not.toContain('../../etc');
});

test('every API example in the README works against the server as documented', async ({ request }) => {
  test.setTimeout(600_000);
  const examples = readmeExamples();
  expect(examples.length).toBeGreaterThanOrEqual(20);
  const queryPng = tmpFile('query.png', demoLines().find((d) => d.text === 'hot springs')?.image ?? demoLines()[0].image);
  const files: Record<string, string> = { 'query.png': queryPng };
  const vars: Record<string, string> = { B: `http://127.0.0.1:${AUTH_PORT}`, TOKEN: AUTH_TOKEN };
  const expand = (s: string) =>
    s.replace(/\$(\w+)|\$\{(\w+)\}/g, (_, a: string, b: string) => {
      const v = vars[a ?? b];
      if (v === undefined) throw new Error(`README example needs $${a ?? b} before anything set it`);
      return v;
    });

  for (const ex of examples) {
    const url = expand(ex.url);
    const headers = Object.fromEntries(Object.entries(ex.headers).map(([k, v]) => [k, expand(v)]));
    let res: APIResponse;
    if (ex.form) {
      const multipart: Record<string, string | { name: string; mimeType: string; buffer: Buffer }> = {};
      for (const [k, v] of Object.entries(ex.form)) {
        if (typeof v === 'string') multipart[k] = expand(v);
        else {
          const p = files[v.file] ?? path.resolve(v.file);
          multipart[k] = { name: path.basename(v.file), mimeType: 'application/octet-stream', buffer: fs.readFileSync(p) };
        }
      }
      res = await request.fetch(url, { method: ex.method, headers, multipart });
    } else if (ex.upload) {
      res = await request.fetch(url, { method: ex.method, headers: { 'content-type': 'application/octet-stream', ...headers }, data: fs.readFileSync(path.resolve(ex.upload)) });
    } else res = await request.fetch(url, { method: ex.method, headers, data: ex.body });

    const ctype = res.headers()['content-type'] ?? '';
    const body = ctype.includes('json') ? await res.json() : await res.body();
    expect(res.status(), `${ex.line}\n→ ${ctype.includes('json') ? JSON.stringify(body).slice(0, 400) : ctype}`).toBe(ex.status);
    if (ex.message) expect(body.error.message, ex.line).toContain(ex.message);

    // What later examples name: a job (finished before going on), a hit, an uploaded query image.
    if (body?.upload?.id) vars.UPLOAD = body.upload.id;
    if (body?.job?.id && res.status() === 202) {
      vars.JOB = body.job.id;
      const job = await waitForJob(request, body.job.id);
      expect(job.status, `${ex.line}: ${job.message}`).toBe('done');
    }
    if (Array.isArray(body?.hits)) {
      expect(body.hits.length, ex.line).toBeGreaterThan(0);
      const img = body.hits.find((h: { kind: string }) => h.kind === 'image');
      if (img && !vars.IMAGE_ID) {
        vars.IMAGE_ID = String(img.imageId);
        vars.SHA = String(img.imageUrl).split('/').pop()!;
      }
      if (body.query?.qimg) vars.QIMG = body.query.qimg;
    }
  }
  // The server is left as it was: the README's upload goes again.
  for (const name of await datasetNames(request)) {
    expect((await request.delete(`/api/datasets/${encodeURIComponent(name)}`, { headers: bearer })).status()).toBe(200);
  }
});

test('the OpenAPI document comes from the routes\' schemas and covers every route in the README', async ({ request }) => {
  const r = await request.get('/api/openapi.json');
  expect(r.status()).toBe(200);
  const doc = await r.json();
  expect(doc.openapi).toBe('3.1.0');
  const params = doc.paths['/api/search'].get.parameters as { name: string; schema: { enum?: string[]; maximum?: number } }[];
  expect(params.map((p) => p.name)).toEqual(['q', 'like', 'qimg', 'mode', 'collapse', 'k', 'offset', 'min', 'dataset']);
  // issue 11: mode is what comes back and/or how images are ranked, comma-separated
  expect((params.find((p) => p.name === 'mode')?.schema as { pattern?: string }).pattern).toMatch(/image\|text\|hybrid\|semantic\|keyword/);
  expect(params.find((p) => p.name === 'k')?.schema.maximum).toBe(200);
  // Every documented path has a README example, and every README example a documented path.
  const templates = Object.keys(doc.paths).map((p) => new RegExp(`^${p.replace(/\{\w+\}/g, '[^/?]+')}(\\?|$)`));
  const exampled = readmeExamples().map((e) => e.url.replace(/^\$B/, ''));
  for (const url of exampled) expect(templates.some((t) => t.test(url)), url).toBe(true);
  for (const [i, t] of templates.entries()) {
    expect(exampled.some((u) => t.test(u)), Object.keys(doc.paths)[i]).toBe(true);
  }
});

test('routes refuse parameters they do not take, on every route, with the allowed ones listed', async ({ request }) => {
  const none = await request.get('/api/datasets?foo=1');
  expect(none.status()).toBe(400);
  expect((await none.json()).error.message).toBe('this endpoint takes no query parameters; got "foo"');
  const twice = await request.get('/api/search?q=a&q=b');
  expect(twice.status()).toBe(400);
  expect((await twice.json()).error.message).toBe('q is given more than once; give it once');
  const mode = await request.post('/api/search', { multipart: { image: { name: 'x.png', mimeType: 'image/png', buffer: demoLines()[0].image }, mode: 'i2t' } });
  expect(mode.status()).toBe(400);
  expect((await mode.json()).error.message).toMatch(/^mode must be one of "image", "text" \(what comes back\).*; got "i2t"$/);
  const job = await request.get('/api/jobs/..%2F..%2Fetc');
  expect(job.status()).toBe(400);
  expect((await job.json()).error.message).toMatch(/a job id is/);
});
