/**
 * One InfoNCE step: forward and backward of a batch through both towers' residual adapters. The
 * batch's input vectors are gathered first into batch-sized buffers — a line's own embedding or,
 * when the set carries views (augmented images, caption templates: pairs.ts), one of them drawn at
 * random — so memory stays bounded by the batch. Masking (a repeated image or text is not a
 * negative) looks at the lines' own rows, whatever view was drawn.
 */
import { projectInto, type AdapterWeights, type TowerWeights } from '../adapters/adapter';
import type { PairSet, Views } from './pairs';

/** Loss and gradients of one batch (`rows` index `set.links`, no views): for tests and gradient checks. */
export function batchGradients(set: PairSet, rows: number[], w: AdapterWeights, scale: number) {
  const s = new Scratch(rows.length, w.dim);
  const loss = s.step(set, rows, w, scale);
  const named = (g: Float32Array[]) => ({ w: g[0], b: g[1], w1: g[2], b1: g[3] });
  return { loss, text: named(s.gText), image: named(s.gImage) };
}

/** Copies row `row` of `base` — or, with `rand`, one of [the row, its views] drawn uniformly — to out[at]. */
function gather(base: Float32Array, views: Views | undefined, row: number, out: Float32Array, at: number, d: number, rand?: () => number) {
  const alt = rand && views ? views.of[row] : undefined;
  const k = alt?.length ? Math.floor(rand!() * (alt.length + 1)) : 0;
  if (k === 0) out.set(base.subarray(row * d, row * d + d), at);
  else out.set(views!.matrix.data.subarray(alt![k - 1] * d, alt![k - 1] * d + d), at);
}

function blend(x: Float32Array, at: number, src: Float32Array, from: number, lam: number, d: number) {
  let n = 0;
  for (let j = 0; j < d; j++) n += (x[at + j] = (1 - lam) * x[at + j] + lam * src[from + j]) ** 2;
  n = Math.sqrt(n) || 1;
  for (let j = 0; j < d; j++) x[at + j] /= n;
}

/** Buffers of one step, sized by the batch (never by the corpus), reused across steps. */
export class Scratch {
  /** Gradients per tower, in TowerWeights order: w, b, w1, b1. */
  gText: Float32Array[] = [];
  gImage: Float32Array[] = [];
  private xt: Float32Array;
  private xi: Float32Array;
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
    this.xt = new Float32Array(b * dim);
    this.xi = new Float32Array(b * dim);
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

  /**
   * Forward and backward of one batch; leaves the gradients in gText / gImage, returns the loss.
   * With `rand`, each line's text and image is drawn among its views (none: its own embedding).
   */
  step(set: PairSet, rows: number[], w: AdapterWeights, scale: number, rand?: () => number, mixup = 0): number {
    this.ensure(w);
    const d = this.dim;
    const n = rows.length;
    const ti = rows.map((r) => set.links[r].text);
    const ii = rows.map((r) => set.links[r].image);
    const { xt, xi, tp, ip, logits, g } = this;
    for (let a = 0; a < n; a++) {
      gather(set.texts.data, set.textViews, ti[a], xt, a * d, d, rand);
      gather(set.images.data, set.imageViews, ii[a], xi, a * d, d, rand);
      if (rand && mixup && rand() < mixup) {
        // mixup: blend the line with a random train line, text and image alike (a new "concept")
        const other = set.links[Math.floor(rand() * set.links.length)];
        const lam = 0.5 * rand();
        blend(xt, a * d, set.texts.data, other.text * d, lam, d);
        blend(xi, a * d, set.images.data, other.image * d, lam, d);
      }
      this.tn[a] = projectInto(w.text, d, xt, tp, a * d, a * d, this.hidden.text[a], this.pre.text[a]);
      this.inorm[a] = projectInto(w.image, d, xi, ip, a * d, a * d, this.hidden.image[a], this.pre.image[a]);
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
    this.backward(w.text, this.gText, tp, dt, this.tn, xt, n, 'text');
    this.backward(w.image, this.gImage, ip, di, this.inorm, xi, n, 'image');
    return loss;
  }

  /**
   * Through normalize(u), u = v + b + W x: du = (dy − y (y·dy)) / |u|; dW += du ⊗ x; db += du; and
   * for an MLP tower (x = relu(W1 v + b1)): dx = Wᵀ du, dz = dx where z > 0, dW1 += dz ⊗ v, db1 += dz.
   * `src` holds the batch's input vectors, row a for line a.
   */
  private backward(t: TowerWeights, grads: Float32Array[], y: Float32Array, dy: Float32Array, norms: Float32Array, src: Float32Array, n: number, kind: 'text' | 'image') {
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
      const v = a * d;
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
