/**
 * The model-free parts of OCR, on hand-made inputs whose answers are worked out by hand: the DB
 * post-processing (regions, score filter, unclip), reading order, the detection input size, the
 * quarter turn and CTC greedy decoding.
 */
import { describe, expect, it } from 'vitest';
import { BOX_THRESH, boxesFromProbMap, detInputSize, readingOrder, UNCLIP_RATIO } from './detect';
import { rotate90 } from './pixels';
import { ctcGreedyDecode, keepLine, recWidth, uprightCrop } from './recognize';

function probMap(w: number, h: number, rects: { x: number; y: number; w: number; h: number; p: number }[]): Float32Array {
  const m = new Float32Array(w * h);
  for (const r of rects) for (let y = r.y; y < r.y + r.h; y++) for (let x = r.x; x < r.x + r.w; x++) m[y * w + x] = r.p;
  return m;
}

describe('boxesFromProbMap', () => {
  it('one box per connected region, grown by DB’s unclip distance (area × ratio / perimeter)', () => {
    const m = probMap(100, 60, [
      { x: 10, y: 10, w: 30, h: 10, p: 0.9 },
      { x: 60, y: 40, w: 20, h: 8, p: 0.8 },
    ]);
    const boxes = boxesFromProbMap(m, 100, 60).sort((a, b) => a.x - b.x);
    expect(boxes).toHaveLength(2);
    const d = (30 * 10 * UNCLIP_RATIO) / (2 * (30 + 10)); // 5.625
    expect(boxes[0].x).toBeCloseTo(10 - d);
    expect(boxes[0].y).toBeCloseTo(10 - d);
    expect(boxes[0].width).toBeCloseTo(30 + 2 * d);
    expect(boxes[0].height).toBeCloseTo(10 + 2 * d);
    expect(boxes[0].score).toBeCloseTo(0.9);
    expect(boxes[1].score).toBeCloseTo(0.8);
  });

  it('diagonal neighbours join (8-connected); separate regions stay apart', () => {
    const m = probMap(40, 40, [
      { x: 5, y: 5, w: 5, h: 5, p: 0.9 },
      { x: 10, y: 10, w: 5, h: 5, p: 0.9 }, // touches the first at one corner only
      { x: 30, y: 30, w: 5, h: 5, p: 0.9 },
    ]);
    expect(boxesFromProbMap(m, 40, 40)).toHaveLength(2);
  });

  it('drops regions under the box threshold, regions thinner than 3 px, and pixels under the binary threshold', () => {
    const m = probMap(100, 40, [
      { x: 5, y: 5, w: 30, h: 10, p: BOX_THRESH - 0.05 }, // above 0.3, but its mean is under 0.6
      { x: 50, y: 5, w: 30, h: 2, p: 0.95 }, // 2 px high
      { x: 5, y: 25, w: 30, h: 10, p: 0.25 }, // never above the binary threshold
    ]);
    expect(boxesFromProbMap(m, 100, 40)).toEqual([]);
  });

  it('clamps grown boxes to the map', () => {
    const [b] = boxesFromProbMap(probMap(50, 20, [{ x: 0, y: 0, w: 50, h: 20, p: 1 }]), 50, 20);
    expect(b).toMatchObject({ x: 0, y: 0, width: 50, height: 20 });
  });
});

describe('readingOrder', () => {
  it('rows top to bottom, boxes left to right in a row, a slightly lower box on the same row', () => {
    const b = (x: number, y: number, id: string) => ({ x, y, width: 40, height: 20, id });
    const rows = readingOrder([b(200, 104, 'row2-right'), b(100, 12, 'row1-right'), b(10, 100, 'row2-left'), b(10, 10, 'row1-left')]);
    expect(rows.map((r) => r.map((x) => x.id))).toEqual([
      ['row1-left', 'row1-right'],
      ['row2-left', 'row2-right'],
    ]);
  });
});

describe('detInputSize', () => {
  it('multiples of 32, the longer side at most 960, small images not enlarged', () => {
    expect(detInputSize(1920, 1080)).toEqual({ width: 960, height: 544 }); // 540 → 544
    expect(detInputSize(72, 72)).toEqual({ width: 64, height: 64 });
    expect(detInputSize(10, 5)).toEqual({ width: 32, height: 32 });
    expect(detInputSize(400, 100)).toEqual({ width: 416, height: 96 });
  });
});

describe('recognition input', () => {
  it('a tall crop turns a quarter counter-clockwise (numpy rot90); a wide one is left alone', () => {
    // 1 wide × 3 tall: pixel values 1, 2, 3 top to bottom in every channel
    const tall = { width: 1, height: 3, data: new Uint8Array([1, 1, 1, 2, 2, 2, 3, 3, 3]) };
    const r = rotate90(tall);
    expect(r.width).toBe(3);
    expect(r.height).toBe(1);
    expect([...r.data].filter((_, i) => i % 3 === 0)).toEqual([1, 2, 3]);
    expect(uprightCrop(tall)).toEqual(r);
    const wide = { width: 3, height: 1, data: new Uint8Array(9) };
    expect(uprightCrop(wide)).toBe(wide);
    // 2 wide × 2 tall, counter-clockwise: the right column becomes the top row
    const sq = rotate90({ width: 2, height: 2, data: new Uint8Array([1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]) });
    expect([...sq.data].filter((_, i) => i % 3 === 0)).toEqual([2, 4, 1, 3]);
  });

  it('width at height 48 keeps the aspect ratio', () => {
    expect(recWidth({ width: 200, height: 50, data: new Uint8Array(0) })).toBe(192);
  });
});

describe('ctcGreedyDecode', () => {
  const chars = ['', 'a', 'b', 'l'];
  const steps = (ks: number[], p = 0.9) => {
    const out = new Float32Array(ks.length * chars.length);
    ks.forEach((k, t) => {
      for (let c = 0; c < chars.length; c++) out[t * chars.length + c] = c === k ? p : (1 - p) / (chars.length - 1);
    });
    return out;
  };

  it('collapses repeats, drops blanks, and a blank between two equal classes keeps both', () => {
    const [r] = ctcGreedyDecode(steps([1, 1, 0, 3, 3, 0, 3, 2, 0]), 1, 9, chars.length, chars);
    expect(r.text).toBe('allb');
    expect(r.confidence).toBeCloseTo(0.9);
  });

  it('decodes each item of a batch; nothing read has confidence 0', () => {
    const a = steps([2, 0, 1]);
    const b = steps([0, 0, 0]);
    const both = new Float32Array(a.length + b.length);
    both.set(a);
    both.set(b, a.length);
    expect(ctcGreedyDecode(both, 2, 3, chars.length, chars)).toEqual([
      { text: 'ba', confidence: expect.closeTo(0.9) },
      { text: '', confidence: 0 },
    ]);
  });
});

describe('keepLine', () => {
  it('drops lines under PaddleOCR’s 0.5, and one- or two-character lines under 0.9', () => {
    expect(keepLine('QX-4471', 0.55)).toBe(true);
    expect(keepLine('QX-4471', 0.45)).toBe(false);
    expect(keepLine('米', 0.72)).toBe(false);
    expect(keepLine('10', 0.99)).toBe(true);
    expect(keepLine('牛肉面', 0.6)).toBe(true); // three characters, counted as characters, not UTF-16 units
    expect(keepLine('', 1)).toBe(false);
  });
});
