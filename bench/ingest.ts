/**
 * Ingest bench: end-to-end images/s of ingestCorpus (lib/ingest, through getEngine like the CLI)
 * on generated corpora — small emoji-like PNG pairs and 500×500 MUGE-like JPEGs — with seconds per
 * stage, peak RSS, and the bare-inference bound of the same model measured in the same process
 * (session.run on ready-made tensors at the ingest's threads and batch size).
 *
 *   npx tsx bench/ingest.ts [--models models/mini-clip,bench/.cache/vit-b32-random]
 *     [--emoji 1000] [--muge 500] [--threads 2] [--batch-size 32]
 *
 * Each run uses a fresh temp data dir (deleted afterwards) and a fresh process (bench/ingest/worker.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { printFooter, printHeader, ROOT } from './shared/machine';
import { fmt, listArg, numListArg, parseArgs, table } from './shared/stats';
import { ensureCorpus, type GeneratedCorpus } from './ingest/corpus';
import type { IngestSummary } from '../lib/ingest';

const args = parseArgs(process.argv.slice(2));
const models = listArg(args, 'models', 'models/mini-clip,bench/.cache/vit-b32-random').map((m) => path.resolve(ROOT, m));
const sizes = { emoji: numListArg(args, 'emoji', '1000')[0], muge: numListArg(args, 'muge', '500')[0] };
const threads = numListArg(args, 'threads', '2')[0];
const batchSize = numListArg(args, 'batch-size', '32')[0];

printHeader('Ingest: end-to-end images/s and time per stage vs the bare-inference bound', ['onnxruntime-node', 'sharp', 'better-sqlite3', '@prisma/client', 'hnswlib-node']);

interface WorkerResult {
  summary: IngestSummary;
  records: number;
  readSeconds: number;
  openSeconds: number;
  rssBefore: number;
  peakRss: number;
  bareImageSeconds: number;
  bareTextSeconds: number;
  model: string;
  threads: number;
  batchSize: number;
}

function runOne(modelDir: string, c: GeneratedCorpus): Promise<WorkerResult> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-bench-ingest-'));
  const env = { ...process.env, CLIPDEX_DATA_DIR: dataDir, CLIPDEX_MODEL_DIR: modelDir, CLIPDEX_THREADS: String(threads), CLIPDEX_BATCH_SIZE: String(batchSize) };
  delete (env as NodeJS.ProcessEnv).DATABASE_URL;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'ingest', 'worker.ts'), JSON.stringify({ path: c.path, texts: c.texts })], { env, stdio: ['ignore', 'pipe', 'inherit'], cwd: ROOT });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('close', (code) => {
      fs.rmSync(dataDir, { recursive: true, force: true });
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) reject(new Error(`ingest worker exited with ${code}: ${out.slice(-1500)}`));
      else resolve(JSON.parse(line.slice(7)) as WorkerResult);
    });
  });
}

const corpora = [await ensureCorpus('emoji', sizes.emoji), await ensureCorpus('muge', sizes.muge)];
console.log(`- corpora: ${corpora.map((c) => `${c.kind} ${c.images} images, ${fmt(c.bytes / 2 ** 20)} MiB (${path.relative(ROOT, c.path)})`).join('; ')}`);
console.log(`- CLIPDEX_THREADS=${threads}, CLIPDEX_BATCH_SIZE=${batchSize}; one run per cell (fresh process, fresh temp data dir); the bound is measured right after the ingest in the same process\n`);

const main: (string | number | undefined)[][] = [];
const stages: (string | number | undefined)[][] = [];
for (const m of models) {
  if (!fs.existsSync(m)) {
    console.log(`> ${path.relative(ROOT, m)} skipped: folder absent\n`);
    continue;
  }
  for (const c of corpora) {
    process.stderr.write(`ingest ${path.basename(m)} ${c.kind} …\n`);
    const r = await runOne(m, c);
    const s = r.summary;
    const rate = s.images / s.seconds;
    const boundImg = 1 / r.bareImageSeconds;
    const boundAll = 1 / (r.bareImageSeconds + (s.texts / Math.max(1, s.images)) * r.bareTextSeconds);
    main.push([path.basename(m), c.kind, s.images, s.texts, s.errorCount, s.seconds, rate, r.peakRss / 2 ** 20, (r.peakRss - r.rssBefore) / 2 ** 20, boundImg, rate / boundImg, boundAll, rate / boundAll]);
    const st = s.stages;
    stages.push([path.basename(m), c.kind, s.seconds, r.readSeconds, st.read, st.wait, st.encode, st.db, st.index, st.save, st.prepare, st.lookup, st.preprocess, st.thumbnail, st.store, s.texts * r.bareTextSeconds]);
  }
}
console.log(table(['model', 'corpus', 'images', 'texts', 'errors', 'wall s', 'images/s', 'peak RSS MiB', 'RSS growth MiB', 'bound: bare image inference, images/s', 'ingest / bound', 'bound incl. the texts (the corpus captions, padded as lib/clip), images/s', 'ingest / bound incl. texts'], main));
console.log('');
console.log('Seconds per stage. Main loop (sequential, sums to about the wall time): `wait` (for the next prepared batch), `encode` (inference: images + texts), `db` (one transaction per batch), `index` (HNSW add), `save` (HNSW files). Overlapped with encode: `read` (lib/corpus: read + base64, in the loop\'s reader) and `prepare` (wall time of preparing batches), whose busy seconds summed over the concurrent pool are `lookup`, `preprocess` (decode + resize + normalise), `thumbnail`, `store`. `read+base64 alone` is a separate pass over the same file before the ingest; `bare text s` is what the texts would cost in bare session.run (the corpus\'s own captions, each batch padded to its longest caption as lib/clip does).\n');
console.log(table(['model', 'corpus', 'wall s', 'read+base64 alone s', 'read', 'wait', 'encode', 'db', 'index', 'save', 'prepare', 'lookup', 'preprocess', 'thumbnail', 'store', 'bare text s'], stages));
printFooter();
