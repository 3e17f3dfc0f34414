/**
 * Hybrid against semantic-only query latency at `n` images (bench/relevance.ts runs it). The rows
 * are synthetic: random unit vectors and captions of six words drawn (Zipf-like) from the caption
 * vocabulary of the bundled corpora (~1,000 English and Chinese words), written straight into a
 * fresh SQLite database (keyword documents included, so the FTS5 triggers index them); the engine
 * then builds the HNSW index from them (CLIPDEX_HNSW_EF_CONSTRUCTION applies). The data dir is kept
 * under bench/.cache/relevance-latency-<n> and reused. Each query is two vocabulary words, embedded
 * by the real model, k = 24 (the page's default), near-duplicate collapse on (as the page runs it).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { getConfig, resetConfig } from '../../lib/config';
import { vectorToBytes } from '../../lib/db';
import { closeEngine, getEngine } from '../../lib/engine';
import { cjkGrams } from '../../lib/keyword/grams';
import { search, type SearchRanking } from '../../lib/search';
import { makeGaussian, makeRng, normalize } from '../shared/rng';
import { fmt, percentile, table } from '../shared/stats';

/** The caption vocabulary of the bundled corpora (English and Chinese emoji names), in a seeded order. */
function vocabulary(rng: () => number): string[] {
  const words = new Set<string>();
  for (const f of ['demo/train.tsv', 'demo/valid.tsv']) {
    for (const line of fs.readFileSync(f, 'utf8').split('\n')) for (const w of (line.split('\t')[0] ?? '').split(/[\s:,]+/)) if (w.length >= 2) words.add(w.toLowerCase());
  }
  return [...words].map((w) => ({ w, r: rng() })).sort((a, b) => a.r - b.r).map((x) => x.w);
}

/** A Zipf-like draw: low ranks are common. */
const zipf = (rng: () => number, n: number) => Math.min(n - 1, Math.floor(Math.exp(rng() * Math.log(n + 1)) - 1));

