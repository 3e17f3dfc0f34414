/** Small random unit vectors and exact answers over them, for the index tests (filtered search, rebuild). */

/** `v` scaled to length 1. */
export function unit(v: Float32Array): Float32Array {
  const r = 1 / Math.hypot(...v);
  return v.map((x) => x * r);
}

/** A generator of deterministic random unit vectors of `dim` (the same sequence for the same seed). */
export function unitVectors(dim: number, seed: number): () => Float32Array {
  let s = seed;
  const rand = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
  return () => unit(Float32Array.from({ length: dim }, rand));
}

/** The labels of the exact top `k` of `q` among `among` (labels `vectors` lacks and those in `exclude` left out). */
export function exactTopK(vectors: ReadonlyMap<number, Float32Array>, q: Float32Array, k: number, among: Iterable<number>, exclude: ReadonlySet<number> = new Set()): number[] {
  const dot = (v: Float32Array) => v.reduce((s, x, i) => s + x * q[i], 0);
  return [...among]
    .filter((l) => vectors.has(l) && !exclude.has(l))
    .map((l) => [l, dot(vectors.get(l)!)] as const)
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([l]) => l);
}
