/**
 * Text detection with PaddleOCR's DB (differentiable binarisation) model: the image is resized so
 * its sides are multiples of 32 (the network downsamples 32×), normalised with ImageNet's mean and
 * std in BGR order; the model answers a per-pixel text probability. Pixels above THRESH form
 * 8-connected regions; a region whose mean probability reaches BOX_THRESH becomes a box, grown by
 * DB's unclip (distance = area × UNCLIP_RATIO / perimeter, since the model is trained to predict
 * the shrunk text kernel) and mapped back to the image. Boxes are axis-aligned: rotated lines are
 * read inside their bounding box. The constants are PaddleOCR's defaults (tools/infer/utility.py).
 */
import { resizeIntoChw, type Rect, type Rgb } from './pixels';

export const DET_LIMIT_SIDE = 960;
/** Smaller images are enlarged so their longer side reaches this: small text is found far more often. */
export const DET_MIN_SIDE = 160;
export const THRESH = 0.3;
export const BOX_THRESH = 0.6;
export const UNCLIP_RATIO = 1.5;
export const MIN_SIZE = 3;
/** More boxes than this in one image are not read (bounded time per image). */
export const MAX_BOXES = 200;

const MEAN_BGR = [0.485, 0.456, 0.406];
const STD_BGR = [0.229, 0.224, 0.225];

/**
 * The model's input size for an image: shrunk so the longer side is at most DET_LIMIT_SIDE (cost
 * grows with the area: ~0.1 s at 320², ~1.2 s at 960² on one busy core pair), both sides rounded
 * to multiples of 32. Small images are not enlarged: 16 px text in a 96 × 32 image is still found,
 * and an emoji corpus of 72 px images costs a few ms per image instead of ~0.1 s.
 */
export function detInputSize(width: number, height: number): { width: number; height: number } {
  const longer = Math.max(width, height);
  const ratio = longer > DET_LIMIT_SIDE ? DET_LIMIT_SIDE / longer : 1;
  const to32 = (v: number) => Math.max(32, Math.round((v * ratio) / 32) * 32);
  return { width: to32(width), height: to32(height) };
}

/** The [1, 3, H, W] input tensor for an image. */
export function detInput(img: Rgb): { data: Float32Array; width: number; height: number } {
  const { width, height } = detInputSize(img.width, img.height);
  const data = new Float32Array(3 * width * height);
  resizeIntoChw(img, width, height, { out: data, offset: 0, planeHeight: height, planeWidth: width }, MEAN_BGR, STD_BGR);
  return { data, width, height };
}

function find(parent: Int32Array, i: number): number {
  while (parent[i] !== i) {
    parent[i] = parent[parent[i]];
    i = parent[i];
  }
  return i;
}

/**
 * Boxes (in probability-map pixels, unclipped, clamped to the map) from a W × H probability map.
 * Two passes of union-find over the pixels above `thresh` (8-connected).
 */
export function boxesFromProbMap(prob: Float32Array, width: number, height: number, opts: { thresh?: number; boxThresh?: number; unclipRatio?: number } = {}): (Rect & { score: number })[] {
  const thresh = opts.thresh ?? THRESH;
  const boxThresh = opts.boxThresh ?? BOX_THRESH;
  const unclipRatio = opts.unclipRatio ?? UNCLIP_RATIO;
  const n = width * height;
  const parent = new Int32Array(n).fill(-1);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (prob[i] <= thresh) continue;
      parent[i] = i;
      // already-visited neighbours: left, up-left, up, up-right
      const ns = [x > 0 ? i - 1 : -1, x > 0 && y > 0 ? i - width - 1 : -1, y > 0 ? i - width : -1, x < width - 1 && y > 0 ? i - width + 1 : -1];
      for (const j of ns) {
        if (j < 0 || parent[j] < 0) continue;
        const a = find(parent, i);
        const b = find(parent, j);
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
  }
  const regions = new Map<number, { x0: number; y0: number; x1: number; y1: number; sum: number; count: number }>();
  for (let i = 0; i < n; i++) {
    if (parent[i] < 0) continue;
    const root = find(parent, i);
    const x = i % width;
    const y = (i - x) / width;
    const r = regions.get(root);
    if (!r) regions.set(root, { x0: x, y0: y, x1: x, y1: y, sum: prob[i], count: 1 });
    else {
      if (x < r.x0) r.x0 = x;
      if (x > r.x1) r.x1 = x;
      if (y > r.y1) r.y1 = y; // rows are scanned in order: y0 is the first row seen
      r.sum += prob[i];
      r.count++;
    }
  }
  const out: (Rect & { score: number })[] = [];
  for (const r of regions.values()) {
    const w = r.x1 - r.x0 + 1;
    const h = r.y1 - r.y0 + 1;
    if (Math.min(w, h) < MIN_SIZE) continue;
    const score = r.sum / r.count;
    if (score < boxThresh) continue;
    const d = (w * h * unclipRatio) / (2 * (w + h));
    const x0 = Math.max(0, r.x0 - d);
    const y0 = Math.max(0, r.y0 - d);
    const x1 = Math.min(width, r.x1 + 1 + d);
    const y1 = Math.min(height, r.y1 + 1 + d);
    if (Math.min(x1 - x0, y1 - y0) < MIN_SIZE + 2) continue;
    out.push({ x: x0, y: y0, width: x1 - x0, height: y1 - y0, score });
  }
  return out;
}

/**
 * Reading order: lines top to bottom, boxes left to right within a line. Boxes whose vertical
 * centres lie within half a box height of the line's first box share its line.
 */
export function readingOrder<T extends Rect>(boxes: T[]): T[][] {
  const byTop = [...boxes].sort((a, b) => a.y + a.height / 2 - (b.y + b.height / 2) || a.x - b.x);
  const lines: T[][] = [];
  for (const b of byTop) {
    const line = lines[lines.length - 1];
    const first = line?.[0];
    const cy = b.y + b.height / 2;
    if (first && Math.abs(cy - (first.y + first.height / 2)) <= Math.min(first.height, b.height) / 2) line.push(b);
    else lines.push([b]);
  }
  return lines.map((l) => l.sort((a, b) => a.x - b.x));
}
