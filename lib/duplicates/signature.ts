/**
 * Pixel signatures: the image shrunk to 16×16 RGB cells (each cell the exact mean of the pixels it
 * covers, alpha on white, the aspect ignored), mean-centred and L2-normalised, so the dot product
 * of two signatures is the Pearson correlation of their cells. They check what a CLIP neighbour
 * suggests: a small model (mini-clip) puts different drawings of one concept as close as a resized
 * copy, while the pixels of a copy stay correlated and those of another drawing mostly do not
 * (bench/duplicates/threshold.ts).
 *
 * A crop shifts every pixel, so each image also gets signatures of a few crops of itself (the
 * centre at 4 % and 8 % off each side, and 8 % off two sides at each corner); two images compare
 * as the best of "A whole against a crop of B" and "a crop of A against B whole". On the demo
 * corpus, at 0.95, that links ~93 % of 5 %-cropped and ~88 % of 10 %-corner-cropped copies (3 % and
 * 0.3 % with the whole image alone), at the cost of ~120 instead of 87 linked pairs among the
 * 3,022 CLIP-close distinct pairs (bench/duplicates/threshold-results.txt).
 *
 * issue 13: the cells are area means read off a summed-area table of any decoded copy of the image,
 * so the same function serves every source: the pixels ingest's preprocessing already decoded (the
 * whole image, or the model's resize of it before its centre crop: signaturesFromRgb, no decode of
 * its own) and a stored thumbnail read back later (pixelSignatures). Area means of 16×16 cells
 * hardly depend on which of these copies they are read from (a resize only redistributes pixels
 * within a cell), so signatures from the two routes compare as the same image; ingest no longer
 * pays a second decode and a libvips resize (~2 CPU-ms) per image for them (bench/RESULTS.md).
 */
import sharp from 'sharp';

export const SIGNATURE_SIDE = 16;

/** Fractions cut off (left, top, right, bottom); the first is the whole image. */
export const CROPS: [number, number, number, number][] = [
  [0, 0, 0, 0],
  [0.04, 0.04, 0.04, 0.04],
  [0.08, 0.08, 0.08, 0.08],
  [0.08, 0.08, 0, 0],
  [0, 0.08, 0.08, 0],
  [0, 0, 0.08, 0.08],
  [0.08, 0, 0, 0.08],
];

export type Signatures = Float32Array[];

function normalise(v: Float32Array): Float32Array {
  let mean = 0;
  for (let i = 0; i < v.length; i++) mean += v[i];
  mean /= v.length;
  let norm = 0;
  for (let i = 0; i < v.length; i++) {
    v[i] -= mean;
    norm += v[i] * v[i];
  }
  norm = Math.sqrt(norm);
  // A flat image (one colour, give or take half a level: JPEG noise on a plain background) has no
  // pattern to correlate: all zeros (see similarity()).
  if (norm > 0.5 * Math.sqrt(v.length)) for (let i = 0; i < v.length; i++) v[i] /= norm;
  else v.fill(0);
  return v;
}

/**
 * The summed-area table of 8-bit RGB (w×h): (w+1)×(h+1) entries per channel, interleaved; entry
 * (x, y) is the sum over the pixels left of x and above y.
 */
function summedArea(rgb: Uint8Array, w: number, h: number): Float64Array {
  const W = w + 1;
  const sat = new Float64Array(W * (h + 1) * 3);
  for (let y = 0; y < h; y++) {
    let r = 0;
    let g = 0;
    let b = 0;
    let src = y * w * 3;
    let up = (y * W + 1) * 3;
    let dst = ((y + 1) * W + 1) * 3;
    for (let x = 0; x < w; x++) {
      r += rgb[src];
      g += rgb[src + 1];
      b += rgb[src + 2];
      sat[dst] = sat[up] + r;
      sat[dst + 1] = sat[up + 1] + g;
      sat[dst + 2] = sat[up + 2] + b;
      src += 3;
      up += 3;
      dst += 3;
    }
  }
  return sat;
}

/**
 * The exact area integral of each channel over [0, fx] × [0, fy] (pixel units) into `out` at `at`:
 * with the pixels as constant squares it is bilinear between the table's entries.
 */
