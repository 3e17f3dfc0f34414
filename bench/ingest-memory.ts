/**
 * Ingest bench: memory stays bounded by the batch size, not the corpus size. Generates a pairs
 * corpus of at least --gb GiB (distinct JPEGs: a pool of noisy images, each line made unique by a
 * JPEG comment segment, so every line is decoded and embedded — none is deduplicated), ingests it
 * into a fresh data dir with the real model, and reports peak RSS, RSS as the ingest advances,
 * images/s, and the time per stage (which one dominates). Not part of `npm test`.
 *
 *   npx tsx bench/ingest-memory.ts [--gb 1] [--size 640x480] [--batch-size 32] [--limit N] [--keep]
 *
 * The model is CLIPDEX_MODEL_DIR (default models/mini-clip). The corpus is cached under
 * bench/.cache/ingest/ and reused; the data dir is deleted afterwards unless --keep.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { resetConfig } from '../lib/config';
import { closeEngine, getEngine } from '../lib/engine';
import { ingestCorpus, type IngestStage } from '../lib/ingest';
import { CACHE, printFooter, printHeader, rssBytes } from './shared/machine';
import { fmt, mib, parseArgs, table } from './shared/stats';

const args = parseArgs(process.argv.slice(2));
const gib = Number(args.get('gb') ?? '1');
const [w, h] = (args.get('size') ?? '640x480').split('x').map(Number);
const batchSize = Number(args.get('batch-size') ?? '32');
const limit = args.has('limit') ? Number(args.get('limit')) : undefined;
const DIR = path.join(CACHE, 'ingest');
const POOL = 48;

/** A noisy, gradient JPEG (noise keeps it large, like a photo). */
async function poolImage(i: number): Promise<Buffer> {
  const px = Buffer.alloc(w * h * 3);
  let s = (i + 1) * 2654435761;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      s = (s * 1103515245 + 12345) >>> 0;
      const o = (y * w + x) * 3;
      px[o] = ((x * 255) / w + (s & 63) + i * 29) & 255;
      px[o + 1] = ((y * 255) / h + ((s >> 6) & 63) + i * 53) & 255;
      px[o + 2] = (((x + y) * 127) / (w + h) + ((s >> 12) & 63) + i * 71) & 255;
    }
  }
  return sharp(px, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 92 }).toBuffer();
}

/** The same JPEG with a COM segment after SOI: other bytes (another sha256), same pixels. */
function uniqueJpeg(base: Buffer, n: number): Buffer {
  const text = Buffer.from(`clipdex bench ${n}`);
  const seg = Buffer.alloc(4);
  seg[0] = 0xff;
  seg[1] = 0xfe;
  seg.writeUInt16BE(text.length + 2, 2);
  return Buffer.concat([base.subarray(0, 2), seg, text, base.subarray(2)]);
}

async function ensureCorpus(): Promise<{ file: string; lines: number; bytes: number }> {
  fs.mkdirSync(DIR, { recursive: true });
  const file = path.join(DIR, `pairs-${gib}g-${w}x${h}.tsv`);
  const meta = `${file}.json`;
  if (fs.existsSync(meta)) return JSON.parse(fs.readFileSync(meta, 'utf8'));
  console.log(`generating ${file} (≥ ${gib} GiB)…`);
  const pool = await Promise.all(Array.from({ length: POOL }, (_, i) => poolImage(i)));
  const out = fs.createWriteStream(file);
  const target = gib * 2 ** 30;
  let bytes = 0;
  let lines = 0;
  while (bytes < target) {
    const line = `bench caption ${lines}: a noisy gradient, variant ${lines % POOL}\t${uniqueJpeg(pool[lines % POOL], lines).toString('base64')}\n`;
    if (!out.write(line)) await new Promise<void>((r) => out.once('drain', () => r()));
    bytes += Buffer.byteLength(line);
    lines++;
  }
  await new Promise<void>((r) => out.end(() => r()));
  const info = { file, lines, bytes };
  fs.writeFileSync(meta, JSON.stringify(info));
  return info;
}

