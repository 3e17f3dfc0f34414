/**
 * What the peer pipeline of issue 13 (target 6, bench/ingest/peer.mjs: Transformers.js) feeds the
 * model, beside what clipdex feeds it and what the Python reference feeds it, for the same images
 * and the same model folder. The reference is transformers' CLIPImageProcessor done with PIL
 * (`convert('RGB')`, `resize` of the shortest edge with BICUBIC, the centre crop), run through
 * /usr/bin/python3 when PIL and numpy are there (`apt-get install python3-pil python3-numpy`; left
 * out otherwise). For each pair of pipelines:
 * - the model inputs: absolute differences in 8-bit levels (the normalised difference × the
 *   processor's std × 255), mean, max and the share of values more than 2 levels apart;
 * - the image embeddings both inputs give through the same image tower (clipdex's session):
 *   cosine, min and median;
 * and text→image recall@1/5/10 on demo/valid.tsv (200 pairs; captions through clipdex's text tower,
 * a hit is any image whose caption equals the query) with each pipeline's inputs.
 * clipdex resizes as PIL does and composites transparency on white (the bundled model was trained
 * on white); PIL's convert('RGB') and Transformers.js drop the alpha channel, and Transformers.js
 * resizes with sharp's point-sampled affine transform. Corpora: the first --count images of the
 * 1,000 generated JPEG pairs (500×500, q85; bench/ingest-peer.ts makes them) and of demo/train.tsv
 * (72 px emoji PNGs with transparency).
 *
 *   npx tsx bench/ingest/peer-inputs.ts [--model models/mini-clip] [--count 256]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { AutoProcessor, RawImage, env } from '@huggingface/transformers';
import { loadClipModel } from '../../lib/clip';
import { dot } from '../shared/clustered';
import { jpegPairsCorpus } from '../shared/images';
import { CACHE, printFooter, printHeader, ROOT } from '../shared/machine';
import { fmt, median, parseArgs, table } from '../shared/stats';

const args = parseArgs(process.argv.slice(2));
const modelDir = path.resolve(ROOT, args.get('model') ?? 'models/mini-clip');
const count = Number(args.get('count') ?? 256);

env.allowRemoteModels = false;
env.localModelPath = `${path.dirname(modelDir)}/`;
// Transformers.js types its processors loosely (no image_std, crop_size): read them as plain data.
const processor: any = await AutoProcessor.from_pretrained(path.basename(modelDir));
const { image_mean: mean, image_std: std, crop_size: crop, size } = processor.image_processor as {
  image_mean: number[];
  image_std: number[];
  crop_size: { width: number; height: number };
  size: { shortest_edge: number };
};
const model = await loadClipModel(modelDir);
const plane = crop.width * crop.height;

const rowsOf = (file: string, n: number) => fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).slice(0, n).map((l) => l.split('\t'));

/** The peer's model inputs: RawImage.fromBlob, then the processor, 32 images at a time (as peer.mjs). */
async function peerInputs(images: Buffer[]): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let i = 0; i < images.length; i += 32) {
    const raws = await Promise.all(images.slice(i, i + 32).map((b) => RawImage.fromBlob(new Blob([new Uint8Array(b)]))));
    const data = (await processor(raws)).pixel_values.data as Float32Array;
    for (let k = 0; k < raws.length; k++) out.push(data.slice(k * 3 * plane, (k + 1) * 3 * plane));
  }
  return out;
}

const PIL_SCRIPT = `
import base64, io, sys
import numpy as np
from PIL import Image
src, n, s, cw, ch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
out = []
with open(src) as f:
    for i, line in enumerate(f):
        if i >= n: break
        im = Image.open(io.BytesIO(base64.b64decode(line.rstrip('\\n').split('\\t')[1]))).convert('RGB')
        w, h = im.size
        nw, nh = (s, int(s * h / w)) if w <= h else (int(s * w / h), s)
        im = im.resize((nw, nh), resample=Image.BICUBIC)
        l, t = (nw - cw) // 2, (nh - ch) // 2
        out.append(np.asarray(im.crop((l, t, l + cw, t + ch)), dtype=np.uint8))
sys.stdout.buffer.write(np.stack(out).tobytes())
`;

/** The reference's model inputs (CHW, normalised), or undefined without PIL. */
function pilInputs(file: string, n: number): Float32Array[] | undefined {
  const r = spawnSync('/usr/bin/python3', ['-c', PIL_SCRIPT, file, String(n), String(size.shortest_edge), String(crop.width), String(crop.height)], { maxBuffer: 1 << 30 });
  if (r.status !== 0) return undefined;
  const hwc = r.stdout;
  const out: Float32Array[] = [];
  for (let k = 0; k * 3 * plane < hwc.length; k++) {
    const v = new Float32Array(3 * plane);
    for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) v[c * plane + p] = (hwc[(k * plane + p) * 3 + c] / 255 - mean[c]) / std[c];
    out.push(v);
  }
  return out;
}

