import { describe, expect, it } from 'vitest';
import { annRanks } from './ann';
import { evaluateEmbeddings, toEvalJson } from './evaluate';
import { matrixFromRows, MatrixBuilder, scoreBlock } from './matrix';
import { formatEvalReport } from './run';
import { buildPositives, exactRanks, NO_POSITIVE, NOT_FOUND_RANK, recallAt, recallRow } from './recall';

const unit = (...xs: number[]) => {
  const n = Math.hypot(...xs);
  return Float32Array.from(xs.map((x) => x / n));
};
const e = (i: number, d = 4) => {
  const v = new Float32Array(d);
  v[i] = 1;
  return v;
};

/** Deterministic pseudo-random unit vectors (no Math.random: a failure must reproduce). */
function randomRows(n: number, d: number, seed: number): Float32Array[] {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  return Array.from({ length: n }, () => unit(...Array.from({ length: d }, next)));
}

describe('scoreBlock', () => {
  it('matches a naive dot product exactly, for row and candidate counts that are not multiples of four', () => {
    const q = matrixFromRows(randomRows(7, 13, 1));
    const c = matrixFromRows(randomRows(11, 13, 2));
    const out = new Float64Array(6 * 11);
    scoreBlock(q, 1, 7, c, out);
    for (let i = 1; i < 7; i++) {
      for (let j = 0; j < 11; j++) {
        let s = 0;
        for (let k = 0; k < 13; k++) s += q.data[i * 13 + k] * c.data[j * 13 + k];
        // same summation order on every path (4×4 tile, edge columns, edge rows): bit-identical
        expect(out[(i - 1) * 11 + j]).toBe(s);
      }
    }
  });

  it('MatrixBuilder grows past its first allocation and keeps rows in order', () => {
    const b = new MatrixBuilder(3, 1);
    for (let i = 0; i < 5; i++) b.push(Float32Array.from([i, i, i]));
    const m = b.build();
    expect(m.rows).toBe(5);
    expect(Array.from(m.data.subarray(12, 15))).toEqual([4, 4, 4]);
    expect(() => b.push(new Float32Array(2))).toThrow(/2 dimensions, expected 3/);
  });
});

describe('exactRanks / recall', () => {
  it('gives rank 0 to every query of a perfectly aligned set', async () => {
    const m = matrixFromRows([e(0), e(1), e(2), e(3)]);
    const pos = buildPositives([0, 1, 2, 3].map((i) => ({ text: i, image: i })), 'text_to_image', 4);
    expect(Array.from(await exactRanks(m, m, pos))).toEqual([0, 0, 0, 0]);
  });

  it('counts the negatives above the best positive', async () => {
    // query 0 is closest to candidate 3, then 2, then 1, then its positive 0
    const q = matrixFromRows([unit(0.1, 0.2, 0.3, 0.9)]);
    const c = matrixFromRows([e(0), e(1), e(2), e(3)]);
    const ranks = await exactRanks(q, c, [[0]]);
    expect(ranks[0]).toBe(3);
    expect(recallAt(ranks, 3)).toBe(0);
    expect(recallAt(ranks, 4)).toBe(100);
  });

  it('takes the best of several positives (duplicates count, never as misses)', async () => {
    // text "a cat" appears on two rows whose images differ: both images are its positives.
    const texts = matrixFromRows([unit(1, 1, 0, 0), e(2)]);
    const images = matrixFromRows([e(0), e(1), unit(1, 0.9, 0, 0), e(2)]);
    const links = [
      { text: 0, image: 0 },
      { text: 0, image: 1 },
      { text: 1, image: 3 },
    ];
    const t2i = await exactRanks(texts, images, buildPositives(links, 'text_to_image', 2));
    // image 2 (a negative) beats both positives of text 0 → rank 1; text 1 → rank 0
    expect(Array.from(t2i)).toEqual([1, 0]);
    const i2t = await exactRanks(images, texts, buildPositives(links, 'image_to_text', 4));
    // image 2 has no text: left out of the image→text recall
    expect(Array.from(i2t)).toEqual([0, 0, NO_POSITIVE, 0]);
    expect(recallRow(i2t)).toEqual({ r1: 100, r5: 100, r10: 100, mean: 100 });
    expect(recallRow(t2i).r1).toBe(50);
  });

  it('counts a negative tied with the best positive ahead of it, whatever the row order', async () => {
    const q = matrixFromRows([e(0)]);
    // the positive first, then last: a tied negative is ahead of it either way
    for (const [rows, positive] of [
      [[e(0), e(0), e(1)], 0],
      [[e(1), e(0), e(0)], 2],
    ] as const) {
      const ranks = await exactRanks(q, matrixFromRows([...rows]), [[positive]]);
      expect(ranks[0]).toBe(1);
      expect(recallAt(ranks, 1)).toBe(0);
      expect(recallAt(ranks, 5)).toBe(100);
    }
  });

  it('does not count positives tied with each other against the query', async () => {
    const q = matrixFromRows([e(0)]);
    const c = matrixFromRows([e(1), e(0), e(0)]);
    expect((await exactRanks(q, c, [[1, 2]]))[0]).toBe(0);
  });

  it('reports recall as percentages over queries that have a positive', () => {
    const ranks = Int32Array.from([0, 3, 7, 12, NO_POSITIVE]);
    expect(recallRow(ranks)).toEqual({ r1: 25, r5: 50, r10: 75, mean: 50 });
    expect(recallAt(Int32Array.from([NO_POSITIVE]), 1)).toBe(0);
  });

  it('works block by block on more queries than one block holds', async () => {
    const rows = randomRows(50, 8, 7);
    const m = matrixFromRows(rows);
    const pos = rows.map((_, i) => [i]);
    // tiny score buffer forces 4-row blocks
    const ranks = await exactRanks(m, m, pos, { maxScores: 16 });
    expect(Array.from(ranks)).toEqual(new Array(50).fill(0));
  });
});

