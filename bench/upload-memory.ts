/**
 * Upload memory bench: a generated upload of --gb GiB (default 2), made on the fly (never a file
 * on disk), streamed through `PUT /api/uploads` of `next start` with the admin token, while the
 * server's resident memory is sampled from /proc/<pid>/status (VmRSS every 50 ms, plus VmHWM, the
 * kernel's own peak, reset through /proc/<pid>/clear_refs just before the upload). Then the A9
 * attack: 3 unauthenticated 300 MB server-action POSTs at once, which must get a 401 without the
 * server buffering them. Target (issue 10): growth < 100 MB for the 2 GB upload.
 *
 *   npm run bench:upload-memory            (= npx tsx bench/upload-memory.ts --gb 2)
 *   npx tsx bench/upload-memory.ts [--gb 2] [--port 3998] [--app DIR]
 *
 * The app is the production build in --app (default: this repository; built by
 * scripts/ensure-build.mjs when stale). The data dir is a fresh temporary folder, removed at the end.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { Readable } from 'node:stream';
import { printFooter, printHeader, ROOT } from './shared/machine';
import { numListArg, parseArgs } from './shared/stats';

const args = parseArgs(process.argv.slice(2));
const gib = numListArg(args, 'gb', '2')[0];
const port = numListArg(args, 'port', '3998')[0];
const appDir = args.get('app') ? path.resolve(args.get('app')!) : ROOT;
const total = Math.round(gib * 2 ** 30);
const MiB = 2 ** 20;
const fmtMiB = (b: number) => `${(b / MiB).toFixed(1)} MiB`;

printHeader(`Upload memory: ${gib} GiB streamed through PUT /api/uploads of next start`, ['next', 'busboy']);

if (appDir === ROOT) {
  const script = path.join(ROOT, 'scripts', 'ensure-build.mjs'); // a plain .mjs: no types to import
  const { ensureBuild } = (await import(script)) as { ensureBuild: () => void };
  ensureBuild();
}
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-upload-bench-'));
const token = randomBytes(16).toString('hex');
const env: NodeJS.ProcessEnv = {
  ...process.env,
  CLIPDEX_DATA_DIR: dataDir,
  CLIPDEX_ADMIN_TOKEN: token,
  CLIPDEX_MAX_UPLOAD_BYTES: String(total + MiB),
  NEXT_TELEMETRY_DISABLED: '1',
};
delete env.DATABASE_URL;
delete (env as Record<string, string | undefined>).NODE_ENV;

const server: ChildProcess = spawn(process.execPath, [path.join(appDir, 'node_modules', 'next', 'dist', 'bin', 'next'), 'start', '-H', '127.0.0.1', '-p', String(port)], {
  cwd: appDir,
  env,
  stdio: ['ignore', 'ignore', 'inherit'],
});
const cleanup = () => {
  server.kill('SIGTERM');
  fs.rmSync(dataDir, { recursive: true, force: true });
};
process.on('exit', cleanup);
const pid = server.pid!;

/** The server's processes: `next start` itself and any children it forked. */
function tree(root: number): number[] {
  const out = [root];
  for (let i = 0; i < out.length; i++) {
    try {
      for (const t of fs.readdirSync(`/proc/${out[i]}/task`)) {
        const kids = fs.readFileSync(`/proc/${out[i]}/task/${t}/children`, 'utf8').trim();
        if (kids) out.push(...kids.split(/\s+/).map(Number));
      }
    } catch {
      /* gone */
    }
  }
  return out;
}
function status(p: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
const rss = () => tree(pid).reduce((n, p) => n + status(p, 'VmRSS'), 0);
const hwm = () => tree(pid).reduce((n, p) => n + status(p, 'VmHWM'), 0);
function resetPeak(): void {
  for (const p of tree(pid)) {
    try {
      fs.writeFileSync(`/proc/${p}/clear_refs`, '5'); // 5 = reset VmHWM to the current RSS
    } catch {
      /* not allowed here: the 50 ms samples still give the peak */
    }
  }
}

// Wait until it answers anything.
const t0 = performance.now();
for (;;) {
  try {
    await fetch(`http://127.0.0.1:${port}/signin`).then((r) => r.arrayBuffer());
    break;
  } catch {
    if (performance.now() - t0 > 120_000) throw new Error('next start did not answer within 2 minutes');
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** `bytes` of generated data in 1 MiB chunks, made as the socket asks for them (backpressure). */
function generated(bytes: number): Readable {
  const chunk = Buffer.alloc(MiB);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 131 + 7) & 0xff;
  let left = bytes;
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      const n = Math.min(left, chunk.length);
      left -= n;
      this.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    },
  });
}

