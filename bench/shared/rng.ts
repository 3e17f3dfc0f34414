/** Seeded pseudo-random numbers, so every bench run draws the same vectors and corpora. */

// mulberry32, the same generator lib/train uses to shuffle pairs (one copy of it).
export { rng as makeRng } from '../../lib/train';

/** Standard normal draws (Box–Muller, both outputs used). */
export function makeGaussian(rng: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = rng();
    const r = Math.sqrt(-2 * Math.log(u));
    const th = 2 * Math.PI * rng();
    spare = r * Math.sin(th);
    return r * Math.cos(th);
  };
}

/** Scale v (in place) to unit length; returns v. */
export function normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
  for (let i = 0; i < v.length; i++) v[i] *= inv;
  return v;
}