describe('evaluateEmbeddings', () => {
  it('computes both directions, the mean, the curve and the ANN figures', async () => {
    // 3 texts, 3 images: text 2's nearest image is image 1 (a miss at R@1)
    const texts = matrixFromRows([e(0), e(1), unit(0, 1, 0.5, 0)]);
    const images = matrixFromRows([e(0), e(1), e(2)]);
    const links = [0, 1, 2].map((i) => ({ text: i, image: i }));
    const r = await evaluateEmbeddings({ texts, images, links }, { hnsw: { m: 8, efConstruction: 50, efSearch: 20 } });
    expect(r.text_to_image).toEqual({ r1: 66.67, r5: 100, r10: 100, mean: 88.89 });
    // image 2's nearest text is text 2 (only one with a z component): all right
    expect(r.image_to_text).toEqual({ r1: 100, r5: 100, r10: 100, mean: 100 });
    expect(r.mean_recall).toBe(94.44);
    expect(r.ann?.text_to_image).toEqual(r.text_to_image);
    expect(r.detail.curve[0]).toEqual({ k: 1, text_to_image: 66.67, image_to_text: 100 });
    expect(Object.keys(toEvalJson(r))).toEqual(['text_to_image', 'image_to_text', 'mean_recall', 'images', 'texts', 'seconds', 'ann', 'protocol', 'queries']);
    expect(toEvalJson(r)).toMatchObject({ protocol: 'clipdex', queries: { text_to_image: 3, image_to_text: 3 } });
  });
});

describe('annRanks', () => {
  it('agrees with exact search on a small set and reports a positive beyond the top 10 as not found', async () => {
    const rows = randomRows(200, 16, 3);
    const m = matrixFromRows(rows);
    const pos = rows.map((_, i) => [i]);
    const ranks = await annRanks(m, m, pos, { m: 16, efConstruction: 200, efSearch: 128 });
    expect(recallAt(ranks, 1)).toBe(100);
    // ask for the farthest vector of query 0: it is never in its 10 nearest neighbours
    let far = 0;
    let worst = Infinity;
    rows.forEach((r, i) => {
      let s = 0;
      for (let k = 0; k < 16; k++) s += r[k] * rows[0][k];
      if (s < worst) [worst, far] = [s, i];
    });
    const farRanks = await annRanks(matrixFromRows([rows[0]]), m, [[far]], { m: 16, efConstruction: 200, efSearch: 128 });
    expect(farRanks[0]).toBe(NOT_FOUND_RANK);
    const exact = await exactRanks(matrixFromRows([rows[0]]), m, [[far]]);
    expect(exact[0]).toBe(199);
  });
});

describe('formatEvalReport', () => {
  it('prints the table as EasyNLP does, with the HNSW rows and the skipped lines', async () => {
    const texts = matrixFromRows([e(0), e(1), unit(0, 1, 0.5, 0)]);
    const images = matrixFromRows([e(0), e(1), e(2)]);
    const links = [0, 1, 2].map((i) => ({ text: i, image: i }));
    const result = await evaluateEmbeddings({ texts, images, links }, { hnsw: { m: 8, efConstruction: 50, efSearch: 20 } });
    const text = formatEvalReport({ source: 'v.tsv', model: { id: 'abc', name: 'm' }, result, skipped: [{ line: 4, reason: 'x' }], warnings: [] });
    expect(text).toContain('3 images, 3 texts, 3 links');
    expect(text).toMatch(/text→image\s+66\.67\s+100\.00\s+100\.00\s+88\.89/);
    expect(text).toMatch(/mean recall\s+94\.44\s+\(no loss from approximate search/);
    expect(text).toContain('HNSW (M=8, efConstruction=50, efSearch=20)');
    expect(text).toContain('1 line skipped');
  });
});
