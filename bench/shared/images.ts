/**
 * Generated test images (seeded, no downloads):
 * - `emoji`: small RGBA PNGs (72×72, a few flat shapes on transparency), like emoji sprite sets;
 * - `muge`: 500×500 baseline JPEGs (q 85) with a gradient, blocks and texture, like MUGE/e-commerce
 *   product photos (about 40–80 KB each, close to real product shots; a flat image would be far smaller).
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { makeRng } from './rng';

export type ImageKind = 'emoji' | 'muge';

export async function makeImage(kind: ImageKind, seed: number): Promise<Buffer> {
  const rng = makeRng(seed * 7919 + (kind === 'emoji' ? 1 : 2));
  if (kind === 'emoji') {
    const S = 72;
    const px = Buffer.alloc(S * S * 4);
    const shapes = Array.from({ length: 1 + Math.floor(rng() * 4) }, () => ({
      cx: S * (0.2 + 0.6 * rng()), cy: S * (0.2 + 0.6 * rng()), r: S * (0.12 + 0.3 * rng()),
      c: [rng() * 255, rng() * 255, rng() * 255].map(Math.round), square: rng() < 0.4,
    }));
    for (let y = 0; y < S; y++)
      for (let x = 0; x < S; x++)
        for (const s of shapes) {
          const inside = s.square ? Math.abs(x - s.cx) < s.r && Math.abs(y - s.cy) < s.r : (x - s.cx) ** 2 + (y - s.cy) ** 2 < s.r * s.r;
          if (!inside) continue;
          const o = (y * S + x) * 4;
          px[o] = s.c[0]; px[o + 1] = s.c[1]; px[o + 2] = s.c[2]; px[o + 3] = 255;
        }
    return sharp(px, { raw: { width: S, height: S, channels: 4 } }).png().toBuffer();
  }
  const S = 500;
  const px = Buffer.alloc(S * S * 3);
  const base = [rng() * 255, rng() * 255, rng() * 255];
  const grad = [rng() - 0.5, rng() - 0.5, rng() - 0.5].map((g) => g * 0.6);
  const blocks = Array.from({ length: 3 + Math.floor(rng() * 5) }, () => ({
    x0: rng() * S, y0: rng() * S, w: 40 + rng() * 200, h: 40 + rng() * 200, c: [rng() * 255, rng() * 255, rng() * 255],
  }));
  for (let y = 0; y < S; y++)
    for (let x = 0; x < S; x++) {
      const o = (y * S + x) * 3;
      let c = base.map((b, i) => b + grad[i] * (x + y));
      for (const b of blocks) if (x >= b.x0 && x < b.x0 + b.w && y >= b.y0 && y < b.y0 + b.h) c = b.c;
      const t = 18 * Math.sin(x * 0.21 + y * 0.13) + 12 * (rng() - 0.5);
      for (let i = 0; i < 3; i++) px[o + i] = Math.max(0, Math.min(255, Math.round(c[i] + t)));
    }
  return sharp(px, { raw: { width: S, height: S, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
}

export async function makeImages(kind: ImageKind, count: number, seed0 = 0): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) out.push(await makeImage(kind, seed0 + i));
  return out;
}

/** Captions of varied length for text encoding (emoji-name style, as the demo corpus). */
export function makeCaptions(count: number): string[] {
  const words = ['grinning', 'face', 'red', 'heart', 'cat', 'with', 'tears', 'of', 'joy', 'rocket', 'blue', 'car', 'a', 'photo', 'smiling',
    'eyes', 'sun', 'behind', 'cloud', 'pizza', 'slice', 'green', 'apple', 'dog', 'playing', 'in', 'the', 'park', 'flag', 'mountain'];
  const rng = makeRng(99);
  return Array.from({ length: count }, () => Array.from({ length: 2 + Math.floor(rng() * 9) }, () => words[Math.floor(rng() * words.length)]).join(' '));
}

/**
 * A pairs TSV of `n` generated 500×500 JPEG photos-like images (q85, distinct) with captions,
 * cached under `dir` (bench/ingest-peer.ts and bench/cluster.ts read the same file).
 */
export async function jpegPairsCorpus(n: number, dir: string): Promise<string> {
  const file = path.join(dir, `jpeg-pairs-${n}.tsv`);
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(dir, { recursive: true });
  const captions = makeCaptions(n);
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(`${captions[i]} ${i}\t${(await makeImage('muge', 20_000 + i)).toString('base64')}`);
  fs.writeFileSync(`${file}.tmp`, `${lines.join('\n')}\n`);
  fs.renameSync(`${file}.tmp`, file);
  return file;
}
