/**
 * Clustered unit vectors, as embeddings are (uniform random vectors in 512 dimensions have no
 * neighbours worth the name): `clusters` random centres, each vector a centre plus noise of the
 * same norm × 0.7 (cosine ≈ 0.82 to its centre, ≈ 0.67 between two of a cluster). Queries are new
 * points of the same kind. Deterministic: the same vectors every run (bench/filter-strategies.ts,
 * bench/rebuild.ts).
 */
export function clusteredVectors(
  n: number,
  dim: number,
  nq: number,
  clusters = Math.max(10, Math.round(n / 100)),
  /** more queries, drawn after the others (the data and the first nq queries stay the same) */
  extra = 0,
): { data: Float32Array[]; queries: Float32Array[]; more: Float32Array[]; clusters: number } {
  let seed = 12345;
  const rand = () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const unit = (v: Float32Array) => {
    let s = 0;
    for (const x of v) s += x * x;
    const r = 1 / Math.sqrt(s);
    for (let i = 0; i < v.length; i++) v[i] *= r;
    return v;
  };
  const centres = Array.from({ length: clusters }, () => unit(Float32Array.from({ length: dim }, gauss)));
  const sigma = 0.7 / Math.sqrt(dim);
  const point = () => unit(Float32Array.from(centres[Math.floor(rand() * clusters)], (x) => x + sigma * gauss()));
  const data = Array.from({ length: n }, point);
  const queries = Array.from({ length: nq }, point);
  const more = Array.from({ length: extra }, point);
  return { data, queries, more, clusters };
}

export const dot = (a: Float32Array, b: Float32Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/** The labels (1-based: label i is data[i − 1]) of the exact top k of `q` among `among`. */
export function exactTopK(q: Float32Array, data: Float32Array[], among: number[], k: number): Set<number> {
  // a bounded insertion list: O(n·k) worst case, O(n) in practice
  const best: [number, number][] = [];
  for (const l of among) {
    const s = dot(q, data[l - 1]);
    if (best.length === k && s <= best[k - 1][1]) continue;
    let i = best.length < k ? best.length : k - 1;
    if (best.length < k) best.push([l, s]);
    while (i > 0 && best[i - 1][1] < s) {
      best[i] = best[i - 1];
      i--;
    }
    best[i] = [l, s];
  }
  return new Set(best.map(([l]) => l));
}

/** Feed `labels`/`data` to HnswIndex.rebuild in pages, as the database does (2,000 rows). */
export async function* pagesOf(labels: number[], data: Float32Array[], page = 2000): AsyncGenerator<{ labels: number[]; vectors: Float32Array[] }> {
  for (let i = 0; i < labels.length; i += page) yield { labels: labels.slice(i, i + page), vectors: labels.slice(i, i + page).map((l) => data[l - 1]) };
}
