/**
 * Pixel signatures (issue 13): cells are exact area means, checked against a brute-force
 * supersampled reference; and an image's signatures read off the pixels ingest preprocessed for
 * the bundled model agree with those read off its stored thumbnail (the two routes findLinks mixes),
 * on demo drawings and on photo-like JPEGs, while different images stay apart.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readModelManifest } from '../clip/manifest';
import { createImageProcessor, resolvePreprocessSpec } from '../clip/image-processor';
import { thumbnailFor } from '../store/thumbnail';
import { CROPS, pixelSignatures, signaturesFromRgb, signatureSimilarity, SIGNATURE_SIDE, type Signatures } from './signature';

const ROOT = path.resolve(__dirname, '../..');
const MAXPX = 40_000_000;

/** Seeded 8-bit RGB: smooth gradients, blocks and noise. */
function texture(w: number, h: number, seed: number): Uint8Array {
  const px = new Uint8Array(w * h * 3);
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 8) / 0x1000000;
  const phase = rnd() * 6;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 3; c++) {
        const block = ((x >> (4 + (seed % 3))) + (y >> 4) + c + seed) % 3 === 0 ? 80 : 0;
        px[(y * w + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(70 + block + 50 * Math.sin((x + seed * 7) * 0.05 + phase + c) * Math.cos(y * 0.04 * (c + 1)) + 15 * rnd())));
      }
  return px;
}

/**
 * The cells of one crop (fractions cut off left, top, right, bottom) by point-sampling each cell on
 * a fine grid, the pixels taken as constant squares.
 */
function referenceCells(rgb: Uint8Array, w: number, h: number, [l, t, r, b]: readonly number[]): Float64Array {
  const n = SIGNATURE_SIDE;
  const out = new Float64Array(n * n * 3);
  const S = 60;
  const cw = ((1 - l - r) * w) / n;
  const ch = ((1 - t - b) * h) / n;
  for (let cy = 0; cy < n; cy++)
    for (let cx = 0; cx < n; cx++)
      for (let sy = 0; sy < S; sy++)
        for (let sx = 0; sx < S; sx++) {
          const x = Math.floor(l * w + (cx + (sx + 0.5) / S) * cw);
          const y = Math.floor(t * h + (cy + (sy + 0.5) / S) * ch);
          for (let c = 0; c < 3; c++) out[(cy * n + cx) * 3 + c] += rgb[(y * w + x) * 3 + c] / (S * S);
        }
  return out;
}

function centredUnit(v: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(v);
  const mean = out.reduce((a, b) => a + b, 0) / out.length;
  let norm = 0;
  for (let i = 0; i < out.length; i++) norm += (out[i] -= mean) ** 2;
  return out.map((x) => x / Math.sqrt(norm));
}

