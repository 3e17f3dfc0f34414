/**
 * A data dir with N indexed images for the HTTP bench, without ingesting N images:
 * the engine creates and migrates the database (Model row for the active model), then rows are
 * bulk-inserted with better-sqlite3 — N Image rows, N ImageVector rows (the durable float32 copy;
 * ImageVector.id = HNSW label), 1000 captions linked round-robin — and a prebuilt HNSW file from
 * bench/search (same hnswlib format, same labels) is installed as generation 1 with its manifest.
 * Finally the engine is opened again and must report the index `loaded` (nothing to repair), and
 * the in-process lib/search latency is measured here as the no-HTTP baseline.
 *
 * Run by bench/http.ts in a child process with CLIPDEX_DATA_DIR / CLIPDEX_MODEL_DIR set.
 * Prints `RESULT <json>`.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { closeEngine, getEngine } from '../../lib/engine';
import { search } from '../../lib/search';
import { readF32 } from '../search/files';
import { percentile } from '../shared/stats';

const job = JSON.parse(process.argv[2]) as { vectors: string; index: string; n: number; dim: number; queries: string[]; m: number; efConstruction: number; skipLoad?: boolean };
const dataDir = process.env.CLIPDEX_DATA_DIR!;
const log = (s: string) => process.stderr.write(`  [setup] ${s}\n`);
let t = performance.now();

if (!job.skipLoad) {
  const e = await getEngine({ log });
  const modelId = e.model.info.id;
  if (e.model.info.dim !== job.dim) throw new Error(`model dim ${e.model.info.dim} ≠ index dim ${job.dim}`);
  const ds = await e.db.dataset.create({ data: { name: 'bench', format: 'pairs', source: 'bench/http (bulk-inserted)', status: 'ready' } });
  await closeEngine();

  const sq = new Database(path.join(dataDir, 'clipdex.db'));
  sq.pragma('journal_mode = WAL');
  sq.pragma('synchronous = OFF');
  const vectors = readF32(job.vectors);
  const bytes = Buffer.from(vectors.buffer, vectors.byteOffset, vectors.byteLength);
  const insText = sq.prepare('INSERT INTO "Text" ("id","datasetId","text") VALUES (?,?,?)');
  const insImage = sq.prepare('INSERT INTO "Image" ("id","datasetId","sha256","width","height","format","bytes","line") VALUES (?,?,?,?,?,?,?,?)');
  const insVec = sq.prepare('INSERT INTO "ImageVector" ("id","imageId","modelId","data") VALUES (?,?,?,?)');
  const insLink = sq.prepare('INSERT INTO "ImageText" ("imageId","textId") VALUES (?,?)');
  const nText = 1000;
  sq.transaction(() => {
    for (let i = 1; i <= nText; i++) insText.run(i, ds.id, `caption ${i} ${job.queries[i % job.queries.length]}`);
  })();
  const step = 50_000;
  for (let s = 0; s < job.n; s += step) {
    sq.transaction(() => {
      for (let i = s; i < Math.min(job.n, s + step); i++) {
        insImage.run(i + 1, ds.id, i.toString(16).padStart(64, '0'), 500, 500, 'jpeg', 48_000, i + 1);
        insVec.run(i, i + 1, modelId, bytes.subarray(i * job.dim * 4, (i + 1) * job.dim * 4));
        insLink.run(i + 1, (i % nText) + 1);
      }
    })();
    log(`rows ${Math.min(job.n, s + step)}/${job.n}`);
  }
  sq.close();
  const indexDir = path.join(dataDir, 'index');
  fs.mkdirSync(indexDir, { recursive: true });
  fs.copyFileSync(job.index, path.join(indexDir, 'image-1.hnsw'));
  fs.writeFileSync(path.join(indexDir, 'image.json'), JSON.stringify({ version: 1, kind: 'image', modelId, dim: job.dim, count: job.n, maxElements: job.n, M: job.m, efConstruction: job.efConstruction, generation: 1, file: 'image-1.hnsw', deleted: [], savedAt: new Date().toISOString() }));
  log(`data dir ready in ${((performance.now() - t) / 1000).toFixed(0)} s`);
}

// Open as the server will, check nothing needed repair, and time lib/search in-process.
t = performance.now();
const e = await getEngine({ log });
const openSeconds = (performance.now() - t) / 1000;
const report = { image: e.indexReport.image, text: e.indexReport.text, messages: e.indexReport.messages };
if (e.indexReport.image.action !== 'loaded' || e.indexes.image.size() !== job.n) throw new Error(`index not loaded as is: ${JSON.stringify(report)}`);
const times: number[] = [];
for (let r = 0; r < 2; r++) {
  for (const q of job.queries) {
    const t0 = performance.now();
    const res = await search({ query: { text: q }, want: 'image', k: 24 }, e);
    if (r === 1) times.push(performance.now() - t0);
    if (res.hits.length !== 24) throw new Error(`expected 24 hits, got ${res.hits.length}`);
  }
}
// The parts: text encoding alone, and the HNSW search alone (k=24, the default ef).
const enc: number[] = [];
const ann: number[] = [];
for (const q of job.queries) {
  let t1 = performance.now();
  const [v] = await e.model.encodeTexts([q]);
  enc.push(performance.now() - t1);
  t1 = performance.now();
  e.indexes.image.search(v, 24);
  ann.push(performance.now() - t1);
}
const part = (xs: number[]) => ({ p50: percentile(xs, 50), p99: percentile(xs, 99) });
const rss = process.memoryUsage.rss();
await closeEngine();
process.stdout.write(`RESULT ${JSON.stringify({ openSeconds, report, inProcess: { n: times.length, p50: percentile(times, 50), p90: percentile(times, 90), p99: percentile(times, 99), max: Math.max(...times) }, encode: part(enc), ann: part(ann), rss })}\n`);
