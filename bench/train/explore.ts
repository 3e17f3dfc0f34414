/**
 * Exploration (session 5, issue 12), DEV sets only (openmoji, streamline, emojione, fluent-hc,
 * fxemoji): trains lib/train's adapter in-process on the embeddings bench/train/explore-embed.ts
 * cached in /tmp/train5, for named configurations × seeds, and appends every run to
 * bench/train/explore-log.jsonl (nothing is dropped). Gain = best validation mean − model's, EasyNLP
 * text→image mean of R@1/5/10, best epoch chosen on the valid lines as `clipdex train` does.
 *
 *   npx tsx bench/train/explore.ts --configs default,center-img,... [--seeds 1234,1,2] [--sets ...]
 *
 * `default` is the session-4 recipe (InfoNCE at the model's own logit scale: logitScaleFactor 1);
 * `tempX` trains at X × that scale (0.25 became the product default in session 5).
 */
import '../shared/help'; // --help: this script's header comment
import fs from 'node:fs';
import { matrixFromRows, type EmbeddingMatrix } from '../../lib/eval';
import { trainAdapter, type PairSet, type TrainOptions } from '../../lib/train';
import { TRAIN_DEFAULTS } from '../../lib/train/defaults';

const argv = process.argv.slice(2);
const opt = (k: string, d: string) => (argv.includes(`--${k}`) ? argv[argv.indexOf(`--${k}`) + 1] : d);
const sets = opt('sets', 'openmoji,streamline,emojione,fluent-hc,fxemoji').split(',');
const seeds = opt('seeds', '1234,1,2').split(',').map(Number);
const LOG = 'bench/train/explore-log.jsonl';

interface Config {
  /** image views used in training (0..8) */
  views?: number;
  /** caption templates used as text views in training (1 = the caption only) */
  templates?: number;
  o?: Partial<TrainOptions>;
  /** diagnostics: valid queries = the normalised mean of the caption templates (a query-side prompt ensemble) */
  ensembleValid?: number;
  /** diagnostics only (not a method): train on the valid lines themselves, an upper bound */
  oracle?: boolean;
  /** which cached views: 'views' (strength 1) or 'mild' */
  viewTag?: string;
  /** training temperature: the model's logit scale times this */
  scaleMul?: number;
}
const D = TRAIN_DEFAULTS;
const CONFIGS: Record<string, Config> = {
  default: {},
  'center-img-only': { o: { epochs: 0, center: { image: 1 } } },
  'center-both-only': { o: { epochs: 0, center: { image: 1, text: 1 } } },
  'center-img': { o: { center: { image: 1 } } },
  'center-both': { o: { center: { image: 1, text: 1 } } },
  'views8-center-both': { views: 8, o: { center: { image: 1, text: 1 } } },
  views8: { views: 8 },
  views4: { views: 4 },
  'views8-e20': { views: 8, o: { epochs: 20 } },
  'views8-center': { views: 8, o: { center: { image: 1 } } },
  templates: { templates: 5 },
  'views8-templates': { views: 8, templates: 5 },
  'lr3e-4': { o: { lr: 3e-4 } },
  'wd0.1': { o: { weightDecay: 0.1 } },
  h32: { o: { hidden: 32 } },
  linear: { o: { hidden: 0 } },
  'shrink0.5': { o: { shrink: 0.5 } },
  ema: { o: { ema: 0.9 } },
  'views8-ema': { views: 8, o: { ema: 0.9 } },
  'views8-h32': { views: 8, o: { hidden: 32 } },
  'views8-img': { views: 8, o: { towers: 'image' } },
  shift: { o: { learn: 'shift', hidden: 0 } },
  'shift-lr1e-2': { o: { learn: 'shift', hidden: 0, lr: 1e-2 } },
  'temp0.5': { scaleMul: 0.5 },
  mix05: { o: { mixup: 0.5 } },
  mix1: { o: { mixup: 1 } },
  'mix05-temp0.5': { o: { mixup: 0.5 }, scaleMul: 0.5 },
  'mix1-temp0.5': { o: { mixup: 1 }, scaleMul: 0.5 },
  'mix1-shrink0.5': { o: { mixup: 1, shrink: 0.5 } },
  b128: { o: { batchSize: 128 } },
  'b128-e30': { o: { batchSize: 128, epochs: 30 } },
  'full-e60': { o: { batchSize: 450, epochs: 60 } },
  'full-e60-temp0.5': { o: { batchSize: 450, epochs: 60 }, scaleMul: 0.5 },
  temp2: { scaleMul: 2 },
  'temp0.25': { scaleMul: 0.25 },
  'temp0.15': { scaleMul: 0.15 },
  'temp0.25-lr3e-3': { scaleMul: 0.25, o: { lr: 3e-3 } },
  'temp0.25-e20': { scaleMul: 0.25, o: { epochs: 20 } },
  'temp0.1': { scaleMul: 0.1 },
  'temp0.25-mix1': { scaleMul: 0.25, o: { mixup: 1 } },
  'temp0.35': { scaleMul: 0.35 },
  'lr1e-4-e30x': { o: { lr: 1e-4, epochs: 30 } },
  'ens-only': { ensembleValid: 5, o: { epochs: 0 } },
  'ens-templates': { ensembleValid: 5, templates: 5 },
  oracle: { oracle: true },
  mild4: { views: 4, viewTag: 'mild' },
  'mild4-center-both': { views: 4, viewTag: 'mild', o: { center: { image: 1, text: 1 } } },
  img: { o: { towers: 'image' } },
  txt: { o: { towers: 'text' } },
  'lr1e-4': { o: { lr: 1e-4 } },
  'lr3e-4-e30': { o: { lr: 3e-4, epochs: 30 } },
  'lr1e-4-e30': { o: { lr: 1e-4, epochs: 30 } },
  'step2': { o: { evalEverySteps: 2 } },
};
const configs = opt('configs', 'default').split(',');

