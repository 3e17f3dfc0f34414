/**
 * Benchmark vectors, generated on demand into bench/.cache/search (never committed):
 * - `random`: unit vectors uniform on the sphere — the worst case for any graph index, because
 *   high-dimensional random points have no neighbourhood structure.
 * - `real`: real CLIP embeddings (the demo corpus through lib/clip, see embed-corpus.ts), each
 *   generated vector = normalize(a + α(c − a) + σ·g/√d) for real embeddings a, c, α ~ U(0, 0.3),
 *   g ~ N(0, I), σ = half the mean nearest-neighbour distance among the real embeddings (so the
 *   jitter is small at the data's own scale: CLIP embeddings sit in a narrow cone, where a fixed
 *   σ would drown the structure): points between and around real ones, so N can exceed the corpus.
 *   Queries are made the same way from the corpus's real *text* embeddings (text → image search).
 *   When the model's dimension differs from the bench dimension, the embeddings are mapped by a
 *   random orthonormal matrix (distances preserved when growing, JL-approximated when shrinking).
 * Vector i depends only on (kind, dim, i): the 100k file is the prefix of the 1M file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CACHE } from '../shared/machine';
import { makeGaussian, makeRng, normalize } from '../shared/rng';
import { readF32, writeTyped } from './files';

export type DataKind = 'random' | 'real';
export const SEARCH_CACHE = path.join(CACHE, 'search');
export const REAL_BASE_META = path.join(SEARCH_CACHE, 'real-base.json');

export interface RealBaseMeta {
  model: string;
  modelId: string;
  dim: number;
  images: number;
  texts: number;
  corpus: string;
  date: string;
}

export const vectorsPath = (kind: DataKind, dim: number, n: number) => path.join(SEARCH_CACHE, `${kind}-d${dim}-n${n}.f32`);
export const queriesPath = (kind: DataKind, dim: number, nq: number) => path.join(SEARCH_CACHE, `${kind}-d${dim}-q${nq}.f32`);
export const gtPath = (kind: DataKind, dim: number, n: number, nq: number) => path.join(SEARCH_CACHE, `${kind}-d${dim}-n${n}-q${nq}.gt10.u32`);

const MIX = 0.3;
const JITTER = 0.5; // × mean nearest-neighbour distance

/** Mean distance from a real embedding to its nearest other one (sampled). */
function meanNnDistance(base: Float32Array, dim: number): number {
  const n = base.length / dim;
  const sample = Math.min(n, 300);
  let sum = 0;
  for (let s = 0; s < sample; s++) {
    const i = Math.floor((s * n) / sample);
    let best = -Infinity;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let d = 0;
      for (let k = 0; k < dim; k++) d += base[i * dim + k] * base[j * dim + k];
      if (d > best) best = d;
    }
    sum += Math.sqrt(Math.max(0, 2 - 2 * best));
  }
  return sum / sample;
}

export function readRealBase(): { meta: RealBaseMeta; images: Float32Array; texts: Float32Array } | undefined {
  if (!fs.existsSync(REAL_BASE_META)) return undefined;
  const meta = JSON.parse(fs.readFileSync(REAL_BASE_META, 'utf8')) as RealBaseMeta;
  return {
    meta,
    images: readF32(path.join(SEARCH_CACHE, 'real-base-images.f32')),
    texts: readF32(path.join(SEARCH_CACHE, 'real-base-texts.f32')),
  };
}

/** Random matrix with orthonormal rows (out ≤ in) or columns (out > in), as out×in row-major. */
function orthoMap(out: number, inp: number, seed: number): Float32Array {
  const gauss = makeGaussian(makeRng(seed));
  const r = Math.min(out, inp);
  const len = Math.max(out, inp);
  const basis: Float64Array[] = [];
  for (let i = 0; i < r; i++) {
    const v = new Float64Array(len);
    for (let j = 0; j < len; j++) v[j] = gauss();
    for (const b of basis) {
      let d = 0;
      for (let j = 0; j < len; j++) d += v[j] * b[j];
      for (let j = 0; j < len; j++) v[j] -= d * b[j];
    }
    let s = 0;
    for (let j = 0; j < len; j++) s += v[j] * v[j];
    s = 1 / Math.sqrt(s);
    for (let j = 0; j < len; j++) v[j] *= s;
    basis.push(v);
  }
  const m = new Float32Array(out * inp);
  for (let o = 0; o < out; o++)
    for (let i = 0; i < inp; i++) m[o * inp + i] = out <= inp ? basis[o][i] : basis[i][o];
  return m;
}

