/**
 * Exploration (session 5, issue 12), DEV sets only: does hubness reduction with the TRAIN captions
 * as the query bank help text→image recall on the valid lines? CSLS-style: score(q, i) = q·v_i −
 * λ·r_i, r_i = mean of the k highest v_i·t over the train captions t; and its approximation inside
 * a unit-vector cosine index: u_i = normalize(v_i − λ r_i m), m = the mean train caption (so q·u_i
 * ≈ q·v_i − λ r_i (q·m), q·m nearly constant). With and without the default adapter (seed 1234).
 *
 *   npx tsx bench/train/explore-csls.ts
 */
import '../shared/help'; // --help: this script's header comment
import fs from 'node:fs';
import { projectRows } from '../../lib/adapters/adapter';
import { trainAdapter, type PairSet } from '../../lib/train';
import { TRAIN_DEFAULTS as D } from '../../lib/train/defaults';

const sets = 'openmoji,streamline,emojione,fluent-hc,fxemoji'.split(',');
const f32 = (set: string, name: string) => {
  const b = fs.readFileSync(`/tmp/train5/${set}-${name}.f32`);
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};
const dim = 256;
const dot = (a: Float32Array, ai: number, b: Float32Array, bi: number) => {
  let s = 0;
  for (let j = 0; j < dim; j++) s += a[ai * dim + j] * b[bi * dim + j];
  return s;
};

/** EasyNLP text→image mean of R@1/5/10 (stable ties: an earlier candidate with an equal score is ahead). */
function recall(score: (q: number, c: number) => number, n: number) {
  let r1 = 0, r5 = 0, r10 = 0;
  for (let q = 0; q < n; q++) {
    const own = score(q, q);
    let rank = 0;
    for (let c = 0; c < n; c++) {
      const s = score(q, c);
      if (s > own || (s === own && c < q)) rank++;
    }
    if (rank < 1) r1++;
    if (rank < 5) r5++;
    if (rank < 10) r10++;
  }
  return (100 * (r1 + r5 + r10)) / (3 * n);
}

async function main() {
  const meta = JSON.parse(fs.readFileSync('/tmp/train5/openmoji.json', 'utf8'));
  const out: string[] = [];
  for (const set of sets) {
    const N = 450, M = 150;
    const tt = f32(set, 'train-texts').slice(0, N * dim), ti = f32(set, 'train-images'), vt = f32(set, 'valid-texts').slice(0, M * dim), vi = f32(set, 'valid-images');
    const links = (n: number) => Array.from({ length: n }, (_, i) => ({ text: i, image: i }));
    const train: PairSet = { texts: { data: tt, rows: N, dim }, images: { data: ti, rows: N, dim }, links: links(N) };
    const valid: PairSet = { texts: { data: vt, rows: M, dim }, images: { data: vi, rows: M, dim }, links: links(M) };
    const r = await trainAdapter(train, valid, { epochs: D.epochs, lr: D.lr, batchSize: D.batchSize, weightDecay: D.weightDecay, hidden: D.hidden, towers: D.towers, seed: 1234, logitScale: meta.logitScale });
    const row: string[] = [set];
    for (const [label, w] of [['model', undefined], ['adapter', r.weights]] as const) {
      const Q = w ? projectRows(w.text, dim, vt, M) : vt;
      const V = w ? projectRows(w.image, dim, vi, M) : vi;
      const T = w ? projectRows(w.text, dim, tt, N) : tt;
      const base = recall((q, c) => dot(Q, q, V, c), M);
      row.push(`${label} ${base.toFixed(2)}`);
      const mean = new Float32Array(dim);
      for (let i = 0; i < N; i++) for (let j = 0; j < dim; j++) mean[j] += T[i * dim + j] / N;
      for (const k of [10, 50]) {
        const rr = Array.from({ length: M }, (_, i) => {
          const s = Array.from({ length: N }, (_, t) => dot(V, i, T, t)).sort((a, b) => b - a);
          return s.slice(0, k).reduce((a, b) => a + b, 0) / k;
        });
        for (const lambda of [0.5, 1]) {
          const exact = recall((q, c) => dot(Q, q, V, c) - lambda * rr[c], M);
          const U = new Float32Array(M * dim);
          for (let i = 0; i < M; i++) {
            let n = 0;
            for (let j = 0; j < dim; j++) n += (U[i * dim + j] = V[i * dim + j] - lambda * rr[i] * mean[j]) ** 2;
            for (let j = 0; j < dim; j++) U[i * dim + j] /= Math.sqrt(n);
          }
          const approx = recall((q, c) => dot(Q, q, U, c), M);
          row.push(`k${k} λ${lambda} ${(exact - base >= 0 ? '+' : '') + (exact - base).toFixed(2)}/${(approx - base >= 0 ? '+' : '') + (approx - base).toFixed(2)}`);
        }
      }
    }
    out.push(row.join('  '));
    console.log(row.join('  '));
  }
  fs.appendFileSync('bench/train/explore-log.jsonl', `${JSON.stringify({ at: new Date().toISOString(), config: 'csls (exact/approx gain over the same weights)', rows: out })}\n`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
