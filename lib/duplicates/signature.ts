/**
 * Pixel signatures: the image's stored thumbnail shrunk to 16×16 RGB (alpha on white, the aspect
 * ignored), mean-centred and L2-normalised, so the dot product of two signatures is the Pearson
 * correlation of their pixels. They check what a CLIP neighbour suggests: a small model (mini-clip)
 * puts different drawings of one concept as close as a resized copy, while the pixels of a copy
 * stay correlated and those of another drawing mostly do not (bench/duplicates/threshold.ts).
 *
 * A crop shifts every pixel, so each image also gets signatures of a few crops of itself (the
 * centre at 4 % and 8 % off each side, and 8 % off two sides at each corner); two images compare
 * as the best of "A whole against a crop of B" and "a crop of A against B whole". On the demo
 * corpus, at 0.95, that links 93 % of 5 %-cropped and 88 % of 10 %-corner-cropped copies (3 % and
 * 0.3 % with the whole image alone), at the cost of 120 instead of 87 linked pairs among the 3,022
 * CLIP-close distinct pairs (bench/duplicates/threshold-results.txt).
 */
import sharp from 'sharp';

export const SIGNATURE_SIDE = 16;

/** Fractions cut off (left, top, right, bottom); the first is the whole image. */
const CROPS: [number, number, number, number][] = [
  [0, 0, 0, 0],
  [0.04, 0.04, 0.04, 0.04],
  [0.08, 0.08, 0.08, 0.08],
  [0.08, 0.08, 0, 0],
  [0, 0.08, 0.08, 0],
  [0, 0, 0.08, 0.08],
  [0.08, 0, 0, 0.08],
];

export type Signatures = Float32Array[];

function normalise(raw: Buffer): Float32Array {
  const v = new Float32Array(raw.length);
  let mean = 0;
  for (let i = 0; i < raw.length; i++) mean += raw[i];
  mean /= raw.length;
  let norm = 0;
  for (let i = 0; i < raw.length; i++) {
    v[i] = raw[i] - mean;
    norm += v[i] * v[i];
  }
  norm = Math.sqrt(norm);
  // A flat image (one colour) has no pattern to correlate: all zeros (see similarity()).
  if (norm > 1e-6) for (let i = 0; i < v.length; i++) v[i] /= norm;
  return v;
}

/** The grid one decode is shrunk to; every crop's signature is sampled from it (one sharp pipeline per image). */
const GRID = 64;

/** The signatures of an image's bytes (the whole image first, then its crops). */
export async function pixelSignatures(image: Buffer): Promise<Signatures> {
  const px = await sharp(image, { failOn: 'none' })
    .flatten({ background: '#ffffff' })
    .removeAlpha()
    .toColourspace('srgb')
    .resize(GRID, GRID, { fit: 'fill', kernel: 'cubic' })
    .raw()
    .toBuffer();
  return CROPS.map((crop) => normalise(sampleCrop(px, crop)));
}

/**
 * The crop [l, t, r, b] of the GRID×GRID RGB pixels as SIGNATURE_SIDE² cells, each the mean of
 * 2×2 bilinear samples: each sample blends 2×2 pixels, so a cell of about 4×4 pixels is averaged
 * (close to an area average, which a 4× reduction needs to avoid aliasing), at a quarter of the
 * cost of 4×4 samples.
 */
function sampleCrop(px: Buffer, [l, t, r, b]: [number, number, number, number]): Buffer {
  const out = Buffer.alloc(SIGNATURE_SIDE * SIGNATURE_SIDE * 3);
  const x0 = l * GRID;
  const y0 = t * GRID;
  const cw = ((1 - l - r) * GRID) / SIGNATURE_SIDE;
  const ch = ((1 - t - b) * GRID) / SIGNATURE_SIDE;
  const S = 2;
  for (let cy = 0; cy < SIGNATURE_SIDE; cy++) {
    for (let cx = 0; cx < SIGNATURE_SIDE; cx++) {
      const acc = [0, 0, 0];
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          // sample position in pixel-centre coordinates, clamped to the grid
          const fx = Math.min(GRID - 1, Math.max(0, x0 + (cx + (sx + 0.5) / S) * cw - 0.5));
          const fy = Math.min(GRID - 1, Math.max(0, y0 + (cy + (sy + 0.5) / S) * ch - 0.5));
          const ix = Math.floor(fx);
          const iy = Math.floor(fy);
          const ax = fx - ix;
          const ay = fy - iy;
          const jx = Math.min(GRID - 1, ix + 1);
          const jy = Math.min(GRID - 1, iy + 1);
          const p00 = (iy * GRID + ix) * 3;
          const p10 = (iy * GRID + jx) * 3;
          const p01 = (jy * GRID + ix) * 3;
          const p11 = (jy * GRID + jx) * 3;
          const w00 = (1 - ax) * (1 - ay);
          const w10 = ax * (1 - ay);
          const w01 = (1 - ax) * ay;
          const w11 = ax * ay;
          for (let c = 0; c < 3; c++) acc[c] += px[p00 + c] * w00 + px[p10 + c] * w10 + px[p01 + c] * w01 + px[p11 + c] * w11;
        }
      }
      const o = (cy * SIGNATURE_SIDE + cx) * 3;
      for (let c = 0; c < 3; c++) out[o + c] = Math.round(acc[c] / (S * S));
    }
  }
  return out;
}

function similarity(a: Float32Array, b: Float32Array): number {
  let s = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    s += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  // Flat images: the same only if both are flat.
  if (na === 0 || nb === 0) return na === nb ? 1 : 0;
  return s;
}

/** The pixel similarity of two images: the best of whole-against-crop both ways (−1..1). */
export function signatureSimilarity(a: Signatures, b: Signatures): number {
  let best = similarity(a[0], b[0]);
  for (let k = 1; k < Math.min(a.length, b.length); k++) best = Math.max(best, similarity(a[0], b[k]), similarity(a[k], b[0]));
  return best;
}