export async function runLatency(n: number, nq: number): Promise<void> {
  console.log(`\n### Hybrid vs semantic-only latency, ${n.toLocaleString('en')} synthetic images\n`);
  const dataDir = path.resolve('bench/.cache', `relevance-latency-${n}`);
  const ready = path.join(dataDir, 'ready');
  Object.assign(process.env, { CLIPDEX_DATA_DIR: dataDir });
  delete process.env.DATABASE_URL;
  resetConfig();
  const rng = makeRng(100);
  const vocab = vocabulary(rng);
  if (fs.existsSync(ready)) console.log(`reusing ${dataDir}\n`);
  else {
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.mkdirSync(dataDir, { recursive: true });
    const first = await getEngine({ log: () => undefined }); // migrates and records the model
    const { id: modelId, dim } = { id: first.model.info.id, dim: first.indexes.image.dim };
    await closeEngine();
    const gauss = makeGaussian(rng);
    const t0 = performance.now();
    const db = new Database(getConfig().databaseUrl.replace(/^file:/, ''));
    db.pragma('journal_mode = WAL');
    const ds = Number(db.prepare(`INSERT INTO "Dataset" (name, format, status, updatedAt) VALUES ('synthetic', 'pairs', 'ready', CURRENT_TIMESTAMP)`).run().lastInsertRowid);
    const img = db.prepare(`INSERT INTO "Image" ("datasetId", sha256, width, height, format, bytes, "externalId") VALUES (?, ?, 640, 480, 'jpeg', 1000, ?)`);
    const txt = db.prepare(`INSERT INTO "Text" ("datasetId", text) VALUES (?, ?)`);
    const link = db.prepare(`INSERT INTO "ImageText" ("imageId", "textId") VALUES (?, ?)`);
    const vec = db.prepare(`INSERT INTO "ImageVector" ("imageId", "modelId", data) VALUES (?, ?, ?)`);
    const doc = db.prepare(`INSERT INTO "KeywordDoc" ("imageId", captions, ocr, filename, grams) VALUES (?, ?, '', ?, ?)`);
    db.transaction(() => {
      for (let i = 0; i < n; i++) {
        const caption = `${Array.from({ length: 6 }, () => vocab[zipf(rng, vocab.length)]).join(' ')} #${i}`;
        const file = `IMG_${String(i).padStart(6, '0')}.jpg`;
        const imageId = Number(img.run(ds, randomBytes(32).toString('hex'), file).lastInsertRowid);
        const textId = Number(txt.run(ds, caption).lastInsertRowid);
        link.run(imageId, textId);
        const v = normalize(Float32Array.from({ length: dim }, gauss));
        vec.run(imageId, modelId, Buffer.from(vectorToBytes(v)));
        doc.run(imageId, caption, file, cjkGrams(`${caption}\n\n${file}`));
      }
    })();
    db.close();
    const t1 = performance.now();
    await getEngine({ log: () => undefined }); // builds the HNSW index from the rows
    await closeEngine(); // and saves it
    console.log(`rows written in ${((t1 - t0) / 1000).toFixed(1)} s; index built in ${((performance.now() - t1) / 1000).toFixed(1)} s (efConstruction ${getConfig().hnsw.efConstruction})\n`);
    fs.writeFileSync(ready, new Date().toISOString());
  }
  try {
    const tm = performance.now();
    const e = await getEngine({ log: () => undefined }); // a reused database is migrated here (0005_keyword_bigrams backfills its grams)
    console.log(`engine opened in ${((performance.now() - tm) / 1000).toFixed(1)} s; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log(`${e.indexes.image.size().toLocaleString('en')} vectors, dim ${e.indexes.image.dim}, M ${getConfig().hnsw.m}, efSearch ${getConfig().hnsw.efSearch}\n`);
    const qrng = makeRng(200); // its own seed: the same queries whether the rows were written now or reused
    const queries = Array.from({ length: nq }, () => `${vocab[zipf(qrng, 300)]} ${vocab[zipf(qrng, vocab.length)]}`);
    const run = async (ranking: SearchRanking, q: string) => {
      const s = performance.now();
      await search({ query: { text: q }, want: 'image', k: 24, ranking }, e);
      return performance.now() - s;
    };
    for (const q of queries.slice(0, 10)) for (const r of ['semantic', 'keyword', 'hybrid'] as const) await run(r, q); // warm up
    const times: Record<string, number[]> = { semantic: [], keyword: [], hybrid: [] };
    for (const q of queries) for (const r of ['semantic', 'keyword', 'hybrid'] as const) times[r].push(await run(r, q));
    const rows = Object.entries(times).map(([r, t]) => [r, 'all', t.length, fmt(percentile(t, 50)), fmt(percentile(t, 99)), fmt(percentile(t, 50) / percentile(times.semantic, 50)), fmt(percentile(t, 99) / percentile(times.semantic, 99))]);
    // A one- or two-character Chinese word cannot use the trigram index: the gram index answers it (lib/keyword/grams.ts).
    const short = queries.map((q) => q.split(' ').some((w) => /^[\u4e00-\u9fff]{1,2}$/.test(w)));
    for (const [kind, pick] of [['with a 1–2 character Chinese word', true], ['without', false]] as const) {
      const sel = (t: number[]) => t.filter((_, i) => short[i] === pick);
      const sem = sel(times.semantic);
      if (!sem.length) continue;
      for (const r of ['keyword', 'hybrid'] as const) {
        const t = sel(times[r]);
        rows.push([r, kind, t.length, fmt(percentile(t, 50)), fmt(percentile(t, 99)), fmt(percentile(t, 50) / percentile(sem, 50)), fmt(percentile(t, 99) / percentile(sem, 99))]);
      }
    }
    console.log(table(['ranking', 'queries', 'n', 'p50 ms', 'p99 ms', 'p50 ÷ semantic', 'p99 ÷ semantic'], rows));
    console.log(`\nload average after: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log('\n(each query includes embedding its text with the model; rankings interleaved per query)');
  } finally {
    await closeEngine();
  }
}
