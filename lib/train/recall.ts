/**
 * Validation recall as EasyNLP's CLIP evaluator counts it: one query per pair line (text i), one
 * candidate per pair line (image i), text→image only, `mean` = the mean of R@1/5/10. A line whose
 * image is byte-identical to another line's ties with it; a tie is not counted against the line
 * (rank = 1 + the candidates scoring strictly higher). On data without repeated images this is
 * exactly EasyNLP's figure.
 */
import type { Recall } from '../adapters/store';
import type { PairSet } from './pairs';

export function pairRecall(set: PairSet, textVecs: Float32Array, imageVecs: Float32Array): Recall {
  const { dim } = set.texts;
  const nImages = set.images.rows;
  // how many lines carry each distinct image: its weight as a candidate
  const mult = new Int32Array(nImages);
  for (const l of set.links) mult[l.image]++;
  const scores = new Float32Array(nImages);
  let h1 = 0;
  let h5 = 0;
  let h10 = 0;
  for (const l of set.links) {
    const t = l.text * dim;
    for (let k = 0; k < nImages; k++) {
      let s = 0;
      const o = k * dim;
      for (let j = 0; j < dim; j++) s += textVecs[t + j] * imageVecs[o + j];
      scores[k] = s;
    }
    const own = scores[l.image];
    let ahead = 0;
    for (let k = 0; k < nImages; k++) if (scores[k] > own) ahead += mult[k];
    if (ahead < 1) h1++;
    if (ahead < 5) h5++;
    if (ahead < 10) h10++;
  }
  const n = Math.max(1, set.links.length);
  const r1 = (100 * h1) / n;
  const r5 = (100 * h5) / n;
  const r10 = (100 * h10) / n;
  return { r1, r5, r10, mean: (r1 + r5 + r10) / 3 };
}
