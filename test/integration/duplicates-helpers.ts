/**
 * Corpora for the near-duplicate tests (issue 11): distinct demo images (their first caption each)
 * and edited copies of some of them — 0.5× resized (PNG), JPEG-recompressed (quality 60) and
 * slightly cropped (5 % off each side) —
 * written as caption<TAB>base64 pair files. The copies are made here with sharp, not by lib/.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { readPairsTsv } from '../helpers/cli';
import { ROOT } from './engine-helpers';

export interface DemoImage {
  caption: string;
  png: Buffer;
  sha: string;
}

/** The first `n` distinct images of demo/valid.tsv (by bytes), each with the first caption it had. */
export function demoImages(n: number): DemoImage[] {
  const seen = new Map<string, DemoImage>();
  for (const { text, image } of readPairsTsv(path.join(ROOT, 'demo', 'valid.tsv'))) {
    const sha = crypto.createHash('sha256').update(image).digest('hex');
    if (!seen.has(sha)) seen.set(sha, { caption: text, png: image, sha });
    if (seen.size === n) break;
  }
  return [...seen.values()];
}

export async function halfSize(png: Buffer): Promise<Buffer> {
  const m = await sharp(png).metadata();
  return sharp(png).resize(Math.round(m.width! / 2)).png().toBuffer();
}

export async function jpeg60(png: Buffer): Promise<Buffer> {
  return sharp(png).flatten({ background: '#ffffff' }).jpeg({ quality: 60 }).toBuffer();
}

/** 5 % cut off each side (a slight crop), kept as PNG. */
export async function cropped(png: Buffer): Promise<Buffer> {
  const m = await sharp(png).metadata();
  const dx = Math.round(m.width! * 0.05);
  const dy = Math.round(m.height! * 0.05);
  return sharp(png).extract({ left: dx, top: dy, width: m.width! - 2 * dx, height: m.height! - 2 * dy }).png().toBuffer();
}

export function writePairs(file: string, rows: { caption: string; image: Buffer }[]): string {
  fs.writeFileSync(file, rows.map((r) => `${r.caption}\t${r.image.toString('base64')}`).join('\n') + '\n');
  return file;
}

export const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
