/**
 * Where preprocessing time goes, per image, one image at a time on one thread — the old path and
 * the new one measured in the same run, interleaved image by image in random order so that load
 * on the machine hits both alike:
 * - old preprocess: decodeImage (its own header probe + full decode to 8-bit RGB), then lib/clip's
 *   resize from raw + crop + CHW (what createImageProcessor did before the fused pipeline);
 * - new preprocess: createImageProcessor().preprocessWithFacts (one probe; downscales decode +
 *   resize + crop in one sharp pipeline, lib/clip/resample.ts decodeResized);
 * - old ingest prepare per image: probeImage (prepare.ts) + old preprocess + makeThumbnail;
 * - new ingest prepare per image: new preprocess + the thumbnail as prepare.ts now makes it
 *   (from the decoded pixels where preprocessing decoded a ≤ 256 px image whole, else makeThumbnail).
 * Wall and CPU time (the process's user + system, sharp's threads included: less skewed by other
 * work on the machine). Also the largest difference between old and new model input (8-bit
 * levels), whether the thumbnails are byte-identical, and a second table with the ways of making
 * the model input and the thumbnail together that were considered (see lib/store/thumbnail.ts).
 *
 *   npx tsx bench/ingest/preprocess-parts.ts [--models models/mini-clip,bench/.cache/vit-b32-random] [--kinds muge,emoji] [--count 64] [--reps 5]
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { decodeImage, probeImage, readModelManifest, type PreprocessedImage } from '../../lib/clip';
import {
  createImageProcessor,
  pixelsFromDecoded,
  preprocessDecoded,
  resizePlan,
  resolvePreprocessSpec,
  toChw,
  type PreprocessSpec,
} from '../../lib/clip/image-processor';
import { makeThumbnail, makeThumbnailFromDecoded, thumbnailIsReencode, THUMB_MAX_SIDE } from '../../lib/store';
import { printFooter, printHeader, ROOT } from '../shared/machine';
import { makeImages, type ImageKind } from '../shared/images';
import { makeRng } from '../shared/rng';
import { fmt, listArg, median, numListArg, parseArgs, table } from '../shared/stats';

const args = parseArgs(process.argv.slice(2));
const models = listArg(args, 'models', 'models/mini-clip,bench/.cache/vit-b32-random').map((m) => path.resolve(ROOT, m));
const count = numListArg(args, 'count', '64')[0];
const reps = numListArg(args, 'reps', '5')[0];
const MAXPX = 40_000_000;
sharp.concurrency(1);
// Off: every part here sees each image several times in a row, and libvips' operation cache then
// hands later parts earlier results (it made the old path look up to 1.5× faster). Ingest sees
// each image once.
sharp.cache(false);

printHeader('Preprocessing, old path vs new, ms per image (one image at a time, sharp.concurrency(1), sharp.cache(false))', ['sharp']);

type Part = (b: Buffer) => Promise<unknown>;

/** Median over reps of the mean wall and CPU ms per image of each part. */
async function measure(parts: Record<string, Part>, imgs: Buffer[]): Promise<{ ms: Record<string, number>; cpu: Record<string, number> }> {
  const entries = Object.entries(parts);
  for (const [, f] of entries) for (const b of imgs.slice(0, 4)) await f(b); // warm-up
  const wallReps: Record<string, number[]> = {};
  const cpuReps: Record<string, number[]> = {};
  const rng = makeRng(42);
  for (let r = 0; r < reps; r++) {
    const wall: Record<string, number> = {};
    const busy: Record<string, number> = {};
    // Every part on one image, then the next image, in a fresh random order per image: a burst of
    // other work on the machine, or the garbage a part leaves for the next, lands on all alike.
    for (const b of imgs) {
      const order = entries.map((e) => [rng(), e] as const).sort((x, y) => x[0] - y[0]).map((x) => x[1]);
      for (const [name, f] of order) {
        const t = performance.now();
        const c = process.cpuUsage();
        await f(b);
        const dc = process.cpuUsage(c);
        wall[name] = (wall[name] ?? 0) + performance.now() - t;
        busy[name] = (busy[name] ?? 0) + (dc.user + dc.system) / 1000;
      }
    }
    for (const [name] of entries) {
      (wallReps[name] ??= []).push(wall[name] / imgs.length);
      (cpuReps[name] ??= []).push(busy[name] / imgs.length);
    }
  }
  const med = (o: Record<string, number[]>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, median(v)]));
  return { ms: med(wallReps), cpu: med(cpuReps) };
}

