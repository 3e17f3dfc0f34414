/**
 * The training loop: CLIP's symmetric InfoNCE on the frozen towers' embeddings, through one
 * residual adapter per tower, linear or a one-hidden-layer MLP (lib/adapters/adapter.ts), with AdamW (decoupled weight decay,
 * which pulls W back towards the identity map) and a cosine learning-rate decay. The adapter starts
 * as the identity, so at epoch 0 it ranks exactly as the model does; the loss is taken at a
 * fraction of the model's logit scale (logitScaleFactor, default 0.25: a softer softmax, which
 * gained about a point more than the model's own scale on every development style). Validation
 * recall (EasyNLP's text→image mean, counted by lib/eval's easynlp protocol: recall.ts) runs after
 * every epoch and every `evalEverySteps`; the best weights are kept, so more epochs can never
 * return something worse than the model alone.
 */
import { AppError } from '../errors';
import { copyTower, projectRows, zeroWeights, type AdapterWeights, type TowerWeights } from '../adapters/adapter';
import type { Recall } from '../adapters/store';
import { rng, shuffle, type PairSet } from './pairs';
import { TRAIN_DEFAULTS } from './defaults';
import { pairRecall } from './recall';
import { Scratch } from './step';

export interface TrainOptions {
  epochs: number;
  lr: number;
  batchSize: number;
  weightDecay: number;
  /** Cosine similarity multiplier (the model's logit scale). */
  logitScale: number;
  /**
   * Training uses logitScale × this (default TRAIN_DEFAULTS.logitScaleFactor): a softer InfoNCE,
   * whose gradient comes from every in-batch negative rather than the few nearest, is what gained
   * most on the development styles (bench/RESULTS.md, "Train", session 5). Validation ranks by
   * cosine, so it is unaffected.
   */
  logitScaleFactor?: number;
  /** Also validate every N steps (EasyNLP's save_checkpoint_steps); 0 = only at epoch ends. */
  evalEverySteps?: number;
  seed?: number;
  /** Which towers get an adapter (default TRAIN_DEFAULTS.towers: both); the other stays the model's own. */
  towers?: 'both' | 'image' | 'text';
  /** Width of the MLP residual (0 = a linear residual; default TRAIN_DEFAULTS.hidden). */
  hidden?: number;
  // The options below (center, shrink, learn, mixup, ema) and PairSet views are exploration knobs
  // for bench/train/explore.ts, not exposed by the CLI: each was tried on the development sets and
  // not adopted (bench/RESULTS.md, "Train", session 5); their defaults leave training unchanged.
  /**
   * Start each tower's shift at minus `center` times the mean of the TRAIN lines' embeddings of that
   * tower (0: at zero): removes a style's common offset before anything is learnt.
   */
  center?: { text?: number; image?: number };
  /** Scale the learnt residual by this at evaluation and in the result (WiSE-FT interpolation; 1 = as trained). */
  shrink?: number;
  /** 'shift': learn only each tower's shift b (a style offset, dim numbers per tower); 'all' (default): every weight. */
  learn?: 'all' | 'shift';
  /** Probability that a training line is blended with another random train line (embedding mixup; 0: off). */
  mixup?: number;
  /** Polyak averaging: evaluate and keep an exponential moving average of the weights with this decay per step (0: off). */
  ema?: number;
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
  const scale = o.logitScale * (o.logitScaleFactor ?? TRAIN_DEFAULTS.logitScaleFactor);
  const rand = rng(seed);
  const baseline = await validateRecall(valid, w);
  await o.onEvent?.({ type: 'baseline', recall: baseline });
  let best = { recall: baseline, epoch: 0, step: 0, weights: copy(w) };
  const history: TrainResult['history'] = [];
  const centred = centre(train, w, o.center);
  // where the shifts start: shrink interpolates between this and the trained weights
  const start = copy(w);
  const avg = o.ema ? copy(w) : undefined;
  const scratch = new Scratch(B, dim);
  const viewRand = train.imageViews || train.textViews || o.mixup ? rand : undefined;
  let step = 0;
  let lossSum = 0;
  let lossN = 0;

  const evaluate = async (epoch: number) => {
    const kept = shrunk(avg ?? w, start, o.shrink ?? 1);
    const recall = await validateRecall(valid, kept);
    const loss = lossN ? lossSum / lossN : 0;
    lossSum = 0;
    lossN = 0;
    const isBest = recall.mean > best.recall.mean;
    if (isBest) best = { recall, epoch, step, weights: copy(kept) };
    history.push({ epoch, step, loss, recall });
    await o.onEvent?.({ type: 'eval', epoch, step, totalSteps, loss, recall, best: isBest });
  };
  // the centred start is a candidate of its own (epoch 0): a style offset alone may be the best
  if (centred) await evaluate(0);

  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    const order = shuffle(train.links.map((_, i) => i), rand);
    for (let s = 0; s < stepsPerEpoch; s++) {
      if (o.signal?.aborted) throw new AppError('INTERNAL', 'training was interrupted: no adapter was written');
      const rows = order.slice(s * B, (s + 1) * B);
      const lr = o.lr * 0.5 * (1 + Math.cos((Math.PI * step) / totalSteps));
      const loss = scratch.step(train, rows, w, scale, viewRand, o.mixup);
      // TowerWeights order w, b, w1, b1: index 1 is the shift
      const learnt = (i: number) => o.learn !== 'shift' || i === 1;
      if (towers !== 'image') scratch.gText.forEach((g, i) => learnt(i) && optT[i].step(g, lr));
      if (towers !== 'text') scratch.gImage.forEach((g, i) => learnt(i) && optI[i].step(g, lr));
      if (avg && o.ema) average(avg, w, o.ema);
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

/** Sets each tower's shift to −α × the mean of the train lines' embeddings; says whether any was set. */
function centre(train: PairSet, w: AdapterWeights, c: TrainOptions['center']): boolean {
  let any = false;
  for (const kind of ['text', 'image'] as const) {
    const alpha = c?.[kind] ?? 0;
    if (!alpha) continue;
    any = true;
    const m = kind === 'text' ? train.texts : train.images;
    const rows = [...new Set(train.links.map((l) => l[kind]))];
    const b = w[kind].b;
    for (const r of rows) for (let j = 0; j < w.dim; j++) b[j] -= (alpha * m.data[r * w.dim + j]) / rows.length;
  }
  return any;
}

/** start + s × (w − start) on the output layer and shift (the residual is linear in them). */
function shrunk(w: AdapterWeights, start: AdapterWeights, s: number): AdapterWeights {
  if (s === 1) return w;
  const out = copy(w);
  for (const kind of ['text', 'image'] as const) {
    for (const p of ['w', 'b'] as const) {
      const a = out[kind][p];
      const z = start[kind][p];
      for (let i = 0; i < a.length; i++) a[i] = z[i] + s * (a[i] - z[i]);
    }
  }
  return out;
}

function average(avg: AdapterWeights, w: AdapterWeights, decay: number) {
  for (const kind of ['text', 'image'] as const) {
    for (const p of ['w', 'b', 'w1', 'b1'] as const) {
      const a = avg[kind][p];
      const x = w[kind][p];
      for (let i = 0; i < a.length; i++) a[i] = decay * a[i] + (1 - decay) * x[i];
    }
  }
}
