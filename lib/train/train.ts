/**
 * The training loop: CLIP's symmetric InfoNCE on the frozen towers' embeddings, through one
 * residual adapter per tower, linear or a one-hidden-layer MLP (lib/adapters/adapter.ts), with AdamW (decoupled weight decay,
 * which pulls W back towards the identity map) and a cosine learning-rate decay. The temperature is
 * the model's own logit scale, so the adapter starts exactly at the model's scores. Validation
 * recall (EasyNLP's text→image mean, counted by lib/eval's easynlp protocol: recall.ts) runs after
 * every epoch and every `evalEverySteps`; the best weights are kept, so more epochs can never
 * return something worse than the model alone.
 */
import { AppError } from '../errors';
import { copyTower, projectInto, projectRows, zeroWeights, type AdapterWeights, type TowerWeights } from '../adapters/adapter';
import type { Recall } from '../adapters/store';
import { rng, shuffle, type PairSet } from './pairs';
import { TRAIN_DEFAULTS } from './defaults';
import { pairRecall } from './recall';

export interface TrainOptions {
  epochs: number;
  lr: number;
  batchSize: number;
  weightDecay: number;
  /** Cosine similarity multiplier (the model's logit scale). */
  logitScale: number;
  /** Also validate every N steps (EasyNLP's save_checkpoint_steps); 0 = only at epoch ends. */
  evalEverySteps?: number;
  seed?: number;
  /** Which towers get an adapter (default TRAIN_DEFAULTS.towers: both); the other stays the model's own. */
  towers?: 'both' | 'image' | 'text';
  /** Width of the MLP residual (0 = a linear residual; default TRAIN_DEFAULTS.hidden). */
  hidden?: number;
  signal?: AbortSignal;
  onEvent?: (e: TrainEvent) => void | Promise<void>;
}

export type TrainEvent =
  | { type: 'baseline'; recall: Recall }
  | { type: 'step'; epoch: number; step: number; totalSteps: number; loss: number }
  | { type: 'eval'; epoch: number; step: number; totalSteps: number; loss: number; recall: Recall; best: boolean };

export interface TrainResult {
  weights: AdapterWeights;
  baseline: Recall;
  best: Recall;
  bestEpoch: number;
  bestStep: number;
  history: { epoch: number; step: number; loss: number; recall: Recall }[];
  seconds: number;
}

export const MIN_TRAIN_PAIRS = 2;

export function validateRecall(set: PairSet, w: AdapterWeights): Promise<Recall> {
  return pairRecall(
    set,
    projectRows(w.text, w.dim, set.texts.data, set.texts.rows),
    projectRows(w.image, w.dim, set.images.data, set.images.rows),
  );
}

class AdamW {
  private m: Float32Array;
  private v: Float32Array;
  private t = 0;
  constructor(private readonly w: Float32Array, private readonly wd: number) {
    this.m = new Float32Array(w.length);
    this.v = new Float32Array(w.length);
  }
  step(g: Float32Array, lr: number): void {
    const b1 = 0.9;
    const b2 = 0.999;
    this.t++;
    const c1 = 1 - b1 ** this.t;
    const c2 = 1 - b2 ** this.t;
    const { m, v, w } = this;
    for (let i = 0; i < w.length; i++) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      w[i] -= lr * (m[i] / c1 / (Math.sqrt(v[i] / c2) + 1e-8) + this.wd * w[i]);
    }
  }
}

