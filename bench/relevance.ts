/**
 * Relevance benchmark (issue 11): R@1 / R@10 of the three rankings — semantic (CLIP), keyword and
 * hybrid (both fused) — and of plain CLIP on the raw query text (the ranking clipdex had before),
 * on four query sets over the demo corpus plus generated images with text rendered inside them:
 *   caption        a whole caption finds its image (CLIP's home ground)
 *   exact-word     a rare word of a caption (English, or two Chinese characters)
 *   negation       "X -Y": captions with X and without Y (plus how many top-10 hits hold Y)
 *   text-in-image  a product code or a Chinese word printed in a generated image (needs OCR)
 * A hit counts when a relevant image is at rank 1 (R@1), in the top 3 (R@3) or the top 10 (R@10).
 * Then hybrid against semantic-only query latency at `--n` synthetic images (bench/relevance/latency.ts).
 *
 *   npm run bench:relevance [-- --skip-latency | --skip-relevance] [--n 100000] [--queries 200]
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resetConfig } from '../lib/config';
import { closeEngine, getEngine, type Engine } from '../lib/engine';
import { ingestCorpus, runOcrStage } from '../lib/ingest';
import { search, type SearchRanking } from '../lib/search';
import { imageIdsOfLabels, keywordDocsOf } from '../lib/db';
import { EXCLUDE_PUSH } from '../lib/search/query-vector';
import { printFooter, printHeader } from './shared/machine';
import { parseArgs, table } from './shared/stats';
import { buildCorpus, type RelevanceQuery } from './relevance/corpus';
import { runLatency } from './relevance/latency';

const args = parseArgs(process.argv.slice(2));
type Ranker = SearchRanking | 'clip';
const RANKERS: Ranker[] = ['clip', 'semantic', 'keyword', 'hybrid'];
const SETS: RelevanceQuery['set'][] = ['caption', 'exact-word', 'negation', 'text-in-image'];

async function top10(e: Engine, q: string, r: Ranker): Promise<number[]> {
  if (r === 'clip') {
    // The ranking before issue 11: the raw text embedded as it is, nearest vectors.
    const [v] = await e.model.encodeTexts([q]);
    const hits = e.indexes.image.search(v, 10);
    const ids = await imageIdsOfLabels(e.db, hits.map((h) => h.label));
    return hits.map((h) => ids.get(h.label)!).filter((x) => x !== undefined);
  }
  try {
    return (await search({ query: { text: q }, want: 'image', k: 10, ranking: r, collapse: false }, e)).hits.map((h) => h.imageId);
  } catch {
    return []; // a query the language refuses (none in these sets) counts as a miss
  }
}

/**
 * How far an exclusion should push the query vector away: the semantic ranking of the negation set
 * (exclusions held out as search() does) with the push weight λ swept; search() uses EXCLUDE_PUSH.
 */
async function pushAwaySweep(e: Engine, qs: RelevanceQuery[], idOfLine: number[]) {
  const rows: (string | number)[][] = [];
  for (const lambda of [0, 0.15, 0.3, 0.5, 1]) {
    let r1 = 0;
    let r10 = 0;
    for (const q of qs) {
      const [x, y] = q.query.split(' -');
      const [vx, vy] = await e.model.encodeTexts([x, y]);
      const v = vx.map((a, i) => a - lambda * vy[i]);
      const norm = Math.hypot(...v);
      const hits = e.indexes.image.search(v.map((a) => a / norm), 100);
      const ids = await imageIdsOfLabels(e.db, hits.map((h) => h.label));
      const order = hits.map((h) => ids.get(h.label)!);
      const docs = await keywordDocsOf(e.db, order);
      const kept = order.filter((id) => !`${docs.get(id)?.captions}\n${docs.get(id)?.ocr}\n${docs.get(id)?.filename}`.toLowerCase().includes(y.toLowerCase())).slice(0, 10);
      const rel = new Set([...q.relevant].map((n) => idOfLine[n - 1]));
      const at = kept.findIndex((id) => rel.has(id));
      if (at === 0) r1++;
      if (at >= 0) r10++;
    }
    rows.push([lambda === EXCLUDE_PUSH ? `${lambda} (in use)` : String(lambda), ((100 * r1) / qs.length).toFixed(1), ((100 * r10) / qs.length).toFixed(1)]);
  }
  console.log(`\nPush-away weight λ (negation set, semantic ranking: v = x − λ·y, exclusions held out):\n`);
  console.log(table(['λ', 'R@1 %', 'R@10 %'], rows));
}

async function main() {
  printHeader('Relevance (issue 11)', ['onnxruntime-node', 'better-sqlite3', 'hnswlib-node']);
  if (!args.has('skip-relevance')) await relevance();
  if (!args.has('skip-latency')) await runLatency(Number(args.get('n') ?? 100_000), Number(args.get('queries') ?? 200));
  printFooter();
}

