/**
 * Access with CLIPDEX_ADMIN_TOKEN set (a second server, see playwright.config.ts): searching stays
 * open; upload, delete and re-index need the sign-in cookie or a bearer token, checked before any
 * body is read (A9); sign-in follows only same-site paths (A11) and is throttled (A10); anonymous
 * users see no server paths (A12).
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Readable } from 'node:stream';
import { expect, test } from '@playwright/test';
import { AUTH_PORT, AUTH_TOKEN, E2E_DATA_DIR } from '../playwright.config';
import { pairsFile } from './demo-data';

const base = `http://127.0.0.1:${AUTH_PORT}`;
test.use({ baseURL: base });

test('search stays open; changes need the token; the sign-in form sets an httpOnly cookie', async ({ page, request, context }) => {
  expect((await request.get('/api/search?q=cat')).status()).toBe(200);

  const denied = await request.post('/api/reindex');
  expect(denied.status()).toBe(401);
  expect((await denied.json()).error.code).toBe('UNAUTHORIZED');
  const wrong = await request.post('/api/reindex', { headers: { authorization: 'Bearer not-the-token' } });
  expect(wrong.status()).toBe(401);
  const allowed = await request.post('/api/reindex', { headers: { authorization: `Bearer ${AUTH_TOKEN}` } });
  expect(allowed.status()).toBe(202);

  await page.goto('/datasets/new');
  await expect(page.getByText('Uploading needs the admin token')).toBeVisible();
  await expect(page.getByLabel('Corpus file')).toHaveCount(0);

  await page.getByRole('main').getByRole('link', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/signin\?next=/);
  await page.getByLabel('Admin token').fill('wrong-token-value');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('main').getByRole('alert')).toContainText('That token is not right');
  await page.screenshot({ path: 'e2e/artifacts/screens/signin.png', fullPage: true });

  await page.getByLabel('Admin token').fill(AUTH_TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/datasets\/new$/);
  await expect(page.getByLabel('Corpus file')).toBeVisible();
  await expect(page.getByText('Signed in as admin')).toBeVisible();
  const cookie = (await context.cookies()).find((c) => c.name === 'clipdex_admin');
  expect(cookie?.httpOnly).toBe(true);
  expect(cookie?.value).not.toContain(AUTH_TOKEN);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('banner').getByRole('link', { name: 'Sign in' })).toBeVisible();
  expect((await context.cookies()).find((c) => c.name === 'clipdex_admin')).toBeUndefined();
  await page.goto('/admin');
  await expect(page.getByRole('button', { name: 'Re-index' })).toHaveCount(0);
});

/** The pid of the process listening on `port` (the e2e server), from /proc, or undefined. */
function pidListeningOn(port: number): number | undefined {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[1]?.endsWith(`:${hex}`) && cols[3] === '0A') inodes.add(cols[9]);
    }
  }
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
        const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m && inodes.has(m[1])) return Number(pid);
      }
    } catch {
      /* not ours or gone */
    }
  }
  return undefined;
}