/** One pipeline's model inputs for a set of images, and the embeddings they give (unit length: lib/clip normalises). */
interface Inputs {
  pixels: Float32Array[];
  vectors: Float32Array[];
}
const embed = async (pixels: Float32Array[]): Promise<Inputs> => ({ pixels, vectors: await model.encodePixels(pixels) });

/** Input differences in levels and embedding cosines of two pipelines for the same images. */
function compare(a: Inputs, b: Inputs): string[] {
  let max = 0;
  let sum = 0;
  let over2 = 0;
  let n = 0;
  a.pixels.forEach((x, k) => {
    const y = b.pixels[k];
    if (x.length !== y.length) throw new Error(`inputs of ${x.length} and ${y.length} values`);
    for (let i = 0; i < x.length; i++) {
      const levels = Math.abs(x[i] - y[i]) * std[Math.floor(i / plane)] * 255;
      max = Math.max(max, levels);
      sum += levels;
      if (levels > 2) over2++;
      n++;
    }
  });
  const cos = a.vectors.map((v, k) => dot(v, b.vectors[k]));
  return [fmt(sum / n), fmt(max), `${fmt((100 * over2) / n)} %`, fmt(Math.min(...cos), 4), fmt(median(cos), 4)];
}

printHeader("the peer pipeline's model inputs beside clipdex's and PIL's — bench/ingest/peer-inputs.ts", ['onnxruntime-node', '@huggingface/transformers', 'sharp']);
console.log(`- model: ${path.relative(ROOT, modelDir)}; ${count} images a corpus\n`);

const corpora: [string, string][] = [
  ['JPEG pairs (500×500)', await jpegPairsCorpus(1000, path.join(CACHE, 'ingest-peer'))],
  ['demo/train.tsv (emoji with transparency)', path.join(ROOT, 'demo', 'train.tsv')],
];
const rows: (string | number)[][] = [];
let withPil = true;
for (const [label, file] of corpora) {
  const images = rowsOf(file, count).map((r) => Buffer.from(r[1], 'base64'));
  const ours = await embed(await Promise.all(images.map((b) => model.preprocessImage(b))));
  const peer = await embed(await peerInputs(images));
  const pilPixels = pilInputs(file, count);
  if (pilPixels) {
    const pil = await embed(pilPixels);
    rows.push([label, images.length, 'clipdex vs PIL', ...compare(ours, pil)]);
    rows.push([label, images.length, 'peer vs PIL', ...compare(peer, pil)]);
  } else withPil = false;
  rows.push([label, images.length, 'peer vs clipdex', ...compare(peer, ours)]);
}
console.log(table(['corpus', 'images', 'inputs', 'mean Δ (levels)', 'max Δ', '> 2 levels', 'embedding cosine min', 'median'], rows));
if (!withPil) console.log('\n(PIL rows left out: /usr/bin/python3 with PIL and numpy is not there; apt-get install python3-pil python3-numpy)');

const validFile = path.join(ROOT, 'demo', 'valid.tsv');
const valid = rowsOf(validFile, Infinity);
const validImages = valid.map((r) => Buffer.from(r[1], 'base64'));
const queries = await model.encodeTexts(valid.map((r) => r[0]));
function recall(vectors: Float32Array[]): string[] {
  const ranked = queries.map((q) => vectors.map((v, j) => [dot(v, q), j] as const).sort((x, y) => y[0] - x[0]).map(([, j]) => j));
  return [1, 5, 10].map((k) => fmt(ranked.filter((r, qi) => r.slice(0, k).some((j) => valid[j][0] === valid[qi][0])).length / queries.length));
}
const recallRows = [
  ['clipdex (lib/clip: alpha on white)', ...recall(await model.encodePixels(await Promise.all(validImages.map((b) => model.preprocessImage(b)))))],
  ['peer (Transformers.js processor)', ...recall(await model.encodePixels(await peerInputs(validImages)))],
];
const validPil = pilInputs(validFile, valid.length);
if (validPil) recallRows.push(["PIL reference (convert('RGB'): alpha dropped)", ...recall(await model.encodePixels(validPil))]);
console.log(`\ntext→image on demo/valid.tsv (${valid.length} pairs), the same towers:\n`);
console.log(table(['model inputs', 'R@1', 'R@5', 'R@10'], recallRows));
await model.close();
printFooter();
