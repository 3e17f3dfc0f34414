/**
 * Where preprocessing time goes, per image, one image at a time on one thread: sha256, the header
 * probe, decodeImage (full decode to 8-bit RGB), lib/clip's resize + crop + CHW, the whole
 * preprocessImage, the thumbnail — and a candidate fix: one fused sharp pipeline (decode → resize
 * → crop → raw, letting libjpeg shrink on load) with its largest difference from lib/clip's
 * pixels, in 8-bit levels (lib/clip matches PIL; the candidate only applies when downscaling).
 *
 *   npx tsx bench/ingest/preprocess-parts.ts [--models models/mini-clip,bench/.cache/vit-b32-random] [--count 64]
 */
import path from 'node:path';
import crypto from 'node:crypto';
import sharp from 'sharp';
import { decodeImage, probeImage, readModelManifest } from '../../lib/clip';
import { pixelsFromDecoded, resolvePreprocessSpec, shortestEdgeSize, toChw, type PreprocessSpec } from '../../lib/clip/image-processor';
import { makeThumbnail } from '../../lib/store';
import { printFooter, printHeader, ROOT } from '../shared/machine';
import { makeImages, type ImageKind } from '../shared/images';
import { listArg, median, numListArg, parseArgs, table } from '../shared/stats';

const args = parseArgs(process.argv.slice(2));
const models = listArg(args, 'models', 'models/mini-clip,bench/.cache/vit-b32-random').map((m) => path.resolve(ROOT, m));
const count = numListArg(args, 'count', '64')[0];
const MAXPX = 40_000_000;
sharp.concurrency(1);

printHeader('Preprocessing parts, ms per image (one image at a time, sharp.concurrency(1))', ['sharp']);

async function fused(bytes: Buffer, spec: PreprocessSpec): Promise<Float32Array> {
  const meta = await sharp(bytes).metadata();
  const t = shortestEdgeSize(meta.width!, meta.height!, spec.shortestEdge ?? spec.width);
  const rgb = await sharp(bytes, { limitInputPixels: MAXPX })
    .rotate()
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .resize(t.width, t.height, { fit: 'fill', kernel: 'cubic' })
    .extract({ left: Math.trunc((t.width - spec.width) / 2), top: Math.trunc((t.height - spec.height) / 2), width: spec.width, height: spec.height })
    .removeAlpha()
    .raw({ depth: 'uchar' })
    .toBuffer();
  return toChw(rgb, spec);
}

const rows: (string | number)[][] = [];
for (const kind of ['muge', 'emoji'] as ImageKind[]) {
  const imgs = await makeImages(kind, count, 500);
  for (const dir of models) {
    const spec = resolvePreprocessSpec(readModelManifest(dir));
    const parts: Record<string, (b: Buffer) => Promise<unknown>> = {
      sha256: async (b) => crypto.createHash('sha256').update(b).digest(),
      probe: (b) => probeImage(b, { maxPixels: MAXPX }),
      decode: (b) => decodeImage(b, { maxPixels: MAXPX }),
      'preprocess (decode + resize + crop + CHW)': async (b) => pixelsFromDecoded(await decodeImage(b, { maxPixels: MAXPX }), spec),
      thumbnail: (b) => makeThumbnail(b, MAXPX),
      'fused sharp pipeline + CHW (candidate)': (b) => fused(b, spec),
    };
    const ms: Record<string, number> = {};
    for (const [name, f] of Object.entries(parts)) {
      for (const b of imgs.slice(0, 4)) await f(b);
      const reps: number[] = [];
      for (let r = 0; r < 3; r++) {
        const t = performance.now();
        for (const b of imgs) await f(b);
        reps.push((performance.now() - t) / imgs.length);
      }
      ms[name] = median(reps);
    }
    let maxDiff = 0;
    const std = spec.std ?? [1, 1, 1];
    for (const b of imgs.slice(0, 16)) {
      const a = await pixelsFromDecoded(await decodeImage(b, { maxPixels: MAXPX }), spec);
      const c = await fused(b, spec);
      const plane = spec.width * spec.height;
      for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, (Math.abs(a[i] - c[i]) * std[Math.floor(i / plane)]) / (spec.rescale ?? 1 / 255));
    }
    const pre = ms['preprocess (decode + resize + crop + CHW)'];
    rows.push([kind, path.basename(dir), `${spec.width} px`, ms.sha256, ms.probe, ms.decode, pre - ms.decode, pre, ms.thumbnail, ms.sha256 + 2 * ms.probe + pre + ms.thumbnail, ms['fused sharp pipeline + CHW (candidate)'], Math.round(maxDiff)]);
  }
}
console.log(table(['images', 'model', 'input', 'sha256', 'probe', 'decode', 'resize + crop + CHW', 'preprocess total', 'thumbnail', 'ingest prepare ≈ (sha + 2 probes + preprocess + thumbnail)', 'fused candidate', 'fused: max |Δ| (8-bit levels)'], rows));
console.log('\nThe ingest prepare step runs probe twice (prepare.ts probes, then decodeImage reads the header again) and decodes every original twice (preprocess, thumbnail).');
printFooter();