function mapDim(src: Float32Array, from: number, to: number, seed: number): Float32Array {
  if (from === to) return src;
  const n = src.length / from;
  const m = orthoMap(to, from, seed);
  const out = new Float32Array(n * to);
  for (let k = 0; k < n; k++) {
    for (let o = 0; o < to; o++) {
      let s = 0;
      for (let i = 0; i < from; i++) s += m[o * from + i] * src[k * from + i];
      out[k * to + o] = s;
    }
    normalize(out.subarray(k * to, (k + 1) * to));
  }
  return out;
}

/** Writes `count` vectors from `next` to `file` in chunks, so 1M×512 never sits in memory twice. */
function writeGenerated(file: string, dim: number, count: number, next: (dst: Float32Array) => void): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  const chunk = 8192;
  const buf = new Float32Array(chunk * dim);
  try {
    for (let i = 0; i < count; i += chunk) {
      const m = Math.min(chunk, count - i);
      for (let j = 0; j < m; j++) next(buf.subarray(j * dim, (j + 1) * dim));
      fs.writeSync(fd, new Uint8Array(buf.buffer, 0, m * dim * 4));
    }
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

function randomSource(dim: number, seed: number): (dst: Float32Array) => void {
  const g = makeGaussian(makeRng(seed));
  return (dst) => {
    for (let i = 0; i < dim; i++) dst[i] = g();
    normalize(dst);
  };
}

function realSource(base: Float32Array, dim: number, seed: number, sigma: number): (dst: Float32Array) => void {
  const rng = makeRng(seed);
  const g = makeGaussian(makeRng(seed ^ 0x9e3779b9));
  const count = base.length / dim;
  const scale = sigma / Math.sqrt(dim);
  return (dst) => {
    const a = Math.floor(rng() * count) * dim;
    const c = Math.floor(rng() * count) * dim;
    const alpha = rng() * MIX;
    for (let i = 0; i < dim; i++) dst[i] = base[a + i] + alpha * (base[c + i] - base[a + i]) + scale * g();
    normalize(dst);
  };
}

export interface Dataset {
  kind: DataKind;
  dim: number;
  n: number;
  nq: number;
  vectors: string;
  queries: string;
  gt: string;
  note: string;
}

/** Make sure the vector and query files exist (generating them if needed); ground truth is the caller's. */
export function ensureDataset(kind: DataKind, dim: number, n: number, nq: number): Dataset {
  const ds: Dataset = { kind, dim, n, nq, vectors: vectorsPath(kind, dim, n), queries: queriesPath(kind, dim, nq), gt: gtPath(kind, dim, n, nq), note: '' };
  if (kind === 'random') {
    ds.note = `unit vectors uniform on the sphere (seeded), ${nq} random queries`;
    if (!fs.existsSync(ds.vectors)) writeGenerated(ds.vectors, dim, n, randomSource(dim, 1000 + dim));
    if (!fs.existsSync(ds.queries)) writeGenerated(ds.queries, dim, nq, randomSource(dim, 2000 + dim));
    return ds;
  }
  const base = readRealBase();
  if (!base) throw new Error(`no real embeddings yet: run \`npx tsx bench/search/embed-corpus.ts\` first (needs lib/clip and a model)`);
  const m = base.meta;
  const imgs = mapDim(base.images, m.dim, dim, 3000 + dim);
  const txts = mapDim(base.texts, m.dim, dim, 3000 + dim);
  const nnImg = meanNnDistance(imgs, dim);
  const nnTxt = txts.length ? meanNnDistance(txts, dim) : nnImg;
  ds.note = `${m.images} real image embeddings (index) + ${m.texts} real text embeddings (queries) of ${m.corpus} from ${m.model} ${m.modelId} (dim ${m.dim}${m.dim !== dim ? `, mapped to ${dim} by a random orthonormal matrix` : ''}), mixed α≤${MIX} and jittered σ=${JITTER}×mean NN distance (images ${nnImg.toFixed(3)}, texts ${nnTxt.toFixed(3)})`;
  const tag = `${m.modelId} ${m.date} jitter ${JITTER}`;
  const stamp = `${ds.vectors}.source`;
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') !== tag) {
    for (const f of [ds.vectors, ds.queries, ds.gt]) fs.rmSync(f, { force: true });
  }
  if (!fs.existsSync(ds.vectors) || !fs.existsSync(ds.queries)) {
    if (!fs.existsSync(ds.vectors)) writeGenerated(ds.vectors, dim, n, realSource(imgs, dim, 4000 + dim, JITTER * nnImg));
    if (!fs.existsSync(ds.queries)) writeGenerated(ds.queries, dim, nq, realSource(txts.length ? txts : imgs, dim, 5000 + dim, JITTER * nnTxt));
    fs.writeFileSync(stamp, tag);
  }
  return ds;
}

export { readF32, writeTyped };