const rssOf = (pid: number) => Number(/^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

/** The upload page's server-action id, from the build's manifest (a made-up one if it cannot be found). */
function uploadActionId(): string {
  try {
    const man = JSON.parse(fs.readFileSync('.next/server/server-reference-manifest.json', 'utf8')) as { node: Record<string, { workers: Record<string, unknown>; exportedName?: string }> };
    const hit = Object.entries(man.node).find(([, v]) => v.exportedName === 'uploadDatasetAction' || (Object.keys(v.workers).some((w) => w.includes('datasets/new')) && !Object.keys(v.workers).some((w) => w.includes('admin'))));
    if (hit) return hit[0];
  } catch {
    /* no manifest */
  }
  return '60'.padEnd(42, '0');
}

/** A multipart server-action body like the probe's (A9): `_1_dataset`, a `_1_file` of `size` bytes made on the fly. */
function postAction(path: string, actionId: string, size: number): Promise<{ status: number; seconds: number }> {
  const boundary = 'clipdexA9';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="_1_dataset"\r\n\r\na9-attack\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="_1_file"; filename="big.tsv"\r\nContent-Type: text/plain\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="0"\r\n\r\n[null,"$K1"]\r\n--${boundary}--\r\n`);
  const chunk = Buffer.alloc(1024 * 1024, 0x61);
  let left = size;
  let stage = 0;
  const body = new Readable({
    read() {
      if (stage === 0) {
        stage = 1;
        this.push(head);
      } else if (left > 0) {
        const n = Math.min(left, chunk.length);
        left -= n;
        this.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      } else if (stage === 1) {
        stage = 2;
        this.push(tail);
      } else this.push(null);
    },
  });
  const length = head.length + size + tail.length;
  const t = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: AUTH_PORT,
        path,
        method: 'POST',
        headers: { 'next-action': actionId, origin: base, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(length) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, seconds: (performance.now() - t) / 1000 }));
      },
    );
    req.on('error', reject);
    body.pipe(req);
  });
}

test('A9: an unauthenticated 256 MB server-action POST is refused with 401, fast, without buffering it, and does nothing', async ({ request }) => {
  const pid = pidListeningOn(AUTH_PORT);
  expect(pid, 'the e2e server process (found through /proc)').toBeDefined();
  const before = rssOf(pid!);
  const r = await postAction('/datasets/new', uploadActionId(), 256 * 1024 * 1024);
  expect(r.status).toBe(401);
  // Reading and dropping 256 MB on the loopback takes about a second; parsing it took far longer.
  expect(r.seconds).toBeLessThan(20);
  // Before the fix, Next parsed the multipart body first: RSS grew by more than the body (probe: 300 MB → +600 MB).
  expect(rssOf(pid!) - before).toBeLessThan(100 * 1024 * 1024);
  // The sign-in page's exemption is for small bodies only.
  expect((await postAction('/signin', uploadActionId(), 1024 * 1024)).status).toBe(401);
  // The action did nothing: no dataset, and nothing staged or uploaded.
  const list = await request.get('/api/datasets', { headers: { authorization: `Bearer ${AUTH_TOKEN}` } });
  expect(((await list.json()) as { datasets: { name: string }[] }).datasets.map((d) => d.name)).not.toContain('a9-attack');
  for (const dir of ['uploads', 'staged-uploads']) {
    const p = path.join(`${E2E_DATA_DIR}-auth`, dir);
    expect(fs.existsSync(p) ? fs.readdirSync(p).filter((n) => n !== 'queries') : []).toEqual([]);
  }
});

/** A raw PUT with no Content-Length (chunked), so only counting while streaming can stop it. */
function putChunked(path: string, size: number, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const chunk = Buffer.alloc(1024 * 1024, 0x62);
  let left = size;
  const body = new Readable({
    read() {
      const n = Math.min(left, chunk.length);
      left -= n;
      this.push(n > 0 ? chunk.subarray(0, n) : null);
    },
  });
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: AUTH_PORT, path, method: 'PUT', headers: { ...headers, 'transfer-encoding': 'chunked' } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    body.pipe(req);
  });
}

test('uploads: /api/uploads and POST /api/datasets need the token before reading the body; the multipart API streams', async ({ request }) => {
  const staged = await request.put('/api/uploads?name=x.tsv', { data: Buffer.from('a\tb\n') });
  expect(staged.status()).toBe(401);
  // Over the limit (64 MiB here): refused from Content-Length, or while streaming; nothing kept.
  const bearer = { authorization: `Bearer ${AUTH_TOKEN}` };
  const declared = await request.put('/api/uploads?name=big.tsv', { data: Buffer.alloc(65 * 1024 * 1024), headers: bearer });
  expect(declared.status()).toBe(413);
  expect(((await declared.json()) as { error: { message: string } }).error.message).toContain('the file “big.tsv” is 65 MiB; the limit is 64 MiB (CLIPDEX_MAX_UPLOAD_BYTES)');
  const counted = await putChunked('/api/uploads?name=chunked.tsv&label=corpus%20file', 80 * 1024 * 1024, bearer);
  expect(counted.status).toBe(413);
  expect(counted.body).toContain('the corpus file “chunked.tsv” is more than 64 MiB; the limit is 64 MiB');
  const stagedDir = path.join(`${E2E_DATA_DIR}-auth`, 'staged-uploads');
  expect(fs.existsSync(stagedDir) ? fs.readdirSync(stagedDir) : []).toEqual([]);
  const file = pairsFile('auth-api.tsv', 1, 4);
  const form = { dataset: 'api-upload', file: { name: 'auth-api.tsv', mimeType: 'text/tab-separated-values', buffer: fs.readFileSync(file) } };
  expect((await request.post('/api/datasets', { multipart: form })).status()).toBe(401);
  const ok = await request.post('/api/datasets', { multipart: form, headers: { authorization: `Bearer ${AUTH_TOKEN}` } });
  expect(ok.status()).toBe(202);
  const { job } = (await ok.json()) as { job: { id: string } };
  await expect.poll(async () => ((await (await request.get(`/api/jobs/${job.id}`)).json()) as { job: { status: string } }).job.status, { timeout: 60_000 }).toBe('done');
  // A12: the dataset's source is a server path; only an admin sees it whole.
  type Listed = { datasets: { name: string; source: string | null }[] };
  const anon = ((await (await request.get('/api/datasets')).json()) as Listed).datasets.find((d) => d.name === 'api-upload');
  const admin = ((await (await request.get('/api/datasets', { headers: { authorization: `Bearer ${AUTH_TOKEN}` } })).json()) as Listed).datasets.find((d) => d.name === 'api-upload');
  expect(admin?.source).toMatch(/^\/.*auth-api\.tsv$/);
  expect(anon?.source).toBe(path.basename(admin!.source!));
});

test('A12: the admin page shows anonymous users the model folder by name, not its server path', async ({ page }) => {
  await page.goto('/admin');
  const folder = page.getByTestId('model-folder');
  await expect(folder).toHaveText(/\S/);
  expect(await folder.textContent()).not.toContain('/');
});

test('A11: after sign-in only same-site paths are followed', async ({ browser }) => {
  for (const next of ['/%5Cevil.example', '/%09/evil.example', '//evil.example', 'javascript:alert(1)', 'http://evil.example/']) {
    const context = await browser.newContext({ baseURL: base });
    const page = await context.newPage();
    await page.route((url) => url.hostname === 'evil.example', (route) => route.fulfill({ body: 'evil' }));
    await page.goto(`/signin?next=${next}`);
    await page.getByLabel('Admin token').fill(AUTH_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByText('Signed in as admin')).toBeVisible();
    expect(page.url(), `next=${next}`).toBe(`${base}/`);
    await context.close();
  }
});

// Last in this file: it leaves this client throttled for a while.
test('A10: wrong tokens are throttled after a few attempts', async ({ page }) => {
  await page.goto('/signin');
  const alert = page.getByRole('main').getByRole('alert');
  let wrong = 0;
  for (let i = 0; i < 10; i++) {
    await page.getByLabel('Admin token').fill(`wrong-token-${i}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeEnabled();
    const text = (await alert.textContent()) ?? '';
    if (text.includes('Too many wrong tokens')) break;
    expect(text).toContain('That token is not right');
    wrong += 1;
  }
  expect(wrong).toBeGreaterThanOrEqual(5);
  expect(wrong).toBeLessThanOrEqual(6);
  await expect(alert).toContainText(/Wait \d+ s/);
  // Throttled means refused unchecked, even with the right token.
  await page.getByLabel('Admin token').fill(AUTH_TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(alert).toContainText('Too many wrong tokens');
});
