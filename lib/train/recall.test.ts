/**
 * The trainer's validation recall counts exactly as `clipdex evaluate --protocol easynlp` and as
 * EasyNLP's evaluator (written out here from its documented behaviour: every line is a query and
 * a candidate, candidates sorted by score with a stable sort, so a tie goes to the earlier line),
 * on a hand-built set with a repeated image, a repeated line and two different images that score
 * exactly alike. The best epoch is chosen by this figure, so a disagreement would keep the wrong one.
 */
import { describe, expect, it } from 'vitest';
import { evaluateReference, matrixFromRows } from '../eval';
import { projectRows, zeroWeights } from '../adapters/adapter';
import { pairRecall, rng, trainAdapter, type PairSet } from '.';

const DIM = 6;
const unit = (v: number[]) => {
  const n = Math.hypot(...v);
  return Float32Array.from(v, (x) => x / n);
};

/** EasyNLP's CLIPEvaluator on the same vectors: rank of line i's own image among all line images. */
function easynlpReference(set: PairSet) {
  const lines = set.lines ?? set.links;
  const dot = (t: number, i: number) => {
    let s = 0;
    for (let j = 0; j < DIM; j++) s += set.texts.data[t * DIM + j] * set.images.data[i * DIM + j];
    return s;
  };
  const hits = { r1: 0, r5: 0, r10: 0 };
  lines.forEach((q, qi) => {
    const order = lines.map((c, ci) => ({ ci, s: dot(q.text, c.image) })).sort((a, b) => b.s - a.s); // stable
    const rank = order.findIndex((o) => o.ci === qi);
    if (rank < 1) hits.r1++;
    if (rank < 5) hits.r5++;
    if (rank < 10) hits.r10++;
  });
  const pct = (h: number) => (100 * h) / lines.length;
  const r = { r1: pct(hits.r1), r5: pct(hits.r5), r10: pct(hits.r10) };
  return { ...r, mean: (r.r1 + r.r5 + r.r10) / 3 };
}

function handBuilt(): PairSet {
  const rand = rng(21);
  // exact ties: text 3 scores 0.5 with image 1 (B) and image 2 (C), B's line comes first
  const texts = [unit([0, 1, 0, 0, 0, 0]), unit([1, 0, 0, 0, 0, 0]), unit([0, 0.8, 0, 0.6, 0, 0]), unit([1, 0, 0, 0, 0, 0])];
  const images = [unit([0, 1, 0, 0, 0, 0]), Float32Array.from([0.5, 0, 0.5, 0.5, 0.5, 0]), Float32Array.from([0.5, 0, -0.5, 0.5, -0.5, 0])];
  const lines = [
    { text: 0, image: 0 }, // A
    { text: 1, image: 1 }, // B
    { text: 2, image: 0 }, // A again (a byte-identical image): ties with line 0, which is earlier
    { text: 3, image: 2 }, // C: ties with B (line 1) for text 3
    { text: 0, image: 0 }, // line 0 repeated: ties with lines 0 and 2
  ];
  // 14 more lines so R@5 and R@10 differ from R@1
  for (let k = 0; k < 14; k++) {
    texts.push(unit(Array.from({ length: DIM }, () => rand() - 0.5)));
    images.push(unit(Array.from({ length: DIM }, () => rand() - 0.5)));
    lines.push({ text: texts.length - 1, image: images.length - 1 });
  }
  const links = [...new Map(lines.map((l) => [`${l.text}:${l.image}`, l])).values()];
  return { texts: matrixFromRows(texts), images: matrixFromRows(images), links, lines };
}

describe('train-time validation recall = EasyNLP protocol', () => {
  it('agrees with the reference definition and with clipdex evaluate --protocol easynlp on ties and repeats', async () => {
    const set = handBuilt();
    const mine = await pairRecall(set, set.texts.data, set.images.data);
    const ref = easynlpReference(set);
    // the hand-built ties are really there: lines 2, 3 and 4 are not at rank 0 under the reference
    expect(ref.r1).toBeLessThan(100);
    expect(mine).toEqual(ref);
    const lines = set.lines!;
    const cli = await evaluateReference('easynlp', {
      texts: set.texts,
      images: set.images,
      rows: { pairs: lines.map((l, i) => ({ line: i + 1, ...l })), mugeImages: [], mugeTexts: [] },
    });
    for (const k of ['r1', 'r5', 'r10', 'mean'] as const) expect(cli.text_to_image[k]).toBeCloseTo(mine[k], 2);
  });

  it('the trainer reports the same baseline and keeps epochs by that figure', async () => {
    const set = handBuilt();
    const r = await trainAdapter(set, set, { epochs: 1, lr: 0, batchSize: 8, weightDecay: 0, logitScale: 10, hidden: 0 });
    // lr 0: the adapter stays the identity, so no epoch beats the baseline
    const w = zeroWeights(DIM);
    const projected: PairSet = {
      ...set,
      texts: { ...set.texts, data: projectRows(w.text, DIM, set.texts.data, set.texts.rows) },
      images: { ...set.images, data: projectRows(w.image, DIM, set.images.data, set.images.rows) },
    };
    expect(r.baseline).toEqual(easynlpReference(projected));
    expect(r.baseline.r1).toBeLessThan(100);
    expect(r.bestEpoch).toBe(0);
    expect(r.best).toEqual(r.baseline);
  });
});