function send(opts: { path: string; method: string; headers: Record<string, string>; bytes: number }): Promise<{ status: number; body: string; seconds: number }> {
  const t = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: opts.path, method: opts.method, headers: { ...opts.headers, 'content-length': String(opts.bytes) } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, seconds: (performance.now() - t) / 1000 }));
    });
    req.on('error', reject);
    generated(opts.bytes).pipe(req);
  });
}

async function measured<T>(fn: () => Promise<T>): Promise<{ result: T; baseline: number; peak: number }> {
  await new Promise((r) => setTimeout(r, 1500));
  const baseline = rss();
  resetPeak();
  let peak = baseline;
  const timer = setInterval(() => (peak = Math.max(peak, rss())), 50);
  try {
    const result = await fn();
    return { result, baseline, peak: Math.max(peak, hwm()) };
  } finally {
    clearInterval(timer);
  }
}

const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' };
// Warm up: the route's code loaded and JIT-compiled before the baseline is taken.
const warm = await send({ path: '/api/uploads?name=warm.bin', method: 'PUT', headers: auth, bytes: 8 * MiB });
if (warm.status !== 201) throw new Error(`warm-up upload answered ${warm.status}: ${warm.body}`);

const up = await measured(() => send({ path: `/api/uploads?name=bench-${gib}g.bin`, method: 'PUT', headers: auth, bytes: total }));
if (up.result.status !== 201) throw new Error(`the upload answered ${up.result.status}: ${up.result.body}`);
const staged = JSON.parse(up.result.body) as { upload: { id: string; bytes: number } };
if (staged.upload.bytes !== total) throw new Error(`staged ${staged.upload.bytes} bytes, sent ${total}`);
const onDisk = fs.readdirSync(path.join(dataDir, 'staged-uploads')).filter((n) => n.startsWith(staged.upload.id));
const stagedSize = onDisk.length ? fs.statSync(path.join(dataDir, 'staged-uploads', onDisk[0])).size : 0;

// A9: three unauthenticated 300 MB server-action POSTs at once (the probe's reproduction).
const ATTACK = 300 * 10 ** 6;
const attack = await measured(() =>
  Promise.all(
    [1, 2, 3].map(() =>
      send({
        path: '/datasets/new',
        method: 'POST',
        headers: { 'next-action': '60'.padEnd(42, '0'), origin: `http://127.0.0.1:${port}`, 'content-type': 'multipart/form-data; boundary=x' },
        bytes: ATTACK,
      }),
    ),
  ),
);

const rows = [
  ['upload', 'bytes sent', 'answer', 'seconds', 'MB/s', 'baseline RSS', 'peak RSS', 'growth'],
  ['---', '---', '---', '---', '---', '---', '---', '---'],
  [
    `PUT /api/uploads (admin token), staged file ${stagedSize === total ? 'complete' : `${stagedSize} B`}`,
    total.toLocaleString('en-US'),
    up.result.status,
    up.result.seconds.toFixed(1),
    (total / 1e6 / up.result.seconds).toFixed(0),
    fmtMiB(up.baseline),
    fmtMiB(up.peak),
    fmtMiB(up.peak - up.baseline),
  ],
  [
    '3 × unauthenticated server-action POST to /datasets/new at once',
    `3 × ${ATTACK.toLocaleString('en-US')}`,
    attack.result.map((r) => r.status).join(', '),
    Math.max(...attack.result.map((r) => r.seconds)).toFixed(1),
    '',
    fmtMiB(attack.baseline),
    fmtMiB(attack.peak),
    fmtMiB(attack.peak - attack.baseline),
  ],
];
console.log(rows.map((r) => `| ${r.join(' | ')} |`).join('\n'));
console.log(`\n- RSS: the sum over next start's processes (${tree(pid).length}), VmRSS sampled every 50 ms and VmHWM after a clear_refs reset; baseline taken 1.5 s after an 8 MiB warm-up upload`);
console.log(`- target: growth < 100 MB during the ${gib} GiB upload: ${up.peak - up.baseline < 100e6 ? 'met' : 'NOT met'}`);
printFooter();
cleanup();
process.exit(up.peak - up.baseline < 100e6 ? 0 : 1);