function integral(sat: Float64Array, w: number, h: number, fx: number, fy: number, out: Float64Array, at: number): void {
  const W = w + 1;
  const ix = Math.min(Math.floor(fx), w - 1);
  const iy = Math.min(Math.floor(fy), h - 1);
  const ax = fx - ix;
  const ay = fy - iy;
  const p0 = (iy * W + ix) * 3;
  const p1 = p0 + W * 3;
  for (let c = 0; c < 3; c++) {
    const top = sat[p0 + c] * (1 - ax) + sat[p0 + 3 + c] * ax;
    const bottom = sat[p1 + c] * (1 - ax) + sat[p1 + 3 + c] * ax;
    out[at + c] = top * (1 - ay) + bottom * ay;
  }
}

/**
 * The signatures of decoded 8-bit RGB (w×h, already flattened on white), the whole image first,
 * then its crops: each cell the mean of the (fractional) pixels it covers.
 */
export function signaturesFromRgb(rgb: Uint8Array, w: number, h: number): Signatures {
  if (rgb.length !== w * h * 3 || w < 1 || h < 1) throw new Error(`expected ${w}×${h} RGB, got ${rgb.length} bytes`);
  const sat = summedArea(rgb, w, h);
  const n = SIGNATURE_SIDE;
  // The integral at each grid corner, per crop; a cell's sum is four corners apart.
  const corner = new Float64Array((n + 1) * (n + 1) * 3);
  return CROPS.map(([l, t, r, b]) => {
    const x0 = l * w;
    const y0 = t * h;
    const cw = ((1 - l - r) * w) / n;
    const ch = ((1 - t - b) * h) / n;
    for (let gy = 0; gy <= n; gy++) {
      for (let gx = 0; gx <= n; gx++) {
        integral(sat, w, h, Math.min(w, x0 + gx * cw), Math.min(h, y0 + gy * ch), corner, (gy * (n + 1) + gx) * 3);
      }
    }
    const area = cw * ch;
    const v = new Float32Array(n * n * 3);
    for (let cy = 0; cy < n; cy++) {
      for (let cx = 0; cx < n; cx++) {
        const a = (cy * (n + 1) + cx) * 3;
        const d = ((cy + 1) * (n + 1) + cx) * 3;
        for (let c = 0; c < 3; c++) v[(cy * n + cx) * 3 + c] = (corner[d + 3 + c] - corner[d + c] - corner[a + 3 + c] + corner[a + c]) / area;
      }
    }
    return normalise(v);
  });
}

/** The signatures of an image's bytes (a stored thumbnail): decoded whole, then signaturesFromRgb. */
export async function pixelSignatures(image: Buffer): Promise<Signatures> {
  const { data, info } = await sharp(image, { failOn: 'none' })
    .flatten({ background: '#ffffff' })
    .removeAlpha()
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels, expected 3`);
  return signaturesFromRgb(data, info.width, info.height);
}

/** A flat signature is all zeros (normalise); any other has unit length, so its first non-zero cell comes early. */
function isFlat(v: Float32Array): boolean {
  for (let i = 0; i < v.length; i++) if (v[i] !== 0) return false;
  return true;
}

/**
 * `flatMatch`: what two flat signatures score (1 whole against whole; a flat crop says nothing).
 * Otherwise both have unit length (normalise), so the dot product alone is the correlation: one
 * accumulation, not three (issue 13: this loop was the ingest's busiest JavaScript on the JPEGs).
 */
function similarity(a: Float32Array, b: Float32Array, flatMatch: 0 | 1): number {
  // Flat images: the same only if both are flat, whole against whole.
  const flatA = isFlat(a);
  const flatB = isFlat(b);
  if (flatA || flatB) return flatA === flatB ? flatMatch : 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * The pixel similarity of two images: the best of whole-against-crop both ways (−1..1). A crop
 * that is flat (a blank page whose one mark the crop cut off) matches nothing: only two images
 * flat as a whole are the same by their pixels.
 */
export function signatureSimilarity(a: Signatures, b: Signatures): number {
  let best = similarity(a[0], b[0], 1);
  for (let k = 1; k < Math.min(a.length, b.length); k++) best = Math.max(best, similarity(a[0], b[k], 0), similarity(a[k], b[0], 0));
  return best;
}