export async function trainAdapter(train: PairSet, valid: PairSet, o: TrainOptions): Promise<TrainResult> {
  const t0 = performance.now();
  const dim = train.texts.dim;
  if (train.links.length < MIN_TRAIN_PAIRS) {
    throw new AppError('INVALID_INPUT', `training needs at least ${MIN_TRAIN_PAIRS} pairs (the other pairs of a batch are the negatives), got ${train.links.length}`);
  }
  if (valid.links.length < 1) throw new AppError('INVALID_INPUT', 'the validation set has no usable pair');
  const seed = o.seed ?? TRAIN_DEFAULTS.seed;
  const w = zeroWeights(dim, o.hidden ?? TRAIN_DEFAULTS.hidden, rng(seed + 1));
  const towers = o.towers ?? TRAIN_DEFAULTS.towers;
  const optimise = (t: TowerWeights) => [t.w, t.b, t.w1, t.b1].map((p) => new AdamW(p, o.weightDecay));
  const optT = optimise(w.text);
  const optI = optimise(w.image);
  const B = Math.min(o.batchSize, train.links.length);
  // a lone leftover pair has no negative: it waits for the next epoch's shuffle
  const stepsPerEpoch = Math.ceil(train.links.length / B) - (train.links.length % B === 1 ? 1 : 0);
  const totalSteps = stepsPerEpoch * o.epochs;
  const rand = rng(seed);
  const baseline = await validateRecall(valid, w);
  await o.onEvent?.({ type: 'baseline', recall: baseline });
  let best = { recall: baseline, epoch: 0, step: 0, weights: copy(w) };
  const history: TrainResult['history'] = [];
  const scratch = new Scratch(B, dim);
  let step = 0;
  let lossSum = 0;
  let lossN = 0;

  const evaluate = async (epoch: number) => {
    const recall = await validateRecall(valid, w);
    const loss = lossN ? lossSum / lossN : 0;
    lossSum = 0;
    lossN = 0;
    const isBest = recall.mean > best.recall.mean;
    if (isBest) best = { recall, epoch, step, weights: copy(w) };
    history.push({ epoch, step, loss, recall });
    await o.onEvent?.({ type: 'eval', epoch, step, totalSteps, loss, recall, best: isBest });
  };

  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    const order = shuffle(train.links.map((_, i) => i), rand);
    for (let s = 0; s < stepsPerEpoch; s++) {
      if (o.signal?.aborted) throw new AppError('INTERNAL', 'training was interrupted: no adapter was written');
      const rows = order.slice(s * B, (s + 1) * B);
      const lr = o.lr * 0.5 * (1 + Math.cos((Math.PI * step) / totalSteps));
      const loss = scratch.step(train, rows, w, o.logitScale);
      if (towers !== 'image') scratch.gText.forEach((g, i) => optT[i].step(g, lr));
      if (towers !== 'text') scratch.gImage.forEach((g, i) => optI[i].step(g, lr));
      step++;
      lossSum += loss;
      lossN++;
      await o.onEvent?.({ type: 'step', epoch, step, totalSteps, loss });
      if (o.evalEverySteps && step % o.evalEverySteps === 0 && s < stepsPerEpoch - 1) await evaluate(epoch);
      // let Ctrl-C, job events and HTTP requests through between steps
      await new Promise((r) => setImmediate(r));
    }
    await evaluate(epoch);
  }
  return {
    weights: best.weights,
    baseline,
    best: best.recall,
    bestEpoch: best.epoch,
    bestStep: best.step,
    history,
    seconds: (performance.now() - t0) / 1000,
  };
}

const copy = (w: AdapterWeights): AdapterWeights => ({ dim: w.dim, text: copyTower(w.text), image: copyTower(w.image) });

/** Loss and gradients of one batch (`rows` index `set.links`): for tests and gradient checks. */
export function batchGradients(set: PairSet, rows: number[], w: AdapterWeights, scale: number) {
  const s = new Scratch(rows.length, w.dim);
  const loss = s.step(set, rows, w, scale);
  const named = (g: Float32Array[]) => ({ w: g[0], b: g[1], w1: g[2], b1: g[3] });
  return { loss, text: named(s.gText), image: named(s.gImage) };
}

/** Buffers of one step, sized by the batch (never by the corpus), reused across steps. */
class Scratch {
  /** Gradients per tower, in TowerWeights order: w, b, w1, b1. */
  gText: Float32Array[] = [];
  gImage: Float32Array[] = [];
  private tp: Float32Array;
  private ip: Float32Array;
  private tn: Float32Array;
  private inorm: Float32Array;
  private logits: Float32Array;
  private g: Float32Array;
  private dt: Float32Array;
  private di: Float32Array;
  private hidden = { text: [] as Float32Array[], image: [] as Float32Array[] };
  private pre = { text: [] as Float32Array[], image: [] as Float32Array[] };
  constructor(private readonly b: number, private readonly dim: number) {
    this.tp = new Float32Array(b * dim);
    this.ip = new Float32Array(b * dim);
    this.tn = new Float32Array(b);
    this.inorm = new Float32Array(b);
    this.logits = new Float32Array(b * b);
    this.g = new Float32Array(b * b);
    this.dt = new Float32Array(b * dim);
    this.di = new Float32Array(b * dim);
  }

  private ensure(w: AdapterWeights) {
    if (this.gText.length) return;
    const grads = (t: TowerWeights) => [t.w, t.b, t.w1, t.b1].map((p) => new Float32Array(p.length));
    this.gText = grads(w.text);
    this.gImage = grads(w.image);
    for (const kind of ['text', 'image'] as const) {
      const h = w[kind].hidden;
      this.hidden[kind] = Array.from({ length: this.b }, () => new Float32Array(h));
      this.pre[kind] = Array.from({ length: this.b }, () => new Float32Array(h));
    }
  }

