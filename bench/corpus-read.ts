/**
 * Corpus reading speed (issue 13, target 2): an EasyNLP pairs TSV through lib/corpus readCorpus —
 * line splitting, UTF-8 + text checks of the caption, strict base64 decode of the image — i.e.
 * everything before the image decoder, with nothing else running in the process. MiB/s of file
 * bytes, median of --repeats (default 3) passes, plus peak RSS (memory must stay bounded by the
 * longest line, not grow with the file). Also the bare file read (the same stream, no parsing)
 * from the same run, as the disk/page-cache ceiling.
 *
 * The file (default 256 MiB) is generated once into $TMPDIR: captions of varied length with some
 * Chinese, images of --kb 20-60 KB of random bytes (base64 does not care what the bytes are; MUGE
 * images are ~40–80 KB JPEGs; --kb 2-6 is like the demo's emoji PNGs: ten times the lines).
 *
 *   npx tsx bench/corpus-read.ts [--mib 256] [--kb 20-60] [--repeats 3] [--gzip]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { readCorpus } from '../lib/corpus';
import { readBytes } from '../lib/corpus/open-stream';
import { printFooter, printHeader, rssBytes } from './shared/machine';
import { makeRng } from './shared/rng';
import { fmt, median, parseArgs, table } from './shared/stats';

const args = parseArgs(process.argv.slice(2));
const targetMiB = Number(args.get('mib') ?? 256);
const repeats = Number(args.get('repeats') ?? 3);
const gzip = args.has('gzip');
// Image sizes in KB (min-max): 20-60 like MUGE JPEGs; 2-6 like the demo's 72 px emoji PNGs (more lines per MiB).
const [kbMin, kbMax] = (args.get('kb') ?? '20-60').split('-').map(Number);
const file = path.join(os.tmpdir(), `clipdex-corpus-bench-${targetMiB}-${kbMin}-${kbMax}.tsv`);

function generate(): void {
  if (fs.existsSync(file) && fs.statSync(file).size >= targetMiB * 2 ** 20) return;
  const rng = makeRng(13);
  const words = ['red', 'heart', 'cat', '猫', '一只', 'rocket', 'blue', 'car', '连衣裙', 'summer', 'dress', 'with', 'flowers', '女装', 'shoes'];
  const fd = fs.openSync(`${file}.tmp`, 'w');
  let size = 0;
  while (size < targetMiB * 2 ** 20) {
    const caption = Array.from({ length: 2 + Math.floor(rng() * 12) }, () => words[Math.floor(rng() * words.length)]).join(' ');
    const img = Buffer.allocUnsafe(kbMin * 1000 + Math.floor(rng() * (kbMax - kbMin) * 1000));
    for (let i = 0; i < img.length; i += 4) img.writeUInt32LE(Math.floor(rng() * 2 ** 32), i - (i + 4 > img.length ? i + 4 - img.length : 0));
    const line = Buffer.from(`${caption}\t${img.toString('base64')}\n`);
    fs.writeSync(fd, line);
    size += line.length;
  }
  fs.closeSync(fd);
  fs.renameSync(`${file}.tmp`, file);
}

generate();
let input = file;
if (gzip) {
  input = `${file}.gz`;
  if (!fs.existsSync(input)) fs.writeFileSync(input, zlib.gzipSync(fs.readFileSync(file), { level: 1 }));
}
const bytes = fs.statSync(file).size;
printHeader(`corpus reading — bench/corpus-read.ts (${fmt(bytes / 2 ** 20)} MiB pairs TSV, images ${kbMin}–${kbMax} KB${gzip ? ', gzip level 1' : ''})`);

async function bareRead(): Promise<number> {
  let n = 0;
  for await (const c of readBytes(input, 1 << 20)) n += c.length;
  return n;
}
async function corpus(): Promise<{ records: number; imageBytes: number; errors: number }> {
  let records = 0;
  let imageBytes = 0;
  let errors = 0;
  for await (const r of readCorpus(input, { format: 'pairs', maxLineBytes: 64 << 20 })) {
    records++;
    if (r.kind === 'pair') imageBytes += r.image.length;
    else errors++;
  }
  return { records, imageBytes, errors };
}

const rss0 = rssBytes();
let peak = rss0;
const sampler = setInterval(() => (peak = Math.max(peak, rssBytes())), 20);
const times = { bare: [] as number[], corpus: [] as number[] };
let last = { records: 0, imageBytes: 0, errors: 0 };
for (let r = 0; r < repeats; r++) {
  let t0 = performance.now();
  await bareRead();
  times.bare.push((performance.now() - t0) / 1000);
  t0 = performance.now();
  last = await corpus();
  times.corpus.push((performance.now() - t0) / 1000);
}
clearInterval(sampler);
if (last.errors) throw new Error(`${last.errors} error records: the generated file should parse cleanly`);
const mibps = (s: number) => bytes / 2 ** 20 / s;
console.log(
  table(
    ['pass', 'median s', 'MiB/s (median)', 'best MiB/s', 'records', 'repeats'],
    [
      ['bare read (stream only)', fmt(median(times.bare)), fmt(mibps(median(times.bare))), fmt(mibps(Math.min(...times.bare))), '–', repeats],
      ['readCorpus pairs (split + UTF-8 + base64)', fmt(median(times.corpus)), fmt(mibps(median(times.corpus))), fmt(mibps(Math.min(...times.corpus))), last.records, repeats],
    ],
  ),
);
console.log(`\nimage bytes decoded ${fmt(last.imageBytes / 2 ** 20)} MiB; RSS before ${fmt(rss0 / 2 ** 20)} MiB, peak ${fmt(peak / 2 ** 20)} MiB (file ${fmt(bytes / 2 ** 20)} MiB)`);
printFooter();
