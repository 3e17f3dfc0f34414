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
import { pixelSignatures, signaturesFromRgb, signatureSimilarity, SIGNATURE_SIDE, type Signatures } from './signature';

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

/** The whole-image cells by point-sampling each cell on a fine grid (pixels as constant squares). */
function referenceCells(rgb: Uint8Array, w: number, h: number): Float64Array {
  const n = SIGNATURE_SIDE;
  const out = new Float64Array(n * n * 3);
  const S = 60;
  for (let cy = 0; cy < n; cy++)
    for (let cx = 0; cx < n; cx++)
      for (let sy = 0; sy < S; sy++)
        for (let sx = 0; sx < S; sx++) {
          const x = Math.floor(((cx + (sx + 0.5) / S) * w) / n);
          const y = Math.floor(((cy + (sy + 0.5) / S) * h) / n);
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
  it('are the area means of 16×16 cells, whatever the size (cells that cut through pixels too)', () => {
    for (const [w, h] of [[37, 23], [96, 96], [150, 41], [16, 16]]) {
      const rgb = texture(w, h, w + h);
      const got = signaturesFromRgb(rgb, w, h)[0];
      const want = centredUnit(referenceCells(rgb, w, h));
      let dot = 0;
      for (let i = 0; i < want.length; i++) dot += got[i] * want[i];
      // The reference point-samples 60×60 per cell: within its own sampling error of exact.
      expect(dot, `${w}×${h}`).toBeGreaterThan(0.9999);
    }
  });

  it('are all zeros for a flat image, which only matches another flat image', () => {
    const flat = new Uint8Array(40 * 30 * 3).fill(200);
    const sigs = signaturesFromRgb(flat, 40, 30);
    expect(sigs).toHaveLength(7);
    for (const s of sigs) expect(s.every((x) => x === 0)).toBe(true);
    expect(signatureSimilarity(sigs, signaturesFromRgb(new Uint8Array(40 * 30 * 3).fill(10), 40, 30))).toBe(1);
    expect(signatureSimilarity(sigs, signaturesFromRgb(texture(40, 30, 1), 40, 30))).toBe(0);
  });

  it('read off the preprocessed pixels agree with those read off the stored thumbnail; different images stay apart', async () => {
    const spec = resolvePreprocessSpec(readModelManifest(path.join(ROOT, 'models/mini-clip')));
    const processor = createImageProcessor(spec, MAXPX);
    const images: Buffer[] = [];
    // Demo drawings (small PNGs with alpha: enlarged for the model, their own thumbnails).
    const lines = fs.readFileSync(path.join(ROOT, 'demo/valid.tsv'), 'utf8').split('\n').filter(Boolean);
    for (const line of lines.slice(0, 40)) images.push(Buffer.from(line.split('\t')[1], 'base64'));
    // Photo-like JPEGs: shrunk for the model; a large one gets a WebP thumbnail, a wide one a centre crop.
    for (const [w, h, seed] of [[500, 500, 1], [1600, 1200, 2], [640, 360, 3], [300, 700, 4]]) {
      images.push(await sharp(texture(w, h, seed), { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 85 }).toBuffer());
    }
    const fromPixels: Signatures[] = [];
    const fromThumb: Signatures[] = [];
    for (const bytes of images) {
      const p = await processor.preprocessWithFacts(bytes);
      fromPixels.push(signaturesFromRgb(p.whole.data, p.whole.width, p.whole.height));
      fromThumb.push(await pixelSignatures((await thumbnailFor(bytes, MAXPX, { header: p.header, decoded: p.decoded })).bytes));
    }
    const same = fromPixels.map((s, i) => signatureSimilarity(s, fromThumb[i]));
    // The duplicate threshold is 0.95; the same image by either route stays well above it.
    expect(Math.min(...same)).toBeGreaterThan(0.99);
    const photos = fromPixels.slice(-4);
    for (let i = 0; i < photos.length; i++) for (let j = i + 1; j < photos.length; j++) expect(signatureSimilarity(photos[i], photos[j])).toBeLessThan(0.9);
  });
});