  /** Forward and backward of one batch; leaves the gradients in gText / gImage, returns the loss. */
  step(set: PairSet, rows: number[], w: AdapterWeights, scale: number): number {
    this.ensure(w);
    const d = this.dim;
    const n = rows.length;
    const ti = rows.map((r) => set.links[r].text);
    const ii = rows.map((r) => set.links[r].image);
    const { tp, ip, logits, g } = this;
    for (let a = 0; a < n; a++) {
      this.tn[a] = projectInto(w.text, d, set.texts.data, tp, ti[a] * d, a * d, this.hidden.text[a], this.pre.text[a]);
      this.inorm[a] = projectInto(w.image, d, set.images.data, ip, ii[a] * d, a * d, this.hidden.image[a], this.pre.image[a]);
    }
    // logits; another line with the same image or the same text is not a negative: masked out
    const masked = (a: number, c: number) => a !== c && (ii[a] === ii[c] || ti[a] === ti[c]);
    for (let a = 0; a < n; a++) {
      for (let c = 0; c < n; c++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += tp[a * d + j] * ip[c * d + j];
        logits[a * n + c] = masked(a, c) ? -Infinity : scale * s;
      }
    }
    g.fill(0);
    let loss = 0;
    const half = 0.5 / n;
    // text→image: softmax over each row; image→text: softmax over each column
    for (let dir = 0; dir < 2; dir++) {
      for (let a = 0; a < n; a++) {
        const at = (c: number) => (dir === 0 ? a * n + c : c * n + a);
        let max = -Infinity;
        for (let c = 0; c < n; c++) max = Math.max(max, logits[at(c)]);
        let z = 0;
        for (let c = 0; c < n; c++) z += Math.exp(logits[at(c)] - max);
        loss -= half * (logits[at(a)] - max - Math.log(z));
        for (let c = 0; c < n; c++) g[at(c)] += half * (Math.exp(logits[at(c)] - max) / z - (c === a ? 1 : 0));
      }
    }
    // d loss / d projected vectors
    const { dt, di } = this;
    dt.fill(0, 0, n * d);
    di.fill(0, 0, n * d);
    for (let a = 0; a < n; a++) {
      for (let c = 0; c < n; c++) {
        const gs = scale * g[a * n + c];
        if (gs === 0) continue;
        for (let j = 0; j < d; j++) {
          dt[a * d + j] += gs * ip[c * d + j];
          di[c * d + j] += gs * tp[a * d + j];
        }
      }
    }
    this.backward(w.text, this.gText, tp, dt, this.tn, set.texts.data, ti, n, 'text');
    this.backward(w.image, this.gImage, ip, di, this.inorm, set.images.data, ii, n, 'image');
    return loss;
  }

  /**
   * Through normalize(u), u = v + b + W x: du = (dy − y (y·dy)) / |u|; dW += du ⊗ x; db += du; and
   * for an MLP tower (x = relu(W1 v + b1)): dx = Wᵀ du, dz = dx where z > 0, dW1 += dz ⊗ v, db1 += dz.
   */
  private backward(
    t: TowerWeights,
    grads: Float32Array[],
    y: Float32Array,
    dy: Float32Array,
    norms: Float32Array,
    src: Float32Array,
    idx: number[],
    n: number,
    kind: 'text' | 'image',
  ) {
    const d = this.dim;
    const [gw, gb, gw1, gb1] = grads;
    for (const x of grads) x.fill(0);
    const k = t.hidden || d;
    const du = new Float32Array(d);
    const dx = new Float32Array(t.hidden);
    for (let a = 0; a < n; a++) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += y[a * d + j] * dy[a * d + j];
      for (let j = 0; j < d; j++) du[j] = (dy[a * d + j] - y[a * d + j] * dot) / norms[a];
      const v = idx[a] * d;
      const x = t.hidden ? this.hidden[kind][a] : src.subarray(v, v + d);
      for (let i = 0; i < d; i++) {
        const gi = du[i];
        gb[i] += gi;
        if (gi === 0) continue;
        const row = i * k;
        for (let j = 0; j < k; j++) gw[row + j] += gi * x[j];
      }
      if (!t.hidden) continue;
      dx.fill(0);
      for (let i = 0; i < d; i++) {
        const gi = du[i];
        if (gi === 0) continue;
        const row = i * k;
        for (let j = 0; j < k; j++) dx[j] += t.w[row + j] * gi;
      }
      const z = this.pre[kind][a];
      for (let h = 0; h < t.hidden; h++) {
        if (z[h] <= 0) continue;
        const gh = dx[h];
        gb1[h] += gh;
        const row = h * d;
        for (let j = 0; j < d; j++) gw1[row + j] += gh * src[v + j];
      }
    }
  }
}
