/**
 * Bytes to model input, one image at a time, in clipdex and in the peer pipeline of issue 13
 * (target 6, bench/ingest/peer.mjs), same images, interleaved image by image so that load on the
 * machine hits both alike. CPU time of the whole process (user + system: sharp's threads count) and
 * wall time per image, medians over the images of each round, then the median of the rounds:
 * - clipdex: `preprocessImage` (a header probe, then one sharp pipeline that decodes and resizes
 *   with PIL's antialiased bicubic, the centre crop, CHW floats);
 * - its parts: the probe alone, and `decodeResized` alone (decode + resize in one pipeline);
 * - the peer: `RawImage.fromBlob` (metadata, then a full decode to raw) and the processor on that
 *   one image (a second sharp pipeline from raw pixels: point-sampled bicubic `affine`; crop,
 *   rescale and normalise in JavaScript);
 * - its parts: the full decode alone (`sharp(b).rotate().raw()`), and the affine resize alone from
 *   the decoded pixels.
 * Corpus: the 1,000 generated 500×500 JPEG pairs of bench/ingest-peer.ts (first --count images).
 *
 *   npx tsx bench/ingest/peer-image-steps.ts [--model models/mini-clip] [--count 200] [--rounds 3]
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { AutoProcessor, RawImage, env } from '@huggingface/transformers';
import { loadClipModel, probeImage } from '../../lib/clip';
import { decodeResized } from '../../lib/clip/resample';
import { jpegPairsCorpus } from '../shared/images';
import { CACHE, printFooter, printHeader, ROOT } from '../shared/machine';
import { fmt, median, parseArgs, table } from '../shared/stats';

const args = parseArgs(process.argv.slice(2));
const modelDir = path.resolve(ROOT, args.get('model') ?? 'models/mini-clip');
const count = Number(args.get('count') ?? 200);
const rounds = Number(args.get('rounds') ?? 3);

env.allowRemoteModels = false;
env.localModelPath = `${path.dirname(modelDir)}/`;
const processor = await AutoProcessor.from_pretrained(path.basename(modelDir));
const model = await loadClipModel(modelDir);
const side = 96;

const file = await jpegPairsCorpus(1000, path.join(CACHE, 'ingest-peer'));
const images = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).slice(0, count).map((l) => Buffer.from(l.split('\t')[1], 'base64'));
// Headers and decoded pixels for the parts that start from them (made outside the timed steps).
const headers = await Promise.all(images.map((b) => probeImage(b, { maxPixels: 1e8 })));
const decoded = await Promise.all(images.map((b) => sharp(b).rotate().raw().toBuffer({ resolveWithObject: true })));

const steps: [string, (i: number) => Promise<unknown>][] = [
  ['clipdex: preprocessImage (probe + fused decode/resize + crop + CHW)', (i) => model.preprocessImage(images[i])],
  ['  part: probe', (i) => probeImage(images[i], { maxPixels: 1e8 })],
  [`  part: decodeResized to ${side} px (antialiased cubic)`, (i) => decodeResized(images[i], headers[i], side, side, 'cubic', 1e8)],
  ['peer: RawImage.fromBlob + processor', async (i) => processor(await RawImage.fromBlob(new Blob([new Uint8Array(images[i])])))],
  ['  part: full decode to raw (rotate + raw)', (i) => sharp(images[i]).rotate().raw().toBuffer()],
  [
    `  part: affine resize to ${side} px from raw (point-sampled bicubic)`,
    (i) => {
      const { data, info } = decoded[i];
      return sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
        .affine([side / info.width, 0, 0, side / info.height], { interpolator: 'bicubic' })
        .raw()
        .toBuffer();
    },
  ],
];

printHeader('bytes to model input, clipdex beside the peer — bench/ingest/peer-image-steps.ts', ['onnxruntime-node', '@huggingface/transformers', 'sharp']);
console.log(`- ${images.length} images of ${path.relative(ROOT, file)} (${headers[0].width}×${headers[0].height} ${headers[0].format}); ${rounds} rounds; sharp concurrency ${sharp.concurrency()}\n`);

const cpu: number[][] = steps.map(() => []);
const wall: number[][] = steps.map(() => []);
for (let r = 0; r < rounds; r++) {
  const perImageCpu: number[][] = steps.map(() => []);
  const perImageWall: number[][] = steps.map(() => []);
  for (let i = 0; i < images.length; i++) {
    for (let s = 0; s < steps.length; s++) {
      const k = (s + i) % steps.length; // a different order for each image
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await steps[k][1](i);
      perImageWall[k].push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      perImageCpu[k].push((c.user + c.system) / 1000);
    }
  }
  steps.forEach((_, s) => {
    cpu[s].push(median(perImageCpu[s]));
    wall[s].push(median(perImageWall[s]));
  });
}
console.log(
  table(
    ['step', 'median CPU ms per image', 'rounds', 'median wall ms per image'],
    steps.map(([name], s) => [name, fmt(median(cpu[s])), cpu[s].map((x) => fmt(x)).join(', '), fmt(median(wall[s]))]),
  ),
);
await model.close();
printFooter();