async function main() {
  const header = printHeader('Ingest memory bench', ['onnxruntime-node', 'sharp', 'hnswlib-node', '@prisma/client', 'better-sqlite3']);
  const corpus = await ensureCorpus();
  let file = corpus.file;
  let lines = corpus.lines;
  let bytes = corpus.bytes;
  if (limit && limit < corpus.lines) {
    // A prefix of the corpus (quick runs); the memory claim needs the full ≥ 1 GiB file.
    file = path.join(DIR, `prefix-${limit}.tsv`);
    const rl = (await import('node:readline')).createInterface({ input: fs.createReadStream(corpus.file) });
    const out = fs.createWriteStream(file);
    let n = 0;
    bytes = 0;
    for await (const l of rl) {
      if (n++ >= limit) break;
      out.write(`${l}\n`);
      bytes += Buffer.byteLength(l) + 1;
    }
    rl.close();
    await new Promise<void>((r) => out.end(() => r()));
    lines = limit;
  }
  const dataDir = fs.mkdtempSync(path.join(DIR, 'data-'));
  process.env.CLIPDEX_DATA_DIR = dataDir;
  delete process.env.DATABASE_URL;
  resetConfig();
  const rss0 = rssBytes();
  const engine = await getEngine();
  const rssEngine = rssBytes();
  console.log(`corpus: ${file}: ${lines} lines, ${mib(bytes)} (${w}×${h} JPEG, ${mib(bytes / lines)} a line)`);
  console.log(`model: ${engine.model.info.name} (${engine.model.info.id}, dim ${engine.model.info.dim}, ${engine.model.info.imageSize} px); batch ${batchSize}; threads ${engine.config.threads}\n`);

  let peak = rssBytes();
  const sampler = setInterval(() => (peak = Math.max(peak, rssBytes())), 100);
  const checkpoints: { processed: number; rss: number; rate: number }[] = [];
  let next = 0.1;
  const s = await ingestCorpus({ path: file, dataset: 'bench', format: 'pairs', batchSize }, engine, (p) => {
    peak = Math.max(peak, rssBytes());
    if (p.total && p.processed / p.total >= next) {
      checkpoints.push({ processed: p.processed, rss: rssBytes(), rate: p.rate });
      while (p.processed / p.total >= next) next += 0.1;
      process.stderr.write(`  ${p.processed}/${p.total} (${fmt(p.rate)} images/s, RSS ${mib(rssBytes())})\n`);
    }
  });
  clearInterval(sampler);
  const maxRss = process.resourceUsage().maxRSS * 1024;
  await closeEngine();

  const stageRows = (Object.entries(s.stages) as [IngestStage, number][]).map(([k, v]) => [k, v, `${fmt((100 * v) / s.seconds)} %`]);
  console.log(
    table(['measure', 'value'], [
      ['images ingested', s.images],
      ['errors', s.errorCount],
      ['seconds', s.seconds],
      ['images/s', s.images / s.seconds],
      ['MiB/s of corpus', bytes / 2 ** 20 / s.seconds],
      ['RSS before the engine', mib(rss0)],
      ['RSS after opening the engine', mib(rssEngine)],
      ['peak RSS (sampled)', mib(peak)],
      ['peak RSS (kernel maxRSS)', mib(maxRss)],
      ['corpus size', mib(bytes)],
    ]),
  );
  console.log('\nRSS as the ingest advances (flat = bounded by the batch, not the corpus):\n');
  console.log(table(['processed', 'RSS', 'images/s so far'], checkpoints.map((c) => [c.processed, mib(c.rss), c.rate])));
  console.log(
    "\nTime per stage. Wall-clock stages of the loop: 'wait' = waiting for the next batch to be read and prepared\n" +
      "(reading and preparing run overlapped with 'encode' and 'db'). The parts of 'prepare' below the line are busy\n" +
      'seconds summed over the concurrent image pool, so they can add up to more than its wall time:\n',
  );
  const wall: IngestStage[] = ['read', 'prepare', 'wait', 'encode', 'db', 'index', 'save'];
  console.log(table(['stage', 'seconds', 'of wall time'], [
    ...stageRows.filter((r) => wall.includes(r[0] as IngestStage)),
    ['— prepare parts —', undefined, undefined],
    ...stageRows.filter((r) => !wall.includes(r[0] as IngestStage)),
  ]));
  const result = { header, corpus: { file, lines, bytes, size: `${w}x${h}` }, batchSize, model: engine.model.info, summary: { ...s, errors: undefined }, peakRss: peak, maxRss, rssEngine, checkpoints };
  const out = path.join(DIR, `result-${header.date.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(out, JSON.stringify(result, null, 2));
  console.log(`\nresult: ${out}`);
  if (!args.has('keep')) fs.rmSync(dataDir, { recursive: true, force: true });
  printFooter();
  void os;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