describe('pixel signatures', () => {
  it('are the area means of 16×16 cells of the whole image and of each crop, whatever the size (cells that cut through pixels too)', () => {
    expect(CROPS).toHaveLength(7);
    for (const [w, h] of [[37, 23], [96, 96], [150, 41], [16, 16]]) {
      const rgb = texture(w, h, w + h);
      const sigs = signaturesFromRgb(rgb, w, h);
      CROPS.forEach((crop, k) => {
        const want = centredUnit(referenceCells(rgb, w, h, crop));
        let dot = 0;
        for (let i = 0; i < want.length; i++) dot += sigs[k][i] * want[i];
        // The reference point-samples 60×60 per cell: within its own sampling error of exact.
        expect(dot, `${w}×${h}, crop ${crop.join(',')}`).toBeGreaterThan(0.9999);
      });
    }
  });

  it('are all zeros for a flat image (noise under half a level included), which only matches another flat image', () => {
    const flat = new Uint8Array(40 * 30 * 3).fill(200);
    const sigs = signaturesFromRgb(flat, 40, 30);
    expect(sigs).toHaveLength(7);
    for (const s of sigs) expect(s.every((x) => x === 0)).toBe(true);
    expect(signatureSimilarity(sigs, signaturesFromRgb(new Uint8Array(40 * 30 * 3).fill(10), 40, 30))).toBe(1);
    expect(signatureSimilarity(sigs, signaturesFromRgb(texture(40, 30, 1), 40, 30))).toBe(0);
    // ±1 level of grey pixel noise on a plain background (a JPEG of a blank page): flat.
    const [w, h] = [160, 120];
    const plain = new Uint8Array(w * h * 3).fill(200);
    let seed = 7;
    const noise = Array.from({ length: w * h }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) % 3) - 1);
    const noisy = plain.map((v, i) => v + noise[Math.floor(i / 3)]);
    expect(noisy.some((v, i) => v !== plain[i])).toBe(true);
    expect(signaturesFromRgb(noisy, w, h).every((s) => s.every((x) => x === 0))).toBe(true);
    // A faint left-to-right ramp of 4 levels is a pattern, not noise.
    const faint = plain.map((v, i) => v + Math.floor((Math.floor(i / 3) % w) / 40));
    expect(signaturesFromRgb(faint, w, h)[0].some((x) => x !== 0)).toBe(true);
  });

  it('do not match a flat image through a flat crop of another', () => {
    // A blank page with one mark in a corner: the crops that cut the corner off are flat.
    const w = 100;
    const page = new Uint8Array(w * w * 3).fill(255);
    for (let y = 0; y < 5; y++) for (let x = 0; x < 5; x++) page.fill(0, (y * w + x) * 3, (y * w + x) * 3 + 3);
    const marked = signaturesFromRgb(page, w, w);
    expect(marked[0].some((x) => x !== 0)).toBe(true);
    expect(marked.slice(1).some((s) => s.every((x) => x === 0))).toBe(true);
    const blank = signaturesFromRgb(new Uint8Array(w * w * 3).fill(240), w, w);
    expect(signatureSimilarity(marked, blank)).toBe(0);
    expect(signatureSimilarity(blank, marked)).toBe(0);
  });

  it('read off the preprocessed pixels agree with those read off the stored thumbnail; different images stay apart', async () => {
    const spec = resolvePreprocessSpec(readModelManifest(path.join(ROOT, 'models/mini-clip')));
    const processor = createImageProcessor(spec, MAXPX);
    const images: Buffer[] = [];
    // Demo drawings (small PNGs with alpha: enlarged for the model; their own thumbnails, alpha kept).
    const lines = fs.readFileSync(path.join(ROOT, 'demo/valid.tsv'), 'utf8').split('\n').filter(Boolean);
    for (const line of lines.slice(0, 40)) images.push(Buffer.from(line.split('\t')[1], 'base64'));
    // Photo-like JPEGs: shrunk for the model; a large one gets a WebP thumbnail, a wide one a centre
    // crop; the smooth small ones are their own thumbnails (≤ 512 px, ≤ 64 KiB).
    const jpegs: [number, number, number, number][] = [[500, 500, 1, 85], [1600, 1200, 2, 85], [640, 360, 3, 85], [300, 700, 4, 85], [400, 300, 5, 40], [200, 200, 6, 40]];
    for (const [w, h, seed, quality] of jpegs) {
      images.push(await sharp(texture(w, h, seed), { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality }).toBuffer());
    }
    const fromPixels: Signatures[] = [];
    const fromThumb: Signatures[] = [];
    let ownThumbnails = 0;
    for (const bytes of images) {
      const p = await processor.preprocessWithFacts(bytes);
      fromPixels.push(signaturesFromRgb(p.whole.data, p.whole.width, p.whole.height));
      const thumb = await thumbnailFor(bytes, MAXPX, { header: p.header, decoded: p.decoded });
      if (thumb.bytes === bytes) ownThumbnails++;
      fromThumb.push(await pixelSignatures(thumb.bytes));
    }
    // Both kinds of thumbnail are read back: WebP re-encodes and originals kept as their own.
    expect(ownThumbnails).toBeGreaterThanOrEqual(2);
    expect(ownThumbnails).toBeLessThan(images.length);
    const same = fromPixels.map((s, i) => signatureSimilarity(s, fromThumb[i]));
    // The duplicate threshold is 0.95; the same image by either route stays well above it.
    expect(Math.min(...same)).toBeGreaterThan(0.99);
    const photos = fromPixels.slice(-6);
    for (let i = 0; i < photos.length; i++) for (let j = i + 1; j < photos.length; j++) expect(signatureSimilarity(photos[i], photos[j])).toBeLessThan(0.9);
  });
});