async function relevance() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-relevance-'));
  Object.assign(process.env, { CLIPDEX_DATA_DIR: dataDir, CLIPDEX_OCR: '1' });
  delete process.env.DATABASE_URL;
  resetConfig();
  try {
    const corpus = await buildCorpus(path.resolve('demo/valid.tsv'));
    const file = path.join(dataDir, 'relevance.tsv');
    fs.writeFileSync(file, corpus.lines.map((l) => `${l.caption.replace(/[\t\n]/g, ' ')}\t${l.image.toString('base64')}\n`).join(''));
    const e = await getEngine({ log: () => undefined });
    const t0 = performance.now();
    await ingestCorpus({ path: file, dataset: 'relevance' }, e);
    const ingestS = (performance.now() - t0) / 1000;
    // The OCR stage, as an ingest job runs it after the commit (lib/ingest/ocr-stage.ts).
    const ds = await e.db.dataset.findUniqueOrThrow({ where: { name: 'relevance' } });
    const ocr = await runOcrStage({ config: e.config, db: e.db, store: e.store }, { datasetId: ds.id });
    console.log(`OCR stage: ${ocr.images} images read in ${ocr.seconds.toFixed(1)} s (median ${ocr.msPerImage?.median ?? '–'} ms/image), ${ocr.withText} with text, ${ocr.failed} failed${ocr.unavailable ? `; unavailable: ${ocr.unavailable}` : ''}`);
    // Line → image id, by content (a demo image used twice is one image).
    const bySha = new Map((await e.db.image.findMany({ select: { id: true, sha256: true } })).map((r) => [r.sha256, r.id]));
    const idOfLine = corpus.lines.map((l) => bySha.get(createHash('sha256').update(l.image).digest('hex'))!);
    const ocrDone = await e.db.$queryRawUnsafe<{ n: number }[]>(`SELECT COUNT(*) AS n FROM "KeywordDoc" WHERE "ocr" <> ''`);
    console.log(`corpus: ${corpus.lines.length} lines, ${bySha.size} images (${corpus.queries.filter((q) => q.set === 'text-in-image').length} generated labels); ingest ${ingestS.toFixed(1)} s; images with OCR text: ${Number(ocrDone[0].n)}\n`);

    const rows: (string | number)[][] = [];
    const score = new Map<string, { r1: number; r3: number; r10: number; viol: number; n: number }>();
    for (const set of SETS) {
      const qs = corpus.queries.filter((q) => q.set === set);
      for (const r of RANKERS) {
        const s = { r1: 0, r3: 0, r10: 0, viol: 0, n: qs.length };
        for (const q of qs) {
          const ids = await top10(e, q.query, r);
          const rel = new Set([...q.relevant].map((n) => idOfLine[n - 1]));
          const at = ids.findIndex((id) => rel.has(id));
          if (at === 0) s.r1++;
          if (at >= 0 && at < 3) s.r3++;
          if (at >= 0) s.r10++;
          if (q.excluded) {
            const caps = await e.db.imageText.findMany({ where: { imageId: { in: ids } }, select: { imageId: true, text: { select: { text: true } } } });
            const bad = new Set(caps.filter((c) => c.text.text.toLowerCase().includes(q.excluded!.toLowerCase())).map((c) => c.imageId));
            s.viol += ids.length ? bad.size / ids.length : 0;
          }
        }
        score.set(`${set}:${r}`, s);
        const pct = (x: number) => (100 * x) / Math.max(1, s.n);
        rows.push([set, r, s.n, pct(s.r1).toFixed(1), pct(s.r3).toFixed(1), pct(s.r10).toFixed(1), set === 'negation' ? `${pct(s.viol).toFixed(1)}%` : '']);
      }
    }
    console.log(table(['set', 'ranking', 'queries', 'R@1 %', 'R@3 %', 'R@10 %', 'top-10 hits holding the excluded word'], rows));

    // The issue's targets.
    console.log('\nTargets:');
    for (const set of SETS) {
      for (const m of ['r1', 'r10'] as const) {
        const best = Math.max(...(['semantic', 'keyword'] as const).map((r) => score.get(`${set}:${r}`)![m]));
        const h = score.get(`${set}:hybrid`)!;
        const gap = (100 * (best - h[m])) / Math.max(1, h.n);
        console.log(`- ${set} ${m.toUpperCase()}: hybrid ${gap <= 1 ? 'within' : 'MORE THAN'} 1 point of the best single signal (${gap > 0 ? `${gap.toFixed(1)} below` : 'at or above'})`);
      }
    }
    await pushAwaySweep(e, corpus.queries.filter((q) => q.set === 'negation'), idOfLine);
    const tii = score.get('text-in-image:hybrid')!;
    console.log(`- text-in-image targets in hybrid's top 3: ${((100 * tii.r3) / Math.max(1, tii.n)).toFixed(1)}% (target ≥ 80%)`);
    await closeEngine();
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