function load(set: string) {
  const meta = JSON.parse(fs.readFileSync(`/tmp/train5/${set}.json`, 'utf8')) as { train: number; valid: number; logitScale: number; dim: number; views: number; templates: string[] };
  const f32 = (name: string) => {
    const b = fs.readFileSync(`/tmp/train5/${set}-${name}.f32`);
    return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  };
  const m = (data: Float32Array, rows: number): EmbeddingMatrix => ({ data, rows, dim: meta.dim });
  return { meta, trainImages: f32('train-images'), trainTexts: f32('train-texts'), views: (tag: string) => f32(`train-${tag}`), validImages: f32('valid-images'), validTexts: f32('valid-texts'), m };
}

function sets_(set: string, c: Config) {
  const L = load(set);
  const { train: N, valid: M, dim } = L.meta;
  const links = (n: number) => Array.from({ length: n }, (_, i) => ({ text: i, image: i }));
  const train: PairSet = { texts: L.m(L.trainTexts.subarray(0, N * dim), N), images: L.m(L.trainImages, N), links: links(N) };
  const V = c.views ?? 0;
  if (V) train.imageViews = { matrix: L.m(L.views(c.viewTag ?? 'views').subarray(0, V * N * dim), V * N), of: Array.from({ length: N }, (_, i) => Array.from({ length: V }, (_, k) => k * N + i)) };
  const T = c.templates ?? 1;
  if (T > 1) train.textViews = { matrix: L.m(L.trainTexts.subarray(N * dim, T * N * dim), (T - 1) * N), of: Array.from({ length: N }, (_, i) => Array.from({ length: T - 1 }, (_, k) => k * N + i)) };
  let vt = L.validTexts.subarray(0, M * dim);
  if (c.ensembleValid) {
    vt = new Float32Array(M * dim);
    for (let t = 0; t < c.ensembleValid; t++) for (let j = 0; j < M * dim; j++) vt[j] += L.validTexts[t * M * dim + j];
    for (let i = 0; i < M; i++) {
      let n = 0;
      for (let j = 0; j < dim; j++) n += vt[i * dim + j] ** 2;
      for (let j = 0; j < dim; j++) vt[i * dim + j] /= Math.sqrt(n);
    }
  }
  const valid: PairSet = { texts: L.m(vt, M), images: L.m(L.validImages, M), links: links(M) };
  return { train: c.oracle ? valid : train, valid, logitScale: L.meta.logitScale };
}

async function main() {
  void matrixFromRows;
  for (const name of configs) {
    const c = CONFIGS[name];
    if (!c) throw new Error(`unknown config ${name}`);
    const gains: Record<string, number[]> = {};
    for (const set of sets) {
      const { train, valid, logitScale } = sets_(set, c);
      for (const seed of seeds) {
        const o: TrainOptions = { epochs: D.epochs, lr: D.lr, batchSize: D.batchSize, weightDecay: D.weightDecay, towers: D.towers, hidden: D.hidden, seed, logitScale, logitScaleFactor: c.scaleMul ?? 1, ...c.o };
        const r = await trainAdapter(train, valid, o);
        const gain = r.best.mean - r.baseline.mean;
        (gains[set] ??= []).push(gain);
        const rec = { at: new Date().toISOString(), config: name, spec: c, set, seed, base: r.baseline.mean, after: r.best.mean, gain, bestEpoch: r.bestEpoch, curve: r.history.map((h) => +h.recall.mean.toFixed(2)), seconds: +r.seconds.toFixed(1) };
        fs.appendFileSync(LOG, `${JSON.stringify(rec)}\n`);
      }
    }
    const per = sets.map((s) => gains[s].reduce((a, b) => a + b, 0) / gains[s].length);
    const mean = per.reduce((a, b) => a + b, 0) / per.length;
    console.log(`${name.padEnd(20)} ${sets.map((s, i) => `${s} ${per[i] >= 0 ? '+' : ''}${per[i].toFixed(2)} [${gains[s].map((g) => g.toFixed(1)).join(' ')}]`).join('  ')}  | mean ${mean.toFixed(2)} min ${Math.min(...per).toFixed(2)}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