const ratio = (o: number, n: number) => `${(o / n).toFixed(2)}×`;
const oldPreprocess = async (b: Buffer, spec: PreprocessSpec) => pixelsFromDecoded(await decodeImage(b, { maxPixels: MAXPX }), spec);
const newThumbnail = (b: Buffer, p: PreprocessedImage) =>
  p.decoded && thumbnailIsReencode(p.decoded.width, p.decoded.height) ? makeThumbnailFromDecoded(p.decoded) : makeThumbnail(b, MAXPX);
/** makeThumbnail's resize and encoding, from decoded RGB instead of the original. */
const thumbnailFromRaw = (d: { data: Buffer; width: number; height: number }) =>
  sharp(d.data, { raw: { width: d.width, height: d.height, channels: 3 } })
    .resize(THUMB_MAX_SIDE, THUMB_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 80, effort: 1 })
    .toBuffer();

const rows: (string | number)[][] = [];
const strategyRows: (string | number)[][] = [];
const skipped: string[] = [];
for (const kind of listArg(args, 'kinds', 'muge,emoji') as ImageKind[]) {
  const imgs = await makeImages(kind, count, 500);
  for (const dir of models) {
    if (!fs.existsSync(path.join(dir, 'preprocessor_config.json'))) {
      if (!skipped.includes(dir)) skipped.push(dir);
      continue;
    }
    const spec = resolvePreprocessSpec(readModelManifest(dir));
    const proc = createImageProcessor(spec, MAXPX);
    const { ms, cpu } = await measure(
      {
        probe: (b) => probeImage(b, { maxPixels: MAXPX }),
        decode: (b) => decodeImage(b, { maxPixels: MAXPX }),
        'old preprocess': (b) => oldPreprocess(b, spec),
        'new preprocess': (b) => proc.preprocessWithFacts(b),
        'old thumbnail': (b) => makeThumbnail(b, MAXPX),
        'old prepare': async (b) => {
          await probeImage(b, { maxPixels: MAXPX });
          await oldPreprocess(b, spec);
          await makeThumbnail(b, MAXPX);
        },
        'new prepare': async (b) => newThumbnail(b, await proc.preprocessWithFacts(b)),
      },
      imgs,
    );
    let maxDiff = 0;
    let sameThumbs = 0;
    const std = spec.std ?? [1, 1, 1];
    const plane = spec.width * spec.height;
    const checked = imgs.slice(0, 16);
    for (const b of checked) {
      const a = await oldPreprocess(b, spec);
      const p = await proc.preprocessWithFacts(b);
      for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, (Math.abs(a[i] - p.pixels[i]) * std[Math.floor(i / plane)]) / (spec.rescale ?? 1 / 255));
      if ((await makeThumbnail(b, MAXPX)).equals(await newThumbnail(b, p))) sameThumbs++;
    }
    rows.push([
      kind,
      path.basename(dir),
      `${spec.width} px`,
      ms.probe,
      ms.decode,
      ms['old thumbnail'],
      `${fmt(ms['old preprocess'])} → ${fmt(ms['new preprocess'])}`,
      ratio(ms['old preprocess'], ms['new preprocess']),
      `${fmt(cpu['old preprocess'])} → ${fmt(cpu['new preprocess'])}`,
      ratio(cpu['old preprocess'], cpu['new preprocess']),
      `${fmt(ms['old prepare'])} → ${fmt(ms['new prepare'])}`,
      ratio(ms['old prepare'], ms['new prepare']),
      `${fmt(cpu['old prepare'])} → ${fmt(cpu['new prepare'])}`,
      ratio(cpu['old prepare'], cpu['new prepare']),
      maxDiff.toFixed(2),
      `${sameThumbs}/${checked.length}`,
    ]);

    // Model input + thumbnail together, each way considered; each returns its thumbnail.
    const strategies: Record<string, (b: Buffer) => Promise<Buffer>> = {
      'independent: new preprocess, makeThumbnail(original)': async (b) => {
        await proc.preprocessWithFacts(b);
        return makeThumbnail(b, MAXPX);
      },
      'one full decode shared (unfused model input; thumbnail from the raw RGB)': async (b) => {
        const h = await probeImage(b, { maxPixels: MAXPX });
        const { rgb, decoded } = await preprocessDecoded(b, h, spec, MAXPX, false);
        toChw(rgb, spec);
        return thumbnailFromRaw(decoded!);
      },
      'sharp clone(): one input, model and thumbnail pipelines': async (b) => {
        const h = await probeImage(b, { maxPixels: MAXPX });
        const plan = resizePlan(h.width, h.height, spec);
        const base = sharp(b, { limitInputPixels: MAXPX }).rotate().flatten({ background: '#ffffff' }).toColourspace('srgb');
        const thumb = base.clone().resize(THUMB_MAX_SIDE, THUMB_MAX_SIDE, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 80, effort: 1 }).toBuffer();
        if (plan.width <= h.width && plan.height <= h.height) {
          let m = base.clone().extract({ left: 0, top: 0, width: h.width, height: h.height }).resize(plan.width, plan.height, { fit: 'fill', kernel: spec.kernel, fastShrinkOnLoad: false });
          if (plan.crop) m = m.extract(plan.crop);
          toChw(await m.removeAlpha().raw().toBuffer(), spec);
        } else {
          const { data, info } = await base.clone().removeAlpha().raw().toBuffer({ resolveWithObject: true });
          await pixelsFromDecoded({ data, width: info.width, height: info.height, format: h.format }, spec);
        }
        return thumb;
      },
      'new (prepare.ts)': async (b) => newThumbnail(b, await proc.preprocessWithFacts(b)),
    };
    const s = await measure(strategies, imgs);
    for (const [name, f] of Object.entries(strategies)) {
      let same = 0;
      for (const b of checked) if ((await f(b)).equals(await makeThumbnail(b, MAXPX))) same++;
      strategyRows.push([kind, path.basename(dir), name, s.ms[name], s.cpu[name], `${same}/${checked.length}`]);
    }
  }
}
console.log(`${count} images per kind, interleaved image by image in random order; median of ${reps} reps\n`);
console.log(
  table(
    [
      'images', 'model', 'input', 'probe', 'decode', 'thumbnail (makeThumbnail)',
      'preprocess wall old → new', 'old/new', 'preprocess CPU old → new', 'old/new',
      'prepare wall old → new', 'old/new', 'prepare CPU old → new', 'old/new',
      'new vs old model input: max |Δ| (8-bit levels)', 'thumbnails byte-identical',
    ],
    rows,
  ),
);
console.log('\nprepare = the per-image image work of lib/ingest/prepare.ts: old = probe + old preprocess + makeThumbnail; new = new preprocess + its thumbnail.');
console.log("CPU = user + system time of the whole process (sharp's threads included) per image: less skewed than wall time when other work shares the cores.");
console.log('\nModel input + thumbnail of one image, ways considered (clone() runs its two pipelines at once: less wall time, not less CPU)\n');
console.log(table(['images', 'model', 'how', 'wall ms', 'CPU ms', 'thumbnail = makeThumbnail(original)'], strategyRows));
for (const s of skipped) console.log(`\n${path.relative(ROOT, s)}: no preprocessor_config.json there; its rows are skipped.`);
printFooter();
