/**
 * The adapter's math on small hand-made sets: the analytic gradients of the InfoNCE step match
 * finite differences (weights and shifts, both towers, with a repeated image masked), an untrained
 * adapter is the identity, and training recovers a known distortion of the image side.
 */
import { describe, expect, it } from 'vitest';
import { project, zeroWeights, type AdapterWeights } from '../adapters/adapter';
import { matrixFromRows } from '../eval';
import { batchGradients, rng, trainAdapter, validateRecall, type PairSet } from '.';

const unit = (v: Float32Array) => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
function randomUnit(dim: number, rand: () => number) {
  return unit(Float32Array.from({ length: dim }, () => rand() - 0.5));
}

describe('adapter math', () => {
  it('an untrained adapter is the identity on unit vectors', () => {
    const w = zeroWeights(8);
    const v = randomUnit(8, rng(1));
    const p = project(w.image, 8, v);
    for (let i = 0; i < 8; i++) expect(p[i]).toBeCloseTo(v[i], 6);
  });

  for (const hidden of [0, 3]) {
    it(`analytic gradients match finite differences (${hidden ? 'MLP' : 'linear'} towers)`, () => {
      const dim = 6;
      const rand = rng(3);
      const texts = Array.from({ length: 5 }, () => randomUnit(dim, rand));
      const images = Array.from({ length: 4 }, () => randomUnit(dim, rand));
      // line 4 repeats image 0: masked as a negative of line 0
      const set: PairSet = {
        texts: matrixFromRows(texts),
        images: matrixFromRows(images),
        links: [0, 1, 2, 3, 4].map((t) => ({ text: t, image: t === 4 ? 0 : t })),
      };
      const w: AdapterWeights = zeroWeights(dim, hidden, rand);
      const params = (kind: 'text' | 'image') => ({ w: w[kind].w, b: w[kind].b, w1: w[kind].w1, b1: w[kind].b1 });
      for (const kind of ['text', 'image'] as const) {
        for (const p of Object.values(params(kind))) for (let i = 0; i < p.length; i++) p[i] = (rand() - 0.5) * 0.4;
      }
      const rows = [0, 1, 2, 3, 4];
      const scale = 10;
      const g = batchGradients(set, rows, w, scale);
      const eps = 1e-3;
      let checked = 0;
      for (const kind of ['text', 'image'] as const) {
        for (const [name, p] of Object.entries(params(kind)) as [keyof ReturnType<typeof params>, Float32Array][]) {
          for (const i of new Set([0, 2, p.length - 1].filter((x) => x >= 0 && x < p.length))) {
            const keep = p[i];
            p[i] = keep + eps;
            const up = batchGradients(set, rows, w, scale).loss;
            p[i] = keep - eps;
            const down = batchGradients(set, rows, w, scale).loss;
            p[i] = keep;
            const numeric = (up - down) / (2 * eps);
            expect(Math.abs(numeric - g[kind][name][i]), `${kind}.${name}[${i}]`).toBeLessThan(2e-3 + 0.02 * Math.abs(numeric));
            checked++;
          }
        }
      }
      expect(checked).toBe(hidden ? 22 : 12);
    });
  }

  it.each([0, 24])('training undoes a distortion of the image tower and keeps the best epoch (hidden %i)', async (hidden) => {
    const dim = 16;
    const rand = rng(5);
    // images = texts pushed through a fixed random mixing plus a shared offset: a "style"
    const mix = Float32Array.from({ length: dim * dim }, () => (rand() - 0.5) * 1.2);
    const offset = Float32Array.from({ length: dim }, () => (rand() - 0.5) * 0.8);
    const make = (n: number): PairSet => {
      const texts = Array.from({ length: n }, () => randomUnit(dim, rand));
      const images = texts.map((t) => {
        const u = new Float32Array(dim);
        for (let i = 0; i < dim; i++) {
          u[i] = offset[i];
          for (let j = 0; j < dim; j++) u[i] += mix[i * dim + j] * t[j];
        }
        return unit(u);
      });
      return { texts: matrixFromRows(texts), images: matrixFromRows(images), links: texts.map((_, i) => ({ text: i, image: i })) };
    };
    const train = make(200);
    const valid = make(60);
    const r = await trainAdapter(train, valid, { epochs: 30, lr: 1e-2, batchSize: 32, weightDecay: 0, logitScale: 20, hidden });
    expect(r.baseline.mean).toBeLessThan(60);
    expect(r.best.mean).toBeGreaterThan(r.baseline.mean + 20);
    expect(r.bestEpoch).toBeGreaterThan(0);
    // the returned weights are the best epoch's: validating them gives the reported figure
    expect((await validateRecall(valid, r.weights)).mean).toBeCloseTo(r.best.mean, 6);
    expect(r.history).toHaveLength(30);
  });

  it('refuses a single training pair and stops on abort without returning weights', async () => {
    const dim = 4;
    const rand = rng(9);
    const one: PairSet = { texts: matrixFromRows([randomUnit(dim, rand)]), images: matrixFromRows([randomUnit(dim, rand)]), links: [{ text: 0, image: 0 }] };
    await expect(trainAdapter(one, one, { epochs: 1, lr: 1e-3, batchSize: 8, weightDecay: 0, logitScale: 10 })).rejects.toThrow(/at least 2 pairs/);
    const ac = new AbortController();
    ac.abort();
    const two: PairSet = { ...one, texts: matrixFromRows([randomUnit(dim, rand), randomUnit(dim, rand)]), images: matrixFromRows([randomUnit(dim, rand), randomUnit(dim, rand)]), links: [{ text: 0, image: 0 }, { text: 1, image: 1 }] };
    await expect(trainAdapter(two, two, { epochs: 1, lr: 1e-3, batchSize: 8, weightDecay: 0, logitScale: 10, signal: ac.signal })).rejects.toThrow(/interrupted/);
  });
});
