/**
 * Row-major float32 matrices of unit vectors, and the one hot loop of evaluation: the scores of a
 * block of queries against every candidate. Kept in plain Float32Arrays (no per-row objects) so a
 * corpus of 100k × 512 stays at 200 MB and the product runs over contiguous memory.
 */
export interface EmbeddingMatrix {
  rows: number;
  dim: number;
  /** rows × dim, row-major. */
  data: Float32Array;
}

export function matrixFromRows(rows: Float32Array[], dim?: number): EmbeddingMatrix {
  const d = dim ?? rows[0]?.length ?? 0;
  const data = new Float32Array(rows.length * d);
  rows.forEach((r, i) => {
    if (r.length !== d) throw new Error(`row ${i} has ${r.length} dimensions, expected ${d}`);
    data.set(r, i * d);
  });
  return { rows: rows.length, dim: d, data };
}

export function rowOf(m: EmbeddingMatrix, i: number): Float32Array {
  return m.data.subarray(i * m.dim, (i + 1) * m.dim);
}

/** Appends rows without knowing the final count (doubling growth, one copy at the end). */
export class MatrixBuilder {
  private data: Float32Array;
  private n = 0;
  constructor(readonly dim: number, initialRows = 256) {
    this.data = new Float32Array(Math.max(1, initialRows) * dim);
  }
  get rows(): number {
    return this.n;
  }
  push(v: Float32Array): number {
    if (v.length !== this.dim) throw new Error(`vector has ${v.length} dimensions, expected ${this.dim}`);
    if ((this.n + 1) * this.dim > this.data.length) {
      const next = new Float32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data.set(v, this.n * this.dim);
    return this.n++;
  }
  build(): EmbeddingMatrix {
    return { rows: this.n, dim: this.dim, data: this.data.slice(0, this.n * this.dim) };
  }
}

/**
 * out[(q - q0) * C + c] = <queries[q], candidates[c]> for q in [q0, q1), every candidate c.
 * Four queries share each pass over a candidate row, so each candidate value is loaded once per
 * four dot products; sums are accumulated in doubles, which keeps near-ties stable.
 */
export function scoreBlock(
  queries: EmbeddingMatrix,
  q0: number,
  q1: number,
  candidates: EmbeddingMatrix,
  out: Float64Array,
): void {
  const d = queries.dim;
  if (candidates.dim !== d) throw new Error(`query dimension ${d} ≠ candidate dimension ${candidates.dim}`);
  const Q = queries.data;
  const C = candidates.data;
  const nc = candidates.rows;
  let q = q0;
  for (; q + 4 <= q1; q += 4) {
    const a0 = q * d, a1 = a0 + d, a2 = a1 + d, a3 = a2 + d;
    const o = (q - q0) * nc;
    for (let c = 0; c < nc; c++) {
      const b = c * d;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let k = 0; k < d; k++) {
        const x = C[b + k];
        s0 += Q[a0 + k] * x;
        s1 += Q[a1 + k] * x;
        s2 += Q[a2 + k] * x;
        s3 += Q[a3 + k] * x;
      }
      out[o + c] = s0;
      out[o + nc + c] = s1;
      out[o + 2 * nc + c] = s2;
      out[o + 3 * nc + c] = s3;
    }
  }
  for (; q < q1; q++) {
    const a = q * d;
    const o = (q - q0) * nc;
    for (let c = 0; c < nc; c++) {
      const b = c * d;
      let s = 0;
      for (let k = 0; k < d; k++) s += Q[a + k] * C[b + k];
      out[o + c] = s;
    }
  }
}
